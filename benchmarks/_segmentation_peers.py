"""Semantic segmentation workloads and the peer implementations they are measured against.

One table drives the asv suite, the pytest-benchmark comparison and the test that checks every
peer computes the same pixel confusion matrix as modelmetrics (so the benchmark compares like
with like). Peers missing from the environment are left out.

Workloads (uint8 label maps, ``n_classes`` classes + 255 = ignore):

``"regions"``
    Cityscapes-like: ground truth made of regions (a coarse random class grid upsampled to the
    frame by nearest neighbour, so region edges fall at arbitrary columns), 10 % of it unlabelled
    (255) in blobs; the prediction is the ground truth shifted by a few pixels (errors along the
    edges), with wrong blobs on 5 % of the frame and 0.2 % salt noise (about 90 % of the
    labelled pixels right).
``"noise"``
    Every pixel independent and uniform: no runs at all (the worst case for run-aware counting).
"""

from __future__ import annotations

import functools

import numpy as np

from ._peers import available

N_CLASSES = 19
IGNORE = 255


def _upsample(coarse: np.ndarray, height: int, width: int) -> np.ndarray:
    rows = np.arange(height) * coarse.shape[-2] // height
    cols = np.arange(width) * coarse.shape[-1] // width
    return coarse[..., rows[:, None], cols[None, :]]


@functools.lru_cache(maxsize=4)
def make_label_maps(frames: int, height: int = 1024, width: int = 2048, kind: str = "regions",
                    n_classes: int = N_CLASSES, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(gt, pred)``, uint8 arrays of shape (frames, height, width) (cached: do not modify)."""
    rng = np.random.default_rng(seed)
    shape = (frames, height, width)
    if kind == "noise":
        gt = rng.integers(0, n_classes + 1, shape, dtype=np.uint8)
        gt[gt == n_classes] = IGNORE
        return gt, rng.integers(0, n_classes, shape, dtype=np.uint8)
    if kind != "regions":
        raise ValueError(kind)
    gt = _upsample(rng.integers(0, n_classes, (frames, 19, 37), dtype=np.uint8), height, width)
    unlabelled = _upsample(rng.random((frames, 23, 41)) < 0.1, height, width)
    gt[unlabelled] = IGNORE
    pred = np.roll(gt, (2, 3), axis=(1, 2))
    pred[pred == IGNORE] = 0
    wrong = _upsample(np.where(rng.random((frames, 29, 53)) < 0.05,
                               rng.integers(0, n_classes, (frames, 29, 53)), 255).astype(np.uint8),
                      height, width)
    pred = np.where(wrong != 255, wrong, pred)
    salt = rng.random(shape) < 0.002
    pred[salt] = rng.integers(0, n_classes, int(salt.sum()), dtype=np.uint8)
    return np.ascontiguousarray(gt), np.ascontiguousarray(pred.astype(np.uint8))


def ours(gt, pred) -> np.ndarray:
    import modelmetrics as mm

    return mm.SegmentationMetrics(N_CLASSES, ignore_index=IGNORE).update(gt, pred).confusion_matrix


def numpy_bincount(gt, pred) -> np.ndarray:
    """The idiom of most training repositories (mmsegmentation's and torchvision's references)."""
    keep = gt != IGNORE
    index = gt[keep].astype(np.int64) * N_CLASSES + pred[keep]
    return np.bincount(index, minlength=N_CLASSES * N_CLASSES).reshape(N_CLASSES, N_CLASSES)


def scikit_learn(gt, pred) -> np.ndarray:
    from sklearn.metrics import confusion_matrix

    keep = gt != IGNORE
    return confusion_matrix(gt[keep], pred[keep], labels=np.arange(N_CLASSES))


def torchmetrics_confusion(gt, pred) -> np.ndarray:
    import torch
    from torchmetrics.functional.classification import multiclass_confusion_matrix

    return multiclass_confusion_matrix(torch.from_numpy(pred).long(), torch.from_numpy(gt).long(),
                                       num_classes=N_CLASSES, ignore_index=IGNORE,
                                       validate_args=False).numpy()


def hotcoco_pixel_confusion(gt, pred) -> np.ndarray:
    from hotcoco import metrics

    return metrics.pixel_confusion(gt, pred, num_classes=N_CLASSES, ignore_index=IGNORE).astype(np.int64)


#: name -> callable(gt, pred) -> (19, 19) int64 pixel confusion matrix
ONE_SHOT = available([
    ("modelmetrics", ours, [], None),
    ("numpy bincount", numpy_bincount, [], None),
    ("scikit-learn", scikit_learn, ["sklearn"], None),
    ("torchmetrics", torchmetrics_confusion, ["torch", "torchmetrics"], None),
    ("hotcoco pixel_confusion", hotcoco_pixel_confusion, ["hotcoco.metrics"], "pixel_confusion"),
])


def streaming_updaters(height: int = 512, width: int = 512) -> dict:
    """name -> (update callable, arguments): one ``update`` of one (height, width) map, as in a
    validation loop (the prediction as int64, what ``argmax`` gives, and as uint8)."""
    import modelmetrics as mm

    gt, pred = make_label_maps(1, height, width, seed=1)
    gt, pred = gt[0], pred[0]
    pred64 = pred.astype(np.int64)
    updaters = {}
    for name, p in (("modelmetrics (uint8 maps)", pred), ("modelmetrics (int64 prediction)", pred64)):
        metric = mm.SegmentationMetrics(N_CLASSES)
        metric.update(gt, p)  # JIT warm-up, outside any timed region
        updaters[name] = (metric.update, (gt, p))
    try:
        import torch
        import torchmetrics
    except ImportError:
        torch = None
    if torch is not None:
        t_gt, t_pred = torch.from_numpy(gt.astype(np.int64)), torch.from_numpy(pred64)
        peer = torchmetrics.classification.MulticlassJaccardIndex(N_CLASSES, ignore_index=IGNORE,
                                                                  validate_args=False)
        peer.update(t_pred, t_gt)
        updaters["torchmetrics MulticlassJaccardIndex"] = (peer.update, (t_pred, t_gt))
    try:
        from hotcoco import semantic
    except ImportError:
        return updaters
    evaluator = semantic.SemanticEval(N_CLASSES)
    evaluator.update(gt, pred)
    updaters["hotcoco SemanticEval"] = (evaluator.update, (gt, pred))
    return updaters
