"""Coverage of the drain network under load, with a ~3,000 km SYNTHETIC network loaded.

`run()` makes sure the database holds the logs to measure over (bench.generate), loads the
synthetic network through the service (which re-measures every stored log and recounts the
coverage, as `flask drains import --replace` does), then measures:
- batch ingest of LineString logs walked along the drains (POST /api/v1/logs/batch, 200 per batch);
- GET /api/v1/progress over a year with its coverage figures, against the same coverage computed
  by a direct SQL query over the logs (distinct bins of the approved logs' stored ranges);
- GET /api/v1/drains/overdue?days=90 for the city.

Its targets are in bench/verdict.py (`coverage.*`); `make bench` runs it after the public
figures (`python -m bench.run --only coverage` alone). Batch logs/s counts only the items the
API answered `created`; any other answer fails the figure.
"""
from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
import shapely
from pyproj import Transformer
from shapely.ops import substring

from bench.generate import generate, libpq_dsn
from bench.progress import _compare, _http_getter, _sql_runner, _timed, _window

WIB = timezone(timedelta(hours=7))
QUICK_KELURAHAN = ("35.73.02.1001", "35.73.02.1007", "35.73.04.1005")
_to_wgs84 = Transformer.from_crs(32749, 4326, always_xy=True)
# The coverage of a period straight from the logs: what a dashboard would run without the rollup.
COVERAGE_SQL = """
SELECT s.kelurahan_code AS code, sum(s.bin_m) AS covered_m
FROM (SELECT DISTINCT r.segment_id, generate_series(r.first_bin, r.last_bin) AS bin
      FROM log_coverage r JOIN work_logs w ON w.id = r.log_id
      WHERE w.status = 'approved' AND w.work_date BETWEEN %(from)s AND %(to)s) d
JOIN drain_segments s ON s.id = d.segment_id
GROUP BY s.kelurahan_code ORDER BY s.kelurahan_code"""


def _app(dsn: str):
    from satgas.app import create_app

    return create_app(env={"DATABASE_URL": dsn, "SECRET_KEY": "bench-coverage", "STORAGE_URL": "file:///tmp/satgas"})


def load_synthetic_network(dsn: str, quick: bool) -> dict:
    """Generate and load the synthetic network (replacing any); timings and size."""
    from models import db
    from satgas.services import network, synthetic_network

    started = time.perf_counter()
    features = synthetic_network.generate(kelurahan_codes=QUICK_KELURAHAN if quick else None)
    generated = time.perf_counter()
    app = _app(dsn)
    with app.app_context():
        report = network.load_network(synthetic_network.drain_lines(features), replace=True)
        db.engine.dispose()
    loaded = time.perf_counter()
    with psycopg.connect(libpq_dsn(dsn), autocommit=True) as conn:
        for table in ("drain_segments", "log_coverage", "coverage_days", "coverage_rollup", "work_logs"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    return {"synthetic": True, "km": round(report["length_m"] / 1000, 1), "segments": report["segments"],
            "generate_s": round(generated - started, 1), "import_and_recount_s": round(loaded - generated, 1),
            "logs_remeasured": report["logs_remeasured"]}


def _tracks(dsn: str, count: int, rng: random.Random) -> list[dict]:
    """GeoJSON tracks walked along random drains: 50–300 m of a segment, 2–6 m beside it, GPS noise."""
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        lines = [shapely.from_wkb(bytes(row[0])) for row in conn.execute(
            "SELECT ST_AsBinary(geometry_m) FROM drain_segments WHERE length_m > 40 ORDER BY random() LIMIT 3000")]
    tracks = []
    for _ in range(count):
        line = rng.choice(lines)
        length = min(line.length, rng.uniform(50, 300))
        start = rng.uniform(0, line.length - length)
        walked = substring(line, start, start + length).offset_curve(rng.uniform(2, 6) * rng.choice((-1, 1)))
        points = [walked.interpolate(d) for d in range(0, int(walked.length) + 1, 15)] or [walked.interpolate(0)]
        coords = [_to_wgs84.transform(p.x + rng.gauss(0, 2), p.y + rng.gauss(0, 2)) for p in points]
        if len(coords) < 2:
            coords.append(_to_wgs84.transform(*walked.coords[-1]))
        tracks.append({"type": "LineString", "coordinates": [[round(x, 7), round(y, 7)] for x, y in coords]})
    return tracks


def _log(track: dict, rng: random.Random) -> dict:
    # Within the last four weeks (inside the year the progress figure reads), never in the future.
    first = (datetime.now(WIB) - timedelta(days=28)).replace(hour=7, minute=30, second=0, microsecond=0)
    start = first + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
    return {"id": str(uuid.uuid4()), "activity": "drain_cleaning", "started_at": start.isoformat(),
            "finished_at": (start + timedelta(hours=1)).isoformat(), "geometry": track,
            "sediment_m3": round(rng.uniform(0, 3), 2), "waste_kg": round(rng.uniform(0, 120), 1), "workers": 4}


def _post_batches(base_url: str, headers: dict[str, str], bodies: list[bytes], concurrency: int) -> dict:
    """Each body POSTed once to /api/v1/logs/batch from `concurrency` keep-alive connections.
    Only items answered `created` count; every other answer or item status is an error."""
    host, port = base_url.split("//", 1)[1].split(":")
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError("load runs target loopback only")
    todo, lock = iter(bodies), threading.Lock()
    counts = {"created": 0, "requests": 0, "errors": 0}
    samples: list[str] = []

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=300)
        while True:
            with lock:
                body = next(todo, None)
            if body is None:
                break
            try:
                conn.request("POST", "/api/v1/logs/batch", body=body, headers=headers)
                resp = conn.getresponse()
                data, status = resp.read(), resp.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                data, status = str(exc).encode(), 0
            created = data.count(b'"created"') if status == 200 else 0
            with lock:
                counts["requests"] += 1
                counts["created"] += created
                if status != 200 or created != body.count(b'"activity"'):
                    counts["errors"] += 1
                    samples.append(f"{status}: {data[:200]!r}")
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {**counts, "seconds": time.perf_counter() - started, "errors_sample": samples[:3]}


def batch_ingest_tracks(base_url: str, crew_token: str, dsn: str, quick: bool) -> dict:
    """Created logs/s of LineString logs along the drains through POST /logs/batch (200 per batch,
    4 connections: as the batch figure of bench/ingest.py)."""
    total = 1000 if quick else 10_000
    rng = random.Random(15)
    logs = [_log(track, rng) for track in _tracks(dsn, total, rng)]
    bodies = [json.dumps({"logs": logs[k:k + 200]}).encode() for k in range(0, total, 200)]
    headers = {"Authorization": f"Bearer {crew_token}", "Content-Type": "application/json"}
    sent = _post_batches(base_url, headers, bodies, 4)
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        covering = conn.execute("SELECT count(*) FILTER (WHERE covered_m > 0), count(*) FROM work_logs "
                                "WHERE id = ANY(%s)", ([uuid.UUID(log["id"]) for log in logs],)).fetchone()
    result = {"logs": total, "created": sent["created"], "seconds": round(sent["seconds"], 2),
              "api_logs_per_s": round(sent["created"] / sent["seconds"], 1), "requests": sent["requests"],
              "errors": sent["errors"], "stored": covering[1], "covering_network": covering[0]}
    if sent["errors"] or covering[1] != total:
        result["failed"] = (f"{sent['errors']} batches not wholly created ({'; '.join(sent['errors_sample'])}); "
                            f"{covering[1]} of {total} logs stored")
    return result


def _coverage_matches(api_rows: list[dict], sql_rows: list[dict]) -> bool:
    direct = {row["code"]: float(row["covered_m"]) for row in sql_rows}
    return all(abs(row["covered_m"] - direct.get(row["code"], 0.0)) <= 0.01 for row in api_rows)


def progress_with_coverage(base_url: str, admin_token: str, dsn: str, quick: bool) -> dict:
    """GET /api/v1/progress over the latest year against the direct coverage query over the logs."""
    http_count, sql_count, budget = (20, 3, 20.0) if quick else (200, 10, 60.0)
    with psycopg.connect(libpq_dsn(dsn), autocommit=True) as conn:
        date_from, date_to, logs, held = _window(conn)
        http_stats, body = _timed(_http_getter(base_url, admin_token,
                                               f"/api/v1/progress?from={date_from}&to={date_to}"), http_count, budget)
        sql_stats, sql_rows = _timed(_sql_runner(conn, COVERAGE_SQL, {"from": date_from, "to": date_to}),
                                     sql_count, budget, warmup=1)
    result = _compare("/api/v1/progress + coverage", http_stats, sql_stats)
    totals = body["totals"]
    return {**result, "logs": logs, "logs_in_window": held, "from": str(date_from), "to": str(date_to),
            "match": _coverage_matches(body["kelurahan"], sql_rows),
            "network_m": totals["network_m"], "covered_m": totals["covered_m"], "coverage_pct": totals["coverage_pct"]}


def overdue(base_url: str, admin_token: str, quick: bool) -> dict:
    """GET /api/v1/drains/overdue?days=90 for the city."""
    stats, body = _timed(_http_getter(base_url, admin_token, "/api/v1/drains/overdue?days=90"),
                         20 if quick else 100, 60.0)
    return {**stats, "segments": len(body["features"])}


def run(base_url: str, admin_token: str, crew_token: str, dsn: str, quick: bool) -> dict:
    """The coverage benchmarks; `quick` for a smoke run (a few kelurahan, a few thousand logs)."""
    wanted = 2000 if quick else 1_000_000
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        stored = conn.execute("SELECT count(*) FROM work_logs").fetchone()[0]
    if stored < wanted:  # within a year (as bench/run.py generates them): the progress window holds all
        generate(dsn, wanted - stored, span_days=360)
    result = {"network": load_synthetic_network(dsn, quick)}
    result["batch_ingest"] = batch_ingest_tracks(base_url, crew_token, dsn, quick)
    result["progress"] = progress_with_coverage(base_url, admin_token, dsn, quick)
    result["overdue"] = overdue(base_url, admin_token, quick)
    result["batch_logs_per_s"] = result["batch_ingest"]["api_logs_per_s"]
    if result["batch_ingest"].get("failed"):
        result["failed"] = {"batch_logs_per_s": result["batch_ingest"]["failed"]}
    print(json.dumps(result, indent=2, default=str))
    return result
