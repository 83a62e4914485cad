"""Who may add and fetch photos, and how they are served: streamed locally, redirected on S3."""
from __future__ import annotations

import urllib.request

import pytest

from tests.builders import SUKUN
from tests.images import during_work, jpeg


@pytest.mark.parametrize(("who", "status"), [
    ("crew_b", 404),  # cannot even see crew A's log
    ("sup_klojen", 403),  # sees it, but supervisors do not add photos
    ("sup_city", 403),
    ("admin", 201),
])
def test_only_the_logs_crew_or_an_admin_adds_photos(api, who, status):
    log = api.new_log()
    before = api.state()
    resp = api.put(log["id"], jpeg(taken=during_work(log)), who=who)
    assert resp.status_code == status, resp.get_json()
    if status != 201:
        assert api.state() == before


def test_unknown_log_is_404(api):
    resp = api.put("6f1c2b9e-0000-4000-8000-000000000000", jpeg())
    assert resp.status_code == 404


@pytest.mark.parametrize("who", ["crew_a", "sup_klojen", "sup_city", "admin"])
def test_crew_and_supervisors_in_scope_fetch_the_photo(api, stored, who):
    _, data, body = stored
    original = api.get(f"/api/v1/photos/{body['id']}", who=who)
    thumbnail = api.get(f"/api/v1/photos/{body['id']}/thumbnail", who=who)
    assert original.status_code in (200, 302) and thumbnail.status_code == 200


def test_another_crew_cannot_fetch_the_photo(api, stored):
    _, _, body = stored
    for path in (f"/api/v1/photos/{body['id']}", f"/api/v1/photos/{body['id']}/thumbnail"):
        assert api.get(path, who="crew_b").status_code == 404


def test_a_supervisor_of_another_kecamatan_cannot_fetch_the_photo(api):
    # Crew A helped out in Sukun: sup_klojen's scope is the log's kecamatan, not the crew's.
    log = api.new_log(code=SUKUN)
    body = api.put(log["id"], jpeg(taken=during_work(log))).get_json()
    for path in (f"/api/v1/photos/{body['id']}", f"/api/v1/photos/{body['id']}/thumbnail"):
        assert api.get(path, who="sup_klojen").status_code == 404
        assert api.get(path, who="sup_city").status_code in (200, 302)


def test_unknown_photo_is_404(api):
    assert api.get("/api/v1/photos/6f1c2b9e-0000-4000-8000-000000000000").status_code == 404


def test_original_is_streamed_locally_or_redirected_on_s3(api, stored, storage_backend):
    _, data, body = stored
    resp = api.get(f"/api/v1/photos/{body['id']}")
    assert resp.headers["Cache-Control"].startswith("private, max-age=")
    if storage_backend == "s3":
        assert resp.status_code == 302
        assert "X-Amz-Signature=" in resp.location and "X-Amz-Expires=300" in resp.location
        with urllib.request.urlopen(resp.location, timeout=10) as signed:
            assert signed.read() == data and signed.headers["Content-Type"] == "image/jpeg"
        return
    assert resp.status_code == 200 and resp.data == data
    assert resp.mimetype == "image/jpeg" and resp.content_length == len(data)
    assert resp.headers["ETag"] == f'"{body["sha256"]}"'
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_etag_answers_304(api, stored, storage_backend):
    _, _, body = stored
    thumb = api.get(f"/api/v1/photos/{body['id']}/thumbnail")
    again = api.get(f"/api/v1/photos/{body['id']}/thumbnail", **{"If-None-Match": thumb.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    original = api.get(f"/api/v1/photos/{body['id']}", **{"If-None-Match": f'"{body["sha256"]}"'})
    assert original.status_code == 304


def test_openapi_documents_the_photo_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    upload = spec["paths"]["/api/v1/logs/{log_id}/photos/{photo_id}"]["put"]
    assert {"image/jpeg", "image/heic", "application/octet-stream"} <= set(upload["requestBody"]["content"])
    assert {"200", "201", "400", "403", "404", "409", "413", "415", "422", "503"} <= set(upload["responses"])
    assert any(p["name"] == "kind" and p["in"] == "query" for p in upload["parameters"])
    original = spec["paths"]["/api/v1/photos/{photo_id}"]["get"]
    assert {"200", "302", "304", "404"} <= set(original["responses"])
    assert "image/png" in original["responses"]["200"]["content"]
    thumbnail = spec["paths"]["/api/v1/photos/{photo_id}/thumbnail"]["get"]
    assert "image/jpeg" in thumbnail["responses"]["200"]["content"]
