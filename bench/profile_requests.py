"""Where one request's time goes: `GET /api/v1/auth/me` and `POST /api/v1/logs`, in-process.

The production app (PostGIS, Redis for limits and cache, multiprocess Prometheus, the JSON
access log written to a file) is called through Flask's test client, one request at a time:

1. the mean wall time per request, and the same with one piece switched off at a time — in
   this process only, by unhooking it; the app's code is not changed — which is that piece's
   marginal cost;
2. cProfile of the same requests, own time grouped by package;
3. SQL statements per request.

    python -m bench.profile_requests [--requests 2000]

gunicorn's own cost (HTTP parsing, the thread pool) is not in these numbers: the wrk floor
(bench/floor.py) measures it with the bare Flask no-op.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import pstats
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.ingest import make_log
from bench.stack import Stack

CATEGORIES = [("prometheus", "prometheus"), ("flask_limiter", "limiter"), ("limits/", "limiter"),
              ("redis", "redis client"), ("pythonjsonlogger", "access log"), ("logging/", "access log"),
              ("sqlalchemy", "SQLAlchemy"), ("psycopg", "psycopg"), ("geoalchemy2", "GeoAlchemy2"),
              ("shapely", "shapely"), ("marshmallow", "marshmallow"), ("flask_smorest", "flask-smorest"),
              ("apispec", "flask-smorest"), ("flask_cors", "CORS"), ("werkzeug", "werkzeug"), ("flask/", "flask"),
              ("/satgas/", "satgas"), ("/api/", "satgas api"), ("/models/", "satgas models"), ("json/", "json"),
              ("uuid", "uuid"), ("{built-in", "builtins")]


# Entry points of each piece of per-request work: (file substring, function name) → piece.
PIECES = [
    ("satgas/auth.py", "authenticate_request", "token lookup (auth hook)"),
    ("flask_limiter/_extension.py", "_check_request_limit", "limiter"),
    ("flask_limiter/_extension.py", "__inject_headers", "limiter"),
    ("flask_limiter/_extension.py", "__release_context", "limiter"),
    ("satgas/metrics.py", "_after", "prometheus"),
    ("satgas/metrics.py", "_teardown", "prometheus"),
    ("satgas/metrics.py", "_guard_and_refresh", "metrics guard"),
    ("satgas/request_log.py", "assign_request_id", "request id + JSON access log"),
    ("satgas/request_log.py", "log_request", "request id + JSON access log"),
    ("flask_cors/extension.py", "cors_after_request", "CORS"),
    ("satgas/request_limits.py", "enforce_body_limit", "body checks"),
    ("satgas/request_limits.py", "bound_body_reads", "body checks"),
    ("satgas/request_limits.py", "require_json_body", "body checks"),
    ("satgas/request_limits.py", "reject_nul_characters", "body checks"),
    ("flask/app.py", "dispatch_request", "the view (parse, service, dump)"),
    ("flask_sqlalchemy/extension.py", "_teardown_session", "session teardown (rollback, pool return)"),
]


def _pieces(stats: pstats.Stats) -> dict[str, float]:
    """Each piece's share (%) of the app's own time (flask's wsgi_app), from cumulative times;
    what no piece claims is Flask/werkzeug request handling itself."""
    total = sum(ct for (f, _l, name), (_c, _n, _t, ct, _callers) in stats.stats.items()
                if f.endswith("flask/app.py") and name == "wsgi_app")
    shares: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, _tt, cumtime, _callers) in stats.stats.items():
        for path, func, piece in PIECES:
            if path in filename and name == func:
                shares[piece] += cumtime
    shares["flask + werkzeug (the rest)"] = total - sum(shares.values())
    return {k: round(v / total * 100, 1) for k, v in sorted(shares.items(), key=lambda kv: -kv[1])} if total else {}


def _category(filename: str) -> str:
    return next((name for key, name in CATEGORIES if key in filename), "other")


@contextmanager
def _unhooked(app, predicate: Callable[[Callable], bool]) -> Iterator[None]:
    """Remove the before/after request functions matching `predicate` for the block (also from
    inside the app's folded hooks, `satgas.request_cycle`)."""
    saved = {k: dict(getattr(app, k)) for k in ("before_request_funcs", "after_request_funcs")}
    cells = [cell for attr in saved for funcs in getattr(app, attr).values() for f in funcs
             for cell in (f.__closure__ or ()) if isinstance(cell.cell_contents, tuple)]
    folded = [(cell, cell.cell_contents) for cell in cells]
    for cell, funcs in folded:
        cell.cell_contents = tuple(f for f in funcs if not predicate(f))
    for attr in saved:
        for key, funcs in getattr(app, attr).items():
            getattr(app, attr)[key] = [f for f in funcs if not predicate(f)]
    try:
        yield
    finally:
        for cell, funcs in folded:
            cell.cell_contents = funcs
        for attr, value in saved.items():
            getattr(app, attr).clear()
            getattr(app, attr).update(value)


def _module_of(func: Callable) -> str:
    return getattr(func, "__module__", "") or getattr(getattr(func, "__func__", None), "__module__", "")


@contextmanager
def _without(app, piece: str) -> Iterator[None]:
    from satgas.extensions import limiter

    if piece == "access log":
        logger = logging.getLogger("satgas.access")
        logger.disabled = True
        try:
            yield
        finally:
            logger.disabled = False
    elif piece == "limiter":
        limiter.enabled = False
        try:
            yield
        finally:
            limiter.enabled = True
    elif piece == "token lookup":
        import satgas.auth as auth

        real, cache = auth.resolve_token, {}
        auth.resolve_token = lambda raw: cache[raw] if raw in cache else cache.setdefault(raw, real(raw))
        try:
            yield
        finally:
            auth.resolve_token = real
    else:
        # (module, function names or None for all of the module's hooks)
        hooks = {"prometheus": ("satgas.metrics", {"_after", "_teardown"}),
                 "request id + access log": ("satgas.request_log", None), "CORS": ("flask_cors", None),
                 "body checks": ("satgas.request_limits", None),
                 "metrics guard": ("satgas.metrics", {"_guard_and_refresh"})}
        module, names = hooks[piece]
        with _unhooked(app, lambda f: _module_of(f).startswith(module)
                       and (names is None or getattr(f, "__name__", "") in names)):
            yield


def _timed(call: Callable[[], int], n: int, clock: Callable[[], float] = time.process_time) -> float:
    """Mean microseconds per call over n calls (after 20 untimed ones). The default clock is this
    process's CPU time: what a worker spends, robust to other work on a shared machine (the
    database's own time is not in it; `wall_us` shows it)."""
    for _ in range(20):
        call()
    started = clock()
    for _ in range(n):
        call()
    return (clock() - started) / n * 1e6


def _profile(call: Callable[[], int], n: int) -> dict:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    if os.environ.get("PROFILE_TOP"):
        stats.sort_stats("cumulative").print_stats(int(os.environ["PROFILE_TOP"]))
        stats.sort_stats("tottime").print_stats(int(os.environ["PROFILE_TOP"]))
    by_category: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        by_category[_category(filename)] += tottime
        total += tottime
    return {"pieces_pct": _pieces(stats),
            "own_time_by_package_pct": {k: round(v / total * 100, 1)
                                        for k, v in sorted(by_category.items(), key=lambda kv: -kv[1])}}


def _statements(app, call: Callable[[], int]) -> int:
    from sqlalchemy import event

    from models import db

    count = [0]

    def counter(*_args, **_kwargs) -> None:
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count[0]


def _marginal(app, call: Callable[[], int], n: int, piece: str, rounds: int = 3) -> tuple[float, float]:
    """(median µs with the piece, median µs without it), measured in alternating rounds so that
    drift (other work on the machine, caches warming) hits both alike."""
    with_it, without = [], []
    for _ in range(rounds):
        with_it.append(_timed(call, n))
        with _without(app, piece):
            without.append(_timed(call, n))
    return statistics.median(with_it), statistics.median(without)


def _report(app, name: str, call: Callable[[], int], n: int, pieces: list[str]) -> dict:
    marginal, bases = {}, []
    for piece in pieces:
        base, without = _marginal(app, call, n, piece)
        bases.append(base)
        marginal[piece] = round(base - without, 1)
    base = statistics.median(bases) if bases else _timed(call, n)
    result = {"us_per_request": round(base, 1), "wall_us": round(_timed(call, n, time.perf_counter), 1),
              "marginal_us": marginal, "sql_statements": _statements(app, call),
              **_profile(call, max(200, n))}
    print(f"\n{name}: {result['us_per_request']} µs CPU/request ({result['wall_us']} µs wall), "
          f"{result['sql_statements']} SQL statements")
    for piece, us in marginal.items():
        print(f"  without {piece:<26} saves {us:8.1f} µs ({us / base * 100:5.1f} %)")
    print("  share of the app's time by piece (cProfile, cumulative):")
    for piece, pct in result["pieces_pct"].items():
        print(f"    {piece:<42} {pct:5.1f} %  ≈ {pct * base / 100:7.0f} µs")
    print("  own time by package (cProfile):", json.dumps(result["own_time_by_package_pct"]))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests per timed round")
    parser.add_argument("--pieces", default="", help="pieces to switch off one at a time, comma-separated, of: "
                        "request id + access log, access log, prometheus, limiter, token lookup, CORS, body checks, "
                        "metrics guard (marginal costs; noisy on a shared machine)")
    args = parser.parse_args(argv)
    stack = Stack(s3=False).start()
    try:
        stack.accounts([("Profile crew", "35.73.02", "bench_crew")], [])
        os.environ.update(stack.env)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="satgas-profile-metrics-")
        from bench.noop_app import app as noop
        from satgas.app import create_app

        app = create_app()
        log_file = open(os.path.join(stack.dir, "access.log"), "w")  # noqa: SIM115 - as gunicorn's log file
        for handler in logging.getLogger("satgas").handlers:
            handler.setStream(log_file)
        client = app.test_client()
        login = {"username": "bench_crew", "password": "bench-password-123"}
        token = client.post("/api/v1/auth/token", json=login).get_json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        rng = random.Random(3)
        noop_client = noop.test_client()
        floor = _timed(lambda: noop_client.get("/noop").status_code, args.requests)
        print(f"bare Flask no-op through the test client: {floor:.1f} µs/request")
        pieces = [p for p in args.pieces.split(",") if p]
        me = _report(app, "GET /api/v1/auth/me", lambda: client.get("/api/v1/auth/me", headers=auth).status_code,
                     args.requests, pieces)
        post = _report(app, "POST /api/v1/logs", lambda: client.post("/api/v1/logs", headers=auth,
                                                                      json=make_log(rng)).status_code,
                       max(50, args.requests // 3), pieces)
        print(json.dumps({"noop_us": round(floor, 1), "auth_me": me, "post_log": post}, indent=1))
    finally:
        stack.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
