"""Review decisions and progress figures: what supervisors send and what they read back."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.fields import Text
from api.schemas.common import KECAMATAN_CODE, KELURAHAN_CODE, QuerySchema, check_period
from satgas.services.reviews import DECISIONS, MAX_BULK, SKIP_MESSAGES


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    note = Text(multiline=True, allow_none=True, load_default=None, validate=validate.Length(max=2000),
                         metadata={"description": "Why; required to reject (≤ 2000 chars)"})

    @post_load
    def _blank_note_is_none(self, data: dict, **_kwargs) -> dict:
        if data["note"] is not None and not data["note"].strip():
            data["note"] = None
        return data

    @validates_schema(skip_on_field_errors=True)
    def _note_to_reject(self, data: dict, **_kwargs) -> None:
        if data["decision"] == "rejected" and not (data.get("note") or "").strip():
            raise ValidationError("A note is required to reject a log: tell the crew what to fix.", "note")


class BulkApproveSchema(Schema):
    ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_BULK),
                      metadata={"description": f"Up to {MAX_BULK} log ids"})
    note = Text(multiline=True, allow_none=True, load_default=None, validate=validate.Length(max=2000),
                metadata={"description": "Optional, kept on each log and its audit event"})

    @post_load
    def _blank_note_is_none(self, data: dict, **_kwargs) -> dict:
        if data["note"] is not None and not data["note"].strip():
            data["note"] = None
        return data


class BulkOutcomeSchema(Schema):
    id = fields.UUID()
    status = fields.String(validate=validate.OneOf(["approved", "skipped"]))
    reason = fields.String(allow_none=True, validate=validate.OneOf(sorted(SKIP_MESSAGES)),
                           metadata={"description": "Why it was skipped"})
    message = fields.String(allow_none=True)


class BulkApprovalSchema(Schema):
    approved = fields.Integer()
    skipped = fields.Integer()
    results = fields.List(fields.Nested(BulkOutcomeSchema), metadata={"description": "One per id, in the order sent"})


class DateRangeSchema(QuerySchema):
    from_ = fields.Date(data_key="from", required=True, metadata={"description": "First WIB date (YYYY-MM-DD)"})
    to = fields.Date(required=True, metadata={"description": "Last WIB date, inclusive"})

    @validates_schema(skip_on_field_errors=True)
    def _range(self, data: dict, **_kwargs) -> None:
        check_period(data["from_"], data["to"])


class ProgressQuerySchema(DateRangeSchema):
    kecamatan_code = fields.String(load_default=None, validate=KECAMATAN_CODE)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "geojson"]))


class DailyQuerySchema(DateRangeSchema):
    kelurahan_code = fields.String(load_default=None, validate=KELURAHAN_CODE)
    kecamatan_code = fields.String(load_default=None, validate=KECAMATAN_CODE)

    @validates_schema(skip_on_field_errors=True)
    def _one_area(self, data: dict, **_kwargs) -> None:
        if data.get("kelurahan_code") and data.get("kecamatan_code"):
            raise ValidationError("Give kelurahan_code or kecamatan_code, not both.", "kecamatan_code")


class FiguresSchema(Schema):
    logs = fields.Integer(metadata={"description": "approved + pending + rejected"})
    approved = fields.Integer()
    pending = fields.Integer(metadata={"description": "Submitted, not yet reviewed"})
    rejected = fields.Integer()
    length_m = fields.Float(metadata={"description": "Logs not rejected: track length, or reported length of a point"})
    approved_length_m = fields.Float()
    sediment_m3 = fields.Float()
    waste_kg = fields.Float()
    photos = fields.Integer(metadata={"description": "Photos of logs not rejected"})
    complete = fields.Integer(metadata={"description": "Logs not rejected with a before and an after photo"})
    last_work_date = fields.Date(allow_none=True, metadata={"description": "Latest work_date of a log not rejected"})
    network_m = fields.Float(metadata={"description": "Drain network length in the area (0 without a network)"})
    covered_m = fields.Float(metadata={
        "description": "Metres of that network covered by approved logs worked in the period, each metre once"})
    coverage_pct = fields.Float(allow_none=True, metadata={
        "description": "covered_m / network_m × 100, one decimal; null where network_m is 0"})


class KelurahanProgressSchema(FiguresSchema):
    code = fields.String()
    name = fields.String()
    kecamatan_code = fields.String()
    kecamatan_name = fields.String()


class TotalsSchema(FiguresSchema):
    kelurahan = fields.Integer(metadata={"description": "Number of kelurahan summed"})


class ProgressSchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    kecamatan_code = fields.String(allow_none=True, metadata={"description": "The scope; null for the city"})
    kelurahan = fields.List(fields.Nested(KelurahanProgressSchema))
    totals = fields.Nested(TotalsSchema)
    network_synthetic = fields.Boolean(metadata={
        "description": "The coverage figures are measured against the SYNTHETIC demo network, not a real inventory"})


class DailyRowSchema(Schema):
    date = fields.Date()
    logs = fields.Integer()
    length_m = fields.Float()
    sediment_m3 = fields.Float()
    waste_kg = fields.Float()
