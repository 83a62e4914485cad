"""Redis values kept in the worker for as long as Redis has not said they changed (client tracking).

One connection per worker (per `TrackedKeys`) speaks RESP3 with CLIENT TRACKING ON: Redis
remembers which keys that connection read and pushes an invalidation on it when one of them is
written, deleted, expires or is evicted (or all of them, on a flush). Redis queues that push while
it executes the write, before the writer even gets its reply, so a change's invalidation is
already waiting in every reader's socket when the write returns. Every read first takes in what
waits there (a non-blocking poll, no round trip), so a value kept here is never older than the
last write that finished anywhere; only a dropped value is read from Redis again.

Any trouble with the connection drops it and every value kept through it (pushes may have been
lost) and raises `TrackingUnavailable` (a RedisError): the caller reads Redis plainly instead.
For RETRY_SECONDS after that failure reads fail at once, so a Redis that is down costs each
request no connection attempt here.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any

import redis
from flask import Flask
from flask_caching import Cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
MAX_KEYS = 10_000


class TrackingUnavailable(RedisError):
    """The tracked connection cannot answer now: read Redis plainly."""


class TrackedKeys:
    """Values of Redis keys, each converted once by `loads` and kept until Redis invalidates it
    (or for at most `max_age` seconds, a safety net below the keys' own TTL)."""

    def __init__(self, url: str, loads: Callable[[bytes], Any], prefix: str = "",
                 max_age: float | None = None, max_keys: int = MAX_KEYS) -> None:
        self._url, self._loads, self._prefix = url, loads, prefix
        self._max_age, self._max_keys = max_age, max_keys
        self._lock = threading.Lock()
        self._client: Any = None
        self._pid = 0
        self._retry_at = 0.0
        self._values: dict[str, tuple[float, Any]] = {}  # key → (kept until, value)

    def get(self, key: str) -> Any | None:
        """The value of `prefix + key` (None when Redis has no such key), kept here after the
        first read. Raises TrackingUnavailable when it cannot be read this way."""
        with self._lock:
            if self._client is None and time.monotonic() < self._retry_at:
                raise TrackingUnavailable("the tracking connection failed a moment ago")
            try:
                self._take_in_invalidations()
                kept = self._values.get(key)
                now = time.monotonic()
                if kept is not None and kept[0] > now:
                    return kept[1]
                raw = self._client.get(self._prefix + key)
            except Exception as exc:  # noqa: BLE001 - any trouble: forget the connection and what came through it
                self._fail(exc)
                raise TrackingUnavailable(str(exc)) from exc
            if raw is None:
                self._values.pop(key, None)
                return None
            value = self._loads(raw)  # a value that does not load is the caller's to handle, not kept
            self._keep(key, value, now)
            return value

    def _keep(self, key: str, value: Any, now: float) -> None:
        if len(self._values) >= self._max_keys:
            self._values.pop(next(iter(self._values)))  # the oldest read: forgetting only costs a read
        until = now + self._max_age if self._max_age is not None else float("inf")
        self._values[key] = (until, value)

    def _take_in_invalidations(self) -> None:
        if self._client is None or self._pid != os.getpid():  # a forked worker connects anew
            self._connect()
        conn = self._client.connection
        while conn.can_read(timeout=0):  # a poll of the socket: no round trip
            conn.read_response(push_request=True, timeout=0, disconnect_on_error=False)  # → _invalidated

    def _connect(self) -> None:
        self._values.clear()
        self._pid = os.getpid()
        client = redis.Redis.from_url(self._url, protocol=3, single_connection_client=True, socket_timeout=5)
        try:
            client.execute_command("CLIENT", "TRACKING", "ON")
            client.connection._parser.set_invalidation_push_handler(self._invalidated)
        except Exception:
            with suppress(Exception):
                client.close()
            raise
        self._client = client

    def _invalidated(self, push: list[Any]) -> None:
        """A push: [b'invalidate', [keys]], or [b'invalidate', None] when Redis flushed."""
        keys: Iterable[bytes | str] | None = push[1] if len(push) > 1 else None
        if keys is None:
            self._values.clear()
            return
        skip = len(self._prefix)
        for key in keys:
            text = key.decode() if isinstance(key, bytes) else key
            self._values.pop(text[skip:], None)

    def _fail(self, exc: BaseException) -> None:
        log.warning("redis tracking unavailable, reading plainly for %ss: %s", RETRY_SECONDS, exc)
        client, self._client = self._client, None
        self._values.clear()
        self._retry_at = time.monotonic() + RETRY_SECONDS
        if client is not None:
            with suppress(Exception):
                client.close()


def tracked_cache(app: Flask, cache: Cache, loads: Callable[[Any], Any] = lambda value: value,
                  max_age: float | None = None) -> TrackedKeys:
    """Tracked reads of a flask-caching RedisCache's keys: its prefix and serializer, then `loads`
    on the stored value (to keep something ready to use rather than the stored form)."""
    backend = app.extensions["cache"][cache]
    serializer_loads = backend.serializer.loads
    return TrackedKeys(app.config["REDIS_URL"], lambda raw: loads(serializer_loads(raw)),
                       prefix=backend._get_prefix(), max_age=max_age)
