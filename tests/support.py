"""Constants and helpers shared by tests (imported; conftest holds the fixtures)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from functools import cache

import pytest
from flask_migrate import upgrade
from pyproj import Transformer
from shapely.affinity import translate
from shapely.geometry import LineString, mapping, shape
from shapely.ops import transform, unary_union

from satgas import create_app
from satgas.services.areas import DATA_DIR, load_reference_data
from tests.pg_server import INSTALL_HINT

PASSWORD = "correct-horse-battery"
WIB = timezone(timedelta(hours=7))
TO_METRIC = Transformer.from_crs(4326, 32749, always_xy=True).transform
TO_WGS84 = Transformer.from_crs(32749, 4326, always_xy=True).transform


@cache
def kelurahan_shapes() -> dict[str, object]:
    """The bundled polygons, as an independent oracle for what the database answers."""
    features = json.loads((DATA_DIR / "kelurahan.geojson").read_text())["features"]
    return {f["properties"]["kelurahan_code"]: shape(f["geometry"]) for f in features}


@cache
def metric_shapes() -> dict[str, object]:
    return {code: transform(TO_METRIC, geom) for code, geom in kelurahan_shapes().items()}


def inside_point(code: str) -> tuple[float, float]:
    p = kelurahan_shapes()[code].representative_point()
    return p.x, p.y


@cache
def city_metric():
    return unary_union(list(metric_shapes().values()))


def track_in(code: str, metres: float) -> dict:
    """A straight track of about `metres` wholly inside the kelurahan (GeoJSON LineString)."""
    polygon = metric_shapes()[code]
    start = polygon.representative_point()
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (0.7, 0.7), (-0.7, -0.7)):
        line = LineString([start, translate(start, dx * metres, dy * metres)])
        if polygon.buffer(-5).contains(line):
            return mapping(transform(TO_WGS84, line))
    raise AssertionError(f"no straight {metres} m track fits in {code}")


def log_payload(lon: float = None, lat: float = None, **overrides) -> dict:
    """A valid log from a phone, started 07:30 WIB yesterday, in Kauman (Klojen) by default."""
    if lon is None:
        lon, lat = inside_point("35.73.02.1007")
    start = (datetime.now(WIB) - timedelta(days=1)).replace(hour=7, minute=30, second=0, microsecond=0)
    payload = {
        "id": str(uuid.uuid4()),
        "activity": "drain_cleaning",
        "started_at": start.isoformat(),
        "finished_at": (start + timedelta(hours=2)).isoformat(),
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "length_m": 25.0,
        "sediment_m3": 1.5,
        "waste_kg": 40,
        "workers": 4,
        "notes": "Saluran depan pasar",
    }
    payload.update(overrides)
    return payload


def make_app(database_url: str, storage_url: str, **overrides):
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "STORAGE_URL": storage_url}
    overrides = {"TESTING": True, "LOGIN_RATE_LIMIT": "1000 per minute",
                 "PUBLIC_RATE_LIMIT": "10000 per minute", **overrides}
    app = create_app(overrides, env=env)
    with app.app_context():
        try:
            upgrade()
        except Exception as exc:
            if "postgis" in str(exc).lower():
                pytest.fail(f"PostGIS is not installed in this PostgreSQL: {INSTALL_HINT}", pytrace=False)
            raise
        load_reference_data()
    return app


# Mutable tables, children first; reference data and the standard cast of users stay.
DATA_TABLES = ["daily_progress", "audit_events", "photos", "work_logs"]


def reset_data(app) -> None:
    """Empty the tables a test may have written to, and the rate-limit counters."""
    from sqlalchemy import text

    from models import db
    from satgas.extensions import limiter

    with app.app_context():
        db.session.remove()
        for table in DATA_TABLES:
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
        limiter.reset()
