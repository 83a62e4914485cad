"""Helpers shared by tests and fixtures: building an app, resetting its data, geometry oracles."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import cache
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from flask import Flask
from flask_migrate import upgrade
from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely.geometry import Point, shape
from shapely.ops import transform, unary_union
from sqlalchemy import delete, event, func, select, update

from models import WGS84, AccessToken, Base, Crew, Kelurahan, User, db
from satgas.app import create_app
from satgas.extensions import limiter
from satgas.photo_storage import photo_storage
from satgas.services import outbox
from satgas.services.areas import DATA_DIR, load_reference_data
from satgas.services.public_cache import invalidate
from satgas.services.token_cache import cache as token_cache
from storage import PhotoStorage, StorageError
from tests.pg_server import INSTALL_HINT

PASSWORD = "correct-horse-battery"
WIB = timezone(timedelta(hours=7))
TO_METRIC = Transformer.from_crs(4326, 32749, always_xy=True).transform
TO_WGS84 = Transformer.from_crs(32749, 4326, always_xy=True).transform
# Reference data loaded by `flask init`: never emptied between tests.
REFERENCE_TABLES = {"kecamatan", "kelurahan", "city"}


@dataclass
class Cast:
    """The standard users of every test app, and a token for each."""

    crew_a_id: int
    crew_b_id: int
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def make_app(database_url: str, storage_url: str, **overrides) -> Flask:
    """An app on this database and storage with the schema, reference data and storage ready."""
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "STORAGE_URL": storage_url}
    overrides = {"TESTING": True, "LOGIN_RATE_LIMIT": "1000 per minute",
                 "PUBLIC_RATE_LIMIT": "10000 per minute", **overrides}
    app = create_app(overrides, env=env)
    with app.app_context():
        try:
            upgrade()
        except Exception as exc:
            if "postgis" in str(exc).lower():
                pytest.fail(f"PostGIS is not installed in this PostgreSQL: {INSTALL_HINT}", pytrace=False)
            raise
        load_reference_data()
        photo_storage().prepare()
    return app


def _data_tables() -> list:
    """Every table a test may write, children first (new tables are included automatically)."""
    return [t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]


@contextmanager
def own_postgis_database(postgis_url: str, name: str) -> Iterator[str]:
    """A PostGIS database of its own on the test server (dropped after), for generated data that must
    never meet the other tests; yields its libpq DSN."""
    server = urlsplit(postgis_url.replace("postgresql+psycopg://", "postgresql://"))
    admin_dsn = urlunsplit(server._replace(path="/postgres"))
    dsn = urlunsplit(server._replace(path=f"/{name}"))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    try:
        yield dsn
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def wipe_everything(app: Flask) -> None:
    """A database as `flask init` leaves it: reference data only (a reused TEST_DATABASE_URL too)."""
    with app.app_context():
        db.session.remove()
        for table in _data_tables():
            db.session.execute(delete(table))
        db.session.commit()
        outbox.forget_subscribers()


def reset_data(app: Flask, keep_users_up_to: int, keep_crews_up_to: int) -> None:
    """Back to the session's baseline: the standard cast and its tokens, nothing else."""
    with app.app_context():
        db.session.remove()
        for table in _data_tables():
            if table.name == "users":
                db.session.execute(delete(User).where(User.id > keep_users_up_to))
                db.session.execute(update(User).values(last_seen_at=None))  # the baseline's users: never seen
            elif table.name == "crews":
                db.session.execute(delete(Crew).where(Crew.id > keep_crews_up_to))
            elif table.name == "access_tokens":
                db.session.execute(delete(AccessToken).where(AccessToken.user_id > keep_users_up_to))
            else:
                db.session.execute(delete(table))
        db.session.commit()
        limiter.reset()
        invalidate()
        token_cache.clear()  # tokens of users just deleted must not live on in the cache
        outbox.forget_subscribers()  # nor endpoints just deleted in the outbox's list


def baseline_ids(app: Flask) -> tuple[int, int]:
    """The highest user and crew ids of the standard cast."""
    with app.app_context():
        return (db.session.scalar(select(func.max(User.id))) or 0, db.session.scalar(select(func.max(Crew.id))) or 0)


def clear_storage(storage: PhotoStorage) -> None:
    """Delete every object, through the storage's own interface."""
    for stored in list(storage.list_objects()):
        with suppress(StorageError):
            storage.delete(stored.key)


@cache
def kelurahan_shapes() -> dict[str, object]:
    """The bundled polygons, as an independent oracle for what the database answers."""
    features = json.loads((DATA_DIR / "kelurahan.geojson").read_text())["features"]
    return {f["properties"]["kelurahan_code"]: shape(f["geometry"]) for f in features}


@cache
def metric_shapes() -> dict[str, object]:
    return {code: transform(TO_METRIC, geom) for code, geom in kelurahan_shapes().items()}


@cache
def city_metric():
    return unary_union(list(metric_shapes().values()))


def kelurahan_at(lon: float, lat: float) -> list[str]:
    """Codes of every kelurahan polygon the database says covers a point (more than one in an overlap)."""
    point = from_shape(Point(lon, lat), srid=WGS84)
    return list(db.session.scalars(
        select(Kelurahan.code).where(func.ST_Intersects(Kelurahan.boundary, point)).order_by(Kelurahan.code)))


@contextmanager
def watching_statements(app: Flask, record: Callable[..., None]) -> Iterator[None]:
    """`record(conn, cursor, statement, parameters, context, executemany)` before each SQL
    statement the app runs inside the block."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """SQL statements the app runs inside the block."""
    statements: list[str] = []
    with watching_statements(app, lambda _conn, _cursor, statement, *_rest: statements.append(statement)):
        yield statements


def console_sign_in(client, username: str, password: str = PASSWORD, **request):
    """Sign in to the console as its page does (the page's CSRF token, then the session API).

    Returns the answer and the CSRF token the client must send from then on; the client keeps
    the session cookie. `request` goes to both requests (e.g. base_url="https://localhost")."""
    page = client.get("/console/login", **request)
    if page.status_code == 302:  # signed in already: the session API hands out its token
        token = client.get("/console/api/session", **request).get_json()["csrf_token"]
    else:
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = client.post("/console/api/session", json={"username": username, "password": password},
                       headers={"X-CSRFToken": token}, **request)
    return resp, (resp.get_json()["csrf_token"] if resp.status_code == 200 else token)


def login_headers(client, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the API; the Authorization header of the new token."""
    token = client.post("/api/v1/auth/token", json={"username": username, "password": password}).get_json()
    return {"Authorization": f"Bearer {token['access_token']}"}
