"""pytest-benchmark: modelmetrics against its peers, grouped per workload (``make bench``)."""

import numpy as np
import pytest

from ._segmentation_peers import ONE_SHOT, make_label_maps, streaming_updaters

FRAMES = 32


@pytest.mark.parametrize("maps", ["regions", "noise"])
@pytest.mark.parametrize("peer", list(ONE_SHOT))
def test_segmentation_32_frames(benchmark, peer, maps):
    compute = ONE_SHOT[peer]
    gt, pred = make_label_maps(FRAMES, kind=maps)
    compute(gt[:1], pred[:1])  # warm-up (JIT), not timed
    benchmark.group = f"segmentation: 32 frames of 1024×2048 uint8 ({maps}), 19 classes + 255"
    benchmark.extra_info["pixels"] = gt.size
    slow = peer in ("scikit-learn", "torchmetrics")
    result = benchmark.pedantic(compute, args=(gt, pred), rounds=2 if slow else 7, warmup_rounds=0)
    assert np.array_equal(result, ONE_SHOT["modelmetrics"](gt, pred))
    benchmark.extra_info["Mpx/s"] = gt.size / benchmark.stats.stats.min / 1e6


UPDATERS = streaming_updaters(512, 512)


@pytest.mark.parametrize("peer", list(UPDATERS))
def test_streaming_update_512(benchmark, peer):
    update, args = UPDATERS[peer]
    benchmark.group = "segmentation: one streaming update() of a 512×512 map"
    benchmark(update, *args)
