"""TrainingRun, the job-state JSON (schema, round trip, atomic checkpoints) and the loss-curve
helpers."""

from __future__ import annotations

import copy
import json
import math
import os
import random
import warnings
from pathlib import Path

import numpy as np
import pytest

import modelmetrics as mm
from modelmetrics.runs import (best_epoch, convergence, format_timestamp, job_state_errors,
                               parse_timestamp, smooth)

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLE = DATA / "job-state-regression-example.json"
COCO = DATA / "coco100"


@pytest.fixture
def example() -> dict:
    return json.loads(EXAMPLE.read_text())


# -- the example document ------------------------------------------------------------------


def test_example_loads_validates_and_round_trips(example, tmp_path):
    mm.validate_job_state(example)
    run = mm.load_run(EXAMPLE)
    out = tmp_path / "again.json"
    run.save(out)
    again = json.loads(out.read_text())
    assert again == example
    assert list(again) == list(example)  # same key order too
    assert mm.load_run(out).to_dict() == example
    assert run.status == "successful" and run.model_type is None
    assert len(run.losses) == 68 and run.loss_timestamps == example["lossTimestamps"]


def test_example_loss_summary_matches_slow_reference(example):
    run = mm.load_run(EXAMPLE)
    summary = run.loss_summary(smoothing=0.6, patience=5)
    validation = example["validationLosses"]
    assert summary["best_epoch"] == validation.index(min(validation))
    assert summary["smoothed-losses"] == pytest.approx(_slow_ema(example["losses"], 0.6), rel=1e-12)


# -- schema ----------------------------------------------------------------------------------

MUTATIONS = [
    (lambda d: d["metrics"]["test"].__setitem__("r2-score", "high"), "/metrics/test/r2-score"),
    (lambda d: d["losses"].__setitem__(3, "x"), "/losses/3"),
    (lambda d: d["lossTimestamps"].__setitem__(0, "2022-08-16 19:09:25"), "/lossTimestamps/0"),
    (lambda d: d.__setitem__("extra", 1), "unexpected key 'extra'"),
    (lambda d: d.pop("duration"), "'duration' is missing"),
    (lambda d: d["datasetStats"]["train"]["regression"].__setitem__("age", -1), "/datasetStats/train/regression/age"),
    (lambda d: d["datasetStats"]["train"]["regression"].__setitem__("age", 2.5), "/datasetStats/train/regression/age"),
    (lambda d: d["accuracies"]["test"].pop("threshold"), "/accuracies/test"),
    (lambda d: d["metrics"].__setitem__("holdout", {}), "/metrics/holdout"),
    (lambda d: d.__setitem__("running", 0), "/running"),
    (lambda d: d.__setitem__("modelType", "detection"), "/modelType"),
    (lambda d: d["metrics"]["train"].__setitem__("mean-error", True), "/metrics/train/mean-error"),
    (lambda d: d["metrics"]["train"].__setitem__("confusion-matrix", {"labels": ["a"]}), "'matrix' is missing"),
    (lambda d: d.__setitem__("startTime", -5), "/startTime"),
]


@pytest.mark.parametrize("mutate, fragment", MUTATIONS)
def test_schema_errors_name_the_path(example, mutate, fragment):
    document = copy.deepcopy(example)
    mutate(document)
    with pytest.raises(mm.InvalidInputError, match="does not follow the schema") as info:
        mm.validate_job_state(document)
    assert fragment in str(info.value)


@pytest.mark.parametrize("mutate, _", MUTATIONS)
def test_our_validator_agrees_with_jsonschema(example, mutate, _):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(mm.job_state_schema())
    validator.check_schema(mm.job_state_schema())
    for document in (example, _mutated(example, mutate)):
        assert validator.is_valid(document) == (not job_state_errors(document))


def _mutated(document, mutate):
    document = copy.deepcopy(document)
    mutate(document)
    return document


def test_load_run_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(mm.InvalidInputError, match="bad.json.*not valid JSON"):
        mm.load_run(bad)
    with pytest.raises(mm.InvalidInputError, match="Cannot read"):
        mm.load_run(tmp_path / "missing.json")
    bad.write_text(json.dumps({"running": True}))
    with pytest.raises(mm.InvalidInputError, match="bad.json.*'successful' is missing"):
        mm.load_run(bad)


# -- timestamps ------------------------------------------------------------------------------


def test_timestamps_round_trip():
    rng = random.Random(0)
    for _ in range(2000):
        ns = rng.randrange(0, 4102444800 * 10**9)  # up to 2100
        text = format_timestamp(ns)
        assert len(text) == 30 and parse_timestamp(text) == ns
    assert parse_timestamp("2022-08-16T19:09:25Z") == 1660676965 * 10**9
    assert parse_timestamp("2022-08-16T19:09:25.5Z") == 1660676965 * 10**9 + 500_000_000
    with pytest.raises(mm.InvalidInputError, match="not a timestamp"):
        parse_timestamp("2022-08-16T19:09:25.1234567890Z")


# -- a live run ------------------------------------------------------------------------------


def test_log_loss_records_values_and_utc_times():
    run = mm.TrainingRun(model_type="regression")
    before = mm.runs.parse_timestamp(format_timestamp(int(run.start_time * 1e9)))
    run.log_loss(np.float32(2.5), validation_loss=np.float64(3.0))
    run.log_loss(2, validation_loss=None)
    torch = _maybe_torch()
    if torch is not None:
        run.log_loss(torch.tensor(1.5, requires_grad=True) * 1)
    stamps = [parse_timestamp(t) for t in run.loss_timestamps]
    assert stamps == sorted(stamps) and stamps[0] >= before - 10**9
    assert run.losses[:2] == [2.5, 2.0]
    assert run.validation_losses[:2] == [3.0, None]
    doc = run.to_dict()
    assert doc["running"] is True and doc["successful"] is False and doc["error"] is False
    assert len(doc["losses"]) == len(doc["validationLosses"]) == len(doc["lossTimestamps"])
    mm.validate_job_state(doc)


def _maybe_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def test_no_validation_losses_exports_an_empty_list():
    run = mm.TrainingRun()
    run.log_loss(1.0)
    assert run.to_dict()["validationLosses"] == []


def test_non_finite_losses_are_null_with_a_reason():
    run = mm.TrainingRun(model_type="classification")
    run.log_loss(1.0, validation_loss=float("inf"))
    run.log_loss(float("nan"))
    with pytest.warns(mm.UndefinedMetricWarning, match="not finite"):
        doc = run.to_dict()
    assert doc["losses"] == [1.0, None] and doc["validationLosses"] == [None, None]
    assert doc["undefined"] == {"/validationLosses/0": "the logged loss was inf",
                                "/losses/1": "the logged loss was nan"}
    mm.validate_job_state(doc)
    assert "NaN" not in json.dumps(doc, allow_nan=False)


def test_status_and_duration():
    run = mm.TrainingRun(start_time=1000.0)
    assert run.status == "running" and run.duration > 0
    run.finish()
    assert (run.running, run.successful, run.error) == (False, True, False)
    frozen = run.duration
    assert run.duration == frozen
    failed = mm.TrainingRun().fail()
    assert failed.status == "error" and failed.to_dict()["error"] is True


def test_context_manager_marks_errors_and_writes_the_checkpoint(tmp_path):
    path = tmp_path / "job.json"
    with pytest.raises(RuntimeError), mm.TrainingRun(model_type="regression") as run:
        run.checkpoint(path)
        run.log_loss(1.0)
        raise RuntimeError("diverged")
    saved = mm.load_run(path)
    assert saved.status == "error" and saved.losses == [1.0]
    with mm.TrainingRun() as ok:
        ok.log_loss(1.0)
    assert ok.status == "successful"


def test_checkpoint_every_n_losses(tmp_path):
    path = tmp_path / "job.json"
    run = mm.TrainingRun(model_type="regression").checkpoint(path, every=3)
    for step in range(7):
        run.log_loss(float(step))
        assert len(mm.load_run(path).losses) == (step + 1) // 3 * 3
    run.finish()
    assert mm.load_run(path).losses == [float(s) for s in range(7)]
    assert mm.load_run(path).status == "successful"
    with pytest.raises(mm.InvalidInputError, match="'every'"):
        run.checkpoint(path, every=0)


def test_a_crash_mid_write_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "job.json"
    run = mm.TrainingRun(model_type="regression").checkpoint(path)
    before = path.read_bytes()
    run.log_loss(1.0)

    def crash(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        run.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.json"]  # no temporary left


# -- results ---------------------------------------------------------------------------------


def test_regression_results_fill_metrics_stats_and_accuracy():
    y_true = np.array([10.0, 20.0, 30.0, 40.0])
    y_pred = np.array([12.0, 19.0, 30.5, 35.0])
    result = mm.RegressionMetrics(threshold=2.0).update(y_true, y_pred).compute()
    run = mm.TrainingRun(model_type="regression")
    run.set_metrics("validation", result, loss=3.25, target_names=["bone-age-in-months"])
    doc = run.to_dict()
    assert doc["metrics"]["validation"] == {**result.to_dict(), "loss": 3.25}
    assert doc["datasetStats"] == {"validation": {"regression": {"bone-age-in-months": 4}}}
    assert doc["accuracies"] == {"validation": {"accuracy": 0.75, "threshold": 2.0}}
    mm.validate_job_state(doc)


def test_detection_results_fill_metrics_stats_and_accuracy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mm.UndefinedMetricWarning)
        evaluation = mm.evaluate_coco(COCO / "instances_val2014_100.json",
                                      COCO / "instances_val2014_fakebbox100_results.json")
    run = mm.TrainingRun()
    run.set_metrics("test", evaluation)
    doc = run.to_dict()
    assert doc["modelType"] == "object-detection"
    assert doc["metrics"]["test"]["mean-average-precision"] == evaluation.stats[0]
    assert doc["datasetStats"]["test"]["object-detection"] == evaluation.dataset_stats
    tp = sum(r["true-positives"] for r in evaluation.per_class.values())
    fp = sum(r["false-positives"] for r in evaluation.per_class.values())
    fn = sum(r["false-negatives"] for r in evaluation.per_class.values())
    assert doc["accuracies"]["test"] == {"accuracy": tp / (tp + fp + fn), "threshold": 0.5}
    mm.validate_job_state(doc)
    with pytest.raises(mm.InvalidInputError, match="object-detection result.*'regression'"):
        mm.TrainingRun(model_type="regression").set_metrics("test", evaluation)


def test_dict_metrics_and_bad_arguments():
    run = mm.TrainingRun(model_type="classification")
    run.set_metrics("train", {"accuracy": 0.5}, accuracy=0.5, threshold=0.5,
                    dataset_stats={"classification": {"cat": 3}})
    assert run.to_dict()["accuracies"]["train"] == {"accuracy": 0.5, "threshold": 0.5}
    with pytest.raises(mm.InvalidInputError, match="'split'.*'train', 'validation', 'test'"):
        run.set_metrics("holdout", {})
    with pytest.raises(mm.InvalidInputError, match="'result'"):
        run.set_metrics("test", [1, 2])
    with pytest.raises(mm.InvalidInputError, match="'model_type'"):
        mm.TrainingRun(model_type="detector")
    result = mm.RegressionMetrics(multioutput="raw_values").update(
        np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2) + [[0.5, 0.0]]).compute()
    with pytest.raises(mm.InvalidInputError, match="raw_values"):
        mm.TrainingRun().set_metrics("test", result)


# -- curve helpers ---------------------------------------------------------------------------


def _slow_ema(values, weight):
    """Debiased EMA from its closed form: a weighted mean of the measured values so far, the
    value j steps back weighing weight**j."""
    measured, out = [], []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
            continue
        measured.append(v)
        weights = [weight**j for j in range(len(measured))][::-1]
        out.append(sum(w * x for w, x in zip(weights, measured)) / sum(weights))
    return out


def test_curve_helpers_against_slow_loops():
    rng = random.Random(3)
    for _ in range(50):
        values = [None if rng.random() < 0.1 else rng.uniform(0, 10) for _ in range(rng.randrange(0, 40))]
        weight = rng.choice([0.0, 0.3, 0.9])
        got, want = smooth(values, weight), _slow_ema(values, weight)
        assert [g is None for g in got] == [w is None for w in want]
        assert [g for g in got if g is not None] == pytest.approx(
            [w for w in want if w is not None], rel=1e-12)
        defined = [(v, i) for i, v in enumerate(values) if v is not None]
        assert best_epoch(values) == (min(defined)[1] if defined else None)
    assert convergence([3.0, 2.0, 2.5, 2.6], patience=2) == {
        "best_epoch": 1, "best_loss": 2.0, "converged": True, "converged_at": 1,
        "epochs_since_improvement": 2}
    assert convergence([3.0, 2.0, 1.0], patience=2)["converged"] is False
    assert convergence([None, None])["best_epoch"] is None
    with pytest.raises(mm.InvalidInputError, match="'weight'"):
        smooth([1.0], 1.0)
    with pytest.raises(mm.InvalidInputError, match="'patience'"):
        convergence([1.0], patience=0)
