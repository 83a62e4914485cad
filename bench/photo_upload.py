"""Streamed photo upload: peak memory of the serving process and MB/s against a plain write.

gunicorn (one sync worker) serves the app on loopback against a temporary SpatiaLite database
and local file storage. A client streams a 15 MiB JPEG (12 MP, the JPEG padded to exactly
15 MiB) while a thread samples the worker's resident memory through /proc; the figure is the
peak above the worker's RSS just before the upload (after a small warm-up upload, so lazy
imports and the first request's set-up are not counted). The baseline is `put_file` of the same bytes into the
same storage: what a plain streaming write costs without HTTP, checks and thumbnail.

    .venv/bin/python -m bench.photo_upload [--quick]
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
UPLOAD_BYTES = 15 * MIB
PASSWORD = "bench-password-123"
WIB = timezone(timedelta(hours=7))
SPOT = (112.6326, -7.9771)  # central Malang (Klojen)
START_TIMEOUT_S = 60
SAMPLE_EVERY_S = 0.002


def make_photo(path: Path, size: int = UPLOAD_BYTES, dims: tuple[int, int] = (4000, 3000)) -> None:
    """A noise JPEG (incompressible; 4000x3000 is ~14.6 MiB) padded after its end marker to `size`."""
    pixels = random.Random(20261128).randbytes(dims[0] * dims[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", dims, pixels).save(out, "JPEG", quality=96)
    data = out.getvalue()
    if len(data) > size:
        raise RuntimeError(f"the bench JPEG is {len(data)} bytes, more than {size}")
    path.write_bytes(data + b"\0" * (size - len(data)))


def _prepare(env: dict[str, str]) -> None:
    """Schema, reference data, a crew and its user, in a child process with the bench env."""
    script = (
        "from flask_migrate import upgrade\n"
        "from satgas.app import create_app\n"
        "from satgas.services.accounts import create_crew, create_user\n"
        "from satgas.services.areas import load_reference_data\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "    load_reference_data()\n"
        "    crew = create_crew('Bench crew', '35.73.02')\n"
        f"    create_user('bench_crew', '{PASSWORD}', 'crew', crew_id=crew.id)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _gunicorn(env: dict[str, str], port: int) -> Iterator[int]:
    """Serve wsgi:app with one sync worker; yields the worker's pid."""
    cmd = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
           "--workers", "1", "--threads", "1", "--worker-class", "sync", "--log-level", "warning", "wsgi:app"]
    master = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(port)
        yield _worker_pid(master.pid)
    finally:
        master.terminate()
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {START_TIMEOUT_S} s")


def _worker_pid(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def _request(port: int, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, blocksize=64 * 1024)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _json(port: int, method: str, path: str, payload: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    status, body = _request(port, method, path, json.dumps(payload).encode(), headers)
    if status not in (200, 201):
        raise RuntimeError(f"{method} {path} answered {status}: {body[:300]!r}")
    return json.loads(body)


def _new_log(port: int, token: str) -> str:
    start = (datetime.now(WIB) - timedelta(days=1)).replace(hour=7, minute=30, second=0, microsecond=0)
    log = {"id": str(uuid.uuid4()), "activity": "drain_cleaning", "started_at": start.isoformat(),
           "finished_at": (start + timedelta(hours=2)).isoformat(),
           "geometry": {"type": "Point", "coordinates": list(SPOT)}}
    return _json(port, "POST", "/api/v1/logs", log, token)["id"]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class RssSampler:
    """Samples a process's RSS in a thread; `peak_kib` is the largest value seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib = pid, rss_kib(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            time.sleep(SAMPLE_EVERY_S)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, rss_kib(self.pid))


def _upload(port: int, token: str, log_id: str, photo: Path) -> float:
    """PUT the file streamed from disk; returns the seconds it took until the answer."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg",
               "Content-Length": str(photo.stat().st_size)}
    started = time.perf_counter()
    with photo.open("rb") as body:
        status, answer = _request(port, "PUT", f"/api/v1/logs/{log_id}/photos/{uuid.uuid4()}?kind=before",
                                  body, headers)
    elapsed = time.perf_counter() - started
    if status != 201:
        raise RuntimeError(f"upload answered {status}: {answer[:300]!r}")
    return elapsed


def _plain_write_seconds(photos_dir: Path, photo: Path) -> float:
    from storage import LocalStorage

    storage = LocalStorage(photos_dir)
    started = time.perf_counter()
    storage.put_file(f"baseline/{uuid.uuid4()}", photo, "image/jpeg")
    return time.perf_counter() - started


def _checks_seconds(photo: Path, tmp_path: Path) -> float:
    """The part of an upload a plain write skips: the one decode (integrity, hash, thumbnail)."""
    from satgas.imaging import inspect_image

    started = time.perf_counter()
    inspect_image(photo, thumbnail_to=tmp_path / "thumbnail.jpg")
    return time.perf_counter() - started


def _measure(port: int, worker: int, token: str, log_id: str, photo: Path, runs: int) -> tuple[list, list]:
    growth_kib, seconds = [], []
    for _ in range(runs):
        idle = rss_kib(worker)
        with RssSampler(worker) as sampler:
            seconds.append(_upload(port, token, log_id, photo))
        growth_kib.append(sampler.peak_kib - idle)
    return growth_kib, seconds


def run(quick: bool = True) -> dict:
    """Measure one upload (quick) or three; returns the figures and prints a small table."""
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="satgas-bench-photo-") as tmp:
        tmp_path = Path(tmp)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.db'}", "SECRET_KEY": "bench-secret",
               "STORAGE_URL": f"file://{tmp_path / 'photos'}", "MAX_PHOTO_BYTES": str(UPLOAD_BYTES)}
        env.pop("S3_ENDPOINT_URL", None)
        _prepare(env)
        photo, warmup = tmp_path / "photo.jpg", tmp_path / "warmup.jpg"
        make_photo(photo)
        Image.new("RGB", (1600, 1200), (90, 120, 60)).save(warmup, "JPEG")
        port = _free_port()
        with _gunicorn(env, port) as worker:
            token = _json(port, "POST", "/api/v1/auth/token", {"username": "bench_crew", "password": PASSWORD})[
                "access_token"]
            log_id = _new_log(port, token)
            _upload(port, token, log_id, warmup)
            idle_kib = rss_kib(worker)
            growth_kib, seconds = _measure(port, worker, token, log_id, photo, runs)
        # Cheap and noisy (page cache, fsync): always the median of five.
        plain = statistics.median(_plain_write_seconds(tmp_path / "photos", photo) for _ in range(5))
        _checks_seconds(warmup, tmp_path)  # first use of the decoders, not timed
        checks = statistics.median(_checks_seconds(photo, tmp_path) for _ in range(runs))
    return _report(idle_kib, max(growth_kib), statistics.median(seconds), plain, checks, runs)


def _report(idle_kib: int, growth_kib: int, upload_s: float, plain_s: float, checks_s: float, runs: int) -> dict:
    size_mb = UPLOAD_BYTES / 1e6
    result = {
        "upload_mib": UPLOAD_BYTES / MIB,
        "runs": runs,
        "idle_rss_mib": round(idle_kib / 1024, 1),
        "rss_growth_mib": round(growth_kib / 1024, 2),
        "upload_mb_s": round(size_mb / upload_s, 1),
        "plain_write_mb_s": round(size_mb / plain_s, 1),
        "ratio": round(plain_s / upload_s, 3),
        # Decoding the 12 MP JPEG twice (integrity check, thumbnail): most of the gap.
        "decode_s": round(checks_s, 3),
        "upload_s": round(upload_s, 3),
    }
    print("\nphoto upload (15 MiB JPEG, gunicorn 1 sync worker, SpatiaLite + local files)")
    for name, value in result.items():
        print(f"  {name:18s} {value}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one measured upload instead of three")
    run(parser.parse_args().quick)
