"""The worker as it runs in production: `flask --app wsgi worker`, a process of its own.

Killed mid-delivery it loses nothing; several on PostgreSQL deliver each event once; SQLite runs
one; SIGTERM stops it cleanly.
"""
from __future__ import annotations

import fcntl
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import WebhookAttempt, WebhookMessage, db
from tests.builders import add_webhook, log_payload, post_log, review
from tests.servers import Receiver, WorkerProcess


def _eventually(check, timeout: float = 60.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_worker_killed_before_delivering_loses_nothing(app, client, cast, private_ok):
    hold = threading.Event()
    with Receiver(hold=hold) as receiver:
        hook = add_webhook(client, cast, receiver.url, ("log.approved",))
        review(client, cast, post_log(client, cast)["id"])  # committed: the event waits in the outbox
        worker = WorkerProcess(app)
        assert receiver.arrived.wait(60), worker.output()  # sent, but the receiver has not answered
        worker.kill()
        hold.set()
        assert _count(app, WebhookAttempt) == 0  # the dead worker recorded nothing
        restarted = WorkerProcess(app)
        _eventually(lambda: _count(app, WebhookMessage, WebhookMessage.status == "delivered") == 1,
                    what=f"the delivery after the restart: {restarted.output()}")
        assert restarted.stop() == 0  # SIGTERM: a clean stop
    assert len(receiver.received) == 2 and len(set(receiver.ids())) == 1
    deliveries = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=cast.headers("admin")).get_json()
    assert [(d["attempt"], d["status_code"]) for d in deliveries] == [(1, 200)]


def test_worker_once_delivers_what_is_due_and_exits(app, client, cast, private_ok):
    with Receiver() as receiver:
        add_webhook(client, cast, receiver.url, ("log.approved",))
        review(client, cast, post_log(client, cast)["id"])
        worker = WorkerProcess(app, "--once")
        assert worker.wait() == 0, worker.output()
    assert len(receiver.received) == 1


@pytest.mark.parametrize("db_backend", ["postgis"])
def test_two_workers_on_postgresql_deliver_each_event_exactly_once(app, client, cast, private_ok):
    with Receiver(delay=0.02) as receiver:
        add_webhook(client, cast, receiver.url, ("log.created",))
        workers = [WorkerProcess(app), WorkerProcess(app)]
        for worker in workers:
            _eventually(lambda w=worker: "webhook worker started" in w.output(), what="both workers to start")
        logs = [log_payload() for _ in range(60)]
        resp = client.post("/api/v1/logs/batch", json={"logs": logs}, headers=cast.headers("crew_a"))
        assert [r["status"] for r in resp.get_json()["results"]] == ["created"] * 60
        _eventually(lambda: _count(app, WebhookMessage, WebhookMessage.status == "delivered") == 60,
                    what="60 deliveries")
        assert [worker.stop() for worker in workers] == [0, 0]
    assert len(receiver.received) == 60 and len(set(receiver.ids())) == 60
    assert _count(app, WebhookAttempt) == 60
    shares = [worker.output().count("delivered") for worker in workers]
    assert sum(shares) == 60 and min(shares) > 0, shares  # both worked, side by side


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_sqlite_runs_one_worker(app):
    first = WorkerProcess(app)
    lock = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + ".worker-lock")

    def held() -> bool:
        if not lock.exists():
            return False
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    _eventually(held, what=f"the first worker to start: {first.output()}")
    second = WorkerProcess(app, "--once")
    assert second.wait() != 0 and "SQLite allows one" in second.output()
    assert first.stop() == 0
