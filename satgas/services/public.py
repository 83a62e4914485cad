"""What citizens may see: approved work only, as plain dicts of whitelisted facts.

Every function here reads approved logs and nothing else; the public schemas in
`api/schemas/public.py` then dump only the fields they name.
"""
from __future__ import annotations

import hashlib
import io
import json
from datetime import date, timedelta
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Kelurahan, Photo, WorkLog, db
from satgas import geojson
from satgas.geojson import feature, feature_collection
from satgas.photo_storage import photo_storage
from satgas.services import coverage_counts, public_cache
from satgas.services.areas import boundaries
from satgas.services.progress import kelurahan_progress, totals
from satgas.timeutil import wib_today
from storage.base import ObjectNotFound

DEFAULT_DAYS = 30
_BOUNDARY_TEXTS: dict[str, dict[str, str]] = {}  # database → kelurahan code → GeoJSON text
# What Pillow reports for a bare JPEG: no EXIF, comment, XMP, ICC, Photoshop or Adobe block.
_PLAIN_JPEG_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression"}


def default_period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """Fill a missing end of the period: the last 30 WIB days up to today."""
    if date_to is None:
        date_to = max(wib_today(), date_from) if date_from else wib_today()
    if date_from is None:
        span = timedelta(days=DEFAULT_DAYS - 1)
        date_from = date_to - span if date_to - date.min >= span else date.min
    return date_from, date_to


def progress(date_from: date, date_to: date) -> dict[str, Any]:
    """Per-kelurahan figures of approved logs, zeros included, and the city totals."""
    rows = kelurahan_progress(date_from, date_to, approved_only=True)
    return {"from": date_from, "to": date_to, "kelurahan": rows, "totals": totals(rows),
            "network_synthetic": coverage_counts.network_is_synthetic()}


def progress_features(date_from: date, date_to: date) -> dict[str, Any]:
    """The 57 kelurahan polygons with their approved progress figures."""
    result = progress(date_from, date_to)
    shapes = boundaries([row["code"] for row in result["kelurahan"]])
    features = [feature(shapes[row["code"]], row) for row in result["kelurahan"]]
    return feature_collection(features, **{"from": date_from, "to": date_to, "totals": result["totals"]})


def boundary_texts() -> dict[str, str]:
    """Every kelurahan boundary as compact GeoJSON text (the same text `geojson.geometry` dumps to).

    Boundaries are reference data (loaded by `flask init`, never edited by the API): they are
    serialised once per database — by the first worker that needs them, the others take the text
    from the shared cache (see `public_cache.kept`) — and kept, so a rebuilt progress.geojson only
    computes its figures. A re-import of the boundaries shows after a restart (and a day at most
    in the shared cache).
    """
    where = hashlib.sha256(db.engine.url.render_as_string(hide_password=False).encode()).hexdigest()[:16]
    found = _BOUNDARY_TEXTS.get(where)
    if found is None:
        found = public_cache.kept(f"kelurahan-boundaries:{where}", _serialised_boundaries)
        _BOUNDARY_TEXTS[where] = found
    return found


def _serialised_boundaries() -> dict[str, str]:
    rows = db.session.execute(select(Kelurahan.code, Kelurahan.boundary))
    return {code: json.dumps(geojson.geometry(shape), ensure_ascii=False, separators=(",", ":"))
            for code, shape in rows}


def recent_activities(limit: int) -> list[dict[str, Any]]:
    """The latest approved logs, newest first, with their own and their photos' opaque public ids."""
    query = (
        select(WorkLog, Kelurahan.name)
        .join(Kelurahan, Kelurahan.code == WorkLog.kelurahan_code)
        .where(WorkLog.status == "approved")
        .order_by(WorkLog.started_at.desc(), WorkLog.id.desc())
        .limit(limit)
        .options(selectinload(WorkLog.photos))
    )
    return [
        {
            "work_date": log.work_date, "kelurahan_code": log.kelurahan_code, "kelurahan_name": name,
            "kecamatan_code": log.kecamatan_code, "activity": log.activity, "length_m": log.counted_length_m,
            "geometry": geojson.geometry(log.geometry), "public_id": log.public_id,
            "complaint_ref": log.complaint_ref, "has_card": {"before", "after"} <= {p.kind for p in log.photos},
            "photos": [{"kind": p.kind, "public_id": p.public_id} for p in log.photos],
        }
        for log, name in db.session.execute(query).tuples()
    ]


def approved_thumbnail_key(public_id: str) -> str | None:
    """Storage key of the thumbnail behind a public id, if its log is approved."""
    return db.session.scalar(
        select(Photo.thumbnail_key).join(WorkLog, WorkLog.id == Photo.log_id)
        .where(Photo.public_id == public_id, WorkLog.status == "approved")
    )


def thumbnail_bytes(public_id: str) -> bytes | None:
    """The EXIF-free JPEG thumbnail of a photo of an approved log, or None."""
    key = approved_thumbnail_key(public_id)
    if key is None:
        return None
    try:
        return without_metadata(b"".join(photo_storage().iter_chunks(key)))
    except ObjectNotFound:
        return None


def without_metadata(jpeg: bytes) -> bytes:
    """The JPEG as is if it carries nothing but JFIF basics, else re-encoded with no metadata.

    Thumbnails are written without EXIF, but a JPEG comment, XMP or ICC block of the
    original could ride along; what goes public is checked against a whitelist here.
    """
    with Image.open(io.BytesIO(jpeg)) as img:
        if img.format == "JPEG" and set(img.info) <= _PLAIN_JPEG_INFO:
            return jpeg
        clean = img.convert("RGB")
    clean.info.clear()
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
