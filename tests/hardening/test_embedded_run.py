"""The embedded default served the way `make run` serves it: honcho starting the Procfile's private
Redis and gunicorn with several workers. Limits and the public cache are one for all workers."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from satgas.services.accounts import create_crew, create_user
from tests.builders import log_payload
from tests.images import during_work, jpeg
from tests.pg_server import free_port
from tests.servers import ROOT, Gunicorn, wait_http
from tests.support import PASSWORD, make_app

WORKERS = 4


class Embedded:
    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log
        self.tokens: dict[str, str] = {}

    def call(self, path: str, method: str = "GET", body: dict | bytes | None = None, token: str | None = None,
             content_type: str = "application/json") -> tuple[int, bytes]:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        headers = {"Content-Type": content_type} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def token(self, username: str) -> str:
        status, body = self.call("/api/v1/auth/token", "POST", {"username": username, "password": PASSWORD})
        assert status == 200, body
        return json.loads(body)["access_token"]

    def worker_pids_seen(self) -> set[int]:
        """Worker pids of the app's JSON access lines (one per request) in the servers' output."""
        pids = set()
        for line in self.log.read_text().splitlines():
            if line.startswith("{") and '"satgas.access"' in line:
                pids.add(json.loads(line)["pid"])
        return pids


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> Iterator[Embedded]:
    var = tmp_path_factory.mktemp("var")
    database, storage = f"sqlite:///{var / 'satgas.db'}", f"file://{var / 'photos'}"
    app = make_app(database, storage)  # what `flask init` does before `make run` serves
    with app.app_context():
        crew = create_crew("Regu Embedded", "35.73.02")
        create_user("crew_e", PASSWORD, "crew", crew_id=crew.id)
        create_user("sup_e", PASSWORD, "supervisor")
    port = free_port()
    # The environment `make run` gives honcho; only the paths and port are the test's own.
    env = {**os.environ, "DATABASE_URL": database, "STORAGE_URL": storage, "SECRET_KEY": "embedded-test",
           "SATGAS_VAR": str(var), "SATGAS_BIND": f"127.0.0.1:{port}", "REDIS_URL": f"unix://{var}/redis.sock",
           "VENV_BIN": str(Path(sys.executable).parent), "GUNICORN_WORKERS": str(WORKERS)}
    for name in ("LOGIN_RATE_LIMIT", "PUBLIC_RATE_LIMIT"):
        env.pop(name, None)  # the shipped defaults: 10 logins and 120 public requests a minute
    log = var / "servers.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "honcho"), "start", "--no-prefix"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        assert (var / "redis.sock").is_socket()
        served = Embedded(f"http://127.0.0.1:{port}", log)
        served.tokens = {name: served.token(name) for name in ("crew_e", "sup_e")}  # before the limit is used up
        yield served
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_one_login_limit_for_all_workers(embedded):
    codes = [embedded.call("/api/v1/auth/token", "POST", {"username": "sup_e", "password": "wrong-guess"})[0]
             for _ in range(30)]
    # Two logins of the fixture already count: 8 more answers, then 429 from every worker.
    assert codes[:8] == [401] * 8 and set(codes[8:]) == {429}, codes
    assert len(embedded.worker_pids_seen()) > 1  # several workers answered, one counter


def test_one_public_rate_limit_for_all_workers(embedded):
    codes = [embedded.call("/public/v1/ping")[0] for _ in range(150)]
    assert codes.count(200) == 120 and codes[120:] == [429] * 30, codes


def test_one_public_cache_a_rejected_logs_thumbnail_is_gone_from_every_worker(embedded):
    crew, sup = embedded.tokens["crew_e"], embedded.tokens["sup_e"]
    log = log_payload()
    assert embedded.call("/api/v1/logs", "POST", log, crew)[0] == 201
    photo = "6b0d3c1e-1f0a-4c2b-9a7e-0d1e2f3a4b5c"
    status, _ = embedded.call(f"/api/v1/logs/{log['id']}/photos/{photo}?kind=after", "PUT",
                              jpeg(taken=during_work(log)), crew, "image/jpeg")
    assert status == 201
    assert embedded.call(f"/api/v1/logs/{log['id']}/review", "POST", {"decision": "approved"}, sup)[0] == 200
    items = json.loads(embedded.call("/public/v1/activities")[1])["items"]
    thumbnail = items[0]["photos"][0]["thumbnail_url"]
    assert {embedded.call(thumbnail)[0] for _ in range(12)} == {200}  # cached on every worker
    review = {"decision": "rejected", "note": "Foto bukan lokasi ini"}
    assert embedded.call(f"/api/v1/logs/{log['id']}/review", "POST", review, sup)[0] == 200
    assert {embedded.call(thumbnail)[0] for _ in range(12)} == {404}  # at once, whichever worker answers
    assert json.loads(embedded.call("/public/v1/activities")[1])["items"] == []


def test_several_workers_without_a_shared_store_log_a_warning(tmp_path):
    database, storage = f"sqlite:///{tmp_path / 'w.db'}", f"file://{tmp_path / 'photos'}"
    make_app(database, storage)
    env = {"DATABASE_URL": database, "STORAGE_URL": storage, "SECRET_KEY": "x"}
    server = Gunicorn(env, workers=2)
    try:
        deadline = time.monotonic() + 10
        while "no REDIS_URL" not in Path(server.log.name).read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    assert "2 workers and no REDIS_URL" in Path(server.log.name).read_text()
