"""Before/after photos: streamed in, checked by content, stored, then committed with their row.

An upload never holds a database transaction while bytes arrive or go to storage (SQLite
writers lock the whole file). The order is: check access, spool the body to a temp file while
hashing it, inspect and thumbnail it, put both objects in storage, then insert the row, the
audit event, the rollup change and the webhook event in one transaction. If that transaction
fails, the objects are deleted again: the row and the objects exist both or neither.

Storage keys are `photos/<log_id>/<photo_id>-<sha256[:16]>` and
`thumbs/<log_id>/<photo_id>-<sha256[:16]>.jpg`: a retry of the same bytes overwrites the same
objects (never two copies), and a racing upload of other bytes under the same id writes other
keys, so the loser can delete its own objects without touching the winner's.
"""
from __future__ import annotations

import logging
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Photo, User, WorkLog, db
from satgas.auth import can_read_log, ensure_can_add_photo
from satgas.errors import Conflict, NotFound, Unavailable
from satgas.imaging import ImageInfo, phash_bands
from satgas.metrics import PHOTOS_STORED
from satgas.photo_storage import photo_storage
from satgas.services import audit, outbox, photo_checks, rollup
from satgas.services.photo_checks import Spooled
from satgas.signals import photo_added
from storage import ObjectNotFound, PhotoStorage, StorageError, StorageUnavailable

log = logging.getLogger(__name__)
THUMBNAIL_MAX_SIDE = 512
CHUNK_BYTES = 64 * 1024
Variant = Literal["original", "thumbnail"]


@dataclass(frozen=True)
class Keys:
    original: str
    thumbnail: str


@dataclass(frozen=True)
class StoredFile:
    """One stored variant of a photo: what identifies it and where its bytes are."""

    photo_id: uuid.UUID
    key: str
    etag: str
    content_type: str
    size: int | None


def keys_for(log_id: uuid.UUID, photo_id: uuid.UUID, sha256: str) -> Keys:
    tag = f"{photo_id}-{sha256[:16]}"
    return Keys(f"photos/{log_id}/{tag}", f"thumbs/{log_id}/{tag}.jpg")


def _end_transaction() -> None:
    """Release the database (and SQLite's write lock) before slow work on bytes."""
    db.session.rollback()


def check_upload(user: User, log_id: uuid.UUID, photo_id: uuid.UUID) -> None:
    """404 for a log the user cannot see, 403 when not the log's crew (or an admin), 409 for a
    photo id already used under another log: all decided before reading the body, and the
    database released (SQLite's write lock included) before the slow part starts."""
    target = db.session.get(WorkLog, log_id)
    if target is None or not can_read_log(user, target):
        raise NotFound(f"No work log {log_id} that you can see.")
    ensure_can_add_photo(user, target)
    existing = db.session.get(Photo, photo_id)
    if existing is not None and existing.log_id != log_id:
        raise _other_log(photo_id)
    _end_transaction()


def stored_photo(photo_id: uuid.UUID) -> Photo | None:
    return db.session.get(Photo, photo_id)


def _other_log(photo_id: uuid.UUID) -> Conflict:
    return Conflict(f"Photo id {photo_id} is already attached to another log; generate a new id for this photo.")


def _replay(existing: Photo, log_id: uuid.UUID, kind: str, sha256: str) -> Photo:
    """The stored photo for an identical replay; 409 for anything else under the same id."""
    if existing.log_id != log_id:
        raise _other_log(existing.id)
    if existing.sha256 != sha256:
        raise Conflict(f"A different photo is already stored under id {existing.id}; it was not changed. "
                       "Send a new photo under a new id.")
    if existing.kind != kind:
        raise Conflict(f"Photo {existing.id} is stored as kind '{existing.kind}', not '{kind}'; it was not changed.")
    return existing


def _put_objects(storage: PhotoStorage, keys: Keys, original: Path, thumbnail: Path, content_type: str) -> None:
    try:
        storage.put_file(keys.original, original, content_type)
        storage.put_file(keys.thumbnail, thumbnail, "image/jpeg")
    except StorageError as exc:
        _discard(storage, keys)
        if isinstance(exc, StorageUnavailable):
            raise
        log.error("photo storage refused an upload: %s", exc)
        raise Unavailable("Photo storage refused the photo; retry later.", headers={"Retry-After": "30"}) from exc


def _discard(storage: PhotoStorage, keys: Keys) -> None:
    """Best effort: with the storage down, an orphan may stay (a retry overwrites it)."""
    for key in (keys.original, keys.thumbnail):
        try:
            storage.delete(key)
        except StorageError as exc:
            log.warning("could not delete orphaned photo object %s: %s", key, exc)


@dataclass(frozen=True)
class Upload:
    user_id: int
    actor: str
    log_id: uuid.UUID
    photo_id: uuid.UUID
    kind: str
    spooled: Spooled
    info: ImageInfo
    keys: Keys


def _insert(upload: Upload) -> Photo:
    """Row, audit event, rollup change and webhook event; the log row is locked so rollup deltas never race."""
    target = db.session.get(WorkLog, upload.log_id, with_for_update=True, populate_existing=True)
    if target is None:  # pragma: no cover - only after a concurrent delete
        raise NotFound(f"No work log {upload.log_id} that you can see.")
    kinds = list(db.session.scalars(select(Photo.kind).where(Photo.log_id == upload.log_id)))
    checks = photo_checks.assess(target, upload.info, upload.spooled.sha256)
    info = upload.info
    photo = Photo(
        id=upload.photo_id, log_id=upload.log_id, kind=upload.kind, content_type=info.content_type,
        bytes=upload.spooled.size, sha256=upload.spooled.sha256, width=info.width, height=info.height,
        taken_at=info.taken_at, exif_location=checks.exif_location, distance_to_log_m=checks.distance_to_log_m,
        flags=",".join(checks.flags), phash=info.phash, storage_key=upload.keys.original,
        thumbnail_key=upload.keys.thumbnail, public_id=secrets.token_hex(16), uploaded_by_id=upload.user_id,
    )
    photo.phash_b0, photo.phash_b1, photo.phash_b2, photo.phash_b3 = phash_bands(info.phash)
    db.session.add(photo)
    db.session.flush()
    audit.record(upload.log_id, upload.actor, "photo_added",
                 {"photo_id": str(upload.photo_id), "kind": upload.kind, "sha256": upload.spooled.sha256,
                  "flags": checks.flags})
    rollup.apply(rollup.contribution(target, kinds), rollup.contribution(target, [*kinds, upload.kind]))
    outbox.emit("photo.added", "photo", photo, photo.created_at)
    return photo


def _commit(upload: Upload, storage: PhotoStorage) -> tuple[Photo, bool]:
    try:
        photo = _insert(upload)
        db.session.commit()
    except IntegrityError:
        # The same photo id was stored by a concurrent request between our check and insert.
        db.session.rollback()
        return _after_race(upload, storage), False
    except BaseException:
        db.session.rollback()
        _discard(storage, upload.keys)
        raise
    PHOTOS_STORED.inc()
    photo_added.send(current_app._get_current_object(), log_id=upload.log_id, photo_id=upload.photo_id)
    return photo, True


def _after_race(upload: Upload, storage: PhotoStorage) -> Photo:
    winner = db.session.get(Photo, upload.photo_id)
    if winner is None:  # pragma: no cover - an integrity error not about the photo id
        _discard(storage, upload.keys)
        raise Conflict("The photo could not be stored; send it again.")
    if winner.storage_key != upload.keys.original:
        _discard(storage, upload.keys)
    return _replay(winner, upload.log_id, upload.kind, upload.spooled.sha256)


def add_photo(user: User, log_id: uuid.UUID, photo_id: uuid.UUID, kind: str,
              spooled: Spooled) -> tuple[Photo, bool]:
    """Store a photo (created=True) or recognise an identical replay (created=False); 409 otherwise."""
    check_upload(user, log_id, photo_id)
    user_id, actor = user.id, user.username
    existing = stored_photo(photo_id)
    if existing is not None:
        return _replay(existing, log_id, kind, spooled.sha256), False
    _end_transaction()
    storage = photo_storage()
    with tempfile.TemporaryDirectory(prefix="satgas-thumb-") as tmp:
        thumbnail = Path(tmp) / "thumbnail.jpg"
        info = photo_checks.inspect(spooled.path, thumbnail, THUMBNAIL_MAX_SIDE)
        keys = keys_for(log_id, photo_id, spooled.sha256)
        _put_objects(storage, keys, spooled.path, thumbnail, info.content_type)
    upload = Upload(user_id, actor, log_id, photo_id, kind, spooled, info, keys)
    return _commit(upload, storage)


def _readable(user: User, photo_id: uuid.UUID) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None or not can_read_log(user, photo.log):
        raise NotFound(f"No photo {photo_id} that you can see.")
    return photo


def stored_file(user: User, photo_id: uuid.UUID, variant: Variant) -> StoredFile:
    """The original or the thumbnail of a photo the user may see (404 otherwise)."""
    photo = _readable(user, photo_id)
    if variant == "original":
        return StoredFile(photo.id, photo.storage_key, photo.sha256, photo.content_type, photo.bytes)
    return StoredFile(photo.id, photo.thumbnail_key, f"{photo.sha256}-thumb", "image/jpeg", None)


def signed_url(found: StoredFile, ttl_s: int) -> str | None:
    """A short-lived URL serving the bytes straight from storage, where the storage has one."""
    with suppress(StorageError):
        return photo_storage().signed_url(found.key, ttl_s)
    return None


def open_chunks(found: StoredFile) -> Iterator[bytes]:
    """The bytes, streamed; 404 when the row has lost its object (logged: it should not happen)."""
    try:
        return photo_storage().iter_chunks(found.key, CHUNK_BYTES)
    except ObjectNotFound:
        log.error("photo %s has a row but no stored object %s", found.photo_id, found.key)
        raise NotFound(f"The file of photo {found.photo_id} is missing from storage; upload it again.") from None
