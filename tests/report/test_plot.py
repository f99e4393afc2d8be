"""mm.plot: matplotlib figures of a run (the optional 'plot' extra)."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import modelmetrics as mm

from ._fixtures import detection_document, regression_document

pytest.importorskip("matplotlib", reason="the 'plot' extra (matplotlib) is not installed")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_loss_figure_draws_the_logged_losses_and_best_epoch():
    document = regression_document()
    ax = mm.plot.loss(document).axes[0]
    raw_train, _, raw_validation, _, guide, best = ax.lines[:6]
    assert raw_train.get_ydata().tolist() == document["losses"]
    assert raw_validation.get_ydata().tolist() == document["validationLosses"]
    validation = document["validationLosses"]
    assert list(best.get_ydata()) == [min(validation)]
    assert list(guide.get_xdata()) == [best.get_xdata()[0]] * 2
    assert best.get_label() == f"best epoch {validation.index(min(validation))}"


def test_confusion_matrix_figure_from_a_result_and_a_run():
    document = detection_document()
    matrix = np.array(document["metrics"]["validation"]["confusion-matrix"]["matrix"], float)
    ax = mm.plot.confusion_matrix(document, split="validation", normalize=False).axes[0]
    assert np.array_equal(ax.images[0].get_array(), matrix)
    top = np.argsort(-matrix.sum(1), kind="stable")[:5]
    ax = mm.plot.confusion_matrix(document, split="validation", normalize=False, top=5).axes[0]
    assert np.array_equal(ax.images[0].get_array(), matrix[np.ix_(top, top)])
    with pytest.raises(mm.InvalidInputError, match="no 'train' results"):
        mm.plot.confusion_matrix(document, split="train")


def test_pr_curves_figure_from_an_evaluation():
    coco = mm.__file__.replace("__init__.py", "data/")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluation = mm.evaluate_coco(coco + "coco_val2014_100_instances.json",
                                      coco + "coco_val2014_100_bbox_results.json")
    curves = evaluation.pr_curves()
    ax = mm.plot.pr_curves(evaluation, classes=["person", "dog"]).axes[0]
    assert [line.get_label() for line in ax.lines] == ["person", "dog"]
    assert ax.lines[1].get_ydata().tolist() == curves["dog"]["precision"]
    with pytest.raises(mm.InvalidInputError, match="unicorn"):
        mm.plot.pr_curves(evaluation, classes=["unicorn"])
    with pytest.raises(mm.InvalidInputError, match="no 'pr-curves'"):
        mm.plot.pr_curves(regression_document())


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"modelmetrics\[plot\]"):
        mm.plot.loss(regression_document())
