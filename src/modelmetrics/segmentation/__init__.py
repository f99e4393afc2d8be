"""Semantic segmentation: per-pixel confusion → IoU, mIoU, accuracies, Dice; streaming."""

from ._metrics import METRIC_KEYS, PER_CLASS_KEYS, SegmentationMetrics, SegmentationResult

__all__ = ["METRIC_KEYS", "PER_CLASS_KEYS", "SegmentationMetrics", "SegmentationResult"]
