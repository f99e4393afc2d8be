"""Regression metrics: one-pass, streaming, mergeable."""

from ._metrics import (
    METRIC_KEYS,
    RegressionMetrics,
    RegressionResult,
    regression_accuracy,
    regression_metrics,
)

__all__ = [
    "METRIC_KEYS",
    "RegressionMetrics",
    "RegressionResult",
    "regression_accuracy",
    "regression_metrics",
]
