"""Before/after photos of a work log: streamed upload, original and thumbnail download."""
from __future__ import annotations

import uuid

from flask import Response, current_app, redirect, request
from flask.views import MethodView

from api.base import Blueprint
from api.schemas.logs import PhotoSchema
from api.schemas.photos import BINARY, PhotoUploadQuerySchema, image_request_body
from api.spooling import spooled_body
from satgas.auth import current_user
from satgas.imaging import ALLOWED_TYPES
from satgas.request_limits import raw_body
from satgas.services import photos
from satgas.services.photos import StoredFile, Variant

blp = Blueprint("photos", __name__, url_prefix="/api/v1", description="Before/after photos of work logs")

_HIDDEN = "Unknown id, or not yours to see"
# The bytes under a photo id never change, so a browser may keep them (privately) for a day.
STREAM_CACHE_SECONDS = 86_400


def _send(found: StoredFile, variant: Variant) -> Response:
    """304 when the client has it; the original from S3 as a redirect to a signed URL; else a stream."""
    cache_seconds = STREAM_CACHE_SECONDS
    if request.if_none_match.contains_weak(found.etag):
        response = Response(status=304)
    elif variant == "original" and (url := photos.signed_url(found, current_app.config["PHOTO_URL_TTL_SECONDS"])):
        response = redirect(url, 302)
        # A cached redirect must not outlive the URL it points to.
        cache_seconds = min(current_app.config["PHOTO_URL_TTL_SECONDS"] // 2, STREAM_CACHE_SECONDS)
    else:
        response = Response(photos.open_chunks(found), mimetype=found.content_type, direct_passthrough=True)
        if found.size is not None:
            response.content_length = found.size
        response.headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code != 302:
        response.set_etag(found.etag)
    response.headers["Cache-Control"] = f"private, max-age={cache_seconds}"
    return response


@blp.route("/logs/<uuid:log_id>/photos/<uuid:photo_id>")
class PhotoUpload(MethodView):
    @raw_body("MAX_PHOTO_BYTES")
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
        user = current_user()
        photos.check_upload(user, log_id, photo_id)  # 404/403/409 before reading a byte
        with spooled_body(current_app.config["MAX_PHOTO_BYTES"]) as spooled:
            photo, created = photos.add_photo(user, log_id, photo_id, query["kind"], spooled)
        return photo, (201 if created else 200)


_IMAGE_TYPES = ALLOWED_TYPES


@blp.route("/photos/<uuid:photo_id>")
class PhotoFile(MethodView):
    @blp.response(200, BINARY, content_type=_IMAGE_TYPES[0], description="The original image, streamed")
    @blp.alt_response(200, schema=BINARY, content_type=_IMAGE_TYPES[1], success=True)
    @blp.alt_response(200, schema=BINARY, content_type=_IMAGE_TYPES[2], success=True)
    @blp.alt_response(200, schema=BINARY, content_type=_IMAGE_TYPES[3], success=True)
    @blp.alt_response(302, description="S3 storage: redirect to a short-lived signed URL", success=True)
    @blp.alt_response(304, description="If-None-Match matched the ETag (the sha256)", success=True)
    @blp.alt_response(404, description=_HIDDEN)
    @blp.alt_response(503, description="Photo storage unavailable; retry later")
    def get(self, photo_id: uuid.UUID):
        """The original photo (302 to a short-lived signed URL when stored on S3)."""
        return _send(photos.stored_file(current_user(), photo_id, "original"), "original")


@blp.route("/photos/<uuid:photo_id>/thumbnail")
class PhotoThumbnail(MethodView):
    @blp.response(200, BINARY, content_type="image/jpeg", description="Upright JPEG, long side at most 512 px")
    @blp.alt_response(304, description="If-None-Match matched the ETag", success=True)
    @blp.alt_response(404, description=_HIDDEN)
    @blp.alt_response(503, description="Photo storage unavailable; retry later")
    def get(self, photo_id: uuid.UUID):
        """The photo's thumbnail: an upright JPEG without metadata."""
        return _send(photos.stored_file(current_user(), photo_id, "thumbnail"), "thumbnail")
