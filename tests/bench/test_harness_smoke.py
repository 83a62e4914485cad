"""The bench harness: a smoke run of `make bench` (tiny sizes), the verdict table, and wrk's
counting (only 2xx answers count; any error fails the figure)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import deps, run, verdict
from bench.wrk_runner import run_wrk

IMPOSSIBLE = "floor.ratio_auth_me>=1000000"
PEER_FIGURES = {"single_ingest.ratio_peer", "public_geojson.warm.ratio_peer", "public_geojson.cold.ratio_peer"}


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory) -> dict:
    output = tmp_path_factory.mktemp("bench") / "quick.json"
    assert run.main(["--quick", "--output", str(output), "--target", IMPOSSIBLE]) == 0
    return json.loads(output.read_text())


def test_quick_run_measures_every_figure_beside_its_baseline(quick_report):
    rows = {f"{r['benchmark']}.{r['figure']}": r for r in quick_report["targets"]}
    assert set(rows) == {t.key for t in verdict.TARGETS}
    for key, row in rows.items():
        if key in PEER_FIGURES and row["value"] is None:
            assert row["met"] is None and row["reason"], row  # the peer may be missing: said so
        else:
            assert row["value"] is not None, row
    results = quick_report["results"]
    assert results["batch_ingest"]["api"]["errors"] == 0 and results["batch_ingest"]["created"] > 0
    assert results["progress"]["progress"]["match"] is True
    assert results["progress"]["logs_in_window"] == results["progress"]["logs"]
    assert results["floor"]["noop"]["ok"] > 0 and results["floor"]["auth_me"]["errors"] == 0
    assert quick_report["machine"]["cores"] >= 1
    round_trips = quick_report["machine"]["round_trips"]  # the wakeup probe (2+ CPUs here)
    assert round_trips["round_trip_one_cpu_us"] > 0 and round_trips["round_trip_across_cpus_us"] > 0
    # The resumable and coverage benchmarks are part of the run.
    assert results["resumable"]["tus_ratio"] < results["resumable"]["put_ratio"]
    assert results["resumable"]["rss_runs_growth_mib"] and results["resumable"]["tus_drops"] > 0
    coverage = results["coverage"]
    assert coverage["batch_ingest"]["errors"] == 0 and coverage["batch_ingest"]["created"] > 0
    assert coverage["progress"]["match"] is True and "failed" not in coverage


def test_quick_run_reports_an_impossible_target_as_missed(quick_report):
    row = next(r for r in quick_report["targets"] if r["benchmark"] == "floor" and r["figure"] == "ratio_auth_me")
    assert row["target"] == ">= 1000000.0" and row["met"] is False


def test_the_report_says_what_a_round_trip_costs_here(quick_report):
    from bench.table import bench_table

    probe = quick_report["machine"]["round_trips"]
    assert f"{probe['round_trip_across_cpus_us']:.0f} µs across CPUs" in bench_table(quick_report)


def test_verdict_table_judges_figures_errors_and_gaps():
    targets = verdict.with_overrides(verdict.TARGETS, ["floor.ratio_auth_me>=2", "photo.p95_ms<=1e9"])
    results = {
        "floor": {"ratio_auth_me": 0.9, "ratio_healthz": 0.5},
        "photo": {"p95_ms": 80.0, "ratio_p95": 1.5, "failed": {"ratio_p95": "3 non-2xx answers"}},
        "single_ingest": {"ratio_auth_me": None, "not_measured": {"*": "wrk missing"}},
    }
    rows = {f"{r['benchmark']}.{r['figure']}": r for r in verdict.check(results, targets)}
    assert rows["floor.ratio_auth_me"]["met"] is False  # 0.9 < the impossible 2
    assert rows["floor.ratio_healthz"]["met"] == "info"
    assert rows["photo.p95_ms"]["met"] is True
    assert rows["photo.ratio_p95"]["met"] is False and "non-2xx" in rows["photo.ratio_p95"]["reason"]
    assert rows["single_ingest.ratio_auth_me"]["met"] is None and rows["single_ingest.ratio_auth_me"]["reason"]
    assert rows["batch_ingest.ratio"]["met"] is None and rows["batch_ingest.ratio"]["reason"] == "not run"
    assert "MISSED" in verdict.table(list(rows.values()))
    with pytest.raises(ValueError):
        verdict.with_overrides(verdict.TARGETS, ["nope.figure>=1"])


class _Flaky(BaseHTTPRequestHandler):
    """Every other answer is a 500."""

    protocol_version = "HTTP/1.1"
    count = 0

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        _Flaky.count += 1
        status = 500 if _Flaky.count % 2 else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args) -> None:
        pass


def test_wrk_counts_only_2xx_and_any_error_fails_the_figure():
    deps.ensure_wrk()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_wrk(f"http://127.0.0.1:{server.server_port}/", seconds=1, connections=2)
    finally:
        server.shutdown()
    assert result.requests > 0 and result.non2xx > 0 and result.ok > 0
    assert result.ok + result.non2xx == result.requests
    assert result.rps == pytest.approx(result.ok / result.seconds)
    assert result.error_reason() and "non-2xx" in result.error_reason()
