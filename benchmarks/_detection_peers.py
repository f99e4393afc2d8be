"""COCO detection workloads and the evaluators they are measured against.

Workloads come from ``make_coco_like.py`` (a copy of the shared generator), written once per
(images, seed, masks) into a cache folder, outside any timed region. Each peer maps the two JSON
files to pycocotools' 12 summary numbers; peers missing from the environment are left out.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import subprocess
import sys
import tempfile
import warnings

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
CACHE = pathlib.Path(os.environ.get("MODELMETRICS_BENCH_CACHE",
                                    pathlib.Path(tempfile.gettempdir()) / "modelmetrics-bench"))


def workload(images: int = 5000, seed: int = 0, masks: bool = False) -> tuple[str, str]:
    """Paths of (gt.json, dt.json) for a COCO-like workload, generated on first use."""
    folder = CACHE / f"coco-like-{images}-{seed}{'-masks' if masks else ''}"
    gt, dt = folder / "gt.json", folder / "dt.json"
    if not (gt.exists() and dt.exists()):
        args = [sys.executable, str(HERE / "make_coco_like.py"), str(folder), "--images",
                str(images), "--seed", str(seed)] + (["--masks"] if masks else [])
        subprocess.run(args, check=True, capture_output=True)
    return str(gt), str(dt)


def ours(gt: str, dt: str, iou_type: str = "bbox"):
    import modelmetrics as mm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mm.evaluate_coco(gt, dt, iou_type=iou_type).stats


def _cocoeval(coco_cls, eval_cls, gt: str, dt: str, load_res: str = "loadRes",
              iou_type: str = "bbox"):
    with contextlib.redirect_stdout(io.StringIO()):
        ground_truth = coco_cls(gt)
        detections = getattr(ground_truth, load_res)(dt)
        evaluator = eval_cls(ground_truth, detections, iou_type)
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return np.asarray(evaluator.stats)


def pycocotools(gt: str, dt: str, iou_type: str = "bbox"):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    return _cocoeval(COCO, COCOeval, gt, dt, iou_type=iou_type)


def faster_coco_eval(gt: str, dt: str, iou_type: str = "bbox"):
    from faster_coco_eval import COCO, COCOeval_faster

    return _cocoeval(COCO, COCOeval_faster, gt, dt, iou_type=iou_type)


def hotcoco(gt: str, dt: str, iou_type: str = "bbox"):
    import hotcoco as hc

    return _cocoeval(hc.COCO, hc.COCOeval, gt, dt, load_res="load_res", iou_type=iou_type)


def ultrafast_pycocotools(gt: str, dt: str, iou_type: str = "bbox"):
    from ultrafast_pycocotools import COCO, COCOeval

    return _cocoeval(COCO, COCOeval, gt, dt, iou_type=iou_type)


def available_peers() -> dict:
    """name -> callable(gt_path, dt_path, iou_type="bbox") -> 12 stats, for the evaluators
    installed here."""
    import importlib.util

    table = {"modelmetrics": ours}
    for name, module, function in (("hotcoco", "hotcoco", hotcoco),
                                   ("ultrafast-pycocotools", "ultrafast_pycocotools",
                                    ultrafast_pycocotools),
                                   ("faster-coco-eval", "faster_coco_eval", faster_coco_eval),
                                   ("pycocotools", "pycocotools", pycocotools)):
        if importlib.util.find_spec(module) is not None:
            table[name] = function
    return table


def per_image_arrays(gt_path: str, dt_path: str):
    """The workload as a training loop holds it: one prediction dict and one target dict per
    image, NumPy arrays in COCO's xywh box format."""
    import json

    with open(gt_path) as stream:
        gt = json.load(stream)
    with open(dt_path) as stream:
        dt = json.load(stream)
    image_ids = sorted(image["id"] for image in gt["images"])
    slot = {image_id: i for i, image_id in enumerate(image_ids)}
    gts = [[] for _ in image_ids]
    dts = [[] for _ in image_ids]
    for ann in gt["annotations"]:
        gts[slot[ann["image_id"]]].append(ann)
    for det in dt:
        dts[slot[det["image_id"]]].append(det)
    predictions, targets = [], []
    for image_id, g, d in zip(image_ids, gts, dts):
        predictions.append({"boxes": np.array([x["bbox"] for x in d], float).reshape(-1, 4),
                            "scores": np.array([x["score"] for x in d], float),
                            "labels": np.array([x["category_id"] for x in d], np.int64)})
        targets.append({"boxes": np.array([x["bbox"] for x in g], float).reshape(-1, 4),
                        "labels": np.array([x["category_id"] for x in g], np.int64),
                        "iscrowd": np.array([x["iscrowd"] for x in g], bool),
                        "area": np.array([x["area"] for x in g], float),
                        "image_id": image_id})
    return predictions, targets


def ours_from_arrays(predictions, targets):
    import modelmetrics as mm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mm.DetectionMetrics(box_format="xywh").update(predictions, targets).compute()
