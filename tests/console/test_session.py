"""The console's session: cookie flags, CSRF on every state-changing request it authenticates,
sign-out revoking the token behind it, and crews kept out."""
from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from satgas.web_session import COOKIE_NAME
from tests.builders import KAUMAN, post_log
from tests.support import PASSWORD, console_sign_in

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Signing in with a password is not authenticated by the cookie: the token endpoint needs no CSRF.
NOT_COOKIE_AUTHENTICATED = {("POST", "/api/v1/auth/token")}


def _cookie(resp) -> dict[str, str]:
    """The attributes of the session cookie the answer sets (lower-cased names)."""
    for header in resp.headers.getlist("Set-Cookie"):
        jar = SimpleCookie()
        jar.load(header)
        if COOKIE_NAME in jar:
            morsel = jar[COOKIE_NAME]
            found = {key: str(morsel[key]) for key in morsel if morsel[key]}
            found["value"] = morsel.value
            found["flags"] = header.lower()
            return found
    raise AssertionError(f"no {COOKIE_NAME} cookie set")


def _session_token(app, client) -> str:
    """The access token inside the signed session cookie (what a thief of the cookie would hold)."""
    cookie = client.get_cookie(COOKIE_NAME)
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value)["access_token"]


def test_sign_in_sets_an_httponly_samesite_cookie_not_secure_over_http(app, client):
    resp, _ = console_sign_in(client, "sup_klojen")
    assert resp.status_code == 200
    assert resp.get_json()["user"] == {"username": "sup_klojen", "role": "supervisor", "crew_id": None,
                                       "kecamatan_code": "35.73.02"}
    assert "access_token" not in resp.get_json()  # the page never holds the token
    flags = _cookie(resp)["flags"]
    assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags
    assert resp.headers["Cache-Control"] == "no-store"


def test_cookie_is_secure_over_https(client):
    resp, _ = console_sign_in(client, "sup_city", base_url="https://localhost")
    assert resp.status_code == 200
    assert "secure" in _cookie(resp)["flags"]
    assert client.get("/api/v1/auth/me", base_url="https://localhost").status_code == 200


def test_cookie_is_secure_behind_a_trusted_https_proxy(make_test_app):
    app = make_test_app(TRUSTED_PROXIES=1)
    from satgas.services.accounts import create_user

    with app.app_context():
        create_user("sup_proxy", PASSWORD, "supervisor")
    plain = app.test_client()
    assert "secure" not in _cookie(console_sign_in(plain, "sup_proxy")[0])["flags"]
    proxied = app.test_client()
    proxied.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    assert "secure" in _cookie(console_sign_in(proxied, "sup_proxy")[0])["flags"]


def test_the_session_authenticates_the_api(client, cast):
    console_sign_in(client, "sup_klojen")
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.get_json()["username"] == "sup_klojen"
    assert client.get("/api/v1/completeness").status_code == 200
    assert client.get("/api/v1/progress?from=2026-01-01&to=2026-01-31&kecamatan_code=35.73.04").status_code == 403


def test_wrong_password_and_unknown_user_are_refused_alike(client):
    wrong, _ = console_sign_in(client, "sup_klojen", "not-the-password")
    unknown, _ = console_sign_in(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["message"] == unknown.get_json()["message"]
    assert client.get("/console/api/session").status_code == 401


@pytest.mark.parametrize("who", ["crew_a", "crew_b"])
def test_a_crew_account_gets_no_console_session(client, who):
    resp, _ = console_sign_in(client, who)
    assert resp.status_code == 403
    assert "pengawas" in resp.get_json()["message"] and resp.get_json()["errors"] == {"role": ["crew"]}
    assert client.get("/console/api/session").status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 401  # no token was put in the cookie
    page = client.get("/console/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/console/login")


def test_sign_in_itself_needs_the_pages_csrf_token(client):
    client.get("/console/login")
    resp = client.post("/console/api/session", json={"username": "sup_city", "password": PASSWORD})
    assert resp.status_code == 403 and "CSRF" in resp.get_json()["message"]
    forged = client.post("/console/api/session", json={"username": "sup_city", "password": PASSWORD},
                         headers={"X-CSRFToken": "forged.token.value"})
    assert forged.status_code == 403
    assert client.get("/console/api/session").status_code == 401


def test_sign_out_revokes_the_token_behind_the_session(app, client):
    _, csrf = console_sign_in(client, "sup_city")
    token = _session_token(app, client)
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.delete("/console/api/session").status_code == 403  # CSRF first
    resp = client.delete("/console/api/session", headers={"X-CSRFToken": csrf})
    assert resp.status_code == 204
    assert "max-age=0" in _cookie(resp)["flags"] or "expires=thu, 01 jan 1970" in _cookie(resp)["flags"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.delete("/console/api/session", headers={"X-CSRFToken": csrf}).status_code == 401


def test_a_stolen_cookie_stops_working_after_sign_out(app, client):
    _, csrf = console_sign_in(client, "sup_city")
    stolen = client.get_cookie(COOKIE_NAME).value
    client.delete("/console/api/session", headers={"X-CSRFToken": csrf})
    thief = app.test_client()
    thief.set_cookie(COOKIE_NAME, stolen)
    resp = thief.get("/api/v1/auth/me")
    assert resp.status_code == 401 and "session has ended" in resp.get_json()["message"]
    assert thief.get("/console/").status_code == 302


def test_signing_in_again_starts_a_new_session(app, client):
    _, first_csrf = console_sign_in(client, "sup_city")
    first = _session_token(app, client)
    _, second_csrf = console_sign_in(client, "sup_klojen")
    assert _session_token(app, client) != first
    assert client.get("/api/v1/auth/me").get_json()["username"] == "sup_klojen"
    log = client.post("/api/v1/logs/approve", json={"ids": []}, headers={"X-CSRFToken": first_csrf})
    assert log.status_code == 403  # the old page's token belongs to the old session


def _state_changing_routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/", "/console/")):
            continue
        for method in sorted(rule.methods & STATE_CHANGING):
            if (method, rule.rule) not in NOT_COOKIE_AUTHENTICATED:
                found.append((method, rule.rule))
    return found


def _concrete(rule: str, log_id: str) -> str:
    return (rule.replace("<uuid:log_id>", log_id).replace("<uuid:photo_id>", "11111111-2222-4333-8444-555555555555")
            .replace("<int:webhook_id>", "1").replace("<uuid:upload_id>", "11111111-2222-4333-8444-555555555555"))


def test_every_state_changing_request_by_cookie_needs_the_csrf_token(app, client, cast):
    log = post_log(client, cast, KAUMAN)
    routes = _state_changing_routes(app)
    assert ("POST", "/api/v1/logs/<uuid:log_id>/review") in routes and ("POST", "/api/v1/logs/approve") in routes
    assert ("DELETE", "/console/api/session") in routes and ("POST", "/console/api/session") in routes
    console_sign_in(client, "admin")
    for method, rule in routes:
        for headers in ({}, {"X-CSRFToken": "not-the-token"}, {"Origin": "https://evil.example"}):
            resp = client.open(_concrete(rule, log["id"]), method=method, json={}, headers=headers)
            assert resp.status_code == 403, (method, rule, headers, resp.status_code)
            assert "CSRF" in resp.get_json()["message"]
    assert client.get(f"/api/v1/logs/{log['id']}").get_json()["status"] == "submitted"
    assert client.get("/api/v1/auth/me").status_code == 200  # still signed in: nothing was done


def test_bearer_requests_need_no_csrf_token(client, cast):
    log = post_log(client, cast, KAUMAN)
    resp = client.post(f"/api/v1/logs/{log['id']}/review", json={"decision": "approved"},
                       headers=cast.headers("sup_klojen"))
    assert resp.status_code == 200


def test_a_cross_site_post_without_the_token_changes_nothing(client, cast):
    log = post_log(client, cast, KAUMAN)
    _, csrf = console_sign_in(client, "sup_klojen")
    forged = client.post(f"/api/v1/logs/{log['id']}/review", json={"decision": "approved"},
                         headers={"Origin": "https://evil.example", "Referer": "https://evil.example/page"})
    assert forged.status_code == 403
    assert client.get(f"/api/v1/logs/{log['id']}/history").get_json()[-1]["action"] == "created"
    ok = client.post(f"/api/v1/logs/{log['id']}/review", json={"decision": "approved"}, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200 and ok.get_json()["reviewed_by"] == "sup_klojen"


@pytest.mark.parametrize("path", ["/console/", "/console/progress", "/console/crews",
                                  "/console/logs/11111111-2222-4333-8444-555555555555"])
def test_pages_send_strangers_to_sign_in_and_serve_staff_privately(client, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/console/login?next=" + path
    console_sign_in(client, "sup_klojen")
    page = client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    html = page.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and "http://" not in html and "https://" not in html


def test_after_sign_in_the_login_page_goes_on_but_never_off_site(client):
    console_sign_in(client, "sup_city")
    for target, expected in (("/console/progress", "/console/progress"), ("https://evil.example/", "/console/"),
                             ("//evil.example/", "/console/"), ("/console/api/session", "/console/")):
        resp = client.get("/console/login", query_string={"next": target})
        assert resp.status_code == 302 and resp.headers["Location"] == expected
