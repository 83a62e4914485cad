"""Work logs: one crew's work at one spot or along one track, as sent by the phone."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import Crew, User
from models.base import WGS84, Base, UTCDateTime, new_public_id, utcnow

ACTIVITIES = (
    "drain_cleaning",
    "culvert_cleaning",
    "channel_normalisation",
    "waste_removal",
    "other",
)
STATUSES = ("submitted", "approved", "rejected")
LOG_FLAGS = ("kelurahan_mismatch", "outside_boundary", "low_gps_accuracy", "off_network")


class WorkLog(Base):
    __tablename__ = "work_logs"
    # A crew's latest log (completeness) in one index lookup.
    __table_args__ = (Index("ix_work_logs_crew_id_created_at", "crew_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    activity: Mapped[str] = mapped_column(String(32), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    work_date: Mapped[date] = mapped_column(Date, index=True)
    geometry = mapped_column(Geometry("GEOMETRY", srid=WGS84, spatial_index=True))
    gps_accuracy_m: Mapped[float | None] = mapped_column(Float)
    claimed_kelurahan_code: Mapped[str | None] = mapped_column(String(32))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"), index=True)
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("kecamatan.code"), index=True)
    length_m: Mapped[float | None] = mapped_column(Float)
    sediment_m3: Mapped[float | None] = mapped_column(Float)
    waste_kg: Mapped[float | None] = mapped_column(Float)
    workers: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # The SAMBAT Online complaint ticket this work answers (a citizen's report), if any.
    complaint_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    measured_length_m: Mapped[float] = mapped_column(Float, default=0.0)
    # Metres of the drain network this log covers (0 while no network is loaded).
    covered_m: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    # Comma-joined names from LOG_FLAGS; filtered with LIKE on ',flags,' (a closed vocabulary).
    flags: Mapped[str] = mapped_column(String(255), default="")
    # SHA-256 of the normalised submitted fields: decides "same replay" (200) vs "conflict" (409).
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    # Opaque id for public URLs (activities, cards): reveals neither the phone's log id nor a user.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)

    crew: Mapped[Crew] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    photos: Mapped[list[Photo]] = relationship(  # noqa: F821
        back_populates="log", order_by="Photo.created_at"
    )

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]

    @property
    def counted_length_m(self) -> float:
        """Length that progress counts: the measured track, or the reported length of a point."""
        if self.measured_length_m:
            return self.measured_length_m
        return self.length_m or 0.0
