"""The console's session: a cookie holding an ordinary access token, and CSRF protection.

The console (/console/) is a client of the same JSON API as the phones. Instead of a bearer
header, the browser sends Flask's signed session cookie, which holds an access token issued by
`tokens.token_for`: expiry and revocation work exactly as for a phone's token, and signing
out revokes it. No script ever sees the token.

- The cookie is HttpOnly (scripts cannot read it), SameSite=Lax (browsers leave it off
  cross-site sub-requests and POSTs) and Secure whenever the request came over https —
  directly, or through a trusted proxy's X-Forwarded-Proto (TRUSTED_PROXIES).
- Every state-changing request authenticated by the cookie must carry the session's CSRF token
  (Flask-WTF's signed synchronizer token) in the X-CSRFToken header; the pages hand it to
  their scripts. Bearer-token requests (phones, scripts) need none: no browser adds that header
  by itself.
"""
from __future__ import annotations

from flask import Flask, Request, Response, g, has_request_context, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from satgas.errors import Forbidden

COOKIE_NAME = "satgas_session"
CSRF_HEADER = "X-CSRFToken"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TOKEN = "access_token"
_CSRF_FIELD = "csrf_token"  # Flask-WTF's key, in the session and in `g`


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure whenever the request itself came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)

    # Most requests (phones, scripts: bearer tokens) carry no session cookie and never touch the
    # session: answer them without building the cookie signer or the cookie's settings.

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = ConsoleSessionInterface()
    app.config.update({
        "SESSION_COOKIE_NAME": COOKIE_NAME,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The token tied to the session expires and is revoked on its own; a page left open all
        # day must still be able to approve.
        "WTF_CSRF_TIME_LIMIT": None,
    })


def session_token() -> str | None:
    """The access token of the browser's session, if it has one."""
    token = session.get(_TOKEN)
    return token if isinstance(token, str) and token else None


def start(raw_token: str) -> str:
    """A new session holding the token (nothing kept from before: no fixation); its CSRF token."""
    session.clear()
    g.pop(_CSRF_FIELD, None)
    session[_TOKEN] = raw_token
    return generate_csrf()


def end() -> str | None:
    """Forget the session (the cookie is deleted); returns the token it held, to revoke."""
    token = session_token()
    session.clear()
    g.pop(_CSRF_FIELD, None)
    return token


def csrf_token() -> str:
    """The CSRF token the page's scripts send back in X-CSRFToken."""
    return generate_csrf()


def is_state_changing() -> bool:
    return request.method in STATE_CHANGING


def require_csrf() -> None:
    """403 unless the request carries this session's CSRF token."""
    try:
        validate_csrf(request.headers.get(CSRF_HEADER))
    except ValidationError as exc:
        raise Forbidden(f"{exc.args[0] if exc.args else 'The CSRF token is invalid.'} Requests made with the "
                        f"console's session need the page's token in the {CSRF_HEADER} header; reload the "
                        "page and try again.") from None
