"""What the soak asserts at the end, each as {name, ok, detail}; `ok` None means it could not be
judged (too few samples in a short run), which is said, never counted as a pass."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from bench.generate import libpq_dsn
from bench.progress import PROGRESS_SQL, _same
from bench.soak.actors import Ledger
from bench.soak.recorder import Client, Event, Recorder, Sample

MIB = 1024
MIN_SAMPLES = 20
_STATUS = re.compile(r'"status":\s*(\d{3})')


def _check(name: str, ok: bool | None, detail: str) -> dict:
    return {"name": name, "ok": ok, "detail": detail}


def no_5xx(recorder: Recorder, server_log: Path) -> dict:
    seen = [e for e in recorder.events if e.status >= 500]
    logged = sum(1 for line in server_log.read_text(errors="replace").splitlines()
                 if '"satgas.access"' in line and (m := _STATUS.search(line)) and int(m.group(1)) >= 500)
    failed = [e for e in recorder.events if e.status == 0]
    return _check("no 5xx", not seen and not logged and not failed,
                  f"{len(seen)} 5xx answers seen by clients, {logged} in the server's access log, "
                  f"{len(failed)} requests without an answer")


def sync_answers(admin: Client, ledger: Ledger) -> dict[str, dict]:
    """sync/status of every log the phones sent, asked as an admin (who sees them all), 500 a call."""
    answers: dict[str, dict] = {}
    ids = sorted(ledger.logs)
    for k in range(0, len(ids), 500):
        status, body = admin.json("final_sync", "POST", "/api/v1/sync/status", {"ids": ids[k:k + 500]})
        if status != 200:
            raise RuntimeError(f"sync/status answered {status}: {body}")
        answers.update({item["id"]: item for item in body["logs"]})
    return answers


def stored_once(answers: dict[str, dict], ledger: Ledger, dsn: str) -> dict:
    missing = [i for i in ledger.logs if not answers.get(i, {}).get("stored")]
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        rows, distinct = conn.execute("SELECT count(*), count(DISTINCT id) FROM work_logs").fetchone()
    ok = not missing and rows == distinct == len(ledger.logs)
    return _check("every log stored exactly once", ok,
                  f"{len(ledger.logs)} logs sent, {len(ledger.logs) - len(missing)} stored per sync/status, "
                  f"{rows} rows in work_logs ({distinct} distinct ids)")


def photos_stored(answers: dict[str, dict], ledger: Ledger, dsn: str) -> dict:
    held = {p["id"]: p["sha256"] for item in answers.values() for p in item.get("photos", [])}
    wrong = [pid for pid, (_log, sha) in ledger.photos.items() if held.get(pid) != sha]
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        rows = conn.execute("SELECT count(*) FROM photos").fetchone()[0]
    return _check("every photo stored with its sha256", not wrong and rows == len(ledger.photos),
                  f"{len(ledger.photos)} photos sent, {len(ledger.photos) - len(wrong)} held with the same sha256 "
                  f"per sync/status, {rows} rows in photos")


def rollup_matches(admin: Client, dsn: str) -> dict:
    """GET /api/v1/progress (the rollup) over the soak's days = an aggregate straight over work_logs."""
    first, last = date.today() - timedelta(days=3), date.today() + timedelta(days=1)
    status, body = admin.json("final_progress", "GET", f"/api/v1/progress?from={first}&to={last}")
    if status != 200:
        return _check("rollup = direct aggregate", False, f"/api/v1/progress answered {status}")
    with psycopg.connect(libpq_dsn(dsn)) as conn, conn.cursor(row_factory=dict_row) as cur:
        cur.execute(PROGRESS_SQL, {"from": first, "to": last})
        direct = cur.fetchall()
    ok = _same(body["kelurahan"], direct, "code")
    logs = body["totals"]["logs"]
    return _check("rollup = direct aggregate", ok,
                  f"{first}..{last}: /api/v1/progress totals {logs} logs, {body['totals']['photos']} photos; "
                  f"direct aggregate {sum(r['logs'] for r in direct)} logs, {sum(r['photos'] for r in direct)} photos")


def rss_growth(samples: list[Sample], since: float, limit_mib: float) -> tuple[dict, dict]:
    """Per worker: RSS at the first sample from `since` on, and at the last sample."""
    base = next((s for s in samples if s.t >= since), None)
    if base is None or base is samples[-1]:
        return _check("worker RSS growth", None, "too few memory samples"), {}
    end = samples[-1]
    growth = {pid: round((end.rss_kib[pid] - base.rss_kib[pid]) / MIB, 1) for pid in base.rss_kib if pid in end.rss_kib}
    worst = max(growth.values()) if growth else None
    ok = worst is not None and worst <= limit_mib and len(growth) == len(base.rss_kib)
    return _check(f"worker RSS growth ≤ {limit_mib} MiB", ok,
                  f"from {base.t:.0f} s to {end.t:.0f} s: {growth} MiB (worst {worst})"), growth


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def p95_drift(events: list[Event], first: tuple[float, float], last: tuple[float, float], factor: float) -> dict:
    """For each endpoint group: p95 of the last window ≤ factor × p95 of the first."""
    groups = sorted({e.group for e in events if e.status > 0 and not e.group.startswith("final")})
    rows, verdicts = {}, []
    for group in groups:
        a = [e.ms for e in events if e.group == group and e.status > 0 and first[0] <= e.t < first[1]]
        b = [e.ms for e in events if e.group == group and e.status > 0 and last[0] <= e.t < last[1]]
        p_a, p_b = percentile(a, 95), percentile(b, 95)
        judged = len(a) >= MIN_SAMPLES and len(b) >= MIN_SAMPLES
        ok = (p_b <= factor * p_a) if judged else None
        rows[group] = {"first_n": len(a), "first_p95_ms": _r(p_a), "last_n": len(b), "last_p95_ms": _r(p_b),
                       "ratio": _r(p_b / p_a if p_a and p_b else None), "ok": ok}
        verdicts.append(ok)
    judged = [v for v in verdicts if v is not None]
    ok = None if not judged else all(judged)
    detail = "; ".join(f"{g} {r['first_p95_ms']}→{r['last_p95_ms']} ms" + ("" if r["ok"] is not None else
                       f" (not judged: {r['first_n']}/{r['last_n']} samples)") for g, r in rows.items())
    return {**_check(f"p95 of the last window ≤ {factor}× the first's, per group", ok, detail), "groups": rows}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dump(checks: list[dict]) -> str:
    mark = {True: "PASS", False: "FAIL", None: "n/a "}
    return "\n".join(f"  {mark[c['ok']]}  {c['name']}: {c['detail']}" for c in checks) + "\n" + json.dumps(
        {"passed": sum(c["ok"] is True for c in checks), "failed": sum(c["ok"] is False for c in checks)})
