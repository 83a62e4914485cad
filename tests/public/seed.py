"""Build public data through the real API: crews log work, upload photos, supervisors review."""
from __future__ import annotations

import io
import uuid
from typing import Any

import piexif
from PIL import Image, ImageDraw
from sqlalchemy import select

from models import Photo, db
from tests.support import inside_point, log_payload

KAUMAN, SUKUN, KETAWANGGEDE, BALEARJOSARI = "35.73.02.1007", "35.73.04.1005", "35.73.05.1006", "35.73.01.1001"


def post_log(client, cast, who: str = "crew_a", code: str = KAUMAN, **overrides: Any) -> dict:
    """A point log in kelurahan `code` (yesterday, WIB); returns the stored log."""
    lon, lat = inside_point(code)
    resp = client.post("/api/v1/logs", json=log_payload(lon, lat, **overrides), headers=cast.headers(who))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def review(client, cast, log_id: str, decision: str = "approved", note: str | None = None) -> dict:
    body = {"decision": decision, **({"note": note} if note else {})}
    resp = client.post(f"/api/v1/logs/{log_id}/review", json=body, headers=cast.headers("sup_city"))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def jpeg_with_exif(lon: float, lat: float, variant: int = 0, size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG whose EXIF (GPS, maker, artist, time) and comment the public must never get."""
    img = Image.new("RGB", size, (40 + 30 * variant % 200, 90, 160))
    draw = ImageDraw.Draw(img)
    for i in range(variant + 2):
        draw.rectangle((20 + 60 * i, 30 * i, 80 + 60 * i, 200 + 20 * i), fill=(220, 200 - 20 * i, 30 * variant % 255))

    def dms(value: float) -> tuple:
        value = abs(value)
        deg, minutes = int(value), int(value % 1 * 60)
        return (deg, 1), (minutes, 1), (round((value * 3600) % 60 * 100), 100)

    exif = piexif.dump({
        "0th": {piexif.ImageIFD.Make: b"RAHASIA-CAMERA", piexif.ImageIFD.Artist: b"RAHASIA-ARTIST"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2020:01:01 08:00:00"},
        "GPS": {piexif.GPSIFD.GPSLatitudeRef: b"S" if lat < 0 else b"N", piexif.GPSIFD.GPSLatitude: dms(lat),
                piexif.GPSIFD.GPSLongitudeRef: b"E", piexif.GPSIFD.GPSLongitude: dms(lon)},
    })
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=90, exif=exif, comment=b"RAHASIA-COMMENT crew_a phone")
    return out.getvalue()


def add_photo(client, cast, log: dict, kind: str = "after", who: str = "crew_a", variant: int = 0) -> dict:
    """Upload a photo with EXIF to the log; returns {id, public_id, kind}."""
    lon, lat = log["geometry"]["coordinates"][:2] if log["geometry"]["type"] == "Point" else (112.63, -7.98)
    photo_id = str(uuid.uuid4())
    resp = client.put(f"/api/v1/logs/{log['id']}/photos/{photo_id}?kind={kind}",
                      data=jpeg_with_exif(lon, lat, variant), headers={**cast.headers(who),
                                                                        "Content-Type": "image/jpeg"})
    assert resp.status_code == 201, resp.get_json()
    with client.application.app_context():
        public_id = db.session.scalar(select(Photo.public_id).where(Photo.id == uuid.UUID(photo_id)))
    return {"id": photo_id, "public_id": public_id, "kind": kind}


