"""GeoJSON out: one way to turn a geometry into GeoJSON and one FeatureCollection builder.

Used by every output that draws on a map: progress, the public API, areas and the exports.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

COORD_DECIMALS = 6  # about 0.1 m: the precision of the bundled boundaries and of phone GPS
# What a log keeps of what the phone sent: 1 cm, the resolution its content fingerprint compares.
LOG_COORD_DECIMALS = 7


def round_coordinates(coords: Any, decimals: int = COORD_DECIMALS) -> Any:
    """Coordinates (any nesting of positions) rounded to `decimals` places, as lists of floats."""
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], float | int):
        return [round(float(c), decimals) for c in coords]
    return [round_coordinates(c, decimals) for c in coords]


def geometry(value: WKBElement | BaseGeometry | None, decimals: int = COORD_DECIMALS) -> dict[str, Any] | None:
    """A stored (WKB) or shapely geometry as a GeoJSON geometry object with rounded coordinates."""
    if value is None:
        return None
    shaped = mapping(to_shape(value) if isinstance(value, WKBElement) else value)
    return {"type": shaped["type"], "coordinates": round_coordinates(shaped["coordinates"], decimals)}


def feature(geometry_object: dict[str, Any] | None, properties: dict[str, Any], feature_id: Any = None) -> dict:
    """A Feature; `geometry_object` is already GeoJSON (see `geometry`)."""
    found: dict[str, Any] = {"type": "Feature"}
    if feature_id is not None:
        found["id"] = feature_id
    found["geometry"] = geometry_object
    found["properties"] = properties
    return found


def feature_json(geometry_json: str, properties: dict[str, Any], feature_id: Any = None) -> str:
    """The same Feature as `feature`, as JSON text around a geometry the database already wrote as
    GeoJSON (ST_AsGeoJSON with COORD_DECIMALS): long lists skip parsing and re-encoding it."""
    head = '{"type": "Feature", ' + (f'"id": {json.dumps(feature_id)}, ' if feature_id is not None else "")
    return f'{head}"geometry": {geometry_json}, "properties": {json.dumps(properties, ensure_ascii=False)}}}'


def feature_collection(features: Iterable[dict[str, Any]], **members: Any) -> dict[str, Any]:
    """A FeatureCollection; `members` (e.g. from, to, totals) go beside `features`."""
    return {"type": "FeatureCollection", **members, "features": list(features)}
