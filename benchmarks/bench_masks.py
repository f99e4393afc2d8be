"""asv suites for instance segmentation: COCO segm evaluation from files, and the mask API
(workloads generated and the JIT warmed in ``setup``)."""

import warnings

from ._mask_peers import api_data, workload


def _evaluate(gt, dt):
    import modelmetrics as mm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mm.evaluate_coco(gt, dt, iou_type="segm").stats


class EvaluateCocoSegmFiles:
    """JSON files -> 12 COCO segm numbers + operating point + confusion matrix
    (``make_coco_like.py --masks --seed 1``)."""

    params = [100, 500]
    param_names = ["images"]
    timeout = 600

    def setup(self, images):
        self.gt, self.dt = workload(images, 1, True)
        _evaluate(*workload(100, 1, True))  # JIT warm-up

    def time_evaluate_coco_segm(self, images):
        _evaluate(self.gt, self.dt)

    def peakmem_evaluate_coco_segm(self, images):
        _evaluate(self.gt, self.dt)


class MaskApi:
    """``mm.mask`` on 100 masks of 480 x 640 pixels."""

    def setup(self):
        import modelmetrics as mm

        self.mask = mm.mask
        self.hwn, self.nhw, self.rles = api_data()
        self.mask.iou(self.rles, self.rles, [0] * len(self.rles))  # JIT warm-up
        self.mask.decode(self.mask.encode(self.hwn))
        self.mask.encode(self.nhw, layout="nhw")

    def time_encode(self):
        self.mask.encode(self.hwn)

    def time_encode_model_layout(self):
        self.mask.encode(self.nhw, layout="nhw")

    def time_decode(self):
        self.mask.decode(self.rles)

    def time_iou(self):
        self.mask.iou(self.rles, self.rles, [0] * len(self.rles))

    def time_area_and_bbox(self):
        self.mask.area(self.rles)
        self.mask.to_bbox(self.rles)
