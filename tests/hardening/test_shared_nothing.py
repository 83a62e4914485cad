"""Two gunicorn servers sharing only PostGIS and Redis: one rate limit, one stored log."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from models import AuditEvent, WorkLog, db
from tests.builders import log_payload
from tests.servers import Gunicorn, ThrowawayRedis
from tests.support import login_headers


@pytest.fixture(scope="module")
def two_servers(cluster, pg_app, tmp_path_factory):
    redis = ThrowawayRedis()
    env = {"DATABASE_URL": cluster.url, "SECRET_KEY": "test-secret", "REDIS_URL": redis.url,
           "STORAGE_URL": f"file://{tmp_path_factory.mktemp('shared-photos')}", "LOGIN_RATE_LIMIT": "4 per minute"}
    servers = []
    try:
        servers = [Gunicorn(env, workers=2), Gunicorn(env, workers=2)]
        yield servers
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def _status(url: str, body: dict, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**(headers or {}), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_login_rate_limit_is_shared_across_servers(two_servers):
    a, b = two_servers
    wrong = {"username": "crew_h", "password": "not-the-password"}
    codes = [_status(server.url + "/api/v1/auth/token", wrong) for server in (a, b, a, b, a, b)]
    assert codes[:4] == [401, 401, 401, 401]
    assert codes[4:] == [429, 429]


def test_replay_to_both_servers_at_once_stores_one_log(two_servers, pg_app):
    headers = login_headers(pg_app.test_client(), "crew_h")
    payload = log_payload()
    codes: list[int] = []
    start = threading.Barrier(6)

    def replay(server) -> None:
        start.wait()  # the six replays leave together, three to each server
        codes.append(_status(server.url + "/api/v1/logs", payload, headers))

    threads = [threading.Thread(target=replay, args=(s,)) for s in two_servers * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * 5 + [201]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).where(WorkLog.id == payload["id"])) == 1
        assert db.session.scalar(select(func.count()).where(AuditEvent.log_id == payload["id"])) == 1
