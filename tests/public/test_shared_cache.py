"""Two gunicorn servers sharing Redis: an approval on one invalidates the public cache of the other."""
from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta

import pytest

from satgas.services.accounts import create_crew, create_user
from tests.builders import log_payload
from tests.servers import Gunicorn, ThrowawayRedis
from tests.support import PASSWORD, WIB, make_app


def _call(url: str, method: str = "GET", body: dict | None = None, token: str | None = None) -> tuple[dict, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers)) as resp:
        return json.loads(resp.read()), dict(resp.headers)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    where = tmp_path_factory.mktemp("shared-cache")
    database, storage = f"sqlite:///{where / 'satgas.db'}", f"file://{where / 'photos'}"
    app = make_app(database, storage)
    with app.app_context():
        crew = create_crew("Regu Bersama", "35.73.02")
        create_user("crew_s", PASSWORD, "crew", crew_id=crew.id)
        create_user("sup_s", PASSWORD, "supervisor")
    redis = ThrowawayRedis()
    env = {"DATABASE_URL": database, "STORAGE_URL": storage, "SECRET_KEY": "test-secret", "REDIS_URL": redis.url,
           "PUBLIC_RATE_LIMIT": "100000 per minute", "LOGIN_RATE_LIMIT": "1000 per minute"}
    servers = []
    try:
        servers = [Gunicorn(env), Gunicorn(env)]
        yield servers
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def test_an_approval_on_one_server_refreshes_the_other(two_servers):
    reader, writer = (server.url for server in two_servers)
    token = {name: _call(f"{writer}/api/v1/auth/token", "POST", {"username": name, "password": PASSWORD})[0]
             ["access_token"] for name in ("crew_s", "sup_s")}
    log, _ = _call(f"{writer}/api/v1/logs", "POST", log_payload(), token["crew_s"])
    before, headers = _call(f"{reader}/public/v1/progress")
    again, again_headers = _call(f"{reader}/public/v1/progress")
    assert before["totals"]["logs"] == 0 and again_headers["ETag"] == headers["ETag"]
    _call(f"{writer}/api/v1/logs/{log['id']}/review", "POST", {"decision": "approved"}, token["sup_s"])
    after, after_headers = _call(f"{reader}/public/v1/progress")
    assert after["totals"]["logs"] == 1 and after_headers["ETag"] != headers["ETag"]


def test_every_worker_sees_each_change_on_its_next_request(two_servers):
    """Each worker keeps the generation while Redis pushes no invalidation: warmed workers still
    answer the new figures on the very next request after every review."""
    reader, writer = (server.url for server in two_servers)
    token = {name: _call(f"{writer}/api/v1/auth/token", "POST", {"username": name, "password": PASSWORD})[0]
             ["access_token"] for name in ("crew_s", "sup_s")}
    first, _ = _call(f"{writer}/api/v1/logs", "POST", log_payload(), token["crew_s"])
    earlier = (datetime.now(WIB) - timedelta(days=2)).replace(hour=7, minute=30, second=0, microsecond=0)
    second, _ = _call(f"{writer}/api/v1/logs", "POST", log_payload(start=earlier.isoformat()), token["crew_s"])
    for log, decision in ((first, "approved"), (first, "rejected"), (second, "approved")):
        seen = {_call(f"{reader}/public/v1/progress")[0]["totals"]["logs"] for _ in range(20)}  # warm every worker
        assert len(seen) == 1
        _call(f"{writer}/api/v1/logs/{log['id']}/review", "POST", {"decision": decision, "note": "cek"}, token["sup_s"])
        expected = seen.pop() + (1 if decision == "approved" else -1)
        assert {_call(f"{reader}/public/v1/progress")[0]["totals"]["logs"] for _ in range(20)} == {expected}
