"""Server-side cache of public responses, ready to send: body, gzip of it and a strong ETag.

Entries are keyed by endpoint, parameters and a *generation* token kept in the same cache.
An approval or a new photo of an approved log replaces the token (`invalidate`), so every older entry is
orphaned at once — in every worker that shares Redis — and simply expires later. A random
token rather than a counter: an evicted token can never bring an old generation back.

With Redis, a hit asks Redis nothing: the generation is kept in the worker under Redis client
tracking (`satgas.redis_tracking`: Redis pushes an invalidation on the worker's connection when
the key changes, and it is taken in before every read), and the bodies are remembered in the worker
for up to REMEMBER_SECONDS (under the same generation-bearing key, so an invalidation reaches them
at once), so the big GeoJSON is not fetched from Redis and unpickled again on every request.
(Without Redis the cache is in the worker already.)

A miss is computed once (single-flight): of the requests that miss the same key at the same time,
one computes while the others wait for its result — across workers through a short Redis lock
when REDIS_URL is set, across the threads of a worker otherwise. A waiter that waits longer than
FLIGHT_WAIT_SECONDS (the computing request died) computes the body itself.
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from flask_caching import Cache
from redis.exceptions import LockError, RedisError

from satgas.redis_tracking import TrackingUnavailable, tracked_cache
from satgas.signals import log_reviewed, photo_added

log = logging.getLogger(__name__)
cache = Cache()
GENERATION_KEY = "generation"
# Shared by all workers and invalidated explicitly: the TTL is only a safety net.
REDIS_TTL_SECONDS = 600
_CACHE_ERRORS = (RedisError, OSError)
# Bodies remembered per worker (a few endpoints × parameters; the GeoJSON is the big one).
REMEMBERED_MAX = 32
REMEMBER_SECONDS = 60.0
_SECONDS = "satgas.public_cache.seconds"
KEPT_SECONDS = 86_400
# Single-flight: how long a waiter polls for another request's result, and how often.
FLIGHT_WAIT_SECONDS = 10.0
FLIGHT_POLL_SECONDS = 0.005


@dataclass(frozen=True)
class Body:
    """A response body computed once: the bytes, their gzip, their content type and ETag."""

    data: bytes
    mimetype: str
    etag: str
    gzipped: bytes | None = None
    # What the web layer derives from the body to send it (headers per encoding), built once.
    sent: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, data: bytes, mimetype: str, compress: bool = True) -> Body:
        etag = hashlib.sha256(data).hexdigest()[:40]
        # mtime=0: the same body always gzips to the same bytes (stable across workers).
        packed = gzip.compress(data, compresslevel=6, mtime=0) if compress else None
        return cls(data, mimetype, etag, packed)

    def as_tuple(self) -> tuple:
        # Plain values in the cache: they unpickle even after this class changes in a deploy.
        return self.data, self.mimetype, self.etag, self.gzipped


def init_public_cache(app: Flask) -> None:
    """Redis when REDIS_URL is set (shared by workers), else in-process."""
    if app.config.get("REDIS_URL"):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"],
                  "CACHE_KEY_PREFIX": "satgas:public:", "CACHE_DEFAULT_TIMEOUT": REDIS_TTL_SECONDS}
    else:
        # Each worker keeps its own copy and hears only its own approvals: keep entries no
        # longer than clients may cache them anyway.
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 1000,
                  "CACHE_DEFAULT_TIMEOUT": app.config["PUBLIC_CACHE_SECONDS"]}
    cache.init_app(app, config=config)
    app.extensions[_SECONDS] = config["CACHE_DEFAULT_TIMEOUT"]
    if app.config.get("REDIS_URL") and app.config.get("PUBLIC_CACHE_TRACKING", True):
        app.extensions[_TRACKED] = tracked_cache(app, cache, str)
    log_reviewed.connect(_on_change)
    photo_added.connect(_on_photo)


_TRACKED = "satgas.public_cache.tracked"


def _generation() -> str:
    tracked = current_app.extensions.get(_TRACKED)
    if tracked is not None:
        with suppress(TrackingUnavailable):  # then read it plainly
            token = tracked.get(GENERATION_KEY)
            if token is not None:
                return token
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=0)
        token = cache.get(GENERATION_KEY)
    return token


def invalidate() -> None:
    """Orphan every cached public response (call after a commit that changes public data)."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=0)
    except _CACHE_ERRORS as exc:
        log.error("public cache not invalidated, stale for up to %ss: %s", REDIS_TTL_SECONDS, exc)


def _on_change(sender: Any, **_details: Any) -> None:
    app = sender if isinstance(sender, Flask) else current_app._get_current_object()
    if cache not in app.extensions.get("cache", {}):
        return
    with app.app_context():
        invalidate()


def _on_photo(sender: Any, public: bool = True, **details: Any) -> None:
    """A photo of a log that is not approved changes nothing public: the cache stays."""
    if public:
        _on_change(sender, **details)


class _Remembered:
    """The worker's own copy of recent bodies, by full cache key, each until it expires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: OrderedDict[str, tuple[float, Body]] = OrderedDict()

    def get(self, key: str) -> Body | None:
        with self._lock:
            found = self._bodies.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._bodies[key]
                return None
            self._bodies.move_to_end(key)
            return found[1]

    def put(self, key: str, body: Body, seconds: float) -> None:
        with self._lock:
            self._bodies[key] = (time.monotonic() + seconds, body)
            self._bodies.move_to_end(key)
            while len(self._bodies) > REMEMBERED_MAX:
                self._bodies.popitem(last=False)


_remembered = _Remembered()
_flights_lock = threading.Lock()
_flights: dict[str, threading.Lock] = {}


def _remember_seconds() -> float:
    """No longer than the shared entries live."""
    return min(REMEMBER_SECONDS, float(current_app.extensions.get(_SECONDS) or REMEMBER_SECONDS))


def _redis() -> Any | None:
    """The Redis client behind the cache, when it is Redis."""
    return getattr(cache.cache, "_write_client", None)


def _stored(key: str) -> Body | None:
    hit = cache.get(key)
    return None if hit is None else Body(*hit)


def _store(key: str, body: Body) -> None:
    try:
        cache.set(key, body.as_tuple())
    except _CACHE_ERRORS as exc:
        log.warning("public cache unavailable, not stored: %s", exc)


@contextmanager
def _worker_flight(key: str) -> Iterator[None]:
    """One thread of this worker at a time per key (the others wait, then find the result)."""
    with _flights_lock:
        lock = _flights.setdefault(key, threading.Lock())
    acquired = lock.acquire(timeout=FLIGHT_WAIT_SECONDS)
    try:
        yield
    finally:
        if acquired:
            lock.release()
        with _flights_lock:
            if not lock.locked() and _flights.get(key) is lock:
                del _flights[key]


def _shared_flight(client: Any, key: str, compute: Callable[[], Body]) -> Body:
    """One worker computes (it holds a short Redis lock); the others poll for its result."""
    deadline = time.monotonic() + FLIGHT_WAIT_SECONDS
    while True:
        lock = client.lock(f"satgas:public:flight:{key}", timeout=FLIGHT_WAIT_SECONDS)
        if lock.acquire(blocking=False):
            try:
                body = _stored(key)  # finished while we looked
                if body is None:
                    body = compute()
                    _store(key, body)
                return body
            finally:
                with suppress(LockError, *_CACHE_ERRORS):
                    lock.release()
        time.sleep(FLIGHT_POLL_SECONDS)
        body = _stored(key)
        if body is not None:
            return body
        if time.monotonic() > deadline:
            log.warning("public cache: waited %ss for %s, computing it here", FLIGHT_WAIT_SECONDS, key)
            return compute()


def _computed_once(key: str, compute: Callable[[], Body]) -> Body:
    with _worker_flight(key):
        body = _stored(key)  # another thread of this worker computed it meanwhile
        if body is not None:
            return body
        client = _redis()
        if client is not None:
            return _shared_flight(client, key, compute)
        body = compute()
        _store(key, body)
        return body


def kept(name: str, compute: Callable[[], Any]) -> Any:
    """A value that does not change while the app runs (reference data, e.g. boundary texts),
    computed by the first worker that needs it and shared with the others (with Redis), outside
    the generations: an approval does not orphan it."""
    key = f"kept:{name}"
    try:
        value = cache.get(key)
    except _CACHE_ERRORS as exc:
        log.warning("public cache unavailable, computing: %s", exc)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=KEPT_SECONDS)
        except _CACHE_ERRORS as exc:
            log.warning("public cache unavailable, not stored: %s", exc)
    return value


def cached(name: str, params: tuple[Hashable, ...], compute: Callable[[], Body]) -> Body:
    """The cached Body for this endpoint and parameters, computing and storing it on a miss
    (once, however many requests miss it at the same time).

    The generation is read before computing, so a response computed while an approval
    commits is stored under the old generation and never served after it.
    """
    try:
        key = ":".join([name, _generation(), *map(str, params)])
        shared = _redis() is not None
        body = _remembered.get(key) if shared else None
        if body is not None:
            return body
        body = _stored(key) or _computed_once(key, compute)
    except _CACHE_ERRORS as exc:
        log.warning("public cache unavailable, computing: %s", exc)
        return compute()
    if shared:
        _remembered.put(key, body, _remember_seconds())
    return body
