"""Public GeoJSON with wrk, warm and cold reported apart (issue 17, items 1 and 6).

- warm: `/public/v1/progress.geojson` served from the public cache (Redis, shared by the
  workers), against the app's no-op `/public/v1/ping` and against pygeoapi's 57 kelurahan
  (`/collections/kelurahan/items?limit=57&f=json`, which has no cache: every answer is computed);
- cold: right after an approval through the API (which invalidates the public cache in every
  worker), the first requests, all at once (one per connection): each is a cache miss that
  computes the collection. The peer gets the same burst. A burst's rate is its answers over
  the time until its last answer.

(bench/public_load.py is the older Python-client version of the warm figure, kept for its own
tests; `make bench` uses this module.)
"""
from __future__ import annotations

import psycopg

from bench.generate import libpq_dsn
from bench.peer import KELURAHAN_ITEMS
from bench.sizes import Sizes
from bench.stack import call
from bench.wrk_runner import WrkResult, alternate, burst, combine, failure, ratio, run_wrk

GEOJSON, PING = "/public/v1/progress.geojson", "/public/v1/ping"
HEADERS = {"Accept": "application/geo+json, application/json", "Accept-Encoding": "gzip"}


def _burst_rate(results: list[WrkResult]) -> float:
    busy_s = sum(r.max_ms for r in results) / 1000
    return sum(r.ok for r in results) / busy_s if busy_s else 0.0


def _approve(app_url: str, token: str, log_id: str) -> None:
    status, body = call(app_url, "POST", f"/api/v1/logs/{log_id}/review", token, {"decision": "approved"})
    if status != 200:
        raise RuntimeError(f"approval answered {status}: {body}")


def warm(app_url: str, peer_url: str | None, sizes: Sizes) -> dict:
    def load(url: str):
        return lambda: run_wrk(url, seconds=sizes.seconds, connections=sizes.connections, headers=HEADERS)

    status, _ = call(app_url, "GET", GEOJSON)  # fill the cache
    if status != 200:
        raise RuntimeError(f"{GEOJSON} answered {status}")
    loads = {"ping": load(app_url + PING), "geojson": load(app_url + GEOJSON)}
    if peer_url:
        loads["peer_kelurahan"] = load(peer_url + KELURAHAN_ITEMS)
    runs = alternate(loads, sizes.rounds, sizes.warmup)
    result: dict = {name: r.as_dict() for name, r in runs.items()}
    result["ratio_ping"] = ratio(runs["geojson"].rps, runs["ping"].rps)
    failed = {"ratio_ping": failure(geojson=runs["geojson"], ping=runs["ping"])}
    if peer_url:
        result["ratio_peer"] = ratio(runs["geojson"].rps, runs["peer_kelurahan"].rps)
        failed["ratio_peer"] = failure(geojson=runs["geojson"], peer_kelurahan=runs["peer_kelurahan"])
    result["failed"] = {k: v for k, v in failed.items() if v}
    return result


def cold(app_url: str, token: str, dsn: str, peer_url: str | None, sizes: Sizes) -> dict:
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        log_id = str(conn.execute("SELECT id FROM work_logs ORDER BY created_at LIMIT 1").fetchone()[0])
    ours, theirs = [], []
    for _ in range(sizes.cold_cycles):
        _approve(app_url, token, log_id)  # a re-approval: the public cache is invalidated all the same
        ours.append(burst(app_url + GEOJSON, sizes.connections, HEADERS))
        if peer_url:
            theirs.append(burst(peer_url + KELURAHAN_ITEMS, sizes.connections, HEADERS))
    result: dict = {"cycles": sizes.cold_cycles, "burst": sizes.connections, "geojson": combine(ours).as_dict(),
                    "geojson_rps": round(_burst_rate(ours), 1)}
    failed = {"geojson_rps": failure(geojson=combine(ours))}
    if peer_url:
        result["peer_kelurahan"] = combine(theirs).as_dict()
        result["peer_rps"] = round(_burst_rate(theirs), 1)
        result["ratio_peer"] = ratio(result["geojson_rps"], result["peer_rps"])
        failed["ratio_peer"] = failure(geojson=combine(ours), peer_kelurahan=combine(theirs))
    result["failed"] = {k: v for k, v in failed.items() if v}
    return result


def run(app_url: str, token: str, dsn: str, peer_url: str | None, sizes: Sizes) -> dict:
    result = {"warm": warm(app_url, peer_url, sizes), "cold": cold(app_url, token, dsn, peer_url, sizes)}
    w, c = result["warm"], result["cold"]
    peer_w = f", peer {w['peer_kelurahan']['rps']} ({w['ratio_peer']})" if peer_url else ""
    peer_c = f", peer {c['peer_rps']} ({c['ratio_peer']})" if peer_url else ""
    print(f"public geojson warm: {w['geojson']['rps']} req/s, ping {w['ping']['rps']} ({w['ratio_ping']}){peer_w}")
    print(f"public geojson cold (first {sizes.connections} after an approval): {c['geojson_rps']} req/s{peer_c}")
    result["failed"] = {f"warm.{k}": v for k, v in w.pop("failed").items()}
    result["failed"].update({f"cold.{k}": v for k, v in c.pop("failed").items()})
    return result
