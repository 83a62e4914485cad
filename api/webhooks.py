"""Webhooks (admins): endpoints that other city systems register to learn of work as it happens."""
from __future__ import annotations

from flask.views import MethodView

from api.base import Blueprint
from api.schemas.webhooks import (
    DeliveriesQuerySchema,
    DeliverySchema,
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookSchema,
)
from satgas.auth import current_user, require_roles
from satgas.services import webhooks

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks",
                description="Signed webhooks (Standard Webhooks) to other city systems; admins only")


@blp.route("")
class Webhooks(MethodView):
    @require_roles("admin")
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookCreatedSchema)
    @blp.alt_response(422, description="Bad URL or events; a URL whose host is loopback, private or link-local")
    def post(self, data: dict):
        """Register an endpoint; the answer holds its signing secret, shown this once."""
        return webhooks.create_webhook(current_user(), data["url"], data["events"], data["description"])

    @require_roles("admin")
    @blp.response(200, WebhookSchema(many=True))
    def get(self):
        """List endpoints (without secrets)."""
        return webhooks.list_webhooks()


@blp.route("/<int:webhook_id>")
class WebhookDetail(MethodView):
    @require_roles("admin")
    @blp.response(204)
    @blp.alt_response(404, description="No such webhook")
    def delete(self, webhook_id: int):
        """Delete an endpoint: nothing more is sent to it."""
        webhooks.delete_webhook(webhook_id)


@blp.route("/<int:webhook_id>/deliveries")
class Deliveries(MethodView):
    @require_roles("admin")
    @blp.arguments(DeliveriesQuerySchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @blp.alt_response(404, description="No such webhook")
    def get(self, query: dict, webhook_id: int):
        """Recent delivery attempts to an endpoint, newest first."""
        return webhooks.deliveries(webhook_id, query["limit"])
