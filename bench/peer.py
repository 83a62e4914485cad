"""The peer: pygeoapi (OGC API - Features) serving the same PostGIS database, under gunicorn with
the same settings as the app (bench/peer_gunicorn.conf.py), from its own venv (bench/.peer-venv).

Collections:
- `logs`: table `peer_logs`, the shape of a work log (uuid id, activity, times, measures,
  geometry), editable through the PostgreSQL provider: `POST /collections/logs/items` inserts.
- `kelurahan`: view `peer_kelurahan` over the app's own `kelurahan` table (code, name,
  kecamatan code, boundary): the 57 polygons, `GET /collections/kelurahan/items?limit=57&f=json`.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.deps import PEER_VENV, peer_python
from bench.generate import libpq_dsn
from bench.servers import ROOT, GunicornServer, free_port

KELURAHAN_ITEMS = "/collections/kelurahan/items?limit=57&f=json"
LOG_ITEMS = "/collections/logs/items"
SCHEMA = """
CREATE TABLE IF NOT EXISTS peer_logs (
    id uuid PRIMARY KEY, activity text NOT NULL, started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL, length_m double precision, sediment_m3 double precision,
    waste_kg double precision, workers integer, geometry geometry(Geometry, 4326) NOT NULL);
CREATE INDEX IF NOT EXISTS peer_logs_geometry ON peer_logs USING gist (geometry);
CREATE OR REPLACE VIEW peer_kelurahan AS SELECT code, name, kecamatan_code, boundary FROM kelurahan;
"""
CONFIG = """server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  cors: false
  pretty_print: false
  limits: {{default_items: 10, max_items: 1000}}
  map: {{url: "http://127.0.0.1/tiles/{{z}}/{{x}}/{{y}}.png", attribution: none}}
logging:
  level: ERROR
metadata:
  identification: {{title: SATGAS peer, description: pygeoapi beside SATGAS, keywords: [bench],
                   url: "http://127.0.0.1", terms_of_service: "http://127.0.0.1"}}
  license: {{name: CC-BY 4.0, url: "http://127.0.0.1"}}
  provider: {{name: bench, url: "http://127.0.0.1"}}
  contact: {{name: bench, url: "http://127.0.0.1", email: bench@example.org}}
resources:
  logs:
    type: collection
    title: Work logs
    description: Work logs, the shape of SATGAS logs
    keywords: [logs]
    extents: {{spatial: {{bbox: [112.57, -8.05, 112.70, -7.90], crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}}}
    providers:
      - type: feature
        name: PostgreSQL
        editable: true
        data: {data}
        id_field: id
        table: peer_logs
        geom_field: geometry
        # With the default storage CRS (CRS84) pygeoapi 0.21 inserts 'SRID=None;POINT(…)',
        # which PostGIS refuses: EPSG:4326 makes it write SRID=4326.
        storage_crs: http://www.opengis.net/def/crs/EPSG/0/4326
  kelurahan:
    type: collection
    title: Kelurahan
    description: The 57 kelurahan of Kota Malang
    keywords: [kelurahan]
    extents: {{spatial: {{bbox: [112.57, -8.05, 112.70, -7.90], crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {data}
        id_field: code
        table: peer_kelurahan
        geom_field: boundary
"""


def unavailable_reason() -> str | None:
    """Why the peer cannot run here (None when it can)."""
    if peer_python() is None:
        return f"pygeoapi is not installed in {PEER_VENV.relative_to(ROOT)} (run `make bench-deps`)"
    return None


def prepare(dsn: str) -> None:
    """The peer's table and view in the app's database."""
    with psycopg.connect(libpq_dsn(dsn), autocommit=True) as conn:
        conn.execute(SCHEMA)


def _data(dsn: str) -> str:
    url = urlsplit(libpq_dsn(dsn))
    parts = {"host": url.hostname, "port": url.port or 5432, "dbname": url.path.lstrip("/"),
             "user": url.username or "postgres", "search_path": ["public"]}
    if url.password:
        parts["password"] = url.password
    return "{" + ", ".join(f"{k}: {v}" for k, v in parts.items()) + "}"


def start(dsn: str, workdir: Path, workers: int | None = None, wait: bool = True) -> GunicornServer:
    """Write the config and its OpenAPI document, then serve pygeoapi on a free port (call
    `warm_up` once it answers)."""
    python = peer_python()
    if python is None:
        raise RuntimeError(unavailable_reason())
    prepare(dsn)
    port = free_port()
    config, openapi = workdir / "pygeoapi-config.yml", workdir / "pygeoapi-openapi.yml"
    config.write_text(CONFIG.format(port=port, data=_data(dsn)))
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run([str(python.with_name("pygeoapi")), "openapi", "generate", str(config), "--output-file",
                    str(openapi)], env=env, check=True, capture_output=True, timeout=300)
    return GunicornServer("pygeoapi.flask_app:APP", {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)},
                          workdir / "pygeoapi.log", gunicorn=[str(python), "-m", "gunicorn"],
                          config=ROOT / "bench" / "peer_gunicorn.conf.py", health="/conformance?f=json",
                          port=port, workers=workers, wait=wait)


def warm_up(url: str) -> None:
    """Each worker reflects its tables on its first request to a collection: not measured."""
    from bench.wrk_runner import run_wrk

    run_wrk(url + KELURAHAN_ITEMS, seconds=1, connections=10)
    run_wrk(url + LOG_ITEMS, "peer_log.lua", seconds=1, connections=10,
            headers={"Content-Type": "application/geo+json"})


def inserted(dsn: str) -> int:
    with psycopg.connect(libpq_dsn(dsn)) as conn:
        return conn.execute("SELECT count(*) FROM peer_logs").fetchone()[0]
