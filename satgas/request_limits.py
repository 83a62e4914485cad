"""Size and shape limits on request bodies, checked before any view reads them."""
from __future__ import annotations

from flask import current_app, request

from satgas.errors import PayloadTooLarge


def enforce_json_limit() -> None:
    """413 from the Content-Length header alone, before reading a byte of the body."""
    limit = current_app.config["MAX_JSON_BYTES"]
    if request.endpoint and request.endpoint.endswith("PhotoUpload"):
        limit = current_app.config["MAX_PHOTO_BYTES"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(
            f"The request body is {request.content_length} bytes; the limit here is {limit} bytes."
        )
