"""The retry schedule and Retry-After, as pure functions (the delivery tests show them end to end)."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from satgas.services.delivery import JITTER, MAX_RETRY_AFTER, RETRY_DELAYS, next_delay
from satgas.webhook_client import retry_after_seconds


def test_the_schedule_grows_is_jittered_and_spans_more_than_a_day():
    rng = random.Random(16)
    delays = [[next_delay(n, rng=rng) for n in range(1, len(RETRY_DELAYS) + 1)] for _ in range(50)]
    for run in delays:
        for base, delay in zip(RETRY_DELAYS, run, strict=True):
            assert base * (1 - JITTER) <= delay <= base * (1 + JITTER)
        assert sum(run) > 24 * 3600
    assert len({run[0] for run in delays}) > 40  # jitter: retries do not all land at once
    assert tuple(sorted(RETRY_DELAYS)) == RETRY_DELAYS
    assert next_delay(len(RETRY_DELAYS) + 1) is None


def test_retry_after_postpones_but_never_hastens_nor_parks_forever():
    assert next_delay(1, retry_after=600) == 600
    assert RETRY_DELAYS[4] * (1 - JITTER) <= next_delay(5, retry_after=1) <= RETRY_DELAYS[4] * (1 + JITTER)
    assert next_delay(1, retry_after=10 * 86_400) == MAX_RETRY_AFTER


def test_retry_after_as_seconds_or_an_http_date():
    now = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds(format_datetime(now + timedelta(minutes=30), usegmt=True), now) == 1800
    assert retry_after_seconds(format_datetime(now - timedelta(minutes=30), usegmt=True), now) == 0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None
