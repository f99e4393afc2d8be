"""Polygons rasterised in chunks by two threads (the segm evaluation's reading phase) give the
runs of one kernel call; a problem in a chunk reaches the owner; the helper never hangs."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from modelmetrics.kernels import rle as K
from modelmetrics.masks import _segm


def random_polygons(seed: int, n: int):
    rng = np.random.default_rng(seed)
    counts = rng.integers(3, 12, n)
    part_start = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=part_start[1:])
    xy = rng.uniform(-20, 140, (part_start[-1], 2))  # some outside the image
    h = rng.integers(1, 120, n).astype(np.int64)
    w = rng.integers(1, 120, n).astype(np.int64)
    return xy, part_start, h, w


@pytest.mark.parametrize("n, with_helper", [(1, True), (7, True), (300, True), (300, False)])
def test_shared_chunks_give_the_runs_of_one_call(n, with_helper):
    xy, part_start, h, w = random_polygons(n, n)
    expected_counts, expected_start = K.from_polygons(xy, part_start, h, w)
    shared = _segm.SharedRasterising()
    helper = threading.Thread(target=shared.help) if with_helper else None
    if helper:
        helper.start()
    try:
        counts, start = shared.rasterise(xy, part_start, h, w)
    finally:
        shared.close()
    if helper:
        helper.join(timeout=60)
        assert not helper.is_alive()
    np.testing.assert_array_equal(start, expected_start)
    np.testing.assert_array_equal(counts, expected_counts)


def test_help_returns_when_the_owner_closes_without_polygons():
    shared = _segm.SharedRasterising()
    helper = threading.Thread(target=shared.help)
    helper.start()
    shared.close()
    helper.join(timeout=60)
    assert not helper.is_alive()


def test_a_failing_chunk_is_raised_by_the_owner(monkeypatch):
    xy, part_start, h, w = random_polygons(3, 64)
    real = K.from_polygons

    def failing(xy, part_start, h, w):
        if part_start[0] > 0:  # every chunk but the first
            raise RuntimeError("chunk failed")
        return real(xy, part_start, h, w)

    monkeypatch.setattr(K, "from_polygons", failing)
    shared = _segm.SharedRasterising()
    helper = threading.Thread(target=shared.help)
    helper.start()
    with pytest.raises(RuntimeError, match="chunk failed"):
        try:
            shared.rasterise(xy, part_start, h, w)
        finally:
            shared.close()
    helper.join(timeout=60)
    assert not helper.is_alive()
