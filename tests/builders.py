"""The one way tests make things: logs through the API, photos through the API, reviews through the API.

Everything goes through the HTTP API as a phone or a supervisor would, so a test never
builds state the service itself could not have built (the rollup, the audit trail, flags).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from pyproj import Geod
from shapely.affinity import translate
from shapely.geometry import LineString, mapping
from shapely.ops import transform
from sqlalchemy import select

from models import Photo, db
from tests.images import during_work, jpeg, jpeg_with_secrets
from tests.support import TO_WGS84, WIB, Cast, kelurahan_shapes, metric_shapes

# Kelurahan (and their kecamatan) the tests use by name.
KAUMAN, KLOJEN_KEL, SUKOHARJO = "35.73.02.1007", "35.73.02.1001", "35.73.02.1005"
SUKUN, KETAWANGGEDE, BALEARJOSARI = "35.73.04.1005", "35.73.05.1006", "35.73.01.1001"
KLOJEN_KEC, SUKUN_KEC = "35.73.02", "35.73.04"
GEOD = Geod(ellps="WGS84")


def inside_point(code: str) -> tuple[float, float]:
    p = kelurahan_shapes()[code].representative_point()
    return p.x, p.y


def point_in(code: str) -> dict:
    """A GeoJSON Point well inside the kelurahan."""
    return {"type": "Point", "coordinates": list(inside_point(code))}


def track_in(code: str, metres: float) -> dict:
    """A straight track of about `metres` wholly inside the kelurahan (GeoJSON LineString)."""
    polygon = metric_shapes()[code]
    start = polygon.representative_point()
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (0.7, 0.7), (-0.7, -0.7)):
        line = LineString([start, translate(start, dx * metres, dy * metres)])
        if polygon.buffer(-5).contains(line):
            return mapping(transform(TO_WGS84, line))
    raise AssertionError(f"no straight {metres} m track fits in {code}")


def geodesic_length(geometry: dict) -> float:
    lons, lats = zip(*geometry["coordinates"], strict=True)
    return GEOD.line_length(lons, lats)


def wib(day: str, clock: str = "07:30") -> str:
    """An RFC 3339 timestamp of a WIB wall-clock time."""
    return f"{day}T{clock}:00+07:00"


def log_payload(code: str = KAUMAN, *, at: tuple[float, float] | None = None, start: str | None = None,
                hours: float = 2, **fields: Any) -> dict:
    """A valid log as a phone sends it: a point in kelurahan `code` (or `at` = (lon, lat)), started
    at `start` (default 07:30 WIB yesterday) and `hours` long; `fields` override or add any field
    (a None is sent as null)."""
    if start is None:
        begin = (datetime.now(WIB) - timedelta(days=1)).replace(hour=7, minute=30, second=0, microsecond=0)
    else:
        begin = datetime.fromisoformat(start)
    payload = {
        "id": str(uuid.uuid4()),
        "activity": "drain_cleaning",
        "started_at": begin.isoformat(),
        "finished_at": (begin + timedelta(hours=hours)).isoformat(),
        "geometry": {"type": "Point", "coordinates": list(at)} if at else point_in(code),
        "length_m": 25.0,
        "sediment_m3": 1.5,
        "waste_kg": 40,
        "workers": 4,
        "notes": "Saluran depan pasar",
    }
    payload.update(fields)
    return payload


def post_log(client, cast: Cast, code: str = KAUMAN, who: str = "crew_a", *, expect: int | None = 201,
             **fields: Any) -> dict:
    """POST a log (see `log_payload`) as `who`; returns the answer's JSON (the stored log on 201)."""
    resp = client.post("/api/v1/logs", json=log_payload(code, **fields), headers=cast.headers(who))
    if expect is not None:
        assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def review(client, cast: Cast, log_id: str, decision: str = "approved", who: str = "sup_city",
           note: str | None = None, *, expect: int | None = 200):
    """A supervisor's decision through the API; returns the response."""
    body = {"decision": decision} if note is None else {"decision": decision, "note": note}
    resp = client.post(f"/api/v1/logs/{log_id}/review", json=body, headers=cast.headers(who))
    if expect is not None:
        assert resp.status_code == expect, resp.get_json()
    return resp


def upload_photo(client, cast: Cast, log: dict, kind: str = "before", data: bytes | None = None,
                 who: str = "crew_a", photo_id: str | None = None, *, expect: int | None = 201, **headers):
    """PUT a photo (default: a JPEG taken during the work) to the log; returns the response."""
    photo_id = photo_id or str(uuid.uuid4())
    body = data if data is not None else jpeg(variant=uuid.UUID(photo_id).int % 100_000, taken=during_work(log))
    resp = client.put(f"/api/v1/logs/{log['id']}/photos/{photo_id}?kind={kind}", data=body,
                      headers={**cast.headers(who), "Content-Type": "image/jpeg", **headers})
    if expect is not None:
        assert resp.status_code == expect, resp.get_json()
    return resp


def upload_secret_photo(client, cast: Cast, log: dict, kind: str = "after", who: str = "crew_a",
                        variant: int = 0) -> dict:
    """Upload a photo full of EXIF secrets (see `jpeg_with_secrets`); returns {id, public_id, kind}."""
    coords = log["geometry"]["coordinates"]
    lon, lat = coords if log["geometry"]["type"] == "Point" else coords[0]
    photo_id = upload_photo(client, cast, log, kind, jpeg_with_secrets(lon, lat, variant), who).get_json()["id"]
    with client.application.app_context():
        public_id = db.session.scalar(select(Photo.public_id).where(Photo.id == uuid.UUID(photo_id)))
    return {"id": photo_id, "public_id": public_id, "kind": kind}


# ---- the drain network (loaded through the CLI, as an operator does) ----

def line_in(code: str, metres: float, margin: float = 60.0) -> LineString:
    """A straight line (UTM 49S metres) of `metres` inside the kelurahan, `margin` from its edge."""
    polygon = metric_shapes()[code]
    start = polygon.representative_point()
    for dx, dy in ((0, -1), (1, 0), (-1, 0), (0, 1), (0.7, 0.7), (-0.7, -0.7), (0.7, -0.7), (-0.7, 0.7)):
        line = LineString([start, translate(start, dx * metres, dy * metres)])
        if polygon.buffer(-margin).contains(line):
            return line
    raise AssertionError(f"no straight {metres} m line fits in {code} {margin} m from its edge")


def _piece(line: LineString, start: float, end: float, offset: float) -> LineString:
    """Metres `start`..`end` along the line, shifted `offset` metres to its left."""
    from shapely.ops import substring

    return substring(line, start, end).offset_curve(offset) if offset else substring(line, start, end)


def along(line: LineString, start: float, end: float, offset: float = 0.0) -> dict:
    """GeoJSON LineString (WGS 84) walking metres `start`..`end` of `line`, `offset` metres beside it."""
    return mapping(transform(TO_WGS84, _piece(line, start, end, offset)))


def point_along(line: LineString, at: float, offset: float = 0.0) -> dict:
    """GeoJSON Point (WGS 84) `at` metres along `line`, `offset` metres beside it."""
    spot = line.interpolate(at)
    if offset:
        spot = _piece(line, max(0.0, at - 1), min(line.length, at + 1), offset).interpolate(0.5, normalized=True)
    return mapping(transform(TO_WGS84, spot))


def network_file(path, lines: list, **properties: Any):
    """A GeoJSON file (EPSG:4326) of the metric `lines`, each with `properties`."""
    import json

    features = [{"type": "Feature", "geometry": mapping(transform(TO_WGS84, line)), "properties": dict(properties)}
                for line in lines]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def import_network(app, path, *options: str, expect_ok: bool = True):
    """`flask drains import PATH [options]` on the app; returns the click result."""
    result = app.test_cli_runner().invoke(args=["drains", "import", str(path), *options])
    if expect_ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def load_network(app, tmp_path, lines: list, **properties: Any):
    """Import the metric `lines` as the whole network (replacing any); returns the click result."""
    return import_network(app, network_file(tmp_path / f"network-{uuid.uuid4().hex[:6]}.geojson", lines,
                                            **properties), "--replace")
def add_webhook(client, cast: Cast, url: str, events: tuple[str, ...] = ("log.approved",), who: str = "admin",
                *, expect: int | None = 201, **fields: Any) -> dict:
    """Register a webhook endpoint through the API; returns the answer's JSON (with the secret on 201)."""
    resp = client.post("/api/v1/webhooks", json={"url": url, "events": list(events), **fields},
                       headers=cast.headers(who))
    if expect is not None:
        assert resp.status_code == expect, resp.get_json()
    return resp.get_json()
