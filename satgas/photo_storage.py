"""The photo storage: chosen once from STORAGE_URL, reached by services through `photo_storage()`."""
from __future__ import annotations

from flask import Flask, current_app

from storage import PhotoStorage, storage_from_url

EXTENSION = "satgas.photo_storage"


def init_app(app: Flask) -> PhotoStorage:
    chosen = storage_from_url(app.config["STORAGE_URL"], endpoint_url=app.config["S3_ENDPOINT_URL"])
    app.extensions[EXTENSION] = chosen
    return chosen


def photo_storage() -> PhotoStorage:
    """The current app's photo storage."""
    return current_app.extensions[EXTENSION]
