"""asv suites for the training-run record: the cost of logging inside a training loop, and of
writing the job-state file (data built in ``setup``, never timed)."""

import os
import tempfile

import numpy as np

import modelmetrics as mm


class LogLoss:
    """``run.log_loss`` per call, for a Python float and for a NumPy scalar (a torch scalar
    takes the same ``.item()`` path)."""

    params = ["float", "numpy"]
    param_names = ["value"]

    def setup(self, value):
        self.run = mm.TrainingRun(model_type="regression")
        self.loss = 0.25 if value == "float" else np.float32(0.25)

    def time_log_loss(self, value):
        self.run.log_loss(self.loss, validation_loss=self.loss)


class SaveJobState:
    """``run.save`` (atomic: temporary file, fsync, rename) of a run with n logged losses and
    three splits of detection-sized metrics."""

    params = [100, 10_000]
    param_names = ["losses"]

    def setup(self, losses):
        self.run = mm.TrainingRun(model_type="classification")
        for k in range(losses):
            self.run.log_loss(1.0 / (k + 1), validation_loss=1.1 / (k + 1))
        names = [f"class-{k}" for k in range(80)]
        for split in mm.runs.SPLITS:
            self.run.set_metrics(split, {
                "accuracy": 0.5,
                "per-class": {n: {"precision": 0.5, "recall": 0.5, "f1-score": 0.5} for n in names},
                "confusion-matrix": {"labels": names, "matrix": np.eye(80, dtype=int).tolist()}})
        self.path = os.path.join(tempfile.mkdtemp(), "job.json")

    def time_save(self, losses):
        self.run.save(self.path)
