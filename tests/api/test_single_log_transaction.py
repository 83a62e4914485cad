"""A single new log on PostGIS is placed and measured by reads, then written with its audit event,
coverage and rollup in ONE statement: it runs without a transaction, so no BEGIN and COMMIT round
trips. Unless a webhook listens (its event must be written in the log's transaction), and never
leaving a pooled connection in autocommit for whoever checks it out next."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from models import AuditEvent, DailyProgress, WebhookEvent, WorkLog, db
from tests.builders import add_webhook, log_payload, post_log
from tests.support import watching_statements

pytestmark = pytest.mark.parametrize("db_backend", ["postgis"])


@contextmanager
def autocommit_by_statement(app) -> Iterator[list[tuple[str, bool]]]:
    """(first word of each SQL statement, whether its connection was in autocommit)."""
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, *_rest) -> None:
        seen.append((statement.split(None, 1)[0].upper(), conn.connection.dbapi_connection.autocommit))

    with watching_statements(app, record):
        yield seen


def _pooled_connections_in_autocommit(app) -> list[bool]:
    with app.app_context():
        pool = db.engine.pool
        held = [pool.connect() for _ in range(pool.checkedin())]
        try:
            return [conn.dbapi_connection.autocommit for conn in held]
        finally:
            for conn in held:
                conn.close()


def test_a_new_log_is_stored_whole_without_a_transaction(app, client, cast):
    post_log(client, cast)  # warm: the token is cached, last_seen_at written
    with autocommit_by_statement(app) as seen:
        created = post_log(client, cast)
    assert seen and all(autocommit for _word, autocommit in seen), seen
    assert [word for word, _ in seen].count("WITH") >= 1  # the one writing statement
    with app.app_context():
        assert db.session.get(WorkLog, created["id"]) is not None
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.log_id == created["id"])) == 1
        assert db.session.scalar(select(func.sum(DailyProgress.logs))) == 2
    assert not any(_pooled_connections_in_autocommit(app))


def test_a_replay_and_a_conflict_answer_as_before(client, cast):
    payload = log_payload()
    headers = cast.headers("crew_a")
    assert client.post("/api/v1/logs", json=payload, headers=headers).status_code == 201
    assert client.post("/api/v1/logs", json=payload, headers=headers).status_code == 200
    changed = {**payload, "waste_kg": (payload.get("waste_kg") or 0) + 1}
    assert client.post("/api/v1/logs", json=changed, headers=headers).status_code == 409


def test_with_a_webhook_listening_the_log_and_its_event_share_a_transaction(app, client, cast, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    add_webhook(client, cast, "http://127.0.0.1:9/hook", events=("log.created",))
    with autocommit_by_statement(app) as seen:
        created = post_log(client, cast)
    writes = [autocommit for word, autocommit in seen if word in ("WITH", "INSERT")]
    assert writes and not any(writes), seen
    with app.app_context():
        events = db.session.scalars(select(WebhookEvent).where(WebhookEvent.type == "log.created")).all()
        assert [json.loads(e.body)["data"]["id"] for e in events] == [created["id"]]
    assert not any(_pooled_connections_in_autocommit(app))
