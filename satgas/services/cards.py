"""Before/after cards of approved work for the department's social-media posts.

A card is rendered once and kept in the photo storage under a key made from a fingerprint of
everything drawn on it (both photos' sha256, the caption, the approval time, the layout
version): a new approval or a newer photo makes a new key, hence a new card and a new ETag,
and the card it replaces is deleted. The fingerprint is known from the database alone, so a
client that has the card gets its 304 without the storage being touched.
"""
from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select

from models import Kecamatan, Kelurahan, Photo, WorkLog, db
from satgas.card_render import Caption, render_card
from satgas.errors import NotFound
from satgas.photo_storage import photo_storage
from storage import ObjectNotFound, StorageError

log = logging.getLogger(__name__)
LAYOUT_VERSION = "1"  # bump when the drawing changes: every card is then rendered anew
ACTIVITY_LABELS = {
    "drain_cleaning": "Pembersihan saluran",
    "culvert_cleaning": "Pembersihan gorong-gorong",
    "channel_normalisation": "Normalisasi saluran",
    "waste_removal": "Pengangkutan sampah",
    "other": "Pekerjaan drainase",
}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
_NO_CARD = "No card for this activity: it is not approved, or it lacks a before or an after photo."


@dataclass(frozen=True)
class CardFile:
    """Where a card is (or will be) stored, its ETag, and what it is drawn from."""

    key: str
    etag: str
    before_key: str
    after_key: str
    caption: Caption


def indonesian_number(value: float) -> str:
    """1234.5 → "1.234,5" (as Intl.NumberFormat('id-ID') prints it on the public page)."""
    whole, _, fraction = f"{value:,.1f}".partition(".")
    text = whole.replace(",", ".")
    return text if fraction == "0" else f"{text},{fraction}"


def caption_for(log_row: WorkLog, kelurahan: str, kecamatan: str) -> Caption:
    day = log_row.work_date
    when = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if log_row.counted_length_m > 0:
        when += f" · {indonesian_number(log_row.counted_length_m)} m"
    ticket = f"Menanggapi aduan SAMBAT #{log_row.complaint_ref}" if log_row.complaint_ref else None
    return Caption(ACTIVITY_LABELS.get(log_row.activity, ACTIVITY_LABELS["other"]),
                   f"Kel. {kelurahan}, Kec. {kecamatan}", when, ticket)


def _latest_photos(log_id) -> dict[str, Photo]:
    """The newest photo of each kind."""
    newest: dict[str, Photo] = {}
    for photo in db.session.scalars(select(Photo).where(Photo.log_id == log_id).order_by(Photo.created_at)):
        newest[photo.kind] = photo
    return newest


def card(public_id: str) -> CardFile:
    """The card of an approved log holding a before and an after photo (404 otherwise); database only."""
    row = db.session.execute(
        select(WorkLog, Kelurahan.name, Kecamatan.name)
        .join(Kelurahan, Kelurahan.code == WorkLog.kelurahan_code)
        .join(Kecamatan, Kecamatan.code == WorkLog.kecamatan_code)
        .where(WorkLog.public_id == public_id, WorkLog.status == "approved")
    ).one_or_none()
    if row is None:
        raise NotFound(_NO_CARD)
    found, kelurahan, kecamatan = row
    photos = _latest_photos(found.id)
    if "before" not in photos or "after" not in photos:
        raise NotFound(_NO_CARD)
    before, after = photos["before"], photos["after"]
    caption = caption_for(found, kelurahan, kecamatan)
    inputs = [LAYOUT_VERSION, before.sha256, after.sha256, asdict(caption), found.reviewed_at.isoformat()]
    fingerprint = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:32]
    result = CardFile(f"cards/{public_id}/{fingerprint}.jpg", fingerprint, before.storage_key, after.storage_key,
                      caption)
    db.session.rollback()  # nothing more to read: release the database before any slow work
    return result


def _download(key: str, dest: Path) -> None:
    with dest.open("wb") as out:
        for chunk in photo_storage().iter_chunks(key):
            out.write(chunk)


def _render(found: CardFile) -> None:
    """Draw the card from the stored originals and keep it; remove the card it replaces."""
    storage = photo_storage()
    with tempfile.TemporaryDirectory(prefix="satgas-card-") as tmp:
        before, after, card_path = Path(tmp) / "before", Path(tmp) / "after", Path(tmp) / "card.jpg"
        try:
            _download(found.before_key, before)
            _download(found.after_key, after)
        except ObjectNotFound:
            log.error("a photo of card %s is missing from storage", found.key)
            raise NotFound(_NO_CARD) from None
        render_card(before, after, found.caption, card_path)
        storage.put_file(found.key, card_path, "image/jpeg")
    folder = found.key.rsplit("/", 1)[0] + "/"
    for stale in [obj.key for obj in storage.list_objects(folder) if obj.key != found.key]:
        try:
            storage.delete(stale)
        except StorageError as exc:  # an old card left behind is harmless: nothing links to it
            log.warning("could not delete replaced card %s: %s", stale, exc)


def card_chunks(found: CardFile) -> Iterator[bytes]:
    """The card's bytes, streamed; rendered first if it is not stored yet."""
    try:
        return photo_storage().iter_chunks(found.key)
    except ObjectNotFound:
        _render(found)
    return photo_storage().iter_chunks(found.key)
