"""What the Performance page shows, as one JSON-ready dict (the page's data island).

The split metrics are embedded exactly as the job-state document holds them; this module only
adds what the page derives from the document: the model type, the headline numbers, the loss
curves against time (smoothed, best epoch) and the per-class table's columns.
"""

from __future__ import annotations

import copy
import os

from ..exceptions import InvalidInputError
from ..runs import MODEL_TYPES, TrainingRun, load_run, parse_timestamp

__all__ = ["HEADLINE", "SPLIT_LABELS", "page_data", "to_run"]

# Result sets in the order the product lists them, with their labels.
SPLIT_LABELS = {"test": "Test", "train": "Training", "validation": "Validation"}
# Headline numbers per model type: (metric key, label); "loss" is shown when the split has it.
HEADLINE = {
    "object-detection": (("loss", "Loss"), ("mean-average-precision", "mAP")),
    "instance-segmentation": (("loss", "Loss"), ("mean-average-precision", "mAP")),
    "semantic-segmentation": (("loss", "Loss"), ("mean-iou", "Mean IoU")),
    "classification": (("loss", "Loss"), ("accuracy", "Accuracy")),
    "regression": (("loss", "Loss"), ("mean-squared-error", "MSE"),
                   ("mean-absolute-error", "MAE")),
}
HEADLINE_SPLITS = ("test", "validation")
# Per-class columns (key, label) in display order; keys absent from the data are dropped.
PER_CLASS_COLUMNS = (
    ("average-precision", "AP"), ("iou", "IoU"), ("dice", "Dice"), ("precision", "Precision"),
    ("recall", "Recall"), ("f1-score", "F1"), ("accuracy", "Accuracy"),
    ("true-positives", "TP"), ("false-positives", "FP"), ("false-negatives", "FN"),
    ("support", "Support"),
)
SMOOTHING = 0.6


def to_run(run_or_path) -> TrainingRun:
    """A :class:`~modelmetrics.TrainingRun` from a run, a job-state dict or a file path
    (validated against the job-state schema)."""
    if isinstance(run_or_path, TrainingRun):
        return run_or_path
    if isinstance(run_or_path, dict):
        return TrainingRun.from_dict(run_or_path)
    if isinstance(run_or_path, (str, os.PathLike)):
        return load_run(run_or_path)
    raise InvalidInputError(f"The report needs a TrainingRun, a job-state dict or the path of a "
                            f"job-state JSON file. Got a {type(run_or_path).__name__}.")


def _document(run: TrainingRun) -> dict:
    """``run.to_dict()`` without deep-copying the metrics (the page only reads them; a
    1,000-class confusion matrix per split would take most of the render time)."""
    shell = copy.copy(run)
    shell.metrics = {}
    document = shell.to_dict()
    document["metrics"] = run.metrics
    return document


def _model_type(document: dict) -> str | None:
    """``modelType``, else the task named by the dataset statistics, else a guess from the
    metric keys; None when nothing tells."""
    if document.get("modelType"):
        return document["modelType"]
    tasks = {task for stats in document["datasetStats"].values() for task in stats}
    if len(tasks) == 1:
        return tasks.pop()
    keys = {key for metrics in document["metrics"].values() for key in metrics}
    for model_type, marker in (("object-detection", "mean-average-precision"),
                               ("semantic-segmentation", "mean-iou"),
                               ("regression", "mean-squared-error"),
                               ("classification", "accuracy")):
        if marker in keys:
            return model_type
    return None


def _headline(document: dict, model_type: str | None) -> list:
    """``[{split, label, items: [{key, label, value}]}]`` for the test and validation sets."""
    out = []
    for split in HEADLINE_SPLITS:
        metrics = document["metrics"].get(split)
        if metrics is None:
            continue
        items = [{"key": key, "label": label, "value": metrics[key]}
                 for key, label in HEADLINE.get(model_type, ()) if key in metrics]
        out.append({"split": split, "label": SPLIT_LABELS[split], "items": items})
    return out


def _loss_curves(run: TrainingRun, document: dict) -> dict:
    """Losses against seconds since the first timestamp (or against the step when the
    timestamps do not line up), their smoothed curves and the best epoch."""
    losses, validation = document["losses"], document["validationLosses"]
    stamps = document["lossTimestamps"]
    if stamps and len(stamps) == len(losses):
        ns = [parse_timestamp(s) for s in stamps]
        x, axis = [(t - ns[0]) / 1e9 for t in ns], "time"
    else:
        x, axis = list(range(len(losses))), "step"
    if len(validation) != len(losses):
        validation = [None] * len(losses)
    summary = run.loss_summary(smoothing=SMOOTHING) if losses else {}
    has_validation = any(v is not None for v in validation)
    return {"axis": axis, "x": x, "train": losses, "validation": validation,
            "smoothedTrain": summary.get("smoothed-losses", []),
            "smoothedValidation": (summary.get("smoothed-validation-losses", [])
                                   if has_validation else []),
            "smoothing": SMOOTHING, "bestEpoch": summary.get("best_epoch"),
            "bestLoss": summary.get("best_loss"),
            "bestCurve": "validation" if has_validation else "train"}


def _per_class_columns(metrics: dict) -> list:
    """The per-class columns present in the data; support always (from ``datasetStats`` when
    the rows do not carry it)."""
    present = set()
    for split_metrics in metrics.values():
        for row in split_metrics.get("per-class", {}).values():
            present.update(row)
    if present:
        present.add("support")
    return [{"key": key, "label": label} for key, label in PER_CLASS_COLUMNS if key in present]


def page_data(run_or_path) -> dict:
    """Everything the Performance page shows, as embedded in the page (JSON-ready).

    Parameters
    ----------
    run_or_path : TrainingRun, dict or path
        A run, a job-state document or the path of a job-state JSON file.

    Returns
    -------
    dict
        ``modelType``, ``status``, ``splits`` (present result sets, product order),
        ``splitLabels``, ``headline``, ``loss`` (curves, smoothing, ``bestEpoch``),
        ``perClassColumns``, and the document's ``metrics``, ``datasetStats``,
        ``accuracies`` and ``undefined`` unchanged.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> run = mm.TrainingRun(model_type="regression", start_time=0.0)
    >>> run.log_loss(3.0, validation_loss=3.5); run.log_loss(2.0, validation_loss=2.5)
    >>> _ = run.set_metrics("test", mm.RegressionMetrics().update([1.0, 2.0], [1.0, 3.0]).compute())
    >>> data = page_data(run)
    >>> data["headline"][0]["items"][0]
    {'key': 'mean-squared-error', 'label': 'MSE', 'value': 0.5}
    >>> data["loss"]["bestEpoch"]
    1
    """
    run = to_run(run_or_path)
    document = _document(run)
    model_type = _model_type(document)
    if model_type is not None and model_type not in MODEL_TYPES:
        raise InvalidInputError(f"Unknown model type {model_type!r} in the job-state document; "
                                f"expected one of {', '.join(MODEL_TYPES)}.")
    splits = [s for s in SPLIT_LABELS if s in document["metrics"]]
    return {
        "modelType": model_type, "status": run.status, "splits": splits,
        "splitLabels": SPLIT_LABELS, "headline": _headline(document, model_type),
        "loss": _loss_curves(run, document),
        "perClassColumns": _per_class_columns(document["metrics"]),
        "metrics": document["metrics"], "datasetStats": document["datasetStats"],
        "accuracies": document["accuracies"], "undefined": document.get("undefined", {}),
    }
