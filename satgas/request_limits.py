"""Size and shape limits on request bodies, checked before any view reads them."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from flask import Request, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from satgas.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

F = TypeVar("F", bound=Callable)
BODY_METHODS = {"POST", "PUT", "PATCH"}
_NUL_MESSAGE = "Text may not contain NUL characters (\\u0000); remove them and send again."


def raw_body(limit_setting: str) -> Callable[[F], F]:
    """View decorator: the body is raw bytes (not JSON) of at most `app.config[limit_setting]`."""

    def mark(view: F) -> F:
        view.raw_body_limit = limit_setting  # type: ignore[attr-defined]
        return view

    return mark


def _raw_body_limit(req: Request) -> str | None:
    """The limit setting of the view about to run, if it takes a raw body."""
    return _limit_of(current_app.view_functions.get(req.endpoint or ""), req.method)


@lru_cache(maxsize=1024)
def _limit_of(view: Callable | None, method: str) -> str | None:
    handler = getattr(getattr(view, "view_class", None), method.lower(), view)
    return getattr(handler, "raw_body_limit", None)


def _has_body(req: Request) -> bool:
    """From the WSGI environ: most requests (GETs) have neither header, so the checks that only
    concern a body stop here without parsing anything."""
    environ = req.environ
    length = environ.get("CONTENT_LENGTH")
    if length and length != "0":
        return True
    return environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"


def enforce_body_limit() -> None:
    """413 from the Content-Length header alone, before reading a byte of the body."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if not _has_body(req):
        return  # nothing to read, nothing to limit
    limit = current_app.config[_raw_body_limit(req) or "MAX_JSON_BYTES"]
    req.max_content_length = limit
    if req.content_length is not None and req.content_length > limit:
        raise PayloadTooLarge(
            f"The request body is {req.content_length} bytes; the limit here is {limit} bytes."
        )


def bound_body_reads() -> None:
    """Under gunicorn, a body read that gets no byte for BODY_READ_TIMEOUT_SECONDS ends (408):
    a client that declares 10,000 bytes and sends 100 cannot hold a worker thread forever."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    sock = req.environ.get("gunicorn.socket")
    if sock is not None and (req.method in BODY_METHODS or _has_body(req)):
        sock.settimeout(current_app.config["BODY_READ_TIMEOUT_SECONDS"])


def require_json_body() -> None:
    """A body meant as JSON but labelled otherwise would be ignored and read as "missing": 415."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.method not in BODY_METHODS or req.url_rule is None or not _has_body(req) or _raw_body_limit(req):
        return
    if not req.is_json:
        raise UnsupportedMediaType(
            f"Send the body as JSON with 'Content-Type: application/json' (got {req.mimetype or 'none'}).")


def reject_nul_characters() -> None:
    """400 for NUL in the path or the query string, on both databases alike.

    JSON bodies are checked field by field (`api.fields.Text`), so that one bad log in a batch
    is only that log's error.
    """
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.url_rule is None:
        return  # routing answers 404 / 405 first
    if "\x00" in req.path:
        raise BadRequest(_NUL_MESSAGE)
    if req.query_string and any("\x00" in k or "\x00" in v for k, v in req.args.items(multi=True)):
        raise BadRequest(_NUL_MESSAGE)


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
