"""Raw request bodies (photos) to a temp file: hashed and counted as they arrive.

413 past the limit without reading the rest; 400 when the body ends before its
Content-Length or the connection breaks. The service receives a finished file, its size and
its sha256 — it never sees the request.
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import request
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from satgas.errors import BadRequest, PayloadTooLarge, RequestTimeout, Unavailable
from satgas.services.photo_checks import Spooled

CHUNK_BYTES = 64 * 1024
# A body that ends early or breaks mid-way: the connection was cut (or the chunking is malformed).
_BODY_ERRORS = (ClientDisconnected, OSError, ParseException)


def body_stream() -> BinaryIO:
    """The raw body when the server terminates it (gunicorn: Content-Length or chunked), else
    werkzeug's stream limited to the Content-Length. Not werkzeug's max-length wrapper: it
    refuses a body of exactly the limit; `spool` counts and stops at the limit itself."""
    if request.environ.get("wsgi.input_terminated"):
        return request.environ["wsgi.input"]
    return request.stream


@contextmanager
def spooled_body(limit: int, what: str = "photo", allow_partial: bool = False) -> Iterator[Spooled]:
    """The request body in a temp file that is removed when the block ends (see `spool`)."""
    with tempfile.TemporaryDirectory(prefix="satgas-body-") as tmp:
        yield spool(body_stream(), request.content_length, limit, Path(tmp) / "body", what, allow_partial)


def spool(stream: BinaryIO, content_length: int | None, limit: int, dest: Path, what: str = "photo",
          allow_partial: bool = False) -> Spooled:
    """Copy `stream` to `dest` chunk by chunk, hashing and counting as it arrives.

    With `allow_partial`, a body cut off before its end keeps what arrived (resumable uploads
    store it and carry on from there) instead of failing.
    """
    digest, size = hashlib.sha256(), 0
    try:
        with _spool_file(dest) as out:
            while True:
                try:
                    chunk = stream.read(_next_read(content_length, size))
                except _BODY_ERRORS as exc:
                    if allow_partial:
                        break
                    if isinstance(exc, TimeoutError):
                        raise RequestTimeout(f"The upload stalled after {size} bytes; nothing was stored. "
                                             f"Send the {what} again.") from None
                    raise _cut_off(content_length, size, what) from None
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit, what)
                digest.update(chunk)
                out.write(chunk)
    except RequestEntityTooLarge:  # werkzeug's own cap on a stream without Content-Length
        raise _too_large(limit, what) from None
    if content_length is not None and size != content_length and not allow_partial:
        raise _cut_off(content_length, size, what)
    if size == 0 and not allow_partial:
        raise BadRequest(f"The request body is empty; send the {what}'s bytes as the body.")
    return Spooled(dest, digest.hexdigest(), size)


@contextmanager
def _spool_file(dest: Path) -> Iterator[BinaryIO]:
    try:
        with dest.open("wb") as out:
            yield out
    except OSError as exc:
        # Our temp disk is full or gone: the server's problem, not the upload's.
        raise Unavailable("The server cannot take uploads right now; retry later.",
                          headers={"Retry-After": "30"}) from exc


def _next_read(content_length: int | None, received: int) -> int:
    # Never ask past the Content-Length: a stream may take that as "more is coming".
    return CHUNK_BYTES if content_length is None else min(CHUNK_BYTES, content_length - received)


def _too_large(limit: int, what: str) -> PayloadTooLarge:
    return PayloadTooLarge(f"The {what} is larger than the limit of {limit} bytes; send a smaller one.")


def _cut_off(content_length: int | None, received: int, what: str) -> BadRequest:
    return BadRequest(f"The upload was cut off: {received} of {content_length} bytes arrived. "
                      f"Nothing was stored; send the {what} again.")
