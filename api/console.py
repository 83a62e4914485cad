"""The supervisors' console (/console/): its pages, and signing in and out of its session.

The pages are thin: each renders a template whose ES module (satgas/static/console/) calls
the JSON API (/api/v1/*) with the session cookie instead of a bearer token (see
`satgas.web_session`); no rule has a console-only copy. Only the session lives here:
`GET|POST|DELETE /console/api/session`. These views are not part of the OpenAPI document,
which describes the API that phones and scripts use.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, Response, redirect, render_template, request, url_for
from webargs.flaskparser import parser

from api.auth import login_rate_limit
from api.schemas.accounts import LoginSchema, TokenUserSchema
from models import User
from satgas import web_session
from satgas.auth import session_user
from satgas.errors import Unauthorized
from satgas.services import tokens

bp = Blueprint("console", __name__, url_prefix="/console")

NOT_SIGNED_IN = "You are not signed in to the console; sign in at /console/login."


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page of this site, never elsewhere."""
    if target and target.startswith("/console/") and not target.startswith("/console/api/") and "//" not in target:
        return target
    return url_for("console.queue")


def _render(template: str, status: int = 200, **context) -> Response:
    html = render_template(template, csrf_token=web_session.csrf_token(), **context)
    return Response(html, status=status, mimetype="text/html")


def _page(template: str, section: str, **context) -> Response:
    """A console page for a signed-in supervisor or admin; others are sent to sign in, or told why not."""
    user = session_user()
    if user is None:
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    if user.role not in tokens.STAFF_ROLES:
        return _render("console/supervisors_only.html", 403, user=user)
    return _render(template, user=user, section=section, **context)


@bp.get("/")
def queue():
    """The review queue: pending logs, oldest first, one decision at a time or in bulk."""
    return _page("console/queue.html", "queue")


@bp.get("/logs/<uuid:log_id>")
def log_detail(log_id: uuid.UUID):
    """One log: its evidence, its decision and its audit trail."""
    return _page("console/log.html", "queue", log_id=log_id)


@bp.get("/progress")
def progress():
    """Progress per kelurahan for a period, a daily chart and the exports."""
    return _page("console/progress.html", "progress")


@bp.get("/crews")
def crews():
    """Completeness of the crews' day."""
    return _page("console/crews.html", "crews")


@bp.get("/login")
def login():
    """The sign-in form (a signed-in supervisor goes straight on)."""
    target = _safe_next(request.args.get("next"))
    user = session_user()
    if user is not None and user.role in tokens.STAFF_ROLES:
        return redirect(target)
    return _render("console/login.html", next_url=target)


def _session_body(user: User, csrf_token: str) -> dict:
    return {"user": TokenUserSchema().dump(user), "csrf_token": csrf_token}


@bp.get("/api/session")
def session_get():
    """Who is signed in, and the CSRF token for this session."""
    user = session_user()
    if user is None:
        raise Unauthorized(NOT_SIGNED_IN)
    return _session_body(user, web_session.csrf_token())


@bp.post("/api/session")
@login_rate_limit
def session_start():
    """Sign in with username and password (supervisors and admins; a crew account gets 403)."""
    web_session.require_csrf()  # no login CSRF: only the sign-in page can sign this browser in
    credentials = parser.parse(LoginSchema(), request, location="json")
    raw, token = tokens.issue_staff_token(credentials["username"], credentials["password"])
    return _session_body(token.user, web_session.start(raw))


@bp.delete("/api/session")
def session_end():
    """Sign out: the session's token is revoked and the cookie deleted."""
    if web_session.session_token() is None:
        raise Unauthorized(NOT_SIGNED_IN)
    web_session.require_csrf()
    tokens.revoke_token(web_session.end())
    return Response(status=204)
