"""Builders for progress tests: logs through the API, photos and reviews, an oracle for lengths."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pyproj import Geod

from models import Photo, User, WorkLog, db
from satgas.services import rollup
from tests.support import inside_point, log_payload

KAUMAN, KLOJEN_KEL, SUKUN = "35.73.02.1007", "35.73.02.1001", "35.73.04.1005"
KLOJEN_KEC, SUKUN_KEC = "35.73.02", "35.73.04"
GEOD = Geod(ellps="WGS84")


def point_in(code: str) -> dict:
    lon, lat = inside_point(code)
    return {"type": "Point", "coordinates": [lon, lat]}


def geodesic_length(geometry: dict) -> float:
    lons, lats = zip(*geometry["coordinates"], strict=True)
    return GEOD.line_length(lons, lats)


def wib(day: str, clock: str = "07:30") -> str:
    return f"{day}T{clock}:00+07:00"


def make_log(client, cast, code: str, start: str, geometry: dict | None = None, who: str = "crew_a",
             **measures) -> dict:
    """POST one log as a crew; `start` is an RFC 3339 time; the stored log is returned."""
    finished = datetime.fromisoformat(start) + timedelta(hours=1)
    payload = log_payload(started_at=start, finished_at=finished.isoformat(), **measures)
    payload["geometry"] = geometry or point_in(code)
    resp = client.post("/api/v1/logs", json=payload, headers=cast.headers(who))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["kelurahan_code"] == code, body
    return body


def review(client, cast, who: str, log_id: str, decision: str, note: str | None = None):
    body = {"decision": decision} if note is None else {"decision": decision, "note": note}
    return client.post(f"/api/v1/logs/{log_id}/review", json=body, headers=cast.headers(who))


def add_photo(app, log_id: str, kind: str) -> None:
    """Attach a photo row the way the photo service must: moving the log's rollup contribution."""
    with app.app_context():
        log = db.session.get(WorkLog, uuid.UUID(log_id))
        old = rollup.contribution(log)
        uploader = db.session.query(User).filter_by(username="crew_a").one()
        token = uuid.uuid4().hex
        db.session.add(Photo(
            id=uuid.uuid4(), log_id=log.id, kind=kind, content_type="image/jpeg", bytes=1000, sha256=token * 2,
            width=640, height=480, phash=0, phash_b0=0, phash_b1=0, phash_b2=0, phash_b3=0,
            storage_key=token, thumbnail_key=token, public_id=token, uploaded_by_id=uploader.id,
        ))
        db.session.flush()
        db.session.refresh(log)
        rollup.apply(old, rollup.contribution(log))
        db.session.commit()

