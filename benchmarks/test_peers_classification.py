"""pytest-benchmark: modelmetrics against its peers, grouped per workload (``make bench``)."""

import numpy as np
import pytest

from ._classification_peers import ONE_SHOT, make_labels, streaming_updaters

N = 10_000_000


@pytest.mark.parametrize("peer", list(ONE_SHOT))
def test_confusion_10m_samples_1000_classes(benchmark, peer):
    compute = ONE_SHOT[peer]
    y_true, y_pred = make_labels(N)
    compute(y_true[:1000], y_pred[:1000])  # warm-up (JIT), not timed
    benchmark.group = "classification: confusion matrix of 10M int64 labels, 1,000 classes"
    benchmark.extra_info["samples"] = N
    slow = peer in ("scikit-learn", "torchmetrics")
    result = benchmark.pedantic(compute, args=(y_true, y_pred), rounds=2 if slow else 7,
                                warmup_rounds=0)
    assert np.array_equal(result, ONE_SHOT["modelmetrics"](y_true, y_pred))
    benchmark.extra_info["M samples/s"] = N / benchmark.stats.stats.min / 1e6


UPDATERS = streaming_updaters(256)


@pytest.mark.parametrize("peer", list(UPDATERS))
def test_streaming_update_256(benchmark, peer):
    update, args = UPDATERS[peer]
    benchmark.group = "classification: one streaming update() of 256 samples, 1,000 classes"
    benchmark(update, *args)
