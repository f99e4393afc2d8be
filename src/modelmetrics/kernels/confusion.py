"""Confusion counts of paired integer labels: one kernel family for classification and semantic
segmentation.

Every pair (truth ``g``, prediction ``p``) is given a *cell code* ``row(g) * (C + 1) + col(p)``
in a ``(C + 2) × (C + 1)`` table, ``C`` being the number of classes:

* rows ``0 … C-1``: truth of that class; row ``C``: truth equal to the ignore label (or a
  zero under ``shift`` = 1, mmsegmentation's ``reduce_zero_label``); row ``C + 1``: truth out of
  range;
* columns ``0 … C-1``: prediction of that class; column ``C``: prediction out of range.

So one pass counts the confusion matrix (``table[:C, :C]``), the ignored pairs (row ``C``) and the
pairs with an out-of-range label (row ``C + 1``, and column ``C`` of the first ``C`` rows) at the
same time; only when the latter are not zero does the caller run :func:`first_invalid`, the
error path, to locate the first one. Labels of at most 16 bits are coded through two small lookup
tables (:func:`code_tables`; no comparison per pair); wider ones are compared against the range.

Labels are read as they are given: any integer dtype (``uint8`` … ``int64``), flat contiguous
arrays, or 3-D arrays of any layout read row by row (the caller views other shapes as 3-D
without copying). Work is split into contiguous parts of the flattened (C-order) index, one set
of int32 tables per part (a part holds fewer than 2**31 pairs), summed into int64 at the end;
counts are exact, so the split never changes the result. Within a part, small tables come in
four interleaved copies, so that long runs of one cell (segmentation maps are made of regions)
do not chain every increment on the previous one through memory; large tables (many classes)
come in one copy, in int32 to halve the cache and TLB footprint of their scattered increments.
Contiguous 8-bit labels are read eight at a time (:func:`confusion_table_bytes`), and runs of
equal pairs are summed in a register.
"""

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from .._config import jit_options

__all__ = [
    "accumulate_pairs",
    "code_tables",
    "confusion_table",
    "confusion_table_bytes",
    "confusion_table_weighted",
    "first_invalid",
    "rank_histogram",
    "LUT_MAX_BITS",
]

#: Label dtypes of at most this many bits are coded through lookup tables.
LUT_MAX_BITS = 16


@njit(**jit_options())
def code_tables(bits, signed, n_classes, ignore, has_ignore, shift):
    """Lookup tables of row offsets and column codes for every value of a ``bits``-bit label.

    Entry ``u`` describes the label whose bit pattern is ``u`` (two's complement when
    ``signed``). Returns ``(rows, cols)``, int64 arrays of ``2**bits`` entries: ``rows[u]`` is
    ``row(g) * (n_classes + 1)``, ``cols[u]`` is ``col(p)``.
    """
    size = 1 << bits
    stride = n_classes + 1
    rows = np.empty(size, np.int64)
    cols = np.empty(size, np.int64)
    for u in range(size):
        value = u - size if signed and u >= size // 2 else u
        rows[u] = _wide_row(value, n_classes, ignore, has_ignore, shift) * stride
        cols[u] = value if 0 <= value < n_classes else n_classes
    return rows, cols


@njit(**jit_options())
def _wide_row(value, n_classes, ignore, has_ignore, shift):
    """Row of a truth label compared against the range (labels wider than 16 bits)."""
    if (has_ignore and value == ignore) or (shift and value == 0):
        return n_classes
    v = value - shift
    # one unsigned comparison tests 0 <= v < n_classes
    return v if np.uint64(v) < np.uint64(n_classes) else n_classes + 1


def _row_offset(g, rows, n_classes, ignore, has_ignore, shift):
    """``row(g) * (n_classes + 1)``."""


@overload(_row_offset, jit_options=jit_options())
def _row_offset_impl(g, rows, n_classes, ignore, has_ignore, shift):
    if isinstance(g, types.Integer) and g.bitwidth <= LUT_MAX_BITS:
        unsigned = types.uint8 if g.bitwidth == 8 else types.uint16

        def lookup(g, rows, n_classes, ignore, has_ignore, shift):
            return rows[unsigned(g)]

        return lookup

    def compare(g, rows, n_classes, ignore, has_ignore, shift):
        return _wide_row(np.int64(g), n_classes, ignore, has_ignore, shift) * (n_classes + 1)

    return compare


def _col(p, cols, n_classes):
    """``col(p)``."""


@overload(_col, jit_options=jit_options())
def _col_impl(p, cols, n_classes):
    if isinstance(p, types.Integer) and p.bitwidth <= LUT_MAX_BITS:
        unsigned = types.uint8 if p.bitwidth == 8 else types.uint16

        def lookup(p, cols, n_classes):
            return cols[unsigned(p)]

        return lookup

    def compare(p, cols, n_classes):
        v = np.int64(p)
        return v if np.uint64(v) < np.uint64(n_classes) else n_classes

    return compare


@njit(**jit_options())
def _part_bounds(n, n_parts, part):
    return (n * part) // n_parts, (n * (part + 1)) // n_parts


@njit(**jit_options())
def _cell(g, p, g_rows, p_cols, n_classes, ignore, has_ignore, shift):
    """Cell of the pair (``g``, ``p``), unsigned (never negative: no negative-index handling)."""
    return np.uint64(_row_offset(g, g_rows, n_classes, ignore, has_ignore, shift)
                     + _col(p, p_cols, n_classes))


@njit(**jit_options())
def _count_row(g, p, k, end, g_rows, p_cols, n_classes, ignore, has_ignore, shift, tables, size):
    """Count pairs ``k:end`` of 1-D rows ``g`` and ``p`` into the table(s) of ``size`` cells that
    ``tables`` holds one after the other: four, round-robin, or one."""
    if tables.shape[0] >= 4 * size:
        _count_row_four(g, p, k, end, g_rows, p_cols, n_classes, ignore, has_ignore, shift,
                        tables[0:size], tables[size:2 * size], tables[2 * size:3 * size],
                        tables[3 * size:4 * size])
        return
    table = tables[0:size]
    stride = n_classes + 1
    # in-range pairs take a fast path (two unsigned comparisons) unless the ignore label is
    # itself a class id
    fast = not (has_ignore and shift <= ignore < n_classes + shift)
    for kk in range(k, end):
        at = np.uint64(kk)  # unsigned indices: no negative-index handling in the loop
        gg = np.int64(g[at]) - shift
        pp = np.int64(p[at])
        if fast and np.uint64(gg) < np.uint64(n_classes) and np.uint64(pp) < np.uint64(n_classes):
            table[np.uint64(gg * stride + pp)] += 1
        else:
            table[_cell(g[kk], p[kk], g_rows, p_cols, n_classes, ignore, has_ignore, shift)] += 1


@njit(**jit_options())
def _count_row_four(g, p, k, end, g_rows, p_cols, n_classes, ignore, has_ignore, shift, t0, t1, t2,
                    t3):
    """Count pairs ``k:end`` round-robin into four tables."""
    while k + 4 <= end:
        at = np.uint64(k)  # unsigned indices: no negative-index handling in the loop
        one, two, three = at + np.uint64(1), at + np.uint64(2), at + np.uint64(3)
        t0[_cell(g[at], p[at], g_rows, p_cols, n_classes, ignore, has_ignore, shift)] += 1
        t1[_cell(g[one], p[one], g_rows, p_cols, n_classes, ignore, has_ignore, shift)] += 1
        t2[_cell(g[two], p[two], g_rows, p_cols, n_classes, ignore, has_ignore, shift)] += 1
        t3[_cell(g[three], p[three], g_rows, p_cols, n_classes, ignore, has_ignore, shift)] += 1
        k += 4
    while k < end:
        t0[_cell(g[k], p[k], g_rows, p_cols, n_classes, ignore, has_ignore, shift)] += 1
        k += 1


def _count_range(gt, pred, start, stop, g_rows, p_cols, n_classes, ignore, has_ignore, shift,
                 tables, size):
    """Count pairs ``start:stop`` of the flattened (C-order) arrays (1-D, or 3-D of any
    layout, read row by row)."""


@overload(_count_range, jit_options=jit_options())
def _count_range_impl(gt, pred, start, stop, g_rows, p_cols, n_classes, ignore, has_ignore, shift,
                      tables, size):
    if gt.ndim == 1:
        def flat(gt, pred, start, stop, g_rows, p_cols, n_classes, ignore, has_ignore, shift,
                 tables, size):
            _count_row(gt, pred, start, stop, g_rows, p_cols, n_classes, ignore, has_ignore, shift,
                       tables, size)

        return flat

    def rows(gt, pred, start, stop, g_rows, p_cols, n_classes, ignore, has_ignore, shift, tables,
             size):
        height = gt.shape[1]
        width = gt.shape[2]
        r = start // width
        k = start - r * width
        pos = start
        while pos < stop:
            i = r // height
            j = r - i * height
            end = min(width, k + (stop - pos))
            _count_row(gt[i, j], pred[i, j], k, end, g_rows, p_cols, n_classes, ignore, has_ignore,
                       shift, tables, size)
            pos += end - k
            k = 0
            r += 1

    return rows


@njit(**jit_options())
def _sum_tables(tables, n_classes, total):
    """Sum of the per-part tables (each row of ``tables`` holds whole tables one after the other)
    into ``total`` (zeros of ``(n_classes + 2) * (n_classes + 1)`` cells), returned as a
    ``(n_classes + 2, n_classes + 1)`` array."""
    size = total.shape[0]
    for part in range(tables.shape[0]):
        for w in range(tables.shape[1] // size):
            total += tables[part, w * size:(w + 1) * size]
    return total.reshape((n_classes + 2, n_classes + 1))


@njit(**jit_options(parallel=True))
def confusion_table(gt, pred, n_classes, ignore, has_ignore, shift, g_rows, p_cols, n_parts, ways):
    """Count label pairs into a ``(n_classes + 2, n_classes + 1)`` int64 table (module docstring).

    Parameters
    ----------
    gt, pred : integer arrays of the same shape, any dtype: both 1-D and contiguous, or both
        3-D of any layout
    n_classes : int
    ignore : int
        Truth label left out (counted in row ``n_classes``) when ``has_ignore``.
    has_ignore : bool
    shift : int
        1: truth 0 is ignored and every other truth label is lowered by one; else 0.
    g_rows, p_cols : int64 arrays
        :func:`code_tables` of the truth's and the prediction's dtype (unused, may be empty, for
        labels wider than 16 bits).
    n_parts : int
        Contiguous parts of the flattened index counted in parallel; each must hold fewer than
        2**31 pairs (the per-part tables count in int32).
    ways : {1, 4}
        Interleaved copies of the table per part: 4 for small tables, 1 for large ones.

    Returns
    -------
    int64 array of shape (n_classes + 2, n_classes + 1)
    """
    size = (n_classes + 2) * (n_classes + 1)
    n = gt.size
    tables = np.zeros((n_parts, ways * size), np.int32)
    for part in prange(n_parts):
        start, stop = _part_bounds(n, n_parts, part)
        _count_range(gt, pred, start, stop, g_rows, p_cols, n_classes, ignore, has_ignore, shift,
                     tables[part], size)
    return _sum_tables(tables, n_classes, np.zeros(size, np.int64))


@njit(**jit_options())
def _byte(word, k):
    return (word >> np.uint64(8 * k)) & np.uint64(0xFF)


@njit(**jit_options())
def _count_word(a, b, g_rows, p_cols, t0, t1, t2, t3):
    """Count the eight label pairs of words ``a`` (truth) and ``b`` (prediction), round-robin
    over four tables."""
    t0[_pair_cell(a, b, 0, g_rows, p_cols)] += 1
    t1[_pair_cell(a, b, 1, g_rows, p_cols)] += 1
    t2[_pair_cell(a, b, 2, g_rows, p_cols)] += 1
    t3[_pair_cell(a, b, 3, g_rows, p_cols)] += 1
    t0[_pair_cell(a, b, 4, g_rows, p_cols)] += 1
    t1[_pair_cell(a, b, 5, g_rows, p_cols)] += 1
    t2[_pair_cell(a, b, 6, g_rows, p_cols)] += 1
    t3[_pair_cell(a, b, 7, g_rows, p_cols)] += 1


@njit(**jit_options())
def _pair_cell(a, b, k, g_rows, p_cols):
    """Cell of the ``k``-th label pair of words ``a``, ``b``, as an unsigned index (cells are
    never negative: no negative-index handling)."""
    return np.uint64(g_rows[_byte(a, k)] + p_cols[_byte(b, k)])


@njit(**jit_options(parallel=True))
def confusion_table_bytes(g_words, p_words, g_tail, p_tail, g_rows, p_cols, n_classes, n_parts):
    """:func:`confusion_table` for contiguous 8-bit labels, read eight at a time.

    ``g_words``/``p_words`` are the labels viewed as uint64 words (eight labels each), the
    ``*_tail`` arrays the last ``n % 8`` labels. A word pair whose sixteen labels are two
    repeated values (inside a region of a label map, the common case) adds eight to a run kept
    in a register, written to the table only when the run's cell changes; other words are
    counted label by label, round-robin over four tables.
    """
    size = (n_classes + 2) * (n_classes + 1)
    n = g_words.shape[0]
    tables = np.zeros((n_parts, 4 * size), np.int32)
    ones = np.uint64(0x0101010101010101)
    for part in prange(n_parts):
        start, stop = _part_bounds(n, n_parts, part)
        t0 = tables[part, 0:size]
        t1 = tables[part, size:2 * size]
        t2 = tables[part, 2 * size:3 * size]
        t3 = tables[part, 3 * size:4 * size]
        run_cell = 0
        run = 0
        for i in range(start, stop):
            a = g_words[np.uint64(i)]
            b = p_words[np.uint64(i)]
            a0 = _byte(a, 0)
            b0 = _byte(b, 0)
            if a == a0 * ones and b == b0 * ones:
                cell = g_rows[a0] + p_cols[b0]
                if cell == run_cell:
                    run += 8
                else:
                    t0[np.uint64(run_cell)] += run
                    run_cell = cell
                    run = 8
            else:
                _count_word(a, b, g_rows, p_cols, t0, t1, t2, t3)
        t0[run_cell] += run
    t0 = tables[0, 0:size]
    for k in range(g_tail.shape[0]):
        t0[g_rows[g_tail[k]] + p_cols[p_tail[k]]] += 1
    return _sum_tables(tables, n_classes, np.zeros(size, np.int64))


@njit(**jit_options(parallel=True))
def confusion_table_weighted(gt, pred, weight, n_classes, ignore, has_ignore, g_rows, p_cols,
                             n_parts):
    """Weighted twin of :func:`confusion_table` for 1-D labels: each pair adds ``weight[i]``
    (float64) to its cell. The parts depend on the caller's ``n_parts`` only, and are summed in
    order, so the result does not depend on the number of threads.

    Returns
    -------
    table : float64 array of shape (n_classes + 2, n_classes + 1)
    n_invalid : int
        Pairs with an out-of-range label (whatever their weight).
    """
    size = (n_classes + 2) * (n_classes + 1)
    stride = n_classes + 1
    n = gt.shape[0]
    tables = np.zeros((n_parts, size), np.float64)
    invalid = np.zeros(n_parts, np.int64)
    for part in prange(n_parts):
        start, stop = _part_bounds(n, n_parts, part)
        table = tables[part]
        bad = 0
        for i in range(start, stop):
            row = _row_offset(gt[i], g_rows, n_classes, ignore, has_ignore, 0)
            col = _col(pred[i], p_cols, n_classes)
            table[row + col] += weight[i]
            bad += (row == (n_classes + 1) * stride) or (col == n_classes and row < n_classes * stride)
        invalid[part] = bad
    return _sum_tables(tables, n_classes, np.zeros(size, np.float64)), invalid.sum()


@njit(**jit_options())
def accumulate_pairs(state, gt, pred, weight, n_classes, ignore, has_ignore, shift, g_rows, p_cols):
    """Add label pairs straight into a ``(n_classes, n_classes)`` state (int64 counts, or float64
    sums of ``weight``), for batches much smaller than the table (no table to clear and sum).

    One pass over the labels checks them and records each pair's cell in a scratch array; only
    when none is out of range are the cells added (so a refused batch leaves ``state`` as it
    was).

    Parameters
    ----------
    state : 2-D int64 or float64 array (n_classes, n_classes), C-contiguous, updated in place
    gt, pred : 1-D integer arrays of the same length, any dtype and layout
    weight : 1-D float64 array of the same length, or empty for counts
    n_classes, ignore, has_ignore, shift, g_rows, p_cols
        As for :func:`confusion_table`.

    Returns
    -------
    (n_ignored, n_gt_bad, n_pred_bad) : ints
    """
    stride = n_classes + 1
    n = gt.shape[0]
    cells = np.empty(n, np.int64)
    ignored = 0
    gt_bad = 0
    pred_bad = 0
    for i in range(n):
        row = _row_offset(gt[i], g_rows, n_classes, ignore, has_ignore, shift) // stride
        col = _col(pred[i], p_cols, n_classes)
        cells[i] = -1
        if row == n_classes:
            ignored += 1
        elif row > n_classes:
            gt_bad += 1
        elif col == n_classes:
            pred_bad += 1
        else:
            cells[i] = row * n_classes + col
    if gt_bad == 0 and pred_bad == 0:
        flat = state.reshape(-1)
        weighted = weight.shape[0] > 0
        for i in range(n):
            if cells[i] >= 0:
                if weighted:
                    flat[cells[i]] += weight[i]
                else:
                    flat[cells[i]] += 1
    return ignored, gt_bad, pred_bad


@njit(**jit_options())
def first_invalid(gt, pred, n_classes, ignore, has_ignore, shift, g_rows, p_cols):
    """Locate the first pair with an out-of-range label (error path only).

    Returns
    -------
    (index, which, value) : its flat C-order index, 0 if the truth is out of range else 1, and
    the offending label as int64; ``(-1, -1, 0)`` when there is none.
    """
    stride = n_classes + 1
    height = gt.shape[1]
    width = gt.shape[2]
    for i in range(gt.shape[0]):
        for j in range(height):
            for k in range(width):
                row = _row_offset(gt[i, j, k], g_rows, n_classes, ignore, has_ignore, shift)
                if row == (n_classes + 1) * stride:
                    return (i * height + j) * width + k, 0, np.int64(gt[i, j, k])
                if row < n_classes * stride and _col(pred[i, j, k], p_cols, n_classes) == n_classes:
                    return (i * height + j) * width + k, 1, np.int64(pred[i, j, k])
    return -1, -1, np.int64(0)


@njit(**jit_options(parallel=True))
def rank_histogram(scores, labels, weight, n_parts):
    """Histogram of the rank of the true class among the scores (top-k accuracy).

    The rank of sample ``i`` with true class ``t`` is the number of classes ``c`` that come
    before it in a descending order of ``scores[i]`` where ties are broken towards the higher
    class index (scikit-learn's ``top_k_accuracy_score``): ``scores[i, c] > scores[i, t]``, or
    equal with ``c > t``. The sample is a top-k hit when its rank is below k.

    Parameters
    ----------
    scores : 2-D float array (n, C), any layout
    labels : 1-D integer array (n,), every value in ``[0, C)`` (checked by the caller)
    weight : 1-D float64 array (n,) or empty for unit weights
    n_parts : int

    Returns
    -------
    float64 array of shape (C,)
        Summed weight (or count) of samples per rank.
    """
    n, n_classes = scores.shape
    parts = np.zeros((n_parts, n_classes), np.float64)
    weighted = weight.shape[0] > 0
    for part in prange(n_parts):
        start, stop = _part_bounds(n, n_parts, part)
        for i in range(start, stop):
            t = np.int64(labels[i])
            s = scores[i, t]
            rank = 0
            for c in range(n_classes):
                v = scores[i, c]
                rank += (v > s) or (v == s and c > t)
            parts[part, rank] += weight[i] if weighted else 1.0
    total = np.zeros(n_classes, np.float64)
    for part in range(n_parts):
        total += parts[part]
    return total
