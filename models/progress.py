"""Daily progress rollup, kept in step with work logs inside the same transaction."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class DailyProgress(Base):
    """Sums of the logs of one kelurahan, WIB date and status.

    Progress queries read this small table instead of the logs: its size grows with
    kelurahan × days × 3, not with the number of logs.
    """

    __tablename__ = "daily_progress"

    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"), primary_key=True)
    work_date: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    logs: Mapped[int] = mapped_column(Integer, default=0)
    length_m: Mapped[float] = mapped_column(Float, default=0.0)
    sediment_m3: Mapped[float] = mapped_column(Float, default=0.0)
    waste_kg: Mapped[float] = mapped_column(Float, default=0.0)
    photos: Mapped[int] = mapped_column(Integer, default=0)
    complete: Mapped[int] = mapped_column(Integer, default=0)
