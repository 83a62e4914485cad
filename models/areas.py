"""Administrative areas of Kota Malang: kecamatan (districts) and kelurahan (urban villages)."""
from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import METRIC_SRID, WGS84, Base


class Kecamatan(Base):
    __tablename__ = "kecamatan"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=WGS84, spatial_index=True))

    kelurahan: Mapped[list[Kelurahan]] = relationship(back_populates="kecamatan")


class Kelurahan(Base):
    __tablename__ = "kelurahan"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("kecamatan.code"), index=True)
    bps_code: Mapped[str | None] = mapped_column(String(10))
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=WGS84, spatial_index=True))
    # The same polygon in metres (UTM 49S): distances and track lengths per kelurahan.
    boundary_m = mapped_column(Geometry("MULTIPOLYGON", srid=METRIC_SRID, spatial_index=True))

    kecamatan: Mapped[Kecamatan] = relationship(back_populates="kelurahan")


class City(Base):
    """Kota Malang's outline: the union of its kelurahan with the sliver gaps between them filled.

    `boundary_m_tolerance` is that outline grown by the tolerance (200 m) for GPS drift at the
    city edge; both are computed once when the reference data is loaded.
    """

    __tablename__ = "city"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    boundary_m = mapped_column(Geometry("MULTIPOLYGON", srid=METRIC_SRID, spatial_index=False))
    boundary_m_tolerance = mapped_column(Geometry("MULTIPOLYGON", srid=METRIC_SRID, spatial_index=False))
