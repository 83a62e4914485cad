"""The targets of issue 17 and the verdict table: each figure beside its target, met or missed.

A figure whose runs had any error is missed, with the reason; a figure that could not be
measured is "not measured", with the reason; `info` rows carry no target. Targets can be
overridden (`--target` or BENCH_TARGETS, e.g. `floor.ratio_auth_me>=1000`), which is how the
smoke test proves that a missed target is reported as missed.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass

OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq}


@dataclass(frozen=True)
class Target:
    bench: str
    figure: str  # dotted path inside the bench's result
    op: str | None  # None: reported, not judged
    limit: float | bool | None
    label: str

    @property
    def key(self) -> str:
        return f"{self.bench}.{self.figure}"


TARGETS = [
    Target("floor", "ratio_auth_me", ">=", 0.6, "GET /api/v1/auth/me req/s ÷ bare Flask no-op"),
    Target("floor", "ratio_healthz", None, None, "/healthz req/s ÷ bare Flask no-op"),
    Target("single_ingest", "ratio_auth_me", ">=", 0.5, "POST /api/v1/logs req/s ÷ GET /api/v1/auth/me"),
    Target("single_ingest", "ratio_peer", ">=", 1.0, "POST /api/v1/logs req/s ÷ pygeoapi POST items"),
    Target("batch_ingest", "api_logs_per_s", ">=", 8000, "batch ingest, created logs/s"),
    Target("batch_ingest", "ratio", ">=", 0.35, "batch created logs/s ÷ executemany rows/s"),
    Target("photo", "p95_ms", "<=", 120, "12 MP phone JPEG accepted, p95 ms"),
    Target("photo", "ratio_p95", "<=", 2.0, "photo upload p95 ÷ same checks as a function"),
    Target("photo_rss", "rss_growth_mib", "<=", 4.0, "15 MiB photo: worker RSS growth MiB"),
    Target("progress", "progress.http.p95_ms", "<=", 50, "/api/v1/progress over a year, p95 ms"),
    Target("progress", "progress.ratio_p95", "<=", 0.2, "/api/v1/progress p95 ÷ raw SQL over the logs"),
    Target("progress", "progress.match", "==", True, "/api/v1/progress = direct aggregate"),
    Target("public_geojson", "warm.ratio_peer", ">=", 1.0, "public GeoJSON warm req/s ÷ pygeoapi kelurahan"),
    Target("public_geojson", "cold.ratio_peer", ">=", 1.0, "public GeoJSON cold req/s ÷ pygeoapi kelurahan"),
    Target("public_geojson", "warm.ratio_ping", ">=", 0.7, "public GeoJSON warm req/s ÷ /public/v1/ping"),
    Target("export_csv", "extra_growth_mib", "<=", 2.0, "CSV export: 10N rows' RSS growth − N rows'"),
    Target("resumable", "tus_ratio", "<=", 1.15, "tus over a link dropping every 2 MiB: bytes sent ÷ photo"),
    Target("resumable", "tus_chunked_ratio", "<=", 1.15, "the same in 256 KiB PATCHes: bytes sent ÷ photo"),
    Target("resumable", "put_ratio", None, None, "a PUT restarting after the same drops: bytes sent ÷ photo"),
    Target("resumable", "rss_growth_mib", "<=", 4.0, "15 MiB photo in 256 KiB tus PATCHes: worker RSS growth MiB"),
    Target("coverage", "batch_logs_per_s", ">=", 5000, "tracks along the drain network, created logs/s"),
    Target("coverage", "progress.http.p95_ms", "<=", 100, "/api/v1/progress with coverage over a year, p95 ms"),
    Target("coverage", "progress.ratio_p95", "<=", 0.2, "progress with coverage p95 ÷ direct coverage SQL"),
    Target("coverage", "progress.match", "==", True, "coverage figures = direct aggregate over the logs"),
    Target("coverage", "overdue.p95_ms", "<=", 200, "/api/v1/drains/overdue?days=90, p95 ms"),
]
_OVERRIDE = re.compile(r"^\s*([\w.]+)\s*(>=|<=|==)\s*(\S+)\s*$")


def _number(text: str) -> float | bool:
    lowered = text.lower()
    return lowered == "true" if lowered in ("true", "false") else float(text)


def with_overrides(targets: list[Target], overrides: list[str]) -> list[Target]:
    """Targets with some limits replaced: each override is `bench.figure OP value`."""
    out = list(targets)
    for text in overrides:
        match = _OVERRIDE.match(text)
        if not match:
            raise ValueError(f"target override {text!r} is not like 'floor.ratio_auth_me>=0.6'")
        key, op, value = match.groups()
        found = [i for i, t in enumerate(out) if t.key == key]
        if not found:
            raise ValueError(f"no target {key!r}; known: {', '.join(t.key for t in targets)}")
        for i in found:
            out[i] = Target(out[i].bench, out[i].figure, op, _number(value), out[i].label + " (overridden)")
    return out


def _dig(result: object, path: str) -> object:
    for part in path.split("."):
        result = result.get(part) if isinstance(result, dict) else None
    return result


def check(results: dict[str, dict], targets: list[Target]) -> list[dict]:
    """One row per target: the value this run measured and its verdict (met / missed / …)."""
    rows = []
    for t in targets:
        result = results.get(t.bench)
        value = _dig(result, t.figure)
        failed = _dig(result, "failed") or {}
        not_measured = (_dig(result, "not_measured") or {}) if isinstance(result, dict) else {}
        reason = failed.get(t.figure) if isinstance(failed, dict) else None
        if result is None:
            met, reason = None, "not run"
        elif value is None:
            met, reason = None, not_measured.get(t.figure) or not_measured.get("*") or reason or "not measured"
        elif reason:
            met = False  # any error fails the figure, whatever its value
        elif t.op is None:
            met = "info"
        else:
            met = bool(OPS[t.op](value, t.limit))
        rows.append({"benchmark": t.bench, "figure": t.figure, "label": t.label, "value": value,
                     "target": None if t.op is None else f"{t.op} {t.limit}", "met": met, "reason": reason})
    return rows


def verdict_text(met: object) -> str:
    return {True: "met", False: "MISSED", None: "not measured", "info": "info"}[met]


def table(rows: list[dict]) -> str:
    lines = [f"  {'figure':<52} {'value':>10} {'target':>10}  verdict"]
    for row in rows:
        value = row["value"]
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        line = f"  {row['label'][:52]:<52} {shown:>10} {row['target'] or '':>10}  {verdict_text(row['met'])}"
        if row["reason"]:
            line += f" ({row['reason'][:160]})"
        lines.append(line)
    return "\n".join(lines)
