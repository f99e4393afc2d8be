"""The confusion engine shared by classification and semantic segmentation: label arrays in,
a validated ``(C, C)`` count matrix out.

Glue only: checks what can be checked without reading the data (dtype, shape), views the arrays
as 3-D without copying, chooses a kernel of :mod:`modelmetrics.kernels.confusion`, and turns the
out-of-range counts the kernel returns into an error naming how many labels, the first one and
where it is (locating it is the only second pass, and runs on the error path only).
"""

from __future__ import annotations

import functools
import sys
import warnings

import numpy as np

from ._config import threads_for
from ._validation import parameter_error, to_numpy
from .exceptions import InvalidInputError, UndefinedMetricWarning
from .kernels import confusion as K

__all__ = [
    "PARALLEL_MIN_PAIRS",
    "ConfusionResult",
    "add_pairs",
    "as_label_array",
    "check_class_names",
    "check_num_classes",
    "check_zero_division",
    "count_pairs",
    "count_pairs_weighted",
    "describe_position",
    "mean_of_defined",
    "pair_threads",
    "per_class_table",
    "ratios",
    "value_property",
    "warn_undefined",
]

_EMPTY_LUT = np.empty(0, np.int64)
_EMPTY_WEIGHT = np.empty(0, np.float64)
#: Tables of at most this many cells are counted in four interleaved copies per part, larger
#: ones in one (see :mod:`modelmetrics.kernels.confusion`).
_WAYS_MAX_CELLS = 1 << 12
#: Batches of fewer pairs run on one thread. Counting runs at 1-2 G pairs/s per core, so smaller
#: batches take a few milliseconds at most, less than a thread pool can lose waiting for a
#: descheduled worker on a busy machine (measured: a 512×512 map took 23 ms on two threads of a
#: loaded two-core machine, 0.2 ms on one).
PARALLEL_MIN_PAIRS = 1 << 22


def pair_threads(n: int) -> threads_for:
    """:func:`~modelmetrics._config.threads_for` with this module's threshold."""
    return threads_for(n if n >= PARALLEL_MIN_PAIRS else 0)


#: Pairs per part at most: the kernels' per-part tables count in int32.
_MAX_PART = (1 << 31) - 1
#: Weighted sums run in parts whose number depends on the input only (not on the thread
#: count), so float rounding is the same on every machine.
_WEIGHTED_PART = 1 << 16
_WEIGHTED_MAX_PARTS = 8
_WEIGHTED_MAX_CELLS = 1 << 22


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"a {type(value).__name__}"


def as_label_array(value, name: str, owner: str, *, allow_float: bool = False) -> np.ndarray:
    """``value`` as a NumPy array of integer labels, without copying NumPy arrays, CPU tensors
    (also those tracking gradients) or anything exposing ``__array__`` or DLPack.

    Booleans are read as 0/1. With ``allow_float``, floating arrays whose values are all
    integers are converted to int64 (one pass); otherwise, and for other dtypes, the error says
    how to convert.

    Examples
    --------
    >>> as_label_array([0, 2, 1], "y_true", "f")
    array([0, 2, 1])
    """
    if isinstance(value, np.ndarray):
        array = value
    else:
        if value is None or isinstance(value, (str, bytes, dict, set)):
            raise InvalidInputError(f"The {name!r} argument of {owner} must be an array of integer "
                                    f"labels. Got {_describe(value)} instead.")
        try:
            if not hasattr(value, "__array__") and hasattr(value, "__dlpack__"):
                array = np.from_dlpack(value)
            else:
                array = to_numpy(value)
        except (TypeError, ValueError, RuntimeError, BufferError) as exc:
            raise InvalidInputError(f"The {name!r} argument of {owner} must be an array of integer "
                                    f"labels; converting {_describe(value)} to an array failed: "
                                    f"{exc}. Move tensors to the CPU first.") from exc
    kind = array.dtype.kind
    if kind == "b":
        return array.view(np.uint8)
    if kind in "iu":
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        return array
    if kind == "f" and allow_float and array.size and np.all(np.isfinite(array)) and np.all(
            array == np.floor(array)) and np.all(np.abs(array) < 2.0 ** 62):
        return array.astype(np.int64)
    if kind == "f" and allow_float and array.size == 0:
        return array.astype(np.int64)
    raise InvalidInputError(
        f"The {name!r} argument of {owner} must hold integer class labels. Got "
        f"{_describe(array)} instead. Convert it, e.g. with numpy.asarray({name}).astype(int)"
        + (" (or argmax over the class axis for scores)." if kind == "f" else "."))


def _as_3d(array: np.ndarray) -> np.ndarray:
    """A 3-D view (1-D: (1, 1, n); 2-D: (1, H, W)); more dimensions are merged into the first
    (a copy only when the strides do not allow a view)."""
    if array.ndim == 3:
        return array
    if array.ndim < 3:
        return array.reshape((1,) * (3 - array.ndim) + array.shape)
    return array.reshape((-1,) + array.shape[-2:])


@functools.lru_cache(maxsize=64)
def _code_tables(dtype: np.dtype, n_classes: int, ignore: int | None, shift: int):
    if dtype.itemsize * 8 > K.LUT_MAX_BITS:
        return _EMPTY_LUT, _EMPTY_LUT
    return K.code_tables(dtype.itemsize * 8, dtype.kind == "i", n_classes,
                         0 if ignore is None else ignore, ignore is not None, shift)


def _n_threads() -> int:
    import numba

    return numba.get_num_threads()


def describe_position(index: int, shape: tuple) -> str:
    """A flat C-order index as a position in words: (image, row, column) for 3-D maps.

    Examples
    --------
    >>> describe_position(7, (2, 2, 3))
    'image 1, row 0, column 1'
    """
    if len(shape) <= 1:
        return f"index {index}"
    coords = np.unravel_index(index, shape)
    names = ["row", "column"] if len(shape) == 2 else ["image", "row", "column"]
    if len(shape) > 3:
        names = [f"axis {d}" for d in range(len(shape))]
    return ", ".join(f"{n} {int(c)}" for n, c in zip(names, coords))


def _raise_out_of_range(gt, pred, shape, n_classes, ignore, shift, n_gt_bad, n_pred_bad,
                        names, owner, unit):
    g_rows, _ = _code_tables(gt.dtype, n_classes, ignore, shift)
    _, p_cols = _code_tables(pred.dtype, n_classes, ignore, shift)
    index, which, value = K.first_invalid(gt, pred, n_classes, 0 if ignore is None else ignore,
                                          ignore is not None, shift, g_rows, p_cols)
    total = n_gt_bad + n_pred_bad
    upper = n_classes + shift
    allowed = f"[{shift}, {upper})" if shift else f"[0, {n_classes})"
    extra = ""
    if ignore is not None:
        extra = f" ({names[0]!r} may also hold ignore_index {ignore}"
        extra += ", and 0 under reduce_zero_label)" if shift else ")"
    raise InvalidInputError(
        f"The {names[which]!r} argument of {owner} holds labels outside {allowed}{extra}: "
        f"{total:,} {unit}(s) in all have one ({n_gt_bad:,} in {names[0]!r}, {n_pred_bad:,} in "
        f"{names[1]!r}); the first is {int(value)} in {names[which]!r} at "
        f"{describe_position(int(index), shape)}. Class labels must be 0 … {n_classes - 1} for "
        f"num_classes={n_classes}: check num_classes, or map the extra values to ignore_index.")


def _count_table(gt, pred, n_classes, ignore, shift, names, owner, unit):
    """Validated counts of a non-empty batch: a ``(n_classes, n_classes)`` view of the kernel's
    table, and the number of ignored pairs."""
    shape = gt.shape
    g3, p3 = _as_3d(gt), _as_3d(pred)
    g_rows, _ = _code_tables(g3.dtype, n_classes, ignore, shift)
    _, p_cols = _code_tables(p3.dtype, n_classes, ignore, shift)
    n = g3.size
    with pair_threads(n):
        n_parts = max(_n_threads(), -(-n // _MAX_PART))
        if (g3.dtype == p3.dtype == np.uint8 and g3.flags.c_contiguous and p3.flags.c_contiguous
                and sys.byteorder == "little" and n >= 8):
            flat_g, flat_p = g3.reshape(-1), p3.reshape(-1)
            cut = n - n % 8
            table = K.confusion_table_bytes(flat_g[:cut].view(np.uint64), flat_p[:cut].view(np.uint64),
                                            flat_g[cut:], flat_p[cut:], g_rows, p_cols, n_classes,
                                            n_parts)
        else:
            ways = 4 if (n_classes + 2) * (n_classes + 1) <= _WAYS_MAX_CELLS else 1
            g_in, p_in = g3, p3
            if g3.flags.c_contiguous and p3.flags.c_contiguous:  # the common case: flat views
                g_in, p_in = g3.reshape(-1), p3.reshape(-1)
            table = K.confusion_table(g_in, p_in, n_classes, 0 if ignore is None else ignore,
                                      ignore is not None, shift, g_rows, p_cols, n_parts, ways)
    n_gt_bad = int(table[n_classes + 1].sum())
    n_pred_bad = int(table[:n_classes, n_classes].sum())
    if n_gt_bad or n_pred_bad:
        _raise_out_of_range(g3, p3, shape, n_classes, ignore, shift, n_gt_bad, n_pred_bad,
                            names, owner, unit)
    return table[:n_classes, :n_classes], int(table[n_classes].sum())


def count_pairs(gt: np.ndarray, pred: np.ndarray, n_classes: int, *, ignore: int | None = None,
                shift: int = 0, names=("y_true", "y_pred"), owner: str = "",
                unit: str = "sample") -> tuple[np.ndarray, int]:
    """Confusion counts of two integer label arrays of the same shape.

    Parameters
    ----------
    gt, pred : integer arrays of the same shape (any dtype, any layout)
    n_classes : int
    ignore : int or None
        Truth label left out on both sides.
    shift : {0, 1}
        1: mmsegmentation's ``reduce_zero_label`` (truth 0 ignored, others lowered by one).
    names, owner, unit : str
        For the error message.

    Returns
    -------
    counts : int64 array of shape (n_classes, n_classes)
        Row: truth, column: prediction.
    n_ignored : int
        Pairs left out as ignored.

    Raises
    ------
    InvalidInputError
        When a label is out of range; nothing is counted then.
    """
    if gt.size == 0:
        return np.zeros((n_classes, n_classes), np.int64), 0
    counts, ignored = _count_table(gt, pred, n_classes, ignore, shift, names, owner, unit)
    return np.ascontiguousarray(counts), ignored


def count_pairs_weighted(gt: np.ndarray, pred: np.ndarray, weight: np.ndarray, n_classes: int, *,
                         ignore: int | None = None, names=("y_true", "y_pred"),
                         owner: str = "") -> tuple[np.ndarray, float]:
    """Weighted twin of :func:`count_pairs` for 1-D labels; ``weight`` float64 of shape (n,).

    Returns
    -------
    sums : float64 array of shape (n_classes, n_classes)
    ignored_weight : float
    """
    g_rows, _ = _code_tables(gt.dtype, n_classes, ignore, 0)
    _, p_cols = _code_tables(pred.dtype, n_classes, ignore, 0)
    n = gt.shape[0]
    if n == 0:
        return np.zeros((n_classes, n_classes), np.float64), 0.0
    cells = (n_classes + 2) * (n_classes + 1)
    n_parts = max(1, min(_WEIGHTED_MAX_PARTS, -(-n // _WEIGHTED_PART), _WEIGHTED_MAX_CELLS // cells))
    with pair_threads(n):
        table, n_invalid = K.confusion_table_weighted(gt, pred, weight, n_classes,
                                                      0 if ignore is None else ignore,
                                                      ignore is not None, g_rows, p_cols, n_parts)
    if n_invalid:
        # the unweighted counts say how many are out of range on each side
        count_pairs(gt, pred, n_classes, ignore=ignore, names=names, owner=owner)
    return np.ascontiguousarray(table[:n_classes, :n_classes]), float(table[n_classes].sum())


#: Batches with fewer than (cells of the matrix) / _SPARSE_RATIO pairs are added straight into the
#: state (:func:`modelmetrics.kernels.confusion.accumulate_pairs`): clearing and summing a table
#: of many classes would cost more than counting them.
_SPARSE_RATIO = 4


def add_pairs(state: np.ndarray, gt: np.ndarray, pred: np.ndarray, n_classes: int, *,
              weight: np.ndarray | None = None, ignore: int | None = None, shift: int = 0,
              names=("y_true", "y_pred"), owner: str = "", unit: str = "sample") -> int:
    """Add the confusion counts (or, with ``weight``, the summed weights) of two label arrays
    into ``state`` (a C-contiguous ``(n_classes, n_classes)`` int64 or float64 array), in place.

    Small batches go straight into the state; large ones through :func:`count_pairs` (all
    cores). Weighted batches are 1-D and have no ignore label.

    Returns
    -------
    int
        Pairs left out as ignored (0 for weighted batches).

    Raises
    ------
    InvalidInputError
        When a label is out of range; ``state`` is unchanged then.
    """
    n = gt.size
    if n == 0:
        return 0
    if n * _SPARSE_RATIO < n_classes * n_classes:
        g = gt.reshape(-1)
        p = pred.reshape(-1)
        g_rows, _ = _code_tables(g.dtype, n_classes, ignore, shift)
        _, p_cols = _code_tables(p.dtype, n_classes, ignore, shift)
        ignored, gt_bad, pred_bad = K.accumulate_pairs(
            state, g, p, _EMPTY_WEIGHT if weight is None else weight, n_classes,
            0 if ignore is None else ignore, ignore is not None, shift, g_rows, p_cols)
        if gt_bad or pred_bad:
            _raise_out_of_range(_as_3d(gt), _as_3d(pred), gt.shape, n_classes, ignore, shift,
                                gt_bad, pred_bad, names, owner, unit)
        return ignored
    if weight is None:
        counts, ignored = _count_table(gt, pred, n_classes, ignore, shift, names, owner, unit)
    else:
        counts, ignored = count_pairs_weighted(gt, pred, weight, n_classes, names=names,
                                               owner=owner)[0], 0
    state += counts
    return ignored


# -- shared by the task packages: options, ratios under the undefined-value policy -------------


def check_num_classes(value, owner: str, *, name: str = "num_classes") -> int:
    """``value`` as a positive int, or the standard error.

    Examples
    --------
    >>> check_num_classes(3, "f")
    3
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise parameter_error(name, owner, "a positive int", value,
                              "Pass the number of classes the model predicts.")
    return int(value)


def check_class_names(names, n_classes: int, owner: str) -> tuple[str, ...]:
    """Class names as a tuple of ``n_classes`` distinct strings; ``None`` gives "0", "1", ….

    Examples
    --------
    >>> check_class_names(None, 3, "f")
    ('0', '1', '2')
    """
    if names is None:
        return tuple(str(i) for i in range(n_classes))
    if isinstance(names, (str, bytes)) or not hasattr(names, "__len__"):
        raise parameter_error("class_names", owner, f"a sequence of {n_classes} strings", names)
    names = tuple(names.tolist() if isinstance(names, np.ndarray) else names)
    if len(names) != n_classes or not all(isinstance(n, str) for n in names):
        shown = names if len(names) <= 10 else f"{len(names)} names"
        raise parameter_error("class_names", owner, f"a sequence of {n_classes} strings (one per "
                              f"class, in class-id order)", shown)
    if len(set(names)) != n_classes:
        seen, dup = set(), None
        for n in names:
            if n in seen:
                dup = n
                break
            seen.add(n)
        raise parameter_error("class_names", owner, "distinct strings", f"{dup!r} more than once")
    return names


def check_zero_division(value, owner: str):
    """``None`` (undefined values are None and excluded from averages) or a number in [0, 1]
    (they take that value and count in averages, as scikit-learn's and torchmetrics'
    ``zero_division``)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) or not (
            0.0 <= float(value) <= 1.0):
        raise parameter_error("zero_division", owner, "None, 0.0 or 1.0 (any number in [0, 1])",
                              value, "None leaves undefined values out of the averages.")
    return float(value)


def ratios(num: np.ndarray, den: np.ndarray, zero_division) -> tuple[list, np.ndarray]:
    """``num / den`` element-wise as Python floats; where ``den`` is 0 the value is ``None``
    (``zero_division=None``) or ``zero_division``. Returns the values and the mask of zero
    denominators.

    Examples
    --------
    >>> ratios(np.array([1, 0]), np.array([2, 0]), None)
    ([0.5, None], array([False,  True]))
    """
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    zero = den == 0
    values = np.divide(num, den, out=np.zeros_like(num), where=~zero)
    fill = zero_division
    out = [fill if z else float(v) for v, z in zip(values.tolist(), zero.tolist())]
    return out, zero


def mean_of_defined(values: list, weights=None):
    """Mean (weighted by ``weights``) of the values that are not ``None``; ``None`` when there
    is none. Weighted with all weights zero: the plain mean (scikit-learn's rule)."""
    keep = [i for i, v in enumerate(values) if v is not None]
    if not keep:
        return None
    vals = np.array([values[i] for i in keep], dtype=np.float64)
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)[keep]
        if w.sum() > 0:
            return float(np.average(vals, weights=w))
    return float(np.mean(vals))


def zero_division_note(zero_division) -> str:
    if zero_division is None:
        return "; reported as None and left out of the averages (pass zero_division=0.0 or 1.0 to substitute)"
    return f"; reported as {zero_division} (zero_division={zero_division}) and counted in the averages"


def per_class_table(names, columns: dict, reasons: dict, zero_division, support: list):
    """Per-class rows ``{name: {key: value, …, "support": n}}`` and the undefined reasons
    ``{"per-class/<name>/<key>": reason}``.

    ``columns`` maps each key, in output order, to ``(values, zero)`` as :func:`ratios` returns
    them (``zero`` None for a column that is always defined).
    """
    note = zero_division_note(zero_division)
    per_class, undefined = {}, {}
    for c, name in enumerate(names):
        row = {}
        for key, (values, zero) in columns.items():
            row[key] = values[c]
            if zero is not None and zero[c]:
                undefined[f"per-class/{name}/{key}"] = reasons[key] + note
        row["support"] = support[c]
        per_class[name] = row
    return per_class, undefined


def warn_undefined(undefined: dict, owner: str, stacklevel: int = 3) -> None:
    """One :class:`UndefinedMetricWarning` summarising ``undefined`` ({key: reason})."""
    if not undefined:
        return
    key, reason = next(iter(undefined.items()))
    warnings.warn(f"{owner}: {len(undefined)} value(s) are undefined or substituted, with their "
                  f"reason in the result's 'undefined' mapping; e.g. {key}: {reason}.",
                  UndefinedMetricWarning, stacklevel=stacklevel)


def check_mergeable(metric, other, options: tuple) -> None:
    """Raise unless ``other`` is an evaluator of ``metric``'s class with the same ``options``
    (attribute names): only states that count alike can be merged."""
    owner = f"{type(metric).__name__}.merge"
    if not isinstance(other, type(metric)):
        raise InvalidInputError(f"{owner} expects another {type(metric).__name__}. Got a "
                                f"{type(other).__name__} instead.")
    mine = tuple(getattr(metric, name) for name in options)
    theirs = tuple(getattr(other, name) for name in options)
    if mine != theirs:
        raise InvalidInputError(
            f"{owner}: the states differ in ({', '.join(options)}): {mine} and {theirs}, so "
            f"they count differently; only states of the same options can be merged.")


def value_property(key: str, doc: str = "") -> property:
    """A read-only attribute for ``self.values[key]``."""
    return property(lambda self: self.values[key], doc=doc or f"``values[{key!r}]``.")


class ConfusionResult:
    """What the result classes of the confusion-based tasks share (they are frozen dataclasses
    with ``values``, ``per_class`` and ``undefined``)."""

    values: dict
    per_class: dict
    undefined: dict

    def __getitem__(self, key: str):
        return self.values[key]

    def dataset_stats(self) -> dict:
        """Support per class, ``{name: count}`` (the export's ``datasetStats``): samples per true
        class for classification, labelled pixels per class for segmentation."""
        return {name: row["support"] for name, row in self.per_class.items()}

    def job_state_entry(self, *, target_names=None) -> dict:
        """What this result contributes to one split of a job-state document: ``modelType``,
        ``metrics`` (``to_dict()``), ``datasetStats`` (:meth:`dataset_stats`) and ``accuracy``
        (with the probability threshold for classification; none for segmentation). Used by
        :meth:`modelmetrics.TrainingRun.set_metrics`; ``target_names`` is not used."""
        return {"modelType": self.model_type, "metrics": self.to_dict(),
                "datasetStats": {self.model_type: self.dataset_stats()},
                "accuracy": {"accuracy": self.accuracy,
                             "threshold": getattr(self, "threshold", None)}}

    def _export(self, **extra) -> dict:
        """``values``, ``per-class``, then ``extra``, then ``undefined`` when not empty."""
        out = dict(self.values)
        out["per-class"] = {name: dict(row) for name, row in self.per_class.items()}
        out.update(extra)
        if self.undefined:
            out["undefined"] = dict(self.undefined)
        return out
