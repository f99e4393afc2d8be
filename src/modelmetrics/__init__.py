"""modelmetrics: fast, exact, streaming performance metrics for machine-learning models.

The public names are listed in ``__all__``. Task packages (and with them Numba) are imported on
first use, so ``import modelmetrics`` stays cheap; see the README for measured start-up costs.

Examples
--------
>>> import modelmetrics as mm
>>> mm.regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])["max-error"]
1.0
"""

from __future__ import annotations

import importlib

from ._config import KEEP_FREED_MEMORY
from .exceptions import ExcludedDataWarning, InvalidInputError, UndefinedMetricWarning

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily, PEP 562)
_LAZY = {
    "regression_metrics": "modelmetrics.regression",
    "regression_accuracy": "modelmetrics.regression",
    "RegressionMetrics": "modelmetrics.regression",
    "RegressionResult": "modelmetrics.regression",
    "box_iou": "modelmetrics.detection",
    "evaluate_coco": "modelmetrics.detection",
    "CocoEvaluation": "modelmetrics.detection",
    "DetectionMetrics": "modelmetrics.detection",
    "classification_metrics": "modelmetrics.classification",
    "ClassificationMetrics": "modelmetrics.classification",
    "ClassificationResult": "modelmetrics.classification",
    "confusion_matrix": "modelmetrics.classification",
    "SegmentationMetrics": "modelmetrics.segmentation",
    "SegmentationResult": "modelmetrics.segmentation",
    "mask": "modelmetrics.masks",
    "TrainingRun": "modelmetrics.runs",
    "load_run": "modelmetrics.runs",
    "validate_job_state": "modelmetrics.runs",
    "job_state_schema": "modelmetrics.runs",
    "render_report": "modelmetrics.report",
    "write_report": "modelmetrics.report",
    "plot": "modelmetrics.report",
    "keep_freed_memory": "modelmetrics._memory",
}

__all__ = [
    "ExcludedDataWarning",
    "InvalidInputError",
    "UndefinedMetricWarning",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'modelmetrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


if KEEP_FREED_MEMORY:
    from ._memory import keep_freed_memory

    keep_freed_memory()
