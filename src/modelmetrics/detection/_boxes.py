"""Public box IoU."""

from __future__ import annotations

import numpy as np

from .._validation import as_real_array, check_choice
from ..exceptions import InvalidInputError
from ..kernels import boxes as B
from . import _engine as E

__all__ = ["box_iou", "check_boxes"]

BOX_FORMATS = ("xyxy", "xywh")


def check_boxes(boxes, name: str, owner: str, fmt: str):
    """Validate an (n, 4) box array (finite, with non-negative width and height) and return it
    as float64 (n, 4) with its areas (n,), computed in the same pass."""
    array = as_real_array(boxes, name, owner, ndims=(1, 2))
    if array.ndim == 1 and array.size == 0:
        array = array.reshape(0, 4)
    if array.ndim != 2 or array.shape[1] != 4:
        raise InvalidInputError(f"The {name!r} argument of {owner} must have shape (n, 4) "
                                f"({fmt} boxes). Got shape {array.shape} instead.")
    array = np.ascontiguousarray(array, dtype=np.float64)
    area, first, n_bad = E.checked_areas(array, fmt)
    if n_bad:
        rule = ("finite, with width and height >= 0" if fmt == "xywh" else
                "finite, with x2 >= x1 and y2 >= y1")
        raise InvalidInputError(
            f"The {name!r} argument of {owner} must hold {fmt} boxes that are {rule}. Row "
            f"{first} is {array[first].tolist()} ({n_bad} bad row(s)). Check the box "
            f"format (fmt={fmt!r}).")
    return array, area


def box_iou(boxes_a, boxes_b, *, fmt="xyxy", iscrowd=None) -> np.ndarray:
    """Intersection over union of every pair of boxes.

    Parameters
    ----------
    boxes_a : array-like of shape (n, 4)
        E.g. detections.
    boxes_b : array-like of shape (m, 4)
        E.g. ground truth.
    fmt : {"xyxy", "xywh"}
        ``[x1, y1, x2, y2]`` corners, or COCO's ``[x, y, width, height]``.
    iscrowd : array-like of bool, shape (m,), optional
        COCO's crowd rule: where ``iscrowd[j]``, the IoU with ``boxes_b[j]`` is the
        intersection over the area of the ``boxes_a`` box.

    Returns
    -------
    numpy.ndarray of float64, shape (n, m)
        Bit-identical to ``pycocotools.mask.iou`` for ``xywh`` boxes. A pair of zero-area
        boxes that do not overlap has IoU 0.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.box_iou([[0, 0, 10, 10]], [[5, 0, 15, 10], [20, 20, 30, 30]])
    array([[0.33333333, 0.        ]])
    >>> mm.box_iou([[0, 0, 10, 10]], [[0, 0, 20, 20]], iscrowd=[True])
    array([[1.]])
    """
    owner = "box_iou"
    check_choice(fmt, "fmt", owner, BOX_FORMATS)
    a, area_a = check_boxes(boxes_a, "boxes_a", owner, fmt)
    b, area_b = check_boxes(boxes_b, "boxes_b", owner, fmt)
    if iscrowd is None:
        crowd = np.zeros(b.shape[0], np.bool_)
    else:
        crowd = np.asarray(iscrowd)
        if crowd.shape != (b.shape[0],) or crowd.dtype.kind not in "biu":
            raise InvalidInputError(f"The 'iscrowd' argument of {owner} must be {b.shape[0]} "
                                    f"booleans, one per row of boxes_b. Got {crowd.shape} "
                                    f"of dtype {crowd.dtype} instead.")
        crowd = crowd.astype(np.bool_)
    out = np.empty((a.shape[0], b.shape[0]))
    B.iou_matrix(a, area_a, b, area_b, crowd, fmt == "xywh", out)
    return out
