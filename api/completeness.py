"""Completeness of the crews' day, for supervisors and admins."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.schemas.completeness import CompletenessQuerySchema, CompletenessSchema
from satgas.auth import current_user, require_roles
from satgas.services.completeness import completeness_report

blp = Blueprint("completeness", __name__, url_prefix="/api/v1/completeness",
                description="Who sent what today: the crews' logs, photos and phones")


@blp.route("")
class Completeness(MethodView):
    @require_roles("supervisor", "admin")
    @blp.arguments(CompletenessQuerySchema, location="query")
    @blp.response(200, CompletenessSchema)
    @blp.alt_response(403, description="A crew, or a kecamatan outside your area")
    def get(self, query: dict):
        """One row per crew in scope for a WIB date (zeros included): logs, photos, last log, last seen."""
        return completeness_report(current_user(), query["date"], query["kecamatan_code"])
