"""The processes a bench or soak run starts on loopback: gunicorn (the shipped gunicorn.conf.py),
a moto S3 server, and the production-shaped stack (PostGIS + Redis + S3 + gunicorn) around them.

Everything is throw-away: temp directories, free ports, stopped by the run that started it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONF = ROOT / "gunicorn.conf.py"
PASSWORD = "bench-password-123"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
}
# Load runs come from one address: lift the per-IP limits, which are not what is measured.
UNLIMITED = {"PUBLIC_RATE_LIMIT": "100000000 per minute", "LOGIN_RATE_LIMIT": "100000 per minute"}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class GunicornServer:
    """gunicorn with the shipped settings (workers × threads from gunicorn.conf.py unless
    `workers` is given) serving `app` on a free loopback port; output goes to `log_path`."""

    def __init__(self, app: str, env: dict[str, str], log_path: Path, *, workers: int | None = None,
                 gunicorn: list[str] | None = None, config: Path = SHIPPED_CONF, cwd: Path = ROOT,
                 health: str = "/healthz", port: int | None = None, wait: bool = True) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        full_env = {**os.environ, **env}
        full_env.pop("GUNICORN_WORKERS", None)
        if workers is not None:
            full_env["GUNICORN_WORKERS"] = str(workers)
        # A metrics directory of this server's own (gunicorn.conf.py only sets a default).
        full_env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="satgas-bench-metrics-")
        cmd = [*(gunicorn or [sys.executable, "-m", "gunicorn"]), "-c", str(config),
               "--bind", f"127.0.0.1:{self.port}",
               # Several masters run at once: none may take over the shared $HOME/.gunicorn/gunicorn.ctl.
               "--no-control-socket", app]
        self._log = log_path.open("ab")
        self.app, self.health, self.workers = app, health, workers
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if wait:
            self.wait_ready()

    def wait_ready(self) -> GunicornServer:
        """Until it answers `health` (several servers can boot side by side, then be waited for)."""
        try:
            wait_http(self.url + self.health, proc=self.proc)
        except RuntimeError:
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"gunicorn ({self.app}) did not start: {tail}") from None
        deadline = time.monotonic() + 60
        while self.workers is not None and len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        return self

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        with contextlib.suppress(OSError):
            return [int(p) for p in path.read_text().split()]
        return []

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()


class MotoServer:
    """moto's S3 in server mode, its own process (so its CPU is not the bench's GIL)."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("ab")
        binary = Path(sys.executable).with_name("moto_server")
        self.proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(self.port)],
                                     env={**os.environ, **AWS_ENV}, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self) -> MotoServer:
        wait_http(self.url + "/moto-api/", proc=self.proc)
        return self

    def create_bucket(self, bucket: str) -> None:
        import boto3

        client = boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                              aws_access_key_id="bench", aws_secret_access_key="bench")
        client.create_bucket(Bucket=bucket)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        self._log.close()
