"""Instance segmentation: COCO-compatible RLE masks (``mm.mask``) and the mask-IoU glue of the
COCO evaluation (``evaluate_coco(..., iou_type="segm")``)."""

from . import mask
from .mask import (area, decode, encode, from_boxes, from_objects, from_polygons,
                   from_segmentation, iou, merge, to_bbox)

__all__ = ["area", "decode", "encode", "from_boxes", "from_objects", "from_polygons",
           "from_segmentation", "iou", "mask", "merge", "to_bbox"]
