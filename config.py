"""Settings from the environment. Every variable is listed in the README.

Fails fast at start-up when the settings cannot work together (for example a production
database without a SECRET_KEY), rather than at the first request.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
VAR_DIR = PROJECT_ROOT / "var"
MIB = 1024 * 1024


class ConfigError(RuntimeError):
    """The environment describes a configuration that cannot run."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number ≥ 0, got {raw!r}")
    return int(raw)


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name) or "0"
    if raw not in ("0", "1"):
        raise ConfigError(f"{name} must be 1 (on) or 0 (off), got {raw!r}")
    return raw == "1"


def _sqlalchemy_url(url: str) -> str:
    """Pick our drivers: psycopg 3 for PostgreSQL; SQLite URLs stay as they are."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")):
        return url
    raise ConfigError(
        "DATABASE_URL must be postgresql://user:pass@host/db (PostGIS) "
        f"or sqlite:///path.db (SpatiaLite), got {url.split('://')[0]}://…"
    )


def _limits_uri(redis_url: str | None) -> str:
    """The rate limiter's storage: the limits library spells a unix socket `redis+unix://`."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


def _embedded_secret() -> str:
    """A secret kept under ./var/ so the embedded default survives restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(env: Mapping[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if env is None else env
    database_url = env.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'satgas.db'}"
    embedded = not env.get("DATABASE_URL")
    if embedded:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    secret = env.get("SECRET_KEY")
    if not secret:
        if not embedded:
            raise ConfigError("SECRET_KEY is required when DATABASE_URL is set")
        secret = _embedded_secret()
    storage_url = env.get("STORAGE_URL") or f"file://{VAR_DIR / 'photos'}"
    redis_url = env.get("REDIS_URL") or None
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url),
        "STORAGE_URL": storage_url,
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL") or None,
        "REDIS_URL": redis_url,
        "MAX_PHOTO_BYTES": _int(env, "MAX_PHOTO_BYTES", 15 * MIB),
        # JSON bodies: a 500-log batch of long tracks stays well under this.
        "MAX_JSON_BYTES": _int(env, "MAX_JSON_BYTES", 8 * MIB),
        "MAX_GEOMETRY_VERTICES": _int(env, "MAX_GEOMETRY_VERTICES", 5000),
        "TOKEN_TTL_HOURS": _int(env, "TOKEN_TTL_HOURS", 24 * 14),
        # Without REDIS_URL, how long a worker remembers who a token belongs to (a revocation
        # reaches the other workers within this); with Redis, revocation is immediate everywhere.
        "TOKEN_CACHE_SECONDS": _int(env, "TOKEN_CACHE_SECONDS", 10),
        "RATELIMIT_STORAGE_URI": _limits_uri(redis_url),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT") or "10 per minute",
        "PUBLIC_RATE_LIMIT": env.get("PUBLIC_RATE_LIMIT") or "120 per minute",
        "PUBLIC_CACHE_SECONDS": _int(env, "PUBLIC_CACHE_SECONDS", 60),
        "PHOTO_URL_TTL_SECONDS": _int(env, "PHOTO_URL_TTL_SECONDS", 300),
        # Reverse proxies in front of the app (nginx: 1); client IPs for rate limits come from
        # X-Forwarded-For only when this says how many hops to trust.
        "TRUSTED_PROXIES": _count(env, "TRUSTED_PROXIES", 0),
        # e.g. https://satgas.malangkota.go.id: public thumbnail URLs become absolute, so pages
        # on other sites embedding the public API can show them.
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").rstrip("/"),
        # When set, /metrics answers only to "Authorization: Bearer <METRICS_TOKEN>"; unset, only
        # to requests from the machine itself (loopback).
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        # A request body that stalls (no byte for this long) is ended with 408, so a client that
        # declares more than it sends cannot hold a worker thread (gunicorn facing clients).
        "BODY_READ_TIMEOUT_SECONDS": _int(env, "BODY_READ_TIMEOUT_SECONDS", 30),
        # 1: webhook URLs may use http:// and point at loopback/private hosts (tests, intranets).
        "WEBHOOK_ALLOW_PRIVATE": _flag(env, "WEBHOOK_ALLOW_PRIVATE"),
    }
