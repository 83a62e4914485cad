"""Ingest benchmarks: single logs over HTTP vs a no-op endpoint; batches vs direct inserts."""
from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import psycopg

from bench.loadgen import json_body, run_load

WIB = timezone(timedelta(hours=7))
# Points inside Kota Malang (kelurahan representative points would do as well).
SPOTS = [(112.6326, -7.9771), (112.6145, -7.9525), (112.6585, -7.9330), (112.6150, -7.9950), (112.6500, -7.9900)]


def make_log(n: int, rng: random.Random | None = None) -> dict:
    rng = rng or random.Random(n)
    lon, lat = rng.choice(SPOTS)
    start = datetime(2026, 11, 2, 7, 30, tzinfo=WIB) + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
    return {
        "id": str(uuid.uuid4()), "activity": "drain_cleaning",
        "started_at": start.isoformat(), "finished_at": (start + timedelta(hours=1)).isoformat(),
        "geometry": {"type": "Point", "coordinates": [lon + rng.uniform(-4e-4, 4e-4), lat + rng.uniform(-4e-4, 4e-4)]},
        "length_m": round(rng.uniform(5, 80), 1), "sediment_m3": round(rng.uniform(0, 3), 2),
        "waste_kg": round(rng.uniform(0, 120), 1), "workers": rng.randint(2, 8),
    }


def single_ingest(base_url: str, token: str, quick: bool) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    n, seconds = (200, 10.0) if quick else (3000, 40.0)
    noop = run_load(base_url, "GET", "/api/v1/auth/me", headers, None, 8, n, seconds)
    ingest = run_load(base_url, "POST", "/api/v1/logs", headers, json_body(make_log), 8, n, seconds)
    return {"ingest": ingest.as_dict(), "noop": noop.as_dict(), "ratio": round(ingest.rps / noop.rps, 3)}


def _direct_rows(logs: list[dict], crew_id: int, user_id: int) -> list[tuple]:
    rows = []
    for log in logs:
        start = datetime.fromisoformat(log["started_at"])
        lon, lat = log["geometry"]["coordinates"]
        rows.append((log["id"], crew_id, user_id, log["activity"], start, datetime.fromisoformat(log["finished_at"]),
                     start.astimezone(WIB).date(), f"POINT({lon} {lat})", "35.73.02.1007", "35.73.02",
                     log["length_m"], log["sediment_m3"], log["waste_kg"], log["workers"], 0.0, "submitted", "",
                     "0" * 64, datetime.now(UTC)))
    return rows


DIRECT_INSERT = (
    "INSERT INTO work_logs (id, crew_id, submitted_by_id, activity, started_at, finished_at, work_date, geometry,"
    " kelurahan_code, kecamatan_code, length_m, sediment_m3, waste_kg, workers, measured_length_m, status, flags,"
    " content_sha256, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, ST_GeomFromText(%s, 4326), %s, %s, %s, %s,"
    " %s, %s, %s, %s, %s, %s, %s)"
)


def batch_ingest(base_url: str, token: str, dsn: str, quick: bool) -> dict:
    """Logs/s through POST /logs/batch (200 per batch) vs executemany of the same rows."""
    total = 1000 if quick else 10_000
    rng = random.Random(7)
    batches = [[make_log(i, rng) for i in range(k, k + 200)] for k in range(0, total, 200)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = [json.dumps({"logs": b}).encode() for b in batches]
    result = run_load(base_url, "POST", "/api/v1/logs/batch", headers, lambda n: bodies[n], 4, len(bodies), 120)
    api_rate = total / result.seconds
    with psycopg.connect(dsn) as conn:
        crew_id, user_id = conn.execute("SELECT crew_id, id FROM users WHERE crew_id IS NOT NULL LIMIT 1").fetchone()
        rows = _direct_rows([make_log(i, rng) for i in range(total)], crew_id, user_id)
        started = time.perf_counter()
        with conn.cursor() as cur:
            for k in range(0, total, 200):
                cur.executemany(DIRECT_INSERT, rows[k:k + 200])
                conn.commit()
        direct_rate = total / (time.perf_counter() - started)
    return {"logs": total, "api_logs_per_s": round(api_rate, 1), "direct_logs_per_s": round(direct_rate, 1),
            "errors": result.errors, "ratio": round(api_rate / direct_rate, 3)}
