"""Resumable uploads (tus) on both databases AND both storages, against a real HTTP server, with
`tuspy` — a tus client this project did not write — and plain `requests` for the raw protocol."""
from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from tusclient.client import TusClient

from satgas.photo_storage import photo_storage
from satgas.services.uploads import PART_PREFIX
from tests.builders import post_log
from tests.servers import serving
from tests.support import Cast

MIB = 1024 * 1024
CHUNK = 256 * 1024
MAX_BYTES = 4 * MIB
OFFSET_STREAM = "application/offset+octet-stream"


@pytest.fixture
def app(app_with_storage: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The storage app, taking photos up to 4 MiB (the shared test limit is 256 KiB)."""
    monkeypatch.setitem(app_with_storage.config, "MAX_PHOTO_BYTES", MAX_BYTES)
    return app_with_storage


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


def metadata_header(pairs: dict[str, str]) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items())


class Tus:
    """The requests a tus client makes, and what the server holds afterwards."""

    def __init__(self, app: Flask, base: str, client, cast: Cast) -> None:
        self.app, self.base, self.client, self.cast = app, base, client, cast
        self.endpoint = base + "/api/v1/uploads"

    def new_log(self, who: str = "crew_a", **fields) -> dict:
        return post_log(self.client, self.cast, who=who, **fields)

    def headers(self, who: str | None = "crew_a", **extra: str) -> dict[str, str]:
        return {"Tus-Resumable": "1.0.0", **(self.cast.headers(who) if who else {}), **extra}

    def create(self, log_id: str, length: int, photo_id: str | None = None, kind: str = "before",
               who: str | None = "crew_a", **extra: str) -> requests.Response:
        meta = metadata_header({"log_id": log_id, "photo_id": photo_id or str(uuid.uuid4()), "kind": kind})
        return requests.post(self.endpoint, headers=self.headers(who, **{"Upload-Length": str(length),
                                                                         "Upload-Metadata": meta, **extra}))

    def location(self, log_id: str, length: int, **kwargs) -> str:
        created = self.create(log_id, length, **kwargs)
        assert created.status_code == 201, created.text
        return self.base + created.headers["Location"]

    def head(self, url: str, who: str | None = "crew_a") -> requests.Response:
        return requests.head(url, headers=self.headers(who))

    def patch(self, url: str, offset: int, data: bytes, who: str | None = "crew_a",
              content_type: str = OFFSET_STREAM) -> requests.Response:
        return requests.patch(url, data=data, headers=self.headers(
            who, **{"Upload-Offset": str(offset), "Content-Type": content_type}))

    def tuspy(self, base: str | None = None, who: str = "crew_a") -> TusClient:
        return TusClient((base or self.base) + "/api/v1/uploads", headers=self.cast.headers(who))

    def uploader(self, data_stream, log_id: str, photo_id: str | None = None, kind: str = "before",
                 base: str | None = None, **kwargs):
        meta = {"log_id": log_id, "photo_id": photo_id or str(uuid.uuid4()), "kind": kind}
        return self.tuspy(base).uploader(file_stream=data_stream, chunk_size=CHUNK, metadata=meta, **kwargs)

    def photos(self, log_id: str) -> list[dict]:
        return self.client.get(f"/api/v1/logs/{log_id}", headers=self.cast.headers("crew_a")).get_json()["photos"]

    def downloaded_sha256(self, photo_id: str) -> str:
        """The stored original, fetched as a client would (S3: through the signed URL)."""
        resp = requests.get(f"{self.base}/api/v1/photos/{photo_id}", headers=self.cast.headers("crew_a"))
        assert resp.status_code == 200
        return hashlib.sha256(resp.content).hexdigest()

    def stored(self, prefix: str = "") -> list[str]:
        with self.app.app_context():
            return [stored.key for stored in photo_storage().list_objects(prefix)]

    def parts(self) -> list[str]:
        return self.stored(PART_PREFIX)


@pytest.fixture
def tus(app: Flask, live: str, client, cast: Cast) -> Tus:
    return Tus(app, live, client, cast)
