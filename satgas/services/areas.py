"""Reference data: the bundled kecamatan and kelurahan of Kota Malang, and their lookups."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely import MultiPolygon, Polygon
from shapely.geometry import shape
from shapely.ops import transform, unary_union
from sqlalchemy import select

from models import METRIC_SRID, WGS84, City, Kecamatan, Kelurahan, db
from satgas import geojson
from satgas.errors import NotFound

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "malang"
CITY_CODE, CITY_NAME = "35.73", "Kota Malang"
OUTSIDE_TOLERANCE_M = 200.0

_to_metric = Transformer.from_crs(WGS84, METRIC_SRID, always_xy=True).transform


def _multi(geom) -> MultiPolygon:
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])


def _features(name: str) -> list[dict]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))["features"]


def bundled_codes() -> tuple[list[str], list[str]]:
    """The kecamatan and kelurahan codes of the bundled reference data, sorted."""
    with (DATA_DIR / "kelurahan.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return sorted({r["kecamatan_code"] for r in rows}), sorted(r["kelurahan_code"] for r in rows)


def _bps_codes() -> dict[str, str]:
    with (DATA_DIR / "bps_crosswalk.csv").open(encoding="utf-8") as f:
        return {row["kelurahan_code"]: row["bps_kelurahan_code"] for row in csv.DictReader(f)}


def _city_outline(kelurahan_shapes: list) -> MultiPolygon:
    """Union of the kelurahan with interior holes (sliver gaps) filled."""
    union = _multi(unary_union(kelurahan_shapes))
    return MultiPolygon([Polygon(p.exterior) for p in union.geoms])


def _upsert(model, key: str, **values) -> None:
    row = db.session.get(model, key)
    if row is None:
        db.session.add(model(code=key, **values))
        return
    for name, value in values.items():
        setattr(row, name, value)


def load_reference_data() -> dict[str, int]:
    """Insert or refresh the 5 kecamatan, 57 kelurahan and the city outline; idempotent."""
    for feature in _features("kecamatan.geojson"):
        props = feature["properties"]
        geom = _multi(shape(feature["geometry"]))
        _upsert(Kecamatan, props["kecamatan_code"], name=props["kecamatan_name"],
                boundary=from_shape(geom, srid=WGS84))
    db.session.flush()
    bps = _bps_codes()
    metric_shapes = []
    for feature in _features("kelurahan.geojson"):
        props = feature["properties"]
        geom = _multi(shape(feature["geometry"]))
        metric = _multi(transform(_to_metric, geom))
        metric_shapes.append(metric)
        _upsert(Kelurahan, props["kelurahan_code"], name=props["kelurahan_name"],
                kecamatan_code=props["kecamatan_code"], bps_code=bps.get(props["kelurahan_code"]),
                boundary=from_shape(geom, srid=WGS84), boundary_m=from_shape(metric, srid=METRIC_SRID))
    outline = _city_outline(metric_shapes)
    tolerance = _multi(outline.buffer(OUTSIDE_TOLERANCE_M))
    _upsert(City, CITY_CODE, name=CITY_NAME, boundary_m=from_shape(outline, srid=METRIC_SRID),
            boundary_m_tolerance=from_shape(tolerance, srid=METRIC_SRID))
    db.session.commit()
    return {
        "kecamatan": db.session.query(Kecamatan).count(),
        "kelurahan": db.session.query(Kelurahan).count(),
    }


def list_kecamatan() -> list[Kecamatan]:
    return list(db.session.scalars(select(Kecamatan).order_by(Kecamatan.code)))


def list_kelurahan(kecamatan_code: str | None = None) -> list[Kelurahan]:
    query = select(Kelurahan).order_by(Kelurahan.code)
    if kecamatan_code:
        query = query.where(Kelurahan.kecamatan_code == kecamatan_code)
    return list(db.session.scalars(query))


def get_kelurahan(code: str) -> Kelurahan:
    kelurahan = db.session.get(Kelurahan, code)
    if kelurahan is None:
        raise NotFound(f"No kelurahan with code {code!r}; codes look like 35.73.02.1001.")
    return kelurahan


def boundaries(codes: list[str]) -> dict[str, dict]:
    """GeoJSON MultiPolygon of each kelurahan asked for, by code."""
    rows = db.session.execute(select(Kelurahan.code, Kelurahan.boundary).where(Kelurahan.code.in_(codes)))
    return {code: geojson.geometry(boundary) for code, boundary in rows}
