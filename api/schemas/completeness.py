"""Completeness of the crews' day: the query and one row per crew."""
from __future__ import annotations

from marshmallow import Schema, fields

from api.fields import AwareDateTime
from api.schemas.common import KECAMATAN_CODE, QuerySchema
from satgas.timeutil import wib_today


class CompletenessQuerySchema(QuerySchema):
    date = fields.Date(load_default=wib_today, metadata={"description": "WIB date (YYYY-MM-DD); default today"})
    kecamatan_code = fields.String(load_default=None, validate=KECAMATAN_CODE,
                                   metadata={"description": "Only crews based in this kecamatan"})


class CrewDaySchema(Schema):
    crew_id = fields.Integer()
    name = fields.String()
    kecamatan_code = fields.String(metadata={"description": "The crew's home kecamatan"})
    kecamatan_name = fields.String()
    logs = fields.Integer(metadata={"description": "Logs worked that date, any status"})
    with_before = fields.Integer(metadata={"description": "…holding a before photo"})
    with_after = fields.Integer(metadata={"description": "…holding an after photo"})
    complete = fields.Integer(metadata={"description": "…holding both"})
    incomplete_log_ids = fields.List(fields.UUID(), metadata={"description": "That date's logs missing a photo"})
    last_log_at = AwareDateTime(allow_none=True, metadata={"description": "Latest created_at of the crew's logs"})
    last_seen_at = AwareDateTime(allow_none=True, metadata={
        "description": "Last authenticated request by any member of the crew (to the minute); null if never"})


class CompletenessSchema(Schema):
    date = fields.Date()
    crews = fields.List(fields.Nested(CrewDaySchema))
