"""HTTP layer: one flask-smorest blueprint per resource, the OpenAPI document and its docs page."""
from __future__ import annotations

from flask import Flask

from api import (
    admin,
    areas,
    auth,
    completeness,
    console,
    crew,
    docs,
    drains,
    logs,
    ops,
    photos,
    progress,
    public,
    reviews,
    sync,
    uploads,
    vendor,
    webhooks,
)
from api.base import SatgasApi
from api.schemas.common import QuerySchema
from api.schemas.logs import LogSchema, PhotoSchema
from satgas.services import outbox

API_TITLE = "SATGAS work-log API"
RESOURCES = (auth, areas, admin, logs, photos, uploads, reviews, progress, completeness, drains, sync, webhooks,
             ops, public, crew)


def _openapi_config() -> dict:
    return {
        "API_TITLE": API_TITLE,
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": docs.ASSETS_URL,  # served by the app itself: no CDN
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    }


def _empty_means_absent(converter, field, ret: dict, **_kwargs) -> dict:
    """Optional query parameters say so in the OpenAPI document: `?from=` (a form left blank)
    is the same as no `from`."""
    if ret.get("in") == "query" and not ret.get("required") and isinstance(field.parent, QuerySchema):
        return {"allowEmptyValue": True}
    return {}


def register_api(app: Flask) -> SatgasApi:
    """Create the Api for this app (it keeps a reference to it) and register every resource."""
    for name, value in _openapi_config().items():
        app.config.setdefault(name, value)
    api = SatgasApi(app)
    api.ma_plugin.converter.add_parameter_attribute_function(_empty_means_absent)
    for module in RESOURCES:
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(vendor.bp)
    # Webhook events carry a log or photo exactly as this API shows it to an admin.
    outbox.register_serializers(app, log=LogSchema().dump, photo=PhotoSchema().dump)
    app.wsgi_app = uploads.MethodOverride(app.wsgi_app)  # type: ignore[method-assign]
    app.register_blueprint(console.bp)
    return api
