"""The demo: every model type evaluated on bundled sample data, one training run each.

* regression: predictions of a bone-age model (the bundled sample, per split);
* classification: a softmax-regression digit classifier trained here, in NumPy, on the bundled
  8×8 digits (the UCI handwritten digits, as in scikit-learn), with its losses logged per epoch;
* object detection and instance segmentation: the COCO API's example results on 100 COCO
  val2014 images;
* semantic segmentation: synthetic street scenes (deterministic) and a degraded copy as the
  prediction.
"""

from __future__ import annotations

from contextlib import ExitStack
from importlib import resources

import numpy as np

from .runs import SPLITS, TrainingRun

__all__ = ["DEMO_TARGET", "demo_runs"]

DEMO_TARGET = "bone-age-in-months"
DEMO_PREDICTION = "predicted-bone-age"
_DATA = resources.files("modelmetrics") / "data"
SCENE_CLASSES = ("road", "sidewalk", "building", "sky", "car", "person")


def _data_path(stack: ExitStack, name: str):
    return stack.enter_context(resources.as_file(_DATA / name))


def regression_run(threshold: float = 0.5) -> TrainingRun:
    """Bone-age regression: the bundled predictions, per split."""
    from .io.tables import read_csv_columns
    from .regression import RegressionMetrics
    from .report import regression_summary

    with ExitStack() as stack:
        columns = read_csv_columns(_data_path(stack, "bone_age_sample.csv"),
                                   [DEMO_TARGET, DEMO_PREDICTION], ("split",))
    run = TrainingRun(model_type="regression")
    for split in SPLITS:
        rows = columns["split"] == split
        y_true, y_pred = columns[DEMO_TARGET][rows], columns[DEMO_PREDICTION][rows]
        result = RegressionMetrics(threshold=threshold).update(y_true, y_pred).compute()
        run.set_metrics(split, result, target_names=[DEMO_TARGET])
        run.metrics[split].update(regression_summary(y_true, y_pred))  # for the report
    return run.finish()


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.mean(np.log(probabilities[np.arange(labels.size), labels] + 1e-300)))


def classification_run(epochs: int = 150, learning_rate: float = 1.0) -> TrainingRun:
    """Train a softmax-regression digit classifier (full-batch gradient descent), logging the
    training and validation loss each epoch, then evaluate each split."""
    from .classification import ClassificationMetrics

    with ExitStack() as stack:
        digits = np.load(_data_path(stack, "digits.npz"))
        pixels, labels = digits["pixels"], digits["labels"].astype(np.int64)
    features = np.hstack([pixels / 16.0, np.ones((pixels.shape[0], 1))])
    order = np.random.default_rng(0).permutation(labels.size)
    cut = [int(labels.size * 0.7), int(labels.size * 0.85)]
    split_rows = dict(zip(SPLITS, np.split(order, cut)))
    x_train, y_train = features[split_rows["train"]], labels[split_rows["train"]]
    x_val, y_val = features[split_rows["validation"]], labels[split_rows["validation"]]
    weights = np.zeros((features.shape[1], 10))
    one_hot = np.eye(10)[y_train]
    run = TrainingRun(model_type="classification")
    for _ in range(epochs):
        p_train = _softmax(x_train @ weights)
        weights -= learning_rate * x_train.T @ (p_train - one_hot) / y_train.size
        run.log_loss(_cross_entropy(_softmax(x_train @ weights), y_train),
                     validation_loss=_cross_entropy(_softmax(x_val @ weights), y_val))
    names = [f"digit-{k}" for k in range(10)]
    for split, rows in split_rows.items():
        scores = _softmax(features[rows] @ weights)
        result = ClassificationMetrics(10, class_names=names).update(labels[rows], scores).compute()
        run.set_metrics(split, result, loss=_cross_entropy(scores, labels[rows]))
    return run.finish()


def coco_run(iou_type: str) -> TrainingRun:
    """COCO val2014, 100 images, the COCO API's example results, as the test split."""
    from .detection import evaluate_coco

    results = {"bbox": "coco_val2014_100_bbox_results.json",
               "segm": "coco_val2014_100_segm_results.json"}[iou_type]
    with ExitStack() as stack:
        evaluation = evaluate_coco(_data_path(stack, "coco_val2014_100_instances.json"),
                                   _data_path(stack, results), iou_type=iou_type)
    return TrainingRun().set_metrics("test", evaluation).finish()


def street_scenes(n: int, seed: int, shape=(120, 160)) -> tuple[np.ndarray, np.ndarray]:
    """``n`` synthetic label maps of street scenes (classes :data:`SCENE_CLASSES`, 255 on a
    2-pixel border) and a degraded prediction of each: shifted boundaries, confused blobs,
    salt noise. Deterministic for a seed.

    Returns
    -------
    gt, pred : numpy.ndarray of uint8, shape (n, height, width)
    """
    rng = np.random.default_rng(seed)
    h, w = shape
    gt = np.empty((n, h, w), np.uint8)
    rows = np.arange(h)[:, None]
    cols = np.arange(w)[None, :]
    for k in range(n):
        horizon = int(rng.integers(h // 3, h // 2))
        frame = np.full((h, w), 2, np.uint8)  # building
        frame[: horizon - int(rng.integers(5, 25)), :] = 3  # sky above the buildings
        for _ in range(int(rng.integers(1, 4))):  # gaps in the skyline
            left = int(rng.integers(0, w - 20))
            frame[: horizon, left:left + int(rng.integers(8, 20))] = 3
        road_half = (rows - horizon) * (w / 2) / (h - horizon) + 10
        below = rows >= horizon
        frame[below & (np.abs(cols - w / 2) <= road_half)] = 0  # road
        frame[below & (np.abs(cols - w / 2) > road_half)] = 1  # sidewalk
        for _ in range(int(rng.integers(1, 4))):  # cars on the road
            top = int(rng.integers(horizon, h - 12))
            left = int(rng.integers(w // 4, 3 * w // 4 - 16))
            frame[top:top + int(rng.integers(6, 12)), left:left + int(rng.integers(10, 18))] = 4
        for _ in range(int(rng.integers(0, 3))):  # people on the sidewalk
            top = int(rng.integers(horizon, h - 14))
            left = int(rng.choice([rng.integers(0, w // 5), rng.integers(4 * w // 5, w - 4)]))
            frame[top:top + int(rng.integers(8, 14)), left:left + 3] = 5
        gt[k] = frame
    gt[:, :2, :] = gt[:, -2:, :] = gt[:, :, :2] = gt[:, :, -2:] = 255
    pred = gt.copy()
    for k in range(n):
        dy, dx = rng.integers(-2, 3, size=2)
        shifted = np.roll(gt[k], (int(dy), int(dx)), axis=(0, 1))
        pred[k] = np.where(rng.random((h, w)) < 0.5, shifted, gt[k])
        top, left = int(rng.integers(0, h - 20)), int(rng.integers(0, w - 20))
        blob = pred[k, top:top + 20, left:left + 20]
        blob[blob == 4] = 0  # a car read as road
        blob[blob == 1] = 5  # sidewalk read as person
        noise = rng.random((h, w)) < 0.01
        pred[k][noise] = rng.integers(0, len(SCENE_CLASSES), int(noise.sum()))
    pred[pred == 255] = 0  # a model predicts a class everywhere
    return gt, pred


def semantic_segmentation_run() -> TrainingRun:
    """Synthetic street scenes, per split."""
    from .segmentation import SegmentationMetrics

    run = TrainingRun(model_type="semantic-segmentation")
    for seed, split in enumerate(SPLITS):
        gt, pred = street_scenes(6 if split == "train" else 3, seed)
        metric = SegmentationMetrics(len(SCENE_CLASSES), class_names=SCENE_CLASSES)
        run.set_metrics(split, metric.update(gt, pred).compute())
    return run.finish()


def demo_runs(threshold: float = 0.5) -> dict:
    """One finished :class:`~modelmetrics.TrainingRun` per model type, by model type."""
    return {"regression": regression_run(threshold),
            "classification": classification_run(),
            "object-detection": coco_run("bbox"),
            "instance-segmentation": coco_run("segm"),
            "semantic-segmentation": semantic_segmentation_run()}
