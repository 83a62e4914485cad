"""Who a bearer token belongs to, remembered briefly: every authenticated request asks.

With REDIS_URL the entries live in Redis, shared by every worker, and a revoked token is
forgotten there at once: revocation is immediate everywhere. Without it each process keeps its
own entries for TOKEN_CACHE_SECONDS (10 s): a token revoked on one worker may still work on the
others for that long (the README says so). Expiry is checked on every request either way.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask
from flask_caching import Cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
cache = Cache()
_ERRORS = (RedisError, OSError)
REDIS_TTL_SECONDS = 300  # a safety net: revocation deletes the entry explicitly


def init_token_cache(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"],
                  "CACHE_KEY_PREFIX": "satgas:token:", "CACHE_DEFAULT_TIMEOUT": REDIS_TTL_SECONDS}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 10_000,
                  "CACHE_DEFAULT_TIMEOUT": app.config["TOKEN_CACHE_SECONDS"]}
    cache.init_app(app, config=config)


def remembered(token_hash: str) -> dict[str, Any] | None:
    """{'user': {column: value}, 'expires_at': datetime} of a live token seen recently, or None."""
    try:
        return cache.get(token_hash)
    except _ERRORS as exc:
        log.warning("token cache unavailable, asking the database: %s", exc)
        return None


def remember(token_hash: str, user: dict[str, Any], expires_at: datetime) -> None:
    try:
        cache.set(token_hash, {"user": user, "expires_at": expires_at})
    except _ERRORS as exc:
        log.warning("token cache unavailable, not stored: %s", exc)


def forget(token_hash: str) -> None:
    """After a revocation. A failure here is an error: the token would live on for the TTL."""
    try:
        cache.delete(token_hash)
    except _ERRORS as exc:
        log.error("revoked token not forgotten by the token cache, valid there for up to %ss: %s",
                  REDIS_TTL_SECONDS, exc)
