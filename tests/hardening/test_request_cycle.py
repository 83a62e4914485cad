"""The app-wide request hooks run folded into one of each kind (`satgas.request_cycle`), the
limiter's only where a limit is checked; what each hook does is unchanged."""
from __future__ import annotations

import re

import pytest


def test_one_hook_of_each_kind_for_the_whole_app(app):
    assert len(app.before_request_funcs[None]) == 1
    assert len(app.after_request_funcs[None]) == 1
    assert len(app.teardown_request_funcs[None]) == 1


def test_rate_limit_headers_where_a_limit_applies_and_only_there(client, cast):
    limited = client.get("/public/v1/progress")
    assert limited.status_code == 200
    assert int(limited.headers["X-RateLimit-Limit"]) > 0 and "X-RateLimit-Remaining" in limited.headers
    unlimited = client.get("/api/v1/auth/me", headers=cast.headers("crew_a"))
    assert unlimited.status_code == 200
    assert not any(name.startswith("X-RateLimit") for name, _value in unlimited.headers.items())


def test_every_hook_still_runs_on_an_error_answer(client):
    resp = client.get("/api/v1/auth/me", headers={"X-Request-ID": "req-7"})  # 401 from the auth hook
    assert resp.status_code == 401
    assert resp.headers["X-Request-ID"] == "req-7"  # the access log's hook
    assert resp.headers["X-Content-Type-Options"] == "nosniff"  # the headers' hook
    assert resp.headers["Cache-Control"] == "no-store"


def test_a_request_without_an_id_gets_a_new_one_each_time(client):
    ids = [client.get("/healthz").headers["X-Request-ID"] for _ in range(3)]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"] not in ("bad id!", *ids)


def test_the_app_functions_are_checked_for_coroutines_once_and_others_as_flask_does(app):
    view = app.view_functions["auth.Me"]
    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view.view_class.get) is view.view_class.get

    async def later() -> None:  # not the app's: Flask's own check (and async support) decides
        return None

    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(later)
