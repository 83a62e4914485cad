"""Supervisors' decisions on work logs: status, audit event, rollup and webhook event move together."""
from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import select

from models import User, WorkLog, db, utcnow
from satgas.auth import ensure_can_review
from satgas.errors import DomainError, NotFound
from satgas.services import audit, coverage_counts, outbox, rollup
from satgas.signals import log_reviewed

DECISIONS = ("approved", "rejected")


def _locked_log(log_id: uuid.UUID) -> WorkLog | None:
    """The log, row-locked on PostgreSQL so two concurrent reviews cannot both move the
    same old contribution in the rollup (SQLite writers are already serialised by BEGIN IMMEDIATE)."""
    query = select(WorkLog).where(WorkLog.id == log_id).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def _decide(user: User, log_id: uuid.UUID, decision: str, note: str | None) -> WorkLog:
    log = _locked_log(log_id)
    if log is None:
        raise NotFound(f"No work log {log_id}.")
    ensure_can_review(user, log)
    previous = log.status
    old = rollup.contribution(log)
    log.status = decision
    log.reviewed_by = user
    log.reviewed_at = utcnow()
    log.review_note = note
    rollup.apply(old, rollup.contribution(log))
    if (previous == "approved") != (decision == "approved"):
        coverage_counts.count_log(log.id, 1 if decision == "approved" else -1)
    audit.record(log.id, user.username, "reviewed",
                 {"decision": decision, "note": note, "previous_status": previous})
    outbox.emit(f"log.{decision}", "log", log, log.reviewed_at)
    return log


def review_log(user: User, log_id: uuid.UUID, decision: str, note: str | None) -> WorkLog:
    """Approve or reject a log (again, if already reviewed); one commit, then `log_reviewed`."""
    try:
        log = _decide(user, log_id, decision, note)
    except DomainError:
        db.session.rollback()
        raise
    # Taken before the commit: nothing after it may start a new transaction, which on SQLite
    # (BEGIN IMMEDIATE for writes) would lock out listeners that read the database.
    event = {"log_id": log.id, "status": log.status}
    db.session.commit()
    log_reviewed.send(current_app._get_current_object(), **event)
    return log
