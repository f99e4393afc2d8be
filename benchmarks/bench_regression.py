"""asv suites for regression metrics (data built and JIT warmed in ``setup``, never timed)."""

import modelmetrics as mm

from ._regression_peers import make_pairs, streaming_updaters


class OneShot:
    """All six metrics of n float64 pairs, one call."""

    params = [10_000, 1_000_000, 50_000_000]
    param_names = ["n"]
    timeout = 600

    def setup(self, n):
        self.y_true, self.y_pred = make_pairs(n)
        mm.regression_metrics(self.y_true[:10], self.y_pred[:10])
        mm.regression_metrics(self.y_true[: 1 << 18], self.y_pred[: 1 << 18])  # parallel kernel

    def time_regression_metrics(self, n):
        mm.regression_metrics(self.y_true, self.y_pred)

    def track_pairs_per_second(self, n):
        import time

        start = time.perf_counter()
        mm.regression_metrics(self.y_true, self.y_pred)
        return n / (time.perf_counter() - start)

    track_pairs_per_second.unit = "pairs/s"


class StreamingUpdate:
    """One ``update`` of a training-loop batch, all six metrics."""

    params = [256, 1000, 100_000]
    param_names = ["batch"]

    def setup(self, batch):
        self.update, self.args = streaming_updaters(batch)["modelmetrics (all six)"]

    def time_update(self, batch):
        self.update(*self.args)


class Merge:
    """Merging two states (the Dask reduction step)."""

    def setup(self):
        self.a = mm.RegressionMetrics().update(*make_pairs(100, seed=1))
        self.b = mm.RegressionMetrics().update(*make_pairs(100, seed=2))
        self.a.merge(self.b)

    def time_merge(self):
        self.a.merge(self.b)
