"""Abuse: oversized and deeply nested bodies, huge tracks, injection strings in filters."""
from __future__ import annotations

import io
import json

import pytest

from tests.builders import log_payload


def test_oversized_json_body_is_413_before_reading(client, cast):
    body = b'{"logs": [' + b" " * (9 * 1024 * 1024) + b"]}"
    resp = client.post("/api/v1/logs/batch", data=body, content_type="application/json",
                       headers=cast.headers("crew_a"))
    assert resp.status_code == 413
    assert "limit" in resp.get_json()["message"]


def test_oversized_body_without_length_is_413(client, cast):
    body = io.BytesIO(b'{"logs": [' + b" " * (9 * 1024 * 1024) + b"]}")
    resp = client.post("/api/v1/logs/batch", input_stream=body, content_type="application/json",
                       headers={**cast.headers("crew_a"), "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})
    assert resp.status_code == 413


def test_deeply_nested_json_is_400(client, cast):
    body = "[" * 50_000 + "]" * 50_000
    resp = client.post("/api/v1/logs", data=body, content_type="application/json", headers=cast.headers("crew_a"))
    assert resp.status_code == 400 and resp.get_json()["message"]


def test_huge_track_is_422_with_the_limit(client, cast):
    coords = [[112.60 + i * 1e-5, -7.98] for i in range(6000)]
    payload = log_payload(geometry={"type": "LineString", "coordinates": coords})
    resp = client.post("/api/v1/logs", json=payload, headers=cast.headers("crew_a"))
    assert resp.status_code == 422
    assert "5000" in resp.get_json()["message"]


INJECTIONS = ["' OR '1'='1", "1; DROP TABLE work_logs; --", "../../etc/passwd", "%00", "<script>alert(1)</script>",
              "35.73.02' UNION SELECT password_hash FROM users --"]
FILTERS = ["kecamatan_code", "kelurahan_code", "crew_id", "status", "activity", "flag", "from", "to", "bbox",
           "page", "page_size", "format"]


@pytest.mark.parametrize("name", FILTERS)
def test_injection_strings_in_every_filter_are_rejected(client, cast, name):
    for value in INJECTIONS:
        resp = client.get("/api/v1/logs", query_string={name: value}, headers=cast.headers("admin"))
        assert resp.status_code == 422, (name, value, resp.status_code)
        assert "password" not in resp.get_data(as_text=True).lower().replace("password_hash from users", "")


@pytest.mark.parametrize("path", ["/api/v1/logs/..%2F..%2Fetc%2Fpasswd", "/api/v1/logs/1%27%20OR%201=1",
                                  "/api/v1/kelurahan/..%2F..%2Fetc%2Fpasswd", "/api/v1/logs/%00/history"])
def test_path_injection_is_404(client, cast, path):
    resp = client.get(path, headers=cast.headers("admin"))
    assert resp.status_code == 404
    assert json.loads(resp.get_data())["message"]
