"""The data the Performance page embeds, and rendering / writing the page."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest

import modelmetrics as mm
from modelmetrics.report import page_data, regression_summary
from modelmetrics.runs import parse_timestamp

from ._fixtures import REGRESSION_EXAMPLE, detection_document, island, job_state, regression_document

DOCUMENTS = {
    "regression": regression_document,
    "object-detection": detection_document,
    "classification": lambda: job_state("classification", num_classes=6, n_losses=30),
    "semantic-segmentation": lambda: job_state("semantic-segmentation", num_classes=4),
}


@pytest.fixture(params=sorted(DOCUMENTS))
def document(request) -> dict:
    document = DOCUMENTS[request.param]()
    mm.validate_job_state(document)
    return document


def test_island_holds_the_documents_results_unchanged(document):
    data = island(mm.render_report(document))
    assert data == page_data(document)
    assert data["metrics"] == document["metrics"]
    assert data["datasetStats"] == document["datasetStats"]
    assert data["accuracies"] == document["accuracies"]
    assert data["splits"] == [s for s in ("test", "train", "validation") if s in document["metrics"]]


def test_headline_numbers_are_the_documents(document):
    data = page_data(document)
    expected_keys = {"regression": ["mean-squared-error", "mean-absolute-error"],
                     "object-detection": ["mean-average-precision"],
                     "classification": ["accuracy"],
                     "semantic-segmentation": ["mean-iou"]}[data["modelType"]]
    for entry in data["headline"]:
        metrics = document["metrics"][entry["split"]]
        keys = [item["key"] for item in entry["items"]]
        assert keys == (["loss"] if "loss" in metrics else []) + expected_keys
        assert [item["value"] for item in entry["items"]] == [metrics[k] for k in keys]
    assert [e["split"] for e in data["headline"]] == [
        s for s in ("test", "validation") if s in document["metrics"]]


def test_loss_curve_against_seconds_with_best_validation_epoch():
    document = regression_document()
    loss = page_data(document)["loss"]
    stamps = [parse_timestamp(s) for s in document["lossTimestamps"]]
    assert loss["axis"] == "time"
    assert loss["x"] == pytest.approx([(t - stamps[0]) / 1e9 for t in stamps], abs=1e-9)
    assert loss["train"] == document["losses"]
    assert loss["validation"] == document["validationLosses"]
    validation = document["validationLosses"]
    assert loss["bestEpoch"] == validation.index(min(validation))
    assert loss["bestLoss"] == min(validation) and loss["bestCurve"] == "validation"
    # debiased EMA, from its definition
    weight, average, expected = loss["smoothing"], 0.0, []
    for n, value in enumerate(document["losses"], start=1):
        average = weight * average + (1 - weight) * value
        expected.append(average / (1 - weight**n))
    assert loss["smoothedTrain"] == pytest.approx(expected, rel=1e-12)


def test_losses_without_matching_timestamps_use_the_step():
    run = mm.TrainingRun(model_type="classification")
    for k in range(4):
        run.log_loss(4.0 - k)
    document = run.finish().to_dict()
    document["lossTimestamps"] = document["lossTimestamps"][:2]
    loss = page_data(document)["loss"]
    assert loss["axis"] == "step" and loss["x"] == [0, 1, 2, 3]
    assert loss["bestEpoch"] == 3 and loss["bestCurve"] == "train"
    assert loss["validation"] == [None] * 4 and loss["smoothedValidation"] == []


def test_undefined_values_stay_null_with_their_reason():
    document = job_state("classification", num_classes=5)
    last = "class-0004"
    data = page_data(document)
    assert data["metrics"]["test"]["per-class"][last]["precision"] is None
    assert "no predictions" in data["metrics"]["test"]["undefined"][f"per-class/{last}/precision"]
    columns = [c["key"] for c in data["perClassColumns"]]
    assert columns == ["precision", "recall", "f1-score", "accuracy", "support"]


def test_detection_columns_take_support_from_dataset_stats():
    data = page_data(detection_document())
    assert [c["label"] for c in data["perClassColumns"]] == [
        "AP", "Precision", "Recall", "F1", "TP", "FP", "FN", "Support"]
    assert data["modelType"] == "object-detection"


def test_class_names_cannot_break_out_of_the_page():
    names = ["</script><script>alert(1)</script>", "<!--", "a&b \"q\" 'x'", "é ü 中"]
    document = job_state("classification", names=names)
    page = mm.render_report(document, title="</title><b>x")
    assert page.count("</script>") == 2  # the island's and the code's
    assert "</title><b>" not in page
    assert island(page)["metrics"] == document["metrics"]


def test_page_is_self_contained(document):
    page = mm.render_report(document)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "fetch(" not in page and "XMLHttpRequest" not in page


def test_write_report_writes_the_rendered_page_atomically(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("old")
    mm.write_report(REGRESSION_EXAMPLE, out)
    assert out.read_text(encoding="utf-8") == mm.render_report(REGRESSION_EXAMPLE)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left behind


def test_bad_inputs_name_the_file_and_field(tmp_path):
    with pytest.raises(mm.InvalidInputError, match="missing.json"):
        mm.render_report(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    document = regression_document()
    document["metrics"]["test"]["mean-squared-error"] = "low"
    bad.write_text(json.dumps(document))
    with pytest.raises(mm.InvalidInputError, match=r"bad\.json.*/metrics/test/mean-squared-error"):
        mm.render_report(bad)
    (tmp_path / "text.json").write_text("{not json")
    with pytest.raises(mm.InvalidInputError, match="text.json.*not valid JSON"):
        mm.render_report(tmp_path / "text.json")
    with pytest.raises(mm.InvalidInputError, match="TrainingRun, a job-state dict or the path"):
        mm.render_report(42)


def test_pr_curves_are_the_evaluations_precision_at_iou_50():
    coco = REGRESSION_EXAMPLE.parent / "coco100"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluation = mm.evaluate_coco(coco / "instances_val2014_100.json",
                                      coco / "instances_val2014_fakebbox100_results.json")
    curves = evaluation.to_dict()["pr-curves"]
    t = list(evaluation.params.iou_thresholds).index(0.5)
    for k, name in enumerate(evaluation.category_names):
        column = evaluation.precision[t, :, k, 0, -1]
        if np.any(column == -1):
            assert name not in curves
            continue
        assert curves[name]["precision"] == column.tolist()
        assert curves[name]["recall"] == pytest.approx(np.linspace(0, 1, 101))
        # COCO's AP at IoU 0.5 is the mean of the interpolated precision on this curve
        assert np.mean(curves[name]["precision"]) == pytest.approx(
            evaluation.per_class[name]["ap-50"], rel=1e-12)
    assert len(curves) == sum(1 for r in evaluation.per_class.values() if r["ap-50"] is not None)
    assert evaluation.pr_curves(iou=0.33) == {}
    mm.validate_job_state(detection_document())


def test_regression_summary_matches_numpy_and_the_schema():
    rng = np.random.default_rng(3)
    y = rng.normal(50, 10, 2500)
    p = y + rng.normal(0, 2, 2500)
    summary = regression_summary(y, p, bins=25, max_points=400)
    counts, edges = np.histogram(p - y, bins=25)
    assert summary["error-histogram"] == {"edges": edges.tolist(), "counts": counts.tolist()}
    pairs = summary["predicted-vs-true"]
    assert pairs["n-samples"] == 2500 and len(pairs["true"]) == 400
    index = list(y).index(pairs["true"][5])
    assert pairs["predicted"][5] == p[index]
    document = regression_document()
    document["metrics"]["test"].update(summary)
    mm.validate_job_state(document)
    with pytest.raises(mm.InvalidInputError, match="same, non-zero length"):
        regression_summary([1.0], [1.0, 2.0])
    with pytest.raises(mm.InvalidInputError, match="finite"):
        regression_summary([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(mm.InvalidInputError, match="bins"):
        regression_summary([1.0], [1.0], bins=0)
