"""The photo storage interface shared by every backend, its errors and key validation."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

MAX_KEY_LENGTH = 512
DEFAULT_CHUNK_SIZE = 64 * 1024
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


class StorageError(Exception):
    """Any failure of the photo storage."""


class StorageUnavailable(StorageError):
    """The backend does not answer (the API answers 503)."""


class ObjectNotFound(StorageError):
    """No object is stored under the key."""


class InvalidKey(StorageError, ValueError):
    """The key is not a safe relative object name."""


def validate_key(key: str) -> str:
    """Return `key` unchanged if it is a safe relative key, else raise InvalidKey.

    A key is one or more `/`-separated segments of `[A-Za-z0-9._-]`; this alone makes
    absolute paths, backslashes, NUL bytes and `..` traversal impossible on every backend.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKey("storage key must be a non-empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"storage key is longer than {MAX_KEY_LENGTH} characters")
    if key.startswith("/"):
        raise InvalidKey(f"storage key must be relative, got {key!r}")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidKey(f"storage key has an empty, '.' or '..' segment: {key!r}")
        if not _SEGMENT.fullmatch(segment):
            raise InvalidKey(f"storage key may only use A-Z a-z 0-9 . _ - and '/': {key!r}")
    return key


@dataclass(frozen=True)
class StoredObject:
    """One object as listed: its key, size and last modification (UTC)."""

    key: str
    size: int
    modified_at: datetime


class PhotoStorage(ABC):
    """Where photo bytes live: what the app uses, nothing more. Every key is checked by `validate_key`."""

    @abstractmethod
    def prepare(self) -> None:
        """Create what the backend needs (the folder, the bucket); idempotent (`flask init`)."""

    @abstractmethod
    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Store the file at `path` under `key`, streaming it; replaces an existing object."""

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` (small: a thumbnail) under `key` in one write; replaces an existing object."""

    @abstractmethod
    def iter_chunks(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        """Stream the object back.

        Raises ObjectNotFound when called (not on first iteration), so a caller can
        answer 404 before it starts a streamed response.
        """

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; a missing object is not an error."""

    @abstractmethod
    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        """Every object whose key starts with `prefix` (a key or a folder ending in '/'), by key."""

    @abstractmethod
    def signed_url(self, key: str, expires_s: int = 300) -> str | None:
        """A short-lived URL serving the object directly, or None if the backend has none."""

    @abstractmethod
    def ping(self) -> None:
        """Raise StorageUnavailable unless the backend answers and accepts writes."""
