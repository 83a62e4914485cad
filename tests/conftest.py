"""Fixtures: the same app on PostGIS and SpatiaLite, a standard cast of users, clean data per test."""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from satgas.services.accounts import create_crew, create_user
from tests.pg_server import INSTALL_HINT, ThrowawayPostgres
from tests.support import PASSWORD, make_app, reset_data

BACKENDS = ["spatialite", "postgis"]



@dataclass
class Cast:
    crew_a_id: int
    crew_b_id: int
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="session")
def postgres_server():
    """TEST_DATABASE_URL when set, else a throw-away cluster (never a silent skip)."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield None
        return
    try:
        server = ThrowawayPostgres().init()
    except Exception as exc:  # noqa: BLE001 - turn any start-up failure into advice
        pytest.fail(f"Could not start a throw-away PostgreSQL ({exc}). {INSTALL_HINT}", pytrace=False)
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def postgis_url(postgres_server) -> str:
    return os.environ.get("TEST_DATABASE_URL") or postgres_server.url


def _cast(app) -> Cast:
    client = app.test_client()
    with app.app_context():
        crew_a = create_crew("Crew A Klojen", "35.73.02").id
        crew_b = create_crew("Crew B Sukun", "35.73.04").id
        create_user("crew_a", PASSWORD, "crew", crew_id=crew_a)
        create_user("crew_b", PASSWORD, "crew", crew_id=crew_b)
        create_user("sup_klojen", PASSWORD, "supervisor", kecamatan_code="35.73.02")
        create_user("sup_city", PASSWORD, "supervisor")
        create_user("admin", PASSWORD, "admin")
    tokens = {}
    for name in ("crew_a", "crew_b", "sup_klojen", "sup_city", "admin"):
        resp = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD})
        tokens[name] = resp.get_json()["access_token"]
    return Cast(crew_a, crew_b, tokens)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def _apps(request, tmp_path_factory):
    """One app per backend for the whole run, built lazily."""
    built: dict[str, tuple] = {}

    def get(name: str):
        if name not in built:
            photos = tmp_path_factory.mktemp(f"photos-{name}")
            if name == "spatialite":
                url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'satgas.db'}"
            else:
                url = request.getfixturevalue("postgis_url")
            app = make_app(url, f"file://{photos}")
            built[name] = (app, _cast(app))
        return built[name]

    return get


@pytest.fixture
def app(backend, _apps):
    app, _ = _apps(backend)
    yield app
    reset_data(app)


@pytest.fixture
def cast(backend, _apps) -> Cast:
    return _apps(backend)[1]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def scratch_dir():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


_passed_by_backend: Counter = Counter()


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        for backend in BACKENDS:
            if f"[{backend}" in report.nodeid or f"-{backend}" in report.nodeid:
                _passed_by_backend[backend] += 1


def pytest_terminal_summary(terminalreporter):
    line = ", ".join(f"{b}: {_passed_by_backend[b]} passed" for b in BACKENDS)
    terminalreporter.write_line(f"tests per database backend — {line}")
