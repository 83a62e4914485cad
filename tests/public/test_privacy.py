"""The privacy walk: every public endpoint, on both databases, shows approved work and nothing else."""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

from PIL import Image

from satgas.services.public import without_metadata
from tests.builders import BALEARJOSARI, KAUMAN, KETAWANGGEDE, SUKUN, review
from tests.images import jpeg_with_secrets as jpeg_with_exif

# `public_id` is not here: the contract gives each activity one, opaque (never the log's id,
# which `planted.secrets` holds and the walk looks for in every body).
FORBIDDEN_KEYS = {
    "id", "log_id", "photo_id", "crew_id", "crew", "user", "user_id", "username", "device_id",
    "submitted_by", "reviewed_by", "uploaded_by", "notes", "note", "review_note", "status", "flags",
    "exif", "exif_location", "taken_at", "sha256", "storage_key", "thumbnail_key", "gps_accuracy_m",
}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _walk(client) -> dict[str, bytes]:
    """GET every public address (page, assets, API, each thumbnail listed); url → body."""
    period = f"from={date.today() - timedelta(days=5)}&to={date.today() + timedelta(days=1)}"
    urls = ["/", "/static/public/map.js", "/static/public/map.css", "/public/v1/ping",
            "/public/v1/progress", f"/public/v1/progress?{period}",
            "/public/v1/progress.geojson", f"/public/v1/progress.geojson?{period}",
            "/public/v1/activities", "/public/v1/activities?limit=50"]
    bodies = {}
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        bodies[url] = resp.data
    for item in json.loads(bodies["/public/v1/activities?limit=50"])["items"]:
        if item["card_url"]:
            resp = client.get(item["card_url"])
            assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
            bodies[item["card_url"]] = resp.data
        for photo in item["photos"]:
            resp = client.get(photo["thumbnail_url"])
            assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
            bodies[photo["thumbnail_url"]] = resp.data
    return bodies


def test_public_bodies_hold_no_secret_and_no_unapproved_work(client, planted):
    bodies = _walk(client)
    for url, body in bodies.items():
        for secret in planted.secrets:
            assert secret.encode() not in body, f"{secret!r} leaked in {url}"
        if url.startswith("/public/v1/") and not url.endswith(".jpg"):
            leaked = _keys(json.loads(body)) & FORBIDDEN_KEYS
            assert not leaked, f"{url} has internal fields {leaked}"


def test_approved_work_is_what_the_public_sees(client, planted):
    bodies = _walk(client)
    rows = {r["code"]: r for r in json.loads(bodies["/public/v1/progress"])["kelurahan"]}
    assert len(rows) == 57
    assert rows[KAUMAN]["logs"] == 1 and rows[KAUMAN]["length_m"] == 111.1 and rows[KAUMAN]["photos"] == 2
    assert rows[SUKUN]["logs"] == 1 and abs(rows[SUKUN]["length_m"] - 180) < 2
    for code in (KETAWANGGEDE, BALEARJOSARI):
        assert rows[code]["logs"] == 0 and rows[code]["length_m"] == 0 and rows[code]["last_work_date"] is None
    assert all(r["pending"] == 0 and r["rejected"] == 0 for r in rows.values())
    items = json.loads(bodies["/public/v1/activities?limit=50"])["items"]
    assert {i["kelurahan_code"] for i in items} == {KAUMAN, SUKUN}
    shown = b"".join(bodies.values())
    for public_id in planted.approved_public_ids:
        assert public_id.encode() in shown


def test_thumbnails_are_exif_free_and_only_of_approved_logs(client, planted):
    for public_id in planted.approved_public_ids:
        resp = client.get(f"/public/v1/thumbnails/{public_id}.jpg")
        assert resp.status_code == 200
        assert b"Exif" not in resp.data and b"RAHASIA" not in resp.data
        with Image.open(io.BytesIO(resp.data)) as img:
            assert img.format == "JPEG" and max(img.size) <= 512 and not img.getexif()
            assert not {"exif", "comment", "xmp", "icc_profile", "photoshop"} & set(img.info)
    for public_id in planted.hidden_public_ids:
        resp = client.get(f"/public/v1/thumbnails/{public_id}.jpg")
        assert resp.status_code == 404 and public_id.encode() not in resp.data
    for photo_id in ("0" * 32, "../../etc/passwd", "x" * 200):
        assert client.get(f"/public/v1/thumbnails/{photo_id}.jpg").status_code == 404


def test_a_log_rejected_after_approval_leaves_the_public_view(client, cast, planted):
    before = client.get("/public/v1/activities").get_json()["items"]
    assert any(i["kelurahan_code"] == KAUMAN for i in before)
    review(client, cast, planted.approved["a1"]["id"], "rejected", note="foto kabur")
    after = client.get("/public/v1/activities").get_json()["items"]
    assert all(i["kelurahan_code"] != KAUMAN for i in after)
    for public_id in planted.approved_public_ids:
        assert client.get(f"/public/v1/thumbnails/{public_id}.jpg").status_code == 404


def test_metadata_is_stripped_from_any_jpeg_going_public():
    tainted = jpeg_with_exif(112.63, -7.98)
    clean = without_metadata(tainted)
    assert b"RAHASIA" in tainted and b"RAHASIA" not in clean and b"Exif" not in clean
    assert without_metadata(clean) == clean  # a bare JPEG goes out byte for byte
