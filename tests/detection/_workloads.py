"""Shared helpers of the detection tests: a small COCO-like workload generator (adapted from
``bench/make_coco_like.py``), pycocotools runs, and a warning-tolerant ``evaluate_coco`` call."""

from __future__ import annotations

import contextlib
import copy
import io
import math
import warnings

import numpy as np

from modelmetrics.detection import evaluate_coco
from modelmetrics.exceptions import UndefinedMetricWarning

__all__ = ["evaluate", "make_workload", "pycoco_ap_per_class", "run_pycocotools"]


def evaluate(ground_truth, results, **kwargs):
    """``evaluate_coco`` with UndefinedMetricWarning silenced (the undefined-value policy says it
    may be emitted; pytest turns it into an error project-wide). Other warnings propagate."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return evaluate_coco(ground_truth, results, **kwargs)


def _jitter(rng, box, w, h, scale):
    x, y, bw, bh = box
    dx, dy = rng.normal(0, scale * bw), rng.normal(0, scale * bh)
    sw, sh = math.exp(rng.normal(0, scale)), math.exp(rng.normal(0, scale))
    nbw, nbh = max(1.0, bw * sw), max(1.0, bh * sh)
    nx = min(max(0.0, x + dx), w - 1.0)
    ny = min(max(0.0, y + dy), h - 1.0)
    return [nx, ny, min(nbw, w - nx), min(nbh, h - ny)]


def make_workload(seed, *, n_images=40, n_categories=5, dets_per_image=25, crowd_p=0.05,
                  empty_image_p=0.1, score_decimals=None, shuffle=True):
    """A deterministic COCO-like (ground truth, results) pair.

    Sparse, shuffled image and category ids; a long-tailed class mix; crowd regions; images
    without objects; ground-truth ``area`` differing from the box area (an ellipse's, as COCO
    masks); detections that are jittered copies of objects, class confusions, duplicates and
    background boxes. ``score_decimals`` rounds scores (ties); ``None`` keeps them continuous.
    """
    rng = np.random.default_rng(seed)
    cat_ids = sorted(int(c) for c in rng.choice(np.arange(1, 100), n_categories, replace=False))
    cat_p = 1.0 / np.arange(1, n_categories + 1) ** 0.9
    cat_p /= cat_p.sum()
    image_ids = [int(i) for i in rng.choice(np.arange(1, 10 * n_images), n_images, replace=False)]
    images, anns, dets = [], [], []
    ann_id = int(rng.integers(1, 1000))
    for img_id in image_ids:
        w, h = [(640, 480), (480, 640), (640, 427), (500, 375)][rng.integers(4)]
        images.append({"id": img_id, "width": w, "height": h})
        n_gt = 0 if rng.random() < empty_image_p else int(min(rng.poisson(4), 20))
        gts = []
        for _ in range(n_gt):
            area = math.exp(rng.uniform(math.log(16), math.log(0.5 * w * h)))
            ar = math.exp(rng.normal(0, 0.5))
            bw = min(w - 1.0, math.sqrt(area * ar))
            bh = min(h - 1.0, area / max(bw, 1.0))
            x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            cat = int(rng.choice(cat_ids, p=cat_p))
            crowd = int(rng.random() < crowd_p)
            box = [round(x, 2), round(y, 2), round(bw, 2), round(bh, 2)]
            anns.append({"id": ann_id, "image_id": img_id, "category_id": cat, "bbox": box,
                         "area": round(math.pi / 4 * bw * bh, 2), "iscrowd": crowd})
            gts.append((box, cat))
            ann_id += int(rng.integers(1, 5))
        cand = []
        for box, cat in gts:
            if rng.random() < 0.85:
                cand.append((_jitter(rng, box, w, h, rng.uniform(0.02, 0.3)), cat, rng.beta(5, 2)))
            if rng.random() < 0.3:  # class confusion
                cand.append((_jitter(rng, box, w, h, 0.1), int(rng.choice(cat_ids, p=cat_p)),
                             rng.beta(2, 4)))
            if rng.random() < 0.15:  # duplicate
                cand.append((_jitter(rng, box, w, h, 0.05), cat, rng.beta(3, 3)))
        n_target = int(rng.integers(0, dets_per_image + 1))
        while len(cand) < n_target:
            bw, bh = rng.uniform(4, w / 2), rng.uniform(4, h / 2)
            box = [rng.uniform(0, w - bw), rng.uniform(0, h - bh), bw, bh]
            cand.append((box, int(rng.choice(cat_ids, p=cat_p)), rng.beta(1, 6)))
        for box, cat, score in cand:
            score = float(score) if score_decimals is None else round(float(score), score_decimals)
            dets.append({"image_id": img_id, "category_id": cat,
                         "bbox": [round(float(v), 2) for v in box], "score": score})
    categories = [{"id": c, "name": f"class_{c}", "supercategory": "thing"} for c in cat_ids]
    if shuffle:
        rng.shuffle(images)
        rng.shuffle(categories)
        order = rng.permutation(len(dets))
        dets = [dets[i] for i in order]
    gt = {"images": images, "annotations": anns, "categories": categories}
    return gt, dets


def run_pycocotools(ground_truth, results, *, max_dets=None, iou_thrs=None):
    """pycocotools' COCOeval (evaluate, accumulate, summarize) on deep copies; silent.

    Empty ``results`` bypass ``loadRes`` (which fails on an empty list) with an empty results
    COCO object: pycocotools' evaluation semantics for "no detections"."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = copy.deepcopy(ground_truth)
        gt.createIndex()
        if results:
            dt = gt.loadRes(copy.deepcopy(results))
        else:
            dt = COCO()
            dt.dataset = {"images": copy.deepcopy(ground_truth["images"]),
                          "categories": copy.deepcopy(ground_truth["categories"]),
                          "annotations": []}
            dt.createIndex()
        E = COCOeval(gt, dt, "bbox")
        if max_dets is not None:
            E.params.maxDets = list(max_dets)
        if iou_thrs is not None:
            E.params.iouThrs = np.asarray(iou_thrs, dtype=np.float64)
        E.evaluate()
        E.accumulate()
        E.summarize()
    return E


def pycoco_ap_per_class(E):
    """{category_id: AP} from pycocotools' precision (area all, largest maxDets), or None."""
    precision = E.eval["precision"]
    out = {}
    for k, cat in enumerate(E.params.catIds):
        p = precision[:, :, k, 0, -1]
        p = p[p > -1]
        out[cat] = float(np.mean(p)) if p.size else None
    return out
