"""Shared fixtures come from tests/fixtures/ as plugins; this file only wires them and reports.

- databases: `db_backend` (spatialite, postgis), `app`, `client`, `cast`, `app_with_storage`
- storages: `storage_backend` (local, s3), `storage`, `dead_storage`, `moto_url`
- browser: `browser` (headless Chromium through Selenium)
"""
from __future__ import annotations

from collections import Counter

pytest_plugins = ["tests.fixtures.databases", "tests.fixtures.storages", "tests.fixtures.browser"]

_DB_BACKENDS = ("spatialite", "postgis")
_passed_by_backend: Counter = Counter()


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        for name in _DB_BACKENDS:
            if f"[{name}" in report.nodeid or f"-{name}" in report.nodeid:
                _passed_by_backend[name] += 1


def pytest_terminal_summary(terminalreporter):
    line = ", ".join(f"{name}: {_passed_by_backend[name]} passed" for name in _DB_BACKENDS)
    terminalreporter.write_line(f"tests per database backend — {line}")
