"""The per-request floor (issue 17, item 0): a bare Flask no-op (bench/noop_app.py) under the
same gunicorn settings as the app, against the app's authenticated no-op `GET /api/v1/auth/me`
and its `/healthz`, all with wrk in one run. The ratios say how much of the per-request budget
the app's middleware (request id + JSON access log, Prometheus, limiter, token lookup, CORS…)
takes before any work is done."""
from __future__ import annotations

from bench.sizes import Sizes
from bench.wrk_runner import alternate, failure, ratio, run_wrk


def run(app_url: str, noop_url: str, token: str, sizes: Sizes) -> dict:
    auth = {"Authorization": f"Bearer {token}"}

    def load(url: str, headers: dict | None = None):
        return lambda: run_wrk(url, seconds=sizes.seconds, connections=sizes.connections, headers=headers)

    runs = alternate({"noop": load(noop_url + "/noop"), "auth_me": load(app_url + "/api/v1/auth/me", auth),
                      "healthz": load(app_url + "/healthz")}, sizes.rounds, sizes.warmup)
    result = {name: r.as_dict() for name, r in runs.items()}
    result["ratio_auth_me"] = ratio(runs["auth_me"].rps, runs["noop"].rps)
    result["ratio_healthz"] = ratio(runs["healthz"].rps, runs["noop"].rps)
    result["failed"] = {k: v for k, v in {
        "ratio_auth_me": failure(noop=runs["noop"], auth_me=runs["auth_me"]),
        "ratio_healthz": failure(noop=runs["noop"], healthz=runs["healthz"]),
    }.items() if v}
    print(f"floor: no-op {runs['noop'].rps:.0f} req/s, /healthz {runs['healthz'].rps:.0f} "
          f"({result['ratio_healthz']}), /api/v1/auth/me {runs['auth_me'].rps:.0f} ({result['ratio_auth_me']})")
    return result
