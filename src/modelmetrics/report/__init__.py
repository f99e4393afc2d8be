"""The Performance page: a self-contained offline HTML report of a training run, and optional
matplotlib figures (:mod:`modelmetrics.report.plot`, the ``plot`` extra).

>>> import modelmetrics as mm
>>> "Loss Over Time" in mm.render_report(mm.TrainingRun(model_type="regression"))
True
"""

from . import plot
from ._data import page_data
from ._regression import regression_summary
from ._render import render_report, write_demo_reports, write_report

__all__ = ["page_data", "plot", "regression_summary", "render_report", "write_demo_reports",
           "write_report"]
