"""Every refused or broken upload leaves the stored state exactly as it was: rows, rollup, objects."""
from __future__ import annotations

import io
import socket
import threading
import time
import uuid

import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from satgas.errors import Invalid
from satgas.photo_storage import EXTENSION
from satgas.services import audit, photo_checks, photos
from storage import LocalStorage, S3Storage, StorageUnavailable
from tests.fixtures.databases import TEST_MAX_PHOTO_BYTES
from tests.images import PDF, SCRIPT, during_work, jpeg, png_bomb
from tests.pg_server import free_port
from tests.servers import serving


def test_identical_replay_is_200_with_the_stored_photo(api, stored):
    log, data, photo = stored
    before = api.state()
    replay = api.put(log["id"], data, photo_id=photo["id"])
    assert replay.status_code == 200 and replay.get_json() == photo
    assert api.state() == before


@pytest.mark.parametrize("change", ["other_bytes", "other_kind", "other_log"])
def test_conflicting_replay_is_409_and_changes_nothing(api, stored, change):
    log, data, photo = stored
    target = api.new_log()["id"] if change == "other_log" else log["id"]
    before = api.state()
    resp = api.put(target, jpeg(1) if change == "other_bytes" else data, photo_id=photo["id"],
                   kind="after" if change == "other_kind" else "before")
    assert resp.status_code == 409, resp.get_json()
    assert api.state() == before
    assert api.get(f"/api/v1/logs/{log['id']}").get_json()["photos"][0]["sha256"] == photo["sha256"]


@pytest.mark.parametrize(("body", "status", "words"), [
    (PDF, 415, "PDF"),  # a PDF named photo.jpg, sent as image/jpeg
    (SCRIPT, 415, "not a photo"),
    (jpeg()[:-3000], 422, "damaged or incomplete"),
    (png_bomb(), 422, "pixels"),
    (b"", 400, "empty"),
])
def test_bad_content_is_refused_and_nothing_is_stored(api, upload_tmp, body, status, words):
    log = api.new_log()
    before = api.state()
    resp = api.put(log["id"], body, headers={"Content-Disposition": 'attachment; filename="photo.jpg"'})
    assert resp.status_code == status, resp.get_json()
    assert words in resp.get_json()["message"]
    assert api.state() == before
    assert list(upload_tmp.iterdir()) == []


def test_kind_must_be_before_or_after(api):
    log = api.new_log()
    resp = api.put(log["id"], jpeg(), kind="during")
    assert resp.status_code == 422 and "kind" in resp.get_json()["errors"]["query"]


class EndlessBody(io.RawIOBase):
    """A body that never ends, counting what the server reads of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"\xff" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_over_the_limit_with_content_length_is_413_before_reading(api):
    log = api.new_log()
    body = EndlessBody()
    before = api.state()
    resp = api.put(log["id"], b"", body=body, declared_length=TEST_MAX_PHOTO_BYTES + 1)
    assert resp.status_code == 413 and body.read_bytes == 0
    assert api.state() == before


def test_streamed_body_over_the_limit_is_413_without_reading_the_rest(api, upload_tmp):
    # No Content-Length (chunked, as a server that terminates the stream hands it over).
    log = api.new_log()
    body = EndlessBody()
    before = api.state()
    resp = api.put(log["id"], b"", body=body, terminated=True)
    assert resp.status_code == 413, resp.get_json()
    assert body.read_bytes <= TEST_MAX_PHOTO_BYTES + 64 * 1024  # stopped at the limit
    assert api.state() == before
    assert list(upload_tmp.iterdir()) == []


@pytest.mark.parametrize("server_terminates_input", [False, True])
def test_cut_upload_leaves_nothing(api, upload_tmp, server_terminates_input):
    log = api.new_log()
    data = jpeg(taken=during_work(log))
    before = api.state()
    resp = api.put(log["id"], b"", body=io.BytesIO(data[: len(data) // 2]), declared_length=len(data),
                   terminated=server_terminates_input)
    assert resp.status_code == 400 and "cut off" in resp.get_json()["message"]
    assert api.state() == before
    assert list(upload_tmp.iterdir()) == []


def test_connection_closed_half_way_over_a_real_socket(app, api, upload_tmp):
    log = api.new_log()
    data = jpeg(taken=during_work(log))
    before = api.state()
    server = make_server("127.0.0.1", 0, app)
    handler = threading.Thread(target=server.handle_request)
    handler.start()
    head = (f"PUT /api/v1/logs/{log['id']}/photos/{uuid.uuid4()}?kind=before HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nAuthorization: {api.cast.headers('crew_a')['Authorization']}\r\n"
            f"Content-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=30) as sock:
        sock.sendall(head + data[: len(data) // 2])
        sock.shutdown(socket.SHUT_WR)  # the phone gives up half-way
        answer = sock.makefile("rb").readline()
    handler.join(timeout=30)
    server.server_close()
    assert answer.split()[1] == b"400"
    assert not handler.is_alive()
    assert api.state() == before
    assert list(upload_tmp.iterdir()) == []


def _storage_outage(api, tmp_path, request, monkeypatch):
    """Swap in a storage that can be taken down and brought back: (down, up) callables."""
    if isinstance(api.storage, LocalStorage):
        root = tmp_path / "photo-disk"
        local = LocalStorage(root)
        local.prepare()
        monkeypatch.setitem(api.app.extensions, EXTENSION, local)

        def down() -> None:
            root.rmdir()
            root.write_text("a file where the photo directory was")

        def up() -> None:
            root.unlink()
            root.mkdir()

        return down, up
    port = free_port()
    servers = [ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)]
    servers[0].start()
    request.addfinalizer(lambda: servers[-1].stop())
    dedicated = S3Storage(f"outage-{uuid.uuid4().hex[:12]}", endpoint_url=f"http://127.0.0.1:{port}")
    dedicated.prepare()
    monkeypatch.setitem(api.app.extensions, EXTENSION, dedicated)

    def restart() -> None:
        servers.append(ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False))
        servers[-1].start()

    return servers[0].stop, restart


def test_storage_down_is_503_and_retry_after_it_returns_is_201(api, tmp_path, request, upload_tmp, monkeypatch):
    log = api.new_log()
    data = jpeg(taken=during_work(log))
    photo_id = str(uuid.uuid4())
    down, up = _storage_outage(api, tmp_path, request, monkeypatch)
    before = api.state()
    down()
    resp = api.put(log["id"], data, photo_id=photo_id)
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert (api.photo_count(), api.rollup()) == before[:2]
    assert list(upload_tmp.iterdir()) == []
    up()
    retry = api.put(log["id"], data, photo_id=photo_id)
    assert retry.status_code == 201, retry.get_json()
    assert api.photo_count() == 1 and len(api.stored_objects()) == 2


def test_failed_commit_removes_the_stored_objects(api, monkeypatch):
    log = api.new_log()
    before = api.state()

    def database_gone(*_args, **_kwargs):
        raise OperationalError("INSERT INTO audit_events", {}, Exception("server closed the connection"))

    monkeypatch.setattr(audit, "record", database_gone)
    resp = api.put(log["id"], jpeg(taken=during_work(log)))
    assert resp.status_code == 503
    assert api.state() == before


@pytest.mark.parametrize("server_terminates_input", [False, True])
def test_a_photo_of_exactly_the_limit_is_accepted(api, server_terminates_input):
    log = api.new_log()
    data = jpeg(taken=during_work(log))
    data += b"\0" * (TEST_MAX_PHOTO_BYTES - len(data))  # padding after the JPEG's end marker
    resp = api.put(log["id"], b"", body=io.BytesIO(data), declared_length=len(data),
                   terminated=server_terminates_input)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["bytes"] == TEST_MAX_PHOTO_BYTES


def test_concurrent_uploads_to_one_log_keep_rows_objects_and_rollup_in_step(api):
    log = api.new_log()
    before_photo, after_photo = jpeg(1, taken=during_work(log)), jpeg(2, taken=during_work(log, 100))
    same_id = str(uuid.uuid4())
    calls = [(before_photo, "before", same_id), (before_photo, "before", same_id), (after_photo, "after", None)]
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []

    def upload(data: bytes, kind: str, photo_id: str | None) -> None:
        client = api.app.test_client()
        barrier.wait()
        photo_id = photo_id or str(uuid.uuid4())
        resp = client.put(f"/api/v1/logs/{log['id']}/photos/{photo_id}?kind={kind}", data=data,
                          headers={**api.cast.headers("crew_a"), "Content-Type": "image/jpeg"})
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=upload, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 201, 201]
    assert api.photo_count() == 2 and api.rollup() == [(2, 1)]
    assert len(api.stored_objects()) == 4


@pytest.mark.parametrize("same_bytes", [True, False])
def test_losing_an_insert_race_keeps_the_winners_objects(api, monkeypatch, same_bytes):
    """As if another request stored the id between our replay check and our insert."""
    log = api.new_log()
    data = jpeg(taken=during_work(log))
    photo_id = str(uuid.uuid4())
    assert api.put(log["id"], data, photo_id=photo_id).status_code == 201
    winner = api.state()
    monkeypatch.setattr(photos, "stored_photo", lambda _photo_id: None)
    resp = api.put(log["id"], data if same_bytes else jpeg(9), photo_id=photo_id)
    assert resp.status_code == (200 if same_bytes else 409), resp.get_json()
    assert api.state() == winner
    assert api.get(f"/api/v1/photos/{photo_id}/thumbnail").status_code == 200


def test_readyz_is_503_while_the_photo_storage_is_down_and_200_after(api, tmp_path, request, monkeypatch):
    down, up = _storage_outage(api, tmp_path, request, monkeypatch)
    assert api.client.get("/readyz").status_code == 200
    down()
    ready = api.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"] == {"database": "ok", "storage": "unavailable"}
    assert "storage" in ready.get_json()["message"]
    up()
    assert api.client.get("/readyz").status_code == 200


def test_storage_going_down_while_the_body_streams_is_503_and_leaves_nothing(api, tmp_path, request, monkeypatch):
    """The phone is still sending when the storage goes away: nothing half-stored, and the retry works."""
    log = api.new_log()
    data = jpeg(taken=during_work(log), size=(1600, 1200))
    photo_id = str(uuid.uuid4())
    down, up = _storage_outage(api, tmp_path, request, monkeypatch)
    before = api.state()
    path = f"/api/v1/logs/{log['id']}/photos/{photo_id}?kind=before"
    head = (f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n"
            f"Authorization: {api.cast.headers('crew_a')['Authorization']}\r\nConnection: close\r\n\r\n")
    with serving(api.app) as url, socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), 30) as sock:
        sock.sendall(head.encode() + data[: len(data) // 2])
        time.sleep(0.3)  # the server is reading the body now
        down()
        sock.sendall(data[len(data) // 2:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
    assert b"Retry-After" in answer
    up()
    assert api.state() == before  # no row, no rollup change, no object
    retry = api.put(log["id"], data, photo_id=photo_id)
    assert retry.status_code == 201, retry.get_json()
    assert api.photo_count() == 1 and len(api.stored_objects()) == 2


def _original_stored(api) -> bool:
    return any(key.startswith("photos/") for key in api.stored_objects())


def test_checks_failing_after_the_original_was_stored_leave_nothing(api, monkeypatch):
    """The original travels to storage while the checks run; when they then refuse the photo,
    the stored original is removed again."""
    log = api.new_log()
    before = api.state()
    seen_stored = []
    real_inspect = photo_checks.inspect

    def refuse_once_stored(*args, **kwargs):
        real_inspect(*args, **kwargs)
        deadline = time.monotonic() + 20
        while not _original_stored(api) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_stored.append(_original_stored(api))
        raise Invalid("The photo file is damaged.", {"body": ["damaged"]})

    monkeypatch.setattr(photo_checks, "inspect", refuse_once_stored)
    resp = api.put(log["id"], jpeg(taken=during_work(log)))
    assert resp.status_code == 422, resp.get_json()
    assert seen_stored == [True]
    assert api.state() == before


def test_thumbnail_write_failing_removes_the_original_too(api, monkeypatch):
    log = api.new_log()
    before = api.state()
    storage = api.storage

    def storage_gone(*_args, **_kwargs):
        raise StorageUnavailable("the storage went away")

    monkeypatch.setattr(storage, "put_bytes", storage_gone)
    resp = api.put(log["id"], jpeg(taken=during_work(log)))
    assert resp.status_code == 503, resp.get_json()
    assert resp.headers.get("Retry-After")
    assert api.state() == before


def test_database_failing_while_the_objects_are_written_removes_them(api, monkeypatch):
    log = api.new_log()
    before = api.state()

    def database_gone(*_args, **_kwargs):
        raise OperationalError("SELECT photos.id", {}, Exception("server closed the connection"))

    monkeypatch.setattr(photo_checks, "assess", database_gone)
    resp = api.put(log["id"], jpeg(taken=during_work(log)))
    assert resp.status_code == 503
    assert api.state() == before


def test_a_big_original_is_written_after_the_checks(api, monkeypatch):
    """Above CONCURRENT_WRITE_MAX_BYTES nothing is written before the checks pass."""
    monkeypatch.setattr(photos, "CONCURRENT_WRITE_MAX_BYTES", 0)
    log = api.new_log()
    before = api.state()
    real_inspect = photo_checks.inspect
    stored_during_checks = []

    def watching(*args, **kwargs):
        stored_during_checks.append(api.stored_objects())
        return real_inspect(*args, **kwargs)

    monkeypatch.setattr(photo_checks, "inspect", watching)
    assert api.put(log["id"], jpeg(taken=during_work(log))[:-3000]).status_code == 422
    assert api.state() == before
    assert api.put(log["id"], jpeg(taken=during_work(log))).status_code == 201
    assert stored_during_checks == [[], []]
    assert api.photo_count() == 1 and len(api.stored_objects()) == 2
