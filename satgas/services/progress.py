"""Progress per kelurahan and per day, read from the `daily_progress` rollup.

The rollup holds one row per kelurahan, WIB date and status, so these queries touch
kelurahan × days rows whatever the number of logs. `progress_from_logs` computes the same
table straight from the logs; tests and the benchmark hold the two against each other.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, select

from models import DailyProgress, Kecamatan, Kelurahan, Photo, WorkLog, db
from satgas.timeutil import date_range

SUMS = ("length_m", "sediment_m3", "waste_kg")
COUNTS = ("logs", "approved", "pending", "rejected", "photos", "complete")


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


def _row(mapping: Any) -> dict[str, Any]:
    row = dict(mapping)
    for name in ("logs", "approved", "pending", "rejected", "photos", "complete"):
        row[name] = int(row[name])
    for name in (*SUMS, "approved_length_m"):
        row[name] = round(float(row[name]), 3)
    last = row["last_work_date"]
    row["last_work_date"] = date.fromisoformat(last) if isinstance(last, str) else last
    return row


def _status_filter(column, approved_only: bool):
    return column == "approved" if approved_only else literal(True)


def kelurahan_progress(date_from: date, date_to: date, kecamatan_code: str | None = None,
                       approved_only: bool = False) -> list[dict[str, Any]]:
    """One row per kelurahan in scope, zeros included, ordered by code."""
    d = DailyProgress
    joined = and_(d.kelurahan_code == Kelurahan.code, d.work_date.between(date_from, date_to),
                  _status_filter(d.status, approved_only))
    query = (
        select(Kelurahan.code, Kelurahan.name, Kelurahan.kecamatan_code, Kecamatan.name.label("kecamatan_name"),
               *_figures(d.status, d.logs, d.length_m, d.sediment_m3, d.waste_kg, d.photos, d.complete,
                         d.work_date))
        .join(Kecamatan, Kecamatan.code == Kelurahan.kecamatan_code)
        .outerjoin(d, joined)
        .group_by(Kelurahan.code, Kelurahan.name, Kelurahan.kecamatan_code, Kecamatan.name)
        .order_by(Kelurahan.code)
    )
    return _in_kecamatan(query, kecamatan_code)


def _in_kecamatan(query: Select, kecamatan_code: str | None) -> list[dict[str, Any]]:
    if kecamatan_code:
        query = query.where(Kelurahan.kecamatan_code == kecamatan_code)
    return [_row(r) for r in db.session.execute(query).mappings()]


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """City (or kecamatan) totals over the per-kelurahan rows."""
    result: dict[str, Any] = {name: 0 for name in COUNTS}
    result.update({name: 0.0 for name in (*SUMS, "approved_length_m")})
    for row in rows:
        for name in result:
            result[name] += row[name]
    for name in (*SUMS, "approved_length_m"):
        result[name] = round(result[name], 3)
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
    elif kecamatan_code:
        query = query.where(d.kelurahan_code.in_(
            select(Kelurahan.code).where(Kelurahan.kecamatan_code == kecamatan_code)))
    found = {}
    for row in db.session.execute(query).mappings():
        day = row["work_date"]
        day = date.fromisoformat(day) if isinstance(day, str) else day
        found[day] = {"logs": int(row["logs"]), **{n: round(float(row[n]), 3) for n in SUMS}}
    empty = {"logs": 0, **{n: 0.0 for n in SUMS}}
    return [{"date": day, **found.get(day, empty)} for day in date_range(date_from, date_to)]


def progress_from_logs(date_from: date, date_to: date, kecamatan_code: str | None = None,
                       approved_only: bool = False) -> list[dict[str, Any]]:
    """The same table as `kelurahan_progress`, aggregated directly over the logs (no rollup)."""
    w = WorkLog
    photo_count = select(func.count()).where(Photo.log_id == w.id).correlate(w).scalar_subquery()
    has = {kind: exists().where(Photo.log_id == w.id, Photo.kind == kind).correlate(w)
           for kind in ("before", "after")}
    complete = case((and_(has["before"], has["after"]), 1), else_=0)
    length = case((w.measured_length_m > 0, w.measured_length_m), else_=func.coalesce(w.length_m, 0))
    joined = and_(w.kelurahan_code == Kelurahan.code, w.work_date.between(date_from, date_to),
                  _status_filter(w.status, approved_only))
    query = (
        select(Kelurahan.code, Kelurahan.name, Kelurahan.kecamatan_code, Kecamatan.name.label("kecamatan_name"),
               *_figures(w.status, case((w.id.is_not(None), 1), else_=0), length,
                         func.coalesce(w.sediment_m3, 0), func.coalesce(w.waste_kg, 0), photo_count, complete,
                         w.work_date))
        .join(Kecamatan, Kecamatan.code == Kelurahan.kecamatan_code)
        .outerjoin(w, joined)
        .group_by(Kelurahan.code, Kelurahan.name, Kelurahan.kecamatan_code, Kecamatan.name)
        .order_by(Kelurahan.code)
    )
    return _in_kecamatan(query, kecamatan_code)
