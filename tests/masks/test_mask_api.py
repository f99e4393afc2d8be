"""``mm.mask`` against ``pycocotools.mask`` (the oracle): same RLE strings, areas, boxes, IoUs,
merges and polygon rasterisation, on random masks, random polygons (self-intersecting, outside
the image, degenerate edges) and the real COCO polygons of the 100-image sample; and the errors
for inputs pycocotools does not check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import modelmetrics as mm
from modelmetrics.exceptions import InvalidInputError

M = pytest.importorskip("pycocotools.mask")

GT_PATH = Path(__file__).resolve().parents[1] / "data" / "coco100" / "instances_val2014_100.json"


def random_masks(rng, n, h, w, p=0.3):
    kind = rng.integers(3)
    if kind == 0:  # salt and pepper
        masks = rng.random((h, w, n)) < p
    else:  # blobs: boxes and ellipses
        yy, xx = np.mgrid[:h, :w]
        masks = np.zeros((h, w, n), bool)
        for i in range(n):
            cx, cy = rng.uniform(-2, w + 2), rng.uniform(-2, h + 2)
            rx, ry = rng.uniform(0.5, w), rng.uniform(0.5, h)
            masks[:, :, i] = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
    if n > 2:
        masks[:, :, 0] = False
        masks[:, :, 1] = True
    return masks.astype(np.uint8)


@pytest.mark.parametrize("seed", range(6))
def test_encode_decode_area_bbox_equal_pycocotools(seed):
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(1, 60, 2))
    masks = random_masks(rng, 12, h, w)
    expected = M.encode(np.asfortranarray(masks))
    ours = mm.mask.encode(masks)
    assert ours == expected
    assert mm.mask.encode(masks.transpose(2, 0, 1).copy(), layout="nhw") == expected
    assert mm.mask.encode(masks.astype(bool)) == expected
    decoded = mm.mask.decode(ours)
    assert decoded.dtype == np.uint8 and decoded.flags.f_contiguous
    assert np.array_equal(decoded, M.decode(expected))
    assert np.array_equal(mm.mask.area(ours), M.area(expected))
    assert mm.mask.area(ours).dtype == np.uint32
    assert np.array_equal(mm.mask.to_bbox(ours), M.toBbox(expected))
    assert mm.mask.toBbox(ours[3]).tolist() == M.toBbox(expected[3]).tolist()
    assert mm.mask.area(ours[2]) == M.area(expected[2])
    single = masks[:, :, 4]
    assert mm.mask.encode(single) == M.encode(np.asfortranarray(single))
    assert np.array_equal(mm.mask.decode(ours[4]), single)
    # str counts (as read from JSON) are accepted too
    as_str = [{"size": r["size"], "counts": r["counts"].decode()} for r in ours]
    assert np.array_equal(mm.mask.area(as_str), M.area(expected))


@pytest.mark.parametrize("seed", range(4))
def test_iou_and_merge_equal_pycocotools(seed):
    rng = np.random.default_rng(100 + seed)
    h, w = (int(v) for v in rng.integers(5, 50, 2))
    dt = M.encode(np.asfortranarray(random_masks(rng, 9, h, w)))
    gt = M.encode(np.asfortranarray(random_masks(rng, 7, h, w)))
    crowd = (rng.random(7) < 0.4).astype(np.uint8)
    ours = mm.mask.iou(dt, gt, crowd)
    assert ours.shape == (9, 7)
    assert np.array_equal(ours, M.iou(dt, gt, crowd))
    assert np.array_equal(mm.mask.iou(dt, gt), M.iou(dt, gt, np.zeros(7, np.uint8)))
    for intersect in (False, True):
        for members in (dt[2:6], gt, dt[:1], dt[3:5]):
            assert mm.mask.merge(members, intersect=intersect) == M.merge(members, intersect)


def test_iou_of_boxes_equals_pycocotools():
    rng = np.random.default_rng(7)
    a = rng.uniform(0, 50, (6, 4))
    b = rng.uniform(0, 50, (5, 4))
    crowd = np.array([0, 1, 0, 1, 0], np.uint8)
    assert np.array_equal(mm.mask.iou(a, b, crowd), M.iou(a, b, crowd))


def test_non_canonical_rles_equal_pycocotools():
    # zero-length runs inside, trailing zeros: uncompressed RLEs may hold them
    rles = [{"size": [3, 4], "counts": [0, 0, 2, 0, 3, 7]},
            {"size": [3, 4], "counts": [2, 0, 0, 5, 5]},
            {"size": [3, 4], "counts": [12, 0]},
            {"size": [3, 4], "counts": [0, 12]},
            {"size": [3, 4], "counts": [3, 4, 5, 0, 0]}]
    expected = M.frPyObjects(rles, 3, 4)
    ours = mm.mask.frPyObjects(rles, 3, 4)
    assert ours == expected
    assert np.array_equal(mm.mask.to_bbox(ours), M.toBbox(expected))
    assert np.array_equal(mm.mask.area(ours), M.area(expected))
    # merge and IoU see the runs normalised (pycocotools: corrupt masks, or endless loops)
    canonical = [mm.mask.encode(mm.mask.decode(r)) for r in ours]
    assert [mm.mask.area(r) for r in canonical] == [mm.mask.area(r) for r in ours]
    assert np.array_equal(mm.mask.iou(ours, ours), M.iou(canonical, canonical, [0] * 5))
    dense = mm.mask.decode(ours).astype(bool)
    for intersect in (False, True):
        merged = mm.mask.merge(ours, intersect)
        assert merged == M.merge(canonical, intersect)
        combined = dense.all(axis=2) if intersect else dense.any(axis=2)
        assert np.array_equal(mm.mask.decode(merged), combined)


def test_random_uncompressed_rles_equal_pycocotools():
    """Runs cut at random points: empty runs anywhere (pycocotools' box skips empty 1-runs)."""
    rng = np.random.default_rng(11)
    rles = []
    for _ in range(600):
        h, w = (int(v) for v in rng.integers(1, 7, 2))
        cuts = np.sort(rng.integers(0, h * w + 1, int(rng.integers(1, 9))))
        runs = np.diff(np.concatenate([[0], cuts, [h * w]])).tolist()
        rles.append({"size": [h, w], "counts": runs})
    expected = [M.frPyObjects(r, *r["size"]) for r in rles]
    ours = [mm.mask.frPyObjects(r, *r["size"]) for r in rles]
    assert ours == expected
    assert np.array_equal(mm.mask.to_bbox(ours), np.array([M.toBbox(r) for r in expected]))
    assert np.array_equal(mm.mask.area(ours), np.array([M.area(r) for r in expected]))


def _polygons(rng, n):
    out = []
    for t in range(n):
        k = int(rng.integers(3, 14))
        h, w = (int(v) for v in rng.integers(1, 80, 2))
        xy = rng.uniform(-0.3 * w, 1.3 * w, k), rng.uniform(-0.3 * h, 1.3 * h, k)  # out of image
        poly = np.stack(xy, 1).ravel()
        if t % 3 == 0:
            poly = np.round(poly, 1)
        if t % 5 == 0:
            poly = np.round(poly)  # integer vertices: exact halves after x5 scaling
        if t % 4 == 0:
            poly = np.round(poly * 2) / 2  # half-integers: exact .5 after scaling
        if t % 7 == 0:
            poly = np.concatenate([poly, poly[:2], poly[:2]])  # repeated vertex: empty edge
        if t % 11 == 0:
            poly = np.concatenate([poly[:4], poly[2:4], poly[4:]])  # empty edge inside
        out.append((poly.tolist(), h, w))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_random_polygons_equal_pycocotools(seed):
    rng = np.random.default_rng(seed)
    for poly, h, w in _polygons(rng, 400):  # random vertex order: mostly self-intersecting
        assert mm.mask.from_polygons([poly], h, w) == M.frPyObjects([poly], h, w), (poly, h, w)


def test_real_coco_polygons_equal_pycocotools():
    gt = json.loads(GT_PATH.read_bytes())
    size = {im["id"]: (im["height"], im["width"]) for im in gt["images"]}
    n = 0
    for ann in gt["annotations"]:
        segm = ann["segmentation"]
        h, w = size[ann["image_id"]]
        if isinstance(segm, list):
            expected = M.merge(M.frPyObjects(segm, h, w))
            assert mm.mask.from_segmentation(segm, h, w) == expected, ann["id"]
            n += 1
        else:
            expected = M.frPyObjects(segm, h, w)
            assert mm.mask.from_segmentation(segm, h, w) == expected, ann["id"]
            assert mm.mask.area(expected) == M.area(expected)
    assert n > 500


def test_boxes_to_rle_equal_pycocotools():
    rng = np.random.default_rng(3)
    boxes = np.round(rng.uniform(-5, 40, (30, 4)), 2)
    boxes[:, 2:] = np.abs(boxes[:, 2:])
    assert mm.mask.from_boxes(boxes, 37, 29) == M.frPyObjects(boxes, 37, 29)
    assert mm.mask.frBbox(boxes, 37, 29) == M.frPyObjects(boxes, 37, 29)
    assert mm.mask.from_objects(boxes.tolist(), 37, 29) == M.frPyObjects(boxes, 37, 29)


def test_escaped_and_empty_inputs():
    assert mm.mask.iou([], []).shape == (0, 0)
    assert mm.mask.encode(np.zeros((3, 4, 0), np.uint8)) == []
    assert mm.mask.decode([]).shape == (0, 0, 0)
    assert mm.mask.merge([]) == {"size": [0, 0], "counts": b""}
    empty = np.zeros((0, 5), np.uint8, order="F")
    assert mm.mask.encode(empty) == M.encode(empty)
    backslash = M.encode(np.asfortranarray(np.array([[0] * 44 + [1] * 3], np.uint8).reshape(47, 1)))
    assert b"\\" in backslash["counts"]
    assert mm.mask.area(backslash) == 3


# ---------------------------------------------------------------------------------------------
# errors


def _raises(match, function, *args, **kwargs):
    with pytest.raises(InvalidInputError, match=match):
        function(*args, **kwargs)


def test_corrupt_strings_name_the_record():
    good = {"size": [2, 2], "counts": b"13"}
    _raises(r"rles\[1\].*character outside", mm.mask.area,
            [good, {"size": [2, 2], "counts": b"1~"}])
    _raises(r"rles\[0\].*middle of a run", mm.mask.decode, [{"size": [2, 2], "counts": b"1P"}])
    _raises(r"rles\[2\].*adding up to 4 pixels.*\[3, 2\] means 6", mm.mask.to_bbox,
            [good, good, {"size": [3, 2], "counts": b"13"}])
    _raises(r"rles\[0\].*below 0", mm.mask.area, [{"size": [2, 2], "counts": b"1O"}])
    _raises(r"rles\[0\].*'size' must be \[height, width\]", mm.mask.area,
            [{"size": [2], "counts": b"4"}])
    _raises(r"rles\[0\].*add up to 3 pixels", mm.mask.area, [{"size": [2, 2], "counts": [1, 2]}])
    _raises(r"rles\[0\].*non-negative integers", mm.mask.area,
            [{"size": [2, 2], "counts": [1.5, 2.5]}])
    _raises(r"must be an RLE dict", mm.mask.area, [[1, 2]])


def test_size_mismatches_are_errors():
    a = {"size": [2, 2], "counts": b"13"}
    b = {"size": [1, 4], "counts": b"13"}
    _raises(r"dt\[0\] has size \[2, 2\] but gt\[1\] has \[1, 4\]", mm.mask.iou, [a], [a, b])
    _raises(r"rles\[1\] has size \[1, 4\]", mm.mask.merge, [a, b])
    _raises(r"rles\[1\] has size \[1, 4\]", mm.mask.decode, [a, b])
    _raises(r"'dt' holds rles and 'gt' holds boxes", mm.mask.iou, [a], [[0, 0, 1, 1]])
    _raises(r"'iscrowd'.*2 booleans", mm.mask.iou, [a], [a, a], [1])


def test_bad_polygons_and_masks():
    _raises(r"polygons\[1\].*at least 3 points.*Got 2", mm.mask.from_polygons,
            [[0, 0, 1, 0, 1, 1], [0, 0, 1, 1]], 4, 4)
    _raises(r"polygons\[0\].*even count", mm.mask.from_polygons, [[0, 0, 1, 0, 1]], 4, 4)
    _raises(r"polygons\[0\].*finite", mm.mask.from_polygons, [[0, 0, 1, np.nan, 1, 1]], 4, 4)
    _raises(r"'size' must be", mm.mask.from_polygons, [[0, 0, 1, 0, 1, 1]], -1, 4)
    _raises(r"'masks'.*bool or integer.*masks > 0.5", mm.mask.encode, np.zeros((2, 2, 2)))
    _raises(r"'layout'", mm.mask.encode, np.zeros((2, 2, 2), bool), layout="whn")


def test_masks_without_pixels_and_no_ground_truth_as_pycocotools():
    """Merging masks of zero pixels (h or w of 0) gives pycocotools' '0' (one empty run), and
    the IoU with no ground truth is an empty matrix whatever the dtype of the empty iscrowd."""
    empty = M.encode(np.zeros((0, 5, 3), np.uint8, order="F"))
    for intersect in (False, True):
        assert mm.mask.merge(empty, intersect)["counts"] == M.merge(empty, intersect)["counts"]
    dt = M.encode(np.ones((3, 3, 2), np.uint8, order="F"))
    assert mm.mask.iou(dt, [], []).shape == (2, 0)
    assert np.asarray(M.iou(dt, [], [])).size == 0
