"""The soak's simulated people: crew phones, supervisors and public readers (one thread each,
readers from a small pool paced to a fixed rate). Every loop is bounded by the run's deadline."""
from __future__ import annotations

import hashlib
import io
import json
import queue
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol

from PIL import Image

from bench.soak.recorder import Client

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
    """How a phone sends one photo. PUT today; a tus sender (POST /api/v1/uploads, then PATCH,
    resuming from HEAD's Upload-Offset after a cut) plugs in here once the endpoint exists."""

    def send(self, client: Client, log_id: str, photo_id: str, kind: str, data: bytes, cut: bool) -> int: ...


class PutSender:
    def send(self, client: Client, log_id: str, photo_id: str, kind: str, data: bytes, cut: bool) -> int:
        path = f"/api/v1/logs/{log_id}/photos/{photo_id}?kind={kind}"
        headers = {"Content-Type": "image/jpeg"}
        if cut:
            client.cut("photo", "PUT", path, data, headers)
        return client.request("photo", "PUT", path, data, headers)[0]


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
            if status in (200, 201):
                break
            self.client.recorder.problem(f"photo answered {status} (attempt {attempt + 1})")
        else:
            return
        with self.ledger.lock:
            self.ledger.photos[photo_id] = (log_id, hashlib.sha256(data).hexdigest())
        if self.rng.random() < self.knobs.replay_share:
            status = self.sender.send(self.client, log_id, photo_id, kind, data, False)
            if status != 200:
                self.client.recorder.problem(f"photo replay answered {status}, not 200")

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
    """Citizens at a fixed total rate over the three public endpoints, from a pool of threads;
    when the server falls behind, requests that cannot start in time are counted as dropped."""

    def __init__(self, clients: list[Client], rate: float, deadline: float) -> None:
        self.clients, self.rate, self.deadline = clients, rate, deadline
        self.todo: queue.Queue = queue.Queue(maxsize=len(clients) * 2)
        self.dropped = 0
        self.threads = [threading.Thread(target=self._worker, args=(c,), daemon=True) for c in clients]
        self.threads.append(threading.Thread(target=self._pace, daemon=True))

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self, timeout: float) -> None:
        for t in self.threads:
            t.join(timeout)

    def _pace(self) -> None:
        n, start = 0, time.monotonic()
        while time.monotonic() < self.deadline:
            try:
                self.todo.put_nowait(PUBLIC[n % len(PUBLIC)])
            except queue.Full:
                self.dropped += 1
            n += 1
            time.sleep(max(0.0, start + n / self.rate - time.monotonic()))
        for _ in self.clients:
            self.todo.put(None)

    def _worker(self, client: Client) -> None:
        headers = {"Accept-Encoding": "gzip"}
        while (job := self.todo.get()) is not None:
            client.request(job[0], "GET", job[1], headers=headers)
        client.close()
