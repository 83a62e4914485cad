"""Public API: shapes, defaults and validation, the server cache, ETags, CORS, gzip and docs."""
from __future__ import annotations

import gzip
from datetime import datetime, timedelta

import pytest

from satgas.timeutil import wib_today
from tests.builders import KAUMAN, SUKUN, post_log, review
from tests.builders import upload_secret_photo as add_photo
from tests.support import WIB, count_queries

ENDPOINTS = ["/public/v1/progress", "/public/v1/progress.geojson", "/public/v1/activities"]


def test_progress_has_the_contract_shape_with_a_30_day_default(client, planted):
    body = client.get("/public/v1/progress").get_json()
    today = wib_today()
    assert body["from"] == str(today - timedelta(days=29)) and body["to"] == str(today)
    assert len(body["kelurahan"]) == 57 and body["totals"]["kelurahan"] == 57
    row = next(r for r in body["kelurahan"] if r["code"] == KAUMAN)
    assert set(row) >= {"code", "name", "kecamatan_code", "logs", "approved", "pending", "rejected", "length_m",
                        "approved_length_m", "sediment_m3", "waste_kg", "photos", "complete", "last_work_date"}
    assert row["complete"] == 1 and row["approved_length_m"] == 111.1 and row["name"] == "Kauman"
    assert body["totals"]["logs"] == 2


def test_geojson_has_57_polygons_with_figures(client, planted):
    start, end = wib_today() - timedelta(days=400), wib_today() + timedelta(days=30)
    resp = client.get(f"/public/v1/progress.geojson?from={start}&to={end}")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    body = resp.get_json(force=True)
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 57
    assert {f["geometry"]["type"] for f in body["features"]} <= {"Polygon", "MultiPolygon"}
    props = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert props[KAUMAN]["logs"] == 1 and props[KAUMAN]["kecamatan_name"] == "Klojen"
    assert body["from"] == str(start) and body["to"] == str(end)


def test_activities_are_newest_first_with_counted_length(client, cast, planted):
    start = datetime.now(WIB) - timedelta(minutes=30)
    newer = post_log(client, cast, KAUMAN, "crew_a", length_m=7.0, started_at=start.isoformat(),
                     finished_at=(start + timedelta(minutes=10)).isoformat())
    review(client, cast, newer["id"])
    items = client.get("/public/v1/activities").get_json()["items"]
    assert [i["length_m"] for i in items][0] == 7.0 and len(items) == 3
    track = next(i for i in items if i["kelurahan_code"] == SUKUN)
    assert track["geometry"]["type"] == "LineString" and abs(track["length_m"] - 180) < 2
    point = next(i for i in items if i["length_m"] == 111.1)
    assert sorted(p["kind"] for p in point["photos"]) == ["after", "before"]
    assert all(p["thumbnail_url"].startswith("/public/v1/thumbnails/") for p in point["photos"])
    assert set(items[0]) >= {"work_date", "kelurahan_code", "kelurahan_name", "activity", "length_m", "geometry",
                             "photos"}
    assert len(client.get("/public/v1/activities?limit=1").get_json()["items"]) == 1


@pytest.mark.parametrize("query", ["from=2026-02-30", "to=yesterday", "from=2026-03-02&to=2026-03-01",
                                   "from=2000-01-01&to=2026-01-01", "from=2000-01-01"])
def test_bad_dates_are_422(client, query):
    for url in ENDPOINTS[:2]:
        resp = client.get(f"{url}?{query}")
        assert resp.status_code == 422 and resp.get_json()["message"]


@pytest.mark.parametrize("limit", ["0", "51", "many"])
def test_bad_limit_is_422(client, limit):
    assert client.get(f"/public/v1/activities?limit={limit}").status_code == 422


@pytest.mark.parametrize("query", ["to=0001-01-05", "from=9999-12-31", "from=0001-01-01&to=0001-01-01"])
def test_extreme_dates_are_answered_not_crashed(client, query):
    for url in ENDPOINTS[:2]:
        assert client.get(f"{url}?{query}").status_code == 200


def test_one_missing_end_of_the_period_is_filled(client):
    body = client.get("/public/v1/progress?to=2026-03-31").get_json()
    assert body["from"] == "2026-03-02" and body["to"] == "2026-03-31"
    assert client.get("/public/v1/progress?from=2026-03-01").get_json()["to"] == str(wib_today())


@pytest.mark.parametrize("url", ENDPOINTS)
def test_second_request_is_served_from_cache_without_sql(app, client, planted, url):
    first = client.get(url)
    with count_queries(app) as statements:
        second = client.get(url)
    assert statements == [] and second.data == first.data


def test_an_approval_changes_the_next_response(app, client, cast, planted):
    pending = post_log(client, cast, SUKUN, "crew_a", length_m=40.0)
    before = {url: client.get(url).data for url in ENDPOINTS}
    review(client, cast, pending["id"], "approved")
    for url in ENDPOINTS:
        with count_queries(app) as statements:
            after = client.get(url).data
        assert statements and after != before[url], url
    sukun = next(r for r in client.get("/public/v1/progress").get_json()["kelurahan"] if r["code"] == SUKUN)
    assert sukun["logs"] == 2


def test_a_new_photo_on_an_approved_log_refreshes_the_cache(app, client, cast, planted):
    client.get("/public/v1/activities")
    # Through the API only: the photo service itself must tell the public cache.
    add_photo(client, cast, planted.approved["a2"], "after", who="crew_b", variant=5)
    items = client.get("/public/v1/activities").get_json()["items"]
    track = next(i for i in items if i["kelurahan_code"] == SUKUN)
    assert [p["kind"] for p in track["photos"]] == ["after"]


def test_a_photo_of_a_log_not_yet_approved_keeps_the_cache(app, client, cast, planted):
    """Nothing public changes (the log is not public yet): the next answers are still cache hits."""
    pending = post_log(client, cast, SUKUN, "crew_a", length_m=40.0)
    before = {url: client.get(url).data for url in ENDPOINTS}
    add_photo(client, cast, pending, "before", variant=6)
    for url in ENDPOINTS:
        with count_queries(app) as statements:
            after = client.get(url).data
        assert statements == [] and after == before[url], url
    review(client, cast, pending["id"], "approved")
    items = client.get("/public/v1/activities").get_json()["items"]
    # The approval, as always, refreshes the cache: the photo is public now.
    assert any([p["kind"] for p in i["photos"]] == ["before"] for i in items if i["kelurahan_code"] == SUKUN)


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_etag_gives_304(client, planted, encoding):
    first = client.get("/public/v1/progress.geojson", headers={"Accept-Encoding": encoding})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/public/v1/progress.geojson", headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    other = client.get("/public/v1/progress.geojson", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_thumbnail_has_cache_headers_and_304(client, planted):
    url = f"/public/v1/thumbnails/{planted.approved_public_ids[0]}.jpg"
    first = client.get(url)
    assert first.headers["Cache-Control"].startswith("public") and "Content-Encoding" not in first.headers
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_gzip_when_accepted(client, planted):
    plain = client.get("/public/v1/progress.geojson")
    packed = client.get("/public/v1/progress.geojson", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
    assert packed.headers["ETag"] != plain.headers["ETag"]
    json_packed = client.get("/public/v1/progress", headers={"Accept-Encoding": "gzip"})
    assert json_packed.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("url", [*ENDPOINTS, "/public/v1/ping", "/public/v1/thumbnails/nothing.jpg"])
def test_cors_star_on_public_gets(client, url):
    resp = client.get(url, headers={"Origin": "https://citizen.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers
    preflight = client.options(url, headers={"Origin": "https://citizen.example",
                                             "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", ["/api/v1/kecamatan", "/api/v1/logs", "/api/v1/auth/token"])
def test_no_cors_on_the_internal_api(client, cast, url):
    headers = {"Origin": "https://evil.example", **cast.headers("admin")}
    assert "Access-Control-Allow-Origin" not in client.get(url, headers=headers).headers
    preflight = client.options(url, headers={"Origin": "https://evil.example",
                                             "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_page_has_a_strict_csp_and_no_login(client):
    resp = client.get("/")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    csp = resp.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'"):
        assert directive in csp
    assert b"public/map.js" in resp.data and "Access-Control-Allow-Origin" not in resp.headers


def test_openapi_documents_public_endpoints_without_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ["/public/v1/progress", "/public/v1/progress.geojson", "/public/v1/activities",
                 "/public/v1/thumbnails/{public_id}.jpg", "/"]:
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [] and operation["summary"], path
    geo = spec["paths"]["/public/v1/progress.geojson"]["get"]["responses"]["200"]["content"]
    assert "application/geo+json" in geo


def test_thumbnail_urls_are_absolute_with_a_public_base_url(app, client, cast, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://satgas.example.go.id")
    log = post_log(client, cast)
    add_photo(client, cast, log)
    review(client, cast, log["id"])
    items = client.get("/public/v1/activities?limit=5").get_json()["items"]
    urls = [p["thumbnail_url"] for item in items for p in item["photos"]]
    assert urls and all(u.startswith("https://satgas.example.go.id/public/v1/thumbnails/") for u in urls)


@pytest.mark.parametrize("url", ["/public/v1/progress", "/public/v1/progress.geojson"])
def test_without_a_query_string_the_default_period_is_the_parsed_one(client, planted, url):
    """No query string skips the parser: the same period, body and ETag as a parsed empty query,
    and `from`/`to` still documented."""
    today = wib_today()
    bare = client.get(url, headers={"Accept-Encoding": "gzip"})
    parsed = client.get(f"{url}?_=1", headers={"Accept-Encoding": "gzip"})
    explicit = client.get(f"{url}?from={today - timedelta(days=29)}&to={today}", headers={"Accept-Encoding": "gzip"})
    assert bare.status_code == parsed.status_code == explicit.status_code == 200
    assert bare.data == parsed.data == explicit.data and bare.headers["ETag"] == explicit.headers["ETag"]
    assert gzip.decompress(bare.data).startswith(b'{"type":"FeatureCollection"' if url.endswith("geojson") else b"{")
    assert client.get(url, headers={"Accept-Encoding": "identity"}).headers.get("Content-Encoding") is None
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in spec["paths"][url]["get"]["parameters"] if p["in"] == "query"}
    assert names == {"from", "to"}
