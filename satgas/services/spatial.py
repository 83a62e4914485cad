"""Spatial rules: which kelurahan a log belongs to, its flags and its length.

All geometry work runs in the database through GeoAlchemy2 functions that exist with the
same meaning on PostGIS and SpatiaLite. Metric work uses the UTM 49S copies of the
boundaries (`boundary_m`), so distances and lengths are plain planar metres on both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform
from sqlalchemy import Select, case, func, literal, select

from models import METRIC_SRID, WGS84, City, Kelurahan, db
from satgas.database import DatabaseBackend, backend
from satgas.errors import Invalid
from satgas.services.areas import CITY_CODE, OUTSIDE_TOLERANCE_M

LOW_GPS_ACCURACY_M = 50.0
_GEOD = Geod(ellps="WGS84")
SWAP_HINT = ("Longitude and latitude look swapped: GeoJSON order is [longitude, latitude], "
             "e.g. [112.63, -7.98].")


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
        message += " " + SWAP_HINT
    return message


def _placement_query(db_backend: DatabaseBackend) -> Select:
    """Rows (idx, inside city, within tolerance, containing kelurahan or NULL), one per geometry.

    The geometries arrive as the backend's rows (idx, wkt) from one parameter. The city outline
    is joined once, so PostGIS prepares it once for all the geometries; the kelurahan holding a
    point (or most of a track) is ranked with a window function, which both databases evaluate
    in one pass. Built once per backend: only its parameters change.
    """
    rows = db_backend.geometry_rows().subquery("rows")
    # Each geometry read and reprojected once (materialised: inlined, the expression would be
    # evaluated again in every condition and column that uses it, a reprojection each time).
    source = (select(rows.c.idx, func.ST_Transform(func.ST_GeomFromText(rows.c.wkt, WGS84), METRIC_SRID).label("g"))
              .cte("input").prefix_with("MATERIALIZED"))
    g = source.c.g
    touching = (select(source.c.idx, source.c.g, Kelurahan.code, Kelurahan.boundary_m,
                       func.count().over(partition_by=source.c.idx).label("touched"))
                .select_from(source).join(Kelurahan, func.ST_Intersects(Kelurahan.boundary_m, g))
                .subquery("touching"))
    # Points score alike, so overlaps go to the lowest code; tracks by the length inside. A track
    # inside a single kelurahan (nearly all of them) needs no intersection with its boundary.
    g_touching = touching.c.g
    score = case((touching.c.touched == 1, 0.0), (func.ST_GeometryType(g_touching).like("%POINT%"), 0.0),
                 else_=func.ST_Length(func.ST_Intersection(touching.c.boundary_m, g_touching)))
    rank = func.row_number().over(partition_by=touching.c.idx, order_by=(score.desc(), touching.c.code))
    ranked = select(touching.c.idx, touching.c.code, rank.label("rank")).subquery("ranked")
    best = (select(ranked.c.idx, ranked.c.code, Kelurahan.kecamatan_code)
            .join(Kelurahan, Kelurahan.code == ranked.c.code).where(ranked.c.rank == 1).subquery("best"))
    return (select(source.c.idx, func.ST_Covers(City.boundary_m, g).label("inside"),
                   func.ST_Covers(City.boundary_m_tolerance, g).label("near"), best.c.code, best.c.kecamatan_code)
            .select_from(City).join(source, literal(True)).outerjoin(best, best.c.idx == source.c.idx)
            .where(City.code == CITY_CODE))


def _nearest_kelurahan(geom: BaseGeometry) -> tuple[str, str]:
    """For a sliver gap between kelurahan or the band just outside the city (rare)."""
    row = db.session.execute(select(Kelurahan.code, Kelurahan.kecamatan_code).order_by(
        func.ST_Distance(Kelurahan.boundary_m, _metric(geom)), Kelurahan.code).limit(1)).one()
    return row[0], row[1]


def place_many(items: list[tuple[BaseGeometry, str | None, float | None]]) -> list[Placement | Invalid]:
    """Assign each (geometry, claimed kelurahan, GPS accuracy) in one round trip.

    Returns a Placement, or an Invalid error for a geometry far outside the city.
    """
    if not items:
        return []
    db_backend = backend()
    query = db_backend.statement("placement", lambda: _placement_query(db_backend))
    params = db_backend.geometry_rows_params([geom for geom, _, _ in items])
    # On the session's connection, as Core: the query names ORM classes, and the session's
    # execute would set up ORM loading for every call (about half its cost) to return plain rows.
    rows = {row.idx: row for row in db.session.connection().execute(query, params)}
    answers: list[Placement | Invalid] = []
    for i, (geom, claimed, accuracy) in enumerate(items):
        row = rows[i]
        if not row.near:
            message = _outside_message(geom)
            answers.append(Invalid(message, {"geometry": [message]}))
            continue
        code, kecamatan = (row.code, row.kecamatan_code) if row.code else _nearest_kelurahan(geom)
        flags = []
        if claimed and claimed != code:
            flags.append("kelurahan_mismatch")
        if not row.inside:
            flags.append("outside_boundary")
        if accuracy is not None and accuracy > LOW_GPS_ACCURACY_M:
            flags.append("low_gps_accuracy")
        answers.append(Placement(code, kecamatan, flags))
    return answers
