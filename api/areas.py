"""Reference data: kecamatan and kelurahan of Kota Malang."""
from __future__ import annotations

from flask.views import MethodView

from api.base import Blueprint
from api.schemas.areas import KecamatanSchema, KelurahanDetailSchema, KelurahanQuerySchema, KelurahanSchema
from satgas import geojson
from satgas.services import areas

blp = Blueprint("areas", __name__, url_prefix="/api/v1", description="Kecamatan and kelurahan")


@blp.route("/kecamatan")
class KecamatanList(MethodView):
    @blp.response(200, KecamatanSchema(many=True))
    def get(self):
        """List the 5 kecamatan."""
        return areas.list_kecamatan()


@blp.route("/kelurahan")
class KelurahanList(MethodView):
    @blp.arguments(KelurahanQuerySchema, location="query")
    @blp.response(200, KelurahanSchema(many=True))
    def get(self, query: dict):
        """List the kelurahan, optionally of one kecamatan."""
        return areas.list_kelurahan(query["kecamatan_code"])


@blp.route("/kelurahan/<string:code>")
class KelurahanDetail(MethodView):
    @blp.response(200, KelurahanDetailSchema)
    @blp.alt_response(404, description="Unknown code")
    def get(self, code: str):
        """One kelurahan with its boundary (GeoJSON MultiPolygon)."""
        kelurahan = areas.get_kelurahan(code)
        return {
            "code": kelurahan.code,
            "name": kelurahan.name,
            "kecamatan_code": kelurahan.kecamatan_code,
            "bps_code": kelurahan.bps_code,
            "geometry": geojson.geometry(kelurahan.boundary),
        }
