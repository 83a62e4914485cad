"""A smoke run of the resumable-upload benchmark: tus over a dropping link, against a real server."""
from __future__ import annotations

import pytest

from bench import resumable
from tests.servers import serving


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_quick_resumable_benchmark_reports_tus_against_a_restarting_put(app, cast):
    with serving(app) as url:
        result = resumable.run(url, cast.tokens["crew_a"], quick=True)
    assert result["tus_drops"] >= 5 and result["put_attempts"] == result["tus_drops"] + 1
    assert result["tus_ratio"] <= resumable.TARGET_RATIO and result["met"] is True
    assert result["tus_chunked_ratio"] <= resumable.TARGET_RATIO
    assert result["put_ratio"] > 1.5 * result["tus_ratio"]  # restarting resends what tus keeps
