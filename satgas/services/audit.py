"""The audit trail: one event per thing that happened to a log, in the same transaction."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from models import AuditEvent, db


def record(log_id: uuid.UUID, actor: str, action: str, details: dict[str, Any] | None = None) -> None:
    db.session.add(AuditEvent(log_id=log_id, actor=actor, action=action, details=details or {}))


def events_for(log_id: uuid.UUID) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.log_id == log_id).order_by(AuditEvent.at, AuditEvent.id)
    ))
