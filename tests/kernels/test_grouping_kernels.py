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
    order, start = G.category_score_order(category, score, n_categories)
    want = np.lexsort((np.arange(score.size), -score, category))  # category, score desc, input order
    np.testing.assert_array_equal(order, want)
    np.testing.assert_array_equal(start, np.concatenate([[0], np.cumsum(np.bincount(category, minlength=n_categories))]))
