"""HTTP layer: one flask-smorest blueprint per resource."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register_blueprints(app: Flask, api: Api) -> None:
    from api import admin, areas, auth, logs, ops, sync

    for module in (auth, areas, admin, logs, sync, ops):
        api.register_blueprint(module.blp)
