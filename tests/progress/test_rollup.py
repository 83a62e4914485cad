"""The rollup equals a direct aggregate over the logs after a random mix of writes."""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import case, func, select

from models import AuditEvent, DailyProgress, WorkLog, db
from satgas.services.progress import daily_series, kelurahan_progress, progress_from_logs, totals
from tests.builders import log_payload, point_in, post_log, review, track_in, upload_photo, wib

AREAS = ["35.73.02.1007", "35.73.02.1001", "35.73.04.1005", "35.73.05.1006", "35.73.03.1008"]
CREW_OF = {"35.73.04": "crew_b"}
FROM, TO = date(2026, 10, 25), date(2026, 11, 8)
STEPS = 60


def _random_log(client, cast, rng: random.Random) -> tuple[dict, dict]:
    code = rng.choice(AREAS)
    day = rng.randint(26, 31 + 7)
    when = f"2026-10-{day}" if day <= 31 else f"2026-11-0{day - 31}"
    clock = rng.choice(["06:30", "07:00", "11:15", "14:59", "23:30"])
    geometry = track_in(code, rng.choice([40, 90, 150])) if rng.random() < 0.4 else point_in(code)
    measures = {name: (None if rng.random() < 0.2 else round(rng.uniform(0, top), 2))
                for name, top in (("length_m", 200), ("sediment_m3", 5), ("waste_kg", 300))}
    who = CREW_OF.get(code[:8], "crew_a")
    body = post_log(client, cast, code, start=wib(when, clock), hours=1, geometry=geometry, who=who, **measures)
    return body, {"who": who, "geometry": geometry, "start": body["started_at"], **measures}


def _replay(client, cast, log: dict, sent: dict, changed: bool) -> None:
    payload = log_payload(id=log["id"], started_at=log["started_at"], finished_at=log["finished_at"],
                          length_m=sent["length_m"], sediment_m3=sent["sediment_m3"], waste_kg=sent["waste_kg"])
    payload["geometry"] = sent["geometry"]
    if changed:
        payload["waste_kg"] = (sent["waste_kg"] or 0) + 1
    resp = client.post("/api/v1/logs", json=payload, headers=cast.headers(sent["who"]))
    assert resp.status_code == (409 if changed else 200), resp.get_json()


def _step(client, cast, app, rng: random.Random, logs: list) -> None:
    action = rng.choices(["insert", "replay", "conflict", "approve", "reject", "photo"], [5, 2, 1, 3, 2, 2])[0]
    if action == "insert" or not logs:
        logs.append(_random_log(client, cast, rng))
        return
    log, sent = rng.choice(logs)
    if action in ("replay", "conflict"):
        _replay(client, cast, log, sent, changed=action == "conflict")
    elif action == "photo":
        upload_photo(client, cast, log, rng.choice(["before", "after"]), who=sent["who"])
    else:
        who = "sup_city" if rng.random() < 0.5 else "admin"
        note = "Periksa lagi" if action == "reject" or rng.random() < 0.3 else None
        decision = {"approve": "approved", "reject": "rejected"}[action]
        review(client, cast, log["id"], decision, who, note)


def _direct_rollup() -> dict[tuple, tuple]:
    """daily_progress recomputed from scratch: (kelurahan, date, status) → (logs, length, sediment, waste)."""
    w = WorkLog
    length = case((w.measured_length_m > 0, w.measured_length_m), else_=func.coalesce(w.length_m, 0))
    query = select(w.kelurahan_code, w.work_date, w.status, func.count(), func.sum(length),
                   func.sum(func.coalesce(w.sediment_m3, 0)), func.sum(func.coalesce(w.waste_kg, 0))
                   ).group_by(w.kelurahan_code, w.work_date, w.status)
    return {(k, str(d), s): (n, a, b, c) for k, d, s, n, a, b, c in db.session.execute(query)}


def _stored_rollup() -> dict[tuple, tuple]:
    d = DailyProgress
    rows = db.session.execute(select(d.kelurahan_code, d.work_date, d.status, d.logs, d.length_m, d.sediment_m3,
                                     d.waste_kg))
    return {(k, str(day), s): (n, a, b, c) for k, day, s, n, a, b, c in rows if n != 0}


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_rollup_equals_direct_aggregate_after_random_writes(client, cast, app, seed):
    rng = random.Random(seed)
    logs: list = []
    for _ in range(STEPS):
        _step(client, cast, app, rng, logs)
    with app.app_context():
        reviewed = db.session.execute(select(func.count(), func.count(func.distinct(AuditEvent.log_id)))
                                      .where(AuditEvent.action == "reviewed")).one()
        assert reviewed[0] > reviewed[1] > 0, "the sequence should hold re-reviews"
        assert _stored_rollup() == {key: pytest.approx(value) for key, value in _direct_rollup().items()}
        for approved_only in (False, True):
            for kecamatan in (None, "35.73.02"):
                rolled = kelurahan_progress(FROM, TO, kecamatan, approved_only)
                direct = progress_from_logs(FROM, TO, kecamatan, approved_only)
                assert len(rolled) == len(direct) == (57 if kecamatan is None else 11)
                for got, want in zip(rolled, direct, strict=True):
                    assert got == {k: pytest.approx(v, abs=1e-6) if isinstance(v, float) else v
                                   for k, v in want.items()}
        city = totals(progress_from_logs(FROM, TO))
        assert city["logs"] > 10 and city["approved"] and city["rejected"] and city["photos"]
        series = daily_series(FROM, TO)
        assert sum(day["logs"] for day in series) == city["logs"]
        assert sum(day["length_m"] for day in series) == pytest.approx(city["length_m"], abs=1e-3)
        assert sum(day["waste_kg"] for day in series) == pytest.approx(city["waste_kg"], abs=1e-3)
