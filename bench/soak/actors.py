"""The soak's simulated people: crew phones, supervisors and public readers (one thread each,
readers from a small pool paced to a fixed rate). Every loop is bounded by the run's deadline."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol
from urllib.parse import urlsplit

from PIL import Image

from bench.soak.recorder import Client, Recorder

WIB = timezone(timedelta(hours=7))
# One spot per kecamatan, so that every supervisor has a queue.
SPOTS = [(112.6326, -7.9771), (112.6145, -7.9525), (112.6585, -7.9330), (112.6150, -7.9950), (112.6500, -7.9900)]
ACTIVITIES = ["drain_cleaning", "culvert_cleaning", "channel_normalisation", "waste_removal"]


@dataclass
class Knobs:
    """How the simulated day behaves. The defaults compress a working day into 3 minutes: each
    crew sends a batch of 2–4 logs about once a minute (~9 logs a day), 80 % of them with a
    before and an after photo; supervisors review as the queue fills. A longer run repeats
    such days at the same rate."""

    cut_share: float = 0.05  # requests whose connection is cut mid-body first (then sent again)
    replay_share: float = 0.08  # batches and photos sent a second time, as phones do after a timeout
    photo_share: float = 0.8  # logs that get a before and an after photo
    batch_logs: tuple[int, int] = (2, 4)
    phone_pause_s: tuple[float, float] = (40.0, 80.0)
    review_pause_s: tuple[float, float] = (1.0, 3.0)


def photo_pool(count: int = 8, size: tuple[int, int] = (1600, 1200)) -> list[bytes]:
    """Distinct phone-like JPEGs (noise over a gradient, ~0.4 MB at 1600x1200)."""
    pool = []
    for n in range(count):
        rng = random.Random(n)
        base = Image.linear_gradient("L").resize(size).convert("RGB")
        noise = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
        out = io.BytesIO()
        Image.blend(base, noise, 0.25 + n / 100).save(out, "JPEG", quality=85)
        pool.append(out.getvalue())
    return pool


class PhotoSender(Protocol):
    """How a phone sends one photo: the status of the request that stored it (or refused it).
    `replay_status` is what a second sending of the same photo answers; `bytes` counts the
    photo bytes given to send and the bytes of photo bodies sent (cut and resent ones included)."""

    replay_status: int
    bytes: PhotoBytes

    def send(self, client: Client, log_id: str, photo_id: str, kind: str, data: bytes, cut: bool) -> int: ...


@dataclass
class PhotoBytes:
    photos: int = 0  # bytes of the photos handed to the sender (replays included)
    sent: int = 0  # bytes of photo bodies put on the wire
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, photos: int = 0, sent: int = 0) -> None:
        with self.lock:
            self.photos, self.sent = self.photos + photos, self.sent + sent


class PutSender:
    """`PUT /api/v1/logs/<log>/photos/<photo>`: after a cut, the whole photo again."""

    replay_status = 200

    def __init__(self) -> None:
        self.bytes = PhotoBytes()

    def send(self, client: Client, log_id: str, photo_id: str, kind: str, data: bytes, cut: bool) -> int:
        path = f"/api/v1/logs/{log_id}/photos/{photo_id}?kind={kind}"
        headers = {"Content-Type": "image/jpeg"}
        sent = client.cut("photo", "PUT", path, data, headers) if cut else 0
        self.bytes.add(len(data), sent + len(data))
        return client.request("photo", "PUT", path, data, headers)[0]


TUS = {"Tus-Resumable": "1.0.0"}
TUS_RETRIES = 5


def _tus_metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


class TusSender:
    """tus 1.0 (`/api/v1/uploads`), as the crews' app sends photos: POST creates the upload, one
    PATCH sends the bytes. After a cut, HEAD says how many bytes the server kept and the next
    PATCH sends only the rest (again after a 409: a cut request still being stored raced it)."""

    replay_status = 204

    def __init__(self) -> None:
        self.bytes = PhotoBytes()

    def send(self, client: Client, log_id: str, photo_id: str, kind: str, data: bytes, cut: bool) -> int:
        self.bytes.add(photos=len(data))
        status, body = client.request("tus_create", "POST", "/api/v1/uploads", None, {
            **TUS, "Upload-Length": str(len(data)),
            "Upload-Metadata": _tus_metadata(log_id=log_id, photo_id=photo_id, kind=kind)})
        if status != 201:
            client.recorder.problem(f"tus create answered {status}: {body[:200]!r}")
            return status
        location = urlsplit(client.last_headers["Location"]).path
        patch = {**TUS, "Content-Type": "application/offset+octet-stream"}
        offset: int | None = 0
        if cut:
            self.bytes.add(sent=client.cut("tus_patch", "PATCH", location, data, {**patch, "Upload-Offset": "0"}))
            offset = None
        for attempt in range(TUS_RETRIES):
            if offset is None:  # resume: where does the server stand?
                status, _ = client.request("tus_head", "HEAD", location, None, TUS)
                if status != 200:
                    client.recorder.problem(f"tus HEAD answered {status}")
                    return status
                offset = int(client.last_headers["Upload-Offset"])
                if offset == len(data):
                    return 204  # the cut request itself delivered the last byte
            self.bytes.add(sent=len(data) - offset)
            status, body = client.request("tus_patch", "PATCH", location, data[offset:],
                                          {**patch, "Upload-Offset": str(offset)})
            if status != 409:
                return status
            client.recorder.problem(f"tus PATCH at {offset} answered 409 (attempt {attempt + 1}); resuming")
            offset = None
            time.sleep(0.05 * (attempt + 1))
        return status


SENDERS = {"tus": TusSender, "put": PutSender}


@dataclass
class Ledger:
    """What the phones know the server accepted: log ids, and photo id → (log id, sha256)."""

    logs: set[str] = field(default_factory=set)
    photos: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _log(rng: random.Random) -> dict:
    lon, lat = rng.choice(SPOTS)
    start = datetime.now(WIB).replace(microsecond=0) - timedelta(minutes=rng.randrange(60, 8 * 60))
    return {"id": str(uuid.uuid4()), "activity": rng.choice(ACTIVITIES), "started_at": start.isoformat(),
            "finished_at": (start + timedelta(minutes=45)).isoformat(),
            "geometry": {"type": "Point", "coordinates": [lon + rng.uniform(-5e-4, 5e-4),
                                                          lat + rng.uniform(-5e-4, 5e-4)]},
            "length_m": round(rng.uniform(5, 80), 1), "sediment_m3": round(rng.uniform(0, 3), 2),
            "waste_kg": round(rng.uniform(0, 120), 1), "workers": rng.randint(2, 8)}


class Phone(threading.Thread):
    """A crew phone: batches of logs, then before/after photos, then sync/status — with cuts and replays."""

    def __init__(self, n: int, client: Client, ledger: Ledger, photos: list[bytes], sender: PhotoSender,
                 knobs: Knobs, deadline: float) -> None:
        super().__init__(daemon=True, name=f"phone-{n}")
        self.client, self.ledger, self.photos, self.sender = client, ledger, photos, sender
        self.knobs, self.deadline, self.rng = knobs, deadline, random.Random(1000 + n)

    def _send_batch(self, logs: list[dict]) -> bool:
        body = json.dumps({"logs": logs}).encode()
        headers = {"Content-Type": "application/json"}
        if self.rng.random() < self.knobs.cut_share:
            self.client.cut("batch", "POST", "/api/v1/logs/batch", body, headers)
        for attempt in range(3):
            status, data = self.client.request("batch", "POST", "/api/v1/logs/batch", body, headers)
            if status == 200:
                break
            self.client.recorder.problem(f"batch answered {status} (attempt {attempt + 1}): {data[:200]!r}")
        else:
            return False
        expected = {"created", "unchanged"}
        results = json.loads(data)["results"]
        if any(r["status"] not in expected for r in results):
            bad = [r for r in results if r["status"] not in expected]
            self.client.recorder.problem(f"batch items not stored: {bad[:2]}")
            return False
        with self.ledger.lock:
            self.ledger.logs.update(log["id"] for log in logs)
        if self.rng.random() < self.knobs.replay_share:
            status, data = self.client.request("batch", "POST", "/api/v1/logs/batch", body, headers)
            if status != 200 or any(r["status"] != "unchanged" for r in json.loads(data)["results"]):
                self.client.recorder.problem(f"batch replay answered {status}: {data[:200]!r}")
        return True

    def _send_photo(self, log_id: str, kind: str) -> None:
        data = self.rng.choice(self.photos)
        photo_id = str(uuid.uuid4())
        cut = self.rng.random() < self.knobs.cut_share
        for attempt in range(3):
            status = self.sender.send(self.client, log_id, photo_id, kind, data, cut and attempt == 0)
            if status in (200, 201, 204):
                break
            self.client.recorder.problem(f"photo answered {status} (attempt {attempt + 1})")
        else:
            return
        with self.ledger.lock:
            self.ledger.photos[photo_id] = (log_id, hashlib.sha256(data).hexdigest())
        if self.rng.random() < self.knobs.replay_share:
            status = self.sender.send(self.client, log_id, photo_id, kind, data, False)
            if status != self.sender.replay_status:
                self.client.recorder.problem(f"photo replay answered {status}, not {self.sender.replay_status}")

    def run(self) -> None:
        # Phones do not start in step: spread over one pause, or the first third of a short run.
        time.sleep(self.rng.uniform(0, min(self.knobs.phone_pause_s[1], (self.deadline - time.monotonic()) / 3)))
        while time.monotonic() < self.deadline:
            logs = [_log(self.rng) for _ in range(self.rng.randint(*self.knobs.batch_logs))]
            if self._send_batch(logs):
                for log in logs:
                    if self.rng.random() < self.knobs.photo_share and time.monotonic() < self.deadline:
                        self._send_photo(log["id"], "before")
                        self._send_photo(log["id"], "after")
                self.client.json("sync", "POST", "/api/v1/sync/status", {"ids": [log["id"] for log in logs]})
            self._pause(self.rng.uniform(*self.knobs.phone_pause_s))
        self.client.close()

    def _pause(self, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, self.deadline - time.monotonic())))


class Supervisor(threading.Thread):
    """Reads the queue of submitted logs in their kecamatan and decides one at a time."""

    def __init__(self, n: int, client: Client, knobs: Knobs, deadline: float) -> None:
        super().__init__(daemon=True, name=f"supervisor-{n}")
        self.client, self.knobs, self.deadline, self.rng = client, knobs, deadline, random.Random(2000 + n)

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            status, page = self.client.json("review_queue", "GET", "/api/v1/logs?status=submitted&page_size=10")
            items = page.get("items", []) if status == 200 and isinstance(page, dict) else []
            for item in items[:3]:
                if time.monotonic() >= self.deadline:
                    break
                decision = {"decision": "approved"} if self.rng.random() < 0.85 else {
                    "decision": "rejected", "note": "Foto sesudah kurang jelas"}
                self.client.json("review", "POST", f"/api/v1/logs/{item['id']}/review", decision)
                time.sleep(self.rng.uniform(*self.knobs.review_pause_s))
            if not items:
                time.sleep(self.knobs.review_pause_s[1])
        self.client.close()


PUBLIC = [("public_progress", "/public/v1/progress"), ("public_geojson", "/public/v1/progress.geojson"),
          ("public_activities", "/public/v1/activities?limit=20")]


class PublicReaders:
    """Citizens at a fixed total rate over the three public endpoints, OPEN-LOOP: a schedule of
    send times (one every 1/rate s, round-robin over the endpoints) that does not wait for the
    server. Each request is handed to a pool of threads (each with its own keep-alive
    connection) at its due time, and its latency is counted from that due time, so a slow server
    shows as latency, never as fewer requests offered. `late` counts requests that left more than
    LATE_MS after their due time: either every thread was still waiting for an answer (the
    server's backlog reached the pool) or the schedule itself fell behind — `pacer_late` counts
    the latter, the generator's own failing (e.g. starved of CPU)."""

    LATE_MS = 100.0

    def __init__(self, host: str, port: int, recorder: Recorder, rate: float, deadline: float,
                 max_threads: int = 200) -> None:
        self.host, self.port, self.recorder, self.rate, self.deadline = host, port, recorder, rate, deadline
        self.pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="reader")
        self.max_threads = max_threads
        self.local = threading.local()
        self.clients: list[Client] = []
        self.lock = threading.Lock()
        self.offered = self.answered = self.late = self.pacer_late = 0
        self.max_lag_ms = self.pacer_max_lag_ms = 0.0
        self.pacer = threading.Thread(target=self._pace, daemon=True, name="reader-pacer")

    def start(self) -> None:
        self.pacer.start()

    def join(self, timeout: float) -> None:
        self.pacer.join(timeout)
        self.pool.shutdown(wait=True)
        for client in self.clients:
            client.close()

    def stats(self) -> dict:
        return {"rate": self.rate, "offered": self.offered, "answered": self.answered, "late": self.late,
                "late_after_ms": self.LATE_MS, "max_start_lag_ms": round(self.max_lag_ms, 1),
                "pacer_late": self.pacer_late, "pacer_max_lag_ms": round(self.pacer_max_lag_ms, 1),
                "threads": self.max_threads}

    def _pace(self) -> None:
        start = time.perf_counter()
        end = start + (self.deadline - time.monotonic())
        n = 0
        while (due := start + n / self.rate) < end:
            time.sleep(max(0.0, due - time.perf_counter()))
            lag_ms = (time.perf_counter() - due) * 1000
            self.pacer_max_lag_ms = max(self.pacer_max_lag_ms, lag_ms)
            self.pacer_late += lag_ms > self.LATE_MS
            self.pool.submit(self._read, PUBLIC[n % len(PUBLIC)], due)
            n += 1
            self.offered = n

    def _client(self) -> Client:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = Client(self.host, self.port, self.recorder)
            with self.lock:
                self.clients.append(client)
        return client

    def _read(self, job: tuple[str, str], due: float) -> None:
        lag_ms = (time.perf_counter() - due) * 1000
        status, _ = self._client().request(job[0], "GET", job[1], headers={"Accept-Encoding": "gzip"}, since=due)
        with self.lock:
            self.max_lag_ms = max(self.max_lag_ms, lag_ms)
            self.late += lag_ms > self.LATE_MS
            self.answered += status > 0
