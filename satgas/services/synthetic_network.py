"""A SYNTHETIC drain network for tests, the demo month and the benchmark — never real data.

Built from the real kelurahan polygons: in each kelurahan a street grid at its own angle, with
streets every 80–150 m (jittered, gently wiggling) and a drain along both sides of each street
(5 m from its centre), clipped to the kelurahan, cut into blocks of 150–600 m of which about a
fifth have no drain. With the defaults the city gets about 3,000 km of drains, the order of a
real inventory of Kota Malang. Every feature says what it is: `kind` "synthetic" and a name
starting with "[SINTETIS]".

    from satgas.services import synthetic_network
    features = synthetic_network.generate(seed=15)          # GeoJSON Features, WGS 84
    synthetic_network.write("network.geojson", features)    # then: flask drains import network.geojson
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from models import METRIC_SRID, WGS84
from satgas.geojson import round_coordinates
from satgas.services.areas import DATA_DIR
from satgas.services.drain_files import DrainLine

KIND = "synthetic"
LABEL = "SATGAS synthetic drain network (SINTETIS: generated, not the department's inventory)"
SIDE_OFFSET_M = 5.0
BLOCK_M = (150.0, 600.0)
VERTEX_EVERY_M = 50.0
_to_metric = Transformer.from_crs(WGS84, METRIC_SRID, always_xy=True)
_to_wgs84 = Transformer.from_crs(METRIC_SRID, WGS84, always_xy=True)


def _reproject(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _kelurahan(codes: Iterable[str] | None) -> list[tuple[str, str, BaseGeometry]]:
    """(code, name, polygon in metres) of the bundled kelurahan, in code order."""
    wanted = set(codes) if codes is not None else None
    features = json.loads((DATA_DIR / "kelurahan.geojson").read_text(encoding="utf-8"))["features"]
    found = [(f["properties"]["kelurahan_code"], f["properties"]["kelurahan_name"],
              _reproject(shape(f["geometry"]), _to_metric)) for f in features]
    return sorted(k for k in found if wanted is None or k[0] in wanted)


def _street_sides(polygon: BaseGeometry, rng: np.random.Generator, spacing_m: tuple[float, float]) -> list:
    """Both drains of every street of a jittered, wiggling grid over the polygon (unclipped)."""
    centre = polygon.centroid
    reach = math.hypot(*np.subtract(polygon.bounds[2:], polygon.bounds[:2])) / 2 + 50
    spacing = rng.uniform(*spacing_m)
    angle = rng.uniform(0, math.pi / 2)
    along = np.arange(-reach, reach + VERTEX_EVERY_M, VERTEX_EVERY_M)
    sides = []
    for heading in (angle, angle + math.pi / 2):
        direction = np.array([math.cos(heading), math.sin(heading)])
        normal = np.array([-direction[1], direction[0]])
        offset = -reach + rng.uniform(0, spacing)
        while offset < reach:
            wiggle = np.convolve(rng.normal(0, 2.0, len(along)), np.ones(3) / 3, mode="same")
            base = np.array([centre.x, centre.y]) + np.outer(along, direction) + np.outer(offset + wiggle, normal)
            sides += [LineString(base + side * normal) for side in (-SIDE_OFFSET_M, SIDE_OFFSET_M)]
            offset += spacing * rng.uniform(0.85, 1.15)
    return sides


def _blocks(line: LineString, rng: np.random.Generator, keep: float) -> list[LineString]:
    """The line cut into blocks of 150–600 m, each kept with probability `keep`."""
    pieces, start = [], 0.0
    while start < line.length:
        end = min(line.length, start + rng.uniform(*BLOCK_M))
        if rng.random() < keep and end - start > 20:
            pieces.append(substring(line, start, end))
        start = end
    return pieces


def _feature(line: LineString, name: str, number: int) -> dict:
    coordinates = round_coordinates(list(_reproject(line, _to_wgs84).coords), 7)
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coordinates},
            "properties": {"name": f"[SINTETIS] Saluran {name} {number}", "kind": KIND}}


def generate(seed: int = 15, spacing_m: tuple[float, float] = (80.0, 150.0), keep: float = 0.75,
             kelurahan_codes: Iterable[str] | None = None) -> list[dict]:
    """Synthetic drain lines as GeoJSON Features (WGS 84), the same for the same arguments."""
    features = []
    for code, name, polygon in _kelurahan(kelurahan_codes):
        rng = np.random.default_rng([seed, int(code.replace(".", ""))])  # a kelurahan alone looks the same
        inner = polygon.buffer(-1.0)  # off the boundary: each drain lies in its own kelurahan
        for side in _street_sides(polygon, rng, spacing_m):
            for part in shapely.get_parts(side.intersection(inner)):
                if isinstance(part, LineString):
                    features += [_feature(block, name, len(features) + 1) for block in _blocks(part, rng, keep)]
    return features


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "name": LABEL, "features": features}


def write(path: str | Path, features: list[dict]) -> Path:
    """Write the features as a GeoJSON file (EPSG:4326) that `flask drains import` reads."""
    path = Path(path)
    path.write_text(json.dumps(feature_collection(features), separators=(",", ":")), encoding="utf-8")
    return path


def drain_lines(features: list[dict]) -> list[DrainLine]:
    """The features as lines ready for `network.load_network` (no file in between)."""
    return [DrainLine(shape(f["geometry"]), f["properties"]["name"], f["properties"]["kind"]) for f in features]


def length_km(features: list[dict]) -> float:
    return sum(_reproject(shape(f["geometry"]), _to_metric).length for f in features) / 1000
