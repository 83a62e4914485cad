"""Loading the drain network: split at kelurahan boundaries in the database, all or nothing.

The lines are cut by the kelurahan polygons in SQL. The bundled boundaries overlap by slivers
and leave small gaps (see the README): an overlap goes to the lowest kelurahan code, as points
do, and a piece in a gap inside the city goes to the nearest kelurahan; pieces outside the city
are dropped. Replacing a network re-measures every stored log against the new one and recounts
the coverage, in the same transaction.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import shapely
from geoalchemy2.shape import from_shape, to_shape
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select, text

from models import (
    BIN_MAX_M,
    METRIC_SRID,
    WGS84,
    CoverageDay,
    CoverageRollup,
    DrainNetworkArea,
    DrainSegment,
    Kecamatan,
    LogCoverage,
    WorkLog,
    db,
)
from satgas.database import DatabaseBackend, backend
from satgas.errors import Conflict, Invalid
from satgas.services import coverage, coverage_counts
from satgas.services.areas import CITY_CODE
from satgas.services.drain_files import DrainLine, line_parts

MIN_PIECE_M = 0.5  # shorter pieces are slivers of the boundaries, not drains
REMEASURE_CHUNK = 1000
_to_wgs84 = Transformer.from_crs(METRIC_SRID, WGS84, always_xy=True)
_to_metric = Transformer.from_crs(WGS84, METRIC_SRID, always_xy=True)


def _input(b: DatabaseBackend) -> str:
    return (f"input AS MATERIALIZED (SELECT r.idx, ST_Transform(ST_GeomFromText(r.wkt, {WGS84}), {METRIC_SRID}) AS g "
            f"FROM ({b.geometry_rows_sql()}) AS r)")


def _split_sql(b: DatabaseBackend) -> str:
    """(idx, kelurahan code, WKB in metres) of each line's piece in each kelurahan (overlaps to the lowest code)."""
    lower = "FROM kelurahan AS o WHERE o.code < k.code AND ST_Intersects(o.boundary_m, k.boundary_m)"
    return f"""
WITH {_input(b)},
tiles AS MATERIALIZED (
  SELECT k.code, CASE WHEN EXISTS (SELECT 1 {lower})
                      THEN ST_Difference(k.boundary_m, (SELECT ST_Union(o.boundary_m) {lower}))
                      ELSE k.boundary_m END AS tile
  FROM kelurahan AS k
),
pieces AS MATERIALIZED (
  SELECT i.idx, t.code, ST_Intersection(i.g, t.tile) AS piece
  FROM input AS i JOIN kelurahan AS k ON {b.near_sql("kelurahan", "k", "boundary_m", "i.g", 0)}
  JOIN tiles AS t ON t.code = k.code
)
SELECT idx, code, ST_AsBinary(piece) AS wkb, ST_Length(piece) AS length_m FROM pieces
WHERE piece IS NOT NULL AND ST_Length(piece) > 0"""


def _gaps_sql(b: DatabaseBackend) -> str:
    """(idx, nearest kelurahan code, WKB) of what lies inside the city but in no kelurahan polygon."""
    return f"""
WITH {_input(b)},
rest AS MATERIALIZED (
  SELECT i.idx, ST_Difference(ST_Intersection(i.g, c.boundary_m),
                              (SELECT ST_Union(k.boundary_m) FROM kelurahan AS k
                               WHERE {b.near_sql("kelurahan", "k", "boundary_m", "i.g", 0)})) AS piece
  FROM input AS i JOIN city AS c ON c.code = '{CITY_CODE}'
),
nearest AS (
  SELECT r.idx, r.piece, k.code,
         row_number() OVER (PARTITION BY r.idx ORDER BY ST_Distance(k.boundary_m, r.piece), k.code) AS rank
  FROM rest AS r CROSS JOIN kelurahan AS k WHERE r.piece IS NOT NULL AND ST_Length(r.piece) > 0
)
SELECT idx, code, ST_AsBinary(piece) AS wkb, ST_Length(piece) AS length_m FROM nearest WHERE rank = 1"""


def _pieces(lines: list[DrainLine]) -> list[tuple[int, str, Any]]:
    """(line index, kelurahan code, metric geometry) of every piece of every line inside the city."""
    b = backend()
    params = b.geometry_rows_params([line.geometry for line in lines])
    found = [(r.idx, r.code, r.wkb) for r in db.session.execute(text(_split_sql(b)), params)]
    inside: dict[int, float] = defaultdict(float)
    for idx, _, wkb in found:
        inside[idx] += shapely.from_wkb(bytes(wkb)).length
    partial = [i for i, line in enumerate(lines) if _metric_length(line.geometry) - inside[i] > 0.01]
    if partial:
        params = b.geometry_rows_params([lines[i].geometry for i in partial])
        found += [(partial[r.idx], r.code, r.wkb) for r in db.session.execute(text(_gaps_sql(b)), params)]
    return [(idx, code, shapely.from_wkb(bytes(wkb))) for idx, code, wkb in found]


def _reprojected(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _metric_length(geometry: BaseGeometry) -> float:
    return _reprojected(geometry, _to_metric).length


def _segment_rows(lines: list[DrainLine], kecamatan_of: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for idx, code, geometry in _pieces(lines):
        for part in line_parts(geometry):
            if part.length < MIN_PIECE_M:
                continue
            bins = max(1, math.ceil(part.length / BIN_MAX_M))
            wgs84 = _reprojected(part, _to_wgs84)
            rows.append({"kelurahan_code": code, "kecamatan_code": kecamatan_of[code], "name": lines[idx].name,
                         "kind": lines[idx].kind, "length_m": part.length, "bins": bins, "bin_m": part.length / bins,
                         "geometry": from_shape(wgs84, srid=WGS84), "geometry_m": from_shape(part, srid=METRIC_SRID),
                         "covered_m": 0.0, "last_cleaned_on": None, "cleanings": 0})
    return rows


def network_loaded() -> bool:
    return db.session.scalar(select(DrainSegment.id).limit(1)) is not None


def _clear() -> None:
    for model in (CoverageRollup, CoverageDay, LogCoverage, DrainNetworkArea, DrainSegment):
        db.session.execute(model.__table__.delete())


def remeasure_logs() -> int:
    """Measure every stored log against the loaded network again (covered_m, off_network, ranges)."""
    b, after, changed = backend(), None, 0
    while True:
        query = select(WorkLog.id, WorkLog.geometry, WorkLog.length_m, WorkLog.measured_length_m, WorkLog.flags,
                       WorkLog.covered_m).order_by(WorkLog.id).limit(REMEASURE_CHUNK)
        rows = db.session.execute(query.where(WorkLog.id > after) if after else query).all()
        if not rows:
            return changed
        measures = coverage.measure_many([(to_shape(r.geometry), r.length_m, r.measured_length_m) for r in rows])
        updates = []
        for r, m in zip(rows, measures, strict=True):
            flags = coverage.with_flag(r.flags, m.off_network)
            if flags != r.flags or m.covered_m != r.covered_m:
                updates.append({"id": r.id, "covered_m": m.covered_m, "flags": flags})
        b.update_rows(WorkLog.__table__, "id", updates)
        b.insert_rows(LogCoverage.__table__, [c for r, m in zip(rows, measures, strict=True)
                                              for c in coverage.coverage_rows(r.id, m)])
        changed += len(updates)
        after = rows[-1].id


def load_network(lines: list[DrainLine], replace: bool = False) -> dict[str, Any]:
    """Store the lines as the network (all or nothing) and recount coverage; a report per kecamatan."""
    try:
        if network_loaded() and not replace:
            raise Conflict("A drain network is already loaded; import with --replace to swap it for this one.")
        kecamatan_of = dict(db.session.execute(text("SELECT code, kecamatan_code FROM kelurahan")).all())
        rows = _segment_rows(lines, kecamatan_of)
        if not rows:
            raise Invalid("No part of the lines lies inside Kota Malang: is the file's CRS right?",
                          {"file": ["No line inside the city."]})
        _clear()
        backend().insert_rows(DrainSegment.__table__, rows)
        db.session.execute(text("INSERT INTO drain_network_areas (kelurahan_code, segments, length_m) "
                                "SELECT kelurahan_code, COUNT(*), SUM(length_m) FROM drain_segments "
                                "GROUP BY kelurahan_code"))
        remeasured = remeasure_logs()
        coverage_counts.rebuild()
        report = network_report()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    input_m = sum(_metric_length(line.geometry) for line in lines)
    return {**report, "features": len(lines), "outside_m": max(0.0, input_m - report["length_m"]),
            "logs_remeasured": remeasured}


def network_report() -> dict[str, Any]:
    """Segments and length per kecamatan of the loaded network."""
    rows = db.session.execute(
        select(Kecamatan.code, Kecamatan.name, func.count(DrainSegment.id), func.coalesce(func.sum(
            DrainSegment.length_m), 0)).outerjoin(DrainSegment, DrainSegment.kecamatan_code == Kecamatan.code)
        .group_by(Kecamatan.code, Kecamatan.name).order_by(Kecamatan.code)).all()
    kecamatan = [{"code": c, "name": n, "segments": int(s), "length_m": float(m)} for c, n, s, m in rows]
    return {"kecamatan": kecamatan, "segments": sum(k["segments"] for k in kecamatan),
            "length_m": sum(k["length_m"] for k in kecamatan)}
