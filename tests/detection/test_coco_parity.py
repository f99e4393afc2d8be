"""``evaluate_coco`` against pycocotools' COCOeval: the 12 summary numbers and the ``precision``,
``recall`` and ``scores`` arrays, bit for bit (``np.array_equal``), on the real COCO sample
(100 val2014 images and the fake results published with the COCO API), on random COCO-like
workloads and on adversarial cases.
"""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from modelmetrics.exceptions import ExcludedDataWarning

from ._workloads import evaluate, make_workload, pycoco_ap_per_class, run_pycocotools

DATA = Path(__file__).resolve().parents[1] / "data" / "coco100"
GT_PATH = DATA / "instances_val2014_100.json"
DT_PATH = DATA / "instances_val2014_fakebbox100_results.json"

PUBLISHED_BBOX = [
    0.5045806987249628, 0.6969727247299577, 0.5729816669904824, 0.5856257209410443,
    0.5193996948036719, 0.5013978986347466, 0.38681277964578054, 0.5936795762842003,
    0.595352982877607, 0.6398109626113442, 0.5664205978994309, 0.5642905982905982,
]


def assert_same_as_pycocotools(result, E, *, stats=True):
    """Exact equality of the eval arrays (and stats) and of the per-class AP."""
    assert result.precision.shape == E.eval["precision"].shape
    assert np.array_equal(result.precision, E.eval["precision"])
    assert np.array_equal(result.recall, E.eval["recall"])
    assert np.array_equal(result.scores, E.eval["scores"])
    if stats:
        assert np.array_equal(result.stats, np.asarray(E.stats)), (result.stats, E.stats)
    assert list(result.category_ids) == list(E.params.catIds)
    expected = pycoco_ap_per_class(E)
    for cat, name in zip(result.category_ids, result.category_names):
        assert result.per_class[name]["average-precision"] == expected[int(cat)], name


def check_parity(gt, dt, **kwargs):
    """Run both, compare exactly, return our result (warnings are for the caller to check)."""
    pycoco_kwargs = {}
    if "max_detections" in kwargs:
        pycoco_kwargs["max_dets"] = kwargs["max_detections"]
    if "iou_thresholds" in kwargs:
        pycoco_kwargs["iou_thrs"] = kwargs["iou_thresholds"]
    gt_before, dt_before = copy.deepcopy(gt), copy.deepcopy(dt)
    result = evaluate(gt, dt, **kwargs)
    assert gt == gt_before and dt == dt_before, "evaluate_coco must not mutate its inputs"
    E = run_pycocotools(gt, dt, **pycoco_kwargs)
    assert_same_as_pycocotools(result, E, stats=kwargs.get("parity", True) or
                               "max_detections" not in kwargs)
    return result, E


# ---------------------------------------------------------------------------------------------
# the real COCO sample


@pytest.fixture(scope="module")
def coco100():
    gt = json.loads(GT_PATH.read_bytes())
    dt = json.loads(DT_PATH.read_bytes())
    return gt, dt, run_pycocotools(gt, dt)


def test_coco100_published_stats_from_files():
    result = evaluate(GT_PATH, DT_PATH)
    assert result.stats.shape == (12,)
    np.testing.assert_allclose(result.stats, PUBLISHED_BBOX, rtol=0, atol=1e-12)
    assert result.n_dropped == 0


def test_coco100_equals_pycocotools_arrays(coco100):
    gt, dt, E = coco100
    result = evaluate(gt, dt)
    np.testing.assert_allclose(np.asarray(E.stats), PUBLISHED_BBOX, rtol=0, atol=1e-12)
    assert_same_as_pycocotools(result, E)
    assert result.precision.shape == (10, 101, 80, 4, 3)
    assert result.recall.shape == (10, 80, 4, 3)


def test_coco100_input_forms_agree(coco100):
    gt, dt, _ = coco100
    from_dicts = evaluate(gt, dt)
    from_bytes = evaluate(GT_PATH.read_bytes(), DT_PATH.read_bytes())
    from_str_paths = evaluate(str(GT_PATH), str(DT_PATH))
    for other in (from_bytes, from_str_paths):
        assert np.array_equal(other.stats, from_dicts.stats)
        assert np.array_equal(other.precision, from_dicts.precision)
        assert np.array_equal(other.recall, from_dicts.recall)
        assert np.array_equal(other.confusion_matrix, from_dicts.confusion_matrix)
        assert other.per_class == from_dicts.per_class


def test_coco100_dataset_stats(coco100):
    gt, dt, _ = coco100
    result = evaluate(gt, dt)
    names = {c["id"]: c["name"] for c in gt["categories"]}
    expected = {name: 0 for name in names.values()}
    for ann in gt["annotations"]:
        expected[names[ann["category_id"]]] += 1
    assert result.dataset_stats == expected


# ---------------------------------------------------------------------------------------------
# random COCO-like workloads

RANDOM_CASES = [
    # seed, images, categories, detections per image, crowd share, score decimals
    (0, 20, 3, 20, 0.05, None),
    (1, 40, 5, 30, 0.05, None),
    (2, 60, 6, 25, 0.10, None),
    (3, 30, 4, 40, 0.05, 2),  # many score ties
    (4, 50, 8, 20, 0.20, 3),
    (5, 25, 2, 60, 0.0, 1),  # heavy ties
]


@pytest.mark.parametrize("seed, n_images, n_cats, n_dets, crowd_p, decimals", RANDOM_CASES)
def test_random_workload_parity(seed, n_images, n_cats, n_dets, crowd_p, decimals):
    gt, dt = make_workload(seed, n_images=n_images, n_categories=n_cats, dets_per_image=n_dets,
                           crowd_p=crowd_p, score_decimals=decimals)
    assert dt, "workload must have detections"
    result, E = check_parity(gt, dt)
    assert result.n_dropped == 0


def test_random_workload_from_files_and_bytes(tmp_path):
    gt, dt = make_workload(11, n_images=30, n_categories=4, score_decimals=4)
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "dt.json").write_text(json.dumps(dt))
    E = run_pycocotools(gt, dt)
    for args in ((tmp_path / "gt.json", tmp_path / "dt.json"),
                 (json.dumps(gt).encode(), json.dumps(dt).encode())):
        assert_same_as_pycocotools(evaluate(*args), E)


@pytest.mark.filterwarnings("ignore::modelmetrics.exceptions.ExcludedDataWarning")
@pytest.mark.parametrize("seed", [21, 22])
def test_random_workload_non_default_params(seed):
    gt, dt = make_workload(seed, n_images=30, n_categories=4, dets_per_image=30)
    for max_dets, thrs in (((1, 5, 20), None), ((1, 10, 100), [0.3, 0.5, 0.7]),
                           ((2, 4, 8), [0.0, 0.5, 1.0])):
        kwargs = {"max_detections": max_dets, "parity": True}
        if thrs is not None:
            kwargs["iou_thresholds"] = thrs
        check_parity(gt, dt, **kwargs)


# ---------------------------------------------------------------------------------------------
# adversarial cases


def _gt(annotations, *, images=(1, 2, 3), categories=(1, 2, 3)):
    anns = []
    for i, ann in enumerate(annotations):
        ann = dict(ann)
        ann.setdefault("id", i + 1)
        ann.setdefault("iscrowd", 0)
        ann.setdefault("area", ann["bbox"][2] * ann["bbox"][3])
        anns.append(ann)
    return {"images": [{"id": i, "width": 640, "height": 480} for i in images],
            "categories": [{"id": c, "name": f"c{c}"} for c in categories],
            "annotations": anns}


def _ann(image, cat, bbox, **extra):
    return {"image_id": image, "category_id": cat, "bbox": list(bbox), **extra}


def _det(image, cat, bbox, score):
    return {"image_id": image, "category_id": cat, "bbox": list(bbox), "score": score}


def case_empty_images():
    gt = _gt([_ann(2, 1, [10, 10, 50, 50]), _ann(2, 2, [100, 100, 40, 30])],
             images=(1, 2, 3, 4, 5))
    dt = [_det(2, 1, [12, 11, 50, 48], 0.9), _det(2, 2, [300, 300, 20, 20], 0.4),
          _det(4, 1, [0, 0, 10, 10], 0.3)]
    return gt, dt


def case_only_crowd():
    gt = _gt([_ann(1, 1, [0, 0, 200, 200], iscrowd=1),
              _ann(2, 1, [0, 0, 100, 100], iscrowd=1), _ann(2, 1, [300, 300, 50, 50]),
              _ann(3, 2, [50, 50, 100, 100], iscrowd=1)])
    dt = [_det(1, 1, [10, 10, 50, 50], 0.9), _det(1, 1, [20, 20, 50, 50], 0.8),  # crowd absorbs
          _det(1, 1, [400, 300, 50, 50], 0.7),  # fp
          _det(2, 1, [302, 301, 50, 50], 0.6), _det(2, 1, [300, 300, 50, 50], 0.95),
          _det(2, 1, [5, 5, 60, 60], 0.5), _det(3, 2, [60, 60, 30, 30], 0.99)]
    return gt, dt


def case_duplicate_scores():
    gt = _gt([_ann(1, 1, [10, 10, 50, 50]), _ann(1, 1, [30, 10, 50, 50]),
              _ann(2, 1, [10, 10, 50, 50]), _ann(3, 1, [100, 100, 20, 20]),
              _ann(3, 2, [100, 100, 20, 20])])
    dt = [_det(i, c, [10 + dx, 10 + dy, 50, 50], 0.5)
          for i in (1, 2, 3) for c in (1, 2) for dx, dy in ((0, 0), (20, 0), (2, 2), (200, 200))]
    dt += [_det(3, 1, [100, 100, 20, 20], 0.5), _det(3, 1, [101, 100, 20, 20], 0.5),
           _det(2, 1, [10, 10, 50, 50], 0.7), _det(1, 1, [10, 10, 50, 50], 0.7)]
    return gt, dt


def case_equal_iou_ties():
    # two ground truths at the same IoU from a detection: COCO takes the later one ('<')
    gt = _gt([_ann(1, 1, [0, 0, 10, 10]), _ann(1, 1, [10, 0, 10, 10]),
              _ann(1, 1, [5, 20, 10, 10], iscrowd=1), _ann(1, 1, [5, 20, 10, 10])])
    dt = [_det(1, 1, [5, 0, 10, 10], 0.9), _det(1, 1, [5, 0, 10, 10], 0.8),
          _det(1, 1, [5, 20, 10, 10], 0.7), _det(1, 1, [5, 20, 10, 10], 0.6)]
    return gt, dt


def case_categories_without_ground_truth():
    gt = _gt([_ann(1, 1, [10, 10, 50, 50]), _ann(2, 1, [10, 10, 50, 50])],
             categories=(1, 2, 3, 4))
    dt = [_det(1, 1, [10, 10, 50, 50], 0.9), _det(1, 2, [10, 10, 50, 50], 0.8),
          _det(2, 2, [0, 0, 5, 5], 0.3)]  # category 3, 4: nothing; 2: detections only
    return gt, dt


def case_zero_detections_for_some_categories():
    gt = _gt([_ann(1, 1, [10, 10, 50, 50]), _ann(1, 2, [100, 100, 50, 50]),
              _ann(2, 3, [10, 10, 200, 200])])
    dt = [_det(1, 1, [10, 10, 45, 50], 0.9)]
    return gt, dt


def case_zero_width_height():
    gt = _gt([_ann(1, 1, [10, 10, 0, 50]), _ann(1, 1, [10, 10, 50, 0]),
              _ann(1, 1, [100, 100, 40, 40]), _ann(2, 1, [0, 0, 0, 0]),
              _ann(2, 1, [10, 10, 20, 20], iscrowd=1)])
    dt = [_det(1, 1, [10, 10, 0, 50], 0.9), _det(1, 1, [10, 10, 50, 0], 0.8),
          _det(1, 1, [100, 100, 40, 0], 0.7), _det(1, 1, [100, 100, 40, 40], 0.6),
          _det(2, 1, [0, 0, 0, 0], 0.5), _det(2, 1, [12, 12, 0, 5], 0.4),
          _det(2, 1, [12, 12, 5, 5], 0.3)]
    return gt, dt


def case_area_range_boundaries():
    anns, dets = [], []
    for i, side in enumerate((32, 96)):
        image = i + 1
        anns += [_ann(image, 1, [0, 0, side, side], area=float(side * side)),
                 _ann(image, 2, [200, 200, side, side], area=float(side * side)),
                 _ann(image, 1, [300, 0, side + 1, side], area=float(side * side))]
        dets += [_det(image, 1, [0, 0, side, side], 0.9),  # det area exactly on the boundary
                 _det(image, 1, [400, 300, side, side], 0.8),  # fp exactly on the boundary
                 _det(image, 2, [200, 200, side, side - 1], 0.7),
                 _det(image, 2, [500, 300, side, side + 0.5], 0.6),
                 _det(image, 1, [300, 0, side + 1, side], 0.5)]
    return _gt(anns), dets


def case_gt_area_differs_from_box():
    gt = _gt([_ann(1, 1, [0, 0, 10, 10], area=20000.0),  # tiny box, "large" area
              _ann(1, 1, [100, 100, 300, 300], area=10.0),  # big box, "small" area
              _ann(2, 2, [0, 0, 50, 50], area=1024.0),
              _ann(2, 2, [100, 100, 50, 50], area=9216.0000001)])
    dt = [_det(1, 1, [0, 0, 10, 10], 0.9), _det(1, 1, [100, 100, 290, 300], 0.8),
          _det(2, 2, [0, 0, 50, 50], 0.7), _det(2, 2, [100, 100, 50, 50], 0.6)]
    return gt, dt


def case_ground_truth_id_zero():
    gt = _gt([_ann(1, 1, [10, 10, 50, 50], id=0), _ann(1, 1, [100, 100, 50, 50], id=5),
              _ann(2, 1, [10, 10, 50, 50], id=6)])
    dt = [_det(1, 1, [10, 10, 50, 50], 0.9), _det(1, 1, [12, 10, 50, 50], 0.8),
          _det(1, 1, [100, 100, 50, 50], 0.7), _det(2, 1, [10, 10, 50, 50], 0.6)]
    return gt, dt


def case_single_ground_truth_groups():
    # groups with one ground truth take a path of their own in the matcher: detections whose
    # IoUs span the thresholds, a ground truth with id 0, one outside the detections' area
    # range, and a crowd region absorbing several detections
    gt = _gt([_ann(1, 1, [0, 0, 100, 100], id=0), _ann(2, 1, [0, 0, 100, 100], id=7),
              _ann(3, 1, [0, 0, 100, 100], area=500.0, id=8),
              _ann(4, 1, [0, 0, 100, 100], iscrowd=1, id=9)], images=(1, 2, 3, 4))
    dt = []
    for image in (4, 1, 2, 3):  # the crowd's detections score highest: were they false
        for k, shift in enumerate((30, 2, 12, 0, 45, 8, 20)):  # positives, AP would fall
            dt.append(_det(image, 1, [shift, 0, 100, 100], 0.99 - 0.01 * k - 0.1 * len(dt)))
    return gt, dt


def case_unsorted_sparse_ids():
    gt = _gt([_ann(907, 42, [10, 10, 50, 50]), _ann(3, 7, [10, 10, 50, 50]),
              _ann(55, 42, [0, 0, 20, 20]), _ann(3, 42, [200, 10, 50, 80])],
             images=(907, 3, 55), categories=(42, 7, 1000))
    dt = [_det(55, 42, [0, 1, 20, 20], 0.3), _det(907, 42, [10, 10, 50, 50], 0.3),
          _det(3, 7, [10, 10, 50, 52], 0.9), _det(3, 42, [200, 10, 50, 80], 0.3),
          _det(3, 1000, [1, 1, 5, 5], 0.1)]
    return gt, dt


def case_negative_and_zero_scores():
    gt = _gt([_ann(1, 1, [10, 10, 50, 50]), _ann(1, 1, [100, 10, 50, 50])])
    dt = [_det(1, 1, [10, 10, 50, 50], -0.5), _det(1, 1, [100, 10, 50, 50], 0.0),
          _det(1, 1, [300, 10, 50, 50], -1e-300), _det(2, 1, [0, 0, 50, 50], 1e300)]
    return gt, dt


ADVERSARIAL = {name[5:]: fn for name, fn in sorted(globals().items())
               if name.startswith("case_")}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_parity(name):
    gt, dt = ADVERSARIAL[name]()
    check_parity(gt, dt)


def test_ground_truth_id_zero_is_unmatched():
    gt, dt = case_ground_truth_id_zero()
    result, _ = check_parity(gt, dt)
    d = result.detections()
    first = int(np.flatnonzero(d["index"] == 0)[0])  # the detection that hits gt id 0
    assert d["outcome"][first] == "fp" and d["matched_gt_id"][first] == -1
    row = result.per_class["c1"]
    assert (row["true-positives"], row["false-positives"], row["false-negatives"]) == (2, 2, 1)


def test_zero_detections_for_everything():
    gt, _ = make_workload(3, n_images=10, n_categories=3)
    # pycocotools' loadRes fails on [], the evaluation itself gives 0 where gt exists
    result, E = check_parity(gt, [])
    assert result.n_dropped == 0
    assert np.all(result.recall[result.recall > -1] == 0)
    assert all(row["true-positives"] == 0 and row["false-positives"] == 0
               for row in result.per_class.values())
    assert result.detections()["index"].size == 0


def test_zero_detections_and_no_ground_truth_gives_all_minus_one():
    gt = _gt([], images=(1, 2))
    for results in ([], b"[]"):
        result = evaluate(gt, results)
        assert np.array_equal(result.stats, -np.ones(12))
        assert np.all(result.precision == -1) and np.all(result.recall == -1)
        assert all(v is None for v in result.summary().values())
        json.dumps(result.to_dict(), allow_nan=False)


def test_detections_without_any_ground_truth():
    gt = _gt([], images=(1, 2))
    dt = [_det(1, 1, [0, 0, 10, 10], 0.9), _det(2, 2, [5, 5, 10, 10], 0.3)]
    result, _ = check_parity(gt, dt)
    assert np.array_equal(result.stats, -np.ones(12))
    assert result.per_class["c1"]["false-positives"] == 1


def test_more_than_max_detections_per_image_and_category():
    gt = _gt([_ann(1, 1, [10 * i, 0, 10, 10]) for i in range(40)] +
             [_ann(2, 2, [0, 0, 30, 30])])
    rng = np.random.default_rng(7)
    dt = [_det(1, 1, [10 * (i % 45), 0, 10, 10], float(rng.random())) for i in range(130)]
    dt += [_det(2, 2, [0, 0, 30, 30 + i], round(float(rng.random()), 1)) for i in range(105)]
    dt += [_det(2, 1, [0, 0, 30, 30], 0.5) for _ in range(100)]  # exactly max_det: none dropped
    with pytest.warns(ExcludedDataWarning, match="35 detection"):
        result, E = check_parity(gt, dt)
    assert result.n_dropped == 35
    assert result.detections()["index"].size == len(dt) - 35
    # the dropped ones are the lowest-scored of their group (ties: later in the input)
    kept = set(result.detections()["index"].tolist())
    group = [i for i in range(130)]
    by_score = sorted(group, key=lambda i: -dt[i]["score"])
    assert set(by_score[:100]) <= kept and not set(by_score[100:]) & kept


def test_no_warning_when_nothing_is_dropped():
    gt, dt = case_duplicate_scores()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExcludedDataWarning)
        assert evaluate(gt, dt).n_dropped == 0


# ---------------------------------------------------------------------------------------------
# non-default parameters


@pytest.mark.parametrize("max_dets", [(1, 5, 20), (1, 10, 100), (3, 30, 300)])
@pytest.mark.parametrize("thrs", [None, [0.3, 0.5, 0.7], [0.0, 0.5, 1.0], [0.75, 0.5]])
def test_non_default_parameters_parity(max_dets, thrs):
    gt, dt = case_duplicate_scores()
    gt2, dt2 = make_workload(31, n_images=15, n_categories=3, dets_per_image=40)
    for g, d in ((gt, dt), (gt2, dt2)):
        kwargs = {"max_detections": max_dets, "parity": True}
        if thrs is not None:
            kwargs["iou_thresholds"] = thrs
        result, E = check_parity(g, d, **kwargs)
        T = 10 if thrs is None else len(thrs)
        assert result.precision.shape == (T, 101, len(g["categories"]), 4, 3)


def test_parity_flag_only_changes_the_ap_at_max_detections():
    gt, dt = make_workload(41, n_images=20, n_categories=3, dets_per_image=40)
    E = run_pycocotools(gt, dt, max_dets=(1, 5, 20))
    with_parity = evaluate(gt, dt, max_detections=(1, 5, 20), parity=True)
    without = evaluate(gt, dt, max_detections=(1, 5, 20))
    assert np.array_equal(with_parity.stats, np.asarray(E.stats))
    assert with_parity.stats[0] == -1  # pycocotools' hard-coded maxDets=100 is not evaluated
    p = E.eval["precision"][:, :, :, 0, -1]
    assert without.stats[0] == np.mean(p[p > -1])
    assert np.array_equal(without.stats[1:], with_parity.stats[1:])
    # with COCO's defaults both agree
    default = evaluate(gt, dt)
    assert np.array_equal(default.stats, evaluate(gt, dt, parity=True).stats)


def test_parity_with_short_max_detections():
    gt, dt = case_duplicate_scores()
    from modelmetrics.exceptions import InvalidInputError
    try:
        result = evaluate(gt, dt, max_detections=(100,), parity=True)
    except InvalidInputError:
        return
    assert result.stats.shape == (12,)


@pytest.mark.parametrize("parity", [False, True])
@pytest.mark.parametrize("max_dets", [(1, 10, 100), (1, 5, 20), (100, 10, 1), (7,), (2, 100)])
def test_numbers_from_the_partial_accumulation_equal_those_of_the_full_arrays(max_dets, parity):
    """The evaluation accumulates only the entries its numbers read; the same numbers come
    out of the full arrays (computed on first access of ``precision``)."""
    from modelmetrics.detection._coco import summary_stats

    gt, dt = make_workload(43, n_images=12, n_categories=3, dets_per_image=30)
    if parity and len(max_dets) < 3:
        return  # refused (pycocotools' summary reads three entries)
    result = evaluate(gt, dt, max_detections=max_dets, parity=parity)
    stats, per_class, curves = result.stats, result.per_class, result.pr_curves()
    full = summary_stats(result.precision, result.recall, result.params, parity=parity)
    np.testing.assert_array_equal(stats, full)
    p = result.precision[:, :, :, 0, -1]
    for k, name in enumerate(result.category_names):
        valid = p[:, :, k][p[:, :, k] > -1]
        assert per_class[name]["average-precision"] == (float(valid.mean()) if valid.size
                                                        else None)
        if name in curves:
            assert curves[name]["precision"] == p[0, :, k].tolist()


def test_ground_truth_built_with_numpy_numbers():
    """Ground truth made in Python from arrays holds NumPy integers and floats (ids, sizes,
    boxes, areas, crowd flags): read as the same Python numbers, as pycocotools does."""
    gt, dt = make_workload(44, n_images=8, n_categories=3, dets_per_image=20)
    expected = evaluate(gt, dt)
    as_numpy = copy.deepcopy(gt)
    for image in as_numpy["images"]:
        image["id"] = np.int64(image["id"])
        for key in ("height", "width"):
            if key in image:
                image[key] = np.int32(image[key])
    for category in as_numpy["categories"]:
        category["id"] = np.int64(category["id"])
    for ann in as_numpy["annotations"]:
        for key in ("id", "image_id", "category_id"):
            ann[key] = np.int64(ann[key])
        ann["bbox"] = [np.float64(v) for v in ann["bbox"]]
        ann["area"] = np.float32(ann["area"]) if ann["area"] == np.float32(ann["area"]) \
            else np.float64(ann["area"])
        ann["iscrowd"] = np.bool_(ann.get("iscrowd", 0))
    got = evaluate(as_numpy, dt)
    np.testing.assert_array_equal(got.stats, expected.stats)
    np.testing.assert_array_equal(got.precision, expected.precision)


@pytest.mark.parametrize("width", [0, 1, 101, 1010])
def test_row_means_equal_numpy_mean_of_the_defined_entries(width):
    """Per-class averages are summed a table at a time; each must equal ``np.mean`` of that
    class's entries > -1 exactly, also for rows partly or wholly -1 (NaN for none)."""
    from modelmetrics.detection._coco import _row_means

    rng = np.random.default_rng(width)
    values = rng.random((12, width)) * 10.0 ** rng.integers(-3, 3, (12, width))
    values[3] = -1.0
    values[5, ::3] = -1.0
    values[7, :1] = -1.0
    means = _row_means(values)
    for k in range(12):
        kept = values[k][values[k] > -1]
        if kept.size:
            assert means[k] == np.mean(kept), k
        else:
            assert np.isnan(means[k]), k
