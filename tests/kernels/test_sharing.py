"""Work shared out by claims (kernels.sharing): every chunk done once, results independent of
the threads and of how the chunks fell to them."""

import numba
import numpy as np
import pytest
from numba import njit, prange

from modelmetrics.kernels.sharing import claim_next
from tests.detection._workloads import evaluate, make_workload


@njit(parallel=True, cache=False)
def _claim_all(n_chunks, n_workers):
    times_done = np.zeros(n_chunks, np.int64)
    next_chunk = np.zeros(1, np.int64)
    for _ in prange(n_workers):
        chunk = claim_next(next_chunk)
        while chunk < n_chunks:
            times_done[chunk] += 1  # each chunk belongs to the one thread that claimed it
            chunk = claim_next(next_chunk)
    return times_done


@pytest.mark.parametrize("n_workers", [1, 2, 3, 8])
def test_every_chunk_is_claimed_exactly_once(n_workers):
    for n_chunks in (0, 1, 7, 100_000):
        times_done = _claim_all(n_chunks, n_workers)
        assert times_done.shape == (n_chunks,) and np.all(times_done == 1)


def test_a_parallel_evaluation_equals_a_single_thread_one():
    """Above PARALLEL_MIN_ITEMS detections, every shared-out kernel runs on all threads."""
    gt, dt = make_workload(11, n_images=1500, n_categories=12, dets_per_image=30)
    assert len(dt) > 20_000
    parallel = evaluate(gt, dt)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        serial = evaluate(gt, dt)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(parallel.precision, serial.precision)
    np.testing.assert_array_equal(parallel.recall, serial.recall)
    np.testing.assert_array_equal(parallel.scores, serial.scores)
    np.testing.assert_array_equal(parallel.stats, serial.stats)
    np.testing.assert_array_equal(parallel.confusion_matrix, serial.confusion_matrix)
    assert parallel.to_dict() == serial.to_dict()
