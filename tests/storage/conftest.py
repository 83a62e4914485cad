"""Storage backends for the tests: a temp directory, and S3 over HTTP to a real moto server."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from storage import LocalStorage, PhotoStorage, S3Storage

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}


@dataclass
class Backend:
    """A storage under test plus a way to list what it really holds (bypassing the interface)."""

    name: str
    storage: PhotoStorage
    stored_keys: Callable[[], list[str]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto() -> tuple[ThreadedMotoServer, str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def aws_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            mp.delenv(name, raising=False)
        for name, value in AWS_ENV.items():
            mp.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def moto_url(aws_env: None) -> Iterator[str]:
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def s3_storage(moto_url: str) -> S3Storage:
    """A fresh bucket per test, so tests never see each other's objects."""
    storage = S3Storage(f"test-{uuid.uuid4().hex[:20]}", prefix="photos", endpoint_url=moto_url)
    storage.ensure_bucket()
    return storage


def _local_backend(tmp_path: Path) -> Backend:
    storage = LocalStorage(tmp_path / "photos")

    def stored_keys() -> list[str]:
        return sorted(p.relative_to(storage.root).as_posix() for p in storage.root.rglob("*") if p.is_file())

    return Backend("local", storage, stored_keys)


def _s3_backend(storage: S3Storage) -> Backend:
    def stored_keys() -> list[str]:
        listing = storage.client.list_objects_v2(Bucket=storage.bucket)
        return sorted(obj["Key"].removeprefix("photos/") for obj in listing.get("Contents", []))

    return Backend("s3", storage, stored_keys)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        return _local_backend(tmp_path)
    return _s3_backend(request.getfixturevalue("s3_storage"))


@pytest.fixture
def storage(backend: Backend) -> PhotoStorage:
    return backend.storage


@pytest.fixture(params=["local", "s3"])
def dead_storage(request: pytest.FixtureRequest, tmp_path: Path) -> PhotoStorage:
    """A backend that has gone away: its directory removed, or its S3 server stopped."""
    if request.param == "local":
        storage = LocalStorage(tmp_path / "gone")
        storage.root.rmdir()
        (tmp_path / "gone").write_text("a file where the directory was")
        return storage
    return request.getfixturevalue("dead_s3_storage")


@pytest.fixture
def dead_s3_storage(aws_env: None) -> S3Storage:
    """An S3 storage whose own moto server answered once and was then stopped."""
    server, url = start_moto()
    storage = S3Storage("vanishing", endpoint_url=url)
    storage.ensure_bucket()
    storage.ping()
    server.stop()
    return storage


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    """About 3 MiB of incompressible bytes, an odd size so the last chunk is partial."""
    path = tmp_path / "upload.bin"
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 1234))
    return path
