"""`make soak` / `python -m bench.soak --minutes N`: a city's working day compressed into minutes.

gunicorn (shipped settings) + throw-away PostGIS + Redis + moto S3 on loopback; 60 crew phones
(batches of logs, before/after photos through tus, sync/status; 5 % of uploads cut mid-body
first — a photo then resumes from HEAD's offset — and 8 % sent twice), 5 supervisors reviewing
their kecamatan's queue, citizens reading the public API open-loop at 50 req/s (offered on a
schedule whatever the server does; latency from each request's due time). Bounded in time (the
deadline) and count (`--max-events`). At the end it asserts and prints: no 5xx, every log stored
exactly once, every photo with its sha256, rollup = direct aggregate, worker RSS growth ≤ 25 MiB
from minute 1, last minute's p95 ≤ 1.5× the first's per endpoint group. Writes
bench/results/soak.json and soak.png; exits 1 when an assertion fails.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from bench.cpu import OthersMeter
from bench.run import cpu_busy, loadavg, machine
from bench.servers import ROOT
from bench.soak import checks
from bench.soak.actors import PUBLIC, SENDERS, Knobs, Ledger, Phone, PublicReaders, Supervisor, photo_pool
from bench.soak.chart import draw
from bench.soak.recorder import Client, Recorder, Sampler
from bench.soak.report import series, summary
from bench.stack import Stack, token

RESULTS = ROOT / "bench" / "results"
KECAMATAN = ["35.73.01", "35.73.02", "35.73.03", "35.73.04", "35.73.05"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--phones", type=int, default=60)
    parser.add_argument("--supervisors", type=int, default=5)
    parser.add_argument("--public-rps", type=float, default=50.0)
    parser.add_argument("--readers", type=int, default=200,
                        help="most threads (each with its keep-alive connection) the open-loop public readers use")
    parser.add_argument("--photo-sender", choices=sorted(SENDERS), default="tus",
                        help="how phones send photos: tus (resuming after a cut, default) or a plain PUT")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the shipped setting)")
    parser.add_argument("--max-events", type=int, default=2_000_000, help="hard cap on recorded requests")
    parser.add_argument("--output", type=Path, default=RESULTS / "soak.json")
    parser.add_argument("--chart", type=Path, default=None, help="PNG (default: beside the JSON)")
    return parser


def _accounts(stack: Stack, phones: int, supervisors: int) -> None:
    crews = [(f"Soak crew {n:02d}", KECAMATAN[n % 5], f"soak_crew_{n:02d}") for n in range(phones)]
    users = [(f"soak_sup_{n}", "supervisor", KECAMATAN[n % 5]) for n in range(supervisors)]
    stack.accounts(crews, [*users, ("soak_admin", "admin", None)])


def _windows(seconds: float) -> tuple[tuple[float, float], tuple[float, float], float]:
    """The first and last windows compared (minute 1 and the last minute; thirds of a short run)
    and the time from which RSS growth is counted."""
    span = 60.0 if seconds >= 180 else seconds / 3
    return (0.0, span), (seconds - span, seconds), span


def _load(server, args, recorder: Recorder, ledger: Ledger, seconds: float, sampler: Sampler) -> dict:
    host, port = "127.0.0.1", server.port
    photos, knobs, sender = photo_pool(), Knobs(), SENDERS[args.photo_sender]()
    phones = [Phone(n, Client(host, port, recorder, token(server.url, f"soak_crew_{n:02d}")), ledger, photos, sender,
                    knobs, 0.0) for n in range(args.phones)]
    sups = [Supervisor(n, Client(host, port, recorder, token(server.url, f"soak_sup_{n}")), knobs, 0.0)
            for n in range(args.supervisors)]
    deadline = time.monotonic() + seconds
    for actor in (*phones, *sups):
        actor.deadline = deadline
    readers = PublicReaders(host, port, recorder, args.public_rps, deadline, max_threads=args.readers)
    recorder.started = time.monotonic()
    sampler.start()
    for actor in (*phones, *sups):
        actor.start()
    readers.start()
    while time.monotonic() < deadline and len(recorder.events) < args.max_events:
        time.sleep(0.5)
    for actor in (*phones, *sups):
        actor.join(120)
    readers.join(120)
    alive = sum(a.is_alive() for a in (*phones, *sups))
    photo_bytes = sender.bytes
    return {"phones": args.phones, "supervisors": args.supervisors, "public_rps": args.public_rps,
            "public": readers.stats(), "photo_sender": args.photo_sender,
            "photo_bytes": {"pool": [len(p) for p in photos], "handed": photo_bytes.photos, "sent": photo_bytes.sent,
                            "sent_ratio": round(photo_bytes.sent / photo_bytes.photos, 3) if photo_bytes.photos
                            else None},
            "knobs": vars(knobs), "still_running": alive}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    seconds = args.minutes * 60
    recorder, ledger, stop = Recorder(), Ledger(), threading.Event()
    busy = cpu_busy()  # nothing of ours runs yet: anything here is someone else's work
    stack = Stack().start()
    try:
        _accounts(stack, args.phones, args.supervisors)
        server = stack.app_server(workers=args.workers)
        admin = Client("127.0.0.1", server.port, recorder, token(server.url, "soak_admin"))
        sampler = Sampler(server, recorder, stop, every=2.0 if seconds < 120 else 5.0)
        with OthersMeter([str(stack.pg.dir)]) as others:
            load = _load(server, args, recorder, ledger, seconds, sampler)
        load["others_cpu_share"] = others.share  # other people's work on a shared machine
        sampler.sample()
        stop.set()
        print(f"load done after {recorder.now():.0f} s: {len(recorder.events)} requests, {len(ledger.logs)} logs, "
              f"{len(ledger.photos)} photos; checking…", flush=True)
        load_seconds = min(recorder.now(), seconds)
        first, last, rss_since = _windows(load_seconds)
        answers = checks.sync_answers(admin, ledger)
        rss_check, growth = checks.rss_growth(sampler.samples, rss_since, 25.0)
        results = [checks.no_5xx(recorder, server.log_path), checks.stored_once(answers, ledger, stack.dsn),
                   checks.photos_stored(answers, ledger, stack.dsn), checks.rollup_matches(admin, stack.dsn),
                   rss_check, checks.p95_drift(recorder.events, first, last, 1.5)]
    finally:
        stop.set()
        stack.close()
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "minutes": args.minutes,
              "seconds": round(recorder.now(), 1),
              "machine": {**machine(), "busy_before_run": busy, "loadavg_after_run": loadavg()},
              "server": {"shape": "gunicorn -c gunicorn.conf.py, PostGIS + Redis + moto S3 on loopback",
                         "workers": args.workers or "shipped"},
              "load": load, "sent": {"logs": len(ledger.logs), "photos": len(ledger.photos)},
              "checks": results, "passed": all(c["ok"] is not False for c in results),
              "summary": summary(recorder, sampler.samples, first, last, load_seconds), "rss_growth_mib": growth,
              "problems": recorder.problems[:50], "series": series(recorder, sampler.samples)}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1, default=str) + "\n")
    chart = args.chart or args.output.with_suffix(".png")
    draw(report["series"]["groups"], report["series"]["rss_mib"],
         f"SATGAS soak, {args.minutes} min, {args.phones} phones ({report['machine']['cores']} cores)", chart,
         args.public_rps / len(PUBLIC))
    print(json.dumps(report["summary"], indent=1))
    print("\nsoak checks:\n" + checks.dump(results))
    print(f"written to {args.output} and {chart}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
