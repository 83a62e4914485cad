"""Structured JSON logs: a request id on every line, one access line per response."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

access_log = logging.getLogger("satgas.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    """Stamps every record logged while serving a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr for the app's loggers (idempotent across app instances)."""
    root = logging.getLogger("satgas")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
                                           rename_fields={"asctime": "time", "levelname": "level", "process": "pid"}))
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(logging.WARNING if app.testing else logging.INFO)


def assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def log_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    access_log.info("request", extra={
        "method": request.method, "path": request.path, "status": response.status_code,
        "duration_ms": round(elapsed_ms, 1), "remote_addr": request.remote_addr,
    })
    return response
