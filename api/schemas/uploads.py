"""Resumable uploads (tus 1.0.0): the request headers, parsed and validated like any other input."""
from __future__ import annotations

import base64
import binascii
import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from models import PHOTO_KINDS

TUS_VERSION = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"
MAX_METADATA_CHARS = 1024
_DIGITS = re.compile(r"^[0-9]{1,15}$")
# Printable ASCII but space and comma: safe to store and to echo in a header.
_KEY = re.compile(r"^[\x21-\x2b\x2d-\x7e]+$")


class HeaderInteger(fields.String):
    """A non-negative integer sent as a header: digits only (no sign, space or underscore)."""

    def __init__(self, metadata: dict | None = None, **kwargs):
        super().__init__(metadata={"pattern": _DIGITS.pattern, **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _DIGITS.fullmatch(text):
            raise ValidationError("Send a whole number of bytes (digits only).")
        return int(text)


class UploadTargetSchema(Schema):
    """What the upload is for; other metadata a client adds (filename, filetype…) is ignored."""

    class Meta:
        unknown = EXCLUDE

    log_id = fields.UUID(required=True)
    photo_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PHOTO_KINDS))


def decode_metadata(raw: str) -> dict[str, str]:
    """tus `Upload-Metadata`: comma-separated `key base64(value)` pairs (the value may be empty)."""
    pairs: dict[str, str] = {}
    for item in raw.split(","):
        key, _, encoded = item.strip().partition(" ")
        if not _KEY.fullmatch(key) or key in pairs:
            raise ValidationError("Send comma-separated 'key base64value' pairs with unique keys.")
        try:
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationError(f"The value of '{key}' is not base64 of UTF-8 text.") from None
    return pairs


_PAIR = r"[\x21-\x2b\x2d-\x7e]+ [A-Za-z0-9+/]*={0,2}"
METADATA_PATTERN = rf"^{_PAIR}( *, *{_PAIR})*$"


class UploadMetadata(fields.String):
    """The header as sent (HEAD echoes it) and the upload's target decoded from it."""

    def __init__(self, metadata: dict | None = None, **kwargs):
        super().__init__(metadata={"pattern": METADATA_PATTERN, **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> dict:  # type: ignore[override]
        raw = super()._deserialize(value, attr, data, **kwargs)
        if len(raw) > MAX_METADATA_CHARS:
            raise ValidationError(f"Upload-Metadata is longer than {MAX_METADATA_CHARS} characters.")
        target = UploadTargetSchema().load(decode_metadata(raw))
        return {"raw": raw, **target}


class TusHeadersSchema(Schema):
    tus_resumable = fields.String(
        data_key="Tus-Resumable", required=True, validate=validate.OneOf([TUS_VERSION]),
        metadata={"description": "The protocol version; any other answers 412 with Tus-Version"})


class UploadCreateHeadersSchema(TusHeadersSchema):
    length = HeaderInteger(data_key="Upload-Length", required=True,
                           metadata={"description": "The photo's size in bytes (at most MAX_PHOTO_BYTES, else 413)"})
    metadata = UploadMetadata(
        data_key="Upload-Metadata", required=True,
        metadata={"description": "`log_id`, `photo_id` and `kind` (before|after), each as `key base64(value)`, "
                                 "comma-separated; other keys are ignored"})


class UploadPatchHeadersSchema(TusHeadersSchema):
    offset = HeaderInteger(data_key="Upload-Offset", required=True,
                           metadata={"description": "Where these bytes start: the offset HEAD answered (else 409)"})


def offset_stream_body() -> dict:
    return {"required": True, "description": "The next bytes of the photo, from Upload-Offset on.",
            "content": {OFFSET_STREAM: {"schema": {"type": "string", "format": "binary"}}}}
