"""A client that declares a body and stops sending is answered and let go, not waited on forever."""
from __future__ import annotations

import json
import socket
import time

import pytest

from satgas.services.accounts import create_crew, create_user
from tests.builders import log_payload
from tests.servers import Gunicorn
from tests.support import login_headers, make_app


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    where = tmp_path_factory.mktemp("slow")
    database, storage = f"sqlite:///{where / 's.db'}", f"file://{where / 'photos'}"
    app = make_app(database, storage)
    with app.app_context():
        crew = create_crew("Regu Lambat", "35.73.02")
        create_user("crew_slow", "correct-horse-battery", "crew", crew_id=crew.id)
    headers = login_headers(app.test_client(), "crew_slow")
    running = Gunicorn({"DATABASE_URL": database, "STORAGE_URL": storage, "SECRET_KEY": "x",
                        "BODY_READ_TIMEOUT_SECONDS": "2"}, workers=1)
    yield running, headers
    running.stop()


def _stalled(server: Gunicorn, request_head: str, sent: bytes) -> tuple[str, float]:
    started = time.monotonic()
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(request_head.encode() + sent)
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.decode(errors="replace"), time.monotonic() - started


def test_a_photo_put_that_stops_sending_is_answered_408(server):
    running, headers = server
    log = log_payload()
    head = (f"POST /api/v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: {headers['Authorization']}\r\nContent-Length: {len(json.dumps(log))}\r\n\r\n")
    created, _ = _stalled(running, head, json.dumps(log).encode())
    assert created.startswith("HTTP/1.1 201")
    put = (f"PUT /api/v1/logs/{log['id']}/photos/0b8f2c52-7f55-4a9e-9d2c-5d5a7f9b1c11?kind=before HTTP/1.1\r\n"
           f"Host: x\r\nContent-Type: image/jpeg\r\nAuthorization: {headers['Authorization']}\r\n"
           "Content-Length: 10000\r\n\r\n")
    answer, waited = _stalled(running, put, b"\xff\xd8" + b"\0" * 98)
    assert answer.startswith("HTTP/1.1 408"), answer
    assert "stalled" in answer and waited < 15


def test_a_json_body_that_stops_sending_is_answered_408(server):
    running, headers = server
    head = (f"POST /api/v1/logs/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: {headers['Authorization']}\r\nContent-Length: 5000\r\n\r\n")
    answer, waited = _stalled(running, head, b'{"logs": [')
    assert answer.startswith("HTTP/1.1 408"), answer
    assert waited < 15
