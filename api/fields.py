"""Custom marshmallow fields: GeoJSON geometry and timestamps that must carry an offset."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from flask import current_app, has_app_context
from marshmallow import ValidationError, fields
from shapely.geometry import LineString, Point
from shapely.ops import unary_union

from satgas import geojson
from satgas.geojson import LOG_COORD_DECIMALS
from satgas.services.spatial import SWAP_HINT
from satgas.text import clean_name, text_problem
from satgas.timeutil import to_wib

# Kota Malang's extent, widened: used only to recognise swapped coordinates.
_MALANG_LON = (112.50, 112.76)
_MALANG_LAT = (-8.12, -7.84)


class AwareDateTime(fields.AwareDateTime):
    """RFC 3339 with an offset; a naive timestamp is rejected, never guessed."""

    default_error_messages = {
        "invalid": "Not a valid RFC 3339 timestamp; use e.g. 2026-11-28T07:30:00+07:00.",
        "invalid_awareness": "The timestamp has no UTC offset; add one, e.g. 2026-11-28T07:30:00+07:00.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else to_wib(value).isoformat()


# The same rules as JSON Schema patterns, so the OpenAPI document states them too.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
MULTILINE_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


class Text(fields.String):
    """Text as the contract allows it: no NUL, control characters or broken surrogates.

    `multiline=True` (notes) keeps line breaks and tabs. Every string a client sends that is
    neither a code nor a choice goes through this (or `Name`).
    """

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        metadata = {"pattern": MULTILINE_TEXT_PATTERN if multiline else TEXT_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, self.multiline)
        if problem:
            raise ValidationError(problem)
        return text


class Name(fields.String):
    """A name (of a crew, a webhook…): trimmed, inner runs of space collapsed, never empty."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"pattern": NAME_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        try:
            return clean_name(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _position(raw: Any) -> tuple[float, float]:
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise ValidationError("Each position must be [longitude, latitude] (two numbers, no altitude).")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw):
        raise ValidationError("Coordinates must be numbers.")
    lon, lat = float(raw[0]), float(raw[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError("Coordinates must be finite numbers (no NaN or Infinity).")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        message = f"Position [{lon}, {lat}] is out of range: longitude −180…180, latitude −90…90."
        if _MALANG_LON[0] <= lat <= _MALANG_LON[1] and _MALANG_LAT[0] <= lon <= _MALANG_LAT[1]:
            message += f" {SWAP_HINT}"
        raise ValidationError(message)
    return lon, lat


def _plain_positions(coords: list) -> np.ndarray | None:
    """The positions as an (n, 2) array when every one is plainly valid (two finite numbers in
    range), checked at once; None sends them through `_position` one by one for its message. A
    value of exactly 0 or 1 goes that way too: numpy would have read `true`/`false` as one."""
    try:
        array = np.array(coords)
    except (ValueError, TypeError, OverflowError):
        return None
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "fi":
        return None
    array = array.astype(float)
    if not (np.isfinite(array).all() and (np.abs(array[:, 0]) <= 180).all() and (np.abs(array[:, 1]) <= 90).all()):
        return None
    if ((array == 0) | (array == 1)).any():
        return None
    return array


def _max_vertices() -> int:
    return current_app.config["MAX_GEOMETRY_VERTICES"] if has_app_context() else 5000


class GeometryField(fields.Field):
    """GeoJSON Point or LineString in, shapely geometry out; dumps GeoJSON."""

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if not isinstance(value, dict) or "type" not in value or "coordinates" not in value:
            raise ValidationError("Send a GeoJSON object with 'type' and 'coordinates'.")
        kind, coords = value["type"], value["coordinates"]
        if kind == "Point":
            return Point(_position(coords))
        if kind != "LineString":
            raise ValidationError(f"Geometry type {kind!r} is not accepted; send a Point or a LineString.")
        if not isinstance(coords, list) or len(coords) < 2:
            raise ValidationError("A LineString needs at least two positions.")
        if len(coords) > _max_vertices():
            raise ValidationError(f"The track has {len(coords)} positions; the limit is {_max_vertices()}. "
                                  "Simplify it on the phone or split the log.")
        plain = _plain_positions(coords)
        line = LineString(plain if plain is not None else [_position(p) for p in coords])
        if line.length == 0:
            raise ValidationError("A LineString needs at least two distinct positions.")
        # A track that runs back over itself along the same segments is GPS junk, not work done.
        if unary_union(line).length < line.length * 0.999:
            raise ValidationError("The track runs back over itself; send the path walked once.")
        return line

    def _serialize(self, value, attr, obj, **kwargs):
        return geojson.geometry(value, LOG_COORD_DECIMALS)
