"""Smoke run of the coverage benchmark (PostGIS, tiny sizes): it loads, ingests, measures and agrees."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from bench import coverage, verdict
from bench.generate import BENCH_ADMIN, BENCH_PASSWORD
from models import db
from tests.support import make_app, own_postgis_database

SMOKE_DB = "satgas_coverage_smoke"


@pytest.fixture
def coverage_dsn(postgis_url):
    """A database of its own, so the generated crews, logs and network never meet the other tests."""
    with own_postgis_database(postgis_url, SMOKE_DB) as dsn:
        yield dsn


def test_coverage_benchmark_smoke_run(coverage_dsn, tmp_path):
    app = make_app(coverage_dsn, f"file://{tmp_path}")
    coverage.generate(coverage_dsn, 1500, seed=9)  # the logs the network import then re-measures
    client = app.test_client()

    def token(username: str) -> str:
        return client.post("/api/v1/auth/token", json={"username": username, "password": BENCH_PASSWORD}
                           ).get_json()["access_token"]

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = coverage.run(f"http://127.0.0.1:{server.server_port}", token(BENCH_ADMIN),
                              token("bench_crew_35.73.02.1007"), coverage_dsn, quick=True)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
    assert result["network"]["synthetic"] is True and result["network"]["segments"] > 0
    assert result["network"]["logs_remeasured"] > 0  # generated logs inside the three kelurahan now cover drains
    batch = result["batch_ingest"]
    assert batch["errors"] == 0 and batch["stored"] == batch["created"] == batch["logs"] == 1000
    assert "failed" not in result and result["batch_logs_per_s"] == batch["api_logs_per_s"] > 0
    assert batch["covering_network"] > 0.9 * batch["logs"]  # tracks walked along drains cover them
    assert result["progress"]["match"] is True and result["progress"]["network_m"] > 0
    assert result["progress"]["http"]["n"] == 20 and result["overdue"]["n"] == 20
    # Every coverage target of the verdict table finds its figure in the result.
    rows = verdict.check({"coverage": result}, [t for t in verdict.TARGETS if t.bench == "coverage"])
    assert rows and all(row["value"] is not None for row in rows), rows
