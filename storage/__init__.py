"""Photo storage backends behind one interface; imports neither Flask nor the models."""

from storage.base import (
    InvalidKey,
    ObjectNotFound,
    PhotoStorage,
    StorageError,
    StorageUnavailable,
    StoredObject,
    validate_key,
)
from storage.local import LocalStorage
from storage.registry import BACKENDS, storage_from_url
from storage.s3 import S3Storage

__all__ = [
    "BACKENDS",
    "InvalidKey",
    "LocalStorage",
    "ObjectNotFound",
    "PhotoStorage",
    "S3Storage",
    "StorageError",
    "StorageUnavailable",
    "StoredObject",
    "storage_from_url",
    "validate_key",
]
