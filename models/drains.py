"""The department's drain network and what approved work logs covered of it.

Segments are cut into equal bins of at most `BIN_MAX_M` along their length; coverage is kept
per bin (see `satgas.services.coverage` for why).
"""
from __future__ import annotations

import uuid
from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import METRIC_SRID, WGS84, Base

BIN_MAX_M = 10.0
# `next_date` of a bin's latest cover: later than any date a period can end on.
NO_NEXT_DATE = date(9999, 12, 31)


class DrainSegment(Base):
    """A piece of drain wholly inside one kelurahan, as imported (lines split at boundaries)."""

    __tablename__ = "drain_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"), index=True)
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("kecamatan.code"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(80))
    length_m: Mapped[float] = mapped_column(Float)
    bins: Mapped[int] = mapped_column(Integer)
    bin_m: Mapped[float] = mapped_column(Float)
    geometry = mapped_column(Geometry("LINESTRING", srid=WGS84, spatial_index=True))
    # The same line in UTM 49S metres: coverage, distances and lengths are planar on both databases.
    geometry_m = mapped_column(Geometry("LINESTRING", srid=METRIC_SRID, spatial_index=True))
    # Kept with the coverage (approved logs, ever): the drains list reads them without aggregating.
    covered_m: Mapped[float] = mapped_column(Float, default=0.0)
    last_cleaned_on: Mapped[date | None] = mapped_column(Date, index=True)
    cleanings: Mapped[int] = mapped_column(Integer, default=0)


class DrainNetworkArea(Base):
    """Network length per kelurahan, written by the import: progress rows read it as is."""

    __tablename__ = "drain_network_areas"

    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"), primary_key=True)
    segments: Mapped[int] = mapped_column(Integer)
    length_m: Mapped[float] = mapped_column(Float)


class LogCoverage(Base):
    """Bins `first_bin`..`last_bin` of a segment that one log covers (whatever its status)."""

    __tablename__ = "log_coverage"

    log_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("work_logs.id"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("drain_segments.id"), primary_key=True, index=True)
    first_bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_bin: Mapped[int] = mapped_column(Integer)


class CoverageDay(Base):
    """A bin covered on a WIB date by `logs` approved logs (a reference count: rows at 0 go)."""

    __tablename__ = "coverage_days"

    segment_id: Mapped[int] = mapped_column(ForeignKey("drain_segments.id"), primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_date: Mapped[date] = mapped_column(Date, primary_key=True)
    logs: Mapped[int] = mapped_column(Integer)


class CoverageRollup(Base):
    """Metres whose cover on `work_date` is followed by the next one on `next_date`, per kelurahan.

    A bin counts in a period [from, to] exactly once: by its last cover in the period, the one
    whose next cover is after `to`. So covered_m = SUM(length_m) WHERE work_date BETWEEN from
    AND to AND next_date > to.
    """

    __tablename__ = "coverage_rollup"
    __table_args__ = (Index("ix_coverage_rollup_next_date_work_date", "next_date", "work_date"),)

    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"), primary_key=True)
    work_date: Mapped[date] = mapped_column(Date, primary_key=True)
    next_date: Mapped[date] = mapped_column(Date, primary_key=True)
    length_m: Mapped[float] = mapped_column(Float)
