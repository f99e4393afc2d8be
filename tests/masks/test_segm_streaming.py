"""Streaming instance segmentation: ``DetectionMetrics(iou_type="segm")`` fed per-image dense
masks (as a model outputs them) or RLE dicts equals pycocotools' COCOeval on the same data, and
batched, sharded, serialised and one-shot runs agree exactly."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import modelmetrics as mm
from modelmetrics.exceptions import InvalidInputError, UndefinedMetricWarning

from .test_segm_evaluation import assert_same, run_pycocotools

M = pytest.importorskip("pycocotools.mask")


def per_image(gt, dt, *, dense=True):
    size = {im["id"]: (im["height"], im["width"]) for im in gt["images"]}
    image_ids = sorted(size)
    predictions, targets = [], []
    for image_id in image_ids:
        h, w = size[image_id]
        dets = [d for d in dt if d["image_id"] == image_id]
        anns = [a for a in gt["annotations"] if a["image_id"] == image_id]
        det_rles = [d["segmentation"] for d in dets]
        gt_rles = [mm.mask.from_segmentation(a["segmentation"], h, w) for a in anns]

        def masks(rles):
            if not dense:
                return rles
            if not rles:
                return np.zeros((0, h, w), bool)
            return np.ascontiguousarray(M.decode(rles).transpose(2, 0, 1)).astype(bool)

        predictions.append({"masks": masks(det_rles),
                            "scores": np.array([d["score"] for d in dets], float),
                            "labels": np.array([d["category_id"] for d in dets], np.int64)})
        targets.append({"masks": masks(gt_rles),
                        "labels": np.array([a["category_id"] for a in anns], np.int64),
                        "iscrowd": np.array([a["iscrowd"] for a in anns], bool),
                        "area": np.array([a["area"] for a in anns], float),
                        "image_id": image_id})
    return predictions, targets


def compute(metric):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return metric.compute()


@pytest.fixture(scope="module")
def loaded(coco_like):
    gt_path, dt_path = coco_like
    gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
    for det in dt:  # the stream has no boxes: areas come from the masks (pycocotools' loadRes)
        del det["bbox"]
    return gt, dt


def test_dense_masks_equal_pycocotools(loaded):
    gt, dt = loaded
    predictions, targets = per_image(gt, dt)
    result = compute(mm.DetectionMetrics(iou_type="segm").update(predictions, targets))
    assert_same(result, run_pycocotools(gt, dt))
    rle_result = compute(mm.DetectionMetrics(iou_type="segm").update(
        *per_image(gt, dt, dense=False)))
    assert np.array_equal(rle_result.precision, result.precision)
    assert np.array_equal(rle_result.confusion_matrix, result.confusion_matrix)


def test_batched_sharded_serialised_equal_one_shot(loaded):
    gt, dt = loaded
    predictions, targets = per_image(gt, dt)
    one_shot = compute(mm.DetectionMetrics(iou_type="segm").update(predictions, targets))
    batched = mm.DetectionMetrics(iou_type="segm")
    for lo in range(0, len(targets), 3):
        batched.update(predictions[lo:lo + 3], targets[lo:lo + 3])
    shard_a = mm.DetectionMetrics(iou_type="segm").update(predictions[::2], targets[::2])
    shard_b = mm.DetectionMetrics(iou_type="segm").update(predictions[1::2], targets[1::2])
    merged = mm.DetectionMetrics.from_bytes(shard_b.to_bytes()).merge(shard_a)
    for other in (compute(batched), compute(merged)):
        assert np.array_equal(other.stats, one_shot.stats)
        assert np.array_equal(other.precision, one_shot.precision)
        assert np.array_equal(other.recall, one_shot.recall)
        assert np.array_equal(other.confusion_matrix, one_shot.confusion_matrix)
        assert other.per_class == one_shot.per_class
    with pytest.raises(InvalidInputError, match="different settings"):
        mm.DetectionMetrics().merge(shard_a)


def test_streaming_mask_errors():
    metric = mm.DetectionMetrics(iou_type="segm")
    pred = {"masks": np.ones((1, 4, 5), bool), "scores": np.array([0.9]), "labels": np.array([1])}
    target = {"masks": np.ones((1, 4, 6), bool), "labels": np.array([1])}
    with pytest.raises(InvalidInputError, match=r"prediction mask 0 has a mask of size \[4, 5\] "
                                                r"but target mask 0 .* \[4, 6\]"):
        metric.update([pred], [target])
    with pytest.raises(InvalidInputError, match=r"predictions\[0\]\['masks'\].*bool or integers"):
        metric.update([{**pred, "masks": np.ones((1, 4, 5))}], [target])
    with pytest.raises(InvalidInputError, match=r"keys masks, scores, labels"):
        metric.update([{"boxes": np.zeros((0, 4)), "scores": [], "labels": []}], [target])
    with pytest.raises(InvalidInputError, match=r"predictions\[0\]\[.scores.\] must have one entry per mask of that image \(1\)\. Got 2"):
        metric.update([{**pred, "scores": np.array([0.9, 0.8])}],
                      [{**target, "masks": pred["masks"]}])
    assert metric._images.size == 0  # refused batches change nothing
