"""Grouping of records by an integer key (stable counting sort) and ranking within groups."""

import numpy as np
from numba import njit, prange

from .._config import jit_options
from .memory import PREFETCH_AHEAD, empty_on_huge_pages, prefetch
from .sharing import claim_next

INSERTION_SORT_MAX = 32


@njit(**jit_options())
def counting_sort(keys, n_buckets):
    """Stable order of ``keys`` (int64 in [0, n_buckets)) and each bucket's start offset.

    Returns
    -------
    order : int64 (n,)
        ``keys[order]`` is sorted; equal keys keep their input order.
    start : int64 (n_buckets + 1,)
        Bucket ``b`` occupies ``order[start[b]:start[b + 1]]``.
    """
    return counting_sort_pairs(keys, keys, 0, n_buckets)


@njit(**jit_options())
def counting_sort_pairs(major, minor, n_minor, n_buckets):
    """:func:`counting_sort` of the keys ``major * n_minor + minor`` (int64 (n,) each), computed
    as they are read rather than stored: e.g. (image, category) groups."""
    start = empty_on_huge_pages(n_buckets + 1, np.int64)
    start[:] = 0
    for i in range(major.shape[0]):
        start[major[i] * n_minor + minor[i] + 1] += 1
    for b in range(n_buckets):
        start[b + 1] += start[b]
    order = empty_on_huge_pages(major.shape[0], np.int64)
    for i in range(major.shape[0]):  # start[b] is bucket b's next free slot
        key = major[i] * n_minor + minor[i]
        order[start[key]] = i
        start[key] += 1
    for b in range(n_buckets, 0, -1):  # start[b - 1] is now where bucket b starts
        start[b] = start[b - 1]
    start[0] = 0
    return order, start


@njit(**jit_options(parallel=True))
def rank_within_buckets(order, start, score, max_per_bucket, n_categories, n_workers):
    """Sort each bucket of ``order`` by descending ``score`` (stable) and keep its first
    ``max_per_bucket`` records, with what the matching and the accumulation read of them
    (``n_workers`` threads share the buckets out, see :mod:`modelmetrics.kernels.sharing`).

    Parameters
    ----------
    order, start : int64 (n,), (n_buckets + 1,)
        Record indices grouped by bucket (:func:`counting_sort_pairs`); bucket
        ``b = image * n_categories + category``.
    score : float64 (n_records,)
    max_per_bucket, n_categories, n_workers : int

    Returns
    -------
    kept : int64 (n_kept,)
        Record indices, bucket by bucket, by descending score within a bucket. When no bucket
        has more than ``max_per_bucket`` records, this is ``order`` itself, sorted in place.
    kept_start : int64 (n_buckets + 1,)
        Offsets of each bucket in ``kept`` (``start`` itself when nothing is cut).
    rank : int64 (n_kept,)
        Position of each kept record within its bucket.
    kept_score, kept_category, kept_image : float64, int64, int64 (n_kept,)
        The kept records' score, and the category and image of their bucket (written while
        each bucket is in cache: no second pass over the records).
    """
    n_buckets = start.shape[0] - 1
    largest = 0
    for b in range(n_buckets):
        largest = max(largest, start[b + 1] - start[b])
    if largest <= max_per_bucket:  # nothing cut: sort in place, no new arrays
        kept = order
        kept_start = start
    else:
        kept_start = empty_on_huge_pages(n_buckets + 1, np.int64)
        kept_start[0] = 0
        for b in range(n_buckets):
            kept_start[b + 1] = kept_start[b] + min(start[b + 1] - start[b], max_per_bucket)
        kept = empty_on_huge_pages(kept_start[-1], np.int64)
    n_kept = kept_start[-1]
    rank = empty_on_huge_pages(n_kept, np.int64)
    kept_score = empty_on_huge_pages(n_kept, np.float64)
    kept_category = empty_on_huge_pages(n_kept, np.int64)
    kept_image = empty_on_huge_pages(n_kept, np.int64)
    n_chunks = min(n_buckets, 256)
    next_chunk = np.zeros(1, np.int64)
    for _ in prange(n_workers):
        members = np.empty(largest, np.int64)  # scratch, once per thread
        c = claim_next(next_chunk)
        while c < n_chunks:
            _rank_buckets(order, start, score, kept, kept_start, rank, kept_score,
                          kept_category, kept_image, members, n_categories,
                          c * n_buckets // n_chunks, (c + 1) * n_buckets // n_chunks)
            c = claim_next(next_chunk)
    return kept, kept_start, rank, kept_score, kept_category, kept_image


@njit(inline="always", **jit_options())
def _rank_buckets(order, start, score, kept, kept_start, rank, kept_score, kept_category,
                  kept_image, members, n_categories, first, end):
    """Buckets ``first`` to ``end`` (excluded) of :func:`rank_within_buckets`; ``members`` is
    scratch of >= the largest bucket."""
    image = first // n_categories  # then counted up: no division per bucket
    category = first - image * n_categories
    for b in range(first, end):
        lo = start[b]
        n = start[b + 1] - lo
        if n > 0:
            if n <= INSERTION_SORT_MAX:
                for i in range(n):  # stable insertion sort, descending score
                    item = order[lo + i]
                    j = i - 1
                    while j >= 0 and score[members[j]] < score[item]:
                        members[j + 1] = members[j]
                        j -= 1
                    members[j + 1] = item
            else:
                keys = np.empty(n)
                for i in range(n):
                    keys[i] = -score[order[lo + i]]
                by_score = np.argsort(keys, kind="mergesort")
                for i in range(n):
                    members[i] = order[lo + by_score[i]]
            out = kept_start[b]
            for r in range(kept_start[b + 1] - out):
                item = members[r]
                kept[out + r] = item
                rank[out + r] = r
                kept_score[out + r] = score[item]
                kept_category[out + r] = category
                kept_image[out + r] = image
        category += 1
        if category == n_categories:
            category = 0
            image += 1


@njit(inline="always", **jit_options())
def _descending_key(value):
    """A uint64 key whose ascending order is the descending order of float64 values
    (−0.0 and 0.0 get the same key, as they compare equal)."""
    sign = np.uint64(1) << np.uint64(63)
    bits = np.float64(value + 0.0).view(np.uint64)
    ascending = ~bits if bits & sign else bits | sign
    return ~ascending


@njit(**jit_options())
def _descending_keys(values):
    """:func:`_descending_key` of each of ``values``."""
    keys = np.empty(values.shape[0], np.uint64)
    for i in range(values.shape[0]):
        keys[i] = _descending_key(values[i])
    return keys


RADIX_BITS = 11
RADIX_TOP_SHIFT = 31  # the radix passes sort on key bits 31..63; ties there are sorted after


@njit(**jit_options())
def _sort_keyed_span(idx, keys, scratch_idx, scratch_keys, counts):
    """Stable ascending sort of ``keys`` in place, ``idx`` moved along (one span of at most
    ``scratch_idx.shape[0]`` items; ``counts`` has ``2**RADIX_BITS + 1`` slots).

    LSD radix passes on the key's top 33 bits (a pass whose digit is the same everywhere is
    skipped); then each run of equal top bits is put in full-key order: insertion sort for short
    runs, a stable merge sort for long ones, so the cost stays O(n log n) whatever the data.
    """
    n = idx.shape[0]
    mask = np.uint64((1 << RADIX_BITS) - 1)
    if n > INSERTION_SORT_MAX:  # (a shorter span is one insertion-sort run below)
        for shift in range(RADIX_TOP_SHIFT, 64, RADIX_BITS):
            s = np.uint64(shift)
            counts[:] = 0
            first = (keys[0] >> s) & mask
            uniform = True
            for i in range(n):
                digit = (keys[i] >> s) & mask
                counts[digit + 1] += 1
                uniform = uniform and digit == first
            if uniform:
                continue
            for b in range(1 << RADIX_BITS):
                counts[b + 1] += counts[b]
            for i in range(n):
                digit = (keys[i] >> s) & mask
                p = counts[digit]
                scratch_idx[p] = idx[i]
                scratch_keys[p] = keys[i]
                counts[digit] = p + 1
            idx[:] = scratch_idx[:n]
            keys[:] = scratch_keys[:n]
    top = np.uint64(RADIX_TOP_SHIFT)
    short = n <= INSERTION_SORT_MAX  # not radix-sorted: one run
    lo = 0
    while lo < n:
        hi = lo + 1
        while hi < n and (short or (keys[hi] >> top) == (keys[lo] >> top)):
            hi += 1
        if hi - lo > INSERTION_SORT_MAX:
            by_key = np.argsort(keys[lo:hi], kind="mergesort")
            for i in range(hi - lo):
                scratch_idx[i] = idx[lo + by_key[i]]
                scratch_keys[i] = keys[lo + by_key[i]]
            idx[lo:hi] = scratch_idx[:hi - lo]
            keys[lo:hi] = scratch_keys[:hi - lo]
        else:
            for i in range(lo + 1, hi):  # stable insertion sort
                key = keys[i]
                item = idx[i]
                j = i - 1
                while j >= lo and keys[j] > key:
                    keys[j + 1] = keys[j]
                    idx[j + 1] = idx[j]
                    j -= 1
                keys[j + 1] = key
                idx[j + 1] = item
        lo = hi


@njit(**jit_options())
def descending_order(values):
    """Stable argsort of float64 ``values`` (no NaN) by descending value (:func:`_sort_keyed_span`
    on :func:`_descending_key` keys). Equal values keep their input order, as
    ``np.argsort(-values, kind="mergesort")`` does."""
    n = values.shape[0]
    order = np.arange(n)
    _sort_keyed_span(order, _descending_keys(values), np.empty(n, np.int64),
                     np.empty(n, np.uint64), np.empty((1 << RADIX_BITS) + 1, np.int64))
    return order


@njit(**jit_options(parallel=True))
def category_score_order(category, score, n_categories, n_workers):
    """Records grouped by category, by descending score within a category (stable), the
    categories sorted in parallel.

    Parameters
    ----------
    category : int64 (n,), values in [0, n_categories)
    score : float64 (n,), no NaN
    n_categories : int
    n_workers : int
        Threads that share the categories out, largest first (``numba.get_num_threads()`` of
        the caller: read inside the kernel, it would keep the kernel out of the disk cache; see
        :mod:`modelmetrics.kernels.sharing`).

    Returns
    -------
    order : int64 (n,)
    start : int64 (n_categories + 1,)
        Category ``k`` occupies ``order[start[k]:start[k + 1]]``.
    """
    order, start = counting_sort(category, n_categories)
    largest = 0
    for k in range(n_categories):
        largest = max(largest, start[k + 1] - start[k])
    n_workers = max(1, min(n_workers, n_categories))
    by_size = np.argsort(start[:-1] - start[1:], kind="mergesort")  # sizes are long-tailed
    next_claim = np.zeros(1, np.int64)
    for _ in prange(n_workers):
        keys = np.empty(largest, np.uint64)
        scratch_idx = np.empty(largest, np.int64)
        scratch_keys = np.empty(largest, np.uint64)
        counts = np.empty((1 << RADIX_BITS) + 1, np.int64)
        claim = claim_next(next_claim)
        while claim < n_categories:
            k = by_size[claim]
            lo = start[k]
            n = start[k + 1] - lo
            for i in range(n):
                if i + PREFETCH_AHEAD < n:  # random reads: many in flight, not one at a time
                    prefetch(score, order[lo + i + PREFETCH_AHEAD])
                keys[i] = _descending_key(score[order[lo + i]])
            _sort_keyed_span(order[lo:lo + n], keys[:n], scratch_idx, scratch_keys, counts)
            claim = claim_next(next_claim)
    return order, start


@njit(**jit_options(parallel=True))
def lookup_positions(values, low, lookup):
    """``lookup[v - low]`` for each of ``values``, or -1 where ``v - low`` is outside
    ``lookup`` (one pass; ``lookup`` maps a dense id range to positions, -1 for absent ids).

    Parameters
    ----------
    values : int64 (n,)
    low : int
    lookup : int64 (m,)

    Returns
    -------
    int64 (n,)
    """
    n = values.shape[0]
    out = empty_on_huge_pages(n, np.int64)
    size = np.uint64(lookup.shape[0])
    n_chunks = min(n, 64)
    for chunk in prange(n_chunks):
        for i in range(chunk * n // n_chunks, (chunk + 1) * n // n_chunks):
            offset = np.uint64(values[i] - low)  # below low: wraps to a huge value, outside
            out[i] = lookup[offset] if offset < size else -1
    return out


@njit(**jit_options())
def in_group_order(image, category, rank):
    """Whether rows are sorted by (image, category, rank) with no two rows alike — the order
    one batch of images given in ascending id order leaves them in (early exit at the first
    row out of order). ``image``, ``category``, ``rank``: int64 (n,)."""
    for i in range(1, image.shape[0]):
        if image[i] != image[i - 1]:
            if image[i] < image[i - 1]:
                return False
        elif category[i] != category[i - 1]:
            if category[i] < category[i - 1]:
                return False
        elif rank[i] <= rank[i - 1]:
            return False
    return True
