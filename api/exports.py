"""Streaming CSV and GeoJSON bodies: rows go out as they come from the database."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response, stream_with_context
from marshmallow import Schema

from satgas.geojson import feature, feature_collection
from satgas.services.log_queries import EXPORT_COLUMNS
from satgas.timeutil import to_wib

GEOJSON = "application/geo+json"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_wib(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # Free text opened in a spreadsheet must not run as a formula (CSV injection).
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _csv_lines(header: Iterable[str], rows: Iterable[tuple]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(v) for v in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(rows: Iterable[tuple], header: Iterable[str] = EXPORT_COLUMNS,
                 filename: str = "satgas-logs.csv") -> Response:
    return Response(
        stream_with_context(_csv_lines(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def geojson_response(collection: dict) -> Response:
    return Response(json.dumps(collection, ensure_ascii=False, default=str), mimetype=GEOJSON)


def _collection_chunks(features: Iterable[dict | str], members: dict) -> Iterator[str]:
    head = json.dumps(feature_collection([], **members), ensure_ascii=False, default=str)
    yield head[:-2]  # without the closing "]}" of the empty feature list
    separator, batch = "", []
    for found in features:
        batch.append(found if isinstance(found, str) else json.dumps(found, ensure_ascii=False, default=str))
        if len(batch) == 500:
            yield separator + ",".join(batch)
            separator, batch = ",", []
    yield (separator if batch else "") + ",".join(batch) + "]}"


def geojson_stream(features: Iterable[dict | str], **members) -> Response:
    """A FeatureCollection written as its features come (memory stays flat for any number);
    a feature may be a dict or JSON text (see `satgas.geojson.feature_json`)."""
    return Response(stream_with_context(_collection_chunks(features, members)), mimetype=GEOJSON)


def geojson_page(items: list, schema: Schema) -> Response:
    """A page of items as Features: the dumped item's `geometry` becomes the feature's."""
    features = []
    for item in items:
        props = schema.dump(item)
        features.append(feature(props.pop("geometry"), props, props["id"]))
    return geojson_response(feature_collection(features))
