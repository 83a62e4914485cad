"""`make bench`: gunicorn on loopback against PostGIS, each figure beside its same-run baseline.

    python -m bench.run            # full run (≤ 10 min on 2 cores), 1 000 000 logs for progress
    python -m bench.run --quick    # smoke run with tiny sizes (part of `make test`)

Prints a table and writes it to bench/results/latest.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import ingest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
PASSWORD = "bench-password-123"

# name → (figure, comparison, target) as the issue states them.
TARGETS = {
    "single_ingest": ("ratio", ">=", 0.5),
    "batch_ingest": ("ratio", ">=", 0.3),
    "photo_upload": ("rss_growth_mib", "<=", 4.0),
    "progress": ("ratio", "<=", 0.2),
    "public_load": ("ratio", ">=", 0.7),
}


def _setup_database(dsn: str, photos: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": dsn, "SECRET_KEY": "bench-secret", "STORAGE_URL": f"file://{photos}"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    script = ("from satgas.services.accounts import create_crew, create_user\n"
              "from satgas import create_app\n"
              "app = create_app()\n"
              "with app.app_context():\n"
              "    crew = create_crew('Bench crew', '35.73.02')\n"
              f"    create_user('bench_crew', '{PASSWORD}', 'crew', crew_id=crew.id)\n"
              f"    create_user('bench_admin', '{PASSWORD}', 'admin')\n")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def _token(base_url: str, username: str) -> str:
    import urllib.request

    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(base_url + "/api/v1/auth/token", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as resp:
        return json.loads(resp.read())["access_token"]


def _check(name: str, result: dict) -> str:
    figure, op, target = TARGETS[name]
    value = result.get(figure)
    if value is None:
        return "n/a"
    met = value >= target if op == ">=" else value <= target
    return f"{'met' if met else 'MISSED'} ({figure} {value} {op} {target})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of the harness")
    parser.add_argument("--logs", type=int, default=None, help="logs to generate for the progress benchmark")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.pg_server import ThrowawayPostgres
    from tests.servers import Gunicorn

    started = time.monotonic()
    pg = ThrowawayPostgres().init()
    photos = Path(pg.dir) / "photos"
    results: dict[str, dict] = {}
    server = None
    try:
        env = _setup_database(pg.url, photos)
        server = Gunicorn({**{k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "STORAGE_URL")},
                           "PUBLIC_RATE_LIMIT": "1000000 per minute"},
                          workers=int(os.environ.get("BENCH_WORKERS", "4")))
        crew_token, admin_token = _token(server.url, "bench_crew"), _token(server.url, "bench_admin")
        results["single_ingest"] = ingest.single_ingest(server.url, crew_token, args.quick)
        results["batch_ingest"] = ingest.batch_ingest(server.url, crew_token, pg.url, args.quick)
        results.update(_optional_runs(server.url, admin_token, pg.url, args))
    finally:
        if server:
            server.stop()
        pg.destroy()
    report = {"quick": args.quick, "seconds": round(time.monotonic() - started, 1),
              "results": results, "targets": {n: _check(n, r) for n, r in results.items() if n in TARGETS}}
    _print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str))
    return 0


def _optional_runs(base_url: str, admin_token: str, dsn: str, args) -> dict[str, dict]:
    """Photo, progress and public benchmarks."""
    from bench import generate, photo_upload, progress, public_load

    n_logs = args.logs or (2000 if args.quick else 1_000_000)
    out = {"photo_upload": photo_upload.run(args.quick)}
    generate.generate(dsn, n_logs)
    out["progress"] = progress.run(base_url, admin_token, dsn, args.quick)
    out["public_load"] = public_load.run(base_url, args.quick)
    return out


def _print(report: dict) -> None:
    print(f"\nSATGAS benchmarks ({'quick' if report['quick'] else 'full'} run, {report['seconds']} s)")
    for name, result in report["results"].items():
        print(f"  {name:14s} {json.dumps(result, default=str)}")
        if name in report["targets"]:
            print(f"  {'':14s} target: {report['targets'][name]}")


if __name__ == "__main__":
    raise SystemExit(main())
