"""Classification workloads and the peer implementations they are measured against.

One table drives the asv suite, the pytest-benchmark comparison and the test that checks every
peer computes the same confusion matrix as modelmetrics. Peers missing from the environment are
left out.

Workload: ``n`` int64 true labels uniform over ``n_classes``; the prediction is right with
probability ``accuracy`` (0.8) and otherwise a uniform random class.
"""

from __future__ import annotations

import functools

import numpy as np

from ._peers import available

N_CLASSES = 1000


@functools.lru_cache(maxsize=4)
def make_labels(n: int, n_classes: int = N_CLASSES, accuracy: float = 0.8,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)`` int64 arrays of shape (n,) (cached: do not modify)."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_pred = np.where(rng.random(n) < accuracy, y_true, rng.integers(0, n_classes, n))
    return y_true, y_pred


def make_scores(n: int, n_classes: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, scores)``: float32 scores of shape (n, n_classes), the true class boosted."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    scores = rng.random((n, n_classes), dtype=np.float32)
    scores[np.arange(n), y_true] += 0.3
    return y_true, scores


def ours(y_true, y_pred, n_classes=N_CLASSES) -> np.ndarray:
    import modelmetrics as mm

    return mm.confusion_matrix(y_true, y_pred, num_classes=n_classes)


def numpy_bincount(y_true, y_pred, n_classes=N_CLASSES) -> np.ndarray:
    return np.bincount(y_true * n_classes + y_pred,
                       minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def scikit_learn(y_true, y_pred, n_classes=N_CLASSES) -> np.ndarray:
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))


def torchmetrics_confusion(y_true, y_pred, n_classes=N_CLASSES) -> np.ndarray:
    import torch
    from torchmetrics.functional.classification import multiclass_confusion_matrix

    return multiclass_confusion_matrix(torch.from_numpy(y_pred), torch.from_numpy(y_true),
                                       num_classes=n_classes, validate_args=False).numpy()


#: name -> callable(y_true, y_pred) -> (C, C) int64 confusion matrix
ONE_SHOT = available([
    ("modelmetrics", ours, [], None),
    ("numpy bincount", numpy_bincount, [], None),
    ("scikit-learn", scikit_learn, ["sklearn"], None),
    ("torchmetrics", torchmetrics_confusion, ["torch", "torchmetrics"], None),
])


def all_metrics(y_true, y_pred, n_classes=N_CLASSES):
    """Everything the metrics page shows (confusion, accuracy, balanced accuracy, P/R/F1)."""
    import warnings

    import modelmetrics as mm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mm.classification_metrics(y_true, y_pred, num_classes=n_classes)


def streaming_updaters(batch: int = 256, n_classes: int = N_CLASSES) -> dict:
    """name -> (update callable, arguments): one ``update`` of a training-loop batch."""
    import modelmetrics as mm

    y_true, y_pred = make_labels(batch, n_classes, seed=1)
    _, scores = make_scores(batch, n_classes, seed=1)
    updaters = {}
    for name, pred in (("modelmetrics (labels)", y_pred), ("modelmetrics (scores, top-k)", scores)):
        metric = mm.ClassificationMetrics(n_classes)
        metric.update(y_true, pred)  # JIT warm-up, outside any timed region
        updaters[name] = (metric.update, (y_true, pred))
    try:
        import torch
        import torchmetrics
    except ImportError:
        return updaters
    t_true, t_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    peer = torchmetrics.classification.MulticlassConfusionMatrix(n_classes, validate_args=False)
    peer.update(t_pred, t_true)
    updaters["torchmetrics MulticlassConfusionMatrix"] = (peer.update, (t_pred, t_true))
    return updaters
