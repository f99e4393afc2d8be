"""COCO run-length-encoded masks: ``mm.mask``, a drop-in for ``pycocotools.mask``.

RLEs are dicts ``{"size": [h, w], "counts": b"..."}`` (compressed, as pycocotools writes them;
``counts`` may also be a ``str``, or a list of run lengths: an uncompressed RLE). Dense masks are
``uint8`` arrays of shape ``(h, w)`` or ``(h, w, n)`` (column-major, as pycocotools returns them;
any memory order and bool or integer dtypes are accepted, nonzero meaning foreground). Results are
bit for bit those of pycocotools: the same strings, areas, boxes, IoUs and polygon rasterisation.

The snake_case functions are the primary names; ``toBbox``, ``frPyObjects``, ``frPoly``,
``frBbox`` and ``frUncompressedRLE`` are pycocotools' names for them. Differences from
pycocotools, all on inputs it does not check: corrupt strings, runs not adding up to ``h * w``,
masks of different sizes compared or merged, polygons of fewer than 3 points raise
:class:`~modelmetrics.exceptions.InvalidInputError` naming the record (pycocotools returns
garbage, -1 or crashes); empty inputs give empty arrays of the right shape instead of ``[]``;
uncompressed RLEs with empty runs after the first (which no encoder writes) are normalised
before merging and IoU, where pycocotools can return corrupt masks or never return.

Examples
--------
>>> import numpy as np
>>> import modelmetrics as mm
>>> m = np.zeros((4, 5), np.uint8); m[1:3, 1:4] = 1
>>> rle = mm.mask.encode(m)
>>> rle
{'size': [4, 5], 'counts': b'5220003'}
>>> int(mm.mask.area(rle)), mm.mask.to_bbox(rle).tolist()
(6, [1.0, 1.0, 3.0, 2.0])
>>> bool((mm.mask.decode(rle) == m).all())
True
"""

from __future__ import annotations

import numpy as np

from .._config import threads_for
from .._validation import to_numpy
from ..exceptions import InvalidInputError
from ..kernels import rle as K
from ._rles import (Rles, check_polygon, check_size, encode_stack, polygons_to_rles,
                    rles_from_objects)

__all__ = [
    "area", "decode", "encode", "from_boxes", "from_objects", "from_polygons",
    "from_segmentation", "iou", "merge", "to_bbox",
    "frBbox", "frPoly", "frPyObjects", "frUncompressedRLE", "toBbox",
]


def _as_list(rles, name: str, owner: str) -> tuple[list, bool]:
    """(list of RLE objects, whether a single one was given)."""
    if isinstance(rles, dict):
        return [rles], True
    if isinstance(rles, (list, tuple)):
        return list(rles), False
    raise InvalidInputError(f"The {name!r} argument of {owner} must be an RLE dict {{'size': "
                            f"[h, w], 'counts': ...}} or a list of them. Got a "
                            f"{type(rles).__name__}.")


def _read(rles, name: str, owner: str) -> tuple[Rles, bool]:
    objects, single = _as_list(rles, name, owner)
    return rles_from_objects(objects, name, owner), single


def _same_size(r: Rles, name: str, owner: str) -> None:
    if r.n and (np.any(r.h != r.h[0]) or np.any(r.w != r.w[0])):
        bad = int(np.flatnonzero((r.h != r.h[0]) | (r.w != r.w[0]))[0])
        raise InvalidInputError(f"{owner}: {name}[{bad}] has size [{r.h[bad]}, {r.w[bad]}] but "
                                f"{name}[0] has [{r.h[0]}, {r.w[0]}]; the masks must all have the "
                                f"same size.")


def encode(masks, *, layout: str = "hwn"):
    """Run-length encode binary masks (``pycocotools.mask.encode``).

    Parameters
    ----------
    masks : array-like of bool or integers, shape (h, w), (h, w, n) or, with ``layout="nhw"``,
        (n, h, w)
        Nonzero pixels are foreground. Any memory order (a model's C-ordered (n, h, w) output
        is read in place).
    layout : {"hwn", "nhw"}, default "hwn"
        Where the mask axis of a 3-D input is: last (pycocotools) or first (models).

    Returns
    -------
    dict or list of dict
        ``{"size": [h, w], "counts": bytes}``; a single dict for a 2-D input.

    Examples
    --------
    >>> import numpy as np
    >>> import modelmetrics as mm
    >>> masks = np.zeros((2, 3, 3), bool); masks[0, 0, 0] = masks[1] = True
    >>> mm.mask.encode(masks, layout="nhw")
    [{'size': [3, 3], 'counts': b'018'}, {'size': [3, 3], 'counts': b'09'}]
    """
    owner = "mask.encode"
    array = to_numpy(masks)
    if layout not in ("hwn", "nhw"):
        raise InvalidInputError(f"The 'layout' parameter of {owner} must be 'hwn' or 'nhw'. Got "
                                f"{layout!r} instead.")
    if array.ndim not in (2, 3) or array.dtype.kind not in "biu":
        raise InvalidInputError(f"The 'masks' argument of {owner} must be a bool or integer array "
                                f"of shape (h, w) or "
                                f"{'(h, w, n)' if layout == 'hwn' else '(n, h, w)'}"
                                f". Got {array.dtype} of shape {array.shape}. Threshold "
                                f"probabilities first (e.g. masks > 0.5).")
    single = array.ndim == 2
    if single:
        stack = array[None]
    elif layout == "hwn":
        stack = array.transpose(2, 0, 1)
    else:
        stack = array
    objects = encode_stack(stack, "masks", owner).to_objects()
    return objects[0] if single else objects


def decode(rles):
    """Dense masks of RLEs (``pycocotools.mask.decode``).

    Parameters
    ----------
    rles : dict or list of dict
        RLEs of one size.

    Returns
    -------
    numpy.ndarray of uint8
        Shape (h, w) for one dict, else (h, w, n) in Fortran order.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.decode({"size": [2, 2], "counts": b"13"})
    array([[0, 1],
           [1, 1]], dtype=uint8)
    """
    owner = "mask.decode"
    r, single = _read(rles, "rles", owner)
    _same_size(r, "rles", owner)
    h, w = (int(r.h[0]), int(r.w[0])) if r.n else (0, 0)
    with threads_for(r.n * h * w // 256):
        flat = K.decode_masks(r.counts, r.start, h * w)
    dense = flat.reshape(r.n, w, h).transpose(2, 1, 0)
    return dense[:, :, 0] if single else dense


def area(rles):
    """Foreground pixels of RLEs (``pycocotools.mask.area``).

    Parameters
    ----------
    rles : dict or list of dict

    Returns
    -------
    numpy.uint32 or numpy.ndarray of uint32, shape (n,)

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.area([{"size": [2, 2], "counts": b"13"}, {"size": [2, 2], "counts": [4]}])
    array([3, 0], dtype=uint32)
    """
    r, single = _read(rles, "rles", "mask.area")
    out = r.area().astype(np.uint32)
    return out[0] if single else out


def to_bbox(rles):
    """Bounding boxes ``[x, y, width, height]`` of RLEs (``pycocotools.mask.toBbox``).

    Parameters
    ----------
    rles : dict or list of dict

    Returns
    -------
    numpy.ndarray of float64, shape (4,) or (n, 4)
        All zeros for an empty mask.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.to_bbox({"size": [2, 2], "counts": b"13"})
    array([0., 0., 2., 2.])
    """
    r, single = _read(rles, "rles", "mask.to_bbox")
    out = r.bbox()
    return out[0] if single else out


def _boxes_or_rles(value, name: str, owner: str):
    """('boxes', (n, 4) array) or ('rles', Rles)."""
    if isinstance(value, dict):
        return "rles", rles_from_objects([value], name, owner)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
        return "rles", rles_from_objects(list(value), name, owner)
    try:
        boxes = np.asarray(to_numpy(value), dtype=np.float64)
    except (ValueError, TypeError):
        boxes = None
    if boxes is not None and boxes.size == 0:
        return "empty", None
    if boxes is None or boxes.ndim != 2 or boxes.shape[1] != 4:
        raise InvalidInputError(f"The {name!r} argument of {owner} must be a list of RLE dicts "
                                f"or (n, 4) boxes [x, y, width, height]. Got "
                                f"{type(value).__name__}"
                                f"{'' if boxes is None else f' of shape {boxes.shape}'}.")
    return "boxes", boxes


def iou(dt, gt, iscrowd=None) -> np.ndarray:
    """IoU of every (dt, gt) pair of masks, or of boxes (``pycocotools.mask.iou``).

    Computed on the runs, without decoding; a crowd ``gt`` region gives intersection over the
    ``dt`` area (COCO's rule).

    Parameters
    ----------
    dt : list of dict, or array-like of shape (m, 4)
        RLEs, or ``[x, y, width, height]`` boxes.
    gt : list of dict, or array-like of shape (n, 4)
        Of the same kind as ``dt``; masks of the same size as ``dt``'s.
    iscrowd : sequence of bool, shape (n,), optional
        Crowd flags of ``gt`` (default: none).

    Returns
    -------
    numpy.ndarray of float64, shape (m, n)

    Examples
    --------
    >>> import modelmetrics as mm
    >>> a = {"size": [2, 2], "counts": b"13"}
    >>> b = {"size": [2, 2], "counts": b"31"}
    >>> mm.mask.iou([a], [b, a], [False, False]).tolist()
    [[0.3333333333333333, 1.0]]
    >>> mm.mask.iou([b], [a], [True]).tolist()
    [[1.0]]
    """
    owner = "mask.iou"
    kind_dt, dts = _boxes_or_rles(dt, "dt", owner)
    kind_gt, gts = _boxes_or_rles(gt, "gt", owner)
    m = 0 if kind_dt == "empty" else (dts.n if kind_dt == "rles" else dts.shape[0])
    n = 0 if kind_gt == "empty" else (gts.n if kind_gt == "rles" else gts.shape[0])
    if iscrowd is None:
        crowd = np.zeros(n, np.bool_)
    else:
        crowd = np.asarray(to_numpy(iscrowd))
        if crowd.shape != (n,) or (crowd.dtype.kind not in "biu" and n):  # [] for no gt
            raise InvalidInputError(f"The 'iscrowd' argument of {owner} must hold {n} booleans, "
                                    f"one per gt. Got {crowd.dtype} of shape {crowd.shape}.")
        crowd = crowd.astype(np.bool_)
    if m == 0 or n == 0:
        return np.zeros((m, n))
    if kind_dt != kind_gt:
        raise InvalidInputError(f"{owner}: 'dt' holds {kind_dt} and 'gt' holds {kind_gt}; "
                                f"compare masks with masks or boxes with boxes.")
    if kind_dt == "boxes":
        from ..detection._boxes import box_iou

        return box_iou(dts, gts, fmt="xywh", iscrowd=crowd)
    mismatch = (dts.h[:, None] != gts.h[None, :]) | (dts.w[:, None] != gts.w[None, :])
    if mismatch.any():
        i, j = (int(v[0]) for v in np.nonzero(mismatch))
        raise InvalidInputError(f"{owner}: dt[{i}] has size [{dts.h[i]}, {dts.w[i]}] but gt[{j}] "
                                f"has [{gts.h[j]}, {gts.w[j]}]; masks compared must have the "
                                f"same size (pycocotools gives -1 there).")
    dts, gts = dts.canonical(), gts.canonical()
    out = np.empty((m, n))
    with threads_for(m * n * 16):
        K.iou_matrix(K.run_ends(dts.counts, dts.start), dts.start, dts.area(), dts.bbox(),
                     K.run_ends(gts.counts, gts.start), gts.start, gts.area(), gts.bbox(), crowd,
                     out)
    return out


def merge(rles, intersect: bool = False) -> dict:
    """Union (or intersection) of RLEs of one size (``pycocotools.mask.merge``).

    Parameters
    ----------
    rles : list of dict
    intersect : bool, default False

    Returns
    -------
    dict
        One RLE; a single input is returned re-encoded but otherwise unchanged.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> a = {"size": [2, 2], "counts": b"13"}
    >>> b = {"size": [2, 2], "counts": b"31"}
    >>> mm.mask.merge([a, b]), mm.mask.merge([a, b], intersect=True)
    ({'size': [2, 2], 'counts': b'13'}, {'size': [2, 2], 'counts': b'31'})
    """
    owner = "mask.merge"
    r, _ = _read(rles, "rles", owner)
    _same_size(r, "rles", owner)
    if r.n == 0:
        return {"size": [0, 0], "counts": b""}
    if r.n > 1:
        r = r.canonical()
    runs = K.merge(r.counts, r.start, np.arange(r.n), bool(intersect))
    return Rles(runs, np.array([0, runs.shape[0]]), r.h[:1], r.w[:1]).to_objects()[0]


def from_polygons(polygons, h: int, w: int) -> list:
    """Rasterise polygons exactly as COCO does (``pycocotools.mask.frPoly``), one RLE each.

    Parameters
    ----------
    polygons : list of sequences of float
        Each ``[x1, y1, x2, y2, ...]`` (at least 3 points), in pixel coordinates; points outside
        the image and self-intersections are allowed.
    h, w : int
        Image height and width.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.from_polygons([[1, 1, 4, 1, 4, 3, 1, 3]], 5, 5)
    [{'size': [5, 5], 'counts': b'6230004'}]
    """
    owner = "mask.from_polygons"
    h, w = check_size([h, w], f"{owner}: h, w")
    if not isinstance(polygons, (list, tuple)):
        raise InvalidInputError(f"The 'polygons' argument of {owner} must be a list of polygons "
                                f"[x1, y1, x2, y2, ...]. Got a {type(polygons).__name__}.")
    checked = [check_polygon(p, f"{owner}: polygons[{i}]") for i, p in enumerate(polygons)]
    return polygons_to_rles(checked, h, w).to_objects()


def from_boxes(boxes, h: int, w: int) -> list:
    """Masks of ``[x, y, width, height]`` boxes (``pycocotools.mask.frBbox``).

    Parameters
    ----------
    boxes : array-like of shape (n, 4)
    h, w : int

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.from_boxes([[1, 1, 2, 2]], 4, 4)
    [{'size': [4, 4], 'counts': b'52203'}]
    """
    owner = "mask.from_boxes"
    h, w = check_size([h, w], f"{owner}: h, w")
    array = np.asarray(to_numpy(boxes), dtype=np.float64)
    if array.size == 0:
        return []
    if array.ndim != 2 or array.shape[1] != 4 or not np.all(np.isfinite(array)):
        raise InvalidInputError(f"The 'boxes' argument of {owner} must be finite (n, 4) boxes "
                                f"[x, y, width, height]. Got shape {array.shape}.")
    xy = K.box_polygons(array)
    return polygons_to_rles([xy[4 * i:4 * i + 4] for i in range(array.shape[0])], h, w).to_objects()


def from_segmentation(segmentation, h: int, w: int) -> dict:
    """One RLE from a COCO annotation's ``segmentation`` (pycocotools ``COCO.annToRLE``):
    polygons (rasterised and merged), an uncompressed RLE, or a compressed one.

    Parameters
    ----------
    segmentation : list of polygons, or dict
    h, w : int
        The image's height and width (used for polygons).

    Returns
    -------
    dict

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.from_segmentation([[0, 0, 2, 0, 2, 2], [3, 3, 4, 3, 4, 4]], 5, 5)
    {'size': [5, 5], 'counts': b'51c0'}
    """
    if isinstance(segmentation, list):
        rles = from_objects(segmentation, h, w) if segmentation else []
        return merge(rles) if rles else {"size": [0, 0], "counts": b""}
    return from_objects(segmentation, h, w)


def from_objects(objects, h: int, w: int):
    """``pycocotools.mask.frPyObjects``: RLEs from boxes, polygons or uncompressed RLEs.

    Parameters
    ----------
    objects : array (n, 4) of boxes; list of boxes; list of polygons; list of RLE dicts; or one
        box, polygon or RLE dict
        As pycocotools dispatches: a list whose first element has 4 numbers is a list of boxes,
        more than 4 a list of polygons.
    h, w : int
        Image size (RLE dicts keep their own).

    Returns
    -------
    list of dict, or dict for a single object

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.from_objects({"size": [2, 2], "counts": [1, 3]}, 2, 2)
    {'size': [2, 2], 'counts': b'13'}
    """
    owner = "mask.from_objects"
    if isinstance(objects, np.ndarray):
        return from_boxes(objects, h, w)
    if isinstance(objects, dict):
        return rles_from_objects([objects], "objects", owner).to_objects()[0]
    if isinstance(objects, (list, tuple)) and objects:
        first = objects[0]
        if isinstance(first, dict):
            return rles_from_objects(list(objects), "objects", owner).to_objects()
        if np.ndim(first) == 0:  # one flat box or polygon
            return (from_boxes([objects], h, w) if len(objects) == 4
                    else from_polygons([objects], h, w))[0]
        if len(first) == 4:
            return from_boxes(objects, h, w)
        return from_polygons(objects, h, w)
    raise InvalidInputError(f"The 'objects' argument of {owner} must be boxes, polygons or RLE "
                            f"dicts (or a list of them). Got {objects!r}.")


# pycocotools' names
toBbox = to_bbox
frPyObjects = from_objects
frPoly = from_polygons
frBbox = from_boxes


def frUncompressedRLE(rles, h: int = 0, w: int = 0) -> list:
    """pycocotools' ``frUncompressedRLE``: compressed RLEs of uncompressed ones (each keeps its
    own ``size``; ``h`` and ``w`` are ignored, as in pycocotools).

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.mask.frUncompressedRLE([{"size": [2, 2], "counts": [1, 3]}])
    [{'size': [2, 2], 'counts': b'13'}]
    """
    objects, _ = _as_list(rles, "rles", "mask.frUncompressedRLE")
    return rles_from_objects(objects, "rles", "mask.frUncompressedRLE").to_objects()

