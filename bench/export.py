"""CSV export memory: a worker's RSS growth while streaming 10x more rows stays the same.

Streams `GET /api/v1/logs?format=csv` for about N and 10×N rows (picked by date range on the
generated data) and samples every worker's resident memory through /proc.
"""
from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import psycopg

from bench.photo_upload import RssSampler, rss_kib


def _since_for(dsn: str, rows: int) -> str:
    """The WIB date from which about `rows` logs follow (newest first)."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT work_date FROM work_logs ORDER BY work_date DESC OFFSET %s LIMIT 1",
                           (rows,)).fetchone()
        return (row[0] if row else conn.execute("SELECT min(work_date) FROM work_logs").fetchone()[0]).isoformat()


def _download(base_url: str, token: str, since: str) -> tuple[int, int, float]:
    """(rows, bytes, seconds) of one streamed CSV export."""
    target = urlsplit(base_url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", f"/api/v1/logs?format=csv&from={since}", headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"export answered {resp.status}")
    size = lines = 0
    while chunk := resp.read(64 * 1024):
        size += len(chunk)
        lines += chunk.count(b"\n")
    conn.close()
    return lines - 1, size, time.perf_counter() - started


def _measure(base_url: str, token: str, since: str, workers: list[int]) -> dict:
    idle = {pid: rss_kib(pid) for pid in workers}
    samplers = [RssSampler(pid) for pid in workers]
    for sampler in samplers:
        sampler.__enter__()
    try:
        rows, size, seconds = _download(base_url, token, since)
    finally:
        for sampler in samplers:
            sampler.__exit__(None, None, None)
    growth = max(s.peak_kib - idle[s.pid] for s in samplers) / 1024
    return {"rows": rows, "mib": round(size / 2**20, 1), "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds), "rss_growth_mib": round(growth, 2)}


def run(base_url: str, token: str, dsn: str, workers: list[int], quick: bool) -> dict:
    small_rows = 1_000 if quick else 10_000
    small = _measure(base_url, token, _since_for(dsn, small_rows), workers)
    large = _measure(base_url, token, _since_for(dsn, small_rows * 10), workers)
    extra = round(large["rss_growth_mib"] - small["rss_growth_mib"], 2)
    print(f"csv export: {small['rows']} rows → +{small['rss_growth_mib']} MiB; {large['rows']} rows → "
          f"+{large['rss_growth_mib']} MiB ({large['rows_per_s']} rows/s); 10x the rows costs {extra} MiB more")
    return {"small": small, "large": large, "extra_growth_mib": extra}
