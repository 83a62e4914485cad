"""Supervisors' decisions on work logs: status, audit event, rollup, drain coverage and the
webhook event move together, in one transaction."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from models import WorkLog, db, utcnow
from satgas.auth import ensure_can_review
from satgas.errors import DomainError, Forbidden, NotFound
from satgas.principal import Actor, as_user
from satgas.services import audit, coverage_counts, log_queries, outbox, rollup
from satgas.services.rollup import Contribution
from satgas.signals import log_reviewed

DECISIONS = ("approved", "rejected")
MAX_BULK = 500
SKIP_MESSAGES = {
    "not_found": "No work log with this id that you can see.",
    "forbidden": "This log is outside your area.",
    "not_pending": "Already reviewed; open the log to change its decision.",
    "not_clean": "It has a flag, or lacks a before or an after photo: review it on its own.",
}


def _locked_log(log_id: uuid.UUID) -> WorkLog | None:
    """The log, row-locked on PostgreSQL so two concurrent reviews cannot both move the
    same old contribution in the rollup (SQLite writers are already serialised by BEGIN IMMEDIATE)."""
    query = select(WorkLog).where(WorkLog.id == log_id).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def _apply(user: Actor, log: WorkLog, decision: str, note: str | None,
           **details) -> tuple[Contribution, Contribution]:
    """The decision itself: status, reviewer, audit event, coverage and webhook event; returns the
    rollup change to apply (a bulk approval applies all of them in one upsert)."""
    previous = log.status
    old = rollup.contribution(log)
    log.status = decision
    log.reviewed_by = as_user(user)
    log.reviewed_at = utcnow()
    log.review_note = note
    if (previous == "approved") != (decision == "approved"):
        coverage_counts.count_log(log.id, 1 if decision == "approved" else -1)
    audit.record(log.id, user.username, "reviewed",
                 {"decision": decision, "note": note, "previous_status": previous, **details})
    outbox.emit(f"log.{decision}", "log", log, log.reviewed_at)
    return old, rollup.contribution(log)


def _decide(user: Actor, log_id: uuid.UUID, decision: str, note: str | None) -> WorkLog:
    log = _locked_log(log_id)
    if log is None:
        raise NotFound(f"No work log {log_id}.")
    ensure_can_review(user, log)
    rollup.apply(*_apply(user, log, decision, note))
    return log


def _commit_and_announce(logs: list[WorkLog]) -> None:
    """Commit, then send `log_reviewed` for each log.

    The events are taken before the commit: nothing after it may start a new transaction, which
    on SQLite (BEGIN IMMEDIATE for writes) would lock out listeners that read the database.
    """
    events = [{"log_id": log.id, "status": log.status} for log in logs]
    db.session.commit()
    app = current_app._get_current_object()
    for event in events:
        log_reviewed.send(app, **event)


def review_log(user: Actor, log_id: uuid.UUID, decision: str, note: str | None) -> WorkLog:
    """Approve or reject a log (again, if already reviewed); one commit, then `log_reviewed`."""
    try:
        log = _decide(user, log_id, decision, note)
    except DomainError:
        db.session.rollback()
        raise
    _commit_and_announce([log])
    return log


@dataclass(frozen=True)
class BulkOutcome:
    """What became of one id of a bulk approval: approved, or skipped with a reason."""

    id: uuid.UUID
    status: str
    reason: str | None = None

    @property
    def message(self) -> str | None:
        return SKIP_MESSAGES.get(self.reason) if self.reason else None


def _skip_reason(user: Actor, log: WorkLog | None, clean_ids: set[uuid.UUID]) -> str | None:
    """Why a log is not approved in bulk (None: it is); scope as `review_log` says (403, not 404)."""
    if log is None:
        return "not_found"
    try:
        ensure_can_review(user, log)
    except Forbidden:
        return "forbidden"
    if log.status != "submitted":
        return "not_pending"
    return None if log.id in clean_ids else "not_clean"


def approve_clean(user: Actor, log_ids: list[uuid.UUID], note: str | None = None) -> list[BulkOutcome]:
    """Approve many pending logs that need no closer look (`log_queries.clean`), in one commit.

    Each log goes through the same decision as `review_log` — the same scope rule, its own
    audit event (marked `bulk`), its own rollup change; any other id is skipped with a reason.
    Rows are locked in id order, so two bulk approvals cannot deadlock each other.
    """
    ids = list(dict.fromkeys(log_ids))
    if user.role == "crew":
        raise Forbidden("Crews cannot review logs; a supervisor or an admin can.")
    locked = {log.id: log for log in db.session.scalars(
        select(WorkLog).where(WorkLog.id.in_(ids)).order_by(WorkLog.id).with_for_update()
        .execution_options(populate_existing=True))}
    clean_ids = set(db.session.scalars(select(WorkLog.id).where(WorkLog.id.in_(ids), log_queries.clean())))
    outcomes, approved, changes = [], [], []
    for log_id in ids:
        log = locked.get(log_id)
        reason = _skip_reason(user, log, clean_ids)
        if reason is None:
            changes.append(_apply(user, log, "approved", note, bulk=True))
            approved.append(log)
        outcomes.append(BulkOutcome(log_id, "skipped" if reason else "approved", reason))
    rollup.apply_many(changes)
    _commit_and_announce(approved)
    return outcomes
