"""Approved coverage counted so that each metre counts once per period, kept up to date in SQL.

Three tables, all derived from `log_coverage` and the logs' status, changed in the same
transaction as the status:
- `coverage_days`: one row per (bin, WIB date) covered by approved logs, with how many.
- `coverage_rollup`: per kelurahan, the metres of bins whose cover on `work_date` is followed
  by their next cover on `next_date` (a far-future date for the latest). A bin counts in a
  period [from, to] once, by its last cover in the period — the one whose next cover falls
  after `to` — so a period's covered metres are SUM(length_m) WHERE work_date BETWEEN from AND
  to AND next_date > to: a range scan over at most kelurahan × days × a few rows, whatever the
  number of logs, and for periods that end today only the bins' latest covers are read.
- `drain_segments.covered_m`, `last_cleaned_on`, `cleanings`: the drains list reads them as is.

When a log becomes approved (or stops being approved), the timelines of the bins it covers
are taken out of the rollup, its bins are counted in or out of `coverage_days`, and the new
timelines go back in: a handful of statements whatever the number of bins. `count_from_logs`
computes the period's figures straight from the logs; tests and the benchmark hold the two
against each other.
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Uuid, bindparam, text

from models import NO_NEXT_DATE, db
from satgas.database import backend

_TIMELINES = """
SELECT s.kelurahan_code, t.work_date, t.next_date, {sign} * SUM(s.bin_m) AS length_m
FROM (SELECT c.segment_id, c.work_date,
             COALESCE(LEAD(c.work_date) OVER (PARTITION BY c.segment_id, c.bin ORDER BY c.work_date),
                      :no_next) AS next_date
      FROM coverage_days AS c {only}) AS t
JOIN drain_segments AS s ON s.id = t.segment_id
WHERE 1 = 1
GROUP BY s.kelurahan_code, t.work_date, t.next_date"""
_ADD_TO_ROLLUP = ("INSERT INTO coverage_rollup (kelurahan_code, work_date, next_date, length_m) {select} "
                  "ON CONFLICT (kelurahan_code, work_date, next_date) "
                  "DO UPDATE SET length_m = coverage_rollup.length_m + excluded.length_m")
_LOG_RANGES = ("SELECT lc.segment_id, lc.first_bin, lc.last_bin, w.work_date FROM log_coverage AS lc "
               "JOIN work_logs AS w ON w.id = lc.log_id WHERE lc.log_id = :log_id")
_APPROVED_RANGES = ("SELECT lc.segment_id, lc.first_bin, lc.last_bin, w.work_date FROM log_coverage AS lc "
                    "JOIN work_logs AS w ON w.id = lc.log_id WHERE w.status = 'approved'")
_SEGMENT_STATS = """
UPDATE drain_segments SET
  covered_m = bin_m * (SELECT COUNT(DISTINCT c.bin) FROM coverage_days AS c WHERE c.segment_id = drain_segments.id),
  last_cleaned_on = (SELECT MAX(c.work_date) FROM coverage_days AS c WHERE c.segment_id = drain_segments.id),
  cleanings = (SELECT COUNT(DISTINCT lc.log_id) FROM log_coverage AS lc JOIN work_logs AS w ON w.id = lc.log_id
               WHERE lc.segment_id = drain_segments.id AND w.status = 'approved')
{where}"""

# The same figures for every segment at once: one aggregate per table instead of one per segment.
_ALL_SEGMENT_STATS = (
    "UPDATE drain_segments SET covered_m = 0, last_cleaned_on = NULL, cleanings = 0",
    """UPDATE drain_segments SET covered_m = drain_segments.bin_m * d.bins, last_cleaned_on = d.last_day
       FROM (SELECT segment_id, COUNT(DISTINCT bin) AS bins, MAX(work_date) AS last_day
             FROM coverage_days GROUP BY segment_id) AS d
       WHERE d.segment_id = drain_segments.id""",
    """UPDATE drain_segments SET cleanings = n.logs
       FROM (SELECT lc.segment_id, COUNT(DISTINCT lc.log_id) AS logs FROM log_coverage AS lc
             JOIN work_logs AS w ON w.id = lc.log_id WHERE w.status = 'approved' GROUP BY lc.segment_id) AS n
       WHERE n.segment_id = drain_segments.id""",
)


def _log_statements() -> dict[str, Any]:
    """The statements that move one log's coverage in or out (built once per backend)."""
    b = backend()
    bins = f"SELECT DISTINCT segment_id, bin FROM ({b.expand_bins_sql(_LOG_RANGES)}) AS e"
    only = f"JOIN ({bins}) AS a ON a.segment_id = c.segment_id AND a.bin = c.bin"
    segments = "SELECT segment_id FROM log_coverage WHERE log_id = :log_id"
    log_id = bindparam("log_id", type_=Uuid)

    def timelines(sign: str) -> Any:
        return text(_ADD_TO_ROLLUP.format(select=_TIMELINES.format(sign=sign, only=only))).bindparams(log_id)

    return {
        "out": timelines("-1"),
        "in": timelines("1"),
        "days": text(
            "INSERT INTO coverage_days (segment_id, bin, work_date, logs) "
            "SELECT segment_id, bin, work_date, CAST(:sign AS INTEGER) * COUNT(*) "
            f"FROM ({b.expand_bins_sql(_LOG_RANGES)}) AS e "
            "WHERE 1 = 1 GROUP BY segment_id, bin, work_date "
            "ON CONFLICT (segment_id, bin, work_date) DO UPDATE SET logs = coverage_days.logs + excluded.logs"
        ).bindparams(log_id),
        "empty_days": text(f"DELETE FROM coverage_days WHERE logs <= 0 AND segment_id IN ({segments})")
        .bindparams(log_id),
        "empty_rollup": text(
            "DELETE FROM coverage_rollup WHERE ABS(length_m) < 1e-6 AND kelurahan_code IN "
            f"(SELECT s.kelurahan_code FROM drain_segments AS s WHERE s.id IN ({segments}))").bindparams(log_id),
        "segments": text(_SEGMENT_STATS.format(where=f"WHERE id IN ({segments})")).bindparams(log_id),
    }


def count_log(log_id: uuid.UUID, sign: int) -> None:
    """Count a log's coverage in (sign +1: it became approved) or out (−1: it no longer is)."""
    statements = backend().statement("coverage_count_log", _log_statements)
    params = {"log_id": log_id, "no_next": NO_NEXT_DATE}
    backend().lock_coverage()
    db.session.execute(statements["out"], params)
    db.session.execute(statements["days"], {**params, "sign": sign})
    db.session.execute(statements["empty_days"], params)
    db.session.execute(statements["in"], params)
    db.session.execute(statements["empty_rollup"], params)
    db.session.execute(statements["segments"], params)


def rebuild() -> None:
    """Recount everything from `log_coverage` and the logs' status (after a network import)."""
    b = backend()
    b.lock_coverage()
    db.session.execute(text("DELETE FROM coverage_rollup"))
    db.session.execute(text("DELETE FROM coverage_days"))
    db.session.execute(text(
        "INSERT INTO coverage_days (segment_id, bin, work_date, logs) SELECT segment_id, bin, work_date, COUNT(*) "
        f"FROM ({b.expand_bins_sql(_APPROVED_RANGES)}) AS e GROUP BY segment_id, bin, work_date"))
    db.session.execute(text(_ADD_TO_ROLLUP.format(select=_TIMELINES.format(sign="1", only=""))),
                       {"no_next": NO_NEXT_DATE})
    for statement in _ALL_SEGMENT_STATS:
        db.session.execute(text(statement))


def covered_by_kelurahan(date_from: date, date_to: date) -> dict[str, float]:
    """Metres of network covered by approved logs worked in the period, per kelurahan (the fast path)."""
    rows = db.session.execute(text(
        "SELECT kelurahan_code, SUM(length_m) FROM coverage_rollup "
        "WHERE next_date > :to AND work_date BETWEEN :from AND :to GROUP BY kelurahan_code"),
        {"from": date_from, "to": date_to})
    return {code: float(total) for code, total in rows}


def count_from_logs(date_from: date, date_to: date) -> dict[str, float]:
    """The same as `covered_by_kelurahan`, straight from the approved logs' ranges (the oracle)."""
    ranges = f"{_APPROVED_RANGES} AND w.work_date BETWEEN :from AND :to"
    rows = db.session.execute(text(
        "SELECT s.kelurahan_code, SUM(s.bin_m) FROM "
        f"(SELECT DISTINCT segment_id, bin FROM ({backend().expand_bins_sql(ranges)}) AS e) AS d "
        "JOIN drain_segments AS s ON s.id = d.segment_id GROUP BY s.kelurahan_code"),
        {"from": date_from, "to": date_to})
    return {code: float(total) for code, total in rows}


def network_is_synthetic() -> bool:
    """Whether the loaded network is the generated one (see `synthetic_network`), to say so where shown.

    A network comes from one import, so its first segment tells (a primary-key lookup, no scan)."""
    return db.session.execute(text(
        "SELECT 1 FROM drain_segments WHERE id = (SELECT MIN(id) FROM drain_segments) AND kind = 'synthetic'"
    )).first() is not None


def network_by_kelurahan() -> dict[str, float]:
    """Drain length per kelurahan of the loaded network (empty without one)."""
    return {code: float(length) for code, length in db.session.execute(
        text("SELECT kelurahan_code, length_m FROM drain_network_areas"))}
