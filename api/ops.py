"""Liveness and readiness for load balancers and orchestrators."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.base import Blueprint
from satgas.services.health import readiness

blp = Blueprint("ops", __name__, url_prefix="/", description="Operations")


class HealthSchema(Schema):
    status = fields.String()
    message = fields.String()
    checks = fields.Dict(keys=fields.String(), values=fields.String())


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.doc(security=[])
    def get(self):
        """200 while the process serves requests."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="A dependency is down")
    @blp.doc(security=[])
    def get(self):
        """200 when the database and the photo storage answer, else 503."""
        checks = readiness()
        down = [name for name, state in checks.items() if state != "ok"]
        if not down:
            return {"status": "ok", "checks": checks}
        message = f"Not ready: {' and '.join(down)} unavailable."
        return {"status": "unavailable", "message": message, "checks": checks}, 503
