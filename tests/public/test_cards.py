"""Before/after cards: the picture, where it is kept, how it is cached, and when there is none."""
from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from models import WorkLog, db
from satgas.card_render import PANEL, PHOTO_HEIGHT
from satgas.photo_storage import photo_storage
from satgas.services import cards
from tests.builders import post_log, review, upload_photo
from tests.images import during_work, jpeg

TICKET = "SBT-2026/11/00042"
PLAIN_JPEG_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression"}


def _photos(log: dict) -> tuple[bytes, bytes]:
    """A landscape before photo, and an after photo stored sideways with EXIF orientation 6."""
    return (jpeg(variant=11, taken=during_work(log), size=(800, 600)),
            jpeg(variant=12, taken=during_work(log, 90), rotated=True))


def _approved_with_photos(client, cast, **fields) -> tuple[dict, bytes, bytes]:
    fields.setdefault("complaint_ref", f"T-{uuid.uuid4().hex[:8]}")  # tells its public activity apart
    log = post_log(client, cast, **fields)
    before, after = _photos(log)
    upload_photo(client, cast, log, "before", before)
    upload_photo(client, cast, log, "after", after)
    review(client, cast, log["id"])
    return log, before, after


def _activity(client, log: dict) -> dict:
    items = client.get("/public/v1/activities").get_json()["items"]
    return next(i for i in items if i["complaint_ref"] == log["complaint_ref"])


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two pictures shrunk to 27×30 (0: the same, 255: opposites)."""
    small = [img.convert("RGB").resize((27, 30), Image.Resampling.BOX) for img in (a, b)]
    return sum(ImageStat.Stat(ImageChops.difference(*small)).mean) / 3


def _upright_panel(data: bytes) -> Image.Image:
    """An independent oracle: the photo turned upright and cropped to fill a panel."""
    return ImageOps.fit(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"), PANEL)


def _tag(resp) -> str:
    return resp.headers["ETag"].strip('"')


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The keys of the cards rendered during the test."""
    keys: list[str] = []
    real = cards.render_card

    def counting(before, after, caption, dest):
        keys.append(str(caption))
        return real(before, after, caption, dest)

    monkeypatch.setattr(cards, "render_card", counting)
    return keys


def test_the_card_shows_before_left_and_after_right(app_with_storage, cast, rendered):
    client = app_with_storage.test_client()
    log, before, after = _approved_with_photos(client, cast, complaint_ref=TICKET, length_m=120.0)
    item = _activity(client, log)
    assert item["card_url"] == f"/public/v1/activities/{item['public_id']}/card.jpg"
    assert item["public_id"] not in (log["id"], log["id"].replace("-", ""))

    resp = client.get(item["card_url"])
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert resp.headers["Cache-Control"].startswith("public, max-age=") and resp.headers["ETag"]
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    card = Image.open(io.BytesIO(resp.data))
    assert card.format == "JPEG" and card.size == (1080, 1080)
    assert set(card.info) <= PLAIN_JPEG_INFO and len(card.getexif()) == 0

    # Compare above the SEBELUM/SESUDAH labels.
    top = (0, 0, PANEL[0], PHOTO_HEIGHT - 120)
    left = card.crop(top)
    right = card.crop((PANEL[0], 0, 2 * PANEL[0], PHOTO_HEIGHT - 120))
    expected_before, expected_after = (_upright_panel(data).crop(top) for data in (before, after))
    assert _difference(left, expected_before) < 8 and _difference(right, expected_after) < 8
    assert _difference(left, expected_after) > 25 and _difference(right, expected_before) > 25
    band = card.crop((0, PHOTO_HEIGHT, 1080, 1080)).convert("L")
    assert ImageStat.Stat(band).stddev[0] > 20  # text is drawn on the caption band

    with app_with_storage.app_context():
        stored = [o.key for o in photo_storage().list_objects("cards/")]
    assert stored == [f"cards/{item['public_id']}/{_tag(resp)}.jpg"]
    again = client.get(item["card_url"])
    assert again.data == resp.data and len(rendered) == 1  # rendered once, then served from storage
    assert "SAMBAT #" + TICKET in rendered[0] and "120 m" in rendered[0]


def test_if_none_match_is_answered_304_and_changes_make_a_new_card(client, cast, rendered):
    log, _, _ = _approved_with_photos(client, cast)
    url = _activity(client, log)["card_url"]
    first = client.get(url)
    etag = first.headers["ETag"]
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b"" and not_modified.headers["ETag"] == etag

    review(client, cast, log["id"], note="disetujui ulang")  # a new approval
    reapproved = client.get(url, headers={"If-None-Match": etag})
    assert reapproved.status_code == 200 and reapproved.headers["ETag"] != etag

    upload_photo(client, cast, log, "after", jpeg(variant=13, taken=during_work(log, 100)))  # a newer photo
    newer = client.get(url, headers={"If-None-Match": reapproved.headers["ETag"]})
    assert newer.status_code == 200 and newer.headers["ETag"] not in (etag, reapproved.headers["ETag"])
    assert len(rendered) == 3
    folder = f"cards/{url.split('/')[-2]}/"
    with client.application.app_context():
        kept = [o.key for o in photo_storage().list_objects(folder)]
    assert kept == [f"{folder}{_tag(newer)}.jpg"]  # replaced, not piled up


def test_no_card_unless_approved_with_both_photos(client, cast):
    pending = post_log(client, cast)
    for kind in ("before", "after"):
        upload_photo(client, cast, pending, kind)
    only_after = post_log(client, cast, complaint_ref="ONLY-AFTER")
    upload_photo(client, cast, only_after, "after")
    review(client, cast, only_after["id"])
    rejected, _, _ = _approved_with_photos(client, cast)
    activity = _activity(client, rejected)
    assert client.get(activity["card_url"]).status_code == 200
    review(client, cast, rejected["id"], "rejected", note="Lokasi tidak sesuai")

    items = client.get("/public/v1/activities").get_json()["items"]
    assert [(i["complaint_ref"], i["card_url"]) for i in items] == [("ONLY-AFTER", None)]
    assert client.get(f"/public/v1/activities/{items[0]['public_id']}/card.jpg").status_code == 404
    assert client.get(activity["card_url"]).status_code == 404  # rejected since
    with client.application.app_context():
        pending_public = db.session.get(WorkLog, uuid.UUID(pending["id"])).public_id
    assert client.get(f"/public/v1/activities/{pending_public}/card.jpg").status_code == 404
    for bad in ("0" * 32, pending["id"], "..", "a.b"):
        assert client.get(f"/public/v1/activities/{bad}/card.jpg").status_code == 404
