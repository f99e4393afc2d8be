"""Classification metrics against scikit-learn, the oracle: ``confusion_matrix``,
``precision_recall_fscore_support`` (per class and macro / micro / weighted, every
``zero_division``), ``accuracy_score``, ``balanced_accuracy_score``, ``top_k_accuracy_score`` and
``multilabel_confusion_matrix`` (one-vs-rest accuracy), on random data with classes that never
occur, classes never predicted, weights, ties in the scores; then the views, the export format,
the streaming state and the errors."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

import modelmetrics as mm
from modelmetrics import InvalidInputError, UndefinedMetricWarning


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _sk_value(value):
    value = float(value)
    return None if math.isnan(value) else value


def _draw(rng, n, c, *, absent=(), never_predicted=(), accuracy=0.6):
    present = np.array([k for k in range(c) if k not in absent])
    y_true = rng.choice(present, n)
    guess = rng.integers(0, c, n)
    y_pred = np.where(rng.random(n) < accuracy, y_true, guess)
    for k in never_predicted:
        y_pred[y_pred == k] = (k + 1) % c
    return y_true, y_pred


CASES = [
    # (n, C, absent from y_true, never predicted, weighted)
    (1, 3, (), (), False),
    (50, 2, (), (), False),
    (200, 5, (3,), (), False),
    (200, 5, (), (1,), True),
    (300, 7, (2, 5), (2, 4), False),
    (500, 12, (0, 11), (0, 6), True),
    (30_000, 40, (7,), (8,), False),
    (30_000, 40, (7,), (7, 8), True),
]


@pytest.mark.parametrize("case", CASES, ids=[f"n{c[0]}-C{c[1]}-w{int(c[4])}" for c in CASES])
@pytest.mark.parametrize("zero_division", [None, 0.0, 1.0])
def test_equals_scikit_learn(case, zero_division):
    n, c, absent, never, weighted = case
    rng = np.random.default_rng(n * 31 + c)
    y_true, y_pred = _draw(rng, n, c, absent=absent, never_predicted=never)
    weight = rng.random(n) * 2 if weighted else None
    labels = list(range(c))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = mm.classification_metrics(y_true, y_pred, num_classes=c, sample_weight=weight,
                                           zero_division=zero_division)
    sk_zd = np.nan if zero_division is None else zero_division
    cm = skm.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weight)
    if weighted:
        np.testing.assert_allclose(result.confusion_matrix, cm, rtol=1e-12)
    else:
        assert result.confusion_matrix.dtype == np.int64
        assert np.array_equal(result.confusion_matrix, cm)
    assert result["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred, sample_weight=weight), rel=1e-12)
    assert result["balanced-accuracy"] == pytest.approx(
        _quiet(skm.balanced_accuracy_score, y_true, y_pred, sample_weight=weight), rel=1e-12)
    p, r, f, s = _quiet(skm.precision_recall_fscore_support, y_true, y_pred, labels=labels,
                        average=None, sample_weight=weight, zero_division=sk_zd)
    for k, name in enumerate(result.class_names):
        row = result.per_class[name]
        for key, expected in (("precision", p[k]), ("recall", r[k]), ("f1-score", f[k])):
            expected = _sk_value(expected)
            assert (row[key] is None) == (expected is None), (name, key)
            if expected is not None:
                assert row[key] == pytest.approx(expected, rel=1e-12, abs=1e-15), (name, key)
        assert row["support"] == pytest.approx(s[k], rel=1e-12)
    for average in ("macro", "micro", "weighted"):
        values = _quiet(skm.precision_recall_fscore_support, y_true, y_pred, labels=labels,
                        average=average, sample_weight=weight, zero_division=sk_zd)[:3]
        for key, expected in zip(("precision", "recall", "f1-score"), values):
            ours = result.averages[average][key]
            expected = _sk_value(expected)
            assert (ours is None) == (expected is None), (average, key)
            if expected is not None:
                assert ours == pytest.approx(expected, rel=1e-12, abs=1e-15), (average, key)
    for key in ("precision", "recall", "f1-score"):
        assert result[key] == result.averages["macro"][key]


@pytest.mark.parametrize("weighted", [False, True])
def test_one_vs_rest_accuracy_equals_multilabel_confusion_matrix(weighted):
    rng = np.random.default_rng(5)
    y_true, y_pred = _draw(rng, 400, 6, absent=(4,), never_predicted=(2,))
    weight = rng.random(400) if weighted else None
    result = _quiet(mm.classification_metrics, y_true, y_pred, num_classes=6, sample_weight=weight)
    mcm = skm.multilabel_confusion_matrix(y_true, y_pred, labels=range(6), sample_weight=weight)
    for k, name in enumerate(result.class_names):
        (tn, fp), (fn, tp) = mcm[k]
        expected = (tn + tp) / (tn + fp + fn + tp)
        assert result.per_class[name]["accuracy"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
@pytest.mark.parametrize("weighted", [False, True])
def test_confusion_matrix_normalize_equals_scikit_learn(normalize, weighted):
    rng = np.random.default_rng(8)
    y_true, y_pred = _draw(rng, 300, 6, absent=(1,), never_predicted=(3,))
    weight = rng.random(300) if weighted else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = mm.confusion_matrix(y_true, y_pred, num_classes=6, normalize=normalize,
                                   sample_weight=weight)
    expected = skm.confusion_matrix(y_true, y_pred, labels=range(6), normalize=normalize,
                                    sample_weight=weight)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=0)
    if normalize in ("true", "pred"):  # the empty row / column is 0, and said so
        assert any(issubclass(w.category, UndefinedMetricWarning) for w in caught)
    if normalize is None and not weighted:
        assert ours.dtype == np.int64


def test_confusion_matrix_infers_the_number_of_classes():
    assert mm.confusion_matrix([0, 3], [1, 3]).shape == (4, 4)
    assert mm.confusion_matrix([0.0, 2.0], [1, 2]).shape == (3, 3)


@pytest.mark.parametrize("n_classes", [3, 5, 10])
@pytest.mark.parametrize("weighted", [False, True])
def test_top_k_accuracy_equals_scikit_learn(n_classes, weighted):
    rng = np.random.default_rng(n_classes)
    n = 2_000
    y_true = rng.integers(0, n_classes, n)
    y_true[y_true == 1] = 0  # a class that never occurs
    weight = rng.random(n) if weighted else None
    for scores in (rng.random((n, n_classes)),
                   rng.integers(0, 3, (n, n_classes)).astype(np.float64),  # many ties
                   rng.integers(0, 3, (n, n_classes)).astype(np.float32)):
        result = _quiet(mm.classification_metrics, y_true, scores, sample_weight=weight)
        for k in range(1, n_classes):
            expected = skm.top_k_accuracy_score(y_true, scores, k=k, labels=range(n_classes),
                                                sample_weight=weight)
            assert result.top_k_accuracy(k) == pytest.approx(expected, rel=1e-12), k
        argmax_accuracy = skm.accuracy_score(y_true, scores.argmax(axis=1), sample_weight=weight)
        assert result["accuracy"] == pytest.approx(argmax_accuracy, rel=1e-12)
        assert result.top_k_accuracy(n_classes + 3) == pytest.approx(1.0)


def test_top_k_undefined_when_a_batch_came_as_labels():
    metric = mm.ClassificationMetrics(3)
    metric.update([0, 1, 2], np.eye(3))
    metric.update([0], [0])
    result = metric.compute()
    with pytest.warns(UndefinedMetricWarning, match="1 of 4 were given as labels"):
        assert result.top_k_accuracy(1) is None


def test_binary_probabilities_with_threshold():
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 2, 500)
    proba = rng.random(500)
    proba[:5] = 0.5  # on the threshold: not above it, class 0 (scikit-learn, torchmetrics)
    for threshold in (0.5, 0.3, 0.0, 1.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            result = mm.classification_metrics(y_true, proba, threshold=threshold)
        expected = skm.confusion_matrix(y_true, (proba > threshold).astype(int), labels=[0, 1])
        assert np.array_equal(result.confusion_matrix, expected)
        assert result.threshold == threshold
    with pytest.raises(InvalidInputError, match=r"probabilities .* must be in \[0, 1\]"):
        mm.classification_metrics([0, 1], [0.2, 1.5])
    with pytest.raises(InvalidInputError, match="needs num_classes=2"):
        mm.classification_metrics([0, 1], [0.2, 0.5], num_classes=3)


def test_string_labels_and_class_names():
    y_true = np.array(["cat", "dog", "dog", "fox", "cat"])
    y_pred = ["cat", "dog", "cat", "fox", "fox"]
    result = mm.classification_metrics(y_true, y_pred)
    assert result.class_names == ("cat", "dog", "fox")
    expected = skm.confusion_matrix(y_true, y_pred, labels=["cat", "dog", "fox"])
    assert np.array_equal(result.confusion_matrix, expected)
    named = mm.classification_metrics(y_true, y_pred, class_names=["fox", "dog", "cat"])
    assert np.array_equal(named.confusion_matrix, expected[::-1, ::-1])
    with pytest.raises(InvalidInputError, match="'emu' at index 1"):
        mm.ClassificationMetrics(2, class_names=["cat", "dog"]).update(["cat", "emu"], ["cat", "dog"])


def test_no_cap_on_classes():
    rng = np.random.default_rng(0)
    c = 5_000
    y_true = rng.integers(0, c, 20_000)
    y_pred = np.where(rng.random(20_000) < 0.5, y_true, rng.integers(0, c, 20_000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        result = mm.classification_metrics(y_true, y_pred, num_classes=c)
    assert np.array_equal(result.confusion_matrix, skm.confusion_matrix(y_true, y_pred, labels=range(c)))
    assert result["accuracy"] == skm.accuracy_score(y_true, y_pred)


# -- views ------------------------------------------------------------------------------------


def _brute_most_confused(matrix, names, k):
    cells = [(-matrix[i, j], i, j) for i in range(len(names)) for j in range(len(names))
             if i != j and matrix[i, j] > 0]
    return [(names[i], names[j], -v) for v, i, j in sorted(cells)[:k]]


@pytest.mark.parametrize("seed", range(5))
def test_most_confused_and_most_common(seed):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(2, 30))
    y_true, y_pred = _draw(rng, int(rng.integers(1, 400)), c, accuracy=0.3)
    result = _quiet(mm.classification_metrics, y_true, y_pred, num_classes=c)
    names = result.class_names
    for k in (1, 3, 10, c * c):
        assert result.most_confused(k) == _brute_most_confused(result.confusion_matrix, names, k)
        support = result.confusion_matrix.sum(axis=1)
        expected = sorted(((-support[i], i) for i in range(c)))[:k]
        assert result.most_common(k) == [(names[i], -s) for s, i in expected]


def test_submatrix_with_other_and_normalize():
    result = mm.classification_metrics([0, 1, 2, 2, 3, 3, 1], [0, 2, 2, 1, 3, 0, 1],
                                       class_names=["a", "b", "c", "d"])
    labels, sub = result.submatrix(["c", "a"])
    assert labels == ["c", "a"] and sub.tolist() == [[1, 0], [0, 1]]
    labels, sub = result.submatrix([2, "a"], other=True)
    assert labels == ["c", "a", "other"]
    assert sub.tolist() == [[1, 0, 1], [0, 1, 0], [1, 1, 2]]
    assert sub.sum() == result.confusion_matrix.sum()
    labels, norm = result.submatrix(["b", "c"], normalize="true")
    np.testing.assert_allclose(norm, [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InvalidInputError, match="Unknown class 'z'"):
        result.submatrix(["z"])
    with pytest.raises(InvalidInputError, match="more than once"):
        result.submatrix(["a", 0])
    with pytest.raises(InvalidInputError, match="'k' parameter of most_confused"):
        result.most_confused(0)


def test_to_dict_export_format():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 2, 0]
    out = mm.classification_metrics(y_true, y_pred, class_names=["a", "b", "c"]).to_dict()
    assert list(out) == ["accuracy", "balanced-accuracy", "precision", "recall", "f1-score",
                         "per-class", "confusion-matrix"]
    assert list(out["per-class"]["a"]) == ["precision", "recall", "accuracy", "f1-score", "support"]
    assert out["confusion-matrix"] == {"labels": ["a", "b", "c"],
                                       "matrix": [[1, 1, 0], [0, 1, 0], [1, 0, 2]]}
    assert out["per-class"]["c"]["support"] == 3 and isinstance(out["per-class"]["c"]["support"], int)
    import json

    json.dumps(out, allow_nan=False)


def test_undefined_values_are_none_with_reason_and_one_warning():
    with pytest.warns(UndefinedMetricWarning) as caught:
        result = mm.classification_metrics([0, 0, 1], [0, 0, 0], num_classes=3)
    assert len([w for w in caught if issubclass(w.category, UndefinedMetricWarning)]) == 1
    out = result.to_dict()
    assert out["per-class"]["1"]["precision"] is None
    assert out["per-class"]["2"]["f1-score"] is None
    assert "never predicted" in out["undefined"]["per-class/1/precision"]
    assert "per-class/0/precision" not in out["undefined"]
    assert out["precision"] == pytest.approx(2 / 3)  # mean over the defined class 0 only
    import json

    assert "NaN" not in json.dumps(out)


# -- streaming -----------------------------------------------------------------------------


def test_streaming_merge_bytes_pickle_equal_one_shot():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 6, 1000)
    scores = rng.random((1000, 6))
    one = mm.ClassificationMetrics(6).update(y_true, scores).compute()
    parts = [mm.ClassificationMetrics(6).update(y_true[a:b], scores[a:b])
             for a, b in [(0, 10), (10, 10), (10, 600), (600, 1000)]]
    merged = parts[3].merge(parts[0]).merge(parts[2]).merge(parts[1]).merge(mm.ClassificationMetrics(6))
    restored = mm.ClassificationMetrics.from_bytes(merged.to_bytes())
    again = pickle.loads(pickle.dumps(restored))
    for metric in (merged, restored, again):
        result = metric.compute()
        assert np.array_equal(result.confusion_matrix, one.confusion_matrix)
        assert result.values == one.values
        assert [result.top_k_accuracy(k) for k in range(1, 6)] == [one.top_k_accuracy(k) for k in range(1, 6)]
    assert merged.reset().n_samples == 0


def test_weighted_then_unweighted_batches():
    metric = mm.ClassificationMetrics(2)
    metric.update([0, 1], [0, 1])
    metric.update([0, 1], [1, 1], sample_weight=[0.5, 2.0])
    result = metric.compute()
    assert result.confusion_matrix.dtype == np.float64
    assert result.confusion_matrix.tolist() == [[1.0, 0.5], [0.0, 3.0]]


def test_tensors_are_accepted():
    torch = pytest.importorskip("torch")
    y_true = torch.tensor([0, 1, 2, 1])
    logits = torch.tensor([[2.0, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 3.0, 0.1], [0.0, 1.0, 0.5]],
                          requires_grad=True)
    result = _quiet(mm.classification_metrics, y_true, logits)
    assert result.confusion_matrix.tolist() == [[1, 0, 0], [0, 2, 0], [0, 1, 0]]
    assert result["accuracy"] == 0.75


@pytest.mark.parametrize("call, match", [
    (lambda: mm.ClassificationMetrics(0), "'num_classes' parameter of ClassificationMetrics must be a positive int"),
    (lambda: mm.ClassificationMetrics(2, class_names=["a"]), "'class_names' parameter"),
    (lambda: mm.ClassificationMetrics(2, class_names=["a", "a"]), "distinct"),
    (lambda: mm.ClassificationMetrics(2, threshold=2), "'threshold' parameter"),
    (lambda: mm.ClassificationMetrics(2, zero_division="warn"), "'zero_division' parameter"),
    (lambda: mm.ClassificationMetrics(2).update([0, 1], [0]), "one entry per sample"),
    (lambda: mm.ClassificationMetrics(3).update([0, 1], [[0.1, 0.9], [0.5, 0.5]]), r"scores of shape \(n_samples, num_classes=3\)"),
    (lambda: mm.ClassificationMetrics(2).update([[0, 1]], [0]), "must be 1-D"),
    (lambda: mm.ClassificationMetrics(2).update([0, 1.5], [0, 1]), "must hold integer class labels"),
    (lambda: mm.ClassificationMetrics(2).update([0, 1], [0, 2]), r"outside \[0, 2\).*the first is 2 in 'y_pred' at index 1"),
    (lambda: mm.ClassificationMetrics(2).update([0, 1], [[0.1, np.nan], [0.5, 0.5]]), "must be finite"),
    (lambda: mm.ClassificationMetrics(2).update([0, 1], [0, 1], sample_weight=[1, -1]), "finite weights >= 0"),
    (lambda: mm.ClassificationMetrics(2).update([0, 1], [0, 1], sample_weight=[1]), "one weight per sample"),
    (lambda: mm.ClassificationMetrics(2).compute(), "at least one sample"),
    (lambda: mm.ClassificationMetrics(2).merge(mm.ClassificationMetrics(3)), "differ in"),
    (lambda: mm.ClassificationMetrics.from_bytes(b"junk"), "not a modelmetrics state"),
    (lambda: mm.confusion_matrix([0, 1], [0, 1], normalize="rows"), "'normalize' parameter of confusion_matrix"),
    (lambda: mm.classification_metrics([0, -1], [0, 1]), "labels must be class indices >= 0"),
])
def test_errors_name_the_argument(call, match):
    with pytest.raises(InvalidInputError, match=match):
        call()


def test_refused_batch_leaves_the_state_unchanged():
    metric = mm.ClassificationMetrics(3).update([0, 1], [0, 1])
    before = metric.to_bytes()
    with pytest.raises(InvalidInputError):
        metric.update([0, 1, 2], [0, 5, 1])
    assert metric.to_bytes() == before


# -- multi-label -------------------------------------------------------------------------------


def _multilabel(rng, n, c):
    y_true = (rng.random((n, c)) < 0.3).astype(np.int64)
    y_true[:, 0] = 0  # a label never present
    proba = np.clip(y_true * 0.6 + rng.random((n, c)) * 0.5, 0, 1)
    proba[:, 1] = 0.1  # a label never predicted
    return y_true, proba


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("zero_division", [None, 0.0, 1.0])
@pytest.mark.parametrize("threshold", [0.5, 0.7])
def test_multilabel_equals_scikit_learn(weighted, zero_division, threshold):
    rng = np.random.default_rng(21)
    n, c = 300, 6
    y_true, proba = _multilabel(rng, n, c)
    weight = rng.random(n) if weighted else None
    y_pred = (proba > threshold).astype(np.int64)
    result = _quiet(mm.classification_metrics, y_true, proba, threshold=threshold,
                    sample_weight=weight, zero_division=zero_division)
    assert result.multilabel and result.confusion_matrix.shape == (c, 2, 2)
    np.testing.assert_allclose(result.confusion_matrix,
                               skm.multilabel_confusion_matrix(y_true, y_pred, sample_weight=weight),
                               rtol=1e-12)
    assert result["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred, sample_weight=weight), rel=1e-12)
    assert result["balanced-accuracy"] is None and "single-label" in result.undefined["balanced-accuracy"]
    sk_zd = np.nan if zero_division is None else zero_division
    p, r, f, s = _quiet(skm.precision_recall_fscore_support, y_true, y_pred, average=None,
                        sample_weight=weight, zero_division=sk_zd)
    for k, name in enumerate(result.class_names):
        for key, expected in (("precision", p[k]), ("recall", r[k]), ("f1-score", f[k])):
            expected = _sk_value(expected)
            ours = result.per_class[name][key]
            assert (ours is None) == (expected is None), (name, key)
            if expected is not None:
                assert ours == pytest.approx(expected, rel=1e-12, abs=1e-15), (name, key)
        assert result.per_class[name]["support"] == pytest.approx(s[k], rel=1e-12)
    for average in ("macro", "micro", "weighted"):
        values = _quiet(skm.precision_recall_fscore_support, y_true, y_pred, average=average,
                        sample_weight=weight, zero_division=sk_zd)[:3]
        for key, expected in zip(("precision", "recall", "f1-score"), values):
            expected, ours = _sk_value(expected), result.averages[average][key]
            assert (ours is None) == (expected is None), (average, key)
            if expected is not None:
                assert ours == pytest.approx(expected, rel=1e-12, abs=1e-15), (average, key)


def test_multilabel_streaming_views_and_errors():
    rng = np.random.default_rng(22)
    y_true, proba = _multilabel(rng, 200, 4)
    one = _quiet(mm.ClassificationMetrics(4, multilabel=True).update(y_true, proba).compute)
    a = mm.ClassificationMetrics(4, multilabel=True).update(y_true[:50], proba[:50])
    b = mm.ClassificationMetrics(4, multilabel=True).update(y_true[50:], proba[50:])
    merged = mm.ClassificationMetrics.from_bytes(a.merge(b).to_bytes())
    result = _quiet(merged.compute)
    assert np.array_equal(result.confusion_matrix, one.confusion_matrix)
    assert result.values == one.values
    out = result.to_dict()
    assert np.array(out["confusion-matrix"]["matrix"]).shape == (4, 2, 2)
    assert result.most_common(1)[0][1] == max(row["support"] for row in result.per_class.values())
    assert np.array_equal(mm.confusion_matrix(y_true, proba), one.confusion_matrix)
    with pytest.raises(InvalidInputError, match="single-label confusion matrix"):
        result.most_confused(3)
    with pytest.raises(InvalidInputError, match="single-label"):
        result.submatrix([0])
    with pytest.warns(UndefinedMetricWarning, match="single-label"):
        assert result.top_k_accuracy(1) is None
    with pytest.raises(InvalidInputError, match="0/1 indicators. Got 2 at row 0, column 1"):
        mm.ClassificationMetrics(2, multilabel=True).update([[0, 2]], [[0, 1]])
    with pytest.raises(InvalidInputError, match=r"must be in \[0, 1\]"):
        mm.ClassificationMetrics(2, multilabel=True).update([[0, 1]], [[0.2, 1.2]])
    with pytest.raises(InvalidInputError, match=r"shape \(n_samples, num_classes=3\)"):
        mm.ClassificationMetrics(3, multilabel=True).update([[0, 1]], [[0, 1]])
    with pytest.raises(InvalidInputError, match="multilabel=True"):
        mm.ClassificationMetrics(3).update([[0, 1, 1]], [[0, 1, 1]])
    with pytest.raises(InvalidInputError, match="differ in"):
        mm.ClassificationMetrics(4).merge(mm.ClassificationMetrics(4, multilabel=True))
    with pytest.raises(InvalidInputError, match="'normalize' parameter of confusion_matrix"):
        mm.confusion_matrix(y_true, proba, normalize="true")
