"""The compressed-string kernels of ``kernels.rle`` against a plain Python reading of COCO's
``rleFrString``: status codes (the first problem of each string), runs, areas, canonical flags
and run counts, on valid strings (from the encoder, with large and empty runs) and on corrupt
ones (random bytes changed, cut, JSON escapes)."""

from __future__ import annotations

import numpy as np
import pytest

from modelmetrics.kernels import rle as K


def _read(s: bytes, escaped: bool, total: int):
    """(status, runs) of one string, character by character as maskApi.c's rleFrString (with
    the checks the kernels add)."""
    runs = []
    p = 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            if p >= len(s):
                return K.RLE_TRUNCATED, runs
            c = s[p]
            p += 1
            if escaped and c == 92:
                if p >= len(s) or s[p] != 92:
                    return K.RLE_BAD_ESCAPE, runs
                p += 1
            if c < 48 or c > 111:
                return K.RLE_BAD_CHAR, runs
            if k >= 7:
                return K.RLE_BAD_COUNT, runs
            c -= 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(runs) > 2:
            x += runs[-2]
        if x < 0 or x > K._UINT32_MAX:
            return K.RLE_BAD_COUNT, runs
        runs.append(x)
    return (K.RLE_OK if total < 0 or sum(runs) == total else K.RLE_BAD_SUM), runs


def _strings(rng, n):
    """(strings, totals): encoder output for random runs (some large, some empty), about a
    third of them corrupted."""
    strings, totals = [], []
    for t in range(n):
        m = int(rng.integers(0, 12))
        high = [2, 40, 5000, 2**31][t % 4]
        runs = rng.integers(0, high, m).astype(np.uint32)
        if m > 1 and t % 5 == 0:
            runs[rng.integers(1, m)] = 0  # not canonical
        chars, offsets = K.encode_strings(runs, np.array([0, m], np.int64))
        s = bytearray(chars.tobytes())
        total = int(runs.astype(np.int64).sum())
        kind = t % 9
        if kind == 1 and s:  # a random byte
            s[rng.integers(len(s))] = int(rng.integers(0, 256))
        elif kind == 2 and s:  # cut
            s = s[:rng.integers(len(s))]
        elif kind == 3:  # wrong size
            total += 1
        elif kind == 4 and s:  # a byte of the code alphabet
            s[rng.integers(len(s))] = int(rng.integers(48, 112))
        elif kind == 5:  # a long code (beyond 35 bits) or a huge delta
            s += bytes([48 + 0x20] * int(rng.integers(1, 9)) + [48 + int(rng.integers(0, 32))])
        strings.append(bytes(s))
        totals.append(total)
    return strings, totals


def _flat(strings, escaped):
    lengths = np.array([len(s) for s in strings], np.int64)
    ends = np.cumsum(lengths)
    buf = np.frombuffer(b"".join(strings) + b"\0" * 16, np.uint8)
    return buf, ends - lengths, ends, np.full(len(strings), escaped)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("escaped", [False, True])
def test_string_kernels_equal_a_plain_reading(seed, escaped):
    rng = np.random.default_rng(seed)
    strings, totals = _strings(rng, 3000)
    if escaped:  # JSON text: a backslash written twice, sometimes once (a bad escape)
        strings = [s.replace(b"\\", b"\\\\" if i % 7 else b"\\") for i, s in enumerate(strings)]
    seen, _ = _kernels_equal_plain_reading(strings, totals, escaped)
    assert len(seen) == (6 if escaped else 5)


def _kernels_equal_plain_reading(strings, totals, escaped):
    """Assert that ``check_strings`` and ``decode_strings`` agree with :func:`_read` on every
    string (``totals``: the pixels each must add up to); returns how many strings got each
    status, and the canonical flags of the valid ones."""
    buf, starts, ends, esc = _flat(strings, escaped)
    h = np.ones(len(strings), np.int64)
    w = np.array(totals, np.int64)
    status, areas, canonical, runs = K.check_strings(buf, starts, ends, esc, h, w)
    counts, start, decoded_status = K.decode_strings(buf, starts, ends, esc, h, w)
    np.testing.assert_array_equal(status, decoded_status)
    seen = {}
    for i, s in enumerate(strings):
        expected, expected_runs = _read(s, escaped, totals[i])
        seen[expected] = seen.get(expected, 0) + 1
        assert status[i] == expected, (i, s)
        if expected in (K.RLE_OK, K.RLE_BAD_SUM):
            assert start[i + 1] - start[i] == len(expected_runs) == runs[i], (i, s)
            assert counts[start[i]:start[i + 1]].tolist() == expected_runs, (i, s)
        if expected == K.RLE_OK:
            assert areas[i] == sum(expected_runs[1::2]), (i, s)
            assert canonical[i] == (0 not in expected_runs[1:]), (i, s)
    return seen, canonical[status == K.RLE_OK]


def test_one_string_of_each_status():
    strings = [b"13", b"1~", b"1P", b"1O", b"14", b"1\\n3"]
    buf, starts, ends, esc = _flat(strings, True)
    n = len(strings)
    status = K.check_strings(buf, starts, ends, esc, np.full(n, 2, np.int64),
                             np.full(n, 2, np.int64))[0]
    assert status.tolist() == [K.RLE_OK, K.RLE_BAD_CHAR, K.RLE_TRUNCATED, K.RLE_BAD_COUNT,
                               K.RLE_BAD_SUM, K.RLE_BAD_ESCAPE]


def test_iou_of_strings_equals_iou_of_decoded_masks():
    """``iou_groups_strings`` (detections decoded one at a time in the kernel) gives the IoUs
    ``iou_groups`` gives on the decoded, canonical masks: crowd regions, non-canonical strings,
    masks of another size (-1) and groups without ground truth included."""
    rng = np.random.default_rng(5)
    h, w = 9, 7
    n_det, n_gt, n_groups = 300, 60, 40

    def random_runs(n, other_size):
        runs, start, sizes = [], [0], []
        for i in range(n):
            hw = (h, w + 1) if other_size and i % 37 == 0 else (h, w)
            cuts = np.sort(rng.integers(0, hw[0] * hw[1] + 1, int(rng.integers(0, 8))))
            r = np.diff(np.concatenate([[0], cuts, [hw[0] * hw[1]]]))
            if i % 5 == 0:  # empty runs inside: not canonical
                r = np.concatenate([r[:1], [0, 0], r[1:], [0]])
            runs.append(r)
            start.append(start[-1] + r.size)
            sizes.append(hw)
        return (np.concatenate(runs).astype(np.uint32), np.array(start, np.int64),
                np.array(sizes, np.int64))

    det_counts, det_start, det_size = random_runs(n_det, True)
    chars, offsets = K.encode_strings(det_counts, det_start)
    buf = np.concatenate([chars, np.zeros(16, np.uint8)])
    starts, ends, esc = offsets[:-1].copy(), offsets[1:].copy(), np.zeros(n_det, bool)
    status, areas, canonical, runs = K.check_strings(buf, starts, ends, esc, det_size[:, 0],
                                                     det_size[:, 1])
    assert not status.any() and not canonical.all()
    gt_counts, gt_start = K.canonical(*random_runs(n_gt, False)[:2])
    gt_size = np.tile([h, w], (n_gt, 1))
    gt_box = K.column_extents(gt_counts, gt_start, gt_size[:, 0], gt_size[:, 1])
    det_group = np.concatenate([[0], np.sort(rng.integers(0, 2 * n_det, n_groups - 1)),
                                [2 * n_det]])
    gt_group = np.concatenate([[0], np.sort(rng.integers(0, 2 * n_gt, n_groups - 1)),
                               [2 * n_gt]])
    det_index = rng.integers(0, n_det, 2 * n_det)
    gt_index = rng.integers(0, n_gt, 2 * n_gt)
    gt_crowd = rng.random(2 * n_gt) < 0.2
    pairs = np.diff(det_group) * np.diff(gt_group)
    assert (pairs == 0).any()
    iou_start = np.concatenate([[0], np.cumsum(pairs)])
    expected = np.full(iou_start[-1], np.nan)
    ours = np.full(iou_start[-1], np.nan)
    counts, start = K.canonical(det_counts, det_start)
    det_box = K.column_extents(counts, start, det_size[:, 0], det_size[:, 1])
    gt_ends, gt_area = K.run_ends(gt_counts, gt_start), K.area(gt_counts, gt_start)
    K.iou_groups(K.run_ends(counts, start), start, areas, det_box, det_size, det_index,
                 det_group, gt_ends, gt_start, gt_area, gt_box, gt_size, gt_index, gt_group,
                 gt_crowd, iou_start, expected)
    K.iou_groups_strings(buf, starts, ends, esc, status, areas, canonical, runs, det_size,
                         det_index, det_group, gt_ends, gt_start, gt_area, gt_box, gt_size,
                         gt_index, gt_group, gt_crowd, iou_start, ours)
    np.testing.assert_array_equal(ours, expected)
    # strings not checked yet: each is checked as the kernel first decodes it, and gets the
    # status, area, canonical flag and run count check_strings gives; the IoUs are the same
    unchecked = (np.full(n_det, K.RLE_UNCHECKED, np.int8), np.zeros(n_det, np.int64),
                 np.ones(n_det, bool), np.zeros(n_det, np.int64))
    again = np.full(iou_start[-1], np.nan)
    K.iou_groups_strings(buf, starts, ends, esc, *unchecked, det_size, det_index, det_group,
                         gt_ends, gt_start, gt_area, gt_box, gt_size, gt_index, gt_group,
                         gt_crowd, iou_start, again)
    np.testing.assert_array_equal(again, expected)
    decoded = np.unique(det_index[np.repeat(np.diff(gt_group) > 0, np.diff(det_group))])
    assert 0 < decoded.size < n_det
    assert (unchecked[0][decoded] == K.RLE_OK).all()
    assert (np.delete(unchecked[0], decoded) == K.RLE_UNCHECKED).all()
    for got, want in zip(unchecked[1:], (areas, canonical, runs)):
        np.testing.assert_array_equal(got[decoded], want[decoded])

    def pixels(counts, start, i):  # the mask as flat pixels, from its runs
        runs = counts[start[i]:start[i + 1]].astype(np.int64)
        return np.repeat(np.arange(runs.size) % 2 == 1, runs)

    # and both equal IoUs counted pixel by pixel (the crowd rule and sizes as maskApi.c)
    dense = np.full(iou_start[-1], np.nan)
    for g in range(n_groups):
        k = iou_start[g]
        for d in det_index[det_group[g]:det_group[g + 1]]:
            for r in range(gt_group[g], gt_group[g + 1]):
                j = gt_index[r]
                if tuple(det_size[d]) != tuple(gt_size[j]):
                    dense[k] = -1.0
                else:
                    a, b = pixels(det_counts, det_start, d), pixels(gt_counts, gt_start, j)
                    inter = int((a & b).sum())
                    union = int(a.sum()) if gt_crowd[r] else int((a | b).sum())
                    dense[k] = 0.0 if inter == 0 else inter / union
                k += 1
    np.testing.assert_array_equal(ours, dense)
    assert (ours == -1).any() and (ours > 0).any()


def _write(runs) -> bytes:
    """maskApi.c's rleToString for any integers (negative or above 2**32 - 1 included): runs
    from the fourth on as the difference with the run two before."""
    out = bytearray()
    for i, run in enumerate(runs):
        x = int(run) - (int(runs[i - 2]) if i > 2 else 0)
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if c & 0x10 else (x != 0)
            out.append(48 + (c | (0x20 if more else 0)))
    return bytes(out)


def _walks(rng, n):
    """Run sequences of one-character deltas (|delta| <= 15), so that the kernels read most of
    them eight codes at a time, starting near the edges of that reading: runs of 0 to 80 (runs
    of 0 and runs that go negative inside a block of eight), near 2**32 - 1 (runs above it
    inside a block), and large; some with a longer code or an escape among them."""
    sequences = []
    for t in range(n):
        m = int(rng.integers(3, 60))
        start = [int(rng.integers(0, 80)), int(rng.integers(0, 80)),
                 K._UINT32_MAX - int(rng.integers(0, 100)), int(rng.integers(100, 10**6))][t % 4]
        runs = [int(rng.integers(0, 5000)), start, int(rng.integers(0, 80))]
        for k in range(3, m):
            runs.append(runs[k - 2] + int(rng.integers(-15 if t % 3 else -3, 16)))
        if t % 7 == 0 and m > 10:  # a longer code among the short ones
            k = int(rng.integers(3, m))
            runs[k] += int(rng.integers(16, 4000))
        sequences.append(runs)
    return sequences


@pytest.mark.parametrize("escaped", [False, True])
def test_check_of_long_strings_equals_a_plain_reading(escaped):
    """``check_strings`` and ``decode_strings`` read runs of one-character codes eight at a
    time: statuses, runs, areas, canonical flags and run counts still equal the plain reading,
    for runs that reach 0, go negative or above 2**32 - 1 anywhere in a block of eight, and for
    strings cut or changed inside one."""
    rng = np.random.default_rng(11)
    strings, totals = [], []
    for t, runs in enumerate(_walks(rng, 4000)):
        s = bytearray(_write(runs))
        total = sum(runs)
        if t % 11 == 1:
            s[rng.integers(len(s))] = int(rng.integers(48, 112))
        elif t % 11 == 2:
            s = s[:rng.integers(1, len(s))]
        elif t % 11 == 3:
            total -= 1
        strings.append(bytes(s))
        totals.append(total)
    if escaped:
        strings = [s.replace(b"\\", b"\\\\") for s in strings]
    seen, canonical = _kernels_equal_plain_reading(strings, totals, escaped)
    # every outcome is well represented, valid strings with empty runs included
    assert min(seen.get(code, 0) for code in (K.RLE_OK, K.RLE_BAD_COUNT, K.RLE_BAD_SUM)) > 200
    assert (~canonical).sum() > 20 and canonical.sum() > 100
