"""`make bench`: the production shape on loopback (throw-away PostGIS + Redis + moto S3, gunicorn
with the shipped gunicorn.conf.py), every figure beside a baseline measured in the same run,
req/s with wrk; the pygeoapi peer serves the same database. Prints the verdict table and writes
bench/results/latest.json.

    python -m bench.run                      # full run (installs wrk and the peer when missing)
    python -m bench.run --quick              # smoke run (part of `make test`); peer only if installed
    python -m bench.run --quick --target 'floor.ratio_auth_me>=1000'   # an impossible target
    python -m bench.run --only resumable,coverage   # some benchmarks → bench/results/partial.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import (
    coverage,
    deps,
    floor,
    ingest,
    memory,
    peer,
    photos,
    progress,
    public_geojson,
    resumable,
    verdict,
    wakeups,
)
from bench.cpu import OthersMeter
from bench.generate import generate, libpq_dsn
from bench.servers import ROOT, GunicornServer
from bench.sizes import FULL, QUICK, Sizes
from bench.stack import Stack, token

RESULTS = ROOT / "bench" / "results"
_T0 = time.monotonic()
_OURS: list[str] = []  # command-line markers of our daemonised processes (the PostgreSQL data dir)
BENCHMARKS = ("floor", "single_ingest", "batch_ingest", "photo", "progress", "public_geojson", "coverage",
              "photo_rss", "export_csv", "resumable")
_ONLY: set[str] = set(BENCHMARKS)  # --only narrows this to the benchmarks being worked on


def _phase(text: str) -> None:
    print(f"[{time.monotonic() - _T0:6.1f} s] {text}", flush=True)
SPAN_DAYS = 360  # every generated log falls inside the progress figure's one-year window
PEER_FIGURES = {"single_ingest": ["ratio_peer"], "public_geojson": ["warm.ratio_peer", "cold.ratio_peer"]}


def cpu_busy(seconds: float = 2.0) -> float:
    """The machine's busy share of all cores over `seconds` (/proc/stat), whoever uses them."""
    def read() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    total0, idle0 = read()
    time.sleep(seconds)
    total1, idle1 = read()
    return round(1 - (idle1 - idle0) / max(1, total1 - total0), 3)


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(), "wrk": wrk.strip()}


def _measured(results: dict, name: str, work: Callable[[], dict]) -> None:
    """Run one benchmark; a crash is reported as 'not measured' with its reason, not hidden."""
    if name not in _ONLY:
        return
    started, load = time.monotonic(), loadavg()
    with OthersMeter(_OURS) as others:
        try:
            results[name] = work()
        except Exception as exc:  # noqa: BLE001 - any failure becomes the figure's reason
            traceback.print_exc()
            results[name] = {"not_measured": {"*": f"{type(exc).__name__}: {str(exc)[:300]}"}}
    results[name]["seconds"] = round(time.monotonic() - started, 1)
    results[name]["loadavg_before"] = load
    # The share of all cores that other people's work took while this figure was measured.
    results[name]["others_cpu_share"] = others.share


def _settle(dsn: str) -> None:
    """VACUUM after a bulk load or an ingest figure, as autovacuum would soon do: the next figure
    starts from a vacuumed database instead of paying for the previous one's dead rows (or
    meeting autovacuum mid-measurement)."""
    import psycopg

    with psycopg.connect(libpq_dsn(dsn), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) work_logs")
        conn.execute("VACUUM (ANALYZE) daily_progress")


def _start_peer(stack: Stack, wanted: bool, workers: int | None) -> tuple[GunicornServer | None, str | None]:
    if not wanted:
        return None, "peer disabled (--no-peer)"
    reason = peer.unavailable_reason()
    if reason:
        return None, reason
    try:
        return peer.start(stack.dsn, stack.dir, workers=workers, wait=False), None
    except Exception as exc:  # noqa: BLE001 - the reason goes into the report
        return None, f"pygeoapi did not start: {str(exc)[-400:]}"


def _ready_peer(server: GunicornServer | None, reason: str | None) -> tuple[GunicornServer | None, str | None]:
    if server is None:
        return None, reason
    try:
        peer.warm_up(server.wait_ready().url)
        return server, None
    except Exception as exc:  # noqa: BLE001 - the reason goes into the report
        server.stop()
        return None, f"pygeoapi did not answer: {str(exc)[-400:]}"


def measure(stack: Stack, sizes: Sizes, want_peer: bool, logs: int) -> dict:
    """All figures. The servers boot side by side (then idle until their turn): the app (shipped
    settings), the no-op, the peer, and a one-worker app for the memory figures."""
    results: dict[str, dict] = {}
    app = stack.app_server(workers=sizes.workers, wait=False)
    noop = GunicornServer("bench.noop_app:app", {}, stack.dir / "noop.log", health="/noop", workers=sizes.workers,
                          wait=False)
    mem = stack.app_server("memory", workers=1, wait=False)
    peer_server, peer_reason = _start_peer(stack, want_peer, sizes.workers)
    stack.accounts([("Bench crew", "35.73.02", "bench_crew")], [("bench_admin", "admin", None)])
    _phase("accounts created")
    for server in (app, noop, mem):
        server.wait_ready()
    _phase("app, no-op and memory servers ready")
    peer_server, peer_reason = _ready_peer(peer_server, peer_reason)
    _phase(f"peer: {peer_reason or 'ready'}")
    peer_url = peer_server.url if peer_server else None
    crew, admin = token(app.url, "bench_crew"), token(app.url, "bench_admin")
    try:
        _measured(results, "floor", lambda: floor.run(app.url, noop.url, crew, sizes))
        noop.stop()
        _measured(results, "single_ingest", lambda: ingest.single(app.url, crew, sizes, peer_url))
        _settle(stack.dsn)  # the single logs' thousands of rollup updates leave dead rows behind
        _measured(results, "batch_ingest", lambda: ingest.batch(app.url, crew, stack.dsn, sizes))
        warmups = 1 if sizes.quick else 2 * len(app.worker_pids())
        _measured(results, "photo", lambda: photos.latency(app.url, crew, sizes.photo_runs, warmups))
        if _ONLY & {"progress", "public_geojson", "coverage", "export_csv"}:
            _phase("generating logs")
            generate(stack.dsn, logs, span_days=SPAN_DAYS)
            _settle(stack.dsn)
            _phase("generated")
        _measured(results, "progress", lambda: progress.run(app.url, admin, stack.dsn, sizes.quick))
        _measured(results, "public_geojson", lambda: public_geojson.run(app.url, admin, stack.dsn, peer_url, sizes))
        # Loads the synthetic drain network (re-measuring every stored log): after the figures above.
        _measured(results, "coverage", lambda: coverage.run(app.url, admin, crew, stack.dsn, sizes.quick))
    finally:
        noop.stop()
        if peer_server:
            peer_server.stop()
    if peer_reason:
        for name, figures in PEER_FIGURES.items():
            if name in results:
                results[name].setdefault("not_measured", {}).update({f: peer_reason for f in figures})
    results["server"] = {"workers": len(app.worker_pids()), "threads": _threads()}
    stack.stop_server(app)
    _phase("app stopped")
    worker = mem.worker_pids()[0]
    _measured(results, "photo_rss", lambda: memory.photo_rss(mem.url, worker, crew, sizes.rss_runs))
    _measured(results, "export_csv", lambda: memory.csv_export(mem.url, admin, stack.dsn, worker, sizes.csv_rows))
    # Bytes over a dropping link (tus against a restarting PUT), then the worker's RSS per tus upload.
    _measured(results, "resumable", lambda: {**resumable.run(mem.url, crew, sizes.quick),
                                             **resumable.rss(mem.url, worker, crew, sizes.rss_runs, sizes.quick)})
    return results


def _threads() -> int:
    import runpy

    return int(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    parser.add_argument("--logs", type=int, default=None, help="logs to generate (progress, export, public)")
    parser.add_argument("--output", type=Path, default=None,
                        help="JSON output (default bench/results/latest.json; quick.json for --quick, "
                             "partial.json for --only)")
    parser.add_argument("--target", action="append", default=[],
                        help="override a target, e.g. 'floor.ratio_auth_me>=0.6' (repeatable; also BENCH_TARGETS)")
    peer_group = parser.add_mutually_exclusive_group()
    peer_group.add_argument("--peer", action="store_true", help="install the pygeoapi peer if missing (full default)")
    peer_group.add_argument("--no-peer", action="store_true", help="leave the peer out")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help="comma-separated benchmarks to run (default all): " + ", ".join(BENCHMARKS))
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) in --only: {', '.join(sorted(unknown))}")
    _ONLY.intersection_update(args.only.split(","))
    overrides = args.target + [t for t in os.environ.get("BENCH_TARGETS", "").split(",") if t.strip()]
    targets = verdict.with_overrides(verdict.TARGETS, overrides)
    sizes = QUICK if args.quick else FULL
    deps.ensure_wrk()
    if args.peer or not (args.quick or args.no_peer):
        deps.ensure_peer()
    busy = cpu_busy()  # nothing of ours runs yet: anything here is someone else's work
    round_trips = wakeups.probe()  # what each round trip of a request costs on this machine
    if busy > 0.1:
        print(f"WARNING: the machine is {busy:.0%} busy before the run starts: figures will be low", flush=True)
    started = time.monotonic()
    stack = Stack().start()
    _OURS.append(str(stack.pg.dir))
    _phase("PostGIS, Redis, moto S3 and schema ready")
    try:
        results = measure(stack, sizes, not args.no_peer, args.logs or sizes.logs)
    finally:
        stack.close()
        _phase("stopped")
    server = results.pop("server", None)
    rows = verdict.check(results, targets)
    shape = "gunicorn -c gunicorn.conf.py, PostGIS + Redis + moto S3 on loopback"
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": args.quick,
              "seconds": round(time.monotonic() - started, 1),
              "machine": {**machine(), "busy_before_run": busy, "loadavg_after_run": loadavg(),
                          "round_trips": round_trips},
              "server": {"shape": shape, **(server or {})},
              "targets": rows, "results": results}
    print(f"\nSATGAS benchmarks ({'quick' if args.quick else 'full'} run, {report['seconds']} s)")
    print(verdict.table(rows))
    partial = set(BENCHMARKS) != _ONLY  # a partial run never overwrites the full run's results
    output = args.output or RESULTS / ("quick.json" if args.quick else "partial.json" if partial else "latest.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nwritten to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
