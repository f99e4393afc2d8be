"""Regression summaries the page draws: predicted vs true (a sample) and the error histogram."""

from __future__ import annotations

import numpy as np

from .._validation import parameter_error
from ..exceptions import InvalidInputError

__all__ = ["regression_summary"]


def regression_summary(y_true, y_pred, *, bins: int = 30, max_points: int = 1000) -> dict:
    """Predicted-vs-true pairs and a histogram of the errors, as job-state metric entries.

    Add the result to a split's metrics (``run.metrics[split].update(...)``): the report draws
    ``predicted-vs-true`` as a scatter plot and ``error-histogram`` as bars.

    Parameters
    ----------
    y_true, y_pred : array-like of float, shape (n,)
        Finite values.
    bins : int, default 30
        Histogram bins over the range of ``y_pred - y_true``.
    max_points : int, default 1000
        At most this many pairs are kept (evenly spaced in the input order).

    Returns
    -------
    dict
        ``{"predicted-vs-true": {"true", "predicted", "n-samples"},
        "error-histogram": {"edges" (bins + 1), "counts" (bins)}}``.

    Examples
    --------
    >>> s = regression_summary([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.5, 4.0], bins=2)
    >>> s["error-histogram"]
    {'edges': [-0.5, 0.0, 0.5], 'counts': [1, 3]}
    >>> s["predicted-vs-true"]["n-samples"]
    4
    """
    for name, value in (("bins", bins), ("max_points", max_points)):
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            raise parameter_error(name, "regression_summary", "a positive int", value)
    true = np.asarray(y_true, dtype=np.float64).ravel()
    pred = np.asarray(y_pred, dtype=np.float64).ravel()
    if true.shape != pred.shape or true.size == 0:
        raise InvalidInputError(f"regression_summary needs y_true and y_pred of the same, "
                                f"non-zero length. Got {true.size} and {pred.size} values.")
    if not (np.isfinite(true).all() and np.isfinite(pred).all()):
        raise InvalidInputError("regression_summary: y_true and y_pred must be finite (drop "
                                "NaN / infinite pairs first).")
    counts, edges = np.histogram(pred - true, bins=bins)
    keep = np.unique(np.linspace(0, true.size - 1, min(max_points, true.size)).round().astype(int))
    return {"predicted-vs-true": {"true": true[keep].tolist(), "predicted": pred[keep].tolist(),
                                  "n-samples": int(true.size)},
            "error-histogram": {"edges": edges.tolist(), "counts": counts.tolist()}}
