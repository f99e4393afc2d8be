"""``DetectionMetrics`` (per-image arrays, matching in ``update``) against ``evaluate_coco`` and
pycocotools, and its streaming contract: batch splits, shards merged in any order, bytes."""

from __future__ import annotations

import itertools
import json
import pathlib
import pickle
import warnings

import numpy as np
import pytest

import modelmetrics as mm
from modelmetrics.exceptions import ExcludedDataWarning, InvalidInputError, UndefinedMetricWarning

from ._workloads import evaluate, make_workload, run_pycocotools

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "coco100"


def per_image(gt: dict, dt: list, fmt: str = "xywh"):
    """The workload as a training loop holds it: one dict of arrays per image."""
    image_ids = sorted(image["id"] for image in gt["images"])
    slot = {image_id: i for i, image_id in enumerate(image_ids)}
    gts = [[] for _ in image_ids]
    dts = [[] for _ in image_ids]
    for ann in gt["annotations"]:
        gts[slot[ann["image_id"]]].append(ann)
    for det in dt:
        dts[slot[det["image_id"]]].append(det)

    def boxes(records):
        array = np.array([r["bbox"] for r in records], float).reshape(-1, 4)
        if fmt == "xyxy":
            array = np.concatenate([array[:, :2], array[:, :2] + array[:, 2:]], axis=1)
        return array

    predictions = [{"boxes": boxes(d), "scores": np.array([x["score"] for x in d], float),
                    "labels": np.array([x["category_id"] for x in d], np.int64)} for d in dts]
    targets = [{"boxes": boxes(g), "labels": np.array([x["category_id"] for x in g], np.int64),
                "iscrowd": np.array([x.get("iscrowd", 0) for x in g], bool),
                "area": np.array([x["area"] for x in g], float), "image_id": image_id}
               for image_id, g in zip(image_ids, gts)]
    return predictions, targets


def compute(metric):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", ExcludedDataWarning)
        return metric.compute()


def assert_same(result, reference):
    np.testing.assert_array_equal(result.stats, reference.stats)
    # categories without any ground truth or detection exist only in the COCO file
    common = [i for i, c in enumerate(reference.category_ids) if c in set(result.category_ids)]
    index = [list(result.category_ids).index(reference.category_ids[i]) for i in common]
    np.testing.assert_array_equal(result.precision[:, :, index], reference.precision[:, :, common])
    np.testing.assert_array_equal(result.recall[:, index], reference.recall[:, common])
    for i, j in zip(common, index):
        name_ref, name = reference.category_names[i], result.category_names[j]
        for key in ("true-positives", "false-positives", "false-negatives", "average-precision"):
            assert result.per_class[name][key] == reference.per_class[name_ref][key], key
    full_ref = reference.confusion_matrix[np.ix_(common + [-1], common + [-1])]
    full = result.confusion_matrix[np.ix_(index + [-1], index + [-1])]
    np.testing.assert_array_equal(full, full_ref)


@pytest.fixture(scope="module")
def coco100():
    gt = json.loads((DATA / "instances_val2014_100.json").read_text())
    dt = json.loads((DATA / "instances_val2014_fakebbox100_results.json").read_text())
    return gt, dt


def test_coco100_equals_published_numbers_and_evaluate_coco(coco100):
    gt, dt = coco100
    names = {c["id"]: c["name"] for c in gt["categories"]}
    metric = mm.DetectionMetrics(box_format="xywh", class_names=names)
    metric.update(*per_image(gt, dt))
    assert_same(compute(metric), evaluate(gt, dt))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("fmt", ["xywh", "xyxy"])
def test_random_workloads_equal_pycocotools(seed, fmt):
    gt, dt = make_workload(seed, score_decimals=2)
    metric = mm.DetectionMetrics(box_format=fmt, class_names={
        c["id"]: c["name"] for c in gt["categories"]})
    metric.update(*per_image(gt, dt, fmt))
    result = compute(metric)
    if fmt == "xywh":
        assert_same(result, evaluate(gt, dt))
    evaluator = run_pycocotools(gt, dt)
    np.testing.assert_array_equal(result.stats, np.asarray(evaluator.stats))


@pytest.mark.parametrize("seed", [3, 4])
def test_batch_splits_and_shard_merges_in_any_order_are_identical(seed):
    gt, dt = make_workload(seed, score_decimals=1)  # many ties: order must not matter
    predictions, targets = per_image(gt, dt)
    one_shot = compute(mm.DetectionMetrics(box_format="xywh").update(predictions, targets))
    rng = np.random.default_rng(seed)
    cuts = sorted(rng.choice(np.arange(1, len(targets)), 4, replace=False))
    pieces = [(predictions[a:b], targets[a:b]) for a, b in zip([0, *cuts], [*cuts, len(targets)])]
    batched = mm.DetectionMetrics(box_format="xywh")
    for piece in pieces:
        batched.update(*piece)
    assert_same(compute(batched), one_shot)
    for order in itertools.islice(itertools.permutations(range(len(pieces))), 0, 120, 17):
        shards = [mm.DetectionMetrics(box_format="xywh").update(*pieces[i]) for i in order]
        merged = mm.DetectionMetrics(box_format="xywh")
        for shard in shards:
            merged.merge(mm.DetectionMetrics.from_bytes(shard.to_bytes()))
        assert_same(compute(merged), one_shot)


def test_pickle_and_bytes_round_trip(coco100):
    gt, dt = coco100
    metric = mm.DetectionMetrics(box_format="xywh").update(*per_image(gt, dt))
    for copy in (pickle.loads(pickle.dumps(metric)),
                 mm.DetectionMetrics.from_bytes(metric.to_bytes())):
        np.testing.assert_array_equal(compute(copy).stats, compute(metric).stats)


def test_corrupt_payload_is_refused(coco100):
    gt, dt = coco100
    payload = bytearray(mm.DetectionMetrics(box_format="xywh").update(*per_image(gt, dt)).to_bytes())
    payload[40] ^= 0xFF
    with pytest.raises(InvalidInputError, match="corrupted"):
        mm.DetectionMetrics.from_bytes(bytes(payload))
    with pytest.raises(InvalidInputError, match="RegressionMetrics"):
        mm.DetectionMetrics.from_bytes(mm.RegressionMetrics().update([1.0], [2.0]).to_bytes())


def test_per_detection_outcomes_name_the_matched_target_box():
    metric = mm.DetectionMetrics()
    metric.update([{"boxes": np.array([[0, 0, 10, 10], [50, 50, 60, 60.]]),
                    "scores": np.array([0.9, 0.8]), "labels": np.array([1, 1])}],
                  [{"boxes": np.array([[100, 100, 110, 110], [0, 0, 10, 11.]]),
                    "labels": np.array([1, 1])}])
    detections = compute(metric).detections()
    assert detections["matched_gt_id"].tolist() == [1, -1]  # the second target box
    assert detections["outcome"].tolist() == ["tp", "fp"]


def test_empty_batches_and_images_without_boxes():
    metric = mm.DetectionMetrics()
    metric.update([], [])
    empty = {"boxes": np.zeros((0, 4)), "scores": np.zeros(0), "labels": np.zeros(0, int)}
    metric.update([empty], [{"boxes": np.zeros((0, 4)), "labels": np.zeros(0, int)}])
    metric.update([{"boxes": np.array([[0, 0, 5, 5.]]), "scores": [0.3], "labels": [2]}],
                  [{"boxes": np.array([[0, 0, 5, 5.]]), "labels": [2]}])
    result = compute(metric)
    assert result.per_class["2"]["false-negatives"] == 1  # score 0.3 < threshold 0.5
    assert result.stats[0] == 1 / (1 + np.spacing(1))  # COCO adds eps to the denominator


def test_compute_before_update_and_overlapping_images_are_refused():
    with pytest.raises(InvalidInputError, match="at least one image"):
        mm.DetectionMetrics().compute()
    image = ([{"boxes": np.zeros((0, 4)), "scores": [], "labels": []}],
             [{"boxes": np.zeros((0, 4)), "labels": [], "image_id": 7}])
    first = mm.DetectionMetrics().update(*image)
    with pytest.raises(InvalidInputError, match="image_id"):
        first.update(*image)
    with pytest.raises(InvalidInputError, match="image id 7"):
        first.merge(mm.DetectionMetrics().update(*image))
    with pytest.raises(InvalidInputError, match="different settings"):
        first.merge(mm.DetectionMetrics(score_threshold=0.3))


@pytest.mark.parametrize("prediction, target, message", [
    ({"boxes": [[0, 0, -1, 5]], "scores": [0.5], "labels": [1]}, None, "x2 >= x1"),
    ({"boxes": [[0, 0, np.nan, 5]], "scores": [0.5], "labels": [1]}, None, "finite"),
    ({"boxes": [[0, 0, 1, 5]], "scores": [np.inf], "labels": [1]}, None, "scores"),
    ({"boxes": [[0, 0, 1, 5]], "scores": [0.5, 0.4], "labels": [1]}, None, "one entry per box"),
    ({"boxes": [[0, 0, 1, 5]], "scores": [0.5], "labels": [1.5]}, None, "integer"),
    ({"boxes": [[0, 0, 1, 5]], "scores": [0.5]}, None, "keys boxes, scores, labels"),
    (None, {"boxes": [[0, 0, 1, 5]], "labels": [1], "area": [-3.0]}, "area"),
    (None, {"boxes": [[0, 0, 1, 5, 3]], "labels": [1]}, "shape"),
])
def test_bad_input_gets_a_clear_error(prediction, target, message):
    good_prediction = {"boxes": [[0, 0, 1, 5]], "scores": [0.5], "labels": [1]}
    good_target = {"boxes": [[0, 0, 1, 5]], "labels": [1]}
    with pytest.raises(InvalidInputError, match=message):
        mm.DetectionMetrics().update([prediction or good_prediction], [target or good_target])


@pytest.mark.parametrize("field, owner", [("scores", "predictions"), ("labels", "predictions"),
                                          ("labels", "targets"), ("iscrowd", "targets"),
                                          ("area", "targets")])
def test_per_image_lengths_are_checked_even_when_the_totals_agree(field, owner):
    # image 0 has 1 box and image 1 has 2; the field gives 2 then 1 entries: the same total,
    # but each image's entries would describe the other image's boxes
    boxes = [np.array([[0.0, 0, 4, 4]]), np.array([[0.0, 0, 4, 4], [1.0, 1, 5, 5]])]
    values = {"scores": [[0.9, 0.8], [0.7]], "labels": [[1, 1], [1]],
              "iscrowd": [[False, False], [False]], "area": [[16.0, 16.0], [16.0]]}[field]
    predictions = [{"boxes": b, "scores": np.full(len(b), 0.5), "labels": np.ones(len(b), int)}
                   for b in boxes]
    targets = [{"boxes": b, "labels": np.ones(len(b), int)} for b in boxes]
    for image, value in zip(predictions if owner == "predictions" else targets, values):
        image[field] = np.array(value)
    metric = mm.DetectionMetrics()
    with pytest.raises(InvalidInputError, match=rf"{owner}\[0\]\['{field}'\] must (have one "
                                                rf"entry per box of that image \(1\)\. Got 2|"
                                                rf"be 1 finite non-negative)"):
        metric.update(predictions, targets)
    assert metric._images.size == 0


def test_more_than_max_detections_is_counted_and_warned():
    boxes = np.array([[i, 0, i + 10, 10] for i in range(120)], float)
    metric = mm.DetectionMetrics().update(
        [{"boxes": boxes, "scores": np.linspace(1, 0.01, 120), "labels": np.ones(120, int)}],
        [{"boxes": boxes[:3], "labels": np.ones(3, int)}])
    with pytest.warns(ExcludedDataWarning, match="20 detection"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            result = metric.compute()
    assert result.n_dropped == 20


def test_a_refused_batch_leaves_the_state_unchanged():
    metric = mm.DetectionMetrics()
    good = ([{"boxes": [[0, 0, 5, 5]], "scores": [0.9], "labels": [1]}],
            [{"boxes": [[0, 0, 5, 5]], "labels": [1], "image_id": 3}])
    bad = ([{"boxes": [[0, 0, 5, 5]], "scores": [np.nan], "labels": [1]}],
           [{"boxes": [[0, 0, 5, 5]], "labels": [1], "image_id": 3}])
    with pytest.raises(InvalidInputError, match="finite"):
        metric.update(*bad)
    metric.update(*good)  # image 3 was not registered by the refused batch
    assert compute(metric).per_class["1"]["true-positives"] == 1


def test_torch_tensors_that_track_gradients():
    torch = pytest.importorskip("torch")
    boxes = torch.tensor([[0.0, 0.0, 5.0, 5.0]], requires_grad=True)
    metric = mm.DetectionMetrics().update(
        [{"boxes": boxes, "scores": torch.tensor([0.9], requires_grad=True),
          "labels": torch.tensor([1])}],
        [{"boxes": torch.tensor([[0.0, 0.0, 5.0, 5.0]]), "labels": torch.tensor([1])}])
    assert compute(metric).per_class["1"]["true-positives"] == 1


def test_areas_given_for_some_images_only():
    """Images without 'area' use their box areas; the others theirs (checked per image)."""
    gt = json.loads((DATA / "instances_val2014_100.json").read_text())
    dt = json.loads((DATA / "instances_val2014_fakebbox100_results.json").read_text())
    predictions, targets = per_image(gt, dt)
    explicit = []
    for k, target in enumerate(targets):
        target = dict(target)
        if k % 3:
            del target["area"]  # default: the box area
            explicit.append({**target, "area": target["boxes"][:, 2] * target["boxes"][:, 3]})
        else:
            explicit.append(target)
        targets[k] = target
    mixed = compute(mm.DetectionMetrics(box_format="xywh").update(predictions, targets))
    reference = compute(mm.DetectionMetrics(box_format="xywh").update(predictions, explicit))
    np.testing.assert_array_equal(mixed.precision, reference.precision)
    assert mixed.per_class == reference.per_class
    bad = [dict(t) for t in explicit]
    bad[7]["area"] = np.append(bad[7]["area"], 1.0)
    with pytest.raises(InvalidInputError, match=r"targets\[7\]\['area'\]"):
        mm.DetectionMetrics(box_format="xywh").update(predictions, bad)
    bad[7] = dict(explicit[7], area=-explicit[7]["area"] - 1)
    with pytest.raises(InvalidInputError, match=r"targets\[7\]\['area'\]"):
        mm.DetectionMetrics(box_format="xywh").update(predictions, bad)


def test_compute_after_one_update_equals_compute_of_a_rebuilt_state():
    """After a single update, compute reuses that update's label table (no search through the
    rows); a state rebuilt from bytes has no such shortcut. Both agree, with classes only in
    the targets and only in the predictions, and again after a second update."""
    gt, dt = make_workload(7, n_images=12, n_categories=4, dets_per_image=25)
    predictions, targets = per_image(gt, dt)
    targets[0] = dict(targets[0], labels=np.full(len(targets[0]["labels"]), 77, np.int64))
    predictions[1] = dict(predictions[1], labels=np.full(len(predictions[1]["labels"]), 88,
                                                         np.int64))
    metric = mm.DetectionMetrics(box_format="xywh")
    # first an image without predictions whose target has a class seen nowhere else: the
    # state has no rows yet, and its classes are more than the next update's table
    lone = dict(targets[0], image_id=1000, labels=np.full(len(targets[0]["labels"]), 5,
                                                          np.int64))
    metric.update([{"boxes": np.zeros((0, 4)), "scores": np.zeros(0),
                    "labels": np.zeros(0, np.int64)}], [lone])
    metric.update(predictions[:8], targets[:8])
    for batch in ((predictions[8:], targets[8:]), None):
        assert_same(compute(metric), compute(mm.DetectionMetrics.from_bytes(metric.to_bytes())))
        if batch:
            metric.update(*batch)


def test_images_without_boxes_given_as_empty_lists():
    """``[]`` for an image's boxes (predictions or targets) is an image without boxes, as an
    empty (0, 4) array is."""
    gt, dt = make_workload(8, n_images=6, n_categories=3, dets_per_image=10)
    predictions, targets = per_image(gt, dt)
    for records in (predictions, targets):
        records[2] = dict(records[2], boxes=np.zeros((0, 4)), labels=np.zeros(0, np.int64))
        for key in ("scores", "iscrowd", "area"):
            if key in records[2]:
                records[2][key] = records[2][key][:0]
    expected = compute(mm.DetectionMetrics(box_format="xywh").update(predictions, targets))
    for records in (predictions, targets):
        records[2]["boxes"] = []
    got = compute(mm.DetectionMetrics(box_format="xywh").update(predictions, targets))
    assert_same(got, expected)


def _layout(value, how: str, k: int):
    """``value`` (an array) as image ``k`` might hold it in an unusual layout."""
    if how == "fortran":  # 2-D only; not C-contiguous when it has two rows or more
        return np.asfortranarray(value) if value.ndim == 2 else value
    if how == "strided":  # a view of every other entry of a larger array
        return np.repeat(value, 2, axis=0)[::2]
    if how == "big-endian":
        return value.astype(value.dtype.newbyteorder(">"))
    if how == "mixed-dtypes":  # every other image in another dtype holding the same values
        if k % 2 == 0:
            return value
        return value.astype({"f": np.longdouble, "i": np.int32, "b": np.uint8}[value.dtype.kind])
    if how == "lists":
        return value.tolist() if k % 2 else value
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["fortran", "strided", "big-endian", "mixed-dtypes", "lists"])
def test_unusual_array_layouts_give_the_results_of_plain_arrays(how):
    """Plain arrays are stacked by joining their bytes; anything else takes the general path.
    Either way the numbers are the same."""
    gt, dt = make_workload(21, n_images=12, n_categories=4, dets_per_image=15)
    predictions, targets = per_image(gt, dt)
    expected = compute(mm.DetectionMetrics(box_format="xywh").update(predictions, targets))
    unusual = [[{key: _layout(value, how, k) if isinstance(value, np.ndarray) else value
                 for key, value in record.items()} for k, record in enumerate(records)]
               for records in (predictions, targets)]
    got = compute(mm.DetectionMetrics(box_format="xywh").update(*unusual))
    assert_same(got, expected)


def test_boxes_of_the_wrong_width_are_named_even_when_the_total_fits():
    # 5 + 3 columns over two images of one box each hold as many numbers as 4 + 4
    predictions = [{"boxes": np.zeros((1, 5)), "scores": np.ones(1), "labels": np.ones(1, int)},
                   {"boxes": np.zeros((1, 3)), "scores": np.ones(1), "labels": np.ones(1, int)}]
    targets = [{"boxes": np.zeros((0, 4)), "labels": np.zeros(0, int)}] * 2
    with pytest.raises(InvalidInputError, match=r"predictions\[0\]\['boxes'\] must be \(n, 4\)"):
        mm.DetectionMetrics().update(predictions, targets)
    predictions[0]["boxes"] = np.zeros((1, 4))
    with pytest.raises(InvalidInputError, match=r"predictions\[1\]\['boxes'\] must be \(n, 4\)"):
        mm.DetectionMetrics().update(predictions, targets)
    predictions[1]["boxes"] = np.zeros((1, 4))
    predictions[1]["scores"] = np.array([object()])
    with pytest.raises(InvalidInputError, match="scores"):
        mm.DetectionMetrics().update(predictions, targets)
