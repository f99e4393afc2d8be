"""Operating-point metrics of ``evaluate_coco`` (per-class TP / FP / FN, precision, recall, F1,
the detection confusion matrix, per-detection outcomes) against the slow reference of
``tests/reference/detection.py``, plus the export (``to_dict``) format and the undefined-value
policy.

The reference breaks score ties between leftover detections of one image in the confusion
pairing by category id, then results order — the order ``evaluate_coco`` uses (its rows are
grouped by category). Workloads with continuous scores have no such ties.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pytest

from modelmetrics.exceptions import UndefinedMetricWarning
from reference import detection as ref

from ._workloads import evaluate, make_workload

DATA = Path(__file__).resolve().parents[1] / "data" / "coco100"
THRESHOLDS = (0.0, 0.3, 0.5, 0.9)
SUMMARY_KEYS = ("mean-average-precision", "map-50", "map-75", "map-small", "map-medium",
                "map-large", "mar-1", "mar-10", "mar-100", "mar-small", "mar-medium",
                "mar-large")
EXPORT_PER_CLASS_KEYS = {"average-precision", "precision", "recall", "f1-score",
                         "true-positives", "false-positives", "false-negatives"}
RESULT_PER_CLASS_KEYS = EXPORT_PER_CLASS_KEYS | {"ap-50", "ap-75", "support", "undefined"}


@functools.lru_cache(maxsize=None)
def workload(name):
    if name == "coco100":
        return (json.loads((DATA / "instances_val2014_100.json").read_bytes()),
                json.loads((DATA / "instances_val2014_fakebbox100_results.json").read_bytes()))
    seed, decimals = {"random-a": (101, None), "random-b": (102, None),
                      "random-crowded": (103, None), "random-ties": (104, 1)}[name]
    crowd_p = 0.25 if name == "random-crowded" else 0.05
    return make_workload(seed, n_images=40, n_categories=5, dets_per_image=30, crowd_p=crowd_p,
                         score_decimals=decimals)


WORKLOADS = ("random-a", "random-b", "random-crowded", "random-ties", "coco100")


@functools.lru_cache(maxsize=None)
def both(name, threshold, operating_iou=0.5):
    gt, dt = workload(name)
    result = evaluate(gt, dt, score_threshold=threshold, operating_iou=operating_iou)
    expected = ref.evaluate_operating_point(gt, dt, score_threshold=threshold,
                                            iou_threshold=operating_iou)
    return result, expected


def _names(gt):
    return {c["id"]: c["name"] for c in gt["categories"]}


def assert_matches_reference(result, expected, gt):
    names = _names(gt)
    assert [int(c) for c in result.category_ids] == expected["category_ids"]
    assert result.category_names == tuple(names[c] for c in expected["category_ids"])
    for cat, ref_row in expected["per_class"].items():
        row = result.per_class[names[cat]]
        assert set(row) == RESULT_PER_CLASS_KEYS
        got = (row["true-positives"], row["false-positives"], row["false-negatives"])
        assert got == (ref_row["tp"], ref_row["fp"], ref_row["fn"]), names[cat]
        assert row["precision"] == ref_row["precision"], names[cat]
        assert row["recall"] == ref_row["recall"], names[cat]
        assert row["f1-score"] == ref_row["f1"], names[cat]
    assert result.confusion_matrix.dtype == np.int64
    assert result.confusion_matrix.tolist() == expected["confusion"]
    d = result.detections()
    assert sorted(d["index"].tolist()) == sorted(expected["detections"])
    for i, index in enumerate(d["index"].tolist()):
        ref_det = expected["detections"][index]
        assert d["outcome"][i] == ref_det["outcome"], index
        assert d["matched_gt_id"][i] == (-1 if ref_det["gt_id"] is None else ref_det["gt_id"])
        assert bool(d["above_threshold"][i]) == ref_det["above"]


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("name", WORKLOADS)
def test_operating_point_matches_reference(name, threshold):
    result, expected = both(name, threshold)
    assert_matches_reference(result, expected, workload(name)[0])
    assert result.params.score_threshold == threshold


@pytest.mark.parametrize("name", ["random-a", "random-crowded"])
def test_operating_iou_075_matches_reference(name):
    result, expected = both(name, 0.3, 0.75)
    assert_matches_reference(result, expected, workload(name)[0])
    assert result.to_dict()["iou-threshold"] == 0.75


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("name", WORKLOADS)
def test_confusion_matrix_margins(name, threshold):
    result, expected = both(name, threshold)
    gt, dt = workload(name)
    m = result.confusion_matrix
    K = len(gt["categories"])
    assert m.shape == (K + 1, K + 1)
    assert np.all(m >= 0) and m[K, K] == 0
    ids = [int(c) for c in result.category_ids]
    counting = [sum(1 for a in gt["annotations"] if a["category_id"] == c
                    and not a.get("iscrowd", 0)) for c in ids]
    d = result.detections()
    predicted = [int(np.sum(d["above_threshold"] & (d["category_id"] == c)
                            & (d["outcome"] != "ignored"))) for c in ids]
    rows = [result.per_class[n] for n in result.category_names]
    assert m[:K].sum(axis=1).tolist() == counting  # every ground truth that counts, once
    assert m[:, :K].sum(axis=0).tolist() == predicted  # every prediction that counts, once
    assert np.diag(m)[:K].tolist() == [r["true-positives"] for r in rows]
    assert m[:, :K].sum(axis=0).tolist() == [r["true-positives"] + r["false-positives"]
                                             for r in rows]
    # a miss (FN) is either confused with another class by a leftover detection, or background
    assert (m[:K].sum(axis=1) - np.diag(m)[:K]).tolist() == [r["false-negatives"] for r in rows]


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("name", WORKLOADS)
def test_detections_consistent_with_counts(name, threshold):
    result, _ = both(name, threshold)
    gt, dt = workload(name)
    d = result.detections()
    n = len(dt) - result.n_dropped
    assert set(d) == {"index", "image_id", "category_id", "score", "matched_gt_id", "outcome",
                      "above_threshold"}
    assert all(len(v) == n for v in d.values())
    assert len(set(d["index"].tolist())) == n
    for i, index in enumerate(d["index"].tolist()):
        assert d["image_id"][i] == dt[index]["image_id"]
        assert d["category_id"][i] == dt[index]["category_id"]
        assert d["score"][i] == dt[index]["score"]
        assert d["above_threshold"][i] == (dt[index]["score"] >= threshold)
    assert set(d["outcome"].tolist()) <= {"tp", "fp", "ignored"}
    gt_by_id = {a["id"]: a for a in gt["annotations"]}
    for name_, cat in zip(result.category_names, result.category_ids):
        mine = d["above_threshold"] & (d["category_id"] == cat)
        row = result.per_class[name_]
        assert row["true-positives"] == int(np.sum(mine & (d["outcome"] == "tp")))
        assert row["false-positives"] == int(np.sum(mine & (d["outcome"] == "fp")))
    tp_gt = d["matched_gt_id"][(d["outcome"] == "tp")].tolist()
    assert len(tp_gt) == len(set(tp_gt))  # a ground truth is matched once
    for i in np.flatnonzero(d["matched_gt_id"] >= 0):
        ann = gt_by_id[int(d["matched_gt_id"][i])]
        assert ann["image_id"] == d["image_id"][i] and ann["category_id"] == d["category_id"][i]
        assert (d["outcome"][i] == "ignored") == bool(ann.get("iscrowd", 0))
    assert np.all(d["matched_gt_id"][d["outcome"] == "fp"] == -1)


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("name", ["random-a", "coco100"])
def test_to_dict_format_and_undefined_values(name, threshold):
    result, _ = both(name, threshold)
    out = result.to_dict()
    text = json.dumps(out, allow_nan=False)  # strict JSON: no NaN / inf anywhere
    assert json.loads(text) == out
    optional = {"undefined"}
    assert set(out) - optional == set(SUMMARY_KEYS) | {"iou-threshold", "score-threshold",
                                                       "per-class", "confusion-matrix", "pr-curves"}
    assert list(out)[:12] == list(SUMMARY_KEYS)
    assert out["iou-threshold"] == 0.5 and out["score-threshold"] == threshold
    for key, value in zip(SUMMARY_KEYS, result.stats):
        assert out[key] == (None if value == -1 else float(value))
    assert set(out["per-class"]) == set(result.category_names)
    assert out["confusion-matrix"]["labels"] == [*result.category_names, "background"]
    assert out["confusion-matrix"]["matrix"] == result.confusion_matrix.tolist()
    assert all(type(v) is int for row in out["confusion-matrix"]["matrix"] for v in row)
    undefined = out.get("undefined", {})
    nulls = {key for key in SUMMARY_KEYS if out[key] is None}
    for cls, row in out["per-class"].items():
        assert set(row) == EXPORT_PER_CLASS_KEYS
        for key in ("true-positives", "false-positives", "false-negatives"):
            assert type(row[key]) is int and row[key] >= 0
        for key, value in row.items():
            assert value is None or (isinstance(value, (int, float)) and math.isfinite(value))
            if value is None:
                nulls.add(f"per-class/{cls}/{key}")
        full = result.per_class[cls]
        assert (row["precision"] is None) == (full["true-positives"] + full["false-positives"]
                                              == 0)
        assert (row["recall"] is None) == (full["true-positives"] + full["false-negatives"] == 0)
        for key in ("precision", "recall", "f1-score", "average-precision"):
            if full[key] is None:
                assert isinstance(full["undefined"].get(key), str) and full["undefined"][key]
            else:
                assert key not in full["undefined"]
    assert set(undefined) == nulls  # every null has its reason, and only nulls
    assert all(isinstance(reason, str) and reason for reason in undefined.values())
    if nulls:
        assert "undefined" in out


def _gt(anns, cats=(1, 2, 3)):
    return {"images": [{"id": 1}, {"id": 2}],
            "categories": [{"id": c, "name": f"c{c}"} for c in cats],
            "annotations": [dict(a, id=i + 1, iscrowd=a.get("iscrowd", 0),
                                 area=a["bbox"][2] * a["bbox"][3]) for i, a in enumerate(anns)]}


def test_hand_built_confusion_matrix():
    gt = _gt([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 100, 100]},
              {"image_id": 1, "category_id": 2, "bbox": [200, 0, 100, 100]},
              {"image_id": 1, "category_id": 3, "bbox": [400, 0, 100, 100]},
              {"image_id": 2, "category_id": 3, "bbox": [0, 0, 50, 50]},
              {"image_id": 2, "category_id": 3, "bbox": [100, 0, 50, 50], "iscrowd": 1}])
    dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 100, 95], "score": 0.9},  # tp
          {"image_id": 1, "category_id": 1, "bbox": [200, 0, 100, 90], "score": 0.8},  # c2 as c1
          {"image_id": 1, "category_id": 2, "bbox": [200, 0, 100, 80], "score": 0.45},  # < thr
          {"image_id": 1, "category_id": 2, "bbox": [600, 0, 10, 10], "score": 0.6},  # bg as 2
          {"image_id": 1, "category_id": 3, "bbox": [400, 0, 100, 100], "score": 0.4},  # < thr
          {"image_id": 2, "category_id": 3, "bbox": [100, 0, 20, 20], "score": 0.95},  # crowd
          {"image_id": 2, "category_id": 1, "bbox": [0, 0, 50, 45], "score": 0.5}]  # 3 as 1
    result = evaluate(gt, dt, score_threshold=0.5)
    # rows: gt c1, c2, c3, background; columns: predicted c1, c2, c3, background
    assert result.confusion_matrix.tolist() == [[1, 0, 0, 0],
                                                [1, 0, 0, 0],
                                                [1, 0, 0, 1],
                                                [0, 1, 0, 0]]
    expected = ref.evaluate_operating_point(gt, dt, score_threshold=0.5)
    assert_matches_reference(result, expected, gt)
    rows = result.per_class
    assert (rows["c1"]["true-positives"], rows["c1"]["false-positives"]) == (1, 2)
    assert (rows["c2"]["true-positives"], rows["c2"]["false-negatives"]) == (0, 1)
    assert rows["c3"]["false-negatives"] == 2 and rows["c3"]["false-positives"] == 0
    assert rows["c3"]["precision"] is None and rows["c3"]["recall"] == 0.0
    assert result.detections()["outcome"][result.detections()["index"] == 5][0] == "ignored"


def test_score_exactly_at_threshold_counts():
    gt = _gt([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}])
    dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.3},
          {"image_id": 1, "category_id": 2, "bbox": [0, 0, 10, 10], "score": 0.3}]
    result = evaluate(gt, dt, score_threshold=0.3)
    assert result.per_class["c1"]["true-positives"] == 1
    assert result.per_class["c2"]["false-positives"] == 1
    above = evaluate(gt, dt, score_threshold=np.nextafter(0.3, 1))
    assert above.per_class["c1"]["true-positives"] == 0
    assert above.per_class["c1"]["false-negatives"] == 1
    assert above.confusion_matrix.tolist() == [[0, 0, 0, 1], [0] * 4, [0] * 4, [0] * 4]


def test_undefined_reasons_for_class_without_anything():
    gt = _gt([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}])
    dt = [{"image_id": 1, "category_id": 2, "bbox": [50, 50, 10, 10], "score": 0.9}]
    result = evaluate(gt, dt)
    c2, c3 = result.per_class["c2"], result.per_class["c3"]
    assert c2["precision"] == 0.0 and c2["recall"] is None and c2["f1-score"] == 0.0
    assert c3["precision"] is None and c3["recall"] is None and c3["f1-score"] is None
    assert c3["average-precision"] is None and c2["average-precision"] is None
    undefined = result.to_dict()["undefined"]
    for key in ("precision", "recall", "f1-score", "average-precision"):
        assert undefined[f"per-class/c3/{key}"]
    assert "per-class/c2/precision" not in undefined
    json.dumps(result.to_dict(), allow_nan=False)


def test_undefined_values_warn():
    gt = _gt([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}])
    dt = [{"image_id": 1, "category_id": 2, "bbox": [50, 50, 10, 10], "score": 0.9}]
    from modelmetrics.detection import evaluate_coco

    with pytest.warns(UndefinedMetricWarning, match="no ground truth"):
        evaluate_coco(gt, dt)
