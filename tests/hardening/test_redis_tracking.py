"""satgas.redis_tracking: values kept in the worker until Redis says they changed; any trouble
drops them and says so (the caller then reads Redis plainly)."""
from __future__ import annotations

import pytest
import redis

from satgas import redis_tracking
from satgas.redis_tracking import TrackedKeys, TrackingUnavailable
from tests.servers import ThrowawayRedis


@pytest.fixture(scope="module")
def store():
    server = ThrowawayRedis()
    yield server
    server.stop()


@pytest.fixture
def writer(store):
    client = redis.Redis.from_url(store.url)
    client.flushall()
    return client


def _gets(client: redis.Redis) -> int:
    return client.info("commandstats").get("cmdstat_get", {}).get("calls", 0)


def test_a_kept_value_is_read_once_and_follows_every_change(store, writer):
    writer.set("p:a", b"1")
    tracked = TrackedKeys(store.url, lambda raw: int(raw), prefix="p:")
    assert tracked.get("a") == 1
    gets = _gets(writer)
    assert [tracked.get("a") for _ in range(5)] == [1] * 5
    assert _gets(writer) == gets  # kept: no round trip
    writer.set("p:a", b"2")
    assert tracked.get("a") == 2  # the write's invalidation was taken in before the read
    writer.delete("p:a")
    assert tracked.get("a") is None
    writer.set("p:a", b"3")
    assert tracked.get("a") == 3
    writer.flushall()
    assert tracked.get("a") is None


def test_a_value_is_kept_no_longer_than_max_age(store, writer, monkeypatch):
    writer.set("b", b"1")
    tracked = TrackedKeys(store.url, bytes, max_age=60)
    clock = [1000.0]
    monkeypatch.setattr(redis_tracking.time, "monotonic", lambda: clock[0])
    assert tracked.get("b") == b"1"
    gets = _gets(writer)
    clock[0] += 61
    assert tracked.get("b") == b"1"
    assert _gets(writer) == gets + 1  # read again


def test_a_dropped_connection_drops_the_values_and_reconnects_later(store, writer, monkeypatch):
    writer.set("c", b"1")
    tracked = TrackedKeys(store.url, bytes)
    assert tracked.get("c") == b"1"
    clock = [1000.0]
    monkeypatch.setattr(redis_tracking.time, "monotonic", lambda: clock[0])
    writer.client_kill_filter(_type="normal", skipme=True)
    writer.set("c", b"2")  # its invalidation had no connection to go to
    with pytest.raises(TrackingUnavailable):
        tracked.get("c")
    clock[0] += redis_tracking.RETRY_SECONDS / 2
    with pytest.raises(TrackingUnavailable):  # no new attempt so soon
        tracked.get("c")
    clock[0] += redis_tracking.RETRY_SECONDS
    assert tracked.get("c") == b"2"  # connected anew, nothing old kept
