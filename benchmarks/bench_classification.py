"""asv suites for classification (data built and JIT warmed in ``setup``, never timed)."""

import time
import warnings

import modelmetrics as mm

from ._classification_peers import N_CLASSES, all_metrics, make_labels, make_scores, streaming_updaters


class ConfusionMatrix:
    """Confusion matrix of n int64 labels, 1,000 classes."""

    params = [10_000, 10_000_000]
    param_names = ["n"]
    timeout = 600

    def setup(self, n):
        self.y_true, self.y_pred = make_labels(n)
        mm.confusion_matrix(self.y_true[:10], self.y_pred[:10], num_classes=N_CLASSES)
        mm.confusion_matrix(self.y_true, self.y_pred, num_classes=N_CLASSES)

    def time_confusion_matrix(self, n):
        mm.confusion_matrix(self.y_true, self.y_pred, num_classes=N_CLASSES)

    def time_all_metrics(self, n):
        all_metrics(self.y_true, self.y_pred)

    def track_million_samples_per_second(self, n):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            mm.confusion_matrix(self.y_true, self.y_pred, num_classes=N_CLASSES)
            best = min(best, time.perf_counter() - start)
        return n / best / 1e6

    track_million_samples_per_second.unit = "M samples/s"


class Scores:
    """Scores of shape (n, 100): argmax, confusion and the true class's rank (top-k)."""

    params = [1_000, 1_000_000]
    param_names = ["n"]
    timeout = 600

    def setup(self, n):
        self.y_true, self.scores = make_scores(n)
        mm.ClassificationMetrics(100).update(self.y_true, self.scores)

    def time_update(self, n):
        mm.ClassificationMetrics(100).update(self.y_true, self.scores)


class StreamingUpdate:
    """One ``update`` of a 256-sample training batch (per-batch overhead), 1,000 classes."""

    params = [["modelmetrics (labels)", "modelmetrics (scores, top-k)"]]
    param_names = ["input"]

    def setup(self, name):
        self.update, self.args = streaming_updaters(256)[name]

    def time_update(self, name):
        self.update(*self.args)


class ComputeAndViews:
    """Reading the metrics and the views off a 1,000-class state."""

    def setup(self):
        self.metric = mm.ClassificationMetrics(N_CLASSES).update(*make_labels(100_000))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result = self.metric.compute()

    def time_compute(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.metric.compute()

    def time_most_confused_20(self):
        self.result.most_confused(20)

    def time_to_dict(self):
        self.result.to_dict()
