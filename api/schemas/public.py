"""Public (no login) schemas: whitelists written for citizens, never the internal schemas trimmed.

A field appears in a public response only if it is named here. Nothing here names a user,
crew, device, log or photo id, a note, EXIF data or a status other than approved.
"""
from __future__ import annotations

from flask import current_app, url_for
from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from api.schemas.common import QuerySchema, check_period
from satgas.services.public import default_period

ACTIVITIES_DEFAULT, ACTIVITIES_MAX = 12, 50


class PublicQuerySchema(QuerySchema):
    class Meta:
        # Unknown parameters are ignored, not refused: a cache-buster (`?_=123`) neither
        # breaks a citizen's embed nor makes a new server-side cache entry.
        unknown = EXCLUDE


class PublicPeriodQuerySchema(PublicQuerySchema):
    from_ = fields.Date(data_key="from", load_default=None,
                        metadata={"description": "First WIB date (YYYY-MM-DD); default: 29 days before `to`"})
    to = fields.Date(load_default=None, metadata={"description": "Last WIB date, inclusive; default: today (WIB)"})

    @post_load
    def _period(self, data: dict, **_kwargs) -> dict:
        """Fill a missing end (last 30 WIB days), then check the period."""
        start, end = default_period(data["from_"], data["to"])
        check_period(start, end)
        return {"from_": start, "to": end}


class PublicActivitiesQuerySchema(PublicQuerySchema):
    limit = fields.Integer(load_default=ACTIVITIES_DEFAULT,
                           validate=validate.Range(min=1, max=ACTIVITIES_MAX),
                           metadata={"description": f"How many (1–{ACTIVITIES_MAX})"})


class PublicFiguresSchema(Schema):
    """Figures of approved logs only (`pending` and `rejected` are always 0 here)."""

    logs = fields.Integer(metadata={"description": "Approved logs"})
    approved = fields.Integer()
    pending = fields.Integer(metadata={"description": "Always 0: the public sees approved logs only"})
    rejected = fields.Integer(metadata={"description": "Always 0: the public sees approved logs only"})
    length_m = fields.Float(metadata={"description": "Drain length cleaned: track length, or reported length"})
    approved_length_m = fields.Float()
    sediment_m3 = fields.Float()
    waste_kg = fields.Float()
    photos = fields.Integer()
    complete = fields.Integer(metadata={"description": "Logs with a before and an after photo"})
    last_work_date = fields.Date(allow_none=True)
    network_m = fields.Float(metadata={"description": "Drain network length in the area (0 without a network)"})
    covered_m = fields.Float(metadata={"description": "Metres of that network cleaned in the period, each metre once"})
    coverage_pct = fields.Float(allow_none=True, metadata={
        "description": "covered_m / network_m × 100, one decimal; null where network_m is 0"})


class PublicKelurahanProgressSchema(PublicFiguresSchema):
    code = fields.String()
    name = fields.String()
    kecamatan_code = fields.String()
    kecamatan_name = fields.String()


class PublicTotalsSchema(PublicFiguresSchema):
    kelurahan = fields.Integer(metadata={"description": "Number of kelurahan summed"})


class PublicProgressSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    kelurahan = fields.List(fields.Nested(PublicKelurahanProgressSchema))
    totals = fields.Nested(PublicTotalsSchema)
    network_synthetic = fields.Boolean(metadata={
        "description": "The coverage figures are measured against a SYNTHETIC demo network, not the real inventory"})


class PublicGeometry(fields.Field):
    """A GeoJSON geometry object, already built by the service."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else {"type": value["type"], "coordinates": value["coordinates"]}


class PublicFeatureSchema(Schema):
    type = fields.Constant("Feature")
    geometry = PublicGeometry(metadata={"description": "The kelurahan boundary (MultiPolygon)"})
    properties = fields.Nested(PublicKelurahanProgressSchema)


class PublicFeatureCollectionSchema(Schema):
    type = fields.Constant("FeatureCollection")
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    totals = fields.Nested(PublicTotalsSchema)
    features = fields.List(fields.Nested(PublicFeatureSchema))


def _public_url(endpoint: str, **values: str) -> str:
    # Absolute from the configured base (never from the Host header: responses are cached
    # and shared); relative when no base is configured, which the bundled page needs.
    return current_app.config["PUBLIC_BASE_URL"] + url_for(endpoint, **values)


class PublicPhotoSchema(Schema):
    kind = fields.String(metadata={"description": "before or after"})
    thumbnail_url = fields.Method("_thumbnail_url", metadata={
        "description": "JPEG thumbnail without EXIF; an opaque URL that needs no login"})

    def _thumbnail_url(self, photo: dict) -> str:
        return _public_url("public.Thumbnail", public_id=photo["public_id"])


class PublicActivitySchema(Schema):
    public_id = fields.String(metadata={"description": "Opaque id of the activity (not the log id)"})
    work_date = fields.Date(metadata={"description": "WIB date of the work"})
    kelurahan_code = fields.String()
    kelurahan_name = fields.String()
    kecamatan_code = fields.String()
    activity = fields.String()
    length_m = fields.Float(metadata={"description": "Counted length: the track measured, or the length reported"})
    geometry = PublicGeometry(metadata={"description": "The spot (Point) or track (LineString) worked"})
    photos = fields.List(fields.Nested(PublicPhotoSchema))
    complaint_ref = fields.String(allow_none=True, metadata={
        "description": "The SAMBAT Online complaint ticket this work answers, or null"})
    card_url = fields.Method("_card_url", allow_none=True, metadata={
        "description": "1080×1080 before/after JPEG card; null unless the work has a before and an after photo"})

    def _card_url(self, activity: dict) -> str | None:
        return _public_url("public.Card", public_id=activity["public_id"]) if activity["has_card"] else None


class PublicActivitiesSchema(Schema):
    items = fields.List(fields.Nested(PublicActivitySchema))


class PingSchema(Schema):
    pass
