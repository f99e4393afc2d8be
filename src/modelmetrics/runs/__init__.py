"""Training runs: losses over time, per-split results, and the job-state JSON export.

>>> import modelmetrics as mm
>>> run = mm.TrainingRun(model_type="classification")
>>> run.log_loss(0.9); run.log_loss(0.5)
>>> run.loss_summary(patience=1)["best_epoch"]
1
"""

from ._curves import best_epoch, convergence, smooth
from ._run import MODEL_TYPES, SPLITS, TrainingRun, format_timestamp, load_run, parse_timestamp
from ._schema import job_state_errors, job_state_schema, validate_job_state

__all__ = ["MODEL_TYPES", "SPLITS", "TrainingRun", "best_epoch", "convergence", "format_timestamp",
           "job_state_errors", "job_state_schema", "load_run", "parse_timestamp", "smooth",
           "validate_job_state"]
