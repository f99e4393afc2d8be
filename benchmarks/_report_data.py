"""Synthetic job-state documents (classification, semantic segmentation) with any number of
classes and logged losses: the data of the report benchmark and of the report tests.

Metric values follow DESIGN.md's keys and are computed from a random confusion matrix; the last
class has no samples and is never predicted (its per-class values are null, with reasons).
"""

from __future__ import annotations

import numpy as np

from modelmetrics.runs import format_timestamp

__all__ = ["job_state"]

START_NS = 1_660_676_941_579_586_500


def _ratio(num, den, what, name, undefined):
    if den == 0:
        undefined[f"per-class/{name}/{what}"] = f"no {'predictions' if what == 'precision' else 'samples'} of this class"
        return None
    return float(num / den)


def _classification(matrix, names):
    rows, cols, diag, total = matrix.sum(1), matrix.sum(0), np.diag(matrix), matrix.sum()
    per_class, undefined = {}, {}
    for k, name in enumerate(names):
        p = _ratio(diag[k], cols[k], "precision", name, undefined)
        r = _ratio(diag[k], rows[k], "recall", name, undefined)
        f1 = _ratio(2 * diag[k], rows[k] + cols[k], "f1-score", name, undefined)
        per_class[name] = {"precision": p, "recall": r, "f1-score": f1,
                           "accuracy": float((total - rows[k] - cols[k] + 2 * diag[k]) / total),
                           "support": int(rows[k])}
    macro = {key: float(np.mean([row[key] for row in per_class.values() if row[key] is not None]))
             for key in ("precision", "recall", "f1-score")}
    return {"accuracy": float(diag.sum() / total), "balanced-accuracy": macro["recall"], **macro,
            "per-class": per_class,
            "confusion-matrix": {"labels": list(names), "matrix": matrix.tolist()},
            "undefined": undefined}


def _segmentation(matrix, names):
    rows, cols, diag, total = matrix.sum(1), matrix.sum(0), np.diag(matrix), matrix.sum()
    per_class, undefined = {}, {}
    for k, name in enumerate(names):
        per_class[name] = {"iou": _ratio(diag[k], rows[k] + cols[k] - diag[k], "iou", name, undefined),
                           "dice": _ratio(2 * diag[k], rows[k] + cols[k], "dice", name, undefined),
                           "precision": _ratio(diag[k], cols[k], "precision", name, undefined),
                           "recall": _ratio(diag[k], rows[k], "recall", name, undefined),
                           "support": int(rows[k])}
    iou = np.array([np.nan if r["iou"] is None else r["iou"] for r in per_class.values()])
    return {"mean-iou": float(np.nanmean(iou)), "pixel-accuracy": float(diag.sum() / total),
            "mean-accuracy": float(np.mean(diag[rows > 0] / rows[rows > 0])),
            "frequency-weighted-iou": float(np.nansum(rows / total * iou)),
            "per-class": per_class, "undefined": undefined}


def job_state(model_type: str = "classification", *, num_classes: int = 5, n_losses: int = 20,
              splits=("train", "validation", "test"), seed: int = 0, names=None) -> dict:
    """A valid job-state document of ``model_type`` ("classification" or
    "semantic-segmentation") with ``num_classes`` classes and ``n_losses`` logged losses
    (a validation loss every other step, 0.5 s apart)."""
    rng = np.random.default_rng(seed)
    names = list(names) if names is not None else [f"class-{k:04d}" for k in range(num_classes)]
    metrics, stats, accuracies = {}, {}, {}
    for split in splits:
        K = len(names)
        matrix = rng.integers(0, 4, (K, K)) * (rng.random((K, K)) < min(1.0, 20 / K))
        matrix[np.arange(K), np.arange(K)] += rng.integers(5, 60, K)
        matrix[-1, :] = 0
        matrix[:, -1] = 0
        build = _classification if model_type == "classification" else _segmentation
        metrics[split] = build(matrix, names)
        metrics[split]["loss"] = float(rng.uniform(0.2, 0.4))
        stats[split] = {model_type: {n: int(c) for n, c in zip(names, matrix.sum(1))}}
        accuracy = metrics[split].get("accuracy", metrics[split].get("pixel-accuracy"))
        accuracies[split] = {"accuracy": accuracy, "threshold": 0.5}
    steps = np.arange(n_losses)
    losses = 2.0 / (1 + 0.05 * steps) + rng.normal(0, 0.05, n_losses)
    validation = [float(v) if k % 2 else None for k, v in enumerate(losses + 0.1)]
    return {"modelType": model_type, "running": False, "successful": True, "error": False,
            "metrics": metrics, "datasetStats": stats, "losses": losses.tolist(),
            "validationLosses": validation,
            "lossTimestamps": [format_timestamp(START_NS + k * 500_000_000) for k in steps],
            "startTime": START_NS / 1e9, "duration": n_losses * 0.5, "accuracies": accuracies}
