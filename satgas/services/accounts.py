"""Crews, users, passwords and bearer tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, make_transient_to_detached

from models import ROLES, AccessToken, Crew, Kecamatan, User, db, utcnow
from satgas.errors import Conflict, Invalid, Unauthorized
from satgas.services import token_cache
from satgas.text import clean_name

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
BAD_LOGIN = "Wrong username or password."
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")  # fullmatch: no trailing newline either


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
    if find_user(username) is not None:
        raise Conflict(f"The username {username!r} is taken (usernames are unique ignoring case).")
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


def find_user(username: str) -> User | None:
    """The user with this username, ignoring case (usernames are unique ignoring case)."""
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def issue_token(username: str, password: str) -> tuple[str, AccessToken]:
    """Check the password and hand out a new opaque token (only its hash is stored)."""
    user = find_user(username)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized(BAD_LOGIN) from None
    if user is None:
        raise Unauthorized(BAD_LOGIN)
    raw = secrets.token_urlsafe(32)
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    token = AccessToken(token_hash=_token_hash(raw), user=user, expires_at=utcnow() + ttl)
    db.session.add(token)
    db.session.commit()
    return raw, token


_USER_COLUMNS = ("id", "username", "role", "crew_id", "kecamatan_code")


def resolve_token(raw: str) -> User | None:
    """The user of a live token (every authenticated request asks): from the token cache, else
    one query. A remembered user joins the session without a query."""
    key = _token_hash(raw)
    found = token_cache.remembered(key)
    if found is None:
        token = db.session.scalar(select(AccessToken).options(joinedload(AccessToken.user))
                                  .where(AccessToken.token_hash == key))
        if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
            return None
        found = {"user": {name: getattr(token.user, name) for name in _USER_COLUMNS}, "expires_at": token.expires_at}
        token_cache.remember(key, found["user"], found["expires_at"])
        return token.user
    if found["expires_at"] <= utcnow():
        return None
    user = User(**found["user"])
    make_transient_to_detached(user)  # a known row: attach it as it is, without asking the database
    db.session.add(user)
    return user


def revoke_token(raw: str) -> None:
    key = _token_hash(raw)
    token = db.session.scalar(select(AccessToken).where(AccessToken.token_hash == key))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    token_cache.forget(key)

