"""Sync status: the phone deletes its local copy only once the server holds the same bytes."""
from __future__ import annotations

from flask.views import MethodView

from api.base import Blueprint
from api.schemas.logs import SyncStatusQuerySchema, SyncStatusSchema
from satgas.auth import current_user
from satgas.services import log_queries

blp = Blueprint("sync", __name__, url_prefix="/api/v1/sync", description="Offline sync")


@blp.route("/status")
class SyncStatus(MethodView):
    @blp.arguments(SyncStatusQuerySchema)
    @blp.response(200, SyncStatusSchema)
    def post(self, body: dict):
        """Which of these log ids (and which photos, with their sha256) the server holds."""
        return {"logs": log_queries.sync_status(current_user(), body["ids"])}
