"""The app-wide request hooks run folded into one of each kind (`satgas.request_cycle`), the
limiter's only where a limit is checked; what each hook does is unchanged."""
from __future__ import annotations


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
