"""Crew work-log sync: idempotent upload, spatial assignment, validation, listing, scope."""
from __future__ import annotations

import csv
import io
import threading
import uuid
from datetime import UTC

import pytest
from shapely.geometry import LineString, Point
from shapely.ops import transform
from sqlalchemy import func, select

from models import AuditEvent, WorkLog, db
from tests.builders import KAUMAN, KETAWANGGEDE, SUKUN, inside_point, log_payload
from tests.support import TO_WGS84, city_metric, metric_shapes


def send_log(client, cast, who="crew_a", **fields):
    """POST a fresh log; the test looks at the answer."""
    payload = log_payload(**fields)
    return payload, client.post("/api/v1/logs", json=payload, headers=cast.headers(who))


def count_logs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WorkLog))


def test_create_then_identical_replay_then_conflict(client, cast, app):
    payload, first = send_log(client, cast)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["status"] == "submitted" and body["submitted_by"] == "crew_a"
    assert body["kelurahan_code"] == KAUMAN and body["kecamatan_code"] == "35.73.02"
    assert body["crew_id"] == cast.crew_a_id and body["photos"] == [] and body["flags"] == []
    replay = client.post("/api/v1/logs", json=payload, headers=cast.headers("crew_a"))
    assert replay.status_code == 200 and replay.get_json()["id"] == payload["id"]
    changed = dict(payload, sediment_m3=9.0)
    conflict = client.post("/api/v1/logs", json=changed, headers=cast.headers("crew_a"))
    assert conflict.status_code == 409 and "different" in conflict.get_json()["message"]
    stored = client.get(f"/api/v1/logs/{payload['id']}", headers=cast.headers("crew_a")).get_json()
    assert stored["sediment_m3"] == 1.5
    assert count_logs(app) == 1


def test_same_instant_in_another_offset_is_the_same_content(client, cast):
    payload, first = send_log(client, cast)
    assert first.status_code == 201
    from datetime import datetime
    utc = {k: datetime.fromisoformat(payload[k]).astimezone(UTC).isoformat()
           for k in ("started_at", "finished_at")}
    replay = client.post("/api/v1/logs", json=dict(payload, **utc, waste_kg=40.0), headers=cast.headers("crew_a"))
    assert replay.status_code == 200


def test_work_date_is_the_wib_date(client, cast):
    # 06:30 WIB on the 1st is still the previous day in UTC.
    _, resp = send_log(client, cast, started_at="2026-11-01T06:30:00+07:00", finished_at="2026-11-01T08:00:00+07:00")
    assert resp.status_code == 201
    assert resp.get_json()["work_date"] == "2026-11-01"
    assert resp.get_json()["started_at"] == "2026-11-01T06:30:00+07:00"


@pytest.mark.parametrize("code", [KAUMAN, SUKUN, KETAWANGGEDE, "35.73.01.1002", "35.73.03.1005", "35.73.03.1004"])
def test_points_resolve_to_their_kelurahan(client, cast, code):
    lon, lat = inside_point(code)
    _, resp = send_log(client, cast, at=(lon, lat), kelurahan_code=code)
    assert resp.status_code == 201
    assert resp.get_json()["kelurahan_code"] == code
    assert resp.get_json()["kecamatan_code"] == code[:8]
    assert "kelurahan_mismatch" not in resp.get_json()["flags"]


def test_claimed_kelurahan_is_overridden_and_flagged(client, cast):
    _, resp = send_log(client, cast, kelurahan_code=SUKUN, gps_accuracy_m=80)
    body = resp.get_json()
    assert body["kelurahan_code"] == KAUMAN
    assert set(body["flags"]) == {"kelurahan_mismatch", "low_gps_accuracy"}


def _overlap_point() -> tuple[tuple[float, float], list[str]]:
    shapes = metric_shapes()
    codes = sorted(shapes)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            inter = shapes[a].intersection(shapes[b])
            if inter.area > 1000:
                p = transform(TO_WGS84, inter.representative_point())
                return (p.x, p.y), [a, b]
    raise AssertionError("the data has overlaps > 1000 m²")


def test_point_in_overlap_goes_to_the_same_kelurahan_every_time(client, cast):
    (lon, lat), codes = _overlap_point()
    results = {send_log(client, cast, at=(lon, lat))[1].get_json()["kelurahan_code"] for _ in range(3)}
    assert results == {min(codes)}


def _gap_point() -> tuple[float, float]:
    """A point in a sliver gap between kelurahan, inside the city outline."""
    union = city_metric()
    holes = [ring for poly in getattr(union, "geoms", [union]) for ring in poly.interiors]
    hole = max((LineString(r.coords) for r in holes), key=lambda r: r.length)
    from shapely.geometry import Polygon
    p = Polygon(hole).representative_point()
    assert not any(s.contains(p) for s in metric_shapes().values())
    return p


def test_point_in_gap_goes_to_nearest_kelurahan(client, cast):
    p = _gap_point()
    nearest = min(metric_shapes().items(), key=lambda kv: (kv[1].distance(p), kv[0]))[0]
    wgs = transform(TO_WGS84, p)
    _, resp = send_log(client, cast, at=(wgs.x, wgs.y))
    assert resp.status_code == 201
    assert resp.get_json()["kelurahan_code"] == nearest
    assert "outside_boundary" not in resp.get_json()["flags"]


def test_track_crossing_a_border_goes_to_the_kelurahan_with_most_length(client, cast):
    shapes = metric_shapes()
    a, b = shapes[KAUMAN], shapes["35.73.02.1006"]  # Kauman and its neighbour Kasin
    start, end = a.representative_point(), b.representative_point()
    track = LineString([start, end])
    expected = max((KAUMAN, "35.73.02.1006"), key=lambda c: shapes[c].intersection(track).length)
    wgs = transform(TO_WGS84, track)
    geometry = {"type": "LineString", "coordinates": [list(c) for c in wgs.coords]}
    _, resp = send_log(client, cast, geometry=geometry)
    body = resp.get_json()
    assert resp.status_code == 201 and body["kelurahan_code"] == expected
    assert body["measured_length_m"] == pytest.approx(track.length, rel=0.01)


def _outside_point(metres: float) -> tuple[float, float]:
    union = city_metric()
    minx, _, _, _ = union.bounds
    west = min(union.exterior.coords if hasattr(union, "exterior") else union.geoms[0].exterior.coords)
    p = Point(west[0] - metres, west[1])
    assert p.x < minx
    wgs = transform(TO_WGS84, p)
    return wgs.x, wgs.y


def test_point_just_outside_city_is_kept_and_flagged(client, cast):
    lon, lat = _outside_point(100)
    _, resp = send_log(client, cast, at=(lon, lat))
    assert resp.status_code == 201
    assert "outside_boundary" in resp.get_json()["flags"]
    assert resp.get_json()["kelurahan_code"].startswith("35.73.")


def test_point_far_outside_city_is_422(client, cast, app):
    lon, lat = _outside_point(1000)
    _, resp = send_log(client, cast, at=(lon, lat))
    assert resp.status_code == 422
    assert "outside Kota Malang" in resp.get_json()["message"]
    assert count_logs(app) == 0


def test_swapped_coordinates_get_a_hint(client, cast, app):
    lon, lat = inside_point(KAUMAN)
    _, resp = send_log(client, cast, at=(lat, lon))
    assert resp.status_code == 422
    assert "swapped" in resp.get_data(as_text=True)
    assert count_logs(app) == 0


BAD_INPUTS = {
    "naive timestamp": {"started_at": "2026-11-01T07:30:00"},
    "future": {"started_at": "2099-01-01T07:30:00+07:00", "finished_at": "2099-01-01T08:30:00+07:00"},
    "finished before started": {"finished_at": "2020-01-01T07:30:00+07:00"},
    "unknown activity": {"activity": "sleeping"},
    "negative measure": {"sediment_m3": -1},
    "wrong geometry type": {"geometry": {"type": "Polygon", "coordinates": [[[112.6, -7.9], [112.61, -7.9],
                                                                              [112.6, -7.91], [112.6, -7.9]]]}},
    "one-point line": {"geometry": {"type": "LineString", "coordinates": [[112.63, -7.98]]}},
    "nan coordinate": {"geometry": {"type": "Point", "coordinates": ["NaN", -7.98]}},
    "out of range": {"geometry": {"type": "Point", "coordinates": [212.63, -7.98]}},
    "self-overlapping": {"geometry": {"type": "LineString",
                                      "coordinates": [[112.630, -7.980], [112.631, -7.980], [112.630, -7.980]]}},
    "notes too long": {"notes": "x" * 2001},
    "unknown field": {"colour": "red"},
    "bad uuid": {"id": "not-a-uuid"},
    "missing geometry": {"geometry": None},
    "sql in code": {"kelurahan_code": "'; DROP TABLE work_logs; --"},
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_422_with_message_and_stores_nothing(client, cast, app, case):
    _, resp = send_log(client, cast, **BAD_INPUTS[case])
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert body["message"] and body["errors"]
    assert count_logs(app) == 0


def test_crew_cannot_log_for_another_crew(client, cast, app):
    _, resp = send_log(client, cast, crew_id=cast.crew_b_id)
    assert resp.status_code == 403
    assert count_logs(app) == 0


def test_supervisor_cannot_create_logs(client, cast):
    _, resp = send_log(client, cast, who="sup_city")
    assert resp.status_code == 403


def test_batch_partial_success_in_order(client, cast, app):
    good, dup = log_payload(), log_payload()
    client.post("/api/v1/logs", json=dup, headers=cast.headers("crew_a"))
    conflict = dict(dup, waste_kg=999)
    bad = log_payload(activity="sleeping")
    also_good = log_payload(SUKUN)
    resp = client.post("/api/v1/logs/batch", json={"logs": [good, dup, conflict, bad, also_good]},
                       headers=cast.headers("crew_a"))
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert [r["status"] for r in results] == ["created", "unchanged", "conflict", "invalid", "created"]
    assert [r["id"] for r in results] == [p["id"] for p in (good, dup, conflict, bad, also_good)]
    assert "activity" in results[3]["errors"]
    assert count_logs(app) == 3
    retry = client.post("/api/v1/logs/batch", json={"logs": [good, also_good]}, headers=cast.headers("crew_a"))
    assert [r["status"] for r in retry.get_json()["results"]] == ["unchanged", "unchanged"]
    assert count_logs(app) == 3


def test_batch_limits(client, cast):
    resp = client.post("/api/v1/logs/batch", json={"logs": [log_payload() for _ in range(501)]},
                       headers=cast.headers("crew_a"))
    assert resp.status_code == 422
    assert client.post("/api/v1/logs/batch", json={"logs": []}, headers=cast.headers("crew_a")).status_code == 422


def test_concurrent_replays_store_one_log(app, cast):
    payload = log_payload()
    statuses = []
    start = threading.Barrier(6)

    def send():
        with app.test_client() as c:
            start.wait()  # all six replays leave at the same moment
            statuses.append(c.post("/api/v1/logs", json=payload, headers=cast.headers("crew_a")).status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert count_logs(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_history_starts_with_creation(client, cast):
    payload, _ = send_log(client, cast)
    history = client.get(f"/api/v1/logs/{payload['id']}/history", headers=cast.headers("crew_a")).get_json()
    assert history[0]["action"] == "created" and history[0]["actor"] == "crew_a"


def test_scope_crew_and_supervisor(client, cast):
    a, _ = send_log(client, cast)  # Kauman, Klojen
    lon, lat = inside_point(SUKUN)
    b, _ = send_log(client, cast, who="crew_b", at=(lon, lat))
    assert client.get(f"/api/v1/logs/{b['id']}", headers=cast.headers("crew_a")).status_code == 404
    assert client.get(f"/api/v1/logs/{a['id']}", headers=cast.headers("crew_b")).status_code == 404
    assert client.get(f"/api/v1/logs/{b['id']}", headers=cast.headers("sup_klojen")).status_code == 404
    assert client.get(f"/api/v1/logs/{a['id']}", headers=cast.headers("sup_klojen")).status_code == 200
    seen = client.get("/api/v1/logs", headers=cast.headers("crew_a")).get_json()
    assert [i["id"] for i in seen["items"]] == [a["id"]]
    klojen = client.get("/api/v1/logs", headers=cast.headers("sup_klojen")).get_json()
    assert [i["id"] for i in klojen["items"]] == [a["id"]]
    city = client.get("/api/v1/logs", headers=cast.headers("sup_city")).get_json()
    assert city["total"] == 2


def test_list_filters_paging_and_order(client, cast):
    ids = []
    for day in range(1, 6):
        p, r = send_log(client, cast, started_at=f"2026-11-0{day}T08:00:00+07:00",
                        finished_at=f"2026-11-0{day}T09:00:00+07:00",
                        activity="culvert_cleaning" if day % 2 else "drain_cleaning")
        assert r.status_code == 201
        ids.append(p["id"])
    lon, lat = inside_point(SUKUN)
    send_log(client, cast, at=(lon, lat), kelurahan_code=KAUMAN)
    h = cast.headers("admin")
    page = client.get("/api/v1/logs?from=2026-11-02&to=2026-11-04&page_size=2", headers=h).get_json()
    assert page["total"] == 3 and page["page_size"] == 2
    assert [i["id"] for i in page["items"]] == [ids[3], ids[2]]
    page2 = client.get("/api/v1/logs?from=2026-11-02&to=2026-11-04&page_size=2&page=2", headers=h).get_json()
    assert [i["id"] for i in page2["items"]] == [ids[1]]
    assert client.get("/api/v1/logs?activity=culvert_cleaning", headers=h).get_json()["total"] == 3
    assert client.get(f"/api/v1/logs?kelurahan_code={SUKUN}", headers=h).get_json()["total"] == 1
    assert client.get("/api/v1/logs?kecamatan_code=35.73.02", headers=h).get_json()["total"] == 5
    assert client.get("/api/v1/logs?flag=kelurahan_mismatch", headers=h).get_json()["total"] == 1
    assert client.get(f"/api/v1/logs?crew_id={cast.crew_a_id}", headers=h).get_json()["total"] == 6
    assert client.get("/api/v1/logs?status=approved", headers=h).get_json()["total"] == 0
    klon, klat = inside_point(KAUMAN)
    bbox = f"{klon - 0.001},{klat - 0.001},{klon + 0.001},{klat + 0.001}"
    assert client.get(f"/api/v1/logs?bbox={bbox}", headers=h).get_json()["total"] == 5


@pytest.mark.parametrize("query", ["kecamatan_code=35.73.02' OR '1'='1", "crew_id=1;DROP TABLE users",
                                   "bbox=1,2,3", "from=yesterday", "page_size=501", "flag=evil",
                                   "status=approved%27--", "from=2026-11-05&to=2026-11-01"])
def test_bad_filters_are_422(client, cast, query):
    resp = client.get(f"/api/v1/logs?{query}", headers=cast.headers("admin"))
    assert resp.status_code == 422 and resp.get_json()["message"]


def test_geojson_and_csv_formats(client, cast):
    payload, _ = send_log(client, cast, notes="=HYPERLINK(\"http://evil\")")
    geo = client.get("/api/v1/logs?format=geojson", headers=cast.headers("admin"))
    assert geo.mimetype == "application/geo+json"
    feature = geo.get_json()["features"][0]
    assert feature["geometry"]["type"] == "Point" and feature["properties"]["id"] == payload["id"]
    resp = client.get("/api/v1/logs?format=csv", headers=cast.headers("admin"))
    assert resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert len(rows) == 1 and rows[0]["id"] == payload["id"]
    assert rows[0]["kelurahan_code"] == KAUMAN and rows[0]["geometry_wkt"].startswith("POINT")
    assert rows[0]["notes"].startswith("'=")


def test_sync_status_reports_what_is_held(client, cast):
    stored, _ = send_log(client, cast)
    lon, lat = inside_point(SUKUN)
    other, _ = send_log(client, cast, who="crew_b", at=(lon, lat))
    unknown = str(uuid.uuid4())
    resp = client.post("/api/v1/sync/status", json={"ids": [unknown, stored["id"], other["id"]]},
                       headers=cast.headers("crew_a"))
    assert resp.status_code == 200
    logs = resp.get_json()["logs"]
    assert [(entry["id"], entry["stored"]) for entry in logs] == [(unknown, False), (stored["id"], True),
                                                                  (other["id"], False)]
    assert logs[1]["status"] == "submitted" and logs[1]["photos"] == []
    bad = client.post("/api/v1/sync/status", json={"ids": ["x"]}, headers=cast.headers("crew_a"))
    assert bad.status_code == 422


def test_a_changed_replay_far_outside_the_city_is_a_conflict_not_a_geometry_error(client, cast, app):
    payload, first = send_log(client, cast)
    assert first.status_code == 201
    moved = dict(payload, geometry={"type": "Point", "coordinates": [110.0, -7.0]})
    resp = client.post("/api/v1/logs", json=moved, headers=cast.headers("crew_a"))
    assert resp.status_code == 409 and "different" in resp.get_json()["message"]
    assert count_logs(app) == 1
