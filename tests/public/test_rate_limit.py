"""Public endpoints are rate limited per client IP (429 with Retry-After), each endpoint on its own."""
from __future__ import annotations

import pytest

from satgas.extensions import limiter


@pytest.fixture
def tight_client(tight_app):
    limiter.reset()
    yield tight_app.test_client()
    limiter.reset()


@pytest.mark.parametrize("url", ["/public/v1/progress", "/public/v1/progress.geojson", "/public/v1/activities", "/"])
def test_over_the_limit_is_429_with_retry_after(tight_client, url):
    for _ in range(3):
        assert tight_client.get(url).status_code == 200
    resp = tight_client.get(url, headers={"Origin": "https://citizen.example"})
    assert resp.status_code == 429
    assert 0 < int(resp.headers["Retry-After"]) <= 60
    assert "Retry-After" in resp.get_json()["message"]
    if url.startswith("/public/"):  # a browser on another site can read the 429 and back off
        assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_the_limit_is_per_client_address(tight_client):
    for _ in range(3):
        tight_client.get("/public/v1/progress")
    assert tight_client.get("/public/v1/progress").status_code == 429
    other = tight_client.get("/public/v1/progress", environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert other.status_code == 200
