"""Classification: confusion matrix, accuracy, balanced accuracy, P/R/F1 (macro/micro/weighted),
top-k accuracy, and the views of the metrics page; streaming."""

from ._metrics import (
    METRIC_KEYS,
    ClassificationMetrics,
    ClassificationResult,
    classification_metrics,
    confusion_matrix,
)

__all__ = [
    "METRIC_KEYS",
    "ClassificationMetrics",
    "ClassificationResult",
    "classification_metrics",
    "confusion_matrix",
]
