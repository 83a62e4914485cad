"""Progress per kelurahan and per WIB day, for supervisors and admins; CSV and GeoJSON exports."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.base import Blueprint
from api.exports import csv_response, geojson_response
from api.schemas.progress import (
    DailyQuerySchema,
    DailyRowSchema,
    KelurahanProgressSchema,
    ProgressQuerySchema,
    ProgressSchema,
    TotalsSchema,
)
from satgas.auth import current_user, require_roles
from satgas.geojson import feature, feature_collection
from satgas.services import areas, progress

blp = Blueprint("progress", __name__, url_prefix="/api/v1/progress", description="Progress of the work")

CSV_COLUMNS = ("code", "name", "kecamatan_code", "kecamatan_name", "logs", "approved", "pending", "rejected",
               "length_m", "approved_length_m", "sediment_m3", "waste_kg", "photos", "complete", "last_work_date",
               "network_m", "covered_m", "coverage_pct")
# Documented beside the JSON body: flask-smorest keeps one schema per status code.
FORMATS = {
    "application/json": {"schema": ProgressSchema},
    "text/csv": {"schema": {"type": "string", "description": "?format=csv: one row per kelurahan, then totals"}},
    "application/geo+json": {"schema": {"type": "object", "description": "?format=geojson: FeatureCollection of "
                                        "the kelurahan polygons with their figures as properties"}},
}


def _csv(report: dict[str, Any]) -> Response:
    total = dict(report["totals"], code="total", name="Total", kecamatan_code=report["kecamatan_code"] or "",
                 kecamatan_name="")
    rows = [tuple(row[c] for c in CSV_COLUMNS) for row in (*report["kelurahan"], total)]
    filename = f"satgas-progress-{report['from_']}-{report['to']}.csv"
    return csv_response(rows, CSV_COLUMNS, filename)


def _geojson(report: dict[str, Any]) -> Response:
    rows = report["kelurahan"]
    shapes = areas.boundaries([row["code"] for row in rows])
    schema = KelurahanProgressSchema()
    features = [feature(shapes[row["code"]], schema.dump(row), row["code"]) for row in rows]
    return geojson_response(feature_collection(
        features, **{"from": report["from_"].isoformat(), "to": report["to"].isoformat(),
                     "totals": TotalsSchema().dump(report["totals"])}))


@blp.route("")
class Progress(MethodView):
    @require_roles("supervisor", "admin")
    @blp.arguments(ProgressQuerySchema, location="query")
    @blp.response(200, ProgressSchema)
    @blp.doc(responses={"200": {"description": "The table as ?format=json, csv or geojson", "content": FORMATS}})
    @blp.alt_response(403, description="A crew, or a kecamatan outside your area")
    def get(self, query: dict):
        """Figures for every kelurahan in scope (zeros included) and their totals, over WIB dates."""
        report = progress.progress_report(current_user(), query["from_"], query["to"], query["kecamatan_code"])
        if query["format"] == "csv":
            return _csv(report)
        if query["format"] == "geojson":
            return _geojson(report)
        return report


@blp.route("/daily")
class ProgressDaily(MethodView):
    @require_roles("supervisor", "admin")
    @blp.arguments(DailyQuerySchema, location="query")
    @blp.response(200, DailyRowSchema(many=True))
    @blp.alt_response(403, description="A crew, or an area outside yours")
    def get(self, query: dict):
        """One row per WIB date in the range (zeros included) for the city, a kecamatan or a kelurahan."""
        return progress.daily_report(current_user(), query["from_"], query["to"], query["kelurahan_code"],
                                     query["kecamatan_code"])
