"""Realistic synthetic work logs, straight into PostgreSQL: a crew per kelurahan, WIB working hours,
points and short tracks inside the real polygons, a mix of statuses; then the rollup rebuilt.

    .venv/bin/python -m bench.generate postgresql://postgres@127.0.0.1:5432/satgas_bench 1000000

The schema and the reference data must exist (`flask --app wsgi init`). Rows go in with COPY,
one kelurahan at a time, so a million logs take a few minutes and little memory.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import psycopg
import shapely
from argon2 import PasswordHasher
from pyproj import Geod, Transformer
from shapely.geometry import shape

KELURAHAN_GEOJSON = Path(__file__).resolve().parent.parent / "satgas" / "data" / "malang" / "kelurahan.geojson"
WIB = timezone(timedelta(hours=7))
BENCH_PASSWORD = "bench-password-not-secret"
BENCH_ADMIN = "bench_admin"
SPAN_DAYS = 730  # two years of work, ending yesterday (the bench uses less: see run.py)
ACTIVITIES = ["drain_cleaning", "culvert_cleaning", "channel_normalisation", "waste_removal", "other"]
ACTIVITY_WEIGHTS = [0.45, 0.2, 0.12, 0.18, 0.05]
NOTES = ["Saluran tersumbat sampah plastik", "Gorong-gorong dibersihkan", "Sedimen diangkut ke TPS",
         "Bersama warga RT setempat", "Normalisasi saluran tersier"]
REJECT_NOTES = ["Foto sesudah tidak ada", "Lokasi tidak sesuai", "Volume sedimen tidak wajar"]
COLUMNS = ("id", "crew_id", "submitted_by_id", "activity", "started_at", "finished_at", "work_date", "geometry",
           "gps_accuracy_m", "claimed_kelurahan_code", "kelurahan_code", "kecamatan_code", "length_m",
           "sediment_m3", "waste_kg", "workers", "notes", "measured_length_m", "status", "flags",
           "content_sha256", "created_at", "reviewed_by_id", "reviewed_at", "review_note")
_TO_METRIC = Transformer.from_crs(4326, 32749, always_xy=True)
_TO_WGS84 = Transformer.from_crs(32749, 4326, always_xy=True)
_GEOD = Geod(ellps="WGS84")


def _polygons() -> dict[str, tuple[str, object]]:
    """code → (kecamatan code, polygon in UTM 49S metres), prepared for fast containment tests."""
    features = json.loads(KELURAHAN_GEOJSON.read_text(encoding="utf-8"))["features"]
    result = {}
    for feature in features:
        metric = shapely.transform(shape(feature["geometry"]), lambda xy: np.column_stack(
            _TO_METRIC.transform(xy[:, 0], xy[:, 1])))
        shapely.prepare(metric)
        props = feature["properties"]
        result[props["kelurahan_code"]] = (props["kecamatan_code"], metric)
    return result


def _ensure_actors(conn: psycopg.Connection, polygons: dict) -> tuple[dict, dict]:
    """A crew and a crew user per kelurahan, a supervisor per kecamatan, and an admin (idempotent)."""
    password = PasswordHasher().hash(BENCH_PASSWORD)
    crews, reviewers = {}, {}
    with conn.cursor() as cur:
        for code, (kecamatan, _) in sorted(polygons.items()):
            cur.execute("INSERT INTO crews (name, kecamatan_code, created_at) VALUES (%s, %s, now()) "
                        "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                        (f"bench-{code}", kecamatan))
            crew_id = cur.fetchone()[0]
            crews[code] = (crew_id, _user(cur, f"bench_crew_{code}", password, "crew", crew_id, None))
        for kecamatan in sorted({k for k, _ in polygons.values()}):
            reviewers[kecamatan] = _user(cur, f"bench_sup_{kecamatan}", password, "supervisor", None, kecamatan)
        _user(cur, BENCH_ADMIN, password, "admin", None, None)
    return crews, reviewers


def _user(cur: psycopg.Cursor, username: str, password_hash: str, role: str, crew_id: int | None,
          kecamatan: str | None) -> int:
    cur.execute("INSERT INTO users (username, password_hash, role, crew_id, kecamatan_code, created_at) "
                "VALUES (%s, %s, %s, %s, %s, now()) ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role "
                "RETURNING id", (username, password_hash, role, crew_id, kecamatan))
    return cur.fetchone()[0]


def _points_inside(polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniformly inside the polygon: rejection sampling in its bounding box."""
    minx, miny, maxx, maxy = polygon.bounds
    found: list[np.ndarray] = [np.empty((0, 2))]
    count = 0
    while count < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(2 * (n - count), 64), 2))
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(xy)
        count += len(xy)
    return np.concatenate(found)[:n]


def _tracks_inside(polygon, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n walked tracks of 2–6 vertices, 20–300 m long, wholly inside: (vertices (n,6,2), vertex counts)."""
    verts = np.empty((n, 6, 2))
    counts = rng.integers(2, 7, size=n)
    todo = np.arange(n)
    while len(todo):
        m = len(todo)
        start = _points_inside(polygon, m, rng)
        heading = rng.uniform(0, 2 * np.pi, size=(m, 1)) + np.cumsum(rng.normal(0, 0.5, size=(m, 5)), axis=1)
        step = rng.uniform(20, 300, size=(m, 1)) / (counts[todo] - 1)[:, None]
        used = np.arange(5)[None, :] < (counts[todo] - 1)[:, None]
        moves = np.stack([np.cos(heading), np.sin(heading)], axis=2) * (step * used)[:, :, None]
        candidate = start[:, None, :] + np.concatenate([np.zeros((m, 1, 2)), np.cumsum(moves, axis=1)], axis=1)
        lines = shapely.linestrings(candidate[_vertex_mask(counts[todo])], indices=np.repeat(np.arange(m),
                                                                                               counts[todo]))
        ok = shapely.contains(polygon, lines)
        verts[todo[ok]] = candidate[ok]
        todo = todo[~ok]
    return verts, counts


def _vertex_mask(counts: np.ndarray) -> np.ndarray:
    return np.arange(6)[None, :] < counts[:, None]


def _geometries(polygon, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Hex EWKB (SRID 4326) of n geometries, ~45 % tracks, and their geodesic lengths (0 for points)."""
    is_track = rng.random(n) < 0.45
    wkb = np.empty(n, dtype=object)
    lengths = np.zeros(n)
    points = _points_inside(polygon, int((~is_track).sum()), rng)
    if len(points):
        lon, lat = _TO_WGS84.transform(points[:, 0], points[:, 1])
        wkb[~is_track] = _ewkb(shapely.points(lon, lat))
    verts, counts = _tracks_inside(polygon, int(is_track.sum()), rng)
    if len(counts):
        flat = verts[_vertex_mask(counts)]
        lon, lat = _TO_WGS84.transform(flat[:, 0], flat[:, 1])
        owner = np.repeat(np.arange(len(counts)), counts)
        _, _, seg = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        seg = np.where(owner[:-1] == owner[1:], seg, 0.0)
        lengths[is_track] = np.bincount(owner[:-1], weights=seg, minlength=len(counts))
        wkb[is_track] = _ewkb(shapely.linestrings(np.column_stack([lon, lat]), indices=owner))
    return wkb, lengths


def _ewkb(geoms: np.ndarray) -> np.ndarray:
    return shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)


def _text(value) -> str:
    """COPY text format: our values never hold tabs, newlines or backslashes."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "\\N"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _draws(n: int, n_days: int, crew_codes: list[str], home: str, rng: np.random.Generator) -> dict:
    """Every random column of n logs at once (numpy), so the per-row loop only formats."""
    start_min = rng.integers(7 * 60, 14 * 60, size=n)  # WIB working hours: 07:00–15:00
    return {
        # 15 % of the work is done by crews helping another kelurahan.
        "crew": np.where(rng.random(n) < 0.15, rng.choice(crew_codes, size=n), home),
        "activity": rng.choice(ACTIVITIES, size=n, p=ACTIVITY_WEIGHTS),
        "day": rng.integers(0, n_days, size=n),
        "start_min": start_min,
        "duration": np.minimum(rng.integers(30, 241, size=n), 15 * 60 - start_min),
        "gps": np.round(rng.lognormal(np.log(8), 0.7, size=n), 1),
        "point_length": np.round(rng.uniform(5, 120, size=n), 1),
        "reported": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(0.9, 1.1, size=n)),
        "sediment": np.round(rng.gamma(1.5, 0.8, size=n), 2),
        "waste": np.round(rng.gamma(2.0, 30, size=n), 1),
        "workers": rng.integers(2, 11, size=n),
        "claim": rng.random(n),
        "noted": rng.random(n) < 0.2,
        "status": rng.random(n),
        "ids": rng.bytes(16 * n),
        "hashes": rng.bytes(32 * n),
        "upload_h": rng.uniform(0.1, 48, size=n),
        "review_h": rng.uniform(1, 72, size=n),
    }


def _rows(code: str, kecamatan: str, n: int, actors: tuple[dict, dict], days: list[date],
          polygon, rng: np.random.Generator, now: datetime):
    """The COPY lines of n logs worked in one kelurahan."""
    crews, reviewers = actors
    codes = list(crews)
    neighbour = codes[(codes.index(code) + 1) % len(codes)]  # a wrong claim: the server corrects it, flagged
    geometries, measured = _geometries(polygon, n, rng)
    d = _draws(n, len(days), codes, code, rng)
    for i in range(n):
        day = days[d["day"][i]]
        start = datetime(day.year, day.month, day.day, tzinfo=WIB) + timedelta(minutes=int(d["start_min"][i]))
        finish = start + timedelta(minutes=int(d["duration"][i]))
        created = min(finish + timedelta(hours=float(d["upload_h"][i])), now)
        status = _status(d["status"][i], recent=(now.date() - day).days < 14)
        reviewed = min(created + timedelta(hours=float(d["review_h"][i])), now) if status != "submitted" else None
        claim, gps = d["claim"][i], float(d["gps"][i])
        flags = ",".join(f for f, on in (("kelurahan_mismatch", claim > 0.98), ("low_gps_accuracy", gps > 50)) if on)
        length = measured[i] * d["reported"][i] if measured[i] > 0 else d["point_length"][i]
        crew_id, user_id = crews[d["crew"][i]]
        yield "\t".join(_text(v) for v in (
            _uuid(d["ids"][16 * i:16 * i + 16]), crew_id, user_id, d["activity"][i], start.isoformat(),
            finish.isoformat(), day.isoformat(), geometries[i], gps,
            (neighbour if claim > 0.98 else code) if claim > 0.08 else None, code, kecamatan,
            float(length), float(d["sediment"][i]), float(d["waste"][i]), int(d["workers"][i]),
            NOTES[i % len(NOTES)] if d["noted"][i] else None, float(measured[i]), status, flags,
            d["hashes"][32 * i:32 * i + 32].hex(), created.isoformat(),
            reviewers[kecamatan] if reviewed else None, reviewed.isoformat() if reviewed else None,
            REJECT_NOTES[i % len(REJECT_NOTES)] if status == "rejected" else None,
        )) + "\n"


def _uuid(raw: bytes) -> str:
    h = bytearray(raw)
    h[6], h[8] = (h[6] & 0x0F) | 0x40, (h[8] & 0x3F) | 0x80
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def _status(roll: float, recent: bool) -> str:
    approved, rejected = (0.35, 0.05) if recent else (0.85, 0.06)
    if roll < approved:
        return "approved"
    return "rejected" if roll < approved + rejected else "submitted"


def libpq_dsn(url: str) -> str:
    """Accept the app's SQLAlchemy URL (postgresql+psycopg://) as well as a plain libpq one."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def rebuild_rollup(conn: psycopg.Connection) -> int:
    """Recompute `daily_progress` from the logs and their photos in one INSERT … SELECT … GROUP BY,
    inside the caller's transaction (commit it); returns the number of rollup rows."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM daily_progress")
        cur.execute("""
            INSERT INTO daily_progress (kelurahan_code, work_date, status, logs, length_m, sediment_m3, waste_kg,
                                        photos, complete)
            SELECT w.kelurahan_code, w.work_date, w.status, count(*),
                   sum(CASE WHEN w.measured_length_m > 0 THEN w.measured_length_m ELSE coalesce(w.length_m, 0) END),
                   sum(coalesce(w.sediment_m3, 0)), sum(coalesce(w.waste_kg, 0)),
                   coalesce(sum(p.photos), 0), coalesce(sum(p.complete), 0)
            FROM work_logs w
            LEFT JOIN (SELECT log_id, count(*) AS photos,
                              CASE WHEN bool_or(kind = 'before') AND bool_or(kind = 'after') THEN 1 ELSE 0 END
                                  AS complete
                       FROM photos GROUP BY log_id) p ON p.log_id = w.id
            GROUP BY w.kelurahan_code, w.work_date, w.status""")
        rows = cur.rowcount
    return rows


def _working_days(end: date, span_days: int = SPAN_DAYS) -> list[date]:
    """Monday to Saturday over `span_days` up to `end`."""
    return [d for d in (end - timedelta(days=i) for i in range(span_days)) if d.weekday() != 6]


def generate(dsn: str, n_logs: int, seed: int = 1, span_days: int = SPAN_DAYS) -> None:
    """Add n_logs synthetic logs over the `span_days` up to yesterday (seeded by `seed` and the
    logs already there), then rebuild the rollup."""
    polygons = _polygons()
    now = datetime.now(WIB)
    days = _working_days(now.date() - timedelta(days=1), span_days)
    dsn = libpq_dsn(dsn)
    with psycopg.connect(dsn) as conn:
        existing = conn.execute("SELECT count(*) FROM work_logs").fetchone()[0]
        rng = np.random.default_rng([seed, existing])
        actors = _ensure_actors(conn, polygons)
        weights = rng.uniform(0.5, 1.5, size=len(polygons))
        shares = rng.multinomial(n_logs, weights / weights.sum())
        started = time.perf_counter()
        with conn.cursor().copy(f"COPY work_logs ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for (code, (kecamatan, polygon)), n in zip(sorted(polygons.items()), shares, strict=True):
                batch: list[str] = []
                for line in _rows(code, kecamatan, int(n), actors, days, polygon, rng, now):
                    batch.append(line)
                    if len(batch) == 5000:
                        copy.write("".join(batch))
                        batch.clear()
                copy.write("".join(batch))
        copied = time.perf_counter()
        rollup_rows = rebuild_rollup(conn)
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE work_logs")
        conn.execute("ANALYZE daily_progress")
    print(f"generated {n_logs} logs in {copied - started:.1f} s; rollup {rollup_rows} rows in "
          f"{time.perf_counter() - copied:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
