"""Supervisors' review of work logs: approve or reject, each decision an audit event."""
from __future__ import annotations

import uuid

from flask.views import MethodView

from api.base import Blueprint
from api.schemas.logs import LogSchema
from api.schemas.progress import BulkApprovalSchema, BulkApproveSchema, ReviewSchema
from satgas.auth import current_user, require_roles
from satgas.services import reviews

blp = Blueprint("reviews", __name__, url_prefix="/api/v1/logs", description="Supervisors' review of work logs")


@blp.route("/approve")
class BulkApprove(MethodView):
    @require_roles("supervisor", "admin")
    @blp.arguments(BulkApproveSchema)
    @blp.response(200, BulkApprovalSchema)
    @blp.alt_response(403, description="A crew")
    def post(self, body: dict):
        """Approve many pending logs with no flag and both photos; each its own audit event, others skipped."""
        results = reviews.approve_clean(current_user(), body["ids"], body["note"])
        approved = sum(1 for r in results if r.status == "approved")
        return {"approved": approved, "skipped": len(results) - approved, "results": results}


@blp.route("/<uuid:log_id>/review")
class LogReview(MethodView):
    @require_roles("supervisor", "admin")
    @blp.arguments(ReviewSchema)
    @blp.response(200, LogSchema)
    @blp.alt_response(403, description="A crew, or a supervisor outside the log's kecamatan")
    @blp.alt_response(404, description="Unknown log id")
    def post(self, body: dict, log_id: uuid.UUID):
        """Approve or reject a log (a note is required to reject); re-reviewing is allowed."""
        return reviews.review_log(current_user(), log_id, body["decision"], body["note"])
