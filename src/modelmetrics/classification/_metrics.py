"""Classification metrics from one confusion matrix, streaming and mergeable.

The state of :class:`ClassificationMetrics` is the ``(C, C)`` confusion matrix (row: true class,
column: predicted class; int64 counts, or float64 sums of ``sample_weight`` once weights were
given), and, for batches given as scores, the histogram of the rank of the true class (top-k
accuracy for every k). Batches in any split, or shards merged in any order, give the one-call
result (exactly, without weights).

Predictions may be class labels (integers, or strings with ``class_names``), scores or
probabilities of shape (n, C) (the predicted class is the argmax, first on ties; top-k accuracy
becomes available), or for two classes the probability of class 1, predicted when it is above
``threshold`` (as scikit-learn's and torchmetrics' ``> threshold``). Multi-label input (0/1
indicator matrices, probabilities per label) is counted per label: see ``multilabel`` of
:class:`ClassificationMetrics`.

With ``tp`` the diagonal, ``support`` the row sums, ``predicted`` the column sums and ``n`` the
total, the metrics equal scikit-learn's with ``labels=range(C)``:

=================================  ================================================
``accuracy``                       Σ tp / n  (``accuracy_score``)
``balanced-accuracy``              mean recall over classes with support
                                   (``balanced_accuracy_score``)
per class ``precision``            tp / predicted
per class ``recall``               tp / support
per class ``f1-score``             2·tp / (support + predicted)
per class ``accuracy``             (n − (predicted − tp) − (support − tp)) / n, one-vs-rest
``precision``/``recall``/          macro averages (``precision_recall_fscore_support``);
``f1-score``                       micro and support-weighted ones in ``averages``
top-k accuracy                     share of samples whose class is among the k best scores,
                                   ties broken as ``top_k_accuracy_score``
=================================  ================================================

Undefined values (see :mod:`modelmetrics.exceptions`): a class never predicted has no precision,
a class without support no recall, a class in neither no F1. By default (``zero_division=None``)
they are ``None``, their reason is under ``undefined`` (``per-class/<name>/<metric>``), they
are left out of the averages (scikit-learn's ``zero_division=np.nan``), and one
:class:`~modelmetrics.exceptions.UndefinedMetricWarning` says so; ``zero_division=0.0`` or ``1.0``
substitutes that value and counts it in the averages (scikit-learn's ``zero_division=0/1``).
Balanced accuracy always averages over the classes with support, as scikit-learn does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._confusion import (
    ConfusionResult,
    add_pairs,
    as_label_array,
    check_class_names,
    check_mergeable,
    check_num_classes,
    check_zero_division,
    count_pairs,
    mean_of_defined,
    pair_threads,
    per_class_table,
    ratios,
    value_property,
    warn_undefined,
)
from .._state import pack_state, restore, unpack_state
from .._validation import as_real_array, check_choice, check_finite_number, parameter_error, to_numpy
from ..exceptions import InvalidInputError
from ..kernels import confusion as K

__all__ = [
    "METRIC_KEYS",
    "ClassificationMetrics",
    "ClassificationResult",
    "classification_metrics",
    "confusion_matrix",
]

METRIC_KEYS = ("accuracy", "balanced-accuracy", "precision", "recall", "f1-score")
_AVERAGED = ("precision", "recall", "f1-score")
_NORMALIZE = ("true", "pred", "all")
_REASONS = {
    "precision": "the class is never predicted (0 predicted samples)",
    "recall": "the class has no sample in y_true (support 0)",
    "f1-score": "the class is neither in y_true nor predicted",
}
#: Samples per part of the rank kernel (the parts, hence the float sums, do not depend on the
#: number of threads).
_RANK_PART = 1 << 15
_RANK_MAX_PARTS = 64


def _normalized(matrix: np.ndarray, normalize, owner: str, class_names) -> np.ndarray:
    """``matrix`` normalised over true classes (rows), predictions (columns) or all, as
    scikit-learn does: a row (column) without samples stays 0, and a warning names it. Without
    ``normalize``, ``matrix`` itself."""
    if normalize is None:
        return matrix
    check_choice(normalize, "normalize", owner, _NORMALIZE)
    m = matrix.astype(np.float64)
    with np.errstate(all="ignore"):
        if normalize == "true":
            out = m / m.sum(axis=1, keepdims=True)
            empty = np.flatnonzero(m.sum(axis=1) == 0)
            what = "true class(es) without samples (rows)"
        elif normalize == "pred":
            out = m / m.sum(axis=0, keepdims=True)
            empty = np.flatnonzero(m.sum(axis=0) == 0)
            what = "class(es) never predicted (columns)"
        else:
            out = m / m.sum()
            empty = np.arange(0 if m.sum() else 1)
            what = "an empty matrix"
    if len(empty):
        names = [class_names[i] for i in empty[:5]] if normalize != "all" else []
        warn_undefined({f"confusion-matrix ({normalize})": f"{len(empty)} {what} have no total "
                        f"to divide by {names if names else ''} and are shown as 0, as "
                        f"scikit-learn does"}, owner, stacklevel=4)
    return np.nan_to_num(out)


@dataclass(frozen=True)
class ClassificationResult(ConfusionResult):
    """Classification metrics of one evaluation.

    Attributes
    ----------
    values : dict
        ``accuracy``, ``balanced-accuracy``, and macro ``precision``, ``recall``, ``f1-score``
        (float, or ``None`` when undefined).
    averages : dict
        ``{"macro" | "micro" | "weighted": {"precision", "recall", "f1-score"}}``.
    per_class : dict
        ``{name: {"precision", "recall", "accuracy", "f1-score", "support"}}`` in class order.
    undefined : dict
        ``{key: reason}`` for every undefined or substituted value.
    confusion_matrix : numpy.ndarray of shape (C, C), or (C, 2, 2) for multi-label
        Row: true class, column: predicted class (int64 counts, float64 when weighted);
        multi-label: ``[[tn, fp], [fn, tp]]`` per label.
    class_names : tuple of str
    threshold : float
        Decision threshold applied to binary probabilities.
    n_samples : int
    rank_counts : numpy.ndarray or None
        For samples given as scores: summed weight of samples per rank of their true class.
    """

    values: dict
    averages: dict
    per_class: dict
    undefined: dict
    confusion_matrix: np.ndarray = field(repr=False)
    class_names: tuple
    threshold: float
    n_samples: int
    rank_counts: np.ndarray | None = field(default=None, repr=False)
    rank_note: str = field(default="", repr=False)
    multilabel: bool = False

    def _single_label(self, view: str) -> None:
        if self.multilabel:
            raise InvalidInputError(f"ClassificationResult.{view} needs a single-label confusion "
                                    f"matrix; a multi-label result has one 2×2 matrix per label "
                                    f"(confusion_matrix[k] = [[tn, fp], [fn, tp]]).")

    model_type = "classification"  # the job-state modelType
    accuracy = value_property("accuracy")
    balanced_accuracy = value_property("balanced-accuracy")

    def _index(self, cls) -> int:
        if isinstance(cls, str):
            try:
                return self.class_names.index(cls)
            except ValueError:
                raise InvalidInputError(f"Unknown class {cls!r}; the classes are "
                                        f"{list(self.class_names[:10])}"
                                        f"{' …' if len(self.class_names) > 10 else ''}.") from None
        if isinstance(cls, (int, np.integer)) and not isinstance(cls, bool) and 0 <= cls < len(self.class_names):
            return int(cls)
        raise InvalidInputError(f"A class must be a name or an index in [0, "
                                f"{len(self.class_names)}). Got {cls!r} instead.")

    def confusion(self, normalize=None) -> np.ndarray:
        """The confusion matrix, optionally normalised over true classes (``"true"``),
        predictions (``"pred"``) or everything (``"all"``) as scikit-learn's."""
        if normalize is not None:
            self._single_label("confusion(normalize=...)")
        return _normalized(self.confusion_matrix.copy(), normalize,
                           "ClassificationResult.confusion", self.class_names)

    def most_confused(self, k: int = 10) -> list[tuple[str, str, float]]:
        """The ``k`` largest off-diagonal cells: ``(true name, predicted name, count)``, by
        count, then by true and predicted class index; cells of count 0 are left out.

        Examples
        --------
        >>> import modelmetrics as mm
        >>> r = mm.classification_metrics(["cat", "cat", "dog", "fox", "fox"],
        ...                               ["dog", "dog", "cat", "dog", "fox"])
        >>> r.most_confused(2)
        [('cat', 'dog', 2), ('dog', 'cat', 1)]
        """
        k = _check_k(k, "most_confused")
        self._single_label("most_confused")
        m = self.confusion_matrix
        off = m.copy()
        np.fill_diagonal(off, 0)
        flat = off.ravel()
        n_nonzero = int(np.count_nonzero(flat))
        k = min(k, n_nonzero)
        if k == 0:
            return []
        if k < flat.size:  # the k largest (ties by index), without sorting everything
            kth = np.partition(flat, flat.size - k)[flat.size - k]
            candidates = np.flatnonzero(flat >= kth)
        else:
            candidates = np.arange(flat.size)
        order = candidates[np.lexsort((candidates, -flat[candidates]))][:k]
        c = m.shape[0]
        return [(self.class_names[i // c], self.class_names[i % c], flat[i].item()) for i in order]

    def most_common(self, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` classes with the most samples in ``y_true``: ``(name, support)``, ties by
        class index.

        Examples
        --------
        >>> import modelmetrics as mm
        >>> mm.classification_metrics([2, 0, 2, 1, 2, 0], [2, 0, 1, 1, 2, 2]).most_common(2)
        [('2', 3), ('0', 2)]
        """
        k = _check_k(k, "most_common")
        support = np.array([row["support"] for row in self.per_class.values()])
        order = np.argsort(-support, kind="stable")[:k]
        return [(self.class_names[i], support[i].item()) for i in order]

    def submatrix(self, classes, *, normalize=None, other: bool = False) -> tuple[list, np.ndarray]:
        """The confusion matrix restricted to ``classes`` (names or indices, in that order).

        Parameters
        ----------
        classes : sequence of str or int
        normalize : {None, "true", "pred", "all"}
            Applied after the restriction.
        other : bool
            Add a last row and column ``"other"`` that sums every class not chosen, so that
            no sample is lost.

        Returns
        -------
        labels : list of str
        matrix : numpy.ndarray of shape (k, k), or (k + 1, k + 1) with ``other``

        Examples
        --------
        >>> import modelmetrics as mm
        >>> r = mm.classification_metrics([0, 1, 2, 2], [0, 2, 2, 1])
        >>> r.submatrix([2, 1])
        (['2', '1'], array([[1, 1],
               [1, 0]]))
        """
        self._single_label("submatrix")
        if isinstance(classes, (str, int, np.integer)):
            classes = [classes]
        index = [self._index(c) for c in classes]
        if len(set(index)) != len(index):
            raise InvalidInputError(f"ClassificationResult.submatrix: the classes {list(classes)!r} "
                                    f"name a class more than once.")
        m = self.confusion_matrix
        sub = m[np.ix_(index, index)]
        labels = [self.class_names[i] for i in index]
        if other:
            rest = np.setdiff1d(np.arange(m.shape[0]), index)
            full = np.zeros((len(index) + 1,) * 2, m.dtype)
            full[:-1, :-1] = sub
            full[:-1, -1] = m[np.ix_(index, rest)].sum(axis=1)
            full[-1, :-1] = m[np.ix_(rest, index)].sum(axis=0)
            full[-1, -1] = m[np.ix_(rest, rest)].sum()
            sub, labels = full, labels + ["other"]
        return labels, _normalized(sub, normalize, "ClassificationResult.submatrix", labels)

    def top_k_accuracy(self, k: int) -> float | None:
        """Share of samples (weighted) whose true class is among the ``k`` highest scores;
        ``None`` (with a warning) unless every sample was given as scores.

        Examples
        --------
        >>> import numpy as np, modelmetrics as mm
        >>> scores = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])
        >>> r = mm.classification_metrics([0, 1, 2], scores)
        >>> r.top_k_accuracy(1), r.top_k_accuracy(2)
        (0.3333333333333333, 1.0)
        """
        k = _check_k(k, "top_k_accuracy")
        if self.rank_counts is None:
            warn_undefined({f"top-{k}-accuracy": self.rank_note}, "ClassificationResult", stacklevel=3)
            return None
        total = self.rank_counts.sum()
        return float(self.rank_counts[:k].sum() / total)

    def to_dict(self) -> dict:
        """The metrics in the job-state export format: ``accuracy``, ``balanced-accuracy``, macro
        ``precision``/``recall``/``f1-score``, ``per-class``, ``confusion-matrix``
        (``labels``, ``matrix``), and ``undefined`` when any value is undefined or substituted.

        Examples
        --------
        >>> import modelmetrics as mm
        >>> d = mm.classification_metrics([0, 1, 1, 0], [0, 1, 0, 0], class_names=["ok", "defect"]).to_dict()
        >>> d["accuracy"], d["per-class"]["defect"], d["confusion-matrix"]
        ... # doctest: +NORMALIZE_WHITESPACE
        (0.75, {'precision': 1.0, 'recall': 0.5, 'accuracy': 0.75, 'f1-score': 0.6666666666666666,
         'support': 2}, {'labels': ['ok', 'defect'], 'matrix': [[2, 0], [1, 1]]})
        """
        return self._export(**{"confusion-matrix": {"labels": list(self.class_names),
                                                     "matrix": self.confusion_matrix.tolist()}})


def _check_k(k, owner: str) -> int:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise parameter_error("k", owner, "a positive int", k)
    return int(k)


def _as_array(value, name: str, owner: str) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise InvalidInputError(f"The {name!r} argument of {owner} must be an array of labels or "
                                f"scores. Got a {type(value).__name__} instead.")
    try:
        return to_numpy(value)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise InvalidInputError(f"The {name!r} argument of {owner} could not be read as an array "
                                f"({exc}). Pass a NumPy array, a list or a CPU tensor.") from exc


def _encode_strings(array: np.ndarray, names: tuple, name: str, owner: str) -> np.ndarray:
    """String labels -> class indices (a dictionary lookup per distinct label, not per sample)."""
    uniques, inverse = np.unique(array, return_inverse=True)
    lookup = {n: i for i, n in enumerate(names)}
    codes = np.array([lookup.get(str(u), -1) for u in uniques.tolist()], dtype=np.int64)
    if np.any(codes < 0):
        unknown = uniques[codes < 0]
        first = int(np.flatnonzero(np.isin(array, unknown))[0])
        raise InvalidInputError(
            f"The {name!r} argument of {owner} holds {len(unknown)} label(s) that are not class "
            f"names, the first {str(array[first])!r} at index {first}. The classes are "
            f"{list(names[:10])}{' …' if len(names) > 10 else ''}; pass class_names with every label.")
    return codes[inverse.reshape(-1)]


def _is_text(array: np.ndarray) -> bool:
    return array.dtype.kind in "USO"


def _describe_array(array: np.ndarray) -> str:
    return f"an array of dtype {array.dtype} and shape {array.shape}"


def _check_weights(sample_weight, n: int, owner: str):
    """Sample weights as float64 (finite, >= 0, one per sample), or None."""
    if sample_weight is None:
        return None
    weight = np.ascontiguousarray(as_real_array(sample_weight, "sample_weight", owner, ndims=(1,)),
                                  dtype=np.float64)
    if weight.shape[0] != n:
        raise InvalidInputError(f"The 'sample_weight' argument of {owner} must have one weight per "
                                f"sample ({n}). Got {weight.shape[0]} instead.")
    bad = ~(np.isfinite(weight) & (weight >= 0))
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(f"The 'sample_weight' argument of {owner} must hold finite weights "
                                f">= 0. Got {weight[i].item()!r} at index {i}.")
    return weight


class _Batch:
    """A validated batch: labels (1-D), optional weights and scores."""

    __slots__ = ("true", "pred", "weight", "scores")

    def __init__(self, true, pred, weight, scores):
        self.true, self.pred, self.weight, self.scores = true, pred, weight, scores


class ClassificationMetrics:
    """Streaming classification metrics: ``update`` → ``merge`` → ``compute``.

    Parameters
    ----------
    num_classes : int
        Classes ``0 … num_classes-1`` (no upper limit).
    class_names : sequence of str, optional
        One name per class in index order (default ``"0"``, ``"1"``, …). String labels given to
        ``update`` are looked up here.
    threshold : float in [0, 1], default 0.5
        For two classes given as the probability of class 1: class 1 is predicted when the
        probability is above the threshold.
    zero_division : None or float in [0, 1], default None
        Undefined per-class values: ``None`` reports them as ``None`` and leaves them out of
        the averages; a number substitutes it (see the module docstring).
    multilabel : bool, default False
        Multi-label classification: ``y_true`` is an indicator matrix (n, C) of 0/1 and
        ``y_pred`` the same, or probabilities per label (a label is predicted when above
        ``threshold``). Per-class values are per label (one-vs-rest), ``accuracy`` is the share
        of samples whose whole label set is right (scikit-learn's subset accuracy), balanced
        accuracy and top-k accuracy are undefined, and the confusion matrix is one 2×2 matrix
        per label, ``[[tn, fp], [fn, tp]]`` (scikit-learn's ``multilabel_confusion_matrix``).

    Examples
    --------
    >>> import modelmetrics as mm
    >>> metric = mm.ClassificationMetrics(3, class_names=["cat", "dog", "fox"])
    >>> _ = metric.update([0, 1, 2, 2], [0, 1, 1, 2])
    >>> _ = metric.update(["cat", "fox"], ["cat", "fox"])
    >>> result = metric.compute()
    >>> result["accuracy"], result.per_class["fox"]["recall"], result.most_confused(1)
    (0.8333333333333334, 0.6666666666666666, [('fox', 'dog', 1)])
    """

    def __init__(self, num_classes, *, class_names=None, threshold=0.5, zero_division=None,
                 multilabel=False):
        self._set_options(num_classes, class_names, threshold, zero_division, multilabel)
        self.reset()

    def _set_options(self, num_classes, class_names, threshold, zero_division, multilabel):
        owner = type(self).__name__
        self.num_classes = check_num_classes(num_classes, owner)
        self.class_names = check_class_names(class_names, self.num_classes, owner)
        self.threshold = check_finite_number(threshold, "threshold", owner, minimum=0)
        if self.threshold > 1:
            raise parameter_error("threshold", owner, "a number in [0, 1]", threshold)
        self.zero_division = check_zero_division(zero_division, owner)
        if not isinstance(multilabel, (bool, np.bool_)):
            raise parameter_error("multilabel", owner, "True or False", multilabel)
        self.multilabel = bool(multilabel)

    @classmethod
    def _reader(cls, num_classes, class_names, threshold) -> "ClassificationMetrics":
        """An instance that only reads batches (``_batch``): options set, no state allocated."""
        reader = cls.__new__(cls)
        reader._set_options(num_classes, class_names, threshold, None, False)
        return reader

    # -- input ------------------------------------------------------------------------------

    def _labels(self, array: np.ndarray, name: str, owner: str) -> np.ndarray:
        if _is_text(array):
            return _encode_strings(array, self.class_names, name, owner)
        return as_label_array(array, name, owner, allow_float=True)

    def _batch(self, y_true, y_pred, sample_weight, owner: str) -> _Batch:
        c = self.num_classes
        true_raw = _as_array(y_true, "y_true", owner)
        if true_raw.ndim != 1:
            raise InvalidInputError(f"The 'y_true' argument of {owner} must be 1-D (one label per "
                                    f"sample). Got shape {true_raw.shape} instead; for multi-label "
                                    f"indicator matrices pass multilabel=True.")
        true = self._labels(true_raw, "y_true", owner)
        pred_raw = _as_array(y_pred, "y_pred", owner)
        scores = None
        if pred_raw.ndim == 2:
            if pred_raw.dtype.kind not in "iuf" or pred_raw.shape[1] != c:
                raise InvalidInputError(
                    f"The 'y_pred' argument of {owner} is 2-D, so it must hold scores of shape "
                    f"(n_samples, num_classes={c}). Got {pred_raw.dtype} of shape "
                    f"{pred_raw.shape} instead.")
            scores = pred_raw.astype(np.float32) if pred_raw.dtype == np.float16 else pred_raw
            if scores.dtype.kind == "f" and not np.all(np.isfinite(scores)):
                bad = np.argwhere(~np.isfinite(scores))[0]
                raise InvalidInputError(
                    f"The 'y_pred' scores of {owner} must be finite. Got {scores[tuple(bad)].item()!r} at "
                    f"row {bad[0]}, column {bad[1]}.")
            pred = scores.argmax(axis=1) if len(scores) else np.empty(0, np.int64)
        elif pred_raw.ndim == 1 and pred_raw.dtype.kind == "f":
            if c != 2:
                raise InvalidInputError(
                    f"The 'y_pred' argument of {owner} holds floats of shape {pred_raw.shape}, read "
                    f"as probabilities of class 1, which needs num_classes=2 (got {c}). Pass integer "
                    f"labels, or scores of shape (n_samples, {c}).")
            if pred_raw.size and not (np.all(pred_raw >= 0) and np.all(pred_raw <= 1)):
                bad = int(np.flatnonzero(~((pred_raw >= 0) & (pred_raw <= 1)))[0])
                raise InvalidInputError(
                    f"The 'y_pred' probabilities of {owner} must be in [0, 1]. Got "
                    f"{pred_raw[bad].item()!r} at index {bad}. Apply a sigmoid to logits first, or pass "
                    f"integer labels.")
            pred = (pred_raw > self.threshold).view(np.uint8)
        elif pred_raw.ndim == 1:
            pred = self._labels(pred_raw, "y_pred", owner)
        else:
            raise InvalidInputError(f"The 'y_pred' argument of {owner} must be labels of shape "
                                    f"(n_samples,) or scores of shape (n_samples, {c}). Got shape "
                                    f"{pred_raw.shape} instead.")
        if pred.shape[0] != true.shape[0]:
            raise InvalidInputError(f"The 'y_true' and 'y_pred' arguments of {owner} must have one "
                                    f"entry per sample each. Got {true.shape[0]} and "
                                    f"{pred.shape[0]} samples instead.")
        return _Batch(true, pred, _check_weights(sample_weight, true.shape[0], owner), scores)

    # -- streaming -------------------------------------------------------------------------

    def update(self, y_true, y_pred, sample_weight=None) -> "ClassificationMetrics":
        """Add a batch.

        Parameters
        ----------
        y_true : array-like of shape (n,)
            True class indices (integers, or integral floats), or class names.
        y_pred : array-like of shape (n,) or (n, num_classes)
            Predicted class indices or names; scores/probabilities per class (argmax; enables
            top-k accuracy); or, for two classes, floats in [0, 1]: the probability of class 1.
        sample_weight : array-like of shape (n,), optional
            Non-negative weights.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            Bad shapes, labels out of range (how many, the first and where), non-finite scores
            or weights; the state is unchanged then.
        """
        owner = f"{type(self).__name__}.update"
        if self.multilabel:
            return self._update_multilabel(y_true, y_pred, sample_weight, owner)
        batch = self._batch(y_true, y_pred, sample_weight, owner)
        n = batch.true.shape[0]
        state = self._counts
        if batch.weight is not None and state.dtype != np.float64:
            state = state.astype(np.float64)  # weighted from now on (kept only if accepted)
        add_pairs(state, batch.true, batch.pred, self.num_classes, weight=batch.weight, owner=owner)
        self._counts = state
        if batch.scores is not None and n:
            n_parts = max(1, min(_RANK_MAX_PARTS, -(-n // _RANK_PART)))
            weight = batch.weight if batch.weight is not None else np.empty(0)
            with pair_threads(n * self.num_classes):
                ranks = K.rank_histogram(batch.scores, batch.true, weight, n_parts)
            self._ranks += ranks
            self._n_scored += n
        self._n_samples += n
        return self

    def _indicators(self, value, name: str, owner: str) -> np.ndarray:
        """A (n, C) boolean matrix of labels; probabilities are thresholded (``> threshold``)."""
        raw = _as_array(value, name, owner)
        c = self.num_classes
        if raw.ndim != 2 or raw.shape[1] != c or raw.dtype.kind not in "biuf":
            raise InvalidInputError(
                f"The {name!r} argument of {owner} (multi-label) must be a matrix of shape "
                f"(n_samples, num_classes={c}) of 0/1 indicators"
                f"{' or probabilities' if name == 'y_pred' else ''}. Got {_describe_array(raw)} instead.")
        if raw.dtype.kind == "f" and name == "y_pred":
            bad = ~((raw >= 0) & (raw <= 1))
            if np.any(bad):
                i, j = np.argwhere(bad)[0]
                raise InvalidInputError(
                    f"The 'y_pred' probabilities of {owner} must be in [0, 1]. Got {raw[i, j].item()!r} at "
                    f"row {i}, column {j}. Apply a sigmoid to logits first.")
            return raw > self.threshold
        bad = (raw != 0) & (raw != 1)
        if np.any(bad):
            i, j = np.argwhere(bad)[0]
            raise InvalidInputError(
                f"The {name!r} argument of {owner} (multi-label) must hold 0/1 indicators. Got "
                f"{raw[i, j].item()!r} at row {i}, column {j}.")
        return raw.astype(bool, copy=False)

    def _update_multilabel(self, y_true, y_pred, sample_weight, owner: str):
        t = self._indicators(y_true, "y_true", owner)
        p = self._indicators(y_pred, "y_pred", owner)
        if t.shape != p.shape:
            raise InvalidInputError(f"The 'y_true' and 'y_pred' arguments of {owner} must have the "
                                    f"same shape. Got {t.shape} and {p.shape} instead.")
        weight = _check_weights(sample_weight, t.shape[0], owner)
        cells = (~t & ~p, ~t & p, t & ~p, t & p)  # tn, fp, fn, tp
        exact = np.all(t == p, axis=1)
        if weight is None:
            counts = np.stack([np.count_nonzero(x, axis=0) for x in cells], axis=1).astype(np.int64)
            subset = float(np.count_nonzero(exact))
        else:
            counts = np.stack([weight @ x for x in cells], axis=1)
            subset = float(weight[exact].sum())
        if counts.dtype != self._counts.dtype:
            self._counts = self._counts.astype(np.float64)
        self._counts += counts.reshape(-1, 2, 2)
        self._subset += subset
        self._n_samples += t.shape[0]
        return self

    def merge(self, other: "ClassificationMetrics") -> "ClassificationMetrics":
        """Fold another state into this one (in place) and return ``self``."""
        check_mergeable(self, other, ("num_classes", "threshold", "multilabel"))
        if other._counts.dtype != self._counts.dtype:
            self._counts = self._counts.astype(np.float64)
        self._counts += other._counts
        self._ranks += other._ranks
        self._subset += other._subset
        self._n_scored += other._n_scored
        self._n_samples += other._n_samples
        return self

    def reset(self) -> "ClassificationMetrics":
        """Forget every sample (options are kept)."""
        shape = (self.num_classes, 2, 2) if self.multilabel else (self.num_classes,) * 2
        self._counts = np.zeros(shape, np.int64)
        self._ranks = np.zeros(self.num_classes, np.float64)
        self._subset = np.zeros(1, np.float64)  # multi-label: weight of exact matches
        self._n_scored = 0
        self._n_samples = 0
        return self

    @property
    def n_samples(self) -> int:
        return self._n_samples

    def compute(self) -> ClassificationResult:
        """The metrics of everything seen so far.

        Returns
        -------
        ClassificationResult

        Raises
        ------
        InvalidInputError
            When no sample (or no weight) was seen.
        """
        owner = f"{type(self).__name__}.compute()"
        m = self._counts
        if self.multilabel:  # per label [[tn, fp], [fn, tp]]
            total = m[0].sum() if self.num_classes else 0
            tp, fp, fn = m[:, 1, 1], m[:, 0, 1], m[:, 1, 0]
            support, predicted = tp + fn, tp + fp
        else:
            total = m.sum()
            tp = np.diag(m)
            support = m.sum(axis=1)
            predicted = m.sum(axis=0)
        if self._n_samples == 0 or total == 0:
            raise InvalidInputError(f"{owner} needs at least one sample of positive weight; it has "
                                    f"seen {self._n_samples} sample(s).")
        zd = self.zero_division
        columns = {
            "precision": ratios(tp, predicted, zd),
            "recall": ratios(tp, support, zd),
            "f1-score": ratios(2 * tp, support + predicted, zd),
        }
        one_vs_rest = ((total - (predicted - tp) - (support - tp)) / total).tolist()
        table = {"precision": columns["precision"], "recall": columns["recall"],
                 "accuracy": (one_vs_rest, None), "f1-score": columns["f1-score"]}
        per_class, undefined = per_class_table(self.class_names, table, _REASONS, zd,
                                               support.tolist())
        micro = ratios([tp.sum(), tp.sum(), 2 * tp.sum()], [predicted.sum(), support.sum(),
                                                           support.sum() + predicted.sum()], zd)[0]
        averages = {
            "macro": {key: mean_of_defined(columns[key][0]) for key in _AVERAGED},
            "micro": dict(zip(_AVERAGED, micro)),
            "weighted": {key: mean_of_defined(columns[key][0], support) for key in _AVERAGED},
        }
        for key in _AVERAGED:
            if averages["macro"][key] is None:
                undefined[key] = f"no class has a defined {key}"
        if self.multilabel:
            accuracy = float(self._subset[0] / total)  # exact match of the whole label set
            balanced = None
            undefined["balanced-accuracy"] = ("balanced accuracy is defined for single-label "
                                              "classification only (scikit-learn refuses "
                                              "multi-label input)")
        else:
            accuracy = float(tp.sum() / total)
            balanced = mean_of_defined(ratios(tp, support, None)[0])
        values = {"accuracy": accuracy, "balanced-accuracy": balanced, **averages["macro"]}
        rank_counts, rank_note = None, ""
        if self.multilabel:
            rank_note = "top-k accuracy is defined for single-label classification only"
        elif self._n_scored == self._n_samples:
            rank_counts = self._ranks.copy()
        else:
            rank_note = (f"top-k accuracy needs scores for every sample; {self._n_samples - self._n_scored} "
                         f"of {self._n_samples} were given as labels")
        warn_undefined(undefined, owner)
        return ClassificationResult(values=values, averages=averages, per_class=per_class,
                                    undefined=undefined, confusion_matrix=m.copy(),
                                    class_names=self.class_names, threshold=self.threshold,
                                    n_samples=self._n_samples, rank_counts=rank_counts,
                                    rank_note=rank_note, multilabel=self.multilabel)

    # -- persistence -----------------------------------------------------------------------

    def _options(self) -> dict:
        return {"num_classes": self.num_classes, "class_names": list(self.class_names),
                "threshold": self.threshold, "zero_division": self.zero_division,
                "multilabel": self.multilabel}

    def to_bytes(self) -> bytes:
        """The state as a compact, versioned, checksummed payload (see :meth:`from_bytes`)."""
        meta = np.array([self._n_scored, self._n_samples], np.int64)
        return pack_state(type(self).__name__, self._options(),
                          {"counts": self._counts, "ranks": self._ranks, "subset": self._subset,
                           "meta": meta})

    @classmethod
    def from_bytes(cls, data: bytes) -> "ClassificationMetrics":
        """Rebuild a metric from :meth:`to_bytes` output; a corrupt or foreign payload raises
        :class:`~modelmetrics.exceptions.InvalidInputError`."""
        options, arrays = unpack_state(data, cls.__name__)
        metric = restore(cls, options)
        counts, ranks, subset, meta = (arrays.get(k) for k in ("counts", "ranks", "subset", "meta"))
        c = metric.num_classes
        if (counts is None or ranks is None or meta is None or subset is None
                or counts.shape != metric._counts.shape or ranks.shape != (c,)
                or subset.shape != (1,) or meta.shape != (2,)
                or counts.dtype not in (np.int64, np.float64)):
            raise InvalidInputError(f"{cls.__name__}.from_bytes: the payload's state has an "
                                    f"unexpected layout; it was not written by this version.")
        metric._counts, metric._ranks, metric._subset = counts.copy(), ranks.copy(), subset.copy()
        metric._n_scored, metric._n_samples = (int(v) for v in meta)
        return metric

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(num_classes={self.num_classes}, "
                f"n_samples={self._n_samples})")


def _infer_classes(y_true, y_pred, num_classes, class_names, owner: str):
    """(num_classes, class_names) of a one-shot call: given, or read off the data."""
    t = _as_array(y_true, "y_true", owner)
    if t.ndim == 2 and num_classes is None:  # multi-label indicators
        return check_num_classes(t.shape[1], owner), class_names
    if num_classes is not None:
        return check_num_classes(num_classes, owner), class_names
    if class_names is not None and not isinstance(class_names, (str, bytes)) and hasattr(class_names, "__len__"):
        return check_num_classes(len(class_names), owner, name="class_names (length)"), class_names
    p = _as_array(y_pred, "y_pred", owner)
    if _is_text(t) or _is_text(p):
        names = np.union1d(np.asarray(t).astype(str), np.asarray(p).astype(str) if p.ndim == 1 else [])
        return check_num_classes(max(len(names), 1), owner), [str(n) for n in names]
    if p.ndim == 2:
        return check_num_classes(p.shape[1], owner), class_names
    if p.ndim == 1 and p.dtype.kind == "f":
        return 2, class_names
    labels = as_label_array(t, "y_true", owner, allow_float=True)
    preds = as_label_array(p, "y_pred", owner, allow_float=True)
    highest = max([int(a.max()) for a in (labels, preds) if a.size] or [0])
    lowest = min([int(a.min()) for a in (labels, preds) if a.size] or [0])
    if lowest < 0:
        raise InvalidInputError(f"{owner}: labels must be class indices >= 0; got {lowest}. Pass "
                                f"num_classes and map negative labels, or pass class names.")
    return highest + 1, class_names


def classification_metrics(y_true, y_pred, *, num_classes=None, class_names=None, threshold=0.5,
                           sample_weight=None, zero_division=None) -> ClassificationResult:
    """Classification metrics of one set of predictions (see the module docstring).

    Parameters
    ----------
    y_true : array-like of shape (n,), or (n, C) for multi-label
        True class indices, or class names; a 0/1 indicator matrix makes the call multi-label
        (see ``multilabel`` of :class:`ClassificationMetrics`).
    y_pred : array-like of shape (n,) or (n, C)
        Predicted indices or names, scores per class, or probabilities of class 1 (two classes);
        multi-label: 0/1 indicators or probabilities per label.
    num_classes : int, optional
        Default: ``len(class_names)``, the number of score columns, 2 for probabilities, or the
        largest label + 1. String labels without ``class_names`` give the sorted distinct labels.
    class_names : sequence of str, optional
    threshold : float, default 0.5
        Decision threshold for probabilities of class 1.
    sample_weight : array-like of shape (n,), optional
    zero_division : None or float in [0, 1], default None
        As for :class:`ClassificationMetrics`.

    Returns
    -------
    ClassificationResult
        ``result["accuracy"]`` etc.; ``result.to_dict()`` is the export format.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> r = mm.classification_metrics([0, 1, 2, 2, 1], [0, 2, 2, 2, 1])
    >>> r["accuracy"], r["balanced-accuracy"], r["f1-score"]
    (0.8, 0.8333333333333334, 0.8222222222222223)
    """
    owner = "classification_metrics"
    n, names = _infer_classes(y_true, y_pred, num_classes, class_names, owner)
    metric = ClassificationMetrics(n, class_names=names, threshold=threshold,
                                   zero_division=zero_division,
                                   multilabel=_as_array(y_true, "y_true", owner).ndim == 2)
    return metric.update(y_true, y_pred, sample_weight).compute()


def confusion_matrix(y_true, y_pred, *, num_classes=None, normalize=None, sample_weight=None,
                     class_names=None, threshold=0.5) -> np.ndarray:
    """The ``(C, C)`` confusion matrix: row ``i``, column ``j`` counts samples of true class
    ``i`` predicted as ``j`` (scikit-learn's ``confusion_matrix`` with ``labels=range(C)``).

    Parameters
    ----------
    y_true, y_pred, num_classes, sample_weight, class_names, threshold
        As for :func:`classification_metrics`.
    normalize : {None, "true", "pred", "all"}
        Divide by the row sums, the column sums or the total; a row (column) without samples
        stays 0 as in scikit-learn, with an
        :class:`~modelmetrics.exceptions.UndefinedMetricWarning`.

    Returns
    -------
    numpy.ndarray of shape (C, C)
        int64 counts; float64 when normalised or weighted. For multi-label indicators
        ``y_true`` of shape (n, C): shape (C, 2, 2), ``[[tn, fp], [fn, tp]]`` per label.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 1, 1]])
    >>> mm.confusion_matrix([0, 1, 1, 1], [0, 1, 0, 1], normalize="true")
    array([[1.        , 0.        ],
           [0.33333333, 0.66666667]])
    """
    owner = "confusion_matrix"
    if normalize is not None:
        check_choice(normalize, "normalize", owner, _NORMALIZE)
    n, names = _infer_classes(y_true, y_pred, num_classes, class_names, owner)
    if _as_array(y_true, "y_true", owner).ndim == 2:  # multi-label: one 2×2 matrix per label
        if normalize is not None:
            raise parameter_error("normalize", owner, "None for multi-label input", normalize)
        metric = ClassificationMetrics(n, class_names=names, threshold=threshold, multilabel=True)
        return metric.update(y_true, y_pred, sample_weight)._counts
    reader = ClassificationMetrics._reader(n, names, threshold)
    batch = reader._batch(y_true, y_pred, sample_weight, owner)
    if batch.weight is None and batch.true.shape[0] * 4 >= n * n:  # dense: the kernel's table
        counts = count_pairs(batch.true, batch.pred, n, owner=owner)[0]
    else:
        counts = np.zeros((n, n), np.int64 if batch.weight is None else np.float64)
        add_pairs(counts, batch.true, batch.pred, n, weight=batch.weight, owner=owner)
    return _normalized(counts, normalize, owner, reader.class_names)
