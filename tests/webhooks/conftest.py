"""Webhook fixtures: a real receiver on loopback (allowed by WEBHOOK_ALLOW_PRIVATE) and the
worker's delivery step run in-process with a movable clock."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from models import utcnow
from satgas.services import delivery
from tests.servers import Receiver


@pytest.fixture
def private_ok(app, monkeypatch) -> None:
    """WEBHOOK_ALLOW_PRIVATE=1: the receivers of these tests listen on loopback over http://."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)


@pytest.fixture
def receiver(private_ok) -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def deliver(app) -> Callable[..., int]:
    """What `flask worker --once` does, in this process: deliver every message due at `now`."""

    def run(now: datetime | None = None) -> int:
        with app.app_context():
            return delivery.deliver_due(now or utcnow())

    return run
