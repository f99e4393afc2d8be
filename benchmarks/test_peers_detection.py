"""pytest-benchmark: COCO evaluation against the four peer evaluators (``make bench``)."""

import numpy as np
import pytest

from ._detection_peers import (available_peers, ours_from_arrays, per_image_arrays,
                               workload)

PEERS = available_peers()
SLOW = {"pycocotools", "faster-coco-eval"}


@pytest.fixture(scope="module")
def coco_5000():
    return workload(5000)


@pytest.mark.parametrize("peer", list(PEERS))
def test_coco_files_to_stats_5000_images(benchmark, coco_5000, peer):
    evaluate = PEERS[peer]
    evaluate(*workload(100))  # warm-up (JIT), not timed
    benchmark.group = "COCO bbox: JSON files -> 12 stats (5,000 images, 500k detections)"
    # after warm-up: one untimed run on the workload itself for every peer that gets several
    # rounds (allocator and page-cache state settle); the slow peers run once
    stats = benchmark.pedantic(evaluate, args=coco_5000, rounds=1 if peer in SLOW else 5,
                               warmup_rounds=0 if peer in SLOW else 1)
    reference = PEERS["modelmetrics"](*coco_5000)
    np.testing.assert_array_equal(np.asarray(stats), reference)


def test_arrays_in_memory_5000_images(benchmark, coco_5000):
    arrays = per_image_arrays(*coco_5000)
    ours_from_arrays(*per_image_arrays(*workload(100)))
    benchmark.group = "COCO bbox: per-image arrays in memory -> stats + operating point"
    result = benchmark.pedantic(ours_from_arrays, args=arrays, rounds=5, warmup_rounds=1)
    np.testing.assert_array_equal(result.stats, PEERS["modelmetrics"](*coco_5000))
