"""Work logs: what a phone sends, what the API answers, and the list filters."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marshmallow import Schema, ValidationError, fields, missing, post_dump, validate, validates_schema

from api.fields import AwareDateTime, GeometryField, Text
from api.schemas.common import (
    COMPLAINT_REF,
    COMPLAINT_REF_PATTERN,
    ID_RANGE,
    KECAMATAN_CODE,
    KELURAHAN_CODE,
    QuerySchema,
    check_period,
)
from models import ACTIVITIES, LOG_FLAGS, PHOTO_FLAGS, STATUSES, utcnow

CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_WORK = datetime(2000, 1, 1, tzinfo=UTC)


def _measure(maximum: float, **kwargs):
    return fields.Float(validate=validate.Range(min=0, max=maximum), allow_none=True, load_default=None, **kwargs)


class LogCreateSchema(Schema):
    id = fields.UUID(required=True)
    activity = fields.String(required=True, validate=validate.OneOf(ACTIVITIES))
    started_at = AwareDateTime(required=True)
    finished_at = AwareDateTime(required=True)
    geometry = GeometryField(required=True, metadata={"description": "GeoJSON Point or LineString [lon, lat]"})
    gps_accuracy_m = _measure(100_000)
    kelurahan_code = fields.String(allow_none=True, load_default=None, validate=KELURAHAN_CODE)
    length_m = _measure(100_000)
    sediment_m3 = _measure(10_000)
    waste_kg = _measure(1_000_000)
    workers = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=1, max=500))
    notes = Text(multiline=True, allow_none=True, load_default=None, validate=validate.Length(max=2000))
    complaint_ref = Text(allow_none=True, load_default=None, validate=COMPLAINT_REF,
                         metadata={"description": "The SAMBAT Online complaint ticket this work answers",
                                   "pattern": COMPLAINT_REF_PATTERN})
    crew_id = fields.Integer(strict=True, allow_none=True, load_default=None, validate=ID_RANGE)

    @validates_schema(skip_on_field_errors=True)
    def _times(self, data: dict, **_kwargs) -> None:
        if data["started_at"] < EARLIEST_WORK:
            raise ValidationError("The time is before 2000; check the phone's clock and date.", "started_at")
        if data["finished_at"] < data["started_at"]:
            raise ValidationError("finished_at must not be before started_at.", "finished_at")
        latest = utcnow() + CLOCK_SKEW
        for name in ("started_at", "finished_at"):
            if data[name] > latest:
                raise ValidationError("The time is in the future; check the phone's clock and time zone.", name)

    def load_item(self, raw: object) -> dict:
        """`load(raw)`, quicker for the many items of a batch; the result and errors are the same.

        A well-formed item goes through each field object's own `deserialize` (its type, range and
        text checks) and then `_times`, without marshmallow's per-field bookkeeping (error store,
        partial loading, a closure per field), which costs more than the checks for 14 fields.
        Anything that fails, or a key the schema does not know, goes through `load`, which
        collects every error as usual.
        """
        if not isinstance(raw, dict) or not raw.keys() <= self.load_fields.keys():
            return self.load(raw)
        data = {}
        try:
            for name, field in self.load_fields.items():
                value = field.deserialize(raw.get(name, missing), name, raw)
                if value is not missing:
                    data[name] = value
            self._times(data)
        except ValidationError:
            return self.load(raw)
        return data


# `load_item` runs the schema's hooks itself: a new hook must be added there too.
# It reads each field under its own name: no data_key or attribute.
if dict(LogCreateSchema._hooks) != {"validates_schema": [("_times", False, {"pass_original": False,
                                                                             "skip_on_field_errors": True})]} \
        or any(f.data_key or f.attribute for f in LogCreateSchema._declared_fields.values()):
    raise RuntimeError("LogCreateSchema changed its hooks or keys: teach LogCreateSchema.load_item the change")


class PhotoBriefSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    sha256 = fields.String()


class PhotoSchema(PhotoBriefSchema):
    log_id = fields.UUID()
    content_type = fields.String()
    bytes = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    taken_at = AwareDateTime(allow_none=True)
    exif_location = GeometryField(allow_none=True)
    distance_to_log_m = fields.Float(allow_none=True)
    flags = fields.List(fields.String(), attribute="flag_list")
    created_at = AwareDateTime()


class LogSchema(Schema):
    id = fields.UUID()
    crew_id = fields.Integer()
    activity = fields.String()
    started_at = AwareDateTime()
    finished_at = AwareDateTime()
    work_date = fields.Date()
    geometry = GeometryField()
    gps_accuracy_m = fields.Float(allow_none=True)
    kelurahan_code = fields.String()
    kecamatan_code = fields.String()
    claimed_kelurahan_code = fields.String(allow_none=True)
    length_m = fields.Float(allow_none=True)
    measured_length_m = fields.Float()
    covered_m = fields.Float(metadata={"description": "Metres of the drain network this log covers (0 without one)"})
    sediment_m3 = fields.Float(allow_none=True)
    waste_kg = fields.Float(allow_none=True)
    workers = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    complaint_ref = fields.String(allow_none=True)
    public_id = fields.String(metadata={"description": "Opaque public id: once approved, "
                                                       "/public/v1/activities/<public_id>/card.jpg"})
    status = fields.String()
    flags = fields.List(fields.String(), attribute="flag_list")
    photos = fields.List(fields.Nested(PhotoSchema))
    created_at = AwareDateTime()
    submitted_by = fields.Function(lambda log: log.submitted_by.username)
    reviewed_by = fields.Function(lambda log: log.reviewed_by.username if log.reviewed_by else None)
    reviewed_at = AwareDateTime(allow_none=True)
    review_note = fields.String(allow_none=True)


class LogPageSchema(Schema):
    items = fields.List(fields.Nested(LogSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


def _bbox(value: str) -> list[float]:
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        raise ValidationError("bbox must be four numbers: minlon,minlat,maxlon,maxlat.") from None
    if len(parts) != 4:
        raise ValidationError("bbox must be four numbers: minlon,minlat,maxlon,maxlat.")
    minlon, minlat, maxlon, maxlat = parts
    if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
        raise ValidationError("bbox needs minlon < maxlon and minlat < maxlat within −180…180 and −90…90.")
    return parts


_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"


class BBoxField(fields.String):
    """minlon,minlat,maxlon,maxlat in degrees (WGS 84)."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"pattern": BBOX_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return _bbox(super()._deserialize(value, attr, data, **kwargs))


class LogFilterSchema(QuerySchema):
    kecamatan_code = fields.String(validate=KECAMATAN_CODE)
    kelurahan_code = fields.String(validate=KELURAHAN_CODE)
    crew_id = fields.Integer(validate=ID_RANGE)
    status = fields.String(validate=validate.OneOf(STATUSES))
    activity = fields.String(validate=validate.OneOf(ACTIVITIES))
    flag = fields.String(validate=validate.OneOf(LOG_FLAGS + PHOTO_FLAGS),
                         metadata={"description": "A flag of the log, or of one of its photos"})
    clean = fields.Boolean(metadata={"description": "true: no flag on the log or its photos, and both a before "
                                     "and an after photo (what bulk approval accepts); false: the others"})
    complaint_ref = Text(validate=COMPLAINT_REF, metadata={"description": "A SAMBAT ticket, exactly",
                                                           "pattern": COMPLAINT_REF_PATTERN})
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    bbox = BBoxField(metadata={"description": "minlon,minlat,maxlon,maxlat"})

    @validates_schema(skip_on_field_errors=True)
    def _range(self, data: dict, **_kwargs) -> None:
        if data.get("from_") and data.get("to"):
            check_period(data["from_"], data["to"])


class LogListQuerySchema(LogFilterSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "geojson", "csv"]))
    order = fields.String(load_default="newest", validate=validate.OneOf(["newest", "oldest"]),
                          metadata={"description": "newest (default) or oldest first, by started_at"})


class BatchSchema(Schema):
    logs = fields.List(fields.Raw(allow_none=True), required=True, validate=validate.Length(min=1, max=500),
                       metadata={"description": "Up to 500 logs, each as for POST /api/v1/logs"})


class BatchResultSchema(Schema):
    id = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["created", "unchanged", "conflict", "invalid"]))
    errors = fields.Dict(metadata={"description": "Field → messages (invalid items)"})
    message = fields.String(metadata={"description": "What to fix (conflict and invalid items)"})

    @post_dump
    def _drop_empty(self, data: dict, **_kwargs) -> dict:
        return {key: value for key, value in data.items() if key == "id" or value not in (None, {})}


class BatchResponseSchema(Schema):
    results = fields.List(fields.Nested(BatchResultSchema))


class SyncStatusQuerySchema(Schema):
    ids = fields.List(fields.UUID(), required=True, validate=validate.Length(max=500))


class SyncLogSchema(Schema):
    id = fields.UUID()
    stored = fields.Boolean()
    status = fields.String(allow_none=True)
    photos = fields.List(fields.Nested(PhotoBriefSchema))


class SyncStatusSchema(Schema):
    logs = fields.List(fields.Nested(SyncLogSchema))


class AuditEventSchema(Schema):
    at = AwareDateTime()
    actor = fields.String()
    action = fields.String()
    details = fields.Dict()
