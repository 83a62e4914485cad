"""Reading work logs: filters, paging, streaming export, history and sync status."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select
from sqlalchemy.orm import selectinload

from models import PHOTO_FLAGS, WGS84, AuditEvent, Photo, User, WorkLog, db
from satgas.auth import can_read_log, log_scope
from satgas.database import backend
from satgas.errors import NotFound
from satgas.principal import Actor
from satgas.services import audit


def _listed(flags_column, flag: str):
    """`flag` is one of the comma-joined names in the column."""
    return (literal(",") + flags_column + literal(",")).like(f"%,{flag},%")


def _photo_where(*conditions) -> ColumnElement[bool]:
    return exists().where(Photo.log_id == WorkLog.id, *conditions)


def clean() -> ColumnElement[bool]:
    """Nothing for a supervisor to look at: no flag on the log or its photos, and both a before
    and an after photo. The one rule for what bulk approval accepts (and `?clean=` selects)."""
    return and_(WorkLog.flags == "", ~_photo_where(Photo.flags != ""),
                _photo_where(Photo.kind == "before"), _photo_where(Photo.kind == "after"))


def _flagged(flag: str) -> ColumnElement[bool]:
    if flag in PHOTO_FLAGS:
        return _photo_where(_listed(Photo.flags, flag))
    return _listed(WorkLog.flags, flag)


def filtered(user: Actor, filters: dict[str, Any]) -> Select:
    """SELECT of the logs the user may see that match the contract's filters."""
    query = select(WorkLog).where(log_scope(user))
    for name in ("kecamatan_code", "kelurahan_code", "crew_id", "status", "activity", "complaint_ref"):
        if filters.get(name) is not None:
            query = query.where(getattr(WorkLog, name) == filters[name])
    if filters.get("flag"):
        query = query.where(_flagged(filters["flag"]))
    if filters.get("clean") is not None:
        query = query.where(clean() if filters["clean"] else ~clean())
    if filters.get("from_"):
        query = query.where(WorkLog.work_date >= filters["from_"])
    if filters.get("to"):
        query = query.where(WorkLog.work_date <= filters["to"])
    if filters.get("bbox"):
        query = query.where(backend().bbox_clause(WorkLog.__table__, "geometry", tuple(filters["bbox"]), WGS84))
    return query


def newest_first(query: Select) -> Select:
    return query.order_by(WorkLog.started_at.desc(), WorkLog.id.desc())


def oldest_first(query: Select) -> Select:
    """The review queue's order: what has waited longest comes first."""
    return query.order_by(WorkLog.started_at, WorkLog.id)


def page_of_logs(user: Actor, filters: dict[str, Any], page: int, page_size: int,
                 oldest: bool = False) -> tuple[list[WorkLog], int]:
    query = filtered(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(
        (oldest_first if oldest else newest_first)(query)
        .options(selectinload(WorkLog.photos), selectinload(WorkLog.submitted_by),
                 selectinload(WorkLog.reviewed_by))
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(items), total or 0


EXPORT_COLUMNS = ("id", "crew_id", "activity", "started_at", "finished_at", "work_date", "kelurahan_code",
                  "kecamatan_code", "claimed_kelurahan_code", "length_m", "measured_length_m", "covered_m",
                  "sediment_m3", "waste_kg", "workers", "status", "flags", "submitted_by", "reviewed_at", "notes",
                  "complaint_ref", "geometry_wkt")


def export_rows(user: Actor, filters: dict[str, Any]) -> Iterator[tuple]:
    """All matching logs as plain tuples, fetched in chunks so memory stays flat."""
    submitter = User.__table__.alias("submitter")
    query = filtered(user, filters).with_only_columns(
        WorkLog.id, WorkLog.crew_id, WorkLog.activity, WorkLog.started_at, WorkLog.finished_at,
        WorkLog.work_date, WorkLog.kelurahan_code, WorkLog.kecamatan_code, WorkLog.claimed_kelurahan_code,
        WorkLog.length_m, WorkLog.measured_length_m, WorkLog.covered_m, WorkLog.sediment_m3, WorkLog.waste_kg,
        WorkLog.workers, WorkLog.status, WorkLog.flags, submitter.c.username, WorkLog.reviewed_at, WorkLog.notes,
        WorkLog.complaint_ref, func.ST_AsText(WorkLog.geometry),
    ).join(submitter, submitter.c.id == WorkLog.submitted_by_id)
    result = db.session.execute(newest_first(query).execution_options(yield_per=1000, stream_results=True))
    yield from result


def get_log(user: Actor, log_id: uuid.UUID) -> WorkLog:
    """A log the user may read; 404 (not 403) otherwise, so ids of others' logs leak nothing."""
    found = db.session.get(WorkLog, log_id)
    if found is None or not can_read_log(user, found):
        raise NotFound(f"No work log {log_id} that you can see.")
    return found


def history(user: Actor, log_id: uuid.UUID) -> list[AuditEvent]:
    get_log(user, log_id)
    return audit.events_for(log_id)


def sync_status(user: Actor, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """What the server holds of each id, in the order asked (one query for logs, one for photos)."""
    visible = {
        log.id: log for log in db.session.scalars(select(WorkLog).where(WorkLog.id.in_(ids), log_scope(user)))
    }
    photos: dict[uuid.UUID, list[Photo]] = {}
    for photo in db.session.scalars(select(Photo).where(Photo.log_id.in_(list(visible))).order_by(Photo.created_at)):
        photos.setdefault(photo.log_id, []).append(photo)
    answer = []
    for log_id in ids:
        log = visible.get(log_id)
        answer.append({
            "id": log_id,
            "stored": log is not None,
            "status": log.status if log else None,
            "photos": photos.get(log_id, []),
        })
    return answer
