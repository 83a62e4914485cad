"""Log in and out: opaque bearer tokens."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView

from api.base import Blueprint
from api.schemas.accounts import LoginSchema, TokenSchema, TokenUserSchema
from satgas.auth import current_user
from satgas.extensions import limiter
from satgas.services import tokens

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Access tokens")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# One budget per client address for every way of signing in (this endpoint and the console's).
login_rate_limit = limiter.shared_limit(
    _login_limit, scope="login", methods=["POST"],
    error_message="Too many login attempts from this address; wait a minute and try again.")


@blp.route("/token")
class Token(MethodView):
    @login_rate_limit
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.doc(security=[])
    @blp.alt_response(401, description="Wrong username or password")
    @blp.alt_response(429, description="Too many attempts")
    def post(self, credentials: dict):
        """Log in with username and password; returns a bearer token."""
        raw, token = tokens.issue_token(credentials["username"], credentials["password"])
        return {"access_token": raw, "token_type": "Bearer", "expires_at": token.expires_at, "user": token.user}

    @blp.response(204)
    @blp.alt_response(401, description="No or invalid token")
    def delete(self):
        """Log out: the token used for this request stops working."""
        tokens.revoke_token(g.token)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, TokenUserSchema)
    @blp.alt_response(401, description="No or invalid token")
    def get(self):
        """Who this token belongs to: lets a phone check its token before a long sync."""
        return current_user()
