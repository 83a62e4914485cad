"""GET /api/v1/drains and /api/v1/drains/overdue: properties, the overdue rule, scope per role."""
from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.ops import substring

from satgas.timeutil import wib_today
from tests.builders import KAUMAN, SUKUN, along, line_in, load_network, post_log, review, wib
from tests.support import metric_shapes

OVERDUE = "/api/v1/drains/overdue?days=90"


@pytest.fixture
def network(app, tmp_path):
    """Four drains: two in Kauman (Klojen), two in Sukun, of distinct lengths."""
    kauman, sukun = line_in(KAUMAN, 400), line_in(SUKUN, 300)
    lines = {"kauman_long": kauman, "kauman_short": _beside(kauman, KAUMAN, 200),
             "sukun_long": sukun, "sukun_short": _beside(sukun, SUKUN, 100)}
    load_network(app, tmp_path, list(lines.values()), kind="tersier")
    return lines


def _beside(line, code: str, metres: float):
    """A parallel drain 50 m to the side of `line` (further than any track reaches), inside the kelurahan."""
    for offset in (50, -50):
        other = substring(line.offset_curve(offset), 0, metres)
        if metric_shapes()[code].buffer(-20).contains(other):
            return other
    raise AssertionError(f"no parallel drain fits in {code}")


def _features(client, cast, path: str, who: str = "admin") -> list[dict]:
    resp = client.get(path, headers=cast.headers(who))
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json", resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def _ago(days: int) -> str:
    return wib((wib_today() - timedelta(days=days)).isoformat(), "08:00")


def _clean(client, cast, drain, days_ago: int, decision: str | None = "approved", who: str = "crew_a") -> dict:
    code = KAUMAN if who == "crew_a" else SUKUN
    log = post_log(client, cast, code, who, geometry=along(drain, 0, drain.length, 4), length_m=None,
                   start=_ago(days_ago))
    if decision:
        review(client, cast, log["id"], decision, note=None if decision == "approved" else "Tidak sesuai")
    return log


def _by_length(features: list[dict]) -> list[float]:
    return [round(f["properties"]["length_m"]) for f in features]


def test_overdue_lists_the_segments_not_cleaned_in_the_last_90_days_longest_first(client, cast, network):
    _clean(client, cast, network["kauman_short"], 10)
    _clean(client, cast, network["kauman_short"], 200)
    _clean(client, cast, network["sukun_short"], 91, who="crew_b")  # 91 days ago: more than 90
    _clean(client, cast, network["kauman_long"], 1, "rejected")
    _clean(client, cast, network["sukun_long"], 1, None, who="crew_b")  # pending
    assert _by_length(_features(client, cast, OVERDUE)) == [400, 300, 100]
    assert _by_length(_features(client, cast, "/api/v1/drains/overdue?days=100")) == [400, 300]
    assert _by_length(_features(client, cast, "/api/v1/drains/overdue")) == [400, 300, 100]  # 90 by default

    listed = {round(f["properties"]["length_m"]): f for f in _features(client, cast, "/api/v1/drains")}
    short = listed[200]["properties"]
    assert short["last_cleaned_on"] == (wib_today() - timedelta(days=10)).isoformat()
    assert short["cleanings"] == 2 and short["covered_m"] == pytest.approx(200, abs=1)
    assert short["kelurahan_code"] == KAUMAN and short["kecamatan_code"] == "35.73.02" and short["kind"] == "tersier"
    assert listed[400]["properties"]["last_cleaned_on"] is None and listed[400]["properties"]["cleanings"] == 0
    assert listed[400]["geometry"]["type"] == "LineString"


def test_scope_a_klojen_supervisor_sees_klojen_crews_see_the_city(client, cast, network):
    assert _by_length(_features(client, cast, OVERDUE, "sup_klojen")) == [400, 200]
    assert sorted(_by_length(_features(client, cast, "/api/v1/drains", "sup_klojen"))) == [200, 400]
    assert _by_length(_features(client, cast, OVERDUE, "sup_city")) == [400, 300, 200, 100]
    assert _by_length(_features(client, cast, OVERDUE, "crew_a")) == [400, 300, 200, 100]
    assert _by_length(_features(client, cast, f"{OVERDUE}&kecamatan_code=35.73.04", "crew_a")) == [300, 100]
    assert _by_length(_features(client, cast, f"{OVERDUE}&kelurahan_code={SUKUN}", "admin")) == [300, 100]
    for path in (f"{OVERDUE}&kecamatan_code=35.73.04", f"/api/v1/drains?kelurahan_code={SUKUN}"):
        assert client.get(path, headers=cast.headers("sup_klojen")).status_code == 403


def test_filters_and_bad_input(client, cast, network):
    kauman = _features(client, cast, f"/api/v1/drains?kelurahan_code={KAUMAN}")
    assert len(kauman) == 2
    lons = [c[0] for f in kauman for c in f["geometry"]["coordinates"]]
    lats = [c[1] for f in kauman for c in f["geometry"]["coordinates"]]
    bbox = f"{min(lons) - 1e-4},{min(lats) - 1e-4},{max(lons) + 1e-4},{max(lats) + 1e-4}"
    assert len(_features(client, cast, f"/api/v1/drains?bbox={bbox}")) == 2
    assert _features(client, cast, "/api/v1/drains?bbox=112.0,-8.5,112.1,-8.4") == []
    for path, status in (("/api/v1/drains?kelurahan_code=35.73.09.9999", 422),
                         (f"/api/v1/drains?kelurahan_code={KAUMAN}&kecamatan_code=35.73.02", 422),
                         ("/api/v1/drains?bbox=1,2,3", 422), ("/api/v1/drains/overdue?days=-1", 422)):
        resp = client.get(path, headers=cast.headers("admin"))
        assert resp.status_code == status and resp.get_json()["message"], path


def test_without_a_network_the_lists_are_empty(client, cast):
    assert _features(client, cast, "/api/v1/drains") == []
    assert _features(client, cast, OVERDUE, "crew_b") == []
