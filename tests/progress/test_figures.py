"""Progress figures against a hand-computed expectation on a small fixed data set; exports."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from shapely.geometry import shape

from tests.builders import KAUMAN, KLOJEN_KEL, SUKUN, geodesic_length, post_log, review, track_in, upload_photo, wib
from tests.support import kelurahan_shapes

RANGE = "from=2026-10-01&to=2026-11-30"


@pytest.fixture
def dataset(client, cast, app) -> dict:
    """Five logs in Kauman and Sukun; Klojen (kelurahan) has nothing."""
    track = track_in(KAUMAN, 120)
    logs = {
        "approved_point": post_log(client, cast, KAUMAN, start=wib("2026-11-02"), length_m=25, sediment_m3=1.5,
                                   waste_kg=40),
        "pending_track": post_log(client, cast, KAUMAN, start=wib("2026-11-03", "08:00"), geometry=track,
                                  length_m=50, sediment_m3=2, waste_kg=10),
        "rejected": post_log(client, cast, KAUMAN, start=wib("2026-11-04"), length_m=30, sediment_m3=3,
                             waste_kg=100),
        # 06:30 WIB on the 1st is 23:30 UTC on 31 October: it counts on 1 November.
        "early": post_log(client, cast, KAUMAN, start=wib("2026-11-01", "06:30"), length_m=10, sediment_m3=0.5,
                          waste_kg=5),
        "sukun": post_log(client, cast, SUKUN, start=wib("2026-11-05"), who="crew_b", length_m=None,
                          sediment_m3=None, waste_kg=20),
        "september": post_log(client, cast, KAUMAN, start=wib("2026-09-30", "14:00"), length_m=999),
    }
    review(client, cast, logs["approved_point"]["id"], "approved", "sup_klojen")
    review(client, cast, logs["rejected"]["id"], "rejected", "sup_klojen", "Foto palsu")
    review(client, cast, logs["sukun"]["id"], "approved", "sup_city")
    for log, kinds in (("approved_point", ["before", "after"]), ("pending_track", ["before"]),
                       ("rejected", ["before", "after"])):
        for kind in kinds:
            upload_photo(client, cast, logs[log], kind)
    return {"logs": logs, "track_m": geodesic_length(track)}


def _expected(track_m: float) -> dict[str, dict]:
    zero = {"logs": 0, "approved": 0, "pending": 0, "rejected": 0, "length_m": 0.0, "approved_length_m": 0.0,
            "sediment_m3": 0.0, "waste_kg": 0.0, "photos": 0, "complete": 0, "last_work_date": None}
    kauman = {"logs": 4, "approved": 1, "pending": 2, "rejected": 1, "length_m": 25 + track_m + 10,
              "approved_length_m": 25.0, "sediment_m3": 1.5 + 2 + 0.5, "waste_kg": 40 + 10 + 5.0,
              "photos": 3, "complete": 1, "last_work_date": "2026-11-03"}
    sukun = dict(zero, logs=1, approved=1, waste_kg=20.0, last_work_date="2026-11-05")
    return {"zero": zero, KAUMAN: kauman, SUKUN: sukun}


def _figures(row: dict) -> dict:
    return {k: pytest.approx(v, abs=1e-3) if isinstance(v, float) else v for k, v in row.items()}


def test_figures_match_hand_computed_expectation(client, cast, dataset):
    body = client.get(f"/api/v1/progress?{RANGE}", headers=cast.headers("admin")).get_json()
    assert body["from"] == "2026-10-01" and body["to"] == "2026-11-30"
    rows = {row["code"]: row for row in body["kelurahan"]}
    assert len(rows) == 57
    expected = _expected(dataset["track_m"])
    assert dataset["track_m"] == pytest.approx(120, rel=0.01)
    for code in (KAUMAN, SUKUN, KLOJEN_KEL):
        row = rows[code]
        assert {k: row[k] for k in expected["zero"]} == _figures(expected.get(code, expected["zero"])), code
    assert rows[KAUMAN]["name"] == "Kauman" and rows[KAUMAN]["kecamatan_code"] == "35.73.02"
    assert sum(1 for row in rows.values() if row["logs"]) == 2
    totals = {k: v for k, v in body["totals"].items() if k in expected["zero"]}
    assert totals == _figures({
        "logs": 5, "approved": 2, "pending": 2, "rejected": 1, "length_m": 35 + dataset["track_m"],
        "approved_length_m": 25.0, "sediment_m3": 4.0, "waste_kg": 75.0, "photos": 3, "complete": 1,
        "last_work_date": "2026-11-05"})


def test_log_at_0630_wib_counts_on_its_wib_date(client, cast, dataset):
    def kauman(query: str) -> dict:
        body = client.get(f"/api/v1/progress?{query}", headers=cast.headers("admin")).get_json()
        return next(row for row in body["kelurahan"] if row["code"] == KAUMAN)

    assert kauman("from=2026-10-31&to=2026-10-31")["logs"] == 0
    first = kauman("from=2026-11-01&to=2026-11-01")
    assert first["logs"] == 1 and first["length_m"] == 10 and first["last_work_date"] == "2026-11-01"


def test_daily_series_has_every_wib_date_with_zeros(client, cast, dataset):
    resp = client.get("/api/v1/progress/daily?from=2026-10-30&to=2026-11-06", headers=cast.headers("admin"))
    assert resp.status_code == 200
    days = {row["date"]: row for row in resp.get_json()}
    assert list(days) == [f"2026-10-{d}" for d in (30, 31)] + [f"2026-11-0{d}" for d in range(1, 7)]
    zero = {"logs": 0, "length_m": 0.0, "sediment_m3": 0.0, "waste_kg": 0.0}
    assert days["2026-10-30"] == {"date": "2026-10-30", **zero}
    assert days["2026-10-31"]["logs"] == 0
    assert days["2026-11-01"] == {"date": "2026-11-01", "logs": 1, "length_m": 10.0, "sediment_m3": 0.5,
                                  "waste_kg": 5.0}
    assert days["2026-11-03"]["length_m"] == pytest.approx(dataset["track_m"], abs=1e-3)
    # A rejected log is a log of its day, but none of its measures count.
    assert days["2026-11-04"] == {"date": "2026-11-04", **zero, "logs": 1}
    assert days["2026-11-06"] == {"date": "2026-11-06", **zero}
    sukun = client.get(f"/api/v1/progress/daily?from=2026-11-01&to=2026-11-06&kelurahan_code={SUKUN}",
                       headers=cast.headers("admin")).get_json()
    assert [row["logs"] for row in sukun] == [0, 0, 0, 0, 1, 0]
    klojen = client.get("/api/v1/progress/daily?from=2026-11-01&to=2026-11-06&kecamatan_code=35.73.02",
                        headers=cast.headers("sup_klojen")).get_json()
    assert [row["logs"] for row in klojen] == [1, 1, 1, 1, 0, 0]


def test_csv_export_matches_json(client, cast, dataset):
    headers = cast.headers("sup_city")
    body = client.get(f"/api/v1/progress?{RANGE}", headers=headers).get_json()
    resp = client.get(f"/api/v1/progress?{RANGE}&format=csv", headers=headers)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert len(rows) == 58 and rows[-1]["code"] == "total"
    by_code = {row["code"]: row for row in rows}
    for expected in [*body["kelurahan"], dict(body["totals"], code="total")]:
        got = by_code[expected["code"]]
        for name in ("logs", "approved", "pending", "rejected", "photos", "complete"):
            assert int(got[name]) == expected[name]
        for name in ("length_m", "approved_length_m", "sediment_m3", "waste_kg"):
            assert float(got[name]) == pytest.approx(expected[name])
        assert (got["last_work_date"] or None) == expected["last_work_date"]


def test_geojson_export_has_polygons_and_figures(client, cast, dataset):
    headers = cast.headers("admin")
    body = client.get(f"/api/v1/progress?{RANGE}", headers=headers).get_json()
    resp = client.get(f"/api/v1/progress?{RANGE}&format=geojson", headers=headers)
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    collection = resp.get_json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 57
    rows = {row["code"]: row for row in body["kelurahan"]}
    for feature in collection["features"]:
        assert feature["properties"] == rows[feature["id"]]
        assert feature["geometry"]["type"] == "MultiPolygon"
    kauman = next(f for f in collection["features"] if f["id"] == KAUMAN)
    assert shape(kauman["geometry"]).symmetric_difference(kelurahan_shapes()[KAUMAN]).area < 1e-12
    assert collection["totals"]["logs"] == body["totals"]["logs"] == 5


def test_last_work_date_is_a_date(app, dataset):
    from satgas.services.progress import kelurahan_progress

    with app.app_context():
        rows = {r["code"]: r for r in kelurahan_progress(date(2026, 10, 1), date(2026, 11, 30))}
    assert rows[KAUMAN]["last_work_date"] == date(2026, 11, 3)
    assert rows[KLOJEN_KEL]["last_work_date"] is None
