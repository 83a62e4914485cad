"""Work logs: upload (single and batch), list, export, read, history."""
from __future__ import annotations

import uuid

from flask import jsonify
from flask.views import MethodView
from marshmallow import ValidationError

from api.base import Blueprint
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
from satgas.auth import current_user, require_roles
from satgas.services import log_queries, logs
from satgas.services.logs import IncomingLog, LogResult

# flask-smorest keeps one schema per status code: the other formats are documented beside it.
LIST_FORMATS = {
    "application/json": {"schema": LogPageSchema},
    "application/geo+json": {"schema": {"type": "object", "description": "?format=geojson: FeatureCollection"}},
    "text/csv": {"schema": {"type": "string", "description": "?format=csv: every match, streamed"}},
}

blp = Blueprint("logs", __name__, url_prefix="/api/v1/logs", description="Work logs from crew phones")


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
        return stored, (201 if created else 200)


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


