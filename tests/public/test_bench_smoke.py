"""The public load benchmark's harness, run tiny against a real server (figures are not judged here)."""
from __future__ import annotations

import pytest

from bench import public_load
from satgas.extensions import limiter
from tests.servers import serving


@pytest.mark.parametrize("db_backend", ["spatialite"])
def test_quick_run_reports_both_rates_and_their_ratio(app, planted):
    with serving(app) as url:
        result = public_load.run(url, quick=True)
    assert result["geojson"]["requests"] > 0 and result["noop"]["requests"] > 0
    assert result["geojson"]["errors"] == 0 and result["noop"]["errors"] == 0
    assert result["ratio"] == round(result["geojson"]["rps"] / result["noop"]["rps"], 3)


def test_a_low_rate_limit_is_reported_not_measured(tight_app):
    limiter.reset()
    with serving(tight_app) as url:
        result = public_load.run(url, quick=True)
    limiter.reset()
    assert result["ratio"] is None and "PUBLIC_RATE_LIMIT" in result["error"]


def test_only_loopback_is_loaded():
    with pytest.raises(ValueError, match="loopback"):
        public_load.run("http://example.org", quick=True)
