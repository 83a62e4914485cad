"""Text and numbers no database can store, in every field of every JSON body: a 4xx, never a 5xx.

The contract: text never holds NUL, other control characters (line breaks and tabs are fine in
notes) or unpaired UTF-16 surrogates; names are trimmed and never empty; usernames are unique
ignoring case. One bad log in a batch is that log's error, never the batch's.
"""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from models import Crew, WorkLog, db
from tests.builders import log_payload, post_log
from tests.support import PASSWORD

HOSTILE = {
    "lone surrogate": "c\ud800",
    "low surrogate": "\udfffx",
    "NUL": "a\x00b",
    "bell": "ring\x07",
    "escape sequence": "x\x1b[31mred",
    "DEL": "del\x7f",
    "C1 control": "c1\x85",
}
HUGE_INTEGER = "9" * 5000  # past Python's 4300-digit int limit


def _bodies(cast, log_id: str) -> dict[tuple[str, str], tuple[str, dict]]:
    """(method, path) → (who, a valid JSON body) for every operation that takes one."""
    return {
        ("POST", "/api/v1/auth/token"): ("anonymous", {"username": "crew_a", "password": PASSWORD}),
        ("POST", "/api/v1/logs"): ("crew_a", log_payload()),
        ("POST", "/api/v1/logs/batch"): ("crew_a", {"logs": [log_payload()]}),
        ("POST", "/api/v1/crews"): ("admin", {"name": "Regu Uji", "kecamatan_code": "35.73.01"}),
        ("POST", "/api/v1/users"): ("admin", {"username": "new_user", "password": "long-password",
                                              "role": "supervisor", "kecamatan_code": "35.73.01"}),
        ("POST", f"/api/v1/logs/{log_id}/review"): ("sup_city", {"decision": "rejected", "note": "Foto kurang jelas"}),
        ("POST", "/api/v1/sync/status"): ("crew_a", {"ids": [log_id]}),
    }


def _string_paths(value, path=()):
    """Paths to every string in a JSON document (keys of dicts, indexes of lists)."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


def _replaced(document, path, new):
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def _send(client, cast, method: str, path: str, who: str, raw: str):
    headers = {} if who == "anonymous" else cast.headers(who)
    return client.open(path, method=method, data=raw.encode(), content_type="application/json", headers=headers)


def test_every_string_field_refuses_unstorable_text_with_a_4xx(client, cast, app):
    log = post_log(client, cast)
    refused = 0
    for (method, path), (who, body) in _bodies(cast, log["id"]).items():
        for field_path in _string_paths(body):
            for name, bad in HOSTILE.items():
                # ensure_ascii: the surrogates travel as \\udXXX escapes, as a broken phone would send them.
                resp = _send(client, cast, method, path, who, json.dumps(_replaced(body, field_path, bad)))
                answer = resp.get_json()
                if path.endswith("/batch"):  # the batch stands; the item is invalid
                    assert resp.status_code == 200, (field_path, name, answer)
                    answer = answer["results"][0]
                    assert answer["status"] == "invalid", (field_path, name, answer)
                else:
                    assert 400 <= resp.status_code < 500, (path, field_path, name, resp.status_code)
                assert answer["message"] and "Internal" not in answer["message"], (path, field_path, name, answer)
                refused += 1
    assert refused > 100
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkLog)) == 1  # nothing else got in


def test_numbers_with_thousands_of_digits_are_400(client, cast):
    log = post_log(client, cast)
    numeric = [("POST", "/api/v1/logs", "crew_a", '"length_m": 25.0'),
               ("POST", "/api/v1/logs", "crew_a", '"workers": 4'),
               ("POST", "/api/v1/logs/batch", "crew_a", '"workers": 4'),
               ("POST", "/api/v1/users", "admin", '"crew_id": 1')]
    for method, path, who, field in numeric:
        name = field.split(":")[0]
        if path == "/api/v1/users":
            raw = json.dumps({"username": "n_user", "password": "long-password", "role": "crew", "crew_id": 1})
        elif path.endswith("batch"):
            raw = json.dumps({"logs": [log_payload()]})
        else:
            raw = json.dumps(log_payload())
        raw = raw.replace(field.replace(" ", " "), f"{name}: {HUGE_INTEGER}")
        assert HUGE_INTEGER in raw
        resp = _send(client, cast, method, path, who, raw)
        assert resp.status_code == 400, (path, field, resp.status_code)
        assert "digits" in resp.get_json()["message"]
    review = _send(client, cast, "POST", f"/api/v1/logs/{log['id']}/review", "sup_city",
                   '{"decision": "approved", "note": null, "x": ' + HUGE_INTEGER + "}")
    assert review.status_code == 400


def test_a_batch_of_150_with_bad_items_at_5_and_120_stores_every_valid_one(client, cast, app):
    logs = [log_payload() for _ in range(150)]
    logs[5]["notes"] = "kabel \ud800 putus"
    logs[120]["notes"] = "nul\x00di tengah"
    logs[77]["activity"] = "drain_cleaning\x1b"
    resp = _send(client, cast, "POST", "/api/v1/logs/batch", "crew_a", json.dumps({"logs": logs}))
    assert resp.status_code == 200, resp.get_json()
    results = resp.get_json()["results"]
    assert [r["id"] for r in results] == [log["id"] for log in logs]
    bad = {i: r for i, r in enumerate(results) if r["status"] != "created"}
    assert set(bad) == {5, 77, 120}
    assert all(r["status"] == "invalid" and r["message"] and r["errors"] for r in bad.values())
    assert "surrogate" in json.dumps(bad[5]["errors"]) and "NUL" in json.dumps(bad[120]["errors"])
    stored = client.get("/api/v1/logs?page_size=500", headers=cast.headers("crew_a")).get_json()
    assert stored["total"] == 147
    assert {item["id"] for item in stored["items"]} == {log["id"] for i, log in enumerate(logs) if i not in bad}
    replay = _send(client, cast, "POST", "/api/v1/logs/batch", "crew_a", json.dumps({"logs": logs}))
    assert [r["status"] for r in replay.get_json()["results"]].count("unchanged") == 147


def test_notes_keep_line_breaks_and_tabs(client, cast):
    body = post_log(client, cast, notes="Baris satu\nBaris dua\r\n\tdengan tab")
    assert body["notes"] == "Baris satu\nBaris dua\r\n\tdengan tab"


@pytest.mark.parametrize(("name", "status"), [("   ", 422), ("\t\n", 422), ("Regu\x07A", 422), ("", 422)])
def test_empty_or_control_character_crew_names_are_refused(client, cast, app, name, status):
    resp = client.post("/api/v1/crews", json={"name": name, "kecamatan_code": "35.73.01"},
                       headers=cast.headers("admin"))
    assert resp.status_code == status and resp.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Crew)) == 2  # the standard cast's only


def test_crew_names_are_trimmed(client, cast):
    resp = client.post("/api/v1/crews", json={"name": "  Regu   Blimbing  Dua ", "kecamatan_code": "35.73.01"},
                       headers=cast.headers("admin"))
    assert resp.status_code == 201 and resp.get_json()["name"] == "Regu Blimbing Dua"
    again = client.post("/api/v1/crews", json={"name": "Regu Blimbing Dua", "kecamatan_code": "35.73.01"},
                        headers=cast.headers("admin"))
    assert again.status_code == 409


@pytest.mark.parametrize("username", ["CREW_A", "Crew_A", "crew_A"])
def test_usernames_are_unique_ignoring_case(client, cast, username):
    user = {"username": username, "password": "long-password", "role": "supervisor"}
    resp = client.post("/api/v1/users", json=user, headers=cast.headers("admin"))
    assert resp.status_code == 409 and "taken" in resp.get_json()["message"]


def test_login_ignores_the_case_of_the_username(client):
    resp = client.post("/api/v1/auth/token", json={"username": "CREW_A", "password": PASSWORD})
    assert resp.status_code == 200 and resp.get_json()["user"]["username"] == "crew_a"


def test_the_database_refuses_a_case_twin_even_past_the_service(app):
    from sqlalchemy.exc import IntegrityError

    from models import User

    with app.app_context():
        db.session.add(User(username="ADMIN", password_hash="x", role="admin"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_unknown_json_keys_with_broken_text_are_a_clear_422(client, cast):
    raw = json.dumps({**log_payload(), "n\ud800tes": "x", str(uuid.uuid4()): 1})
    resp = _send(client, cast, "POST", "/api/v1/logs", "crew_a", raw)
    assert resp.status_code == 422 and "Unknown field" in resp.get_data(as_text=True)
