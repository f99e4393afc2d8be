"""The detection engine shared by COCO evaluation, streaming detection metrics and instance
segmentation: group → match → compact rows → accumulate. Only the IoU differs between tasks.

Everything here takes validated, dense arrays: images and categories as indices ``0..n−1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from .._config import threads_for
from ..kernels import average_precision as AP
from ..kernels import boxes as B
from ..kernels import grouping as G
from ..kernels import matching as MK
from ..kernels.memory import empty

AREA_LABELS = ("all", "small", "medium", "large")
COCO_AREA_RANGES = np.array([[0.0, 1e10], [0.0, 32.0**2], [32.0**2, 96.0**2], [96.0**2, 1e10]])
COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
COCO_RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
COCO_MAX_DETECTIONS = (1, 10, 100)

__all__ = ["BoxIoU", "EvaluationParams", "MatchedRows", "accumulate_rows", "box_areas",
           "checked_areas", "confusion_matrix", "match_detections"]


@dataclass(frozen=True)
class EvaluationParams:
    """What to evaluate: IoU thresholds, recall thresholds, area ranges, detections kept per
    image and category (``max_detections``, ascending), and the operating point."""

    iou_thresholds: np.ndarray = field(default_factory=COCO_IOU_THRESHOLDS.copy)
    recall_thresholds: np.ndarray = field(default_factory=COCO_RECALL_THRESHOLDS.copy)
    area_ranges: np.ndarray = field(default_factory=COCO_AREA_RANGES.copy)
    max_detections: tuple = COCO_MAX_DETECTIONS
    operating_iou: float = 0.5
    score_threshold: float = 0.5

    @property
    def match_thresholds(self) -> np.ndarray:
        """The IoU thresholds matched against: the evaluation ones, plus the operating one when
        it is not among them (last)."""
        if np.any(self.iou_thresholds == self.operating_iou):
            return self.iou_thresholds
        return np.append(self.iou_thresholds, self.operating_iou)

    @property
    def operating_index(self) -> int:
        return int(np.flatnonzero(self.match_thresholds == self.operating_iou)[0])


@dataclass
class MatchedRows:
    """One compact row per kept detection, plus per-ground-truth outcomes at the operating pair.

    Detections are in group order: image, then category, then rank by score in the group.
    """

    score: np.ndarray  # float64 (n,)
    category: np.ndarray  # int64 (n,) category index
    image: np.ndarray  # int64 (n,) image index (rows of a streaming state: image id; the order
    # of images is all the accumulation uses)
    rank: np.ndarray  # int64 (n,) position by score within (category, image)
    status: np.ndarray  # uint8 (n, A, T_match)
    kind: np.ndarray  # uint8 (n, A): matching.outcome_kind of status[:, a, :T] (AP thresholds)
    # None in rows restored from a streaming state (only the accumulation reads those):
    source: np.ndarray | None  # int64 (n,) index of the detection in the caller's input
    match: np.ndarray | None  # int64 (n,) matched gt input index at the operating pair, or −1
    gt_taken_by: np.ndarray | None  # int64 (n_gt,) row that took each gt (input order), or −1
    n_dropped: int  # detections beyond max_detections[-1] in their (image, category)
    _outcomes: dict = field(default_factory=dict, repr=False, compare=False)

    def outcomes_at(self, area: int, threshold: int) -> np.ndarray:
        """``status[:, area, threshold]`` as a contiguous uint8 (n,) array, made once per pair
        (the column is one byte in every row of ``status``: reading it touches all of it)."""
        key = (area, threshold)
        if key not in self._outcomes:
            self._outcomes[key] = np.ascontiguousarray(self.status[:, area, threshold])
        return self._outcomes[key]


def _dense_range(table: np.ndarray) -> bool:
    return table.size > 0 and int(table[-1]) - int(table[0]) < 4 * table.size + 1024


def unique_ints(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (a presence table when the range is small)."""
    if values.size == 0:
        return values.astype(np.int64)
    low, high = int(values.min()), int(values.max())
    if high - low < 4 * values.size + 1024:
        return np.flatnonzero(np.bincount(values - low, minlength=high - low + 1)) + low
    return np.unique(values)


def positions(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Index of each of ``values`` in the sorted distinct ``table``, or −1 where absent
    (a lookup table when the ids are dense, else a binary search)."""
    if table.size == 0:
        return np.full(values.shape, -1, np.int64)
    if _dense_range(table):
        lookup = np.full(int(table[-1] - table[0]) + 1, -1, np.int64)
        lookup[table - table[0]] = np.arange(table.size)
        with threads_for(values.shape[0]):
            return G.lookup_positions(values.astype(np.int64, copy=False), int(table[0]), lookup)
    index = np.searchsorted(table, values)
    clipped = np.minimum(index, table.size - 1)
    return np.where((index < table.size) & (table[clipped] == values), index, -1)


def box_areas(boxes: np.ndarray, fmt: str) -> np.ndarray:
    """Areas of (n, 4) float64 boxes in ``"xywh"`` or ``"xyxy"``, as COCO computes them."""
    return checked_areas(boxes, fmt)[0]


def checked_areas(boxes: np.ndarray, fmt: str):
    """:func:`box_areas`, and in the same pass the first bad row (-1 if none) and the number
    of bad rows (not finite, or a negative width or height)."""
    area = np.empty(boxes.shape[0])
    check = B.check_xywh if fmt == "xywh" else B.check_xyxy
    first_bad, n_bad = check(boxes, area)
    return area, first_bad, n_bad


class BoxIoU:
    """IoU of boxes for the matcher: fills the flat IoU storage of groups (see
    :mod:`modelmetrics.kernels.matching`) from (n, 4) float64 boxes in ``fmt`` and their
    areas (:func:`box_areas`)."""

    def __init__(self, det_boxes, det_area, gt_boxes, gt_area, fmt: str):
        self.det_boxes, self.det_area = det_boxes, det_area
        self.gt_boxes, self.gt_area = gt_boxes, gt_area
        self.xywh = fmt == "xywh"

    def __call__(self, det_index, det_start, gt_index, gt_start, gt_crowd, iou_start, iou):
        """Group ``g`` pairs detections ``det_index[det_start[g]:det_start[g + 1]]`` with ground
        truths ``gt_index[gt_start[g]:gt_start[g + 1]]`` (crowd flags ``gt_crowd``, indexed like
        ``gt_index``); IoUs row-major from ``iou[iou_start[g]]``."""
        MK.box_iou_groups(self.det_boxes, self.det_area, det_index, self.gt_boxes, self.gt_area,
                          gt_index, gt_crowd, self.xywh, det_start, gt_start, iou_start, iou,
                          numba.get_num_threads())


def _iou_storage(det_start, gt_start):
    """Offsets of each group's IoU matrix in the flat storage, and the storage."""
    iou_start = MK.pair_offsets(det_start, gt_start)
    return iou_start, empty(iou_start[-1])


def match_detections(det_image, det_category, det_score, det_area, gt_image, gt_category,
                     gt_area, gt_crowd, gt_id, n_images: int, n_categories: int,
                     params: EvaluationParams, iou_of_groups) -> MatchedRows:
    """Group, rank and match (COCO rules) one batch of detections; the IoUs come from
    ``iou_of_groups`` (:class:`BoxIoU`, or the mask IoU of :mod:`modelmetrics.masks`).

    ``det_area`` and ``gt_area`` are the areas of the area-range rule.
    """
    with threads_for(det_score.shape[0]):
        # groups are (image, category) pairs, image-major: results files list detections image
        # by image, so gathering them in group order reads memory almost sequentially
        n_buckets = n_categories * n_images
        det_order, det_start = G.counting_sort_pairs(det_image, det_category, n_categories,
                                                     n_buckets)
        kept, kept_start, rank, k_score, k_category, k_image = G.rank_within_buckets(
            det_order, det_start, det_score, params.max_detections[-1], n_categories,
            numba.get_num_threads())
        gt_order, gt_start = G.counting_sort_pairs(gt_image, gt_category, n_categories,
                                                   n_buckets)
        iou_start, iou = _iou_storage(kept_start, gt_start)
        g_crowd = gt_crowd[gt_order]
        iou_of_groups(kept, kept_start, gt_order, gt_start, g_crowd, iou_start, iou)
        thresholds = params.match_thresholds
        status = empty((kept.shape[0], params.area_ranges.shape[0], thresholds.shape[0]),
                       np.uint8)
        kind = empty(status.shape[:2], np.uint8)
        det_match = empty(kept.shape[0], np.int64)
        det_match.fill(-1)
        gt_match = np.full(gt_order.shape[0], -1, np.int64)
        MK.match_groups(iou, iou_start, kept_start, gt_start, kept, det_area, gt_area[gt_order],
                        g_crowd, gt_id[gt_order], params.area_ranges, thresholds,
                        params.iou_thresholds.shape[0], 0, params.operating_index, status, kind,
                        det_match, gt_match, gt_order, numba.get_num_threads())
    gt_taken_by = np.empty(gt_order.shape[0], np.int64)
    gt_taken_by[gt_order] = gt_match
    return MatchedRows(score=k_score, category=k_category, image=k_image, rank=rank,
                       status=status, kind=kind, source=kept, match=det_match,
                       gt_taken_by=gt_taken_by, n_dropped=int(det_score.shape[0] - kept.shape[0]))


def count_ground_truth(gt_category, gt_area, gt_crowd, n_categories: int,
                       area_ranges: np.ndarray) -> np.ndarray:
    """Ground truths that count (not crowd, area inside the range), shape (K, A)."""
    counts = np.zeros((n_categories, area_ranges.shape[0]), np.int64)
    regular = ~gt_crowd
    for a, (lo, hi) in enumerate(area_ranges):
        inside = regular & (gt_area >= lo) & (gt_area <= hi)
        counts[:, a] = np.bincount(gt_category[inside], minlength=n_categories)
    return counts


def accumulate_rows(rows: MatchedRows, n_gt: np.ndarray, params: EvaluationParams,
                    *, in_group_order: bool = True, with_scores: bool = True, wanted=None):
    """COCO precision (T, R, K, A, M), recall (T, K, A, M) and scores (T, R, K, A, M; None
    unless ``with_scores``), as views of arrays laid out (M, A, ...) (see the kernel).
    ``wanted`` (uint8 (A, M), see :func:`modelmetrics.kernels.average_precision.accumulate`):
    the (area range, max_dets) entries to compute; all by default, else the others are
    unspecified."""
    if wanted is None:
        wanted = np.full((params.area_ranges.shape[0], len(params.max_detections)), AP.CURVES)
    n_categories = n_gt.shape[0]
    T = params.iou_thresholds.shape[0]
    R = params.recall_thresholds.shape[0]
    A = params.area_ranges.shape[0]
    M = len(params.max_detections)
    # the kernel's layout (M, A, T, R, K): one block per (max_dets, area range)
    precision = empty((M, A, T, R, n_categories))
    recall = np.empty((M, A, T, n_categories))
    scores = empty((M, A, T, R, n_categories) if with_scores else (0, 0, 0, 0, 0))
    with threads_for(rows.score.shape[0]):
        if in_group_order or G.in_group_order(rows.image, rows.category, rows.rank):
            order, cat_start = G.category_score_order(rows.category, rows.score, n_categories,
                                                      numba.get_num_threads())
        else:  # rows from several batches: equal scores must still rank by (image, rank)
            group = np.arange(rows.score.shape[0])
            images = unique_ints(rows.image)  # ids or indices: made dense for the sort
            for key, size in ((rows.rank, params.max_detections[-1]),
                              (positions(rows.image, images), images.size),
                              (rows.category, n_categories)):  # LSD: least significant first
                within, _ = G.counting_sort(key[group], size)
                group = group[within]
            order, cat_start = G.category_score_order(rows.category[group], rows.score[group],
                                                      n_categories, numba.get_num_threads())
            order = group[order]
        AP.accumulate(order, cat_start, rows.score, rows.rank, rows.status[:, :, :T], rows.kind,
                      n_gt,
                      np.asarray(params.max_detections, np.int64), params.recall_thresholds,
                      wanted, precision, recall, scores, numba.get_num_threads())
    pycocotools = (2, 3, 4, 1, 0)  # (T, R, K, A, M) views
    return (precision.transpose(pycocotools), recall.transpose(2, 3, 1, 0),
            scores.transpose(pycocotools) if with_scores else None)


def confusion_matrix(rows: MatchedRows, tp: np.ndarray, gt_image, gt_category, gt_crowd,
                     gt_area, n_images: int, n_categories: int, params: EvaluationParams,
                     iou_of_groups) -> np.ndarray:
    """The detection confusion matrix at the operating point, shape (K + 1, K + 1).

    The diagonal is the class-aware true positives ``tp``; false positives and missed ground
    truths are then paired class-agnostically at IoU >= ``operating_iou`` (see
    :func:`modelmetrics.kernels.matching.pair_leftovers`), with the IoU of the matching
    (``iou_of_groups``, without the crowd rule); what stays unpaired goes to the background row
    (detections) or column (ground truths). Row sums are the ground truths that count, column
    sums the detections counted.
    """
    op = params.operating_index
    above = rows.score >= params.score_threshold
    leftover_det = np.flatnonzero(above & (rows.outcomes_at(0, op) == MK.FP))
    lo, hi = params.area_ranges[0]
    counts = ~gt_crowd & (gt_area >= lo) & (gt_area <= hi)
    taken = rows.gt_taken_by
    taken_above = np.zeros(taken.shape, bool)
    taken_above[taken >= 0] = above[taken[taken >= 0]]
    leftover_gt = np.flatnonzero(counts & ~taken_above)
    matrix = np.zeros((n_categories + 1, n_categories + 1), np.int64)
    matrix[np.arange(n_categories), np.arange(n_categories)] = tp
    # images are the groups; detections by descending score within an image (ties: row order)
    by_score = leftover_det[G.descending_order(rows.score[leftover_det])]
    within, det_start = G.counting_sort(rows.image[by_score], n_images)
    det_rows = by_score[within]
    within, gt_start = G.counting_sort(gt_image[leftover_gt], n_images)
    gt_index = leftover_gt[within]
    iou_start, iou = _iou_storage(det_start, gt_start)
    iou_of_groups(rows.source[det_rows], det_start, gt_index, gt_start,
                  np.zeros(gt_index.shape[0], np.bool_), iou_start, iou)
    MK.pair_leftovers(iou, iou_start, det_start, gt_start, rows.category[det_rows],
                      gt_category[gt_index], n_categories, params.operating_iou, matrix)
    return matrix


def operating_counts(rows: MatchedRows, n_categories: int, params: EvaluationParams):
    """True and false positives per category at the operating point, shapes (K,), (K,)."""
    return MK.count_outcomes(rows.category, rows.score,
                             rows.outcomes_at(0, params.operating_index), params.score_threshold,
                             n_categories)
