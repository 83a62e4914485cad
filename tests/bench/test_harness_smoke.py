"""A smoke run of `make bench` with tiny sizes: the harness starts, measures and reports."""
from __future__ import annotations

import json

from bench import run


def test_quick_benchmark_run_reports_every_figure_with_its_baseline(tmp_path):
    output = tmp_path / "quick.json"
    assert run.main(["--quick", "--logs", "500", "--output", str(output)]) == 0
    report = json.loads(output.read_text())
    assert set(report["results"]) == {"single_ingest", "batch_ingest", "photo_upload", "progress", "export_csv",
                                         "public_load"}
    assert all(row["value"] is not None for row in report["targets"]), report["targets"]
    assert report["results"]["batch_ingest"]["errors"] == 0
    assert report["results"]["progress"]["progress"]["match"] is True
