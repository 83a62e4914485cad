"""Who sees which progress, and what a bad query answers."""
from __future__ import annotations

import pytest

from tests.builders import KAUMAN, KLOJEN_KEC, SUKUN, SUKUN_KEC, post_log, wib

RANGE = "from=2026-11-01&to=2026-11-30"
KLOJEN_KELURAHAN = [f"35.73.02.10{n:02d}" for n in range(1, 12)]


def test_klojen_supervisor_sees_only_klojen(client, cast):
    post_log(client, cast, KAUMAN, start=wib("2026-11-10"))
    post_log(client, cast, SUKUN, start=wib("2026-11-10"), who="crew_b")
    for query in (RANGE, f"{RANGE}&kecamatan_code={KLOJEN_KEC}"):
        resp = client.get(f"/api/v1/progress?{query}", headers=cast.headers("sup_klojen"))
        assert resp.status_code == 200
        body = resp.get_json()
        assert [row["code"] for row in body["kelurahan"]] == KLOJEN_KELURAHAN
        assert {row["kecamatan_code"] for row in body["kelurahan"]} == {KLOJEN_KEC}
        assert body["totals"]["logs"] == 1 and body["totals"]["kelurahan"] == 11
    daily = client.get(f"/api/v1/progress/daily?{RANGE}", headers=cast.headers("sup_klojen")).get_json()
    assert sum(day["logs"] for day in daily) == 1


def test_city_supervisor_and_admin_see_everything_or_one_kecamatan(client, cast):
    post_log(client, cast, SUKUN, start=wib("2026-11-10"), who="crew_b")
    for who in ("sup_city", "admin"):
        city = client.get(f"/api/v1/progress?{RANGE}", headers=cast.headers(who)).get_json()
        assert len(city["kelurahan"]) == 57 and city["totals"]["logs"] == 1
        sukun = client.get(f"/api/v1/progress?{RANGE}&kecamatan_code={SUKUN_KEC}", headers=cast.headers(who))
        assert len(sukun.get_json()["kelurahan"]) == 11 and sukun.get_json()["totals"]["logs"] == 1


@pytest.mark.parametrize("path", [f"/api/v1/progress?{RANGE}", f"/api/v1/progress?{RANGE}&format=csv",
                                  f"/api/v1/progress/daily?{RANGE}", "/api/v1/progress?from=bad"])
def test_crew_gets_403(client, cast, path):
    resp = client.get(path, headers=cast.headers("crew_a"))
    assert resp.status_code == 403 and resp.get_json()["message"]


@pytest.mark.parametrize("query", [f"/api/v1/progress?{RANGE}&kecamatan_code={SUKUN_KEC}",
                                   f"/api/v1/progress?{RANGE}&kecamatan_code={SUKUN_KEC}&format=geojson",
                                   f"/api/v1/progress/daily?{RANGE}&kecamatan_code={SUKUN_KEC}",
                                   f"/api/v1/progress/daily?{RANGE}&kelurahan_code={SUKUN}"])
def test_klojen_supervisor_asking_for_sukun_gets_403(client, cast, query):
    resp = client.get(query, headers=cast.headers("sup_klojen"))
    assert resp.status_code == 403 and "35.73.02" in resp.get_json()["message"]


@pytest.mark.parametrize("query", [
    "", "from=2026-11-01", "to=2026-11-01", "from=2026-11-05&to=2026-11-01", "from=yesterday&to=2026-11-01",
    "from=2020-01-01&to=2026-11-01", f"{RANGE}&format=xml", f"{RANGE}&kecamatan_code=35.73.02' OR 1=1",
    f"{RANGE}&kecamatan_code=35.73.09",
])
def test_bad_progress_query_is_422(client, cast, query):
    resp = client.get(f"/api/v1/progress?{query}", headers=cast.headers("admin"))
    assert resp.status_code == 422 and resp.get_json()["message"]


@pytest.mark.parametrize("query", [
    f"{RANGE}&kelurahan_code={KAUMAN}&kecamatan_code={KLOJEN_KEC}", f"{RANGE}&kelurahan_code=35.73.02.9999",
    "from=2026-11-05&to=2026-11-01", "from=2023-01-01&to=2026-11-01", f"{RANGE}&kelurahan_code=Kauman",
])
def test_bad_daily_query_is_422(client, cast, query):
    resp = client.get(f"/api/v1/progress/daily?{query}", headers=cast.headers("admin"))
    assert resp.status_code == 422 and resp.get_json()["message"]


def test_range_limits(client, cast):
    headers = cast.headers("admin")
    three_years = client.get("/api/v1/progress/daily?from=2023-11-30&to=2026-11-30", headers=headers)
    assert three_years.status_code == 200 and len(three_years.get_json()) == 1097
    one_day = client.get("/api/v1/progress?from=2026-11-30&to=2026-11-30", headers=headers)
    assert one_day.status_code == 200 and one_day.get_json()["totals"]["logs"] == 0


def test_openapi_documents_review_and_progress(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method in (("/api/v1/logs/{log_id}/review", "post"), ("/api/v1/progress", "get"),
                         ("/api/v1/progress/daily", "get")):
        operation = spec["paths"][path][method]
        assert operation["summary"] and "200" in operation["responses"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]
    progress_formats = spec["paths"]["/api/v1/progress"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/geo+json"} <= set(progress_formats)
