"""Before/after photos of a work log: streamed upload, original and thumbnail download."""
from __future__ import annotations

import uuid
from typing import BinaryIO

from flask import Response, redirect, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.schemas.logs import PhotoSchema
from api.schemas.photos import BINARY, IMAGE_TYPES, PhotoUploadQuerySchema, image_request_body
from satgas.auth import current_user
from satgas.services import photos
from satgas.services.photos import Download

blp = Blueprint("photos", __name__, url_prefix="/api/v1", description="Before/after photos of work logs")

_HIDDEN = "Unknown id, or not yours to see"


def _file_response(found: Download) -> Response:
    if found.redirect_url is not None:
        response = redirect(found.redirect_url, 302)
    elif found.not_modified:
        response = Response(status=304)
    else:
        response = Response(found.chunks, mimetype=found.content_type, direct_passthrough=True)
        if found.size is not None:
            response.content_length = found.size
        response.headers["X-Content-Type-Options"] = "nosniff"
    if found.redirect_url is None:
        response.set_etag(found.etag)
    response.headers["Cache-Control"] = f"private, max-age={found.cache_seconds}"
    return response


def _body_stream() -> BinaryIO:
    """The raw body when the server terminates it (gunicorn: Content-Length or chunked), else
    werkzeug's stream limited to the Content-Length. Not werkzeug's max-length wrapper: it
    refuses a body of exactly MAX_PHOTO_BYTES; the service counts and stops at the limit itself."""
    if request.environ.get("wsgi.input_terminated"):
        return request.environ["wsgi.input"]
    return request.stream


@blp.route("/logs/<uuid:log_id>/photos/<uuid:photo_id>")
class PhotoUpload(MethodView):
    @blp.arguments(PhotoUploadQuerySchema, location="query")
    @blp.doc(requestBody=image_request_body())
    @blp.response(201, PhotoSchema, description="Stored")
    @blp.alt_response(200, schema=PhotoSchema, description="Identical replay: the stored photo")
    @blp.alt_response(400, description="Body empty or cut off before its Content-Length")
    @blp.alt_response(403, description="Not the log's crew (nor an admin)")
    @blp.alt_response(404, description=_HIDDEN)
    @blp.alt_response(409, description="Other bytes or kind under this id, or the id is used by another log")
    @blp.alt_response(413, description="Larger than MAX_PHOTO_BYTES")
    @blp.alt_response(415, description="Not a JPEG, PNG, WebP or HEIC image (judged by content)")
    @blp.alt_response(422, description="Truncated, corrupt or too many pixels; or a bad kind")
    @blp.alt_response(503, description="Photo storage or database unavailable; retry later")
    def put(self, query: dict, log_id: uuid.UUID, photo_id: uuid.UUID):
        """Upload a before/after photo as the raw body; an identical replay answers 200."""
        photo, created = photos.add_photo(current_user(), log_id, photo_id, query["kind"],
                                          _body_stream(), request.content_length)
        return photo, (201 if created else 200)


@blp.route("/photos/<uuid:photo_id>")
class PhotoFile(MethodView):
    @blp.response(200, BINARY, content_type=IMAGE_TYPES[0], description="The original image, streamed")
    @blp.alt_response(200, schema=BINARY, content_type=IMAGE_TYPES[1], success=True)
    @blp.alt_response(200, schema=BINARY, content_type=IMAGE_TYPES[2], success=True)
    @blp.alt_response(200, schema=BINARY, content_type=IMAGE_TYPES[3], success=True)
    @blp.alt_response(302, description="S3 storage: redirect to a short-lived signed URL", success=True)
    @blp.alt_response(304, description="If-None-Match matched the ETag (the sha256)", success=True)
    @blp.alt_response(404, description=_HIDDEN)
    @blp.alt_response(503, description="Photo storage unavailable; retry later")
    def get(self, photo_id: uuid.UUID):
        """The original photo (302 to a short-lived signed URL when stored on S3)."""
        return _file_response(photos.download(current_user(), photo_id, "original", request.if_none_match))


@blp.route("/photos/<uuid:photo_id>/thumbnail")
class PhotoThumbnail(MethodView):
    @blp.response(200, BINARY, content_type="image/jpeg", description="Upright JPEG, long side at most 512 px")
    @blp.alt_response(304, description="If-None-Match matched the ETag", success=True)
    @blp.alt_response(404, description=_HIDDEN)
    @blp.alt_response(503, description="Photo storage unavailable; retry later")
    def get(self, photo_id: uuid.UUID):
        """The photo's thumbnail: an upright JPEG without metadata."""
        return _file_response(photos.download(current_user(), photo_id, "thumbnail", request.if_none_match))
