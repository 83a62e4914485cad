"""GET /api/v1/completeness: one row per crew in scope for a WIB date, zeros included."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from satgas.services import tokens
from tests.builders import KAUMAN, SUKUN, post_log, upload_photo, wib
from tests.support import WIB, count_queries, login_headers

DAY = (datetime.now(WIB) - timedelta(days=2)).date().isoformat()


def completeness(client, cast, who="sup_city", **query):
    resp = client.get("/api/v1/completeness", query_string=query, headers=cast.headers(who))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def rows_by_name(body: dict) -> dict[str, dict]:
    return {row["name"]: row for row in body["crews"]}


def test_every_crew_in_scope_with_zeros(client, cast):
    body = completeness(client, cast, date=DAY)
    assert body["date"] == DAY
    assert [row["name"] for row in body["crews"]] == ["Crew A Klojen", "Crew B Sukun"]
    for row in body["crews"]:
        assert {k: row[k] for k in ("logs", "with_before", "with_after", "complete", "incomplete_log_ids",
                                    "last_log_at", "last_seen_at")} == {
            "logs": 0, "with_before": 0, "with_after": 0, "complete": 0, "incomplete_log_ids": [],
            "last_log_at": None, "last_seen_at": None}
    assert rows_by_name(body)["Crew A Klojen"]["kecamatan_code"] == "35.73.02"


def test_photos_counted_and_incomplete_logs_named(client, cast):
    complete = post_log(client, cast, KAUMAN, start=wib(DAY, "07:30"))
    only_before = post_log(client, cast, KAUMAN, start=wib(DAY, "10:00"))
    nothing = post_log(client, cast, SUKUN, start=wib(DAY, "13:00"))  # crew A helping in Sukun
    upload_photo(client, cast, complete, "before")
    upload_photo(client, cast, complete, "after")
    upload_photo(client, cast, only_before, "before")
    latest = post_log(client, cast, KAUMAN, start=wib("2025-01-06"))  # another day: last_log_at only

    row = rows_by_name(completeness(client, cast, date=DAY))["Crew A Klojen"]
    assert (row["logs"], row["with_before"], row["with_after"], row["complete"]) == (3, 2, 1, 1)
    assert row["incomplete_log_ids"] == [only_before["id"], nothing["id"]]
    assert row["last_log_at"] == latest["created_at"]
    other = rows_by_name(completeness(client, cast, date=DAY))["Crew B Sukun"]
    assert other["logs"] == 0 and other["last_log_at"] is None


def test_default_date_is_today_in_wib(client, cast):
    started = datetime.now(WIB) - timedelta(minutes=2)
    post_log(client, cast, KAUMAN, start=started.isoformat(), hours=0)
    body = completeness(client, cast)
    today = datetime.now(WIB).date()
    assert body["date"] == today.isoformat()
    expected = 1 if started.date() == today else 0  # just after midnight the log is yesterday's
    assert rows_by_name(body)["Crew A Klojen"]["logs"] == expected


def test_scope_is_the_crews_home_kecamatan(client, cast):
    post_log(client, cast, KAUMAN, "crew_b", start=wib(DAY))  # crew B (Sukun) working in Klojen
    klojen = completeness(client, cast, "sup_klojen", date=DAY)
    assert [row["name"] for row in klojen["crews"]] == ["Crew A Klojen"]
    assert rows_by_name(completeness(client, cast, "admin", date=DAY, kecamatan_code="35.73.04")) \
        ["Crew B Sukun"]["logs"] == 1
    assert completeness(client, cast, "admin", date=DAY, kecamatan_code="35.73.01")["crews"] == []
    own = completeness(client, cast, "sup_klojen", date=DAY, kecamatan_code="35.73.02")
    assert [row["name"] for row in own["crews"]] == ["Crew A Klojen"]


@pytest.mark.parametrize("who,query,status", [
    ("crew_a", {}, 403),
    ("crew_b", {"date": DAY}, 403),
    ("sup_klojen", {"kecamatan_code": "35.73.04"}, 403),
    ("admin", {"kecamatan_code": "35.73.09"}, 422),
    ("admin", {"date": "2026-02-30"}, 422),
    ("admin", {"kecamatan_code": "Klojen"}, 422),
])
def test_refusals(client, cast, who, query, status):
    resp = client.get("/api/v1/completeness", query_string=query, headers=cast.headers(who))
    assert resp.status_code == status
    assert resp.get_json()["message"]


def test_needs_a_token(client):
    assert client.get("/api/v1/completeness").status_code == 401


def test_last_seen_moves_after_a_crew_request_at_most_once_a_minute(client, cast, monkeypatch):
    admin = cast.headers("admin")
    crew = client.post("/api/v1/crews", json={"name": "Crew C Blimbing", "kecamatan_code": "35.73.01"},
                       headers=admin).get_json()
    client.post("/api/v1/users", json={"username": "crew_c", "password": "long-password", "role": "crew",
                                       "crew_id": crew["id"]}, headers=admin)

    def seen() -> str | None:
        return rows_by_name(completeness(client, cast, date=DAY))["Crew C Blimbing"]["last_seen_at"]

    headers = login_headers(client, "crew_c", "long-password")
    assert seen() is None  # logging in is not yet a request made with the token
    before = datetime.now(WIB)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    first = seen()
    assert first is not None and datetime.fromisoformat(first) >= before.replace(microsecond=0)

    with count_queries(client.application) as statements:
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]  # within the minute: no write
    assert seen() == first

    monkeypatch.setattr(tokens, "SEEN_RESOLUTION", timedelta(0))
    assert client.get("/api/v1/logs", headers=headers).status_code == 200
    assert datetime.fromisoformat(seen()) > datetime.fromisoformat(first)


def test_a_supervisor_being_seen_does_not_count_for_a_crew(client, cast):
    completeness(client, cast, "sup_klojen", date=DAY)
    assert all(row["last_seen_at"] is None for row in completeness(client, cast, date=DAY)["crews"])
