"""Size and shape limits on request bodies, checked before any view reads them."""
from __future__ import annotations

from flask import Request, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

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


class LimitedRequest(Request):
    """A body sent without Content-Length (chunked) is cut at the limit by Werkzeug, silently.

    Reading it whole then fails as "invalid JSON"; this says what really happened: 413.
    """

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False):
        data = super().get_data(cache=cache, as_text=as_text, parse_form_data=parse_form_data)
        limit = self.max_content_length
        if limit is not None and self.content_length is None and len(data) >= limit:
            raise RequestEntityTooLarge(f"The request body exceeds the limit of {limit} bytes.")
        return data
