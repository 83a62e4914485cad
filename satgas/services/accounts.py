"""Crews, users, passwords and bearer tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from models import ROLES, AccessToken, Crew, Kecamatan, User, db, utcnow
from satgas.errors import Conflict, Forbidden, Invalid, Unauthorized
from satgas.text import clean_name

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
BAD_LOGIN = "Wrong username or password."
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,64}\Z")
STAFF_ROLES = ("supervisor", "admin")
# last_seen_at is kept to this resolution: one write a minute per active user, not one per request.
SEEN_RESOLUTION = timedelta(minutes=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_crew(name: str, kecamatan_code: str) -> Crew:
    try:
        name = clean_name(name)
    except ValueError as exc:
        raise Invalid(str(exc), {"name": [str(exc)]}) from None
    if db.session.get(Kecamatan, kecamatan_code) is None:
        raise Invalid(f"Unknown kecamatan_code {kecamatan_code!r}.", {"kecamatan_code": ["Unknown code."]})
    crew = Crew(name=name, kecamatan_code=kecamatan_code)
    db.session.add(crew)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"A crew named {name!r} already exists.") from None
    return crew


def list_crews() -> list[Crew]:
    return list(db.session.scalars(select(Crew).order_by(Crew.id)))


def create_user(
    username: str,
    password: str,
    role: str,
    crew_id: int | None = None,
    kecamatan_code: str | None = None,
) -> User:
    """Create an account; the role decides which scope fields make sense."""
    if not USERNAME_PATTERN.fullmatch(username):
        raise Invalid("A username has 3–64 letters, digits, '.', '_' or '-'.", {"username": ["Invalid username."]})
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}.", {"role": ["Unknown role."]})
    if role == "crew" and crew_id is None:
        raise Invalid("A crew user needs a crew_id.", {"crew_id": ["Required for role crew."]})
    if role != "crew" and crew_id is not None:
        raise Invalid("Only crew users belong to a crew.", {"crew_id": ["Only for role crew."]})
    if role == "admin" and kecamatan_code is not None:
        raise Invalid("Admins are city-wide; leave kecamatan_code out.", {"kecamatan_code": ["Not for admins."]})
    if crew_id is not None and db.session.get(Crew, crew_id) is None:
        raise Invalid(f"Unknown crew_id {crew_id}.", {"crew_id": ["Unknown crew."]})
    if kecamatan_code is not None and db.session.get(Kecamatan, kecamatan_code) is None:
        raise Invalid(f"Unknown kecamatan_code {kecamatan_code!r}.", {"kecamatan_code": ["Unknown code."]})
    if len(password) < 8:
        raise Invalid("The password needs at least 8 characters.", {"password": ["Too short."]})
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        crew_id=crew_id,
        kecamatan_code=kecamatan_code,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"The username {username!r} is taken.") from None
    return user


def check_password(username: str, password: str) -> User:
    """The user these credentials belong to; 401 with the same message (and cost) otherwise."""
    user = db.session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized(BAD_LOGIN) from None
    if user is None:
        raise Unauthorized(BAD_LOGIN)
    return user


def token_for(user: User) -> tuple[str, AccessToken]:
    """A new opaque token for the user (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    token = AccessToken(token_hash=_token_hash(raw), user=user, expires_at=utcnow() + ttl)
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


def resolve_token(raw: str) -> User | None:
    """The user of a live token; one query (every authenticated request runs it)."""
    token = db.session.scalar(select(AccessToken).options(joinedload(AccessToken.user))
                              .where(AccessToken.token_hash == _token_hash(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    return token.user


def revoke_token(raw: str) -> None:
    token = db.session.scalar(select(AccessToken).where(AccessToken.token_hash == _token_hash(raw)))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()


def touch_last_seen(user: User) -> None:
    """Record that the user made an authenticated request: at most one write a minute per user.

    The stored time comes with the token lookup, so most requests decide without a query; the
    guarded UPDATE keeps concurrent workers from writing the same minute twice. It runs in a
    transaction of its own, before the request's work.
    """
    now = utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_RESOLUTION:
        return
    db.session.commit()  # end the token lookup's read transaction (a write may not follow it on SQLite)
    db.session.execute(update(User).where(User.id == user.id, or_(
        User.last_seen_at.is_(None), User.last_seen_at < now - SEEN_RESOLUTION)).values(last_seen_at=now),
        execution_options={"synchronize_session": False})
    db.session.commit()
    set_committed_value(user, "last_seen_at", now)  # known now, and not a change to flush again
