"""The ``modelmetrics`` command line.

Exit codes: 0 success, 1 the evaluation failed (bad data, unreadable file), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

import numpy as np

from . import __version__
from ._demo import DEMO_TARGET
from .exceptions import InvalidInputError

__all__ = ["main"]

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

    iou_type = "segm" if args.task == "instance-segmentation" else "bbox"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values are shown as such
        evaluation = evaluate_coco(args.gt, args.pred, iou_type=iou_type,
                                   score_threshold=args.score_threshold,
                                   operating_iou=args.iou_threshold)
    _record(args, {args.split: evaluation})
    if not args.json:
        print(_detection_report(evaluation, max_rows=None if args.all_classes else 20))
    return 0


def _labels_or_names(column: np.ndarray) -> np.ndarray:
    """A CSV column of class labels: integers when every cell is one, else the strings."""
    try:
        return column.astype(np.int64)
    except ValueError:
        return column


def _class_names(text: str | None):
    return [name.strip() for name in text.split(",")] if text else None


def _per_class_table(per_class: dict, columns: tuple, max_rows: int | None) -> str:
    """Per-class rows, largest support first (``max_rows`` of them, None for all)."""
    rows = sorted(per_class.items(), key=lambda item: -(item[1].get("support") or 0))
    shown = rows if max_rows is None else rows[:max_rows]
    table = _table(["class", *columns],
                   [[name, *(_format_value(row.get(c)) for c in columns)] for name, row in shown])
    more = (f"\n({len(rows) - len(shown)} more classes; --all-classes or --json for all)"
            if len(shown) < len(rows) else "")
    return table + more


def _evaluate_classification(args) -> int:
    from .classification import classification_metrics
    from .io.tables import read_csv_columns, read_npy

    if args.csv:
        columns = read_csv_columns(args.csv, [], (args.true, args.pred))
        y_true, y_pred = _labels_or_names(columns[args.true]), _labels_or_names(columns[args.pred])
    else:
        y_true, y_pred = read_npy(args.true, "y_true"), read_npy(args.pred, "y_pred")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values are shown as such
        result = classification_metrics(y_true, y_pred, num_classes=args.num_classes,
                                        class_names=_class_names(args.class_names),
                                        threshold=args.threshold)
    _record(args, {args.split: result})
    if not args.json:
        print(_classification_report(result, None if args.all_classes else 20))
    return 0


def _classification_report(result, max_rows: int | None = 20) -> str:
    head = _table(["metric", "value"], [[k, _format_value(v)] for k, v in result.values.items()]
                  + [["samples", str(result.n_samples)]])
    table = _per_class_table(result.per_class, ("support", "precision", "recall", "f1-score",
                                                "accuracy"), max_rows)
    confused = result.most_confused(7)
    pairs = "\n".join(f"  {true} -> {pred}: {_format_value(count)}" for true, pred, count in confused)
    return (f"{head}\n\nper class:\n{table}"
            + (f"\n\nmost confused (truth -> prediction: samples):\n{pairs}" if confused else ""))


def _evaluate_semantic_segmentation(args) -> int:
    from .segmentation import SegmentationMetrics

    metric = SegmentationMetrics(args.num_classes, ignore_index=args.ignore_index,
                                 class_names=_class_names(args.class_names),
                                 reduce_zero_label=args.reduce_zero_label)
    metric.update_from_folders(args.gt, args.pred, gt_suffix=args.gt_suffix,
                               pred_suffix=args.pred_suffix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values are shown as such
        result = metric.compute()
    _record(args, {args.split: result})
    if not args.json:
        print(_segmentation_report(result, None if args.all_classes else 20))
    return 0


def _segmentation_report(result, max_rows: int | None = 20) -> str:
    head = _table(["metric", "value"], [[k, _format_value(v)] for k, v in result.values.items()])
    table = _per_class_table(result.per_class, ("support", "iou", "dice", "precision", "recall"),
                             max_rows)
    return f"{head}\n\nper class (support: labelled pixels):\n{table}"


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


_DEMO_TITLES = {
    "regression": f"regression: {DEMO_TARGET} (bundled sample of a bone-age model's predictions)",
    "classification": "classification: handwritten digits, a softmax regression trained here "
                      "in NumPy (losses logged per epoch)",
    "object-detection": "object detection: COCO val2014, 100 images, the COCO API's example "
                        "results",
    "instance-segmentation": "instance segmentation: COCO val2014, 100 images, the COCO API's "
                             "example results",
    "semantic-segmentation": "semantic segmentation: synthetic street scenes",
}


def _demo(args) -> int:
    from ._demo import demo_runs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values are shown as such
        runs = demo_runs(args.threshold)
    documents = {model_type: run.to_dict() for model_type, run in runs.items()}
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        from .report import write_demo_reports

        for model_type, run in runs.items():
            run.save(os.path.join(args.out_dir, f"{model_type}.job.json"))
        write_demo_reports(args.out_dir, documents)
    if args.json:
        print(json.dumps(documents, indent=1, allow_nan=False))
        return 0
    for model_type, document in documents.items():
        print(f"=== modelmetrics demo: {_DEMO_TITLES[model_type]}\n")
        print(_document_summary(document, max_rows=10))
        if runs[model_type].losses:
            print("\n" + _loss_line(runs[model_type]))
        print()
    if args.out_dir:
        print(f"job-state files written to {args.out_dir}/: "
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


_PER_CLASS_COLUMNS = {
    "object-detection": ("average-precision", "precision", "recall", "f1-score",
                         "true-positives", "false-positives", "false-negatives"),
    "instance-segmentation": ("average-precision", "precision", "recall", "f1-score",
                              "true-positives", "false-positives", "false-negatives"),
    "semantic-segmentation": ("support", "iou", "dice", "precision", "recall"),
    "classification": ("support", "precision", "recall", "f1-score", "accuracy"),
}


def _model_type(document: dict) -> str:
    tasks = [task for stats in document["datasetStats"].values() for task in stats]
    return document.get("modelType") or (tasks[0] if tasks else "unknown model type")


def _document_summary(document: dict, max_rows: int | None = 20) -> str:
    """Tables of a job-state document: the numbers per split, then the per-class rows of the
    last split that has them (most support first)."""
    model_type = _model_type(document)
    splits = [s for s in SPLITS if s in document["metrics"] or s in document["accuracies"]]
    parts = []
    if splits:
        keys = list(_HEADLINE.get(model_type, ()))
        for split in splits:
            keys += [k for k, v in document["metrics"].get(split, {}).items()
                     if k not in keys and not isinstance(v, (dict, list))]
        rows = [[k] + [_format_value(document["metrics"].get(s, {}).get(k)) if k in
                       document["metrics"].get(s, {}) else "-" for s in splits] for k in keys]
        for key in ("accuracy", "threshold"):
            label = "accuracy (export)" if key == "accuracy" and "accuracy" in keys else key
            rows.append([label] + [_format_value(document["accuracies"].get(s, {}).get(key))
                                   for s in splits])
        rows.append(["dataset size"] + [str(sum(sum(c.values()) for c in
                                                document["datasetStats"].get(s, {}).values()))
                                        for s in splits])
        parts.append(_table(["metric", *splits], rows))
    with_classes = [s for s in splits if document["metrics"].get(s, {}).get("per-class")]
    if with_classes and model_type in _PER_CLASS_COLUMNS:
        split = with_classes[-1]
        per_class = {name: {**row, "support": row.get("support", (row.get("true-positives") or 0)
                                                      + (row.get("false-negatives") or 0))}
                     for name, row in document["metrics"][split]["per-class"].items()}
        parts.append(f"per class ({split}):\n"
                     + _per_class_table(per_class, _PER_CLASS_COLUMNS[model_type], max_rows))
    return "\n\n".join(parts)


def _loss_line(run) -> str:
    summary = run.loss_summary()
    curve = "validation" if any(v is not None for v in run.validation_losses) else "training"
    return (f"loss: first {_format_value(run.losses[0])}, last {_format_value(run.losses[-1])}, "
            f"best {_format_value(summary['best_loss'])} at step {summary['best_epoch']} "
            f"({curve} loss); {'converged' if summary['converged'] else 'still improving'}")


def _show(args) -> int:
    from .runs import load_run

    run = load_run(args.file)
    document = run.to_dict()
    print(f"{args.file}: {_model_type(document)}, {run.status}, {len(run.losses)} logged "
          f"losses, duration {document['duration']:.1f} s\n")
    print(_document_summary(document, None if args.all_classes else 20))
    if run.losses:
        print("\n" + _loss_line(run))
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


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all-classes", action="store_true",
                        help="list every class (default: the 20 with most support)")
    parser.add_argument("--split", choices=SPLITS, default="test", help="which split the data is")
    _output_options(parser)


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
    show.add_argument("--all-classes", action="store_true",
                      help="list every class (default: the 20 with most support)")
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

    for task, kind in (("detection", "bbox"), ("instance-segmentation", "segm")):
        detection = tasks.add_parser(
            task, help=f"COCO {kind} evaluation (pycocotools-exact) from two JSON files")
        detection.add_argument("--gt", required=True, metavar="GT.json",
                               help="COCO ground truth (instances)")
        detection.add_argument("--pred", required=True, metavar="RESULTS.json",
                               help="COCO results")
        detection.add_argument("--score-threshold", type=float, default=0.5,
                               help="operating point: minimum score (default 0.5)")
        detection.add_argument("--iou-threshold", type=float, default=0.5,
                               help="operating point: IoU for a match (default 0.5)")
        _common_options(detection)
        detection.set_defaults(handler=_evaluate_detection)

    classification = tasks.add_parser(
        "classification", help="classification metrics from a CSV file or two .npy files",
        description="With --csv, --true and --pred name columns of the CSV file (class indices "
                    "or names); without it, they are .npy files (labels, or (n, C) scores).")
    classification.add_argument("--csv", metavar="FILE", help="CSV file with a header row")
    classification.add_argument("--true", required=True, metavar="COL",
                                help="true labels: column (or .npy file)")
    classification.add_argument("--pred", required=True, metavar="COL",
                                help="predicted labels: column (or .npy file of labels/scores)")
    classification.add_argument("--num-classes", type=int, help="default: inferred")
    classification.add_argument("--class-names", metavar="A,B,...",
                                help="comma-separated names, in class-index order")
    classification.add_argument("--threshold", type=float, default=0.5,
                                help="decision threshold for probabilities (default 0.5)")
    _common_options(classification)
    classification.set_defaults(handler=_evaluate_classification)

    segmentation = tasks.add_parser(
        "semantic-segmentation", help="per-pixel metrics from two folders of PNG label maps",
        description="Every ground-truth label map under --gt (recursively) is paired with the "
                    "prediction of the same relative name under --pred.")
    segmentation.add_argument("--gt", required=True, metavar="DIR", help="ground-truth label maps")
    segmentation.add_argument("--pred", required=True, metavar="DIR", help="predicted label maps")
    segmentation.add_argument("--num-classes", required=True, type=int)
    segmentation.add_argument("--ignore-index", type=int, default=255,
                              help="label not evaluated (default 255)")
    segmentation.add_argument("--class-names", metavar="A,B,...",
                              help="comma-separated names, in class-index order")
    segmentation.add_argument("--reduce-zero-label", action="store_true",
                              help="label 0 is ignored and the others shift down by one (ADE20K)")
    segmentation.add_argument("--gt-suffix", default=".png", help="ground-truth file suffix")
    segmentation.add_argument("--pred-suffix", default=".png", help="prediction file suffix")
    _common_options(segmentation)
    segmentation.set_defaults(handler=_evaluate_semantic_segmentation)
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
