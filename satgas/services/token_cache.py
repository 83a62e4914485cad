"""Who a bearer token belongs to, remembered: every authenticated request asks.

With REDIS_URL the entries live in Redis, shared by every worker, and each worker keeps the
entries it read under Redis client tracking (`satgas.redis_tracking`): a warm lookup asks Redis
nothing, and a revocation (or any change of an entry) writes the key, which makes Redis push an
invalidation to every worker that kept it before the revoking request gets its answer, so the
very next request anywhere reads the key again and finds the revocation. Without REDIS_URL each process
keeps its own entries for TOKEN_CACHE_SECONDS (10 s): a token revoked on one worker may still work
on the others for that long (the README says so). Expiry is checked on every request either way.

An entry holds a ready `Principal` (immutable, shared by the requests using the token), not a
row to rebuild per request.

A revocation leaves a tombstone under the token's key rather than deleting it, and entries are
only ever written where no tombstone is: a lookup that read the token from the database just
before the revocation committed cannot put it back afterwards (a new entry is written only if
the key is absent, SET NX), nor can the once-a-minute `last_seen_at` refresh (it rewrites an
entry only if the key holds one, checked and written in one Lua script).
"""
from __future__ import annotations

import logging
from contextlib import suppress
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
REDIS_TTL_SECONDS = 300  # a safety net: revocation replaces the entry explicitly
_TRACKED = "satgas.token_cache.tracked"
_REFRESH = "satgas.token_cache.refresh"
TOMBSTONE = "revoked"  # the value a revocation leaves under the token's key
# Rewrite the key with ARGV[1] for ARGV[3] seconds only if it holds an entry (not absent, not the tombstone ARGV[2]).
_REFRESH_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


@dataclass(frozen=True, slots=True)
class Entry:
    principal: Principal
    expires_at: datetime

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Entry:
        return cls(Principal(**stored["user"]), stored["expires_at"])


class Revoked:
    """What a tombstone reads as: the token was revoked (the database says so too)."""


REVOKED = Revoked()


def _loaded(stored: Any) -> Entry | Revoked:
    return REVOKED if stored == TOMBSTONE else Entry.of(stored)


def init_token_cache(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"],
                  "CACHE_KEY_PREFIX": "satgas:token:", "CACHE_DEFAULT_TIMEOUT": REDIS_TTL_SECONDS}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 10_000,
                  "CACHE_DEFAULT_TIMEOUT": app.config["TOKEN_CACHE_SECONDS"]}
    cache.init_app(app, config=config)
    if app.config.get("REDIS_URL") and app.config.get("TOKEN_CACHE_TRACKING", True):
        app.extensions[_TRACKED] = tracked_cache(app, cache, _loaded, max_age=REDIS_TTL_SECONDS)
    if app.config.get("REDIS_URL"):
        backend = app.extensions["cache"][cache]
        app.extensions[_REFRESH] = (backend._write_client.register_script(_REFRESH_SCRIPT), backend._get_prefix(),
                                    backend.serializer.dumps)


def remembered(token_hash: str) -> Entry | Revoked | None:
    """The entry of a live token seen recently, REVOKED after a revocation, or None (then the
    database answers)."""
    tracked: TrackedKeys | None = current_app.extensions.get(_TRACKED)
    try:
        if tracked is not None:
            try:
                return tracked.get(token_hash)
            except TrackingUnavailable:
                pass  # read Redis plainly: as current, only not kept here
        stored = cache.get(token_hash)
        return None if stored is None else _loaded(stored)
    except _ERRORS as exc:
        log.warning("token cache unavailable, asking the database: %s", exc)
        return None
    except (KeyError, TypeError) as exc:  # an entry of another shape: the database answers, and it is rewritten
        log.warning("token cache entry unreadable, asking the database: %r", exc)
        _delete(token_hash)
        return None


def remember(token_hash: str, principal: Principal, expires_at: datetime) -> None:
    """A token just read from the database, unless the key holds something already (a
    revocation's tombstone written since that read, or another lookup's entry)."""
    try:
        cache.add(token_hash, _stored(principal, expires_at))
    except _ERRORS as exc:
        log.warning("token cache unavailable, not stored: %s", exc)


def refresh(token_hash: str, principal: Principal, expires_at: datetime) -> None:
    """Replace a remembered token's entry (its user's last_seen_at moved); never a tombstone."""
    stored = _stored(principal, expires_at)
    try:
        shared = current_app.extensions.get(_REFRESH)
        if shared is None:  # this process's own cache: no other process to race with
            if isinstance(remembered(token_hash), Entry):
                cache.set(token_hash, stored)
            return
        script, prefix, dumps = shared
        script(keys=[prefix + token_hash], args=[dumps(stored), dumps(TOMBSTONE), REDIS_TTL_SECONDS])
    except _ERRORS as exc:
        log.warning("token cache unavailable, not refreshed: %s", exc)


def forget(token_hash: str) -> None:
    """After a revocation: the tombstone. A failure here is an error: the token would live on
    for the TTL."""
    try:
        cache.set(token_hash, TOMBSTONE)
    except _ERRORS as exc:
        log.error("revoked token not forgotten by the token cache, valid there for up to %ss: %s",
                  REDIS_TTL_SECONDS, exc)


def _stored(principal: Principal, expires_at: datetime) -> dict[str, Any]:
    return {"user": principal.columns(), "expires_at": expires_at}


def _delete(token_hash: str) -> None:
    with suppress(*_ERRORS):
        cache.delete(token_hash)
