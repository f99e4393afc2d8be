"""``modelmetrics report`` and the demo's Performance pages, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import modelmetrics as mm

from ._fixtures import REGRESSION_EXAMPLE, island


def cli(*args):
    return subprocess.run([sys.executable, "-m", "modelmetrics.cli", *args], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))


def test_report_writes_the_page_of_a_job_state_file(tmp_path):
    out = tmp_path / "page.html"
    done = cli("report", str(REGRESSION_EXAMPLE), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout
    assert out.read_text(encoding="utf-8") == mm.render_report(REGRESSION_EXAMPLE)


def test_report_default_output_is_next_to_the_file(tmp_path):
    job = tmp_path / "job.json"
    job.write_bytes(REGRESSION_EXAMPLE.read_bytes())
    assert cli("report", str(job)).returncode == 0
    assert island((tmp_path / "job.html").read_text(encoding="utf-8"))["modelType"] == "regression"


def test_report_of_a_bad_file_exits_1_naming_it(tmp_path):
    bad = tmp_path / "broken.json"
    document = json.loads(REGRESSION_EXAMPLE.read_text())
    document["losses"][2] = "x"
    bad.write_text(json.dumps(document))
    done = cli("report", str(bad), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1
    assert "broken.json" in done.stderr and "/losses/2" in done.stderr
    assert not (tmp_path / "r.html").exists()
    assert cli("report").returncode == 2


def test_demo_writes_a_page_per_model_type_and_an_index(tmp_path):
    done = cli("demo", "--out-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "report.html").read_text(encoding="utf-8")
    for model_type in ("regression", "object-detection"):
        assert f'href="{model_type}.report.html"' in index
        document = json.loads((tmp_path / f"{model_type}.job.json").read_text())
        data = island((tmp_path / f"{model_type}.report.html").read_text(encoding="utf-8"))
        assert data["metrics"] == document["metrics"] and data["modelType"] == model_type
    regression = mm.load_run(tmp_path / "regression.job.json").to_dict()["metrics"]
    for split, count in (("train", 1008), ("validation", 126), ("test", 126)):
        assert regression[split]["predicted-vs-true"]["n-samples"] == count
        assert sum(regression[split]["error-histogram"]["counts"]) == count
    detection = mm.load_run(tmp_path / "object-detection.job.json").to_dict()["metrics"]
    assert "person" in detection["test"]["pr-curves"]
