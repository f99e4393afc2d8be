"""Semantic segmentation metrics from one pixel confusion matrix, streaming and mergeable.

The state of :class:`SegmentationMetrics` is the ``(C, C)`` int64 matrix of pixel counts (row:
ground-truth class, column: predicted class), plus the number of ignored pixels and of images.
Batches in any split, or shards merged in any order, give exactly the one-call result.

With ``tp`` the diagonal, ``support`` the row sums (labelled pixels of the class) and
``predicted`` the column sums:

==========================  =======================================================
``iou`` (per class)         tp / (support + predicted − tp)
``dice`` (per class)        2·tp / (support + predicted)
``precision`` (per class)   tp / predicted
``recall`` (per class)      tp / support (the class accuracy)
``mean-iou``                mean of the per-class IoU
``mean-accuracy``           mean of the per-class recall
``pixel-accuracy``          Σ tp / Σ support
``frequency-weighted-iou``  Σ support·IoU / Σ support
==========================  =======================================================

Undefined values (see :mod:`modelmetrics.exceptions`): a class absent from both the ground
truth and the prediction has no IoU and no Dice, a class never predicted no precision, a class
with no labelled pixel no recall. By default (``zero_division=None``) they are ``None`` with their
reason under ``undefined`` (key ``per-class/<name>/<metric>``), left out of the means, and one
:class:`~modelmetrics.exceptions.UndefinedMetricWarning` says so. This is mmsegmentation's
``IoUMetric`` (NaN, then ``nanmean``), torchmetrics' ``MulticlassJaccardIndex(average="macro")``
(absent classes weigh 0) and hotcoco's ``mean_iou``; a class predicted but never labelled has IoU
0 and counts in the mean, as in all three. The alternative of scikit-learn's ``jaccard_score``
(``zero_division=0``: absent classes score 0 and count in the means), or 1, is
``zero_division=0.0`` / ``1.0``; substituted values are still listed under ``undefined``.

Ground-truth pixels equal to ``ignore_index`` are left out on both sides. Every other label, in
either map, must be a class id ``0 … C-1``; one that is not raises an error naming how many,
the first value and its position, and nothing of that batch is counted.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .._confusion import (
    ConfusionResult,
    add_pairs,
    as_label_array,
    check_class_names,
    check_mergeable,
    check_num_classes,
    check_zero_division,
    mean_of_defined,
    per_class_table,
    ratios,
    value_property,
    warn_undefined,
)
from .._state import pack_state, restore, unpack_state
from .._validation import parameter_error, to_numpy
from ..exceptions import InvalidInputError

__all__ = ["METRIC_KEYS", "PER_CLASS_KEYS", "SegmentationMetrics", "SegmentationResult"]

METRIC_KEYS = ("mean-iou", "pixel-accuracy", "mean-accuracy", "frequency-weighted-iou")
PER_CLASS_KEYS = ("iou", "dice", "precision", "recall", "support")

_REASONS = {
    "iou": "the class is absent from both the ground truth and the prediction (union 0)",
    "dice": "the class is absent from both the ground truth and the prediction (0 pixels)",
    "precision": "the class is never predicted (0 predicted pixels)",
    "recall": "the class has no labelled pixel in the ground truth (support 0)",
}
#: Show a progress bar on standard error for at least this many files (when it is a terminal).
PROGRESS_MIN_FILES = 100


@dataclass(frozen=True)
class SegmentationResult(ConfusionResult):
    """Semantic segmentation metrics of one evaluation.

    Attributes
    ----------
    values : dict
        ``mean-iou``, ``pixel-accuracy``, ``mean-accuracy``, ``frequency-weighted-iou``
        (float, or ``None`` when undefined).
    per_class : dict
        ``{class name: {"iou", "dice", "precision", "recall", "support"}}`` in class-id order.
    undefined : dict
        ``{key: reason}`` for every undefined or substituted value; per-class keys read
        ``per-class/<name>/<metric>``.
    confusion_matrix : numpy.ndarray of int64, shape (C, C)
        Pixel counts, row: ground truth, column: prediction.
    class_names : tuple of str
    n_pixels : int
        Pixels counted (ignored ones excluded).
    n_ignored : int
        Pixels left out because their ground truth is ``ignore_index`` (or 0 under
        ``reduce_zero_label``).
    n_images : int
        Label maps seen.
    """

    values: dict
    per_class: dict
    undefined: dict
    confusion_matrix: np.ndarray = field(repr=False)
    class_names: tuple
    n_pixels: int
    n_ignored: int
    n_images: int

    model_type = "semantic-segmentation"  # the job-state modelType
    mean_iou = value_property("mean-iou")
    pixel_accuracy = value_property("pixel-accuracy")
    mean_accuracy = value_property("mean-accuracy")
    frequency_weighted_iou = value_property("frequency-weighted-iou")
    accuracy = value_property("pixel-accuracy", "The accuracy of the export's ``accuracies`` "
                              "block: pixel accuracy.")

    def to_dict(self) -> dict:
        """The metrics in the job-state export format: the four means, ``per-class``, and
        ``undefined`` (``{key: reason}``) when any value is undefined or substituted.

        Examples
        --------
        >>> import numpy as np, modelmetrics as mm
        >>> gt = np.array([[0, 0, 1], [1, 1, 255]], dtype=np.uint8)
        >>> pred = np.array([[0, 1, 1], [1, 1, 0]], dtype=np.uint8)
        >>> out = mm.SegmentationMetrics(2, class_names=["sky", "road"]).update(gt, pred).compute().to_dict()
        >>> out["mean-iou"], out["pixel-accuracy"], out["per-class"]["road"]
        (0.625, 0.8, {'iou': 0.75, 'dice': 0.8571428571428571, 'precision': 0.75, 'recall': 1.0, 'support': 3})
        """
        return self._export()


def _label_maps(value, name: str, owner: str) -> np.ndarray:
    array = as_label_array(value, name, owner)
    if array.ndim not in (2, 3):
        raise InvalidInputError(
            f"The {name!r} argument of {owner} must be a label map of shape (H, W) or a batch of "
            f"shape (N, H, W). Got {array.ndim} dimension(s) (shape {array.shape}) instead.")
    return array


def _predicted_labels(value, gt_ndim: int, n_classes: int, owner: str) -> np.ndarray:
    """Prediction as labels; scores of shape (C, H, W) / (N, C, H, W) are reduced by argmax."""
    raw = value if isinstance(value, np.ndarray) else None
    if raw is None and not isinstance(value, (list, tuple)):
        try:
            raw = to_numpy(value) if hasattr(value, "__array__") else None
        except (TypeError, ValueError, RuntimeError):
            raw = None
    if raw is not None and raw.dtype.kind == "f" and raw.ndim == gt_ndim + 1:
        if raw.shape[-3] != n_classes:
            raise InvalidInputError(
                f"The 'pred' argument of {owner} looks like class scores (floating, one more "
                f"dimension than 'gt'), so its class axis (-3) must have num_classes={n_classes} "
                f"entries. Got shape {raw.shape} instead.")
        return raw.argmax(axis=-3)
    return _label_maps(value if raw is None else raw, "pred", owner)


class SegmentationMetrics:
    """Streaming semantic segmentation metrics: ``update`` → ``merge`` → ``compute``.

    Parameters
    ----------
    num_classes : int
        Classes ``0 … num_classes-1``.
    ignore_index : int or None, default 255
        Ground-truth label of unlabelled pixels, left out on both sides; ``None`` counts every
        pixel.
    class_names : sequence of str, optional
        One name per class, in class-id order (default ``"0"``, ``"1"``, …).
    reduce_zero_label : bool, default False
        mmsegmentation's rule for datasets that store "other" as 0 (ADE20K): ground-truth 0 is
        ignored and every other ground-truth label is lowered by one (``ignore_index`` stays
        ignored). Predictions are not changed. Needs an ``ignore_index``.
    zero_division : None or float in [0, 1], default None
        Undefined per-class values (see the module docstring): ``None`` reports them as
        ``None`` and leaves them out of the means (mmsegmentation, torchmetrics); a number
        substitutes it and counts it in the means (scikit-learn's ``zero_division``).

    Notes
    -----
    ``update`` takes label maps of any integer dtype (uint8 … int64, each side its own), C- or
    non-contiguous, as NumPy arrays, CPU tensors (read in place, also when they track
    gradients), or anything exposing ``__array__`` or DLPack. Contiguous uint8 maps take the
    fastest path (eight pixels at a time). Counting runs on all cores for large batches.

    Examples
    --------
    >>> import numpy as np, modelmetrics as mm
    >>> metric = mm.SegmentationMetrics(3, class_names=["sky", "road", "car"])
    >>> gt = np.array([[0, 0, 1, 1], [2, 2, 1, 255]], dtype=np.uint8)
    >>> _ = metric.update(gt, np.array([[0, 1, 1, 1], [2, 2, 1, 0]], dtype=np.uint8))
    >>> result = metric.compute()
    >>> result["pixel-accuracy"], result["mean-iou"], result.per_class["road"]["iou"]
    (0.8571428571428571, 0.75, 0.75)
    """

    def __init__(self, num_classes, *, ignore_index=255, class_names=None, reduce_zero_label=False,
                 zero_division=None):
        owner = type(self).__name__
        self.num_classes = check_num_classes(num_classes, owner)
        if ignore_index is not None and (isinstance(ignore_index, (bool, np.bool_))
                                         or not isinstance(ignore_index, (int, np.integer))):
            raise parameter_error("ignore_index", owner, "an int or None", ignore_index)
        self.ignore_index = None if ignore_index is None else int(ignore_index)
        self.class_names = check_class_names(class_names, self.num_classes, owner)
        if not isinstance(reduce_zero_label, (bool, np.bool_)):
            raise parameter_error("reduce_zero_label", owner, "True or False", reduce_zero_label)
        if reduce_zero_label and self.ignore_index is None:
            raise parameter_error("reduce_zero_label", owner, "False when ignore_index is None",
                                  reduce_zero_label, "reduce_zero_label turns ground-truth 0 into "
                                  "ignore_index; pass ignore_index=255.")
        self.reduce_zero_label = bool(reduce_zero_label)
        self.zero_division = check_zero_division(zero_division, owner)
        self.reset()

    # -- streaming -------------------------------------------------------------------------

    def update(self, gt, pred) -> "SegmentationMetrics":
        """Add label maps.

        Parameters
        ----------
        gt : integer array-like of shape (H, W) or (N, H, W)
            Ground-truth class ids (``ignore_index`` for unlabelled pixels).
        pred : integer array-like of the same shape
            Predicted class ids. Floating scores of shape (C, H, W) or (N, C, H, W) are
            accepted too and reduced by argmax over the class axis.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            Mismatched shapes, non-integer labels, or labels out of range (how many, the first
            value and its position); the state is unchanged then.
        """
        owner = f"{type(self).__name__}.update"
        g = _label_maps(gt, "gt", owner)
        p = _predicted_labels(pred, g.ndim, self.num_classes, owner)
        if g.shape != p.shape:
            raise InvalidInputError(
                f"The 'gt' and 'pred' arguments of {owner} must have the same shape. Got "
                f"{g.shape} and {p.shape} instead; resize the prediction to the label map (nearest "
                f"neighbour), or pass maps of the same images.")
        ignored = add_pairs(self._counts, g, p, self.num_classes, ignore=self.ignore_index,
                            shift=int(self.reduce_zero_label), names=("gt", "pred"), owner=owner,
                            unit="pixel")
        self._n_ignored += ignored
        self._n_images += 1 if g.ndim == 2 else g.shape[0]
        return self

    def update_from_files(self, gt_paths, pred_paths, *, progress=None) -> "SegmentationMetrics":
        """Add pairs of label-map images (PNG, grayscale or palette index; see
        :func:`modelmetrics.io.label_maps.read_label_map`).

        Parameters
        ----------
        gt_paths, pred_paths : sequences of path-like of the same length
            Ground truth and prediction of each image, paired in order.
        progress : bool, optional
            Show a progress bar on standard error; by default shown for at least
            ``PROGRESS_MIN_FILES`` pairs when standard error is a terminal.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            A missing or unreadable file, or two files of different sizes (both are named).
        """
        from ..io.label_maps import read_label_map

        owner = f"{type(self).__name__}.update_from_files"
        gt_paths = [os.fspath(p) for p in gt_paths]
        pred_paths = [os.fspath(p) for p in pred_paths]
        if len(gt_paths) != len(pred_paths):
            raise InvalidInputError(
                f"{owner}: got {len(gt_paths)} ground-truth and {len(pred_paths)} prediction "
                f"paths; pass one prediction per ground-truth file, in the same order.")
        bar = _Progress(len(gt_paths), progress)
        for gt_path, pred_path in zip(gt_paths, pred_paths):
            gt = read_label_map(gt_path)
            pred = read_label_map(pred_path)
            if gt.shape != pred.shape:
                raise InvalidInputError(
                    f"{owner}: the label maps {gt_path!r} ({gt.shape[1]}×{gt.shape[0]} pixels) and "
                    f"{pred_path!r} ({pred.shape[1]}×{pred.shape[0]} pixels) differ in size; a "
                    f"prediction must have the size of its ground truth.")
            try:
                self.update(gt, pred)
            except InvalidInputError as exc:
                raise InvalidInputError(f"{owner}: in {gt_path!r} / {pred_path!r}: {exc}") from None
            bar.step()
        bar.close()
        return self

    def update_from_folders(self, gt_dir, pred_dir, *, gt_suffix=".png", pred_suffix=".png",
                            progress=None) -> "SegmentationMetrics":
        """Add every ground-truth label map of ``gt_dir`` (searched recursively) with the
        prediction of the same relative name in ``pred_dir``.

        A ground-truth file ``<name><gt_suffix>`` is paired with ``<name><pred_suffix>`` (for
        Cityscapes, e.g. ``gt_suffix="_gtFine_labelTrainIds.png"``,
        ``pred_suffix="_leftImg8bit.png"``).

        Raises
        ------
        InvalidInputError
            A missing folder, no ground-truth file, a ground truth without its prediction or a
            prediction without its ground truth (the first pair is named, and how many).
        """
        from ..io.label_maps import pair_label_maps

        gt_paths, pred_paths = pair_label_maps(gt_dir, pred_dir, gt_suffix=gt_suffix,
                                               pred_suffix=pred_suffix,
                                               owner=f"{type(self).__name__}.update_from_folders")
        return self.update_from_files(gt_paths, pred_paths, progress=progress)

    def merge(self, other: "SegmentationMetrics") -> "SegmentationMetrics":
        """Fold another state into this one (in place) and return ``self``."""
        check_mergeable(self, other, ("num_classes", "ignore_index", "reduce_zero_label"))
        self._counts += other._counts
        self._n_ignored += other._n_ignored
        self._n_images += other._n_images
        return self

    def reset(self) -> "SegmentationMetrics":
        """Forget every pixel (options are kept)."""
        self._counts = np.zeros((self.num_classes, self.num_classes), np.int64)
        self._n_ignored = 0
        self._n_images = 0
        return self

    @property
    def confusion_matrix(self) -> np.ndarray:
        """The pixel counts so far (a copy), row: ground truth, column: prediction."""
        return self._counts.copy()

    def compute(self) -> SegmentationResult:
        """The metrics of everything seen so far.

        Returns
        -------
        SegmentationResult

        Raises
        ------
        InvalidInputError
            When no pixel was counted (nothing seen, or every pixel ignored).
        """
        owner = f"{type(self).__name__}.compute()"
        counts = self._counts
        n_pixels = int(counts.sum())
        if n_pixels == 0:
            raise InvalidInputError(
                f"{owner} needs at least one counted pixel; it has seen {self._n_images} label "
                f"map(s) and {self._n_ignored} ignored pixel(s). Check ignore_index and the data.")
        zd = self.zero_division
        tp = np.diag(counts)
        support = counts.sum(axis=1)
        predicted = counts.sum(axis=0)
        union = support + predicted - tp
        columns = {
            "iou": ratios(tp, union, zd),
            "dice": ratios(2 * tp, support + predicted, zd),
            "precision": ratios(tp, predicted, zd),
            "recall": ratios(tp, support, zd),
        }
        per_class, undefined = per_class_table(self.class_names, columns, _REASONS, zd,
                                               support.tolist())
        labelled = support > 0  # their union is not empty: IoU defined
        labelled_iou = tp[labelled] / union[labelled]
        values = {
            "mean-iou": mean_of_defined(columns["iou"][0]),
            "pixel-accuracy": float(tp.sum() / n_pixels),
            "mean-accuracy": mean_of_defined(columns["recall"][0]),
            "frequency-weighted-iou": float(np.dot(support[labelled], labelled_iou) / n_pixels),
        }
        warn_undefined(undefined, owner)
        return SegmentationResult(values=values, per_class=per_class, undefined=undefined,
                                  confusion_matrix=counts.copy(), class_names=self.class_names,
                                  n_pixels=n_pixels, n_ignored=int(self._n_ignored),
                                  n_images=int(self._n_images))

    # -- persistence -----------------------------------------------------------------------

    def _options(self) -> dict:
        return {"num_classes": self.num_classes, "ignore_index": self.ignore_index,
                "class_names": list(self.class_names), "reduce_zero_label": self.reduce_zero_label,
                "zero_division": self.zero_division}

    def to_bytes(self) -> bytes:
        """The state as a compact, versioned, checksummed payload (see :meth:`from_bytes`)."""
        meta = np.array([self._n_ignored, self._n_images], np.int64)
        return pack_state(type(self).__name__, self._options(), {"counts": self._counts, "meta": meta})

    @classmethod
    def from_bytes(cls, data: bytes) -> "SegmentationMetrics":
        """Rebuild a metric from :meth:`to_bytes` output; a corrupt or foreign payload raises
        :class:`~modelmetrics.exceptions.InvalidInputError`."""
        options, arrays = unpack_state(data, cls.__name__)
        metric = restore(cls, options)
        counts, meta = arrays.get("counts"), arrays.get("meta")
        if (counts is None or meta is None or counts.shape != metric._counts.shape
                or meta.shape != (2,) or counts.dtype != np.int64 or np.any(counts < 0)):
            raise InvalidInputError(f"{cls.__name__}.from_bytes: the payload's state has an "
                                    f"unexpected layout; it was not written by this version.")
        metric._counts = counts.copy()
        metric._n_ignored, metric._n_images = (int(v) for v in meta)
        return metric

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(num_classes={self.num_classes}, ignore_index="
                f"{self.ignore_index}, n_images={self._n_images}, n_pixels={int(self._counts.sum())})")


class _Progress:
    """A one-line progress bar on standard error (no dependency)."""

    def __init__(self, total: int, show):
        if show is None:
            show = total >= PROGRESS_MIN_FILES and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.total = total
        self.show = bool(show) and total > 0
        self.done = 0
        self.start = time.perf_counter()
        self.last = 0.0

    def step(self) -> None:
        self.done += 1
        if not self.show:
            return
        now = time.perf_counter()
        if self.done < self.total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = width * self.done // self.total
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        sys.stderr.write(f"\rlabel maps [{'#' * filled}{'.' * (width - filled)}] "
                         f"{self.done}/{self.total} ({rate:.1f}/s)")
        sys.stderr.flush()

    def close(self) -> None:
        if self.show:
            sys.stderr.write("\n")
            sys.stderr.flush()
