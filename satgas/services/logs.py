"""Receiving work logs from phones: idempotent by the phone's UUID, assigned in the database.

Single uploads and batches share one flow. Each log travels as an `IncomingLog` through
validate (the HTTP layer's schema) → authorise → fingerprint → match what is stored → place →
measure (what it covers of the drain network) → insert; a stage that decides a log's fate sets
its `result`, and later stages skip it. Each stage handles a whole chunk at once, so a chunk of
logs costs a handful of queries (existing ids, spatial assignment, coverage, insert, audit,
rollup), not a handful per log. The primary key settles races between replays: the backend's
insert-if-new.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import select

from models import WGS84, AuditEvent, Crew, DailyProgress, LogCoverage, WorkLog, db, utcnow
from models.base import new_public_id
from satgas.auth import crew_for_new_log
from satgas.database import backend
from satgas.database.base import Dependent
from satgas.errors import Conflict, DomainError, Invalid
from satgas.geojson import LOG_COORD_DECIMALS
from satgas.metrics import LOGS_INGESTED
from satgas.principal import Actor, as_user
from satgas.services import coverage, outbox, rollup, spatial
from satgas.timeutil import wib_date

CHUNK = 200  # logs per transaction in a batch: a cut connection keeps the chunks committed
_CONTENT_FIELDS = ("activity", "gps_accuracy_m", "kelurahan_code", "length_m", "sediment_m3", "waste_kg",
                   "workers", "notes")


@dataclass(frozen=True)
class LogResult:
    """What became of one log sent: created, unchanged (an identical replay), conflict or invalid."""

    id: str | None
    status: str
    error: DomainError | None = None

    @property
    def message(self) -> str | None:
        return self.error.message if self.error else None

    @property
    def errors(self) -> dict[str, Any]:
        if self.error is None or self.status == "conflict":
            return {}
        return self.error.errors or {"_schema": [self.error.message]}


@dataclass
class IncomingLog:
    """One log on its way in; `data` is what the schema loaded, None when it failed validation."""

    data: dict[str, Any] | None
    raw_id: Any = None
    result: LogResult | None = None
    crew_id: int | None = None
    fingerprint: str = ""
    row: dict[str, Any] = field(default_factory=dict)
    measure: coverage.Measure = coverage.NOTHING
    measured_m: float | None = None  # geodesic length, computed once for coverage and the row

    @property
    def measured_length_m(self) -> float:
        if self.measured_m is None:
            self.measured_m = spatial.geodesic_length_m(self.data["geometry"])  # type: ignore[index]
        return self.measured_m

    @classmethod
    def loaded(cls, data: dict[str, Any]) -> IncomingLog:
        return cls(data, data["id"])

    @classmethod
    def invalid(cls, raw_id: Any, errors: dict[str, Any]) -> IncomingLog:
        shown = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
        return cls(None, raw_id, LogResult(shown, "invalid", Invalid("Invalid log; see errors.", errors)))

    @property
    def id(self) -> uuid.UUID:
        return self.data["id"]  # type: ignore[index]

    def settle(self, status: str, error: DomainError | None = None) -> None:
        self.result = LogResult(str(self.id), status, error)


def content_sha256(data: dict[str, Any], crew_id: int) -> str:
    """Fingerprint of what the phone sent, normalised so that equal content hashes equal.

    Timestamps compare as instants (07:30+07:00 == 00:30Z), numbers as floats, coordinates at
    1e-7° (about 1 cm), and absent optional fields equal explicit nulls. `complaint_ref` counts
    only when set, so logs stored before it existed keep their fingerprint (their replays stay 200).
    """
    geom = data["geometry"]
    # The GeoJSON coordinates rounded: a Point's one position, a LineString's list of them.
    positions = [[round(x, LOG_COORD_DECIMALS), round(y, LOG_COORD_DECIMALS)]
                 for x, y in shapely.get_coordinates(geom).tolist()]
    canonical = {
        "id": str(data["id"]),
        "crew_id": crew_id,
        "started_at": data["started_at"].timestamp(),
        "finished_at": data["finished_at"].timestamp(),
        "geometry": {"type": geom.geom_type, "coordinates": positions[0] if geom.geom_type == "Point" else positions},
        **{name: _number(data.get(name)) for name in _CONTENT_FIELDS},
    }
    if data.get("complaint_ref") is not None:
        canonical["complaint_ref"] = data["complaint_ref"]
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) else value


def _conflict(log_id: uuid.UUID) -> Conflict:
    return Conflict(f"A different log with id {log_id} is already stored; it was not changed. "
                    "Send it under a new id if it is new work.")


def _compare(item: IncomingLog, stored_sha: str) -> None:
    if stored_sha == item.fingerprint:
        item.settle("unchanged")
    else:
        item.settle("conflict", _conflict(item.id))


def _open(items: list[IncomingLog]) -> list[IncomingLog]:
    return [item for item in items if item.result is None]


def _authorise(user: Actor, items: list[IncomingLog]) -> None:
    """The crew each log belongs to (403 for another crew's); an admin must name a known crew."""
    for item in items:
        try:
            item.crew_id = crew_for_new_log(user, item.data["crew_id"])  # type: ignore[index]
        except DomainError as exc:
            item.settle("invalid", exc)
    if user.role == "admin":
        wanted = {item.crew_id for item in _open(items)}
        known = set(db.session.scalars(select(Crew.id).where(Crew.id.in_(wanted))))
        for item in _open(items):
            if item.crew_id not in known:
                item.settle("invalid", Invalid(f"Unknown crew_id {item.crew_id}.", {"crew_id": ["Unknown crew."]}))


def _fingerprint(items: list[IncomingLog]) -> None:
    for item in _open(items):
        item.fingerprint = content_sha256(item.data, item.crew_id)  # type: ignore[arg-type]


def _stored_fingerprints(ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(WorkLog.id, WorkLog.content_sha256).where(backend().uuid_in(WorkLog.id, ids))
    return {log_id: sha for log_id, sha in db.session.execute(query)}


def _match_stored(items: list[IncomingLog]) -> None:
    """Replays of stored logs, and an id sent twice in one batch: unchanged or conflict."""
    stored = _stored_fingerprints([item.id for item in _open(items)])
    _match(items, stored)


def _replays_placed_outside(items: list[IncomingLog]) -> None:
    """A log refused by placement may be a replay of a stored one: then it is unchanged or a
    conflict (409), as the contract says, not a 422 about its geometry."""
    refused = [item for item in items if item.result is not None and item.result.status == "invalid"
               and item.fingerprint]
    stored = _stored_fingerprints([item.id for item in refused])
    for item in refused:
        if item.id in stored:
            item.result = None
    _match(refused, stored)


def _match(items: list[IncomingLog], stored: dict[uuid.UUID, str]) -> None:
    first: dict[uuid.UUID, IncomingLog] = {}
    for item in _open(items):
        if item.id in stored:
            _compare(item, stored[item.id])
        elif item.id in first:
            _compare(item, first[item.id].fingerprint)
        else:
            first[item.id] = item


def _place(items: list[IncomingLog]) -> None:
    """Kelurahan, kecamatan and flags of every log left, in one query; 422 far outside the city."""
    todo = _open(items)
    placements = spatial.place_many([(i.data["geometry"], i.data["kelurahan_code"], i.data["gps_accuracy_m"])
                                     for i in todo])  # type: ignore[index]
    for item, placement in zip(todo, placements, strict=True):
        if isinstance(placement, Invalid):
            item.settle("invalid", placement)
        else:
            item.row = {"kelurahan_code": placement.kelurahan_code, "kecamatan_code": placement.kecamatan_code,
                        "flags": ",".join(placement.flags)}


def _measure(items: list[IncomingLog]) -> None:
    """What each log left covers of the drain network, in one query for the chunk."""
    todo = _open(items)
    measures = coverage.measure_many([(i.data["geometry"], i.data["length_m"], i.measured_length_m)  # type: ignore[index]
                                      for i in todo])
    for item, measure in zip(todo, measures, strict=True):
        item.measure = measure
        item.row["flags"] = coverage.with_flag(item.row["flags"], measure.off_network)


def _row(user: Actor, item: IncomingLog) -> dict[str, Any]:
    data = item.data
    assert data is not None
    return {
        "id": data["id"], "crew_id": item.crew_id, "submitted_by_id": user.id, "activity": data["activity"],
        "started_at": data["started_at"], "finished_at": data["finished_at"],
        "work_date": wib_date(data["started_at"]), "geometry": from_shape(data["geometry"], srid=WGS84),
        "gps_accuracy_m": data["gps_accuracy_m"], "claimed_kelurahan_code": data["kelurahan_code"],
        "kelurahan_code": item.row["kelurahan_code"], "kecamatan_code": item.row["kecamatan_code"],
        "length_m": data["length_m"], "sediment_m3": data["sediment_m3"], "waste_kg": data["waste_kg"],
        "workers": data["workers"], "notes": data["notes"], "complaint_ref": data["complaint_ref"],
        "public_id": new_public_id(),
        "measured_length_m": item.measured_length_m, "status": "submitted",
        "flags": item.row["flags"], "content_sha256": item.fingerprint, "created_at": utcnow(),
        "covered_m": item.measure.covered_m,
    }


def _insert(user: Actor, items: list[IncomingLog]) -> list[IncomingLog]:
    """Insert the logs left; those raced in by a concurrent request become unchanged/conflict."""
    todo = _open(items)
    for item in todo:
        item.row = _row(user, item)
    inserted = backend().insert_new(WorkLog.__table__, [item.row for item in todo])
    raced = _stored_fingerprints([item.id for item in todo if item.id not in inserted])
    created = []
    for item in todo:
        if item.id in inserted:
            item.settle("created")
            created.append(item)
        else:
            _compare(item, raced.get(item.id, ""))
    return created


class _NewLog:
    """A row just inserted, read as the rollup reads a WorkLog (its rule for the counted length
    included), without building an ORM object per row."""

    counted_length_m = WorkLog.counted_length_m

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)


@dataclass(frozen=True)
class CreatedLog:
    """A single log just inserted, as `submit_log` hands it to the HTTP layer: the inserted row
    (`geometry` as WKB), the shapely geometry it came from and who sent it. No ORM object is
    built for it: the 201 body is written from these (see api/logs.py `created_body`)."""

    row: dict[str, Any]
    geometry: Any
    submitted_by: str

    def as_worklog(self, user: Actor) -> WorkLog:
        """The transient WorkLog the row stands for (what LogSchema dumps)."""
        return _as_stored(user, self.row)


def _as_stored(user: Actor, row: dict[str, Any]) -> WorkLog:
    """The new log as the API shows it, without reading it back: the row just inserted."""
    stored = WorkLog(**row, photos=[])
    stored.submitted_by = as_user(user)
    return stored


def _record_created(user: Actor, created: list[IncomingLog]) -> None:
    """The audit event, rollup contribution and `log.created` webhook event of each new log, in
    the same transaction."""
    if not created:
        return
    backend().insert_rows(AuditEvent.__table__, [_audit_row(user, item) for item in created])
    backend().insert_rows(LogCoverage.__table__, [
        row for item in created for row in coverage.coverage_rows(item.id, item.measure)])
    rollup.apply_many([(None, rollup.contribution(_NewLog(item.row), [])) for item in created])
    outbox.emit_many("log.created", "log", ((_as_stored(user, item.row), item.row["created_at"]) for item in created))


def _audit_row(user: Actor, item: IncomingLog) -> dict[str, Any]:
    return {"log_id": item.id, "at": item.row["created_at"], "actor": user.username, "action": "created",
            "details": {"kelurahan_code": item.row["kelurahan_code"],
                        "flags": [f for f in item.row["flags"].split(",") if f]}}


def _insert_one(user: Actor, item: IncomingLog) -> list[IncomingLog]:
    """A single log: its insert, audit event, coverage and rollup contribution in one call of the
    backend (one statement on PostGIS), written only if the log is new; then the webhook event.

    No ORM object is built: the rollup reads the row (as a batch's do), a WorkLog for the
    webhook event only when an endpoint listens, and the 201 body is written from the row."""
    item.row = _row(user, item)
    contribution = rollup.contribution(_NewLog(item.row), [])  # type: ignore[arg-type]
    inserted = backend().insert_new_with(WorkLog.__table__, item.row, [
        Dependent(AuditEvent.__table__, [_audit_row(user, item)]),
        Dependent(LogCoverage.__table__, coverage.coverage_rows(item.id, item.measure)),
        Dependent(DailyProgress.__table__, [contribution.values(+1)], rollup.KEY, rollup.SUMS),
    ])
    if not inserted:  # raced in by a concurrent request since the checks above
        _compare(item, _stored_fingerprints([item.id]).get(item.id, ""))
        return []
    item.settle("created")
    outbox.emit_many("log.created", "log", ((_as_stored(user, i.row), i.row["created_at"]) for i in (item,)))
    return [item]


def _ingest(user: Actor, items: list[IncomingLog]) -> list[IncomingLog]:
    """Run the flow over a chunk in the current transaction; the caller commits. Returns the created.

    A batch first matches replays (a phone resends whole batches), so that only new logs are
    placed. A single log skips that query: it is almost always new, and the insert's conflict
    clause recognises a replay anyway.
    """
    _authorise(user, items)
    _fingerprint(items)
    if len(items) > 1:
        _match_stored(items)
    _place(items)
    if len(items) == 1:
        _replays_placed_outside(items)
    _measure(items)
    if len(items) == 1 and items[0].result is None:
        return _insert_one(user, items[0])
    created = _insert(user, items)
    _record_created(user, created)
    return created


def submit_log(user: Actor, data: dict[str, Any]) -> tuple[WorkLog | CreatedLog, bool]:
    """Store a log (created=True: a `CreatedLog`) or recognise an identical replay (created=False:
    the stored WorkLog); 409 otherwise."""
    item = IncomingLog.loaded(data)
    if not outbox.subscribers("log.created"):  # else the event must share the log's transaction
        backend().without_transaction()  # reads, then the one-statement write of `_insert_one`
    created = _ingest(user, [item])
    assert item.result is not None
    LOGS_INGESTED.labels(item.result.status).inc()
    if item.result.error is not None:
        db.session.rollback()
        raise item.result.error
    if not created:
        db.session.commit()
        return db.session.get(WorkLog, item.id), False
    # The 201 body is what was just inserted: no need to read it back.
    db.session.commit()
    return CreatedLog(item.row, data["geometry"], user.username), True


def submit_batch(user: Actor, items: list[IncomingLog]) -> list[LogResult]:
    """Store each valid log on its own merits, committing chunk by chunk; results in the order sent."""
    valid = _open(items)
    for start in range(0, len(valid), CHUNK):
        _ingest(user, valid[start:start + CHUNK])
        db.session.commit()
    results = [item.result for item in items]
    for status, count in Counter(result.status for result in results).items():  # type: ignore[union-attr]
        LOGS_INGESTED.labels(status).inc(count)
    return results  # type: ignore[return-value]
