"""Who may do what: authentication (bearer tokens, the console's session), roles and area scopes, in one place."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import g, request
from sqlalchemy import ColumnElement, false, true

from models import WorkLog
from satgas import web_session
from satgas.errors import Forbidden, Unauthorized
from satgas.principal import Actor
from satgas.services.tokens import resolve_token, touch_last_seen

F = TypeVar("F", bound=Callable)

# Paths under /api/v1 that need no token.
PUBLIC_API_PATHS = {"/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/docs"}


def needs_token(path: str, method: str) -> bool:
    if not path.startswith("/api/v1/"):
        return False
    if path == "/api/v1/auth/token":
        return method != "POST" and method != "OPTIONS"
    return not (path in PUBLIC_API_PATHS or path.startswith("/api/v1/docs"))


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_request() -> None:
    """before_request hook: sets g.user from the bearer token or the console's session, or answers 401.

    A request without an Authorization header may be authenticated by the console's session
    cookie (see `satgas.web_session`); if it changes state it must then carry the CSRF token.
    """
    g.user = None
    if request.url_rule is None or not needs_token(request.path, request.method):
        return  # unknown path or method: let routing answer 404 / 405
    token = bearer_token()
    by_session = token is None
    if by_session:
        token = web_session.session_token()
        if token is None:
            raise Unauthorized("Missing bearer token: send 'Authorization: Bearer <access_token>'.")
        if web_session.is_state_changing():
            web_session.require_csrf()
    user = resolve_token(token)
    if user is None:
        message = ("Your console session has ended (signed out, expired or revoked): sign in again at /console/."
                   if by_session else "Invalid, expired or revoked token: log in again at POST /api/v1/auth/token.")
        raise Unauthorized(message, challenge='Bearer realm="satgas", error="invalid_token"')
    g.user = touch_last_seen(user, token)
    g.token = token


def session_user() -> Actor | None:
    """The user signed in to the console in this browser (None when nobody is, or the token died)."""
    token = web_session.session_token()
    return resolve_token(token) if token else None


def current_user() -> Actor:
    user = g.get("user")
    if user is None:
        raise Unauthorized("Authentication required.")
    return user


def require_roles(*roles: str) -> Callable[[F], F]:
    """View decorator: only these roles may call the endpoint (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user.role not in roles:
                raise Forbidden(f"This action needs the role {' or '.join(roles)}; you are {user.role}.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def log_scope(user: Actor) -> ColumnElement[bool]:
    """SQL condition selecting the work logs this user may read."""
    if user.role == "admin":
        return true()
    if user.role == "crew":
        return WorkLog.crew_id == user.crew_id if user.crew_id else false()
    if user.kecamatan_code:
        return WorkLog.kecamatan_code == user.kecamatan_code
    return true()


def can_read_log(user: Actor, log: WorkLog) -> bool:
    if user.role == "admin":
        return True
    if user.role == "crew":
        return log.crew_id == user.crew_id
    return user.kecamatan_code in (None, log.kecamatan_code)


def ensure_can_review(user: Actor, log: WorkLog) -> None:
    if user.role == "crew":
        raise Forbidden("Crews cannot review logs; a supervisor or an admin can.")
    if user.role == "supervisor" and user.kecamatan_code not in (None, log.kecamatan_code):
        raise Forbidden(f"This log is in kecamatan {log.kecamatan_code}, outside your area {user.kecamatan_code}.")


def ensure_can_add_photo(user: Actor, log: WorkLog) -> None:
    if user.role == "admin" or (user.role == "crew" and log.crew_id == user.crew_id):
        return
    raise Forbidden("Only the log's own crew (or an admin) may add photos to it.")


def crew_for_new_log(user: Actor, requested_crew_id: int | None) -> int:
    """The crew a new log belongs to: a crew user's own; others must name one."""
    if user.role == "crew":
        if user.crew_id is None:
            raise Forbidden("Your account belongs to no crew; ask an admin to assign one.")
        if requested_crew_id not in (None, user.crew_id):
            raise Forbidden("A crew member can only log work for their own crew.")
        return user.crew_id
    if user.role == "admin":
        if requested_crew_id is None:
            raise Forbidden("An admin must name the crew_id the log belongs to.")
        return requested_crew_id
    raise Forbidden("Only crews (or admins) create work logs.")


def kecamatan_scope(user: Actor, kecamatan_code: str | None, subject: str, crews: bool = False) -> str | None:
    """The kecamatan a report may cover: a scoped supervisor's own, never wider; crews only when
    `crews` says so (then city-wide, like admins)."""
    if user.role == "crew" and not crews:
        raise Forbidden(f"{subject} is for supervisors and admins.")
    if user.role == "supervisor" and user.kecamatan_code:
        if kecamatan_code not in (None, user.kecamatan_code):
            raise Forbidden(f"You supervise kecamatan {user.kecamatan_code} only.")
        return user.kecamatan_code
    return kecamatan_code


def drain_scope(user: Actor, kecamatan_code: str | None) -> str | None:
    """The kecamatan whose drains a user may list: a scoped supervisor's own, never wider.

    Crews see the whole city's network: they may log anywhere (crews help neighbouring areas)
    and drains carry no personal data — only what approved work covered, which is public too.
    """
    return kecamatan_scope(user, kecamatan_code, "The drain network", crews=True)


def progress_scope(user: Actor, kecamatan_code: str | None) -> str | None:
    return kecamatan_scope(user, kecamatan_code, "Progress")
