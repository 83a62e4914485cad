"""Bearer tokens: issued at login, looked up on every authenticated request, revoked at logout.

Only a token's SHA-256 is stored, so a database leak leaks no tokens. Lookups go through the
token cache (`token_cache`), which hands out the token's ready `Principal` without a query.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from models import AccessToken, User, db, utcnow
from satgas.errors import Forbidden
from satgas.principal import Actor, Principal
from satgas.services import token_cache
from satgas.services.accounts import check_password

STAFF_ROLES = ("supervisor", "admin")
# last_seen_at is kept to this resolution: one write a minute per active user, not one per request.
SEEN_RESOLUTION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(user: User) -> tuple[str, AccessToken]:
    """A new opaque token for the user (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    token = AccessToken(token_hash=token_hash(raw), user=user, expires_at=utcnow() + ttl)
    db.session.add(token)
    db.session.commit()
    return raw, token


def issue_token(username: str, password: str) -> tuple[str, AccessToken]:
    """Check the password and hand out a new opaque token."""
    return token_for(check_password(username, password))


def issue_staff_token(username: str, password: str) -> tuple[str, AccessToken]:
    """As `issue_token`, for the supervisors' console: a crew account gets no token there (403)."""
    user = check_password(username, password)
    if user.role not in STAFF_ROLES:
        raise Forbidden("Konsol ini untuk pengawas dan admin; kru memakai aplikasi kru di HP. "
                        "(This console is for supervisors and admins.)", {"role": [user.role]})
    return token_for(user)


def resolve_token(raw: str) -> Principal | None:
    """Who a live token belongs to (every authenticated request asks): from the token cache,
    else one query."""
    key = token_hash(raw)
    found = token_cache.remembered(key)
    if found is token_cache.REVOKED:
        return None
    if found is None:
        token = db.session.scalar(select(AccessToken).options(joinedload(AccessToken.user))
                                  .where(AccessToken.token_hash == key))
        if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
            return None
        principal = Principal.of(token.user)
        token_cache.remember(key, principal, token.expires_at)
        return principal
    if found.expires_at <= utcnow():
        return None
    return found.principal


def revoke_token(raw: str) -> None:
    key = token_hash(raw)
    token = db.session.scalar(select(AccessToken).where(AccessToken.token_hash == key))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    token_cache.forget(key)


def touch_last_seen(user: Actor, raw: str | None = None) -> Actor:
    """Record that the user made an authenticated request: at most one write a minute per user.

    The stored time comes with the token lookup (or the cache), so most requests decide without
    a query; the guarded UPDATE keeps concurrent workers from writing the same minute twice. It
    runs in a transaction of its own, before the request's work, and refreshes the cache entry.
    Returns the user as seen now (a new Principal: they are immutable).
    """
    now = utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_RESOLUTION:
        return user
    db.session.commit()  # end the token lookup's read transaction (a write may not follow it on SQLite)
    db.session.execute(update(User).where(User.id == user.id, or_(
        User.last_seen_at.is_(None), User.last_seen_at < now - SEEN_RESOLUTION)).values(last_seen_at=now),
        execution_options={"synchronize_session": False})
    db.session.commit()
    if isinstance(user, Principal):
        user = replace(user, last_seen_at=now)
    else:
        set_committed_value(user, "last_seen_at", now)  # known now, and not a change to flush again
    if raw is not None:
        key = token_hash(raw)
        found = token_cache.remembered(key)
        if isinstance(found, token_cache.Entry):
            token_cache.refresh(key, Principal.of(user), found.expires_at)
    return user
