"""The record of a training run, and its job-state JSON (the export format of DESIGN.md)."""

from __future__ import annotations

import calendar
import copy
import json
import math
import os
import re
import time
import warnings

from .._validation import parameter_error
from ..exceptions import InvalidInputError, UndefinedMetricWarning
from ..io._atomic import write_json_atomic
from . import _curves
from ._schema import validate_job_state

__all__ = ["MODEL_TYPES", "SPLITS", "TrainingRun", "format_timestamp", "load_run",
           "parse_timestamp"]

MODEL_TYPES = ("object-detection", "instance-segmentation", "semantic-segmentation",
               "classification", "regression")
SPLITS = ("train", "validation", "test")
_PASS_THROUGH = (("local_path", "localPath"), ("write_url", "writeUrl"),
                 ("webhook_url", "webhookUrl"))
_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$")
_NS = 1_000_000_000


def format_timestamp(ns: int) -> str:
    """A UTC time in nanoseconds since the epoch as the export writes it.

    Examples
    --------
    >>> format_timestamp(1660676965920362920)
    '2022-08-16T19:09:25.920362920Z'
    """
    seconds, fraction = divmod(int(ns), _NS)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{fraction:09d}Z"


def parse_timestamp(text: str) -> int:
    """Nanoseconds since the epoch of an export timestamp (``YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z``).

    Examples
    --------
    >>> parse_timestamp('2022-08-16T19:09:25.920362920Z')
    1660676965920362920
    """
    match = _TIMESTAMP.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidInputError(f"{text!r} is not a timestamp of the form "
                                f"2022-08-16T19:09:25.920362920Z (UTC, up to 9 fraction digits).")
    year, month, day, hour, minute, second, fraction = match.groups()
    seconds = calendar.timegm((int(year), int(month), int(day), int(hour), int(minute),
                               int(second), 0, 0, 0))
    return seconds * _NS + int((fraction or "0").ljust(9, "0"))


def _check_split(split, owner: str) -> str:
    if split not in SPLITS:
        raise parameter_error("split", owner, f"one of {', '.join(map(repr, SPLITS))}", split)
    return split


def _scalar(value) -> float:
    """A Python float from a number, or a NumPy / torch scalar (``.item()``: no autograd
    warning, no device-specific conversion)."""
    return float(value.item() if hasattr(value, "item") else value)


def _finite_or_none(value, what: str):
    """A JSON-safe number: the float itself, or None (with the reason) when not finite."""
    if value is None:
        return None, None
    value = float(value)
    if math.isfinite(value):
        return value, None
    return None, f"{what} was {value!r}"


class TrainingRun:
    """The record of one training run: losses over time, per-split results and status.

    Logging is in memory (a few microseconds per call, no I/O); :meth:`save` writes the
    job-state JSON (atomically), :meth:`checkpoint` does it periodically, and
    :func:`load_run` reads it back losslessly.

    Parameters
    ----------
    model_type : str or None
        One of :data:`MODEL_TYPES`; recorded as ``modelType``. Results given to
        :meth:`set_metrics` must be of this type.
    local_path, write_url, webhook_url : str, optional
        Passed through as ``localPath``, ``writeUrl``, ``webhookUrl``.
    start_time : float, optional
        Seconds since the epoch (default: now).

    Examples
    --------
    >>> import modelmetrics as mm
    >>> run = mm.TrainingRun(model_type="regression")
    >>> for epoch in range(3):
    ...     run.log_loss(10.0 / (epoch + 1), validation_loss=12.0 / (epoch + 1))
    >>> result = mm.RegressionMetrics().update([1.0, 2.0, 4.0], [1.5, 2.0, 3.5]).compute()
    >>> _ = run.set_metrics("test", result, target_names=["age"])
    >>> run.finish().to_dict()["metrics"]["test"]["max-error"]
    0.5
    >>> run.to_dict()["datasetStats"]
    {'test': {'regression': {'age': 3}}}
    """

    def __init__(self, model_type: str | None = None, *, local_path: str | None = None,
                 write_url: str | None = None, webhook_url: str | None = None,
                 start_time: float | None = None):
        if model_type is not None and model_type not in MODEL_TYPES:
            raise parameter_error("model_type", "TrainingRun",
                                  f"one of {', '.join(map(repr, MODEL_TYPES))} or None",
                                  model_type)
        self.model_type = model_type
        self._pass_through = {}
        for name, key in _PASS_THROUGH:
            value = locals()[name]
            if value is not None:
                if not isinstance(value, str):
                    raise parameter_error(name, "TrainingRun", "a string or None", value)
                self._pass_through[key] = value
        if start_time is None:
            start_time = time.time()
        if not (isinstance(start_time, (int, float)) and math.isfinite(start_time)
                and start_time >= 0):
            raise parameter_error("start_time", "TrainingRun",
                                  "seconds since the epoch (a finite number >= 0)", start_time)
        self.start_time = float(start_time)
        self.running, self.successful, self.error = True, False, False
        self._duration: float | None = None  # fixed once finished (or as loaded)
        self._losses: list = []
        self._validation: list = []
        self._stamps: list = []  # int ns, for the entries logged here
        self._loaded_stamps: list = []  # the text of loaded timestamps (kept verbatim)
        self.metrics: dict = {}
        self.dataset_stats: dict = {}
        self.accuracies: dict = {}
        self._undefined: dict = {}  # reasons of a loaded document, kept for its re-export
        self._checkpoint_path: str | None = None
        self._checkpoint_every = 0

    # -- logging --------------------------------------------------------------------------

    def log_loss(self, loss, validation_loss=None) -> None:
        """Record the training loss (and the validation loss, when measured) of a step or
        epoch, with the current UTC time. Any number works: float, NumPy or torch scalar.

        Non-finite losses are kept and exported as ``null`` with the reason (a warning is
        issued at export)."""
        self._stamps.append(time.time_ns())
        self._losses.append(_scalar(loss))
        self._validation.append(None if validation_loss is None else _scalar(validation_loss))
        if self._checkpoint_every and len(self._stamps) % self._checkpoint_every == 0:
            self.save(self._checkpoint_path)

    @property
    def losses(self) -> list:
        """Training losses in logging order (floats; None where the document had null)."""
        return list(self._losses)

    @property
    def validation_losses(self) -> list:
        """Validation losses aligned with :attr:`losses` (None where not measured)."""
        return list(self._validation)

    @property
    def loss_timestamps(self) -> list:
        """Timestamps of the losses, as exported (``2022-08-16T19:09:25.920362920Z``)."""
        return self._loaded_stamps + [format_timestamp(t) for t in self._stamps]

    def loss_summary(self, *, smoothing: float = 0.6, patience: int = 5,
                     min_delta: float = 0.0) -> dict:
        """Smoothed curves, best epoch and convergence of the training and validation losses
        (see :mod:`modelmetrics.runs`); the validation curve decides ``best_epoch`` when it
        was measured."""
        out = {"smoothed-losses": _curves.smooth(self._losses, smoothing),
               "smoothed-validation-losses": _curves.smooth(self._validation, smoothing)}
        curve = self._validation if any(v is not None for v in self._validation) else self._losses
        out.update(_curves.convergence(curve, patience=patience, min_delta=min_delta))
        return out

    # -- results ----------------------------------------------------------------------------

    def set_metrics(self, split: str, result, *, loss=None, dataset_stats: dict | None = None,
                    accuracy=None, threshold=None, target_names=None) -> TrainingRun:
        """Record the results of one split (``"train"``, ``"validation"`` or ``"test"``).

        Parameters
        ----------
        split : str
        result : result object of this library, or dict
            Any evaluator result (``RegressionResult``, ``CocoEvaluation``, ...) fills the
            split's metrics, dataset stats and accuracy; a dict is taken as the split's metrics
            as they are (JSON types, export keys).
        loss : float, optional
            The split's average loss, stored as the metric ``loss``.
        dataset_stats : dict, optional
            ``{task: {name: count}}``; overrides what the result gives.
        accuracy, threshold : float, optional
            Override the accuracy (and its threshold) the result gives.
        target_names : sequence of str, optional
            Regression: the names of the targets (dataset stats are per target).
        """
        _check_split(split, "TrainingRun.set_metrics")
        if isinstance(result, dict):
            entry = {"metrics": copy.deepcopy(result)}
        elif hasattr(result, "job_state_entry"):
            entry = result.job_state_entry(target_names=target_names)
            if self.model_type is None:
                self.model_type = entry["modelType"]
            elif entry["modelType"] != self.model_type:
                raise InvalidInputError(
                    f"The result given to TrainingRun.set_metrics is a {entry['modelType']} "
                    f"result but this run's model_type is {self.model_type!r}. Record it in a "
                    f"run of that model type.")
        else:
            raise InvalidInputError(
                f"The 'result' parameter of TrainingRun.set_metrics must be a result of a "
                f"modelmetrics evaluator (it has job_state_entry()) or a dict of metrics. Got "
                f"a {type(result).__name__} instead.")
        metrics = entry["metrics"]
        if loss is not None:
            metrics["loss"], reason = _finite_or_none(loss, "the loss")
            if reason:
                metrics.setdefault("undefined", {})["loss"] = reason
        self.metrics[split] = metrics
        stats = dataset_stats if dataset_stats is not None else entry.get("datasetStats")
        if stats is not None:
            self.dataset_stats[split] = copy.deepcopy(stats)
        if accuracy is not None or "accuracy" in entry:
            given = entry.get("accuracy", {"accuracy": None, "threshold": None})
            self.accuracies[split] = {
                "accuracy": given["accuracy"] if accuracy is None else float(accuracy),
                "threshold": given["threshold"] if threshold is None else float(threshold)}
        return self

    # -- status -----------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """``"running"``, ``"successful"`` or ``"error"``."""
        return "running" if self.running else ("successful" if self.successful else "error")

    @property
    def duration(self) -> float:
        """Seconds from the start to the end (or to now, while running)."""
        if self._duration is not None:
            return self._duration
        return max(0.0, time.time() - self.start_time)

    def finish(self) -> TrainingRun:
        """Mark the run successful (and write the checkpoint file, if any)."""
        return self._end(successful=True)

    def fail(self) -> TrainingRun:
        """Mark the run failed (and write the checkpoint file, if any)."""
        return self._end(successful=False)

    def _end(self, successful: bool) -> TrainingRun:
        self._duration = max(0.0, time.time() - self.start_time)
        self.running, self.successful, self.error = False, successful, not successful
        if self._checkpoint_path is not None:
            self.save(self._checkpoint_path)
        return self

    def __enter__(self) -> TrainingRun:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.running:
            self._end(successful=kind is None)

    # -- export -----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The job-state document (see DESIGN.md), JSON-ready: no NaN, undefined values are
        ``null`` with their reason under ``"undefined"`` (JSON Pointer → reason)."""
        undefined = {}
        doc = dict(self._pass_through)
        if self.model_type is not None:
            doc["modelType"] = self.model_type
        doc.update(running=self.running, successful=self.successful, error=self.error,
                   metrics=copy.deepcopy(self.metrics),
                   datasetStats=copy.deepcopy(self.dataset_stats))
        for key, values in (("losses", self._losses), ("validationLosses", self._validation)):
            column = []
            for index, value in enumerate(values):
                value, reason = _finite_or_none(value, "the logged loss")
                if reason:
                    undefined[f"/{key}/{index}"] = reason
                column.append(value)
            doc[key] = column
        if not any(v is not None for v in self._validation) and not self._loaded_stamps:
            doc["validationLosses"] = []  # never measured
        doc["lossTimestamps"] = self.loss_timestamps
        doc.update(startTime=self.start_time, duration=self.duration,
                   accuracies=copy.deepcopy(self.accuracies))
        if undefined:
            warnings.warn(f"{len(undefined)} logged loss value(s) are not finite and are exported "
                          f"as null (e.g. {next(iter(undefined))}: {next(iter(undefined.values()))}).",
                          UndefinedMetricWarning, stacklevel=2)
        if undefined or self._undefined:
            doc["undefined"] = {**self._undefined, **undefined}
        return doc

    def save(self, path) -> None:
        """Write the job-state JSON to ``path`` atomically (temporary file, fsync, rename): a
        crash mid-write leaves the previous file intact."""
        write_json_atomic(path, self.to_dict(), indent=None)

    def checkpoint(self, path, *, every: int | None = None) -> TrainingRun:
        """Write the job-state JSON to ``path`` now, again after every ``every`` logged losses
        (when given), and when the run finishes or fails. Each write is atomic.

        Parameters
        ----------
        path : str or os.PathLike
        every : int, optional
            Logged losses between writes (no periodic writes when None).
        """
        if every is not None and not (isinstance(every, int) and not isinstance(every, bool)
                                      and every >= 1):
            raise parameter_error("every", "TrainingRun.checkpoint", "a positive int or None", every)
        self._checkpoint_path = os.fspath(path)
        self._checkpoint_every = every or 0
        self.save(self._checkpoint_path)
        return self

    def __repr__(self) -> str:
        return (f"TrainingRun(model_type={self.model_type!r}, status={self.status!r}, "
                f"losses={len(self._losses)}, splits={sorted(self.metrics)})")

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, document: dict) -> TrainingRun:
        """Rebuild a run from a job-state document (checked against the schema first);
        ``run.to_dict()`` gives the document back unchanged."""
        validate_job_state(document)
        document = copy.deepcopy(document)
        run = cls(document.get("modelType"), start_time=document["startTime"])
        run._pass_through = {key: document[key] for _, key in _PASS_THROUGH if key in document}
        run.running, run.successful, run.error = (document["running"], document["successful"],
                                                  document["error"])
        run._duration = document["duration"]
        run._losses = document["losses"]
        run._validation = document["validationLosses"]
        run._loaded_stamps = document["lossTimestamps"]
        run.metrics = document["metrics"]
        run.dataset_stats = document["datasetStats"]
        run.accuracies = document["accuracies"]
        run._undefined = document.get("undefined", {})
        return run


def load_run(path) -> TrainingRun:
    """Read a job-state JSON file (see :meth:`TrainingRun.save`).

    Raises
    ------
    InvalidInputError
        The file is not JSON, or breaks the schema (each bad field named by its path).

    Examples
    --------
    >>> import modelmetrics as mm, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "job.json"
    >>> run = mm.TrainingRun(model_type="regression", start_time=1660676941.5)
    >>> run.log_loss(2.5)
    >>> run.finish().save(path)
    >>> mm.load_run(path).to_dict() == run.to_dict()
    True
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as stream:
            document = json.loads(stream.read())
    except OSError as exc:
        raise InvalidInputError(f"Cannot read the job-state file {path!r}: {exc.strerror}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"The job-state file {path!r} is not valid JSON: {exc}.") from None
    try:
        return TrainingRun.from_dict(document)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{path}: {exc}") from None
