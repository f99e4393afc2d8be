"""pytest-benchmark: modelmetrics against its peers, grouped per workload (``make bench``)."""

import pytest

from ._regression_peers import ONE_SHOT, make_pairs, streaming_updaters

N_PAIRS = 50_000_000


@pytest.fixture(scope="module")
def pairs_50m():
    return make_pairs(N_PAIRS)


@pytest.mark.parametrize("peer", list(ONE_SHOT))
def test_regression_50m_pairs(benchmark, pairs_50m, peer):
    compute = ONE_SHOT[peer]
    y_true, y_pred = pairs_50m
    compute(y_true[:1 << 18], y_pred[:1 << 18])  # warm-up (JIT), not timed
    benchmark.group = "regression: six metrics of 50M float64 pairs"
    benchmark.extra_info["pairs"] = N_PAIRS
    result = benchmark.pedantic(compute, args=pairs_50m, rounds=5 if peer == "modelmetrics" else 3,
                                warmup_rounds=0)
    reference = ONE_SHOT["modelmetrics"](*pairs_50m)
    for key, value in reference.items():
        assert result[key] == pytest.approx(value, rel=1e-9), key


UPDATERS = streaming_updaters(1000)


@pytest.mark.parametrize("peer", list(UPDATERS))
def test_streaming_update_1000(benchmark, peer):
    update, args = UPDATERS[peer]
    benchmark.group = "regression: one streaming update() of 1,000 float64 pairs"
    benchmark(update, *args)
