"""A request id on every request and one structured log line per response."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Response, g, request

log = logging.getLogger("satgas.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def log_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(elapsed_ms, 1),
        },
    )
    return response
