"""The drain network: segments with their coverage, and the overdue planning list (GeoJSON)."""
from __future__ import annotations

from flask.views import MethodView

from api.base import Blueprint
from api.exports import GEOJSON, geojson_stream
from api.schemas.drains import DrainCollectionSchema, DrainQuerySchema, OverdueQuerySchema
from satgas.auth import current_user
from satgas.services import drains

blp = Blueprint("drains", __name__, url_prefix="/api/v1/drains", description="The drain network and its coverage")


@blp.route("")
class Drains(MethodView):
    @blp.arguments(DrainQuerySchema, location="query")
    @blp.response(200, DrainCollectionSchema, content_type=GEOJSON)
    @blp.alt_response(403, description="A kecamatan or kelurahan outside your area")
    def get(self, query: dict):
        """Drain segments in your area (or the filter's) with what approved work covered (GeoJSON)."""
        return geojson_stream(drains.segments(current_user(), query))


@blp.route("/overdue")
class Overdue(MethodView):
    @blp.arguments(OverdueQuerySchema, location="query")
    @blp.response(200, DrainCollectionSchema, content_type=GEOJSON)
    @blp.alt_response(403, description="A kecamatan or kelurahan outside your area")
    def get(self, query: dict):
        """Segments not cleaned by an approved log in the last `days` days (or never), longest first."""
        features = drains.overdue(current_user(), query, query["days"])
        return geojson_stream(features, days=query["days"], since=drains.overdue_since(query["days"]).isoformat())
