"""Worker memory figures, on a one-worker gunicorn (shipped settings otherwise) so that every
request lands on the worker being sampled, which is warmed up first:

- a 15 MiB photo upload: the worker's peak RSS above its RSS just before, per run;
- the CSV export of N and of 10 N rows: each run's peak growth, reported separately; the
  figure is how much more the 10 N run costs than the N run (streaming keeps it flat).
"""
from __future__ import annotations

import http.client
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.generate import libpq_dsn
from bench.photos import new_log, padded_jpeg, put_photo
from bench.servers import rss_kib

SAMPLE_EVERY_S = 0.002


class RssSampler:
    """Samples a process's RSS in a thread; `peak_kib` is the largest value seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib = pid, rss_kib(pid)
        self.before_kib = self.peak_kib
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            time.sleep(SAMPLE_EVERY_S)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, rss_kib(self.pid))

    @property
    def growth_mib(self) -> float:
        return round((self.peak_kib - self.before_kib) / 1024, 2)


def photo_rss(base_url: str, worker: int, token: str, runs: int) -> dict:
    """Peak RSS growth of the worker per 15 MiB upload, after one untimed warm-up upload."""
    from datetime import datetime, timedelta

    from bench.photos import WIB

    target = urlsplit(base_url)
    with tempfile.TemporaryDirectory(prefix="satgas-bench-15mib-") as tmp:
        photo = Path(tmp) / "15mib.jpg"
        padded_jpeg(photo)
        data = photo.read_bytes()
    log_id = new_log(base_url, token, (datetime.now(WIB) - timedelta(hours=3)).replace(microsecond=0))
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
    put_photo(conn, token, log_id, data)  # warm-up: first decode, first S3 multipart, allocator arenas
    growth, seconds = [], []
    for _ in range(runs):
        with RssSampler(worker) as sampler:
            seconds.append(put_photo(conn, token, log_id, data)[1])
        growth.append(sampler.growth_mib)
    conn.close()
    result = {"photo_mib": len(data) / 2**20, "idle_rss_mib": round(rss_kib(worker) / 1024, 1),
              "runs_growth_mib": growth, "runs_seconds": [round(s, 3) for s in seconds],
              "rss_growth_mib": max(growth)}
    print(f"15 MiB photo: worker RSS growth per run {growth} MiB (after a warm-up upload)")
    return result


def _window_for(dsn: str, rows: int) -> str:
    """`from=…&to=…` (WIB dates) holding about `rows` generated logs: the window ends a week ago,
    before the days the ingest figures filled with their own logs."""
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        end = conn.execute("SELECT current_date - 7").fetchone()[0]
        row = conn.execute("SELECT work_date FROM work_logs WHERE work_date <= %s ORDER BY work_date DESC "
                           "OFFSET %s LIMIT 1", (end, rows)).fetchone()
        start = row[0] if row else conn.execute("SELECT min(work_date) FROM work_logs").fetchone()[0]
    return f"from={start.isoformat()}&to={end.isoformat()}"


def _download(base_url: str, token: str, window: str) -> tuple[int, int, float]:
    """(rows, bytes, seconds) of one streamed CSV export."""
    target = urlsplit(base_url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", f"/api/v1/logs?format=csv&{window}", headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"export answered {resp.status}")
    size = lines = 0
    while chunk := resp.read(64 * 1024):
        size += len(chunk)
        lines += chunk.count(b"\n")
    conn.close()
    return lines - 1, size, time.perf_counter() - started


def _export(base_url: str, token: str, window: str, worker: int) -> dict:
    with RssSampler(worker) as sampler:
        rows, size, seconds = _download(base_url, token, window)
    return {"rows": rows, "mib": round(size / 2**20, 1), "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds) if seconds else None, "rss_before_mib": round(
                sampler.before_kib / 1024, 1), "rss_growth_mib": sampler.growth_mib}


def csv_export(base_url: str, token: str, dsn: str, worker: int, rows: int) -> dict:
    """A warm-up export of 10 N rows, then N rows, then 10 N rows; every run reported."""
    small_since, large_since = _window_for(dsn, rows), _window_for(dsn, rows * 10)
    warmup = _export(base_url, token, large_since, worker)
    small = _export(base_url, token, small_since, worker)
    large = _export(base_url, token, large_since, worker)
    extra = round(large["rss_growth_mib"] - small["rss_growth_mib"], 2)
    print(f"csv export (warm worker): warm-up {warmup['rows']} rows +{warmup['rss_growth_mib']} MiB; "
          f"{small['rows']} rows +{small['rss_growth_mib']} MiB; {large['rows']} rows +{large['rss_growth_mib']} MiB "
          f"({large['rows_per_s']} rows/s); 10x the rows: {extra:+} MiB")
    return {"warmup": warmup, "small": small, "large": large, "extra_growth_mib": extra}
