"""flask-smorest's Api and Blueprint, adapted: every error answers the one JSON envelope with a
message that says what to fix (validation errors are summarised into it), and a JSON body the
parser cannot read is a 400, whatever the reason."""
from __future__ import annotations

import json
import logging
from typing import Any

import flask_smorest
from flask_smorest import Api
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import ClientDisconnected, HTTPException

from api.schemas.common import ErrorSchema
from satgas.errors import BadRequest, error_body

log = logging.getLogger(__name__)
_LOCATIONS = ("json", "query", "files", "headers")


def summarise(errors: Any, path: str = "") -> list[str]:
    """Flatten nested marshmallow errors into 'field: message' lines for the message."""
    if isinstance(errors, dict):
        lines = []
        for key, value in errors.items():
            sub = f"{path}.{key}" if path else ("" if key in _LOCATIONS else str(key))
            lines += summarise(value, sub)
        return lines
    if isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        return [f"{path}: {' '.join(errors)}" if path else " ".join(errors)]
    if isinstance(errors, list):
        return [line for e in errors for line in summarise(e, path)]
    return [f"{path}: {errors}" if path else str(errors)]


class SatgasApi(Api):
    """flask-smorest's Api, with a `message` on every error that says what to fix."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        if isinstance(error, ClientDisconnected):
            return self._body_did_not_arrive(error)
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        message = data.get("message")
        if not message and errors:
            message = "Invalid input — " + "; ".join(summarise(errors)[:10])
        if not message:
            message = error.description or error.name
        if error.code and error.code >= 500:
            log.exception("unhandled error", exc_info=getattr(error, "original_exception", None))
            message = "Internal error; it has been logged. Please retry later."
            errors = None
        # Werkzeug's own headers (a 405's Allow), then the ones a view raised with.
        headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        return error_body(error.code or 500, error.name, message, errors), error.code, headers


    @staticmethod
    def _body_did_not_arrive(error: ClientDisconnected):
        """Werkzeug's generic 400 for a body cut off, or stalled past BODY_READ_TIMEOUT_SECONDS (408)."""
        if isinstance(error.__context__, TimeoutError):
            message = "The request body stopped arriving; send the whole request again."
            return error_body(408, "Request Timeout", message), 408, {}
        message = "The request body ended before its Content-Length; send the whole request again."
        return error_body(400, "Bad Request", message), 400, {}


class SatgasParser(FlaskParser):
    """webargs' parser, also turning the ValueErrors json.loads raises outside JSONDecodeError
    (an integer longer than Python's 4300-digit limit) into a 400 instead of a 500.

    flask-smorest hands it schema classes; webargs would build an instance (deep copies of every
    field) on every request. One instance per class serves them all: loading keeps no state on
    the schema."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type, Any] = {}

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = super()._get_schema(argmap, req)
            return schema
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except ValueError:
            raise BadRequest("A number in the JSON body has too many digits to read; "
                             "send numbers of ordinary size.") from None


class Blueprint(flask_smorest.Blueprint):
    """Every resource's blueprint: flask-smorest's, with the parser above."""

    ARGUMENTS_PARSER = SatgasParser()
