"""Progress over a year: the API (reading the rollup) against the direct aggregate over the logs.

`run()` times GET /api/v1/progress and /api/v1/progress/daily over HTTP (one keep-alive client,
so the figures are latencies, not throughput) and the same aggregates as raw SQL on `work_logs`,
checks that both give the same figures, prints them side by side and returns them.
"""
from __future__ import annotations

import http.client
import json
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import psycopg
from psycopg.rows import dict_row

from bench.generate import libpq_dsn

LENGTH = "CASE WHEN w.measured_length_m > 0 THEN w.measured_length_m ELSE coalesce(w.length_m, 0) END"
COUNTED = "w.status <> 'rejected'"
# The contract's figures straight from the logs: what a dashboard would run without a rollup.
PROGRESS_SQL = f"""
SELECT k.code, count(w.id) AS logs,
       count(w.id) FILTER (WHERE w.status = 'approved') AS approved,
       count(w.id) FILTER (WHERE w.status = 'submitted') AS pending,
       count(w.id) FILTER (WHERE w.status = 'rejected') AS rejected,
       coalesce(sum({LENGTH}) FILTER (WHERE {COUNTED}), 0) AS length_m,
       coalesce(sum({LENGTH}) FILTER (WHERE w.status = 'approved'), 0) AS approved_length_m,
       coalesce(sum(coalesce(w.sediment_m3, 0)) FILTER (WHERE {COUNTED}), 0) AS sediment_m3,
       coalesce(sum(coalesce(w.waste_kg, 0)) FILTER (WHERE {COUNTED}), 0) AS waste_kg,
       coalesce(sum(p.photos) FILTER (WHERE {COUNTED}), 0) AS photos,
       count(w.id) FILTER (WHERE {COUNTED} AND p.complete) AS complete,
       max(w.work_date) FILTER (WHERE {COUNTED}) AS last_work_date
FROM kelurahan k
LEFT JOIN work_logs w ON w.kelurahan_code = k.code AND w.work_date BETWEEN %(from)s AND %(to)s
LEFT JOIN (SELECT log_id, count(*) AS photos, bool_or(kind = 'before') AND bool_or(kind = 'after') AS complete
           FROM photos GROUP BY log_id) p ON p.log_id = w.id
GROUP BY k.code ORDER BY k.code"""
DAILY_SQL = f"""
SELECT d::date AS date, count(w.id) AS logs,
       coalesce(sum({LENGTH}) FILTER (WHERE {COUNTED}), 0) AS length_m,
       coalesce(sum(coalesce(w.sediment_m3, 0)) FILTER (WHERE {COUNTED}), 0) AS sediment_m3,
       coalesce(sum(coalesce(w.waste_kg, 0)) FILTER (WHERE {COUNTED}), 0) AS waste_kg
FROM generate_series(%(from)s::date, %(to)s::date, interval '1 day') AS d
LEFT JOIN work_logs w ON w.work_date = d::date
GROUP BY d ORDER BY d"""


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _summary(latencies_s: list[float]) -> dict:
    ms = [v * 1000 for v in latencies_s]
    return {"n": len(ms), "p50_ms": round(_percentile(ms, 50), 2), "p95_ms": round(_percentile(ms, 95), 2),
            "max_ms": round(max(ms), 2)}


def _timed(call: Callable[[], object], count: int, max_seconds: float, warmup: int = 2) -> tuple[dict, object]:
    """Run `call` `count` times (stopping after `max_seconds`), after a few untimed warm-up calls."""
    for _ in range(warmup):
        answer = call()
    latencies = []
    deadline = time.monotonic() + max_seconds
    while len(latencies) < count and time.monotonic() < deadline:
        started = time.perf_counter()
        answer = call()
        latencies.append(time.perf_counter() - started)
    return _summary(latencies), answer


def _http_getter(base_url: str, token: str, path: str) -> Callable[[], object]:
    target = urlsplit(base_url)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the benchmark targets loopback only")
    conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}

    def get() -> object:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {path} answered {resp.status}: {body[:300]!r}")
        return json.loads(body)

    return get


def _sql_runner(conn: psycopg.Connection, sql: str, params: dict) -> Callable[[], object]:
    def run_query() -> object:
        with conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    return run_query


def _close(a, b) -> bool:
    if isinstance(a, float | int | Decimal) and isinstance(b, float | int | Decimal):
        return abs(float(a) - float(b)) <= 1e-3 + 1e-9 * abs(float(b))
    return str(a if a is not None else "") == str(b if b is not None else "")


def _same(api_rows: list[dict], sql_rows: list[dict], key: str) -> bool:
    """The API's figures equal the direct aggregate's, row by row and field by field."""
    if [r[key] for r in api_rows] != [str(r[key]) for r in sql_rows]:
        return False
    return all(_close(a[name], s[name]) for a, s in zip(api_rows, sql_rows, strict=True) for name in s if name != key)


def _window(conn: psycopg.Connection) -> tuple[date, date, int, int]:
    """The latest year holding logs, the number of logs in the table and how many of them the
    year holds (the bench generates its logs within one year, so: all of them)."""
    last, logs = conn.execute("SELECT max(work_date), count(*) FROM work_logs").fetchone()
    last = last or date.today()
    first = last - timedelta(days=364)
    held = conn.execute("SELECT count(*) FROM work_logs WHERE work_date BETWEEN %s AND %s", (first, last)).fetchone()[0]
    return first, last, logs, held


def _compare(name: str, http_stats: dict, sql_stats: dict) -> dict:
    ratio = {f"ratio_{q}": round(http_stats[f"{q}_ms"] / sql_stats[f"{q}_ms"], 4) if sql_stats[f"{q}_ms"] else None
             for q in ("p50", "p95")}
    print(f"{name:<24} http p50 {http_stats['p50_ms']:8.2f} ms  p95 {http_stats['p95_ms']:8.2f} ms | "
          f"raw SQL p50 {sql_stats['p50_ms']:8.2f} ms  p95 {sql_stats['p95_ms']:8.2f} ms | "
          f"ratio p50 {ratio['ratio_p50']}  p95 {ratio['ratio_p95']}")
    return {"http": http_stats, "sql": sql_stats, **ratio}


def run(base_url: str, token: str, dsn: str, quick: bool) -> dict:
    """Time both endpoints over a year against raw SQL on the logs; `quick` for a smoke run."""
    http_count, sql_count, budget = (20, 3, 20.0) if quick else (200, 10, 60.0)
    with psycopg.connect(libpq_dsn(dsn), autocommit=True) as conn:
        date_from, date_to, logs, held = _window(conn)
        params = {"from": date_from, "to": date_to}
        query = f"from={date_from}&to={date_to}"
        result: dict = {"logs": logs, "logs_in_window": held, "from": str(date_from), "to": str(date_to)}
        print(f"progress over {date_from}..{date_to}: {held} of the {logs} logs in the table")
        matches = {}
        for name, path, sql, key in (("progress", f"/api/v1/progress?{query}", PROGRESS_SQL, "code"),
                                     ("progress_daily", f"/api/v1/progress/daily?{query}", DAILY_SQL, "date")):
            http_stats, api_body = _timed(_http_getter(base_url, token, path), http_count, budget)
            sql_stats, sql_rows = _timed(_sql_runner(conn, sql, params), sql_count, budget, warmup=1)
            api_rows = api_body["kelurahan"] if isinstance(api_body, dict) else api_body
            matches[name] = _same(api_rows, sql_rows, key)
            result[name] = _compare(f"/api/v1/{name.replace('_', '/')}", http_stats, sql_stats)
            result[name]["match"] = matches[name]
    print(f"API figures equal the direct aggregate: {matches}")
    return result
