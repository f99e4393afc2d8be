"""Loss-curve helpers: smoothing, best epoch and where the loss stopped improving.

Entries that are ``None`` or NaN (a step without a measurement, a diverged loss) are skipped by
every helper; they never poison the others.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import parameter_error

__all__ = ["best_epoch", "convergence", "smooth"]


def _values(losses, name: str) -> np.ndarray:
    """float64 copy with NaN where a value is missing."""
    out = np.array([np.nan if v is None else float(v) for v in losses], dtype=np.float64)
    if out.ndim != 1:
        raise parameter_error(name, "the loss helpers", "a sequence of numbers", losses)
    return out


def smooth(losses, weight: float = 0.6) -> list:
    """Exponential moving average, debiased (as TensorBoard's smoothing slider).

    ``s_t = weight * s_(t-1) + (1 - weight) * x_t``, divided by ``1 - weight ** n`` where ``n``
    counts the values seen, so the first points are not pulled towards zero. Missing values
    (None or NaN) stay None and do not move the average.

    Parameters
    ----------
    losses : sequence of float or None, shape (n,)
    weight : float in [0, 1), default 0.6
        0 returns the values unchanged.

    Returns
    -------
    list of float or None, length n

    Examples
    --------
    >>> smooth([4.0, 2.0, None, 1.0], weight=0.5)
    [4.0, 2.6666666666666665, None, 1.7142857142857142]
    """
    if not (isinstance(weight, (int, float)) and 0.0 <= weight < 1.0):
        raise parameter_error("weight", "smooth", "a number in [0, 1)", weight)
    values = _values(losses, "losses")
    out: list = []
    average = 0.0
    seen = 0
    for value in values.tolist():
        if math.isnan(value):
            out.append(None)
            continue
        average = weight * average + (1.0 - weight) * value
        seen += 1
        out.append(average / (1.0 - weight**seen) if weight else value)
    return out


def best_epoch(losses) -> int | None:
    """Index of the lowest loss (the first one on ties); None when no value is defined.

    Examples
    --------
    >>> best_epoch([3.0, 1.0, 2.0, 1.0])
    1
    """
    values = _values(losses, "losses")
    if np.all(np.isnan(values)):
        return None
    return int(np.nanargmin(values))


def convergence(losses, *, patience: int = 5, min_delta: float = 0.0) -> dict:
    """Where the loss stopped improving, as early stopping would see it.

    An index improves on the best so far when its loss is lower by more than ``min_delta``.
    The curve has converged at the last improvement when ``patience`` or more measured values
    follow it without a further improvement.

    Parameters
    ----------
    losses : sequence of float or None, shape (n,)
    patience : int, default 5
    min_delta : float, default 0.0

    Returns
    -------
    dict
        ``best_epoch`` (index of the lowest loss or None), ``best_loss``, ``converged`` (bool),
        ``converged_at`` (index of the last improvement when converged, else None),
        ``epochs_since_improvement`` (measured values after the last improvement).

    Examples
    --------
    >>> convergence([5.0, 3.0, 2.9, 2.95, 2.92, 2.91], patience=3, min_delta=0.05)
    {'best_epoch': 2, 'best_loss': 2.9, 'converged': True, 'converged_at': 2, 'epochs_since_improvement': 3}
    """
    if not (isinstance(patience, int) and not isinstance(patience, bool) and patience >= 1):
        raise parameter_error("patience", "convergence", "a positive int", patience)
    if not (isinstance(min_delta, (int, float)) and min_delta >= 0):
        raise parameter_error("min_delta", "convergence", "a number >= 0", min_delta)
    values = _values(losses, "losses")
    reference = math.inf
    last_improvement = None
    since = 0
    for index, value in enumerate(values.tolist()):
        if math.isnan(value):
            continue
        if value < reference - min_delta:
            reference = value
            last_improvement = index
            since = 0
        else:
            since += 1
    best = best_epoch(values)
    converged = last_improvement is not None and since >= patience
    return {"best_epoch": best, "best_loss": None if best is None else float(values[best]),
            "converged": converged, "converged_at": last_improvement if converged else None,
            "epochs_since_improvement": since}
