"""Real photos for tests: JPEGs drawn with Pillow, EXIF written with piexif, and hostile files."""
from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import piexif
from PIL import Image, ImageDraw
from shapely.geometry import Point
from shapely.ops import transform

from tests.support import TO_METRIC, TO_WGS84, WIB

RED = (255, 0, 0)
MARKER = 60  # side of the red square drawn in the upright image's top-left corner


def _dms(value: float) -> tuple[tuple[int, int], ...]:
    """Degrees as EXIF rationals: whole degrees, whole minutes, seconds in 1/100."""
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round((value - degrees - minutes / 60) * 3600 * 100), 100)
    return (degrees, 1), (minutes, 1), (seconds.numerator, seconds.denominator)


def gps_ifd(lat: float, lon: float) -> dict[int, Any]:
    return {
        piexif.GPSIFD.GPSLatitudeRef: b"S" if lat < 0 else b"N",
        piexif.GPSIFD.GPSLatitude: _dms(abs(lat)),
        piexif.GPSIFD.GPSLongitudeRef: b"W" if lon < 0 else b"E",
        piexif.GPSIFD.GPSLongitude: _dms(abs(lon)),
    }


def scene(variant: int = 0, size: tuple[int, int] = (600, 400)) -> Image.Image:
    """An upright, non-square picture; each variant is a different picture (distant pHash)."""
    rng = random.Random(variant)
    width, height = size
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 8, width // 2), rng.randrange(height // 8, height // 2)
        draw.rectangle((x, y, x + w, y + h), fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.rectangle((0, 0, MARKER - 1, MARKER - 1), fill=RED)
    return img


def exif_bytes(taken: str | None = None, offset: str | None = None, lonlat: tuple[float, float] | None = None,
               orientation: int | None = None) -> bytes:
    zeroth = {piexif.ImageIFD.Orientation: orientation} if orientation else {}
    exif_ifd = {}
    if taken:
        exif_ifd[piexif.ExifIFD.DateTimeOriginal] = taken.encode()
    if offset:
        exif_ifd[piexif.ExifIFD.OffsetTimeOriginal] = offset.encode()
    gps = gps_ifd(lonlat[1], lonlat[0]) if lonlat else {}
    return piexif.dump({"0th": zeroth, "Exif": exif_ifd, "GPS": gps})


def encode(img: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **params)
    return out.getvalue()


def jpeg(variant: int = 0, taken: str | None = None, offset: str | None = None,
         lonlat: tuple[float, float] | None = None, rotated: bool = False, size: tuple[int, int] = (600, 400),
         quality: int = 90) -> bytes:
    """A JPEG of `scene(variant)`; `rotated` stores it sideways with EXIF orientation 6."""
    img = scene(variant, size)
    if rotated:
        # Orientation 6: a viewer turns the stored pixels 90° clockwise to show them upright.
        img = img.transpose(Image.Transpose.ROTATE_90)
    exif = exif_bytes(taken, offset, lonlat, 6 if rotated else None)
    return encode(img, quality=quality, exif=exif)


def padded_jpeg(total: int, variant: int = 0, taken: str | None = None,
                lonlat: tuple[float, float] | None = None) -> bytes:
    """A real JPEG with EXIF, padded after its end marker to exactly `total` bytes (a big photo)."""
    data = jpeg(variant, taken=taken, lonlat=lonlat, size=(1600, 1200))
    if len(data) > total:
        raise ValueError(f"the JPEG alone is {len(data)} bytes, more than {total}")
    return data + b"\0" * (total - len(data))


def exif_time(at: datetime) -> str:
    """An EXIF timestamp (no offset: the camera's local time, WIB)."""
    return at.astimezone(WIB).strftime("%Y:%m:%d %H:%M:%S")


def work_start(payload: dict) -> datetime:
    return datetime.fromisoformat(payload["started_at"])


def during_work(payload: dict, minutes: int = 45) -> str:
    return exif_time(work_start(payload) + timedelta(minutes=minutes))


def moved(lonlat: tuple[float, float], north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    """The position `north_m` / `east_m` metres away (UTM 49S)."""
    metric = transform(TO_METRIC, Point(lonlat))
    there = transform(TO_WGS84, Point(metric.x + east_m, metric.y + north_m))
    return there.x, there.y


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def jpeg_with_secrets(lon: float, lat: float, variant: int = 0, size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG whose EXIF (GPS, maker, artist, time) and comment the public must never get."""
    img = scene(variant, size)
    exif = piexif.dump({
        "0th": {piexif.ImageIFD.Make: b"RAHASIA-CAMERA", piexif.ImageIFD.Artist: b"RAHASIA-ARTIST"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2020:01:01 08:00:00"},
        "GPS": gps_ifd(lat, lon),
    })
    return encode(img, quality=90, exif=exif, comment=b"RAHASIA-COMMENT crew_a phone")


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + _png_chunk(b"IEND", b""))


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
SCRIPT = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
