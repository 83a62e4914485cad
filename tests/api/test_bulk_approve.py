"""POST /api/v1/logs/approve and the queue's filters: bulk approval takes only pending logs with
nothing to look at, through the same decision as a single review, one audit event each."""
from __future__ import annotations

import uuid

from tests.builders import KAUMAN, KETAWANGGEDE, KLOJEN_KEL, SUKUN, post_log, review, upload_photo, wib
from tests.images import jpeg, moved

DAY = "2026-03-10"


def _complete(client, cast, code=KAUMAN, who="crew_a", **fields) -> dict:
    log = post_log(client, cast, code, who, start=wib(DAY, fields.pop("clock", "07:30")), **fields)
    upload_photo(client, cast, log, "before", who=who)
    upload_photo(client, cast, log, "after", who=who)
    return log


def _listed(client, cast, who="sup_klojen", **query) -> list[str]:
    resp = client.get("/api/v1/logs", query_string={"status": "submitted", **query}, headers=cast.headers(who))
    assert resp.status_code == 200, resp.get_json()
    return [item["id"] for item in resp.get_json()["items"]]


def test_bulk_approval_takes_clean_pending_logs_and_skips_the_rest(client, cast):
    clean = [_complete(client, cast, clock=clock) for clock in ("07:30", "09:30", "11:30")]
    mismatch = _complete(client, cast, kelurahan_code=KLOJEN_KEL, clock="13:00")
    assert mismatch["flags"] == ["kelurahan_mismatch"]
    no_after = post_log(client, cast, KAUMAN, start=wib(DAY, "14:00"))
    upload_photo(client, cast, no_after, "before")
    far = post_log(client, cast, KAUMAN, start=wib(DAY, "15:00"))
    lonlat = tuple(far["geometry"]["coordinates"])
    upload_photo(client, cast, far, "before", data=jpeg(variant=501, taken=f"{DAY.replace('-', ':')} 15:30:00",
                                                        lonlat=moved(lonlat, north_m=900)))
    upload_photo(client, cast, far, "after")
    done = _complete(client, cast, clock="16:00")
    review(client, cast, done["id"], "rejected", "sup_klojen", "Foto buram")
    sukun = _complete(client, cast, SUKUN, "crew_b")
    unknown = str(uuid.uuid4())
    asked = [c["id"] for c in clean] + [mismatch["id"], no_after["id"], far["id"], done["id"], sukun["id"], unknown,
                                        clean[0]["id"]]

    resp = client.post("/api/v1/logs/approve", json={"ids": asked, "note": "Dicek sekaligus"},
                       headers=cast.headers("sup_klojen"))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["approved"], body["skipped"]) == (3, 6)
    reasons = {r["id"]: (r["status"], r.get("reason")) for r in body["results"]}
    assert [r["id"] for r in body["results"]] == asked[:-1]  # in the order sent, each id once
    assert reasons == {
        **{c["id"]: ("approved", None) for c in clean},
        mismatch["id"]: ("skipped", "not_clean"), no_after["id"]: ("skipped", "not_clean"),
        far["id"]: ("skipped", "not_clean"), done["id"]: ("skipped", "not_pending"),
        sukun["id"]: ("skipped", "forbidden"), unknown: ("skipped", "not_found"),
    }
    assert all(r["message"] for r in body["results"] if r["status"] == "skipped")

    for log in clean:
        stored = client.get(f"/api/v1/logs/{log['id']}", headers=cast.headers("sup_klojen")).get_json()
        assert (stored["status"], stored["reviewed_by"], stored["review_note"]) == ("approved", "sup_klojen",
                                                                                     "Dicek sekaligus")
        events = client.get(f"/api/v1/logs/{log['id']}/history", headers=cast.headers("sup_klojen")).get_json()
        reviewed = [e for e in events if e["action"] == "reviewed"]
        assert len(reviewed) == 1 and reviewed[0]["actor"] == "sup_klojen"
        assert reviewed[0]["details"] == {"decision": "approved", "note": "Dicek sekaligus",
                                          "previous_status": "submitted", "bulk": True}
    for other in (mismatch, no_after, far, sukun):
        assert client.get(f"/api/v1/logs/{other['id']}", headers=cast.headers("admin")).get_json()["status"] == \
            "submitted"

    figures = client.get(f"/api/v1/progress?from={DAY}&to={DAY}&kecamatan_code=35.73.02",
                         headers=cast.headers("sup_klojen")).get_json()["totals"]
    assert (figures["approved"], figures["pending"], figures["rejected"]) == (3, 3, 1)


def test_clean_filter_selects_exactly_what_bulk_approval_takes(client, cast):
    clean = [_complete(client, cast, clock=c) for c in ("08:00", "10:00")]
    _complete(client, cast, kelurahan_code=KLOJEN_KEL, clock="12:00")
    post_log(client, cast, KAUMAN, start=wib(DAY, "13:00"))  # no photos
    _complete(client, cast, SUKUN, "crew_b")  # another kecamatan

    wanted = _listed(client, cast, clean="true", order="oldest")
    assert wanted == [c["id"] for c in clean]
    assert len(_listed(client, cast, clean="false")) == 2
    body = client.post("/api/v1/logs/approve", json={"ids": wanted}, headers=cast.headers("sup_klojen")).get_json()
    assert body["approved"] == len(wanted) and body["skipped"] == 0
    assert _listed(client, cast, clean="true") == []


def test_queue_filters_by_photo_flags_and_oldest_first(client, cast):
    late = post_log(client, cast, KAUMAN, start=wib(DAY, "08:00"))
    upload_photo(client, cast, late, "after", data=jpeg(variant=77, taken=f"{DAY.replace('-', ':')} 18:00:00"))
    early = post_log(client, cast, KETAWANGGEDE, start=wib("2026-03-09", "08:00"))
    newest = post_log(client, cast, KAUMAN, start=wib("2026-03-11", "08:00"))
    assert _listed(client, cast, "sup_city", flag="taken_outside_work_window") == [late["id"]]
    assert _listed(client, cast, "sup_city", order="oldest") == [early["id"], late["id"], newest["id"]]
    assert _listed(client, cast, "sup_city") == [newest["id"], late["id"], early["id"]]
    bad = client.get("/api/v1/logs?order=random", headers=cast.headers("sup_city"))
    assert bad.status_code == 422


def test_crews_cannot_bulk_approve(client, cast):
    log = _complete(client, cast)
    for who in ("crew_a", "crew_b"):
        resp = client.post("/api/v1/logs/approve", json={"ids": [log["id"]]}, headers=cast.headers(who))
        assert resp.status_code == 403
    assert client.get(f"/api/v1/logs/{log['id']}", headers=cast.headers("crew_a")).get_json()["status"] == "submitted"


def test_bulk_input_is_checked(client, cast):
    headers = cast.headers("sup_city")
    for body in ({}, {"ids": []}, {"ids": ["not-a-uuid"]}, {"ids": [str(uuid.uuid4())] * 501},
                 {"ids": [str(uuid.uuid4())], "note": "bad\x07bell"}):
        resp = client.post("/api/v1/logs/approve", json=body, headers=headers)
        assert resp.status_code in (400, 422), body
        assert resp.get_json()["message"]
