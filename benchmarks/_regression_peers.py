"""Regression workloads and the peer implementations they are measured against.

One table drives the asv suite, the pytest-benchmark comparison and the test that checks every
peer computes the same six numbers as modelmetrics (so the benchmark compares like with like).
"""

from __future__ import annotations

import numpy as np


def make_pairs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` float64 (truth, prediction) pairs: truth ~ N(50, 20), prediction = truth + N(0, 3)."""
    rng = np.random.default_rng(seed)
    y_true = rng.normal(50.0, 20.0, n)
    y_pred = y_true + rng.normal(0.0, 3.0, n)
    return y_true, y_pred


def ours(y_true, y_pred) -> dict:
    import modelmetrics as mm

    return mm.regression_metrics(y_true, y_pred)


def numpy_idiom(y_true, y_pred) -> dict:
    """What a careful NumPy user writes: shared temporaries, one reduction per metric."""
    error = y_pred - y_true
    abs_error = np.abs(error)
    squared = error * error
    mse = squared.mean()
    true_var = y_true.var()
    return {
        "mean-error": float(error.mean()),
        "max-error": float(abs_error.max()),
        "mean-absolute-error": float(abs_error.mean()),
        "mean-squared-error": float(mse),
        "r2-score": float(1.0 - mse / true_var),
        "explained-variance-score": float(1.0 - error.var() / true_var),
    }


def scikit_learn(y_true, y_pred) -> dict:
    """Six scikit-learn calls (mean error has no scikit-learn function: NumPy)."""
    from sklearn import metrics

    return {
        "mean-error": float(np.mean(y_pred - y_true)),
        "max-error": float(metrics.max_error(y_true, y_pred)),
        "mean-absolute-error": float(metrics.mean_absolute_error(y_true, y_pred)),
        "mean-squared-error": float(metrics.mean_squared_error(y_true, y_pred)),
        "r2-score": float(metrics.r2_score(y_true, y_pred)),
        "explained-variance-score": float(metrics.explained_variance_score(y_true, y_pred)),
    }


#: name -> callable(y_true, y_pred) -> dict of the six metric keys
ONE_SHOT = {"modelmetrics": ours, "numpy": numpy_idiom, "scikit-learn": scikit_learn}


def streaming_updaters(batch: int = 1000):
    """name -> (update callable, batch arrays) for per-batch ``update`` cost in a training loop.

    Peers missing from the environment are left out (torchmetrics is a bench extra).
    """
    import modelmetrics as mm

    y_true, y_pred = make_pairs(batch, seed=1)
    metric = mm.RegressionMetrics()
    metric.update(y_true, y_pred)  # JIT warm-up, outside any timed region
    updaters = {"modelmetrics (all six)": (metric.update, (y_true, y_pred))}
    try:
        import torch
        import torchmetrics
    except ImportError:
        return updaters
    t, p = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    for name, cls in (("torchmetrics MeanSquaredError", torchmetrics.MeanSquaredError),
                      ("torchmetrics R2Score", torchmetrics.R2Score)):
        peer = cls().double()
        peer.update(p, t)
        updaters[name] = (peer.update, (p, t))
    return updaters
