"""COCO evaluation with pycocotools' exact semantics, plus the operating-point metrics.

``evaluate_coco(ground_truth, results)`` reproduces ``COCOeval`` (``evaluate`` → ``accumulate``
→ ``summarize``) bit for bit: the same greedy matching, the same ``precision`` / ``recall`` /
``scores`` arrays and the same 12 summary numbers. It also reports, per class, AP, AP50, AP75 and
the counts at an operating point (IoU ``operating_iou``, score >= ``score_threshold``), a
detection confusion matrix, per-detection outcomes and dataset statistics, and exports all of it
in the job-state format.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_finite_number, parameter_error
from ..exceptions import ExcludedDataWarning, InvalidInputError, UndefinedMetricWarning
from ..io.coco_results import read_coco_results
from ..kernels import average_precision as AP
from . import _engine as E

__all__ = ["CocoEvaluation", "evaluate_coco"]

_OWNER = "evaluate_coco"
SUMMARY_KEYS = (
    "mean-average-precision", "map-50", "map-75", "map-small", "map-medium", "map-large",
    "mar-1", "mar-10", "mar-100", "mar-small", "mar-medium", "mar-large",
)
OUTCOMES = ("fp", "tp", "ignored")  # indexed by the matching status codes
SUMMARY_UNDEFINED = ("no ground truth that counts in this area range / at this setting "
                     "(pycocotools reports -1)")


# ---------------------------------------------------------------------------------------------
# ground truth


@dataclass(frozen=True)
class GroundTruth:
    """A COCO ground-truth document as arrays (images and categories sorted by id)."""

    image_ids: np.ndarray  # int64 (I,) sorted
    category_ids: np.ndarray  # int64 (K,) sorted
    category_names: tuple  # (K,)
    image: np.ndarray  # int64 (G,) image index of each annotation
    category: np.ndarray  # int64 (G,) category index
    bbox: np.ndarray  # float64 (G, 4) xywh
    area: np.ndarray  # float64 (G,)
    crowd: np.ndarray  # bool (G,)
    ann_id: np.ndarray  # int64 (G,)
    annotations: list  # the annotation dicts (segmentations are read from them)
    image_size: np.ndarray  # int64 (I, 2) each image's (height, width), -1 where not an int


def _load_json(source, what: str):
    if isinstance(source, (dict, list)):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        text, origin = bytes(source), f"the {what} bytes"
    elif isinstance(source, (str, os.PathLike)):
        origin = os.fspath(source)
        try:
            with open(origin, "rb") as stream:
                text = stream.read()
        except OSError as exc:
            raise InvalidInputError(f"Cannot read the {what} file {origin!r}: "
                                    f"{exc.strerror or exc}.") from exc
    else:
        raise InvalidInputError(f"The {what!r} argument of {_OWNER} must be a path, bytes or "
                                f"an already-parsed JSON value. Got a {type(source).__name__}.")
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{origin} is not valid JSON: {exc}.") from exc


_INT64_LIMIT = 1 << 63


def _int_field(record, index: int, key: str, where: str) -> int:
    value = record.get(key) if isinstance(record, dict) else None
    ok = (_number(value) and math.isfinite(value) and value == int(value)
          and -_INT64_LIMIT <= int(value) < _INT64_LIMIT)
    if not ok:
        raise InvalidInputError(f"{where} {index}: field {key!r} must be an integer id (within "
                                f"64 bits). Got {value!r}.")
    return int(value)


def _size_field(image, key: str) -> int:
    """An image's height or width: a non-negative int (as the scanner reads it), else -1."""
    value = image.get(key)
    ok = (isinstance(value, numbers.Integral) and not isinstance(value, bool)
          and 0 <= value < 10**18)
    return int(value) if ok else -1


def _number(value) -> bool:
    """A real number: Python's or NumPy's int or float (not a bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


_SCANNABLE = (bytes, bytearray, memoryview, str, os.PathLike)  # read by the Numba scanners


def read_ground_truth(source, scanned=None) -> GroundTruth:
    """Parse and check a COCO ground-truth document (path, bytes or dict); ``scanned``: a
    :class:`~concurrent.futures.Future` of ``scan_ground_truth(source)`` already started.

    Paths and bytes are read by the Numba scanner (:mod:`modelmetrics.io.coco_ground_truth`)
    and checked with array operations; ``annotations`` is then a lazy sequence parsing each
    annotation object on access. Whatever the scanner flags, and any document failing a check,
    is read again with :func:`json.loads` and checked record by record below, so that the
    errors and their messages are the same for every kind of input.
    """
    from ..io.coco_ground_truth import scan_ground_truth

    scan = None
    if scanned is not None:
        scan = scanned.result()
    elif isinstance(source, _SCANNABLE):
        scan = scan_ground_truth(source)
    if scan is not None:
        # Fast path: the kernel checked the types of every field; check the values here.
        ok = True
        image_ids = scan.image_ids
        categories = scan.categories
        try:
            cat_ids = np.array([_int_field(c, i, "id", "ground-truth category")
                                for i, c in enumerate(categories)], np.int64)
        except InvalidInputError:
            ok, cat_ids = False, np.empty(0, np.int64)
        sorted_images = np.unique(image_ids)
        sorted_cats = np.unique(cat_ids)
        ok = ok and sorted_images.size == image_ids.size and sorted_cats.size == cat_ids.size
        image_size = scan.image_sizes[np.argsort(image_ids, kind="stable")]
        if ok:
            image, category, ann_id = scan.image_id, scan.category_id, scan.ann_id
            bbox = scan.bbox
            with np.errstate(invalid="ignore", over="ignore"):  # Python's floats do not warn
                area = np.where(np.isnan(scan.area), bbox[:, 2] * bbox[:, 3], scan.area)
                ok = bool(np.isfinite(bbox).all() and (bbox[:, 2:] >= 0).all()
                          and np.isfinite(area).all())
            crowd = scan.iscrowd == 1
            annotations = scan.annotations
            n = image.shape[0]
            image_index = E.positions(image, sorted_images)  # -1: not among the images
            ok = ok and not (n and (image_index < 0).any())
        if ok:
            names = {int(c["id"]): str(c.get("name", c["id"])) for c in categories}
        else:
            scan = None  # read it again with json.loads: its checks below raise the error
    if scan is None:
        document = _load_json(source, "ground_truth")
        if not isinstance(document, dict):
            raise InvalidInputError(f"The 'ground_truth' of {_OWNER} must be a COCO object with "
                                    f"'images', 'annotations' and 'categories'. Got a "
                                    f"{type(document).__name__}.")
        for key in ("images", "annotations", "categories"):
            if not isinstance(document.get(key), list):
                raise InvalidInputError(f"The ground truth has no {key!r} list; a COCO instances "
                                        f"file has 'images', 'annotations' and 'categories'.")
        image_ids = np.array([_int_field(im, i, "id", "ground-truth image")
                              for i, im in enumerate(document["images"])], np.int64)
        categories = document["categories"]
        cat_ids = np.array([_int_field(c, i, "id", "ground-truth category")
                            for i, c in enumerate(categories)], np.int64)
        for ids, what in ((image_ids, "image"), (cat_ids, "category")):
            unique, counts = np.unique(ids, return_counts=True)
            if np.any(counts > 1):
                raise InvalidInputError(f"The ground truth lists {what} id "
                                        f"{unique[counts > 1][0]} more than once; ids must be "
                                        f"unique.")
        names = {int(c["id"]): str(c.get("name", c["id"])) for c in categories}
        sorted_images = np.unique(image_ids)
        sorted_cats = np.unique(cat_ids)
        image_size = np.array([[_size_field(im, key) for key in ("height", "width")]
                               for im in document["images"]], np.int64).reshape(-1, 2)
        image_size = image_size[np.argsort(image_ids, kind="stable")]
        annotations = document["annotations"]
        n = len(annotations)
        image = np.empty(n, np.int64)
        category = np.empty(n, np.int64)
        bbox = np.empty((n, 4))
        area = np.empty(n)
        crowd = np.zeros(n, np.bool_)
        ann_id = np.empty(n, np.int64)
        for i, ann in enumerate(annotations):
            where = "ground-truth annotation"
            image[i] = _int_field(ann, i, "image_id", where)
            category[i] = _int_field(ann, i, "category_id", where)
            ann_id[i] = _int_field(ann, i, "id", where)
            box = ann.get("bbox")
            if not (isinstance(box, list) and len(box) == 4 and all(_number(v) for v in box)):
                raise InvalidInputError(f"{where} {i}: field 'bbox' must be [x, y, width, "
                                        f"height] (4 numbers). Got {box!r}.")
            bbox[i] = box
            value = ann.get("area", None)
            if value is not None and not _number(value):
                raise InvalidInputError(f"{where} {i}: field 'area' must be a number. "
                                        f"Got {value!r}.")
            area[i] = box[2] * box[3] if value is None else value
            flag = ann.get("iscrowd", 0)
            if not (_number(flag) or isinstance(flag, (bool, np.bool_))) or flag not in (0, 1):
                raise InvalidInputError(f"{where} {i}: field 'iscrowd' must be 0 or 1. "
                                        f"Got {flag!r}.")
            crowd[i] = bool(flag)
        if (not np.all(np.isfinite(bbox)) or np.any(bbox[:, 2:] < 0)
                or not np.all(np.isfinite(area))):
            bad = int(np.flatnonzero(~np.isfinite(bbox).all(1) | (bbox[:, 2:] < 0).any(1)
                                     | ~np.isfinite(area))[0])
            raise InvalidInputError(f"ground-truth annotation {bad}: 'bbox' {bbox[bad].tolist()} "
                                    f"/ 'area' {area[bad]} must be finite with width, "
                                    f"height >= 0.")
        image_index = E.positions(image, sorted_images)
        unknown = image_index < 0
        if n and np.any(unknown):
            bad = int(np.flatnonzero(unknown)[0])
            raise InvalidInputError(f"ground-truth annotation {bad}: image_id {image[bad]} is "
                                    f"not in the ground truth's 'images'.")
    cat_index = E.positions(category, sorted_cats)  # a lookup table for dense ids
    known_cat = cat_index >= 0
    if n and not np.all(known_cat):
        warnings.warn(f"{int((~known_cat).sum())} ground-truth annotation(s) have a category_id "
                      f"missing from 'categories' (first: annotation "
                      f"{int(np.flatnonzero(~known_cat)[0])}); they are not evaluated, as in "
                      f"pycocotools.", ExcludedDataWarning, stacklevel=3)
        keep = np.flatnonzero(known_cat)
        image_index, cat_index = image_index[keep], cat_index[keep]
        bbox, area, crowd, ann_id = bbox[keep], area[keep], crowd[keep], ann_id[keep]
        if isinstance(annotations, list):
            annotations = [annotations[i] for i in keep]
        else:
            annotations = annotations.take(keep)
    return GroundTruth(image_ids=sorted_images, category_ids=sorted_cats,
                       category_names=tuple(names[int(c)] for c in sorted_cats),
                       image=image_index, category=cat_index, bbox=bbox, area=area, crowd=crowd,
                       ann_id=ann_id, annotations=annotations, image_size=image_size)


def _index_of(values: np.ndarray, table: np.ndarray, what: str) -> np.ndarray:
    """Position of each id of ``values`` in the sorted ids ``table``; unknown ids raise."""
    index = E.positions(values, table)
    bad = index < 0
    if values.size and np.any(bad):
        first = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"result {first}: {what} {values[first]} is not in the ground truth "
            f"({int(bad.sum())} result(s) refer to unknown {what}s). Evaluate results against "
            f"the ground truth they were made for, or remove those records.")
    return index


# ---------------------------------------------------------------------------------------------
# the result


def _summarize(precision, recall, params: E.EvaluationParams, *, ap: bool, iou=None,
               area="all", max_det=100) -> float:
    """pycocotools' ``_summarize``: mean of the entries > −1, or −1."""
    aind, mind = _slice(params, area, max_det)
    s = precision if ap else recall
    if len(aind) == 1 and len(mind) == 1:  # a view of one block: no copy (same entries)
        aind, mind = aind[0], mind[0]
    s = s[:, :, :, aind, mind] if ap else s[:, :, aind, mind]
    if iou is not None:
        s = s[np.where(iou == params.iou_thresholds)[0]]
    valid = s[s > -1]
    return -1.0 if valid.size == 0 else float(np.mean(valid))


def _slice(params: E.EvaluationParams, area: str, max_det: int) -> tuple:
    """The area-range and max-detections indices pycocotools' ``_summarize`` reads."""
    return ([i for i, label in enumerate(E.AREA_LABELS) if label == area],
            [i for i, m in enumerate(params.max_detections) if m == max_det])


def _summary_specs(params: E.EvaluationParams, parity: bool) -> list:
    """The 12 summary numbers as ``_summarize`` arguments (None: −1, nothing to read).

    With ``parity``, pycocotools' hard-coded choices are kept: AP at 100 detections, the others
    at ``max_detections[2]``, AR at ``max_detections[0..2]``. Otherwise AP and the area-range
    numbers use the largest ``max_detections`` and AR the first three entries.
    """
    md = params.max_detections
    last = md[2] if parity else md[-1]
    ap_all = 100 if parity else md[-1]
    ar = [md[i] if i < len(md) else None for i in range(3)]
    return [
        dict(ap=True, max_det=ap_all),
        dict(ap=True, iou=0.5, max_det=last),
        dict(ap=True, iou=0.75, max_det=last),
        *(dict(ap=True, area=area, max_det=last) for area in ("small", "medium", "large")),
        *(None if m is None else dict(ap=False, max_det=m) for m in ar),
        *(dict(ap=False, area=area, max_det=last) for area in ("small", "medium", "large")),
    ]


def summary_stats(precision, recall, params: E.EvaluationParams, *, parity: bool) -> np.ndarray:
    """The 12 summary numbers in pycocotools' order (−1 where nothing can be measured); see
    :func:`_summary_specs` for what each reads."""
    return np.array([-1.0 if spec is None else _summarize(precision, recall, params, **spec)
                     for spec in _summary_specs(params, parity)])


def _needed(params: E.EvaluationParams, parity: bool) -> np.ndarray:
    """What the evaluation reads of the accumulation, per (area range, max_detections) (uint8
    (A, M), see ``kernels.average_precision.accumulate``): the summary numbers' entries, and the
    curves of area "all" at the largest max_detections (per-class AP, PR curves)."""
    wanted = np.full((params.area_ranges.shape[0], len(params.max_detections)), AP.NOTHING)
    wanted[0, -1] = AP.CURVES
    for spec in _summary_specs(params, parity):
        if spec is not None:
            aind, mind = _slice(params, spec.get("area", "all"), spec["max_det"])
            for a in aind:
                for m in mind:
                    wanted[a, m] = max(wanted[a, m], AP.CURVES if spec["ap"] else AP.RECALL_ONLY)
    return wanted


def _ratio(numerator: float, denominator: float):
    return None if denominator == 0 else numerator / denominator


@dataclass(frozen=True, eq=False)
class CocoEvaluation:
    """Everything a COCO evaluation produces.

    Attributes
    ----------
    stats : numpy.ndarray, shape (12,)
        AP, AP50, AP75, AP small/medium/large, AR@max_detections[0..2], AR small/medium/large,
        in pycocotools' order; −1 where nothing can be measured (as pycocotools).
    precision, scores : numpy.ndarray, shape (T, R, K, A, M)
    recall : numpy.ndarray, shape (T, K, A, M)
        pycocotools' ``eval`` arrays, −1 where undefined. They are computed on first access
        (the accumulation runs again then, once): the evaluation itself computes only the
        entries its numbers read (the summary's, and the curves of area "all" at the largest
        ``max_detections``).
    params : EvaluationParams
    category_ids : numpy.ndarray (K,); category_names : tuple (K,)
    per_class : dict
        ``{name: {"average-precision", "ap-50", "ap-75", "precision", "recall", "f1-score",
        "true-positives", "false-positives", "false-negatives", "support"}}`` — AP over IoU
        0.50:0.95 at the largest ``max_detections``, counts at the operating point.
    confusion_matrix : numpy.ndarray of int64, shape (K + 1, K + 1)
        Rows: ground truth, columns: prediction, the last of each is background.
    dataset_stats : dict
        Ground-truth annotations per class name.
    n_dropped : int
        Detections beyond ``max_detections[-1]`` in their image and category (not evaluated).
    iou_type : {"bbox", "segm"}
        Box or mask IoU (object detection or instance segmentation).
    """

    stats: np.ndarray
    _curves: np.ndarray = field(repr=False)  # precision, read only where the evaluation needs
    _arrays: Callable[[], tuple] = field(repr=False)  # (precision, recall, scores) in full
    params: E.EvaluationParams
    category_ids: np.ndarray
    category_names: tuple
    per_class: dict
    confusion_matrix: np.ndarray
    dataset_stats: dict
    n_dropped: int
    _detections: Callable[[], dict] = field(repr=False)  # built on request
    iou_type: str = "bbox"
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def precision(self) -> np.ndarray:
        """pycocotools' ``eval["precision"]``, shape (T, R, K, A, M)."""
        return self._full()[0]

    @property
    def recall(self) -> np.ndarray:
        """pycocotools' ``eval["recall"]``, shape (T, K, A, M)."""
        return self._full()[1]

    @property
    def scores(self) -> np.ndarray:
        """pycocotools' ``eval["scores"]``, shape (T, R, K, A, M)."""
        return self._full()[2]

    def _full(self) -> tuple:
        if "arrays" not in self._cache:
            self._cache["arrays"] = self._arrays()
        return self._cache["arrays"]

    def detections(self) -> dict:
        """Per-detection outcomes at the operating IoU (area "all"), one entry per evaluated
        detection: ``index`` (position in the results input), ``image_id``, ``category_id``,
        ``score``, ``matched_gt_id`` (−1 when unmatched), ``outcome`` ("tp", "fp" or
        "ignored": matched to a crowd region), ``above_threshold`` (score >= threshold)."""
        out = self._detections()
        out["outcome"] = np.array(OUTCOMES)[out["outcome"]]
        return out

    def pr_curves(self, iou: float = 0.5) -> dict:
        """Precision–recall curve per class at IoU ``iou`` (area "all", the largest
        ``max_detections``): ``{name: {"recall": [...], "precision": [...]}}`` on the recall
        thresholds (101 by default). Classes without ground truth (no curve: −1) are left out;
        empty when ``iou`` is not an evaluated threshold."""
        t = np.flatnonzero(np.isclose(self.params.iou_thresholds, iou))
        if t.size == 0:
            return {}
        recall = self.params.recall_thresholds.tolist()
        curves = self._curves[t[0], :, :, 0, -1]  # (R, K)
        return {name: {"recall": recall, "precision": curves[:, k].tolist()}
                for k, name in enumerate(self.category_names) if np.all(curves[:, k] > -1)}

    def summary(self) -> dict:
        """The 12 numbers by export key; ``None`` where pycocotools gives −1."""
        return {k: (None if v == -1 else float(v)) for k, v in zip(SUMMARY_KEYS, self.stats)}

    def to_dict(self) -> dict:
        """The metrics in the job-state export format (see DESIGN.md), with ``undefined``
        reasons for every ``null``."""
        out = self.summary()
        undefined = {k: SUMMARY_UNDEFINED for k, v in out.items() if v is None}
        if tuple(self.params.max_detections) != E.COCO_MAX_DETECTIONS:
            for key in ("mar-1", "mar-10", "mar-100"):
                out.pop(key)
                undefined.pop(key, None)
            for i, m in enumerate(self.params.max_detections[:3]):
                out[f"mar-{m}"] = None if self.stats[6 + i] == -1 else float(self.stats[6 + i])
        out["iou-threshold"] = self.params.operating_iou
        out["score-threshold"] = self.params.score_threshold
        per_class = {}
        for name, row in self.per_class.items():
            per_class[name] = {key: row[key] for key in (
                "average-precision", "precision", "recall", "f1-score", "true-positives",
                "false-positives", "false-negatives")}
            for key, value in per_class[name].items():
                if value is None:
                    undefined[f"per-class/{name}/{key}"] = row["undefined"][key]
        out["per-class"] = per_class
        out["confusion-matrix"] = {"labels": [*self.category_names, "background"],
                                   "matrix": self.confusion_matrix.tolist()}
        out["pr-curves"] = self.pr_curves()
        if undefined:
            out["undefined"] = undefined
        return out

    @property
    def model_type(self) -> str:
        """The job-state ``modelType`` of this evaluation: ``"object-detection"`` (boxes) or
        ``"instance-segmentation"`` (masks)."""
        return "instance-segmentation" if self.iou_type == "segm" else "object-detection"

    @property
    def accuracy(self) -> float | None:
        """TP / (TP + FP + FN) over all classes at the operating point (IoU ``operating_iou``,
        score >= ``score_threshold``); None when there is nothing to count."""
        counted = [(row["true-positives"], row["false-positives"], row["false-negatives"])
                   for row in self.per_class.values()]
        tp, fp, fn = (sum(column) for column in zip(*counted)) if counted else (0, 0, 0)
        return None if tp + fp + fn == 0 else tp / (tp + fp + fn)

    def job_state_entry(self, *, target_names=None) -> dict:
        """What this evaluation contributes to one split of a job-state document: ``modelType``,
        ``metrics`` (:meth:`to_dict`), ``datasetStats`` (ground-truth objects per class) and
        ``accuracy`` (:attr:`accuracy` with the score threshold). Used by
        :meth:`modelmetrics.TrainingRun.set_metrics`; ``target_names`` is not used."""
        model_type = self.model_type
        return {"modelType": model_type, "metrics": self.to_dict(),
                "datasetStats": {model_type: dict(self.dataset_stats)},
                "accuracy": {"accuracy": self.accuracy,
                             "threshold": self.params.score_threshold}}


def _per_class(precision, rows: E.MatchedRows, n_gt, params, names, support, counts) -> dict:
    tp, fp = counts
    fn = n_gt[:, 0] - tp
    thresholds = params.iou_thresholds
    # (K, T, R): each class's curves at area "all" and the largest max_detections
    by_class = np.ascontiguousarray(np.moveaxis(precision[:, :, :, 0, -1], 2, 0))
    n_classes, _, n_recall = by_class.shape
    means = {}
    for key, sel in (("average-precision", slice(None)),
                     ("ap-50", np.flatnonzero(thresholds == 0.5)),
                     ("ap-75", np.flatnonzero(thresholds == 0.75))):
        block = by_class[:, sel, :]  # (K, thresholds selected, R)
        means[key] = _row_means(block.reshape(n_classes, block.shape[1] * n_recall))
    table = {}
    for k, name in enumerate(names):
        row, undefined = {}, {}
        for key, values in means.items():
            row[key] = None if np.isnan(values[k]) else float(values[k])
            if row[key] is None:
                undefined[key] = ("no ground truth of this class" if n_gt[k, 0] == 0 else
                                  "this IoU threshold is not evaluated")
        row["true-positives"] = int(tp[k])
        row["false-positives"] = int(fp[k])
        row["false-negatives"] = int(fn[k])
        row["support"] = int(support[k])
        row["precision"] = _ratio(tp[k], tp[k] + fp[k])
        row["recall"] = _ratio(tp[k], n_gt[k, 0])
        row["f1-score"] = _ratio(2 * tp[k], 2 * tp[k] + fp[k] + fn[k])
        for key, reason in (("precision", "no detection of this class at or above the score "
                                          "threshold"),
                            ("recall", "no ground truth of this class"),
                            ("f1-score", "no detection and no ground truth of this class")):
            if row[key] is None:
                undefined[key] = reason
            else:
                row[key] = float(row[key])
        row["undefined"] = undefined
        table[name] = row
    return table


def _row_means(values: np.ndarray) -> np.ndarray:
    """The mean of the entries > −1 of each row of a (K, n) array, bit for bit as ``np.mean`` of
    those entries gives it (pycocotools' per-class averages); NaN for a row without any.

    Rows without −1 (every class with ground truth) are summed in one reduction along the row,
    which adds a row's entries in the order ``np.mean`` of that row does."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], np.nan)
    valid = values > -1
    means = np.add.reduce(values, axis=1) / values.shape[1]
    for k in np.flatnonzero(~valid.all(axis=1)):
        kept = values[k][valid[k]]
        means[k] = np.mean(kept) if kept.size else np.nan
    return means


def _params(max_detections, iou_thresholds, score_threshold, operating_iou) -> E.EvaluationParams:
    try:
        md = tuple(sorted(int(m) for m in max_detections if m == int(m) and not isinstance(m, bool)))
        complete = len(md) == len(tuple(max_detections))
    except (TypeError, ValueError, OverflowError):
        md, complete = (), False
    if not complete or not md or any(m < 1 for m in md) or len(set(md)) != len(md):
        raise parameter_error("max_detections", _OWNER, "a non-empty sequence of distinct "
                              "positive ints", max_detections)
    if iou_thresholds is None:
        thresholds = E.COCO_IOU_THRESHOLDS
    else:
        thresholds = np.asarray(iou_thresholds, dtype=np.float64).ravel()
        if thresholds.size == 0 or not np.all((thresholds >= 0) & (thresholds <= 1)):
            raise parameter_error("iou_thresholds", _OWNER, "a non-empty sequence of numbers in "
                                  "[0, 1]", iou_thresholds)
    return E.EvaluationParams(
        iou_thresholds=thresholds, max_detections=md,
        score_threshold=check_finite_number(score_threshold, "score_threshold", _OWNER),
        operating_iou=_check_operating_iou(operating_iou))


def _check_operating_iou(value) -> float:
    number = check_finite_number(value, "operating_iou", _OWNER, minimum=0)
    if not 0 < number <= 1:
        raise parameter_error("operating_iou", _OWNER, "a number in (0, 1]", value)
    return number


def evaluate_coco(ground_truth, results, *, iou_type="bbox", max_detections=(1, 10, 100),
                  iou_thresholds=None, score_threshold=0.5, operating_iou=0.5,
                  parity=False) -> CocoEvaluation:
    """Evaluate detections the way pycocotools' ``COCOeval`` does, and more.

    Parameters
    ----------
    ground_truth : path, bytes or dict
        A COCO instances document (``images``, ``annotations``, ``categories``).
    results : path, bytes or list of dict
        COCO results: ``{"image_id", "category_id", "bbox": [x, y, w, h], "score"}`` records
        (with ``"segmentation"`` for ``iou_type="segm"``).
    iou_type : {"bbox", "segm"}
        Box IoU, or mask IoU (instance segmentation: results carry a ``segmentation``, an RLE
        as pycocotools writes them; ground-truth polygons, uncompressed and compressed RLEs are
        read as pycocotools' ``annToRLE`` reads them).
    max_detections : sequence of int, default (1, 10, 100)
        Detections kept per image and category, by score; AR is reported for each.
    iou_thresholds : sequence of float, optional
        Default COCO's 0.50:0.05:0.95.
    score_threshold : float, default 0.5
        Operating point: detections with score >= this count in TP/FP/FN, precision, recall,
        F1 and the confusion matrix.
    operating_iou : float, default 0.5
        Operating point IoU.
    parity : bool, default False
        Reproduce pycocotools' hard-coded summary choices (AP at 100 detections whatever
        ``max_detections`` says). With the default settings both agree.

    Returns
    -------
    CocoEvaluation

    Examples
    --------
    >>> import modelmetrics as mm
    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1, "name": "cat"}],
    ...       "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
    ...                        "bbox": [10, 10, 50, 50], "area": 2500, "iscrowd": 0}]}
    >>> dt = [{"image_id": 1, "category_id": 1, "bbox": [12, 10, 50, 50], "score": 0.9}]
    >>> import warnings
    >>> with warnings.catch_warnings():  # no small or large objects: those AP/AR are undefined
    ...     warnings.simplefilter("ignore", mm.UndefinedMetricWarning)
    ...     result = mm.evaluate_coco(gt, dt)
    >>> round(float(result.stats[0]), 4), result.per_class["cat"]["true-positives"]
    (0.9, 1)

    Instance segmentation: the ground truth's polygon (rasterised on its image's
    ``height`` x ``width`` grid) against a mask encoded with :mod:`modelmetrics.masks`
    (IoU 4 / 6 pixels):

    >>> import numpy as np
    >>> gt = {"images": [{"id": 1, "height": 4, "width": 4}],
    ...       "categories": [{"id": 1, "name": "cat"}],
    ...       "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2],
    ...                        "area": 4, "iscrowd": 0,
    ...                        "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]]}]}
    >>> mask = np.zeros((4, 4), bool); mask[0:2, 0:3] = True
    >>> dt = [{"image_id": 1, "category_id": 1, "score": 0.9,
    ...        "segmentation": mm.mask.encode(mask)}]
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", mm.UndefinedMetricWarning)
    ...     result = mm.evaluate_coco(gt, dt, iou_type="segm")
    >>> round(float(result.stats[1]), 4), result.per_class["cat"]["true-positives"]
    (1.0, 1)
    """
    if iou_type not in ("bbox", "segm"):
        raise parameter_error("iou_type", _OWNER, "'bbox' or 'segm'", iou_type)
    params = _params(max_detections, iou_thresholds, score_threshold, operating_iou)
    if parity and len(params.max_detections) < 3:
        raise parameter_error("max_detections", _OWNER, "at least 3 values with parity=True "
                              "(pycocotools' summary reads maxDets[0], [1] and [2])",
                              max_detections)
    gt, res, gt_masks = _read_both(ground_truth, results, with_masks=iou_type == "segm")
    det_image = _index_of(res.image_id, gt.image_ids, "image_id")
    det_category = _index_of(res.category_id, gt.category_ids, "category_id")
    if iou_type == "bbox":
        if res.n and not np.all(res.has_bbox):
            bad = int(np.flatnonzero(~res.has_bbox)[0])
            raise InvalidInputError(f"result {bad}: field 'bbox' is missing; bbox evaluation "
                                    f"needs [x, y, width, height] in every record.")
        det_area = E.box_areas(res.bbox, "xywh")
        iou_of_groups = E.BoxIoU(res.bbox, det_area, gt.bbox, E.box_areas(gt.bbox, "xywh"),
                                 "xywh")
    else:
        det_area, iou_of_groups = _mask_inputs(gt_masks, res, gt.image_size[det_image])
    K = gt.category_ids.size
    rows = E.match_detections(det_image, det_category, res.score, det_area, gt.image,
                              gt.category, gt.area, gt.crowd, gt.ann_id, gt.image_ids.size, K,
                              params, iou_of_groups)
    n_gt = E.count_ground_truth(gt.category, gt.area, gt.crowd, K, params.area_ranges)
    counts = E.operating_counts(rows, K, params)
    confusion = E.confusion_matrix(rows, counts[0], gt.image, gt.category, gt.crowd, gt.area,
                                   gt.image_ids.size, K, params, iou_of_groups)

    def columns():
        matched_gt_id = np.full(rows.match.shape, -1, np.int64)
        matched_gt_id[rows.match >= 0] = gt.ann_id[rows.match[rows.match >= 0]]
        return rows.source, gt.image_ids[rows.image], matched_gt_id

    return build_evaluation(rows, n_gt, np.bincount(gt.category, minlength=K), gt.category_ids,
                            gt.category_names, columns, confusion, params, parity=parity,
                            iou_type=iou_type, counts=counts)


def _read_both(ground_truth, results, *, with_masks: bool = False):
    """The ground truth and the results, read at the same time: the ground truth's scan runs
    on the scanners' pool thread while this one reads the results file (both kernels are
    serial there). A problem with the ground truth is reported before one with the results,
    as when read in turn.

    With ``with_masks`` (segm), the pool thread then makes the ground truth's masks too, with
    one Numba thread, while this one scans the results in one part (the results reader never
    starts a parallel kernel, so the two do not meet in Numba's thread pool): rasterising the
    polygons takes about as long as the scan, and two serial tasks side by side keep both cores
    busier than the two parallel steps in turn.

    Returns
    -------
    gt, res, gt_masks
        ``gt_masks`` is ``None`` unless ``with_masks``, else a callable returning the ground
        truth's masks, raising their problem (if any) only when called, so that it comes after
        the problems of the results, as in the evaluation's order.
    """
    from ..io.coco_ground_truth import scan_ground_truth
    from ..io.coco_results import _executor, read_results

    scannable = isinstance(ground_truth, _SCANNABLE) and isinstance(results, _SCANNABLE)
    if with_masks and scannable:
        from ..masks._segm import SharedRasterising

        shared = SharedRasterising()
        both = _executor(1).submit(_ground_truth_and_masks, ground_truth, shared)
        try:
            res = read_results(results, parts=1)
        except Exception:
            both.result()  # raises the ground truth's problem first
            raise
        shared.help()  # the scan is done: rasterise polygons with the pool thread
        gt, masks = both.result()
        return gt, res, masks
    scanned = _executor(1).submit(scan_ground_truth, ground_truth) if scannable else None
    try:
        res = read_coco_results(results)
    except Exception:
        read_ground_truth(ground_truth, scanned)  # raises the ground truth's problem first
        raise
    gt = read_ground_truth(ground_truth, scanned)
    return gt, res, ((lambda: _ground_truth_masks(gt)) if with_masks else None)


def _ground_truth_and_masks(source, shared):
    """The ground truth and a callable giving its masks (see :func:`_read_both`), made on
    this thread with one Numba thread; the polygons are rasterised with the calling thread's
    help once it is done with the results (``shared``, a
    :class:`~modelmetrics.masks._segm.SharedRasterising`)."""
    from .._config import threads_for

    try:
        gt = read_ground_truth(source)
        try:
            with threads_for(0):  # one thread: the caller's thread scans the results meanwhile
                masks = _ground_truth_masks(gt, shared.rasterise)
        except Exception as exc:  # noqa: BLE001 - reported in its turn, by the callable
            problem = exc

            def masks_or_raise():
                raise problem
            return gt, masks_or_raise
        return gt, lambda: masks
    finally:
        shared.close()


def _ground_truth_masks(gt: GroundTruth, rasterise=None):
    """The masks of the ground-truth annotations, as pycocotools' ``annToRLE`` makes them:
    polygons rasterised on their image's grid (``rasterise``: see
    :func:`~modelmetrics.masks._segm.segmentation_masks`) and merged, uncompressed RLEs
    compressed."""
    from ..io.coco_ground_truth import Annotations
    from ..masks._segm import segmentation_masks, segmentations_of

    if isinstance(gt.annotations, Annotations):
        gt_segmentation = gt.annotations.segmentation
    else:
        gt_segmentation = segmentations_of(gt.annotations)
    return segmentation_masks(gt_segmentation, gt.image_size[gt.image],
                              "ground-truth annotation", rasterise=rasterise)


def _mask_inputs(gt_masks, res, image_size: np.ndarray):
    """Areas of the results for the area ranges, and the mask IoU, as pycocotools' ``loadRes``
    and ``COCOeval`` (iouType "segm") derive them: the ground truth's masks (``gt_masks()``, see
    :func:`_ground_truth_masks`); a result's area is its box's ``w * h`` when the first result
    has a ``bbox`` (loadRes then takes every area from the boxes), else its mask's pixel
    count. ``image_size``: (height, width) of each result's image."""
    from ..masks._segm import MaskIoU, segmentation_masks

    gt_masks = gt_masks()
    det_masks = segmentation_masks(res.segmentation, image_size, "result", keep_strings=True)
    if res.n and res.has_bbox[0]:
        if not res.has_bbox.all():
            bad = int(np.flatnonzero(~res.has_bbox)[0])
            raise InvalidInputError(
                f"result {bad} has no 'bbox' but result 0 has one: pycocotools' loadRes then "
                f"takes every result's area from its bbox (and fails on this record). Give every "
                f"result a 'bbox', or none (areas then come from the masks).")
        det_area = res.bbox[:, 2] * res.bbox[:, 3]
    else:
        det_area = det_masks.area().astype(np.float64)
    return det_area, MaskIoU(det_masks, gt_masks)


def build_evaluation(rows: E.MatchedRows, n_gt, support, category_ids, category_names,
                     detection_columns, confusion, params, *, parity: bool,
                     in_group_order: bool = True, iou_type: str = "bbox",
                     counts=None) -> CocoEvaluation:
    """Accumulate matched rows and assemble every output (shared by the COCO and the
    streaming paths). ``detection_columns()`` gives each row's input index, image id and
    matched ground-truth id (or −1), for :meth:`CocoEvaluation.detections`, which builds them
    only when asked. ``counts``: the operating point's (tp, fp) per category, when the caller
    has them already."""
    precision, recall, _ = E.accumulate_rows(rows, n_gt, params, in_group_order=in_group_order,
                                             with_scores=False, wanted=_needed(params, parity))

    def arrays() -> tuple:  # pycocotools' three arrays, every entry, C-ordered as theirs
        return tuple(np.ascontiguousarray(a) for a in E.accumulate_rows(
            rows, n_gt, params, in_group_order=in_group_order))

    stats = summary_stats(precision, recall, params, parity=parity)
    if counts is None:
        counts = E.operating_counts(rows, n_gt.shape[0], params)
    per_class = _per_class(precision, rows, n_gt, params, category_names, support, counts)
    if rows.n_dropped:
        warnings.warn(f"{rows.n_dropped} detection(s) beyond max_detections[-1]="
                      f"{params.max_detections[-1]} in their image and category were not "
                      f"evaluated (as pycocotools).", ExcludedDataWarning, stacklevel=3)

    def detections() -> dict:
        index, image_id, matched_gt_id = detection_columns()
        return {"index": index, "image_id": image_id,
                "category_id": category_ids[rows.category], "score": rows.score,
                "matched_gt_id": matched_gt_id,
                "outcome": rows.outcomes_at(0, params.operating_index),  # codes
                "above_threshold": rows.score >= params.score_threshold}

    evaluation = CocoEvaluation(stats=stats, _curves=precision, _arrays=arrays,
                          params=params, category_ids=category_ids,
                          category_names=tuple(category_names), per_class=per_class,
                          confusion_matrix=confusion,
                          dataset_stats={n: int(c) for n, c in zip(category_names, support)},
                          n_dropped=rows.n_dropped, _detections=detections, iou_type=iou_type)
    undefined = [(key, SUMMARY_UNDEFINED) for key, value in evaluation.summary().items()
                 if value is None]
    undefined += [(f"per-class/{name}/{key}", reason) for name, row in per_class.items()
                  for key, reason in row["undefined"].items()]
    if undefined:
        warnings.warn(f"{len(undefined)} value(s) are undefined and reported as None (JSON null) "
                      f"with their reason in to_dict()['undefined']; e.g. {undefined[0][0]}: "
                      f"{undefined[0][1]}.", UndefinedMetricWarning, stacklevel=3)
    return evaluation
