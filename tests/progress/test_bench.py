"""Smoke run of the synthetic data generator and the progress benchmark (PostGIS only, tiny sizes)."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import psycopg
import pytest
from werkzeug.serving import make_server

from bench.generate import BENCH_ADMIN, BENCH_PASSWORD, generate, rebuild_rollup
from bench.progress import run
from models import db
from satgas.services.progress import daily_series, kelurahan_progress, progress_from_logs
from tests.support import make_app, own_postgis_database

SMOKE_DB = "satgas_bench_smoke"


@pytest.fixture
def bench_dsn(postgis_url):
    """A database of its own, so generated crews and users never meet the other tests."""
    with own_postgis_database(postgis_url, SMOKE_DB) as dsn:
        yield dsn


def _rows_equal(rolled: list[dict], direct: list[dict]) -> None:
    assert len(rolled) == len(direct) == 57
    for got, want in zip(rolled, direct, strict=True):
        assert got == {k: pytest.approx(v, abs=1e-3) if isinstance(v, float) else v for k, v in want.items()}


def test_generator_fills_logs_inside_their_kelurahan_and_a_matching_rollup(bench_dsn, tmp_path):
    app = make_app(bench_dsn, f"file://{tmp_path}")
    generate(bench_dsn, 3000, seed=3)
    generate(bench_dsn, 500, seed=3)  # a second run appends other logs
    with psycopg.connect(bench_dsn) as conn:
        count, inside, in_hours, tracks = conn.execute("""
            SELECT count(*), count(*) FILTER (WHERE ST_Covers(k.boundary, w.geometry)),
                   count(*) FILTER (WHERE (w.started_at AT TIME ZONE 'Asia/Jakarta')::time >= '07:00'
                                      AND (w.finished_at AT TIME ZONE 'Asia/Jakarta')::time <= '15:00'
                                      AND (w.started_at AT TIME ZONE 'Asia/Jakarta')::date = w.work_date),
                   count(*) FILTER (WHERE GeometryType(w.geometry) = 'LINESTRING'
                                      AND w.measured_length_m BETWEEN 19 AND 301)
            FROM work_logs w JOIN kelurahan k ON k.code = w.kelurahan_code""").fetchone()
        kelurahan = conn.execute("SELECT count(DISTINCT kelurahan_code) FROM work_logs").fetchone()[0]
        assert rebuild_rollup(conn) > 0
    assert count == inside == in_hours == 3500 and kelurahan == 57
    assert 0.3 * count < tracks < 0.6 * count
    with app.app_context():
        first = date.today() - timedelta(days=800)
        _rows_equal(kelurahan_progress(first, date.today()), progress_from_logs(first, date.today()))
        _rows_equal(kelurahan_progress(first, date.today(), approved_only=True),
                    progress_from_logs(first, date.today(), approved_only=True))
        assert sum(d["logs"] for d in daily_series(date.today() - timedelta(days=1000), date.today())) == 3500
        db.engine.dispose()


def test_progress_benchmark_smoke_run(bench_dsn, tmp_path):
    app = make_app(bench_dsn, f"file://{tmp_path}")
    generate(bench_dsn, 2000, seed=5)
    token = app.test_client().post("/api/v1/auth/token", json={"username": BENCH_ADMIN, "password": BENCH_PASSWORD})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run(f"http://127.0.0.1:{server.server_port}", token.get_json()["access_token"], bench_dsn, quick=True)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
    assert result["logs"] == 2000
    for name in ("progress", "progress_daily"):
        assert result[name]["match"] is True
        assert result[name]["http"]["n"] == 20 and result[name]["sql"]["p95_ms"] > 0
        assert result[name]["ratio_p50"] > 0
