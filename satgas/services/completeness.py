"""Completeness of the crews' day: what each crew sent for a WIB date, with which photos, and
when its phones last reached the server.

Two queries whatever the number of crews or logs: one row per crew (the day's counts joined to
per-log photo kinds; the latest log and the last-seen time as index lookups per crew), and the
ids of the day's logs missing a photo.
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Subquery, and_, case, func, or_, select

from models import Crew, Kecamatan, Photo, User, WorkLog, db
from satgas.auth import kecamatan_scope
from satgas.errors import Invalid
from satgas.principal import Actor


def _day_logs(day: date, scope: str | None) -> Subquery:
    """Each log worked that day by a crew in scope, with whether it holds a before / an after photo."""
    kinds = (
        select(Photo.log_id,
               func.max(case((Photo.kind == "before", 1), else_=0)).label("before"),
               func.max(case((Photo.kind == "after", 1), else_=0)).label("after"))
        .join(WorkLog, WorkLog.id == Photo.log_id)
        .where(WorkLog.work_date == day)
        .group_by(Photo.log_id)
        .subquery("kinds")
    )
    query = (
        select(WorkLog.id, WorkLog.crew_id, WorkLog.started_at,
               func.coalesce(kinds.c.before, 0).label("before"), func.coalesce(kinds.c.after, 0).label("after"))
        .outerjoin(kinds, kinds.c.log_id == WorkLog.id)
        .where(WorkLog.work_date == day)
    )
    if scope:
        query = query.join(Crew, Crew.id == WorkLog.crew_id).where(Crew.kecamatan_code == scope)
    return query.subquery("day_logs")


def _crew_rows(day_logs: Subquery, scope: str | None) -> list[dict[str, Any]]:
    d = day_logs.c
    per_crew = (
        select(d.crew_id, func.count().label("logs"), func.sum(d.before).label("with_before"),
               func.sum(d.after).label("with_after"),
               func.sum(case((and_(d.before == 1, d.after == 1), 1), else_=0)).label("complete"))
        .group_by(d.crew_id)
        .subquery("per_crew")
    )
    last_log_at = select(func.max(WorkLog.created_at)).where(WorkLog.crew_id == Crew.id).scalar_subquery()
    last_seen_at = select(func.max(User.last_seen_at)).where(User.crew_id == Crew.id).scalar_subquery()
    query = (
        select(Crew.id.label("crew_id"), Crew.name, Crew.kecamatan_code, Kecamatan.name.label("kecamatan_name"),
               *(func.coalesce(per_crew.c[name], 0).label(name)
                 for name in ("logs", "with_before", "with_after", "complete")),
               last_log_at.label("last_log_at"), last_seen_at.label("last_seen_at"))
        .join(Kecamatan, Kecamatan.code == Crew.kecamatan_code)
        .outerjoin(per_crew, per_crew.c.crew_id == Crew.id)
        .order_by(Crew.kecamatan_code, Crew.name, Crew.id)
    )
    if scope:
        query = query.where(Crew.kecamatan_code == scope)
    return [dict(row) for row in db.session.execute(query).mappings()]


def _incomplete_ids(day_logs: Subquery) -> dict[int, list[uuid.UUID]]:
    d = day_logs.c
    query = select(d.crew_id, d.id).where(or_(d.before == 0, d.after == 0)).order_by(d.started_at, d.id)
    found: dict[int, list[uuid.UUID]] = {}
    for crew_id, log_id in db.session.execute(query):
        found.setdefault(crew_id, []).append(log_id)
    return found


def completeness_report(user: Actor, day: date, kecamatan_code: str | None) -> dict[str, Any]:
    """One row per crew whose home kecamatan is in the user's scope, zeros included."""
    scope = kecamatan_scope(user, kecamatan_code, "Completeness")
    if scope and db.session.get(Kecamatan, scope) is None:
        raise Invalid(f"Unknown kecamatan_code {scope!r}; see GET /api/v1/kecamatan.",
                      {"kecamatan_code": ["Unknown code."]})
    day_logs = _day_logs(day, scope)
    rows = _crew_rows(day_logs, scope)
    incomplete = _incomplete_ids(day_logs)
    for row in rows:
        for name in ("logs", "with_before", "with_after", "complete"):
            row[name] = int(row[name])
        row["incomplete_log_ids"] = incomplete.get(row["crew_id"], [])
    return {"date": day, "crews": rows}
