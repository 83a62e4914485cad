"""Operations: Prometheus metrics and structured JSON logs with a request id on every line."""
from __future__ import annotations

import io
import json
import logging
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

from satgas.request_log import RequestIdFilter
from tests.builders import log_payload
from tests.servers import Gunicorn
from tests.support import make_app


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


def test_metrics_count_ingest_and_show_review_backlog(client, cast):
    before = client.get("/metrics").get_data(as_text=True)
    created = 'satgas_logs_ingested_total{outcome="created"}'
    start = _metric(before, created) if created in before else 0.0
    for _ in range(2):
        client.post("/api/v1/logs", json=log_payload(), headers=cast.headers("crew_a"))
    text = client.get("/metrics").get_data(as_text=True)
    assert _metric(text, created) == start + 2
    assert _metric(text, "satgas_review_backlog") == 2
    assert "flask_http_request_duration_seconds_bucket" in text


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of the sample `name` whose labels include `labels` (0 when there is none)."""
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_each_request_is_timed_and_counted_by_route_method_and_status(client, cast):
    def counts() -> tuple[float, float, float, float]:
        text = client.get("/metrics").get_data(as_text=True)
        timed = "flask_http_request_duration_seconds_count"
        return (_sample(text, timed, method="GET", url_rule="/api/v1/auth/me", status="200"),
                _sample(text, timed, method="GET", url_rule="/api/v1/auth/me", status="401"),
                _sample(text, timed, url_rule="/healthz"),
                _sample(text, "flask_http_request_total", method="GET", status="401"))
    before = counts()
    for _ in range(3):
        assert client.get("/api/v1/auth/me", headers=cast.headers("crew_a")).status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401  # refused before the view: timed all the same
    assert client.get("/healthz").status_code == 200  # not measured (probes)
    after = counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 1, 0, 1]


def test_every_log_line_is_json_with_the_request_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("satgas")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        resp = client.get("/healthz", headers={"X-Request-ID": "req-42"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert resp.headers["X-Request-ID"] == "req-42"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all(line["request_id"] == "req-42" for line in lines)
    assert lines[-1]["path"] == "/healthz" and lines[-1]["status"] == 200


def test_gunicorn_workers_share_one_metrics_view(tmp_path):
    database, storage = f"sqlite:///{tmp_path / 'm.db'}", f"file://{tmp_path / 'photos'}"
    make_app(database, storage)  # what `flask init` does
    server = Gunicorn({"DATABASE_URL": database, "SECRET_KEY": "x", "STORAGE_URL": storage}, workers=2)
    sent = 0
    try:
        # Concurrent requests until both workers have answered some (their pids are in the JSON log).
        with ThreadPoolExecutor(4) as pool:
            while len(_access_pids(server)) < 2 and sent < 400:
                list(pool.map(lambda _: urllib.request.urlopen(server.url + "/readyz").read(), range(20)))
                sent += 20
        text = urllib.request.urlopen(server.url + "/metrics").read().decode()
        pids = _access_pids(server)
    finally:
        server.stop()
    assert len(pids) == 2, "both workers should have served /readyz"
    counts = re.findall(r'^flask_http_request_duration_seconds_count\{[^}]*url_rule="/readyz"[^}]*\} (\S+)$', text,
                        re.MULTILINE)
    assert sum(float(c) for c in counts) == sent  # one view summing every worker's requests


def _access_pids(server: Gunicorn) -> set[int]:
    lines = Path(server.log.name).read_text().splitlines()
    return {json.loads(line)["pid"] for line in lines if line.startswith("{") and '"satgas.access"' in line}


def test_metrics_without_a_token_are_for_this_machine_only(client):
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 403 and "METRICS_TOKEN" in outside.get_json()["message"]


def test_metrics_token_guards_metrics_when_set(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-secret")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code == 200
    scraper = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"},
                         environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert scraper.status_code == 200
