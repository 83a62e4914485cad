"""The soak's numbers: per endpoint group totals and latency, CPU shares, time series for the chart."""
from __future__ import annotations

import os
from collections import Counter

from bench.soak.checks import percentile
from bench.soak.recorder import Recorder, Sample


def _cpu(samples: list[Sample]) -> dict:
    """The share of the machine's cores the server and the load generator used over the run."""
    if len(samples) < 2:
        return {}
    span = samples[-1].t - samples[0].t
    cores = os.cpu_count() or 1
    server = (samples[-1].server_cpu_s - samples[0].server_cpu_s) / span / cores
    loadgen = (samples[-1].loadgen_cpu_s - samples[0].loadgen_cpu_s) / span / cores
    return {"server_share_of_cores": round(server, 3), "loadgen_share_of_cores": round(loadgen, 3), "cores": cores}


def summary(recorder: Recorder, samples: list[Sample], first: tuple[float, float], last: tuple[float, float],
            load_seconds: float) -> dict:
    """Per endpoint group; "per_s" over the load's duration (the final checks' requests come after)."""
    groups: dict[str, dict] = {}
    span = max(load_seconds, 1e-9)
    for group in sorted({e.group for e in recorder.events}):
        events = [e for e in recorder.events if e.group == group]
        answered = [e.ms for e in events if e.status > 0]
        groups[group] = {
            "requests": len(events), "per_s": round(len(events) / span, 2),
            "statuses": dict(Counter(str(e.status) for e in events)),
            "p50_ms": _r(percentile(answered, 50)), "p95_ms": _r(percentile(answered, 95)),
            "max_ms": _r(max(answered) if answered else None),
        }
    return {"windows_s": {"first": first, "last": last}, "groups": groups, "cpu": _cpu(samples),
            "requests": len(recorder.events)}


def series(recorder: Recorder, samples: list[Sample], bucket_s: float | None = None) -> dict:
    """Per group and time bucket: requests/s and p95; per worker: RSS in MiB at each sample."""
    span = recorder.now()
    bucket_s = bucket_s or (5.0 if span >= 120 else 2.0)
    buckets: dict[str, dict[int, list[float]]] = {}
    for e in recorder.events:
        if e.status > 0 and not e.group.startswith("final"):
            buckets.setdefault(e.group, {}).setdefault(int(e.t // bucket_s), []).append(e.ms)
    groups = {g: [{"t": round((k + 0.5) * bucket_s, 1), "rps": round(len(v) / bucket_s, 2),
                   "p95_ms": _r(percentile(v, 95))} for k, v in sorted(b.items())] for g, b in buckets.items()}
    rss: dict[str, list[tuple[float, float]]] = {}
    for s in samples:
        for pid, kib in s.rss_kib.items():
            rss.setdefault(str(pid), []).append((round(s.t, 1), round(kib / 1024, 1)))
    return {"bucket_s": bucket_s, "groups": groups, "rss_mib": rss}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
