"""HTTP layer: one flask-smorest blueprint per resource, the OpenAPI document and its docs page."""
from __future__ import annotations

from flask import Flask

from api import (
    admin,
    areas,
    auth,
    completeness,
    console,
    docs,
    logs,
    ops,
    photos,
    progress,
    public,
    reviews,
    sync,
    vendor,
)
from api.base import SatgasApi

API_TITLE = "SATGAS work-log API"
RESOURCES = (auth, areas, admin, logs, photos, reviews, progress, completeness, sync, ops, public)


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


def register_api(app: Flask) -> SatgasApi:
    """Create the Api for this app (it keeps a reference to it) and register every resource."""
    for name, value in _openapi_config().items():
        app.config.setdefault(name, value)
    api = SatgasApi(app)
    for module in RESOURCES:
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(console.bp)
    return api
