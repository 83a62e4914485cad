"""Domain errors and the one JSON error envelope: {"code", "status", "message", "errors"?}."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.http import HTTP_STATUS_CODES

from models.base import db
from storage.base import StorageUnavailable

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    """No, or no valid, credentials: says how to authenticate (RFC 6750)."""

    status = 401

    def __init__(self, message: str, errors: dict[str, Any] | None = None, headers: dict | None = None,
                 challenge: str = 'Bearer realm="satgas"'):
        super().__init__(message, errors, {"WWW-Authenticate": challenge, **(headers or {})})


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class RequestTimeout(DomainError):
    status = 408


class Conflict(DomainError):
    status = 409


class PayloadTooLarge(DomainError):
    status = 413


class UnsupportedMediaType(DomainError):
    status = 415


class Invalid(DomainError):
    status = 422


class Unavailable(DomainError):
    status = 503


def error_body(status: int, name: str, message: str, errors: Any = None) -> dict:
    body: dict[str, Any] = {"code": status, "status": name, "message": message}
    if errors:
        body["errors"] = errors
    request_id = g.get("request_id") if g else None
    if request_id:
        body["request_id"] = request_id
    return body


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        body = error_body(exc.status, HTTP_STATUS_CODES.get(exc.status, "Error"), exc.message, exc.errors)
        return jsonify(body), exc.status, exc.headers

    @app.errorhandler(TimeoutError)
    def stalled_body(exc: TimeoutError):
        # Only request bodies are read under a socket timeout (see request_limits.bound_body_reads).
        body = error_body(408, "Request Timeout", "The request body stopped arriving; send the whole request again.")
        return jsonify(body), 408

    @app.errorhandler(RecursionError)
    def too_deep(exc: RecursionError):
        body = error_body(400, "Bad Request", "The JSON body is nested too deeply; send a flat document.")
        return jsonify(body), 400

    @app.errorhandler(StorageUnavailable)
    def storage_down(exc: StorageUnavailable):
        log.warning("photo storage unavailable: %s", exc)
        body = error_body(503, "Service Unavailable", "Photo storage is unavailable; retry later.")
        return jsonify(body), 503, {"Retry-After": "30"}

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_down(exc: DBAPIError):
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            log.warning("database unavailable: %s", exc.orig)
            db.session.rollback()
            body = error_body(503, "Service Unavailable", "The database is unavailable; retry later.")
            return jsonify(body), 503, {"Retry-After": "30"}
        log.exception("database error")
        body = error_body(500, "Internal Server Error", "Internal error; it has been logged.")
        return jsonify(body), 500
