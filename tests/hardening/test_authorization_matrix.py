"""Every endpoint × every role × the expected status, in one table.

The first test fails when an endpoint is added without a row here: a new endpoint's access
rules must be decided, not inherited by accident.
"""
from __future__ import annotations

import base64
import uuid
from datetime import date

import pytest

from tests.builders import SUKUN, log_payload
from tests.images import jpeg
from tests.support import PASSWORD, console_sign_in

ROLES = ("anonymous", "crew_a", "crew_b", "sup_klojen", "sup_city", "admin")


def _row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


OPEN = _row(200, 200, 200, 200, 200, 200)
SIGNED_IN = _row(401, 200, 200, 200, 200, 200)
STAFF = _row(401, 403, 403, 200, 200, 200)
ADMIN_ONLY_CREATE = _row(401, 403, 403, 403, 403, 201)
ADMIN_ONLY = _row(401, 403, 403, 403, 403, 200)
LOG_A = _row(401, 200, 404, 200, 200, 200)  # crew A's log in Klojen (Kauman)
LOG_S = _row(401, 404, 200, 404, 200, 200)  # crew B's log in Sukun
# Console pages and its session, each role signed in through the console (crews cannot be).
CONSOLE_PAGE = _row(302, 302, 302, 200, 200, 200)

# (method, rule) → (path template, expected status per role)
MATRIX: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    ("GET", "/"): ("/", OPEN),
    ("GET", "/healthz"): ("/healthz", OPEN),
    ("GET", "/readyz"): ("/readyz", OPEN),
    ("GET", "/metrics"): ("/metrics", OPEN),
    ("GET", "/static/<path:filename>"): ("/static/public/map.js", OPEN),
    ("GET", "/static/vendor/<package>/<path:filename>"): ("/static/vendor/idb/index.js", OPEN),
    ("GET", "/api/v1/openapi.json"): ("/api/v1/openapi.json", OPEN),
    ("GET", "/api/v1/docs"): ("/api/v1/docs", OPEN),
    ("GET", "/api/v1/docs/assets/<path:filename>"): ("/api/v1/docs/assets/swagger-ui-bundle.js", OPEN),
    ("POST", "/api/v1/auth/token"): ("/api/v1/auth/token", _row(401, 401, 401, 401, 401, 401)),
    ("DELETE", "/api/v1/auth/token"): ("/api/v1/auth/token", _row(401, 204, 204, 204, 204, 204)),
    ("GET", "/api/v1/auth/me"): ("/api/v1/auth/me", SIGNED_IN),
    ("GET", "/api/v1/crews"): ("/api/v1/crews", STAFF),
    ("POST", "/api/v1/crews"): ("/api/v1/crews", ADMIN_ONLY_CREATE),
    ("POST", "/api/v1/users"): ("/api/v1/users", ADMIN_ONLY_CREATE),
    ("GET", "/api/v1/kecamatan"): ("/api/v1/kecamatan", SIGNED_IN),
    ("GET", "/api/v1/kelurahan"): ("/api/v1/kelurahan", SIGNED_IN),
    ("GET", "/api/v1/kelurahan/<string:code>"): ("/api/v1/kelurahan/35.73.02.1007", SIGNED_IN),
    ("GET", "/api/v1/logs"): ("/api/v1/logs", SIGNED_IN),
    ("POST", "/api/v1/logs"): ("/api/v1/logs", _row(401, 201, 201, 403, 403, 201)),
    ("POST", "/api/v1/logs/batch"): ("/api/v1/logs/batch", _row(401, 200, 200, 403, 403, 200)),
    ("GET", "/api/v1/logs/<uuid:log_id>"): ("/api/v1/logs/{log_a}", LOG_A),
    ("GET", "/api/v1/logs/<uuid:log_id>/history"): ("/api/v1/logs/{log_s}/history", LOG_S),
    ("POST", "/api/v1/logs/<uuid:log_id>/review"): ("/api/v1/logs/{log_a}/review", _row(401, 403, 403, 200, 200, 200)),
    ("PUT", "/api/v1/logs/<uuid:log_id>/photos/<uuid:photo_id>"):
        ("/api/v1/logs/{log_a}/photos/{new_photo}?kind=after", _row(401, 201, 404, 403, 403, 201)),
    ("POST", "/api/v1/uploads"): ("/api/v1/uploads", _row(401, 201, 404, 403, 403, 201)),
    # An upload belongs to the user who created it (crew A's here): anyone else gets 404.
    ("PATCH", "/api/v1/uploads/<uuid:upload_id>"): ("{upload_a}", _row(401, 204, 404, 404, 404, 404)),
    ("GET", "/api/v1/photos/<uuid:photo_id>"): ("/api/v1/photos/{photo_a}", LOG_A),
    ("GET", "/api/v1/photos/<uuid:photo_id>/thumbnail"): ("/api/v1/photos/{photo_a}/thumbnail", LOG_A),
    ("POST", "/api/v1/sync/status"): ("/api/v1/sync/status", SIGNED_IN),
    ("GET", "/api/v1/progress"): ("/api/v1/progress?from={first}&to={last}", STAFF),
    ("GET", "/api/v1/progress/daily"): ("/api/v1/progress/daily?from={first}&to={last}", STAFF),
    # Every role may read the drain network; a scoped supervisor's list is its kecamatan's.
    ("GET", "/api/v1/drains"): ("/api/v1/drains", SIGNED_IN),
    ("GET", "/api/v1/drains/overdue"): ("/api/v1/drains/overdue?days=90", SIGNED_IN),
    ("GET", "/api/v1/completeness"): ("/api/v1/completeness?date={last}", STAFF),
    ("POST", "/api/v1/logs/approve"): ("/api/v1/logs/approve", _row(401, 403, 403, 200, 200, 200)),
    ("GET", "/console/"): ("/console/", CONSOLE_PAGE),
    ("GET", "/console/logs/<uuid:log_id>"): ("/console/logs/{log_a}", CONSOLE_PAGE),
    ("GET", "/console/progress"): ("/console/progress", CONSOLE_PAGE),
    ("GET", "/console/crews"): ("/console/crews", CONSOLE_PAGE),
    ("GET", "/console/login"): ("/console/login", _row(200, 200, 200, 302, 302, 302)),
    ("GET", "/console/api/session"): ("/console/api/session", _row(401, 401, 401, 200, 200, 200)),
    ("POST", "/console/api/session"): ("/console/api/session", _row(401, 403, 403, 200, 200, 200)),
    ("DELETE", "/console/api/session"): ("/console/api/session", _row(401, 401, 401, 204, 204, 204)),
    ("GET", "/public/v1/progress"): ("/public/v1/progress", OPEN),
    ("GET", "/public/v1/progress.geojson"): ("/public/v1/progress.geojson", OPEN),
    ("GET", "/public/v1/activities"): ("/public/v1/activities", OPEN),
    ("GET", "/public/v1/ping"): ("/public/v1/ping", OPEN),
    ("GET", "/public/v1/thumbnails/<string:public_id>.jpg"): ("/public/v1/thumbnails/{public_a}.jpg", OPEN),
    ("GET", "/public/v1/activities/<string:public_id>/card.jpg"): ("/public/v1/activities/{card_a}/card.jpg", OPEN),
    ("POST", "/api/v1/webhooks"): ("/api/v1/webhooks", ADMIN_ONLY_CREATE),
    ("GET", "/api/v1/webhooks"): ("/api/v1/webhooks", ADMIN_ONLY),
    ("DELETE", "/api/v1/webhooks/<int:webhook_id>"): ("/api/v1/webhooks/{hook}", _row(401, 403, 403, 403, 403, 204)),
    ("GET", "/api/v1/webhooks/<int:webhook_id>/deliveries"): ("/api/v1/webhooks/{hook}/deliveries", ADMIN_ONLY),
    ("GET", "/crew/"): ("/crew/", OPEN),
    ("GET", "/crew/sw.js"): ("/crew/sw.js", OPEN),
    ("GET", "/crew/manifest.webmanifest"): ("/crew/manifest.webmanifest", OPEN),
}


def test_every_endpoint_has_a_row(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - set(MATRIX))
    assert not missing, f"add these endpoints to the authorization matrix: {missing}"
    assert not sorted(set(MATRIX) - routes), "the matrix lists endpoints that no longer exist"


def _body(method: str, rule: str, role: str, cast, world: dict):
    """A valid request body for the endpoints that need one (unique where it must be)."""
    if rule == "/api/v1/auth/token" and method == "POST":
        return {"json": {"username": role, "password": "not-the-password"}}
    if rule == "/api/v1/crews":
        return {"json": {"name": f"Crew {uuid.uuid4().hex[:8]}", "kecamatan_code": "35.73.01"}}
    if rule == "/api/v1/users":
        return {"json": {"username": f"u{uuid.uuid4().hex[:8]}", "password": "long-password", "role": "supervisor"}}
    if rule == "/api/v1/logs":
        return {"json": log_payload(crew_id=cast.crew_a_id if role == "admin" else None)}
    if rule == "/api/v1/logs/batch":
        return {"json": {"logs": [log_payload(crew_id=cast.crew_a_id if role == "admin" else None)]}}
    if rule.endswith("/review"):
        return {"json": {"decision": "approved", "note": "ok"}}
    if rule == "/api/v1/logs/approve":
        return {"json": {"ids": [str(world["log_a"])]}}
    if rule == "/console/api/session" and method == "POST":
        return {"json": {"username": role, "password": PASSWORD if role != "anonymous" else "not-the-password"}}
    if rule == "/api/v1/sync/status":
        return {"json": {"ids": [str(world["log_a"])]}}
    if rule == "/api/v1/webhooks" and method == "POST":
        return {"json": {"url": "https://93.184.216.34/hook", "events": ["log.approved"]}}
    if "/photos/" in rule and method == "PUT":
        return {"data": jpeg(variant=7), "content_type": "image/jpeg"}
    if rule == "/api/v1/uploads":
        return {"headers": {**TUS, "Upload-Length": "1000", "Upload-Metadata": _tus_metadata(world["log_a"])}}
    if rule.startswith("/api/v1/uploads/"):
        return {"data": b"\xff" * 10, "headers": {**TUS, "Upload-Offset": "0",
                                                  "Content-Type": "application/offset+octet-stream"}}
    return {}


TUS = {"Tus-Resumable": "1.0.0"}


def _tus_metadata(log_id: str) -> str:
    pairs = {"log_id": str(log_id), "photo_id": str(uuid.uuid4()), "kind": "after"}
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items())


@pytest.fixture
def world(client, cast):
    headers = cast.headers("crew_a")
    log_a = log_payload()
    assert client.post("/api/v1/logs", json=log_a, headers=headers).status_code == 201
    photo_a = uuid.uuid4()
    put = client.put(f"/api/v1/logs/{log_a['id']}/photos/{photo_a}?kind=after", data=jpeg(variant=3),
                     content_type="image/jpeg", headers=headers)
    assert put.status_code == 201
    before = client.put(f"/api/v1/logs/{log_a['id']}/photos/{uuid.uuid4()}?kind=before", data=jpeg(variant=4),
                        content_type="image/jpeg", headers=headers)
    assert before.status_code == 201
    hook = client.post("/api/v1/webhooks", json={"url": "https://93.184.216.34/hook", "events": ["log.created"]},
                       headers=cast.headers("admin"))
    assert hook.status_code == 201
    review = client.post(f"/api/v1/logs/{log_a['id']}/review", json={"decision": "approved"},
                         headers=cast.headers("sup_city"))
    assert review.status_code == 200
    log_s = log_payload(SUKUN)
    assert client.post("/api/v1/logs", json=log_s, headers=cast.headers("crew_b")).status_code == 201
    upload_a = client.post("/api/v1/uploads", headers={**headers, **TUS, "Upload-Length": "1000",
                                                        "Upload-Metadata": _tus_metadata(log_a["id"])})
    assert upload_a.status_code == 201
    activities = client.get("/public/v1/activities").get_json()["items"]
    public_a = activities[0]["photos"][0]["thumbnail_url"].rsplit("/", 1)[1].removesuffix(".jpg")
    card_a = activities[0]["public_id"]
    started = date.fromisoformat(log_a["started_at"][:10])
    return {"log_a": log_a["id"], "log_s": log_s["id"], "photo_a": photo_a, "public_a": public_a, "card_a": card_a,
            "hook": hook.get_json()["id"], "upload_a": upload_a.headers["Location"],
            "first": started.replace(day=1).isoformat(), "last": started.isoformat()}


def _headers(client, role: str, method: str, rule: str, cast) -> dict[str, str]:
    if role == "anonymous":
        return {}
    if method == "DELETE" and rule == "/api/v1/auth/token":  # log out a token of its own
        token = client.post("/api/v1/auth/token", json={"username": role, "password": PASSWORD}).get_json()
        return {"Authorization": f"Bearer {token['access_token']}"}
    return cast.headers(role)


def _console_client(app, role: str):
    """A browser's view of the console: signed in as `role` where the console lets it, with the
    CSRF token its page would send."""
    browser = app.test_client()
    if role == "anonymous":
        page = browser.get("/console/login").get_data(as_text=True)
        return browser, {"X-CSRFToken": page.split('name="csrf-token" content="')[1].split('"')[0]}
    _, csrf = console_sign_in(browser, role)
    return browser, {"X-CSRFToken": csrf}


@pytest.mark.parametrize("method,rule", sorted(MATRIX))
def test_access(app, client, cast, world, method, rule):
    template, expected = MATRIX[(method, rule)]
    got = {}
    for role in ROLES:
        path = template.format(new_photo=uuid.uuid4(), **world)
        body = _body(method, rule, role, cast, world)
        if rule.startswith("/console/"):
            caller, headers = _console_client(app, role)
        else:
            caller, headers = client, _headers(client, role, method, rule, cast)
        headers = {**headers, **body.pop("headers", {})}
        resp = caller.open(path, method=method, headers=headers, **body)
        got[role] = resp.status_code
        resp.close()  # a streamed body (drains, CSV) not read here still ends its request context
    assert got == expected
