"""Registering webhook endpoints: what is refused (422), the secret shown once and never again."""
from __future__ import annotations

import base64
import logging

import pytest
from sqlalchemy import select

from config import ConfigError, load_config
from models import Webhook, WebhookAttempt, WebhookEvent, db
from tests.builders import add_webhook, post_log, review

PUBLIC_URL = "https://93.184.216.34/hooks/satgas"  # a public address literal: no DNS needed


def test_an_endpoint_is_created_with_a_standard_webhooks_secret(client, cast):
    created = add_webhook(client, cast, PUBLIC_URL, ("log.approved", "photo.added", "log.approved"),
                          description="SAMBAT Online")
    assert set(created) >= {"id", "url", "events", "description", "active", "secret"}
    assert created["events"] == ["log.approved", "photo.added"] and created["active"] is True
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"), validate=True)) == 32
    other = add_webhook(client, cast, PUBLIC_URL)
    assert other["secret"] != created["secret"]
    listed = client.get("/api/v1/webhooks", headers=cast.headers("admin")).get_json()
    assert [(h["id"], h["url"], h["description"]) for h in listed] == [
        (created["id"], PUBLIC_URL, "SAMBAT Online"), (other["id"], PUBLIC_URL, None)]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://10.20.30.40/hook",
    "https://192.168.1.5/hook", "https://172.16.0.9/hook", "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hook", "https://[fe80::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",
])
def test_loopback_private_and_link_local_hosts_are_refused(client, cast, url):
    body = add_webhook(client, cast, url, expect=422)
    assert "url" in str(body["errors"]) and body["message"]
    assert client.get("/api/v1/webhooks", headers=cast.headers("admin")).get_json() == []


@pytest.mark.parametrize("fields,fix", [
    ({"url": "http://93.184.216.34/hook"}, "https://"),
    ({"url": "https://user:pass@93.184.216.34/hook"}, "credentials"),
    ({"url": "ftp://93.184.216.34/hook"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "https://no-such-host.invalid/hook"}, "resolve"),
    ({"events": []}, "events"),
    ({"events": ["log.deleted"]}, "events"),
    ({"description": "bell\x07"}, "description"),
])
def test_bad_registrations_say_what_to_fix(client, cast, fields, fix):
    body = {"url": PUBLIC_URL, "events": ["log.approved"], **fields}
    resp = client.post("/api/v1/webhooks", json=body, headers=cast.headers("admin"))
    assert resp.status_code == 422 and fix in (resp.get_json()["message"] + str(resp.get_json().get("errors")))


def test_with_the_setting_http_and_loopback_are_allowed(app, client, cast, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    assert add_webhook(client, cast, "http://127.0.0.1:9/hook")["active"] is True


def test_deleted_endpoints_disappear(client, cast):
    hook = add_webhook(client, cast, PUBLIC_URL)
    admin = cast.headers("admin")
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/webhooks", headers=admin).get_json() == []
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin).status_code == 404
    for unknown in (999999, 15832829526):
        assert client.get(f"/api/v1/webhooks/{unknown}/deliveries", headers=admin).status_code == 404
        assert client.delete(f"/api/v1/webhooks/{unknown}", headers=admin).status_code == 404


@pytest.fixture
def app_log(caplog, monkeypatch):
    """Everything the app logs (the `satgas` loggers do not propagate to the root's capture)."""
    ours = logging.getLogger("satgas")
    monkeypatch.setattr(ours, "level", logging.DEBUG)
    ours.addHandler(caplog.handler)
    yield caplog
    ours.removeHandler(caplog.handler)


def test_the_secret_never_appears_after_creation(app, client, cast, receiver, deliver, app_log):
    hook = add_webhook(client, cast, receiver.url, ("log.approved", "log.created"))
    secret, raw = hook["secret"], hook["secret"].removeprefix("whsec_")
    review(client, cast, post_log(client, cast)["id"])
    assert deliver() == 2
    admin = cast.headers("admin")
    seen = [client.get("/api/v1/webhooks", headers=admin).get_data(as_text=True),
            client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin).get_data(as_text=True),
            client.get("/api/v1/logs", headers=admin).get_data(as_text=True),
            client.get("/api/v1/openapi.json").get_data(as_text=True),
            app_log.text, *(r.body.decode() + str(r.headers) for r in receiver.received)]
    with app.app_context():
        stored = db.session.scalar(select(Webhook.secret_encrypted).where(Webhook.id == hook["id"]))
        seen += [stored, *db.session.scalars(select(WebhookEvent.body)),
                 *(str(a.error) for a in db.session.scalars(select(WebhookAttempt)))]
    assert stored  # kept, sealed: the worker needs it to sign
    assert "attempt 1 delivered" in app_log.text  # the log was captured, and says what happened
    for text in seen:
        assert secret not in text and raw not in text


def test_the_setting_is_read_from_the_environment():
    env = {"DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": "k"}
    assert load_config(env)["WEBHOOK_ALLOW_PRIVATE"] is False
    assert load_config({**env, "WEBHOOK_ALLOW_PRIVATE": "0"})["WEBHOOK_ALLOW_PRIVATE"] is False
    assert load_config({**env, "WEBHOOK_ALLOW_PRIVATE": "1"})["WEBHOOK_ALLOW_PRIVATE"] is True
    with pytest.raises(ConfigError, match="WEBHOOK_ALLOW_PRIVATE"):
        load_config({**env, "WEBHOOK_ALLOW_PRIVATE": "yes"})
