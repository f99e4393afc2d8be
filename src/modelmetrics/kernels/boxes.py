"""Box IoU, with COCO's crowd variant, bit-identical to COCO's ``bbIou``.

Boxes enter as corners plus area, so both input formats give COCO's exact values: for
``[x, y, w, h]`` the corners are ``x2 = x + w``, ``y2 = y + h`` and the area ``w * h`` (the
operations ``bbIou`` performs); for ``[x1, y1, x2, y2]`` the area is ``(x2 − x1) * (y2 − y1)``.
"""

import numpy as np
from numba import njit

from .._config import jit_options


@njit(**jit_options())
def corners_from_xywh(xywh, out):
    """``out[i] = (x, y, x + w, y + h, w * h)`` for rows ``(x, y, w, h)``; shapes (n, 4) → (n, 5).

    Returns (first bad row or -1, number of bad rows): a row is bad unless its four values are
    finite with ``w, h >= 0``.
    """
    first_bad = -1
    n_bad = 0
    for i in range(xywh.shape[0]):
        x = np.float64(xywh[i, 0])
        y = np.float64(xywh[i, 1])
        w = np.float64(xywh[i, 2])
        h = np.float64(xywh[i, 3])
        out[i, 0] = x
        out[i, 1] = y
        out[i, 2] = w + x
        out[i, 3] = h + y
        out[i, 4] = w * h
        if not (np.isfinite(x) and np.isfinite(y) and np.isfinite(w) and np.isfinite(h)
                and w >= 0.0 and h >= 0.0):
            first_bad = i if first_bad < 0 else first_bad
            n_bad += 1
    return first_bad, n_bad


@njit(**jit_options())
def corners_from_xyxy(xyxy, out):
    """``out[i] = (x1, y1, x2, y2, (x2 − x1) * (y2 − y1))``; shapes (n, 4) → (n, 5).

    Returns (first bad row or -1, number of bad rows): a row is bad unless its four values are
    finite with ``x2 >= x1`` and ``y2 >= y1``.
    """
    first_bad = -1
    n_bad = 0
    for i in range(xyxy.shape[0]):
        x1 = np.float64(xyxy[i, 0])
        y1 = np.float64(xyxy[i, 1])
        x2 = np.float64(xyxy[i, 2])
        y2 = np.float64(xyxy[i, 3])
        out[i, 0] = x1
        out[i, 1] = y1
        out[i, 2] = x2
        out[i, 3] = y2
        out[i, 4] = (x2 - x1) * (y2 - y1)
        if not (np.isfinite(x1) and np.isfinite(y1) and np.isfinite(x2) and np.isfinite(y2)
                and x2 >= x1 and y2 >= y1):
            first_bad = i if first_bad < 0 else first_bad
            n_bad += 1
    return first_bad, n_bad


@njit(**jit_options())
def pair_iou(a, i, b, j, crowd):
    """IoU of corner rows ``a[i]`` (detection) and ``b[j]`` (ground truth); with ``crowd`` the
    union is the detection's area (COCO's crowd rule). Rows are read by index, not sliced: a
    slice per pair would count references on the shared arrays, from every thread."""
    w = min(a[i, 2], b[j, 2]) - max(a[i, 0], b[j, 0])
    if w <= 0.0:
        return 0.0
    h = min(a[i, 3], b[j, 3]) - max(a[i, 1], b[j, 1])
    if h <= 0.0:
        return 0.0
    inter = w * h
    union = a[i, 4] if crowd else a[i, 4] + b[j, 4] - inter
    return inter / union


@njit(**jit_options())
def iou_matrix(a, b, crowd, out):
    """``out[i, j] = pair_iou(a, i, b, j, crowd[j])``; a (n, 5), b (m, 5), crowd (m,) → (n, m)."""
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            out[i, j] = pair_iou(a, i, b, j, crowd[j])
