"""Photo tests run on both databases AND both storages: local files, and S3 through boto3 over
real HTTP to a moto server (`app_with_storage`)."""
from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

import pytest
from flask import Flask
from sqlalchemy import func, select

from models import DailyProgress, Photo, db
from satgas.photo_storage import photo_storage
from storage import PhotoStorage
from tests.builders import post_log, upload_photo
from tests.images import during_work, jpeg
from tests.support import Cast


@pytest.fixture
def app(app_with_storage: Flask) -> Flask:
    return app_with_storage


class PhotoApi:
    """The calls a phone and a dashboard make, and what the server holds afterwards."""

    def __init__(self, app: Flask, client, cast: Cast) -> None:
        self.app, self.client, self.cast = app, client, cast

    def new_log(self, who: str = "crew_a", **fields) -> dict:
        """A stored log (see `tests.builders.log_payload` for the fields)."""
        return post_log(self.client, self.cast, who=who, **fields)

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
        if not environ:
            return upload_photo(self.client, self.cast, {"id": log_id}, kind, data, who, photo_id, expect=None,
                                **{"Content-Type": content_type, **(headers or {})})
        return self.client.put(f"/api/v1/logs/{log_id}/photos/{photo_id}?kind={kind}", data=data,
                               headers={**self.cast.headers(who), "Content-Type": content_type, **(headers or {})},
                               environ_overrides=environ)

    def get(self, path: str, who: str = "crew_a", **headers):
        return self.client.get(path, headers={**self.cast.headers(who), **headers})

    @property
    def storage(self) -> PhotoStorage:
        with self.app.app_context():
            return photo_storage()

    def stored_objects(self) -> list[str]:
        return [stored.key for stored in self.storage.list_objects()]

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
def api(app: Flask, client, cast: Cast) -> PhotoApi:
    return PhotoApi(app, client, cast)


@pytest.fixture
def stored(api: PhotoApi):
    """A crew A log in Kauman (Klojen) holding one 'before' photo; returns (log, photo bytes, photo body)."""
    log = api.new_log()
    data = jpeg(taken=during_work(log))
    resp = api.put(log["id"], data)
    assert resp.status_code == 201
    return log, data, resp.get_json()


@pytest.fixture
def upload_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp directory uploads spool into, to check that nothing is left behind."""
    path = tmp_path / "spool"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path
