"""Static figures for notebooks and papers (matplotlib, the optional ``plot`` extra:
``pip install "modelmetrics[plot]"``). matplotlib is imported on first use only.

Each function returns the matplotlib ``Figure``; pass ``ax`` to draw into an existing axes.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import InvalidInputError
from ._data import page_data

__all__ = ["confusion_matrix", "loss", "pr_curves"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("modelmetrics.plot needs matplotlib: install the 'plot' extra, "
                          "pip install \"modelmetrics[plot]\"") from None
    return plt


def _axes(ax):
    if ax is not None:
        return ax.figure, ax
    return _pyplot().subplots(figsize=(7, 4.5))


def _split_metrics(result_or_run, split: str) -> dict:
    """The job-state metrics of one split, from a run / job-state document / path, or from a
    result object (anything with ``to_dict()`` in the export format)."""
    if hasattr(result_or_run, "to_dict") and not hasattr(result_or_run, "loss_summary"):
        return result_or_run.to_dict()
    metrics = page_data(result_or_run)["metrics"]
    if split not in metrics:
        raise InvalidInputError(f"The run has no {split!r} results (it has: "
                                f"{', '.join(metrics) or 'none'}); pass split=...")
    return metrics[split]


def _values(seq) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in seq], dtype=float)


def loss(run, *, ax=None):
    """Training and validation loss against time, smoothed, with the best epoch marked.

    Parameters
    ----------
    run : TrainingRun, dict or path
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import modelmetrics as mm
    >>> run = mm.TrainingRun(model_type="regression")
    >>> for k in range(5): run.log_loss(1.0 / (k + 1), validation_loss=1.2 / (k + 1))
    >>> fig = mm.plot.loss(run)
    >>> [line.get_label() for line in fig.axes[0].lines if not line.get_label().startswith("_")]
    ['training', 'validation', 'best epoch 4']
    """
    data = page_data(run)["loss"]
    fig, ax = _axes(ax)
    x = np.asarray(data["x"], dtype=float)
    for name, color in (("train", "C0"), ("validation", "C1")):
        raw = _values(data[name])
        if np.all(np.isnan(raw)):
            continue
        smoothed = _values(data["smoothedTrain" if name == "train" else "smoothedValidation"])
        ax.plot(x, raw, color=color, alpha=0.3, linewidth=1)
        ax.plot(x, smoothed, color=color, linewidth=2,
                label="training" if name == "train" else "validation")
    if data["bestEpoch"] is not None:
        ax.axvline(x[data["bestEpoch"]], color="C2", linestyle="--", linewidth=1)
        ax.plot([x[data["bestEpoch"]]], [data["bestLoss"]], "o", color="C2",
                label=f"best epoch {data['bestEpoch']}")
    ax.set_xlabel("seconds since the first loss" if data["axis"] == "time" else "step")
    ax.set_ylabel("loss")
    ax.legend()
    return fig


def confusion_matrix(result_or_run, *, split: str = "test", normalize: bool = True,
                     top: int | None = None, ax=None):
    """The confusion matrix (rows: labeled, columns: predicted), row-normalized by default.

    Parameters
    ----------
    result_or_run : result object, TrainingRun, dict or path
        A classification / detection result (with ``to_dict()``) or a run.
    split : str, default "test"
        The result set, when a run is given.
    normalize : bool, default True
        Colour by share of the row (the counts are written in the cells up to 30 classes).
    top : int, optional
        Only the ``top`` classes with most labeled samples.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import modelmetrics as mm
    >>> doc = {"confusion-matrix": {"labels": ["cat", "dog"], "matrix": [[3, 1], [0, 4]]}}
    >>> run = mm.TrainingRun(model_type="classification").set_metrics("test", doc)
    >>> mm.plot.confusion_matrix(run).axes[0].images[0].get_array().tolist()
    [[0.75, 0.25], [0.0, 1.0]]
    """
    metrics = _split_metrics(result_or_run, split)
    if "confusion-matrix" not in metrics:
        raise InvalidInputError(f"The {split!r} results have no 'confusion-matrix'.")
    labels = metrics["confusion-matrix"]["labels"]
    matrix = np.asarray(metrics["confusion-matrix"]["matrix"], dtype=float)
    keep = np.arange(len(labels))
    if top is not None:
        keep = np.argsort(-matrix.sum(axis=1), kind="stable")[:top]
    matrix = matrix[np.ix_(keep, keep)]
    shown = matrix
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        shown = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    fig, ax = _axes(ax)
    image = ax.imshow(shown, cmap="Blues")
    fig.colorbar(image, ax=ax)
    names = [labels[k] for k in keep]
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.set_yticks(range(len(names)), names)
    if len(names) <= 30:
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("labeled")
    return fig


def pr_curves(result_or_run, *, split: str = "test", classes=None, ax=None):
    """Precision–recall curves per class (detection), from ``pr-curves`` in the export.

    Parameters
    ----------
    result_or_run : CocoEvaluation, TrainingRun, dict or path
    split : str, default "test"
    classes : sequence of str, optional
        Which classes (default: all with a curve).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import modelmetrics as mm
    >>> doc = {"pr-curves": {"cat": {"recall": [0.0, 0.5, 1.0], "precision": [1.0, 0.8, 0.0]}}}
    >>> run = mm.TrainingRun(model_type="object-detection").set_metrics("test", doc)
    >>> mm.plot.pr_curves(run).axes[0].lines[0].get_ydata().tolist()
    [1.0, 0.8, 0.0]
    """
    curves = _split_metrics(result_or_run, split).get("pr-curves")
    if not curves:
        raise InvalidInputError(f"The {split!r} results have no 'pr-curves' (detection "
                                f"evaluations export them).")
    names = list(curves) if classes is None else list(classes)
    unknown = [n for n in names if n not in curves]
    if unknown:
        raise InvalidInputError(f"No precision-recall curve for class(es) {unknown[:5]}.")
    fig, ax = _axes(ax)
    for name in names:
        ax.plot(curves[name]["recall"], _values(curves[name]["precision"]),
                label=name if len(names) <= 12 else None)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    if len(names) <= 12:
        ax.legend()
    return fig
