"""Webhooks: what an admin sends to register an endpoint, and what the API answers (never a secret
after the creation answer)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.fields import AwareDateTime, Text
from api.schemas.common import QuerySchema
from models import WEBHOOK_EVENTS


class WebhookCreateSchema(Schema):
    url = fields.Url(required=True, schemes={"https", "http"}, require_tld=False,
                     validate=validate.Length(max=2048),
                     metadata={"description": "https:// URL of the receiver (a public host)",
                               "pattern": r"^https?://[^\s/?#@]+(/[^\s]*)?$"})
    events = fields.List(fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)), required=True,
                         validate=validate.Length(min=1, max=20, error="Name one or more events."),
                         metadata={"description": f"One or more of {', '.join(WEBHOOK_EVENTS)}"})
    description = Text(allow_none=True, load_default=None, validate=validate.Length(max=200))


class WebhookSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String(), attribute="event_list")
    description = fields.String(allow_none=True)
    active = fields.Boolean(metadata={"description": "false once the receiver answered 410 Gone"})
    created_at = AwareDateTime()
    disabled_at = AwareDateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)


class WebhookCreatedSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = AwareDateTime()
    secret = fields.String(metadata={"description": "whsec_… signing secret: shown in this answer only, keep it"})


class DeliveriesQuerySchema(QuerySchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500),
                           metadata={"description": "How many of the newest attempts (1–500)"})


class DeliverySchema(Schema):
    event_id = fields.String(metadata={"description": "The webhook-id header: the same on every retry"})
    type = fields.String()
    attempt = fields.Integer()
    status_code = fields.Integer(allow_none=True, metadata={"description": "null when no answer came"})
    error = fields.String(allow_none=True)
    at = AwareDateTime()
    next_attempt_at = AwareDateTime(allow_none=True, metadata={"description": "null: no further attempt"})
