"""Greedy matching of detections to ground truth, with COCO's exact rules.

Work is organised in *groups*: one (category, image) pair each. A group's detections are
contiguous and sorted by descending score (ties in input order, as a stable sort keeps them),
already cut to ``max_det``; its ground truths are contiguous in input order. The IoU matrix of
group ``g`` is stored flat at ``iou[iou_start[g]:]`` in row-major (detection, ground truth) order.

For every area range ``a`` and IoU threshold ``t`` each detection gets a status: ``TP`` (matched
to a ground truth that counts), ``FP`` (unmatched and inside the area range) or ``IGNORED``
(matched to a crowd or out-of-range ground truth, or unmatched and outside the area range) —
the rules of pycocotools' ``COCOeval.evaluateImg``:

* ground truths that are crowd or outside the area range are *ignored* and tried last (a stable
  reordering), and a detection already matched to a regular one stops before the ignored ones;
* a ground truth matches at most one detection, except crowd regions, which absorb any number;
* a detection takes the not-yet-taken ground truth of highest IoU >= min(t, 1 − 1e-10); among
  equal IoUs the later one in that order wins (COCO compares with ``<``);
* a match to a ground truth whose id is 0 is reported as no match, as COCO stores matches as ids
  and tests them for zero (``gt_id`` reproduces this; pass ids >= 1 to avoid it).
"""

import numpy as np
from numba import njit, prange

from .._config import jit_options
from .boxes import corners, corners_iou
from .memory import empty_on_huge_pages
from .sharing import claim_next
from .swar import fill_run

FP = np.uint8(0)
TP = np.uint8(1)
IGNORED = np.uint8(2)

# a detection's outcome over the IoU thresholds of an area range, for the accumulation
ALL_FP = np.uint8(0)  # a false positive at every threshold
MIXED = np.uint8(1)  # anything else: a true positive somewhere, or FP and IGNORED
ALL_IGNORED = np.uint8(2)  # ignored at every threshold


@njit(inline="always", **jit_options())
def outcome_kind(status, d, a, n_thresholds):
    """ALL_FP, ALL_IGNORED or MIXED for ``status[d, a, :n_thresholds]``."""
    first = status[d, a, 0]
    uniform = first != TP
    for t in range(1, n_thresholds):
        uniform = uniform and status[d, a, t] == first
    if not uniform:
        return MIXED
    return ALL_FP if first == FP else ALL_IGNORED


@njit(**jit_options())
def pair_offsets(det_start, gt_start):
    """Offset of each group's IoU matrix in the flat storage, int64 (n_groups + 1,): group
    ``g`` has (``det_start[g + 1] − det_start[g]``) x (``gt_start[g + 1] − gt_start[g]``)
    pairs; the last entry is the storage's size."""
    n_groups = det_start.shape[0] - 1
    offsets = empty_on_huge_pages(n_groups + 1, np.int64)
    offsets[0] = 0
    for g in range(n_groups):
        offsets[g + 1] = offsets[g] + ((det_start[g + 1] - det_start[g])
                                       * (gt_start[g + 1] - gt_start[g]))
    return offsets


@njit(**jit_options(parallel=True))
def box_iou_groups(det_boxes, det_area, det_index, gt_boxes, gt_area, gt_index, gt_crowd,
                   xywh, det_start, gt_start, iou_start, iou, n_workers):
    """Fill the flat IoU storage of every group from boxes (see ``boxes``: (n, 4) rows in the
    format ``xywh`` says, with their areas).

    Group ``g`` pairs detections ``det_index[det_start[g]:det_start[g + 1]]`` (rows of
    ``det_boxes``) with ground truths ``gt_index[gt_start[g]:gt_start[g + 1]]`` (rows of
    ``gt_boxes``); ``gt_crowd`` is indexed like ``gt_index``. ``n_workers``: the threads that
    share the groups out (:mod:`modelmetrics.kernels.sharing`).
    """
    n_groups = det_start.shape[0] - 1
    n_chunks = min(n_groups, 256)
    next_chunk = np.zeros(1, np.int64)
    for _ in prange(n_workers):
        chunk = claim_next(next_chunk)
        while chunk < n_chunks:
            for g in range(chunk * n_groups // n_chunks, (chunk + 1) * n_groups // n_chunks):
                if iou_start[g + 1] == iou_start[g]:  # no pairs (most groups): no box to read
                    continue
                k = iou_start[g]
                for d in range(det_start[g], det_start[g + 1]):
                    i = det_index[d]
                    box = corners(det_boxes, i, xywh)
                    for j in range(gt_start[g], gt_start[g + 1]):
                        iou[k] = corners_iou(box, det_area[i],
                                             corners(gt_boxes, gt_index[j], xywh),
                                             gt_area[gt_index[j]], gt_crowd[j])
                        k += 1
            chunk = claim_next(next_chunk)


@njit(inline="always", **jit_options())
def _match_group(g, iou, iou_start, det_start, gt_start, det_index, det_area, gt_area, gt_crowd,
                 gt_id, area_ranges, iou_thresholds, n_ap, op_area, op_threshold, status, kind,
                 det_match, gt_match, gt_source, order, ignore, taken, best, status_bytes):
    """Match group ``g``; ``order`` is scratch of >= its gt count, ``ignore`` and ``taken`` of
    >= its gt count and >= T, ``best`` of >= its detection count; ``status_bytes`` is
    ``status`` flat."""
    d0 = det_start[g]
    n_det = det_start[g + 1] - d0
    if n_det == 0:
        return
    j0 = gt_start[g]
    n_gt = gt_start[g + 1] - j0
    base = iou_start[g]
    # a detection whose best IoU is under every threshold is unmatched everywhere and takes
    # nothing from the others: its status depends on its area alone
    lowest = 1.0
    for t in range(iou_thresholds.shape[0]):
        lowest = min(lowest, min(iou_thresholds[t], 1.0 - 1e-10))
    n_contested = 0
    for d in range(n_det):
        value = -1.0
        for j in range(n_gt):
            value = max(value, iou[base + d * n_gt + j])
        best[d] = value
        n_contested += value >= lowest
    for a in range(area_ranges.shape[0]):
        lo = area_ranges[a, 0]
        hi = area_ranges[a, 1]
        for d in range(n_det):
            if best[d] < lowest:
                area = det_area[det_index[d0 + d]]
                state = IGNORED if (area < lo or area > hi) else FP
                n_thr = iou_thresholds.shape[0]
                fill_run(status_bytes, ((d0 + d) * area_ranges.shape[0] + a) * n_thr, n_thr,
                         state)
                kind[d0 + d, a] = ALL_IGNORED if state == IGNORED else ALL_FP
        if n_contested == 0 or n_gt == 1:  # one ground truth: see below
            continue
        # regular ground truths first, then ignored ones, each in input order
        n = 0
        for regular_pass in (True, False):
            for j in range(n_gt):
                area = gt_area[j0 + j]
                ignored = gt_crowd[j0 + j] or area < lo or area > hi
                if ignored != regular_pass:
                    order[n] = j
                    ignore[n] = ignored
                    n += 1
        for t in range(iou_thresholds.shape[0]):
            threshold = min(iou_thresholds[t], 1.0 - 1e-10)
            for q in range(n_gt):
                taken[q] = False
            for d in range(n_det):
                if best[d] < lowest:
                    continue
                best_iou = threshold
                m = -1
                for q in range(n_gt if best[d] >= threshold else 0):  # else no IoU reaches it
                    j = order[q]
                    if taken[q] and not gt_crowd[j0 + j]:
                        continue
                    if m > -1 and not ignore[m] and ignore[q]:
                        break
                    value = iou[base + d * n_gt + j]
                    if value < best_iou:
                        continue
                    best_iou = value
                    m = q
                matched = m > -1 and gt_id[j0 + order[m]] != 0
                if m > -1:
                    taken[m] = True
                if matched:
                    state = IGNORED if ignore[m] else TP
                else:
                    area = det_area[det_index[d0 + d]]
                    state = IGNORED if (area < lo or area > hi) else FP
                status[d0 + d, a, t] = state
                if a == op_area and t == op_threshold:
                    det_match[d0 + d] = gt_source[j0 + order[m]] if matched else -1
                    if matched and gt_match[j0 + order[m]] < 0:
                        gt_match[j0 + order[m]] = d0 + d
        for d in range(n_det):
            if best[d] >= lowest:
                kind[d0 + d, a] = outcome_kind(status, d0 + d, a, n_ap)
    if n_contested > 0 and n_gt == 1:
        _match_one_truth(d0, n_det, j0, det_index, det_area, gt_area, gt_crowd, gt_id,
                         area_ranges, iou_thresholds, n_ap, op_area, op_threshold, status, kind,
                         det_match, gt_match, gt_source, best, lowest, taken, ignore)


@njit(inline="always", **jit_options())
def _match_one_truth(d0, n_det, j0, det_index, det_area, gt_area, gt_crowd, gt_id, area_ranges,
                     iou_thresholds, n_ap, op_area, op_threshold, status, kind, det_match,
                     gt_match, gt_source, best, lowest, taken_at, hits):
    """The contested detections of a group with a single ground truth ``j0`` (most groups
    that have any): who takes it at a threshold does not depend on the area range, since with
    one candidate the regular-before-ignored order is moot, so every threshold is decided once
    for all area ranges. At threshold ``t`` the first detection (by score) whose IoU reaches
    it takes the ground truth, or every such detection when it is a crowd region. ``best[d]``
    is the IoU of detection ``d0 + d`` (its only one); ``taken_at`` and ``hits`` are scratch
    of >= T entries."""
    n_thr = iou_thresholds.shape[0]
    crowd = gt_crowd[j0]
    counts = gt_id[j0] != 0  # COCO reports a match to id 0 as no match (module docstring)
    truth_area = gt_area[j0]
    for t in range(n_thr):
        taken_at[t] = False
    for d in range(n_det):
        value = best[d]
        if value < lowest:
            continue
        # the thresholds at which it matches do not depend on the area range: decided once
        any_hit = False  # among the first n_ap thresholds (those kind summarises)
        all_hit = True
        for t in range(n_thr):
            hit = value >= min(iou_thresholds[t], 1.0 - 1e-10) and (crowd or not taken_at[t])
            taken_at[t] = taken_at[t] or hit
            hits[t] = hit and counts
            if t < n_ap:
                any_hit = any_hit or hits[t]
                all_hit = all_hit and hits[t]
        row = d0 + d
        if 0 <= op_area < area_ranges.shape[0] and 0 <= op_threshold < n_thr:
            if hits[op_threshold]:
                det_match[row] = gt_source[j0]
                if gt_match[j0] < 0:
                    gt_match[j0] = row
            else:
                det_match[row] = -1
        area = det_area[det_index[row]]
        for a in range(area_ranges.shape[0]):
            lo = area_ranges[a, 0]
            hi = area_ranges[a, 1]
            on_match = IGNORED if (crowd or truth_area < lo or truth_area > hi) else TP
            on_miss = IGNORED if (area < lo or area > hi) else FP
            for t in range(n_thr):
                status[row, a, t] = on_match if hits[t] else on_miss
            # outcome_kind of that row, from the two values and where they stand
            if not any_hit:
                kind[row, a] = ALL_FP if on_miss == FP else ALL_IGNORED
            elif on_match == IGNORED and (all_hit or on_miss == IGNORED):
                kind[row, a] = ALL_IGNORED
            else:
                kind[row, a] = MIXED


@njit(**jit_options(parallel=True))
def match_groups(iou, iou_start, det_start, gt_start, det_index, det_area, gt_area, gt_crowd,
                 gt_id, area_ranges, iou_thresholds, n_ap, op_area, op_threshold, status, kind,
                 det_match, gt_match, gt_source, n_workers):
    """Match every group (in parallel: ``n_workers`` threads share the groups out, see
    :mod:`modelmetrics.kernels.sharing`); see the module docstring for the rules.

    Parameters
    ----------
    iou : float64 (n_iou,)
        Flat IoU storage; ``iou_start`` (n_groups + 1,) its offsets.
    det_start, gt_start : int64 (n_groups + 1,)
        Offsets of each group's detections and ground truths.
    det_index : int64 (n_det,)
        Row of ``det_area`` of each detection (in group order).
    det_area, gt_area : float64 (any,), (n_gt,)
        Areas for the area-range rule: ``det_area[det_index[d]]`` is detection ``d``'s.
    gt_crowd : bool (n_gt,)
    gt_id : int64 (n_gt,)
        Ground-truth ids (only compared with 0).
    area_ranges : float64 (A, 2)
        Inclusive [low, high] areas.
    iou_thresholds : float64 (T,)
    n_ap : int
        How many of the thresholds (the first ones) ``kind`` summarises: those of the average
        precision (the last may be the operating point's alone).
    op_area, op_threshold : int
        Which (area range, threshold) pair records ``det_match`` and ``gt_match``.
    status : uint8 (n_det, A, T), C-contiguous, out
    kind : uint8 (n_det, A), out
        :func:`outcome_kind` of each detection and area range over the first ``n_ap``
        thresholds, which the accumulation reads first (written here, where most detections'
        outcome is known without looking at their statuses).
    det_match : int64 (n_det,), out
        ``gt_source`` of the ground truth matched at the operating pair (a crowd or
        out-of-range one included: ``status`` tells whether the match counts), or −1.
    gt_match : int64 (n_gt,), out
        The detection that took each ground truth at the operating pair, or −1 (initialise
        to −1; a crowd region keeps the first detection it absorbed).
    gt_source : int64 (n_gt,)
        What ``det_match`` records for each ground truth (e.g. its index in the caller's
        input, when the ground truths are passed in group order).
    n_workers : int
        The caller's ``numba.get_num_threads()``.
    """
    n_groups = det_start.shape[0] - 1
    max_gt = 0
    max_det = 0
    for g in range(n_groups):
        max_gt = max(max_gt, gt_start[g + 1] - gt_start[g])
        max_det = max(max_det, det_start[g + 1] - det_start[g])
    status_bytes = status.reshape(status.size)  # (C-contiguous) for runs of equal statuses
    n_chunks = min(n_groups, 256)
    next_chunk = np.zeros(1, np.int64)
    for _ in prange(n_workers):
        order = np.empty(max_gt, np.int64)
        ignore = np.empty(max(max_gt, iou_thresholds.shape[0]), np.bool_)
        taken = np.empty(max(max_gt, iou_thresholds.shape[0]), np.bool_)
        best = np.empty(max_det)
        c = claim_next(next_chunk)
        while c < n_chunks:
            for g in range(c * n_groups // n_chunks, (c + 1) * n_groups // n_chunks):
                _match_group(g, iou, iou_start, det_start, gt_start, det_index, det_area,
                             gt_area, gt_crowd, gt_id, area_ranges, iou_thresholds, n_ap, op_area,
                             op_threshold, status, kind, det_match, gt_match, gt_source, order,
                             ignore, taken, best, status_bytes)
            c = claim_next(next_chunk)


@njit(**jit_options())
def pair_leftovers(iou, iou_start, det_start, gt_start, det_category, gt_category, background,
                   iou_threshold, matrix):
    """Pair leftover detections (false positives) with leftover ground truths (misses), class-
    agnostically, image by image, and count the pairs in the confusion ``matrix``.

    Groups are images, in the layout of the module docstring (IoUs without the crowd rule).
    Within an image, detections come by descending score; each takes the unpaired ground truth
    of highest IoU >= ``iou_threshold`` (ties: the earlier one). A pair adds 1 to
    ``matrix[gt_category, det_category]``; an unpaired detection to
    ``matrix[background, det_category]``; an unpaired ground truth to
    ``matrix[gt_category, background]``.

    Parameters
    ----------
    iou : float64 (n_iou,); iou_start : int64 (n_images + 1,)
    det_start, gt_start : int64 (n_images + 1,)
    det_category : int64 (n_det,), in group order
    gt_category : int64 (n_gt,), in group order
    background : int
    iou_threshold : float
    matrix : int64 (C + 1, C + 1), updated in place
    """
    paired = np.zeros(gt_category.shape[0], np.bool_)
    for g in range(det_start.shape[0] - 1):
        n_gt = gt_start[g + 1] - gt_start[g]
        for q in range(det_start[g + 1] - det_start[g]):
            d = det_start[g] + q
            best = -1
            best_iou = iou_threshold
            for r in range(n_gt):
                j = gt_start[g] + r
                if paired[j]:
                    continue
                value = iou[iou_start[g] + q * n_gt + r]
                if value >= best_iou and (best < 0 or value > best_iou):
                    best = j
                    best_iou = value
            if best >= 0:
                paired[best] = True
                matrix[gt_category[best], det_category[d]] += 1
            else:
                matrix[background, det_category[d]] += 1
    for j in range(gt_category.shape[0]):
        if not paired[j]:
            matrix[gt_category[j], background] += 1


@njit(**jit_options())
def count_outcomes(category, score, status, score_threshold, n_categories):
    """True and false positives per category among detections scoring at least
    ``score_threshold`` (``status``: their outcome, e.g. ``status[:, area, threshold]`` of
    :func:`match_groups`). Returns int64 (n_categories,), (n_categories,)."""
    tp = np.zeros(n_categories, np.int64)
    fp = np.zeros(n_categories, np.int64)
    for i in range(category.shape[0]):
        if score[i] >= score_threshold:
            if status[i] == TP:
                tp[category[i]] += 1
            elif status[i] == FP:
                fp[category[i]] += 1
    return tp, fp
