"""Review workflow: decisions, notes, the audit trail, who may review, and the signal after commit."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest

from models import DailyProgress, db
from satgas.signals import log_reviewed
from tests.builders import KAUMAN, SUKUN, post_log, review, wib


@pytest.fixture
def kauman_log(client, cast) -> dict:
    return post_log(client, cast, KAUMAN, start=wib("2026-11-10"))


def test_approve_returns_the_reviewed_log_and_crew_reads_it(client, cast, kauman_log):
    resp = review(client, cast, kauman_log["id"], "approved", "sup_klojen", "Bagus", expect=None)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["id"] == kauman_log["id"] and body["status"] == "approved"
    assert body["reviewed_by"] == "sup_klojen" and body["review_note"] == "Bagus"
    assert datetime.fromisoformat(body["reviewed_at"]).utcoffset() is not None
    seen = client.get(f"/api/v1/logs/{kauman_log['id']}", headers=cast.headers("crew_a")).get_json()
    assert (seen["status"], seen["reviewed_by"], seen["review_note"]) == ("approved", "sup_klojen", "Bagus")
    assert seen["reviewed_at"] == body["reviewed_at"]


def test_review_trail_in_order_with_who_what_when(client, cast, kauman_log):
    log_id = kauman_log["id"]
    steps = [("sup_klojen", "rejected", "Foto sebelum tidak ada"), ("admin", "approved", None),
             ("sup_city", "rejected", "Lokasi salah")]
    for who, decision, note in steps:
        review(client, cast, log_id, decision, who, note)
    history = client.get(f"/api/v1/logs/{log_id}/history", headers=cast.headers("crew_a")).get_json()
    assert [e["action"] for e in history] == ["created", "reviewed", "reviewed", "reviewed"]
    reviews = history[1:]
    assert [(e["actor"], e["details"]["decision"], e["details"]["note"]) for e in reviews] == steps
    assert [e["details"]["previous_status"] for e in reviews] == ["submitted", "rejected", "approved"]
    times = [datetime.fromisoformat(e["at"]) for e in history]
    assert times == sorted(times) and all(t.utcoffset() is not None for t in times)
    final = client.get(f"/api/v1/logs/{log_id}", headers=cast.headers("crew_a")).get_json()
    assert (final["status"], final["reviewed_by"], final["review_note"]) == ("rejected", "sup_city", "Lokasi salah")


@pytest.mark.parametrize("body", [{"decision": "rejected"}, {"decision": "rejected", "note": "   "},
                                  {"decision": "rejected", "note": None}, {"decision": "maybe"}, {},
                                  {"decision": "approved", "note": "x" * 2001},
                                  {"decision": "approved", "extra": 1}])
def test_invalid_review_is_422_and_changes_nothing(client, cast, kauman_log, body):
    resp = client.post(f"/api/v1/logs/{kauman_log['id']}/review", json=body, headers=cast.headers("sup_klojen"))
    assert resp.status_code == 422 and resp.get_json()["message"]
    stored = client.get(f"/api/v1/logs/{kauman_log['id']}", headers=cast.headers("crew_a")).get_json()
    assert stored["status"] == "submitted" and stored["reviewed_by"] is None


def test_reject_without_note_says_why(client, cast, kauman_log):
    resp = review(client, cast, kauman_log["id"], "rejected", "sup_klojen", expect=None)
    assert resp.status_code == 422
    assert "note" in resp.get_json()["message"] and "note" in str(resp.get_json()["errors"])


def test_who_may_review(client, cast, kauman_log):
    sukun_log = post_log(client, cast, SUKUN, start=wib("2026-11-10"), who="crew_b")
    assert review(client, cast, kauman_log["id"], "approved", "crew_a", expect=None).status_code == 403
    assert review(client, cast, kauman_log["id"], "approved", "crew_b", expect=None).status_code == 403
    assert review(client, cast, sukun_log["id"], "approved", "sup_klojen", expect=None).status_code == 403
    assert review(client, cast, str(uuid.uuid4()), "approved", "sup_klojen", expect=None).status_code == 404
    assert review(client, cast, str(uuid.uuid4()), "approved", "crew_a", expect=None).status_code == 403  # never crews
    assert review(client, cast, sukun_log["id"], "approved", "sup_city", expect=None).status_code == 200
    assert review(client, cast, kauman_log["id"], "rejected", "admin", "no", expect=None).status_code == 200
    history = client.get(f"/api/v1/logs/{sukun_log['id']}/history", headers=cast.headers("admin")).get_json()
    assert [e["actor"] for e in history] == ["crew_b", "sup_city"]
    resp = client.post(f"/api/v1/logs/{kauman_log['id']}/review", json={"decision": "approved"})
    assert resp.status_code == 401


def test_signal_is_sent_after_commit(client, cast, kauman_log, app):
    seen = []

    def listener(sender, log_id, status):
        with app.app_context():
            # A listener reads what the database now holds: the decision is already committed.
            stored = db.session.get(DailyProgress, (KAUMAN, datetime(2026, 11, 10).date(), status))
            seen.append((sender, str(log_id), status, stored.logs if stored else None))

    with log_reviewed.connected_to(listener):
        review(client, cast, kauman_log["id"], "approved", "sup_klojen")
    assert seen == [(app, kauman_log["id"], "approved", 1)]


def test_concurrent_reviews_keep_the_rollup_whole(app, cast, kauman_log):
    decisions = [("sup_klojen", "approved", None), ("sup_city", "rejected", "no"), ("admin", "approved", None),
                 ("sup_klojen", "rejected", "again")]
    statuses = []

    def send(who: str, decision: str, note: str | None) -> None:
        with app.test_client() as c:
            statuses.append(review(c, cast, kauman_log["id"], decision, who, note, expect=None).status_code)

    threads = [threading.Thread(target=send, args=d) for d in decisions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 4
    final = app.test_client().get(f"/api/v1/logs/{kauman_log['id']}", headers=cast.headers("admin")).get_json()
    with app.app_context():
        rows = db.session.query(DailyProgress).filter_by(kelurahan_code=KAUMAN).all()
        assert [(r.status, r.logs) for r in rows if r.logs] == [(final["status"], 1)]
        assert all(r.logs >= 0 for r in rows)
