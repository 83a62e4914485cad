"""Resumable photo uploads on a link that drops: bytes a phone sends to get one photo stored.

A 15 MiB JPEG (quick: 3 MiB) goes through `bench.droplink`, a loopback relay that drops the
connection every 2 MiB the phone sends (quick: every 512 KiB):
- tus, as tus-js-client does by default: one PATCH with all the remaining bytes; after a drop,
  HEAD says how many bytes the server kept and the next PATCH starts there. Also with 256 KiB
  PATCHes (`tus_chunked_*`).
- the baseline, a plain PUT that restarts from byte 0 after a drop. On a link that drops every
  2 MiB it would never get a 15 MiB photo through, so it gets the same drops as the tus upload
  suffered, after which the link holds: the bytes it sends are what restarting costs.
Target: tus sends at most 1.15 × the photo. Every upload is checked: the server must hold the
photo with the file's sha256.

`rss()` is the memory figure: a gunicorn worker's peak RSS growth while it takes the same photo in
256 KiB PATCHes (no drops), after one untimed warm-up upload, every run reported. `make bench`
runs both on its one-worker server (bench/run.py, benchmark `resumable`; targets in
bench/verdict.py).

    .venv/bin/python -m bench.resumable BASE_URL CREW_TOKEN [--quick]
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import tempfile
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from tusclient.client import TusClient

from bench.droplink import DropLink
from bench.photos import padded_jpeg

MIB = 1024 * 1024
TARGET_RATIO = 1.15
WIB = timezone(timedelta(hours=7))
SPOT = (112.6326, -7.9771)  # central Malang (Klojen)
# (photo bytes, JPEG dimensions, drop every, PATCH size of the chunked variant)
FULL = (15 * MIB, (4000, 3000), 2 * MIB, 256 * 1024)
QUICK = (3 * MIB, (1200, 900), 512 * 1024, 256 * 1024)
MAX_RETRIES = 100


def _api(base_url: str, token: str, method: str, path: str, payload: dict | None = None) -> dict:
    body = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(base_url + path, data=body, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as resp:
        return json.loads(resp.read())


def _new_log(base_url: str, token: str) -> str:
    start = (datetime.now(WIB) - timedelta(days=1)).replace(hour=7, minute=30, second=0, microsecond=0)
    log = {"id": str(uuid.uuid4()), "activity": "drain_cleaning", "started_at": start.isoformat(),
           "finished_at": (start + timedelta(hours=2)).isoformat(),
           "geometry": {"type": "Point", "coordinates": list(SPOT)}}
    return _api(base_url, token, "POST", "/api/v1/logs", log)["id"]


def _check_stored(base_url: str, token: str, log_id: str, photo_id: str, data: bytes) -> None:
    photos = {p["id"]: p["sha256"] for p in _api(base_url, token, "GET", f"/api/v1/logs/{log_id}")["photos"]}
    if photos.get(photo_id) != hashlib.sha256(data).hexdigest():
        raise RuntimeError(f"photo {photo_id} is not stored with the file's sha256")


def _tus(base_url: str, token: str, log_id: str, data: bytes, drop_every: int, chunk: int | None) -> dict:
    """One photo through tus over the dropping link; chunk None: the whole rest in each PATCH."""
    photo_id = str(uuid.uuid4())
    with DropLink(base_url, every=drop_every) as link:
        client = TusClient(link.url + "/api/v1/uploads", headers={"Authorization": f"Bearer {token}"})
        uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=chunk or len(data),
                                   metadata={"log_id": log_id, "photo_id": photo_id, "kind": "before"},
                                   retries=MAX_RETRIES, retry_delay=0)
        uploader.upload()
        sent, drops = link.sent, link.dropped
    _check_stored(base_url, token, log_id, photo_id, data)
    return {"bytes_sent": sent, "ratio": round(sent / len(data), 3), "drops": drops}


def _put_once(url: str, token: str, path: str, photo: Path) -> int | None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120, blocksize=64 * 1024)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg",
               "Content-Length": str(photo.stat().st_size)}
    try:
        with photo.open("rb") as body:
            conn.request("PUT", path, body=body, headers=headers)
            return conn.getresponse().status
    except OSError:
        return None  # dropped: start again
    finally:
        conn.close()


def _put(base_url: str, token: str, log_id: str, photo: Path, drops: list[int]) -> dict:
    """A PUT that restarts after each drop, over a link dropping at `drops` (then holding)."""
    photo_id = str(uuid.uuid4())
    path = f"/api/v1/logs/{log_id}/photos/{photo_id}?kind=before"
    attempts = 0
    with DropLink(base_url, drops=drops) as link:
        status = None
        while status is None and attempts <= len(drops) + 1:
            attempts += 1
            status = _put_once(link.url, token, path, photo)
        sent = link.sent
    if status != 201:
        raise RuntimeError(f"the PUT did not get through after {attempts} attempts (status {status})")
    _check_stored(base_url, token, log_id, photo_id, photo.read_bytes())
    return {"bytes_sent": sent, "ratio": round(sent / photo.stat().st_size, 3), "attempts": attempts}


def _tus_direct(base_url: str, token: str, log_id: str, data: bytes, chunk: int) -> None:
    client = TusClient(base_url + "/api/v1/uploads", headers={"Authorization": f"Bearer {token}"})
    client.uploader(file_stream=io.BytesIO(data), chunk_size=chunk, retries=0,
                    metadata={"log_id": log_id, "photo_id": str(uuid.uuid4()), "kind": "after"}).upload()


def _photo_bytes(quick: bool) -> bytes:
    """The benchmark's photo: a real JPEG padded to the figure's size."""
    size, dims, _drop, _chunk = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="satgas-bench-resumable-") as tmp:
        photo = Path(tmp) / "photo.jpg"
        padded_jpeg(photo, size, dims)
        return photo.read_bytes()


def rss(base_url: str, worker: int, token: str, runs: int, quick: bool) -> dict:
    """Peak RSS growth of `worker` (the server's only one) per photo sent in 256 KiB PATCHes."""
    from bench.memory import RssSampler

    _size, _dims, _drop, chunk = QUICK if quick else FULL
    base_url = base_url.rstrip("/")
    data = _photo_bytes(quick)
    log_id = _new_log(base_url, token)
    _tus_direct(base_url, token, log_id, data, chunk)  # warm-up: first parts, first assembly, first decode
    growth = []
    for _ in range(runs):
        with RssSampler(worker) as sampler:
            _tus_direct(base_url, token, log_id, data, chunk)
        growth.append(sampler.growth_mib)
    print(f"tus, {len(data) / MIB:.0f} MiB in {chunk // 1024} KiB PATCHes: worker RSS growth per run {growth} MiB "
          "(after a warm-up upload)")
    return {"rss_photo_mib": round(len(data) / MIB, 2), "rss_patch_kib": chunk // 1024,
            "rss_runs_growth_mib": growth, "rss_growth_mib": max(growth)}


def run(base_url: str, token: str, quick: bool) -> dict:
    """Measure tus and a restarting PUT on the dropping link; returns the figures and prints them."""
    size, _dims, drop_every, chunk = QUICK if quick else FULL
    base_url = base_url.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="satgas-bench-resumable-") as tmp:
        photo = Path(tmp) / "photo.jpg"
        data = _photo_bytes(quick)
        photo.write_bytes(data)
        log_id = _new_log(base_url, token)
        tus = _tus(base_url, token, log_id, data, drop_every, None)
        chunked = _tus(base_url, token, log_id, data, drop_every, chunk)
        # The same drops as the tus upload suffered, at the same points of the traffic.
        put = _put(base_url, token, log_id, photo, [drop_every * (n + 1) for n in range(tus["drops"])])
    return _report(size, drop_every, chunk, tus, chunked, put)


def _report(size: int, drop_every: int, chunk: int, tus: dict, chunked: dict, put: dict) -> dict:
    result = {
        "photo_mib": round(size / MIB, 2),
        "drop_every_mib": round(drop_every / MIB, 2),
        "tus_bytes_sent": tus["bytes_sent"], "tus_ratio": tus["ratio"], "tus_drops": tus["drops"],
        "tus_chunked_kib": chunk // 1024, "tus_chunked_ratio": chunked["ratio"], "tus_chunked_drops": chunked["drops"],
        "put_bytes_sent": put["bytes_sent"], "put_ratio": put["ratio"], "put_attempts": put["attempts"],
        "target_ratio": TARGET_RATIO, "met": tus["ratio"] <= TARGET_RATIO,
    }
    print(f"\nresumable upload ({result['photo_mib']} MiB photo, the link drops every {result['drop_every_mib']} MiB)")
    for name, value in result.items():
        print(f"  {name:18s} {value}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url", help="the server, e.g. http://127.0.0.1:8000 (MAX_PHOTO_BYTES ≥ 15 MiB)")
    parser.add_argument("token", help="a crew member's bearer token")
    parser.add_argument("--quick", action="store_true", help="a 3 MiB photo, drops every 512 KiB")
    args = parser.parse_args()
    run(args.base_url, args.token, args.quick)
