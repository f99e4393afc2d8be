"""The ``modelmetrics`` command line.

Exit codes: 0 success, 1 the evaluation failed (bad data, unreadable file), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
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


def _job_document(results: dict, **options) -> dict:
    """A complete job-state document (a finished run) holding per-split results."""
    from .runs import TrainingRun

    run = TrainingRun()
    for split, result in results.items():
        run.set_metrics(split, result, **options)
    return run.finish().to_dict()


def _record(args, results: dict, **options) -> None:
    """Print the job-state JSON (``--json``) and / or add the results to ``--out`` (an existing
    job-state file keeps its other splits, losses and status; the write is atomic)."""
    from .runs import TrainingRun, load_run

    if args.out:
        exists = os.path.exists(args.out)
        run = load_run(args.out) if exists else TrainingRun()
        for split, result in results.items():
            run.set_metrics(split, result, **options)
        if not exists:
            run.finish()
        run.save(args.out)
    if args.json:
        print(json.dumps(_job_document(results, **options), indent=1, allow_nan=False))


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


def _evaluate_detection(args) -> int:
    from .detection import evaluate_coco

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values are shown as such
        evaluation = evaluate_coco(args.gt, args.pred, score_threshold=args.score_threshold,
                                   operating_iou=args.iou_threshold)
    _record(args, {args.split: evaluation})
    if not args.json:
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
    _record(args, results, target_names=[target])
    if not args.json:
        print(f"regression: {target} ({result.n_samples} samples)\n")
        print(_regression_columns(results))
    return 0


def _demo_regression(threshold: float) -> tuple:
    """Results per split, and the report's predicted-vs-true / error-histogram summaries."""
    from .io.tables import read_csv_columns
    from .regression import RegressionMetrics
    from .report import regression_summary

    with resources.as_file(resources.files("modelmetrics") / "data" / DEMO_SAMPLE) as path:
        columns = read_csv_columns(path, [DEMO_TARGET, DEMO_PREDICTION], ("split",))
    results, summaries = {}, {}
    for split in SPLITS:
        rows = columns["split"] == split
        metric = RegressionMetrics(threshold=threshold)
        y_true, y_pred = columns[DEMO_TARGET][rows], columns[DEMO_PREDICTION][rows]
        results[split] = metric.update(y_true, y_pred).compute()
        summaries[split] = regression_summary(y_true, y_pred)
    return results, summaries


def _demo_detection() -> dict:
    from .detection import evaluate_coco

    data = resources.files("modelmetrics") / "data"
    with resources.as_file(data / DEMO_COCO_GT) as gt, \
            resources.as_file(data / DEMO_COCO_RESULTS) as dt:
        return {"test": evaluate_coco(gt, dt)}


def _demo(args) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values are shown as such
        regression, summaries = _demo_regression(args.threshold)
        detection = _demo_detection()
    documents = {"regression": _job_document(regression, target_names=[DEMO_TARGET]),
                 "object-detection": _job_document(detection)}
    for split, summary in summaries.items():
        documents["regression"]["metrics"][split].update(summary)
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        from .io._atomic import write_json_atomic

        for model_type, document in documents.items():
            write_json_atomic(os.path.join(args.out_dir, f"{model_type}.job.json"), document,
                              indent=None)
        from .report import write_demo_reports

        write_demo_reports(args.out_dir, documents)
    if args.json:
        print(json.dumps(documents, indent=1, allow_nan=False))
        return 0
    print(f"modelmetrics demo: regression model of {DEMO_TARGET} "
          f"(bundled sample, {sum(r.n_samples for r in regression.values())} samples)\n")
    print(_regression_columns(regression))
    print("\nmodelmetrics demo: object detection, COCO val2014 (100 images, the COCO API's "
          "example results)\n")
    print(_detection_report(detection["test"], max_rows=10))
    if args.out_dir:
        print(f"\njob-state files written to {args.out_dir}/: "
              + ", ".join(f"{t}.job.json" for t in documents)
              + "; Performance pages: report.html (links "
              + ", ".join(f"{t}.report.html" for t in documents) + ")")
    return 0


_HEADLINE = {
    "regression": ("mean-squared-error", "mean-absolute-error", "r2-score"),
    "object-detection": ("mean-average-precision", "map-50", "mar-100"),
    "instance-segmentation": ("mean-average-precision", "map-50", "mar-100"),
    "semantic-segmentation": ("mean-iou", "pixel-accuracy", "mean-accuracy"),
    "classification": ("accuracy", "balanced-accuracy", "f1-score"),
}


def _show(args) -> int:
    from .runs import load_run

    run = load_run(args.file)
    document = run.to_dict()
    tasks = [task for stats in document["datasetStats"].values() for task in stats]
    model_type = document.get("modelType") or (tasks[0] if tasks else "unknown model type")
    print(f"{args.file}: {model_type}, {run.status}, {len(run.losses)} logged losses, "
          f"duration {document['duration']:.1f} s")
    splits = [s for s in SPLITS if s in document["metrics"] or s in document["accuracies"]]
    if splits:
        keys = list(_HEADLINE.get(model_type, ()))
        for split in splits:
            keys += [k for k, v in document["metrics"].get(split, {}).items()
                     if k not in keys and not isinstance(v, (dict, list))]
        rows = [[k] + [_format_value(document["metrics"].get(s, {}).get(k)) if k in
                       document["metrics"].get(s, {}) else "-" for s in splits] for k in keys]
        rows.append(["accuracy"] + [_format_value(document["accuracies"].get(s, {}).get("accuracy"))
                                    for s in splits])
        rows.append(["threshold"] + [_format_value(document["accuracies"].get(s, {}).get("threshold"))
                                     for s in splits])
        rows.append(["dataset size"] + [str(sum(sum(c.values()) for c in
                                                document["datasetStats"].get(s, {}).values()))
                                        for s in splits])
        print()
        print(_table(["metric", *splits], rows))
    if run.losses:
        summary = run.loss_summary()
        best = summary["best_epoch"]
        print(f"\nloss: first {_format_value(run.losses[0])}, last {_format_value(run.losses[-1])}"
              f", best {_format_value(summary['best_loss'])} at step {best}"
              f" ({'validation' if any(v is not None for v in run.validation_losses) else 'training'}"
              f" loss); {'converged' if summary['converged'] else 'still improving'}")
    return 0


def _report(args) -> int:
    from .report import write_report

    output = args.output or os.path.splitext(args.file)[0] + ".html"
    write_report(args.file, output)
    print(f"{args.file}: Performance page written to {output}")
    return 0


def _validate(args) -> int:
    from .runs import load_run

    load_run(args.file)  # raises InvalidInputError naming every bad field
    print(f"{args.file}: valid job-state document")
    return 0


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print the job-state JSON instead of tables")
    parser.add_argument("--out", metavar="JOB.json",
                        help="add the results to this job-state file (created if missing; other "
                             "splits are kept; written atomically)")


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
    demo.add_argument("--out-dir", metavar="DIR", default="modelmetrics-demo",
                      help="write a job-state file and a Performance page per model type, and "
                           "report.html linking the pages, here (default modelmetrics-demo; "
                           "'' to skip)")
    demo.set_defaults(handler=_demo)

    report = commands.add_parser("report", help="render a job-state file as an offline HTML "
                                                "Performance page")
    report.add_argument("file", metavar="JOB.json")
    report.add_argument("-o", "--output", metavar="REPORT.html",
                        help="where to write the page (default: JOB.html next to the file)")
    report.set_defaults(handler=_report)
    show = commands.add_parser("show", help="summary tables of a job-state file")
    show.add_argument("file", metavar="JOB.json")
    show.set_defaults(handler=_show)
    validate = commands.add_parser("validate", help="check a job-state file against the schema")
    validate.add_argument("file", metavar="JOB.json")
    validate.set_defaults(handler=_validate)

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
    _output_options(regression)
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
    _output_options(detection)
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
