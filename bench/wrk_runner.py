"""Run `wrk` with one of the Lua scripts under bench/wrk/ and read the JSON its done() hook prints.

Only 2xx answers count as done requests; a figure with any error (a non-2xx answer, a socket
error, a timeout) is failed by the caller and reported as missed with the reason.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

WRK_DIR = Path(__file__).resolve().parent / "wrk"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class WrkResult:
    """One wrk run: counts, 2xx-only rate and latency percentiles (ms)."""

    seconds: float
    requests: int
    ok: int
    non2xx: int
    socket_errors: int
    created: int
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    connections: int
    errors_sample: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        """Successful requests per second: failed ones never count."""
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors

    def error_reason(self) -> str | None:
        if not self.errors and self.ok:
            return None
        if not self.ok:
            return "no successful request"
        detail = f": {self.errors_sample[0][:200]}" if self.errors_sample else ""
        return f"{self.non2xx} non-2xx answers and {self.socket_errors} socket errors/timeouts{detail}"

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "errors_sample"}
        out.update(rps=round(self.rps, 1), errors=self.errors)
        if self.errors_sample:
            out["errors_sample"] = self.errors_sample
        return out


def run_wrk(url: str, script: str = "get.lua", *, seconds: float = 5.0, connections: int = 8, threads: int = 1,
            headers: dict[str, str] | None = None, env: dict[str, str] | None = None,
            timeout_s: float = 30.0) -> WrkResult:
    """wrk against a loopback URL for `seconds` (bounded: wrk stops by itself)."""
    if urlsplit(url).hostname not in LOOPBACK:
        raise ValueError("load runs target loopback only")
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", f"{int(timeout_s)}s", "-s", str(WRK_DIR / script)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    run_env = {**os.environ, "BENCH_WRK_DIR": str(WRK_DIR), "BENCH_SEED": str(random.randrange(1, 2**31)),
               **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=seconds + timeout_s + 30)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr[-500:]} {proc.stdout[-500:]}")
    return _parse(json.loads(line[len("BENCH_JSON "):]), connections, proc.stderr)


def _parse(raw: dict, connections: int, stderr: str) -> WrkResult:
    lat = raw["latency_us"]
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    samples = [ln for ln in stderr.splitlines() if ln.startswith("wrk: HTTP")]
    return WrkResult(
        seconds=raw["duration_us"] / 1e6, requests=raw["requests"], ok=raw["ok"], non2xx=raw["non2xx"],
        socket_errors=socket_errors, created=raw["created"], p50_ms=lat["p50"] / 1000, p90_ms=lat["p90"] / 1000,
        p95_ms=lat["p95"] / 1000, p99_ms=lat["p99"] / 1000, max_ms=lat["max"] / 1000, connections=connections,
        errors_sample=samples[:3],
    )


def combine(results: list[WrkResult]) -> WrkResult:
    """Several rounds of the same load as one result (percentiles: the worst round's)."""
    if len(results) == 1:
        return results[0]
    return WrkResult(
        seconds=sum(r.seconds for r in results), requests=sum(r.requests for r in results),
        ok=sum(r.ok for r in results), non2xx=sum(r.non2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results), created=sum(r.created for r in results),
        p50_ms=max(r.p50_ms for r in results), p90_ms=max(r.p90_ms for r in results),
        p95_ms=max(r.p95_ms for r in results), p99_ms=max(r.p99_ms for r in results),
        max_ms=max(r.max_ms for r in results), connections=results[0].connections,
        errors_sample=[s for r in results for s in r.errors_sample][:3],
    )


def burst(url: str, connections: int, headers: dict[str, str] | None = None) -> WrkResult:
    """The first `connections` requests, all at once: one per connection (one wrk thread each),
    each thread stopping after its first answer. Used for cold (just invalidated) figures."""
    return run_wrk(url, "get.lua", seconds=1, connections=connections, threads=connections, headers=headers,
                   env={"BENCH_MAX_PER_THREAD": "1"})


def alternate(loads: dict[str, Callable[[], WrkResult]], rounds: int, warmup: bool) -> dict[str, WrkResult]:
    """Each load `rounds` times, interleaved (A B A B …) so that drift hits all alike; with
    `warmup`, one untimed run of each first (lazy imports, pools, caches)."""
    if warmup:
        for load in loads.values():
            load()
    runs: dict[str, list[WrkResult]] = {name: [] for name in loads}
    for _ in range(rounds):
        for name, load in loads.items():
            runs[name].append(load())
    return {name: combine(results) for name, results in runs.items()}


def failure(**results: WrkResult) -> str | None:
    """Why a figure built from these runs fails (any error in any of them), or None."""
    reasons = [f"{name}: {r.error_reason()}" for name, r in results.items() if r.error_reason()]
    return "; ".join(reasons) or None


def ratio(numerator: float | None, denominator: float | None, digits: int = 3) -> float | None:
    if not numerator or not denominator:
        return None if numerator is None or not denominator else 0.0
    return round(numerator / denominator, digits)
