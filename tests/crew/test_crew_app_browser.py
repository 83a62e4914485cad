"""The crews' web app in headless Chromium against a real server: signed in once, it records a GPS
track and photos with no network, survives a reload offline (service worker + IndexedDB), sends
everything when the network is back, and deletes a local copy only once the server holds it."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from flask import Flask

from satgas.photo_storage import EXTENSION
from storage import LocalStorage
from tests.builders import KAUMAN, point_in, review, track_in
from tests.fixtures.browser import assert_only_local_requests, screenshot
from tests.images import jpeg
from tests.servers import serving
from tests.support import PASSWORD

JAKARTA = (106.8272, -6.1754)  # far outside Kota Malang: the server refuses such a log
WAIT_S = 40

# Everything the phone keeps, read straight from IndexedDB (logs and photos, without the bytes).
_LOCAL = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('satgas-crew');
open.onerror = () => done(null);
open.onsuccess = () => {
  const db = open.result, out = {}, tx = db.transaction(['logs', 'photos']);
  for (const name of ['logs', 'photos']) {
    tx.objectStore(name).getAll().onsuccess = (event) => {
      out[name] = event.target.result.map((x) => ({id: x.id, state: x.state, message: x.message || null,
                                                  sha256: x.sha256 || null, logId: x.logId || null}));
      if (Object.keys(out).length === 2) { db.close(); done(out); }
    };
  }
};
"""


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


class Phone:
    """What a crew member does on the phone, through Selenium and the DevTools protocol."""

    def __init__(self, driver, base: str) -> None:
        self.driver, self.base = driver, base

    def wait(self, condition, timeout: float = WAIT_S):
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(condition)
        except TimeoutException:
            screenshot(self.driver, "crew-timeout")  # what the phone showed, for the failure report
            shown = self.js("return [...document.querySelectorAll('[role=alert], [role=status]')]"
                            ".filter((e) => !e.hidden).map((e) => e.textContent.trim());")
            console = self.driver.get_log("browser")
            raise AssertionError(f"timed out; the page says {shown}; console: {console}") from None

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def find(self, selector: str):
        return self.driver.find_element("css selector", selector)

    def click(self, selector: str) -> None:
        element = self.find(selector)
        self.js("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def open(self) -> None:
        self.driver.get(self.base + "/crew/")
        self.wait_ready()

    def wait_ready(self) -> None:
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.satgasCrew.ready.then(() => done('ready'), (e) => done(String(e)));")
        assert result == "ready"

    def sign_in(self, username: str) -> None:
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(PASSWORD)
        self.click("#login-submit")
        self.wait(lambda d: self.js("return !document.querySelector('#work').hidden"))

    def offline(self, offline: bool) -> None:
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        self.wait(lambda d: self.js("return navigator.onLine") is not offline)

    def at(self, lon: float, lat: float, accuracy: float = 6) -> None:
        self.driver.execute_cdp_cmd("Emulation.setGeolocationOverride",
                                    {"longitude": lon, "latitude": lat, "accuracy": accuracy})

    def points(self) -> int:
        return int(self.find("#gps-status").get_attribute("data-points") or 0)

    def tab(self, name: str) -> None:
        self.click(f"#tab-{name}")

    def local(self) -> dict:
        return self.driver.execute_async_script(_LOCAL)

    def outbox_states(self) -> list[tuple[str, str]]:
        return [tuple(item) for item in self.js("return [...document.querySelectorAll('#outbox > li')]"
                                                ".map((li) => [li.dataset.logId, li.dataset.state]);")]

    def idle(self) -> None:
        self.driver.execute_async_script("const done = arguments[arguments.length - 1];"
                                         "window.satgasCrew.idle().then(() => done(true));")


def _record_track(phone: Phone, positions: list[tuple[float, float]], photos: dict[str, str]) -> None:
    phone.tab("record")
    phone.at(*positions[0])
    phone.click("#start")
    for count, position in enumerate(positions, start=1):
        phone.at(*position)
        phone.wait(lambda d, n=count: phone.points() == n)
    phone.click("#finish")
    for kind, path in photos.items():
        phone.find(f"#photo-{kind}").send_keys(path)
        phone.wait(lambda d, k=kind: len(d.find_elements("css selector", f"#thumbs-{k} img")) == 1)


def _api(client, cast, path: str):
    return client.get(path, headers=cast.headers("crew_a"))


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_crew_records_offline_and_sends_when_back_online(app, client, cast, live, browser, tmp_path, monkeypatch):
    phone = Phone(browser, live)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": live, "permissions": ["geolocation"]})
    browser.get_log("performance")  # drop the browser's own start-up entries
    phone.open()
    phone.sign_in("crew_a")
    phone.wait(lambda d: phone.js("return navigator.serviceWorker.controller !== null"))
    phone.wait(lambda d: len(d.find_elements("css selector", "#kelurahan option")) > 50)

    (start, end) = track_in(KAUMAN, 80)["coordinates"]
    track = [tuple(start), ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2), tuple(end)]
    photos = {"before": jpeg(21, lonlat=track[0]), "after": jpeg(22, lonlat=track[2])}
    for kind, data in photos.items():
        (tmp_path / f"{kind}.jpg").write_bytes(data)

    phone.offline(True)
    _record_track(phone, track, {kind: str(tmp_path / f"{kind}.jpg") for kind in photos})
    phone.find("#kelurahan").send_keys("Kauman")
    phone.find("#length_m").send_keys("80")
    phone.find("#workers").send_keys("4")
    phone.click("#save")
    phone.wait(lambda d: phone.find("#outbox-count").text == "1")
    local = phone.local()
    [log_id] = [log["id"] for log in local["logs"]]
    assert sorted((p["state"], p["sha256"]) for p in local["photos"]) == sorted(
        ("local", hashlib.sha256(data).hexdigest()) for data in photos.values())

    browser.refresh()  # still offline: the service worker serves the app, IndexedDB kept the log
    phone.wait_ready()
    assert phone.js("return navigator.serviceWorker.controller !== null && !navigator.onLine")
    phone.tab("outbox")
    assert phone.outbox_states() == [(log_id, "local")]
    assert len(browser.find_elements("css selector", f'#outbox li[data-log-id="{log_id}"] figure img')) == 2
    assert _api(client, cast, f"/api/v1/logs/{log_id}").status_code == 404
    screenshot(browser, "crew-offline-outbox")

    # Back online while photo storage is down: the log arrives, the photos cannot — all stays on the phone.
    working = app.extensions[EXTENSION]
    (tmp_path / "gone").write_text("a file where the photo directory was")
    monkeypatch.setitem(app.extensions, EXTENSION, LocalStorage(tmp_path / "gone"))
    phone.offline(False)
    phone.wait(lambda d: _api(client, cast, f"/api/v1/logs/{log_id}").status_code == 200)
    phone.wait(lambda d: all(p["message"] for p in phone.local()["photos"]))
    phone.idle()
    local = phone.local()
    assert [(log["id"], log["state"]) for log in local["logs"]] == [(log_id, "sent")]
    assert [p["state"] for p in local["photos"]] == ["local", "local"]
    assert _api(client, cast, f"/api/v1/logs/{log_id}").get_json()["photos"] == []
    failed = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert failed and all("/api/v1/uploads" in message and "503" in message for message in failed), failed

    # Storage back: "Kirim" sends the photos; only once sync/status confirms them do the copies go.
    monkeypatch.setitem(app.extensions, EXTENSION, working)
    phone.click("#send")
    phone.wait(lambda d: phone.local() == {"logs": [], "photos": []})
    stored = _api(client, cast, f"/api/v1/logs/{log_id}").get_json()
    assert sorted(p["sha256"] for p in stored["photos"]) == sorted(hashlib.sha256(d).hexdigest()
                                                                  for d in photos.values())
    assert {p["kind"] for p in stored["photos"]} == {"before", "after"}
    assert stored["geometry"]["type"] == "LineString" and len(stored["geometry"]["coordinates"]) == 3
    assert stored["kelurahan_code"] == KAUMAN and stored["length_m"] == 80 and stored["workers"] == 4
    assert phone.outbox_states() == []

    # A log the server refuses shows the server's message and stays on the phone.
    phone.tab("record")
    phone.at(*JAKARTA)
    phone.click("#start")
    phone.wait(lambda d: phone.points() == 1)
    phone.click("#finish")
    phone.click("#save")
    phone.tab("outbox")
    phone.wait(lambda d: [state for _, state in phone.outbox_states()] == ["rejected"])
    message = phone.find('#outbox li[data-state="rejected"] [data-role="message"]').text
    assert "outside Kota Malang" in message
    assert [log["state"] for log in phone.local()["logs"]] == ["rejected"]
    screenshot(browser, "crew-rejected")
    assert_only_local_requests(browser, live)


_TOKEN = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('satgas-crew');
open.onsuccess = () => {
  open.result.transaction('meta').objectStore('meta').get('session').onsuccess = (event) => {
    open.result.close();
    done(event.target.result.token);
  };
};
"""


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_expired_session_asks_to_sign_in_again_and_keeps_the_queue(client, cast, live, browser):
    phone = Phone(browser, live)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": live, "permissions": ["geolocation"]})
    phone.open()
    phone.sign_in("crew_a")
    phone.wait(lambda d: phone.js("return document.querySelector('#history-status').textContent"))  # settled
    token = browser.execute_async_script(_TOKEN)
    assert client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}).status_code == 204

    phone.click('input[name=mode][value=point]')
    _record_track(phone, [point_in(KAUMAN)["coordinates"]], {})
    phone.click("#save")
    phone.wait(lambda d: phone.js("return !document.querySelector('#login').hidden"))
    assert phone.find("#login-note").is_displayed() and phone.find("#username").get_attribute("value") == "crew_a"
    [log] = phone.local()["logs"]
    assert log["state"] == "local"  # nothing queued was lost
    failed = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert failed and all("401" in message for message in failed), failed

    phone.find("#password").send_keys(PASSWORD)
    phone.click("#login-submit")
    phone.wait(lambda d: phone.local()["logs"] == [])
    stored = _api(client, cast, f"/api/v1/logs/{log['id']}").get_json()
    assert stored["geometry"]["type"] == "Point"

    # The crew's own recent logs, with the supervisor's decision and note.
    review(client, cast, log["id"], "rejected", note="Foto sesudah belum ada")
    phone.tab("history")
    shown = f'#history li[data-log-id="{log["id"]}"]'
    phone.wait(lambda d: d.find_elements("css selector", f'{shown}[data-review="rejected"]'))
    item = phone.find(shown)
    assert "Ditolak" in item.text and "Catatan pengawas: Foto sesudah belum ada" in item.text
    assert_only_local_requests(browser, live)
