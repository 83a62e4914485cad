"""Swagger UI's own files, served by the app: the docs page works with no internet."""
from __future__ import annotations

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/api/v1/docs/assets/"

bp = Blueprint("docs_assets", __name__)


@bp.get(ASSETS_URL + "<path:filename>")
def asset(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
