"""The accumulation computes only the (area range, max_detections) blocks an evaluation reads
(``wanted``): those equal a full accumulation, the others are never written, not even the -1 of
categories without ground truth in the range (a category's entries span every page of a block,
so writing them would fault in the whole block)."""

from __future__ import annotations

import numpy as np

from modelmetrics.kernels import average_precision as AP

from ._workloads import evaluate, make_workload


def test_blocks_not_wanted_are_never_written(monkeypatch):
    calls = []
    real = AP.accumulate

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(AP, "accumulate", spy)
    gt, dt = make_workload(5, n_images=20, n_categories=14, dets_per_image=20)
    evaluate(gt, dt)
    (order, cat_start, score, rank, status, kind, n_gt, max_dets, recall_thresholds, wanted,
     precision, recall, scores, n_workers) = calls[0]
    assert (n_gt == 0).any() and (n_gt > 0).any()  # categories without ground truth in a range
    assert {AP.NOTHING, AP.RECALL_ONLY, AP.CURVES} <= set(wanted.ravel().tolist())
    everything = np.full_like(wanted, AP.CURVES)
    full_precision, full_recall = np.empty_like(precision), np.empty_like(recall)
    real(order, cat_start, score, rank, status, kind, n_gt, max_dets, recall_thresholds,
         everything, full_precision, full_recall, np.empty((0,) * 5), n_workers)
    sentinel = 7.0
    part_precision = np.full_like(precision, sentinel)
    part_recall = np.full_like(recall, sentinel)
    real(order, cat_start, score, rank, status, kind, n_gt, max_dets, recall_thresholds, wanted,
         part_precision, part_recall, np.empty((0,) * 5), n_workers)
    for a in range(wanted.shape[0]):
        for m in range(wanted.shape[1]):
            want = wanted[a, m]
            if want == AP.CURVES:
                np.testing.assert_array_equal(part_precision[m, a], full_precision[m, a])
            else:
                assert np.all(part_precision[m, a] == sentinel), (a, m)
            if want == AP.NOTHING:
                assert np.all(part_recall[m, a] == sentinel), (a, m)
            else:
                np.testing.assert_array_equal(part_recall[m, a], full_recall[m, a])
    assert (full_precision == -1).any()
