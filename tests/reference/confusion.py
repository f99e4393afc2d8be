"""Slow, obviously-correct confusion counts and the metrics read off them: the oracle for the
kernels of ``modelmetrics.kernels.confusion`` and for semantic segmentation.

Plain Python over Python ints: labels are visited one by one in C order (``.tolist()`` of the
flattened arrays), and every ratio is a :class:`fractions.Fraction` turned into a float at the
very end (so each value is the correctly rounded ratio). No NumPy arithmetic.

Rules
-----
* A truth label equal to ``ignore`` is left out on both sides. With ``shift`` (mmsegmentation's
  ``reduce_zero_label``) a truth 0 is left out too, and every other truth label is lowered by one.
* Any other label, truth or prediction, must lie in ``[0, n_classes)``; :func:`confusion` raises
  :class:`OutOfRange` with how many pairs hold one, on which side, and the first (C order).
* Undefined ratios (zero denominators) are ``None`` unless ``zero_division`` is a number; means
  are over the values that are not ``None``.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["OutOfRange", "confusion", "segmentation_metrics", "weighted_confusion"]


class OutOfRange(ValueError):
    """Raised by :func:`confusion`; attributes ``n_true``, ``n_pred`` (pairs with a bad truth,
    resp. a good truth and a bad prediction), ``index``, ``side`` (0 truth, 1 prediction),
    ``value``."""

    def __init__(self, n_true, n_pred, index, side, value):
        super().__init__(f"{n_true + n_pred} out of range; first {value} on side {side} at {index}")
        self.n_true, self.n_pred, self.index, self.side, self.value = n_true, n_pred, index, side, value


def _flat(array) -> list:
    return [int(v) for v in array.reshape(-1).tolist()] if hasattr(array, "reshape") else [int(v) for v in array]


def _pairs(gt, pred, n_classes, ignore, shift):
    """Yield (index, truth class or None for ignored, prediction) and check the ranges."""
    truth, predicted = _flat(gt), _flat(pred)
    assert len(truth) == len(predicted)
    n_true = n_pred = 0
    first = None
    kept = []
    for i, (g, p) in enumerate(zip(truth, predicted)):
        if ignore is not None and g == ignore:
            kept.append((i, None, p))
            continue
        if shift and g == 0:
            kept.append((i, None, p))
            continue
        g = g - shift
        if not 0 <= g < n_classes:
            n_true += 1
            if first is None:
                first = (i, 0, g + shift)
            continue
        if not 0 <= p < n_classes:
            n_pred += 1
            if first is None:
                first = (i, 1, p)
            continue
        kept.append((i, g, p))
    if first is not None:
        raise OutOfRange(n_true, n_pred, *first)
    return kept


def confusion(gt, pred, n_classes, *, ignore=None, shift=0):
    """Counts ``matrix[t][p]`` (lists of ints) and the number of ignored pairs."""
    matrix = [[0] * n_classes for _ in range(n_classes)]
    ignored = 0
    for _, g, p in _pairs(gt, pred, n_classes, ignore, shift):
        if g is None:
            ignored += 1
        else:
            matrix[g][p] += 1
    return matrix, ignored


def weighted_confusion(gt, pred, weights, n_classes, *, ignore=None):
    """Sums of ``weights`` per cell (exact: Fractions of the float weights), as floats."""
    matrix = [[Fraction(0)] * n_classes for _ in range(n_classes)]
    w = [float(x) for x in weights]
    for i, g, p in _pairs(gt, pred, n_classes, ignore, 0):
        if g is not None:
            matrix[g][p] += Fraction(w[i])
    return [[float(v) for v in row] for row in matrix]


def _ratio(num, den, zero_division):
    if den == 0:
        return zero_division
    return float(Fraction(num, den))


def _mean(values):
    kept = [Fraction(v) for v in values if v is not None]
    return float(sum(kept) / len(kept)) if kept else None


def segmentation_metrics(matrix, *, zero_division=None):
    """The semantic segmentation metrics of a count matrix (lists of ints): the four means and
    per class ``iou``, ``dice``, ``precision``, ``recall``, ``support``, by class index."""
    n = len(matrix)
    tp = [matrix[c][c] for c in range(n)]
    support = [sum(matrix[c]) for c in range(n)]
    predicted = [sum(matrix[r][c] for r in range(n)) for c in range(n)]
    total = sum(support)
    per_class = []
    for c in range(n):
        union = support[c] + predicted[c] - tp[c]
        per_class.append({
            "iou": _ratio(tp[c], union, zero_division),
            "dice": _ratio(2 * tp[c], support[c] + predicted[c], zero_division),
            "precision": _ratio(tp[c], predicted[c], zero_division),
            "recall": _ratio(tp[c], support[c], zero_division),
            "support": support[c],
        })
    fw = None
    if total:
        fw = float(sum(Fraction(support[c] * tp[c], support[c] + predicted[c] - tp[c])
                       for c in range(n) if support[c]) / total)
    return {
        "mean-iou": _mean(row["iou"] for row in per_class),
        "pixel-accuracy": _ratio(sum(tp), total, None),
        "mean-accuracy": _mean(row["recall"] for row in per_class),
        "frequency-weighted-iou": fw,
        "per-class": per_class,
    }
