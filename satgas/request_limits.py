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


def _raw_body_limit() -> str | None:
    """The limit setting of the view about to run, if it takes a raw body."""
    return _limit_of(current_app.view_functions.get(request.endpoint or ""), request.method)


@lru_cache(maxsize=1024)
def _limit_of(view: Callable | None, method: str) -> str | None:
    handler = getattr(getattr(view, "view_class", None), method.lower(), view)
    return getattr(handler, "raw_body_limit", None)


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"


def enforce_body_limit() -> None:
    """413 from the Content-Length header alone, before reading a byte of the body."""
    limit = current_app.config[_raw_body_limit() or "MAX_JSON_BYTES"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(
            f"The request body is {request.content_length} bytes; the limit here is {limit} bytes."
        )


def bound_body_reads() -> None:
    """Under gunicorn, a body read that gets no byte for BODY_READ_TIMEOUT_SECONDS ends (408):
    a client that declares 10,000 bytes and sends 100 cannot hold a worker thread forever."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None and (_has_body() or request.method in BODY_METHODS):
        sock.settimeout(current_app.config["BODY_READ_TIMEOUT_SECONDS"])


def require_json_body() -> None:
    """A body meant as JSON but labelled otherwise would be ignored and read as "missing": 415."""
    if request.method not in BODY_METHODS or request.url_rule is None or _raw_body_limit() or not _has_body():
        return
    if not request.is_json:
        raise UnsupportedMediaType(
            f"Send the body as JSON with 'Content-Type: application/json' (got {request.mimetype or 'none'}).")


def reject_nul_characters() -> None:
    """400 for NUL in the path or the query string, on both databases alike.

    JSON bodies are checked field by field (`api.fields.Text`), so that one bad log in a batch
    is only that log's error.
    """
    if request.url_rule is None:
        return  # routing answers 404 / 405 first
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
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
