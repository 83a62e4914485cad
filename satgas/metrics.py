"""Prometheus metrics at /metrics: request latency, logs ingested, photos stored, review backlog,
webhook events pending and webhook deliveries by outcome.

With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (see gunicorn.conf.py) so that
every worker's numbers are summed; otherwise one process serves its own. The webhook worker
(`flask --app wsgi worker`) counts its deliveries in its own process: give it the same
PROMETHEUS_MULTIPROC_DIR as gunicorn and /metrics sums them too. Gauges are read from the
database when /metrics is scraped, so they are right whichever process serves the scrape.
"""
from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Flask, current_app, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from models import WebhookMessage, WorkLog, db
from satgas.errors import Forbidden, Unauthorized

LOGS_INGESTED = Counter("satgas_logs_ingested", "Work logs received, by outcome", ["outcome"])
PHOTOS_STORED = Counter("satgas_photos_stored", "Photos stored (first upload, not replays)")
REVIEW_BACKLOG = Gauge("satgas_review_backlog", "Logs submitted and not yet reviewed",
                       multiprocess_mode="mostrecent")
WEBHOOK_PENDING = Gauge("satgas_webhook_events_pending", "Webhook messages waiting for (another) delivery attempt",
                        multiprocess_mode="mostrecent")
WEBHOOK_DELIVERIES = Counter("satgas_webhook_deliveries", "Webhook delivery attempts, by outcome "
                             "(delivered, failed: retried later, gave_up, disabled: 410 Gone)", ["outcome"])


class _DefaultRegistryProxy:
    """Lets a per-app registry also expose the process-wide domain metrics above."""

    def collect(self):
        yield from REGISTRY.collect()


def _from_this_machine() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _guard_and_refresh() -> None:
    """On /metrics: with METRICS_TOKEN, that bearer token; without it, loopback clients only.
    Then refresh the gauges."""
    if request.path != "/metrics":
        return
    expected = current_app.config["METRICS_TOKEN"]
    if expected and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {expected}"):
        raise Unauthorized("Metrics need 'Authorization: Bearer <METRICS_TOKEN>'.")
    if not expected and not _from_this_machine():
        raise Forbidden("Metrics are served to this machine only; set METRICS_TOKEN to scrape them from elsewhere.")
    try:
        REVIEW_BACKLOG.set(db.session.scalar(select(func.count()).where(WorkLog.status == "submitted")) or 0)
        WEBHOOK_PENDING.set(db.session.scalar(select(func.count()).where(WebhookMessage.status == "pending")) or 0)
    except SQLAlchemyError:
        db.session.rollback()


def register_metrics(app: Flask) -> None:
    common = {"group_by": "url_rule", "excluded_paths": ["^/metrics$", "^/healthz$"]}
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        GunicornInternalPrometheusMetrics(app, **common)
    else:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_DefaultRegistryProxy())
        PrometheusMetrics(app, registry=registry, **common)
    app.before_request(_guard_and_refresh)
