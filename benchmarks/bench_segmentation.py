"""asv suites for semantic segmentation (data built and JIT warmed in ``setup``, never timed)."""

import time

import numpy as np

import modelmetrics as mm

from ._segmentation_peers import N_CLASSES, make_label_maps, streaming_updaters


class OneShot:
    """Pixel confusion of a batch of 1024×2048 uint8 maps, 19 classes + 255 ignored."""

    params = [[1, 32], ["regions", "noise"]]
    param_names = ["frames", "maps"]
    timeout = 600

    def setup(self, frames, maps):
        self.gt, self.pred = make_label_maps(frames, kind=maps)
        mm.SegmentationMetrics(N_CLASSES).update(self.gt[:1, :8], self.pred[:1, :8])
        mm.SegmentationMetrics(N_CLASSES).update(self.gt[:1], self.pred[:1])  # parallel path

    def time_update(self, frames, maps):
        mm.SegmentationMetrics(N_CLASSES).update(self.gt, self.pred)

    def track_mpx_per_second(self, frames, maps):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            mm.SegmentationMetrics(N_CLASSES).update(self.gt, self.pred)
            best = min(best, time.perf_counter() - start)
        return self.gt.size / best / 1e6

    track_mpx_per_second.unit = "Mpx/s"


class Layouts:
    """Other label widths and layouts: int64 predictions (argmax output), strided views."""

    params = [["int64 prediction", "uint16 maps", "strided uint8"]]
    param_names = ["input"]

    def setup(self, kind):
        gt, pred = make_label_maps(2)
        if kind == "int64 prediction":
            self.args = (gt, pred.astype(np.int64))
        elif kind == "uint16 maps":
            self.args = (gt.astype(np.uint16), pred.astype(np.uint16))
        else:
            self.args = (gt[:, ::2, ::2], pred[:, ::2, ::2])
        mm.SegmentationMetrics(N_CLASSES).update(*self.args)

    def time_update(self, kind):
        mm.SegmentationMetrics(N_CLASSES).update(*self.args)


class StreamingUpdate:
    """One ``update`` of a 512×512 map in a validation loop (per-batch overhead)."""

    params = [["modelmetrics (uint8 maps)", "modelmetrics (int64 prediction)"]]
    param_names = ["input"]

    def setup(self, name):
        self.update, self.args = streaming_updaters(512, 512)[name]

    def time_update(self, name):
        self.update(*self.args)


class ComputeAndMerge:
    """Reading the metrics off the state, and merging two states (the Dask reduction step)."""

    def setup(self):
        gt, pred = make_label_maps(1, 256, 256)
        self.a = mm.SegmentationMetrics(N_CLASSES).update(gt, pred)
        self.b = mm.SegmentationMetrics(N_CLASSES).update(gt, pred)

    def time_compute(self):
        self.a.compute()

    def time_merge(self):
        self.a.merge(self.b)
