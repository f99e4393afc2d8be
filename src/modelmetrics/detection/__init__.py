"""Object detection: box IoU, COCO-exact evaluation, operating-point metrics."""

from ._boxes import box_iou
from ._coco import CocoEvaluation, evaluate_coco
from ._streaming import DetectionMetrics

__all__ = ["CocoEvaluation", "DetectionMetrics", "box_iou", "evaluate_coco"]
