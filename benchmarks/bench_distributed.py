"""asv suites for modelmetrics.distributed: the same evaluation in process, on Dask's threaded
scheduler, and on a LocalCluster with 1 or 2 worker processes (cluster start-up, data
generation and JIT warm-up in ``setup``; the timed call includes shipping the partitions)."""

import warnings

import numpy as np

import modelmetrics as mm

from ._detection_peers import per_image_arrays, workload

MODES = ["in-process", "dask-threads", "cluster-1-worker", "cluster-2-workers"]


def _cluster(mode):
    if not mode.startswith("cluster"):
        return None, None
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=int(mode.split("-")[1]), threads_per_worker=1,
                           processes=True, host="127.0.0.1", dashboard_address=None,
                           silence_logs=50)
    return cluster, Client(cluster)


class Detection:
    """DetectionMetrics over per-image records (COCO-like, 1,000 images, 100k detections)."""

    params = MODES
    param_names = ["mode"]
    timeout = 600

    def setup(self, mode):
        import dask.bag as db

        predictions, targets = per_image_arrays(*workload(1000))
        self.records = [{"predictions": [p], "targets": [t]} for p, t in zip(predictions, targets)]
        self.cluster, self.client = _cluster(mode)
        self.bag = db.from_sequence(self.records, npartitions=16)
        if self.client is not None:
            self.bag = self.client.persist(self.bag)  # data on the workers, as on a cluster
        self.mode = mode
        self.time_evaluate(mode)  # JIT warm-up (in every worker too)

    def teardown(self, mode):
        if self.client is not None:
            self.client.close()
            self.cluster.close()

    def time_evaluate(self, mode):
        from modelmetrics import distributed as mmd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if mode == "in-process":
                metric = mm.DetectionMetrics(box_format="xywh")
                metric.update([p for r in self.records for p in r["predictions"]],
                              [t for r in self.records for t in r["targets"]])
            else:
                metric = mmd.evaluate(mm.DetectionMetrics(box_format="xywh"), self.bag,
                                      scheduler="threads" if mode == "dask-threads" else None)
            return metric.compute()


class Regression:
    """RegressionMetrics over a chunked dask array (20M float64 pairs, 16 chunks)."""

    params = MODES
    param_names = ["mode"]
    timeout = 600

    def setup(self, mode):
        import dask.array as da

        rng = np.random.default_rng(0)
        self.y = rng.normal(size=20_000_000)
        self.p = self.y + rng.normal(size=self.y.size)
        self.cluster, self.client = _cluster(mode)
        self.gt = da.from_array(self.y, chunks=self.y.size // 16)
        self.pred = da.from_array(self.p, chunks=self.y.size // 16)
        if self.client is not None:
            self.gt, self.pred = self.client.persist([self.gt, self.pred])
        self.time_evaluate(mode)

    def teardown(self, mode):
        if self.client is not None:
            self.client.close()
            self.cluster.close()

    def time_evaluate(self, mode):
        from modelmetrics import distributed as mmd

        if mode == "in-process":
            return mm.RegressionMetrics().update(self.y, self.p).compute()
        return mmd.evaluate(mm.RegressionMetrics(), self.gt, self.pred,
                            scheduler="threads" if mode == "dask-threads" else None).compute()
