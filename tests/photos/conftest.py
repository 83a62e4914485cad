"""Photo tests run on both databases AND both storages: local files, and S3 through boto3 over
real HTTP to a moto server. Each (database, storage) pair gets its own app on the same database
as the main fixtures, so the standard cast and its tokens work unchanged."""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from flask import Flask
from sqlalchemy import func, select

from models import DailyProgress, Photo, db
from storage import LocalStorage, PhotoStorage, S3Storage
from tests.photos.helpers import during_work, jpeg
from tests.storage.conftest import aws_env, moto_url  # noqa: F401 - fixtures reused from the storage tests
from tests.support import log_payload, make_app, reset_data

STORAGES = ["local", "s3"]
# Small, so a 413 needs no big body; every test photo is far below it.
TEST_MAX_PHOTO_BYTES = 256 * 1024


@pytest.fixture(scope="session", params=STORAGES)
def storage_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def _photo_apps(_apps, request: pytest.FixtureRequest, tmp_path_factory) -> Callable[[str, str], Flask]:
    built: dict[tuple[str, str], Flask] = {}

    def get(backend: str, storage_kind: str) -> Flask:
        if (backend, storage_kind) not in built:
            main_app, _cast = _apps(backend)  # creates the schema, reference data and users
            database_url = main_app.config["SQLALCHEMY_DATABASE_URI"]
            overrides = {"MAX_PHOTO_BYTES": TEST_MAX_PHOTO_BYTES}
            if storage_kind == "local":
                storage_url = f"file://{tmp_path_factory.mktemp(f'photo-files-{backend}')}"
            else:
                storage_url = f"s3://satgas-{backend}-{uuid.uuid4().hex[:8]}/photos"
                overrides["S3_ENDPOINT_URL"] = request.getfixturevalue("moto_url")
            app = make_app(database_url, storage_url, **overrides)
            if isinstance(app.extensions["photo_storage"], S3Storage):
                app.extensions["photo_storage"].ensure_bucket()
            built[(backend, storage_kind)] = app
        return built[(backend, storage_kind)]

    return get


@pytest.fixture
def app(backend: str, storage_kind: str, _photo_apps) -> Flask:
    app = _photo_apps(backend, storage_kind)
    storage = app.extensions["photo_storage"]
    yield app
    app.extensions["photo_storage"] = storage
    reset_data(app)
    clear_storage(storage)


def stored_keys(storage: PhotoStorage) -> list[str]:
    """What the storage really holds, listed around the interface."""
    if isinstance(storage, LocalStorage):
        return sorted(p.relative_to(storage.root).as_posix() for p in storage.root.rglob("*") if p.is_file())
    assert isinstance(storage, S3Storage)
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return sorted(obj["Key"].removeprefix(f"{storage.prefix}/") for obj in listing.get("Contents", []))


def clear_storage(storage: PhotoStorage) -> None:
    if isinstance(storage, LocalStorage):
        for child in storage.root.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        return
    for key in stored_keys(storage):
        storage.delete(key)


class PhotoApi:
    """The calls a phone and a dashboard make, and what the server holds afterwards."""

    def __init__(self, app: Flask, client, cast) -> None:
        self.app, self.client, self.cast = app, client, cast

    def new_log(self, who: str = "crew_a", **overrides) -> dict:
        payload = log_payload(**overrides)
        resp = self.client.post("/api/v1/logs", json=payload, headers=self.cast.headers(who))
        assert resp.status_code == 201, resp.get_json()
        return payload

    def put(self, log_id: str, data: bytes, kind: str = "before", photo_id: str | None = None,
            who: str = "crew_a", content_type: str = "image/jpeg", headers: dict | None = None,
            body: BinaryIO | None = None, declared_length: int | None = None, terminated: bool = False):
        """PUT the bytes; or `body`, a raw input stream that may lie about its `declared_length`
        (none: chunked), handed over as is (`terminated`, like gunicorn) or length-limited."""
        photo_id = photo_id or str(uuid.uuid4())
        environ = {}
        if body is not None:
            environ["wsgi.input"] = body
            if declared_length is None:
                environ["HTTP_TRANSFER_ENCODING"] = "chunked"
            else:
                environ["CONTENT_LENGTH"] = str(declared_length)
        if terminated:
            environ["wsgi.input_terminated"] = True
        headers = {**self.cast.headers(who), "Content-Type": content_type, **(headers or {})}
        return self.client.put(f"/api/v1/logs/{log_id}/photos/{photo_id}?kind={kind}", data=data, headers=headers,
                               environ_overrides=environ)

    def get(self, path: str, who: str = "crew_a", **headers):
        return self.client.get(path, headers={**self.cast.headers(who), **headers})

    @property
    def storage(self) -> PhotoStorage:
        return self.app.extensions["photo_storage"]

    def stored_objects(self) -> list[str]:
        return stored_keys(self.storage)

    def photo_count(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Photo))

    def rollup(self) -> list[tuple[int, int]]:
        """(photos, complete) of every daily_progress row."""
        with self.app.app_context():
            rows = db.session.execute(select(DailyProgress.photos, DailyProgress.complete)
                                      .order_by(DailyProgress.kelurahan_code, DailyProgress.work_date))
            return [tuple(row) for row in rows]

    def state(self) -> tuple:
        """Everything an upload may change: rows, rollup, objects."""
        return self.photo_count(), self.rollup(), self.stored_objects()


@pytest.fixture
def api(app: Flask, client, cast) -> PhotoApi:
    return PhotoApi(app, client, cast)


@pytest.fixture
def stored(api):
    """A crew A log in Kauman (Klojen) holding one 'before' photo; returns (log, photo bytes, photo body)."""
    log = api.new_log()
    data = jpeg(taken=during_work(log))
    resp = api.put(log["id"], data)
    assert resp.status_code == 201
    return log, data, resp.get_json()


@pytest.fixture
def upload_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp directory uploads spool into, to check that nothing is left behind."""
    import tempfile

    path = tmp_path / "spool"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path
