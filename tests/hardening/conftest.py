"""A dedicated PostgreSQL cluster per module: these tests stop it, kill workers and share it."""
from __future__ import annotations

import pytest

from satgas.services.accounts import create_crew, create_user
from tests.pg_server import INSTALL_HINT, ThrowawayPostgres
from tests.support import PASSWORD, make_app


@pytest.fixture(scope="module")
def cluster():
    try:
        server = ThrowawayPostgres().init()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Could not start a throw-away PostgreSQL ({exc}). {INSTALL_HINT}", pytrace=False)
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def pg_app(cluster, tmp_path_factory):
    """App on the dedicated cluster with a crew user `crew_h` (crew id in app.config)."""
    app = make_app(cluster.url, f"file://{tmp_path_factory.mktemp('photos')}")
    with app.app_context():
        crew = create_crew("Crew H", "35.73.02")
        create_user("crew_h", PASSWORD, "crew", crew_id=crew.id)
    return app
