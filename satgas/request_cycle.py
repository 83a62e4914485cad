"""The app-wide request hooks folded into one before_request, one after_request and one
teardown_request function.

Flask calls each registered hook through `ensure_sync` (a coroutine check per hook, per
request); with the request id, body checks, authentication, Prometheus, CORS, the limiter and
the headers that was some twenty calls per request before any view ran. Folded, each hook still
runs, in Flask's order (before: as registered, stopping at the first that answers; after and
teardown: in reverse), through one function.

Flask also passes every hook and view through `ensure_sync` (an `inspect` coroutine check,
nine a request); the app's own functions are checked once here instead.

The limiter's hooks run only when they can do something:
- its before_request check evaluates the application-wide, default, meta and blueprint limits;
  with none configured (our case: every limit is on a view, checked by that view's decorator)
  it is skipped;
- its after_request (rate-limit headers, conditional deductions) and teardown (context reset)
  only act on the state a limit check leaves on the request: without one they are skipped.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, Response
from flask.globals import request_ctx
from flask_limiter import Limiter

_LIMITER_STATE = "_limiter_request_context"  # where Flask-Limiter keeps a request's limit state


def _limiter_used() -> bool:
    return _LIMITER_STATE in vars(request_ctx._get_current_object())  # type: ignore[attr-defined]


def _needs_middleware_check(limiter: Limiter) -> bool:
    manager = limiter.limit_manager
    return bool(manager._application_limits or manager._default_limits or manager._blueprint_limits
                or limiter._meta_limits or limiter._request_filters)


def _is_limiter_hook(func: Callable, limiter: Limiter) -> str | None:
    if func == limiter._check_request_limit:
        return "check"
    if func == limiter._Limiter__release_context:  # type: ignore[attr-defined]
        return "state"
    if isinstance(func, partial) and func.func is Limiter._Limiter__inject_headers and func.args == (limiter,):  # type: ignore[attr-defined]
        return "state"
    return None


def fold_request_hooks(app: Flask, limiter: Limiter) -> None:
    """Replace the app-wide before/after/teardown hooks registered so far by one of each.
    Call it last in the app factory; blueprint hooks stay as they are."""
    before: list[Callable[[], Any]] = []
    for func in app.before_request_funcs.get(None, []):
        if _is_limiter_hook(func, limiter) == "check" and not _needs_middleware_check(limiter):
            continue
        before.append(func)
    after = [_only_when_limited(f) if _is_limiter_hook(f, limiter) else f
             for f in reversed(app.after_request_funcs.get(None, []))]
    teardown = [_only_when_limited(f) if _is_limiter_hook(f, limiter) else f
                for f in reversed(app.teardown_request_funcs.get(None, []))]
    app.before_request_funcs[None] = [_before(tuple(before))]
    app.after_request_funcs[None] = [_after(tuple(after))]
    app.teardown_request_funcs[None] = [_teardown(tuple(teardown))]
    _check_sync_once(app)


def _app_functions(app: Flask) -> Iterator[Callable]:
    """The hooks and views Flask runs through `ensure_sync` (MethodView methods included)."""
    for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        for funcs in registry.values():
            yield from funcs
    yield from app.teardown_appcontext_funcs
    for view in app.view_functions.values():
        yield view
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            yield view_class.dispatch_request
            methods = (getattr(view_class, m.lower(), None) for m in view_class.methods or ())
            yield from (method for method in methods if method is not None)


def _check_sync_once(app: Flask) -> None:
    plain = frozenset(f for f in _app_functions(app) if not iscoroutinefunction(f))
    check = app.ensure_sync

    def ensure_sync(func: Callable) -> Callable:
        return func if getattr(func, "__func__", func) in plain else check(func)

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]


def _only_when_limited(func: Callable) -> Callable:
    def hook(arg):
        return func(arg) if _limiter_used() else arg

    return hook


def _before(funcs: tuple[Callable[[], Any], ...]) -> Callable[[], Any]:
    def before_request() -> Any:
        for func in funcs:
            answer = func()
            if answer is not None:
                return answer
        return None

    return before_request


def _after(funcs: tuple[Callable[[Response], Response], ...]) -> Callable[[Response], Response]:
    def after_request(response: Response) -> Response:
        for func in funcs:
            response = func(response)
        return response

    return after_request


def _teardown(funcs: tuple[Callable[[BaseException | None], Any], ...]) -> Callable[[BaseException | None], None]:
    def teardown_request(exc: BaseException | None = None) -> None:
        for func in funcs:
            func(exc)

    return teardown_request
