"""Slow, obviously-correct detection metrics at an operating point: the oracle for
``evaluate_coco``'s per-class counts, per-detection outcomes and confusion matrix.

Plain Python over the COCO dicts, one image and class at a time, no NumPy.

Matching (COCO's greedy rule, one IoU threshold, area range "all" = [0, 1e10])
---------------------------------------------------------------------------
Per (image, category): detections sorted by descending score (stable: ties keep their order in
the results list), cut to the first ``max_det``; ground truths in annotation order, those that
*count* (not crowd, ``area`` inside [0, 1e10]) before the ignored ones (crowd or out of range).
Each detection in turn looks at the ground truths in that order and takes the one of highest IoU
>= the threshold that is not yet taken (crowd regions can be taken any number of times); among
equal IoUs the later one wins (COCO compares with ``<``); once it has a candidate that counts it
never switches to an ignored one. A detection matched to a ground truth that counts is a true
positive ("tp"), matched to an ignored one it is "ignored", unmatched it is a false positive
("fp"). IoU: ``x2 = x + w``, ``area = w * h``; intersection over union, over the detection's area
for a crowd ground truth (COCO's ``bbIou``, operation for operation).

Counts at the operating point
-----------------------------
Only detections with score >= ``score_threshold`` count: TP and FP per class; FN = ground truths
that count minus TP.

Confusion matrix (categories in ascending id order, then background)
--------------------------------------------------------------------
Diagonal: the true positives. Leftovers: false-positive detections with score >= threshold, and
ground truths that count but were not matched by a detection with score >= threshold. Per image,
class-agnostically, leftover detections by descending score (ties: lower category id first, then
results-list order — ``evaluate_coco``'s convention, independent of how the results interleave
classes) take the
not-yet-paired leftover ground truth of highest plain IoU >= the threshold (ties: the earlier in
annotation order) -> cell [gt class, det class]; unpaired detections -> [background, det class];
unpaired ground truths -> [gt class, background].
"""

from __future__ import annotations

__all__ = ["box_iou", "evaluate_operating_point", "match_group"]

ALL_AREA = (0.0, 1e10)


def box_iou(det, gt, crowd=False):
    """IoU of two ``[x, y, w, h]`` boxes (detection, ground truth); for a crowd ground truth the
    union is the detection's area."""
    dx, dy, dw, dh = (float(v) for v in det)
    gx, gy, gw, gh = (float(v) for v in gt)
    w = min(dw + dx, gw + gx) - max(dx, gx)
    if w <= 0:
        return 0.0
    h = min(dh + dy, gh + gy) - max(dy, gy)
    if h <= 0:
        return 0.0
    inter = w * h
    union = dw * dh if crowd else dw * dh + gw * gh - inter
    return inter / union


def _counts(gt):
    area = gt["area"] if "area" in gt else gt["bbox"][2] * gt["bbox"][3]
    return not gt.get("iscrowd", 0) and ALL_AREA[0] <= area <= ALL_AREA[1]


def _bbox_iou(det, gt, crowd):
    return box_iou(det["bbox"], gt["bbox"], crowd)


def match_group(dets, gts, iou_threshold, iou=_bbox_iou):
    """Greedy COCO matching of one (image, category) group (``iou(det, gt, crowd)``: box IoU
    by default; instance segmentation passes a mask IoU).

    Parameters
    ----------
    dets : list of dict
        Result records, already sorted by descending score and cut to ``max_det``.
    gts : list of dict
        Ground-truth annotations in annotation order.

    Returns
    -------
    list of (outcome, gt or None)
        Per detection: "tp", "fp" or "ignored", and the ground-truth dict it took.
    """
    ordered = [g for g in gts if _counts(g)] + [g for g in gts if not _counts(g)]
    threshold = min(iou_threshold, 1 - 1e-10)
    taken = [False] * len(ordered)
    out = []
    for det in dets:
        best = None
        best_iou = threshold
        for q, gt in enumerate(ordered):
            crowd = bool(gt.get("iscrowd", 0))
            if taken[q] and not crowd:
                continue
            if best is not None and _counts(ordered[best]) and not _counts(gt):
                break
            value = iou(det, gt, crowd)
            if value < best_iou:
                continue
            best_iou = value
            best = q
        if best is None:
            det_area = det["bbox"][2] * det["bbox"][3]
            inside = ALL_AREA[0] <= det_area <= ALL_AREA[1]
            out.append(("fp" if inside else "ignored", None))
        else:
            taken[best] = True
            out.append(("tp" if _counts(ordered[best]) else "ignored", ordered[best]))
    return out


def evaluate_operating_point(ground_truth, results, *, score_threshold, iou_threshold=0.5,
                             max_det=100, iou=_bbox_iou):
    """Per-class counts, per-detection outcomes and the confusion matrix.

    Returns
    -------
    dict
        ``category_ids`` (ascending), ``per_class`` {category_id: {"tp", "fp", "fn", "n_gt",
        "precision", "recall", "f1"}} (None where the denominator is 0), ``detections``
        {result index: {"outcome", "gt_id" (or None), "above"}} for the kept detections, and
        ``confusion`` (list of lists, (K + 1) x (K + 1)).
    """
    category_ids = sorted(c["id"] for c in ground_truth["categories"])
    known = set(category_ids)
    gts_by_group = {}
    for ann in ground_truth["annotations"]:
        if ann["category_id"] in known:
            gts_by_group.setdefault((ann["image_id"], ann["category_id"]), []).append(ann)
    dets_by_group = {}
    for index, det in enumerate(results):
        dets_by_group.setdefault((det["image_id"], det["category_id"]), []).append((index, det))

    detections = {}
    matched_gt = set()  # id() of ground truths taken by a detection with score >= threshold
    for key, members in dets_by_group.items():
        members = sorted(members, key=lambda item: -item[1]["score"])[:max_det]  # stable
        outcomes = match_group([d for _, d in members], gts_by_group.get(key, []),
                               iou_threshold, iou)
        for (index, det), (outcome, gt) in zip(members, outcomes):
            above = det["score"] >= score_threshold
            detections[index] = {"outcome": outcome, "gt_id": None if gt is None else gt["id"],
                                 "above": above}
            if above and outcome == "tp":
                matched_gt.add(id(gt))

    per_class = {}
    for c in category_ids:
        n_gt = sum(1 for ann in ground_truth["annotations"]
                   if ann["category_id"] == c and _counts(ann))
        tp = sum(1 for i, d in detections.items()
                 if d["above"] and d["outcome"] == "tp" and results[i]["category_id"] == c)
        fp = sum(1 for i, d in detections.items()
                 if d["above"] and d["outcome"] == "fp" and results[i]["category_id"] == c)
        fn = n_gt - tp
        per_class[c] = {
            "tp": tp, "fp": fp, "fn": fn, "n_gt": n_gt,
            "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / n_gt if n_gt else None,
            "f1": 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else None,
        }

    K = len(category_ids)
    column = {c: k for k, c in enumerate(category_ids)}
    confusion = [[0] * (K + 1) for _ in range(K + 1)]
    for c in category_ids:
        confusion[column[c]][column[c]] = per_class[c]["tp"]
    image_ids = sorted({im["id"] for im in ground_truth["images"]})
    for image in image_ids:
        left_dets = [(i, results[i]) for i, d in sorted(detections.items())
                     if d["above"] and d["outcome"] == "fp" and results[i]["image_id"] == image]
        # descending score; ties: category id, then results order (stable sort)
        left_dets.sort(key=lambda item: (-item[1]["score"], item[1]["category_id"]))
        left_gts = [ann for ann in ground_truth["annotations"]
                    if ann["image_id"] == image and ann["category_id"] in known
                    and _counts(ann) and id(ann) not in matched_gt]
        paired = [False] * len(left_gts)
        for _, det in left_dets:
            best, best_iou = None, iou_threshold
            for q, ann in enumerate(left_gts):
                if paired[q]:
                    continue
                value = iou(det, ann, False)
                if value >= best_iou and (best is None or value > best_iou):
                    best, best_iou = q, value
            if best is None:
                confusion[K][column[det["category_id"]]] += 1
            else:
                paired[best] = True
                confusion[column[left_gts[best]["category_id"]]][column[det["category_id"]]] += 1
        for q, ann in enumerate(left_gts):
            if not paired[q]:
                confusion[column[ann["category_id"]]][K] += 1
    return {"category_ids": category_ids, "per_class": per_class, "detections": detections,
            "confusion": confusion}
