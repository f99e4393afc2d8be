"""The ``modelmetrics`` command line.

Exit codes: 0 success, 1 the evaluation failed (bad data, unreadable file), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from importlib import resources

import numpy as np

from . import __version__
from .exceptions import InvalidInputError

__all__ = ["main"]

DEMO_SAMPLE = "bone_age_sample.csv"
DEMO_COCO_GT = "coco_val2014_100_instances.json"
DEMO_COCO_RESULTS = "coco_val2014_100_bbox_results.json"
COCO_STAT_LABELS = (
    "AP @[IoU=0.50:0.95 | area=all]", "AP @[IoU=0.50 | area=all]", "AP @[IoU=0.75 | area=all]",
    "AP @[IoU=0.50:0.95 | area=small]", "AP @[IoU=0.50:0.95 | area=medium]",
    "AP @[IoU=0.50:0.95 | area=large]", "AR @[maxDets=first]", "AR @[maxDets=second]",
    "AR @[maxDets=third]", "AR @[area=small]", "AR @[area=medium]", "AR @[area=large]",
)
DEMO_TARGET = "bone-age-in-months"
DEMO_PREDICTION = "predicted-bone-age"
SPLITS = ("train", "validation", "test")


def _format_value(value) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if isinstance(value, (int, np.integer)):
        return str(value)
    return f"{value:.6g}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _regression_columns(results: dict) -> str:
    """A metrics-by-split table of RegressionResult objects."""
    from .regression import METRIC_KEYS

    names = list(results)
    rows = [[key] + [_format_value(results[n][key]) for n in names] for key in METRIC_KEYS]
    thresholds = {results[n].threshold for n in names}
    label = f"accuracy (|error| <= {_format_value(thresholds.pop())})" if len(thresholds) == 1 else "accuracy"
    rows.append([label] + [_format_value(results[n].accuracy) for n in names])
    rows.append(["samples"] + [str(results[n].n_samples) for n in names])
    notes = [f"{n}: {k}: {reason}" for n in names for k, reason in results[n].undefined.items()]
    text = _table(["metric", *names], rows)
    return text + ("\n\nundefined or substituted:\n  " + "\n  ".join(notes) if notes else "")


def _regression_document(results: dict, target: str) -> dict:
    """The job-state fields that regression results fill in (metrics, accuracies, stats)."""
    return {
        "modelType": "regression",
        "metrics": {n: r.to_dict() for n, r in results.items()},
        "accuracies": {n: {"accuracy": r.accuracy, "threshold": r.threshold} for n, r in results.items()},
        "datasetStats": {n: {"regression": {target: r.n_samples}} for n, r in results.items()},
    }


def _detection_report(evaluation, max_rows: int | None = 20) -> str:
    """The 12 COCO numbers and the per-class table (largest support first)."""
    from .detection._coco import SUMMARY_KEYS

    summary = evaluation.summary()
    rows = [[key, _format_value(summary[key])] for key in SUMMARY_KEYS]
    text = _table(["metric", "value"], rows)
    per_class = sorted(evaluation.per_class.items(), key=lambda item: -item[1]["support"])
    shown = per_class if max_rows is None else per_class[:max_rows]
    columns = ("support", "average-precision", "ap-50", "precision", "recall", "f1-score",
               "true-positives", "false-positives", "false-negatives")
    table = _table(["class", *columns],
                   [[name, *(_format_value(row[c]) for c in columns)] for name, row in shown])
    more = (f"\n({len(per_class) - len(shown)} more classes; --json for all)"
            if len(shown) < len(per_class) else "")
    p = evaluation.params
    return (f"{text}\n\nper class at IoU {p.operating_iou:g}, score >= {p.score_threshold:g}:\n"
            f"{table}{more}")


def _detection_document(evaluation, split: str = "test") -> dict:
    """The job-state fields that a COCO evaluation fills in (metrics, dataset stats)."""
    return {
        "modelType": "object-detection",
        "metrics": {split: evaluation.to_dict()},
        "datasetStats": {split: {"detection": evaluation.dataset_stats}},
    }


def _evaluate_detection(args) -> int:
    from .detection import evaluate_coco

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values are shown as such
        evaluation = evaluate_coco(args.gt, args.pred, score_threshold=args.score_threshold,
                                   operating_iou=args.iou_threshold)
    if args.json:
        print(json.dumps(_detection_document(evaluation, args.split), indent=1, allow_nan=False))
    else:
        print(_detection_report(evaluation, max_rows=None if args.all_classes else 20))
    return 0


def _evaluate_regression(args) -> int:
    from .io.tables import read_csv_columns, read_npy
    from .regression import RegressionMetrics

    if args.csv:
        numeric = [args.true, args.pred] + ([args.weight] if args.weight else [])
        columns = read_csv_columns(args.csv, numeric)
        y_true, y_pred = columns[args.true], columns[args.pred]
        weight = columns[args.weight] if args.weight else None
        target = args.true
    else:
        if args.weight:
            raise InvalidInputError("--weight names a CSV column; it needs --csv.")
        y_true, y_pred = read_npy(args.true, "y_true"), read_npy(args.pred, "y_pred")
        weight, target = None, "target"
    metric = RegressionMetrics(threshold=args.threshold, nan_policy=args.nan_policy,
                               force_finite=not args.no_force_finite)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values and exclusions are shown in the output
        result = metric.update(y_true, y_pred, weight).compute()
    results = {args.split: result}
    if args.json:
        print(json.dumps(_regression_document(results, target), indent=1, allow_nan=False))
    else:
        print(f"regression: {target} ({result.n_samples} samples)\n")
        print(_regression_columns(results))
    return 0


def _demo(args) -> int:
    from .io.tables import read_csv_columns
    from .regression import RegressionMetrics

    with resources.as_file(resources.files("modelmetrics") / "data" / DEMO_SAMPLE) as path:
        columns = read_csv_columns(path, [DEMO_TARGET, DEMO_PREDICTION], ("split",))
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for split in SPLITS:
            rows = columns["split"] == split
            metric = RegressionMetrics(threshold=args.threshold)
            results[split] = metric.update(columns[DEMO_TARGET][rows],
                                           columns[DEMO_PREDICTION][rows]).compute()
    from .detection import evaluate_coco

    data = resources.files("modelmetrics") / "data"
    with resources.as_file(data / DEMO_COCO_GT) as gt, \
            resources.as_file(data / DEMO_COCO_RESULTS) as dt, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detection = evaluate_coco(gt, dt)
    if args.json:
        print(json.dumps({"regression": _regression_document(results, DEMO_TARGET),
                          "object-detection": _detection_document(detection)},
                         indent=1, allow_nan=False))
    else:
        print(f"modelmetrics demo: regression model of {DEMO_TARGET} "
              f"(bundled sample, {sum(r.n_samples for r in results.values())} samples)\n")
        print(_regression_columns(results))
        print("\nmodelmetrics demo: object detection, COCO val2014 (100 images, the COCO API's "
              "example results)\n")
        print(_detection_report(detection, max_rows=10))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modelmetrics",
        description="Performance metrics of machine-learning models, exported as JSON.")
    parser.add_argument("--version", action="version", version=f"modelmetrics {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="evaluate the bundled sample data")
    demo.add_argument("--threshold", type=float, default=0.5,
                      help="regression accuracy tolerance (default 0.5)")
    demo.add_argument("--json", action="store_true", help="print JSON instead of a table")
    demo.set_defaults(handler=_demo)

    evaluate = commands.add_parser("evaluate", help="evaluate predictions against ground truth")
    tasks = evaluate.add_subparsers(dest="task", required=True, metavar="TASK")
    regression = tasks.add_parser(
        "regression", help="regression metrics from a CSV file or two .npy files",
        description="With --csv, --true and --pred name columns of the CSV file; without it, "
                    "they are paths of .npy files.")
    regression.add_argument("--csv", metavar="FILE", help="CSV file with a header row")
    regression.add_argument("--true", required=True, metavar="COL", help="ground-truth column (or .npy file)")
    regression.add_argument("--pred", required=True, metavar="COL", help="prediction column (or .npy file)")
    regression.add_argument("--weight", metavar="COL", help="sample-weight column (CSV only)")
    regression.add_argument("--threshold", type=float, default=0.5,
                            help="accuracy tolerance: |prediction - truth| <= threshold (default 0.5)")
    regression.add_argument("--nan-policy", choices=("raise", "omit"), default="raise",
                            help="NaN/inf values: fail (default) or skip and count them")
    regression.add_argument("--no-force-finite", action="store_true",
                            help="undefined R²/explained variance (constant truth) as null, "
                                 "not scikit-learn's 1.0/0.0")
    regression.add_argument("--split", choices=SPLITS, default="test", help="which split the data is")
    regression.add_argument("--json", action="store_true", help="print JSON instead of a table")
    regression.set_defaults(handler=_evaluate_regression)

    detection = tasks.add_parser(
        "detection", help="COCO bbox evaluation (pycocotools-exact) from two JSON files")
    detection.add_argument("--gt", required=True, metavar="GT.json",
                           help="COCO ground truth (instances)")
    detection.add_argument("--pred", required=True, metavar="RESULTS.json", help="COCO results")
    detection.add_argument("--score-threshold", type=float, default=0.5,
                           help="operating point: minimum score (default 0.5)")
    detection.add_argument("--iou-threshold", type=float, default=0.5,
                           help="operating point: IoU for a match (default 0.5)")
    detection.add_argument("--all-classes", action="store_true",
                           help="list every class (default: the 20 with most objects)")
    detection.add_argument("--split", choices=SPLITS, default="test", help="which split the data is")
    detection.add_argument("--json", action="store_true", help="print JSON instead of tables")
    detection.set_defaults(handler=_evaluate_detection)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except InvalidInputError as exc:
        print(f"modelmetrics: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
