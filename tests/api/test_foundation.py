"""Service foundation: reference data, login and tokens, roles, health, OpenAPI."""
from __future__ import annotations

import json

from shapely.geometry import shape
from sqlalchemy import func, select

from models import Kecamatan, Kelurahan, User, db
from satgas.services.areas import load_reference_data
from tests.support import PASSWORD, kelurahan_at

# Real places and the kelurahan they are in (SOURCES.md spot checks and city landmarks).
LANDMARKS = {
    "Universitas Brawijaya": ((112.6145, -7.9525), "35.73.05.1006"),  # Ketawanggede
    "Universitas Negeri Malang": ((112.6175, -7.9620), "35.73.05.1005"),  # Sumbersari
    "Terminal Arjosari": ((112.6585, -7.9330), "35.73.01.1002"),  # Arjosari
    "Pasar Besar Malang": ((112.6322, -7.9870), "35.73.02.1005"),  # Sukoharjo, Klojen
}


def test_reference_data_loads_idempotently(app):
    with app.app_context():
        load_reference_data()
        load_reference_data()
        assert db.session.scalar(select(func.count()).select_from(Kecamatan)) == 5
        assert db.session.scalar(select(func.count()).select_from(Kelurahan)) == 57


def test_each_kelurahan_polygon_is_valid_and_holds_its_point(client, cast):
    listing = client.get("/api/v1/kelurahan", headers=cast.headers("admin")).get_json()
    assert len(listing) == 57
    for row in listing:
        detail = client.get(f"/api/v1/kelurahan/{row['code']}", headers=cast.headers("admin")).get_json()
        assert detail["geometry"]["type"] == "MultiPolygon"
        polygon = shape(detail["geometry"])
        assert polygon.is_valid, row["code"]
        point = polygon.representative_point()
        # The database agrees that the polygon's own point lies in it.
        with client.application.app_context():
            assert row["code"] in kelurahan_at(point.x, point.y)


def test_landmarks_resolve_to_their_kelurahan(app):
    with app.app_context():
        for name, ((lon, lat), code) in LANDMARKS.items():
            assert kelurahan_at(lon, lat) == [code], name


def test_kecamatan_and_kelurahan_listing(client, cast):
    kecamatan = client.get("/api/v1/kecamatan", headers=cast.headers("crew_a")).get_json()
    assert [k["code"] for k in kecamatan] == [f"35.73.0{i}" for i in range(1, 6)]
    assert kecamatan[1]["name"] == "Klojen"
    klojen = client.get("/api/v1/kelurahan?kecamatan_code=35.73.02", headers=cast.headers("crew_a")).get_json()
    assert len(klojen) == 11 and all(k["kecamatan_code"] == "35.73.02" for k in klojen)
    assert client.get("/api/v1/kelurahan/35.73.99.9999", headers=cast.headers("crew_a")).status_code == 404


def test_login_failures_look_the_same(client):
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody", "password": PASSWORD})
    wrong = client.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong-password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json()["message"] == wrong.get_json()["message"]


def test_login_logout_revokes_token(client):
    resp = client.post("/api/v1/auth/token", json={"username": "crew_a", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["token_type"] == "Bearer" and body["user"]["role"] == "crew"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/v1/kecamatan", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    again = client.get("/api/v1/kecamatan", headers=headers)
    assert again.status_code == 401 and again.get_json()["message"]


def test_missing_token_is_401(client):
    resp = client.get("/api/v1/kecamatan")
    assert resp.status_code == 401
    assert "Bearer" in resp.get_json()["message"]


def test_crew_token_on_admin_endpoint_is_403(client, cast):
    resp = client.post("/api/v1/crews", json={"name": "X", "kecamatan_code": "35.73.01"},
                       headers=cast.headers("crew_a"))
    assert resp.status_code == 403


def test_admin_creates_crew_and_user_without_leaking_hash(client, cast, app):
    crew = client.post("/api/v1/crews", json={"name": "Crew Blimbing 7", "kecamatan_code": "35.73.01"},
                       headers=cast.headers("admin"))
    assert crew.status_code == 201
    crew_id = crew.get_json()["id"]
    user = client.post("/api/v1/users", json={"username": "crew_new", "password": "s3cret-pass!",
                                               "role": "crew", "crew_id": crew_id},
                       headers=cast.headers("admin"))
    assert user.status_code == 201, user.get_json()
    raw = user.get_data(as_text=True)
    assert "s3cret-pass!" not in raw and "argon2" not in raw and "password" not in user.get_json()
    with app.app_context():
        stored = db.session.scalar(select(User).where(User.username == "crew_new"))
        assert stored.password_hash.startswith("$argon2")
        db.session.delete(stored)
        db.session.commit()
    dup = client.post("/api/v1/crews", json={"name": "Crew Blimbing 7", "kecamatan_code": "35.73.01"},
                      headers=cast.headers("admin"))
    assert dup.status_code == 409
    crews = client.get("/api/v1/crews", headers=cast.headers("admin")).get_json()
    assert any(c["name"] == "Crew Blimbing 7" for c in crews)


def test_user_validation_is_422_with_field_errors(client, cast):
    resp = client.post("/api/v1/users", json={"username": "x y", "password": "short", "role": "boss"},
                       headers=cast.headers("admin"))
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["message"] and set(body["errors"]["json"]) >= {"username", "password", "role"}


def test_login_is_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    codes = [client.post("/api/v1/auth/token", json={"username": "admin", "password": "nope"}).status_code
             for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[-1] == 429


def test_health_and_docs(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": "ok", "storage": "ok"}
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = json.loads(spec.get_data())["paths"]
    assert "/api/v1/auth/token" in paths and "/api/v1/kelurahan/{code}" in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # The docs page loads Swagger UI from this server, never from a CDN.
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in docs.get_data(as_text=True)
    assert "https://" not in docs.get_data(as_text=True) and "http://" not in docs.get_data(as_text=True)
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_malformed_json_is_400_not_500(client):
    resp = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["message"]
    deep = "[" * 100000 + "]" * 100000
    resp = client.post("/api/v1/auth/token", data=deep, content_type="application/json")
    assert resp.status_code in (400, 413)


def test_me_tells_who_the_token_belongs_to(client, cast):
    me = client.get("/api/v1/auth/me", headers=cast.headers("sup_klojen")).get_json()
    assert me == {"username": "sup_klojen", "role": "supervisor", "crew_id": None, "kecamatan_code": "35.73.02"}


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app):
    from satgas.app import create_app

    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "STORAGE_URL": app.config["STORAGE_URL"], "TRUSTED_PROXIES": "1"}
    proxied = create_app({"LOGIN_RATE_LIMIT": "2 per minute"}, env=env).test_client()
    wrong = {"username": "admin", "password": "nope-nope"}

    def attempt(ip):
        return proxied.post("/api/v1/auth/token", json=wrong, headers={"X-Forwarded-For": ip}).status_code

    assert [attempt("10.0.0.1") for _ in range(3)] == [401, 401, 429]
    assert attempt("10.0.0.2") == 401
