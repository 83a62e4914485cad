"""Photo storage in an S3 bucket (AWS, MinIO, Ceph... anything boto3 talks to)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from storage.base import (
    DEFAULT_CHUNK_SIZE,
    ObjectNotFound,
    PhotoStorage,
    StorageError,
    StorageUnavailable,
    StoredObject,
    validate_key,
)

MIB = 1024 * 1024
CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"max_attempts": 2},
    signature_version="s3v4",
)
# upload_file streams from disk in parts of this size: memory stays bounded by the part size.
TRANSFER_CONFIG = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB)
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
# Connection failures (refused, DNS, timeouts, dropped connections) all mean "backend down".
_UNREACHABLE = (BotoConnectionError, HTTPClientError)


class S3Storage(PhotoStorage):
    """Objects are stored under `prefix/key` in `bucket`."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise ValueError("S3 bucket name is empty")
        self.bucket = bucket
        self.prefix = validate_key(prefix.strip("/")) if prefix.strip("/") else ""
        self._client = client or boto3.client("s3", endpoint_url=endpoint_url, config=CLIENT_CONFIG)
        self.transfer_config = TRANSFER_CONFIG

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """One PutObject streamed from the file below the multipart threshold (a phone photo);
        above it, boto3's transfer manager in parts (memory bounded by the part size)."""
        s3_key = self._key(key)
        with _translated(key):
            if Path(path).stat().st_size < self.transfer_config.multipart_threshold:
                with Path(path).open("rb") as body:
                    self._client.put_object(Bucket=self.bucket, Key=s3_key, Body=body, ContentType=content_type)
                return
            self._client.upload_file(
                str(path),
                self.bucket,
                s3_key,
                ExtraArgs={"ContentType": content_type},
                Config=self.transfer_config,
            )

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        s3_key = self._key(key)
        with _translated(key):
            self._client.put_object(Bucket=self.bucket, Key=s3_key, Body=data, ContentType=content_type)

    def iter_chunks(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        s3_key = self._key(key)
        with _translated(key):
            body = self._client.get_object(Bucket=self.bucket, Key=s3_key)["Body"]
        return _stream(body, key, chunk_size)

    def delete(self, key: str) -> None:
        s3_key = self._key(key)
        with _translated(key):
            self._client.delete_object(Bucket=self.bucket, Key=s3_key)

    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        full_prefix = f"{self.prefix}/{prefix}" if self.prefix else prefix
        paginator = self._client.get_paginator("list_objects_v2")
        with _translated(prefix or self.bucket):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
                for item in page.get("Contents", []):
                    key = item["Key"].removeprefix(f"{self.prefix}/") if self.prefix else item["Key"]
                    yield StoredObject(key, int(item["Size"]), item["LastModified"])

    def signed_url(self, key: str, expires_s: int = 300) -> str | None:
        s3_key = self._key(key)
        with _translated(key):
            return self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": s3_key},
                ExpiresIn=expires_s,
            )

    def ping(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise StorageUnavailable(f"S3 bucket {self.bucket!r} does not answer: {exc}") from exc

    def prepare(self) -> None:
        """Create the bucket if it does not exist yet."""
        region = self._client.meta.region_name
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            with _translated(self.bucket):
                self._client.create_bucket(**kwargs)
        except StorageError as exc:
            if _error_code(exc.__cause__) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise



def _stream(body: Any, key: str, chunk_size: int) -> Iterator[bytes]:
    with body, _translated(key):
        yield from body.iter_chunks(chunk_size)


def _error_code(exc: BaseException | None) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


@contextmanager
def _translated(key: str) -> Iterator[None]:
    """Turn boto errors into the storage errors the API knows how to answer."""
    try:
        yield
    except _UNREACHABLE as exc:
        raise StorageUnavailable(f"S3 does not answer: {exc}") from exc
    except ClientError as exc:
        if _error_code(exc) == "NoSuchBucket":
            raise StorageUnavailable(f"S3 bucket is missing: {exc}") from exc
        if _error_code(exc) in _NOT_FOUND or _status(exc) == 404:
            raise ObjectNotFound(key) from exc
        if _status(exc) >= 500:
            raise StorageUnavailable(f"S3 failed: {exc}") from exc
        raise StorageError(f"S3 refused {key!r}: {exc}") from exc
    except S3UploadFailedError as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, ClientError) and _status(cause) >= 500:
            raise StorageUnavailable(f"S3 upload failed: {exc}") from exc
        raise StorageError(f"S3 upload of {key!r} failed: {exc}") from exc
    except BotoCoreError as exc:
        raise StorageError(f"S3 client error for {key!r}: {exc}") from exc
