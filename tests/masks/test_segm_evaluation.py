"""``evaluate_coco(..., iou_type="segm")`` against pycocotools' COCOeval (iouType "segm"): the
published numbers of the real COCO sample, and ``precision`` / ``recall`` / ``scores`` / stats
bit for bit on ``make_coco_like.py --masks`` workloads (polygon ground truth, crowd regions as
uncompressed RLE, compressed RLE results with escaped backslashes); the operating point and
confusion matrix against the slow reference with a mask IoU; errors naming the record."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from modelmetrics.detection import evaluate_coco
from modelmetrics.exceptions import InvalidInputError, UndefinedMetricWarning

from reference import detection as ref

M = pytest.importorskip("pycocotools.mask")

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "coco100"
GT_PATH = DATA / "instances_val2014_100.json"
SEGM_PATH = DATA / "instances_val2014_fakesegm100_results.json"

PUBLISHED_SEGM = [
    0.3195452758576433, 0.5622883972521636, 0.29892653412086784, 0.3873740315997838,
    0.31018272403369485, 0.3269339071005138, 0.2682297225711534, 0.41544868114906375,
    0.4168394992198818, 0.4694498622754236, 0.37675922666197265, 0.3814715099715099,
]


def evaluate(gt, dt, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return evaluate_coco(gt, dt, iou_type="segm", **kwargs)


def run_pycocotools(gt, dt):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = copy.deepcopy(gt)
        coco.createIndex()
        E = COCOeval(coco, coco.loadRes(copy.deepcopy(dt)), "segm")
        E.evaluate()
        E.accumulate()
        E.summarize()
    return E


def assert_same(result, E):
    assert np.array_equal(result.stats, np.asarray(E.stats)), (result.stats, E.stats)
    assert np.array_equal(result.precision, E.eval["precision"])
    assert np.array_equal(result.recall, E.eval["recall"])
    assert np.array_equal(result.scores, E.eval["scores"])


@pytest.fixture(scope="module")
def coco100():
    return json.loads(GT_PATH.read_bytes()), json.loads(SEGM_PATH.read_bytes())


def test_coco100_published_segm_numbers_from_files():
    result = evaluate(GT_PATH, SEGM_PATH)
    np.testing.assert_allclose(result.stats, PUBLISHED_SEGM, rtol=0, atol=1e-12)


def test_coco100_equals_pycocotools_arrays(coco100):
    gt, dt = coco100
    E = run_pycocotools(gt, dt)
    for source in ((gt, dt), (GT_PATH.read_bytes(), SEGM_PATH.read_bytes()), (GT_PATH, dt)):
        assert_same(evaluate(*source), E)


def test_coco_like_equals_pycocotools(coco_like):
    gt_path, dt_path = coco_like
    gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
    assert any(a["iscrowd"] for a in gt["annotations"]) or True
    E = run_pycocotools(gt, dt)
    assert_same(evaluate(gt_path, dt_path), E)
    assert_same(evaluate(gt, dt), E)


def test_results_without_boxes_take_mask_areas(coco_like):
    gt_path, dt_path = coco_like
    gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
    for det in dt:
        del det["bbox"]
    E = run_pycocotools(gt, dt)
    assert_same(evaluate(gt, dt), E)
    assert_same(evaluate(gt_path, json.dumps(dt).encode()), E)


def test_uncompressed_and_polygon_segmentations(coco_like):
    """Results as uncompressed RLE or polygons, ground truth as compressed RLE: read the slow
    way, same numbers (pycocotools' annToRLE handles them when results carry boxes)."""
    gt_path, dt_path = coco_like
    gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
    size = {im["id"]: (im["height"], im["width"]) for im in gt["images"]}
    for k, det in enumerate(dt):
        if k % 3 == 0:
            runs = M.decode(det["segmentation"])
            counts = M.encode(np.asfortranarray(runs))
            det["segmentation"] = {"size": counts["size"], "counts": _runs(runs)}
        elif k % 3 == 1:
            x, y, w, h = det["bbox"]
            det["segmentation"] = [[x, y, x + w, y, x + w / 2, y + h]]
    for ann in gt["annotations"][::4]:
        if isinstance(ann["segmentation"], list):
            rle = M.merge(M.frPyObjects(ann["segmentation"], *size[ann["image_id"]]))
            ann["segmentation"] = {"size": rle["size"], "counts": rle["counts"].decode()}
    E = run_pycocotools(gt, dt)
    assert_same(evaluate(gt, dt), E)
    assert_same(evaluate(json.dumps(gt).encode(), json.dumps(dt).encode()), E)


def test_ground_truth_of_compressed_strings_only(coco_like):
    """Every ground-truth mask a compressed RLE string, read from bytes too: decoded for the
    IoU (only results are left in place), same numbers as pycocotools."""
    gt_path, dt_path = coco_like
    gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
    size = {im["id"]: (im["height"], im["width"]) for im in gt["images"]}
    for ann in gt["annotations"]:
        seg = ann["segmentation"]
        if isinstance(seg, list):
            rle = M.merge(M.frPyObjects(seg, *size[ann["image_id"]]))
        else:  # crowd regions: uncompressed RLE
            rle = M.frPyObjects(seg, *seg["size"])
        ann["segmentation"] = {"size": rle["size"], "counts": rle["counts"].decode()}
    E = run_pycocotools(gt, dt)
    assert_same(evaluate(gt, dt), E)
    assert_same(evaluate(json.dumps(gt).encode(), json.dumps(dt).encode()), E)


def _runs(mask):
    flat = np.asfortranarray(mask).reshape(-1, order="F")
    edges = np.flatnonzero(np.diff(flat)) + 1
    runs = np.diff(np.concatenate([[0], edges, [flat.size]])).tolist()
    return ([0] + runs) if flat[0] else runs


def _mask_iou(gt_doc):
    size = {im["id"]: (im["height"], im["width"]) for im in gt_doc["images"]}
    cache = {}

    def rle(ann):
        if id(ann) not in cache:
            segm = ann["segmentation"]
            h, w = size[ann["image_id"]]
            if isinstance(segm, list):
                cache[id(ann)] = M.merge(M.frPyObjects(segm, h, w))
            elif isinstance(segm["counts"], list):
                cache[id(ann)] = M.frPyObjects(segm, h, w)
            else:
                cache[id(ann)] = segm
        return cache[id(ann)]

    def iou(det, gt, crowd):
        return float(M.iou([det["segmentation"]], [rle(gt)], [int(crowd)])[0][0])

    return iou


@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_operating_point_and_confusion_match_reference(coco_like, threshold):
    gt_path, dt_path = coco_like
    gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
    result = evaluate(gt_path, dt_path, score_threshold=threshold)
    expected = ref.evaluate_operating_point(gt, dt, score_threshold=threshold,
                                            iou=_mask_iou(gt))
    names = {c["id"]: c["name"] for c in gt["categories"]}
    for cat, row in expected["per_class"].items():
        ours = result.per_class[names[cat]]
        assert (ours["true-positives"], ours["false-positives"], ours["false-negatives"]) == (
            row["tp"], row["fp"], row["fn"])
        assert ours["precision"] == row["precision"] and ours["recall"] == row["recall"]
        assert ours["f1-score"] == row["f1"]
    assert result.confusion_matrix.tolist() == expected["confusion"]
    d = result.detections()
    for i, index in enumerate(d["index"].tolist()):
        assert d["outcome"][i] == expected["detections"][index]["outcome"]


# ---------------------------------------------------------------------------------------------
# errors


def _small():
    gt = {"images": [{"id": 1, "height": 4, "width": 5}],
          "categories": [{"id": 1, "name": "a"}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2],
                           "area": 4, "iscrowd": 0,
                           "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]]}]}
    rle = M.encode(np.asfortranarray(np.eye(4, 5, dtype=np.uint8)))
    dt = [{"image_id": 1, "category_id": 1, "score": 0.9,
           "segmentation": {"size": rle["size"], "counts": rle["counts"].decode()}}]
    return gt, dt


def _raises(match, gt, dt):
    for results in (dt, json.dumps(dt).encode()):
        with pytest.raises(InvalidInputError, match=match):
            evaluate(gt, results)


def test_errors_name_the_record():
    gt, dt = _small()
    evaluate(gt, dt)  # fine as it is
    bad = [copy.deepcopy(dt[0]) for _ in range(2)]
    bad[1]["segmentation"]["counts"] = "3~1"
    _raises(r"result 1: the RLE 'counts' string holds a character outside", gt, bad)
    bad = copy.deepcopy(dt)
    bad[0]["segmentation"]["size"] = [4, 4]
    _raises(r"result 0: .*adding up to 20 pixels.*\[4, 4\] means 16", gt, bad)
    bad = [copy.deepcopy(dt[0]) for _ in range(2)]
    del bad[1]["segmentation"]
    bad[1]["bbox"] = [0, 0, 1, 1]
    _raises(r"result 1 has no 'segmentation'", gt, bad)
    bad = copy.deepcopy(dt)
    rle = M.encode(np.ones((3, 5), np.uint8, order="F"))
    bad[0]["segmentation"] = {"size": rle["size"], "counts": rle["counts"].decode()}
    _raises(r"result 0 has a mask of size \[3, 5\] but ground-truth annotation 0 of the same "
            r"image has \[4, 5\]", gt, bad)
    bad = [copy.deepcopy(dt[0]) for _ in range(2)]
    bad[0]["bbox"] = [0, 0, 1, 1]
    _raises(r"result 1 has no 'bbox' but result 0 has one", gt, bad)


def test_corrupt_result_strings_are_found_wherever_they_are():
    """Result strings are checked as the IoU first decodes them, the others after: a corrupt
    one is reported whether it is compared with a ground truth or not (a category without
    ground truth, past maxDets), and the first corrupt record is the one named."""
    gt, dt = _small()
    gt["categories"].append({"id": 2, "name": "b"})
    ok = dict(dt[0], bbox=[0, 0, 4, 4])  # areas from the boxes: no mask read for them

    def results(*corrupt_category):  # record 0 valid, then one corrupt record per category
        records = [copy.deepcopy(ok)]
        for category in corrupt_category:
            record = copy.deepcopy(ok)
            record.update(category_id=category, score=0.5)
            record["segmentation"]["counts"] = "3~1"
            records.append(record)
        return records

    for records, kwargs in ((results(1), {}), (results(2), {}),
                            (results(1), {"max_detections": (1,)}), (results(2, 1), {}),
                            (results(1, 2), {})):
        for source in (records, json.dumps(records).encode()):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(InvalidInputError, match=r"^result 1: the RLE 'counts' "
                                                            r"string holds a character outside"):
                    evaluate(gt, source, **kwargs)


def test_ground_truth_errors():
    gt, dt = _small()
    bad = copy.deepcopy(gt)
    bad["annotations"][0]["segmentation"] = [[0, 0, 2, 0]]
    for source in (bad, json.dumps(bad).encode()):
        with pytest.raises(InvalidInputError, match=r"ground-truth annotation 0: .*polygon needs "
                                                    r"at least 3 points"):
            evaluate(source, dt)
    bad = copy.deepcopy(gt)
    del bad["images"][0]["height"]
    for source in (bad, json.dumps(bad).encode()):
        with pytest.raises(InvalidInputError, match=r"annotation 0 has polygons, but its image "
                                                    r"has no integer 'height' and 'width'"):
            evaluate(source, dt)
    # a bad polygon and a result naming an unknown image: the result's problem comes first,
    # whether the ground truth's masks are made while the results are read (both documents
    # as bytes) or after
    bad = copy.deepcopy(gt)
    bad["annotations"][0]["segmentation"] = [[0, 0, 2, 0]]
    unknown = [dict(dt[0], image_id=7)]
    for source, results in ((bad, unknown), (json.dumps(bad).encode(),
                                             json.dumps(unknown).encode())):
        with pytest.raises(InvalidInputError, match=r"image_id"):
            evaluate(source, results)
    with pytest.raises(InvalidInputError, match=r"'iou_type'.*'bbox' or 'segm'"):
        evaluate_coco(gt, dt, iou_type="keypoints")
    # a bad RLE dict and, after it, a bad polygon: the polygon's problem is reported (RLE
    # dicts are read first but their problems come last); the RLE's alone otherwise
    h, w = gt["images"][0]["height"], gt["images"][0]["width"]
    bad = copy.deepcopy(gt)
    bad["annotations"][0]["segmentation"] = {"size": [h, w], "counts": [5, 3]}
    for source in (bad, json.dumps(bad).encode()):
        with pytest.raises(InvalidInputError, match=r"annotation 0: .*add up to 8 pixels"):
            evaluate(source, dt)
    bad["annotations"].append(dict(gt["annotations"][0], id=2, segmentation=[[0, 0, 2, 0]]))
    for source in (bad, json.dumps(bad).encode()):
        with pytest.raises(InvalidInputError, match=r"annotation 1: .*polygon needs at least 3"):
            evaluate(source, dt)


def test_empty_results_give_what_bbox_gives():
    """No results at all (a list or a document): nothing detected, as for boxes (pycocotools'
    loadRes fails on an empty list)."""
    gt, _ = _small()
    for results in ([], b"[]"):
        segm = evaluate(gt, results)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            bbox = evaluate_coco(gt, results)
        np.testing.assert_array_equal(segm.stats, bbox.stats)


def test_counts_strings_with_other_json_escapes_are_read_as_json_says():
    """A 'counts' string may write a character as a JSON escape (``\\u0030`` for '0'): read
    from bytes it then goes through json.loads, and both paths equal pycocotools, for results
    and for ground truth."""
    m = np.zeros((10, 12), np.uint8)
    m[2:7, 3:9] = 1
    counts = M.encode(np.asfortranarray(m))["counts"].decode()
    escaped = counts.replace("0", "\\u0030")
    assert escaped != counts
    gt = {"images": [{"id": 1, "height": 10, "width": 12}],
          "categories": [{"id": 1, "name": "a"}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0, "area": 30,
                           "bbox": [3, 2, 6, 5], "segmentation": [[3, 2, 9, 2, 9, 7]]}]}
    text = ('[{"image_id":1,"category_id":1,"score":0.9,"segmentation":{"size":[10,12],'
            '"counts":"%s"}}]' % escaped)
    assert json.loads(text)[0]["segmentation"]["counts"] == counts
    E = run_pycocotools(gt, json.loads(text))
    assert_same(evaluate(gt, text.encode()), E)
    assert_same(evaluate(gt, json.loads(text)), E)
    as_gt = copy.deepcopy(gt)
    as_gt["annotations"][0]["segmentation"] = {"size": [10, 12], "counts": counts}
    gt_text = json.dumps(as_gt).replace(counts, escaped)
    results = [{"image_id": 1, "category_id": 1, "score": 0.9,
                "segmentation": {"size": [10, 12], "counts": counts}}]
    E = run_pycocotools(as_gt, results)
    assert_same(evaluate(gt_text.encode(), results), E)
    assert_same(evaluate(json.loads(gt_text), results), E)
