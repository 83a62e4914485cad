"""Uploading photos: stored once, EXIF read, flags right, thumbnail upright, rollup and sync in step."""
from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tests.images import MARKER, during_work, encode, exif_time, jpeg, moved, scene, work_start
from tests.support import WIB


def is_red(pixel: tuple[int, ...]) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def test_upload_reads_exif_and_is_listed_everywhere(api, upload_tmp):
    log = api.new_log()
    spot = tuple(log["geometry"]["coordinates"])
    data = jpeg(taken=during_work(log), lonlat=moved(spot, north_m=50), rotated=True)

    resp = api.put(log["id"], data, kind="before", photo_id="0b7a4e8e-1d0c-4a55-9c39-2f3e0b6a5d11")

    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["id"] == "0b7a4e8e-1d0c-4a55-9c39-2f3e0b6a5d11" and body["log_id"] == log["id"]
    assert body["kind"] == "before" and body["content_type"] == "image/jpeg" and body["bytes"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert (body["width"], body["height"]) == (600, 400)  # upright, after orientation 6
    assert body["taken_at"] == (work_start(log) + timedelta(minutes=45)).isoformat()
    assert body["exif_location"]["type"] == "Point"
    assert body["exif_location"]["coordinates"] == pytest.approx(list(moved(spot, north_m=50)), abs=1e-5)
    assert body["distance_to_log_m"] == pytest.approx(50, abs=2)
    assert body["flags"] == []
    assert list(upload_tmp.iterdir()) == []  # the spooled body and thumbnail are gone

    listed = api.get(f"/api/v1/logs/{log['id']}").get_json()["photos"]
    assert [(p["id"], p["sha256"]) for p in listed] == [(body["id"], body["sha256"])]
    sync = api.client.post("/api/v1/sync/status", json={"ids": [log["id"]]}, headers=api.cast.headers("crew_a"))
    assert sync.get_json()["logs"][0]["photos"] == [{"id": body["id"], "kind": "before", "sha256": body["sha256"]}]
    history = api.get(f"/api/v1/logs/{log['id']}/history").get_json()
    assert [e["action"] for e in history] == ["created", "photo_added"]
    assert history[1]["actor"] == "crew_a" and history[1]["details"]["photo_id"] == body["id"]
    assert len(api.stored_objects()) == 2 and all(body["id"] in stored for stored in api.stored_objects())


def test_thumbnail_is_upright_small_and_without_exif(api):
    log = api.new_log()
    big = jpeg(taken=during_work(log), lonlat=tuple(log["geometry"]["coordinates"]), rotated=True, size=(1200, 800))
    photo = api.put(log["id"], big).get_json()

    resp = api.get(f"/api/v1/photos/{photo['id']}/thumbnail")

    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert b"Exif" not in resp.data
    with Image.open(io.BytesIO(resp.data)) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (512, 341)
        assert len(thumb.getexif()) == 0 and "exif" not in thumb.info
        rgb = thumb.convert("RGB")
        corner = MARKER * 512 // 1200 // 2
        assert is_red(rgb.getpixel((corner, corner)))  # the marker is top-left again: upright
        assert not is_red(rgb.getpixel((511 - corner, corner)))
        assert not is_red(rgb.getpixel((corner, 340 - corner)))


def _flags_for(api, log: dict, **exif) -> dict:
    resp = api.put(log["id"], jpeg(**exif))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_photo_taken_the_day_before_one_km_away_is_flagged(api):
    log = api.new_log()
    spot = tuple(log["geometry"]["coordinates"])
    body = _flags_for(api, log, taken=exif_time(work_start(log) - timedelta(days=1)), lonlat=moved(spot, north_m=1000))
    assert body["flags"] == ["taken_outside_work_window", "far_from_log"]
    assert body["distance_to_log_m"] == pytest.approx(1000, abs=3)


def test_photo_without_exif_time_or_gps(api):
    log = api.new_log()
    body = _flags_for(api, log)
    assert body["flags"] == ["no_exif_time"]
    assert body["taken_at"] is None and body["exif_location"] is None and body["distance_to_log_m"] is None


@pytest.mark.parametrize(("after_finish", "offset", "flagged"), [
    (timedelta(hours=1, minutes=50), None, False),  # a naive EXIF time is WIB: 1 h 50 after the work
    (timedelta(hours=2, minutes=10), None, True),
    (timedelta(hours=1, minutes=50), "+00:00", False),  # the same instant written in UTC, with its offset
])
def test_work_window_is_two_hours_and_naive_times_are_wib(api, after_finish, offset, flagged):
    log = api.new_log()
    taken = datetime.fromisoformat(log["finished_at"]) + after_finish
    camera_clock = taken.astimezone(UTC if offset else WIB)
    body = _flags_for(api, log, taken=camera_clock.strftime("%Y:%m:%d %H:%M:%S"), offset=offset,
                      lonlat=tuple(log["geometry"]["coordinates"]))
    assert ("taken_outside_work_window" in body["flags"]) is flagged
    assert datetime.fromisoformat(body["taken_at"]) == taken
    assert body["taken_at"].endswith("+07:00")


def test_a_photo_near_a_track_is_near(api):
    start = (112.6300, -7.9800)
    end = moved(start, east_m=800)
    log = api.new_log(geometry={"type": "LineString", "coordinates": [list(start), list(end)]})
    body = _flags_for(api, log, taken=during_work(log), lonlat=moved(start, east_m=400, north_m=100))
    assert body["distance_to_log_m"] == pytest.approx(100, abs=2) and body["flags"] == []


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_other_image_types_are_judged_by_content(api, fmt, content_type):
    log = api.new_log()
    resp = api.put(log["id"], encode(scene(3), fmt), content_type="application/octet-stream")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["content_type"] == content_type


def test_rollup_counts_photos_and_complete_logs(api):
    log = api.new_log()
    assert api.rollup() == [(0, 0)]
    before = jpeg(1, taken=during_work(log))
    assert api.put(log["id"], before, kind="before", photo_id=(pid := "8d3c0f9a-4d8e-4b5e-a7f1-0c2d4e6f8a01")
                   ).status_code == 201
    assert api.rollup() == [(1, 0)]
    assert api.put(log["id"], before, kind="before", photo_id=pid).status_code == 200  # replay: no change
    assert api.rollup() == [(1, 0)]
    assert api.put(log["id"], jpeg(2, taken=during_work(log, 100)), kind="after").status_code == 201
    assert api.rollup() == [(2, 1)]
    assert api.put(log["id"], jpeg(4, taken=during_work(log, 110)), kind="after").status_code == 201
    assert api.rollup() == [(3, 1)]


@pytest.mark.parametrize("lonlat", [(-0.1276, 51.5072), (-122.42, 37.77), (179.9, -85.0)])
def test_gps_on_the_other_side_of_the_world_is_far(api, lonlat):
    log = api.new_log()
    body = _flags_for(api, log, taken=during_work(log), lonlat=lonlat)
    assert body["flags"] == ["far_from_log"] and body["distance_to_log_m"] > 1_000_000


@pytest.mark.parametrize(("taken", "offset"), [
    ("0001:01:01 00:00:00", "+07:00"),  # before year 1 in UTC
    ("0001:01:01 03:00:00", None),  # WIB by default: still before year 1 in UTC
    ("9999:12:31 23:59:59", "-05:00"),  # after 9999 in UTC
    ("9999:12:31 20:00:00", "-14:00"),
])
def test_a_time_at_the_edge_of_the_calendar_counts_as_no_time(api, taken, offset):
    log = api.new_log()
    resp = api.put(log["id"], jpeg(taken=taken, offset=offset))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["taken_at"] is None and "no_exif_time" in body["flags"]
