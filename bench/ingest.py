"""Ingest with wrk: single logs against the authenticated no-op and against the pygeoapi peer's
`POST /collections/logs/items`; batches against psycopg `executemany` at the same concurrency.

Every request carries new logs with fresh UUIDs generated in Lua (bench/wrk/log.lua,
batch.lua, peer_log.lua), so nothing is a replay. Batch logs/s counts only the items the API
answered `created` (and the database is asked how many rows really arrived).
"""
from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import psycopg

from bench.generate import libpq_dsn
from bench.sizes import Sizes
from bench.wrk_runner import alternate, failure, ratio, run_wrk

WIB = timezone(timedelta(hours=7))
BATCH_SIZE = 200
# Points inside Kota Malang (as in bench/wrk/common.lua).
SPOTS = [(112.6326, -7.9771), (112.6145, -7.9525), (112.6585, -7.9330), (112.6150, -7.9950), (112.6500, -7.9900)]
JSON = {"Content-Type": "application/json"}


def make_log(rng: random.Random) -> dict:
    """A valid new log (the same shape as the Lua scripts send), started 1–72 h ago."""
    lon, lat = rng.choice(SPOTS)
    start = datetime.now(WIB).replace(microsecond=0) - timedelta(minutes=rng.randrange(60, 72 * 60))
    return {
        "id": str(uuid.uuid4()), "activity": "drain_cleaning",
        "started_at": start.isoformat(), "finished_at": (start + timedelta(hours=1)).isoformat(),
        "geometry": {"type": "Point", "coordinates": [lon + rng.uniform(-4e-4, 4e-4), lat + rng.uniform(-4e-4, 4e-4)]},
        "length_m": round(rng.uniform(5, 80), 1), "sediment_m3": round(rng.uniform(0, 3), 2),
        "waste_kg": round(rng.uniform(0, 120), 1), "workers": rng.randint(2, 8),
    }


def single(app_url: str, token: str, sizes: Sizes, peer_url: str | None) -> dict:
    """POST /api/v1/logs req/s vs GET /api/v1/auth/me (same server) and vs the peer's insert."""
    auth = {"Authorization": f"Bearer {token}"}

    def load(url: str, script: str, headers: dict):
        return lambda: run_wrk(url, script, seconds=sizes.seconds, connections=sizes.connections, headers=headers)

    loads = {"auth_me": load(app_url + "/api/v1/auth/me", "get.lua", auth),
             "ingest": load(app_url + "/api/v1/logs", "log.lua", {**auth, **JSON})}
    if peer_url:
        loads["peer_insert"] = load(peer_url + "/collections/logs/items", "peer_log.lua",
                                    {"Content-Type": "application/geo+json"})
    runs = alternate(loads, sizes.rounds, sizes.warmup)
    result: dict = {name: r.as_dict() for name, r in runs.items()}
    result["ratio_auth_me"] = ratio(runs["ingest"].rps, runs["auth_me"].rps)
    failed = {"ratio_auth_me": failure(ingest=runs["ingest"], auth_me=runs["auth_me"])}
    if peer_url:
        result["ratio_peer"] = ratio(runs["ingest"].rps, runs["peer_insert"].rps)
        failed["ratio_peer"] = failure(ingest=runs["ingest"], peer_insert=runs["peer_insert"])
    result["failed"] = {k: v for k, v in failed.items() if v}
    peer_text = f", peer insert {runs['peer_insert'].rps:.0f} ({result['ratio_peer']})" if peer_url else ""
    print(f"single ingest: {runs['ingest'].rps:.0f} req/s p95 {runs['ingest'].p95_ms:.0f} ms, auth/me "
          f"{runs['auth_me'].rps:.0f} ({result['ratio_auth_me']}){peer_text}")
    return result


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


def _executemany(dsn: str, batches: list[list[tuple]], concurrency: int) -> float:
    """Seconds to insert the batches from `concurrency` connections, one commit per batch."""
    todo = iter(batches)
    lock = threading.Lock()
    conns = [psycopg.connect(dsn) for _ in range(concurrency)]

    def worker(conn: psycopg.Connection) -> None:
        while True:
            with lock:
                batch = next(todo, None)
            if batch is None:
                return
            with conn.cursor() as cur:
                cur.executemany(DIRECT_INSERT, batch)
            conn.commit()

    threads = [threading.Thread(target=worker, args=(c,)) for c in conns]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return elapsed


def _count(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM work_logs").fetchone()[0]


def batch(app_url: str, token: str, dsn: str, sizes: Sizes) -> dict:
    """Created logs/s through POST /api/v1/logs/batch vs executemany of as many rows, same concurrency."""
    dsn = libpq_dsn(dsn)
    headers = {"Authorization": f"Bearer {token}", **JSON}
    concurrency = sizes.batch_connections

    def load():
        # At least 3 s: a batch of 200 can take over a second on a busy machine.
        return run_wrk(app_url + "/api/v1/logs/batch", "batch.lua", seconds=max(3.0, sizes.seconds * sizes.rounds),
                       connections=concurrency, headers=headers,
                       env={"BENCH_COUNT_CREATED": "1", "BENCH_BATCH_SIZE": str(BATCH_SIZE)})

    if sizes.warmup:
        load()
    before = _count(dsn)
    api = load()
    stored = _count(dsn) - before
    api_rate = api.created / api.seconds
    rng = random.Random(7)
    rows_total = max(api.created, 10 * BATCH_SIZE)
    with psycopg.connect(dsn) as conn:
        crew_id, user_id = conn.execute("SELECT crew_id, id FROM users WHERE crew_id IS NOT NULL LIMIT 1").fetchone()
    rows = _direct_rows([make_log(rng) for _ in range(rows_total)], crew_id, user_id)
    direct_s = _executemany(dsn, [rows[k:k + BATCH_SIZE] for k in range(0, rows_total, BATCH_SIZE)], concurrency)
    direct_rate = rows_total / direct_s
    reason = failure(batch=api)
    # wrk abandons the batches in flight when its time is up; the server still stores them.
    if not reason and stored < api.created:
        reason = f"the API answered 'created' {api.created} times but only {stored} rows arrived"
    if not reason and api.created != api.ok * BATCH_SIZE:
        reason = f"{api.ok * BATCH_SIZE - api.created} items sent in answered batches were not created"
    result = {"concurrency": concurrency, "batch_size": BATCH_SIZE, "api": api.as_dict(), "created": api.created,
              "rows_arrived": stored, "api_logs_per_s": round(api_rate, 1), "direct_rows": rows_total,
              "direct_logs_per_s": round(direct_rate, 1), "ratio": ratio(api_rate, direct_rate),
              "failed": {k: reason for k in ("api_logs_per_s", "ratio")} if reason else {}}
    print(f"batch ingest: {api_rate:.0f} created logs/s vs executemany {direct_rate:.0f} → {result['ratio']} "
          f"({concurrency} connections each)")
    return result
