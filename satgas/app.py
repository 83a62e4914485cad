"""The application factory: create_app() as a list of small register_* steps."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_config
from satgas import extensions
from satgas.database import configure_engine, engine_options
from satgas.errors import SatgasApi, register_error_handlers
from satgas.metrics import register_metrics
from satgas.request_limits import LimitedRequest

API_TITLE = "SATGAS work-log API"
API_VERSION = "v1"


def create_app(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Flask:
    """Build the app from the environment (or `env`), then apply `overrides` (tests)."""
    app = Flask(__name__)
    app.request_class = LimitedRequest
    app.config.from_mapping(load_config(env))
    app.config.from_mapping(_static_config())
    if overrides:
        app.config.update(overrides)
    register_proxies(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    register_extensions(app)
    register_storage(app)
    register_api(app)
    register_public(app)
    register_error_handlers(app)
    register_hooks(app)
    register_metrics(app)
    register_commands(app)
    return app


def _static_config() -> dict[str, Any]:
    return {
        "API_TITLE": API_TITLE,
        "API_VERSION": API_VERSION,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",  # served by api/docs.py, no CDN
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
            },
            "security": [{"bearerAuth": []}],
        },
        "JSON_SORT_KEYS": False,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "RATELIMIT_HEADERS_ENABLED": True,
        # A moving window: no burst of twice the limit across a window edge (brute force), and
        # no reset in the middle of a short run of attempts.
        "RATELIMIT_STRATEGY": "moving-window",
    }


def register_proxies(app: Flask) -> None:
    """Behind nginx, trust its X-Forwarded-* headers (else every citizen shares one rate limit)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    extensions.db.init_app(app)
    with app.app_context():
        configure_engine(extensions.db.engine)
    extensions.migrate.init_app(app, extensions.db, directory=_migrations_dir(), compare_type=True)
    extensions.limiter.init_app(app)


def _migrations_dir() -> str:
    from config import PROJECT_ROOT

    return str(PROJECT_ROOT / "migrations")


def register_storage(app: Flask) -> None:
    from storage.registry import storage_from_url

    app.extensions["photo_storage"] = storage_from_url(
        app.config["STORAGE_URL"], endpoint_url=app.config["S3_ENDPOINT_URL"]
    )


def register_api(app: Flask) -> None:
    from api import register_blueprints

    api = SatgasApi(app)
    register_blueprints(app, api)


def register_public(app: Flask) -> None:
    """CORS `*` on the public read-only API only (never /api/v1), and its response cache."""
    from flask_cors import CORS

    from satgas.services.public_cache import init_public_cache

    CORS(app, resources={r"/public/*": {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"]}},
         expose_headers=["ETag", "Retry-After"], send_wildcard=True, max_age=86400)
    init_public_cache(app)


def register_hooks(app: Flask) -> None:
    from satgas.auth import authenticate_request
    from satgas.request_limits import enforce_json_limit, reject_nul_characters, require_json_body
    from satgas.request_log import assign_request_id, configure_logging, log_request

    app.before_request(assign_request_id)
    app.before_request(enforce_json_limit)
    app.before_request(authenticate_request)
    app.before_request(require_json_body)
    app.before_request(reject_nul_characters)
    app.after_request(log_request)
    configure_logging(app)


def register_commands(app: Flask) -> None:
    from satgas.cli import init_command, users_cli

    app.cli.add_command(init_command)
    app.cli.add_command(users_cli)
