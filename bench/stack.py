"""The production shape on loopback: throw-away PostGIS + Redis + moto S3, the schema and
reference data (`flask init`), accounts, and the app under gunicorn with the shipped settings."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench.servers import AWS_ENV, PASSWORD, ROOT, UNLIMITED, GunicornServer, MotoServer

BUCKET = "satgas-bench"
_ACCOUNTS_SCRIPT = """
import json, sys
from satgas.app import create_app
from satgas.services.accounts import create_crew, create_user
spec = json.load(sys.stdin)
app = create_app()
with app.app_context():
    for name, kecamatan, username in spec["crews"]:
        crew = create_crew(name, kecamatan)
        create_user(username, spec["password"], "crew", crew_id=crew.id)
    for username, role, kecamatan in spec["users"]:
        create_user(username, spec["password"], role, kecamatan_code=kecamatan)
"""


class Stack:
    """Start with `start()`, stop everything with `close()` (also on failure)."""

    def __init__(self, workdir: Path | None = None, *, redis: bool = True, s3: bool = True) -> None:
        self.dir = workdir or Path(tempfile.mkdtemp(prefix="satgas-bench-"))
        self._own_dir = workdir is None
        self.use_redis, self.use_s3 = redis, s3
        self.pg = self.redis = self.moto = None
        self.servers: list[GunicornServer] = []
        self.env: dict[str, str] = {}

    def start(self) -> Stack:
        sys.path.insert(0, str(ROOT))
        from tests.pg_server import ThrowawayPostgres

        if self.use_s3:
            self.moto = MotoServer(self.dir / "moto.log")  # boots while PostgreSQL does
        self.pg = ThrowawayPostgres().init()
        env = {"DATABASE_URL": self.pg.url, "SECRET_KEY": "bench-secret", **UNLIMITED, **AWS_ENV}
        if self.use_redis:
            from tests.servers import ThrowawayRedis

            self.redis = ThrowawayRedis()
            env["REDIS_URL"] = self.redis.url
        if self.use_s3:
            self.moto.wait_ready().create_bucket(BUCKET)
            env.update(STORAGE_URL=f"s3://{BUCKET}/photos", S3_ENDPOINT_URL=self.moto.url)
        else:
            env["STORAGE_URL"] = f"file://{self.dir / 'photos'}"
        self.env = env
        self.flask("init")
        return self

    @property
    def dsn(self) -> str:
        return self.pg.url

    def flask(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                       env={**os.environ, **self.env}, check=True, capture_output=True, timeout=600)

    def accounts(self, crews: list[tuple[str, str, str]], users: list[tuple[str, str, str | None]]) -> None:
        """Crews with one crew user each (name, kecamatan, username), and other users (username, role,
        kecamatan or None); all with the bench password."""
        spec = json.dumps({"crews": crews, "users": users, "password": PASSWORD})
        subprocess.run([sys.executable, "-c", _ACCOUNTS_SCRIPT], cwd=ROOT, env={**os.environ, **self.env},
                       input=spec, text=True, check=True, capture_output=True, timeout=600)

    def app_server(self, name: str = "app", workers: int | None = None,
                   extra_env: dict[str, str] | None = None, wait: bool = True) -> GunicornServer:
        server = GunicornServer("wsgi:app", {**self.env, **(extra_env or {})}, self.dir / f"{name}.log",
                                workers=workers, wait=wait)
        self.servers.append(server)
        return server

    def stop_server(self, server: GunicornServer) -> None:
        server.stop()
        if server in self.servers:
            self.servers.remove(server)

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()
        for part in (self.moto, self.redis):
            if part is not None:
                part.stop()
        if self.pg is not None:
            self.pg.destroy()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def token(base_url: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(base_url + "/api/v1/auth/token", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())["access_token"]


def call(base_url: str, method: str, path: str, token_: str | None = None, payload: object = None,
         timeout: float = 60) -> tuple[int, object]:
    """One JSON request; (status, decoded body or None)."""
    headers = {"Content-Type": "application/json"}
    if token_:
        headers["Authorization"] = f"Bearer {token_}"
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, (json.loads(raw) if raw.startswith(b"{") else raw.decode(errors="replace"))
