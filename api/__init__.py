"""HTTP layer: one flask-smorest blueprint per resource."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register_blueprints(app: Flask, api: Api) -> None:
    from api import admin, areas, auth, docs, logs, ops, photos, progress, public, reviews, sync

    for module in (auth, areas, admin, logs, photos, reviews, progress, sync, ops, public):
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.bp)
