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
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from models import Webhook, WebhookEvent, WebhookMessage, db, utcnow
from satgas.database import backend
from satgas.timeutil import to_wib

SERIALIZERS = "satgas.outbox.serializers"
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


def subscribers(event_type: str) -> list[int]:
    """Ids of the active endpoints that asked for this event type (a small table, read whole)."""
    rows = db.session.execute(select(Webhook.id, Webhook.events)
                              .where(Webhook.active.is_(True), Webhook.deleted_at.is_(None)))
    return [hook_id for hook_id, events in rows if event_type in events.split(",")]


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
    backend().insert_rows(WebhookMessage.__table__, [
        {"event_id": event["id"], "webhook_id": hook, "status": "pending", "attempts": 0,
         "next_attempt_at": now, "created_at": now}
        for event in events for hook in hooks
    ])
    return len(events)


def emit(event_type: str, kind: str, obj: Any, occurred_at: datetime) -> int:
    """Queue one event (see `emit_many`)."""
    return emit_many(event_type, kind, [(obj, occurred_at)])
