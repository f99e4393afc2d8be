"""The matcher's per-(detection, area range) outcome summary, which the accumulation reads
first, against a plain loop over the statuses it summarises."""

from __future__ import annotations

import numpy as np
import pytest

import modelmetrics as mm
from modelmetrics.kernels.matching import ALL_FP, ALL_IGNORED, FP, IGNORED, MIXED

from ._workloads import make_workload
from .test_streaming import per_image


def reference_kinds(status: np.ndarray, n_thresholds: int) -> np.ndarray:
    kinds = np.empty(status.shape[:2], np.uint8)
    for d in range(status.shape[0]):
        for a in range(status.shape[1]):
            values = set(status[d, a, :n_thresholds].tolist())
            kinds[d, a] = (ALL_FP if values == {int(FP)} else
                           ALL_IGNORED if values == {int(IGNORED)} else MIXED)
    return kinds


@pytest.mark.parametrize("seed, options", [
    (1, {}),
    (2, {"operating_iou": 0.33}),  # a matching threshold the AP does not use: not summarised
    (3, {"iou_thresholds": [0.7, 0.3, 0.55]}),
    (4, {"max_detections": (1, 5, 8)}),
])
def test_outcome_kinds_summarise_the_statuses_of_the_ap_thresholds(seed, options):
    gt, dt = make_workload(seed, n_images=30, n_categories=4, dets_per_image=20, crowd_p=0.2)
    metric = mm.DetectionMetrics(box_format="xywh", **options).update(*per_image(gt, dt))
    n_thresholds = metric.params.iou_thresholds.shape[0]
    assert metric._status.shape[2] >= n_thresholds
    kinds = metric._kind
    assert kinds.dtype == np.uint8 and kinds.shape == metric._status.shape[:2]
    np.testing.assert_array_equal(kinds, reference_kinds(metric._status, n_thresholds))
    assert {int(ALL_FP), int(ALL_IGNORED), int(MIXED)} <= set(np.unique(kinds).tolist())
