"""`flask demo`: a month of realistic work through the real services, into an empty database only."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Crew, Photo, User, WorkLog, db
from satgas.services.accounts import create_user
from tests.support import WIB

KECAMATAN = {"35.73.01", "35.73.02", "35.73.03", "35.73.04", "35.73.05"}
PLANTED = {"taken_outside_work_window", "far_from_log", "reused_photo", "kelurahan_mismatch", "low_gps_accuracy"}


def _counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                  for model in (WorkLog, Photo, User, Crew, AuditEvent)}
        db.session.remove()
        return counts


@pytest.fixture(scope="module")
def demo(make_test_app):
    """An app of its own, `flask init` then `flask demo` once; its CLI output."""
    app = make_test_app()
    runner = app.test_cli_runner()
    init = runner.invoke(args=["init"])
    assert init.exit_code == 0, init.output
    assert "make demo" in init.output  # no logs yet: the hint
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app, result.output


def _password(output: str, username: str) -> str:
    return re.search(rf"^\s+{re.escape(username)}\s+(\S+)\s", output, re.MULTILINE).group(1)


def _token(client, output: str, username: str) -> dict:
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": _password(output, username)})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _login(client, output: str, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(client, output, username)['access_token']}"}


def _all_logs(client, headers) -> list[dict]:
    found, page = [], 1
    while True:
        body = client.get("/api/v1/logs", query_string={"page": page, "page_size": 500}, headers=headers).get_json()
        found += body["items"]
        if len(found) >= body["total"]:
            return found
        page += 1


def test_public_progress_shows_approved_work_in_every_kecamatan(demo):
    app, _ = demo
    body = app.test_client().get("/public/v1/progress").get_json()
    worked = {row["kecamatan_code"] for row in body["kelurahan"] if row["approved_length_m"] > 0}
    assert worked == KECAMATAN
    assert body["totals"]["logs"] > 100


def test_accounts_are_printed_once_and_work(demo):
    app, output = demo
    client = app.test_client()
    roles = {}
    for username in ("admin.demo", "pengawas.kota", "pengawas.klojen", "kru.blimbing", "kru.klojen",
                     "kru.kedungkandang", "kru.sukun", "kru.lowokwaru"):
        roles[username] = _token(client, output, username)["user"]  # logging in does not count as "seen"
    assert roles["admin.demo"]["role"] == "admin"
    assert (roles["pengawas.kota"]["role"], roles["pengawas.kota"]["kecamatan_code"]) == ("supervisor", None)
    assert roles["pengawas.klojen"]["kecamatan_code"] == "35.73.02"
    assert sum(1 for r in roles.values() if r["role"] == "crew") == 5
    passwords = {_password(output, name) for name in roles}
    assert len(passwords) == len(roles) and all(len(p) >= 12 for p in passwords)
    for path in ("/console/", "/api/v1/docs"):
        assert path in output


def test_a_month_of_work_in_every_kelurahan_in_working_hours(demo):
    app, output = demo
    client = app.test_client()
    admin = _login(client, output, "admin.demo")
    logs = _all_logs(client, admin)
    assert len({log["kelurahan_code"] for log in logs}) == 57
    days = {log["work_date"] for log in logs}
    assert 25 <= len(days) <= 31
    for log in logs:
        start = datetime.fromisoformat(log["started_at"]).astimezone(WIB)
        end = datetime.fromisoformat(log["finished_at"]).astimezone(WIB)
        assert start.weekday() != 6 and time(7, 0) <= start.time() and end.time() <= time(16, 0), log["started_at"]
        assert datetime.fromisoformat(log["created_at"]) > end  # sent after the work, not at load time
    statuses = {s: sum(1 for log in logs if log["status"] == s) for s in ("approved", "submitted", "rejected")}
    assert statuses["approved"] > 0.8 * len(logs) and statuses["submitted"] >= 5 and statuses["rejected"] >= 2
    assert all(log["review_note"] for log in logs if log["status"] == "rejected")
    photos = [p for log in logs for p in log["photos"]]
    assert len(photos) > 1.8 * len(logs)
    assert [p for p in photos if not (p["taken_at"] and p["exif_location"] and p["content_type"] == "image/jpeg")] == []


def test_only_the_planted_logs_are_flagged(demo):
    app, output = demo
    client = app.test_client()
    logs = _all_logs(client, _login(client, output, "pengawas.kota"))
    flagged = {log["id"]: set(log["flags"]) | {f for p in log["photos"] for f in p["flags"]} for log in logs}
    flagged = {log_id: flags for log_id, flags in flagged.items() if flags}
    planted = [line for line in output.splitlines() if line.strip().startswith("- ")]
    assert len(flagged) == len(planted) == 6
    assert set().union(*flagged.values()) == PLANTED  # a reused photo also brings its original's time and place
    assert sum(1 for flags in flagged.values() if "reused_photo" in flags) == 2
    pending = [log for log in logs if log["id"] in flagged and log["status"] == "submitted"]
    assert len(pending) >= 4  # waiting in the review queue


def test_crews_today_has_a_quiet_phone(demo):
    app, output = demo
    client = app.test_client()
    body = client.get("/api/v1/completeness", headers=_login(client, output, "pengawas.kota")).get_json()
    rows = {row["kecamatan_code"]: row for row in body["crews"]}
    assert set(rows) == KECAMATAN
    quiet = datetime.fromisoformat(rows["35.73.03"]["last_seen_at"])
    assert datetime.now(WIB) - quiet > timedelta(days=1)  # Kedungkandang's phone: away for days
    assert all(row["last_log_at"] for row in rows.values())


def test_a_second_demo_is_refused_and_changes_nothing(demo):
    app, _ = demo
    before = _counts(app)
    runner = app.test_cli_runner()
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "already holds work logs" in again.output and "Nothing was changed" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0 and quiet.output.count("\n") == 1 and "no demo loaded" in quiet.output
    assert _counts(app) == before
    init = runner.invoke(args=["init"])
    assert init.exit_code == 0 and "make demo" not in init.output


def test_taken_names_are_refused_before_anything_is_written(make_test_app):
    app = make_test_app()
    with app.app_context():
        create_user("pengawas.kota", "long-password", "supervisor")
        db.session.remove()
    before = _counts(app)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "pengawas.kota" in result.output and "nothing was changed" in result.output
    assert _counts(app) == before
