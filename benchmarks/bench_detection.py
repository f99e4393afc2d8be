"""asv suites for COCO detection (workloads generated and the JIT warmed in ``setup``)."""

from ._detection_peers import ours, ours_from_arrays, per_image_arrays, workload


class EvaluateCocoFiles:
    """JSON files -> 12 COCO numbers + operating point + confusion matrix."""

    params = [100, 5000]
    param_names = ["images"]
    timeout = 600

    def setup(self, images):
        self.gt, self.dt = workload(images)
        ours(*workload(100))  # JIT warm-up

    def time_evaluate_coco(self, images):
        ours(self.gt, self.dt)

    def peakmem_evaluate_coco(self, images):
        ours(self.gt, self.dt)


class DetectionMetricsArrays:
    """Per-image arrays already in memory -> the same results (streaming API, one batch)."""

    params = [100, 5000]
    param_names = ["images"]
    timeout = 600

    def setup(self, images):
        self.predictions, self.targets = per_image_arrays(*workload(images))
        ours_from_arrays(*per_image_arrays(*workload(100)))

    def time_update_compute(self, images):
        ours_from_arrays(self.predictions, self.targets)
