"""Progress per kelurahan and per day, read from the `daily_progress` rollup.

The rollup holds one row per kelurahan, WIB date and status, so these queries touch
kelurahan × days rows whatever the number of logs. `progress_from_logs` computes the same
table straight from the logs; tests and the benchmark hold the two against each other.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, Subquery, and_, case, func, literal, select

from models import DailyProgress, Kecamatan, Kelurahan, Photo, WorkLog, db
from satgas.auth import progress_scope
from satgas.errors import Invalid
from satgas.principal import Actor
from satgas.services import coverage_counts
from satgas.timeutil import date_range

SUMS = ("length_m", "sediment_m3", "waste_kg")
COUNTS = ("logs", "approved", "pending", "rejected", "photos", "complete")
COVERAGE = ("network_m", "covered_m")


def _figures(status, logs, length, sediment, waste, photos, complete, work_date) -> list:
    """The contract's figures as SQL aggregates over rows carrying (status, measures)."""
    counted = status != "rejected"

    def total(expr, when=counted):
        return func.coalesce(func.sum(case((when, expr), else_=0)), 0)

    return [
        total(logs, when=literal(True)).label("logs"),
        total(logs, when=status == "approved").label("approved"),
        total(logs, when=status == "submitted").label("pending"),
        total(logs, when=status == "rejected").label("rejected"),
        total(length).label("length_m"),
        total(length, when=status == "approved").label("approved_length_m"),
        total(sediment).label("sediment_m3"),
        total(waste).label("waste_kg"),
        total(photos).label("photos"),
        total(complete).label("complete"),
        func.max(case((and_(counted, logs > 0), work_date))).label("last_work_date"),
    ]


def _number(value: Any) -> float:
    # Deltas that cancel out may leave -1e-13 behind: show 0.0, never -0.0.
    return round(float(value), 3) + 0.0


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _row(mapping: Any) -> dict[str, Any]:
    row = dict(mapping)
    for name in COUNTS:
        row[name] = int(row[name])
    for name in (*SUMS, "approved_length_m"):
        row[name] = _number(row[name])
    row["last_work_date"] = _day(row["last_work_date"])
    return row


def _status_filter(column, approved_only: bool):
    return column == "approved" if approved_only else literal(True)


def _of_kecamatan(column, kecamatan_code: str | None):
    if not kecamatan_code:
        return literal(True)
    return column.in_(select(Kelurahan.code).where(Kelurahan.kecamatan_code == kecamatan_code))


def _by_kelurahan(source: Subquery) -> Select:
    """Every kelurahan with the figures of `source` (rows of kelurahan_code, status, sums)."""
    s = source.c
    return (
        select(Kelurahan.code, Kelurahan.name, Kelurahan.kecamatan_code, Kecamatan.name.label("kecamatan_name"),
               *_figures(s.status, s.logs, s.length_m, s.sediment_m3, s.waste_kg, s.photos, s.complete,
                         s.work_date))
        .join(Kecamatan, Kecamatan.code == Kelurahan.kecamatan_code)
        .outerjoin(source, s.kelurahan_code == Kelurahan.code)
        .group_by(Kelurahan.code, Kelurahan.name, Kelurahan.kecamatan_code, Kecamatan.name)
        .order_by(Kelurahan.code)
    )


def _run(query: Select, kecamatan_code: str | None) -> list[dict[str, Any]]:
    if kecamatan_code:
        query = query.where(Kelurahan.kecamatan_code == kecamatan_code)
    return [_row(r) for r in db.session.execute(query).mappings()]


def coverage_pct(covered_m: float, network_m: float) -> float | None:
    """Covered share of the network in per cent, one decimal; None without network."""
    return round(100 * covered_m / network_m, 1) if network_m > 0 else None


def _with_coverage(rows: list[dict[str, Any]], covered: dict[str, float]) -> list[dict[str, Any]]:
    """Each row with its kelurahan's network length and the metres of it covered (0, 0, None without)."""
    network = coverage_counts.network_by_kelurahan()
    for row in rows:
        row["network_m"] = _number(network.get(row["code"], 0.0))
        row["covered_m"] = _number(covered.get(row["code"], 0.0))
        row["coverage_pct"] = coverage_pct(row["covered_m"], row["network_m"])
    return rows


def kelurahan_progress(date_from: date, date_to: date, kecamatan_code: str | None = None,
                       approved_only: bool = False) -> list[dict[str, Any]]:
    """One row per kelurahan in scope, zeros included, ordered by code.

    The rollup rows of the range are first summed per (kelurahan, status) with plain SUMs;
    the CASE pivot then runs over at most 3 rows per kelurahan instead of one per day.
    """
    d = DailyProgress
    per_status = (
        select(d.kelurahan_code, d.status, func.sum(d.logs).label("logs"), func.sum(d.length_m).label("length_m"),
               func.sum(d.sediment_m3).label("sediment_m3"), func.sum(d.waste_kg).label("waste_kg"),
               func.sum(d.photos).label("photos"), func.sum(d.complete).label("complete"),
               func.max(case((d.logs > 0, d.work_date))).label("work_date"))
        .where(d.work_date.between(date_from, date_to), _status_filter(d.status, approved_only),
               _of_kecamatan(d.kelurahan_code, kecamatan_code))
        .group_by(d.kelurahan_code, d.status)
        .subquery("per_status")
    )
    rows = _run(_by_kelurahan(per_status), kecamatan_code)
    return _with_coverage(rows, coverage_counts.covered_by_kelurahan(date_from, date_to))


def progress_from_logs(date_from: date, date_to: date, kecamatan_code: str | None = None,
                       approved_only: bool = False) -> list[dict[str, Any]]:
    """The same table as `kelurahan_progress`, aggregated directly over the logs (no rollup)."""
    w = WorkLog
    photos = (
        select(Photo.log_id, func.count().label("photos"),
               func.max(case((Photo.kind == "before", 1), else_=0)).label("before"),
               func.max(case((Photo.kind == "after", 1), else_=0)).label("after"))
        .group_by(Photo.log_id)
        .subquery("log_photos")
    )
    per_log = (
        select(w.kelurahan_code, w.status, literal(1).label("logs"),
               case((w.measured_length_m > 0, w.measured_length_m),
                    else_=func.coalesce(w.length_m, 0)).label("length_m"),
               func.coalesce(w.sediment_m3, 0).label("sediment_m3"), func.coalesce(w.waste_kg, 0).label("waste_kg"),
               func.coalesce(photos.c.photos, 0).label("photos"),
               case((and_(photos.c.before == 1, photos.c.after == 1), 1), else_=0).label("complete"),
               w.work_date)
        .outerjoin(photos, photos.c.log_id == w.id)
        .where(w.work_date.between(date_from, date_to), _status_filter(w.status, approved_only),
               _of_kecamatan(w.kelurahan_code, kecamatan_code))
        .subquery("per_log")
    )
    rows = _run(_by_kelurahan(per_log), kecamatan_code)
    return _with_coverage(rows, coverage_counts.count_from_logs(date_from, date_to))


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """City (or kecamatan) totals over the per-kelurahan rows."""
    result: dict[str, Any] = {name: 0 for name in COUNTS}
    result.update({name: 0.0 for name in (*SUMS, "approved_length_m", *COVERAGE)})
    for row in rows:
        for name in result:
            result[name] += row[name]
    for name in (*SUMS, "approved_length_m", *COVERAGE):
        result[name] = _number(result[name])
    result["coverage_pct"] = coverage_pct(result["covered_m"], result["network_m"])
    dates = [r["last_work_date"] for r in rows if r["last_work_date"]]
    result["last_work_date"] = max(dates) if dates else None
    result["kelurahan"] = len(rows)
    return result


def daily_series(date_from: date, date_to: date, kelurahan_code: str | None = None,
                 kecamatan_code: str | None = None, approved_only: bool = False) -> list[dict[str, Any]]:
    """One row per WIB date in the range, zeros included."""
    d = DailyProgress
    figures = _figures(d.status, d.logs, d.length_m, d.sediment_m3, d.waste_kg, d.photos, d.complete, d.work_date)
    query = (
        select(d.work_date, *[f for f in figures if f.name in ("logs", *SUMS)])
        .where(d.work_date.between(date_from, date_to), _status_filter(d.status, approved_only))
        .group_by(d.work_date)
    )
    if kelurahan_code:
        query = query.where(d.kelurahan_code == kelurahan_code)
    else:
        query = query.where(_of_kecamatan(d.kelurahan_code, kecamatan_code))
    found = {}
    for row in db.session.execute(query).mappings():
        found[_day(row["work_date"])] = {"logs": int(row["logs"]), **{n: _number(row[n]) for n in SUMS}}
    empty = {"logs": 0, **{n: 0.0 for n in SUMS}}
    return [{"date": day, **found.get(day, empty)} for day in date_range(date_from, date_to)]


def _known(model: type, code: str, field: str) -> Any:
    found = db.session.get(model, code)
    if found is None:
        raise Invalid(f"Unknown {field} {code!r}; see GET /api/v1/{model.__tablename__}.", {field: ["Unknown code."]})
    return found


def progress_report(user: Actor, date_from: date, date_to: date, kecamatan_code: str | None) -> dict[str, Any]:
    """The progress table the user may see: its kecamatan when scoped, else the one asked or the city."""
    scope = progress_scope(user, kecamatan_code)
    if scope:
        _known(Kecamatan, scope, "kecamatan_code")
    rows = kelurahan_progress(date_from, date_to, scope)
    return {"from_": date_from, "to": date_to, "kecamatan_code": scope, "kelurahan": rows, "totals": totals(rows),
            "network_synthetic": coverage_counts.network_is_synthetic()}


def daily_report(user: Actor, date_from: date, date_to: date, kelurahan_code: str | None,
                 kecamatan_code: str | None) -> list[dict[str, Any]]:
    """The daily series of one kelurahan, one kecamatan or everything the user may see."""
    scope = progress_scope(user, kecamatan_code)
    if kelurahan_code:
        kelurahan = _known(Kelurahan, kelurahan_code, "kelurahan_code")
        progress_scope(user, kelurahan.kecamatan_code)
        return daily_series(date_from, date_to, kelurahan_code=kelurahan_code)
    if scope:
        _known(Kecamatan, scope, "kecamatan_code")
    return daily_series(date_from, date_to, kecamatan_code=scope)
