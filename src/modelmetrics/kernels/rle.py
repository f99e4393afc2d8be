"""COCO run-length encoding (RLE) of binary masks, bit-compatible with pycocotools' ``maskApi.c``.

A mask of ``h`` rows and ``w`` columns is read in column-major order (down the first column,
then the next, as COCO stores masks) and stored as run lengths alternating 0s and 1s, starting
with a run of 0s (possibly empty). Sets of masks are *flat*: ``counts`` (uint32, every mask's
runs one after the other), ``start`` (int64, ``n + 1`` offsets: mask ``i`` is
``counts[start[i]:start[i + 1]]``) and, where needed, ``h`` and ``w`` (int64, ``n``).

COCO's compressed string form writes each run (from the fourth on, as the difference with the
run two before) in a LEB128-like code of 5 payload bits per character, characters ``'0'`` (48)
to ``'o'`` (111), bit 0x20 meaning "more characters follow" and bit 0x10 of the last character
the sign.

Every kernel follows the C reference exactly, quirks included (the bounding box of an empty or
non-canonical RLE, the rasterisation of polygons by 5x upsampling, merging with a single
operand returning it unchanged), so that results are the same bit for bit. Kernels are pure: no
validation beyond the status codes the string decoder returns; the public layer
(:mod:`modelmetrics.masks`) checks inputs and turns codes into messages.
"""

import math

import numpy as np
from numba import njit, prange

from .._config import jit_options
from . import json_scan as _js
from .swar import load_u64, one_char_chains_16, store_one_char_runs_16, trailing_zeros

_INLINE = {**jit_options(), "inline": "always"}

# status codes of decode_strings (one per record)
RLE_OK = 0
RLE_BAD_CHAR = 1  # a character outside '0'..'o' (48..111)
RLE_TRUNCATED = 2  # the string ends inside a run's code (its last character has bit 0x20)
RLE_BAD_COUNT = 3  # a run comes out negative or above 2**32 - 1
RLE_BAD_SUM = 4  # the runs do not add up to h * w
RLE_BAD_ESCAPE = 5  # a JSON escape other than a doubled backslash
RLE_UNCHECKED = -1  # not read yet (iou_groups_strings checks a string as it first decodes it)

_UINT32_MAX = 4294967295
_SCALE = 5.0  # polygon upsampling factor of rleFrPoly
_INT_MIN = -2147483648  # C's (int) of NaN on x86


# ---------------------------------------------------------------------------------------------
# compressed strings


@njit(**_INLINE)
def _cumulate(offsets):
    """Sizes in ``offsets[1:]`` into offsets, in place."""
    for i in range(offsets.shape[0] - 1):
        offsets[i + 1] += offsets[i]


@njit(**_INLINE)
def _is_last(c):
    """Whether byte ``c`` ends a run's code (a valid character without the 0x20 bit)."""
    return 48 <= c <= 111 and ((c - 48) & 0x20) == 0


@njit(**jit_options(parallel=True))
def decode_strings(buf, starts, ends, escaped, h, w):
    """Decode compressed RLE strings read in place from a byte buffer.

    Parameters
    ----------
    buf : uint8 (n_bytes,)
        Holds every string; string ``i`` is ``buf[starts[i]:ends[i]]``.
    starts, ends : int64 (n,)
    escaped : bool (n,)
        The string is JSON text with escapes: a doubled backslash stands for one (the only
        escape a valid RLE string can hold; any other gives ``RLE_BAD_ESCAPE``).
    h, w : int64 (n,)
        Each mask's size: the runs must add up to ``h * w``.

    Returns
    -------
    counts : uint32 (n_runs,)
    start : int64 (n + 1,)
    status : int8 (n,)
        ``RLE_OK`` or the first problem of each string (its runs are then unspecified).
    """
    n = starts.shape[0]
    start = np.zeros(n + 1, np.int64)
    for i in prange(n):  # runs per string: characters that end a code
        m = 0
        for p in range(starts[i], ends[i]):
            m += _is_last(buf[p])
        start[i + 1] = m
    _cumulate(start)
    counts = np.empty(start[n], np.uint32)
    status = np.zeros(n, np.int8)
    n_chunks = min(n, 256)
    for chunk in prange(n_chunks):
        for i in range(chunk * n // n_chunks, (chunk + 1) * n // n_chunks):
            status[i] = _decode_one(buf, starts[i], ends[i], escaped[i], h[i] * w[i],
                                    counts, start[i], start[i + 1], True)[0]
    return counts, start, status


@njit(**jit_options(parallel=True))
def check_strings(buf, starts, ends, escaped, h, w):
    """Read compressed RLE strings as :func:`decode_strings` does without storing their runs.

    Parameters
    ----------
    buf, starts, ends, escaped, h, w
        As :func:`decode_strings`.

    Returns
    -------
    status : int8 (n,)
        ``RLE_OK`` or the first problem of each string, as :func:`decode_strings`.
    areas : int64 (n,)
        Pixels of each mask.
    canonical : bool (n,)
        No empty run after the first.
    runs : int64 (n,)
        Runs of each string: the room its decoding needs.
    """
    n = starts.shape[0]
    status = np.zeros(n, np.int8)
    areas = np.zeros(n, np.int64)
    canonical = np.ones(n, np.bool_)
    runs = np.zeros(n, np.int64)
    no_runs = np.empty(0, np.uint32)
    n_chunks = min(n, 256)
    for chunk in prange(n_chunks):
        for i in range(chunk * n // n_chunks, (chunk + 1) * n // n_chunks):
            status[i], areas[i], canonical[i], runs[i] = _decode_one(
                buf, starts[i], ends[i], escaped[i], h[i] * w[i], no_runs, 0, 0, False)
    return status, areas, canonical, runs


@njit(**_INLINE)
def _decode_one(buf, p, end, escaped, total, counts, out, out_end, write):
    """rleFrString of ``buf[p:end]``, into ``counts[out:out_end]`` when ``write``: (status
    code, pixel area, whether canonical, number of runs). The runs must add up to ``total``
    (unless < 0).

    A valid string is read once, by :func:`_decode_valid`; any other is read again by
    :func:`_decode_exact`, which finds its first problem (and never writes beyond
    ``out_end``)."""
    status, area, canonical, m = _decode_valid(buf, p, end, escaped, total, counts, out, write)
    if status != RLE_OK:
        return _decode_exact(buf, p, end, escaped, total, counts, out, out_end, write)
    return status, area, canonical, m


@njit(**_INLINE)
def _code(buf, p, end, escaped):
    """(status code, value, next position) of the run code at ``buf[p]`` (``p < end``)."""
    d = np.int64(buf[np.uint64(p)]) - 48
    if 0 <= d < 32:  # one character, no continuation bit: most codes
        return RLE_OK, (d ^ 16) - 16, p + 1
    return _long_code(buf, p, end, escaped)


@njit(**jit_options())
def _long_code(buf, p, end, escaped):
    """(status code, value, next position) of a code of any length at ``buf[p]``."""
    x = np.int64(0)
    k = 0
    while True:
        if p >= end:
            return RLE_TRUNCATED, x, p
        c = np.int64(buf[p])
        p += 1
        if escaped and c == 92:
            if p >= end or buf[p] != 92:
                return RLE_BAD_ESCAPE, x, p
            p += 1
        if c < 48 or c > 111:
            return RLE_BAD_CHAR, x, p
        if k >= 7:  # more than 35 bits: no count of a uint32 mask needs it
            return RLE_BAD_COUNT, x, p
        c -= 48
        x |= (c & 0x1F) << (5 * k)
        k += 1
        if (c & 0x20) == 0:
            if (c & 0x10) != 0:
                x |= np.int64(-1) << (5 * k)
            return RLE_OK, x, p


@njit(**_INLINE)
def _next_run(buf, p, end, escaped, last, counts, at, write, bits, acc, empty):
    """The run coded at ``buf[p]`` plus ``last``, written to ``counts[at]`` when ``write``, and
    the tallies of :func:`_decode_valid` with it: (status code, run, next position, bits, sum,
    empty runs)."""
    code, x, p = _code(buf, p, end, escaped)
    x += last
    if write and code == RLE_OK:  # a code that ends: the room has a place for it
        counts[at] = x
    return code, x, p, bits | x, acc + x, empty + (x == 0)


# Eight one-character codes at a time. A character '0'..'O' (48..79) is a whole
# code of 5 bits, the delta d in -16..15 stored as d + 16 after xor 0x10 (bit 0x10 is its sign).
# From the fourth run on, runs of one parity are the runs two before plus these deltas, so the
# eight runs of a block are two chains of four (bytes 0, 2, 4, 6 and 1, 3, 5, 7): adding the
# word to itself shifted by 2 and 4 bytes gives each chain's prefix sums, plus 16 per step, in
# its bytes (at most 4 * 31 = 124: no carry between bytes).
_ASCII_ZEROS = np.uint64(0x3030303030303030)
_HIGH_BITS = np.uint64(0x8080808080808080)
_LOW_7_BITS = np.uint64(0x7F7F7F7F7F7F7F7F)
_SIGN_BITS = np.uint64(0x1010101010101010)
_EVEN_BYTES = np.uint64(0x00FF00FF00FF00FF)
_LANE_ONES = np.uint64(0x0001000100010001)
_U8 = np.uint64(8)
_U16 = np.uint64(16)
_U32 = np.uint64(32)
_U48 = np.uint64(48)
_BYTE = np.uint64(0xFF)
_CHAIN_SAFE = np.int64(_UINT32_MAX) - 64  # a chain from below this stays <= 2**32 - 1
_CHAIN16_SAFE = np.int64(_UINT32_MAX) - 128  # the same for eight runs


@njit(**_INLINE)
def _not_one_char_codes(word):
    """The high bit of each of eight bytes that is not a one-character code (48..79)."""
    below = ~((word | _HIGH_BITS) - _ASCII_ZEROS) & _HIGH_BITS  # < 48 (for bytes < 128)
    above = ((word & _LOW_7_BITS) + _ASCII_ZEROS) & _HIGH_BITS  # (byte & 0x7F) >= 80
    return below | above | (word & _HIGH_BITS)


@njit(**_INLINE)
def _chain(last, lanes):
    """Four runs of one parity: ``last`` (the run two before the first) plus the prefix sums
    held in ``lanes`` (16 bits each: prefix + 16 (k + 1) in lane k). Returns (their sum, the
    fourth, the OR of the four (bits above 31 flag one out of range), how many are 0)."""
    total = 4 * last + np.int64((lanes * _LANE_ONES) >> _U48) - 160
    fourth = last + np.int64(lanes >> _U48) - 64
    if 64 < last < _CHAIN_SAFE:  # the usual case: every run is in 1..2**32 - 1
        return total, fourth, np.int64(0), 0
    first = last + np.int64(lanes & _BYTE) - 16
    second = last + np.int64((lanes >> _U16) & _BYTE) - 32
    third = last + np.int64((lanes >> _U32) & _BYTE) - 48
    return (total, fourth, first | second | third | fourth,
            (first == 0) + (second == 0) + (third == 0) + (fourth == 0))


@njit(**_INLINE)
def _decode_valid(buf, p, end, escaped, total, counts, out, write):
    """:func:`_decode_exact` for a valid string, in fewer steps: from the fourth run on, sixteen
    one-character codes at a time in vector registers where it can (runs of both chains known to
    stay in 1..2**32 - 1, see :func:`~modelmetrics.kernels.swar.one_char_chains_16`), else
    eight at a time in one integer (see :func:`_chain`), the others one by one
    (each run the difference with the last of its kind, 1s or 0s); counts out of range are found
    at the end. Any status but ``RLE_OK`` only means the string is not valid; the other values
    (and the runs written) are then unspecified. Writes at most as many runs as the string has
    characters that end a code."""
    m = 0
    bits = np.int64(0)  # every run OR-ed: bits 32.. are set when one is out of range
    acc = np.int64(0)
    empty = 0  # runs of length 0
    area = np.int64(0)
    first = np.int64(1)
    if p < end:
        code, first, p, bits, acc, empty = _next_run(buf, p, end, escaped, 0, counts, out,
                                                     write, bits, acc, empty)
        if code != RLE_OK:
            return code, area, False, m
        m = 1
    ones = np.int64(0)  # the last run of 1s and of 0s: none for runs 1 and 2
    zeros = np.int64(0)
    one_by_one_until = p  # codes before this are read one by one (a longer code is near)
    while p < end:
        if m >= 3 and p >= one_by_one_until and p + 16 <= end:
            valid, a_sum, a_last, a_min, b_sum, b_last, b_min = one_char_chains_16(buf, p)
            odd = m & 1  # run m is a run of 1s
            a_start = ones if odd else zeros
            b_start = zeros if odd else ones
            if (valid and a_start + a_min > 0 and b_start + b_min > 0
                    and a_start < _CHAIN16_SAFE and b_start < _CHAIN16_SAFE):
                if write:
                    store_one_char_runs_16(counts, out + m, buf, p, a_start, b_start)
                a_total = 8 * a_start + a_sum
                b_total = 8 * b_start + b_sum
                if odd:
                    ones, zeros = a_start + a_last, b_start + b_last
                    area += a_total
                else:
                    zeros, ones = a_start + a_last, b_start + b_last
                    area += b_total
                acc += a_total + b_total
                m += 16
                p += 16
                continue
        if m >= 3 and p >= one_by_one_until and p + 8 <= end:
            word = load_u64(buf, p)
            others = _not_one_char_codes(word)
            if others == 0:
                prefix = (word - _ASCII_ZEROS) ^ _SIGN_BITS
                prefix += prefix << _U16
                prefix += prefix << _U32
                odd = m & 1  # run m is a run of 1s
                a_start = ones if odd else zeros
                b_start = zeros if odd else ones
                a_lanes = prefix & _EVEN_BYTES
                b_lanes = (prefix >> _U8) & _EVEN_BYTES
                if write:
                    for k in range(4):
                        shift = np.uint64(16 * k)
                        step = 16 * (k + 1)
                        counts[out + m + 2 * k] = np.uint32(
                            (a_start + np.int64((a_lanes >> shift) & _BYTE) - step) & _UINT32_MAX)
                        counts[out + m + 2 * k + 1] = np.uint32(
                            (b_start + np.int64((b_lanes >> shift) & _BYTE) - step) & _UINT32_MAX)
                a_total, a_last, a_bits, a_empty = _chain(a_start, a_lanes)
                b_total, b_last, b_bits, b_empty = _chain(b_start, b_lanes)
                if odd:
                    ones, zeros = a_last, b_last
                    area += a_total
                else:
                    zeros, ones = a_last, b_last
                    area += b_total
                acc += a_total + b_total
                bits |= a_bits | b_bits
                empty += a_empty + b_empty
                m += 8
                p += 8
                continue
            one_by_one_until = p + np.int64(trailing_zeros(others) >> np.uint64(3)) + 1
        if m & 1:
            code, ones, p, bits, acc, empty = _next_run(buf, p, end, escaped, ones, counts,
                                                        out + m, write, bits, acc, empty)
            area += ones
        else:
            code, zeros, p, bits, acc, empty = _next_run(buf, p, end, escaped, zeros, counts,
                                                         out + m, write, bits, acc, empty)
        if code != RLE_OK:
            return code, area, False, m
        m += 1
    if (bits >> 32) != 0:
        return RLE_BAD_COUNT, area, False, m
    canonical = empty == (first == 0)
    return (RLE_OK if total < 0 or acc == total else RLE_BAD_SUM), area, canonical, m


@njit(**jit_options())
def _decode_exact(buf, p, end, escaped, total, counts, out, out_end, write):
    """rleFrString of ``buf[p:end]`` run by run, stopping at the first problem: as
    :func:`_decode_one`, whose status codes, areas and runs it defines."""
    m = 0
    two_back = np.int64(0)
    one_back = np.int64(0)
    acc = np.int64(0)
    area = np.int64(0)
    canonical = True
    while p < end:
        code, x, p = _code(buf, p, end, escaped)
        if code != RLE_OK:
            return code, area, canonical, m
        if m > 2:
            x += two_back
        if x < 0 or x > _UINT32_MAX:
            return RLE_BAD_COUNT, area, canonical, m
        if write:
            if out + m >= out_end:
                return RLE_BAD_COUNT, area, canonical, m
            counts[out + m] = x
        acc += x
        if m & 1:
            area += x
        if x == 0 and m > 0:
            canonical = False
        two_back = one_back
        one_back = x
        m += 1
    return (RLE_OK if total < 0 or acc == total else RLE_BAD_SUM), area, canonical, m


@njit(**jit_options(parallel=True))
def encode_strings(counts, start):
    """rleToString of every mask: the characters in one buffer, string ``i`` at
    ``chars[offsets[i]:offsets[i + 1]]`` (uint8, int64 (n + 1,))."""
    n = start.shape[0] - 1
    offsets = np.zeros(n + 1, np.int64)
    for i in prange(n):
        length = 0
        for j in range(start[i], start[i + 1]):
            length += _code_length(_delta(counts, start[i], j))
        offsets[i + 1] = length
    _cumulate(offsets)
    chars = np.empty(offsets[n], np.uint8)
    for i in prange(n):
        p = offsets[i]
        for j in range(start[i], start[i + 1]):
            x = _delta(counts, start[i], j)
            more = True
            while more:
                c = x & 0x1F
                x >>= 5
                more = (x != -1) if (c & 0x10) != 0 else (x != 0)
                if more:
                    c |= 0x20
                chars[p] = c + 48
                p += 1
    return chars, offsets


@njit(**_INLINE)
def _delta(counts, lo, j):
    """The value coded for run ``j`` of a mask starting at ``lo``: the run, minus the run two
    before from the fourth run on."""
    x = np.int64(counts[j])
    if j - lo > 2:
        x -= np.int64(counts[j - 2])
    return x


@njit(**_INLINE)
def _code_length(x):
    """Characters of the code of ``x``."""
    length = 1
    while True:
        c = x & 0x1F
        x >>= 5
        if not ((x != -1) if (c & 0x10) != 0 else (x != 0)):
            return length
        length += 1


# ---------------------------------------------------------------------------------------------
# dense masks


@njit(**jit_options(parallel=True))
def encode_masks(masks):
    """rleEncode of (n, h, w) masks (any strides, bool or integer: nonzero is 1), read in
    column-major order. Returns ``counts`` (uint32) and ``start`` (int64 (n + 1,))."""
    n, h, w = masks.shape
    start = np.zeros(n + 1, np.int64)
    for i in prange(n):  # runs: one more than the changes of value
        m = 1
        previous = False
        for x in range(w):
            for y in range(h):
                value = masks[i, y, x] != 0
                m += value != previous
                previous = value
        start[i + 1] = m
    _cumulate(start)
    counts = np.empty(start[n], np.uint32)
    for i in prange(n):
        m = start[i]
        previous = False
        run = 0
        for x in range(w):
            for y in range(h):
                value = masks[i, y, x] != 0
                if value != previous:
                    counts[m] = run
                    m += 1
                    run = 0
                    previous = value
                run += 1
        counts[m] = run
    return counts, start


@njit(**jit_options(parallel=True))
def encode_flat(flat, words):
    """rleEncode of masks stored column-major one after the other: ``flat`` (n, h * w) uint8
    (nonzero is 1), one pass each. ``words`` is the same memory as uint64 (n, h * w // 8), or
    (n, 0) when it cannot be viewed so: runs of 8 equal 0/1 pixels are then skipped at once.
    Returns ``counts`` (uint32) and ``start`` (int64 (n + 1,))."""
    n, a = flat.shape
    use_words = words.shape[1] > 0
    ones = np.uint64(0x0101010101010101)
    zero = np.uint64(0)
    runs = [np.zeros(0, np.uint32) for _ in range(n)]
    n_chunks = min(n, 64)
    for chunk in prange(n_chunks):
        scratch = np.empty(a + 1, np.uint32)
        for i in range(chunk * n // n_chunks, (chunk + 1) * n // n_chunks):
            m = 0
            previous = False
            run_start = 0
            p = 0
            while p < a:
                if use_words and (p & 7) == 0 and p + 8 <= a:
                    word = words[i, p >> 3]
                    if word == (ones if previous else zero):
                        p += 8
                        continue
                value = flat[i, p] != 0
                if value != previous:
                    scratch[m] = p - run_start
                    m += 1
                    run_start = p
                    previous = value
                p += 1
            scratch[m] = a - run_start
            runs[i] = scratch[:m + 1].copy()
    return _flatten(runs)


@njit(**jit_options(parallel=True))
def decode_masks(counts, start, size):
    """rleDecode: (n, size) uint8 masks, each row column-major; runs beyond ``size`` pixels are
    cut (the caller checks the sums)."""
    n = start.shape[0] - 1
    out = np.zeros((n, size), np.uint8)
    for i in prange(n):
        p = 0
        value = 0
        for j in range(start[i], start[i + 1]):
            stop = min(p + np.int64(counts[j]), size)
            if value:
                for q in range(p, stop):
                    out[i, q] = 1
            p = stop
            value = 1 - value
    return out


# ---------------------------------------------------------------------------------------------
# measures


@njit(**jit_options())
def area(counts, start):
    """rleArea: pixels of each mask (int64 (n,))."""
    n = start.shape[0] - 1
    out = np.zeros(n, np.int64)
    for i in range(n):
        total = 0
        for j in range(start[i] + 1, start[i + 1], 2):
            total += np.int64(counts[j])
        out[i] = total
    return out


@njit(**jit_options())
def to_bbox(counts, start, h, w):
    """rleToBbox: (n, 4) float64 ``[x, y, width, height]`` boxes, as pycocotools 2.0.11's
    maskApi.c computes them: zeros for fewer than two runs; empty runs of 1s skipped; a run
    spanning columns covers every row; unsigned arithmetic when no pixel is set."""
    n = start.shape[0] - 1
    out = np.zeros((n, 4))
    for i in range(n):
        _bbox_one(counts, start[i], start[i + 1], h[i], w[i], out[i])
    return out


@njit(**_INLINE)
def _advance(x, y, run, h):
    """(column, row) of pixel ``x * h + y + run`` (``0 <= y < h``, ``run >= 0``): a division
    only for runs of a column or more."""
    if run >= h:
        q = run // h
        x += q
        run -= q * h
    y += run
    wrap = np.int64(y >= h)  # branch-free: runs are as often shorter as longer than the rest
    return x + wrap, y - wrap * h


@njit(**_INLINE)
def _bbox_one(counts, lo, hi, h, w, out):
    m = ((hi - lo) // 2) * 2
    if m == 0 or h == 0:
        out[0] = out[1] = out[2] = out[3] = 0.0
        return
    xs = w
    ys = h
    xe = np.int64(0)
    ye = np.int64(0)
    x = np.int64(0)  # column and row of the next pixel (maskApi.c's cc / h and cc % h)
    y = np.int64(0)
    for j in range(0, m, 2):  # (0s, 1s) pairs; an empty run of 1s adds nothing
        x, y = _advance(x, y, np.int64(counts[lo + j]), h)
        ones = np.int64(counts[lo + j + 1])
        if ones == 0:
            continue
        x0 = x
        y0 = y
        x, y = _advance(x, y, ones, h)
        back = np.int64(y == 0)  # the run's last pixel, one before (x, y)
        x1 = x - back
        y1 = y - 1 + back * h
        spans = x0 < x1  # the run spans columns: every row is covered
        xs = min(xs, x0)
        xe = max(xe, x1)
        ys = min(ys, 0 if spans else min(y0, y1))
        ye = max(ye, h - 1 if spans else max(y0, y1))
    # unsigned arithmetic, as maskApi.c: nothing found gives (w, h, 2**32 + 1 - w, ...)
    out[0] = xs
    out[1] = ys
    out[2] = (xe - xs + 1) & _UINT32_MAX
    out[3] = (ye - ys + 1) & _UINT32_MAX


@njit(**jit_options(parallel=True))
def column_extents(counts, start, h, w):
    """A box ``[x, 0, width, h]`` per mask spanning the columns it touches (zeros when empty;
    the runs add up to ``h * w``): two divisions a mask, enough to skip pairs of masks that
    cannot overlap."""
    n = start.shape[0] - 1
    out = np.zeros((n, 4))
    for i in prange(n):
        _columns_one(counts, start[i], start[i + 1], h[i], w[i], out[i])
    return out


@njit(**_INLINE)
def _columns_one(counts, lo, hi, h, w, out):
    """The box of :func:`column_extents` of the mask ``counts[lo:hi]`` into ``out`` (4,)."""
    out[0] = out[1] = out[2] = out[3] = 0.0
    if hi - lo < 2 or h == 0:
        return
    first = np.int64(counts[lo])
    last = h * w - 1
    if (hi - lo) % 2 == 1:
        last -= np.int64(counts[hi - 1])
    if last < first:
        return
    x0 = first // h
    x1 = last // h
    out[0] = x0
    out[2] = x1 - x0 + 1
    out[3] = h


@njit(**jit_options(parallel=True))
def run_ends(counts, start):
    """Where each run ends: per mask, the running sum of its runs (uint32, like ``counts``;
    a mask's runs add up to ``h * w`` < 2**32). Run ``k`` of a mask covers pixels
    ``[ends[k - 1], ends[k])`` (``[0, ends[0])`` for the first); odd runs are 1s."""
    n = start.shape[0] - 1
    out = np.empty(counts.shape[0], np.uint32)
    for i in prange(n):
        _running_sum(counts, start[i], start[i + 1], out)
    return out


@njit(**_INLINE)
def _running_sum(counts, lo, hi, out):
    """``out[lo:hi]``: the running sum of ``counts[lo:hi]`` (``out`` may be ``counts``)."""
    total = np.int64(0)
    for k in range(lo, hi):
        total += np.int64(counts[k])
        out[k] = total


@njit(**_INLINE)
def _first_ones_after(ends, lo, hi, pixel):
    """Index of the first run of 1s of the mask ``ends[lo:hi]`` (see :func:`run_ends`) that
    ends after ``pixel``, or ``hi`` or more when none does (a binary search)."""
    a = lo
    b = hi
    while a < b:
        mid = (a + b) >> 1
        if np.int64(ends[mid]) > pixel:
            b = mid
        else:
            a = mid + 1
    return a + 1 - ((a - lo) & 1)  # a run of 0s there: the run of 1s after it


@njit(**_INLINE)
def intersection(ends_a, lo_a, hi_a, ends_b, lo_b, hi_b):
    """Pixels set in both masks ``ends_a[lo_a:hi_a]`` and ``ends_b[lo_b:hi_b]`` (same size,
    :func:`run_ends` form): from the first pixel both could share, the runs of 1s of the two
    walked side by side until either has no more (maskApi.c's rleIou walks every run of both;
    the count is the same)."""
    if hi_a - lo_a < 2 or hi_b - lo_b < 2:
        return np.int64(0)
    first = max(np.int64(ends_a[lo_a]), np.int64(ends_b[lo_b]))  # where their 1s can begin
    i = _first_ones_after(ends_a, lo_a, hi_a, first)
    j = _first_ones_after(ends_b, lo_b, hi_b, first)
    inter = np.int64(0)
    while i < hi_a and j < hi_b:
        end_a = np.int64(ends_a[i])
        end_b = np.int64(ends_b[j])
        overlap = min(end_a, end_b) - max(np.int64(ends_a[i - 1]), np.int64(ends_b[j - 1]))
        if overlap > 0:
            inter += overlap
        if end_a <= end_b:
            i += 2
        else:
            j += 2
    return inter


@njit(**_INLINE)
def boxes_touch(box_a, box_b):
    """Whether two ``[x, y, w, h]`` boxes overlap with positive area (bbIou > 0)."""
    if min(box_a[0] + box_a[2], box_b[0] + box_b[2]) - max(box_a[0], box_b[0]) <= 0:
        return False
    return min(box_a[1] + box_a[3], box_b[1] + box_b[3]) - max(box_a[1], box_b[1]) > 0


@njit(**_INLINE)
def pair_iou(ends_a, lo_a, hi_a, area_a, box_a, ends_b, lo_b, hi_b, area_b, box_b, crowd):
    """rleIou of one (detection a, ground truth b) pair of same-size canonical masks in
    :func:`run_ends` form: 0 unless their boxes overlap; intersection over union (their areas
    minus the intersection: the union maskApi.c counts), or over ``area_a`` for a crowd
    region ``b``."""
    if not boxes_touch(box_a, box_b):
        return 0.0
    inter = intersection(ends_a, lo_a, hi_a, ends_b, lo_b, hi_b)
    if inter == 0:
        return 0.0
    union = area_a if crowd else area_a + area_b - inter
    return np.float64(inter) / np.float64(union)


@njit(**jit_options(parallel=True))
def iou_matrix(ends_a, start_a, area_a, box_a, ends_b, start_b, area_b, box_b, crowd, out):
    """rleIou of every pair: ``out[i, j]`` for masks ``a[i]`` and ``b[j]`` (same sizes,
    canonical, in :func:`run_ends` form; ``area_*`` int64 (n,), ``box_*`` (n, 4))."""
    n_a = start_a.shape[0] - 1
    n_b = start_b.shape[0] - 1
    for i in prange(n_a):
        for j in range(n_b):
            out[i, j] = pair_iou(ends_a, start_a[i], start_a[i + 1], area_a[i], box_a[i],
                                 ends_b, start_b[j], start_b[j + 1], area_b[j], box_b[j],
                                 crowd[j])


@njit(**jit_options(parallel=True))
def iou_groups(det_ends, det_start, det_area, det_box, det_size, det_index, det_group,
               gt_ends, gt_start, gt_area, gt_box, gt_size, gt_index, gt_group, gt_crowd,
               iou_start, iou):
    """Mask IoUs of every (detection, ground truth) pair of every group, into the flat storage
    of :mod:`modelmetrics.kernels.matching` (group ``g``: detections ``det_index[det_group[g]:
    det_group[g + 1]]``, ground truths ``gt_index[gt_group[g]:gt_group[g + 1]]``, crowd flags
    ``gt_crowd`` indexed like ``gt_index``, IoUs row-major from ``iou[iou_start[g]]``).
    Masks are canonical, in :func:`run_ends` form, with their areas (int64) and boxes.
    ``det_size`` and ``gt_size`` (n, 2) are the masks' (h, w): a pair of different sizes gets
    -1, as in maskApi.c (the caller reports it)."""
    n_groups = det_group.shape[0] - 1
    n_chunks = min(n_groups, 256)
    for chunk in prange(n_chunks):
        for g in range(chunk * n_groups // n_chunks, (chunk + 1) * n_groups // n_chunks):
            k = iou_start[g]
            for q in range(det_group[g], det_group[g + 1]):
                d = det_index[q]
                k = _iou_row(det_ends, det_start[d], det_start[d + 1], det_area[d], det_box[d],
                             det_size[d, 0], det_size[d, 1], gt_ends, gt_start, gt_area,
                             gt_box, gt_size, gt_index, gt_group[g], gt_group[g + 1], gt_crowd,
                             iou, k)


@njit(**jit_options(parallel=True))
def iou_groups_strings(buf, starts, ends, escaped, status, areas, canonical, runs, det_size,
                       det_index, det_group, gt_ends, gt_start, gt_area, gt_box, gt_size,
                       gt_index, gt_group, gt_crowd, iou_start, iou):
    """:func:`iou_groups` with the detections' masks still compressed strings: each detection
    of a group with ground truth is decoded into a scratch array of its chunk, made canonical
    if needed, and compared there, so the runs of all of them are never stored.

    ``status``, ``areas``, ``canonical`` and ``runs`` (n,) are those of :func:`check_strings`
    for the strings checked already; a string whose status is ``RLE_UNCHECKED`` is checked as
    it is decoded and its four entries filled in (a corrupt one gets IoUs of 0; the caller
    reports it)."""
    n_groups = det_group.shape[0] - 1
    room = 1  # a run takes one character at least
    for q in range(det_index.shape[0]):
        room = max(room, ends[det_index[q]] - starts[det_index[q]])
    n_chunks = min(n_groups, 256)
    for chunk in prange(n_chunks):
        scratch = np.empty(room, np.uint32)
        box = np.zeros(4)
        for g in range(chunk * n_groups // n_chunks, (chunk + 1) * n_groups // n_chunks):
            if gt_group[g + 1] == gt_group[g]:
                continue
            k = iou_start[g]
            for q in range(det_group[g], det_group[g + 1]):
                d = det_index[q]
                h = det_size[d, 0]
                w = det_size[d, 1]
                if status[d] == RLE_UNCHECKED:
                    status[d], areas[d], canonical[d], runs[d] = _decode_one(
                        buf, starts[d], ends[d], escaped[d], h * w, scratch, 0, room, True)
                    if status[d] != RLE_OK:
                        for _ in range(gt_group[g], gt_group[g + 1]):
                            iou[k] = 0.0
                            k += 1
                        continue
                else:
                    _decode_one(buf, starts[d], ends[d], escaped[d], -1, scratch, 0, runs[d],
                                True)
                m = runs[d]
                if not canonical[d]:
                    m = _canonical_runs(scratch, 0, m, scratch, 0)
                _columns_one(scratch, 0, m, h, w, box)
                _running_sum(scratch, 0, m, scratch)
                k = _iou_row(scratch, 0, m, areas[d], box, h, w, gt_ends, gt_start, gt_area,
                             gt_box, gt_size, gt_index, gt_group[g], gt_group[g + 1], gt_crowd,
                             iou, k)


@njit(**_INLINE)
def _iou_row(det_ends, lo, hi, area, box, h, w, gt_ends, gt_start, gt_area, gt_box, gt_size,
             gt_index, first, last, gt_crowd, iou, k):
    """The IoUs of one detection (``det_ends[lo:hi]``, ``h`` x ``w``) with the ground truths
    ``gt_index[first:last]``, into ``iou[k:]``; returns the next ``k``."""
    for r in range(first, last):
        j = gt_index[r]
        if h != gt_size[j, 0] or w != gt_size[j, 1]:
            iou[k] = -1.0
        else:
            iou[k] = pair_iou(det_ends, lo, hi, area, box, gt_ends, gt_start[j],
                              gt_start[j + 1], gt_area[j], gt_box[j], gt_crowd[r])
        k += 1
    return k


@njit(**jit_options(parallel=True))
def gather(counts, start, index):
    """The runs of masks ``index`` (int64), in that order: ``counts``, ``start``."""
    n = index.shape[0]
    out_start = np.zeros(n + 1, np.int64)
    for i in range(n):
        out_start[i + 1] = out_start[i] + start[index[i] + 1] - start[index[i]]
    out = np.empty(out_start[n], np.uint32)
    for i in prange(n):
        out[out_start[i]:out_start[i + 1]] = counts[start[index[i]]:start[index[i] + 1]]
    return out, out_start


@njit(**jit_options())
def is_canonical(counts, start):
    """Whether no mask has an empty run after its first (valid encoders never write one)."""
    for i in range(start.shape[0] - 1):
        for j in range(start[i] + 1, start[i + 1]):
            if counts[j] == 0:
                return False
    return True


@njit(**jit_options())
def canonical(counts, start):
    """The same masks without empty runs after the first: an empty run joins its neighbours,
    trailing empty runs are dropped. maskApi.c's merge and IoU loops assume this form (on
    other runs they can return corrupt masks or never end). Returns ``counts``, ``start``."""
    n = start.shape[0] - 1
    out = np.empty(counts.shape[0], np.uint32)
    out_start = np.zeros(n + 1, np.int64)
    m = 0
    for i in range(n):
        m = _canonical_runs(counts, start[i], start[i + 1], out, m)
        out_start[i + 1] = m
    return out[:m].copy(), out_start


@njit(**_INLINE)
def _canonical_runs(counts, lo, hi, out, m):
    """The runs ``counts[lo:hi]`` of one mask made canonical (see :func:`canonical`), written
    from ``out[m]`` (``out`` may be ``counts`` with ``m <= lo``); returns the end."""
    if hi > lo:
        out[m] = counts[lo]
        m += 1
        j = lo + 1
        while j < hi:
            if counts[j] == 0:
                if j + 1 < hi:
                    out[m - 1] += counts[j + 1]
                j += 2
            else:
                out[m] = counts[j]
                m += 1
                j += 1
    return m


# ---------------------------------------------------------------------------------------------
# merging


@njit(**jit_options())
def merge(counts, start, members, intersect):
    """rleMerge of the masks ``members`` (same sizes): union, or intersection with
    ``intersect``. One member is returned unchanged, as in maskApi.c. Returns its runs."""
    if members.shape[0] == 0:
        return np.zeros(0, np.uint32)
    first = members[0]
    current = counts[start[first]:start[first + 1]].copy()
    for q in range(1, members.shape[0]):
        b = members[q]
        current = _merge_two(current, counts[start[b]:start[b + 1]], intersect)
    return current


@njit(**jit_options(parallel=True))
def merge_groups(counts, start, group_start, intersect):
    """rleMerge within each group of consecutive masks (group ``g``: masks
    ``group_start[g]..group_start[g + 1] - 1``). Returns flat ``counts``, ``start``."""
    n = group_start.shape[0] - 1
    merged = [np.zeros(0, np.uint32) for _ in range(n)]
    for g in prange(n):
        merged[g] = merge(counts, start, np.arange(group_start[g], group_start[g + 1]),
                          intersect)
    return _flatten(merged)


@njit(**jit_options(parallel=True))
def _flatten(pieces):
    """One flat uint32 array of a list of them, and the offsets (int64 (n + 1,))."""
    n = len(pieces)
    offsets = np.zeros(n + 1, np.int64)
    for i in range(n):
        offsets[i + 1] = offsets[i] + pieces[i].shape[0]
    out = np.empty(offsets[n], np.uint32)
    for i in prange(n):
        out[offsets[i]:offsets[i + 1]] = pieces[i]
    return out, offsets


@njit(**jit_options())
def _merge_two(a_counts, b_counts, intersect):
    """One step of rleMerge (A with B), following maskApi.c's loop."""
    out = np.empty(a_counts.shape[0] + b_counts.shape[0] + 1, np.uint32)
    ka = a_counts.shape[0]
    kb = b_counts.shape[0]
    ca = np.int64(a_counts[0]) if ka else np.int64(0)
    cb = np.int64(b_counts[0]) if kb else np.int64(0)
    v = False
    va = False
    vb = False
    m = 0
    a = 1
    b = 1
    cc = np.int64(0)
    ct = np.int64(1)
    while ct > 0:
        c = min(ca, cb)
        cc += c
        ct = 0
        ca -= c
        stuck = c == 0
        if ca == 0 and a < ka:
            ca = np.int64(a_counts[a])
            a += 1
            va = not va
            stuck = False
        ct += ca
        cb -= c
        if cb == 0 and b < kb:
            cb = np.int64(b_counts[b])
            b += 1
            vb = not vb
            stuck = False
        ct += cb
        vp = v
        v = (va and vb) if intersect else (va or vb)
        if v != vp or ct == 0:
            out[m] = cc
            m += 1
            cc = 0
        if stuck and ct > 0:  # one operand ran out of runs first: maskApi.c loops forever
            return out[:0].copy()
    return out[:m].copy()


# ---------------------------------------------------------------------------------------------
# polygons and boxes


@njit(**jit_options(parallel=True))
def from_polygons(xy, part_start, h, w):
    """rleFrPoly of every polygon: polygon ``p`` has vertices ``xy[part_start[p]:part_start[p +
    1]]`` (float64 (n_vertices, 2), x then y) and is rasterised on an ``h[p]`` x ``w[p]`` grid.
    Returns flat ``counts``, ``start``.

    Each chunk of polygons writes its runs one polygon after the other from the start of its
    room (the outline points its polygons can give bound their runs; room never written is
    never touched), with scratch arrays of its own; the runs are then copied into place."""
    n = part_start.shape[0] - 1
    room = np.zeros(n + 1, np.int64)
    for p in prange(n):
        room[p + 1] = _outline_room(xy, part_start[p], part_start[p + 1])
    _cumulate(room)
    spread = np.empty(room[n], np.uint32)
    start = np.zeros(n + 1, np.int64)
    n_chunks = min(n, 256)
    for chunk in prange(n_chunks):
        first = chunk * n // n_chunks
        last = (chunk + 1) * n // n_chunks
        k = 0
        capacity = 0
        for p in range(first, last):
            k = max(k, part_start[p + 1] - part_start[p])
            capacity = max(capacity, room[p + 1] - room[p])
        x = np.empty(k + 1, np.int64)
        y = np.empty(k + 1, np.int64)
        points = np.empty(capacity, np.int64)
        columns = np.empty(capacity, np.int64)
        ordered = np.empty(capacity, np.int64)
        bucket = np.empty(8 * capacity + 2, np.int64)
        o = room[first]
        for p in range(first, last):
            m = _polygon(xy, part_start[p], part_start[p + 1], h[p], w[p], x, y, points,
                         columns, ordered, bucket, spread, o)
            start[p + 1] = m
            o += m
    _cumulate(start)
    counts = np.empty(start[n], np.uint32)
    for chunk in prange(n_chunks):
        first = chunk * n // n_chunks
        last = (chunk + 1) * n // n_chunks
        size = start[last] - start[first]
        counts[start[first]:start[last]] = spread[room[first]:room[first] + size]
    return counts, start


@njit(**_INLINE)
def _upsampled(value):
    """A coordinate on rleFrPoly's 5x grid."""
    return _trunc(_SCALE * value + 0.5)


@njit(**jit_options())
def _outline_room(xy, lo, hi):
    """Room for the outline points of polygon ``xy[lo:hi]`` and one more: a bound on its
    runs."""
    room = 1
    for j in range(lo, hi):
        following = j + 1 if j + 1 < hi else lo
        room += abs(_upsampled(xy[following, 0]) - _upsampled(xy[j, 0])) + 3
    return room


@njit(**_INLINE)
def _trunc(value):
    """C's (int) conversion of a finite double (toward zero)."""
    return np.int64(value)


@njit(**jit_options())
def _polygon(xy, begin, end, h, w, x, y, a, columns, ordered, bucket, out, o):
    """rleFrPoly of polygon ``xy[begin:end]``: its runs written to ``out[o:]``; returns how
    many. ``x``, ``y`` (``end - begin + 1``), ``a``, ``columns``, ``ordered``
    (:func:`_outline_room`) and ``bucket`` (8 times that and 2) are scratch.

    maskApi.c walks every point of the 5x upsampled outline and keeps the pairs of consecutive
    points whose x changes onto a pixel column's centre; the points of one edge follow each
    other and edges meet at shared vertices, so the same pairs are found edge by edge, without
    storing the outline: along an x-major edge only every fifth step can land on a centre.
    """
    k = end - begin
    for j in range(k):
        x[j] = _upsampled(xy[begin + j, 0])
        y[j] = _upsampled(xy[begin + j, 1])
    x[k] = x[0]
    y[k] = y[0]
    m = 0
    last_u = np.int64(0)
    last_v = np.int64(0)
    for j in range(k):
        xs = x[j]
        xe = x[j + 1]
        ys = y[j]
        ye = y[j + 1]
        dx = abs(xe - xs)
        dy = abs(ys - ye)
        flip = (dx >= dy and xs > xe) or (dx < dy and ys > ye)
        if flip:
            xs, xe = xe, xs
            ys, ye = ye, ys
        # the first and last points this edge emits (maskApi.c walks t downwards when flipped)
        if dx >= dy:
            s = (ye - ys) / dx if dx > 0 else 0.0
            t_first = dx if flip else 0
            t_last = 0 if flip else dx
            first_u = xs + t_first
            first_v = _trunc(ys + s * t_first + 0.5)
            end_u = xs + t_last
            end_v = _trunc(ys + s * t_last + 0.5)
            if dx == 0:  # one point; C converts 0/0 to int: INT_MIN on x86
                first_v = end_v = _INT_MIN
        else:
            s = (xe - xs) / dy
            t_first = dy if flip else 0
            t_last = 0 if flip else dy
            first_u = _trunc(xs + s * t_first + 0.5)
            first_v = ys + t_first
            end_u = _trunc(xs + s * t_last + 0.5)
            end_v = ys + t_last
        if j > 0 and first_u != last_u:  # the pair across the shared vertex
            column = first_u if first_u < last_u else first_u - 1
            m = _boundary_point(a, columns, m, column, min(first_v, last_v), h, w)
        last_u = end_u
        last_v = end_v
        # pairs within the edge, (t, t + 1) for t = 0 .. n - 1
        if dx >= dy:
            # the column of pair t is xs + t: a centre when it is 2 modulo 5
            for t in range((2 - xs) % 5, dx, 5):
                v0 = _trunc(ys + s * t + 0.5)
                v1 = _trunc(ys + s * (t + 1) + 0.5)
                m = _boundary_point(a, columns, m, xs + t, min(v0, v1), h, w)
        elif s != 0.0:
            # x = trunc(xs + s t + 0.5) is monotonic in t and moves one column at a time: find
            # where it crosses from column c to c + 1, for the centre columns c only
            u0 = _trunc(xs + 0.5)
            u1 = _trunc(xs + s * dy + 0.5)
            lo = min(u0, u1)
            for c in range(lo + (2 - lo) % 5, max(u0, u1), 5):
                t = _crossing(xs, s, dy, c)
                m = _boundary_point(a, columns, m, c, ys + t - 1, h, w)
    if h * w <= _UINT32_MAX:
        _sort_points(a, columns, m, ordered, bucket)
        ordered[m] = h * w  # the end of the mask, after every point
        m += 1
    else:  # points wrap around 2**32: maskApi.c sorts the mask's size (wrapped too) with them
        a[m] = (h * w) & _UINT32_MAX
        m += 1
        ordered[:m] = np.sort(a[:m])
    previous = np.int64(0)
    for j in range(m):
        t = ordered[j]
        ordered[j] -= previous
        previous = t
    n = 0
    j = 0
    out[o + n] = ordered[j]
    n += 1
    j += 1
    while j < m:
        if ordered[j] > 0:
            out[o + n] = ordered[j]
            n += 1
            j += 1
        else:
            j += 1
            if j < m:
                out[o + n - 1] += ordered[j]
                j += 1
    return n


@njit(**jit_options())
def _sort_points(a, columns, m, out, bucket):
    """``a[:m]`` (points ``column * h + row``, their columns in ``columns[:m]``) sorted
    ascending into ``out[:m]``: insertion sort for a few points, else a counting sort by
    column (a polygon's outline crosses each column a few times; ``bucket`` has room for ``8 * m
    + 2`` columns) with the few rows of a column sorted by insertion."""
    if m <= 32:
        out[:m] = a[:m]
        _insertion_sort(out, 0, m)
        return
    lo = columns[0]
    hi = lo
    for i in range(m):
        lo = min(lo, columns[i])
        hi = max(hi, columns[i])
    if hi - lo > 8 * m:  # sparse columns: a comparison sort is cheaper
        out[:m] = np.sort(a[:m])
        return
    bucket[:hi - lo + 2] = 0
    for i in range(m):
        bucket[columns[i] - lo + 1] += 1
    for b in range(hi - lo + 1):
        bucket[b + 1] += bucket[b]
    for i in range(m):
        b = columns[i] - lo
        out[bucket[b]] = a[i]
        bucket[b] += 1
    start = 0  # bucket[b] is now the end of column b
    for b in range(hi - lo + 1):
        _insertion_sort(out, start, bucket[b])
        start = bucket[b]


@njit(**_INLINE)
def _insertion_sort(out, start, end):
    """Sort ``out[start:end]`` in place."""
    for i in range(start + 1, end):
        item = out[i]
        j = i - 1
        while j >= start and out[j] > item:
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = item


@njit(**_INLINE)
def _past(xs, s, t, c):
    """Whether x(t) = trunc(xs + s t + 0.5) is past the border between columns c and c + 1,
    in the direction of the slope ``s``."""
    u = _trunc(xs + s * t + 0.5)
    return u >= c + 1 if s > 0 else u <= c


@njit(**_INLINE)
def _crossing(xs, s, dy, c):
    """The first t in 1..dy with x(t) past the c | c + 1 border (x(0) is not): estimated from
    the line, then settled with exact evaluations of x (monotonic in t)."""
    border = c + 0.5 if c >= 0 else c - 0.5  # where xs + s t + 0.5 reaches c + 1 (or c)
    estimate = (border - xs) / s
    t = np.int64(min(max(math.floor(estimate) + 1, 1), dy))
    while t > 1 and _past(xs, s, t - 1, c):
        t -= 1
    while t < dy and not _past(xs, s, t, c):
        t += 1
    return t


@njit(**_INLINE)
def _boundary_point(a, columns, m, column, row, h, w):
    """Record the boundary point of upsampled (column, row) as maskApi.c does (only columns 2
    modulo 5, pixel columns' centres, count): downsampled, rows clamped to [0, h] and rounded up,
    columns outside the image dropped; its pixel column in ``columns[m]``. Returns the new
    count."""
    if (column - 2) % 5 != 0:
        return m
    xd = (column - 2) // 5
    if xd < 0 or (w > 0 and xd > w - 1):
        return m
    yd = (np.float64(row) + 0.5) / _SCALE - 0.5
    if yd < 0:
        yd = 0.0
    elif yd > h:
        yd = np.float64(h)
    a[m] = (xd * h + np.int64(math.ceil(yd))) & _UINT32_MAX
    columns[m] = xd
    return m + 1


@njit(**jit_options())
def box_polygons(boxes):
    """The polygon of rleFrBbox for each ``[x, y, w, h]`` box: (4n, 2) vertices."""
    n = boxes.shape[0]
    xy = np.empty((4 * n, 2))
    for i in range(n):
        xs = boxes[i, 0]
        ys = boxes[i, 1]
        xe = xs + boxes[i, 2]
        ye = ys + boxes[i, 3]
        xy[4 * i, 0] = xs
        xy[4 * i, 1] = ys
        xy[4 * i + 1, 0] = xs
        xy[4 * i + 1, 1] = ye
        xy[4 * i + 2, 0] = xe
        xy[4 * i + 2, 1] = ye
        xy[4 * i + 3, 0] = xe
        xy[4 * i + 3, 1] = ys
    return xy


# ---------------------------------------------------------------------------------------------
# polygons written as JSON text

POLYGONS_OK = 0
POLYGONS_OBJECT = 1  # the value is a JSON object (an RLE)
POLYGONS_OTHER = 2  # anything else (or numbers left to Python): read with json.loads


@njit(**jit_options())
def parse_polygons(buf, starts, ends):
    """Read ``[[x1, y1, ...], ...]`` values of JSON text (COCO polygon segmentations) in place.

    Parameters
    ----------
    buf : uint8 (n_bytes,)
        JSON text; value ``i`` is ``buf[starts[i]:ends[i]]`` (a NUL or any byte after it).
    starts, ends : int64 (n,)

    Returns
    -------
    status : int8 (n,)
        ``POLYGONS_OK``, ``POLYGONS_OBJECT`` or ``POLYGONS_OTHER`` (the caller reads those).
    values : float64 (n_values,)
        The numbers, bit for bit :func:`json.loads`'s (parts of ``POLYGONS_OK`` values only).
    part_start : int64 (n_parts + 1,)
        Part ``p`` is ``values[part_start[p]:part_start[p + 1]]``.
    record_part : int64 (n + 1,)
        Value ``i``'s parts are ``record_part[i]..record_part[i + 1] - 1`` (none unless OK).
    """
    n = starts.shape[0]
    capacity = 0
    for i in range(n):
        if buf[_js._skip_ws(buf, starts[i])] == 91:  # arrays only: RLE objects hold no polygon
            capacity += (ends[i] - starts[i]) // 2 + 1
    values = np.empty(capacity, np.float64)
    part_start = np.zeros(capacity + 1, np.int64)
    record_part = np.zeros(n + 1, np.int64)
    status = np.zeros(n, np.int8)
    n_values = 0
    n_parts = 0
    for r in range(n):
        i = _js._skip_ws(buf, starts[r])
        end = ends[r]
        state = POLYGONS_OTHER
        first_values = n_values
        first_parts = n_parts
        if buf[i] == 123:
            state = POLYGONS_OBJECT
        elif buf[i] == 91:
            i = _js._skip_ws(buf, i + 1)
            while i < end and buf[i] == 91:  # one part
                i = _js._skip_ws(buf, i + 1)
                ok = True
                if buf[i] != 93:
                    while True:
                        if not _js._is_number_start(buf[i]):
                            ok = False
                            break
                        code, j, fval, ival, flags = _js._parse_number(buf, i)
                        if code != _js.OK or (flags & (_js.NUM_SLOW | _js.NUM_LITERAL)) != 0 or \
                                _js._inexact_int(flags, ival):
                            ok = False
                            break
                        values[n_values] = fval
                        n_values += 1
                        i = _js._skip_ws(buf, j)
                        if buf[i] == 44:
                            i = _js._skip_ws(buf, i + 1)
                        elif buf[i] == 93:
                            break
                        else:
                            ok = False
                            break
                if not ok:
                    break
                n_parts += 1
                part_start[n_parts] = n_values
                i = _js._skip_ws(buf, i + 1)
                if buf[i] == 44:
                    i = _js._skip_ws(buf, i + 1)
                elif buf[i] == 93:
                    j = i + 1
                    while j < end and (buf[j] == 32 or buf[j] == 9 or buf[j] == 10
                                       or buf[j] == 13):
                        j += 1
                    if n_parts > first_parts and j == end:
                        state = POLYGONS_OK
                    break
                else:
                    break
        if state != POLYGONS_OK:
            n_values = first_values
            n_parts = first_parts
        status[r] = state
        record_part[r + 1] = n_parts
    return status, values[:n_values].copy(), part_start[:n_parts + 1].copy(), record_part
