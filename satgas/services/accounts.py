"""Crews, users and their passwords (bearer tokens: `satgas.services.tokens`)."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import ROLES, Crew, Kecamatan, User, db
from satgas.errors import Conflict, Invalid, Unauthorized
from satgas.text import clean_name

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
BAD_LOGIN = "Wrong username or password."
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")  # fullmatch: no trailing newline either


def hash_password(password: str) -> str:
    return _hasher.hash(password)


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


def check_password(username: str, password: str) -> User:
    """The user these credentials belong to; 401 with the same message (and cost) otherwise."""
    user = find_user(username)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized(BAD_LOGIN) from None
    if user is None:
        raise Unauthorized(BAD_LOGIN)
    return user
