"""A flaky link for benchmarks and tests: a loopback TCP relay in front of a server that counts
the bytes clients send and drops the connection at chosen points, as a phone's network does.

At a drop, the relay forwards the bytes up to the drop point, ends the stream towards the server
(the server sees the body end early, as when a phone vanishes), waits until the server has dealt
with that request and closed its side, then resets the client's connection without passing on
any answer. So a client that resumes afterwards sees exactly what the server kept, every time.
"""
from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

BUFFER = 64 * 1024
TIMEOUT_S = 60


class DropLink:
    """Relay to `target_url`; drop at each cumulative byte count in `drops`, or every `every` bytes."""

    def __init__(self, target_url: str, drops: Iterable[int] = (), every: int | None = None) -> None:
        target = urlsplit(target_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._drops = sorted(drops)
        self._every = every
        self._lock = threading.Lock()
        self.sent = 0  # bytes clients sent into the link (those after a drop point included)
        self.dropped = 0  # connections dropped
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> DropLink:
        self._spawn(self._accept)
        return self

    def __exit__(self, *_exc) -> None:
        self._listener.close()

    def stop_dropping(self) -> None:
        with self._lock:
            self._drops, self._every = [], None

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._spawn(self._relay, client)

    def _next_drop(self) -> int | None:
        if self._drops:
            return self._drops[0]
        if self._every:
            return (self.sent // self._every + 1) * self._every
        return None

    def _take(self, data: bytes) -> int | None:
        """Count `data`; how much of it may pass before a drop (None: all of it, no drop)."""
        with self._lock:
            drop_at = self._next_drop()
            start, self.sent = self.sent, self.sent + len(data)
            if drop_at is None or self.sent < drop_at:
                return None
            if self._drops:
                self._drops.pop(0)
            self.dropped += 1
            return drop_at - start

    def _relay(self, client: socket.socket) -> None:
        client.settimeout(TIMEOUT_S)
        try:
            upstream = socket.create_connection(self._target, timeout=TIMEOUT_S)
        except OSError:
            client.close()
            return
        cut, server_done = threading.Event(), threading.Event()
        self._spawn(self._answers, upstream, client, cut, server_done)
        try:
            self._requests(client, upstream, cut, server_done)
        except OSError:
            pass
        finally:
            server_done.wait(TIMEOUT_S)
            if cut.is_set():  # reset, so the client sees a broken connection and no answer
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            upstream.close()

    def _requests(self, client: socket.socket, upstream: socket.socket, cut: threading.Event,
                  server_done: threading.Event) -> None:
        while data := client.recv(BUFFER):
            passing = self._take(data)
            upstream.sendall(data if passing is None else data[:passing])
            if passing is not None:
                cut.set()
                break
        upstream.shutdown(socket.SHUT_WR)

    @staticmethod
    def _answers(upstream: socket.socket, client: socket.socket, cut: threading.Event,
                 server_done: threading.Event) -> None:
        try:
            while data := upstream.recv(BUFFER):
                if not cut.is_set():
                    client.sendall(data)
            if not cut.is_set():
                client.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            server_done.set()
