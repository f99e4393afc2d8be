"""Regression metrics in one pass over the data, streaming and mergeable.

The state of :class:`RegressionMetrics` is one *moment row* per output (see
:mod:`modelmetrics.kernels.moments`): counts, weighted sums, centred second moments combined with
Chan et al.'s parallel formula, minima and maxima. It is O(1) in the number of samples, and
batches in any split, or shards merged in any order, give the one-call result to ~1e-15 relative.

The metrics, for errors ``e = y_pred − y_true`` and weights ``w`` (1 when not given):

=============================  ==================================================
``mean-error``                 Σ w·e / Σ w  (signed: positive = over-prediction)
``max-error``                  max |e| over samples with w > 0
``mean-absolute-error``        Σ w·|e| / Σ w
``mean-squared-error``         Σ w·e² / Σ w
``r2-score``                   1 − Σ w·e² / Σ w·(y_true − ȳ)²
``explained-variance-score``   1 − Var_w(e) / Var_w(y_true)
=============================  ==================================================

These equal scikit-learn's ``mean_absolute_error``, ``mean_squared_error``, ``max_error``,
``r2_score`` and ``explained_variance_score``. R² and explained variance are undefined when
``y_true`` is constant (detected exactly, from its minimum and maximum); by default they then take
scikit-learn's ``force_finite=True`` values (1.0 for perfect predictions, else 0.0), recorded in
the result's ``undefined`` mapping with an :class:`~modelmetrics.exceptions.UndefinedMetricWarning`;
with ``force_finite=False`` they are ``None``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import _config
from .._config import threads_for
from .._state import pack_state, restore, unpack_state
from .._validation import as_real_array, check_choice, check_finite_number, parameter_error
from ..exceptions import ExcludedDataWarning, InvalidInputError, UndefinedMetricWarning
from ..kernels import moments as K

__all__ = [
    "METRIC_KEYS",
    "RegressionMetrics",
    "RegressionResult",
    "regression_accuracy",
    "regression_metrics",
]

METRIC_KEYS = (
    "mean-error",
    "max-error",
    "mean-absolute-error",
    "mean-squared-error",
    "r2-score",
    "explained-variance-score",
)
#: Batches with at least this many samples run on all cores.
PARALLEL_MIN_SAMPLES = 1 << 18
_NAN_POLICIES = ("raise", "omit")
_MULTIOUTPUT_CHOICES = ("uniform_average", "raw_values")


@dataclass(frozen=True)
class RegressionResult:
    """Regression metrics of one evaluation.

    Attributes
    ----------
    values : dict
        ``{metric key: value}`` for the six :data:`METRIC_KEYS`, aggregated over outputs as
        ``multioutput`` asked: a float (or ``None`` when undefined), or with
        ``multioutput="raw_values"`` a list with one entry per output.
    per_output : dict
        ``{metric key: [value per output]}``, whatever ``multioutput`` was.
    undefined : dict
        ``{metric key: reason}`` for every value that is undefined or was substituted by a
        convention (see :mod:`modelmetrics.exceptions`). Empty when all is defined.
    accuracy : float, list or None
        Share of samples with ``|y_pred − y_true| <= threshold`` (weighted), aggregated like
        ``values``.
    threshold : float
        The tolerance of ``accuracy``.
    n_samples : int
        Samples seen (rows), omitted ones included.
    n_omitted : tuple of int
        Per output, the pairs skipped as non-finite under ``nan_policy="omit"``.
    """

    values: dict
    per_output: dict
    undefined: dict
    accuracy: float | list | None
    threshold: float
    n_samples: int
    n_omitted: tuple = field(default=(0,))

    def __getitem__(self, key: str):
        return self.values[key]

    @property
    def mean_error(self):
        return self.values["mean-error"]

    @property
    def max_error(self):
        return self.values["max-error"]

    @property
    def mean_absolute_error(self):
        return self.values["mean-absolute-error"]

    @property
    def mean_squared_error(self):
        return self.values["mean-squared-error"]

    @property
    def r2_score(self):
        return self.values["r2-score"]

    @property
    def explained_variance_score(self):
        return self.values["explained-variance-score"]

    def to_dict(self) -> dict:
        """The metrics in the job-state export format: the six keys, plus ``"undefined"``
        (``{key: reason}``) when any value is undefined or substituted.

        Examples
        --------
        >>> import modelmetrics as mm
        >>> result = mm.RegressionMetrics().update([1.0, 2.0, 4.0], [1.5, 2.0, 3.5]).compute()
        >>> result.to_dict()  # doctest: +NORMALIZE_WHITESPACE
        {'mean-error': 0.0, 'max-error': 0.5, 'mean-absolute-error': 0.3333333333333333,
         'mean-squared-error': 0.16666666666666666, 'r2-score': 0.8928571428571429,
         'explained-variance-score': 0.8928571428571429}
        """
        out = dict(self.values)
        if self.undefined:
            out["undefined"] = dict(self.undefined)
        return out

    def job_state_entry(self, *, target_names=None) -> dict:
        """What this result contributes to one split of a job-state document: ``modelType``,
        ``metrics`` (:meth:`to_dict`), ``datasetStats`` (samples per target, omitted ones not
        counted) and ``accuracy`` (share within the threshold). Used by
        :meth:`modelmetrics.TrainingRun.set_metrics`.

        Parameters
        ----------
        target_names : sequence of str, optional
            One name per output (default ``"target"``, or ``"target-0"``, ... for several).

        Examples
        --------
        >>> import modelmetrics as mm
        >>> result = mm.RegressionMetrics().update([1.0, 2.0], [1.0, 2.5]).compute()
        >>> result.job_state_entry(target_names=["age"])["datasetStats"]
        {'regression': {'age': 2}}
        """
        if any(isinstance(v, list) for v in self.values.values()):
            raise InvalidInputError(
                "A job-state document holds one number per metric, but this result has one per "
                "output (multioutput='raw_values'). Compute it with multioutput="
                "'uniform_average' or output weights for the job state.")
        counts = [self.n_samples - omitted for omitted in self.n_omitted]
        if target_names is None:
            target_names = ["target"] if len(counts) == 1 else [f"target-{k}" for k in
                                                               range(len(counts))]
        names = list(target_names)
        if len(names) != len(counts) or not all(isinstance(n, str) for n in names):
            raise parameter_error("target_names", "job_state_entry",
                                  f"{len(counts)} string(s), one per output", target_names)
        return {"modelType": "regression", "metrics": self.to_dict(),
                "datasetStats": {"regression": dict(zip(names, counts))},
                "accuracy": {"accuracy": self.accuracy, "threshold": self.threshold}}


def _check_multioutput(multioutput, owner: str):
    if isinstance(multioutput, str):
        check_choice(multioutput, "multioutput", owner, _MULTIOUTPUT_CHOICES)
        return multioutput
    weights = as_real_array(multioutput, "multioutput", owner, ndims=(1,)).astype(np.float64)
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
        raise parameter_error("multioutput", owner,
                              "'uniform_average', 'raw_values' or non-negative output weights "
                              "with a positive sum", multioutput)
    return weights


def _raise_nonfinite(t, p, w, column: int | None, owner: str) -> None:
    """Raise naming the first non-finite value of one output, if it holds any."""
    which, index, total = K.first_nonfinite(t, p, w)
    if which < 0:
        return  # nothing non-finite here
    name = ("y_true", "y_pred", "sample_weight")[which]
    value = (t, p, w)[which][index].item()
    where = f"index {index}" if column is None or which == 2 else f"row {index}, column {column}"
    raise InvalidInputError(
        f"The {name!r} argument of {owner} must hold finite numbers. Got {value!r} at {where} "
        f"({total} non-finite value(s) in all). Remove or impute them, or pass "
        f"nan_policy='omit' to skip each pair that holds one (they are counted and reported).")


def _raise_bad_batch(t, p, w, w_min: float, owner: str) -> None:
    """Explain why a batch was refused (error path only: may scan the data again)."""
    if w_min < 0:
        index = int(np.argmax(w < 0))
        raise InvalidInputError(
            f"The 'sample_weight' argument of {owner} must be non-negative. Got {w[index].item()!r} at "
            f"index {index}. Use weights >= 0 (0 leaves a sample out).")
    if t.ndim == 1:
        _raise_nonfinite(t, p, w, None, owner)
    for j in range(t.shape[1] if t.ndim == 2 else 0):
        _raise_nonfinite(t[:, j], p[:, j], w, j, owner)
    raise InvalidInputError(
        f"{owner}: the sums overflowed float64 although every value is finite (largest "
        f"|y_true| {np.max(np.abs(t)).item()!r}, |y_pred| {np.max(np.abs(p)).item()!r}). Rescale the "
        f"targets, e.g. to other units, before evaluating.")


def _undefined_ratio_reason(metric: str, perfect: bool, force_finite: bool) -> tuple[float | None, str]:
    reason = (f"y_true is constant (its variance is zero in float64), so {metric} divides by "
              f"zero")
    if not force_finite:
        return None, reason + "; pass force_finite=True for scikit-learn's finite convention."
    value = 1.0 if perfect else 0.0
    detail = "perfect" if perfect else "imperfect"
    return value, (reason + f"; reported as {value} for {detail} predictions, as scikit-learn's "
                   "force_finite=True does (pass force_finite=False to get None).")


def _output_values(row: np.ndarray, force_finite: bool) -> tuple[dict, float | None, dict]:
    """Metric values, accuracy and undefined reasons of one output's moment row."""
    row = row.tolist()  # Python floats: overflow gives inf (checked below), not a NumPy warning
    weight = row[K.WEIGHT]
    if weight == 0.0:
        reason = ("no sample of this output carries weight (all were omitted as non-finite or "
                  "have sample_weight 0)")
        return dict.fromkeys(METRIC_KEYS), None, dict.fromkeys(METRIC_KEYS, reason)
    err_constant = row[K.ERR_MIN] == row[K.ERR_MAX]
    err_mean = row[K.ERR_MIN] if err_constant else row[K.ERR_SHIFT] + row[K.ERR_MEAN]
    err_var = 0.0 if err_constant else row[K.ERR_M2] / weight
    mse = row[K.SQ_ERR_SUM] / weight
    if not np.isfinite(mse):
        raise InvalidInputError(
            f"The squared errors overflow float64 (mean error {err_mean!r}); no metric can be "
            f"computed. Rescale the targets, e.g. to other units, before evaluating.")
    true_var = row[K.TRUE_M2] / weight
    # constant targets (or a spread so small that its variance underflows float64)
    true_constant = row[K.TRUE_MIN] == row[K.TRUE_MAX] or true_var == 0.0
    values = {
        "mean-error": float(err_mean),
        "max-error": float(max(-row[K.ERR_MIN], row[K.ERR_MAX])),
        "mean-absolute-error": float(row[K.ABS_ERR_SUM] / weight),
        "mean-squared-error": float(mse),
    }
    undefined = {}
    if true_constant:
        perfect = row[K.ERR_MIN] == 0.0 and row[K.ERR_MAX] == 0.0
        values["r2-score"], undefined["r2-score"] = _undefined_ratio_reason(
            "R² (1 − SS_res / SS_tot)", perfect, force_finite)
        values["explained-variance-score"], undefined["explained-variance-score"] = (
            _undefined_ratio_reason("explained variance (1 − Var(error) / Var(y_true))",
                                    err_constant or err_var == 0.0, force_finite))
    else:
        values["r2-score"] = float(1.0 - mse / true_var)
        values["explained-variance-score"] = float(1.0 - err_var / true_var)
    accuracy = float(row[K.WITHIN_WEIGHT] / weight)
    return values, accuracy, undefined


def _aggregate(per_output: list, multioutput, reasons: list[str | None]):
    """Combine per-output values as ``multioutput`` asks; returns (value, reason or None)."""
    if isinstance(multioutput, str) and multioutput == "raw_values":
        joined = "; ".join(f"output {j}: {r}" for j, r in enumerate(reasons) if r)
        return list(per_output), (joined or None)
    if len(per_output) == 1:
        return per_output[0], reasons[0]
    missing = [j for j, v in enumerate(per_output) if v is None]
    substituted = [f"output {j}: {r}" for j, r in enumerate(reasons) if r]
    if missing:
        return None, f"undefined for output(s) {missing}: " + "; ".join(substituted)
    weights = None if isinstance(multioutput, str) else multioutput
    return float(np.average(per_output, weights=weights)), ("; ".join(substituted) or None)


class RegressionMetrics:
    """Streaming regression metrics: ``update`` → ``merge`` → ``compute``.

    Parameters
    ----------
    threshold : float, default 0.5
        Tolerance of the accuracy: the share of samples with ``|y_pred − y_true| <= threshold``.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape (n_outputs,)
        How the values of several outputs (targets of shape (n, k)) are combined, as in
        scikit-learn: their mean, one value per output, or a weighted mean.
    force_finite : bool, default True
        When ``y_true`` is constant, report R² and explained variance as scikit-learn does with
        ``force_finite=True`` (1.0 for perfect predictions, else 0.0) instead of ``None``. Either
        way the result's ``undefined`` mapping says so and a warning is emitted.
    nan_policy : {"raise", "omit"}, default "raise"
        What a NaN or infinity in ``y_true``, ``y_pred`` or ``sample_weight`` does: raise an
        error naming the first one, or skip that (sample, output) pair, counted in
        ``n_omitted`` and warned about by ``compute``.

    Notes
    -----
    The state is one row of 16 float64 numbers per output; it pickles, and
    ``to_bytes``/``from_bytes`` round-trip it. ``merge`` is associative and commutative, and
    merging an empty state changes nothing. Computation is in float64 whatever the input
    dtype (int, uint, float32, float64; contiguous or not). Batches of at least
    ``PARALLEL_MIN_SAMPLES`` samples run on all cores.

    Examples
    --------
    >>> import numpy as np
    >>> import modelmetrics as mm
    >>> metric = mm.RegressionMetrics(threshold=1.0)
    >>> for start in range(0, 100, 25):
    ...     y = np.arange(start, start + 25, dtype=float)
    ...     _ = metric.update(y, y + 0.5)
    >>> result = metric.compute()
    >>> result["mean-error"], result["max-error"], result.accuracy, result.n_samples
    (0.5, 0.5, 1.0, 100)
    """

    _OWNER = "RegressionMetrics"

    def __init__(self, *, threshold=0.5, multioutput="uniform_average", force_finite=True,
                 nan_policy="raise"):
        owner = self._OWNER
        self.threshold = check_finite_number(threshold, "threshold", owner, minimum=0)
        self.multioutput = _check_multioutput(multioutput, owner)
        if not isinstance(force_finite, (bool, np.bool_)):
            raise parameter_error("force_finite", owner, "True or False", force_finite)
        self.force_finite = bool(force_finite)
        check_choice(nan_policy, "nan_policy", owner, _NAN_POLICIES)
        self.nan_policy = nan_policy
        self._omit = nan_policy == "omit"
        self._parallel_min = PARALLEL_MIN_SAMPLES if _config.JIT_PARALLEL else np.iinfo(np.int64).max
        self._rows = None  # (n_outputs, N_FIELDS) once anything was seen

    @classmethod
    def _named(cls, owner: str, **options) -> "RegressionMetrics":
        """A metric whose messages name ``owner`` (the public function the user called)."""
        metric = cls.__new__(cls)
        metric._OWNER = owner
        metric.__init__(**options)
        return metric

    def _check_n_outputs(self, n_outputs: int) -> None:
        if isinstance(self.multioutput, np.ndarray) and self.multioutput.shape[0] != n_outputs:
            raise InvalidInputError(
                f"The 'multioutput' weights of {self._OWNER} have {self.multioutput.shape[0]} "
                f"entries but the targets have {n_outputs} output(s).")

    # -- streaming -------------------------------------------------------------------------

    def update(self, y_true, y_pred, sample_weight=None) -> "RegressionMetrics":
        """Add a batch.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n,) or (n, n_outputs)
            Real numbers (any int, uint or float dtype).
        sample_weight : array-like of shape (n,), optional
            Non-negative weights.

        Returns
        -------
        self
        """
        owner = self._OWNER
        t = as_real_array(y_true, "y_true", owner)
        p = as_real_array(y_pred, "y_pred", owner)
        if t.shape != p.shape:
            raise InvalidInputError(
                f"The 'y_true' and 'y_pred' arguments of {owner} must have the same shape. "
                f"Got {t.shape} and {p.shape} instead.")
        if t.ndim == 2 and t.shape[1] == 0:
            raise InvalidInputError(
                f"The 'y_true' argument of {owner} must have at least one output column. Got "
                f"shape {t.shape} instead.")
        w = None
        if sample_weight is not None:
            w = as_real_array(sample_weight, "sample_weight", owner, ndims=(1,))
            if w.shape[0] != t.shape[0]:
                raise InvalidInputError(
                    f"The 'sample_weight' argument of {owner} must have one weight per sample "
                    f"({t.shape[0]}). Got {w.shape[0]} instead.")
        if t.shape[0] == 0:  # nothing to add: the state (and its number of outputs) is unchanged
            return self
        n_outputs = 1 if t.ndim == 1 else t.shape[1]
        state = self._rows
        if state is None:
            self._check_n_outputs(n_outputs)
            state = K.empty_moment_rows(n_outputs)
        elif state.shape[0] != n_outputs:
            raise InvalidInputError(
                f"{owner}.update: this metric has seen {state.shape[0]} output(s) per sample; "
                f"the new batch has {n_outputs}. Use one metric per kind of target.")
        if t.shape[0] >= self._parallel_min:
            with threads_for(t.shape[0]):
                w_min, finite = K.fold_batch_parallel(state, t, p, w, self.threshold, self._omit)
        else:
            w_min, finite = K.fold_batch(state, t, p, w, self.threshold, self._omit)
        if w_min < 0 or not finite:
            _raise_bad_batch(t, p, w, w_min, owner)
        self._rows = state
        return self

    def merge(self, other: "RegressionMetrics") -> "RegressionMetrics":
        """Fold another state into this one (in place) and return ``self``.

        ``other`` must have the same ``threshold`` and number of outputs; this metric's other
        options (``multioutput``, ``force_finite``) apply to ``compute``.
        """
        if not isinstance(other, RegressionMetrics):
            raise InvalidInputError(f"{self._OWNER}.merge expects another RegressionMetrics. "
                                    f"Got a {type(other).__name__} instead.")
        if other.threshold != self.threshold:
            raise InvalidInputError(
                f"{self._OWNER}.merge: the thresholds differ ({self.threshold} and "
                f"{other.threshold}); only states with the same threshold can be merged.")
        if other._rows is None:
            return self
        if self._rows is None:
            self._check_n_outputs(other._rows.shape[0])
            self._rows = other._rows.copy()
            return self
        if other._rows.shape != self._rows.shape:
            raise InvalidInputError(
                f"{self._OWNER}.merge: the states have {self._rows.shape[0]} and "
                f"{other._rows.shape[0]} outputs; only states of the same targets can be merged.")
        K.merge_moment_rows(self._rows, other._rows)
        return self

    def reset(self) -> "RegressionMetrics":
        """Forget every sample (options are kept)."""
        self._rows = None
        return self

    @property
    def n_samples(self) -> int:
        """Samples (rows) seen so far, omitted ones included."""
        if self._rows is None:
            return 0
        return int(self._rows[0, K.COUNT] + self._rows[0, K.OMITTED])

    def compute(self) -> RegressionResult:
        """The metrics of everything seen so far.

        Returns
        -------
        RegressionResult

        Raises
        ------
        InvalidInputError
            When no sample was seen, or no sample carries weight.
        """
        owner = self._OWNER
        if self._rows is None or self.n_samples == 0:
            raise InvalidInputError(f"{owner}.compute() needs at least one sample; update() has "
                                    f"not been given any (or only empty batches).")
        rows = self._rows
        if np.all(rows[:, K.WEIGHT] == 0.0):
            raise InvalidInputError(
                f"{owner}.compute(): none of the {self.n_samples} samples carries weight (all "
                f"have sample_weight 0 or were omitted as non-finite); nothing can be measured.")
        outputs = [_output_values(row, self.force_finite) for row in rows]
        values, per_output, undefined = {}, {}, {}
        for key in METRIC_KEYS:
            column = [o[0][key] for o in outputs]
            per_output[key] = column
            values[key], reason = _aggregate(column, self.multioutput, [o[2].get(key) for o in outputs])
            if reason:
                undefined[key] = reason
        accuracy, _ = _aggregate([o[1] for o in outputs], self.multioutput, [None] * len(outputs))
        for reason in dict.fromkeys(undefined.values()):
            keys = ", ".join(k for k, r in undefined.items() if r == reason)
            warnings.warn(f"{keys}: {reason}", UndefinedMetricWarning, stacklevel=2)
        n_omitted = tuple(int(v) for v in rows[:, K.OMITTED])
        if any(n_omitted):
            warnings.warn(f"{owner}: {sum(n_omitted)} (sample, output) pair(s) holding NaN or "
                          f"infinity were skipped (nan_policy='omit'); per output: "
                          f"{list(n_omitted)}.", ExcludedDataWarning, stacklevel=2)
        return RegressionResult(values=values, per_output=per_output, undefined=undefined,
                                accuracy=accuracy, threshold=self.threshold,
                                n_samples=self.n_samples, n_omitted=n_omitted)

    # -- persistence -----------------------------------------------------------------------

    def _options(self) -> dict:
        multioutput = self.multioutput
        if isinstance(multioutput, np.ndarray):
            multioutput = multioutput.tolist()
        return {"threshold": self.threshold, "multioutput": multioutput,
                "force_finite": self.force_finite, "nan_policy": self.nan_policy}

    def to_bytes(self) -> bytes:
        """The state as a compact, versioned, checksummed payload (see :meth:`from_bytes`)."""
        rows = self._rows if self._rows is not None else np.empty((0, K.N_FIELDS))
        return pack_state(type(self).__name__, self._options(), {"rows": rows})

    @classmethod
    def from_bytes(cls, data: bytes) -> "RegressionMetrics":
        """Rebuild a metric from :meth:`to_bytes` output; a corrupt or foreign payload raises
        :class:`~modelmetrics.exceptions.InvalidInputError`."""
        options, arrays = unpack_state(data, cls.__name__)
        metric = restore(cls, options)
        rows = arrays.get("rows")
        if rows is None or rows.ndim != 2 or rows.shape[1] != K.N_FIELDS:
            raise InvalidInputError(f"{cls.__name__}.from_bytes: the payload's state has an "
                                    f"unexpected layout; it was not written by this version.")
        metric._rows = rows.copy() if rows.shape[0] else None
        return metric

    def __repr__(self) -> str:
        outputs = 0 if self._rows is None else self._rows.shape[0]
        return (f"{type(self).__name__}(threshold={self.threshold}, n_samples={self.n_samples}, "
                f"n_outputs={outputs})")


def _nonempty_arrays(y_true, y_pred, owner: str):
    """Validated arrays of a one-shot call, which needs at least one sample."""
    t = as_real_array(y_true, "y_true", owner)
    p = as_real_array(y_pred, "y_pred", owner)
    if t.shape[0] == 0:
        raise InvalidInputError(f"The 'y_true' and 'y_pred' arguments of {owner} must hold at "
                                f"least one sample. Got empty arrays instead.")
    return t, p


def regression_metrics(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average",
                       force_finite=True, nan_policy="raise") -> dict:
    """The six regression metrics of the export format, in one pass over the data.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, n_outputs)
        Targets and predictions (any real dtype).
    sample_weight : array-like of shape (n,), optional
        Non-negative sample weights.
    multioutput, force_finite, nan_policy
        As for :class:`RegressionMetrics`.

    Returns
    -------
    dict
        ``mean-error``, ``max-error``, ``mean-absolute-error``, ``mean-squared-error``,
        ``r2-score``, ``explained-variance-score`` (floats; lists with
        ``multioutput="raw_values"``), plus ``undefined`` (``{key: reason}``) when a value is
        undefined or substituted.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.regression_metrics([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    ... # doctest: +NORMALIZE_WHITESPACE
    {'mean-error': 0.25, 'max-error': 1.0, 'mean-absolute-error': 0.5,
     'mean-squared-error': 0.375, 'r2-score': 0.9486081370449679,
     'explained-variance-score': 0.9571734475374732}
    """
    owner = "regression_metrics"
    y_true, y_pred = _nonempty_arrays(y_true, y_pred, owner)
    metric = RegressionMetrics._named(owner, multioutput=multioutput, force_finite=force_finite,
                                      nan_policy=nan_policy)
    return metric.update(y_true, y_pred, sample_weight).compute().to_dict()


def regression_accuracy(y_true, y_pred, *, threshold=0.5, sample_weight=None,
                        multioutput="uniform_average", nan_policy="raise"):
    """Share of predictions within ``threshold`` of the truth: ``|y_pred − y_true| <= threshold``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, n_outputs)
    threshold : float, default 0.5
        Tolerance, in the units of the target.
    sample_weight : array-like of shape (n,), optional
    multioutput, nan_policy
        As for :class:`RegressionMetrics`.

    Returns
    -------
    float, or list of float with ``multioutput="raw_values"``

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.regression_accuracy([10, 20, 30, 40], [10.2, 21, 30.5, 39.4])  # 0.2 and 0.5 are within
    0.5
    """
    owner = "regression_accuracy"
    y_true, y_pred = _nonempty_arrays(y_true, y_pred, owner)
    metric = RegressionMetrics._named(owner, threshold=threshold, multioutput=multioutput,
                                      nan_policy=nan_policy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return metric.update(y_true, y_pred, sample_weight).compute().accuracy
