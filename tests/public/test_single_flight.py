"""The public cache computes a missing body once however many requests miss it at the same time
(single-flight), per worker without Redis and across workers with it; and the GeoJSON built
around the kept boundary texts is exactly the schema's dump."""
from __future__ import annotations

import threading
import time
from contextlib import nullcontext

import pytest
from flask import Flask

from api.public import GEOJSON, _json, progress_geojson
from api.schemas.public import PublicFeatureCollectionSchema
from satgas.services import public, public_cache
from satgas.services.public_cache import Body, cached
from tests.servers import ThrowawayRedis
from tests.support import count_queries, make_app

BURST = 8


def _burst(app: Flask, compute) -> list[Body]:
    """BURST threads asking for the same key at once, each in its own app context."""
    start, results = threading.Barrier(BURST), [None] * BURST

    def ask(i: int) -> None:
        with app.app_context():
            start.wait()
            results[i] = cached("flight-test", ("x",), compute)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _slow_counter():
    calls = []

    def compute() -> Body:
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to miss
        return Body.of(f"body {len(calls)}".encode(), "application/json")

    return compute, calls


def test_a_burst_of_misses_in_one_worker_computes_once(app):
    with app.app_context():
        public_cache.invalidate()
    compute, calls = _slow_counter()
    results = _burst(app, compute)
    assert len(calls) == 1
    assert {r.data for r in results} == {b"body 1"}


@pytest.fixture(scope="module")
def redis_url():
    redis = ThrowawayRedis()
    yield redis.url
    redis.stop()


def test_a_burst_of_misses_across_workers_computes_once_through_redis(tmp_path, redis_url, monkeypatch):
    """Each thread as if it were its own worker (no per-worker lock): the Redis lock alone decides."""
    app = make_app(f"sqlite:///{tmp_path / 'satgas.db'}", f"file://{tmp_path / 'photos'}", REDIS_URL=redis_url)
    monkeypatch.setattr(public_cache, "_worker_flight", lambda _key: nullcontext())
    monkeypatch.setattr(public_cache, "_remembered", public_cache._Remembered())
    with app.app_context():
        public_cache.invalidate()
    compute, calls = _slow_counter()
    results = _burst(app, compute)
    assert len(calls) == 1
    assert {r.data for r in results} == {b"body 1"}
    with app.app_context():  # and the next one is a hit, also after the worker forgot it
        monkeypatch.setattr(public_cache, "_remembered", public_cache._Remembered())
        assert cached("flight-test", ("x",), compute).data == b"body 1"
    assert len(calls) == 1


def test_a_waiter_computes_itself_when_the_computing_request_never_finishes(app, monkeypatch):
    monkeypatch.setattr(public_cache, "FLIGHT_WAIT_SECONDS", 0.2)
    with app.app_context():
        public_cache.invalidate()
    release = threading.Event()
    hung = threading.Thread(target=lambda: _ask_hung(app, release))
    hung.start()
    time.sleep(0.05)
    try:
        with app.app_context():
            assert cached("flight-test", ("x",), lambda: Body.of(b"mine", "text/plain")).data == b"mine"
    finally:
        release.set()
        hung.join(timeout=10)


def _ask_hung(app: Flask, release: threading.Event) -> None:
    with app.app_context():
        cached("flight-test", ("x",), lambda: release.wait(10) and Body.of(b"late", "text/plain"))


def test_geojson_is_exactly_the_schema_dump_of_the_features(app, client, planted):
    served = client.get("/public/v1/progress.geojson", headers={"Accept-Encoding": "identity"})
    with app.test_request_context():
        start, end = public.default_period(None, None)
        expected = _json(PublicFeatureCollectionSchema(), public.progress_features(start, end), GEOJSON)
        assert progress_geojson(start, end).data == expected.data
    assert served.data == expected.data


def test_boundary_texts_are_serialised_once_and_shared(app, monkeypatch):
    """A second worker (here: the process memo forgotten) takes the text from the shared cache."""
    monkeypatch.setattr(public, "_BOUNDARY_TEXTS", {})
    with app.app_context():
        public_cache.cache.clear()  # as on a fresh deployment
        with count_queries(app) as first:
            texts = public.boundary_texts()
        monkeypatch.setattr(public, "_BOUNDARY_TEXTS", {})
        with count_queries(app) as second:
            again = public.boundary_texts()
        public_cache.invalidate()  # an approval does not orphan reference data
        monkeypatch.setattr(public, "_BOUNDARY_TEXTS", {})
        with count_queries(app) as third:
            public.boundary_texts()
    assert len(texts) == 57 and again == texts
    assert first and second == [] and third == []
