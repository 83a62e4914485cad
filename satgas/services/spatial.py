"""Spatial rules: which kelurahan a log belongs to, its flags and its length.

All geometry work runs in the database through GeoAlchemy2 functions that exist with the
same meaning on PostGIS and SpatiaLite. Metric work uses the UTM 49S copies of the
boundaries (`boundary_m`), so distances and lengths are plain planar metres on both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform
from sqlalchemy import func, select

from models import METRIC_SRID, WGS84, City, Kelurahan, db
from satgas.errors import Invalid
from satgas.services.areas import CITY_CODE, OUTSIDE_TOLERANCE_M

LOW_GPS_ACCURACY_M = 50.0
_GEOD = Geod(ellps="WGS84")


@dataclass
class Placement:
    kelurahan_code: str
    kecamatan_code: str
    flags: list[str] = field(default_factory=list)


def geodesic_length_m(geom: BaseGeometry) -> float:
    """Length on the WGS 84 ellipsoid; 0 for a point."""
    if isinstance(geom, LineString):
        return float(_GEOD.geometry_length(geom))
    return 0.0


def _metric(geom: BaseGeometry):
    return func.ST_Transform(from_shape(geom, srid=WGS84), METRIC_SRID)


def _city_relation(geom: BaseGeometry) -> tuple[bool, bool]:
    """(inside the city, within the tolerance band around it)."""
    g = _metric(geom)
    row = db.session.execute(
        select(func.ST_Covers(City.boundary_m, g), func.ST_Covers(City.boundary_m_tolerance, g))
        .where(City.code == CITY_CODE)
    ).one()
    return bool(row[0]), bool(row[1])


def _swapped(geom: BaseGeometry) -> BaseGeometry:
    return transform(lambda x, y: (y, x), geom)


def _outside_message(geom: BaseGeometry) -> str:
    message = (f"The geometry lies more than {OUTSIDE_TOLERANCE_M:.0f} m outside Kota Malang; "
               "check the GPS fix.")
    swapped = _swapped(geom)
    if all(-90 <= y <= 90 for _, y in swapped.coords) and _city_relation(swapped)[1]:
        message += (" Longitude and latitude look swapped: GeoJSON order is "
                    "[longitude, latitude], e.g. [112.63, -7.98].")
    return message


def _containing_kelurahan(geom: BaseGeometry) -> tuple[str, str] | None:
    """The kelurahan holding the point, or most of the track's length.

    Overlapping slivers of the simplified boundaries: ties go to the lowest code, so a point
    in an overlap always lands in the same kelurahan.
    """
    g = _metric(geom)
    if isinstance(geom, Point):
        score = func.ST_Area(Kelurahan.boundary_m) * 0  # every hit scores the same
    else:
        score = func.ST_Length(func.ST_Intersection(Kelurahan.boundary_m, g))
    row = db.session.execute(
        select(Kelurahan.code, Kelurahan.kecamatan_code)
        .where(func.ST_Intersects(Kelurahan.boundary_m, g))
        .order_by(score.desc(), Kelurahan.code)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _nearest_kelurahan(geom: BaseGeometry) -> tuple[str, str]:
    """For sliver gaps between kelurahan and for the band just outside the city."""
    distance = func.ST_Distance(Kelurahan.boundary_m, _metric(geom))
    row = db.session.execute(
        select(Kelurahan.code, Kelurahan.kecamatan_code).order_by(distance, Kelurahan.code).limit(1)
    ).one()
    return row[0], row[1]


def place(geom: BaseGeometry, claimed_kelurahan: str | None, gps_accuracy_m: float | None) -> Placement:
    """Assign a kelurahan and compute the log's flags; 422 when far outside the city."""
    inside, within_tolerance = _city_relation(geom)
    if not within_tolerance:
        raise Invalid(_outside_message(geom), {"geometry": [_outside_message(geom)]})
    found = _containing_kelurahan(geom) or _nearest_kelurahan(geom)
    flags = []
    if claimed_kelurahan and claimed_kelurahan != found[0]:
        flags.append("kelurahan_mismatch")
    if not inside:
        flags.append("outside_boundary")
    if gps_accuracy_m is not None and gps_accuracy_m > LOW_GPS_ACCURACY_M:
        flags.append("low_gps_accuracy")
    return Placement(found[0], found[1], flags)


def kelurahan_at(lon: float, lat: float) -> list[str]:
    """Codes of every kelurahan polygon covering a point (more than one in an overlap)."""
    point = from_shape(Point(lon, lat), srid=WGS84)
    return list(db.session.scalars(
        select(Kelurahan.code).where(func.ST_Intersects(Kelurahan.boundary, point)).order_by(Kelurahan.code)
    ))
