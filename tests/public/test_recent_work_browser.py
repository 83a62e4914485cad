"""The public page's recent work in headless Chromium: before and after side by side, the SAMBAT
ticket, and a link to the card that loads."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.builders import KAUMAN, SUKUN, post_log, review
from tests.builders import upload_secret_photo as add_photo
from tests.fixtures.browser import assert_only_local_requests, screenshot
from tests.servers import serving

TICKET = "SBT-2026/11/00042"


@pytest.fixture
def live_server(app, client, cast) -> Iterator[str]:
    paired = post_log(client, cast, KAUMAN, "crew_a", length_m=80.0, complaint_ref=TICKET)
    add_photo(client, cast, paired, "before", variant=1)
    add_photo(client, cast, paired, "after", variant=2)
    single = post_log(client, cast, SUKUN, "crew_b", length_m=30.0)
    add_photo(client, cast, single, "after", who="crew_b", variant=3)
    for log in (paired, single):
        review(client, cast, log["id"])
    with serving(app) as url:
        yield url


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_recent_work_shows_before_and_after_with_the_card(live_server, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("performance")
    browser.set_window_size(412, 915)  # a phone
    browser.get(live_server + "/")
    assert browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.satgasPage.ready.then(done, (e) => done(String(e)));"
    ) == "ready"
    items = browser.execute_script("""
        return [...document.querySelectorAll('#activities li.activity')].map((li) => ({
          kelurahan: li.dataset.kelurahan,
          kinds: [...li.querySelectorAll('.activity-photos figure')].map((f) => f.dataset.kind),
          boxes: [...li.querySelectorAll('.activity-photos img')].map((i) => {
            const r = i.getBoundingClientRect(); return [r.left, r.top, r.width]; }),
          complaint: (li.querySelector('.activity-complaint') || {}).textContent || null,
          card: (li.querySelector('.activity-card a') || {}).href || null,
        }));""")
    paired = next(i for i in items if i["kelurahan"] == KAUMAN)
    single = next(i for i in items if i["kelurahan"] == SUKUN)
    assert paired["kinds"] == ["before", "after"] and single["kinds"] == ["after"]
    (left, top_l, width), (right, top_r, _) = paired["boxes"]
    assert left + width <= right and abs(top_l - top_r) < 1 and width > 100  # side by side, phone-sized
    assert paired["complaint"] == f"Menanggapi aduan SAMBAT #{TICKET}" and single["complaint"] is None
    assert paired["card"].endswith("/card.jpg") and single["card"] is None
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "const imgs = [...document.querySelectorAll('#activities img')];"
        "return imgs.length === 3 && imgs.every((i) => i.complete && i.naturalWidth > 0);"))
    browser.execute_script("document.querySelector('#activities-title').scrollIntoView();")
    screenshot(browser, "public-recent-work-phone")
    assert_only_local_requests(browser, live_server)

    browser.get(paired["card"])
    size = browser.execute_script("const i = document.querySelector('img'); return [i.naturalWidth, i.naturalHeight];")
    assert size == [1080, 1080]
