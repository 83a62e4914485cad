"""How long and how big each measurement is: the full run (`make bench`) and the smoke run."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    quick: bool
    seconds: float  # one wrk round (wrk's own floor is 1 s)
    rounds: int  # rounds per load, interleaved with its baseline's
    warmup: bool  # one untimed round of each load first
    connections: int  # wrk connections for single requests (one wrk thread)
    batch_connections: int  # concurrency of batch ingest, API and executemany baseline alike
    cold_cycles: int  # invalidate-then-burst cycles of the cold public figure
    photo_runs: int  # 12 MP phone photos uploaded one after another
    rss_runs: int  # 15 MiB uploads measured after the warm-up one
    csv_rows: int  # N of the CSV export runs (N and 10 N rows)
    logs: int  # logs generated for progress, export and public figures
    workers: int | None  # gunicorn workers of every server: None = the shipped gunicorn.conf.py's


# The smoke run boots two workers per server (not the shipped count) to stay short: its figures
# only show that the harness measures and judges, they are not the ones to quote.
QUICK = Sizes(quick=True, seconds=1, rounds=1, warmup=False, connections=8, batch_connections=4, cold_cycles=1,
              photo_runs=3, rss_runs=1, csv_rows=100, logs=2000, workers=2)
FULL = Sizes(quick=False, seconds=6, rounds=2, warmup=True, connections=8, batch_connections=4, cold_cycles=10,
             photo_runs=20, rss_runs=3, csv_rows=10_000, logs=1_000_000, workers=None)
