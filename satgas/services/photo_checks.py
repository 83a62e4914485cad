"""What an uploaded photo must pass (content) and what it says about its log.

The bytes arrive as a finished file (`Spooled`: path, sha256, size — the HTTP layer spools
them); 415 unless they are a JPEG, PNG, WebP or HEIC, and 422 when truncated, corrupt or too
many pixels.

Flags (the contract's thresholds):
- `taken_outside_work_window`: the EXIF time is more than 2 h before `started_at` or after `finished_at`.
- `far_from_log`: the EXIF GPS position is more than 300 m from the log's geometry, measured in
  the database in UTM 49S metres (the same SQL on PostGIS and SpatiaLite).
- `reused_photo`: a photo of ANOTHER log has the same sha256, or a perceptual hash within
  Hamming distance 6 of this one (64-bit pHash; unrelated pictures sit around 32, a resized
  re-encode of the same picture within a few bits — 0 in the tests).
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, or_, select

from models import METRIC_SRID, PHOTO_FLAGS, WGS84, Photo, WorkLog, db
from satgas.errors import Invalid, UnsupportedMediaType
from satgas.imaging import BrokenImage, ImageInfo, NotAnImage, hamming, inspect_image, phash_bands, sniff_type

WORK_WINDOW_SLACK = timedelta(hours=2)
FAR_FROM_LOG_M = 300.0
REUSE_MAX_HAMMING = 6
# Candidates sharing a (nearly) equal band with the new hash; more than this means a degenerate
# hash (a blank frame), and looking at the first ones is enough to decide.
MAX_REUSE_CANDIDATES = 2000
_BAND_BITS = 16


@dataclass(frozen=True)
class Spooled:
    """An upload's bytes in a local file, with the sha256 and size counted while they arrived."""

    path: Path
    sha256: str
    size: int


def content_type(path: Path) -> str:
    """The accepted image type judged by content; 415 otherwise."""
    try:
        return sniff_type(path)
    except NotAnImage as exc:
        raise UnsupportedMediaType(str(exc)) from None


def inspect(path: Path, thumbnail_to: Path | BinaryIO, thumbnail_side: int,
            known_type: str | None = None) -> ImageInfo:
    """Type by content (415; not judged again when `known_type` comes from `content_type`), then
    one full decode (422 when truncated, corrupt or a bomb) that also writes the upright thumbnail."""
    try:
        return inspect_image(path, thumbnail_to=thumbnail_to, thumbnail_side=thumbnail_side,
                             content_type=known_type)
    except NotAnImage as exc:
        raise UnsupportedMediaType(str(exc)) from None
    except BrokenImage as exc:
        raise Invalid(str(exc), {"body": [str(exc)]}) from None


@dataclass
class Assessment:
    flags: list[str] = field(default_factory=list)
    exif_location: WKBElement | None = None
    distance_to_log_m: float | None = None


def assess(log: WorkLog, info: ImageInfo, sha256: str) -> Assessment:
    """The photo's flags, EXIF location and distance to the log's geometry."""
    found: set[str] = set()
    if info.taken_at is None:
        found.add("no_exif_time")
    elif outside_work_window(info.taken_at, log.started_at, log.finished_at):
        found.add("taken_outside_work_window")
    result = Assessment()
    if info.gps_lon is not None and info.gps_lat is not None:
        result.exif_location = from_shape(Point(info.gps_lon, info.gps_lat), srid=WGS84)
        result.distance_to_log_m = distance_to_log_m(log.id, result.exif_location)
        # None: not measurable in the city's UTM zone, i.e. nowhere near it.
        if result.distance_to_log_m is None or result.distance_to_log_m > FAR_FROM_LOG_M:
            found.add("far_from_log")
    if is_reused(log.id, sha256, info.phash):
        found.add("reused_photo")
    result.flags = [name for name in PHOTO_FLAGS if name in found]
    return result


def outside_work_window(taken_at: datetime, started_at: datetime, finished_at: datetime) -> bool:
    return taken_at < started_at - WORK_WINDOW_SLACK or taken_at > finished_at + WORK_WINDOW_SLACK


def distance_to_log_m(log_id: uuid.UUID, point: WKBElement) -> float | None:
    """Planar metres in UTM 49S between the point and the log's point or track."""
    distance = func.ST_Distance(
        func.ST_Transform(point, METRIC_SRID), func.ST_Transform(WorkLog.geometry, METRIC_SRID)
    )
    value = db.session.scalar(select(distance).where(WorkLog.id == log_id))
    return round(float(value), 1) if value is not None and math.isfinite(value) else None


def _near_band_values(band: int) -> list[int]:
    """The band and every value one bit away from it."""
    return [band, *(band ^ (1 << bit) for bit in range(_BAND_BITS))]


def near_hashes(log_id: uuid.UUID, phash: int) -> list[int]:
    """Perceptual hashes of other logs' photos that may be within the threshold, by indexed lookups.

    Two 64-bit hashes within distance 7 have at least one 16-bit band within distance 1
    (otherwise the four bands would differ in 8 bits or more), so matching each band against
    its 17 one-bit neighbours finds every hash within the threshold, through the band indexes.
    """
    columns = (Photo.phash_b0, Photo.phash_b1, Photo.phash_b2, Photo.phash_b3)
    near = [column.in_(_near_band_values(band)) for column, band in zip(columns, phash_bands(phash), strict=True)]
    query = select(Photo.phash).where(Photo.log_id != log_id, or_(*near)).limit(MAX_REUSE_CANDIDATES)
    return list(db.session.scalars(query))


def is_reused(log_id: uuid.UUID, sha256: str, phash: int) -> bool:
    """Whether the same or a near-identical picture is already attached to another log."""
    same_bytes = select(Photo.id).where(Photo.sha256 == sha256, Photo.log_id != log_id).limit(1)
    if db.session.scalar(same_bytes) is not None:
        return True
    return any(hamming(other, phash) <= REUSE_MAX_HAMMING for other in near_hashes(log_id, phash))
