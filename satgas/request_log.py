"""Structured JSON logs: a request id on every line, one access line per response."""
from __future__ import annotations

import logging
import random
import re
import sys
import time

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

access_log = logging.getLogger("satgas.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    """Stamps every record logged while serving a request with that request's id (the access
    line brings its own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
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
    """The first before_request hook: the request's id and start (the metrics time from it too)."""
    context = g._get_current_object()  # type: ignore[attr-defined]
    context.started = time.perf_counter()
    incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
    context.request_id = incoming if incoming and _SAFE_ID.match(incoming) else _new_id()


def _new_id() -> str:
    """32 random hex digits. Not uuid4: its os.urandom is a system call per request, and an id
    only needs to be unique (`random` is reseeded in each forked worker)."""
    return f"{random.getrandbits(128):032x}"


def log_request(response: Response) -> Response:
    context, req = g._get_current_object(), request._get_current_object()  # type: ignore[attr-defined]
    request_id = getattr(context, "request_id", "")
    response.headers["X-Request-ID"] = request_id
    started = getattr(context, "started", None)
    elapsed_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    access_log.info("request", extra={
        "method": req.method, "path": req.path, "status": response.status_code,
        "duration_ms": round(elapsed_ms, 1), "remote_addr": req.remote_addr, "request_id": request_id or None,
    })
    return response
