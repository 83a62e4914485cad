"""Prometheus metrics at /metrics: request latency, logs ingested, photos stored, review backlog,
webhook events pending and webhook deliveries by outcome.

prometheus-flask-exporter serves /metrics (summing gunicorn's workers); the per-request metrics
it would record by default are recorded here instead, under the same names and labels: its
hooks cost some 30 µs a request (attribute probes that raise, path regexes, labels looked up by
keyword every time), these keep each label set's children and read the request once.

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
import time
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
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

# What prometheus-flask-exporter's defaults record (prefix "flask", grouped by url_rule).
REQUEST_SECONDS = Histogram("flask_http_request_duration_seconds", "Flask HTTP request duration in seconds",
                            ["method", "url_rule", "status"])
REQUESTS = Counter("flask_http_request_total", "Total number of HTTP requests", ["method", "status"])
REQUEST_EXCEPTIONS = Counter("flask_http_request_exceptions_total",
                             "Total number of HTTP requests which resulted in an exception", ["method", "status"])
NOT_MEASURED = frozenset({"/metrics", "/healthz"})
_KEPT_CHILDREN = 1000  # label sets whose children are kept (methods come from clients: bounded)
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _record(method: str, rule: Any, status: int) -> None:
    """Duration since the request's start (taken by the request id hook, the first of all: so a
    401 from authentication is timed too) and the count."""
    key = (method, str(rule), status)
    found = _children.get(key)
    if found is None:
        found = (REQUEST_SECONDS.labels(*key), REQUESTS.labels(method, status))
        if len(_children) < _KEPT_CHILDREN:
            _children[key] = found
    started = g.get("started")
    if started is not None:
        found[0].observe(max(time.perf_counter() - started, 0.0))
    found[1].inc()


def _after(response: Response) -> Response:
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.path not in NOT_MEASURED:
        _record(req.method, req.url_rule, response.status_code)
        g.metrics_recorded = True
    return response


def _teardown(exc: BaseException | None = None) -> None:
    """An exception that escaped: counted, and recorded as a 500 if no answer was recorded."""
    if exc is None or request.path in NOT_MEASURED:
        return
    REQUEST_EXCEPTIONS.labels(request.method, 500).inc()
    if not g.get("metrics_recorded"):
        _record(request.method, request.url_rule, 500)


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
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        GunicornInternalPrometheusMetrics(app, export_defaults=False)
    else:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_DefaultRegistryProxy())
        PrometheusMetrics(app, registry=registry, export_defaults=False)
    app.after_request(_after)
    app.teardown_request(_teardown)
    app.before_request(_guard_and_refresh)
