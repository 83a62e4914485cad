"""`flask drains import`: formats and CRSs, splitting at kelurahan boundaries, bad files, --replace."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString
from shapely.ops import transform
from sqlalchemy import func, select

from models import DrainSegment, db
from tests.builders import (
    KAUMAN,
    KLOJEN_KEL,
    SUKUN,
    along,
    import_network,
    line_in,
    load_network,
    network_file,
    post_log,
    review,
    wib,
)
from tests.support import TO_WGS84, metric_shapes

CROSSING_TO = "35.73.02.1001"  # Klojen: the straight line from Kauman's inside to its inside crosses one boundary


def _lines() -> list[LineString]:
    """A few drains in metres: one crossing from Kauman into Klojen, one leaving the city."""
    kauman, klojen = (metric_shapes()[c].representative_point() for c in (KAUMAN, CROSSING_TO))
    city_edge = metric_shapes()["35.73.05.1006"]  # Ketawanggede, on the north-west edge of the city
    inside = city_edge.representative_point()
    leaving = LineString([inside, (inside.x - 8000, inside.y)])
    return [LineString([kauman, klojen]), line_in(SUKUN, 300), line_in(KLOJEN_KEL, 250), leaving]


def _write(path, lines, crs: str, driver: str):
    geometries = lines if crs == "EPSG:32749" else [transform(TO_WGS84, line) for line in lines]
    names = np.array([f"Saluran {i}" for i in range(len(lines))], dtype=object)
    kinds = np.array(["primer", None, "tersier", "sekunder"], dtype=object)[:len(lines)]
    pyogrio.raw.write(path, np.array(shapely.to_wkb(geometries), dtype=object), [names, kinds], ["name", "kind"],
                      driver=driver, crs=crs, geometry_type="LineString")
    return path


def _shapefile_zip(tmp_path, lines, crs="EPSG:4326", keep_prj=True):
    folder = tmp_path / "shp"
    folder.mkdir()
    _write(folder / "saluran.shp", lines, crs, "ESRI Shapefile")
    archive = tmp_path / "saluran.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in folder.iterdir():
            if keep_prj or part.suffix != ".prj":
                zipped.write(part, part.name)
    return archive


def _network(app) -> tuple[int, float]:
    with app.app_context():
        count, total = db.session.execute(select(func.count(DrainSegment.id), func.sum(DrainSegment.length_m))).one()
        db.session.remove()
    return count, float(total or 0)


def test_geojson_geopackage_and_zipped_shapefile_give_the_same_network(app, tmp_path):
    lines = _lines()
    files = {"geojson": _write(tmp_path / "saluran.geojson", lines, "EPSG:4326", "GeoJSON"),
             "gpkg": _write(tmp_path / "saluran.gpkg", lines, "EPSG:32749", "GPKG"),
             "zip": _shapefile_zip(tmp_path, lines)}
    lengths = {}
    for kind, path in files.items():
        result = import_network(app, path, "--replace")
        assert "35.73.02 Klojen" in result.output and "km" in result.output, result.output
        assert "outside Kota Malang" in result.output
        lengths[kind] = _network(app)[1]
    inside = sum(line.intersection(shapely.union_all(list(metric_shapes().values()))).length for line in lines)
    for kind, length in lengths.items():
        assert length == pytest.approx(inside, rel=1e-3), kind
    assert lengths["gpkg"] == pytest.approx(lengths["geojson"], rel=1e-3)
    assert lengths["zip"] == pytest.approx(lengths["geojson"], rel=1e-3)


def test_a_line_crossing_two_kelurahan_becomes_two_segments(app, client, cast, tmp_path):
    crossing = _lines()[0]
    load_network(app, tmp_path, [crossing], name="Saluran lintas", kind="sekunder")
    body = client.get("/api/v1/drains", headers=cast.headers("admin")).get_json()
    assert sorted(f["properties"]["kelurahan_code"] for f in body["features"]) == sorted([KAUMAN, CROSSING_TO])
    assert {f["properties"]["name"] for f in body["features"]} == {"Saluran lintas"}
    parts = {f["properties"]["kelurahan_code"]: f["properties"]["length_m"] for f in body["features"]}
    for code, length in parts.items():
        assert length == pytest.approx(crossing.intersection(metric_shapes()[code]).length, abs=2.0)
    assert sum(parts.values()) == pytest.approx(crossing.length, rel=1e-3)


def _bad_files(tmp_path) -> dict[str, tuple]:
    lines = _lines()[1:3]
    points = tmp_path / "points.geojson"
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [112.63, -7.98]}}]}))
    broken = tmp_path / "broken.geojson"
    network_file(broken, lines)
    collection = json.loads(broken.read_text())
    collection["features"][1]["geometry"]["coordinates"] = [[112.63, -7.98], [112.63, -7.98]]
    broken.write_text(json.dumps(collection))
    table = tmp_path / "drains.csv"
    table.write_text("name,kind\nSaluran 1,primer\n")
    garbage = tmp_path / "drains.gpkg"
    garbage.write_bytes(b"\x00\x01 not a geopackage at all" * 20)
    empty = tmp_path / "empty.geojson"
    empty.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    return {
        "points": (points, "only LineString and MultiLineString"),
        "invalid geometry": (broken, "Feature 2 has an invalid line"),
        "not spatial": (table, "not spatial"),
        "not a file format": (garbage, "cannot be read"),
        "no features": (empty, "holds no features"),
        "no CRS": (_shapefile_zip(tmp_path, lines, keep_prj=False), "declares no coordinate reference system"),
        "outside the city": (network_file(tmp_path / "far.geojson", [shapely.affinity.translate(
            lines[0], 200_000, 0)]), "No part of the lines lies inside Kota Malang"),
    }


def test_a_bad_file_changes_nothing_and_says_why(app, tmp_path):
    load_network(app, tmp_path, [line_in(SUKUN, 300)])
    before = _network(app)
    for case, (path, message) in _bad_files(tmp_path).items():
        result = import_network(app, path, "--replace", expect_ok=False)
        assert result.exit_code != 0, case
        assert message in result.output and "Nothing was imported" in result.output, (case, result.output)
        assert _network(app) == before, case


def test_importing_into_a_loaded_network_needs_replace(app, tmp_path):
    load_network(app, tmp_path, [line_in(SUKUN, 300)])
    result = import_network(app, network_file(tmp_path / "other.geojson", [line_in(KAUMAN, 200)]), expect_ok=False)
    assert result.exit_code != 0 and "--replace" in result.output
    assert _network(app)[1] == pytest.approx(300, abs=0.5)


def test_replace_recomputes_the_coverage_of_stored_logs(app, client, cast, tmp_path):
    drain = line_in(KAUMAN, 300)
    load_network(app, tmp_path, [drain])
    log = post_log(client, cast, KAUMAN, geometry=along(drain, 0, 200, 5), length_m=None, start=wib("2026-11-02"))
    review(client, cast, log["id"])
    moved = shapely.affinity.translate(drain, 60, 0)  # the same drain, surveyed 60 m further east
    load_network(app, tmp_path, [moved])
    stored = client.get(f"/api/v1/logs/{log['id']}", headers=cast.headers("admin")).get_json()
    assert stored["covered_m"] == 0 and "off_network" in stored["flags"]
    assert _covered(client, cast) == 0
    flagged = client.get("/api/v1/logs?flag=off_network", headers=cast.headers("admin")).get_json()
    assert [item["id"] for item in flagged["items"]] == [log["id"]]
    load_network(app, tmp_path, [drain])
    stored = client.get(f"/api/v1/logs/{log['id']}", headers=cast.headers("admin")).get_json()
    assert stored["covered_m"] == pytest.approx(200, abs=1) and "off_network" not in stored["flags"]
    assert _covered(client, cast) == pytest.approx(200, abs=1)


def _covered(client, cast) -> float:
    body = client.get("/api/v1/progress?from=2026-11-01&to=2026-11-30", headers=cast.headers("admin")).get_json()
    return body["totals"]["covered_m"]
