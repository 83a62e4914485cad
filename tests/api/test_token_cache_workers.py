"""gunicorn with several workers sharing Redis: each worker keeps the token entries it read (a warm
lookup asks Redis nothing), and a revocation through any worker is refused by every worker on the
very next request, also after Redis dropped the workers' connections."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import redis

from satgas.services.accounts import create_crew, create_user
from tests.servers import Gunicorn, ThrowawayRedis
from tests.support import PASSWORD, make_app

WORKERS = 3


def _call(url: str, method: str = "GET", body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as resp:  # a new connection each time: any worker answers
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _answers(server: Gunicorn, status: int) -> Counter:
    """Requests to auth/me answered with `status`, per worker pid (from the JSON access log)."""
    seen: Counter = Counter()
    for line in Path(server.log.name).read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("path") == "/api/v1/auth/me" and entry.get("status") == status:
                seen[entry["pid"]] += 1
    return seen


def _until_every_worker(server: Gunicorn, token: str, status: int, times: int = 1, limit: int = 300) -> None:
    """auth/me until every worker answered it `times` more times; each answer must be `status`."""
    before = _answers(server, status)
    pids = set(server.worker_pids())
    for _ in range(limit):
        code, _body = _call(f"{server.url}/api/v1/auth/me", token=token)
        assert code == status
        now = _answers(server, status)
        if all(now[pid] - before[pid] >= times for pid in pids):
            return
    pytest.fail(f"not every worker answered in {limit} requests: {dict(_answers(server, status))}")


def _gets(client: redis.Redis) -> int:
    return client.info("commandstats").get("cmdstat_get", {}).get("calls", 0)


@pytest.fixture
def workers(tmp_path):
    database, storage = f"sqlite:///{tmp_path / 'satgas.db'}", f"file://{tmp_path / 'photos'}"
    app = make_app(database, storage)
    with app.app_context():
        crew = create_crew("Regu Token", "35.73.02")
        create_user("crew_t", PASSWORD, "crew", crew_id=crew.id)
    store = ThrowawayRedis()
    env = {"DATABASE_URL": database, "STORAGE_URL": storage, "SECRET_KEY": "test-secret", "REDIS_URL": store.url,
           "LOGIN_RATE_LIMIT": "1000 per minute"}
    server = Gunicorn(env, workers=WORKERS)
    try:
        yield server, redis.Redis.from_url(store.url)
    finally:
        server.stop()
        store.stop()


def _login(server: Gunicorn) -> str:
    status, body = _call(f"{server.url}/api/v1/auth/token", "POST", {"username": "crew_t", "password": PASSWORD})
    assert status == 200
    return body["access_token"]


def test_a_revocation_through_one_worker_is_refused_by_every_worker_next(workers):
    server, store = workers
    token = _login(server)
    _until_every_worker(server, token, 200, times=2)  # every worker keeps the entry now
    gets = _gets(store)
    for _ in range(20):
        assert _call(f"{server.url}/api/v1/auth/me", token=token)[0] == 200
    assert _gets(store) == gets  # warm lookups asked Redis nothing
    assert _call(f"{server.url}/api/v1/auth/token", "DELETE", token=token)[0] == 204
    _until_every_worker(server, token, 401)  # every answer after the revocation is a 401


def test_dropped_redis_connections_fall_back_and_revocation_stays_immediate(workers):
    server, store = workers
    token = _login(server)
    _until_every_worker(server, token, 200, times=2)
    store.client_kill_filter(_type="normal", skipme=True)  # every worker's connections, tracking ones too
    _until_every_worker(server, token, 200, times=2)  # answered (plainly, then tracked again)
    assert _call(f"{server.url}/api/v1/auth/token", "DELETE", token=token)[0] == 204
    _until_every_worker(server, token, 401)
