"""Coverage of the drain network, hand-checked on one 400 m segment (both databases)."""
from __future__ import annotations

from datetime import date

import pytest

from satgas.services.progress import kelurahan_progress, progress_from_logs
from tests.builders import KAUMAN, along, line_in, load_network, point_along, post_log, review, wib

DAY = "2026-11-02"
PERIOD = f"from={DAY}&to={DAY}"


@pytest.fixture
def drain(app, tmp_path):
    """One straight 400 m segment in Kauman, loaded as the whole network."""
    line = line_in(KAUMAN, 400)
    load_network(app, tmp_path, [line], name="Saluran uji", kind="tersier")
    return line


def _track(client, cast, drain, start, end, offset, day=DAY, clock="07:30", **fields):
    return post_log(client, cast, KAUMAN, geometry=along(drain, start, end, offset), length_m=None,
                    start=wib(day, clock), **fields)


def _kauman(client, cast, period=PERIOD, who="admin", path="/api/v1/progress") -> dict:
    body = client.get(f"{path}?{period}", headers=cast.headers(who) if who else {}).get_json()
    return next(row for row in body["kelurahan"] if row["code"] == KAUMAN)


def test_hand_checked_case(client, cast, drain):
    first = _track(client, cast, drain, 0, 150, 5)
    assert first["covered_m"] == pytest.approx(150, abs=1) and "off_network" not in first["flags"]
    assert _kauman(client, cast)["covered_m"] == 0  # submitted, not approved: nothing yet
    review(client, cast, first["id"])
    row = _kauman(client, cast)  # approval moves the figures at once
    assert row["network_m"] == pytest.approx(400, abs=0.5)
    assert row["covered_m"] == pytest.approx(150, abs=1) and row["coverage_pct"] == pytest.approx(37.5, abs=0.3)

    again = _track(client, cast, drain, 0, 150, 5, clock="10:00")
    review(client, cast, again["id"])
    assert _kauman(client, cast)["covered_m"] == pytest.approx(150, abs=1)  # each metre once per period

    second = _track(client, cast, drain, 100, 300, -4, clock="11:00")
    assert second["covered_m"] == pytest.approx(200, abs=1)
    review(client, cast, second["id"])
    assert _kauman(client, cast)["covered_m"] == pytest.approx(300, abs=1)

    away = _track(client, cast, drain, 0, 300, 40, clock="12:00")
    assert away["covered_m"] == 0 and "off_network" in away["flags"]
    review(client, cast, away["id"])
    assert _kauman(client, cast)["covered_m"] == pytest.approx(300, abs=1)

    rejected = _track(client, cast, drain, 300, 400, 5, clock="13:00")
    assert rejected["covered_m"] == pytest.approx(100, abs=1)
    review(client, cast, rejected["id"], "rejected", note="Foto tidak jelas")
    assert _kauman(client, cast)["covered_m"] == pytest.approx(300, abs=1)  # the rejected log counts nothing

    review(client, cast, second["id"], "rejected", note="Salah lokasi")  # approval taken back
    assert _kauman(client, cast)["covered_m"] == pytest.approx(150, abs=1)
    review(client, cast, rejected["id"], "approved")
    assert _kauman(client, cast)["covered_m"] == pytest.approx(250, abs=1)


def test_point_with_length_covers_that_length_centred_on_the_drain(client, cast, drain):
    spot = post_log(client, cast, KAUMAN, geometry=point_along(drain, 200, 3), length_m=50, start=wib(DAY))
    assert spot["covered_m"] == pytest.approx(50, abs=1)
    at_end = post_log(client, cast, KAUMAN, geometry=point_along(drain, 395, -2), length_m=50, start=wib(DAY))
    assert at_end["covered_m"] == pytest.approx(30, abs=1)  # 370..420 clipped at the segment's end
    far = post_log(client, cast, KAUMAN, geometry=point_along(drain, 200, 30), length_m=50, start=wib(DAY))
    unmeasured = post_log(client, cast, KAUMAN, geometry=point_along(drain, 100, 2), length_m=None, start=wib(DAY))
    assert far["covered_m"] == 0 and unmeasured["covered_m"] == 0
    assert not {"off_network"} & {*far["flags"], *unmeasured["flags"]}  # points are never off the network
    review(client, cast, spot["id"])
    review(client, cast, at_end["id"])
    assert _kauman(client, cast)["covered_m"] == pytest.approx(80, abs=1)


def test_period_boundary_is_the_wib_date(client, cast, drain):
    # 06:30 WIB on 1 November is 23:30 UTC on 31 October: it counts on 1 November only.
    early = _track(client, cast, drain, 0, 100, 5, day="2026-11-01", clock="06:30")
    review(client, cast, early["id"])
    assert _kauman(client, cast, "from=2026-10-31&to=2026-10-31")["covered_m"] == 0
    assert _kauman(client, cast, "from=2026-11-01&to=2026-11-01")["covered_m"] == pytest.approx(100, abs=1)
    later = _track(client, cast, drain, 50, 200, 5, day="2026-11-20")
    review(client, cast, later["id"])
    assert _kauman(client, cast, "from=2026-11-02&to=2026-11-30")["covered_m"] == pytest.approx(150, abs=1)
    assert _kauman(client, cast, "from=2026-11-01&to=2026-11-30")["covered_m"] == pytest.approx(200, abs=1)
    assert _kauman(client, cast, "from=2026-10-01&to=2026-11-19")["covered_m"] == pytest.approx(100, abs=1)


def test_fast_path_agrees_with_the_logs(app, client, cast, drain):
    for day, (start, end) in (("2026-11-01", (0, 120)), ("2026-11-03", (60, 260)), ("2026-11-03", (250, 400)),
                              ("2026-11-05", (30, 90)), ("2026-11-09", (380, 400))):
        review(client, cast, _track(client, cast, drain, start, end, 4, day=day)["id"])
    pending = _track(client, cast, drain, 0, 400, 4, day="2026-11-04")
    assert pending["covered_m"] == pytest.approx(400, abs=1)
    with app.app_context():
        for first, last in ((1, 30), (2, 4), (3, 3), (4, 8), (6, 30), (10, 30)):
            span = (date(2026, 11, first), date(2026, 11, last))
            fast, slow = kelurahan_progress(*span), progress_from_logs(*span)
            assert [r["covered_m"] for r in fast] == [r["covered_m"] for r in slow], span
    public = _kauman(client, cast, "from=2026-11-01&to=2026-11-30", who=None, path="/public/v1/progress")
    assert public["covered_m"] == pytest.approx(400, abs=1) and public["coverage_pct"] == pytest.approx(100, abs=0.3)
    body = client.get("/public/v1/progress?from=2026-11-01&to=2026-11-30").get_json()
    assert body["network_synthetic"] is False  # a "tersier" drain: a real inventory
    assert body["totals"]["network_m"] == pytest.approx(400, abs=0.5)
    assert body["totals"]["coverage_pct"] == pytest.approx(100, abs=0.3)


def test_logs_before_a_network_cover_nothing_and_are_not_off_network(client, cast):
    log = post_log(client, cast, KAUMAN, geometry=along(line_in(KAUMAN, 200), 0, 200, 40), length_m=None)
    assert log["covered_m"] == 0 and "off_network" not in log["flags"]
    row = _kauman(client, cast, "from=2026-11-01&to=2026-12-01")
    assert (row["network_m"], row["covered_m"], row["coverage_pct"]) == (0, 0, None)
    totals = client.get("/api/v1/progress?from=2026-11-01&to=2026-12-01", headers=cast.headers("admin")).get_json()
    assert (totals["totals"]["network_m"], totals["totals"]["covered_m"], totals["totals"]["coverage_pct"]) == (
        0, 0, None)
