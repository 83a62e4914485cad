"""Public GeoJSON under load: requests/s of /public/v1/progress.geojson against the no-op
/public/v1/ping of the same app on the same server (issue 8, item 5; target ratio ≥ 0.7).

Both go through the same stack (rate limiter, CORS, request log); the GeoJSON comes from the
public response cache, gzipped as browsers ask for it. Runs are bounded by count and time and
target loopback only. The server must allow the load: set PUBLIC_RATE_LIMIT high (e.g.
"1000000 per minute"); the run refuses to measure 429s and says so.

    python -m bench.public_load http://127.0.0.1:5000 [--quick]
"""
from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from bench.loadgen import LoadResult, run_load

GEOJSON, NOOP = "/public/v1/progress.geojson", "/public/v1/ping"
HEADERS = {"Accept": "application/geo+json, application/json", "Accept-Encoding": "gzip"}
# (clients, requests per round, seconds per round, rounds)
SIZES = {True: (4, 150, 3.0, 2), False: (8, 3000, 15.0, 3)}


def _limit_of(base_url: str) -> int | None:
    """The server's public rate limit (per window), from one request's headers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(base_url + NOOP, headers=HEADERS), timeout=10) as resp:
            raw = resp.headers.get("X-RateLimit-Limit")
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            return 0
        raise
    return int(raw) if raw else None


def _combined(results: list[LoadResult]) -> dict:
    requests = sum(r.requests for r in results)
    seconds = sum(r.seconds for r in results)
    return {"requests": requests, "errors": sum(r.errors for r in results), "seconds": round(seconds, 3),
            "rps": round(requests / seconds, 1) if seconds else 0.0,
            "p50_ms": round(max(r.p50_ms for r in results), 2), "p95_ms": round(max(r.p95_ms for r in results), 2)}


def run(base_url: str, quick: bool) -> dict:
    """Alternate rounds of the no-op and the GeoJSON (after a warm-up); their rates and ratio."""
    if urlsplit(base_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("load runs target loopback only")
    clients, per_round, seconds, rounds = SIZES[quick]
    planned = per_round * (rounds + 1)
    limit = _limit_of(base_url)
    if limit is not None and limit < planned:
        message = f"PUBLIC_RATE_LIMIT allows {limit} requests per window; set it above {planned} for this run"
        print(f"public_load: not measured: {message}")
        return {"error": message, "ratio": None}
    for path in (NOOP, GEOJSON):  # warm-up: each worker fills its cache
        run_load(base_url, "GET", path, HEADERS, concurrency=clients, max_requests=per_round // 3,
                 max_seconds=seconds)
    noop, geojson = [], []
    for _ in range(rounds):
        for path, sink in ((NOOP, noop), (GEOJSON, geojson)):
            sink.append(run_load(base_url, "GET", path, HEADERS, concurrency=clients,
                                 max_requests=per_round, max_seconds=seconds))
    result = {"clients": clients, "noop": _combined(noop), "geojson": _combined(geojson)}
    result["ratio"] = round(result["geojson"]["rps"] / result["noop"]["rps"], 3) if result["noop"]["rps"] else None
    print(f"public_load: geojson {result['geojson']['rps']} req/s, no-op {result['noop']['rps']} req/s, "
          f"ratio {result['ratio']} (errors {result['geojson']['errors']}+{result['noop']['errors']})")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:5000 (loopback only)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.base_url.rstrip("/"), args.quick), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
