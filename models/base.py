"""Declarative base, naming convention and column types shared by every model."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names make Alembic migrations reproducible on PostgreSQL and SQLite alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WGS84 = 4326
# UTM zone 49S covers Kota Malang (108°E–114°E): planar metres for distances and lengths,
# so the same SQL runs on PostGIS and SpatiaLite.
METRIC_SRID = 32749


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# One session per request, discarded at its end: objects need not be re-read after a commit
# (on SQLite a re-read would even open a new write transaction for the rest of the request).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


class UTCDateTime(TypeDecorator):
    """Timezone-aware timestamps stored in UTC on both backends.

    SQLite keeps no offset, so values are normalised to UTC on the way in and tagged UTC
    on the way out; PostgreSQL stores `timestamptz` and returns aware values anyway.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Set only by `clock_at`: the demo replays a past month so that created_at, audit times and
# review times read as they would have happened.
_fixed_now: ContextVar[datetime | None] = ContextVar("satgas_fixed_now", default=None)


def utcnow() -> datetime:
    fixed = _fixed_now.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Inside the block, `utcnow()` (and so every default timestamp) is `moment`."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    token = _fixed_now.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _fixed_now.reset(token)


def new_public_id() -> str:
    """An opaque random id for public URLs (128 bits, hex)."""
    return secrets.token_hex(16)
