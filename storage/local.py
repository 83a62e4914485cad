"""Photo storage in a directory of the local file system."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from storage.base import (
    DEFAULT_CHUNK_SIZE,
    InvalidKey,
    ObjectNotFound,
    PhotoStorage,
    StorageUnavailable,
    validate_key,
)

_TEMP_PREFIX = ".incoming-"


class LocalStorage(PhotoStorage):
    """Objects are files under `root`; the key is the relative path.

    The content type is not stored: the database row that refers to the key holds it.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        # validate_key already forbids '..'; this also catches symlinks leading out of the root.
        if not path.is_relative_to(self.root):
            raise InvalidKey(f"storage key {key!r} points outside the storage directory")
        return path

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        dest = self._path(key)
        with Path(path).open("rb") as source:
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                _atomic_copy(source, dest)
            except OSError as exc:
                # Disk full, read-only or vanished mount: the client should retry later.
                raise StorageUnavailable(f"could not store {key!r}: {exc}") from exc

    def iter_chunks(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        path = self._path(key)
        try:
            fh = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectNotFound(key) from exc
        return _read_chunks(fh, chunk_size)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_file():
            path.unlink(missing_ok=True)

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return path.stat().st_size

    def signed_url(self, key: str, expires_s: int = 300) -> str | None:
        self._path(key)
        return None

    def ping(self) -> None:
        # os.access() lies for root and on some mounts; creating a file is the real test.
        try:
            with tempfile.TemporaryFile(dir=self.root, prefix=_TEMP_PREFIX):
                pass
        except OSError as exc:
            raise StorageUnavailable(f"photo directory {self.root} is not writable: {exc}") from exc


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
