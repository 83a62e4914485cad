"""Photos: the upload's query string and how the binary bodies are documented."""
from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import QuerySchema
from models import PHOTO_KINDS
from satgas.imaging import ALLOWED_TYPES

BINARY = {"type": "string", "format": "binary"}


class PhotoUploadQuerySchema(QuerySchema):
    kind = fields.String(required=True, validate=validate.OneOf(PHOTO_KINDS),
                         metadata={"description": "before or after the work"})


def image_request_body() -> dict:
    """The raw image bytes; the type is judged from the content, whatever the header says."""
    content = {name: {"schema": BINARY} for name in ["application/octet-stream", *ALLOWED_TYPES]}
    return {"required": True, "description": "The photo's bytes (JPEG, PNG, WebP or HEIC).", "content": content}
