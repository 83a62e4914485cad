"""Receiving work logs from phones: idempotent by the phone's UUID, assigned in the database."""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import mapping
from sqlalchemy.exc import IntegrityError

from models import WGS84, Crew, User, WorkLog, db
from satgas.auth import crew_for_new_log
from satgas.errors import Conflict, DomainError, Forbidden, Invalid
from satgas.metrics import LOGS_INGESTED
from satgas.services import audit, rollup, spatial
from satgas.timeutil import wib_date

log = logging.getLogger(__name__)
BATCH_COMMIT_EVERY = 50
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


def _existing(log_id: uuid.UUID, fingerprint: str) -> WorkLog:
    stored = db.session.get(WorkLog, log_id, populate_existing=True)
    if stored is None:  # pragma: no cover - only after a concurrent delete
        raise Conflict("The log id is taken; generate a new id.")
    if stored.content_sha256 != fingerprint:
        raise Conflict(f"A different log with id {log_id} is already stored; it was not changed. "
                       "Send it under a new id if it is new work.")
    return stored


def _build(user: User, data: dict[str, Any], crew_id: int, fingerprint: str) -> WorkLog:
    placement = spatial.place(data["geometry"], data["kelurahan_code"], data["gps_accuracy_m"])
    return WorkLog(
        id=data["id"], crew_id=crew_id, submitted_by_id=user.id, activity=data["activity"],
        started_at=data["started_at"], finished_at=data["finished_at"], work_date=wib_date(data["started_at"]),
        geometry=from_shape(data["geometry"], srid=WGS84), gps_accuracy_m=data["gps_accuracy_m"],
        claimed_kelurahan_code=data["kelurahan_code"], kelurahan_code=placement.kelurahan_code,
        kecamatan_code=placement.kecamatan_code, length_m=data["length_m"], sediment_m3=data["sediment_m3"],
        waste_kg=data["waste_kg"], workers=data["workers"], notes=data["notes"],
        measured_length_m=spatial.geodesic_length_m(data["geometry"]), status="submitted",
        flags=",".join(placement.flags), content_sha256=fingerprint, photos=[],
    )


def _store(user: User, data: dict[str, Any]) -> tuple[WorkLog, bool]:
    """Insert inside a savepoint; the primary key decides races between replays."""
    crew_id = crew_for_new_log(user, data["crew_id"])
    if user.role == "admin" and db.session.get(Crew, crew_id) is None:
        raise Invalid(f"Unknown crew_id {crew_id}.", {"crew_id": ["Unknown crew."]})
    fingerprint = content_sha256(data, crew_id)
    if db.session.get(WorkLog, data["id"]) is not None:
        return _existing(data["id"], fingerprint), False
    new_log = _build(user, data, crew_id, fingerprint)
    try:
        with db.session.begin_nested():
            db.session.add(new_log)
            db.session.flush()
            audit.record(new_log.id, user.username, "created",
                         {"kelurahan_code": new_log.kelurahan_code, "flags": new_log.flag_list})
            rollup.apply(None, rollup.contribution(new_log, []))
    except IntegrityError:
        # Another request stored the same id between our check and our insert.
        db.session.expunge(new_log) if new_log in db.session else None
        return _existing(data["id"], fingerprint), False
    return new_log, True


def submit_log(user: User, data: dict[str, Any]) -> tuple[WorkLog, bool]:
    """Store a log (created=True) or recognise an identical replay (created=False); 409 otherwise."""
    try:
        stored, created = _store(user, data)
    except DomainError as exc:
        db.session.rollback()
        LOGS_INGESTED.labels("conflict" if isinstance(exc, Conflict) else "rejected").inc()
        raise
    db.session.commit()
    LOGS_INGESTED.labels("created" if created else "unchanged").inc()
    return stored, created


@dataclass
class BatchItemResult:
    id: str | None
    status: str
    errors: dict[str, Any] = field(default_factory=dict)
    message: str | None = None


def submit_batch(user: User, items: list[tuple[dict | None, dict | None, Any]]) -> list[BatchItemResult]:
    """Store each valid item on its own; commits every few items so a cut connection keeps them.

    `items` holds (loaded data, validation errors, raw id) per log, in the order sent.
    """
    results = []
    for count, (data, errors, raw_id) in enumerate(items, start=1):
        shown_id = str(raw_id) if isinstance(raw_id, str | int) else None
        if errors:
            results.append(BatchItemResult(shown_id, "invalid", errors, "Invalid log; see errors."))
            continue
        try:
            _, created = _store(user, data)
            results.append(BatchItemResult(str(data["id"]), "created" if created else "unchanged"))
        except Conflict as exc:
            results.append(BatchItemResult(str(data["id"]), "conflict", {}, exc.message))
        except (Invalid, Forbidden) as exc:
            results.append(BatchItemResult(str(data["id"]), "invalid", exc.errors or {"_schema": [exc.message]},
                                           exc.message))
        if count % BATCH_COMMIT_EVERY == 0:
            db.session.commit()
    db.session.commit()
    for result in results:
        LOGS_INGESTED.labels(result.status).inc()
    return results
