"""The Numba ground-truth reader against the json.loads path, which is its oracle.

``read_ground_truth`` of a dict (what json.loads gives) runs the record-by-record Python checks;
the same document as bytes or a path goes through ``scan_ground_truth`` and array checks. Every
test compares the two: arrays bit for bit, category names, annotations (parsed lazily on the fast
path), warnings, and for bad documents the exact error message.
"""

from __future__ import annotations

import json
import math
import pathlib
import random
import warnings
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelmetrics.detection._coco import read_ground_truth
from modelmetrics.exceptions import InvalidInputError
from modelmetrics.io.coco_ground_truth import Annotations, scan_ground_truth
from modelmetrics.kernels import json_scan

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "coco100"
GT_FILE = DATA / "instances_val2014_100.json"

ARRAYS = ("image_ids", "category_ids", "image", "category", "bbox", "area", "crowd", "ann_id")


# ---------------------------------------------------------------------------------------------
# Oracle and comparison


def outcome(source):
    """("ok", GroundTruth, warnings) or ("error", message, warnings) of read_ground_truth."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", read_ground_truth(source))
        except InvalidInputError as exc:
            result = ("error", str(exc))
    return (*result, [(w.category, str(w.message)) for w in caught])


def expected(source):
    """What the json.loads path gives for ``source`` (the reader without the scanner), checked
    against the dict path when the source is valid JSON."""
    with mock.patch("modelmetrics.io.coco_ground_truth.scan_ground_truth", return_value=None):
        want = outcome(source)
    data = pathlib.Path(source).read_bytes() if isinstance(source, pathlib.Path) else source
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        assert want[0] == "error" and "is not valid JSON" in want[1]
    else:
        if isinstance(document, dict):
            assert_same_outcome(outcome(document), want)
    return want


def assert_same_ground_truth(got, want):
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes(), name
    assert got.category_names == want.category_names
    assert len(got.annotations) == len(want.annotations)
    assert list(got.annotations) == list(want.annotations)


def assert_same_outcome(got, want):
    assert got[0] == want[0], (got[1], want[1])
    if got[0] == "ok":
        assert_same_ground_truth(got[1], want[1])
    else:
        assert got[1] == want[1]
    assert got[2] == want[2]


def check(data: bytes, *, fast: bool | None = None):
    """The bytes path agrees with the json.loads path; ``fast``: whether the scanner accepts."""
    got = outcome(data)
    assert_same_outcome(got, expected(data))
    if fast is not None:
        assert (scan_ground_truth(data) is not None) == fast
        if got[0] == "ok":  # the fast path was not left for json.loads
            assert isinstance(got[1].annotations, Annotations) == fast
    return got


def check_segmentations(annotations: Annotations, objects: list):
    seg = annotations.segmentation
    assert len(seg) == len(objects)
    for i, ann in enumerate(objects):
        assert bool(seg.present[i]) == ("segmentation" in ann)
        assert seg[i] == ann.get("segmentation")
        value = ann.get("segmentation")
        counts = value.get("counts") if isinstance(value, dict) else None
        assert seg.counts(i) == (counts if isinstance(counts, str) else None)
        size = value.get("size") if isinstance(value, dict) else None
        if (isinstance(size, list) and len(size) == 2
                and all(type(v) is int and 0 <= v < 10**18 for v in size)):
            assert seg.size[i].tolist() == size
        else:
            assert seg.size[i].tolist() == [-1, -1]


# ---------------------------------------------------------------------------------------------
# Real sample


def test_coco100_sample_matches_json_loads(tmp_path):
    data = GT_FILE.read_bytes()
    assert scan_ground_truth(data) is not None  # the fast path is taken
    got = check(data, fast=True)
    document = json.loads(data)
    assert_same_outcome(outcome(GT_FILE), expected(data))
    assert_same_outcome(outcome(str(GT_FILE)), expected(data))
    assert_same_outcome(outcome(bytearray(data)), expected(data))
    assert_same_outcome(outcome(memoryview(data)), expected(data))
    annotations = got[1].annotations
    assert isinstance(annotations, Annotations)
    check_segmentations(annotations, document["annotations"])
    assert any(isinstance(a["segmentation"], dict) for a in document["annotations"])


def test_scan_arrays_match_the_document():
    document = json.loads(GT_FILE.read_bytes())
    scan = scan_ground_truth(GT_FILE)
    anns = document["annotations"]
    assert scan.image_ids.tolist() == [im["id"] for im in document["images"]]
    assert scan.categories == document["categories"]
    assert scan.ann_id.tolist() == [a["id"] for a in anns]
    assert scan.image_id.tolist() == [a["image_id"] for a in anns]
    assert scan.category_id.tolist() == [a["category_id"] for a in anns]
    assert scan.bbox.tolist() == [[float(v) for v in a["bbox"]] for a in anns]
    area = [float(a["area"]) if a.get("area") is not None else math.nan for a in anns]
    np.testing.assert_array_equal(scan.area, area)
    assert scan.iscrowd.tolist() == [int(a["iscrowd"]) if "iscrowd" in a else -1 for a in anns]


# ---------------------------------------------------------------------------------------------
# Generated documents


# (width * height must stay finite for the document to be valid: 1e154 at most)
NUMBER_FORMS = [0, 1, 7, 0.5, 1e-7, 123.456, 1e22, 1.2345678901234567e150, 5e-324,
                2.2250738585072014e-308, 0.1 + 0.2, 2**53, -0.0, 1e16, 12345678901234567890e-10]


def _number(rnd, low=0.0, high=600.0):
    roll = rnd.random()
    if roll < 0.1:
        return rnd.choice(NUMBER_FORMS)
    if roll < 0.3:
        return rnd.randrange(int(low), int(high) + 1)
    value = rnd.uniform(low, high)
    return round(value, rnd.choice([0, 1, 2, 3, 17])) if roll < 0.8 else value


def _rle_string(rnd):
    return "".join(rnd.choice("0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmn")
                   for _ in range(rnd.randrange(0, 30)))


def _extra(rnd):
    values = [None, True, False, "text", "caf\u00e9 \\ \" \u65e5\U0001F600", [1, [2, {"a": []}]],
              {"counts": "no", "bbox": [1]}, -1.5e-300, 10**30, {}]
    return {f"x{rnd.randrange(100)}": rnd.choice(values) for _ in range(rnd.randrange(0, 3))}


def make_document(seed, *, n_images=12, n_categories=5, n_annotations=40, unknown_category=False):
    """A valid COCO ground-truth document with every optional form of every field."""
    rnd = random.Random(seed)
    image_ids = rnd.sample(range(-5, 10**9), n_images)
    images = []
    for image_id in image_ids:
        fields = {"id": image_id, "width": rnd.randrange(1, 2000), "height": rnd.randrange(1, 2000),
                  "file_name": f"{image_id:012d}.jpg", **_extra(rnd)}
        items = list(fields.items())
        rnd.shuffle(items)
        images.append(dict(items))
    category_ids = rnd.sample(range(1, 1000), n_categories)
    names = ["person", "caf\u00e9", "tab\there", "quote\"d", "\u65e5\u672c", "emoji \U0001F600",
             "back\\slash", "x" * 40]
    categories = [{"id": cid, "name": rnd.choice(names), "supercategory": "thing"}
                  for cid in category_ids]
    if rnd.random() < 0.3:
        categories[0].pop("name")  # the name defaults to the id
    annotations = []
    for ann_id in rnd.sample(range(10**12), n_annotations):
        fields = {"id": ann_id, "image_id": rnd.choice(image_ids),
                  "category_id": rnd.choice(category_ids),
                  "bbox": [_number(rnd), _number(rnd), _number(rnd), _number(rnd)]}
        roll = rnd.random()
        if roll < 0.4:
            fields["area"] = _number(rnd, 0, 10**5)
        elif roll < 0.5:
            fields["area"] = None
        roll = rnd.random()
        if roll < 0.7:
            fields["iscrowd"] = rnd.choice([0, 1, 0, 0, True, False, 0.0, 1.0, -0.0])
        roll = rnd.random()
        if roll < 0.4:
            fields["segmentation"] = [[round(rnd.uniform(0, 600), 2) for _ in range(8)]]
        elif roll < 0.6:
            fields["segmentation"] = {"size": [rnd.randrange(1, 700), rnd.randrange(1, 700)],
                                      "counts": _rle_string(rnd)}
        elif roll < 0.7:
            fields["segmentation"] = {"counts": [rnd.randrange(50) for _ in range(6)],
                                      "size": [rnd.randrange(1, 700), rnd.randrange(1, 700)]}
        elif roll < 0.75:
            fields["segmentation"] = rnd.choice([None, [], {}, {"size": [1.5, 2], "counts": "x"}])
        fields.update(_extra(rnd))
        items = list(fields.items())
        rnd.shuffle(items)
        annotations.append(dict(items))
    if unknown_category:
        for ann in rnd.sample(annotations, 3):
            ann["category_id"] = 10**6 + ann["id"] % 7
    sections = [("images", images), ("annotations", annotations), ("categories", categories),
                ("info", {"description": "generated", "year": 2024, "seed": seed}),
                ("licenses", [{"id": 1, "name": "CC", "url": "http://x/\u00e9"}]), ("type", "instances")]
    rnd.shuffle(sections)
    return dict(sections)


def dumps(document, rnd):
    spaces = ["", " ", "\n", "\r\n  ", "\t"]
    separators = (rnd.choice(spaces) + "," + rnd.choice(spaces),
                  rnd.choice(spaces) + ":" + rnd.choice(spaces))
    text = json.dumps(document, indent=rnd.choice([None, None, 0, 2, "\t"]),
                      ensure_ascii=rnd.random() < 0.5, separators=separators)
    return (rnd.choice(spaces) + text + rnd.choice(spaces)).encode("utf-8")


@pytest.mark.parametrize("seed", range(12))
def test_generated_documents(seed, tmp_path):
    rnd = random.Random(1000 + seed)
    document = make_document(seed, n_annotations=rnd.choice([0, 1, 40, 300]),
                             n_images=rnd.choice([1, 12]))
    data = dumps(document, rnd)
    got = check(data, fast=True)
    path = tmp_path / "gt.json"
    path.write_bytes(data)
    assert_same_outcome(outcome(path), got)
    check_segmentations(got[1].annotations, json.loads(data)["annotations"])


def test_unknown_categories_warn_and_filter_alike():
    data = dumps(make_document(3, n_annotations=60, unknown_category=True), random.Random(0))
    got = check(data, fast=True)
    assert got[2] and "category_id missing from 'categories'" in got[2][0][1]
    annotations = got[1].annotations
    assert isinstance(annotations, Annotations) and len(annotations) == 57
    document = json.loads(data)
    kept = [a for a in document["annotations"]
            if a["category_id"] in {c["id"] for c in document["categories"]}]
    assert list(annotations) == kept
    check_segmentations(annotations, kept)


def test_large_generated_document():
    data = dumps(make_document(7, n_images=200, n_annotations=5000), random.Random(7))
    check(data, fast=True)


def test_empty_sections():
    check(b'{"images": [], "annotations": [], "categories": []}', fast=True)
    check(b'{"categories":[{"id":1,"name":"a"}],"annotations":[],"images":[{"id":1}]}', fast=True)
    check(b'{"images": [{}], "annotations": [], "categories": []}', fast=False)  # error


# ---------------------------------------------------------------------------------------------
# Unusual but valid: the scanner hands over to json.loads, results are the same

BASE = {"images": [{"id": 1}, {"id": 2}],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 50, 50],
                         "area": 2500, "iscrowd": 0},
                        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0.5, 0, 20, 30.25],
                         "iscrowd": 1, "segmentation": {"size": [40, 40], "counts": "a\\b"}}]}
BASE_TEXT = json.dumps(BASE)


@pytest.mark.parametrize("old, new, fast", [
    ('"images"', '"imag\\u0065s"', False),  # escaped section key
    ('{"id": 1}', '{"\\u0069d": 1}', False),  # escaped image key
    ('"image_id": 1', '"image\\u005fid": 1', False),  # escaped annotation key
    ('"iscrowd": 0', '"iscrowd": 0, "iscrowd": 1', False),  # repeated key: the last one counts
    ('{"id": 2}', '{"id": 5, "id": 2}', False),
    ('"iscrowd": 0', '"iscrowd": 0.0', True),
    ('"iscrowd": 0', '"iscrowd": true', True),
    ('"iscrowd": 0', '"iscrowd": 1e0', True),
    ('"iscrowd": 0', '"iscrowd": -0', True),
    ('"area": 2500', '"area": null', True),
    ('"area": 2500', '"area": 2500.0e0', True),
    ('"area": 2500', '"area": 25e2', True),
    ('"area": 2500', '"area": 1e-320', True),  # subnormal: parsed by Python's float()
    ('"bbox": [10, 10, 50, 50]', '"bbox": [1e-400, 5e-324, 50, 50.000000000000000000000001]', True),
    ('"bbox": [10, 10, 50, 50]', '"bbox": [9007199254740993, 10, 50, 50]', False),  # > 2**53
    ('"bbox": [10, 10, 50, 50]', '"bbox": [10, 10, 9007199254740992, 50]', True),
    ('{"id": 1}', '{"id": 1.0}', True),
    ('{"id": 1}', '{"id": 1e0}', True),
    ('{"id": 1}', '{"id": -0.0, "x": 1}', True),  # id 0: the annotation's image is unknown
    ('"id": 1, "image_id": 1', '"id": 1e15, "image_id": 1', True),
    ('"id": 1, "image_id": 1', '"id": 1e18, "image_id": 1', False),  # accepted by json.loads path
    ('"id": 1, "image_id": 1', '"id": 1, "image_id": 1, "deep": ' + "[" * 600 + "]" * 600, False),
    ('"id": 1, "image_id": 1', '"id": 1, "image_id": 1, "deep": ' + "[" * 500 + "]" * 500, True),
    ('{"id": 1, "name": "cat"}', '{"id": 1, "name": null}', True),
    ('{"id": 1, "name": "cat"}', '{"name": "a\\u00e9\\ud83d\\ude00", "id": 1.0}', True),
])
def test_unusual_documents(old, new, fast):
    assert old in BASE_TEXT
    check(BASE_TEXT.replace(old, new, 1).encode(), fast=fast)


def test_byte_order_mark_and_other_encodings():
    check(b"\xef\xbb\xbf" + BASE_TEXT.encode(), fast=True)
    check(BASE_TEXT.encode("utf-16"), fast=False)  # json.loads detects UTF-16 and UTF-32
    check(BASE_TEXT.encode("utf-32-le"), fast=False)


def test_lazy_annotations():
    scan = scan_ground_truth(BASE_TEXT.encode())
    annotations = scan.annotations
    assert len(annotations) == 2 and annotations[-1] == BASE["annotations"][1]
    assert annotations[0:1] == BASE["annotations"][:1]
    assert list(annotations.take([1, 1, 0])) == [BASE["annotations"][i] for i in (1, 1, 0)]
    assert annotations.take([1]).segmentation.counts(0) == "a\\b"
    assert annotations.take([0]).segmentation.buffer is None
    with pytest.raises(IndexError):
        annotations[2]
    seg = annotations.segmentation
    assert seg.present.tolist() == [False, True] and seg.size.tolist() == [[-1, -1], [40, 40]]
    assert seg.counts(1) == "a\\b" and seg.counts_escaped.tolist() == [False, True]
    assert "2 COCO annotation objects" in repr(annotations)


# ---------------------------------------------------------------------------------------------
# Bad documents: the same InvalidInputError message as the json.loads path


def _mutated(mutate):
    document = json.loads(BASE_TEXT)
    mutate(document)
    return json.dumps(document, allow_nan=True).encode()


BAD_DOCUMENTS = [
    ("no-images", lambda g: g.pop("images")),
    ("no-annotations", lambda g: g.pop("annotations")),
    ("no-categories", lambda g: g.pop("categories")),
    ("images-object", lambda g: g.update(images={"id": 1})),
    ("categories-null", lambda g: g.update(categories=None)),
    ("duplicate-image-ids", lambda g: g["images"].append({"id": 2})),
    ("duplicate-category-ids", lambda g: g["categories"].append({"id": 1, "name": "x"})),
    ("image-without-id", lambda g: g["images"][1].pop("id")),
    ("image-not-object", lambda g: g["images"].append(3)),
    ("string-image-id", lambda g: g["images"][1].update(id="3")),
    ("bool-image-id", lambda g: g["images"][1].update(id=True)),
    ("nan-image-id", lambda g: g["images"][1].update(id=math.nan)),
    ("huge-image-id", lambda g: g["images"][1].update(id=2**70)),
    ("fractional-image-id", lambda g: g["images"][1].update(id=1.5)),
    ("category-without-id", lambda g: g["categories"][1].pop("id")),
    ("category-string-id", lambda g: g["categories"][0].update(id="1")),
    ("annotation-unknown-image", lambda g: g["annotations"][1].update(image_id=9)),
    ("annotation-negative-width", lambda g: g["annotations"][1].update(bbox=[0, 0, -2, 3])),
    ("annotation-int-zero-times-negative", lambda g: g["annotations"][1].update(bbox=[0, 0, 0, -3])),
    ("annotation-nan-bbox", lambda g: g["annotations"][0].update(bbox=[0, math.nan, 2, 3])),
    ("annotation-inf-bbox", lambda g: g["annotations"][0].update(bbox=[0, 1, math.inf, 3])),
    ("annotation-overflowing-area", lambda g: (g["annotations"][0].update(bbox=[0, 1, 1e308, 1e308]),
                                               g["annotations"][0].pop("area"))),
    ("annotation-short-bbox", lambda g: g["annotations"][1].update(bbox=[0, 0, 2])),
    ("annotation-bbox-null", lambda g: g["annotations"][1].update(bbox=None)),
    ("annotation-bbox-string", lambda g: g["annotations"][1].update(bbox=[0, "1", 2, 3])),
    ("annotation-bbox-bool", lambda g: g["annotations"][1].update(bbox=[0, True, 2, 3])),
    ("annotation-without-bbox", lambda g: g["annotations"][1].pop("bbox")),
    ("annotation-without-image-id", lambda g: g["annotations"][1].pop("image_id")),
    ("annotation-without-category-id", lambda g: g["annotations"][0].pop("category_id")),
    ("annotation-without-id", lambda g: g["annotations"][0].pop("id")),
    ("annotation-not-object", lambda g: g["annotations"].insert(1, [1, 2])),
    ("annotation-nan-area", lambda g: g["annotations"][1].update(area=math.nan)),
    ("annotation-inf-area", lambda g: g["annotations"][1].update(area=-math.inf)),
    ("annotation-string-area", lambda g: g["annotations"][1].update(area="big")),
    ("annotation-huge-area", lambda g: g["annotations"][1].update(area=1e400)),
    ("annotation-iscrowd-2", lambda g: g["annotations"][1].update(iscrowd=2)),
    ("annotation-iscrowd-half", lambda g: g["annotations"][1].update(iscrowd=0.5)),
    ("annotation-iscrowd-null", lambda g: g["annotations"][1].update(iscrowd=None)),
    ("annotation-iscrowd-string", lambda g: g["annotations"][1].update(iscrowd="1")),
    ("annotation-iscrowd-nan", lambda g: g["annotations"][1].update(iscrowd=math.nan)),
    ("annotation-float-image-id", lambda g: g["annotations"][1].update(image_id=2.5)),
    ("two-problems", lambda g: (g["annotations"][1].update(iscrowd=3),
                                g["annotations"][0].update(bbox=[0, 0, -1, 1]))),
]


@pytest.mark.parametrize("mutate", [c[1] for c in BAD_DOCUMENTS], ids=[c[0] for c in BAD_DOCUMENTS])
def test_bad_documents_give_the_same_error(mutate, tmp_path):
    data = _mutated(mutate)
    got = check(data)
    assert got[0] == "error"
    path = tmp_path / "gt.json"
    path.write_bytes(data)
    assert_same_outcome(outcome(path), got)


@pytest.mark.parametrize("data", [
    b"", b" ", b"{", b"{not json", b"\xff", b"[]", b"3", b'"text"', b"null",
    b'{"images": [], "annotations": [], "categories": []} x',
    b'{"images": [], "annotations": [], "categories": [],}',
    b'{"images": [,], "annotations": [], "categories": []}',
    b'{"images": [{"id": 1,}], "annotations": [], "categories": []}',
    b'{"images": [{"id": 01}], "annotations": [], "categories": []}',
    b'{"images": [{"id": 1, "f": "a\x01"}], "annotations": [], "categories": []}',
    b'{"images": [{"id": 1, "f": "\xc3\x28"}], "annotations": [], "categories": []}',
    b'{"images": [{"id": 1, "f": "\\x"}], "annotations": [], "categories": []}',
    b'{"images": [], "annotations": [], "categories": [}',
    b'{"images": [], "annotations": [{"id": 1 "image_id": 1}], "categories": []}',
    b'{"images": [], "annotations": [], "categories": []\x00}',
])
def test_malformed_json(data):
    check(data, fast=False)


def test_malformed_json_path_names_the_file(tmp_path):
    path = tmp_path / "gt.json"
    path.write_bytes(b'{"images": [}')
    kind, message, _ = outcome(path)
    assert kind == "error" and message.startswith(f"{path} is not valid JSON: ")
    kind, message, _ = outcome(tmp_path / "missing.json")
    assert kind == "error" and message.startswith("Cannot read the ground_truth file")


FUZZ_BASE = json.dumps({
    "info": {"a": [1, "x"]}, "images": [{"id": 1, "w": 2}, {"id": 2}],
    "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10.5, 2e1, 3, 4],
                     "area": 12.0, "iscrowd": 0, "segmentation": {"size": [4, 5], "counts": "a\\b"}},
                    {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 1, 1],
                     "segmentation": [[1, 2, 3]], "x": [True, None, -1.5e-2, "s\u00e9"]}],
    "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}, ensure_ascii=False).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(FUZZ_BASE) - 1), st.sampled_from(
    list(b' ,:[]{}"\\-+.eE0123456789aftnulNIx\x00\x1f\xc3\xff') + [None])), min_size=1, max_size=3))
def test_mutations_agree_with_json_loads(edits):
    data = bytearray(FUZZ_BASE)
    for position, byte in sorted(edits, key=lambda edit: edit[0], reverse=True):
        position = min(position, len(data) - 1)
        if byte is None:
            del data[position]
        else:
            data[position] = byte
    check(bytes(data))


# ---------------------------------------------------------------------------------------------
# Kernel contract


def kernel(data: bytes):
    return json_scan.scan_ground_truth(np.frombuffer(data + bytes(json_scan.PADDING), dtype=np.uint8).copy())


@pytest.mark.parametrize("text, status", [
    (b'[]', json_scan.ERR_TOP_LEVEL),
    (b'  ', json_scan.ERR_SYNTAX),
    (b'{}', json_scan.ERR_SECTION),
    (b'{"images": [], "annotations": []}', json_scan.ERR_SECTION),
    (b'{"images": {}, "annotations": [], "categories": []}', json_scan.ERR_SECTION),
    (b'{"images": [1], "annotations": [], "categories": []}', json_scan.ERR_RECORD),
    (b'{"images": [{"w": 1}], "annotations": [], "categories": []}', json_scan.ERR_MISSING),
    (b'{"images": [{"id": "1"}], "annotations": [], "categories": []}', json_scan.ERR_ID),
    (b'{"images": [], "images": [], "annotations": [], "categories": []}', json_scan.ERR_UNUSUAL),
    (b'{"images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 1}], '
     b'"categories": []}', json_scan.ERR_MISSING),
    (b'{"images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1]}], '
     b'"categories": []}', json_scan.ERR_BBOX),
    (b'{"images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, '
     b'"bbox": [1, 2, 3, 4], "iscrowd": 2}], "categories": []}', json_scan.ERR_FIELD),
    (b'{"images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, '
     b'"bbox": [1, 2, 3, 4], "area": NaN}], "categories": []}', json_scan.ERR_FIELD),
    (b'{"images": [], "annotations": [], "categories": []}', json_scan.OK),
])
def test_kernel_status(text, status):
    assert kernel(text)[0] == status


def test_kernel_requires_terminator():
    assert json_scan.scan_ground_truth(np.frombuffer(b"{}", np.uint8).copy())[0] == json_scan.ERR_BUFFER
    assert json_scan.scan_ground_truth(np.frombuffer(b"{}\0", np.uint8).copy())[0] == json_scan.ERR_BUFFER
    assert json_scan.scan_ground_truth(np.zeros(0, np.uint8))[0] == json_scan.ERR_BUFFER


def test_kernel_output_growth():
    # more annotations and segmentations than the initial capacities
    annotations = ",".join(f'{{"id":{i},"image_id":1,"category_id":1,"bbox":[0,0,1,1],'
                           f'"segmentation":[[{i}]]}}' for i in range(3000))
    data = ('{"images":[' + ",".join(f'{{"id":{i}}}' for i in range(1, 300)) + '],'
            '"annotations":[' + annotations + '],"categories":[{"id":1}]}').encode()
    status, _, _, image_ids, ints, bbox, area, segs, slow, *_ = kernel(data)
    assert status == json_scan.OK and image_ids.tolist() == list(range(1, 300))
    assert ints[json_scan.GT_COL_ANN_ID].tolist() == list(range(3000))
    assert segs[json_scan.SEG_RECORD].tolist() == list(range(3000))
    check(data, fast=True)


def test_keys_resembling_known_keys_are_skipped():
    lookalikes = ('"i": 1, "idx": "a", "ids": [1], "id_": null, "image": 5, "image_ids": 3, '
                  '"iscrowds": "x", "bboxes": [1], "bbox_": 2, "categoryid": 4, "category_id_": 4, '
                  '"areas": "big", "are": 1, "segmentations": 7, "segment": {}, "": 0')
    data = ('{"images": [{' + lookalikes + ', "id": 1}], "categories": [{"id": 4, "name": "c"}], '
            '"annotations": [{' + lookalikes + ', "id": 9, "image_id": 1, "category_id": 4, '
            '"bbox": [1, 2, 3, 4]}]}').encode()
    got = check(data, fast=True)
    assert got[1].ann_id.tolist() == [9] and got[1].area.tolist() == [12.0]


@pytest.mark.parametrize("token, value", [
    ("0", 0), ("7", 7), ("999999999999999999", 999999999999999999),
    ("1000000000000000000", 10**18), ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -2**63), ("-1", -1), ("-0", 0), ("12e1", 120), ("5.0", 5),
    ("1E2", 100), ("0.0", 0),
])
def test_id_tokens(token, value):
    data = ('{"images": [{"id": ' + token + '}], "categories": [{"id": 1}], "annotations": '
            '[{"id": ' + token + ', "image_id": ' + token + ', "category_id": 1, '
            '"bbox": [0, 0, 1, 1]}]}').encode()
    got = check(data, fast=True)
    assert got[1].image_ids.tolist() == [value] and got[1].ann_id.tolist() == [value]


@pytest.mark.parametrize("ids", ["dense", "sparse"])  # a lookup table or a binary search
def test_an_annotation_of_an_image_not_listed_is_an_error_on_both_paths(ids):
    document = make_document(4, n_images=3, n_annotations=5)
    if ids == "dense":
        renumber = {im["id"]: k + 1 for k, im in enumerate(document["images"])}
        for im in document["images"]:
            im["id"] = renumber[im["id"]]
        for ann in document["annotations"]:
            ann["image_id"] = renumber[ann["image_id"]]
    listed = sorted(im["id"] for im in document["images"])
    missing = listed[-1] + 1 if ids == "dense" else listed[0] + 1  # beyond, or between
    document["annotations"][2]["image_id"] = missing
    got = check(json.dumps(document).encode())
    assert got[0] == "error"
    assert got[1] == (f"ground-truth annotation 2: image_id {missing} is not in the ground "
                      f"truth's 'images'.")
