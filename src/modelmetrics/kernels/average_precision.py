"""COCO accumulation: precision/recall curves, 101-point interpolated precision.

Per category, detections are ranked by descending score with a stable sort over their group
order (image, then rank within the image), which is the order pycocotools' ``accumulate``
produces by concatenating images and merge-sorting. For each area range, ``max_det`` cut and IoU
threshold, the cumulative TP/FP counts give recall ``tp / n_gt`` and precision
``tp / (fp + tp + eps)`` (eps = ``np.spacing(1)``), the precision is made monotone from the right,
and sampled at the first index whose recall reaches each recall threshold — the exact arithmetic of
``COCOeval.accumulate``, so results are bit-identical.
"""

import numpy as np
from numba import njit, prange

from .._config import jit_options
from .matching import ALL_FP, FP, MIXED, TP
from .memory import PREFETCH_AHEAD, prefetch
from .sharing import claim_next

EPS = np.spacing(1.0)


# what accumulate computes for an (area range, max_dets cut)
NOTHING = np.uint8(0)
RECALL_ONLY = np.uint8(1)
CURVES = np.uint8(2)

@njit(**jit_options())
def _mark_undefined(precision, recall, scores, k, a, wanted):
    """−1 in the wanted entries of category ``k`` and area range ``a`` (nothing to measure).
    Blocks not wanted are not touched: a category's entries are spread over every page of a
    block."""
    with_scores = scores.shape[0] > 0
    for m in range(recall.shape[0]):
        if wanted[a, m] == NOTHING:
            continue
        for t in range(recall.shape[2]):
            recall[m, a, t, k] = -1.0
            if wanted[a, m] != CURVES:
                continue
            for r in range(precision.shape[3]):
                precision[m, a, t, r, k] = -1.0
                if with_scores:
                    scores[m, a, t, r, k] = -1.0


@njit(**jit_options(parallel=True))
def accumulate(order, cat_start, score, rank, status, kind, n_gt, max_dets, recall_thresholds,
               wanted, precision, recall, scores, n_workers):
    """Fill COCO's precision, recall and scores arrays.

    Parameters
    ----------
    order, cat_start : int64 (n_det,), (K + 1,)
        Detections by category, by descending score within a category, equal scores in
        (image, rank) order; category ``k`` is ``order[cat_start[k]:cat_start[k + 1]]``
        (see :func:`modelmetrics.kernels.grouping.category_score_order`).
    score : float64 (n_det,)
    rank : int64 (n_det,)
        Position of each detection within its (category, image) group, by score.
    status : uint8 (n_det, A, T)
        From :func:`modelmetrics.kernels.matching.match_groups`.
    kind : uint8 (n_det, A)
        Its summary over the T thresholds (``match_groups``' ``kind``): only ``MIXED``
        detections have their statuses read.
    n_gt : int64 (K, A)
        Ground truths that count (not crowd, inside the area range).
    max_dets : int64 (M,)
    recall_thresholds : float64 (R,), ascending
    wanted : uint8 (A, M)
        What to compute for each (area range, max_dets cut): ``CURVES`` (recall, precision and
        scores), ``RECALL_ONLY`` or ``NOTHING``; entries not computed are left as they were
        (unspecified in fresh arrays), those of categories without ground truth included.
    precision, scores : float64 (M, A, T, R, K), out
    recall : float64 (M, A, T, K), out
        pycocotools' arrays with their axes reversed but T, R, K kept in order: the entries of
        an (area range, max_dets) pair are one block, so blocks not wanted are never touched.
        Every wanted entry is written: −1 where the category has no ground truth that counts in
        the area range. ``scores`` may be empty (shape (0, 0, 0, 0, 0)): it is then skipped.
    n_workers : int
        Threads that share the categories out, largest first (class frequencies are
        long-tailed; see :mod:`modelmetrics.kernels.sharing`).

    Notes
    -----
    pycocotools builds precision and recall at every ranked detection. Only the true-positive
    positions matter: recall rises only there, so the first position reaching a recall
    threshold > 0 is one; and precision after a true positive can only fall until the next one,
    so the right-to-left maximum at such a position is the maximum over the later true
    positives. The values are computed with the same operations, so they are identical, while
    false positives and ignored detections only bump counters (and detections that are false
    positives or ignored at every threshold bump a single one).
    """
    n_categories = cat_start.shape[0] - 1
    with_scores = scores.shape[0] > 0
    n_area = status.shape[1]
    n_thr = status.shape[2]
    n_rec = recall_thresholds.shape[0]
    n_workers = max(1, min(n_workers, n_categories))
    sizes = cat_start[1:] - cat_start[:-1]
    by_size = np.argsort(-sizes, kind="mergesort")
    next_claim = np.zeros(1, np.int64)
    largest = 0
    most_positives = 1
    for k in range(n_categories):
        largest = max(largest, sizes[k])
        for a in range(n_area):
            most_positives = max(most_positives, n_gt[k, a])
    for _ in prange(n_workers):
        # scratch for the largest category and the most positives of any, allocated once per
        # worker (fresh memory per category would be page-faulted in again and again)
        local_rank = np.empty(largest, np.int64)
        local_score = np.empty(largest)
        local_kind = np.empty((largest, n_area), np.uint8)
        event_pr = np.empty((n_thr, most_positives))
        event_rc = np.empty((n_thr, most_positives))
        event_score = np.empty((n_thr, most_positives))
        n_events = np.empty(n_thr, np.int64)
        tp = np.empty(n_thr)
        fp = np.empty(n_thr)
        while True:
            claim = claim_next(next_claim)
            if claim >= n_categories:
                break
            k = by_size[claim]
            ranked = order[cat_start[k]:cat_start[k + 1]]
            most = 0
            for a in range(n_area):
                most = max(most, n_gt[k, a])
                if n_gt[k, a] == 0:
                    _mark_undefined(precision, recall, scores, k, a, wanted)
            if most == 0:
                continue
            # gather the category's detections in ranked order: the passes below then read memory
            # sequentially instead of hopping through the whole array
            n = ranked.shape[0]
            for i in range(n):
                if i + PREFETCH_AHEAD < n:  # random reads: many in flight, not one at a time
                    ahead = ranked[i + PREFETCH_AHEAD]
                    prefetch(rank, ahead)
                    prefetch(score, ahead)
                    prefetch(kind, ahead)
                d = ranked[i]
                local_rank[i] = rank[d]
                local_score[i] = score[d]
                mixed = False
                for a in range(n_area):
                    local_kind[i, a] = kind[d, a]
                    mixed = mixed or kind[d, a] == MIXED
                if mixed:  # its statuses are read below
                    prefetch(status, d)
            for a in range(n_area):
                positives = n_gt[k, a]
                if positives == 0:
                    continue
                for m in range(max_dets.shape[0]):
                    want = wanted[a, m]
                    if want == NOTHING:
                        continue
                    curves = want == CURVES
                    cut = max_dets[m]
                    n_events[:] = 0
                    tp[:] = 0.0
                    fp[:] = 0.0
                    fp_everywhere = 0
                    nd = 0
                    first_score = 0.0
                    for i in range(n):
                        if local_rank[i] < cut:
                            first_score = local_score[i]
                            break
                    for i in range(n):  # branch-free counting: the kinds come in random order
                        inside = local_rank[i] < cut
                        outcome = local_kind[i, a]
                        nd += inside
                        fp_everywhere += inside & (outcome == ALL_FP)
                        if inside & (outcome == MIXED):
                            d = ranked[i]
                            for t in range(n_thr):
                                state = status[d, a, t]
                                if state == TP:
                                    tp[t] += 1.0
                                    if curves:
                                        e = n_events[t]
                                        event_pr[t, e] = tp[t] / (fp[t] + fp_everywhere + tp[t]
                                                                  + EPS)
                                        event_rc[t, e] = tp[t] / positives
                                        event_score[t, e] = score[d]
                                        n_events[t] = e + 1
                                elif state == FP:
                                    fp[t] += 1.0
                    for t in range(n_thr):
                        recall[m, a, t, k] = tp[t] / positives if nd else 0.0
                        if not curves:
                            continue
                        n_ev = n_events[t]
                        for e in range(n_ev - 1, 0, -1):
                            if event_pr[t, e] > event_pr[t, e - 1]:
                                event_pr[t, e - 1] = event_pr[t, e]
                        e = 0
                        for r in range(n_rec):
                            threshold = recall_thresholds[r]
                            if nd == 0:
                                value, at = 0.0, 0.0
                            elif threshold <= 0.0:  # the first ranked detection
                                value = event_pr[t, 0] if n_ev else 0.0
                                at = first_score
                            else:
                                while e < n_ev and event_rc[t, e] < threshold:
                                    e += 1
                                if e < n_ev:
                                    value, at = event_pr[t, e], event_score[t, e]
                                else:
                                    value, at = 0.0, 0.0
                            precision[m, a, t, r, k] = value
                            if with_scores:
                                scores[m, a, t, r, k] = at
