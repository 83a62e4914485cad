"""Webhook endpoints (admins): register, list, delete, and read their delivery attempts.

The signing secret (`whsec_` + base64 of 32 random bytes) is returned once, at creation, and
stored sealed (`satgas.secret_box`): no later answer, log line or delivery record shows it.
"""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from models import Webhook, WebhookAttempt, WebhookMessage, db, utcnow
from satgas.errors import Invalid, NotFound
from satgas.principal import Actor
from satgas.secret_box import seal
from satgas.services import outbox
from satgas.webhook_client import refusal, resolve


@dataclass(frozen=True)
class CreatedWebhook:
    """A new endpoint as answered once, with its secret."""

    id: int
    url: str
    events: list[str]
    description: str | None
    active: bool
    created_at: datetime
    secret: str


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _url_problem(url: str, allow_private: bool) -> str | None:
    """What is wrong with a receiver URL, or None (the host is resolved here, as when sending)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_private):
        return "Use an https:// URL (http:// only with WEBHOOK_ALLOW_PRIVATE=1)."
    if not parts.hostname:
        return "The URL has no host name."
    if parts.username is not None or parts.password is not None:
        return "Leave credentials out of the URL: the signature tells the receiver the request is ours."
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(parts.hostname, port)
    except (OSError, ValueError):
        return f"The host {parts.hostname} does not resolve (or the port is not a number); check the URL."
    refused = refusal(addresses, allow_private)
    return f"Refused: {refused}." if refused else None


def create_webhook(user: Actor, url: str, events: list[str], description: str | None) -> CreatedWebhook:
    """Register an endpoint (422 for a URL it may not call); the answer is the only one with the secret."""
    actor = user.username
    db.session.rollback()  # no database lock (SQLite's write lock) while DNS answers
    problem = _url_problem(url, current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    if problem:
        raise Invalid(problem, {"url": [problem]})
    secret = new_secret()
    chosen = list(dict.fromkeys(events))
    hook = Webhook(url=url, events=",".join(chosen), description=description, active=True,
                   secret_encrypted=seal(secret, current_app.config["SECRET_KEY"]), created_by=actor,
                   created_at=utcnow())
    db.session.add(hook)
    db.session.commit()
    outbox.forget_subscribers()
    return CreatedWebhook(hook.id, hook.url, chosen, hook.description, hook.active, hook.created_at, secret)


def list_webhooks() -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.id)))


MAX_ID = 2**31 - 1  # an INTEGER column: a larger id is no webhook (and PostgreSQL would refuse the query)


def _existing(webhook_id: int) -> Webhook:
    hook = db.session.get(Webhook, webhook_id) if 1 <= webhook_id <= MAX_ID else None
    if hook is None or hook.deleted_at is not None:
        raise NotFound(f"No webhook {webhook_id}.")
    return hook


def delete_webhook(webhook_id: int) -> None:
    """Stop delivering to the endpoint: pending messages are cancelled and its secret is erased.

    The row stays (marked deleted) so that delivery records keep their endpoint; the API no
    longer shows it.
    """
    try:
        hook = _existing(webhook_id)
    except NotFound:
        db.session.rollback()
        raise
    hook.deleted_at, hook.active, hook.secret_encrypted = utcnow(), False, ""
    db.session.execute(update(WebhookMessage).where(
        WebhookMessage.webhook_id == webhook_id, WebhookMessage.status == "pending").values(status="cancelled"))
    db.session.commit()
    outbox.forget_subscribers()


def deliveries(webhook_id: int, limit: int) -> list[WebhookAttempt]:
    """The endpoint's most recent delivery attempts, newest first."""
    _existing(webhook_id)
    return list(db.session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.webhook_id == webhook_id)
        .order_by(WebhookAttempt.at.desc(), WebhookAttempt.id.desc()).limit(limit)))
