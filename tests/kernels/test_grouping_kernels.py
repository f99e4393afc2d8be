"""Sorting kernels of the detection engine against NumPy's stable sorts."""

import numpy as np
import pytest

from modelmetrics.kernels import grouping as G


def _cases():
    rng = np.random.default_rng(7)
    yield np.empty(0)
    yield np.array([0.5])
    yield np.round(rng.random(50_000), 3)  # many ties
    yield rng.normal(size=20_000)  # negatives
    yield np.array([0.0, -0.0, 1e-300, -1e-300, 5e-324, np.inf, -np.inf, 1.0, 0.0, -0.0])
    yield np.full(1000, 0.25)  # every digit uniform
    yield rng.random(3000) * 10.0 ** rng.integers(-300, 300, 3000)


@pytest.mark.parametrize("values", list(_cases()))
def test_descending_order_is_numpys_stable_descending_argsort(values):
    got = G.descending_order(values)
    want = np.argsort(-values, kind="stable")
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n_categories", [1, 3, 80])
def test_category_score_order_groups_then_sorts_stably(n_categories):
    rng = np.random.default_rng(n_categories)
    category = rng.integers(0, n_categories, 10_000)
    score = np.round(rng.random(10_000), 2)
    order, start = G.category_score_order(category, score, n_categories, 2)
    want = np.lexsort((np.arange(score.size), -score, category))  # category, score desc, input order
    np.testing.assert_array_equal(order, want)
    np.testing.assert_array_equal(start, np.concatenate([[0], np.cumsum(np.bincount(category, minlength=n_categories))]))


def _category_cases():
    rng = np.random.default_rng(11)
    n = 20_000
    yield "uniform", rng.integers(0, 80, n), rng.random(n)
    yield "rounded", rng.integers(0, 80, n), np.round(rng.random(n), 2)
    # equal top key bits, differing low bits: the runs after the radix passes are long
    yield "long tie runs", rng.integers(0, 3, n), 0.5 + rng.integers(0, 1 << 20, n) * 2.0**-52
    yield "signed zeros", rng.integers(0, 5, n), np.where(rng.random(n) < 0.5, -0.0, 0.0)
    yield "wide range", rng.integers(0, 7, n), rng.normal(size=n) * 10.0 ** rng.integers(-300, 300, n)
    yield "one big category", np.zeros(n, np.int64), rng.random(n)
    yield "tiny categories", rng.integers(0, 5000, n), rng.random(n)
    yield "empty", np.zeros(0, np.int64), np.zeros(0)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name, category, score", list(_category_cases()))
def test_category_score_order_is_numpys_stable_order(name, category, score, threads):
    import numba

    n_categories = int(category.max(initial=-1)) + 1
    previous = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        order, start = G.category_score_order(category, score, n_categories,
                                              numba.get_num_threads())
    finally:
        numba.set_num_threads(previous)
    want = np.lexsort((np.arange(score.size), -score, category))
    np.testing.assert_array_equal(order, want)
    np.testing.assert_array_equal(start, np.concatenate(
        [[0], np.cumsum(np.bincount(category, minlength=n_categories))]))


def test_lookup_positions_against_searchsorted():
    from modelmetrics.detection import _engine as E

    rng = np.random.default_rng(5)
    table = np.unique(rng.integers(-50, 5000, 3000))  # dense: the lookup-table path
    values = np.concatenate([rng.integers(-100, 5100, 50_000),
                             [np.iinfo(np.int64).min, np.iinfo(np.int64).max, table[0] - 1,
                              table[0], table[-1], table[-1] + 1]])
    index = np.searchsorted(table, values)
    found = (index < table.size) & (table[np.minimum(index, table.size - 1)] == values)
    np.testing.assert_array_equal(E.positions(values, table), np.where(found, index, -1))
    np.testing.assert_array_equal(G.lookup_positions(values, int(table[0]), np.full(0, -1)),
                                  np.full(values.size, -1))


def test_count_outcomes_against_bincount():
    from modelmetrics.kernels import matching as MK

    rng = np.random.default_rng(6)
    category = rng.integers(0, 7, 10_000)
    score = np.round(rng.random(10_000), 2)
    status = rng.integers(0, 3, 10_000).astype(np.uint8)
    tp, fp = MK.count_outcomes(category, score, status, 0.5, 7)
    above = score >= 0.5
    np.testing.assert_array_equal(tp, np.bincount(category[above & (status == MK.TP)], minlength=7))
    np.testing.assert_array_equal(fp, np.bincount(category[above & (status == MK.FP)], minlength=7))


def test_in_group_order_against_a_lexicographic_check():
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 50):
        for _ in range(200):
            image, category, rank = (rng.integers(0, 3, n) for _ in range(3))
            if rng.random() < 0.5:  # sorted, duplicates removed: mostly in order
                keys = sorted(set(zip(image.tolist(), category.tolist(), rank.tolist())))
                image, category, rank = (np.array([k[i] for k in keys], np.int64).reshape(-1)
                                         for i in range(3))
                if keys and rng.random() < 0.3:  # one row swapped out of place
                    i = int(rng.integers(0, len(keys)))
                    j = int(rng.integers(0, len(keys)))
                    for a in (image, category, rank):
                        a[[i, j]] = a[[j, i]]
            rows = list(zip(image.tolist(), category.tolist(), rank.tolist()))
            expected = all(a < b for a, b in zip(rows, rows[1:]))
            assert G.in_group_order(image.astype(np.int64), category.astype(np.int64),
                                    rank.astype(np.int64)) == expected


def test_counting_sort_pairs_is_numpys_stable_sort_of_the_combined_keys():
    rng = np.random.default_rng(11)
    for n in (0, 1, 1000):
        major, minor = rng.integers(0, 7, n), rng.integers(0, 5, n)
        order, start = G.counting_sort_pairs(major, minor, 5, 35)
        keys = major * 5 + minor
        np.testing.assert_array_equal(order, np.argsort(keys, kind="stable"))
        np.testing.assert_array_equal(start, np.searchsorted(np.sort(keys), np.arange(36)))


def test_rank_within_buckets_is_a_stable_descending_sort_cut_per_bucket():
    """Each bucket by descending score, ties in input order (large buckets take the merge
    sort), its first ``max_per_bucket`` kept, with their positions, scores, categories and
    images; in place when no bucket is cut, into new arrays when one is."""
    rng = np.random.default_rng(13)
    for n, n_buckets in ((0, 4), (1, 1), (400, 9), (3000, 3)):  # 3000 / 3: long buckets
        bucket = rng.integers(0, n_buckets, n)
        score = rng.integers(0, 6, n) / 5.0  # many ties
        for max_per_bucket in (1, 7, n + 1):
            order, start = G.counting_sort_pairs(bucket, bucket, 0, n_buckets)
            given = order.copy()
            kept, kept_start, rank, kept_score, kept_category, kept_image = (
                G.rank_within_buckets(order, start, score, max_per_bucket, 4, 2))
            expected, expected_start = [], [0]
            for b in range(n_buckets):
                members = given[start[b]:start[b + 1]]
                members = members[np.argsort(-score[members], kind="stable")][:max_per_bucket]
                expected += members.tolist()
                expected_start.append(len(expected))
            np.testing.assert_array_equal(kept, np.array(expected, np.int64))
            np.testing.assert_array_equal(kept_start, expected_start)
            np.testing.assert_array_equal(rank, kept - kept + np.concatenate(
                [np.arange(m) for m in np.diff(expected_start)] or [np.zeros(0, np.int64)]))
            assert (kept is order) == (np.diff(start).max(initial=0) <= max_per_bucket)
            # bucket b = image * 4 + category (4 categories)
            kept_bucket = np.repeat(np.arange(n_buckets), np.diff(expected_start))
            np.testing.assert_array_equal(kept_score, score[kept])
            np.testing.assert_array_equal(kept_category, kept_bucket % 4)
            np.testing.assert_array_equal(kept_image, kept_bucket // 4)


def test_pair_offsets_are_the_cumulated_pair_counts():
    from modelmetrics.kernels import matching as MK
    rng = np.random.default_rng(12)
    det_start = np.concatenate([[0], np.cumsum(rng.integers(0, 4, 50))])
    gt_start = np.concatenate([[0], np.cumsum(rng.integers(0, 3, 50))])
    expected = np.concatenate([[0], np.cumsum(np.diff(det_start) * np.diff(gt_start))])
    np.testing.assert_array_equal(MK.pair_offsets(det_start, gt_start), expected)
