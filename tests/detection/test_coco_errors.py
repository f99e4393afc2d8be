"""Bad input to ``evaluate_coco`` raises :class:`~modelmetrics.exceptions.InvalidInputError`
(a ValueError) whose message names the record (its index) and the field.

Results are given in the three accepted forms — a list of dicts, the file's bytes and a path —
since each goes through a different reader (Python checks, the Numba JSON scanner).
"""

from __future__ import annotations

import copy
import json
import math

import pytest

from modelmetrics.exceptions import InvalidInputError

from ._workloads import evaluate

GT = {
    "images": [{"id": 1}, {"id": 2}, {"id": 3}],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 50, 50], "area": 2500,
         "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 20, 30], "area": 600,
         "iscrowd": 0},
    ],
}


def _good(n=3):
    return [{"image_id": 1 + i % 3, "category_id": 1 + i % 2, "bbox": [i, i, 10.5, 20.25],
             "score": 0.9 - 0.1 * i} for i in range(n)]


def _with(index, **changes):
    records = _good()
    for key, value in changes.items():
        if value is _DROP:
            records[index].pop(key)
        else:
            records[index][key] = value
    return records


_DROP = object()


def _as_form(records, form, tmp_path):
    if form == "list":
        return records
    text = json.dumps(records, allow_nan=True).encode()  # NaN written as the NaN token
    if form == "bytes":
        return text
    path = tmp_path / "results.json"
    path.write_bytes(text)
    return path


FORMS = ("list", "bytes", "path")

# (id, records, regex the message must match: record index and field)
RESULT_CASES = [
    ("unknown-image-id", _with(2, image_id=99), r"\b2\b.*image_id.*99|image_id.*99.*\b2\b"),
    ("unknown-category-id", _with(1, category_id=7),
     r"\b1\b.*category_id.*7|category_id.*7.*\b1\b"),
    ("negative-width", _with(2, bbox=[0, 0, -1.0, 5]), r"\b2\b.*'?bbox"),
    ("negative-height", _with(1, bbox=[0, 0, 1.0, -5]), r"\b1\b.*'?bbox"),
    ("nan-in-bbox", _with(2, bbox=[0, math.nan, 1.0, 5]), r"\b2\b.*'?bbox"),
    ("inf-in-bbox", _with(0, bbox=[0, 0, math.inf, 5]), r"\b0\b.*'?bbox"),
    ("short-bbox", _with(1, bbox=[0, 0, 1]), r"\b1\b.*'?bbox"),
    ("string-in-bbox", _with(1, bbox=[0, "0", 1, 1]), r"\b1\b.*'?bbox"),
    ("missing-score", _with(2, score=_DROP), r"\b2\b.*'?score"),
    ("missing-image-id", _with(1, image_id=_DROP), r"\b1\b.*'?image_id"),
    ("missing-category-id", _with(0, category_id=_DROP), r"\b0\b.*'?category_id"),
    ("missing-bbox", _with(2, bbox=_DROP), r"\b2\b.*'?bbox"),
    ("nan-score", _with(1, score=math.nan), r"\b1\b.*'?score"),
    ("string-score", _with(2, score="0.5"), r"\b2\b.*'?score"),
    ("fractional-image-id", _with(1, image_id=1.5), r"\b1\b.*'?image_id"),
    ("string-category-id", _with(2, category_id="1"), r"\b2\b.*'?category_id"),
    ("record-not-object", _good()[:2] + [[1, 2, 3]], r"\b2\b.*object"),
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("records, pattern", [c[1:] for c in RESULT_CASES],
                         ids=[c[0] for c in RESULT_CASES])
def test_bad_results(records, pattern, form, tmp_path):
    with pytest.raises(InvalidInputError, match=pattern):
        evaluate(copy.deepcopy(GT), _as_form(records, form, tmp_path))


def test_segmentation_only_record_in_bbox_evaluation():
    records = _good()
    del records[1]["bbox"]
    records[1]["segmentation"] = [[0, 0, 10, 0, 10, 10]]
    with pytest.raises(InvalidInputError, match=r"\b1\b.*'bbox'"):
        evaluate(GT, records)


def test_errors_are_value_errors():
    with pytest.raises(ValueError):
        evaluate(GT, _with(0, image_id=99))


@pytest.mark.parametrize("payload", [b'[{"image_id": 1, "category_id": 1,', b"not json",
                                     b'[{"image_id": 1}', b"\xff\xfe[]", b""])
def test_malformed_results_json(payload):
    with pytest.raises(InvalidInputError, match=r"(?i)json"):
        evaluate(GT, payload)


def test_malformed_results_json_names_the_position():
    with pytest.raises(InvalidInputError, match=r"line 2, column \d+"):
        evaluate(GT, b'[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1},\n'
                     b' {"image_id": 1 "category_id": 1}]')


def test_results_not_a_list():
    with pytest.raises(InvalidInputError, match="array|list"):
        evaluate(GT, {"annotations": []})
    with pytest.raises(InvalidInputError):
        evaluate(GT, b'{"image_id": 1}')
    with pytest.raises(InvalidInputError):
        evaluate(GT, 42)


def test_missing_results_file(tmp_path):
    # the ground-truth reader wraps OSError in InvalidInputError, the results reader lets
    # FileNotFoundError through: either is acceptable, a crash elsewhere is not
    with pytest.raises((InvalidInputError, FileNotFoundError), match="nope.json"):
        evaluate(GT, tmp_path / "nope.json")


# ---------------------------------------------------------------------------------------------
# ground truth


def _gt(mutate):
    gt = copy.deepcopy(GT)
    mutate(gt)
    return gt


GT_CASES = [
    ("no-images", lambda g: g.pop("images"), r"'images'"),
    ("no-annotations", lambda g: g.pop("annotations"), r"'annotations'"),
    ("no-categories", lambda g: g.pop("categories"), r"'categories'"),
    ("duplicate-image-ids", lambda g: g["images"].append({"id": 2}), r"image id 2"),
    ("duplicate-category-ids", lambda g: g["categories"].append({"id": 1, "name": "x"}),
     r"category id 1"),
    ("image-without-id", lambda g: g["images"][1].pop("id"), r"image 1.*'id'"),
    ("string-image-id", lambda g: g["images"][2].update(id="3"), r"image 2.*'id'"),
    ("annotation-unknown-image", lambda g: g["annotations"][1].update(image_id=9),
     r"annotation 1.*image_id 9"),
    ("annotation-negative-width", lambda g: g["annotations"][1].update(bbox=[0, 0, -2, 3]),
     r"annotation 1.*'bbox'"),
    ("annotation-nan-bbox", lambda g: g["annotations"][0].update(bbox=[0, math.nan, 2, 3]),
     r"annotation 0.*'bbox'"),
    ("annotation-short-bbox", lambda g: g["annotations"][1].update(bbox=[0, 0, 2]),
     r"annotation 1.*'bbox'"),
    ("annotation-without-image-id", lambda g: g["annotations"][1].pop("image_id"),
     r"annotation 1.*'image_id'"),
    ("annotation-without-id", lambda g: g["annotations"][0].pop("id"), r"annotation 0.*'id'"),
    ("annotation-nan-area", lambda g: g["annotations"][1].update(area=math.nan),
     r"annotation 1.*'area'"),
]


@pytest.mark.parametrize("mutate, pattern", [c[1:] for c in GT_CASES], ids=[c[0] for c in GT_CASES])
def test_bad_ground_truth(mutate, pattern):
    with pytest.raises(InvalidInputError, match=pattern):
        evaluate(_gt(mutate), _good(1))


def test_ground_truth_as_bytes_and_path(tmp_path):
    bad = _gt(lambda g: g["images"].append({"id": 1}))
    with pytest.raises(InvalidInputError, match="image id 1"):
        evaluate(json.dumps(bad).encode(), _good(1))
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(InvalidInputError, match="image id 1"):
        evaluate(path, _good(1))


@pytest.mark.parametrize("payload", [b"{not json", b"", b"\xff"])
def test_malformed_ground_truth_json(payload):
    with pytest.raises(InvalidInputError, match=r"(?i)json"):
        evaluate(payload, _good(1))


def test_ground_truth_not_an_object(tmp_path):
    with pytest.raises(InvalidInputError, match="ground_truth"):
        evaluate([], _good(1))
    with pytest.raises(InvalidInputError):
        evaluate(tmp_path / "missing.json", _good(1))
    with pytest.raises(InvalidInputError):
        evaluate(3.5, _good(1))



def test_ground_truth_image_id_nan():
    with pytest.raises(InvalidInputError, match=r"image 1.*'id'"):
        evaluate(_gt(lambda g: g["images"][1].update(id=math.nan)), _good(1))


@pytest.mark.parametrize("value", [math.inf, 2**70])
def test_ground_truth_image_id_out_of_range(value):
    with pytest.raises(InvalidInputError, match=r"image 1.*'id'"):
        evaluate(_gt(lambda g: g["images"][1].update(id=value)), _good(1))


def test_ground_truth_string_in_bbox():
    with pytest.raises(InvalidInputError, match=r"annotation 1.*'bbox'"):
        evaluate(_gt(lambda g: g["annotations"][1].update(bbox=[0, "a", 1, 1])), _good(1))


def test_ground_truth_string_area():
    with pytest.raises(InvalidInputError, match=r"annotation 1.*'area'"):
        evaluate(_gt(lambda g: g["annotations"][1].update(area="big")), _good(1))


def test_ground_truth_without_categories():
    import warnings

    gt = _gt(lambda g: g.update(categories=[]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = evaluate(gt, [])
        except InvalidInputError:
            return
    assert list(result.stats) == [-1.0] * 12


# ---------------------------------------------------------------------------------------------
# parameters

PARAMETER_CASES = [
    ("max_detections", []),
    ("max_detections", [0, 10]),
    ("max_detections", [-1]),
    ("max_detections", [10, 10]),
    ("max_detections", "abc"),
    ("max_detections", None),
    ("iou_thresholds", [2.0]),
    ("iou_thresholds", []),
    ("iou_thresholds", [-0.1, 0.5]),
    ("iou_thresholds", [math.nan]),
    ("score_threshold", math.nan),
    ("score_threshold", math.inf),
    ("score_threshold", "0.5"),
    ("score_threshold", None),
    ("operating_iou", math.nan),
    ("operating_iou", -0.5),
    ("iou_type", "keypoints"),
    ("iou_type", "BBOX"),
]


@pytest.mark.parametrize("name, value", PARAMETER_CASES,
                         ids=[f"{n}={v!r}" for n, v in PARAMETER_CASES])
def test_bad_parameters(name, value):
    with pytest.raises(InvalidInputError, match=rf"'{name}' parameter of evaluate_coco"):
        evaluate(GT, _good(), **{name: value})


def test_operating_iou_above_one():
    with pytest.raises(InvalidInputError, match="'operating_iou' parameter"):
        evaluate(GT, _good(), operating_iou=2.0)


def test_fractional_max_detections():
    with pytest.raises(InvalidInputError, match="'max_detections' parameter"):
        evaluate(GT, _good(), max_detections=(1.5, 10))


def test_good_input_still_works():
    result = evaluate(GT, _good())
    assert result.stats.shape == (12,)


@pytest.mark.parametrize("form", ["bytes", "path"])
def test_ground_truth_problem_reported_before_a_results_problem(form, tmp_path):
    # files and bytes are scanned concurrently: the ground truth's error must still come first
    bad_gt = json.dumps(_gt(lambda g: g["images"].append({"id": 1}))).encode()
    bad_results = _as_form(_with(1, bbox=[0, 0, 1]), "bytes", tmp_path)
    malformed = b'[{"image_id": 1,'
    for results in (bad_results, malformed):
        if form == "path":
            (tmp_path / "gt.json").write_bytes(bad_gt)
            (tmp_path / "dt.json").write_bytes(results)
            args = (tmp_path / "gt.json", tmp_path / "dt.json")
        else:
            args = (bad_gt, results)
        with pytest.raises(InvalidInputError, match="image id 1"):
            evaluate(*args)
    with pytest.raises(InvalidInputError, match=r"\b1\b.*'?bbox"):  # a good ground truth
        evaluate(json.dumps(GT).encode(), bad_results)
