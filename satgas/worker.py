"""`flask --app wsgi worker`: delivers webhook events from the outbox, in a process of its own.

Run it beside the web server (its own systemd service in production). On PostgreSQL any number
may run; on SQLite one (a second one refuses to start). SIGTERM or SIGINT stops it after the
delivery in hand, so nothing is cut half-way; a SIGKILL loses nothing either (the message stays
pending and is sent again).
"""
from __future__ import annotations

import logging
import signal
import threading

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from models import db
from satgas.database import WorkerBusy, backend
from satgas.services import delivery

log = logging.getLogger(__name__)


def run(stop: threading.Event, once: bool, poll_interval: float) -> int:
    """Deliver until stopped (or, with `once`, until nothing is due); returns the number delivered."""
    total = 0
    while not stop.is_set():
        try:
            sent = delivery.deliver_due(stop=stop.is_set)
        except SQLAlchemyError as exc:
            db.session.rollback()
            if once:
                raise click.ClickException(f"The database is unavailable: {exc}") from None
            log.warning("webhook worker: database unavailable, retrying in %ss: %s", poll_interval, exc)
            sent = 0
        total += sent
        if once:
            break
        if not sent:
            stop.wait(poll_interval)
    return total


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (cron jobs, tests).")
@click.option("--poll-interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              help="Seconds to wait before looking at the outbox again when nothing was due.")
@with_appcontext
def worker_command(once: bool, poll_interval: float) -> None:
    """Deliver webhook events (signed, retried with back-off) until SIGTERM."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        with backend().exclusive_worker(db.engine.url):
            log.info("webhook worker started")
            total = run(stop, once, poll_interval)
    except WorkerBusy as exc:
        raise click.ClickException(str(exc)) from None
    log.info("webhook worker stopped after %s deliveries", total)
