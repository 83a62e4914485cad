"""SAMBAT complaint tickets on logs: validated, part of the content, filtered, exported, public once approved."""
from __future__ import annotations

import csv
import io

import pytest

from tests.builders import log_payload, post_log, review

TICKET = "SBT-2026/11/00042"


@pytest.mark.parametrize("ref", [
    "", " SBT-1", "-SBT", "/2026", ".x", "SBT 2026", "SBT#42", "SBT-1\n", "A" * 41, "Aduan–42", "ädu-1", 42,
])
def test_a_bad_complaint_ref_is_422(client, cast, ref):
    resp = client.post("/api/v1/logs", json=log_payload(complaint_ref=ref), headers=cast.headers("crew_a"))
    assert resp.status_code == 422 and "complaint_ref" in resp.get_json()["errors"]["json"]


@pytest.mark.parametrize("ref", [TICKET, "A" * 40, "7", "sbt.2026_11-1/a"])
def test_a_good_complaint_ref_is_stored_and_returned(client, cast, ref):
    created = post_log(client, cast, complaint_ref=ref)
    assert created["complaint_ref"] == ref
    stored = client.get(f"/api/v1/logs/{created['id']}", headers=cast.headers("sup_city")).get_json()
    assert stored["complaint_ref"] == ref


def test_a_bad_ref_in_a_batch_is_only_that_log(client, cast):
    logs = [log_payload(complaint_ref=TICKET), log_payload(complaint_ref="bad ref")]
    results = client.post("/api/v1/logs/batch", json={"logs": logs}, headers=cast.headers("crew_a")).get_json()
    assert [r["status"] for r in results["results"]] == ["created", "invalid"]
    assert "complaint_ref" in results["results"][1]["errors"]


def test_the_ref_is_part_of_the_content(client, cast):
    headers = cast.headers("crew_a")
    with_ref = log_payload(complaint_ref=TICKET)
    assert client.post("/api/v1/logs", json=with_ref, headers=headers).status_code == 201
    assert client.post("/api/v1/logs", json=with_ref, headers=headers).status_code == 200
    for changed in ("SBT-2026/11/00043", None):
        resp = client.post("/api/v1/logs", json=dict(with_ref, complaint_ref=changed), headers=headers)
        assert resp.status_code == 409
    without = {k: v for k, v in log_payload().items()}
    assert client.post("/api/v1/logs", json=without, headers=headers).status_code == 201
    assert client.post("/api/v1/logs", json=dict(without, complaint_ref=None), headers=headers).status_code == 200
    assert client.post("/api/v1/logs", json=dict(without, complaint_ref=TICKET), headers=headers).status_code == 409
    stored = client.get(f"/api/v1/logs/{with_ref['id']}", headers=headers).get_json()
    assert stored["complaint_ref"] == TICKET


def test_filter_list_csv_and_geojson_by_ref(client, cast):
    answering = post_log(client, cast, complaint_ref=TICKET)
    post_log(client, cast, complaint_ref="SBT-2026/11/00099")
    post_log(client, cast)
    headers = cast.headers("sup_city")
    page = client.get(f"/api/v1/logs?complaint_ref={TICKET}", headers=headers).get_json()
    assert [i["id"] for i in page["items"]] == [answering["id"]] and page["total"] == 1
    geo = client.get(f"/api/v1/logs?complaint_ref={TICKET}&format=geojson", headers=headers).get_json(force=True)
    assert [f["id"] for f in geo["features"]] == [answering["id"]]
    assert geo["features"][0]["properties"]["complaint_ref"] == TICKET
    text = client.get(f"/api/v1/logs?complaint_ref={TICKET}&format=csv", headers=headers).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["id"], r["complaint_ref"]) for r in rows] == [(answering["id"], TICKET)]
    everything = list(csv.DictReader(io.StringIO(
        client.get("/api/v1/logs?format=csv", headers=headers).get_data(as_text=True))))
    assert sorted(r["complaint_ref"] for r in everything) == ["", TICKET, "SBT-2026/11/00099"]
    assert client.get("/api/v1/logs?complaint_ref=no%20spaces", headers=headers).status_code == 422
    assert client.get("/api/v1/logs?complaint_ref=", headers=headers).get_json()["total"] == 3


def test_crews_filter_only_their_own_logs(client, cast):
    post_log(client, cast, "35.73.04.1005", "crew_b", complaint_ref=TICKET)
    page = client.get(f"/api/v1/logs?complaint_ref={TICKET}", headers=cast.headers("crew_a")).get_json()
    assert page["items"] == [] and page["total"] == 0


def test_public_activities_show_the_ref_of_approved_logs_only(client, cast):
    approved = post_log(client, cast, complaint_ref=TICKET, length_m=12.5)
    pending = post_log(client, cast, complaint_ref="SBT-2026/11/00777")
    plain = post_log(client, cast)
    review(client, cast, approved["id"])
    review(client, cast, plain["id"])
    items = client.get("/public/v1/activities").get_json()["items"]
    assert sorted(str(i["complaint_ref"]) for i in items) == ["None", TICKET]
    body = client.get("/public/v1/activities").get_data(as_text=True)
    assert "SBT-2026/11/00777" not in body and pending["id"] not in body and approved["id"] not in body
    assert all(len(i["public_id"]) == 32 for i in items)
    review(client, cast, pending["id"])
    refreshed = client.get("/public/v1/activities").get_json()["items"]
    assert "SBT-2026/11/00777" in [i["complaint_ref"] for i in refreshed]
