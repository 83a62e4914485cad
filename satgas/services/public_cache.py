"""Server-side cache of public responses, ready to send: body, gzip of it and a strong ETag.

Entries are keyed by endpoint, parameters and a *generation* token kept in the same cache.
An approval or a new photo of an approved log replaces the token (`invalidate`), so every older entry is
orphaned at once — in every worker that shares Redis — and simply expires later. A random
token rather than a counter: an evicted token can never bring an old generation back.
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_caching import Cache
from redis.exceptions import RedisError

from satgas.signals import log_reviewed, photo_added

log = logging.getLogger(__name__)
cache = Cache()
GENERATION_KEY = "generation"
# Shared by all workers and invalidated explicitly: the TTL is only a safety net.
REDIS_TTL_SECONDS = 600
_CACHE_ERRORS = (RedisError, OSError)


@dataclass(frozen=True)
class Body:
    """A response body computed once: the bytes, their gzip, their content type and ETag."""

    data: bytes
    mimetype: str
    etag: str
    gzipped: bytes | None = None

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
    log_reviewed.connect(_on_change)
    photo_added.connect(_on_photo)


def _generation() -> str:
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


def cached(name: str, params: tuple[Hashable, ...], compute: Callable[[], Body]) -> Body:
    """The cached Body for this endpoint and parameters, computing and storing it on a miss.

    The generation is read before computing, so a response computed while an approval
    commits is stored under the old generation and never served after it.
    """
    try:
        key = ":".join([name, _generation(), *map(str, params)])
        hit = cache.get(key)
    except _CACHE_ERRORS as exc:
        log.warning("public cache unavailable, computing: %s", exc)
        return compute()
    if hit is not None:
        return Body(*hit)
    body = compute()
    try:
        cache.set(key, body.as_tuple())
    except _CACHE_ERRORS as exc:
        log.warning("public cache unavailable, not stored: %s", exc)
    return body
