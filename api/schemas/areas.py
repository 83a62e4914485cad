"""Kecamatan and kelurahan."""
from marshmallow import Schema, fields

from api.schemas.common import KECAMATAN_CODE, QuerySchema


class KecamatanSchema(Schema):
    code = fields.String()
    name = fields.String()


class KelurahanSchema(Schema):
    code = fields.String()
    name = fields.String()
    kecamatan_code = fields.String()


class KelurahanDetailSchema(KelurahanSchema):
    bps_code = fields.String(allow_none=True)
    geometry = fields.Dict(metadata={"description": "GeoJSON MultiPolygon, EPSG:4326"})


class KelurahanQuerySchema(QuerySchema):
    kecamatan_code = fields.String(load_default=None, validate=KECAMATAN_CODE)
