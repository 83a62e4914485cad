"""Resumable photo uploads: the tus 1.0.0 protocol (core + creation) in front of the photo service.

POST creates an upload for one photo of a log, HEAD says how many bytes the server holds,
PATCH appends bytes at exactly that offset (409 otherwise). A PATCH cut off by the network
keeps what arrived, so a resume loses at most what was in flight. When the last byte arrives
the photo is checked and attached exactly as by `PUT /api/v1/logs/<log_id>/photos/<photo_id>`
and its refusals (415, 422, 409…) answer that final PATCH. Every answer carries
`Tus-Resumable: 1.0.0`. The rules — who may upload, offsets, where the parts live, expiry —
are in `satgas.services.uploads`.
"""
from __future__ import annotations

import uuid

from flask import Response, current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.schemas.uploads import (
    OFFSET_STREAM,
    TUS_VERSION,
    TusHeadersSchema,
    UploadCreateHeadersSchema,
    UploadPatchHeadersSchema,
    offset_stream_body,
)
from api.spooling import spooled_body
from satgas.auth import current_user
from satgas.errors import PayloadTooLarge, UnsupportedMediaType, error_body
from satgas.request_limits import raw_body
from satgas.services import uploads

PREFIX = "/api/v1/uploads"
blp = Blueprint("uploads", __name__, url_prefix=PREFIX,
                description="Resumable photo uploads (tus 1.0.0: core protocol and the creation extension)")


def _header(description: str) -> dict:
    return {"description": description, "schema": {"type": "string"}}


TUS_RESUMABLE = {"Tus-Resumable": _header("Always 1.0.0")}
OFFSET = {"Upload-Offset": _header("Bytes the server holds"), **TUS_RESUMABLE}


def _is_tus_path() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


@blp.after_app_request
def _say_version(response: Response) -> Response:
    """Every answer under /api/v1/uploads, errors included, names the protocol version."""
    if _is_tus_path():
        response.headers["Tus-Resumable"] = TUS_VERSION
    return response


@blp.before_request
def _require_version():
    """412 (with Tus-Version) for any other protocol version; OPTIONS needs none."""
    if request.method == "OPTIONS" or request.headers.get("Tus-Resumable") == TUS_VERSION:
        return None
    body = error_body(412, "Precondition Failed",
                      f"This server speaks tus {TUS_VERSION}: send the header 'Tus-Resumable: {TUS_VERSION}'.")
    return jsonify(body), 412, {"Tus-Version": TUS_VERSION}


class MethodOverride:
    """tus core: a POST with `X-HTTP-Method-Override: PATCH` is a PATCH (for clients behind proxies
    that drop PATCH). WSGI middleware, so routing sees the real method."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(PREFIX + "/")
                and environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").upper() == "PATCH"):
            environ["REQUEST_METHOD"] = "PATCH"
        return self.wsgi_app(environ, start_response)


@blp.route("")
class Uploads(MethodView):
    @blp.response(204, description="What this server supports", headers={
        "Tus-Version": _header("1.0.0"), "Tus-Extension": _header("creation"),
        "Tus-Max-Size": _header("MAX_PHOTO_BYTES"), **TUS_RESUMABLE})
    def options(self):
        """The tus versions, extensions and largest photo this server accepts."""
        return Response(status=204, headers={"Tus-Version": TUS_VERSION, "Tus-Extension": "creation",
                                             "Tus-Max-Size": str(current_app.config["MAX_PHOTO_BYTES"])})

    @blp.arguments(UploadCreateHeadersSchema, location="headers")
    @blp.response(201, description="Created: send the bytes with PATCH to Location",
                  headers={"Location": _header("The upload's URL"), **TUS_RESUMABLE})
    @blp.alt_response(400, description="Upload-Length is 0")
    @blp.alt_response(403, description="Not the log's crew (nor an admin)")
    @blp.alt_response(404, description="Unknown log, or not yours to see")
    @blp.alt_response(409, description="The photo id is used by another log")
    @blp.alt_response(412, description="Tus-Resumable is not 1.0.0")
    @blp.alt_response(413, description="Upload-Length is larger than MAX_PHOTO_BYTES")
    @blp.alt_response(422, description="Upload-Length or Upload-Metadata missing or malformed")
    def post(self, headers: dict):
        """Create an upload for one photo of a log (tus creation: Upload-Length, Upload-Metadata)."""
        target = headers["metadata"]
        state = uploads.create(current_user(), target["log_id"], target["photo_id"], target["kind"],
                               headers["length"], target["raw"], current_app.config["MAX_PHOTO_BYTES"])
        return Response(status=201, headers={"Location": url_for(".UploadResource", upload_id=state.id)})


@blp.route("/<uuid:upload_id>")
class UploadResource(MethodView):
    @blp.arguments(TusHeadersSchema, location="headers")
    @blp.response(200, description="The upload's state", headers={
        **OFFSET, "Upload-Length": _header("The photo's size"), "Upload-Metadata": _header("As sent")})
    @blp.alt_response(404, description="Unknown, someone else's, failed or expired upload")
    @blp.alt_response(412, description="Tus-Resumable is not 1.0.0")
    def head(self, _headers: dict, upload_id: uuid.UUID):
        """How many bytes of the upload the server holds: resume a PATCH from Upload-Offset."""
        state = uploads.status(current_user(), upload_id)
        return Response(status=200, headers={"Upload-Offset": str(state.offset), "Upload-Length": str(state.length),
                                             "Upload-Metadata": state.metadata})

    @raw_body("MAX_PHOTO_BYTES")
    @blp.arguments(UploadPatchHeadersSchema, location="headers")
    @blp.doc(requestBody=offset_stream_body())
    @blp.response(204, description="Stored (the last bytes: the photo is attached)", headers=OFFSET)
    @blp.alt_response(403, description="Not the log's crew (nor an admin)")
    @blp.alt_response(404, description="Unknown, someone else's, failed or expired upload; or its log is gone")
    @blp.alt_response(409, description="Upload-Offset is not the server's; or, on the last bytes, as for PUT")
    @blp.alt_response(412, description="Tus-Resumable is not 1.0.0")
    @blp.alt_response(413, description="More bytes than the upload has left")
    @blp.alt_response(415, description="Not application/offset+octet-stream; or, on the last bytes, not an image")
    @blp.alt_response(422, description="Upload-Offset is not a number; or, on the last bytes, a truncated or "
                                       "corrupt image, as for PUT")
    @blp.alt_response(503, description="Photo storage or database unavailable; retry the same PATCH")
    def patch(self, headers: dict, upload_id: uuid.UUID):
        """Append bytes at Upload-Offset; the last byte checks and attaches the photo as a PUT would."""
        if request.mimetype != OFFSET_STREAM:
            raise UnsupportedMediaType(f"Send the bytes with 'Content-Type: {OFFSET_STREAM}' "
                                       f"(got {request.mimetype or 'none'}).")
        user = current_user()
        state = uploads.check_patch(user, upload_id, headers["offset"])
        if (request.content_length or 0) > state.remaining:
            raise PayloadTooLarge(f"The body has {request.content_length} bytes but only {state.remaining} "
                                  f"of the upload's {state.length} remain.")
        with spooled_body(state.remaining, "upload's remaining bytes", allow_partial=True) as received:
            offset = uploads.append(user, state, received)
        return Response(status=204, headers={"Upload-Offset": str(offset)})
