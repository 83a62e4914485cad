"""The drain network: list filters and the GeoJSON the drains endpoints answer."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schemas.common import KECAMATAN_CODE, KELURAHAN_CODE, QuerySchema
from api.schemas.logs import BBoxField

MAX_OVERDUE_DAYS = 3660


class DrainQuerySchema(QuerySchema):
    kecamatan_code = fields.String(load_default=None, validate=KECAMATAN_CODE)
    kelurahan_code = fields.String(load_default=None, validate=KELURAHAN_CODE)
    bbox = BBoxField(load_default=None, metadata={"description": "minlon,minlat,maxlon,maxlat"})

    @validates_schema(skip_on_field_errors=True)
    def _one_area(self, data: dict, **_kwargs) -> None:
        if data.get("kelurahan_code") and data.get("kecamatan_code"):
            raise ValidationError("Give kelurahan_code or kecamatan_code, not both.", "kecamatan_code")


class OverdueQuerySchema(DrainQuerySchema):
    days = fields.Integer(load_default=90, validate=validate.Range(min=0, max=MAX_OVERDUE_DAYS), metadata={
        "description": "Overdue when last cleaned more than this many days before today (WIB), or never"})


class DrainPropertiesSchema(Schema):
    id = fields.Integer()
    kelurahan_code = fields.String()
    kecamatan_code = fields.String()
    name = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    length_m = fields.Float()
    covered_m = fields.Float(metadata={"description": "Metres covered by approved logs, ever"})
    last_cleaned_on = fields.Date(allow_none=True, metadata={
        "description": "Latest WIB work_date of an approved log covering any of it; null if never"})
    cleanings = fields.Integer(metadata={"description": "Approved logs covering it"})


class DrainGeometrySchema(Schema):
    type = fields.Constant("LineString")
    coordinates = fields.List(fields.List(fields.Float()))


class DrainFeatureSchema(Schema):
    type = fields.Constant("Feature")
    id = fields.Integer()
    geometry = fields.Nested(DrainGeometrySchema)
    properties = fields.Nested(DrainPropertiesSchema)


class DrainCollectionSchema(Schema):
    type = fields.Constant("FeatureCollection")
    days = fields.Integer(metadata={"description": "Overdue list only: the days asked for"})
    since = fields.Date(metadata={"description": "Overdue list only: cleaned before this date (or never)"})
    features = fields.List(fields.Nested(DrainFeatureSchema))
