"""Streaming CSV and GeoJSON bodies: rows go out as they come from the database."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response, stream_with_context
from marshmallow import Schema

from satgas.services.log_queries import EXPORT_COLUMNS
from satgas.timeutil import to_wib

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


def geojson_page(items: list, schema: Schema) -> Response:
    features = []
    for item in items:
        props = schema.dump(item)
        geometry = props.pop("geometry")
        features.append({"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return Response(body, mimetype="application/geo+json")
