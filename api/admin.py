"""Administration: crews and users (admins only)."""
from __future__ import annotations

from flask.views import MethodView

from api.base import Blueprint
from api.schemas.accounts import CrewSchema, UserSchema
from satgas.auth import require_roles
from satgas.services import accounts

blp = Blueprint("admin", __name__, url_prefix="/api/v1", description="Crews and users")


@blp.route("/crews")
class Crews(MethodView):
    @require_roles("admin", "supervisor")
    @blp.response(200, CrewSchema(many=True))
    def get(self):
        """List crews."""
        return accounts.list_crews()

    @require_roles("admin")
    @blp.arguments(CrewSchema)
    @blp.response(201, CrewSchema)
    @blp.alt_response(409, description="Name taken")
    def post(self, data: dict):
        """Create a crew (admin)."""
        return accounts.create_crew(data["name"], data["kecamatan_code"])


@blp.route("/users")
class Users(MethodView):
    @require_roles("admin")
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="Username taken")
    def post(self, data: dict):
        """Create a user (admin). The password is never returned."""
        return accounts.create_user(**data)
