"""What a crew waits for (issue 17, item 4): the server time to accept a 12-megapixel, ~4 MB phone
JPEG, in the production shape (PostGIS, S3 through moto's server, the shipped gunicorn settings),
beside the same checks (SHA-256, integrity decode, EXIF, perceptual hash, thumbnail: what
`satgas.imaging.inspect_image` + hashlib do) run as a plain function on the same bytes in the same
run. The ratio of the two is the web layer's overhead (HTTP, auth, spooling, S3, database)."""
from __future__ import annotations

import hashlib
import http.client
import io
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import piexif
from PIL import Image

from bench.stack import call
from bench.wrk_runner import ratio

WIB = timezone(timedelta(hours=7))
SPOT = (112.6326, -7.9771)  # central Malang (Klojen)
MIB = 1024 * 1024


def _exif(taken_at: datetime, lon: float, lat: float) -> bytes:
    def dms(value: float) -> tuple:
        value = abs(value)
        d, m = int(value), int(value * 60) % 60
        return (d, 1), (m, 1), (round((value * 3600) % 60 * 100), 100)

    return piexif.dump({
        "0th": {piexif.ImageIFD.Make: b"Bench", piexif.ImageIFD.Model: b"Phone", piexif.ImageIFD.Orientation: 1},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: taken_at.strftime("%Y:%m:%d %H:%M:%S").encode(),
                 piexif.ExifIFD.OffsetTimeOriginal: b"+07:00"},
        "GPS": {piexif.GPSIFD.GPSLatitudeRef: b"S" if lat < 0 else b"N", piexif.GPSIFD.GPSLatitude: dms(lat),
                piexif.GPSIFD.GPSLongitudeRef: b"E" if lon > 0 else b"W", piexif.GPSIFD.GPSLongitude: dms(lon)},
    })


def phone_jpeg(path: Path, taken_at: datetime, lon: float = SPOT[0], lat: float = SPOT[1],
               size: tuple[int, int] = (4000, 3000), seed: int = 1) -> int:
    """A phone-like JPEG: 12 MP of smooth shapes plus sensor-like noise (~4 MB at quality 88),
    with EXIF time (WIB) and GPS; returns its size in bytes."""
    width, height = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 6.28)
    base = np.stack([128 + 60 * np.sin(x / 90.0 + phase) * np.cos(y / 130.0), 120 + 50 * np.sin((x + y) / 200.0),
                     100 + 40 * np.cos(x / 60.0 - phase)], axis=2)
    pixels = np.clip(base + rng.normal(0, 13, size=(height, width, 3)).astype(np.float32), 0, 255)
    Image.fromarray(pixels.astype(np.uint8)).save(path, "JPEG", quality=88, exif=_exif(taken_at, lon, lat))
    return path.stat().st_size


def padded_jpeg(path: Path, size: int = 15 * MIB, dims: tuple[int, int] = (4000, 3000)) -> None:
    """A noise JPEG (incompressible; 4000x3000 is ~14.6 MiB) padded after its end marker to `size`."""
    pixels = random.Random(20261128).randbytes(dims[0] * dims[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", dims, pixels).save(out, "JPEG", quality=96)
    data = out.getvalue()
    if len(data) > size:
        raise RuntimeError(f"the bench JPEG is {len(data)} bytes, more than {size}")
    path.write_bytes(data + b"\0" * (size - len(data)))


def new_log(base_url: str, token: str, started: datetime) -> str:
    log = {"id": str(uuid.uuid4()), "activity": "drain_cleaning", "started_at": started.isoformat(),
           "finished_at": (started + timedelta(hours=2)).isoformat(),
           "geometry": {"type": "Point", "coordinates": list(SPOT)}}
    status, body = call(base_url, "POST", "/api/v1/logs", token, log)
    if status != 201:
        raise RuntimeError(f"POST /api/v1/logs answered {status}: {body}")
    return log["id"]


def put_photo(conn: http.client.HTTPConnection, token: str, log_id: str, data: bytes,
              kind: str = "before") -> tuple[int, float]:
    """(status, seconds) of one PUT of the bytes under a new photo id, on a keep-alive connection."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg", "Content-Length": str(len(data))}
    started = time.perf_counter()
    conn.request("PUT", f"/api/v1/logs/{log_id}/photos/{uuid.uuid4()}?kind={kind}", body=data, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    elapsed = time.perf_counter() - started
    if resp.status != 201:
        raise RuntimeError(f"photo upload answered {resp.status}: {body[:300]!r}")
    return resp.status, elapsed


def checks_seconds(path: Path, data: bytes, workdir: Path) -> float:
    """The upload's checks as a plain function: hash, then the one decode (integrity, EXIF, pHash,
    thumbnail) that `satgas.services.photo_checks.inspect` runs."""
    from satgas.imaging import inspect_image

    started = time.perf_counter()
    hashlib.sha256(data).hexdigest()
    inspect_image(path, thumbnail_to=workdir / "thumbnail.jpg", thumbnail_side=512)
    return time.perf_counter() - started


def _stats(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1),
            "max_ms": round(ms[-1], 1)}


def latency(base_url: str, token: str, runs: int, warmups: int) -> dict:
    """Upload `runs` phone photos one after another (after `warmups` untimed ones) and time the
    same checks as a plain function as often, on the same bytes."""
    target = urlsplit(base_url)
    started = (datetime.now(WIB) - timedelta(hours=3)).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="satgas-bench-phone-") as tmp:
        workdir = Path(tmp)
        photo = workdir / "phone.jpg"
        size = phone_jpeg(photo, started + timedelta(minutes=20))
        data = photo.read_bytes()
        log_id = new_log(base_url, token, started)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        for _ in range(warmups):
            put_photo(conn, token, log_id, data)
        uploads = [put_photo(conn, token, log_id, data)[1] for _ in range(runs)]
        conn.close()
        checks_seconds(photo, data, workdir)  # first use of the decoders, not timed
        checks = [checks_seconds(photo, data, workdir) for _ in range(runs)]
    up, fn = _stats(uploads), _stats(checks)
    result = {"photo_bytes": size, "megapixels": 12.0, "upload": up, "checks": fn, "p95_ms": up["p95_ms"],
              "ratio_p95": ratio(up["p95_ms"], fn["p95_ms"]), "ratio_p50": ratio(up["p50_ms"], fn["p50_ms"])}
    print(f"photo: 12 MP {size / 1e6:.1f} MB JPEG accepted in p50 {up['p50_ms']} ms, p95 {up['p95_ms']} ms; "
          f"the same checks as a function p50 {fn['p50_ms']} ms, p95 {fn['p95_ms']} ms → {result['ratio_p95']}x")
    return result
