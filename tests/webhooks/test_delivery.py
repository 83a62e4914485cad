"""Delivering webhooks to a real receiver on loopback: signed, at least once, retried, honest records.

The worker's step runs in this process with a movable clock (`deliver(now)`); the webhook
timestamps and signatures use the real clock, so `standardwebhooks` verifies them as a receiver would.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook, WebhookVerificationError

from models import WebhookEvent, WebhookMessage, db, utcnow
from satgas.services.delivery import RETRY_DELAYS
from tests.builders import add_webhook, log_payload, post_log, review, upload_photo
from tests.servers import Receiver, self_signed_pem


def _deliveries(client, cast, hook: dict) -> list[dict]:
    resp = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=cast.headers("admin"))
    assert resp.status_code == 200
    return resp.get_json()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _verified(hook: dict, received) -> dict:
    return Webhook(hook["secret"]).verify(received.body, received.headers)


def test_an_approval_is_delivered_once_signed_with_the_log_as_an_admin_sees_it(client, cast, receiver, deliver):
    hook = add_webhook(client, cast, receiver.url, ("log.approved",))
    log = post_log(client, cast, complaint_ref="SBT-2026/11/00042")
    review(client, cast, log["id"])
    assert deliver() == 1 and deliver() == 0

    [got] = receiver.received
    payload = _verified(hook, got)
    assert payload["type"] == "log.approved" and set(payload) == {"type", "timestamp", "data"}
    as_admin = client.get(f"/api/v1/logs/{log['id']}", headers=cast.headers("admin")).get_json()
    assert payload["data"] == as_admin and as_admin["status"] == "approved"
    assert payload["data"]["complaint_ref"] == "SBT-2026/11/00042"
    assert got.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(got.body, got.headers)

    [attempt] = _deliveries(client, cast, hook)
    assert attempt["event_id"] == got.headers["webhook-id"] and attempt["event_id"].startswith("evt_")
    assert (attempt["type"], attempt["attempt"], attempt["status_code"], attempt["error"],
            attempt["next_attempt_at"]) == ("log.approved", 1, 200, None, None)


def test_a_failing_receiver_gets_the_same_event_id_until_it_answers(app, client, cast, private_ok, deliver):
    with Receiver((500, {}), (500, {})) as receiver:
        hook = add_webhook(client, cast, receiver.url, ("log.approved",))
        review(client, cast, post_log(client, cast)["id"])
        start = utcnow()
        assert deliver(start) == 1
        assert deliver(start) == 0  # the retry is not due yet
        first_retry = _at(_deliveries(client, cast, hook)[0]["next_attempt_at"]) - start
        assert timedelta(seconds=RETRY_DELAYS[0] * 0.8) <= first_retry <= timedelta(seconds=RETRY_DELAYS[0] * 1.2)
        assert deliver(start + timedelta(minutes=1)) == 1
        assert deliver(start + timedelta(hours=1)) == 1

    assert len(receiver.received) == 3 and len(set(receiver.ids())) == 1
    assert [_verified(hook, got)["type"] for got in receiver.received] == ["log.approved"] * 3
    attempts = _deliveries(client, cast, hook)
    assert [(a["attempt"], a["status_code"], a["error"]) for a in attempts] == [
        (3, 200, None), (2, 500, "HTTP 500"), (1, 500, "HTTP 500")]
    assert {a["event_id"] for a in attempts} == set(receiver.ids())
    assert attempts[0]["next_attempt_at"] is None
    second_retry = _at(attempts[1]["next_attempt_at"]) - _at(attempts[1]["at"])
    assert timedelta(seconds=RETRY_DELAYS[1] * 0.8) <= second_retry <= timedelta(seconds=RETRY_DELAYS[1] * 1.2)


def test_retry_after_sets_the_next_attempt(client, cast, private_ok, deliver):
    with Receiver((503, {"Retry-After": "3600"})) as receiver:
        hook = add_webhook(client, cast, receiver.url, ("log.approved",))
        review(client, cast, post_log(client, cast)["id"])
        start = utcnow()
        assert deliver(start) == 1
        [attempt] = _deliveries(client, cast, hook)
        assert attempt["status_code"] == 503
        assert _at(attempt["next_attempt_at"]) - _at(attempt["at"]) == timedelta(hours=1)
        assert deliver(start + timedelta(minutes=59)) == 0
        assert deliver(start + timedelta(minutes=61)) == 1
    assert len(receiver.received) == 2


def test_410_gone_disables_the_endpoint(client, cast, private_ok, deliver):
    with Receiver(default=(410, {})) as receiver:
        hook = add_webhook(client, cast, receiver.url, ("log.approved",))
        for _ in range(2):
            review(client, cast, post_log(client, cast)["id"])
        assert deliver() == 1  # the second message is cancelled with the endpoint
        review(client, cast, post_log(client, cast)["id"])
        assert deliver(utcnow() + timedelta(days=1)) == 0
    assert len(receiver.received) == 1
    [listed] = client.get("/api/v1/webhooks", headers=cast.headers("admin")).get_json()
    assert listed["active"] is False and "410" in listed["disabled_reason"]
    [attempt] = _deliveries(client, cast, hook)
    assert attempt["status_code"] == 410 and attempt["next_attempt_at"] is None


def test_retries_last_more_than_a_day_then_give_up(client, cast, private_ok, deliver):
    with Receiver(default=(500, {})) as receiver:
        hook = add_webhook(client, cast, receiver.url, ("log.approved",))
        review(client, cast, post_log(client, cast)["id"])
        now = utcnow()
        while deliver(now):
            latest = _deliveries(client, cast, hook)[0]
            if latest["next_attempt_at"] is None:
                break
            now = _at(latest["next_attempt_at"]) + timedelta(seconds=1)
    attempts = _deliveries(client, cast, hook)
    assert len(attempts) == len(RETRY_DELAYS) + 1 == len(receiver.received)
    assert _at(attempts[0]["at"]) - _at(attempts[-1]["at"]) > timedelta(hours=24)
    assert "gave up" in attempts[0]["error"] and attempts[0]["next_attempt_at"] is None
    assert deliver(now + timedelta(days=7)) == 0


def test_a_private_address_is_checked_again_when_sending(app, client, cast, receiver, deliver, monkeypatch):
    hook = add_webhook(client, cast, receiver.url, ("log.approved",))
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)  # as if the name now pointed inside
    review(client, cast, post_log(client, cast)["id"])
    assert deliver() == 1
    [attempt] = _deliveries(client, cast, hook)
    assert attempt["status_code"] is None and "127.0.0.1" in attempt["error"] and attempt["next_attempt_at"]
    assert receiver.received == []


def test_https_receivers_are_verified_and_reached_by_name(client, cast, private_ok, deliver, tmp_path, monkeypatch):
    pem = self_signed_pem(tmp_path / "receiver.pem")
    with Receiver(tls=pem) as receiver:
        hook = add_webhook(client, cast, receiver.url, ("log.approved",))
        review(client, cast, post_log(client, cast)["id"])
        start = utcnow()
        assert deliver(start) == 1
        [refused] = _deliveries(client, cast, hook)
        assert refused["status_code"] is None and "TLS failed" in refused["error"]  # an unknown issuer
        monkeypatch.setenv("SSL_CERT_FILE", str(pem))  # the receiver's certificate is now trusted
        assert deliver(start + timedelta(hours=1)) == 1
    [got] = receiver.received
    assert _verified(hook, got)["type"] == "log.approved"
    assert got.headers["host"] == receiver.url.split("/")[2]  # localhost:port, though the address was checked
    assert _deliveries(client, cast, hook)[0]["status_code"] == 200


def test_creation_photos_and_rejections_are_events_written_with_the_change(app, client, cast, receiver, deliver):
    hook = add_webhook(client, cast, receiver.url, ("log.created", "photo.added", "log.rejected"))
    single = post_log(client, cast)
    post_log(client, cast, expect=200, **{k: v for k, v in single.items() if k in log_payload()})  # a replay
    batch = [log_payload(), log_payload(), log_payload(started_at="not a time")]
    results = client.post("/api/v1/logs/batch", json={"logs": batch}, headers=cast.headers("crew_a")).get_json()
    assert [r["status"] for r in results["results"]] == ["created", "created", "invalid"]
    photo = upload_photo(client, cast, single, "before").get_json()
    review(client, cast, single["id"], "rejected", who="crew_a", note="no", expect=403)  # refused: no event
    review(client, cast, single["id"], "rejected", note="Foto sesudah tidak ada")
    assert deliver() == 5

    payloads = [_verified(hook, got) for got in receiver.received]
    by_type = {}
    for payload in payloads:
        by_type.setdefault(payload["type"], []).append(payload["data"])
    assert sorted(d["id"] for d in by_type["log.created"]) == sorted([single["id"], batch[0]["id"], batch[1]["id"]])
    assert next(d for d in by_type["log.created"] if d["id"] == single["id"]) == single  # as the 201 said
    assert by_type["photo.added"] == [photo] and photo["log_id"] == single["id"]
    assert [d["status"] for d in by_type["log.rejected"]] == ["rejected"]


def test_nothing_is_queued_for_nobody_or_for_other_event_types(app, client, cast, receiver, deliver):
    review(client, cast, post_log(client, cast)["id"])  # no endpoint yet
    add_webhook(client, cast, receiver.url, ("photo.added",))
    review(client, cast, post_log(client, cast)["id"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
        assert db.session.scalar(select(func.count()).select_from(WebhookMessage)) == 0
    assert deliver() == 0 and receiver.received == []


def test_deleting_an_endpoint_cancels_what_it_had_pending(client, cast, receiver, deliver):
    hook = add_webhook(client, cast, receiver.url, ("log.approved",))
    review(client, cast, post_log(client, cast)["id"])
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=cast.headers("admin")).status_code == 204
    assert deliver() == 0 and receiver.received == []


def test_metrics_count_pending_events_and_deliveries(client, cast, receiver, deliver):
    add_webhook(client, cast, receiver.url, ("log.approved",))
    review(client, cast, post_log(client, cast)["id"])
    assert "satgas_webhook_events_pending 1.0" in client.get("/metrics").get_data(as_text=True)
    assert deliver() == 1
    text = client.get("/metrics").get_data(as_text=True)
    assert "satgas_webhook_events_pending 0.0" in text
    assert 'satgas_webhook_deliveries_total{outcome="delivered"}' in text


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WebhookEvent))


def test_each_process_remembers_the_endpoints_for_two_seconds_at_most(app, client, cast, receiver, monkeypatch):
    """Every new log asks who listens; a process remembers the answer briefly. An endpoint
    registered or deleted through this process counts at once; one registered by another process
    (here: written straight to the database) within SUBSCRIBERS_CACHE_SECONDS."""
    from models import Webhook as Endpoint
    from satgas.services import outbox

    post_log(client, cast)  # remembered: nobody listens
    with app.app_context():
        db.session.add(Endpoint(url=receiver.url, events="log.created", active=True, secret_encrypted="x",
                                created_by="another worker", created_at=utcnow()))
        db.session.commit()
    clock = outbox.time.monotonic()
    monkeypatch.setattr(outbox.time, "monotonic", lambda: clock + 0.5)
    post_log(client, cast)
    assert _events(app) == 0  # not yet seen by this process
    monkeypatch.setattr(outbox.time, "monotonic", lambda: clock + outbox.SUBSCRIBERS_CACHE_SECONDS + 0.1)
    post_log(client, cast)
    assert _events(app) == 1

    hook = add_webhook(client, cast, receiver.url, ("log.approved",))
    logged = post_log(client, cast)
    review(client, cast, logged["id"])  # the new endpoint counts at once: no wait
    assert _events(app) == 3
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=cast.headers("admin")).status_code == 204
    review(client, cast, post_log(client, cast)["id"])  # the deleted one no longer does
    assert _events(app) == 4  # only the log.created of that last log
