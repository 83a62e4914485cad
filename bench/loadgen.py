"""A small bounded HTTP load generator: N threads with keep-alive connections on loopback."""
from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"requests": self.requests, "errors": self.errors, "seconds": round(self.seconds, 3),
                "rps": round(self.rps, 1), "p50_ms": round(self.p50_ms, 2), "p95_ms": round(self.p95_ms, 2)}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_load(base_url: str, method: str, path: str, headers: dict[str, str] | None = None,
             body: Callable[[int], bytes | None] | None = None, concurrency: int = 8,
             max_requests: int = 1000, max_seconds: float = 20.0, ok: tuple[int, ...] = (200, 201)) -> LoadResult:
    """Send up to `max_requests` (stopping after `max_seconds`) from `concurrency` threads."""
    target = urlsplit(base_url)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("load runs target loopback only")
    counter = iter(range(max_requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            payload = body(n) if body else None
            started = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers or {})
                resp = conn.getresponse()
                resp.read()
                good = resp.status in ok
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                good = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += 0 if good else 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return LoadResult(len(latencies), errors[0], seconds, percentile(latencies, 50), percentile(latencies, 95))


def json_body(make: Callable[[int], dict]) -> Callable[[int], bytes]:
    return lambda n: json.dumps(make(n)).encode()
