"""Inspect uploaded photos: type by content, integrity, EXIF time and place, perceptual hash.

Pure functions on files; no Flask, no database.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import filetype
import imagehash
import pillow_heif
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from satgas.timeutil import WIB

pillow_heif.register_heif_opener()

ALLOWED_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
_HEIF_MIMES = {"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"}
_SNIFF_BYTES = 8192
_PHASH_DRAFT = (256, 256)
_MASK64 = (1 << 64) - 1
# What Pillow and libheif raise on corrupt or truncated data.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    EOFError,
    ValueError,
    struct.error,
    RuntimeError,
    UnidentifiedImageError,
)
_FIX = "Upload a JPEG, PNG, WebP or HEIC photo."

_IFD = ExifTags.IFD
_TAG = ExifTags.Base
_GPS = ExifTags.GPS


class NotAnImage(ValueError):
    """The content is not one of the accepted image types (the API answers 415)."""


class BrokenImage(ValueError):
    """An accepted image type, but truncated, corrupt or absurdly large (the API answers 422)."""


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int
    height: int
    taken_at: datetime | None
    gps_lon: float | None
    gps_lat: float | None
    phash: int


def inspect_image(path: Path, max_pixels: int = 50_000_000, thumbnail_to: Path | BinaryIO | None = None,
                  thumbnail_side: int = 512, content_type: str | None = None) -> ImageInfo:
    """Identify, fully decode and describe the photo at `path`; optionally write its thumbnail
    (to a file, or to a binary buffer).

    With `thumbnail_to`, the one decode serves both (a photo upload decodes its image once).
    `content_type`, when the caller has already judged it with `sniff_type`, is not judged again.
    Raises NotAnImage or BrokenImage with a message meant for the person uploading.
    """
    with _open_image(Path(path), max_pixels, content_type) as (img, content_type):
        width, height = img.size
        exif = img.getexif()
        orientation = _orientation(exif)
        if content_type == "image/jpeg":
            # Decode at 1/2..1/8 scale: every byte is still read (truncation is still caught)
            # but a 12 MP photo needs ~64x less memory. The hash only needs 32x32 pixels, and a
            # thumbnail a little under `thumbnail_side` is fine: asking for half of it lets a
            # 12 MP photo decode at 1/8 (500x375) rather than 1/4.
            half = thumbnail_side // 2
            img.draft("RGB", (half, half)) if thumbnail_to else img.draft("L", _PHASH_DRAFT)
        img.load()
        upright = ImageOps.exif_transpose(img)
        phash = _phash(upright)
        if thumbnail_to is not None:
            _save_thumbnail(upright, thumbnail_to, thumbnail_side)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    lon, lat = _gps(exif.get_ifd(_IFD.GPSInfo))
    return ImageInfo(content_type, width, height, _taken_at(exif), lon, lat, phash)


def _save_thumbnail(upright: Image.Image, dest: Path | BinaryIO, max_side: int) -> tuple[int, int]:
    thumb = flatten(upright)
    thumb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Pillow carries a JPEG comment (and more) over in `info`; none of it may reach a thumbnail.
    thumb.info.clear()
    # No exif=/icc_profile= arguments: the thumbnail carries no metadata (GPS included).
    thumb.save(dest, format="JPEG", quality=85, optimize=True)
    return thumb.size


def phash_bands(phash: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of the 64-bit hash, most significant first.

    Hashes within Hamming distance 3 share at least one band (pigeonhole), so an
    index on each band finds near-duplicate candidates without scanning.
    """
    u = phash & _MASK64
    return (u >> 48) & 0xFFFF, (u >> 32) & 0xFFFF, (u >> 16) & 0xFFFF, u & 0xFFFF


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()


def sniff_type(path: Path) -> str:
    """The content type judged by the file's first bytes; raises NotAnImage if not accepted."""
    with Path(path).open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head[4:8] == b"ftyp" and pillow_heif.get_file_mimetype(head) in _HEIF_MIMES:
        return "image/heic"
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ALLOWED_TYPES:
        return kind.mime
    if not head:
        raise NotAnImage(f"The file is empty. {_FIX}")
    found = f"a {kind.extension.upper()} file ({kind.mime})" if kind else "not a picture"
    raise NotAnImage(f"This file is {found}, not a photo. {_FIX}")


@contextmanager
def _open_image(path: Path, max_pixels: int | None,
                content_type: str | None = None) -> Iterator[tuple[Image.Image, str]]:
    """Open by content type and check the pixel count from the header, before any decoding."""
    content_type = content_type or sniff_type(path)
    try:
        with Image.open(path, formats=[_PIL_FORMATS[content_type]]) as img:
            if max_pixels is not None and img.width * img.height > max_pixels:
                raise BrokenImage(_too_large(img.width, img.height, max_pixels))
            yield img, content_type
    except (NotAnImage, BrokenImage):
        raise
    except Image.DecompressionBombError as exc:
        raise BrokenImage(f"The picture has too many pixels to process safely. {_SMALLER}") from exc
    except _DECODE_ERRORS as exc:
        raise BrokenImage(
            "The photo file is damaged or incomplete (perhaps the upload was cut off). Send the original photo again."
        ) from exc


_SMALLER = "Send a smaller photo, e.g. as taken by a phone camera."


def _too_large(width: int, height: int, max_pixels: int) -> str:
    return f"The picture is {width}x{height} pixels, more than the {max_pixels / 1e6:g} megapixels accepted. {_SMALLER}"


def _orientation(exif: Image.Exif) -> int:
    value = exif.get(_TAG.Orientation, 1)
    return value if isinstance(value, int) else 1


def _phash(img: Image.Image) -> int:
    """imagehash.phash as a signed 64-bit int, so it fits a BIGINT column."""
    value = int(str(imagehash.phash(img)), 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def flatten(img: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent areas become white rather than black."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _taken_at(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal (else DateTime) with its offset tag; without an offset it is WIB."""
    exif_ifd = exif.get_ifd(_IFD.Exif)
    candidates = [
        (exif_ifd.get(_TAG.DateTimeOriginal), exif_ifd.get(_TAG.OffsetTimeOriginal)),
        (exif.get(_TAG.DateTime), exif_ifd.get(_TAG.OffsetTime)),
    ]
    for raw_time, raw_offset in candidates:
        local = _parse_exif_time(raw_time)
        if local is not None:
            return _representable(local.replace(tzinfo=_parse_offset(raw_offset) or WIB))
    return None


def _representable(aware: datetime) -> datetime | None:
    """The time as the camera wrote it, or None when it has no UTC instant (year 1 at +07:00 is
    before year 1 in UTC; 9999-12-31 at -05:00 after 9999): an impossible time is no time."""
    try:
        aware.astimezone(UTC)
    except OverflowError:
        return None
    return aware


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _parse_exif_time(value: Any) -> datetime | None:
    match = re.fullmatch(r"(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d):(\d\d)", _text(value))
    if not match:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()))
    except ValueError:  # "0000:00:00 00:00:00" and other placeholders
        return None


def _parse_offset(value: Any) -> timezone | None:
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)", _text(value))
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta >= timedelta(hours=24):
        return None
    return timezone(-delta if sign == "-" else delta)


def _gps(gps_ifd: dict[int, Any]) -> tuple[float | None, float | None]:
    """(lon, lat) in signed decimal degrees, or (None, None) when missing or invalid."""
    lat = _degrees(gps_ifd.get(_GPS.GPSLatitude), gps_ifd.get(_GPS.GPSLatitudeRef), "N", "S", 90)
    lon = _degrees(gps_ifd.get(_GPS.GPSLongitude), gps_ifd.get(_GPS.GPSLongitudeRef), "E", "W", 180)
    if lat is None or lon is None or (lat == 0 and lon == 0):  # 0/0 is a "no fix" placeholder
        return None, None
    return lon, lat


def _degrees(dms: Any, ref: Any, positive: str, negative: str, limit: float) -> float | None:
    ref_text = _text(ref).upper()
    if ref_text not in (positive, negative) or not isinstance(dms, tuple) or not 1 <= len(dms) <= 3:
        return None
    try:
        parts = [float(part) for part in dms]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(p) and p >= 0 for p in parts) or any(p >= 60 for p in parts[1:]):
        return None
    value = sum(part / 60**i for i, part in enumerate(parts))
    if value > limit:
        return None
    return -value if ref_text == negative else value
