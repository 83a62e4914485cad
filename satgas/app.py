"""The application factory: create_app() as a list of small register_* steps.

This module is the composition root: it is the one place that wires the HTTP layer (`api`)
to the core; nothing else in `satgas` imports `api`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from api import register_api
from config import PROJECT_ROOT, load_config
from satgas import database, extensions, photo_storage, web_session
from satgas.auth import authenticate_request
from satgas.cli import demo_command, init_command, uploads_cli, users_cli
from satgas.drains_cli import drains_cli
from satgas.errors import register_error_handlers
from satgas.metrics import register_metrics
from satgas.request_cycle import fold_request_hooks
from satgas.request_limits import (
    LimitedRequest,
    bound_body_reads,
    enforce_body_limit,
    reject_nul_characters,
    require_json_body,
)
from satgas.request_log import assign_request_id, configure_logging, log_request
from satgas.response_headers import set_response_headers
from satgas.services.public_cache import init_public_cache
from satgas.services.token_cache import init_token_cache
from satgas.worker import worker_command


def create_app(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Flask:
    """Build the app from the environment (or `env`), then apply `overrides` (tests)."""
    app = Flask(__name__)
    app.request_class = LimitedRequest
    app.config.from_mapping(load_config(env))
    app.config.from_mapping(_static_config())
    if overrides:
        app.config.update(overrides)
    register_proxies(app)
    register_extensions(app)
    photo_storage.init_app(app)
    web_session.init_app(app)
    register_api(app)
    register_public(app)
    init_token_cache(app)
    register_error_handlers(app)
    register_hooks(app)
    register_metrics(app)
    register_commands(app)
    fold_request_hooks(app, extensions.limiter)
    return app


def _static_config() -> dict[str, Any]:
    return {
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
    chosen = database.init_app(app)
    extensions.db.init_app(app)
    with app.app_context():
        chosen.configure_engine(extensions.db.engine)
    extensions.migrate.init_app(app, extensions.db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True)
    extensions.limiter.init_app(app)


def register_public(app: Flask) -> None:
    """CORS `*` on the public read-only API only (never /api/v1), and its response cache."""
    CORS(app, resources={r"/public/*": {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"]}},
         expose_headers=["ETag", "Retry-After"], send_wildcard=True, max_age=86400)
    init_public_cache(app)


def register_hooks(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.before_request(enforce_body_limit)
    app.before_request(bound_body_reads)
    app.before_request(authenticate_request)
    app.before_request(require_json_body)
    app.before_request(reject_nul_characters)
    app.after_request(set_response_headers)
    app.after_request(log_request)
    configure_logging(app)


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(drains_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(demo_command)
