"""Before/after photos: streamed in, checked by content, stored, then committed with their row.

An upload never holds a write transaction or a row lock while bytes arrive or go to storage
(SQLite writers lock the whole file). The order is: check access, spool the body to a temp file while
hashing it, judge its type, then inspect and thumbnail it (one decode) while the original is
already on its way to storage on a second thread, put the thumbnail from memory (while the
photo's flags are read: distance, reuse), then insert the row, the audit event, the rollup
change and the webhook event in one transaction. If the checks,
the storage or that transaction fail, the objects are deleted again: the row and the objects
exist both or neither.

Storage keys are `photos/<log_id>/<photo_id>-<sha256[:16]>` and
`thumbs/<log_id>/<photo_id>-<sha256[:16]>.jpg`: a retry of the same bytes overwrites the same
objects (never two copies), and a racing upload of other bytes under the same id writes other
keys, so the loser can delete its own objects without touching the winner's.
"""
from __future__ import annotations

import io
import logging
import os
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Photo, WorkLog, db
from satgas.auth import can_read_log, ensure_can_add_photo
from satgas.errors import Conflict, NotFound, Unavailable
from satgas.imaging import ImageInfo, phash_bands
from satgas.metrics import PHOTOS_STORED
from satgas.photo_storage import photo_storage
from satgas.principal import Actor
from satgas.services import audit, outbox, photo_checks, rollup
from satgas.services.photo_checks import Assessment, Spooled
from satgas.signals import photo_added
from storage import ObjectNotFound, PhotoStorage, StorageError, StorageUnavailable

log = logging.getLogger(__name__)
THUMBNAIL_MAX_SIDE = 512
# A phone photo travels to storage while it is checked; a bigger original (sent in parts by S3)
# only after the decode, so that the two never add up in a worker's memory.
CONCURRENT_WRITE_MAX_BYTES = 8 * 1024 * 1024
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


def _check(user: Actor, log_id: uuid.UUID, photo_id: uuid.UUID) -> Photo | None:
    """404 / 403 / 409 as in `check_upload`; the photo already stored under the id, if any."""
    target = db.session.get(WorkLog, log_id)
    if target is None or not can_read_log(user, target):
        raise NotFound(f"No work log {log_id} that you can see.")
    ensure_can_add_photo(user, target)
    existing = stored_photo(photo_id)
    if existing is not None and existing.log_id != log_id:
        raise _other_log(photo_id)
    return existing


def check_upload(user: Actor, log_id: uuid.UUID, photo_id: uuid.UUID) -> None:
    """404 for a log the user cannot see, 403 when not the log's crew (or an admin), 409 for a
    photo id already used under another log: all decided before reading the body, and the
    database released (SQLite's write lock included) before the slow part starts."""
    _check(user, log_id, photo_id)
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


# The storage writes run on a few threads kept for the life of the process, not a new thread per
# upload: glibc gives a new thread its own malloc arena, so every fresh thread would grow the
# worker's memory by what its first write allocates (boto3's buffers, the thumbnail's bytes).
_WRITERS_LOCK = threading.Lock()
_writers: tuple[int, ThreadPoolExecutor] | None = None
WRITER_THREADS = 2


def _writer_pool() -> ThreadPoolExecutor:
    """The process's writer threads (made again in a forked child: threads do not survive a fork)."""
    global _writers
    pid = os.getpid()
    with _WRITERS_LOCK:
        if _writers is None or _writers[0] != pid:
            _writers = (pid, ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="satgas-photo-put"))
        return _writers[1]


class _Background:
    """One storage write on a writer thread, so the bytes travel while the photo is checked."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._future: Future | None = _writer_pool().submit(work)

    def result(self) -> None:
        """Wait for the write; raise what it raised (once)."""
        future, self._future = self._future, None
        if future is not None:
            future.result()


def _refusal(exc: StorageError) -> Exception:
    """What the client gets when the storage fails: 503 either way."""
    if isinstance(exc, StorageUnavailable):
        return exc
    log.error("photo storage refused an upload: %s", exc)
    return Unavailable("Photo storage refused the photo; retry later.", headers={"Retry-After": "30"})


def _abandon(storage: PhotoStorage, keys: Keys, *pending: _Background) -> None:
    """After a failure: let the writes end, then remove whatever they stored."""
    for write in pending:
        with suppress(Exception):
            write.result()
    _discard(storage, keys)


def _finish(storage: PhotoStorage, keys: Keys, *pending: _Background) -> None:
    """Wait for the writes; if one failed, remove both objects and raise (503 for the storage)."""
    try:
        for write in pending:
            write.result()
    except BaseException as exc:
        _abandon(storage, keys, *pending)
        if isinstance(exc, StorageError):
            raise _refusal(exc) from exc
        raise


def _checked_and_stored(storage: PhotoStorage, keys: Keys,
                        spooled: Spooled) -> tuple[ImageInfo, tuple[_Background, ...]]:
    """The checks (one decode) while the original goes to storage (a big one: after them, from this
    thread); then the thumbnail's write from memory is started. The writes still under way are
    returned: `_finish` or `_abandon` them.

    When the checks fail, the original's write is waited for and removed: nothing is left behind.
    """
    content_type = photo_checks.content_type(spooled.path)  # 415 before anything is stored

    def put_original() -> None:
        storage.put_file(keys.original, spooled.path, content_type)

    beside = spooled.size <= CONCURRENT_WRITE_MAX_BYTES
    pending: tuple[_Background, ...] = (_Background(put_original),) if beside else ()
    thumbnail = io.BytesIO()
    try:
        info = photo_checks.inspect(spooled.path, thumbnail, THUMBNAIL_MAX_SIDE, content_type)
        data = thumbnail.getvalue()
        pending = (*pending, _Background(lambda: storage.put_bytes(keys.thumbnail, data, "image/jpeg")))
        if not beside:
            put_original()  # in this thread, as its memory is best returned from here
    except StorageError as exc:
        _abandon(storage, keys, *pending)
        raise _refusal(exc) from exc
    except BaseException:
        _abandon(storage, keys, *pending)
        raise
    return info, pending


def _assess(log_id: uuid.UUID, info: ImageInfo, sha256: str) -> Assessment:
    """The photo's flags: reads only (a log's times and geometry never change), so they run
    while the objects are still being written, before the log row is locked."""
    target = db.session.get(WorkLog, log_id)
    if target is None:  # pragma: no cover - only after a concurrent delete
        raise NotFound(f"No work log {log_id} that you can see.")
    return photo_checks.assess(target, info, sha256)


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
    checks: Assessment
    keys: Keys


def _insert(upload: Upload) -> tuple[Photo, bool]:
    """Row, audit event, rollup change and webhook event; the log row is locked so rollup deltas never race.
    Also whether the log is approved: only then does the photo change what the public sees."""
    target = db.session.get(WorkLog, upload.log_id, with_for_update=True, populate_existing=True)
    if target is None:  # pragma: no cover - only after a concurrent delete
        raise NotFound(f"No work log {upload.log_id} that you can see.")
    kinds = list(db.session.scalars(select(Photo.kind).where(Photo.log_id == upload.log_id)))
    info, checks = upload.info, upload.checks
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
    return photo, target.status == "approved"


def _commit(upload: Upload, storage: PhotoStorage) -> tuple[Photo, bool]:
    try:
        photo, public = _insert(upload)
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
    photo_added.send(current_app._get_current_object(), log_id=upload.log_id, photo_id=upload.photo_id,
                     public=public)
    return photo, True


def _after_race(upload: Upload, storage: PhotoStorage) -> Photo:
    winner = db.session.get(Photo, upload.photo_id)
    if winner is None:  # pragma: no cover - an integrity error not about the photo id
        _discard(storage, upload.keys)
        raise Conflict("The photo could not be stored; send it again.")
    if winner.storage_key != upload.keys.original:
        _discard(storage, upload.keys)
    return _replay(winner, upload.log_id, upload.kind, upload.spooled.sha256)


def add_photo(user: Actor, log_id: uuid.UUID, photo_id: uuid.UUID, kind: str,
              spooled: Spooled) -> tuple[Photo, bool]:
    """Store a photo (created=True) or recognise an identical replay (created=False); 409 otherwise."""
    existing = _check(user, log_id, photo_id)
    if existing is not None:
        return _replay(existing, log_id, kind, spooled.sha256), False
    user_id, actor = user.id, user.username
    _end_transaction()
    storage = photo_storage()
    keys = keys_for(log_id, photo_id, spooled.sha256)
    info, pending = _checked_and_stored(storage, keys, spooled)
    try:
        checks = _assess(log_id, info, spooled.sha256)
    except BaseException:
        _end_transaction()
        _abandon(storage, keys, *pending)
        raise
    _finish(storage, keys, *pending)
    upload = Upload(user_id, actor, log_id, photo_id, kind, spooled, info, checks, keys)
    return _commit(upload, storage)


def _readable(user: Actor, photo_id: uuid.UUID) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None or not can_read_log(user, photo.log):
        raise NotFound(f"No photo {photo_id} that you can see.")
    return photo


def stored_file(user: Actor, photo_id: uuid.UUID, variant: Variant) -> StoredFile:
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
