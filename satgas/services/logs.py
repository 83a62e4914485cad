"""Receiving work logs from phones: idempotent by the phone's UUID, assigned in the database.

Single uploads and batches share one set-based path: a chunk of logs costs a handful of
queries (existing ids, spatial assignment, insert, audit, rollup), not a handful per log.
The primary key settles races between replays: `INSERT … ON CONFLICT DO NOTHING`.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from models import WGS84, AuditEvent, Crew, User, WorkLog, db, utcnow
from satgas.auth import crew_for_new_log
from satgas.errors import Conflict, DomainError, Invalid
from satgas.metrics import LOGS_INGESTED
from satgas.services import bulk, rollup, spatial
from satgas.timeutil import wib_date

CHUNK = 100  # logs per transaction in a batch: a cut connection keeps the chunks committed
_CONTENT_FIELDS = ("activity", "gps_accuracy_m", "kelurahan_code", "length_m", "sediment_m3", "waste_kg",
                   "workers", "notes")


def _rounded(coords):
    if isinstance(coords, tuple | list):
        return [_rounded(c) for c in coords]
    return round(float(coords), 7)


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) else value


def content_sha256(data: dict[str, Any], crew_id: int) -> str:
    """Fingerprint of what the phone sent, normalised so that equal content hashes equal.

    Timestamps compare as instants (07:30+07:00 == 00:30Z), numbers as floats, coordinates at
    1e-7° (about 1 cm), and absent optional fields equal explicit nulls.
    """
    geometry = mapping(data["geometry"])
    canonical = {
        "id": str(data["id"]),
        "crew_id": crew_id,
        "started_at": data["started_at"].timestamp(),
        "finished_at": data["finished_at"].timestamp(),
        "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])},
        **{name: _number(data.get(name)) for name in _CONTENT_FIELDS},
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass
class Outcome:
    id: uuid.UUID
    status: str  # created | unchanged | conflict | invalid
    error: DomainError | None = None
    row: dict | None = None  # the stored values, for a created log


def _conflict(log_id: uuid.UUID) -> Conflict:
    return Conflict(f"A different log with id {log_id} is already stored; it was not changed. "
                    "Send it under a new id if it is new work.")


def _compare(log_id: uuid.UUID, stored_sha: str, fingerprint: str) -> Outcome:
    if stored_sha == fingerprint:
        return Outcome(log_id, "unchanged")
    return Outcome(log_id, "conflict", _conflict(log_id))


def _stored_fingerprints(ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(WorkLog.id, WorkLog.content_sha256).where(WorkLog.id.in_(ids))
    return {log_id: sha for log_id, sha in db.session.execute(query)}


def _crew_ids(user: User, datas: list[dict]) -> list[int | DomainError]:
    answers: list[int | DomainError] = []
    for data in datas:
        try:
            answers.append(crew_for_new_log(user, data["crew_id"]))
        except DomainError as exc:
            answers.append(exc)
    if user.role == "admin":
        wanted = {c for c in answers if isinstance(c, int)}
        known = set(db.session.scalars(select(Crew.id).where(Crew.id.in_(wanted))))
        answers = [c if not isinstance(c, int) or c in known
                   else Invalid(f"Unknown crew_id {c}.", {"crew_id": ["Unknown crew."]}) for c in answers]
    return answers


def _row(user: User, data: dict, crew_id: int, fingerprint: str, placement: spatial.Placement) -> dict:
    return {
        "id": data["id"], "crew_id": crew_id, "submitted_by_id": user.id, "activity": data["activity"],
        "started_at": data["started_at"], "finished_at": data["finished_at"],
        "work_date": wib_date(data["started_at"]), "geometry": from_shape(data["geometry"], srid=WGS84),
        "gps_accuracy_m": data["gps_accuracy_m"], "claimed_kelurahan_code": data["kelurahan_code"],
        "kelurahan_code": placement.kelurahan_code, "kecamatan_code": placement.kecamatan_code,
        "length_m": data["length_m"], "sediment_m3": data["sediment_m3"], "waste_kg": data["waste_kg"],
        "workers": data["workers"], "notes": data["notes"],
        "measured_length_m": spatial.geodesic_length_m(data["geometry"]), "status": "submitted",
        "flags": ",".join(placement.flags), "content_sha256": fingerprint, "created_at": utcnow(),
    }


def _insert(rows: list[dict]) -> set[uuid.UUID]:
    """Insert the rows; returns the ids this transaction stored (others were raced in)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return set(bulk.insert_rows(WorkLog.__table__, rows, "ON CONFLICT (id) DO NOTHING RETURNING id").scalars())
    stmt = sqlite.insert(WorkLog).on_conflict_do_nothing(index_elements=["id"]).returning(WorkLog.id)
    return set(db.session.scalars(stmt, rows, execution_options={"sort_by_parameter_order": True}))


def _ingest(user: User, datas: list[dict]) -> list[Outcome]:
    """Store what is new among `datas` in the current transaction; the caller commits."""
    crews = _crew_ids(user, datas)
    fingerprints = [content_sha256(d, c) if isinstance(c, int) else "" for d, c in zip(datas, crews, strict=True)]
    stored = _stored_fingerprints([d["id"] for d in datas])
    outcomes: list[Outcome | None] = [None] * len(datas)
    pending: dict[uuid.UUID, int] = {}  # id → index of its first occurrence among the new ones
    for i, (data, crew) in enumerate(zip(datas, crews, strict=True)):
        if isinstance(crew, DomainError):
            outcomes[i] = Outcome(data["id"], "invalid", crew)
        elif data["id"] in stored:
            outcomes[i] = _compare(data["id"], stored[data["id"]], fingerprints[i])
        elif data["id"] in pending:  # the same id twice in one batch
            outcomes[i] = _compare(data["id"], fingerprints[pending[data["id"]]], fingerprints[i])
        else:
            pending[data["id"]] = i
    order = list(pending.values())
    placements = spatial.place_many([(datas[i]["geometry"], datas[i]["kelurahan_code"],
                                      datas[i]["gps_accuracy_m"]) for i in order])
    rows = {}
    for i, placement in zip(order, placements, strict=True):
        if isinstance(placement, Invalid):
            outcomes[i] = Outcome(datas[i]["id"], "invalid", placement)
        else:
            rows[i] = _row(user, datas[i], crews[i], fingerprints[i], placement)
    inserted = _insert(list(rows.values())) if rows else set()
    raced = _stored_fingerprints([rows[i]["id"] for i in rows if rows[i]["id"] not in inserted])
    for i, row in rows.items():
        outcomes[i] = (Outcome(row["id"], "created", row=row) if row["id"] in inserted
                       else _compare(row["id"], raced.get(row["id"], ""), row["content_sha256"]))
    created = [row for row in rows.values() if row["id"] in inserted]
    _record_created(user, created)
    return outcomes  # type: ignore[return-value]


def _record_created(user: User, rows: list[dict]) -> None:
    if not rows:
        return
    bulk.insert_rows(AuditEvent.__table__, [
        {"log_id": r["id"], "at": r["created_at"], "actor": user.username, "action": "created",
         "details": {"kelurahan_code": r["kelurahan_code"], "flags": [f for f in r["flags"].split(",") if f]}}
        for r in rows
    ])
    # A transient WorkLog per row: the rollup's one rule for what a log counts applies.
    rollup.apply_many([(None, rollup.contribution(WorkLog(**r), [])) for r in rows])


def submit_log(user: User, data: dict[str, Any]) -> tuple[WorkLog, bool]:
    """Store a log (created=True) or recognise an identical replay (created=False); 409 otherwise."""
    [outcome] = _ingest(user, [data])
    LOGS_INGESTED.labels(outcome.status).inc()
    if outcome.error is not None:
        db.session.rollback()
        raise outcome.error
    if outcome.row is None:
        db.session.commit()
        return db.session.get(WorkLog, data["id"]), False
    # The 201 body is what was just inserted: no need to read it back.
    stored = WorkLog(**outcome.row, photos=[])
    stored.submitted_by = user
    db.session.commit()
    return stored, True


@dataclass
class BatchItemResult:
    id: str | None
    status: str
    errors: dict[str, Any] = field(default_factory=dict)
    message: str | None = None


def submit_batch(user: User, items: list[tuple[dict | None, dict | None, Any]]) -> list[BatchItemResult]:
    """Store each valid item on its own merits, committing chunk by chunk.

    `items` holds (loaded data, validation errors, raw id) per log, in the order sent.
    """
    results: list[BatchItemResult | None] = [None] * len(items)
    valid = []
    for i, (_data, errors, raw_id) in enumerate(items):
        if errors:
            shown = str(raw_id) if isinstance(raw_id, str | int) else None
            results[i] = BatchItemResult(shown, "invalid", errors, "Invalid log; see errors.")
        else:
            valid.append(i)
    for start in range(0, len(valid), CHUNK):
        chunk = valid[start:start + CHUNK]
        for i, outcome in zip(chunk, _ingest(user, [items[i][0] for i in chunk]), strict=True):
            results[i] = _result(outcome)
        db.session.commit()
    for result in results:
        LOGS_INGESTED.labels(result.status).inc()
    return results  # type: ignore[return-value]


def _result(outcome: Outcome) -> BatchItemResult:
    if outcome.error is None:
        return BatchItemResult(str(outcome.id), outcome.status)
    error = outcome.error
    errors = error.errors or ({} if outcome.status == "conflict" else {"_schema": [error.message]})
    return BatchItemResult(str(outcome.id), outcome.status, errors, error.message)


