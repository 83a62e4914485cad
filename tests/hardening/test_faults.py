"""Fault injection with real components: the database goes away, a worker dies mid-batch."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.request

import psycopg
from sqlalchemy import func, select

from models import AuditEvent, DailyProgress, WorkLog, db
from tests.builders import log_payload
from tests.servers import Gunicorn
from tests.support import login_headers


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_database_outage_answers_503_and_loses_nothing(cluster, pg_app):
    client = pg_app.test_client()
    headers = login_headers(client, "crew_h")
    first, second = log_payload(), log_payload()
    assert client.post("/api/v1/logs", json=first, headers=headers).status_code == 201
    cluster.stop()
    try:
        down = client.post("/api/v1/logs", json=second, headers=headers)
        assert down.status_code == 503
        assert "database" in down.get_json()["message"].lower()
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
    finally:
        cluster.start()
    assert client.get("/readyz").status_code == 200
    assert client.post("/api/v1/logs", json=second, headers=headers).status_code == 201
    assert client.post("/api/v1/logs", json=first, headers=headers).status_code == 200
    assert _count(pg_app, WorkLog) == 2 and _count(pg_app, AuditEvent) == 2
    with pg_app.app_context():
        assert db.session.scalar(select(func.sum(DailyProgress.logs))) == 2


def test_a_pooled_connection_idle_for_long_is_pinged_and_replaced_when_dead(cluster, pg_app, monkeypatch):
    """No ping on every checkout (a round trip per request); one after the connection sat idle,
    and a dead one is swapped for a new connection instead of failing the request."""
    from satgas.database import postgis

    client = pg_app.test_client()
    headers = login_headers(client, "crew_h")
    assert client.post("/api/v1/logs", json=log_payload(), headers=headers).status_code == 201
    pings = []
    with pg_app.app_context():
        dialect = db.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    assert client.post("/api/v1/logs", json=log_payload(), headers=headers).status_code == 201
    assert pings == []  # used a moment ago: no ping
    # The pool's connections die behind its back (PostgreSQL restarted, a firewall's idle timeout).
    with psycopg.connect(cluster.url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    monkeypatch.setattr(postgis, "IDLE_PING_SECONDS", -1)  # as if they sat idle for long
    assert client.post("/api/v1/logs", json=log_payload(), headers=headers).status_code == 201
    assert pings


def _post_json(url: str, body: dict, headers: dict, timeout: float = 120) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        return json.loads(resp.read())


def test_worker_killed_mid_batch_then_retry_reports_stored_items_unchanged(cluster, pg_app, tmp_path):
    with pg_app.app_context():
        db.session.execute(db.delete(AuditEvent))
        db.session.execute(db.delete(DailyProgress))
        db.session.execute(db.delete(WorkLog))
        db.session.commit()
    server = Gunicorn({"DATABASE_URL": cluster.url, "SECRET_KEY": "test-secret",
                       "STORAGE_URL": f"file://{tmp_path}"})
    try:
        headers = login_headers(pg_app.test_client(), "crew_h")
        batch = {"logs": [log_payload() for _ in range(500)]}
        failed = []
        sender = threading.Thread(target=lambda: _try(lambda: _post_json(server.url + "/api/v1/logs/batch",
                                                                       batch, headers), failed))
        sender.start()
        with psycopg.connect(cluster.url) as conn:
            deadline = time.monotonic() + 60
            while conn.execute("SELECT count(*) FROM work_logs").fetchone()[0] < 50:
                assert time.monotonic() < deadline, "the batch never committed its first chunk"
                time.sleep(0.01)
            for pid in server.worker_pids():
                os.kill(pid, signal.SIGKILL)
            sender.join(30)
            stored = conn.execute("SELECT count(*) FROM work_logs").fetchone()[0]
        assert failed, "the request should have died with its worker"
        assert 50 <= stored < 500
        server_wait = time.monotonic() + 30
        while not server.worker_pids() and time.monotonic() < server_wait:
            time.sleep(0.1)
        time.sleep(1.0)
        results = _post_json(server.url + "/api/v1/logs/batch", batch, headers)["results"]
        statuses = [r["status"] for r in results]
        assert statuses.count("unchanged") == stored
        assert statuses.count("created") == 500 - stored
        assert statuses[:stored] == ["unchanged"] * stored
        # Every log stored once, with exactly one creation event, and the rollup counting each once:
        # the chunk that died with the worker left nothing half-written behind.
        assert _count(pg_app, WorkLog) == 500
        with pg_app.app_context():
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action == "created")) == 500
            assert db.session.scalar(select(func.count(func.distinct(AuditEvent.log_id)))) == 500
            assert db.session.scalar(select(func.sum(DailyProgress.logs))) == 500
            sent = {log["id"] for log in batch["logs"]}
            assert {str(i) for i in db.session.scalars(select(WorkLog.id))} == sent
    finally:
        server.stop()


def _try(fn, failures: list) -> None:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - any transport error counts
        failures.append(exc)
