"""Tests of the regression metrics: ``mm.regression_metrics``, ``mm.regression_accuracy`` and the
streaming ``mm.RegressionMetrics``.

Two independent oracles: scikit-learn (MSE, MAE, max error, R², explained variance) and the
slow loops of ``tests/reference/regression.py`` (all of them, and the only oracle for mean error
and accuracy, which scikit-learn lacks). Tolerances are relative 1e-12; where a value can be near
zero (mean error) an absolute term scaled to the data, 1e-12 · max|error|, is added.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import struct
import warnings
import zlib

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning as SklearnUndefinedMetricWarning

import modelmetrics as mm
from modelmetrics._state import pack_state
from modelmetrics.kernels import moments as kernels
from modelmetrics.regression import _metrics as regression_module
from reference import regression as ref

RTOL = 1e-12
KEYS = (
    "mean-error",
    "max-error",
    "mean-absolute-error",
    "mean-squared-error",
    "r2-score",
    "explained-variance-score",
)
SKLEARN = {
    "mean-squared-error": skm.mean_squared_error,
    "mean-absolute-error": skm.mean_absolute_error,
    "r2-score": skm.r2_score,
    "explained-variance-score": skm.explained_variance_score,
}
REFERENCE = {
    "mean-error": ref.mean_error,
    "max-error": ref.max_error,
    "mean-absolute-error": ref.mean_absolute_error,
    "mean-squared-error": ref.mean_squared_error,
    "r2-score": ref.r2_score,
    "explained-variance-score": ref.explained_variance_score,
}
SIZES = [1, 2, 17, 1000, 300_000]
DTYPES = [np.float64, np.float32, np.int32, np.int64, np.uint8]


# -- helpers ---------------------------------------------------------------------------------


def make_data(n, *, n_outputs=None, dtype=np.float64, seed=0):
    """Correlated targets and predictions of the given dtype; ``y_true`` is never constant for
    n >= 2 (so R² is defined)."""
    rng = np.random.default_rng(seed)
    shape = (n,) if n_outputs is None else (n, n_outputs)
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        t = rng.normal(10.0, 3.0, size=shape)
        p = 0.8 * t + rng.normal(1.0, 1.5, size=shape)
    elif dtype == np.uint8:
        t = rng.integers(0, 256, size=shape)
        p = np.clip(t + rng.integers(-40, 41, size=shape), 0, 255)
    else:  # int32 / int64: wide values, exactly representable in float64
        high = 2**40 if dtype == np.int64 else 2**30
        t = rng.integers(-high, high, size=shape)
        p = t + rng.integers(-(high >> 3), high >> 3, size=shape)
    if n >= 2:
        t[0], t[-1] = 3, 11  # (whole rows for 2-D): never constant
    return t.astype(dtype), p.astype(dtype)


def make_weights(n, seed=1):
    """Positive weights with some exact zeros (never at the first three samples)."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.1, 3.0, size=n)
    w[3::7] = 0.0
    return w


def as64(a):
    return None if a is None else np.asarray(a, dtype=np.float64)


def sklearn_values(t, p, w=None, *, multioutput="uniform_average"):
    """scikit-learn's values on the float64-cast data (``max-error`` over positive weights)."""
    t, p, w = as64(t), as64(p), as64(w)
    with warnings.catch_warnings():  # scikit-learn's own: R² of a single sample is NaN
        warnings.simplefilter("ignore", SklearnUndefinedMetricWarning)
        out = {key: fn(t, p, sample_weight=w, multioutput=multioutput) for key, fn in SKLEARN.items()}
    keep = np.ones(t.shape[0], bool) if w is None else w > 0
    if t.ndim == 1:
        out["max-error"] = skm.max_error(t[keep], p[keep])
    else:
        maxima = [skm.max_error(t[keep, j], p[keep, j]) for j in range(t.shape[1])]
        if isinstance(multioutput, str) and multioutput == "raw_values":
            out["max-error"] = maxima
        else:
            weights = None if isinstance(multioutput, str) else multioutput
            out["max-error"] = float(np.average(maxima, weights=weights))
    return out


def assert_close(actual, expected, *, rtol=RTOL, atol=0.0, label=""):
    """Scalar or list comparison; ``None`` only equals ``None``."""
    if isinstance(expected, (list, tuple, np.ndarray)):
        assert isinstance(actual, list), f"{label}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{label}: {actual!r} vs {expected!r}"
        for j, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, rtol=rtol, atol=atol, label=f"{label}[{j}]")
        return
    if expected is None or actual is None:
        assert actual is None and expected is None, f"{label}: {actual!r} != {expected!r}"
        return
    assert isinstance(actual, float), f"{label}: {actual!r} is a {type(actual).__name__}, not float"
    assert math.isfinite(actual), f"{label}: {actual!r}"
    assert math.isclose(actual, float(expected), rel_tol=rtol, abs_tol=atol), (
        f"{label}: {actual!r} != {float(expected)!r} "
        f"(relative difference {abs(actual - expected) / max(abs(expected), 1e-300):.3g})")


def error_scale(t, p):
    """max |error| of the data, for absolute tolerances of near-zero values (mean error)."""
    return float(np.max(np.abs(as64(p) - as64(t)))) if np.size(t) else 0.0


def maybe_undefined(expected):
    return pytest.warns(mm.UndefinedMetricWarning) if expected else contextlib.nullcontext()


def compute(metric):
    """``metric.compute()`` for data where every value is defined (a warning would fail)."""
    return metric.compute()


# -- the reference oracle itself -------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
def test_reference_agrees_with_sklearn(weighted):
    """The slow reference is a second oracle: check it against scikit-learn first."""
    t, p = make_data(200, seed=5)
    w = make_weights(200) if weighted else None
    expected = sklearn_values(t, p, w)
    for key, fn in REFERENCE.items():
        if key == "mean-error":
            keep = np.ones(200, bool) if w is None else w > 0
            assert_close(fn(t, p, w), np.average((p - t)[keep], weights=None if w is None else w[keep]),
                         label=key)
        else:
            assert_close(fn(t, p, w), expected[key], label=key)


def test_reference_accuracy_by_hand():
    assert ref.accuracy([0, 0, 0, 0], [0.5, -0.5, 0.75, 0.0], threshold=0.5) == 0.75
    assert ref.accuracy([0, 0, 0], [0.5, 2.0, 0.0], [2.0, 1.0, 0.0], threshold=0.5) == 2.0 / 3.0
    assert ref.mean_error([1.0, 2.0], [2.0, 4.0], [1.0, 3.0]) == 7.0 / 4.0


# -- parity with scikit-learn ----------------------------------------------------------------


# The multi-core kernel is compiled once per dtype (~2 s each on a cold cache): the 300_000-sample
# size runs for the float dtypes only; the integer dtypes take the same code path at 1000.
SKLEARN_CASES = [(n, dtype) for n in SIZES for dtype in DTYPES
                 if n < 300_000 or np.dtype(dtype).kind == "f"]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(("n", "dtype"), SKLEARN_CASES,
                         ids=[f"{n}-{np.dtype(d).name}" for n, d in SKLEARN_CASES])
def test_matches_sklearn(n, dtype, weighted):
    t, p = make_data(n, dtype=dtype, seed=n)
    w = make_weights(n) if weighted else None
    expected = sklearn_values(t, p, w)
    with maybe_undefined(n == 1):
        got = mm.regression_metrics(t, p, sample_weight=w)
    assert set(got) == set(KEYS) | ({"undefined"} if n == 1 else set())
    for key in ("mean-squared-error", "mean-absolute-error", "max-error"):
        assert_close(got[key], expected[key], label=key)
    if n == 1:  # scikit-learn's R² is NaN below two samples; force_finite convention here
        perfect = float(p[0]) == float(t[0])
        assert got["r2-score"] == (1.0 if perfect else 0.0)
        assert got["explained-variance-score"] == expected["explained-variance-score"] == 1.0
        assert set(got["undefined"]) == {"r2-score", "explained-variance-score"}
    else:
        assert_close(got["r2-score"], expected["r2-score"], label="r2")
        assert_close(got["explained-variance-score"], expected["explained-variance-score"], label="ev")
    if n <= 1000:
        assert_close(got["mean-error"], ref.mean_error(t, p, w), atol=RTOL * error_scale(t, p))
    else:
        keep = np.ones(n, bool) if w is None else w > 0
        e = as64(p)[keep] - as64(t)[keep]
        assert_close(got["mean-error"], np.average(e, weights=None if w is None else w[keep]),
                     atol=RTOL * error_scale(t, p))


def test_large_batches_use_the_parallel_kernel(monkeypatch):
    """300_000 samples (>= 2**18) go through the multi-core kernel, so the parity tests above
    cover it; smaller batches do not."""
    assert regression_module.PARALLEL_MIN_SAMPLES == 2**18 <= 300_000
    calls = []
    original = kernels.fold_batch_parallel

    def spy(*args):
        calls.append(args[1].shape)
        return original(*args)

    monkeypatch.setattr(kernels, "fold_batch_parallel", spy)
    t, p = make_data(300_000, seed=3)
    mm.regression_metrics(t[:1000], p[:1000])
    assert calls == []
    got = mm.regression_metrics(t, p)
    if regression_module._config.JIT_PARALLEL:
        assert calls == [(300_000,)]
    assert_close(got["mean-squared-error"], skm.mean_squared_error(t, p))


def _strided_cases():
    rng = np.random.default_rng(7)
    base_t = rng.normal(5.0, 2.0, size=(2001, 3))
    base_p = base_t + rng.normal(0.3, 1.0, size=(2001, 3))
    f_t, f_p = np.asfortranarray(base_t), np.asfortranarray(base_p)
    return {
        "every-other": (base_t[:, 0].copy()[::2], base_p[:, 0].copy()[::2]),
        "reversed": (base_t[::-1, 1].copy()[::-1], base_p[::-1, 1].copy()[::-1]),
        "column-of-C-array": (base_t[:, 1], base_p[:, 1]),
        "column-of-Fortran-array": (f_t[:, 2], f_p[:, 2]),
        "row-strided-float32": (base_t[::3, 0].astype(np.float32)[::2], base_p[::3, 0].astype(np.float32)[::2]),
        "int64-every-third": ((base_t[:, 0] * 100).astype(np.int64)[::3], (base_p[:, 0] * 100).astype(np.int64)[::3]),
        "fortran-2d": (f_t, f_p),
        "strided-2d": (base_t[::2, ::2], base_p[::2, ::2]),
    }


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", list(_strided_cases()))
def test_non_contiguous_inputs(case, weighted):
    t, p = _strided_cases()[case]
    assert not (t.flags.c_contiguous and p.flags.c_contiguous) or case == "column-of-Fortran-array"
    w = make_weights(t.shape[0]) if weighted else None
    if weighted and case == "every-other":
        w = make_weights(2 * t.shape[0])[::2]  # strided weights too
    got = mm.regression_metrics(t, p, sample_weight=w, multioutput="raw_values")
    expected = sklearn_values(t, p, w, multioutput="raw_values")
    for key in SKLEARN:
        assert_close(got[key], list(np.atleast_1d(expected[key])), label=key)
    # the kernel reads the same values in the same order: bit-identical to a contiguous copy
    contiguous = mm.regression_metrics(np.ascontiguousarray(t), np.ascontiguousarray(p),
                                       sample_weight=None if w is None else np.ascontiguousarray(w),
                                       multioutput="raw_values")
    assert got == contiguous


def test_float16_and_mixed_dtypes():
    t, p = make_data(500, seed=11)
    t16, p32 = t.astype(np.float16), p.astype(np.float32)
    got = mm.regression_metrics(t16, p32, sample_weight=make_weights(500).astype(np.float32))
    expected = sklearn_values(t16, p32, make_weights(500).astype(np.float32))
    for key in ("mean-squared-error", "mean-absolute-error", "max-error", "r2-score"):
        assert_close(got[key], expected[key], label=key)


def test_big_endian_input():
    t, p = make_data(300, seed=12)
    got = mm.regression_metrics(t.astype(">f8"), p.astype(">f4"))
    expected = sklearn_values(t, p.astype(np.float32))
    for key in SKLEARN:
        assert_close(got[key], expected[key], label=key)


def test_uint8_errors_do_not_wrap_around():
    t = np.array([0, 255, 10], dtype=np.uint8)
    p = np.array([255, 0, 10], dtype=np.uint8)
    got = mm.regression_metrics(t, p)
    assert got["max-error"] == 255.0
    assert got["mean-error"] == 0.0
    assert got["mean-absolute-error"] == 170.0
    assert got["mean-squared-error"] == 2 * 255.0**2 / 3
    assert mm.regression_accuracy(t, p, threshold=1) == 1 / 3


def test_docstring_example_values_by_hand():
    got = mm.regression_metrics([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    assert got["mean-error"] == 0.25
    assert got["max-error"] == 1.0
    assert got["mean-absolute-error"] == 0.5
    assert got["mean-squared-error"] == 0.375
    assert_close(got["r2-score"], 1 - 0.375 / np.var([3.0, -0.5, 2.0, 7.0]))


# -- ill-conditioned data --------------------------------------------------------------------


def _ill_conditioned(n, seed=0):
    rng = np.random.default_rng(seed)
    t = 1e9 + rng.normal(0.0, 1.0, size=n)
    p = t + rng.normal(0.0, 0.5, size=n)
    return t, p


def test_naive_variance_formula_fails_on_ill_conditioned_data():
    """Shows the ill-conditioned tests have teeth: Σt² − n·t̄² loses every significant digit."""
    t, p = _ill_conditioned(10_000)
    n = t.size
    naive_ss_tot = float(np.sum(t * t) - n * np.mean(t) ** 2)
    exact_ss_tot = float(np.sum((t - np.mean(t)) ** 2))
    assert abs(naive_ss_tot - exact_ss_tot) > 1e-3 * exact_ss_tot
    naive_r2 = 1 - np.sum((p - t) ** 2) / naive_ss_tot
    assert abs(naive_r2 - skm.r2_score(t, p)) > 1e-4


@pytest.mark.parametrize("n", [500, 10_000, 300_000])
def test_ill_conditioned_error_metrics_match_sklearn(n):
    t, p = _ill_conditioned(n)
    got = mm.regression_metrics(t, p)
    expected = sklearn_values(t, p)
    for key in ("mean-squared-error", "mean-absolute-error", "max-error"):
        assert_close(got[key], expected[key], label=key)
    assert_close(got["mean-error"], float(np.mean(p - t)), atol=RTOL * error_scale(t, p))


def test_ill_conditioned_r2_single_block_matches_sklearn():
    """Up to one kernel block (512 samples) the centred sums are two-pass and exact enough."""
    t, p = _ill_conditioned(500)
    got = mm.regression_metrics(t, p)
    assert_close(got["r2-score"], skm.r2_score(t, p))
    assert_close(got["explained-variance-score"], skm.explained_variance_score(t, p))
    assert_close(got["r2-score"], ref.r2_score(t, p))


@pytest.mark.parametrize("n", [10_000, 300_000])
def test_ill_conditioned_r2_matches_sklearn(n):
    t, p = _ill_conditioned(n)
    got = mm.regression_metrics(t, p)
    assert_close(got["r2-score"], skm.r2_score(t, p), label="r2")
    assert_close(got["explained-variance-score"], skm.explained_variance_score(t, p), label="ev")


def test_ill_conditioned_shard_merge_matches_one_shot():
    t = np.array([1e6, 1e6 + 1, 1e6 + 1, 1e6])
    p = t + np.array([0.5, -0.25, 0.125, 0.375])
    one = mm.RegressionMetrics().update(t, p).compute()
    merged = mm.RegressionMetrics().update(t[:3], p[:3]).merge(
        mm.RegressionMetrics().update(t[3:], p[3:])).compute()
    assert_close(one["r2-score"], ref.r2_score(t, p))
    assert_close(merged["r2-score"], one["r2-score"])


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_ill_conditioned_shards_and_batches_match_sklearn(weighted):
    """1e9 + noise fed in uneven batches and in shards merged in a scrambled order."""
    n = 20_000
    t, p = _ill_conditioned(n, seed=3)
    w = make_weights(n) if weighted else None
    rng = np.random.default_rng(5)
    parts = _split(n, 9, rng)
    batched = mm.RegressionMetrics()
    for part in parts:
        batched.update(t[part], p[part], None if w is None else w[part])
    shards = [mm.RegressionMetrics().update(t[part], p[part], None if w is None else w[part])
              for part in parts]
    merged = mm.RegressionMetrics()
    for i in rng.permutation(len(shards)):
        merged.merge(shards[i])
    for result in (batched.compute(), merged.compute()):
        assert_close(result["r2-score"], skm.r2_score(t, p, sample_weight=w), label="r2")
        assert_close(result["explained-variance-score"],
                     skm.explained_variance_score(t, p, sample_weight=w), label="ev")
        assert_close(result["mean-squared-error"], skm.mean_squared_error(t, p, sample_weight=w))


# -- multi-output ----------------------------------------------------------------------------


MULTIOUTPUTS = ["raw_values", "uniform_average", [0.2, 0.5, 0.3], np.array([0.0, 1.0, 3.0])]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("multioutput", MULTIOUTPUTS, ids=["raw", "uniform", "weights", "weights-with-zero"])
@pytest.mark.parametrize("n", [17, 1000, 300_000])
def test_multioutput_matches_sklearn(n, multioutput, weighted):
    t, p = make_data(n, n_outputs=3, seed=n + 1)
    w = make_weights(n) if weighted else None
    mo = np.asarray(multioutput) if isinstance(multioutput, list) else multioutput
    got = mm.regression_metrics(t, p, sample_weight=w, multioutput=multioutput)
    expected = sklearn_values(t, p, w, multioutput=mo)
    for key in ("mean-squared-error", "mean-absolute-error", "r2-score", "explained-variance-score", "max-error"):
        exp = expected[key]
        assert_close(got[key], list(exp) if isinstance(exp, np.ndarray) else exp, label=key)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_multioutput_per_output_against_reference(weighted):
    t, p = make_data(400, n_outputs=4, seed=21)
    w = make_weights(400) if weighted else None
    result = mm.RegressionMetrics(threshold=1.5, multioutput="raw_values").update(t, p, w).compute()
    for key, fn in REFERENCE.items():
        expected = ref.per_output(fn, t, p, w)
        atol = RTOL * error_scale(t, p) if key == "mean-error" else 0.0
        assert_close(result.per_output[key], expected, atol=atol, label=key)
        assert_close(result.values[key], expected, atol=atol, label=key)
    assert_close(result.accuracy, ref.per_output(ref.accuracy, t, p, w, threshold=1.5))


def test_max_error_multioutput_is_mean_of_per_output_maxima():
    t = np.array([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]])
    p = np.array([[0.5, 0.0], [1.0, 13.0], [2.0, 20.0]])
    assert mm.regression_metrics(t, p, multioutput="raw_values")["max-error"] == [0.5, 3.0]
    assert mm.regression_metrics(t, p)["max-error"] == 1.75
    assert mm.regression_metrics(t, p, multioutput=[3, 1])["max-error"] == (0.5 * 3 + 3.0) / 4
    t2, p2 = make_data(1000, n_outputs=3, seed=4)
    maxima = [skm.max_error(t2[:, j], p2[:, j]) for j in range(3)]
    assert mm.regression_metrics(t2, p2, multioutput="raw_values")["max-error"] == maxima
    assert_close(mm.regression_metrics(t2, p2)["max-error"], float(np.mean(maxima)))


def test_single_column_2d_equals_1d():
    t, p = make_data(300, seed=8)
    one_d = mm.regression_metrics(t, p)
    two_d = mm.regression_metrics(t[:, None], p[:, None])
    assert one_d == two_d
    assert mm.regression_metrics(t[:, None], p[:, None], multioutput="raw_values") == {
        k: [v] for k, v in one_d.items()}


# -- mean error and accuracy against the reference -------------------------------------------


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("n", [1, 2, 17, 1000])
def test_all_metrics_match_reference(n, dtype, weighted):
    t, p = make_data(n, dtype=dtype, seed=100 + n)
    w = make_weights(n, seed=n) if weighted else None
    with maybe_undefined(n == 1):
        result = mm.RegressionMetrics(threshold=1.0).update(t, p, w).compute()
    for key, fn in REFERENCE.items():
        atol = RTOL * error_scale(t, p) if key == "mean-error" else 0.0
        assert_close(result[key], fn(t, p, w), atol=atol, label=key)
    assert_close(result.accuracy, ref.accuracy(t, p, w, threshold=1.0), label="accuracy")
    assert result.n_samples == n


@pytest.mark.parametrize("threshold", [0, 0.25, 0.5, 1, 2.5, 1e9])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_regression_accuracy_thresholds(threshold, weighted):
    t, p = make_data(1000, seed=31)
    p = np.round(p * 4) / 4  # quarter steps: many errors exactly on the thresholds
    t = np.round(t * 4) / 4
    w = make_weights(1000) if weighted else None
    got = mm.regression_accuracy(t, p, threshold=threshold, sample_weight=w)
    expected = ref.accuracy(t, p, w, threshold=threshold)
    assert_close(got, expected)
    assert 0.0 < expected <= 1.0 or threshold == 0


@pytest.mark.parametrize(("y_true", "y_pred", "threshold", "expected"), [
    ([0.0, 0.0, 0.0, 0.0], [0.5, -0.5, 0.5000000000000001, 0.25], 0.5, 0.75),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.5], 0.0, 2 / 3),
    ([10, 20, 30, 40], [10.2, 21, 30.5, 39.4], 0.5, 0.5),  # |39.4 - 40| = 0.6000000000000014
    ([0, 0], [1, -1], 1, 1.0),
    ([0.1], [0.3], 0.2, 1.0),  # |0.3 - 0.1| == 0.19999999999999998 in float64
    ([0.0], [0.2], 0.19999999999999998, 0.0),
], ids=["half", "zero", "docstring", "int-boundary", "float-subtraction", "just-outside"])
def test_accuracy_boundary_counts_as_within(y_true, y_pred, threshold, expected):
    got = mm.regression_accuracy(y_true, y_pred, threshold=threshold)
    assert got == expected
    assert got == ref.accuracy(y_true, y_pred, threshold=threshold)


def test_accuracy_default_threshold_and_result_fields():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    p = np.array([0.5, 1.25, 2.0, 2.4])
    assert mm.regression_accuracy(t, p) == 0.75
    result = mm.RegressionMetrics().update(t, p).compute()
    assert result.threshold == 0.5
    assert result.accuracy == 0.75
    assert mm.RegressionMetrics(threshold=1).update(t, p).compute().accuracy == 1.0


def test_accuracy_weighted_and_multioutput():
    t = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    p = np.array([[0.1, 1.0], [2.0, 0.2], [0.0, 0.0]])
    w = np.array([1.0, 3.0, 0.0])
    assert mm.regression_accuracy(t, p, sample_weight=w, multioutput="raw_values") == [0.25, 0.75]
    assert mm.regression_accuracy(t, p, sample_weight=w) == 0.5
    assert mm.regression_accuracy(t, p, sample_weight=w, multioutput=[1, 3]) == (0.25 + 3 * 0.75) / 4


def test_regression_accuracy_does_not_fail_on_constant_targets():
    """regression_accuracy does not report R²; constant targets are fine for it."""
    assert mm.regression_accuracy([3.0, 3.0, 3.0], [3.0, 3.5, 4.0]) == 2 / 3


# -- undefined values ------------------------------------------------------------------------


@pytest.mark.parametrize(("y_pred", "r2", "ev"), [
    ([3.0, 3.0, 3.0, 3.0], 1.0, 1.0),  # perfect
    ([3.5, 3.5, 3.5, 3.5], 0.0, 1.0),  # constant error: Var(error) = 0
    ([3.0, 3.0, 3.5, 2.0], 0.0, 0.0),
], ids=["perfect", "constant-error", "imperfect"])
def test_constant_targets_follow_force_finite_convention(y_pred, r2, ev):
    y_true = [3.0, 3.0, 3.0, 3.0]
    with pytest.warns(mm.UndefinedMetricWarning) as record:
        got = mm.regression_metrics(y_true, y_pred)
    assert got["r2-score"] == r2 == skm.r2_score(y_true, y_pred)
    assert got["explained-variance-score"] == ev == skm.explained_variance_score(y_true, y_pred)
    assert got["r2-score"] == ref.r2_score(y_true, y_pred)
    assert got["explained-variance-score"] == ref.explained_variance_score(y_true, y_pred)
    assert set(got["undefined"]) == {"r2-score", "explained-variance-score"}
    for reason in got["undefined"].values():
        assert "constant" in reason and "force_finite" in reason
    messages = " ".join(str(w.message) for w in record)
    assert "r2-score" in messages and "explained-variance-score" in messages
    # the other metrics are defined and exact
    assert got["max-error"] == max(abs(v - 3.0) for v in y_pred)
    assert_close(got["mean-squared-error"], skm.mean_squared_error(y_true, y_pred), atol=0)


@pytest.mark.parametrize("y_pred", [[3.0, 3.0, 3.0], [3.0, 4.0, 3.5]])
def test_constant_targets_without_force_finite_are_none(y_pred):
    with pytest.warns(mm.UndefinedMetricWarning):
        got = mm.regression_metrics([3.0, 3.0, 3.0], y_pred, force_finite=False)
    assert got["r2-score"] is None
    assert got["explained-variance-score"] is None
    assert ref.r2_score([3.0] * 3, y_pred, force_finite=False) is None
    assert "constant" in got["undefined"]["r2-score"]
    assert got["mean-error"] == ref.mean_error([3.0] * 3, y_pred)


def test_constant_targets_among_positive_weights():
    """y_true constant over the samples that carry weight is constant (as in scikit-learn)."""
    t, p, w = [3.0, 3.0, 7.0], [3.0, 3.5, 3.5], [1.0, 1.0, 0.0]
    with pytest.warns(mm.UndefinedMetricWarning):
        got = mm.regression_metrics(t, p, sample_weight=w)
    assert got["r2-score"] == skm.r2_score(t, p, sample_weight=w) == 0.0
    assert got["max-error"] == 0.5  # the zero-weight sample's error 3.5 does not count
    assert "r2-score" in got["undefined"]


def test_constant_targets_in_one_output():
    t = np.array([[1.0, 3.0], [2.0, 3.0], [4.0, 3.0]])
    p = np.array([[1.5, 3.0], [2.0, 3.5], [3.0, 3.0]])
    with pytest.warns(mm.UndefinedMetricWarning, match="output 1"):
        raw = mm.regression_metrics(t, p, multioutput="raw_values")
    expected = skm.r2_score(t, p, multioutput="raw_values")
    assert_close(raw["r2-score"], list(expected))
    assert raw["r2-score"][1] == 0.0
    assert "output 1" in raw["undefined"]["r2-score"] and "output 0" not in raw["undefined"]["r2-score"]
    with pytest.warns(mm.UndefinedMetricWarning):
        avg = mm.regression_metrics(t, p)
    assert_close(avg["r2-score"], skm.r2_score(t, p))
    with pytest.warns(mm.UndefinedMetricWarning):
        strict = mm.regression_metrics(t, p, force_finite=False)
    assert strict["r2-score"] is None and strict["explained-variance-score"] is None
    assert strict["mean-squared-error"] == avg["mean-squared-error"]
    with pytest.warns(mm.UndefinedMetricWarning):
        strict_raw = mm.regression_metrics(t, p, force_finite=False, multioutput="raw_values")
    assert strict_raw["r2-score"][1] is None
    assert_close(strict_raw["r2-score"][0], expected[0])


def test_defined_results_have_no_undefined_key_and_no_warning():
    t, p = make_data(50, seed=2)
    got = mm.regression_metrics(t, p)  # an UndefinedMetricWarning would be an error here
    assert "undefined" not in got
    assert mm.RegressionMetrics().update(t, p).compute().undefined == {}


def test_single_sample():
    with pytest.warns(mm.UndefinedMetricWarning):
        got = mm.regression_metrics([2.0], [3.5])
    assert got["mean-error"] == 1.5
    assert got["max-error"] == 1.5
    assert got["mean-absolute-error"] == 1.5
    assert got["mean-squared-error"] == 2.25
    assert got["r2-score"] == 0.0
    assert got["explained-variance-score"] == 1.0  # a single error has zero variance
    assert set(got["undefined"]) == {"r2-score", "explained-variance-score"}
    with pytest.warns(mm.UndefinedMetricWarning):
        perfect = mm.regression_metrics([2.0], [2.0])
    assert perfect["r2-score"] == 1.0 and perfect["mean-squared-error"] == 0.0


def test_result_object_accessors():
    t, p = make_data(100, seed=9)
    result = mm.RegressionMetrics().update(t, p).compute()
    assert isinstance(result, mm.RegressionResult)
    assert result.mean_error == result["mean-error"] == result.values["mean-error"]
    assert result.max_error == result["max-error"]
    assert result.mean_absolute_error == result["mean-absolute-error"]
    assert result.mean_squared_error == result["mean-squared-error"]
    assert result.r2_score == result["r2-score"]
    assert result.explained_variance_score == result["explained-variance-score"]
    assert result.to_dict() == mm.regression_metrics(t, p)
    assert result.n_samples == 100 and result.n_omitted == (0,)
    assert result.per_output == {k: [v] for k, v in result.values.items()}


# -- invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize("make_empty", [
    lambda: ([], []),
    lambda: (np.empty(0), np.empty(0)),
    lambda: (np.empty((0, 3)), np.empty((0, 3))),
], ids=["lists", "1d", "2d"])
def test_empty_input_is_refused(make_empty):
    t, p = make_empty()
    with pytest.raises(mm.InvalidInputError, match="'y_true'.*at least one sample"):
        mm.regression_metrics(t, p)
    with pytest.raises(mm.InvalidInputError, match="'y_true'.*at least one sample"):
        mm.regression_accuracy(t, p)
    metric = mm.RegressionMetrics().update(t, p)
    with pytest.raises(mm.InvalidInputError, match=r"compute\(\) needs at least one sample"):
        metric.compute()


NONFINITE = [np.nan, np.inf, -np.inf]


@pytest.mark.parametrize("bad", NONFINITE, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("argument", ["y_true", "y_pred", "sample_weight"])
@pytest.mark.parametrize(("n", "index"), [(10, 5), (2000, 1500), (300_000, 299_000)])
def test_nonfinite_values_are_refused_with_argument_and_index(argument, bad, n, index):
    t, p = make_data(n, seed=4)
    w = make_weights(n)
    w[index] = 1.0
    arrays = {"y_true": t, "y_pred": p, "sample_weight": w}
    arrays[argument][index] = bad
    with pytest.raises(mm.InvalidInputError) as info:
        mm.regression_metrics(t, p, sample_weight=w)
    message = str(info.value)
    assert f"'{argument}'" in message
    assert f"index {index}" in message
    if argument == "sample_weight" and bad < 0:
        assert "non-negative" in message  # -inf is refused as a negative weight
    else:
        assert "finite numbers" in message and "nan_policy='omit'" in message


@pytest.mark.parametrize("argument", ["y_true", "y_pred"])
def test_nonfinite_in_2d_names_row_and_column(argument):
    t, p = make_data(50, n_outputs=3, seed=4)
    ({"y_true": t, "y_pred": p})[argument][17, 2] = np.nan
    with pytest.raises(mm.InvalidInputError, match=rf"'{argument}'.*row 17, column 2"):
        mm.regression_metrics(t, p)
    w = make_weights(50)
    w[8] = np.inf
    t[17, 2] = 1.0
    p[17, 2] = 1.0
    with pytest.raises(mm.InvalidInputError, match=r"'sample_weight'.*index 8"):
        mm.regression_metrics(t, p, sample_weight=w)


def test_nonfinite_reports_count_and_first_index():
    t = np.array([1.0, np.nan, 3.0, np.nan, 5.0])
    p = np.array([1.0, 2.0, np.inf, 4.0, 5.0])
    with pytest.raises(mm.InvalidInputError, match=r"'y_true'.*index 1 \(3 non-finite"):
        mm.regression_metrics(t, p)


def test_nonfinite_at_zero_weight_is_refused_wherever_it_is():
    t, p = make_data(1024, seed=4)
    w = np.ones(1024)
    w[512:] = 0.0  # the whole second kernel block has weight 0
    t[700] = np.nan
    with pytest.raises(mm.InvalidInputError, match=r"'y_true'.*index 700"):
        mm.regression_metrics(t, p, sample_weight=w)


def test_nonfinite_at_zero_weight_in_a_weighted_block_is_refused():
    t, p = make_data(1024, seed=4)
    w = np.ones(1024)
    w[100] = 0.0
    t[100] = np.nan
    with pytest.raises(mm.InvalidInputError, match=r"'y_true'.*index 100"):
        mm.regression_metrics(t, p, sample_weight=w)


@pytest.mark.parametrize("n", [40, 300_000])
def test_nan_policy_omit_skips_pairs_and_equals_sklearn_on_filtered_data(n):
    t, p = make_data(n, seed=6)
    w = make_weights(n)
    t[[2, 9]] = np.nan
    p[[5, 9]] = [np.inf, -np.inf]
    w[[20]] = np.nan
    keep = np.isfinite(t) & np.isfinite(p) & np.isfinite(w)
    metric = mm.RegressionMetrics(nan_policy="omit", threshold=2.0).update(t, p, w)
    with pytest.warns(mm.ExcludedDataWarning, match="4 .*pair"):
        result = metric.compute()
    assert result.n_omitted == (4,)
    assert result.n_samples == n
    expected = sklearn_values(t[keep], p[keep], w[keep])
    for key in SKLEARN:
        assert_close(result[key], expected[key], label=key)
    assert_close(result["max-error"], expected["max-error"])
    assert_close(result["mean-error"], ref.mean_error(t[keep], p[keep], w[keep]) if n < 1000 else
                 float(np.average((p - t)[keep], weights=w[keep])), atol=RTOL * error_scale(t[keep], p[keep]))
    assert_close(result.accuracy, mm.regression_accuracy(t[keep], p[keep], threshold=2.0, sample_weight=w[keep]))
    with pytest.warns(mm.ExcludedDataWarning):
        as_dict = mm.regression_metrics(t, p, sample_weight=w, nan_policy="omit")
    assert as_dict == result.to_dict()


def test_nan_policy_omit_multioutput_counts_per_output():
    t, p = make_data(60, n_outputs=3, seed=13)
    t[4, 0] = np.nan
    p[7, 2] = np.inf
    p[9, 2] = np.nan
    with pytest.warns(mm.ExcludedDataWarning, match=r"\[1, 0, 2\]"):
        result = mm.RegressionMetrics(nan_policy="omit", multioutput="raw_values").update(t, p).compute()
    assert result.n_omitted == (1, 0, 2)
    for j in range(3):
        keep = np.isfinite(t[:, j]) & np.isfinite(p[:, j])
        assert_close(result["r2-score"][j], skm.r2_score(t[keep, j], p[keep, j]))
        assert_close(result["mean-squared-error"][j], skm.mean_squared_error(t[keep, j], p[keep, j]))


def test_nan_policy_omit_everything_omitted():
    metric = mm.RegressionMetrics(nan_policy="omit").update([np.nan, 1.0], [1.0, np.inf])
    with pytest.raises(mm.InvalidInputError, match="none of the 2 samples carries weight"):
        metric.compute()


def test_nan_policy_omit_without_nonfinite_values_does_not_warn():
    t, p = make_data(30, seed=1)
    assert mm.regression_metrics(t, p, nan_policy="omit") == mm.regression_metrics(t, p)


@pytest.mark.parametrize(("t_shape", "p_shape"), [((5,), (4,)), ((5, 2), (5, 3)), ((5,), (5, 1)), ((4, 2), (5, 2))])
def test_mismatched_shapes(t_shape, p_shape):
    with pytest.raises(mm.InvalidInputError) as info:
        mm.regression_metrics(np.ones(t_shape), np.ones(p_shape))
    message = str(info.value)
    assert "'y_true'" in message and "'y_pred'" in message and "same shape" in message
    assert str(t_shape) in message and str(p_shape) in message


@pytest.mark.parametrize("length", [4, 6, 0])
def test_wrong_sample_weight_length(length):
    with pytest.raises(mm.InvalidInputError, match=rf"'sample_weight'.*one weight per sample \(5\)\. Got {length}"):
        mm.regression_metrics(np.arange(5.0), np.arange(5.0) + 1, sample_weight=np.ones(length))


def test_two_dimensional_sample_weight_is_refused():
    with pytest.raises(mm.InvalidInputError, match="'sample_weight'.*1 dimension"):
        mm.regression_metrics(np.arange(5.0), np.arange(5.0), sample_weight=np.ones((5, 1)))


@pytest.mark.parametrize("value", [np.float64(3.0), np.ones((2, 2, 2))], ids=["scalar", "3d"])
def test_wrong_number_of_dimensions(value):
    with pytest.raises(mm.InvalidInputError, match="'y_true'.*1 or 2 dimension"):
        mm.regression_metrics(value, value)


def test_negative_weights_are_refused():
    with pytest.raises(mm.InvalidInputError, match=r"'sample_weight'.*non-negative\. Got -0\.5 at index 2"):
        mm.regression_metrics([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0], sample_weight=[1.0, 1.0, -0.5, 1.0])
    t, p = make_data(300_000, seed=2)
    w = np.ones(300_000)
    w[280_000] = -1.0
    with pytest.raises(mm.InvalidInputError, match=r"'sample_weight'.*index 280000"):
        mm.regression_metrics(t, p, sample_weight=w)


def test_all_zero_weights_are_refused():
    with pytest.raises(mm.InvalidInputError, match="none of the 3 samples carries weight"):
        mm.regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], sample_weight=[0, 0, 0])
    with pytest.raises(mm.InvalidInputError, match="carries weight"):
        mm.regression_accuracy([1.0, 2.0], [1.0, 2.0], sample_weight=np.zeros(2))


def test_zero_weights_leave_samples_out():
    t, p = make_data(100, seed=3)
    w = make_weights(100)
    keep = w > 0
    weighted = mm.regression_metrics(t, p, sample_weight=w)
    dropped = mm.regression_metrics(t[keep], p[keep], sample_weight=w[keep])
    for key in KEYS:
        assert_close(weighted[key], dropped[key], atol=RTOL * error_scale(t, p), label=key)
    assert weighted["max-error"] == dropped["max-error"]


def test_integer_weights_equal_repetition():
    t, p = make_data(50, seed=14)
    w = np.random.default_rng(0).integers(1, 4, size=50)
    weighted = mm.regression_metrics(t, p, sample_weight=w)
    repeated = mm.regression_metrics(np.repeat(t, w), np.repeat(p, w))
    for key in KEYS:
        assert_close(weighted[key], repeated[key], atol=RTOL * error_scale(t, p), label=key)


NON_NUMERIC = {
    "strings": ["a", "b", "c"],
    "numeric-strings": np.array(["1.0", "2.0", "3.0"]),
    "object-array": np.array([1.0, None, 3.0], dtype=object),
    "object-numbers": np.array([1.0, 2.0, 3.0], dtype=object),
    "none": None,
    "str": "123",
    "dict": {"a": 1},
    "complex": np.array([1 + 1j, 2, 3]),
    "bool": np.array([True, False, True]),
    "bool-list": [True, False, True],
    "datetime": np.array(["2024-01-01", "2024-01-02", "2024-01-03"], dtype="datetime64[D]"),
}


@pytest.mark.parametrize("argument", ["y_true", "y_pred", "sample_weight"])
@pytest.mark.parametrize("kind", list(NON_NUMERIC))
def test_non_numeric_input_is_refused(kind, argument):
    if argument == "sample_weight" and kind == "none":
        pytest.skip("sample_weight=None means unweighted")
    arrays = {"y_true": [1.0, 2.0, 3.0], "y_pred": [1.0, 2.5, 3.0], "sample_weight": [1.0, 1.0, 1.0]}
    arrays[argument] = NON_NUMERIC[kind]
    with pytest.raises(mm.InvalidInputError) as info:
        mm.regression_metrics(arrays["y_true"], arrays["y_pred"], sample_weight=arrays["sample_weight"])
    message = str(info.value)
    assert f"'{argument}'" in message
    assert "number" in message
    with pytest.raises(mm.InvalidInputError, match=f"'{argument}'"):
        mm.RegressionMetrics().update(arrays["y_true"], arrays["y_pred"], arrays["sample_weight"])


def test_ragged_input_is_refused_by_update():
    with pytest.raises(mm.InvalidInputError, match="'y_true'"):
        mm.RegressionMetrics().update([[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0]])


def test_ragged_input_is_refused_by_regression_metrics():
    with pytest.raises(mm.InvalidInputError, match="'y_true'"):
        mm.regression_metrics([[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0]])


def test_zero_outputs_are_refused():
    with pytest.raises(mm.InvalidInputError, match="'y_true'"):
        mm.regression_metrics(np.zeros((5, 0)), np.zeros((5, 0)))


BAD_PARAMETERS = [
    ({"threshold": -0.1}, "threshold"),
    ({"threshold": float("nan")}, "threshold"),
    ({"threshold": float("inf")}, "threshold"),
    ({"threshold": "0.5"}, "threshold"),
    ({"threshold": True}, "threshold"),
    ({"threshold": None}, "threshold"),
    ({"nan_policy": "drop"}, "nan_policy"),
    ({"nan_policy": None}, "nan_policy"),
    ({"multioutput": "foo"}, "multioutput"),
    ({"multioutput": "variance_weighted"}, "multioutput"),
    ({"multioutput": [-1.0, 2.0]}, "multioutput"),
    ({"multioutput": [0.0, 0.0]}, "multioutput"),
    ({"multioutput": [np.nan, 1.0]}, "multioutput"),
    ({"multioutput": [[1.0, 2.0]]}, "multioutput"),
    ({"force_finite": "yes"}, "force_finite"),
    ({"force_finite": 1}, "force_finite"),
]


@pytest.mark.parametrize(("options", "name"), BAD_PARAMETERS, ids=[repr(o) for o, _ in BAD_PARAMETERS])
def test_bad_parameters_are_refused(options, name):
    with pytest.raises(mm.InvalidInputError, match=f"'{name}'"):
        mm.RegressionMetrics(**options)
    t, p = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 2.5], [3.0, 4.0]])
    function = mm.regression_accuracy if "threshold" in options else mm.regression_metrics
    with pytest.raises(mm.InvalidInputError, match=f"'{name}'"):
        function(t, p, **options)


@pytest.mark.parametrize(("function", "options"), [
    ("regression_accuracy", {"threshold": -1}),
    ("regression_metrics", {"nan_policy": "drop"}),
    ("regression_metrics", {"multioutput": "foo"}),
])
def test_parameter_errors_name_the_function_called(function, options):
    with pytest.raises(mm.InvalidInputError, match=f"parameter of {function} must be"):
        getattr(mm, function)([1.0, 2.0], [1.0, 3.0], **options)


def test_bad_parameter_message_format():
    with pytest.raises(mm.InvalidInputError) as info:
        mm.RegressionMetrics(threshold=-1)
    assert str(info.value) == ("The 'threshold' parameter of RegressionMetrics must be a finite "
                               "number >= 0. Got -1 instead.")
    with pytest.raises(mm.InvalidInputError, match=r"'nan_policy'.*'raise', 'omit'. Got 'drop'"):
        mm.regression_metrics([1.0, 2.0], [1.0, 2.0], nan_policy="drop")


@pytest.mark.parametrize("weights", [[1.0, 2.0, 3.0], [1.0], [1.0, 2.0, 3.0, 4.0]])
def test_wrong_length_multioutput_weights(weights):
    t, p = make_data(10, n_outputs=2, seed=1)
    with pytest.raises(mm.InvalidInputError, match=rf"'multioutput' weights .* {len(weights)} entries .* 2 output"):
        mm.regression_metrics(t, p, multioutput=weights)
    with pytest.raises(mm.InvalidInputError, match="'multioutput'"):
        mm.RegressionMetrics(multioutput=weights).update(t, p)


def test_overflow_of_sums_is_refused():
    rng = np.random.default_rng(0)
    t = rng.normal(size=100) * 1e200
    p = -t
    with pytest.raises(mm.InvalidInputError, match="overflow") as info:
        mm.regression_metrics(t, p)
    assert "Rescale" in str(info.value)
    with pytest.raises(mm.InvalidInputError, match="overflow"):
        mm.regression_metrics(np.array([1e200, -1e200, 3e200]), np.zeros(3))


def test_overflow_of_the_squared_mean_error_is_refused():
    t = np.array([0.0, 1.0, 2.0])
    p = np.array([1e155, 1.0000001e155, 1.0000002e155])
    with pytest.raises(mm.InvalidInputError, match="overflow"):
        mm.regression_metrics(t, p)


@pytest.mark.parametrize(("y_true", "y_pred"), [
    ([1e-170, 0.0], [1.0, 2.0]),
    ([4.33431047e-290, 0.0], [0.0, 0.0]),
], ids=["imperfect", "perfect-up-to-underflow"])
def test_variance_underflow_is_not_a_crash(y_true, y_pred):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            got = mm.regression_metrics(y_true, y_pred)
        except mm.InvalidInputError as exc:
            assert "y_true" in str(exc)
            return
    for key in ("r2-score", "explained-variance-score"):
        assert got[key] is None or math.isfinite(got[key]), (key, got[key])
        if got[key] is None or got[key] != skm.r2_score(y_true, y_pred):
            assert key in got.get("undefined", {}), (key, got)


def _widely_weighted(n_light=512, n_heavy=512, light=1e-12):
    """Light samples (weight 1e-12) with large errors, heavy ones (weight 1) with tiny errors:
    the MSE (~2e-12) is far below max|error|² (1)."""
    t = np.concatenate([np.zeros(n_light), np.arange(float(n_heavy))])
    p = t + np.concatenate([np.ones(n_light), np.full(n_heavy, 1e-6)])
    w = np.concatenate([np.full(n_light, light), np.ones(n_heavy)])
    return t, p, w


def test_weights_spanning_few_orders_of_magnitude_match_sklearn():
    t, p, w = _widely_weighted(light=1e-3)
    got = mm.regression_metrics(t, p, sample_weight=w)
    expected = sklearn_values(t, p, w)
    for key in SKLEARN:
        assert_close(got[key], expected[key], label=key)


@pytest.mark.parametrize("how", ["one-call", "merged-shards"])
def test_weights_spanning_many_orders_of_magnitude_match_sklearn(how):
    t, p, w = _widely_weighted()
    if how == "one-call":  # two kernel blocks of 512 samples
        got = mm.RegressionMetrics().update(t, p, w).compute()
    else:
        got = mm.RegressionMetrics().update(t[:512], p[:512], w[:512]).merge(
            mm.RegressionMetrics().update(t[512:], p[512:], w[512:])).compute()
    assert_close(got["mean-squared-error"], skm.mean_squared_error(t, p, sample_weight=w))
    assert_close(got["mean-error"], ref.mean_error(t, p, w), atol=RTOL * error_scale(t, p))


# -- streaming -------------------------------------------------------------------------------


def _split(n, n_parts, rng):
    cuts = np.sort(rng.choice(np.arange(1, n), size=n_parts - 1, replace=False))
    return np.split(np.arange(n), cuts)


def assert_results_close(actual, expected, scale):
    assert actual.n_samples == expected.n_samples
    assert actual.n_omitted == expected.n_omitted
    assert actual.undefined == expected.undefined
    for key in KEYS:
        atol = RTOL * scale if key == "mean-error" else 0.0
        assert_close(actual[key], expected[key], atol=atol, label=key)
        assert_close(actual.per_output[key], expected.per_output[key], atol=atol, label=key)
    assert_close(actual.accuracy, expected.accuracy, label="accuracy")


@pytest.mark.parametrize("n_outputs", [None, 3])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_batched_updates_equal_one_shot(weighted, n_outputs):
    n = 5000
    t, p = make_data(n, n_outputs=n_outputs, seed=40)
    w = make_weights(n) if weighted else None
    one = mm.RegressionMetrics(threshold=2.0).update(t, p, w).compute()
    rng = np.random.default_rng(1)
    for n_parts in (2, 7, 40):
        metric = mm.RegressionMetrics(threshold=2.0)
        for part in _split(n, n_parts, rng):
            metric.update(t[part], p[part], None if w is None else w[part])
            metric.update(t[:0], p[:0], None if w is None else w[:0])  # empty batches in between
        assert metric.n_samples == n
        assert_results_close(compute(metric), one, error_scale(t, p))
    by_sample = mm.RegressionMetrics(threshold=2.0)
    for i in range(600):
        by_sample.update(t[i:i + 1], p[i:i + 1], None if w is None else w[i:i + 1])
    assert_results_close(compute(by_sample),
                         mm.RegressionMetrics(threshold=2.0).update(t[:600], p[:600], None if w is None else w[:600]).compute(),
                         error_scale(t, p))


def test_parallel_one_shot_equals_serial_batches():
    n = 300_000
    t, p = make_data(n, seed=41)
    w = make_weights(n)
    one = mm.RegressionMetrics().update(t, p, w).compute()  # parallel kernel
    batched = mm.RegressionMetrics()
    for start in range(0, n, 50_000):  # serial kernel
        batched.update(t[start:start + 50_000], p[start:start + 50_000], w[start:start + 50_000])
    assert_results_close(compute(batched), one, error_scale(t, p))
    assert_close(one["r2-score"], skm.r2_score(t, p, sample_weight=w))


def _shards(t, p, w, n_parts, seed, **options):
    rng = np.random.default_rng(seed)
    return [mm.RegressionMetrics(**options).update(t[part], p[part], None if w is None else w[part])
            for part in _split(t.shape[0], n_parts, rng)]


@pytest.mark.parametrize("n_outputs", [None, 2])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_merging_shards_in_any_order_equals_one_shot(weighted, n_outputs):
    n = 3000
    t, p = make_data(n, n_outputs=n_outputs, seed=42)
    w = make_weights(n) if weighted else None
    one = mm.RegressionMetrics().update(t, p, w).compute()
    rng = np.random.default_rng(3)
    for trial in range(6):
        shards = _shards(t, p, w, 6, seed=trial)
        order = rng.permutation(len(shards))
        if trial % 2:  # left fold in a random order
            merged = mm.RegressionMetrics()
            for i in order:
                merged.merge(shards[i])
        else:  # balanced tree in a random order
            level = [shards[i] for i in order]
            while len(level) > 1:
                level = [level[i].merge(level[i + 1]) if i + 1 < len(level) else level[i]
                         for i in range(0, len(level), 2)]
            merged = level[0]
        assert merged.n_samples == n
        assert_results_close(compute(merged), one, error_scale(t, p))


def test_merge_is_commutative_and_returns_self():
    t, p = make_data(1000, seed=43)
    a1 = mm.RegressionMetrics().update(t[:400], p[:400])
    b1 = mm.RegressionMetrics().update(t[400:], p[400:])
    a2 = pickle.loads(pickle.dumps(a1))
    b2 = pickle.loads(pickle.dumps(b1))
    assert a1.merge(b1) is a1
    b2.merge(a2)
    assert_results_close(compute(a1), compute(b2), error_scale(t, p))
    assert b1.n_samples == 600  # the merged-in state is not modified


def test_merging_an_empty_metric_changes_nothing():
    t, p = make_data(500, n_outputs=2, seed=44)
    metric = mm.RegressionMetrics().update(t, p)
    before = metric.to_bytes()
    metric.merge(mm.RegressionMetrics())
    assert metric.to_bytes() == before
    fresh = mm.RegressionMetrics().merge(metric)
    assert fresh.to_bytes() == before
    assert compute(fresh).values == compute(metric).values
    fresh.update(t[:10], p[:10])  # the merged state is a copy, not shared
    assert metric.to_bytes() == before


def test_update_with_an_empty_batch_is_a_no_op_after_data():
    t, p = make_data(500, n_outputs=2, seed=45)
    w = make_weights(500)
    metric = mm.RegressionMetrics().update(t, p, w)
    before = metric.to_bytes()
    metric.update(t[:0], p[:0], w[:0])
    metric.update(np.empty((0, 2)), np.empty((0, 2)))
    assert metric.to_bytes() == before


@pytest.mark.parametrize("scenario", ["merge", "update"])
def test_a_metric_that_only_saw_an_empty_batch_is_empty(scenario):
    t, p = make_data(100, n_outputs=3, seed=46)
    empty = mm.RegressionMetrics().update([], [])
    assert empty.n_samples == 0
    if scenario == "merge":
        metric = mm.RegressionMetrics().update(t, p)
        before = metric.to_bytes()
        metric.merge(empty)
        assert metric.to_bytes() == before
    else:
        empty.update(t, p)
        assert empty.to_bytes() == mm.RegressionMetrics().update(t, p).to_bytes()


def test_reset():
    t, p = make_data(300, seed=47)
    metric = mm.RegressionMetrics(threshold=1.5, nan_policy="omit").update(t, p)
    assert metric.reset() is metric
    assert metric.n_samples == 0
    with pytest.raises(mm.InvalidInputError, match=r"compute\(\) needs at least one sample"):
        metric.compute()
    assert metric.threshold == 1.5 and metric.nan_policy == "omit"
    metric.update(t[:100], p[:100])
    assert metric.to_bytes() == mm.RegressionMetrics(threshold=1.5, nan_policy="omit").update(t[:100], p[:100]).to_bytes()
    metric.reset().update(np.ones((4, 2)), np.ones((4, 2)) + 0.5)  # a reset metric takes any outputs
    assert metric.n_samples == 4


def test_compute_before_any_update():
    with pytest.raises(mm.InvalidInputError, match=r"RegressionMetrics\.compute\(\) needs at least one sample"):
        mm.RegressionMetrics().compute()


def test_n_samples_counts_every_row():
    metric = mm.RegressionMetrics(nan_policy="omit")
    assert metric.n_samples == 0
    metric.update([1.0, 2.0, np.nan], [1.0, 2.0, 3.0], [1.0, 0.0, 1.0])
    assert metric.n_samples == 3
    metric.update(np.arange(5.0), np.arange(5.0) + 1)
    assert metric.n_samples == 8
    assert "n_samples=8" in repr(metric)


def test_update_with_a_different_number_of_outputs_is_refused():
    metric = mm.RegressionMetrics().update(np.ones((3, 2)), np.ones((3, 2)))
    before = metric.to_bytes()
    with pytest.raises(mm.InvalidInputError, match="2 output.*3"):
        metric.update(np.ones((3, 3)), np.ones((3, 3)))
    with pytest.raises(mm.InvalidInputError, match="2 output.*1"):
        metric.update(np.ones(3), np.ones(3))
    assert metric.to_bytes() == before


@pytest.mark.parametrize("n", [100, 300_000])
def test_a_refused_batch_leaves_the_state_untouched(n):
    t, p = make_data(n, seed=48)
    metric = mm.RegressionMetrics().update(t[:50], p[:50])
    before = metric.to_bytes()
    bad_t = t.copy()
    bad_t[n - 3] = np.nan
    with pytest.raises(mm.InvalidInputError):
        metric.update(bad_t, p)
    w = np.ones(n)
    w[n // 2] = -2.0
    with pytest.raises(mm.InvalidInputError):
        metric.update(t, p, w)
    with pytest.raises(mm.InvalidInputError):
        metric.update(t * 1e200, -p * 1e200)
    assert metric.to_bytes() == before


def test_merge_refuses_different_thresholds_outputs_and_types():
    a = mm.RegressionMetrics(threshold=0.5).update([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    before = a.to_bytes()
    with pytest.raises(mm.InvalidInputError, match=r"thresholds differ \(0\.5 and 1\.0\)"):
        a.merge(mm.RegressionMetrics(threshold=1.0).update([1.0, 2.0], [1.0, 2.0]))
    with pytest.raises(mm.InvalidInputError, match="threshold"):
        a.merge(mm.RegressionMetrics(threshold=1.0))
    with pytest.raises(mm.InvalidInputError, match="1 and 2 outputs"):
        a.merge(mm.RegressionMetrics().update(np.ones((2, 2)), np.ones((2, 2))))
    with pytest.raises(mm.InvalidInputError, match="expects another RegressionMetrics"):
        a.merge({"rows": 1})
    assert a.to_bytes() == before


def test_merge_checks_multioutput_weights_against_outputs():
    t, p = make_data(20, n_outputs=3, seed=49)
    metric = mm.RegressionMetrics(multioutput=[1.0, 2.0])
    with pytest.raises(mm.InvalidInputError, match="'multioutput'"):
        metric.merge(mm.RegressionMetrics().update(t, p))
        metric.compute()


def test_pickle_round_trip():
    t, p = make_data(700, n_outputs=2, seed=50)
    w = make_weights(700)
    metric = mm.RegressionMetrics(threshold=0.75, multioutput=[1.0, 3.0], force_finite=False,
                                  nan_policy="omit").update(t[:400], p[:400], w[:400])
    clone = pickle.loads(pickle.dumps(metric))
    assert clone.to_bytes() == metric.to_bytes()
    assert compute(clone) == compute(metric)
    clone.update(t[400:], p[400:], w[400:])
    metric.update(t[400:], p[400:], w[400:])
    assert clone.to_bytes() == metric.to_bytes()
    assert compute(clone) == compute(metric)
    empty = pickle.loads(pickle.dumps(mm.RegressionMetrics()))
    assert empty.n_samples == 0


@pytest.mark.parametrize("options", [
    {},
    {"threshold": 0.75, "multioutput": [1.0, 3.0], "force_finite": False, "nan_policy": "omit"},
    {"multioutput": "raw_values"},
])
def test_to_bytes_from_bytes_round_trip(options):
    t, p = make_data(600, n_outputs=2, seed=51)
    metric = mm.RegressionMetrics(**options).update(t, p, make_weights(600))
    payload = metric.to_bytes()
    assert isinstance(payload, bytes) and payload[:4] == b"MMST"
    clone = mm.RegressionMetrics.from_bytes(payload)
    assert type(clone) is mm.RegressionMetrics
    assert clone.to_bytes() == payload
    np.testing.assert_array_equal(clone._rows, metric._rows)
    assert clone.threshold == metric.threshold
    assert clone.force_finite == metric.force_finite and clone.nan_policy == metric.nan_policy
    np.testing.assert_array_equal(clone.multioutput, metric.multioutput)
    assert compute(clone) == compute(metric)
    assert mm.RegressionMetrics.from_bytes(bytearray(payload)).to_bytes() == payload
    assert mm.RegressionMetrics.from_bytes(memoryview(payload)).to_bytes() == payload
    empty = mm.RegressionMetrics.from_bytes(mm.RegressionMetrics(**options).to_bytes())
    assert empty.n_samples == 0
    assert empty.merge(metric).to_bytes() == payload


@pytest.fixture(scope="module")
def payload():
    t, p = make_data(50, seed=52)
    return mm.RegressionMetrics().update(t, p).to_bytes()


def test_every_single_bit_flip_is_detected(payload):
    for i in range(len(payload)):
        for bit in (0x01, 0x80):
            damaged = bytearray(payload)
            damaged[i] ^= bit
            with pytest.raises(mm.InvalidInputError):
                mm.RegressionMetrics.from_bytes(bytes(damaged))


def test_corrupted_payload_message(payload):
    damaged = bytearray(payload)
    damaged[len(payload) // 2] ^= 0xFF
    with pytest.raises(mm.InvalidInputError, match="corrupted .*checksum"):
        mm.RegressionMetrics.from_bytes(bytes(damaged))


@pytest.mark.parametrize("keep", [0, 3, 8, 12, -1, -4, -5, -20])
def test_truncated_payload(payload, keep):
    with pytest.raises(mm.InvalidInputError, match="RegressionMetrics.from_bytes"):
        mm.RegressionMetrics.from_bytes(payload[:keep])


def test_payload_with_trailing_garbage(payload):
    with pytest.raises(mm.InvalidInputError):
        mm.RegressionMetrics.from_bytes(payload + b"\x00")


def test_wrong_magic(payload):
    with pytest.raises(mm.InvalidInputError, match="bad magic"):
        mm.RegressionMetrics.from_bytes(b"XXXX" + payload[4:])
    with pytest.raises(mm.InvalidInputError, match="bad magic"):
        mm.RegressionMetrics.from_bytes(pickle.dumps(mm.RegressionMetrics()))


def test_payload_of_the_wrong_kind():
    other = pack_state("ClassificationMetrics", {"num_classes": 3}, {"rows": np.zeros((1, 13))})
    with pytest.raises(mm.InvalidInputError, match="'ClassificationMetrics' state, not a 'RegressionMetrics'"):
        mm.RegressionMetrics.from_bytes(other)


def test_payload_with_unexpected_layout_or_version(payload):
    for arrays in ({"rows": np.zeros((1, 12))}, {"rows": np.zeros(13)}, {}):
        with pytest.raises(mm.InvalidInputError, match="unexpected layout"):
            mm.RegressionMetrics.from_bytes(pack_state("RegressionMetrics", {}, arrays))
    body = bytearray(payload[:-4])
    body[4] = 99  # format version
    with pytest.raises(mm.InvalidInputError, match="version 99"):
        mm.RegressionMetrics.from_bytes(bytes(body) + struct.pack("<I", zlib.crc32(bytes(body))))


@pytest.mark.parametrize("tamper", ["non-json-header", "header-length", "unknown-option"])
def test_malformed_payload_with_valid_checksum(payload, tamper):
    body = bytes(payload[:-4])
    (length,) = struct.unpack("<I", body[5:9])
    if tamper == "non-json-header":
        body = body[:9] + b"x" * length + body[9 + length:]
    elif tamper == "header-length":
        body = body[:5] + struct.pack("<I", length + 1000) + body[9:]
    else:
        body = pack_state("RegressionMetrics", {"foo": 1}, {"rows": np.zeros((1, 13))})[:-4]
    with pytest.raises(mm.InvalidInputError):
        mm.RegressionMetrics.from_bytes(body + struct.pack("<I", zlib.crc32(body)))


def test_from_bytes_refuses_non_bytes():
    with pytest.raises(mm.InvalidInputError, match="expects bytes .* Got a str"):
        mm.RegressionMetrics.from_bytes("MMST")


# -- torch -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float32", "float64", "int64"])
@pytest.mark.parametrize("n_outputs", [None, 2])
def test_torch_cpu_tensors(dtype_name, n_outputs):
    torch = pytest.importorskip("torch")
    t, p = make_data(300, n_outputs=n_outputs, seed=60)
    t, p = t.astype(dtype_name), p.astype(dtype_name)
    w = make_weights(300)
    got = mm.regression_metrics(torch.from_numpy(t), torch.from_numpy(p), sample_weight=torch.from_numpy(w))
    assert got == mm.regression_metrics(t, p, sample_weight=w)
    expected = sklearn_values(t, p, w)
    for key in SKLEARN:
        assert_close(got[key], expected[key], label=key)
    metric = mm.RegressionMetrics().update(torch.from_numpy(t[:100]), torch.from_numpy(p[:100]))
    metric.update(torch.from_numpy(t[100:]).contiguous(), torch.from_numpy(p[100:]))
    assert_results_close(compute(metric), mm.RegressionMetrics().update(t, p).compute(), error_scale(t, p))


def test_torch_non_contiguous_and_half_tensors():
    torch = pytest.importorskip("torch")
    t = torch.linspace(0, 10, 201, dtype=torch.float64)
    p = t * 0.9 + 0.3
    got = mm.regression_metrics(t[::2], p[::2])
    assert got == mm.regression_metrics(t.numpy()[::2], p.numpy()[::2])
    half = mm.regression_metrics(t.half(), p.half())
    assert_close(half["mean-squared-error"],
                 skm.mean_squared_error(t.half().double().numpy(), p.half().double().numpy()))
    with pytest.raises(mm.InvalidInputError, match="'y_true'"):
        mm.regression_metrics(torch.tensor([True, False]), torch.tensor([1.0, 0.0]))


def test_torch_tensor_requiring_grad():
    torch = pytest.importorskip("torch")
    t = torch.linspace(0, 1, 20)
    p = (t * 0.5 + 0.1).requires_grad_(True)
    try:
        got = mm.regression_metrics(t, p)
    except mm.InvalidInputError as exc:
        assert "'y_pred'" in str(exc)
    else:
        assert got == mm.regression_metrics(t.numpy(), p.detach().numpy())
