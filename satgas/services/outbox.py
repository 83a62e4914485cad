"""The webhook outbox: events written in the same transaction as the change that causes them.

A service that changes a log or adds a photo calls `emit` (or `emit_many`) before it commits;
the event and one outbox message per subscribed endpoint commit with the change or not at all,
so a crash between the commit and the delivery loses nothing (the worker, `satgas.worker`,
delivers later). Nothing is written when no active endpoint listens for the event type.

The event's `data` is the log or photo as an admin sees it through the API, and it is frozen
when the event happens (a retry a day later sends the same body). The API's schemas build it,
but services never import `api`: the HTTP layer registers its dump functions here at start-up
(`register_serializers`), and the outbox calls them.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import insert, literal, select

from models import Webhook, WebhookEvent, WebhookMessage, db, utcnow
from models.base import UTCDateTime
from satgas.database import backend
from satgas.timeutil import to_wib

SERIALIZERS = "satgas.outbox.serializers"
_SUBSCRIBERS_KEY = "satgas.outbox.subscribers"
# How long a process trusts its list of active endpoints (see `_active_endpoints`).
SUBSCRIBERS_CACHE_SECONDS = 2.0
Serializer = Callable[[Any], dict]


def register_serializers(app: Flask, **serializers: Serializer) -> None:
    """How each kind of object (`log`, `photo`) becomes an event's `data`; called by the HTTP layer."""
    app.extensions.setdefault(SERIALIZERS, {}).update(serializers)


def new_event_id() -> str:
    """The `webhook-id`: unique, and free of '.' (the signed content joins id, time and body with dots)."""
    return f"evt_{uuid.uuid4().hex}"


def event_body(event_type: str, occurred_at: datetime, data: dict) -> str:
    """The exact JSON text sent (and signed): {"type", "timestamp", "data"}."""
    envelope = {"type": event_type, "timestamp": to_wib(occurred_at).isoformat(), "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def _active_endpoints() -> list[tuple[int, list[str]]]:
    """(id, event types) of every active endpoint, remembered by this process for
    SUBSCRIBERS_CACHE_SECONDS: every new log asks, endpoints change rarely. Registering or deleting
    an endpoint forgets the list here at once (`forget_subscribers`); other processes see the
    change within SUBSCRIBERS_CACHE_SECONDS."""
    cached = current_app.extensions.get(_SUBSCRIBERS_KEY)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    rows = db.session.execute(select(Webhook.id, Webhook.events)
                              .where(Webhook.active.is_(True), Webhook.deleted_at.is_(None)))
    endpoints = [(hook_id, events.split(",")) for hook_id, events in rows]
    current_app.extensions[_SUBSCRIBERS_KEY] = (now + SUBSCRIBERS_CACHE_SECONDS, endpoints)
    return endpoints


def forget_subscribers() -> None:
    """After an endpoint is registered, deleted or disabled: the next event reads them again."""
    current_app.extensions.pop(_SUBSCRIBERS_KEY, None)


def subscribers(event_type: str) -> list[int]:
    """Ids of the active endpoints that asked for this event type (a small table, read whole)."""
    return [hook_id for hook_id, events in _active_endpoints() if event_type in events]


def emit_many(event_type: str, kind: str, happenings: Iterable[tuple[Any, datetime]]) -> int:
    """Queue one event per (object, time) for every subscriber, in the caller's transaction.

    `happenings` is only iterated when someone listens: pass a generator, and nothing is built
    for nobody. Returns the number of events written.
    """
    hooks = subscribers(event_type)
    if not hooks:
        return 0
    dump = current_app.extensions[SERIALIZERS][kind]
    now = utcnow()
    events = [{"id": new_event_id(), "type": event_type, "occurred_at": at,
               "body": event_body(event_type, at, dump(obj))} for obj, at in happenings]
    if not events:
        return 0
    backend().insert_rows(WebhookEvent.__table__, events)
    # One message per event and endpoint still live as this transaction sees it: the list of
    # endpoints may be up to SUBSCRIBERS_CACHE_SECONDS old.
    db.session.execute(insert(WebhookMessage).from_select(
        ["event_id", "webhook_id", "status", "attempts", "next_attempt_at", "created_at"],
        select(WebhookEvent.id, Webhook.id, literal("pending"), literal(0), literal(now, UTCDateTime),
               literal(now, UTCDateTime))
        .join(Webhook, Webhook.id.in_(hooks))  # every event × every endpoint
        .where(WebhookEvent.id.in_([event["id"] for event in events]),
               Webhook.active.is_(True), Webhook.deleted_at.is_(None))))
    return len(events)


def emit(event_type: str, kind: str, obj: Any, occurred_at: datetime) -> int:
    """Queue one event (see `emit_many`)."""
    return emit_many(event_type, kind, [(obj, occurred_at)])
