"""The console in headless Chromium against a real server: a kecamatan supervisor signs in,
reviews with the keyboard, approves in bulk, reads progress and the crews' day; crews are
kept out; nothing is loaded from outside the server; the session is CSRF-protected."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.builders import KAUMAN, KLOJEN_KEL, SUKOHARJO, SUKUN, post_log, review, upload_photo, wib
from tests.fixtures.browser import assert_only_local_requests, screenshot
from tests.servers import serving
from tests.support import PASSWORD, WIB

REJECT_NOTE = "Foto sesudah buram, mohon foto ulang dari sudut yang sama."
pytestmark = pytest.mark.parametrize("db_backend", ["spatialite"])


def _day(days_ago: int) -> str:
    return (datetime.now(WIB) - timedelta(days=days_ago)).date().isoformat()


@dataclass
class Seeded:
    first: dict
    second: dict
    flagged: dict
    clean: dict
    sukun: dict


def _with_photos(client, cast, code, who="crew_a", **fields) -> dict:
    log = post_log(client, cast, code, who, **fields)
    upload_photo(client, cast, log, "before", who=who)
    upload_photo(client, cast, log, "after", who=who)
    return log


@pytest.fixture
def seeded(client, cast) -> Seeded:
    """Four pending logs in Klojen (one flagged), one pending in Sukun, one approved in Klojen."""
    first = _with_photos(client, cast, KAUMAN, start=wib(_day(6)))
    second = _with_photos(client, cast, SUKOHARJO, start=wib(_day(5)))
    flagged = _with_photos(client, cast, KAUMAN, start=wib(_day(4)), kelurahan_code=KLOJEN_KEL)
    clean = _with_photos(client, cast, KLOJEN_KEL, start=wib(_day(3)))
    sukun = _with_photos(client, cast, SUKUN, "crew_b", start=wib(_day(5)))
    done = _with_photos(client, cast, KAUMAN, start=wib(_day(2)))
    review(client, cast, done["id"], "approved", "sup_klojen")
    return Seeded(first, second, flagged, clean, sukun)


@pytest.fixture
def live(app, seeded) -> Iterator[str]:
    with serving(app) as url:
        yield url


def _wait(driver, condition, timeout: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _ready(driver) -> None:
    _wait(driver, lambda d: d.find_element("css selector", "body").get_attribute("data-state") in ("ready", "empty"))


def _queue_ids(driver) -> list[str]:
    return driver.execute_script("return [...document.querySelectorAll('#queue li')].map((li) => li.dataset.id);")


def _on_screen(driver) -> str | None:
    return driver.find_element("id", "detail").get_attribute("data-log-id")


def _keys(driver, *keys) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def _sign_in(driver, base: str, username: str, password: str = PASSWORD) -> None:
    driver.get(base + "/console/login")
    _wait(driver, lambda d: d.find_element("id", "sign-in-button").is_enabled())  # the page's script is ready
    driver.find_element("id", "username").send_keys(username)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("id", "sign-in-button").click()


def _photos_loaded(driver) -> int:
    return driver.execute_script(
        "return [...document.querySelectorAll('#evidence figure.photo img')]"
        ".filter((i) => i.complete && i.naturalWidth > 0).length;")


def test_a_kecamatan_supervisor_reviews_with_the_keyboard(client, cast, seeded, live, browser):
    from selenium.webdriver.common.keys import Keys

    browser.get_log("performance")  # drop the browser's own start-up entries
    browser.get(live + "/console/")
    assert "/console/login" in browser.current_url  # not signed in: sent to sign in first
    _sign_in(browser, live, "sup_klojen")
    _wait(browser, lambda d: urlsplit(d.current_url).path == "/console/")
    _ready(browser)

    # Only Klojen's pending logs, oldest first, each with both photos on screen.
    assert _queue_ids(browser) == [seeded.first["id"], seeded.second["id"], seeded.flagged["id"], seeded.clean["id"]]
    assert _on_screen(browser) == seeded.first["id"]
    _wait(browser, lambda d: _photos_loaded(d) == 2)
    assert browser.execute_script("return document.cookie").find("satgas_session") == -1  # HttpOnly

    _keys(browser, "a")  # approve, and the next log shows without a reload
    _wait(browser, lambda d: _on_screen(d) == seeded.second["id"] and seeded.first["id"] not in _queue_ids(d))
    _ready(browser)
    _wait(browser, lambda d: _photos_loaded(d) == 2)
    _keys(browser, "r")  # reject: the note is required
    note = browser.find_element("id", "reject-note")
    _wait(browser, lambda d: d.switch_to.active_element == note)
    note.send_keys(Keys.CONTROL, Keys.ENTER)
    assert browser.find_element("id", "reject-error").is_displayed()  # an empty note is refused
    note.send_keys(REJECT_NOTE)
    note.send_keys(Keys.CONTROL, Keys.ENTER)
    _wait(browser, lambda d: _on_screen(d) == seeded.flagged["id"])
    _ready(browser)
    concerns = [li.text for li in browser.find_elements("css selector", "#evidence .concern")]
    assert any("Kru menulis kelurahan Klojen" in text and "Kauman" in text for text in concerns), concerns

    # Bulk: every unflagged pending log matching the filter, after a confirmation with the count.
    browser.find_element("id", "bulk-filter").click()
    _wait(browser, lambda d: d.find_element("id", "confirm").get_attribute("open") is not None)
    assert browser.find_element("id", "confirm-title").text == "Setujui 1 laporan?"
    browser.find_element("id", "confirm-ok").click()
    _wait(browser, lambda d: _queue_ids(d) == [seeded.flagged["id"]])
    _ready(browser)
    assert screenshot(browser, "console-queue").stat().st_size > 0
    assert_only_local_requests(browser, live)

    sup = cast.headers("sup_klojen")
    first = client.get(f"/api/v1/logs/{seeded.first['id']}", headers=sup).get_json()
    second = client.get(f"/api/v1/logs/{seeded.second['id']}", headers=sup).get_json()
    clean = client.get(f"/api/v1/logs/{seeded.clean['id']}", headers=sup).get_json()
    assert (first["status"], first["reviewed_by"]) == ("approved", "sup_klojen")
    assert (second["status"], second["reviewed_by"], second["review_note"]) == ("rejected", "sup_klojen", REJECT_NOTE)
    assert (clean["status"], clean["reviewed_by"]) == ("approved", "sup_klojen")
    for log_id, decision, bulk in ((first["id"], "approved", False), (second["id"], "rejected", False),
                                   (clean["id"], "approved", True)):
        events = client.get(f"/api/v1/logs/{log_id}/history", headers=sup).get_json()
        reviewed = [e for e in events if e["action"] == "reviewed"]
        assert [(e["actor"], e["details"]["decision"], e["details"].get("bulk", False)) for e in reviewed] == \
            [("sup_klojen", decision, bulk)]
    untouched = client.get(f"/api/v1/logs/{seeded.sukun['id']}", headers=cast.headers("sup_city")).get_json()
    assert untouched["status"] == "submitted"


def test_progress_and_crews_pages(client, cast, seeded, live, browser):
    _sign_in(browser, live, "sup_klojen")
    _wait(browser, lambda d: urlsplit(d.current_url).path == "/console/")
    browser.get_log("performance")
    browser.get(live + "/console/progress")
    _ready(browser)
    rows = browser.find_elements("css selector", "#progress-table tbody tr")
    assert len(rows) == 11  # every kelurahan of Klojen, zeros included
    kauman = browser.find_element("css selector", f'#progress-table tr[data-code="{KAUMAN}"]')
    assert kauman.find_element("css selector", '[data-field="coverage"]').text == "—"  # no drain network yet
    bars = browser.find_elements("css selector", "#chart rect.bar")
    assert len(bars) == 30
    csv_link = browser.find_element("id", "download-csv").get_attribute("href")
    assert "format=csv" in csv_link and "kecamatan_code=35.73.02" in csv_link
    exported = client.get(csv_link.removeprefix(live), headers=cast.headers("sup_klojen"))
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert screenshot(browser, "console-progress").stat().st_size > 0
    assert_only_local_requests(browser, live)

    browser.get(live + "/console/crews?date=" + _day(5))
    _ready(browser)
    crews = browser.find_elements("css selector", "#crews-table tbody tr")
    assert [row.get_attribute("data-crew") for row in crews] == [str(cast.crew_a_id)]  # Klojen's crew only
    assert crews[0].find_elements("css selector", "td")[1].text == "1"
    screenshot(browser, "console-crews")


def test_csrf_sign_out_and_crews_kept_out(client, cast, seeded, live, browser):
    _sign_in(browser, live, "sup_klojen")
    _wait(browser, lambda d: urlsplit(d.current_url).path == "/console/")
    _ready(browser)
    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(`/api/v1/logs/${arguments[0]}/review`, {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({decision: 'approved'})}).then((r) => done(r.status), (e) => done(String(e)));",
        seeded.flagged["id"])
    assert status == 403  # the session cookie alone does not approve anything
    flagged = client.get(f"/api/v1/logs/{seeded.flagged['id']}", headers=cast.headers("sup_city")).get_json()
    assert flagged["status"] == "submitted"

    browser.find_element("id", "sign-out").click()
    _wait(browser, lambda d: "/console/login" in d.current_url)
    browser.get(live + "/console/crews")
    assert "/console/login" in browser.current_url

    _sign_in(browser, live, "crew_a")
    _wait(browser, lambda d: d.find_element("id", "crew-only").is_displayed())
    assert "Konsol ini untuk pengawas" in browser.find_element("id", "crew-only").text
    browser.get(live + "/console/")
    assert "/console/login" in browser.current_url
