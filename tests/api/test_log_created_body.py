"""POST /api/v1/logs writes its 201 body without a LogSchema dump (api.logs.created_body): the
same JSON as the schema's dump of the log just created, and as the log read back."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from api.logs import created_body
from api.schemas.logs import LogCreateSchema, LogSchema
from models import User, db
from satgas.services import logs
from satgas.services.logs import CreatedLog
from tests.builders import KAUMAN, SUKUN, WIB, inside_point, log_payload


def _track(code: str) -> dict:
    x, y = inside_point(code)
    return {"type": "LineString", "coordinates": [[x, y], [x + 0.0004, y + 0.0001], [x + 0.0007, y + 0.0003]]}


def _late_start() -> str:  # crosses midnight WIB: the work date is the start's
    return (datetime.now(WIB) - timedelta(days=2)).replace(hour=23, minute=30, second=0, microsecond=0).isoformat()


CASES = {
    "point, optional fields null": {"kelurahan_code": None, "gps_accuracy_m": None, "length_m": None,
                                    "sediment_m3": None, "waste_kg": None, "workers": None, "notes": None,
                                    "complaint_ref": None},
    "point, every field set, claimed another kelurahan": {
        "kelurahan_code": SUKUN, "gps_accuracy_m": 250, "length_m": 12, "sediment_m3": 0.5, "waste_kg": 3,
        "workers": 4, "notes": "Selesai.\nBaris dua", "complaint_ref": "SAMBAT-2026-000123"},
    "track over midnight": {"geometry": _track(KAUMAN), "length_m": None, "start": _late_start(), "hours": 1},
}


@pytest.mark.parametrize("case", list(CASES))
def test_201_body_is_the_stored_log(client, cast, case):
    payload = log_payload(**CASES[case])
    answer = client.post("/api/v1/logs", json=payload, headers=cast.headers("crew_a"))
    assert answer.status_code == 201, answer.get_json()
    stored = client.get(f"/api/v1/logs/{payload['id']}", headers=cast.headers("crew_a"))
    assert answer.get_json() == stored.get_json()


@pytest.mark.parametrize("case", list(CASES))
def test_created_body_is_the_schema_dump_of_the_new_log(app, cast, case):
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "crew_a"))
        created, is_new = logs.submit_log(user, LogCreateSchema().load(log_payload(**CASES[case])))
        assert is_new and isinstance(created, CreatedLog)
        assert created_body(created) == LogSchema().dump(created.as_worklog(user))
