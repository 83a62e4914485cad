"""Webhooks: endpoints that other city systems register, and the outbox of events for them.

An event (`WebhookEvent`) is written in the same transaction as the change that causes it,
with one outbox message (`WebhookMessage`) per subscribed endpoint; the worker delivers the
messages and records every attempt (`WebhookAttempt`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow

WEBHOOK_EVENTS = ("log.created", "log.approved", "log.rejected", "photo.added")
# pending: waiting for (another) attempt; delivered: a 2xx came back; failed: retries ran out;
# cancelled: the endpoint was deleted or disabled (410 Gone) before delivery.
MESSAGE_STATUSES = ("pending", "delivered", "failed", "cancelled")


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    # Comma-joined names from WEBHOOK_EVENTS.
    events: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The signing secret, encrypted with a key derived from SECRET_KEY (satgas.secret_box):
    # a copy of the database alone does not let anyone forge our signatures.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    # Deleted endpoints are kept (without their secret) so their deliveries stay explainable.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def event_list(self) -> list[str]:
        return [name for name in self.events.split(",") if name]


class WebhookEvent(Base):
    """One thing that happened, with the exact JSON body that every endpoint receives (and that is signed)."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the `webhook-id` header
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text)


class WebhookMessage(Base):
    """The outbox: one event for one endpoint, until it is delivered, given up or cancelled."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (Index("ix_webhook_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[WebhookEvent] = relationship()


class WebhookAttempt(Base):
    """One delivery attempt: what the endpoint answered (or what went wrong) and what happens next."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_webhook_at", "webhook_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("webhook_outbox.id"), index=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    event_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
