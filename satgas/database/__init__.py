"""The database backend: chosen once from DATABASE_URL, reached by services through `backend()`."""
from __future__ import annotations

from flask import Flask, current_app

from satgas.database.base import BBox, DatabaseBackend, WorkerBusy
from satgas.database.postgis import PostGISBackend
from satgas.database.spatialite import SpatiaLiteBackend

BACKENDS: dict[str, type[DatabaseBackend]] = {"postgresql": PostGISBackend, "sqlite": SpatiaLiteBackend}
EXTENSION = "satgas.database"


def backend_for_url(url: str) -> DatabaseBackend:
    """The backend for an SQLAlchemy URL (`postgresql+psycopg://…` or `sqlite:///…`)."""
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme not in BACKENDS:
        raise ValueError(f"no database backend for {scheme}:// URLs; use PostgreSQL (PostGIS) or SQLite (SpatiaLite)")
    return BACKENDS[scheme]()


def init_app(app: Flask) -> DatabaseBackend:
    """Choose the backend and give Flask-SQLAlchemy its engine options (before `db.init_app`)."""
    chosen = backend_for_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = chosen.engine_options()
    app.extensions[EXTENSION] = chosen
    return chosen


def backend() -> DatabaseBackend:
    """The current app's database backend."""
    return current_app.extensions[EXTENSION]


__all__ = ["BACKENDS", "BBox", "DatabaseBackend", "WorkerBusy", "backend", "backend_for_url", "init_app"]
