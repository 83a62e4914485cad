"""Crews, users and their access tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow

ROLES = ("crew", "supervisor", "admin")


class Crew(Base):
    __tablename__ = "crews"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("kecamatan.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique ignoring case too (see __table_args__): CREW1 beside crew1 would confuse the audit trail.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"))
    kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("kecamatan.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last authenticated request, to the minute (see services.tokens.touch_last_seen).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    crew: Mapped[Crew | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(role) for role in ROLES)})", name="role"),
        Index("uq_users_username_lower", func.lower(username), unique=True),
    )


class AccessToken(Base):
    """An opaque bearer token; only its SHA-256 is stored, so a database leak leaks no tokens."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
