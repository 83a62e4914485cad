"""Two gunicorn servers sharing only PostGIS and one S3 bucket (a moto server): a resumable upload
started on one goes on on the other — its parts live in S3, its state in the database."""
from __future__ import annotations

import hashlib
import io
import uuid

import pytest
import requests
from tusclient.client import TusClient

from storage import S3Storage
from tests.builders import log_payload
from tests.images import during_work, padded_jpeg
from tests.servers import Gunicorn
from tests.support import login_headers

MIB = 1024 * 1024
CHUNK = 256 * 1024


@pytest.fixture(scope="module")
def s3_servers(cluster, pg_app, moto_url):
    bucket = f"shared-{uuid.uuid4().hex[:12]}"
    storage = S3Storage(bucket, prefix="photos", endpoint_url=moto_url)
    storage.prepare()
    env = {"DATABASE_URL": cluster.url, "SECRET_KEY": "test-secret", "STORAGE_URL": f"s3://{bucket}/photos",
           "S3_ENDPOINT_URL": moto_url}
    servers = []
    try:
        servers = [Gunicorn(env, workers=2), Gunicorn(env, workers=2)]
        yield servers, storage
    finally:
        for server in servers:
            server.stop()


def test_upload_started_on_one_server_finishes_on_the_other(s3_servers, pg_app):
    (a, b), storage = s3_servers
    headers = login_headers(pg_app.test_client(), "crew_h")
    log = log_payload()
    assert requests.post(a.url + "/api/v1/logs", json=log, headers=headers).status_code == 201
    data = padded_jpeg(MIB, taken=during_work(log))
    meta = {"log_id": log["id"], "photo_id": str(uuid.uuid4()), "kind": "before"}

    on_a = TusClient(a.url + "/api/v1/uploads", headers=headers).uploader(
        file_stream=io.BytesIO(data), chunk_size=CHUNK, metadata=meta)
    on_a.upload_chunk()  # POST and the first PATCH go to server A
    assert on_a.offset == CHUNK and on_a.url.startswith(a.url)
    assert [part.size for part in storage.list_objects("uploads/")] == [CHUNK]  # in S3, not on A's disk

    on_b = TusClient(b.url + "/api/v1/uploads", headers=headers).uploader(
        file_stream=io.BytesIO(data), chunk_size=CHUNK, url=on_a.url.replace(a.url, b.url))
    assert on_b.offset == CHUNK  # B's HEAD knows what A stored
    on_b.upload()  # the rest, and the photo's checks, on server B

    photos = requests.get(f"{a.url}/api/v1/logs/{log['id']}", headers=headers).json()["photos"]
    assert [p["sha256"] for p in photos] == [hashlib.sha256(data).hexdigest()]
    original = requests.get(f"{a.url}/api/v1/photos/{photos[0]['id']}", headers=headers)  # via a signed S3 URL
    assert hashlib.sha256(original.content).hexdigest() == photos[0]["sha256"]
    assert list(storage.list_objects("uploads/")) == []
