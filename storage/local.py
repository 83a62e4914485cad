"""Photo storage in a directory of the local file system."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from storage.base import (
    DEFAULT_CHUNK_SIZE,
    InvalidKey,
    ObjectNotFound,
    PhotoStorage,
    StorageUnavailable,
    StoredObject,
    validate_key,
)

_TEMP_PREFIX = ".incoming-"


class LocalStorage(PhotoStorage):
    """Objects are files under `root`; the key is the relative path.

    The content type is not stored: the database row that refers to the key holds it.
    """

    def __init__(self, root: Path | str) -> None:
        self._root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self._root)!r})"

    def _path(self, key: str) -> Path:
        path = (self._root / validate_key(key)).resolve()
        # validate_key already forbids '..'; this also catches symlinks leading out of the root.
        if not path.is_relative_to(self._root):
            raise InvalidKey(f"storage key {key!r} points outside the storage directory")
        return path

    def prepare(self) -> None:
        try:
            self._root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot create the photo directory {self._root}: {exc}") from exc

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        dest = self._path(key)
        with Path(path).open("rb") as source:
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                _atomic_copy(source, dest)
            except OSError as exc:
                # Disk full, read-only or vanished mount: the client should retry later.
                raise StorageUnavailable(f"could not store {key!r}: {exc}") from exc

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        dest = self._path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            _atomic_copy(io.BytesIO(data), dest)
        except OSError as exc:
            raise StorageUnavailable(f"could not store {key!r}: {exc}") from exc

    def iter_chunks(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        path = self._path(key)
        try:
            fh = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectNotFound(key) from exc
        return _read_chunks(fh, chunk_size)

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_file():
            path.unlink(missing_ok=True)

    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        folder = prefix.rpartition("/")[0]
        start = self._path(folder) if folder else self._root
        if not start.is_dir():
            return
        found = []
        for path in start.rglob("*"):
            key = path.relative_to(self._root).as_posix()
            if path.is_file() and key.startswith(prefix) and not path.name.startswith(_TEMP_PREFIX):
                stat = path.stat()
                found.append(StoredObject(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
        yield from sorted(found, key=lambda obj: obj.key)

    def signed_url(self, key: str, expires_s: int = 300) -> str | None:
        self._path(key)
        return None

    def ping(self) -> None:
        # os.access() lies for root and on some mounts; creating a file is the real test.
        try:
            with tempfile.TemporaryFile(dir=self._root, prefix=_TEMP_PREFIX):
                pass
        except OSError as exc:
            raise StorageUnavailable(f"photo directory {self._root} is not writable: {exc}") from exc


def _read_chunks(fh: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(chunk_size):
            yield chunk


def _atomic_copy(source: BinaryIO, dest: Path) -> None:
    """Copy via a temp file in the destination directory, so readers never see half a file."""
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=_TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as tmp:
            shutil.copyfileobj(source, tmp, DEFAULT_CHUNK_SIZE * 16)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable; not possible on every platform, hence best effort."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
