"""Who an authenticated request acts for: the user's id, name, role and scope, ready to read.

Every authenticated request needs them and most need nothing else, so the token cache keeps one
immutable `Principal` per token, shared by the requests (and threads) that use the token, instead
of building and attaching a SQLAlchemy `User` on every request. Rules that read a user (roles,
scopes, names) accept either. Where the ORM needs the real row (a relationship to set:
`reviewed_by`, `submitted_by`), `as_user` gives one, attached to the request's session without a
query.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from models import User, db


@dataclass(frozen=True, slots=True)
class Principal:
    """The columns of a user that requests read; frozen: shared between concurrent requests."""

    id: int
    username: str
    role: str
    crew_id: int | None
    kecamatan_code: str | None
    last_seen_at: datetime | None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(**{name: getattr(user, name) for name in COLUMNS})

    def columns(self) -> dict[str, Any]:
        """Plain values, to store (they load even after this class changes in a deploy)."""
        return {name: getattr(self, name) for name in COLUMNS}


COLUMNS = tuple(field.name for field in fields(Principal))
# Either stands for "the user a request acts for" in the rules and services.
Actor = User | Principal


def as_user(actor: Actor) -> User:
    """The ORM User for `actor`: itself, or the session's instance of that row (built from the
    principal's columns, without a query, when the session has none yet)."""
    if isinstance(actor, User):
        return actor
    known = db.session.identity_map.get(identity_key(User, actor.id))
    if known is not None:
        return known
    user = User(**actor.columns())
    make_transient_to_detached(user)
    return db.session.merge(user, load=False)
