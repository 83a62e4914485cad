"""The same behaviour, checked on the local directory backend and on S3 (moto over HTTP)."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import (
    BACKENDS,
    InvalidKey,
    LocalStorage,
    ObjectNotFound,
    PhotoStorage,
    S3Storage,
    StorageUnavailable,
    storage_from_url,
    validate_key,
)
from tests.fixtures.storages import new_s3_storage, start_moto

KEY = "logs/42/photo-7.jpg"
BAD_KEYS = [
    "",
    "/etc/passwd",
    "../etc/passwd",
    "logs/../../etc/passwd",
    "logs/..",
    "./photo.jpg",
    "logs//photo.jpg",
    "logs/",
    "logs\\..\\secret",
    "C:\\photo.jpg",
    "photo\x00.jpg",
    "photo jpg",
    "fötö.jpg",
    "a" * 513,
]


def keys(storage: PhotoStorage, prefix: str = "") -> list[str]:
    return [stored.key for stored in storage.list_objects(prefix)]


def test_put_then_read_back_in_chunks(storage: PhotoStorage, photo_file: Path) -> None:
    storage.put_file(KEY, photo_file, "image/jpeg")

    chunks = list(storage.iter_chunks(KEY, chunk_size=64 * 1024))

    assert b"".join(chunks) == photo_file.read_bytes()
    assert max(len(c) for c in chunks) <= 64 * 1024
    [listed] = storage.list_objects()
    assert (listed.key, listed.size) == (KEY, photo_file.stat().st_size)
    assert abs((datetime.now(UTC) - listed.modified_at).total_seconds()) < 60


def test_overwrite_same_key_keeps_one_object(storage: PhotoStorage, photo_file: Path, tmp_path: Path) -> None:
    smaller = tmp_path / "second.bin"
    smaller.write_bytes(b"second version")

    storage.put_file(KEY, photo_file, "image/jpeg")
    storage.put_file(KEY, smaller, "image/png")

    assert [(o.key, o.size) for o in storage.list_objects()] == [(KEY, len(b"second version"))]
    assert b"".join(storage.iter_chunks(KEY)) == b"second version"


def test_list_by_prefix_and_delete(storage: PhotoStorage, tmp_path: Path) -> None:
    src = tmp_path / "small.bin"
    src.write_bytes(b"x" * 10)
    assert keys(storage) == []
    for key in ("logs/42/b.jpg", "logs/42/a.jpg", "logs/420/c.jpg", "thumbs/42/a.jpg"):
        storage.put_file(key, src, "image/jpeg")

    assert keys(storage, "logs/42/") == ["logs/42/a.jpg", "logs/42/b.jpg"]  # a folder, sorted by key
    assert keys(storage, "logs/42") == ["logs/42/a.jpg", "logs/42/b.jpg", "logs/420/c.jpg"]
    assert keys(storage, "nothing/") == []

    storage.delete("logs/42/a.jpg")
    assert keys(storage, "logs/42/") == ["logs/42/b.jpg"]
    storage.delete("logs/42/a.jpg")  # deleting a missing object is fine


def test_missing_object(storage: PhotoStorage) -> None:
    with pytest.raises(ObjectNotFound):
        storage.iter_chunks("logs/1/nothing.jpg")  # raised on the call, before iterating


def test_signed_url(storage: PhotoStorage, storage_backend: str, photo_file: Path) -> None:
    storage.put_file(KEY, photo_file, "image/jpeg")

    url = storage.signed_url(KEY, expires_s=60)

    if storage_backend == "local":
        assert url is None
        return
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == photo_file.read_bytes()
        assert response.headers["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_unsafe_keys_rejected_by_every_method(storage: PhotoStorage, photo_file: Path, key: str) -> None:
    calls = [
        lambda: storage.put_file(key, photo_file, "image/jpeg"),
        lambda: storage.iter_chunks(key),
        lambda: storage.delete(key),
        lambda: storage.signed_url(key),
    ]
    for call in calls:
        with pytest.raises(InvalidKey):
            call()


def test_invalid_key_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        validate_key("../x")
    assert validate_key("a/b-c_d.e/F9") == "a/b-c_d.e/F9"


def test_local_symlink_out_of_root_rejected(tmp_path: Path, photo_file: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    storage = LocalStorage(tmp_path / "root")
    storage.prepare()
    (tmp_path / "root" / "link").symlink_to(outside, target_is_directory=True)

    with pytest.raises(InvalidKey):
        storage.put_file("link/evil.jpg", photo_file, "image/jpeg")
    assert list(outside.iterdir()) == []


def test_local_put_leaves_no_temp_files(tmp_path: Path, photo_file: Path) -> None:
    storage = LocalStorage(tmp_path / "root")
    storage.put_file("a.jpg", photo_file, "image/jpeg")
    storage.put_file("a.jpg", photo_file, "image/jpeg")
    assert [p.name for p in (tmp_path / "root").iterdir()] == ["a.jpg"]


def test_local_prepare_creates_the_folder(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "new" / "photos")
    with pytest.raises(StorageUnavailable):
        storage.ping()  # not prepared yet: `flask init` has not run
    storage.prepare()
    storage.prepare()  # idempotent
    storage.ping()
    assert (tmp_path / "new" / "photos").is_dir() and keys(storage) == []


def test_s3_prepare_creates_the_bucket(moto_url: str) -> None:
    storage = S3Storage(f"fresh-{uuid.uuid4().hex[:12]}", endpoint_url=moto_url)
    with pytest.raises(StorageUnavailable):
        storage.ping()
    storage.prepare()
    storage.prepare()
    storage.ping()
    assert keys(storage) == []


def test_s3_multipart_upload(moto_url: str, tmp_path: Path) -> None:
    from boto3.s3.transfer import TransferConfig

    storage = new_s3_storage(moto_url)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    part = 5 * 1024 * 1024  # the smallest part S3 accepts
    storage.transfer_config = TransferConfig(multipart_threshold=part, multipart_chunksize=part)

    storage.put_file(KEY, big, "image/jpeg")

    url = storage.signed_url(KEY, expires_s=60)
    with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=10) as response:
        assert response.headers["ETag"].strip('"').endswith("-3")  # really uploaded in parts
    assert b"".join(storage.iter_chunks(KEY)) == big.read_bytes()


def test_ping_checks_a_working_storage_and_leaves_nothing(storage: PhotoStorage) -> None:
    storage.ping()
    storage.ping()
    assert keys(storage) == []


def test_every_call_fails_as_unavailable_when_the_backend_is_gone(dead_storage: PhotoStorage,
                                                                   photo_file: Path) -> None:
    with pytest.raises(StorageUnavailable):
        dead_storage.ping()
    with pytest.raises(StorageUnavailable):
        dead_storage.put_file(KEY, photo_file, "image/jpeg")


def test_s3_reads_fail_as_unavailable_when_the_server_is_gone(aws_env: None) -> None:
    server, url = start_moto()
    dead_storage = new_s3_storage(url)
    server.stop()
    with pytest.raises(StorageUnavailable):
        dead_storage.iter_chunks(KEY)
    with pytest.raises(StorageUnavailable):
        list(dead_storage.list_objects())


def test_s3_ping_missing_bucket(moto_url: str) -> None:
    with pytest.raises(StorageUnavailable):
        S3Storage("no-such-bucket-here", endpoint_url=moto_url).ping()


class TestRegistry:
    def test_backends(self) -> None:
        assert set(BACKENDS) == {"file", "s3"}

    def test_file_url(self, tmp_path: Path, photo_file: Path) -> None:
        storage = storage_from_url(f"file://{tmp_path}/photo%20dir")
        assert isinstance(storage, LocalStorage)
        storage.prepare()
        storage.put_file("a.jpg", photo_file, "image/jpeg")
        assert (tmp_path / "photo dir" / "a.jpg").read_bytes() == photo_file.read_bytes()

    @pytest.mark.parametrize("url", ["file://relative/dir", "file:relative/dir", "file://"])
    def test_file_url_must_be_absolute(self, url: str) -> None:
        with pytest.raises(ValueError, match="absolute"):
            storage_from_url(url)

    def test_s3_url(self, aws_env: None) -> None:
        storage = storage_from_url("s3://satgas-photos/prod/v1/", endpoint_url="http://127.0.0.1:9")
        assert isinstance(storage, S3Storage)
        assert (storage.bucket, storage.prefix) == ("satgas-photos", "prod/v1")
        # The endpoint is used: URLs point at it, and the object key carries the prefix.
        assert storage.signed_url("a.jpg").startswith("http://127.0.0.1:9/satgas-photos/prod/v1/a.jpg?")

    def test_s3_url_without_prefix(self, aws_env: None) -> None:
        storage = storage_from_url("s3://satgas-photos")
        assert (storage.bucket, storage.prefix) == ("satgas-photos", "")

    @pytest.mark.parametrize("url", ["s3://", "s3:///prefix-only"])
    def test_s3_url_needs_bucket(self, url: str, aws_env: None) -> None:
        with pytest.raises(ValueError, match="bucket"):
            storage_from_url(url)

    def test_s3_prefix_is_validated(self, aws_env: None) -> None:
        with pytest.raises(InvalidKey):
            storage_from_url("s3://bucket/../other")

    @pytest.mark.parametrize("url", ["ftp://host/dir", "/srv/photos", "gs://bucket"])
    def test_unknown_scheme(self, url: str) -> None:
        with pytest.raises(ValueError, match=r"file://.*s3://"):
            storage_from_url(url)


def test_storage_package_imports_neither_flask_nor_models() -> None:
    code = "import sys, storage; print(sorted(m for m in ('flask', 'models', 'satgas') if m in sys.modules))"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
