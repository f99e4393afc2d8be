"""Slow, obviously-correct regression metrics: the oracle the Numba kernels are tested against.

Plain Python loops over Python floats, sums with :func:`math.fsum` (exactly rounded), two passes
wherever a mean is subtracted. Every function takes one output: 1-D sequences ``y_true``,
``y_pred`` and optionally ``sample_weight`` (weights default to 1). Errors are
``e = y_pred - y_true``. Samples with weight 0 do not count anywhere; if no sample has a
positive weight every function returns ``None``.

Constant targets are detected exactly (all ``y_true`` of positively weighted samples equal), and
R² / explained variance then follow scikit-learn's ``force_finite=True`` convention (1.0 for a
perfect fit, else 0.0), or are ``None`` with ``force_finite=False``.

:func:`per_output` applies any of them to each column of 2-D inputs.
"""

from __future__ import annotations

import math

__all__ = [
    "accuracy",
    "explained_variance_score",
    "max_error",
    "mean_absolute_error",
    "mean_error",
    "mean_squared_error",
    "per_output",
    "r2_score",
]


def _triples(y_true, y_pred, sample_weight):
    """Lists of Python floats (t, p, w) restricted to samples with positive weight."""
    t = [float(v) for v in y_true]
    p = [float(v) for v in y_pred]
    w = [1.0] * len(t) if sample_weight is None else [float(v) for v in sample_weight]
    assert len(t) == len(p) == len(w), "reference: inputs must have the same length"
    kept = [(ti, pi, wi) for ti, pi, wi in zip(t, p, w) if wi > 0.0]
    return kept


def _weighted_mean(values, weights):
    return math.fsum(w * v for v, w in zip(values, weights)) / math.fsum(weights)


def mean_error(y_true, y_pred, sample_weight=None):
    """Σ w·(p − t) / Σ w."""
    kept = _triples(y_true, y_pred, sample_weight)
    if not kept:
        return None
    total = math.fsum(w * (p - t) for t, p, w in kept)
    return total / math.fsum(w for _, _, w in kept)


def max_error(y_true, y_pred, sample_weight=None):
    """max |p − t| over samples with w > 0."""
    kept = _triples(y_true, y_pred, sample_weight)
    if not kept:
        return None
    best = 0.0
    for t, p, _ in kept:
        if abs(p - t) > best:
            best = abs(p - t)
    return best


def mean_absolute_error(y_true, y_pred, sample_weight=None):
    """Σ w·|p − t| / Σ w."""
    kept = _triples(y_true, y_pred, sample_weight)
    if not kept:
        return None
    total = math.fsum(w * abs(p - t) for t, p, w in kept)
    return total / math.fsum(w for _, _, w in kept)


def mean_squared_error(y_true, y_pred, sample_weight=None):
    """Σ w·(p − t)² / Σ w."""
    kept = _triples(y_true, y_pred, sample_weight)
    if not kept:
        return None
    total = math.fsum(w * (p - t) * (p - t) for t, p, w in kept)
    return total / math.fsum(w for _, _, w in kept)


def _undefined_ratio(perfect, force_finite):
    if not force_finite:
        return None
    return 1.0 if perfect else 0.0


def r2_score(y_true, y_pred, sample_weight=None, *, force_finite=True):
    """1 − Σ w·(p − t)² / Σ w·(t − t̄)², t̄ the weighted mean of t."""
    kept = _triples(y_true, y_pred, sample_weight)
    if not kept:
        return None
    ts = [t for t, _, _ in kept]
    ws = [w for _, _, w in kept]
    if len(set(ts)) == 1:  # constant targets: SS_tot is exactly zero
        return _undefined_ratio(all(p == t for t, p, _ in kept), force_finite)
    t_mean = _weighted_mean(ts, ws)
    ss_tot = math.fsum(w * (t - t_mean) * (t - t_mean) for t, _, w in kept)
    ss_res = math.fsum(w * (p - t) * (p - t) for t, p, w in kept)
    return 1.0 - ss_res / ss_tot


def explained_variance_score(y_true, y_pred, sample_weight=None, *, force_finite=True):
    """1 − Var_w(p − t) / Var_w(t)."""
    kept = _triples(y_true, y_pred, sample_weight)
    if not kept:
        return None
    ts = [t for t, _, _ in kept]
    es = [p - t for t, p, _ in kept]
    ws = [w for _, _, w in kept]
    if len(set(ts)) == 1:
        return _undefined_ratio(len(set(es)) == 1, force_finite)
    t_mean = _weighted_mean(ts, ws)
    e_mean = _weighted_mean(es, ws)
    var_t = math.fsum(w * (t - t_mean) * (t - t_mean) for t, w in zip(ts, ws))
    var_e = math.fsum(w * (e - e_mean) * (e - e_mean) for e, w in zip(es, ws))
    return 1.0 - var_e / var_t  # the 1 / Σw factors cancel


def accuracy(y_true, y_pred, sample_weight=None, *, threshold=0.5):
    """Weighted share of samples with |p − t| <= threshold."""
    kept = _triples(y_true, y_pred, sample_weight)
    if not kept:
        return None
    within = math.fsum(w for t, p, w in kept if abs(p - t) <= threshold)
    return within / math.fsum(w for _, _, w in kept)


def per_output(function, y_true, y_pred, sample_weight=None, **options):
    """``function`` applied to each column of 2-D ``y_true`` / ``y_pred`` (lists of rows or
    arrays); a list with one value per output."""
    rows_t = [list(row) for row in y_true]
    rows_p = [list(row) for row in y_pred]
    n_outputs = len(rows_t[0])
    return [function([row[j] for row in rows_t], [row[j] for row in rows_p], sample_weight, **options)
            for j in range(n_outputs)]
