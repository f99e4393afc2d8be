"""Streaming detection metrics for training loops: match in ``update``, keep compact rows."""

from __future__ import annotations


from operator import attrgetter

import numpy as np

from .._state import pack_state, restore, unpack_state
from .._validation import as_real_array, check_choice, to_numpy
from ..exceptions import InvalidInputError
from . import _coco as C
from . import _engine as E
from ._boxes import BOX_FORMATS, check_boxes

__all__ = ["DetectionMetrics"]

_OWNER = "DetectionMetrics"
BACKGROUND = np.iinfo(np.int64).min  # label of the background row/column in stored cells


def _stack(values: list, what: str, key: str, box: bool = False, images=None):
    """Concatenate per-image arrays (or tensors, or lists); also return the number of rows of
    each image (a list).

    ``what[i][key]`` names image ``i``'s array in errors (``images[i]`` when the arrays are
    those of some images only): boxes must be (n, 4), anything else (n,)."""
    if not values:
        return (np.empty((0, 4)) if box else np.empty(0)), []
    joined = _join_plain_arrays(values, box)
    if joined is not None:
        return joined
    arrays = [to_numpy(value) for value in values]
    ndim = 2 if box else 1
    try:  # the common case in one call; anything unusual is sorted out below
        stacked = np.concatenate(arrays)
    except ValueError:
        stacked = None
    if stacked is None or stacked.ndim != ndim or (box and stacked.shape[1] != 4):
        if box:  # images without boxes may give them as [] (shape (0,))
            arrays = [a if a.size else a.reshape(0, 4) for a in arrays]
        for i, a in enumerate(arrays):
            if a.ndim != ndim or (box and a.shape[1] != 4):
                raise InvalidInputError(f"{_OWNER}.update: {what}[{images[i] if images else i}]"
                                        f"[{key!r}] must be "
                                        f"{'(n, 4)' if box else '(n,)'}-shaped. Got shape "
                                        f"{a.shape}.")
        stacked = np.concatenate(arrays)
    return stacked, [len(a) for a in arrays]  # concatenated: every array has ndim >= 1


_DTYPE = attrgetter("dtype")
_NDIM = attrgetter("ndim")
_SHAPE = attrgetter("shape")


def _join_plain_arrays(values: list, box: bool):
    """:func:`_stack` for the usual input, NumPy arrays of one real dtype, each C-contiguous
    and (n, 4) (``box``) or (n,): their bytes joined, without the per-array conversions and
    checks of ``numpy.concatenate`` (half its time for 5,000 small arrays). None for anything
    else, which :func:`_stack` then handles."""
    if set(map(type, values)) != {np.ndarray}:
        return None
    dtypes = set(map(_DTYPE, values))
    if len(dtypes) != 1 or next(iter(dtypes)).kind not in "biuf":
        return None
    if box:
        if any(len(shape) != 2 or shape[1] != 4 for shape in set(map(_SHAPE, values))):
            return None
    elif set(map(_NDIM, values)) != {1}:
        return None
    try:  # bytearray: the result is writable, as a concatenation is
        data = bytearray().join(values)
    except (BufferError, TypeError):  # an array that is not C-contiguous
        return None
    stacked = np.frombuffer(data, dtypes.pop())
    return (stacked.reshape(-1, 4) if box else stacked), list(map(len, values))


def _check_lengths(lengths: list, expected: list, what: str, key: str, unit: str) -> None:
    """Raise naming the first image whose ``key`` does not have one entry per ``unit``."""
    if lengths != expected:
        i = next(i for i, (n, m) in enumerate(zip(lengths, expected)) if n != m)
        raise InvalidInputError(f"{_OWNER}.update: {what}[{i}][{key!r}] must have one entry "
                                f"per {unit} of that image ({expected[i]}). Got {lengths[i]}.")


def _masks_of_image(value):
    """An image's masks as given: a list of RLE dicts (or an empty list) stays a list, anything
    else becomes an array (tensors detached)."""
    if type(value) is np.ndarray:
        return value
    if isinstance(value, (list, tuple)) and (not value or isinstance(value[0], dict)):
        return list(value)
    return to_numpy(value)


def _stack_masks(per_image: list, what: str):
    """The masks of every image (arrays (n, h, w) or lists of RLE dicts) as one Rles, and the
    number of masks of each image (a list)."""
    from ..masks._rles import Rles, encode_stack, rles_from_objects

    parts = []
    for i, masks in enumerate(per_image):
        name = f"{what}[{i}]['masks']"
        if isinstance(masks, list):
            parts.append(rles_from_objects(masks, name, f"{_OWNER}.update"))
        else:
            parts.append(encode_stack(masks, name, f"{_OWNER}.update"))
    return Rles.concat(parts), [p.n for p in parts]


def _explain_records(predictions: list, targets: list, shape: str = "boxes") -> None:
    """Raise naming the first image whose prediction or target is not a dict with the keys
    ``update`` needs (nothing when all are fine); ``shape`` is "boxes" or "masks"."""
    for i, (pred, target) in enumerate(zip(predictions, targets)):
        for what, record, keys in (("prediction", pred, (shape, "scores", "labels")),
                                   ("target", target, (shape, "labels"))):
            if not isinstance(record, dict) or any(k not in record for k in keys):
                raise InvalidInputError(f"{_OWNER}.update: the {what} of image {i} of the "
                                        f"batch must be a dict with keys {', '.join(keys)}.")


def _areas(given: list, counts: list, default: np.ndarray) -> np.ndarray:
    """Ground-truth areas: ``given[i]`` (an array, or None for ``default``, the box or mask
    areas) for image ``i``, which has ``counts[i]`` ground truths; checked for the whole
    batch at once."""
    images = [i for i, area in enumerate(given) if area is not None]
    if not images:
        return default.copy()
    expected = [counts[i] for i in images]
    joined = _join_plain_arrays([given[i] for i in images], False)
    if joined is not None and joined[0].dtype.kind in "iuf":  # plain arrays of one dtype
        values, lengths = joined
        arrays = None
    else:
        arrays = [to_numpy(given[i]) for i in images]
        values, lengths = _stack(arrays, "targets", "area", images=images)
    if lengths != expected or (arrays and any(a.dtype.kind not in "iuf" for a in arrays)):
        arrays = arrays or [to_numpy(given[i]) for i in images]
        bad = next(i for i, a, n in zip(images, arrays, expected)
                   if len(a) != n or a.dtype.kind not in "iuf")
    else:
        values = values.astype(np.float64, copy=False)
        invalid = ~(np.isfinite(values) & (values >= 0))
        bad = None
        if invalid.any():
            bad = images[int(np.searchsorted(np.cumsum(lengths), int(np.flatnonzero(invalid)[0]),
                                             side="right"))]
    if bad is not None:
        raise InvalidInputError(f"{_OWNER}.update: targets[{bad}]['area'] must be "
                                f"{counts[bad]} finite non-negative numbers, one per "
                                f"ground truth.")
    if len(images) == len(given):  # every image gave its areas: they are the whole column
        return values
    start = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=start[1:])
    n = np.asarray(expected, np.int64)
    first_row = np.repeat(start[images] - (np.cumsum(n) - n), n)
    area = default.copy()
    area[first_row + np.arange(values.shape[0])] = values
    return area


def _labels(value, name: str) -> np.ndarray:
    array = as_real_array(value, name, _OWNER, ndims=(1,))
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise InvalidInputError(f"The {name!r} of {_OWNER}.update must be integer class "
                                    f"labels. Got non-integer values.")
    return array.astype(np.int64, copy=False)


class DetectionMetrics:
    """Streaming COCO-style detection metrics: ``update`` per batch, ``merge``, ``compute``.

    Matching happens in ``update`` (COCO rules: crowd regions, area ranges, ``max_detections``),
    so the state holds one compact row per detection (score, label, image, rank, a status per
    area range and IoU threshold and their summary per area range), ground-truth counts and
    confusion-matrix cells — never boxes.
    Batched and one-shot updates, and shards merged in any order, give identical results.

    Parameters
    ----------
    iou_type : {"bbox", "segm"}, default "bbox"
        Match by box IoU, or by mask IoU (instance segmentation: predictions and targets carry
        ``masks``; COCO's mask IoU on run-length encodings, crowd rule included).
    box_format : {"xyxy", "xywh"}, default "xyxy"
    iou_thresholds : sequence of float, optional
        Default COCO's 0.50:0.05:0.95.
    max_detections : sequence of int, default (1, 10, 100)
    score_threshold : float, default 0.5
        Operating point for TP/FP/FN, precision, recall, F1 and the confusion matrix.
    operating_iou : float, default 0.5
    class_names : mapping of int to str, optional
        Names for labels in the per-class tables and the confusion matrix.

    Examples
    --------
    >>> import numpy as np
    >>> import modelmetrics as mm
    >>> metric = mm.DetectionMetrics()
    >>> _ = metric.update(
    ...     [{"boxes": np.array([[10., 10, 60, 60]]), "scores": np.array([0.9]),
    ...       "labels": np.array([3])}],
    ...     [{"boxes": np.array([[12., 10, 62, 60]]), "labels": np.array([3])}])
    >>> import warnings
    >>> with warnings.catch_warnings():  # one medium object: small/large AP are undefined
    ...     warnings.simplefilter("ignore", mm.UndefinedMetricWarning)
    ...     result = metric.compute()
    >>> result.per_class["3"]["true-positives"], round(float(result.stats[1]), 3)
    (1, 1.0)
    """

    def __init__(self, *, iou_type="bbox", box_format="xyxy", iou_thresholds=None,
                 max_detections=(1, 10, 100), score_threshold=0.5, operating_iou=0.5,
                 class_names=None):
        check_choice(iou_type, "iou_type", _OWNER, ("bbox", "segm"))
        check_choice(box_format, "box_format", _OWNER, BOX_FORMATS)
        self.iou_type = iou_type
        self.box_format = box_format
        self.params = C._params(max_detections, iou_thresholds, score_threshold, operating_iou)
        self.class_names = {int(k): str(v) for k, v in dict(class_names or {}).items()}
        self.reset()

    def reset(self) -> "DetectionMetrics":
        """Forget everything seen (options are kept)."""
        A = self.params.area_ranges.shape[0]
        T = self.params.match_thresholds.shape[0]
        self._score = np.empty(0)
        self._label = np.empty(0, np.int64)
        self._image = np.empty(0, np.int64)
        self._rank = np.empty(0, np.int64)
        self._status = np.empty((0, A, T), np.uint8)
        self._kind = np.empty((0, A), np.uint8)  # each row's outcome over the AP thresholds
        self._match = np.empty(0, np.int64)  # matched target box (index in its image), or −1
        self._images = np.empty(0, np.int64)  # every image id seen
        self._gt_label = np.empty(0, np.int64)  # per-label ground-truth counts
        self._gt_counts = np.empty((0, A), np.int64)  # that count, per area range
        self._gt_support = np.empty(0, np.int64)  # all annotations, crowd included
        self._cells = np.empty((0, 3), np.int64)  # confusion cells (gt label, det label, count)
        self._dropped = 0
        # (label table, each row's index in it) while the rows are one update's alone: compute
        # then skips finding the labels of 500k rows again
        self._label_index = None
        self._next_image = 0
        return self

    # -- update ----------------------------------------------------------------------------

    def update(self, predictions, targets) -> "DetectionMetrics":
        """Add a batch of images.

        Parameters
        ----------
        predictions : sequence of dict, one per image
            ``boxes`` (n, 4), ``scores`` (n,), ``labels`` (n,) integer classes. With
            ``iou_type="segm"``, ``masks`` instead of ``boxes``: (n, h, w) booleans (or 0/1
            integers) as a model outputs them, run-length encoded here in Numba, or a list of n
            COCO RLE dicts.
        targets : sequence of dict, one per image
            ``boxes`` (m, 4) (``masks`` with ``iou_type="segm"``), ``labels`` (m,); optional
            ``iscrowd`` (m,) booleans, ``area`` (m,) (default: the box's or mask's area) and
            ``image_id`` (int; default: a running count). Give image ids when states from
            several processes will be merged.

        Returns
        -------
        self
        """
        if isinstance(predictions, dict) or isinstance(targets, dict):
            raise InvalidInputError(f"{_OWNER}.update takes sequences of per-image dicts; wrap "
                                    f"a single image's dict in a list.")
        predictions, targets = list(predictions), list(targets)
        if len(predictions) != len(targets):
            raise InvalidInputError(f"{_OWNER}.update: {len(predictions)} prediction dict(s) "
                                    f"but {len(targets)} target dict(s); give one of each per "
                                    f"image.")
        shape = "masks" if self.iou_type == "segm" else "boxes"
        try:  # one light pass per field; a missing key or a non-dict is explained below
            # values as given: _stack converts them (tensors detached) unless they are the
            # usual plain arrays
            det = {shape: [pred[shape] for pred in predictions],
                   "scores": [pred["scores"] for pred in predictions],
                   "labels": [pred["labels"] for pred in predictions]}
            gt = {shape: [target[shape] for target in targets],
                  "labels": [target["labels"] for target in targets],
                  "crowd": [target.get("iscrowd") for target in targets],
                  "area": [target.get("area") for target in targets]}
            if shape == "masks":
                det[shape] = [_masks_of_image(value) for value in det[shape]]
                gt[shape] = [_masks_of_image(value) for value in gt[shape]]
            image_ids = np.array([int(target["image_id"]) if "image_id" in target
                                  else self._next_image + i for i, target in enumerate(targets)],
                                 np.int64)
        except (KeyError, TypeError, AttributeError):
            _explain_records(predictions, targets, shape)
            raise
        new_images = self._new_images(image_ids)
        if targets:
            self._match_batch(det, gt, image_ids)  # validates everything before changing state
        self._images = np.concatenate([self._images, new_images])
        self._next_image += len(targets)
        return self

    def _new_images(self, image_ids: np.ndarray) -> np.ndarray:
        unique = np.unique(image_ids)
        if unique.size != image_ids.size or np.intersect1d(unique, self._images).size:
            raise InvalidInputError(f"{_OWNER}.update: an image_id was given twice (within the "
                                    f"batch or across updates). Each image must be added once.")
        return unique

    def _match_batch(self, det, gt, image_ids) -> None:
        params = self.params
        unit = "mask" if self.iou_type == "segm" else "box"
        if self.iou_type == "segm":
            det_masks, det_counts = _stack_masks(det["masks"], "predictions")
            gt_masks, gt_counts = _stack_masks(gt["masks"], "targets")
        else:
            det_boxes, det_counts = _stack(det["boxes"], "predictions", "boxes", box=True)
            gt_boxes, gt_counts = _stack(gt["boxes"], "targets", "boxes", box=True)
        det_score, counts = _stack(det["scores"], "predictions", "scores")
        _check_lengths(counts, det_counts, "predictions", "scores", unit)
        det_label, counts = _stack(det["labels"], "predictions", "labels")
        _check_lengths(counts, det_counts, "predictions", "labels", unit)
        gt_label, counts = _stack(gt["labels"], "targets", "labels")
        _check_lengths(counts, gt_counts, "targets", "labels", unit)
        if any(c is not None for c in gt["crowd"]):
            gt_crowd, counts = _stack([np.zeros(n, bool) if c is None else c
                                       for n, c in zip(gt_counts, gt["crowd"])], "targets",
                                      "iscrowd")
            _check_lengths(counts, gt_counts, "targets", "iscrowd", unit)
        else:
            gt_crowd = np.zeros(gt_label.shape[0], bool)
        det_image = np.repeat(np.arange(len(det_counts)), det_counts)
        gt_image = np.repeat(np.arange(len(gt_counts)), gt_counts)
        if self.iou_type == "segm":
            from ..masks._segm import MaskIoU

            iou_of_groups = MaskIoU(det_masks, gt_masks, "prediction mask", "target mask")
            det_area = det_masks.area().astype(np.float64)
            gt_default_area = gt_masks.area().astype(np.float64)
        else:
            fmt = self.box_format
            try:
                det_boxes, det_area = check_boxes(det_boxes, "boxes", _OWNER, fmt)
                gt_boxes, gt_default_area = check_boxes(gt_boxes, "boxes", _OWNER, fmt)
            except InvalidInputError:
                for what, boxes in (("predictions", det["boxes"]), ("targets", gt["boxes"])):
                    for i, b in enumerate(boxes):
                        check_boxes(b, f"{what}[{i}]['boxes']", _OWNER, fmt)
                raise
            iou_of_groups = E.BoxIoU(det_boxes, det_area, gt_boxes, gt_default_area, fmt)
        det_score = as_real_array(det_score, "scores", _OWNER, ndims=(1,)).astype(np.float64,
                                                                           copy=False)
        if not np.all(np.isfinite(det_score)):
            bad = int(np.flatnonzero(~np.isfinite(det_score))[0])
            raise InvalidInputError(f"{_OWNER}.update: predictions[{det_image[bad]}]['scores'] "
                                    f"holds {det_score[bad]}; scores must be finite.")
        det_label = _labels(det_label, "predictions' labels")
        gt_label = _labels(gt_label, "targets' labels")
        gt_crowd = gt_crowd.astype(bool, copy=False)
        gt_start = np.zeros(len(gt_counts) + 1, np.int64)
        np.cumsum(gt_counts, out=gt_start[1:])
        gt_area = _areas(gt["area"], gt_counts, gt_default_area)
        labels = np.union1d(E.unique_ints(det_label), E.unique_ints(gt_label))
        K = labels.size
        det_cat = E.positions(det_label, labels)
        gt_cat = E.positions(gt_label, labels)
        n_images = len(image_ids)
        rows = E.match_detections(det_image, det_cat, det_score, det_area, gt_image, gt_cat,
                                  gt_area, gt_crowd, np.ones(gt_label.size, np.int64), n_images,
                                  K, params, iou_of_groups)
        n_gt = E.count_ground_truth(gt_cat, gt_area, gt_crowd, K, params.area_ranges)
        tp, _ = E.operating_counts(rows, K, params)
        matrix = E.confusion_matrix(rows, tp, gt_image, gt_cat, gt_crowd, gt_area, n_images, K,
                                    params, iou_of_groups)
        support = np.bincount(gt_cat, minlength=K)
        # fold into the state
        self._score = _append(self._score, rows.score)
        self._label_index = (labels, rows.category) if self._label.shape[0] == 0 else None
        self._label = _append(self._label, labels[rows.category])
        self._image = _append(self._image, image_ids[rows.image])
        self._rank = _append(self._rank, rows.rank)
        self._status = _append(self._status, rows.status)
        self._kind = _append(self._kind, rows.kind)
        local = rows.match - gt_start[rows.image]  # index within the image
        local[rows.match < 0] = -1
        self._match = _append(self._match, local)
        self._dropped += rows.n_dropped
        self._add_gt_counts(labels, n_gt, support)
        full_labels = np.append(labels, BACKGROUND)
        g, p = np.nonzero(matrix)
        cells = np.stack([full_labels[g], full_labels[p], matrix[g, p]], axis=1)
        self._cells = _sum_cells(np.concatenate([self._cells, cells]))

    def _add_gt_counts(self, labels, counts, support) -> None:
        merged = np.union1d(self._gt_label, labels)
        new_counts = np.zeros((merged.size, counts.shape[1]), np.int64)
        new_support = np.zeros(merged.size, np.int64)
        for old_labels, old_counts, old_support in ((self._gt_label, self._gt_counts,
                                                    self._gt_support), (labels, counts, support)):
            index = np.searchsorted(merged, old_labels)
            new_counts[index] += old_counts
            new_support[index] += old_support
        self._gt_label, self._gt_counts, self._gt_support = merged, new_counts, new_support

    # -- merge / compute -------------------------------------------------------------------

    def _same_settings(self, other) -> bool:
        a, b = self.params, other.params
        return (self.iou_type == other.iou_type and self.box_format == other.box_format
                and np.array_equal(a.iou_thresholds, b.iou_thresholds)
                and a.max_detections == b.max_detections
                and a.score_threshold == b.score_threshold
                and a.operating_iou == b.operating_iou)

    def merge(self, other: "DetectionMetrics") -> "DetectionMetrics":
        """Fold another state in (in place); images must not overlap. Returns ``self``."""
        if not isinstance(other, DetectionMetrics):
            raise InvalidInputError(f"{_OWNER}.merge expects another DetectionMetrics. Got a "
                                    f"{type(other).__name__} instead.")
        if not self._same_settings(other):
            raise InvalidInputError(f"{_OWNER}.merge: the states were made with different "
                                    f"settings (box format, thresholds or max_detections).")
        if np.intersect1d(self._images, other._images).size:
            raise InvalidInputError(
                f"{_OWNER}.merge: both states hold image id "
                f"{np.intersect1d(self._images, other._images)[0]}. Merged shards must hold "
                f"different images; pass 'image_id' in the targets when evaluating in shards.")
        self._images = np.concatenate([self._images, other._images])
        self._label_index = None
        for name in ("_score", "_label", "_image", "_rank", "_status", "_kind", "_match"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))
        self._add_gt_counts(other._gt_label, other._gt_counts, other._gt_support)
        self._cells = _sum_cells(np.concatenate([self._cells, other._cells]))
        self._dropped += other._dropped
        self._next_image = max(self._next_image, other._next_image)
        self.class_names = {**other.class_names, **self.class_names}
        return self

    def compute(self) -> C.CocoEvaluation:
        """COCO numbers, per-class tables, operating point and confusion matrix so far."""
        if self._images.size == 0:
            raise InvalidInputError(f"{_OWNER}.compute() needs at least one image; update() "
                                    f"has not been given any.")
        params = self.params
        known = self._label_index
        if known is not None and known[1].shape[0] == self._label.shape[0]:
            labels = np.union1d(known[0], self._gt_label)  # the same set, found from the table
            category = known[1] if np.array_equal(labels, known[0]) else None
        else:
            labels = np.union1d(E.unique_ints(self._label), self._gt_label)
            category = None
        K = labels.size
        if category is None:
            category = E.positions(self._label, labels)
        rows = E.MatchedRows(score=self._score, category=category, image=self._image,
                             rank=self._rank, status=self._status, kind=self._kind,
                             source=None, match=None,
                             gt_taken_by=None, n_dropped=self._dropped)
        n_gt = np.zeros((K, params.area_ranges.shape[0]), np.int64)
        support = np.zeros(K, np.int64)
        index = np.searchsorted(labels, self._gt_label)
        n_gt[index] = self._gt_counts
        support[index] = self._gt_support
        matrix = np.zeros((K + 1, K + 1), np.int64)
        cells = self._cells
        np.add.at(matrix, (_cell_index(labels, cells[:, 0]), _cell_index(labels, cells[:, 1])),
                  cells[:, 2])
        names = [self.class_names.get(int(label), str(int(label))) for label in labels]
        image, match = self._image, self._match

        def columns():  # the state's rows are the detections in the order they came
            return np.arange(image.size), image, match

        # the operating point's counts, read off the confusion matrix instead of the rows: its
        # diagonal is the true positives, and column k adds up the detections of class k that
        # count there (true and false positives)
        tp = np.diagonal(matrix)[:K].copy()
        fp = matrix[:, :K].sum(axis=0) - tp
        return C.build_evaluation(rows, n_gt, support, labels, names, columns, matrix, params,
                                  parity=False, in_group_order=False, iou_type=self.iou_type,
                                  counts=(tp, fp))

    # -- persistence -----------------------------------------------------------------------

    _ARRAYS = ("_score", "_label", "_image", "_rank", "_status", "_kind", "_match", "_images",
               "_gt_label", "_gt_counts", "_gt_support", "_cells")

    def to_bytes(self) -> bytes:
        """The state as a compact, versioned, checksummed payload (see :meth:`from_bytes`)."""
        p = self.params
        options = {"iou_type": self.iou_type, "box_format": self.box_format, "iou_thresholds": p.iou_thresholds.tolist(),
                   "max_detections": list(p.max_detections),
                   "score_threshold": p.score_threshold, "operating_iou": p.operating_iou,
                   "class_names": {str(k): v for k, v in self.class_names.items()},
                   "dropped": self._dropped, "next_image": self._next_image}
        return pack_state(_OWNER, options, {name: getattr(self, name) for name in self._ARRAYS})

    @classmethod
    def from_bytes(cls, data: bytes) -> "DetectionMetrics":
        """Rebuild a metric from :meth:`to_bytes` output; a corrupt or foreign payload raises
        :class:`~modelmetrics.exceptions.InvalidInputError`."""
        options, arrays = unpack_state(data, _OWNER)
        dropped = options.pop("dropped", None)
        next_image = options.pop("next_image", None)
        metric = restore(cls, options)
        if not isinstance(dropped, int) or not isinstance(next_image, int):
            raise InvalidInputError(f"{_OWNER}.from_bytes: the payload lacks its counters; it "
                                    f"was not written by this version.")
        expected = {name: getattr(metric, name) for name in cls._ARRAYS}
        for name, empty in expected.items():
            array = arrays.get(name)
            if array is None or array.dtype != empty.dtype or array.shape[1:] != empty.shape[1:]:
                raise InvalidInputError(f"{_OWNER}.from_bytes: the payload's {name[1:]!r} array "
                                        f"has an unexpected layout; it was not written by this "
                                        f"version.")
            setattr(metric, name, array)
        metric._dropped = int(dropped)
        metric._next_image = int(next_image)
        return metric

    def __repr__(self) -> str:
        return (f"{_OWNER}(images={self._images.size}, detections={self._score.size}, "
                f"classes={np.union1d(self._label, self._gt_label).size})")


def _append(state: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``state`` followed by ``rows`` (arrays made by ``update`` itself: an empty state takes
    them as they are, without a copy)."""
    return rows if state.shape[0] == 0 else np.concatenate([state, rows])


def _sum_cells(cells: np.ndarray) -> np.ndarray:
    """Add up confusion cells (gt label, det label, count) that name the same pair."""
    if cells.shape[0] == 0:
        return cells
    pairs, inverse = np.unique(cells[:, :2], axis=0, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=cells[:, 2], minlength=pairs.shape[0])
    return np.concatenate([pairs, counts.astype(np.int64)[:, None]], axis=1)


def _cell_index(labels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Row/column of each stored label in a (K + 1) matrix whose last entry is background."""
    return np.where(values == BACKGROUND, labels.size, np.searchsorted(labels, values))
