"""Reading a department's drain inventory: GeoJSON, GeoPackage or a zipped Shapefile, any CRS.

GDAL (through pyogrio's wheel) reads the file; pyproj reprojects it to WGS 84. Every problem
is reported as an `Invalid` whose message says what to fix, before anything is stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, GeometryError
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from models import WGS84
from satgas.errors import Invalid

FORMATS = "GeoJSON (.geojson/.json), GeoPackage (.gpkg) or a zipped Shapefile (.zip)"
NAME_MAX, KIND_MAX = 200, 80
_LINE_TYPES = ("LineString", "MultiLineString")


@dataclass(frozen=True)
class DrainLine:
    """One feature of the file: a (multi)line in WGS 84 and its optional name and kind."""

    geometry: BaseGeometry
    name: str | None
    kind: str | None


def _bad(message: str) -> Invalid:
    return Invalid(message, {"file": [message]})


def _layer(path: Path) -> str | None:
    """The one layer holding lines (a GeoPackage may hold several layers)."""
    try:
        layers = pyogrio.list_layers(path)
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise _bad(f"{path.name} cannot be read as {FORMATS}: {exc}") from None
    if len(layers) == 0:
        raise _bad(f"{path.name} holds no layer of features.")
    if len(layers) == 1:
        return str(layers[0][0])
    lines = [str(name) for name, kind in layers if kind and "LineString" in str(kind)]
    if len(lines) != 1:
        names = ", ".join(str(name) for name, _ in layers)
        raise _bad(f"{path.name} holds several layers ({names}); keep only the one with the drain lines.")
    return lines[0]


def _transformer(path: Path, crs: str | None) -> Transformer:
    if not crs:
        raise _bad(f"{path.name} declares no coordinate reference system (CRS): add one (e.g. the .prj of a "
                   "Shapefile, or save it with EPSG:4326 or EPSG:32749) and import again.")
    try:
        return Transformer.from_crs(CRS.from_user_input(crs), WGS84, always_xy=True)
    except CRSError as exc:
        raise _bad(f"The CRS of {path.name} is not one this server knows ({exc}); save the file in EPSG:4326 "
                   "(WGS 84) or EPSG:32749 (UTM 49S).") from None


def _text(value: object, limit: int) -> str | None:
    """A property as clean text: control characters become spaces, trimmed, cut to `limit`."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    cleaned = "".join(" " if (ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF or ord(c) == 127) else c for c in str(value))
    cleaned = " ".join(cleaned.split())[:limit]
    return cleaned or None


def _property(fields: list[str], data: list, wanted: str) -> np.ndarray | None:
    for name, values in zip(fields, data, strict=True):
        if name.lower() == wanted:
            return values
    return None


def _geometry(number: int, wkb: bytes | None, transform: Transformer) -> BaseGeometry:
    """Feature `number`'s line in WGS 84, or an Invalid saying what is wrong with it."""
    if wkb is None:
        raise _bad(f"Feature {number} has no geometry; every feature must be a line.")
    try:
        geom = shapely.force_2d(shapely.from_wkb(wkb))
    except (shapely.errors.GEOSException, ValueError) as exc:
        raise _bad(f"Feature {number} has a broken geometry ({exc}).") from None
    if geom.geom_type not in _LINE_TYPES:
        raise _bad(f"Feature {number} is a {geom.geom_type}: only LineString and MultiLineString features "
                   "(drain centre lines) can be imported.")
    if geom.is_empty or not geom.is_valid or not np.isfinite(shapely.get_coordinates(geom)).all():
        raise _bad(f"Feature {number} has an invalid line ({shapely.is_valid_reason(geom)}): each line needs "
                   "at least two different points with finite coordinates.")
    reprojected = shapely.transform(geom, lambda xy: np.column_stack(transform.transform(xy[:, 0], xy[:, 1])))
    coords = shapely.get_coordinates(reprojected)
    if not (np.isfinite(coords).all() and (np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()):
        raise _bad(f"Feature {number} does not land on Earth in its declared CRS: check the file's CRS.")
    return reprojected


def read_drain_file(path: str | Path) -> list[DrainLine]:
    """Every line of the file in WGS 84 with its `name` and `kind`; Invalid for a file that will not do."""
    path = Path(path)
    if not path.is_file():
        raise _bad(f"No file {path}.")
    layer = _layer(path)
    try:
        meta, _, geometries, data = pyogrio.raw.read(path, layer=layer)
    except (DataSourceError, DataLayerError, GeometryError, OSError) as exc:
        raise _bad(f"{path.name} cannot be read as {FORMATS}: {exc}") from None
    if meta.get("geometry_type") is None or geometries is None:
        raise _bad(f"{path.name} is not spatial: it holds no geometries. Export the drain lines as {FORMATS}.")
    if len(geometries) == 0:
        raise _bad(f"{path.name} holds no features: there are no drain lines to import.")
    transform = _transformer(path, meta.get("crs"))
    fields = [str(f) for f in meta.get("fields", [])]
    names, kinds = _property(fields, data, "name"), _property(fields, data, "kind")
    return [DrainLine(_geometry(i + 1, wkb, transform),
                      _text(names[i], NAME_MAX) if names is not None else None,
                      _text(kinds[i], KIND_MAX) if kinds is not None else None)
            for i, wkb in enumerate(geometries)]


def line_parts(geom: BaseGeometry) -> list[LineString]:
    """The single lines of a (multi)line or collection, contiguous pieces merged."""
    lines = [g for g in shapely.get_parts(shapely.get_parts(geom)) if isinstance(g, LineString) and g.length > 0]
    if len(lines) < 2:
        return lines
    return [g for g in shapely.get_parts(shapely.line_merge(MultiLineString(lines))) if isinstance(g, LineString)]
