"""What one work log covers of the drain network, measured in the database.

The rules (API contract, "Drain network and coverage"):
- A LineString log covers the parts of segments within 15 m of its track. "Within 15 m" is
  measured square to the track, between its first and last point: the track's buffer has flat
  ends. A round-ended buffer would add up to 2 × 15 m beyond the ends of every track (a crew
  that walked the first 150 m of a drain would be credited 164 m); the hand-checked case of
  the issue (150 m along → 150 m) is what supervisors expect.
- A Point log with `length_m` covers `length_m` of the nearest segment within 25 m, centred
  on the point of the segment nearest to it, clipped at the segment's ends.
- A LineString log of which less than half of its `measured_length_m` runs within 15 m of the
  network is flagged `off_network` (only while a network is loaded).

Representation: every segment is cut into `bins` equal bins of at most 10 m (`BIN_MAX_M`);
a log covers a bin when the bin's midpoint lies in one of its covered intervals [a, b), so a
covered part's ends are exact to half a bin (≤ 5 m). A log's coverage is stored as ranges of
bins (`log_coverage`: one row per part, not per bin). Bins, not exact intervals, because
"each metre once per period" then becomes counting distinct (bin, date) facts, which both
databases do with plain indexes and SQL aggregates; the union of thousands of intervals per
segment and period would have to be computed per request. How approved coverage is counted
per period is in `satgas.services.coverage_counts`.

The geometry (spatial join, flat buffer, intersection, positions along lines) runs in one SQL
statement per chunk of logs; Python only turns the positions it returns into bin numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy import TextClause, text

from models import METRIC_SRID, WGS84, db
from satgas.database import DatabaseBackend, backend

TRACK_RADIUS_M = 15.0
POINT_RADIUS_M = 25.0
OFF_NETWORK_SHARE = 0.5
MAX_PARTS = 32  # pieces of one segment alongside one track; more is a GPS track gone wild
_NETWORK_ROW = -1


@dataclass(frozen=True)
class Measure:
    """What a log covers: metres, the off_network flag and its (segment_id, first_bin, last_bin) ranges."""

    covered_m: float
    off_network: bool
    ranges: tuple[tuple[int, int, int], ...]


NOTHING = Measure(0.0, False, ())


def _measure_sql(b: DatabaseBackend) -> str:
    """Rows (idx, segment_id, length_m, bins, a, b, ta, tb) for the input geometries (idx, wkt).

    A track yields one row per part of a segment inside its flat buffer: `a`, `b` are the
    part's ends in metres along the segment, `ta`, `tb` their positions (0..1) along the track.
    A point yields its nearest segment within 25 m with `a` = `b` = the metre nearest to it.
    The row with idx −1 says that a network is loaded.
    """
    parts_from, part = b.parts_sql("pairs", "inter", MAX_PARTS)
    return f"""
WITH input AS MATERIALIZED (
  SELECT r.idx, ST_Transform(ST_GeomFromText(r.wkt, {WGS84}), {METRIC_SRID}) AS g
  FROM ({b.geometry_rows_sql()}) AS r
),
tracks AS MATERIALIZED (
  SELECT idx, g, {b.flat_buffer_sql("g", TRACK_RADIUS_M)} AS zone
  FROM input WHERE upper(ST_GeometryType(g)) LIKE '%LINESTRING%'
),
pairs AS MATERIALIZED (
  SELECT t.idx, t.g, s.id AS segment_id, s.length_m, s.bins, s.geometry_m AS line,
         ST_Intersection(s.geometry_m, t.zone) AS inter
  FROM tracks AS t JOIN drain_segments AS s ON {b.near_sql("drain_segments", "s", "geometry_m", "t.g", TRACK_RADIUS_M)}
),
parts AS MATERIALIZED (
  SELECT p.idx, p.g, p.segment_id, p.length_m, p.bins, p.line, {part} AS part
  FROM {parts_from}
  WHERE p.inter IS NOT NULL
),
points AS MATERIALIZED (
  SELECT i.idx, s.id AS segment_id, s.length_m, s.bins,
         {b.locate_sql("s.geometry_m", "i.g")} * s.length_m AS at_m,
         row_number() OVER (PARTITION BY i.idx ORDER BY ST_Distance(s.geometry_m, i.g), s.id) AS nearest
  FROM input AS i JOIN drain_segments AS s ON {b.near_sql("drain_segments", "s", "geometry_m", "i.g", POINT_RADIUS_M)}
  WHERE upper(ST_GeometryType(i.g)) LIKE '%POINT%'
)
SELECT idx, segment_id, length_m, bins,
       {b.locate_sql("line", "ST_StartPoint(part)")} * length_m AS a,
       {b.locate_sql("line", "ST_EndPoint(part)")} * length_m AS b,
       {b.locate_sql("g", "ST_StartPoint(part)")} AS ta, {b.locate_sql("g", "ST_EndPoint(part)")} AS tb
FROM parts WHERE part IS NOT NULL AND upper(ST_GeometryType(part)) LIKE '%LINESTRING%' AND ST_Length(part) > 0
UNION ALL
SELECT idx, segment_id, length_m, bins, at_m, at_m, NULL, NULL FROM points WHERE nearest = 1
UNION ALL
SELECT {_NETWORK_ROW}, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE EXISTS (SELECT 1 FROM drain_segments)
"""


def _statement(b: DatabaseBackend) -> TextClause:
    return b.statement("coverage_measure", lambda: text(_measure_sql(b)))


def bin_range(start_m: float, end_m: float, length_m: float, bins: int) -> tuple[int, int] | None:
    """The bins whose midpoints lie in [start_m, end_m) of a segment, or None when no bin's does."""
    bin_m = length_m / bins
    first = max(0, math.ceil(start_m / bin_m - 0.5))
    last = min(bins - 1, math.ceil(end_m / bin_m - 0.5) - 1)
    return (first, last) if first <= last else None


def _merged(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Ranges per segment with overlapping or touching ones joined: each bin once."""
    result: list[tuple[int, int, int]] = []
    for segment_id, first, last in sorted(ranges):
        if result and result[-1][0] == segment_id and first <= result[-1][2] + 1:
            result[-1] = (segment_id, result[-1][1], max(last, result[-1][2]))
        else:
            result.append((segment_id, first, last))
    return result


def _union_length(intervals: list[tuple[float, float]]) -> float:
    total, reach = 0.0, -math.inf
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


@dataclass
class _Log:
    """Rows of one log on their way to a Measure."""

    geometry: BaseGeometry
    reported_m: float | None
    measured_m: float
    ranges: list[tuple[int, int, int]]
    along: list[tuple[float, float]]
    bin_m: dict[int, float]

    def add(self, row) -> None:
        if isinstance(self.geometry, LineString):
            start, end = sorted((row.a, row.b))
            self.along.append(tuple(sorted((row.ta, row.tb))))
        elif self.reported_m:
            start, end = row.a - self.reported_m / 2, row.a + self.reported_m / 2
        else:
            return
        found = bin_range(start, end, row.length_m, row.bins)
        if found:
            self.ranges.append((row.segment_id, *found))
            self.bin_m[row.segment_id] = row.length_m / row.bins

    def measure(self, network: bool) -> Measure:
        ranges = tuple(_merged(self.ranges))
        covered = float(sum((last - first + 1) * self.bin_m[seg] for seg, first, last in ranges))
        near = _union_length(self.along) * self.measured_m
        off = network and isinstance(self.geometry, LineString) and near < OFF_NETWORK_SHARE * self.measured_m
        return Measure(round(covered, 3), off, ranges)


def measure_many(items: list[tuple[BaseGeometry, float | None, float]]) -> list[Measure]:
    """What each (geometry, reported length_m, measured_length_m) covers, in one statement."""
    if not items:
        return []
    b = backend()
    logs = [_Log(geom, reported, measured, [], [], {}) for geom, reported, measured in items]
    with b.flat_buffers():
        rows = db.session.execute(_statement(b), b.geometry_rows_params([geom for geom, _, _ in items])).all()
    network = False
    for row in rows:
        if row.idx == _NETWORK_ROW:
            network = True
        else:
            logs[row.idx].add(row)
    return [log.measure(network) for log in logs]


def with_flag(flags: str, off_network: bool) -> str:
    """The comma-joined flags with `off_network` set or cleared."""
    kept = [f for f in flags.split(",") if f and f != "off_network"]
    return ",".join([*kept, "off_network"] if off_network else kept)


def coverage_rows(log_id, measure: Measure) -> list[dict]:
    """`log_coverage` rows of one log."""
    return [{"log_id": log_id, "segment_id": seg, "first_bin": first, "last_bin": last}
            for seg, first, last in measure.ranges]
