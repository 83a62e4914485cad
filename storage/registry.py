"""Pick the photo storage backend from a STORAGE_URL such as `file:///srv/photos` or `s3://bucket/prefix`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from storage.base import PhotoStorage
from storage.local import LocalStorage
from storage.s3 import S3Storage

Factory = Callable[[SplitResult, "str | None"], PhotoStorage]


def _local(url: SplitResult, endpoint_url: str | None) -> PhotoStorage:
    # file://relative/dir would silently make "relative" a host name; demand an absolute path.
    if url.netloc not in ("", "localhost") or not url.path.startswith("/"):
        raise ValueError(
            f"file storage URL needs an absolute directory, like file:///srv/satgas/photos "
            f"(three slashes), got {url.geturl()!r}"
        )
    return LocalStorage(Path(unquote(url.path)))


def _s3(url: SplitResult, endpoint_url: str | None) -> PhotoStorage:
    if not url.netloc:
        raise ValueError(f"S3 storage URL needs a bucket, like s3://bucket/prefix, got {url.geturl()!r}")
    return S3Storage(url.netloc, prefix=unquote(url.path).strip("/"), endpoint_url=endpoint_url)


BACKENDS: dict[str, Factory] = {"file": _local, "s3": _s3}


def storage_from_url(url: str, endpoint_url: str | None = None) -> PhotoStorage:
    """Build the backend named by `url`; `endpoint_url` points S3 at MinIO or similar."""
    parts = urlsplit(url)
    factory = BACKENDS.get(parts.scheme)
    if factory is None:
        accepted = ", ".join(f"{scheme}://" for scheme in BACKENDS)
        raise ValueError(f"unknown storage URL {url!r}: the scheme must be one of {accepted}")
    if parts.query or parts.fragment:
        raise ValueError(f"storage URL {url!r} must not have a query string or fragment")
    return factory(parts, endpoint_url)
