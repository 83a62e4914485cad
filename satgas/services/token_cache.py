"""Who a bearer token belongs to, remembered: every authenticated request asks.

With REDIS_URL the entries live in Redis, shared by every worker, and each worker keeps the
entries it read under Redis client tracking (`satgas.redis_tracking`): a warm lookup asks Redis
nothing, and a revocation (or any change of an entry) deletes the key, which makes Redis push an
invalidation to every worker that kept it before the revoking request gets its answer, so the
very next request anywhere finds no entry and asks the database. Without REDIS_URL each process
keeps its own entries for TOKEN_CACHE_SECONDS (10 s): a token revoked on one worker may still work
on the others for that long (the README says so). Expiry is checked on every request either way.

An entry holds a ready `Principal` (immutable, shared by the requests using the token), not a
row to rebuild per request.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_caching import Cache
from redis.exceptions import RedisError

from satgas.principal import Principal
from satgas.redis_tracking import TrackedKeys, TrackingUnavailable, tracked_cache

log = logging.getLogger(__name__)
cache = Cache()
_ERRORS = (RedisError, OSError)
REDIS_TTL_SECONDS = 300  # a safety net: revocation deletes the entry explicitly
_TRACKED = "satgas.token_cache.tracked"


@dataclass(frozen=True, slots=True)
class Entry:
    principal: Principal
    expires_at: datetime

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Entry:
        return cls(Principal(**stored["user"]), stored["expires_at"])


def init_token_cache(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"],
                  "CACHE_KEY_PREFIX": "satgas:token:", "CACHE_DEFAULT_TIMEOUT": REDIS_TTL_SECONDS}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 10_000,
                  "CACHE_DEFAULT_TIMEOUT": app.config["TOKEN_CACHE_SECONDS"]}
    cache.init_app(app, config=config)
    if app.config.get("REDIS_URL") and app.config.get("TOKEN_CACHE_TRACKING", True):
        app.extensions[_TRACKED] = tracked_cache(app, cache, Entry.of, max_age=REDIS_TTL_SECONDS)


def remembered(token_hash: str) -> Entry | None:
    """The entry of a live token seen recently, or None (then the database answers)."""
    tracked: TrackedKeys | None = current_app.extensions.get(_TRACKED)
    try:
        if tracked is not None:
            try:
                return tracked.get(token_hash)
            except TrackingUnavailable:
                pass  # read Redis plainly: as current, only not kept here
        stored = cache.get(token_hash)
        return None if stored is None else Entry.of(stored)
    except _ERRORS as exc:
        log.warning("token cache unavailable, asking the database: %s", exc)
        return None
    except (KeyError, TypeError) as exc:  # an entry of another shape: the database answers, and it is rewritten
        log.warning("token cache entry unreadable, asking the database: %r", exc)
        return None


def remember(token_hash: str, principal: Principal, expires_at: datetime) -> None:
    try:
        cache.set(token_hash, {"user": principal.columns(), "expires_at": expires_at})
    except _ERRORS as exc:
        log.warning("token cache unavailable, not stored: %s", exc)


def forget(token_hash: str) -> None:
    """After a revocation. A failure here is an error: the token would live on for the TTL."""
    try:
        cache.delete(token_hash)
    except _ERRORS as exc:
        log.error("revoked token not forgotten by the token cache, valid there for up to %ss: %s",
                  REDIS_TTL_SECONDS, exc)
