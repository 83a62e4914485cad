"""The README's results tables, printed as Markdown from bench/results/latest.json and soak.json
(so that no figure is copied by hand).

    python -m bench.table
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.verdict import verdict_text

RESULTS = Path(__file__).resolve().parent / "results"


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _rps(run: dict | None) -> str:
    return f"{run['rps']:,.0f}" if run else "?"


# What each figure was measured from: the raw numbers beside the ratio.
DETAILS = {
    "floor.ratio_auth_me": lambda r: f"{_rps(r['auth_me'])} vs {_rps(r['noop'])} req/s",
    "floor.ratio_healthz": lambda r: f"{_rps(r['healthz'])} vs {_rps(r['noop'])} req/s",
    "single_ingest.ratio_auth_me": lambda r: f"{_rps(r['ingest'])} vs {_rps(r['auth_me'])} req/s, ingest p95 "
                                             f"{r['ingest']['p95_ms']:.0f} ms",
    "single_ingest.ratio_peer": lambda r: f"{_rps(r['ingest'])} vs {_rps(r.get('peer_insert'))} req/s",
    "batch_ingest.api_logs_per_s": lambda r: f"{r['created']:,} created in {r['api']['seconds']:.0f} s, "
                                             f"{r['concurrency']} connections, batches of {r['batch_size']}",
    "batch_ingest.ratio": lambda r: f"{r['api_logs_per_s']:,.0f} vs {r['direct_logs_per_s']:,.0f} rows/s",
    "photo.p95_ms": lambda r: f"{r['photo_bytes'] / 1e6:.1f} MB, p50 {r['upload']['p50_ms']} ms, n={r['upload']['n']}",
    "photo.ratio_p95": lambda r: f"{r['upload']['p95_ms']} vs {r['checks']['p95_ms']} ms",
    "photo_rss.rss_growth_mib": lambda r: f"runs: {r['runs_growth_mib']} MiB",
    "progress.progress.http.p95_ms": lambda r: f"{r['logs_in_window']:,} of {r['logs']:,} logs in the window",
    "progress.progress.ratio_p95": lambda r: f"{r['progress']['http']['p95_ms']} vs "
                                             f"{r['progress']['sql']['p95_ms']} ms",
    "public_geojson.warm.ratio_peer": lambda r: f"{_rps(r['warm']['geojson'])} vs "
                                                f"{_rps(r['warm'].get('peer_kelurahan'))} req/s",
    "public_geojson.cold.ratio_peer": lambda r: f"{r['cold']['geojson_rps']:,.0f} vs "
                                                f"{r['cold'].get('peer_rps', 0):,.0f} req/s, {r['cold']['cycles']} "
                                                f"bursts of {r['cold']['burst']}",
    "public_geojson.warm.ratio_ping": lambda r: f"{_rps(r['warm']['geojson'])} vs {_rps(r['warm']['ping'])} req/s",
    "export_csv.extra_growth_mib": lambda r: f"{r['small']['rows']:,} rows +{r['small']['rss_growth_mib']} MiB, "
                                             f"{r['large']['rows']:,} rows +{r['large']['rss_growth_mib']} MiB",
    "resumable.tus_ratio": lambda r: f"{r['tus_bytes_sent']:,} bytes for {r['photo_mib']} MiB, {r['tus_drops']} drops "
                                     f"(every {r['drop_every_mib']} MiB)",
    "resumable.tus_chunked_ratio": lambda r: f"{r['tus_chunked_kib']} KiB PATCHes, {r['tus_chunked_drops']} drops",
    "resumable.put_ratio": lambda r: f"{r['put_bytes_sent']:,} bytes, {r['put_attempts']} attempts",
    "resumable.rss_growth_mib": lambda r: f"{r['rss_photo_mib']} MiB in {r['rss_patch_kib']} KiB PATCHes, "
                                          f"runs: {r['rss_runs_growth_mib']} MiB",
    "coverage.batch_logs_per_s": lambda r: f"{r['batch_ingest']['created']:,} created in "
                                           f"{r['batch_ingest']['seconds']:.0f} s, 4 connections, batches of 200; "
                                           f"network {r['network']['km']:,} km (synthetic)",
    "coverage.progress.http.p95_ms": lambda r: f"{r['progress']['logs_in_window']:,} of {r['progress']['logs']:,} "
                                               "logs in the window",
    "coverage.progress.ratio_p95": lambda r: f"{r['progress']['http']['p95_ms']} vs "
                                             f"{r['progress']['sql']['p95_ms']} ms",
    "coverage.overdue.p95_ms": lambda r: f"{r['overdue']['segments']:,} segments overdue",
}


def _detail(report: dict, row: dict) -> str:
    try:
        return DETAILS[f"{row['benchmark']}.{row['figure']}"](report["results"][row["benchmark"]])
    except (KeyError, TypeError):
        return ""


def _round_trips(machine: dict) -> str:
    probe = machine.get("round_trips")
    if not probe:
        return ""
    return (f" A round trip between two processes costs {probe['round_trip_one_cpu_us']:.0f} µs on one CPU and "
            f"{probe['round_trip_across_cpus_us']:.0f} µs across CPUs here (`bench/wakeups.py`): each statement, "
            "Redis call and BEGIN/COMMIT a request makes weighs accordingly.")


def bench_table(report: dict) -> str:
    m = report["machine"]
    server = report.get("server", {})
    lines = [f"Full run of {report.get('date', '?')}: {report['seconds']:.0f} s on {m['cores']} cores ({m['cpu']}), "
             f"{m['memory_gib']} GiB, {m['os'].split('-with')[0]}, Python {m['python']}, {m['wrk']}; gunicorn "
             f"{server.get('workers')} workers × {server.get('threads')} threads; machine "
             f"{m.get('busy_before_run', 0):.0%} busy with other work just before the run.{_round_trips(m)}", "",
             "| figure (÷ its same-run baseline) | value | measured | target | verdict | others' CPU |",
             "| --- | ---: | --- | --- | --- | ---: |"]
    for row in report["targets"]:
        verdict = verdict_text(row["met"]) + (f" ({row['reason'][:120]})" if row["reason"] else "")
        others = report["results"].get(row["benchmark"], {}).get("others_cpu_share")
        others_text = "?" if others is None else f"{others:.0%}"
        lines.append(f"| {row['label']} | {_value(row['value'])} | {_detail(report, row)} | {row['target'] or ''} "
                     f"| {verdict} | {others_text} |")
    return "\n".join(lines)


def soak_table(report: dict) -> str:
    m = report["machine"]
    load = report["load"]
    cpu = report["summary"].get("cpu", {})
    public = load.get("public") or {}
    photo_bytes = load.get("photo_bytes") or {}
    lines = [f"Soak of {report.get('date', '?')}: {report['minutes']} min, {load['phones']} phones, "
             f"{load['supervisors']} supervisors, public readers open-loop at {load['public_rps']} req/s "
             f"({public.get('offered', '?')} offered, {public.get('answered', '?')} answered, "
             f"{public.get('late', '?')} sent over {public.get('late_after_ms', '?')} ms after their due time, "
             f"{public.get('pacer_late', '?')} of them because the generator fell behind); photos by "
             f"{load.get('photo_sender', 'PUT')}, {photo_bytes.get('sent_ratio', '?')} × their bytes sent (cuts "
             "and replays included); other people's work took "
             f"{load.get('others_cpu_share') or 0:.0%} of the machine meanwhile; {report['sent']['logs']} logs and "
             f"{report['sent']['photos']} "
             f"photos sent; server used {cpu.get('server_share_of_cores', 0):.0%} of the {m['cores']} cores, the load "
             f"generator {cpu.get('loadgen_share_of_cores', 0):.0%}; machine {m.get('busy_before_run', 0):.0%} busy "
             "with other work just before.", "", "| assertion | result | |", "| --- | --- | --- |"]
    for check in report["checks"]:
        mark = {True: "pass", False: "FAIL", None: "not judged"}[check["ok"]]
        lines.append(f"| {check['name']} | {check['detail'][:300]} | {mark} |")
    lines += ["", "| endpoint group | requests | per s | p50 ms | p95 ms | statuses |",
              "| --- | ---: | ---: | ---: | ---: | --- |"]
    for group, g in report["summary"]["groups"].items():
        lines.append(f"| {group} | {g['requests']} | {g['per_s']} | {g['p50_ms']} | {g['p95_ms']} | "
                     f"{', '.join(f'{k}: {v}' for k, v in g['statuses'].items())} |")
    return "\n".join(lines)


def main() -> int:
    for name, render in (("latest.json", bench_table), ("soak.json", soak_table)):
        path = RESULTS / name
        if path.exists():
            print(render(json.loads(path.read_text())) + "\n")
        else:
            print(f"({name}: no run yet)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
