"""asv suite for the Performance page: rendering a run with many classes and logged losses
(data built and the run validated in ``setup``, never timed)."""

import modelmetrics as mm
from modelmetrics.report import page_data

from ._report_data import job_state


class RenderReport:
    """``render_report`` of a classification run (validation + test: per-class table and
    confusion matrix each) with n classes and 10,000 logged losses."""

    params = [100, 1000]
    param_names = ["classes"]

    def setup(self, classes):
        document = job_state("classification", num_classes=classes, n_losses=10_000,
                             splits=("validation", "test"))
        self.run = mm.TrainingRun.from_dict(document)

    def time_render_report(self, classes):
        mm.render_report(self.run)

    def time_page_data(self, classes):
        page_data(self.run)

    def track_html_megabytes(self, classes):
        return len(mm.render_report(self.run).encode("utf-8")) / 1e6

    track_html_megabytes.unit = "MB"
