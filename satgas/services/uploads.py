"""Resumable photo uploads (tus): the rules. The protocol itself is in `api/uploads.py`.

An upload is a row (owner, the log/photo/kind it is for, length, offset) plus the parts
received so far. Each part is an object in the photo storage — never on one app server's
disk — so any server behind the load balancer may take the next PATCH. Part keys are flat,
`uploads/<upload id>.<start offset>.<random>`, so a local folder keeps no empty directory per
upload once the parts are gone.

- Offsets only move forward, through a conditional UPDATE (`… WHERE upload_offset = <expected>`):
  of two PATCHes at the same offset (a retry racing a cut-off request that is still being
  stored) one wins, the other answers 409 and deletes its own part. No transaction is held
  while bytes arrive (SQLite writers lock the whole file).
- The last bytes are not stored as a part: the stored parts are streamed into one temp file
  (hashed on the way), the last bytes appended, and the file goes through `photos.add_photo`,
  the very same rules as a PUT. The upload is complete (offset = length) only once the photo
  is attached. A photo those rules refuse (4xx) ends the upload and deletes its parts; an
  outage (503) leaves it as it was, so the client simply retries its last PATCH.
- `expire()` (`flask uploads expire`, run daily) removes uploads older than UPLOAD_TTL with
  their parts, and part objects no row refers to (left by a crash or a storage outage).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update

from models import Upload, UploadPart, db, utcnow
from satgas.errors import BadRequest, Conflict, DomainError, NotFound, PayloadTooLarge, Unavailable
from satgas.photo_storage import photo_storage
from satgas.principal import Actor
from satgas.services import photos
from satgas.services.photo_checks import Spooled
from storage import ObjectNotFound, StorageError, StorageUnavailable

log = logging.getLogger(__name__)
UPLOAD_TTL = timedelta(hours=24)
# A part object is written just before its row is committed; one this old without a row is an orphan.
ORPHAN_GRACE = timedelta(hours=1)
PART_PREFIX = "uploads/"
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadState:
    id: uuid.UUID
    log_id: uuid.UUID
    photo_id: uuid.UUID
    kind: str
    length: int
    offset: int
    metadata: str

    @property
    def remaining(self) -> int:
        return self.length - self.offset


@dataclass(frozen=True)
class Expired:
    uploads: int
    parts: int
    orphans: int


def _state(row: Upload) -> UploadState:
    return UploadState(row.id, row.log_id, row.photo_id, row.kind, row.length, row.upload_offset,
                       row.upload_metadata)


def _end_transaction() -> None:
    db.session.rollback()


def create(user: Actor, log_id: uuid.UUID, photo_id: uuid.UUID, kind: str, length: int, metadata: str,
           max_bytes: int) -> UploadState:
    """A new upload of `length` bytes for a photo the user may add to the log (403/404/409 as for PUT)."""
    if length > max_bytes:
        raise PayloadTooLarge(f"Upload-Length {length} is larger than the limit of {max_bytes} bytes; "
                              "send a smaller photo.")
    if length == 0:
        raise BadRequest("Upload-Length is 0: send the photo's size in bytes.")
    photos.check_upload(user, log_id, photo_id)
    row = Upload(id=uuid.uuid4(), user_id=user.id, log_id=log_id, photo_id=photo_id, kind=kind, length=length,
                 upload_offset=0, upload_metadata=metadata)
    db.session.add(row)
    db.session.commit()
    return _state(row)


def _owned(user: Actor, upload_id: uuid.UUID) -> Upload:
    row = db.session.get(Upload, upload_id)
    if row is None or row.user_id != user.id or row.created_at < utcnow() - UPLOAD_TTL:
        raise NotFound(f"No upload {upload_id} of yours: it failed, expired after "
                       f"{UPLOAD_TTL.total_seconds() / 3600:.0f} hours or never existed; create a new one.")
    return row


def status(user: Actor, upload_id: uuid.UUID) -> UploadState:
    """The upload's offset and length (404 unless it is the user's own and still open or complete)."""
    state = _state(_owned(user, upload_id))
    _end_transaction()
    return state


def check_patch(user: Actor, upload_id: uuid.UUID, offset: int) -> UploadState:
    """Everything decided before reading a byte: 404 not yours, 409 a wrong offset, and 403/404/409
    as a PUT of the photo would answer now."""
    row = _owned(user, upload_id)
    if offset != row.upload_offset:
        raise Conflict(f"Upload-Offset {offset} is not where this upload stands ({row.upload_offset} bytes "
                       "received); ask with HEAD and resume from there.")
    state, complete = _state(row), row.completed_at is not None
    if complete:
        _end_transaction()
    else:
        photos.check_upload(user, state.log_id, state.photo_id)
    return state


def append(user: Actor, state: UploadState, received: Spooled) -> int:
    """Keep the bytes that arrived at `state.offset` (all of them, or as many as came before the
    connection broke); the last ones attach the photo. Returns the new offset."""
    if received.size == 0:
        return state.offset
    end = state.offset + received.size
    if end == state.length:
        _finish(user, state, received)
        return end
    key = f"{PART_PREFIX}{state.id}.{state.offset:012d}.{secrets.token_hex(4)}"
    _put_part(key, received.path)
    try:
        _commit_part(state, received.size, key)
    except BaseException:
        _delete_objects([key])
        raise
    return end


def _put_part(key: str, path: Path) -> None:
    try:
        photo_storage().put_file(key, path, "application/octet-stream")
    except StorageUnavailable:
        raise
    except StorageError as exc:
        log.error("photo storage refused an upload part: %s", exc)
        raise Unavailable("Photo storage refused the bytes; retry later.", headers={"Retry-After": "30"}) from exc


def _commit_part(state: UploadState, size: int, key: str) -> None:
    moved = db.session.execute(
        update(Upload)
        .where(Upload.id == state.id, Upload.upload_offset == state.offset, Upload.completed_at.is_(None))
        .values(upload_offset=Upload.upload_offset + size)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict("Another request stored bytes of this upload at the same offset first; "
                       "ask with HEAD and resume from there.")
    db.session.add(UploadPart(upload_id=state.id, start=state.offset, size=size, storage_key=key))
    db.session.commit()


def _finish(user: Actor, state: UploadState, last: Spooled) -> None:
    """Attach the photo through the same service as a PUT; the upload is complete only after that."""
    with tempfile.TemporaryDirectory(prefix="satgas-upload-") as tmp:
        try:
            whole = _assemble(state, last, Path(tmp) / "photo")
        except ObjectNotFound:
            # A concurrent request finished the upload and removed its parts: nothing left to do.
            if _is_complete(state.id):
                return
            raise Conflict("This upload changed while the last bytes arrived; ask with HEAD and resume.") from None
        try:
            photos.add_photo(user, state.log_id, state.photo_id, state.kind, whole)
        except DomainError as exc:
            if exc.status < 500:  # refused for good: the same bytes would be refused again
                _discard([state.id])
            raise
    _complete(state.id)


def _assemble(state: UploadState, last: Spooled, dest: Path) -> Spooled:
    """The stored parts, then the last bytes, in one file; hashed and counted on the way."""
    parts = list(db.session.scalars(
        select(UploadPart).where(UploadPart.upload_id == state.id, UploadPart.start < state.offset)
        .order_by(UploadPart.start)))
    _end_transaction()
    storage, digest, size = photo_storage(), hashlib.sha256(), 0
    try:
        with dest.open("wb") as out:
            for part in parts:
                if part.start != size:
                    raise Conflict(f"Bytes {size}–{part.start} of this upload are missing; create a new upload.")
                for chunk in storage.iter_chunks(part.storage_key, CHUNK_BYTES):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            if size != state.offset:
                raise Conflict(f"Only {size} of {state.offset} stored bytes were found; create a new upload.")
            with last.path.open("rb") as tail:
                while chunk := tail.read(CHUNK_BYTES):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
    except OSError as exc:
        raise Unavailable("The server cannot take uploads right now; retry later.",
                          headers={"Retry-After": "30"}) from exc
    return Spooled(dest, digest.hexdigest(), size)


def _is_complete(upload_id: uuid.UUID) -> bool:
    done = db.session.scalar(select(Upload.completed_at).where(Upload.id == upload_id)) is not None
    _end_transaction()
    return done


def _complete(upload_id: uuid.UUID) -> None:
    """The photo is attached: the upload answers offset = length from now on; its parts go."""
    keys = list(db.session.scalars(select(UploadPart.storage_key).where(UploadPart.upload_id == upload_id)))
    db.session.execute(update(Upload).where(Upload.id == upload_id)
                       .values(upload_offset=Upload.length, completed_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(UploadPart).where(UploadPart.upload_id == upload_id))
    db.session.commit()
    _delete_objects(keys)


def _discard(upload_ids: list[uuid.UUID]) -> int:
    """Remove uploads, their part rows, then their part objects; returns how many parts went."""
    keys = list(db.session.scalars(select(UploadPart.storage_key).where(UploadPart.upload_id.in_(upload_ids))))
    db.session.execute(delete(UploadPart).where(UploadPart.upload_id.in_(upload_ids)))
    db.session.execute(delete(Upload).where(Upload.id.in_(upload_ids)))
    db.session.commit()
    _delete_objects(keys)
    return len(keys)


def _delete_objects(keys: Iterable[str]) -> None:
    """Best effort: what cannot be deleted now is an orphan that `expire` removes later."""
    storage = photo_storage()
    for key in keys:
        try:
            storage.delete(key)
        except StorageError as exc:
            log.warning("could not delete upload part %s: %s", key, exc)


def expire(batch: int = 500) -> Expired:
    """Remove uploads older than UPLOAD_TTL (finished or not) with their parts, then orphaned parts."""
    now = utcnow()
    uploads = parts = 0
    while stale := list(db.session.scalars(
            select(Upload.id).where(Upload.created_at < now - UPLOAD_TTL).limit(batch))):
        parts += _discard(stale)
        uploads += len(stale)
    return Expired(uploads, parts, _remove_orphans(now))


def _remove_orphans(now: datetime) -> int:
    referenced = set(db.session.scalars(select(UploadPart.storage_key)))
    _end_transaction()
    storage, removed = photo_storage(), 0
    for stored in list(storage.list_objects(PART_PREFIX)):
        if stored.key not in referenced and stored.modified_at < now - ORPHAN_GRACE:
            storage.delete(stored.key)
            removed += 1
    return removed
