"""What the soak records: every request (time, endpoint group, status, latency), the workers'
memory and CPU every few seconds, and a keep-alive HTTP client per simulated actor that can
also cut its connection in the middle of a body, as a phone on a bad network does."""
from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from bench.servers import GunicornServer, cpu_seconds, rss_kib

_STALE = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)


@dataclass
class Event:
    t: float  # seconds since the start of the load, when the request was sent (or due: open-loop readers)
    group: str
    status: int  # 0: no answer (socket error); -1: cut on purpose
    ms: float


@dataclass
class Recorder:
    started: float = field(default_factory=time.monotonic)
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, group: str, status: int, ms: float) -> None:
        """A request that was sent (or due) `ms` ago: it belongs to the window it was sent in, so a
        request sent in the last minute and answered after the deadline still counts there."""
        with self.lock:
            self.events.append(Event(time.monotonic() - self.started - ms / 1000, group, status, ms))

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 200:
                self.problems.append(f"{time.monotonic() - self.started:7.1f}s {text}")

    def now(self) -> float:
        return time.monotonic() - self.started


class Client:
    """One actor's keep-alive connection to the server; every request is recorded."""

    def __init__(self, host: str, port: int, recorder: Recorder, token: str | None = None) -> None:
        self.host, self.port, self.recorder, self.token = host, port, recorder, token
        self.conn: http.client.HTTPConnection | None = None
        self.last_headers: http.client.HTTPMessage | None = None  # of the last answer

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def request(self, group: str, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, since: float | None = None) -> tuple[int, bytes]:
        """(status, body); status 0 when the connection failed (recorded as such). The latency is
        counted from `since` (a time.perf_counter() value: when the request was due) if given."""
        started = time.perf_counter() if since is None else since
        self.last_headers = None
        for attempt in (1, 2):
            reused = self.conn is not None
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=90)
                self.conn.request(method, path, body=body, headers=self._headers(headers))
                resp = self.conn.getresponse()
                data = resp.read()
                status, self.last_headers = resp.status, resp.headers
                if resp.will_close:
                    self.close()
                break
            except _STALE as exc:
                self.close()
                if reused and attempt == 1:
                    # The server closed an idle keep-alive connection (gunicorn's keepalive is 5 s):
                    # like any HTTP client pool, retry once on a new connection.
                    started = time.perf_counter() if since is None else since
                    continue
                self.recorder.problem(f"{group} {method} {path}: {type(exc).__name__}: {exc}")
                status, data = 0, b""
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                self.recorder.problem(f"{group} {method} {path}: {type(exc).__name__}: {exc}")
                status, data = 0, b""
                break
        self.recorder.add(group, status, (time.perf_counter() - started) * 1000)
        return status, data

    def json(self, group: str, method: str, path: str, payload: object = None) -> tuple[int, object]:
        body = None if payload is None else json.dumps(payload).encode()
        status, data = self.request(group, method, path, body, {"Content-Type": "application/json"})
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, None

    def cut(self, group: str, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
        """Send the headers and half of the body on a new connection, then close it; the bytes of
        the body sent."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in self._headers(headers).items()]
        started = time.perf_counter()
        try:
            with socket.create_connection((self.host, self.port), timeout=30) as sock:
                sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body[: len(body) // 2])
        except OSError as exc:
            self.recorder.problem(f"cut {group}: {exc}")
        self.recorder.add(group + "_cut", -1, (time.perf_counter() - started) * 1000)
        return len(body) // 2

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Sample:
    t: float
    rss_kib: dict[int, int]
    server_cpu_s: float
    loadgen_cpu_s: float


class Sampler(threading.Thread):
    """Every `every` seconds: each worker's VmRSS, the server's and the load generator's CPU."""

    def __init__(self, server: GunicornServer, recorder: Recorder, stop: threading.Event, every: float) -> None:
        super().__init__(daemon=True)
        self.server, self.recorder, self.stop_event, self.every = server, recorder, stop, every
        self.samples: list[Sample] = []

    def sample(self) -> None:
        pids = [self.server.proc.pid, *self.server.worker_pids()]
        rss, cpu = {}, 0.0
        for pid in pids:
            try:
                cpu += cpu_seconds(pid)
                if pid != self.server.proc.pid:
                    rss[pid] = rss_kib(pid)
            except (OSError, RuntimeError):
                self.recorder.problem(f"worker {pid} vanished")
        times = os.times()
        self.samples.append(Sample(self.recorder.now(), rss, cpu, times.user + times.system))

    def run(self) -> None:
        while not self.stop_event.wait(self.every):
            self.sample()
