"""Resumable photo uploads (tus): the upload's state, and the parts received so far.

The bytes of each part live in the photo storage (any app server may take the next PATCH);
these rows say which stored objects make up the upload, in order.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Upload(Base):
    __tablename__ = "uploads"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    log_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_logs.id"))
    photo_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(8))
    length: Mapped[int] = mapped_column(BigInteger)
    # Bytes received and stored so far: only ever advanced by a conditional UPDATE.
    upload_offset: Mapped[int] = mapped_column(BigInteger, default=0)
    # The Upload-Metadata header as the client sent it (HEAD must echo it).
    upload_metadata: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set once the photo is attached; the row then only answers HEAD until it expires.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UploadPart(Base):
    """One stored piece of an upload: the bytes [start, start + size) under `storage_key`."""

    __tablename__ = "upload_parts"

    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("uploads.id"), primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(255))
