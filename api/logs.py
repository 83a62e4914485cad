"""Work logs: upload (single and batch), list, export, read, history."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import jsonify
from flask.views import MethodView
from marshmallow import ValidationError
from webargs.core import _UNKNOWN_DEFAULT_PARAM, missing

from api.base import Blueprint, SatgasParser
from api.exports import csv_response, geojson_page
from api.schemas.logs import (
    AuditEventSchema,
    BatchResponseSchema,
    BatchSchema,
    LogCreateSchema,
    LogListQuerySchema,
    LogPageSchema,
    LogSchema,
)
from satgas import geojson
from satgas.auth import current_user, require_roles
from satgas.geojson import LOG_COORD_DECIMALS
from satgas.services import log_queries, logs
from satgas.services.logs import CreatedLog, IncomingLog, LogResult
from satgas.timeutil import to_wib

# flask-smorest keeps one schema per status code: the other formats are documented beside it.
LIST_FORMATS = {
    "application/json": {"schema": LogPageSchema},
    "application/geo+json": {"schema": {"type": "object", "description": "?format=geojson: FeatureCollection"}},
    "text/csv": {"schema": {"type": "string", "description": "?format=csv: every match, streamed"}},
}


class _ItemParser(SatgasParser):
    """The shared parser, loading a JSON body through the schema's `load_item` when it has one
    (LogCreateSchema: the same result and errors as `load`, without marshmallow's per-field
    bookkeeping), so that POST /api/v1/logs parses its body once and keeps its documented schema."""

    def _process_location_data(self, location_data, schema, req, location, unknown, validators):
        load_item = getattr(schema, "load_item", None)
        if (load_item is None or location != "json" or validators or location_data is missing
                or unknown != _UNKNOWN_DEFAULT_PARAM or self.unknown != _UNKNOWN_DEFAULT_PARAM):
            return super()._process_location_data(location_data, schema, req, location, unknown, validators)
        return load_item(self.pre_load(location_data, schema=schema, req=req, location=location))


class _Blueprint(Blueprint):
    ARGUMENTS_PARSER = _ItemParser()


blp = _Blueprint("logs", __name__, url_prefix="/api/v1/logs", description="Work logs from crew phones")


@blp.route("")
class Logs(MethodView):
    @blp.arguments(LogListQuerySchema, location="query")
    @blp.response(200, LogPageSchema)
    @blp.doc(responses={"200": {"description": "A JSON page, a GeoJSON page or CSV of every match",
                                "content": LIST_FORMATS}})
    def get(self, query: dict):
        """List logs you may see, newest first; JSON page, GeoJSON page or CSV of all matches."""
        user = current_user()
        if query["format"] == "csv":
            return csv_response(log_queries.export_rows(user, query))
        items, total = log_queries.page_of_logs(user, query, query["page"], query["page_size"],
                                                oldest=query["order"] == "oldest")
        if query["format"] == "geojson":
            return geojson_page(items, LogSchema())
        return {"items": items, "page": query["page"], "page_size": query["page_size"], "total": total}

    @require_roles("crew", "admin")
    @blp.arguments(LogCreateSchema)
    @blp.response(201, LogSchema)
    @blp.alt_response(200, schema=LogSchema, description="Identical replay: the stored log")
    @blp.alt_response(409, description="Same id, different content")
    def post(self, data: dict):
        """Upload one log; a replay of the same id and content answers 200."""
        stored, created = logs.submit_log(current_user(), data)
        if isinstance(stored, CreatedLog):  # written as LogSchema dumps it, without a dump
            return jsonify(created_body(stored)), 201
        return stored, 200  # an identical replay: the stored log


@blp.route("/batch")
class LogBatch(MethodView):
    @require_roles("crew", "admin")
    @blp.arguments(BatchSchema)
    @blp.response(200, BatchResponseSchema)
    def post(self, body: dict):
        """Upload up to 500 logs; each gets its own result, in the order sent."""
        schema = LogCreateSchema()  # one per batch: building a schema costs more than loading an item
        results = logs.submit_batch(current_user(), [_load(schema, raw) for raw in body["logs"]])
        # Hundreds of results: written as BatchResultSchema dumps them, without a dump per item.
        return jsonify({"results": [result_body(result) for result in results]})


def result_body(result: LogResult) -> dict:
    """One item's result as `BatchResultSchema` dumps it: id, status, then errors and message when set."""
    body: dict = {"id": result.id, "status": result.status}
    if result.errors:
        body["errors"] = result.errors
    if result.message is not None:
        body["message"] = result.message
    return body


def _time(value: datetime | None) -> str | None:
    return None if value is None else to_wib(value).isoformat()  # as api.fields.AwareDateTime


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def created_body(log: CreatedLog) -> dict:
    """A log just created as `LogSchema` dumps it (checked field by field in tests/api), without
    building a WorkLog and dumping it: a new log has no photos and no review."""
    row = log.row
    return {
        "id": str(row["id"]), "crew_id": int(row["crew_id"]), "activity": row["activity"],
        "started_at": _time(row["started_at"]), "finished_at": _time(row["finished_at"]),
        "work_date": row["work_date"].isoformat(), "geometry": geojson.geometry(log.geometry, LOG_COORD_DECIMALS),
        "gps_accuracy_m": _float(row["gps_accuracy_m"]), "kelurahan_code": row["kelurahan_code"],
        "kecamatan_code": row["kecamatan_code"], "claimed_kelurahan_code": row["claimed_kelurahan_code"],
        "length_m": _float(row["length_m"]), "measured_length_m": float(row["measured_length_m"]),
        "covered_m": float(row["covered_m"]), "sediment_m3": _float(row["sediment_m3"]),
        "waste_kg": _float(row["waste_kg"]), "workers": None if row["workers"] is None else int(row["workers"]),
        "notes": row["notes"], "complaint_ref": row["complaint_ref"], "public_id": row["public_id"],
        "status": row["status"], "flags": [f for f in row["flags"].split(",") if f], "photos": [],
        "created_at": _time(row["created_at"]), "submitted_by": log.submitted_by, "reviewed_by": None,
        "reviewed_at": None, "review_note": None,
    }


# `created_body` writes every field LogSchema has: a new field must be added there too.
if set(LogSchema._declared_fields) != {"id", "crew_id", "activity", "started_at", "finished_at", "work_date",
                                       "geometry", "gps_accuracy_m", "kelurahan_code", "kecamatan_code",
                                       "claimed_kelurahan_code", "length_m", "measured_length_m", "covered_m",
                                       "sediment_m3", "waste_kg", "workers", "notes", "complaint_ref", "public_id",
                                       "status", "flags", "photos", "created_at", "submitted_by", "reviewed_by",
                                       "reviewed_at", "review_note"}:
    raise RuntimeError("LogSchema changed its fields: teach api.logs.created_body the change")


def _load(schema: LogCreateSchema, raw: object) -> IncomingLog:
    """One batch item through the same schema as a single upload; a bad item is only that item."""
    if not isinstance(raw, dict):
        return IncomingLog.invalid(None, {"_schema": ["Each log must be a JSON object."]})
    try:
        return IncomingLog.loaded(schema.load_item(raw))
    except ValidationError as exc:
        return IncomingLog.invalid(raw.get("id"), exc.normalized_messages())


@blp.route("/<uuid:log_id>")
class LogDetail(MethodView):
    @blp.response(200, LogSchema)
    @blp.alt_response(404, description="Unknown id, or not yours to see")
    def get(self, log_id: uuid.UUID):
        """One log with its photos."""
        return log_queries.get_log(current_user(), log_id)


@blp.route("/<uuid:log_id>/history")
class LogHistory(MethodView):
    @blp.response(200, AuditEventSchema(many=True))
    @blp.alt_response(404, description="Unknown id, or not yours to see")
    def get(self, log_id: uuid.UUID):
        """The log's audit trail, oldest first; creation is the first event."""
        return log_queries.history(current_user(), log_id)


