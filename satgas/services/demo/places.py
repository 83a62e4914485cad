"""Where the demo crews work: points and tracks well inside the real kelurahan polygons.

Drawn in UTM 49S metres from the bundled boundaries. Each spot keeps 25 m from its kelurahan's
edge and from every other kelurahan (the bundled polygons overlap by slivers), so the server
assigns it to the kelurahan the crew claims and no log is flagged by accident. Once a drain
network is loaded (`use_drains`), crews walk along its drains, with a phone's GPS wobble.
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from functools import cache

from pyproj import Transformer
from shapely import prepare
from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform, unary_union

from models import METRIC_SRID, WGS84
from satgas.services.areas import DATA_DIR

MARGIN_M = 25.0
STEP_M = 20.0
GPS_WOBBLE_M = 3.0  # how far a phone's fix strays from the drain walked
_drains: dict[str, list[LineString]] = {}  # kelurahan code → drains (metres) inside its safe part
_to_metric = Transformer.from_crs(WGS84, METRIC_SRID, always_xy=True).transform
_to_wgs84 = Transformer.from_crs(METRIC_SRID, WGS84, always_xy=True).transform


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str
    inner: BaseGeometry  # metres: where the demo may put a spot

    @property
    def label(self) -> str:
        return f"Kel. {self.name}, Kec. {self.kecamatan_name}"


@cache
def areas() -> dict[str, Area]:
    """Every kelurahan by code, with the part of it safely away from its neighbours."""
    features = json.loads((DATA_DIR / "kelurahan.geojson").read_text(encoding="utf-8"))["features"]
    shapes = {f["properties"]["kelurahan_code"]: transform(_to_metric, shape(f["geometry"])) for f in features}
    kecamatan = {f["properties"]["kecamatan_code"]: f["properties"]["kecamatan_name"] for f in json.loads(
        (DATA_DIR / "kecamatan.geojson").read_text(encoding="utf-8"))["features"]}
    found = {}
    for f in features:
        props = f["properties"]
        code = props["kelurahan_code"]
        others = unary_union([g for c, g in shapes.items() if c != code]).buffer(MARGIN_M)
        inner = shapes[code].buffer(-MARGIN_M).difference(others)
        prepare(inner)
        found[code] = Area(code, props["kelurahan_name"], props["kecamatan_code"],
                           kecamatan[props["kecamatan_code"]], inner)
    return found


def of_kecamatan(kecamatan_code: str) -> list[Area]:
    return [a for code, a in sorted(areas().items()) if a.kecamatan_code == kecamatan_code]


def _random_point(area: Area, rng: random.Random) -> Point:
    minx, miny, maxx, maxy = area.inner.bounds
    for _ in range(10_000):
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.inner.contains(point):
            return point
    raise RuntimeError(f"no room for a demo spot in {area.code}")


def use_drains(drains: dict[str, list[LineString]]) -> None:
    """From now on, spots and tracks lie on these drains (metres, by kelurahan code)."""
    _drains.clear()
    _drains.update(drains)


def _wobble(point: Point, rng: random.Random) -> Point:
    return Point(point.x + rng.uniform(-GPS_WOBBLE_M, GPS_WOBBLE_M), point.y + rng.uniform(-GPS_WOBBLE_M, GPS_WOBBLE_M))


def spot(area: Area, rng: random.Random) -> Point:
    """A point (metres) well inside the kelurahan: on a drain, when the network is loaded."""
    drains = _drains.get(area.code)
    if drains:
        drain = rng.choice(drains)
        return _wobble(drain.interpolate(rng.uniform(0, drain.length)), rng)
    return _random_point(area, rng)


def _along_drain(area: Area, rng: random.Random, metres: float) -> LineString | None:
    """A walk of about `metres` along one of the kelurahan's drains, or None if none is long enough."""
    fitting = [d for d in _drains.get(area.code, []) if d.length >= min(metres, 60.0)]
    if not fitting:
        return None
    drain = rng.choice(fitting)
    length = min(metres, drain.length)
    start = rng.uniform(0, drain.length - length)
    steps = max(2, round(length / STEP_M))
    line = LineString([_wobble(drain.interpolate(start + length * i / steps), rng) for i in range(steps + 1)])
    return line if area.inner.contains(line) else None


def track(area: Area, rng: random.Random, metres: float) -> LineString:
    """A walk of about `metres` along a gently bending drain, wholly inside the kelurahan (metres)."""
    for _ in range(20):
        walked = _along_drain(area, rng, metres)
        if walked is not None:
            return walked
    for attempt in range(200):
        length = metres if attempt < 100 else metres / 2
        start = _random_point(area, rng)
        heading = rng.uniform(0, 2 * math.pi)
        points = [start]
        for _ in range(max(2, round(length / STEP_M))):
            heading += rng.uniform(-0.25, 0.25)
            last = points[-1]
            points.append(Point(last.x + STEP_M * math.cos(heading), last.y + STEP_M * math.sin(heading)))
        line = LineString(points)
        if area.inner.contains(line):
            return line
    raise RuntimeError(f"no room for a {metres:.0f} m demo track in {area.code}")


def to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    return transform(_to_wgs84, geometry)


def offset(point: Point, east_m: float, north_m: float) -> Point:
    """A metric point moved by metres."""
    return Point(point.x + east_m, point.y + north_m)


def lonlat(point_m: Point) -> tuple[float, float]:
    there = to_wgs84(point_m)
    return round(there.x, 7), round(there.y, 7)
