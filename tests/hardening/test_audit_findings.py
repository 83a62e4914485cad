"""Bad input that once reached the database or slipped past validation: always a clear 4xx."""
from __future__ import annotations

import uuid

import pytest

from tests.builders import log_payload


@pytest.mark.parametrize(("request_args", "status"), [
    (("POST", "/api/v1/auth/token", {"json": {"username": "a\u0000b", "password": "x"}}), 422),
    (("POST", "/api/v1/logs", {"json": log_payload(notes="a\u0000b")}), 422),
    (("POST", "/api/v1/crews", {"json": {"name": "a\u0000b", "kecamatan_code": "35.73.01"}}), 422),
    (("GET", "/api/v1/kelurahan/a%00b", {}), 400),
    (("GET", "/api/v1/kelurahan?kecamatan_code=a%00b", {}), 400),
])
def test_nul_characters_are_refused_on_both_databases(client, cast, request_args, status):
    """In the path or query: 400 before routing; in a JSON field: that field's 422."""
    method, path, kwargs = request_args
    resp = client.open(path, method=method, headers=cast.headers("admin"), **kwargs)
    assert resp.status_code == status
    assert "NUL" in resp.get_json()["message"]


def test_escaped_backslash_before_u0000_is_plain_text(client, cast):
    resp = client.post("/api/v1/logs", json=log_payload(notes="path C:\\u0000"), headers=cast.headers("crew_a"))
    assert resp.status_code == 201 and resp.get_json()["notes"] == "path C:\\u0000"


@pytest.mark.parametrize("value", [2**31, 10**30])
def test_ids_beyond_the_database_range_are_422(client, cast, value):
    h = cast.headers("admin")
    assert client.get(f"/api/v1/logs?crew_id={value}", headers=h).status_code == 422
    assert client.post("/api/v1/logs", json=log_payload(crew_id=value), headers=h).status_code == 422
    user = {"username": "bigcrew", "password": "long-password", "role": "crew", "crew_id": value}
    assert client.post("/api/v1/users", json=user, headers=h).status_code == 422


def test_ancient_timestamp_is_422_and_does_not_sink_the_batch(client, cast):
    ancient = log_payload(started_at="0001-01-01T00:00:00+07:00", finished_at="0001-01-01T01:00:00+07:00")
    assert client.post("/api/v1/logs", json=ancient, headers=cast.headers("crew_a")).status_code == 422
    good = log_payload()
    resp = client.post("/api/v1/logs/batch", json={"logs": [ancient, good]}, headers=cast.headers("crew_a"))
    assert [r["status"] for r in resp.get_json()["results"]] == ["invalid", "created"]


def test_batch_entries_that_are_not_objects_are_invalid_items(client, cast):
    good = log_payload()
    resp = client.post("/api/v1/logs/batch", json={"logs": [good, 5, "x", None]}, headers=cast.headers("crew_a"))
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "invalid", "invalid"]
    assert all("id" in r for r in results) and results[1]["id"] is None


def test_json_sent_with_the_wrong_content_type_is_415(client, cast):
    import json

    resp = client.post("/api/v1/logs", data=json.dumps(log_payload()), content_type="text/plain",
                       headers=cast.headers("crew_a"))
    assert resp.status_code == 415
    assert "application/json" in resp.get_json()["message"]


def test_wrong_method_is_405_even_without_a_token(client):
    assert client.get("/api/v1/auth/token").status_code == 405
    assert client.get("/api/v1/no-such-thing").status_code == 404


def test_crew_reviewing_any_log_is_403(client, cast):
    resp = client.post(f"/api/v1/logs/{uuid.uuid4()}/review", json={"decision": "approved"},
                       headers=cast.headers("crew_a"))
    assert resp.status_code == 403


def test_login_rate_limit_message_says_what_to_do(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    for _ in range(2):
        resp = client.post("/api/v1/auth/token", json={"username": "admin", "password": "nope-nope"})
    assert resp.status_code == 429 and "try again" in resp.get_json()["message"]


def test_cli_refuses_a_username_the_api_would_refuse(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "bad name!", "--role", "admin", "--password", "long-password"])
    assert result.exit_code != 0 and "username" in result.output.lower()


def test_empty_query_parameters_mean_absent_everywhere(client, cast):
    h = cast.headers("admin")
    assert client.get("/api/v1/logs?kecamatan_code=&status=", headers=h).status_code == 200
    assert len(client.get("/api/v1/kelurahan?kecamatan_code=", headers=h).get_json()) == 57
    assert client.get("/public/v1/progress?from=&to=").status_code == 200
    assert client.get("/api/v1/progress?from=2026-11-01&to=2026-11-30&kecamatan_code=", headers=h).status_code == 200
