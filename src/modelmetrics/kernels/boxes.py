"""Box IoU, with COCO's crowd variant, bit-identical to COCO's ``bbIou``.

Boxes stay as given, (n, 4) float64 rows in one of two formats, with their areas in a column
of their own (computed once, by the check that validates them). ``xywh`` says which format:
for ``[x, y, w, h]`` a pair's corners are ``x2 = x + w``, ``y2 = y + h`` and the area is
``w * h`` (the operations ``bbIou`` performs); for ``[x1, y1, x2, y2]`` the area is
``(x2 − x1) * (y2 − y1)``. No corner array is made: for the COCO workloads that would be 40
bytes per detection, written once and read once.
"""

import numpy as np
from numba import njit

from .._config import jit_options


@njit(**jit_options())
def check_xywh(xywh, area):
    """``area[i] = w * h`` for rows ``(x, y, w, h)``; shapes (n, 4) → (n,).

    Returns (first bad row or -1, number of bad rows): a row is bad unless its four values are
    finite with ``w, h >= 0``.
    """
    first_bad = -1
    n_bad = 0
    for i in range(xywh.shape[0]):
        x = xywh[i, 0]
        y = xywh[i, 1]
        w = xywh[i, 2]
        h = xywh[i, 3]
        area[i] = w * h
        if not (np.isfinite(x) and np.isfinite(y) and np.isfinite(w) and np.isfinite(h)
                and w >= 0.0 and h >= 0.0):
            first_bad = i if first_bad < 0 else first_bad
            n_bad += 1
    return first_bad, n_bad


@njit(**jit_options())
def check_xyxy(xyxy, area):
    """``area[i] = (x2 − x1) * (y2 − y1)`` for rows ``(x1, y1, x2, y2)``; (n, 4) → (n,).

    Returns (first bad row or -1, number of bad rows): a row is bad unless its four values are
    finite with ``x2 >= x1`` and ``y2 >= y1``.
    """
    first_bad = -1
    n_bad = 0
    for i in range(xyxy.shape[0]):
        x1 = xyxy[i, 0]
        y1 = xyxy[i, 1]
        x2 = xyxy[i, 2]
        y2 = xyxy[i, 3]
        area[i] = (x2 - x1) * (y2 - y1)
        if not (np.isfinite(x1) and np.isfinite(y1) and np.isfinite(x2) and np.isfinite(y2)
                and x2 >= x1 and y2 >= y1):
            first_bad = i if first_bad < 0 else first_bad
            n_bad += 1
    return first_bad, n_bad


@njit(inline="always", **jit_options())
def corners(boxes, i, xywh):
    """``(x1, y1, x2, y2)`` of row ``i`` of ``boxes`` (``x2 = x + w``, ``y2 = y + h`` for
    ``xywh`` rows). Rows are read by index, not sliced: a slice per pair would count references
    on the shared arrays, from every thread."""
    x1 = boxes[i, 0]
    y1 = boxes[i, 1]
    if xywh:
        return x1, y1, x1 + boxes[i, 2], y1 + boxes[i, 3]
    return x1, y1, boxes[i, 2], boxes[i, 3]


@njit(inline="always", **jit_options())
def corners_iou(a, area_a, b, area_b, crowd):
    """IoU of a detection with corners ``a`` (a :func:`corners` tuple) and area ``area_a`` and
    a ground truth ``b``, ``area_b``; with ``crowd`` the union is the detection's area (COCO's
    crowd rule). Inlined where it is called: the callers keep a detection's corners in
    registers across its ground truths, which halves the time per pair."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    if w <= 0.0:
        return 0.0
    h = min(a[3], b[3]) - max(a[1], b[1])
    if h <= 0.0:
        return 0.0
    inter = w * h
    union = area_a if crowd else area_a + area_b - inter
    return inter / union


@njit(**jit_options())
def iou_matrix(a, area_a, b, area_b, crowd, xywh, out):
    """``out[i, j]``: IoU of box ``a[i]`` (detection) and ``b[j]`` (ground truth, a crowd
    region where ``crowd[j]``, see :func:`corners_iou`); boxes a (n, 4), b (m, 4), areas (n,),
    (m,), crowd (m,) → out (n, m)."""
    for i in range(a.shape[0]):
        box = corners(a, i, xywh)
        for j in range(b.shape[0]):
            out[i, j] = corners_iou(box, area_a[i], corners(b, j, xywh), area_b[j], crowd[j])
