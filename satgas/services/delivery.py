"""Delivering the webhook outbox: claim a due message, send it signed, record the attempt.

One message at a time, each in its own claim (see `DatabaseBackend.claim_one`): on PostgreSQL
the message's row stays locked while it is sent and its outcome is committed with the lock
released, so several workers never send the same message; on SQLite one worker runs. A worker
that dies mid-way leaves the message pending and due: it is sent again (at least once; the
`webhook-id` lets receivers drop duplicates).

Retries follow the Standard Webhooks specification's example schedule — 5 s, 5 min, 30 min,
2 h, 5 h, 10 h, 14 h, 20 h after each failure (about 51 h in all, so at least 24 h) — each delay
±20 % random jitter, and never sooner than a `Retry-After` the receiver sent (capped at a day).
A 410 Gone disables the endpoint. `now` is a parameter so that tests can move time.
"""
from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Row, select, update

from models import Webhook, WebhookAttempt, WebhookEvent, WebhookMessage, db, utcnow
from satgas import webhook_client
from satgas.database import backend
from satgas.metrics import WEBHOOK_DELIVERIES
from satgas.secret_box import UnreadableSecret, unseal
from satgas.services import outbox
from satgas.webhook_client import Answer

log = logging.getLogger(__name__)
RETRY_DELAYS = (5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000)  # seconds after failure n
JITTER = 0.2
MAX_RETRY_AFTER = 86_400


def next_delay(attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float | None:
    """Seconds until the next try after failed attempt number `attempt` (from 1); None: give up."""
    if attempt > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempt - 1] * (rng or random).uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def _due(now: datetime):
    return (
        select(WebhookMessage.id, WebhookMessage.event_id, WebhookMessage.attempts, WebhookMessage.webhook_id,
               WebhookEvent.type, WebhookEvent.body, Webhook.url, Webhook.secret_encrypted)
        .join(WebhookEvent, WebhookEvent.id == WebhookMessage.event_id)
        .join(Webhook, Webhook.id == WebhookMessage.webhook_id)
        .where(WebhookMessage.status == "pending", WebhookMessage.next_attempt_at <= now,
               Webhook.active.is_(True), Webhook.deleted_at.is_(None))
        .order_by(WebhookMessage.next_attempt_at, WebhookMessage.id)
        .limit(1)
    )


def _send(message: Row) -> Answer:
    try:
        secret = unseal(message.secret_encrypted, current_app.config["SECRET_KEY"])
    except UnreadableSecret as exc:
        return Answer(error=str(exc))
    return webhook_client.post(message.url, message.event_id, message.body, secret,
                               current_app.config["WEBHOOK_ALLOW_PRIVATE"])


def _disable(webhook_id: int, now: datetime) -> None:
    """The receiver answered 410 Gone: stop sending it anything (Standard Webhooks)."""
    db.session.execute(update(Webhook).where(Webhook.id == webhook_id).values(
        active=False, disabled_at=now, disabled_reason=f"The receiver answered 410 Gone on {now.isoformat()}."))
    db.session.execute(update(WebhookMessage).where(
        WebhookMessage.webhook_id == webhook_id, WebhookMessage.status == "pending").values(status="cancelled"))
    outbox.forget_subscribers()  # this process stops queueing events for it at once


def _outcome(message: Row, answer: Answer, now: datetime) -> tuple[str, str, str | None, datetime | None]:
    """(metric outcome, message status, error, next attempt time) for this answer."""
    attempt = message.attempts + 1
    if answer.ok:
        return "delivered", "delivered", None, None
    if answer.status == 410:
        return "disabled", "cancelled", "410 Gone: the endpoint was disabled", None
    delay = next_delay(attempt, answer.retry_after)
    if delay is None:
        return "gave_up", "failed", f"{answer.error}; gave up after {attempt} attempts", None
    return "failed", "pending", answer.error, now + timedelta(seconds=delay)


def _record(message: Row, answer: Answer, now: datetime) -> str:
    """The attempt and the message's new state, committed (ending the claim). Returns the outcome."""
    outcome, status, error, next_at = _outcome(message, answer, now)
    if outcome == "disabled":
        _disable(message.webhook_id, now)
    # Only while still pending: an admin may have deleted the endpoint meanwhile (SQLite claims lock nothing).
    db.session.execute(update(WebhookMessage).where(
        WebhookMessage.id == message.id, WebhookMessage.status == "pending").values(
        status=status, attempts=message.attempts + 1, next_attempt_at=next_at))
    db.session.add(WebhookAttempt(
        message_id=message.id, webhook_id=message.webhook_id, event_id=message.event_id, type=message.type,
        attempt=message.attempts + 1, status_code=answer.status, error=error and error[:500], at=now,
        next_attempt_at=next_at))
    db.session.commit()
    WEBHOOK_DELIVERIES.labels(outcome).inc()
    log.info("webhook %s to endpoint %s: attempt %s %s", message.event_id, message.webhook_id,
             message.attempts + 1, outcome, extra={"status_code": answer.status, "error": error})
    return outcome


def deliver_one(now: datetime | None = None) -> str | None:
    """Claim the next due message, send it and record the attempt; None when nothing is due."""
    when = now or utcnow()
    message = backend().claim_one(_due(when), WebhookMessage.__table__)
    if message is None:
        db.session.rollback()
        return None
    return _record(message, _send(message), when)


def deliver_due(now: datetime | None = None, stop: Callable[[], bool] = lambda: False) -> int:
    """Deliver every message due at `now` (default: the clock, read afresh for each); returns how many."""
    count = 0
    while not stop() and deliver_one(now) is not None:
        count += 1
    return count
