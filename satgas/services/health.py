"""Readiness checks of the services the app depends on."""
from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from models import db
from satgas.photo_storage import photo_storage
from storage.base import StorageError

log = logging.getLogger(__name__)


def readiness() -> dict[str, str]:
    checks = {"database": "ok", "storage": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("readiness: database: %s", exc)
        checks["database"] = "unavailable"
    try:
        photo_storage().ping()
    except StorageError as exc:
        log.warning("readiness: storage: %s", exc)
        checks["storage"] = "unavailable"
    return checks
