"""Mask workloads for the benchmarks: dense masks and RLEs for the mask API, and the COCO
segm evaluators (``_detection_peers`` with ``iou_type="segm"``). Data is built outside any timed
region."""

from __future__ import annotations

import functools

import numpy as np

from ._detection_peers import available_peers, workload

__all__ = ["api_data", "segm_peers", "workload"]


def segm_peers() -> dict:
    """name -> callable(gt_path, dt_path) -> 12 segm stats, for the evaluators installed here."""
    return {name: functools.partial(evaluate, iou_type="segm")
            for name, evaluate in available_peers().items()}


@functools.lru_cache(maxsize=None)
def api_data(n: int = 100, h: int = 480, w: int = 640, seed: int = 0):
    """``n`` ellipse masks (h, w, n) uint8 Fortran-ordered (pycocotools' layout), the same as
    (n, h, w) bool C-ordered (a model's layout), and their RLEs (bytes counts)."""
    import modelmetrics as mm

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    masks = np.zeros((h, w, n), np.uint8, order="F")
    for i in range(n):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        rx, ry = rng.uniform(5, w / 4), rng.uniform(5, h / 4)
        masks[:, :, i] = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
    model_layout = np.ascontiguousarray(masks.transpose(2, 0, 1)).astype(bool)
    return masks, model_layout, mm.mask.encode(masks)  # the same bytes as pycocotools'
