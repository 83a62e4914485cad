"""The public page in headless Chromium against a real server: map, colours, tooltip, no outside requests."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from tests.builders import BALEARJOSARI, KAUMAN, KETAWANGGEDE, SUKUN, post_log, review
from tests.builders import upload_secret_photo as add_photo
from tests.fixtures.browser import assert_only_local_requests, screenshot
from tests.servers import serving

UNAPPROVED_BIG = "35.73.03.1005"


@pytest.fixture
def seeded(client, cast) -> None:
    """Approved work in four kelurahan (Kauman the most), and a bigger unapproved log elsewhere."""
    kauman = post_log(client, cast, KAUMAN, "crew_a", length_m=1000.0, sediment_m3=2.5, waste_kg=1500)
    add_photo(client, cast, kauman, "after", variant=1)
    more = post_log(client, cast, KAUMAN, "crew_a", length_m=234.5, sediment_m3=1.2, waste_kg=250.5)
    others = [post_log(client, cast, SUKUN, "crew_b", length_m=300.0),
              post_log(client, cast, BALEARJOSARI, "crew_b", length_m=800.0),
              post_log(client, cast, KETAWANGGEDE, "crew_a", length_m=45.5)]
    for log in (kauman, more, *others):
        review(client, cast, log["id"])
    post_log(client, cast, UNAPPROVED_BIG, "crew_a", length_m=9999.0)


@pytest.fixture
def live_server(app, seeded) -> Iterator[str]:
    with serving(app) as url:
        yield url


def id_number(value: float, digits: int = 1) -> str:
    """What Intl.NumberFormat('id-ID', {maximumFractionDigits}) prints: 1.234,5."""
    whole, _, fraction = f"{round(value, digits):,.{digits}f}".partition(".")
    fraction = fraction.rstrip("0")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


# Finds a spot inside the kelurahan that the pointer really hits; returns its offset from the
# element's centre, which is what Selenium's move_to_element_with_offset expects.
_INSIDE_OFFSET = """
const path = document.querySelector(`#map path.kel[data-code="${arguments[0]}"]`);
path.scrollIntoView({block: 'center'});
const box = path.getBBox(), ctm = path.getScreenCTM(), svg = path.ownerSVGElement, r = path.getBoundingClientRect();
for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
  const p = svg.createSVGPoint(); p.x = box.x + box.width * i / 24; p.y = box.y + box.height * j / 24;
  if (!path.isPointInFill(p)) continue;
  const s = p.matrixTransform(ctm);
  if (document.elementFromPoint(s.x, s.y) === path) return [s.x - (r.left + r.width / 2), s.y - (r.top + r.height / 2)];
}
return null;
"""


def _luminance(rgb: str) -> float:
    r, g, b = (float(v) for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _open(driver, base: str) -> None:
    driver.get_log("performance")  # drop the browser's own start-up (new tab page) entries
    driver.get(base + "/")
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.satgasPage.ready.then(done, (e) => done(String(e)));")
    assert result == "ready" and driver.find_element("css selector", "body").get_attribute("data-state") == "ready"


def _hover(driver, code: str) -> dict[str, str]:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    offset = driver.execute_script(_INSIDE_OFFSET, code)
    assert offset, f"no hoverable point inside {code}"
    path = driver.find_element("css selector", f'#map path.kel[data-code="{code}"]')
    ActionChains(driver).move_to_element_with_offset(path, int(offset[0]), int(offset[1])).perform()
    WebDriverWait(driver, 5).until(lambda d: d.execute_script(
        "const t = document.querySelector('#tooltip'); return !t.hidden && t.dataset.code === arguments[0];", code))
    return driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#tooltip dd[data-field]')]"
        ".map((dd) => [dd.dataset.field, dd.textContent]));")


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_public_page_in_chromium(client, live_server, browser):
    _open(browser, live_server)
    fills = browser.execute_script(
        "return [...document.querySelectorAll('svg#map path.kel[data-code][data-length]')]"
        ".map((p) => [p.dataset.code, getComputedStyle(p).fill]);")
    assert len(fills) == 57
    ranked = sorted(fills, key=lambda item: _luminance(item[1]))
    assert ranked[0][0] == KAUMAN and _luminance(ranked[0][1]) < _luminance(ranked[1][1])
    assert ranked[1][0] == BALEARJOSARI  # the unapproved 9999 m colours nothing

    rows = {r["code"]: r for r in client.get("/public/v1/progress").get_json()["kelurahan"]}
    expected = rows[KAUMAN]
    assert expected["length_m"] == 1234.5 and expected["logs"] == 2
    shown = _hover(browser, KAUMAN)
    assert shown["length_m"] == f"{id_number(expected['length_m'])} m" == "1.234,5 m"
    assert shown["sediment_m3"] == f"{id_number(expected['sediment_m3'])} m³"
    assert shown["waste_kg"] == f"{id_number(expected['waste_kg'])} kg" == "1.750,5 kg"
    assert shown["logs"] == "2" and shown["photos"] == "1"

    total = browser.find_element("css selector", '#totals [data-total="length_m"]').text
    assert total == id_number(1234.5 + 300 + 800 + 45.5)
    _assert_thumbnails_loaded(browser)
    assert_only_local_requests(browser, live_server)
    assert screenshot(browser, "public-page").stat().st_size > 0


def _assert_thumbnails_loaded(driver) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "const imgs = [...document.querySelectorAll('#activities img')];"
        "return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);"))




_ROWS = "return [...document.querySelectorAll('#kel-table tbody tr[data-code]')].map((r) => r.dataset.code);"
_DIMMED = "return [...document.querySelectorAll('#map path.kel.is-dimmed')].map((p) => p.dataset.kecamatan);"


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_filter_sort_period_and_keyboard_tooltip_in_chromium(client, live_server, browser):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    _open(browser, live_server)
    klojen = {r["code"] for r in client.get("/public/v1/progress").get_json()["kelurahan"]
              if r["kecamatan_code"] == "35.73.02"}
    Select(browser.find_element("css selector", "#kecamatan-filter")).select_by_value("35.73.02")
    rows = browser.execute_script(_ROWS)
    assert set(rows) == klojen and rows[0] == KAUMAN  # the most metres first
    dimmed = browser.execute_script(_DIMMED)
    assert len(dimmed) == 57 - len(klojen) and "35.73.02" not in dimmed

    browser.find_element("css selector", '#kel-table th[data-sort="length_m"] button').click()
    assert browser.execute_script(_ROWS)[-1] == KAUMAN
    assert browser.find_element("css selector", '#kel-table th[data-sort="length_m"]').get_attribute(
        "aria-sort") == "ascending"

    browser.execute_script(f"document.querySelector('#map path.kel[data-code=\"{KAUMAN}\"]').focus();")
    tooltip = browser.find_element("css selector", "#tooltip")
    assert tooltip.is_displayed() and tooltip.get_attribute("data-code") == KAUMAN
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not tooltip.is_displayed()

    browser.find_element("css selector", '[data-range="7"]').click()
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "return document.body.dataset.state === 'ready' && location.search.includes('from=');"))
    start, end = (browser.find_element("css selector", s).get_attribute("value") for s in ("#from", "#to"))
    assert date.fromisoformat(end) - date.fromisoformat(start) == timedelta(days=6)
    assert browser.execute_script("return location.search;") == f"?from={start}&to={end}"
    assert browser.find_element("css selector", '[data-range="7"]').get_attribute("aria-pressed") == "true"
    assert browser.execute_script(_DIMMED) == dimmed  # the filter holds across a reload

    browser.execute_script("document.querySelector('#from').value = arguments[1];"
                           "document.querySelector('#to').value = arguments[0];", start, end)
    browser.find_element("css selector", "#apply").click()
    assert "sebelum tanggal akhir" in browser.find_element("css selector", "#period-error").text
    assert_only_local_requests(browser, live_server)
