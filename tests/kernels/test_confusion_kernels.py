"""The confusion kernels (through ``modelmetrics._confusion``, which picks one) against the slow
loops of ``tests/reference/confusion.py``: every label width on either side, any shape and
layout, ignore labels inside and outside the dtype's range, mmsegmentation's zero-label shift,
small and large tables (four interleaved copies or one), serial and parallel, and the
out-of-range report (count per side, first value and position)."""

from __future__ import annotations

import numpy as np
import pytest

from modelmetrics import InvalidInputError
from modelmetrics import _confusion as engine
from modelmetrics.kernels import confusion as K
from reference import confusion as ref

DTYPES = [np.uint8, np.int8, np.uint16, np.int16, np.int32, np.uint32, np.int64, np.uint64]


def _labels(rng, shape, n_classes, dtype, *, ignore=None, p_ignore=0.0):
    info = np.iinfo(dtype)
    values = rng.integers(0, min(n_classes, int(info.max) + 1), size=shape)
    if ignore is not None and info.min <= ignore <= info.max and p_ignore:
        values = np.where(rng.random(shape) < p_ignore, ignore, values)
    return values.astype(dtype)


def _check(gt, pred, n_classes, *, ignore=None, shift=0):
    expected, expected_ignored = ref.confusion(gt, pred, n_classes, ignore=ignore, shift=shift)
    counts, ignored = engine.count_pairs(gt, pred, n_classes, ignore=ignore, shift=shift)
    assert counts.dtype == np.int64 and counts.shape == (n_classes, n_classes)
    assert counts.tolist() == expected
    assert ignored == expected_ignored


@pytest.mark.parametrize("g_dtype", DTYPES)
@pytest.mark.parametrize("p_dtype", [np.uint8, np.int64])
def test_every_dtype_pair(g_dtype, p_dtype):
    rng = np.random.default_rng(abs(hash((g_dtype.__name__, p_dtype.__name__))) % 2**32)
    for shape in [(1,), (13,), (8,), (5, 7), (3, 4, 9)]:
        gt = _labels(rng, shape, 6, g_dtype, ignore=100, p_ignore=0.2)
        pred = _labels(rng, shape, 6, p_dtype)
        _check(gt, pred, 6, ignore=100)
        _check(gt, pred, 101, ignore=None)  # 100 is a class then


@pytest.mark.parametrize("n_classes", [1, 2, 19, 70, 300])
@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_table_sizes(n_classes, dtype):
    """Small tables (four interleaved copies) and large ones (one)."""
    rng = np.random.default_rng(n_classes)
    n_classes_dtype = min(n_classes, 255)
    gt = _labels(rng, (2, 31, 17), n_classes_dtype, dtype)
    pred = np.where(rng.random(gt.shape) < 0.7, gt, _labels(rng, gt.shape, n_classes_dtype, dtype))
    _check(gt, pred.astype(dtype), n_classes_dtype)


@pytest.mark.parametrize("view", ["strided", "transposed", "reversed", "column", "offset_bytes",
                                  "sliced_frames", "four_dims"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32])
def test_layouts(view, dtype):
    rng = np.random.default_rng(7)
    base_g = _labels(rng, (4, 20, 30), 5, dtype, ignore=255, p_ignore=0.1)
    base_p = _labels(rng, (4, 20, 30), 5, dtype)
    make = {
        "strided": lambda a: a[:, ::3, 1::2],
        "transposed": lambda a: a.transpose(0, 2, 1),
        "reversed": lambda a: a[::-1, :, ::-1],
        "column": lambda a: a[1, :, 3],
        "offset_bytes": lambda a: a.reshape(-1)[3:3 + 1001],  # misaligned for 8-byte words
        "sliced_frames": lambda a: a[1:3],
        "four_dims": lambda a: a.reshape(2, 2, 20, 30)[:, :, ::2],
    }[view]
    gt, pred = make(base_g), make(base_p)
    _check(gt, pred, 5, ignore=255)
    _check(gt, np.ascontiguousarray(pred), 5, ignore=255)


def test_mixed_layouts_and_empty():
    rng = np.random.default_rng(3)
    gt = _labels(rng, (40, 30), 4, np.uint8)
    pred = np.asfortranarray(_labels(rng, (40, 30), 4, np.int64))
    _check(gt, pred, 4)
    _check(np.empty((0, 5), np.uint8), np.empty((0, 5), np.uint8), 4)
    _check(np.empty(0, np.int64), np.empty(0, np.int64), 4)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int64])
def test_shift_reduce_zero_label(dtype):
    rng = np.random.default_rng(11)
    gt = _labels(rng, (3, 11, 13), 7, dtype, ignore=255, p_ignore=0.1)  # 0 … 6 (+255)
    pred = _labels(rng, gt.shape, 6, dtype)
    _check(gt, pred, 6, ignore=255, shift=1)


@pytest.mark.parametrize("ignore", [-1, -100, 70000, 3])
def test_ignore_outside_or_inside_the_range(ignore):
    rng = np.random.default_rng(5)
    for dtype in (np.uint8, np.int8, np.int16, np.int64):
        gt = _labels(rng, (50,), 5, dtype, ignore=ignore, p_ignore=0.3)
        pred = _labels(rng, (50,), 5, dtype)
        _check(gt, pred, 5, ignore=ignore)


@pytest.mark.parametrize("parallel_min", [1_000, engine.PARALLEL_MIN_PAIRS])
def test_parallel_equals_reference(monkeypatch, parallel_min):
    """On all cores (threshold lowered) and on one: several parts; uint8 (byte words) and int64,
    runs of equal pairs and noise, a length that is not a multiple of 8."""
    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", parallel_min)
    rng = np.random.default_rng(2)
    n = 200_003
    runs = np.repeat(rng.integers(0, 19, n // 64 + 1), 64)[:n].astype(np.uint8)
    runs[rng.random(n) < 0.05] = 255
    noise = rng.integers(0, 19, n).astype(np.uint8)
    for gt, pred in [(runs, runs), (runs, noise), (noise, noise[::-1].copy())]:
        expected, ignored = ref.confusion(gt, pred, 19, ignore=255)
        for g, p in [(gt, pred), (gt.astype(np.int64), pred.astype(np.int64))]:
            counts, n_ignored = engine.count_pairs(g, p, 19, ignore=255)
            assert counts.tolist() == expected and n_ignored == ignored


def test_many_parts_give_the_same_counts():
    rng = np.random.default_rng(4)
    gt = _labels(rng, (3, 50, 41), 9, np.int32)
    pred = _labels(rng, gt.shape, 9, np.int32)
    expected, _ = ref.confusion(gt, pred, 9)
    empty = np.empty(0, np.int64)
    for parts in (1, 2, 3, 7, 64, 10_000):
        for ways in (1, 4):
            table = K.confusion_table(gt, pred, 9, 0, False, 0, empty, empty, parts, ways)
            assert table[:9, :9].tolist() == expected
            assert table[9:].sum() == 0 and table[:, 9].sum() == 0


def test_weighted_equals_reference():
    rng = np.random.default_rng(9)
    for n, c in [(1, 3), (100, 4), (70_001, 12), (5_000, 80)]:
        gt = rng.integers(0, c, n)
        pred = rng.integers(0, c, n).astype(np.uint16)
        w = rng.random(n) * 3
        w[::7] = 0.0
        sums, _ = engine.count_pairs_weighted(gt, pred, w, c)
        np.testing.assert_allclose(sums, ref.weighted_confusion(gt, pred, w, c), rtol=1e-12, atol=0)


def _out_of_range(gt, pred, n_classes, **kw):
    with pytest.raises(InvalidInputError) as info:
        engine.count_pairs(gt, pred, n_classes, **kw)
    with pytest.raises(ref.OutOfRange) as expected:
        ref.confusion(gt, pred, n_classes, **kw)
    return str(info.value), expected.value


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.uint64])
def test_out_of_range_report(dtype):
    rng = np.random.default_rng(1)
    gt = _labels(rng, (2, 30, 40), 5, dtype)
    pred = _labels(rng, (2, 30, 40), 5, dtype)
    gt[1, 3, 4] = 9
    pred[1, 2, 7] = 6
    pred[1, 25, 0] = 200
    message, expected = _out_of_range(gt, pred, 5)
    assert (expected.n_true, expected.n_pred) == (1, 2)
    assert "3 sample(s) in all" in message and "(1 in 'y_true', 2 in 'y_pred')" in message
    assert "the first is 6 in 'y_pred' at image 1, row 2, column 7" in message
    assert "num_classes=5" in message


def test_out_of_range_negative_and_wide_values():
    gt = np.array([0, 1, -3, 2, 1], np.int64)
    pred = np.array([0, 1, 1, 2, 2**40], np.int64)
    message, expected = _out_of_range(gt, pred, 3)
    assert (expected.n_true, expected.n_pred) == (1, 1)
    assert "the first is -3 in 'y_true' at index 2" in message
    big = np.array([0, 2**63 + 5], np.uint64)
    message, _ = _out_of_range(big, np.array([0, 0], np.uint64), 3)
    assert "index 1" in message


def test_out_of_range_large_uint8_parallel_and_ignored_predictions():
    rng = np.random.default_rng(6)
    gt = rng.integers(0, 19, (4, 100, 128)).astype(np.uint8)
    pred = gt.copy()
    gt[:, :10] = 255
    pred[:, :10] = 254  # under an ignored truth: not checked, not counted
    _check(gt, pred, 19, ignore=255)
    pred[3, 99, 127] = 19
    pred[2, 50, 3] = 30
    message, expected = _out_of_range(gt, pred, 19, ignore=255)
    assert (expected.n_true, expected.n_pred) == (0, 2)
    assert "the first is 30 in 'y_pred' at image 2, row 50, column 3" in message


def test_shifted_report_names_the_original_label():
    gt = np.array([[1, 2], [0, 9]], np.uint8)
    pred = np.zeros((2, 2), np.uint8)
    message, expected = _out_of_range(gt, pred, 3, ignore=255, shift=1)
    assert expected.value == 9
    assert "the first is 9 in 'y_true' at row 1, column 1" in message
    assert "outside [1, 4)" in message


def test_code_tables_signed_patterns():
    rows, cols = K.code_tables(8, True, 4, -1, True, 0)
    stride = 5
    assert rows[0] == 0 and rows[3] == 3 * stride and rows[4] == 5 * stride  # 4: out of range
    assert rows[255] == 4 * stride  # bit pattern of -1: ignored
    assert rows[128] == 5 * stride  # -128: out of range
    assert cols[255] == 4 and cols[2] == 2


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64])
def test_add_pairs_small_batches_go_straight_into_the_state(dtype):
    """Batches much smaller than the matrix: one pass, no table (accumulate_pairs)."""
    rng = np.random.default_rng(12)
    n_classes = 60
    state = np.zeros((n_classes, n_classes), np.int64)
    expected = np.zeros_like(state)
    ignored_total = 0
    for size in (1, 7, 100, 899):
        gt = _labels(rng, (size,), n_classes, dtype, ignore=120, p_ignore=0.2)
        pred = _labels(rng, (size,), n_classes, dtype)
        matrix, ignored = ref.confusion(gt, pred, n_classes, ignore=120)
        expected += np.array(matrix)
        ignored_total += ignored
        assert engine.add_pairs(state, gt, pred, n_classes, ignore=120) == ignored
        assert np.array_equal(state, expected)
    grid = _labels(rng, (3, 9, 10), n_classes, dtype)[:, ::2, ::3]  # non-contiguous, 3-D
    engine.add_pairs(state, grid, grid, n_classes)
    assert np.trace(state) - np.trace(expected) == grid.size
    shifted = np.array([0, 1, 5, 255], dtype)
    before = state.copy()
    engine.add_pairs(state, shifted, np.array([3, 0, 4, 9], dtype), n_classes, ignore=255, shift=1)
    assert (state - before).sum() == 2 and state[0, 0] - before[0, 0] == 1 and state[4, 4] - before[4, 4] == 1


def test_add_pairs_weighted_and_refused_batches():
    rng = np.random.default_rng(13)
    n_classes = 50
    gt = rng.integers(0, n_classes, 300)
    pred = rng.integers(0, n_classes, 300)
    w = rng.random(300)
    state = np.zeros((n_classes, n_classes))
    engine.add_pairs(state, gt, pred, n_classes, weight=w)
    np.testing.assert_allclose(state, ref.weighted_confusion(gt, pred, w, n_classes), rtol=1e-12)
    before = state.copy()
    bad = pred.copy()
    bad[[40, 200]] = [n_classes, -2]
    with pytest.raises(InvalidInputError, match=r"2 sample\(s\) in all .* the first is 50 in 'y_pred' at index 40"):
        engine.add_pairs(state, gt, bad, n_classes, weight=w)
    assert np.array_equal(state, before)
    counts = np.zeros((n_classes, n_classes), np.int64)
    with pytest.raises(InvalidInputError, match="the first is 50 in 'y_pred' at index 40"):
        engine.add_pairs(counts, gt, bad, n_classes)
    assert not counts.any()
