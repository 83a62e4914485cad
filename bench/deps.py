"""Bench-only set-up: `wrk` (Debian package) and the pygeoapi peer in its own venv.

    python -m bench.deps [--peer]     # what `make bench-deps` runs

wrk is installed with apt when missing (through sudo when not root), as the Makefile's
`system-deps` does; the peer venv (bench/.peer-venv, from bench/peer-requirements.txt) is
(re)built when missing or when the requirements changed.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = ROOT / "bench" / ".peer-venv"
PEER_REQUIREMENTS = ROOT / "bench" / "peer-requirements.txt"
_STAMP = PEER_VENV / ".installed"


def _sudo() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo"]


def ensure_wrk() -> str:
    """The path of wrk, installing the Debian package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("Installing wrk (apt)", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*_sudo(), "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*_sudo(), "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is still missing after apt-get install wrk")
    return found


def _requirements_digest() -> str:
    return hashlib.sha256(PEER_REQUIREMENTS.read_bytes()).hexdigest()


def peer_python() -> Path | None:
    """The peer venv's python when it is installed and up to date, else None."""
    python = PEER_VENV / "bin" / "python"
    if python.exists() and _STAMP.exists() and _STAMP.read_text().strip() == _requirements_digest():
        return python
    return None


def ensure_peer() -> Path:
    """Build bench/.peer-venv with pygeoapi (pinned) when it is missing or stale; its python."""
    python = peer_python()
    if python:
        return python
    print("Installing the pygeoapi peer into bench/.peer-venv (pip)", file=sys.stderr)
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
    pip = [str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(PEER_REQUIREMENTS)], check=True)
    _STAMP.write_text(_requirements_digest())
    return PEER_VENV / "bin" / "python"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", action="store_true", help="also build the pygeoapi peer venv")
    args = parser.parse_args(argv)
    print(f"wrk: {ensure_wrk()}")
    if args.peer:
        print(f"peer: {ensure_peer()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
