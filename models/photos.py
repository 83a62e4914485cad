"""Before/after photos attached to a work log."""
from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import WGS84, Base, UTCDateTime, utcnow

PHOTO_KINDS = ("before", "after")
PHOTO_FLAGS = ("no_exif_time", "taken_outside_work_window", "far_from_log", "reused_photo")


class Photo(Base):
    __tablename__ = "photos"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    log_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_logs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(32))
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exif_location = mapped_column(Geometry("POINT", srid=WGS84, spatial_index=False), nullable=True)
    distance_to_log_m: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[str] = mapped_column(String(255), default="")
    # 64-bit perceptual hash and its four 16-bit bands: near-duplicates share a band, so
    # candidates come from an index lookup, never from scanning every photo.
    phash: Mapped[int] = mapped_column(BigInteger)
    phash_b0: Mapped[int] = mapped_column(Integer, index=True)
    phash_b1: Mapped[int] = mapped_column(Integer, index=True)
    phash_b2: Mapped[int] = mapped_column(Integer, index=True)
    phash_b3: Mapped[int] = mapped_column(Integer, index=True)
    storage_key: Mapped[str] = mapped_column(String(255))
    thumbnail_key: Mapped[str] = mapped_column(String(255))
    # Opaque id for public thumbnail URLs: reveals neither the phone's photo id nor any user.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    log: Mapped[WorkLog] = relationship(back_populates="photos")  # noqa: F821

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]
