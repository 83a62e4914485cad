"""The public map's toggle between metres cleaned and % of the drain network covered, in Chromium."""
from __future__ import annotations

import pytest

from tests.builders import BALEARJOSARI, KAUMAN, SUKUN, along, line_in, load_network, post_log, review
from tests.fixtures.browser import assert_only_local_requests, screenshot
from tests.servers import serving


@pytest.fixture
def covered(app, client, cast, tmp_path) -> None:
    """Kauman: 200 m cleaned of its 400 m drain (50 %); Sukun: all of its 100 m drain (100 %);
    Balearjosari: 800 m reported at a spot, but no drain of the network there."""
    kauman, sukun = line_in(KAUMAN, 400), line_in(SUKUN, 100)
    load_network(app, tmp_path, [kauman, sukun], kind="synthetic", name="[SINTETIS] Saluran uji")
    logs = [post_log(client, cast, KAUMAN, geometry=along(kauman, 0, 200, 4), length_m=None),
            post_log(client, cast, SUKUN, "crew_b", geometry=along(sukun, 0, 100, 4), length_m=None),
            post_log(client, cast, BALEARJOSARI, "crew_b", length_m=800.0)]
    for log in logs:
        review(client, cast, log["id"])


def _fills(driver) -> dict[str, str]:
    return dict(driver.execute_script("return [...document.querySelectorAll('svg#map path.kel')]"
                                      ".map((p) => [p.dataset.code, getComputedStyle(p).fill]);"))


def _luminance(rgb: str) -> float:
    r, g, b = (float(v) for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text(driver, selector: str) -> str:
    return driver.find_element("css selector", selector).text


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_map_switches_between_metres_cleaned_and_network_covered(app, covered, browser):
    with serving(app) as base:
        browser.get(base + "/")
        assert browser.execute_async_script(
            "const done = arguments[arguments.length - 1]; window.satgasPage.ready.then(done, (e) => done(String(e)));"
        ) == "ready"
        by_length = _fills(browser)
        assert _luminance(by_length[BALEARJOSARI]) < _luminance(by_length[KAUMAN]) < _luminance(by_length[SUKUN])
        assert "m" in _text(browser, "#legend-max") and "Panjang" in _text(browser, "#legend-title")

        browser.find_element("css selector", '[data-mode="coverage"]').click()
        by_share = _fills(browser)
        assert _luminance(by_share[SUKUN]) < _luminance(by_share[KAUMAN]) < _luminance(by_share[BALEARJOSARI])
        assert by_share[BALEARJOSARI] == "rgb(236, 236, 236)"  # no drain network there: nothing to cover
        assert _text(browser, "#legend-max") == "100 %" and "tercakup" in _text(browser, "#legend-title")
        assert browser.find_element("css selector", '[data-mode="coverage"]').get_attribute("aria-pressed") == "true"
        assert _text(browser, f'#kel-table tr[data-code="{KAUMAN}"] [data-field="coverage_pct"]') == "50"
        assert _text(browser, f'#kel-table tr[data-code="{BALEARJOSARI}"] [data-field="coverage_pct"]') == "–"
        assert _text(browser, '#totals [data-total="coverage_pct"]') == "60"  # 300 m of 500 m
        assert browser.find_element("css selector", "#synthetic-note").is_displayed()  # labelled as synthetic
        screenshot(browser, "public-page-coverage")

        browser.find_element("css selector", '[data-mode="length"]').click()
        assert _fills(browser) == by_length
        assert_only_local_requests(browser, base)


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_without_a_network_the_coverage_colouring_is_off(app, client, cast, browser):
    review(client, cast, post_log(client, cast, KAUMAN, length_m=120.0)["id"])
    with serving(app) as base:
        browser.get(base + "/")
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1]; window.satgasPage.ready.then(done, done);")
        assert browser.find_element("css selector", '[data-mode="coverage"]').get_attribute("disabled") == "true"
        assert browser.find_element("css selector", "#mode-note").is_displayed()
        assert _text(browser, '#totals [data-total="coverage_pct"]') == "–"
        assert not browser.find_element("css selector", "#synthetic-note").is_displayed()
