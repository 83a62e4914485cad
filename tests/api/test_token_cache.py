"""Tokens are looked up once and remembered; revocation still works at once where it must."""
from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
from redis import Redis

from satgas.services import token_cache, tokens
from tests.servers import ThrowawayRedis
from tests.support import PASSWORD, count_queries, make_app


def _login(client, username: str = "crew_a") -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_a_remembered_token_costs_no_query(app, client, cast):
    headers = _login(client)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # looked up once
    with count_queries(app) as statements:
        me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["username"] == "crew_a"
    assert statements == []
    # The remembered user works like a loaded one: the crew's logs are still scoped to the crew.
    assert client.get("/api/v1/logs", headers=headers).status_code == 200


def test_revocation_is_immediate_on_the_worker_that_revoked(client, cast):
    headers = _login(client)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_an_expired_token_is_refused_even_when_remembered(client, cast, monkeypatch):
    headers = _login(client)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    later = tokens.utcnow() + timedelta(days=365)
    monkeypatch.setattr(tokens, "utcnow", lambda: later)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


@pytest.fixture
def two_workers_sharing_redis(tmp_path):
    redis = ThrowawayRedis()
    database, storage = f"sqlite:///{tmp_path / 'shared.db'}", f"file://{tmp_path / 'photos'}"
    first = make_app(database, storage, REDIS_URL=redis.url)
    from satgas.services.accounts import create_user

    with first.app_context():
        create_user("sup_shared", PASSWORD, "supervisor")
    # A second app on the same database and Redis: another gunicorn worker, as far as caches go.
    second = make_app(database, storage, REDIS_URL=redis.url)
    yield first, second, redis
    redis.stop()


def test_with_redis_a_revocation_reaches_every_worker_at_once(two_workers_sharing_redis):
    first, second, _redis = two_workers_sharing_redis
    headers = _login(first.test_client(), "sup_shared")
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 200  # now remembered
    assert first.test_client().delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 401


def test_with_redis_gone_tokens_are_looked_up_in_the_database(two_workers_sharing_redis):
    first, second, redis = two_workers_sharing_redis
    headers = _login(first.test_client(), "sup_shared")
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 200  # kept by `second`
    redis.stop()
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 200
    assert first.test_client().delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 401


def test_an_entry_of_another_shape_is_answered_by_the_database_and_rewritten(two_workers_sharing_redis):
    first, second, redis = two_workers_sharing_redis
    headers = _login(first.test_client(), "sup_shared")
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 200
    store = Redis.from_url(redis.url)
    [key] = store.keys("satgas:token:*")
    store.set(key, b"!" + pickle.dumps({"who": "an older deploy"}), keepttl=True)  # cachelib's pickle form
    for _ in range(2):
        assert second.test_client().get("/api/v1/auth/me", headers=headers).get_json()["username"] == "sup_shared"
    with second.app_context():
        assert token_cache.cache.get(key.decode().removeprefix("satgas:token:"))["user"]["username"] == "sup_shared"


def _shared_token(first, username: str = "sup_shared") -> tuple[dict[str, str], str]:
    headers = _login(first.test_client(), username)
    return headers, tokens.token_hash(headers["Authorization"].removeprefix("Bearer "))


def _principal_and_expiry(app, key: str):
    from sqlalchemy import select

    from models import AccessToken, db
    from satgas.principal import Principal

    with app.app_context():
        token = db.session.scalar(select(AccessToken).where(AccessToken.token_hash == key))
        return Principal.of(token.user), token.expires_at


def test_a_lookup_that_read_the_token_before_its_revocation_cannot_bring_it_back(two_workers_sharing_redis):
    first, second, _redis = two_workers_sharing_redis
    headers, key = _shared_token(first)
    principal, expires_at = _principal_and_expiry(second, key)  # `second` read the token: still live
    assert first.test_client().delete("/api/v1/auth/token", headers=headers).status_code == 204
    with second.app_context():  # ... and only now remembers what it read
        token_cache.remember(key, principal, expires_at)
    for app in (first, second):
        with count_queries(app) as statements:
            assert app.test_client().get("/api/v1/auth/me", headers=headers).status_code == 401
        assert statements == []  # the revocation's tombstone answers, without the database


def test_a_last_seen_refresh_after_a_revocation_does_not_bring_it_back(two_workers_sharing_redis):
    first, second, _redis = two_workers_sharing_redis
    headers, key = _shared_token(first)
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 200
    principal, expires_at = _principal_and_expiry(second, key)
    assert first.test_client().delete("/api/v1/auth/token", headers=headers).status_code == 204
    with second.app_context():
        token_cache.refresh(key, principal, expires_at)
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 401


def test_a_refresh_rewrites_a_live_entry(two_workers_sharing_redis):
    first, second, _redis = two_workers_sharing_redis
    headers, key = _shared_token(first)
    assert second.test_client().get("/api/v1/auth/me", headers=headers).status_code == 200
    principal, expires_at = _principal_and_expiry(second, key)
    moved = tokens.utcnow().replace(microsecond=0)
    from dataclasses import replace

    with first.app_context():
        token_cache.refresh(key, replace(principal, last_seen_at=moved), expires_at)
    with second.app_context():
        assert token_cache.remembered(key).principal.last_seen_at == moved
