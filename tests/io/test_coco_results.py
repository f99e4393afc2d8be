"""read_coco_results and the json_scan kernel, against json.loads as the oracle.

The slow, obviously-correct twin of the scanner is ``json.loads`` followed by :func:`reference`
below: every test compares the fast path with it, bit for bit.
"""

from __future__ import annotations

import gzip
import json
import math
import pathlib
import random
import struct
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from modelmetrics.exceptions import InvalidInputError
from modelmetrics.io import coco_results
from modelmetrics.io.coco_results import CocoResults, read_coco_results
from modelmetrics.kernels import json_scan

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "coco100"
BBOX_FILE = DATA / "instances_val2014_fakebbox100_results.json"
SEGM_FILE = DATA / "instances_val2014_fakesegm100_results.json"

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# Oracle


def reference(records):
    """Arrays from json.loads output by the documented rules, or None when the input is invalid."""
    if not isinstance(records, list):
        return None
    rows = []
    for record in records:
        if not isinstance(record, dict) or not all(k in record for k in ("image_id", "category_id", "score")):
            return None
        ids = []
        for key in ("image_id", "category_id"):
            value = record[key]
            if type(value) is float and value.is_integer():
                value = int(value)
            if type(value) is not int or not -(2**63) <= value < 2**63:
                return None
            ids.append(value)
        score = record["score"]
        if type(score) not in (int, float):
            return None
        try:
            score = float(score)
        except OverflowError:
            return None
        if not math.isfinite(score):
            return None
        box = [math.nan] * 4
        if "bbox" in record:
            box = record["bbox"]
            if type(box) is not list or len(box) != 4 or any(type(v) not in (int, float) for v in box):
                return None
            try:
                box = [float(v) for v in box]
            except OverflowError:
                return None
            if not all(math.isfinite(v) for v in box) or box[2] < 0 or box[3] < 0:
                return None
        elif "segmentation" not in record:
            return None
        rows.append((ids[0], ids[1], score, box, record.get("segmentation"), "segmentation" in record))
    return rows


def bits(array):
    return np.ascontiguousarray(array, dtype=np.float64).view(np.int64)


def assert_matches(result: CocoResults, records):
    """``result`` equals the oracle's reading of ``records``, floats bit for bit."""
    rows = reference(records)
    assert rows is not None, "the oracle rejects this input"
    n = len(rows)
    assert result.n == len(result) == n
    assert result.image_id.dtype == np.int64 and result.image_id.shape == (n,)
    assert result.category_id.dtype == np.int64 and result.category_id.shape == (n,)
    assert result.score.dtype == np.float64 and result.score.shape == (n,)
    assert result.bbox.dtype == np.float64 and result.bbox.shape == (n, 4)
    assert result.image_id.tolist() == [r[0] for r in rows]
    assert result.category_id.tolist() == [r[1] for r in rows]
    np.testing.assert_array_equal(bits(result.score), bits([r[2] for r in rows]))
    np.testing.assert_array_equal(bits(result.bbox).reshape(n, 4), bits([r[3] for r in rows]).reshape(n, 4))
    assert result.has_bbox.tolist() == [not math.isnan(r[3][0]) for r in rows]
    seg = result.segmentation
    assert len(seg) == n
    assert seg.present.tolist() == [r[5] for r in rows]
    for i, row in enumerate(rows):
        assert seg[i] == row[4]


def fast(source) -> CocoResults:
    """read_coco_results, asserting that the Numba path (not the json.loads fallback) was taken."""
    result = read_coco_results(source)
    assert result.segmentation.objects is None, "the fast path fell back to json.loads"
    return result


def document(records_text):
    return ("[" + ",".join(records_text) + "]").encode()


def record_text(score="0.5", box=("1", "2", "3", "4"), image_id="1", category_id="2"):
    return (
        f'{{"image_id":{image_id},"category_id":{category_id},"score":{score},'
        f'"bbox":[{",".join(box)}]}}'
    )


# ---------------------------------------------------------------------------------------------
# Real samples


@pytest.mark.parametrize("path", [BBOX_FILE, SEGM_FILE], ids=["bbox", "segm"])
def test_real_samples_match_json_loads(path):
    records = json.loads(path.read_bytes())
    result = fast(path)
    assert result.n == len(records) == 734
    assert_matches(result, records)


def test_real_segm_sample_counts_and_sizes():
    records = json.loads(SEGM_FILE.read_bytes())
    seg = fast(SEGM_FILE).segmentation
    assert seg.buffer is not None
    assert seg.size.tolist() == [r["segmentation"]["size"] for r in records]
    assert [seg.counts(i) for i in range(len(seg))] == [r["segmentation"]["counts"] for r in records]
    # The real file has RLE strings with backslashes (JSON "\\"): they are flagged as escaped.
    assert seg.counts_escaped.tolist() == ["\\" in r["segmentation"]["counts"] for r in records]
    assert seg.counts_escaped.any()
    # The spans locate the raw text: unescaped strings are readable in place.
    i = int(np.flatnonzero(~seg.counts_escaped)[0])
    start, end = seg.counts_span[i]
    assert seg.buffer[start:end].tobytes().decode() == records[i]["segmentation"]["counts"]
    start, end = seg.span[i]
    assert json.loads(seg.buffer[start:end].tobytes()) == records[i]["segmentation"]


def test_bbox_sample_keeps_no_buffer():
    result = fast(BBOX_FILE)
    assert result.segmentation.buffer is None
    assert not result.segmentation.present.any()
    assert result.segmentation[0] is None and result.segmentation.counts(0) is None


def test_all_source_kinds_agree(tmp_path):
    data = SEGM_FILE.read_bytes()
    records = json.loads(data)
    gz = tmp_path / "results.json.gz"
    gz.write_bytes(gzip.compress(data))
    for source in (str(SEGM_FILE), SEGM_FILE, data, bytearray(data), memoryview(data), gz, str(gz),
                   gzip.compress(data)):
        assert_matches(fast(source), records)
    listed = read_coco_results(records)
    assert_matches(listed, records)
    assert listed.segmentation.objects is not None
    assert listed.segmentation.size.tolist() == [r["segmentation"]["size"] for r in records]
    assert listed.segmentation.counts(3) == records[3]["segmentation"]["counts"]


def test_outputs_are_read_only():
    result = fast(BBOX_FILE)
    for array in (result.image_id, result.category_id, result.score, result.bbox):
        with pytest.raises(ValueError):
            array[0] = 0
    with pytest.raises(AttributeError):
        result.score = None


def test_empty_list_is_valid():
    for source in (b"[]", b" [ \n ] \n", []):
        result = read_coco_results(source)
        assert result.n == 0
        assert result.image_id.shape == (0,) and result.bbox.shape == (0, 4)
        assert len(result.segmentation) == 0


# ---------------------------------------------------------------------------------------------
# Generated workloads (the shape of shared/bench/make_coco_like.py, made here)


def _rle_like(rng, length):
    return "".join(chr(rng.randrange(48, 112)) for _ in range(length))  # includes "\\" (92)


def make_workload(seed, n_images=30, dets=20, masks=False):
    rng = random.Random(seed)
    out = []
    for image in range(1, n_images + 1):
        w, h = rng.choice([(640, 480), (480, 640), (640, 427)])
        for _ in range(rng.randrange(dets)):
            bw, bh = rng.uniform(1, w / 2), rng.uniform(1, h / 2)
            box = [round(v, 2) for v in (rng.uniform(0, w - bw), rng.uniform(0, h - bh), bw, bh)]
            d = {"image_id": image, "category_id": rng.randrange(1, 81), "bbox": box,
                 "score": round(rng.betavariate(2, 4), 5)}
            if masks:
                d["segmentation"] = {"size": [h, w], "counts": _rle_like(rng, rng.randrange(0, 60))}
            out.append(d)
    return out


@pytest.mark.parametrize("masks", [False, True], ids=["bbox", "segm"])
@pytest.mark.parametrize("dump", [
    lambda r: json.dumps(r),
    lambda r: json.dumps(r, separators=(",", ":")),
    lambda r: json.dumps(r, indent=2),
    lambda r: json.dumps(r, indent="\t", sort_keys=True),
    lambda r: json.dumps([{k: d[k] for k in reversed(list(d))} for d in r], indent=1),
], ids=["default", "compact", "indent", "tabs-sorted", "reversed-keys"])
def test_generated_workloads(tmp_path, masks, dump):
    records = make_workload(7, masks=masks)
    path = tmp_path / "dt.json"
    path.write_text(dump(records))
    result = fast(path)
    assert_matches(result, records)
    if masks:
        seg = result.segmentation
        assert [seg.counts(i) for i in range(result.n)] == [r["segmentation"]["counts"] for r in records]
        assert seg.size.tolist() == [r["segmentation"]["size"] for r in records]


def test_growth_of_output_arrays():
    # Minimal records are shorter than the scanner's first capacity guess: it must grow.
    rng = random.Random(3)
    texts = [record_text(score=str(rng.randrange(10)), image_id=str(i), category_id="7",
                         box=tuple(str(rng.randrange(10)) for _ in range(4))) for i in range(5000)]
    data = document(texts)
    assert len(data) // 64 < 5000
    assert_matches(fast(data), json.loads(data))


def test_many_slow_numbers():
    # Subnormals and > 19-digit mantissas are left to float(): more than the first slow table.
    rng = random.Random(4)
    values = [f"{rng.randrange(1, 10**30)}e-{rng.randrange(330, 340)}" for _ in range(300)]
    values += ["1" + "0" * rng.randrange(20, 40) + str(rng.randrange(1, 9)) for _ in range(300)]
    texts = [record_text(score=v, box=(v, v, v, v)) for v in values]
    data = document(texts)
    status, _, n, *_, slow = json_scan.scan_results(np.frombuffer(data + bytes(json_scan.PADDING), np.uint8).copy())
    assert status == json_scan.OK and n == 600 and slow.shape[0] > 16
    assert_matches(fast(data), json.loads(data))


# ---------------------------------------------------------------------------------------------
# Numbers: bit for bit what json.loads / float() give

SPECIAL_NUMBERS = [
    "0", "-0", "0.0", "-0.0", "0e0", "-0E-5", "0.1", "0.2", "0.3", "1", "-1", "1.5", "2.5E+3",
    "1e-5", "1E5", "1e+5", "3.14159", "0.000001", "1e22", "1e23", "9007199254740993",
    "9007199254740992", "9007199254740991.5", "123456789012345678901234567890",
    "1.7976931348623157e308", "1.7976931348623158e308", "2.2250738585072014e-308",
    "2.2250738585072011e-308", "1e-320", "5e-324", "4.9406564584124654e-324", "2.4703282292062328e-324",
    "1e-400", "-1e-400", "0.1000000000000000055511151231257827021181583404541015625",
    "7.2057594037927933e16", "3.0517578125e-05", "8.98846567431158e307", "4.35679e-310",
    "1.00000000000000011102230246251565404236316680908203125",  # halfway 1 and 1 + 2**-52
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126",
    "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
    "12345678901234567890.123", "0.00000000000000000000000000000000000001234567890123456789012",
    "1" + "0" * 300, "1" + "0" * 300 + "e-300", "0." + "0" * 400 + "1e400", "1e0000000000000000000001",
    "100000000000000000000000000e-30", "123.456e-10", "6.02214076e23", "1.602176634e-19",
    "1234.5000000000000000000000", "5307694214742346.0", "2.9802322387695312e-08",
]


@pytest.mark.parametrize("token", SPECIAL_NUMBERS)
def test_special_numbers(token):
    expected = float(json.loads(token))
    box = (token, token, token.lstrip("-"), token.lstrip("-"))
    data = document([record_text(score=token, box=box)])
    result = fast(data)
    assert bits(result.score)[0] == bits([expected])[0]
    assert bits(result.bbox[0, :2]).tolist() == bits([expected, expected]).tolist()
    assert_matches(result, json.loads(data))


def test_integer_minus_zero_is_the_int_zero():
    # json.loads("-0") is the int 0, so the float is +0.0; "-0.0" is the float -0.0.
    result = fast(document([record_text(score="-0", box=("-0", "-0.0", "0", "0"))]))
    assert math.copysign(1, result.score[0]) == 1
    assert math.copysign(1, result.bbox[0, 0]) == 1
    assert math.copysign(1, result.bbox[0, 1]) == -1


def _check_tokens(tokens):
    texts = []
    for k in range(0, len(tokens), 3):
        a, b, c = (tokens[k:k + 3] + ["0", "0"])[:3]
        texts.append(record_text(score=a, box=(b, c, a.lstrip("-"), b.lstrip("-"))))
    data = document(texts)
    records = json.loads(data)
    if reference(records) is None:  # a token overflowed to inf
        with pytest.raises(InvalidInputError):
            read_coco_results(data)
        return
    assert_matches(fast(data), records)


finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@FUZZ
@given(st.lists(finite_floats, min_size=1, max_size=40))
@example([5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0, 0.1, 1 / 3])
def test_repr_round_trip(values):
    _check_tokens([repr(v) for v in values])


@FUZZ
@given(st.lists(st.tuples(finite_floats, st.integers(0, 30), st.sampled_from("eEfg")), min_size=1, max_size=40))
def test_printf_formats(items):
    _check_tokens(["%.*{}".format(fmt) % (digits, v) if fmt != "f" or abs(v) < 1e50 else repr(v)
                   for v, digits, fmt in items])


@FUZZ
@given(st.lists(finite_floats, min_size=1, max_size=40))
def test_integer_tokens(values):
    _check_tokens([str(int(v)) for v in values])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10**30), st.integers(-400, 400), st.booleans()), min_size=1, max_size=40))
def test_random_decimal_strings(items):
    tokens = []
    for mantissa, exponent, negative in items:
        sign = "-" if negative else ""
        digits = str(mantissa)
        point = exponent % (len(digits) + 1)
        tokens.append(f"{sign}{digits[:point].lstrip('0') or '0'}.{digits[point:] or '0'}")
        tokens.append(f"{sign}{digits}e{exponent}")
    _check_tokens(tokens)


def test_power_of_ten_table_matches_go_strconv():
    # Entries quoted from Go's strconv/eisel_lemire.go (detailedPowersOfTen, {low, high}).
    table = {-348: (0x1732C869CD60E453, 0xFA8FD5A0081C0288), 0: (0, 0x8000000000000000),
             43: (0x6D9CCD05D0000000, 0xE596B7B0C643C719), 300: (0xE0470A63E6BD56C3, 0xBF21E44003ACDD2C),
             347: (0x4B7195F2D2D1A9FB, 0xD13EB46469447567)}
    for q, (low, high) in table.items():
        index = q - json_scan._POW10_MIN_EXP
        assert (int(json_scan._POW10_LO[index]), int(json_scan._POW10_HI[index])) == (low, high), q
    # and every entry is 10**q scaled to [2**127, 2**128), rounded down
    for q in range(-348, 348):
        m = (int(json_scan._POW10_HI[q + 348]) << 64) | int(json_scan._POW10_LO[q + 348])
        assert 2**127 <= m < 2**128
        exact = Fraction(10) ** q
        shift = 127 - (exact.numerator.bit_length() - exact.denominator.bit_length())
        while not 2**127 <= exact * Fraction(2) ** shift < 2**128:
            shift += 1 if exact * Fraction(2) ** shift < 2**127 else -1
        assert m == math.floor(exact * Fraction(2) ** shift), q


@settings(max_examples=2000, deadline=None)
@given(st.integers(1, 2**64 - 1), st.integers(-348, 347))
@example(1, 0)
@example(2**64 - 1, 347)
@example(2**64 - 1, -348)
@example(9007199254740993, 0)  # 2**53 + 1: a tie, rounds to even
@example(17976931348623157, 292)
@example(22250738585072014, -324)
def test_eisel_lemire_is_correct_or_gives_up(mantissa, exp10):
    ok, value = json_scan._eisel_lemire(np.uint64(mantissa), exp10)
    if ok:
        assert value == float(f"{mantissa}e{exp10}")


def test_decimal_to_double_random_bits():
    # Shortest repr and 17/18/19/20-digit renderings of random doubles across the whole range.
    rng = random.Random(11)
    tokens = []
    for _ in range(3000):
        value = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0]
        if math.isfinite(value):
            tokens += [repr(value), "%.16e" % value, "%.17e" % value, "%.18e" % value, "%.19e" % value]
    _check_tokens(tokens)


# ---------------------------------------------------------------------------------------------
# Layout variations: whitespace, key order, unknown keys with any JSON value

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


other_keys = st.text(max_size=8).filter(
    lambda k: k not in {"image_id", "category_id", "score", "bbox", "segmentation"})
whitespace = st.sampled_from(["", " ", "  ", "\n", "\r\n", "\t", " \n\t "])


@FUZZ
@given(
    st.lists(st.tuples(st.dictionaries(other_keys, json_values, max_size=3), st.booleans(), st.booleans()),
             max_size=6),
    st.sampled_from([None, 0, 1, 2, "\t"]),
    st.tuples(whitespace, whitespace, whitespace, whitespace),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_layout_variations(rows, indent, spaces, ensure_ascii, rnd):
    records = []
    for extra, with_bbox, with_seg in rows:
        fields = {"image_id": rnd.randrange(-5, 10**6), "category_id": rnd.randrange(100),
                  "score": rnd.random(), "bbox": [rnd.uniform(-5, 5), rnd.random(), rnd.random(), 0.0]}
        if with_seg or not with_bbox:
            fields["segmentation"] = (
                {"size": [rnd.randrange(1, 9), rnd.randrange(1, 9)],
                 "counts": "".join(chr(rnd.randrange(32, 127)) for _ in range(5)), "extra": extra}
                if rnd.random() < 0.7 else [[1.0, 2.0, 3.0]])
        if not with_bbox:
            del fields["bbox"]
        items = list(fields.items()) + list(extra.items())
        rnd.shuffle(items)
        records.append(dict(items))
    before_comma, after_comma, before_colon, after_colon = spaces
    text = json.dumps(records, indent=indent, ensure_ascii=ensure_ascii,
                      separators=(before_comma + "," + after_comma, before_colon + ":" + after_colon))
    for data in (text.encode(), b" \n\t" + text.encode() + b"\r\n "):
        result = read_coco_results(data)
        assert_matches(result, json.loads(data))
        seg = result.segmentation
        for i, record in enumerate(records):
            value = record.get("segmentation")
            expected = value.get("counts") if isinstance(value, dict) else None
            assert seg.counts(i) == expected


def test_unknown_keys_with_tricky_values():
    extra = ('"note": "a \\"quoted\\" } ] , : string \\\\ with \\u00e9\\ud83d\\ude00 and \\/ \\b\\f\\n\\r\\t",'
             '"raw": "caf\u00e9 \u65e5\u672c \U0001F600", "nested": {"a": [1, {"b": [[], {}, [[[]]]]}], '
             '"score": "not this one", "bbox": null}, "flags": [true, false, null, NaN, Infinity, -Infinity],'
             '"n": [-0, 1e400, -1.5E-3, 0.0], "e": {}, "l": []')
    text = ('[{' + extra + ', "image_id": 3, "category_id": 4, "score": 0.25, "bbox": [1, 2, 3, 4]},'
            ' {"segmentation": {"counts": [0, 5, 3], "size": [2, 4], "x": {"counts": "no"}}, "score": 1,'
            ' "category_id": 1, "image_id": 9, ' + extra + '}]')
    data = text.encode("utf-8")
    result = fast(data)
    records = json.loads(data)
    assert_matches(result, records)
    seg = result.segmentation
    assert seg.counts(1) is None and seg.counts_span[1].tolist() == [-1, -1]
    assert seg.size[1].tolist() == [2, 4]
    assert seg[1] == records[1]["segmentation"]


def test_segmentation_shapes():
    text = (b'[{"image_id":1,"category_id":1,"score":0.5,"segmentation":[[1,2,3,4,5,6]]},'
            b'{"image_id":1,"category_id":1,"score":0.5,"segmentation":{"counts":"ab\\\\c","size":[3,2]}},'
            b'{"image_id":1,"category_id":1,"score":0.5,"segmentation":{"counts":"x"}},'
            b'{"image_id":1,"category_id":1,"score":0.5,"segmentation":{"size":[1.0,2],"counts":"x"}},'
            b'{"image_id":1,"category_id":1,"score":0.5,"segmentation":{"size":[1,2,3],"counts":"x"}},'
            b'{"image_id":1,"category_id":1,"score":0.5,"segmentation":{}},'
            b'{"image_id":1,"category_id":1,"score":0.5,"segmentation":null,"bbox":[0,0,1,1]}]')
    result = fast(text)
    assert_matches(result, json.loads(text))
    seg = result.segmentation
    assert seg.size.tolist() == [[-1, -1], [3, 2], [-1, -1], [-1, -1], [-1, -1], [-1, -1], [-1, -1]]
    assert [seg.counts(i) for i in range(7)] == [None, "ab\\c", "x", "x", "x", None, None]
    assert seg.counts_escaped.tolist() == [False, True, False, False, False, False, False]
    assert seg.present.all()
    assert result.has_bbox.tolist() == [False] * 6 + [True]
    assert np.isnan(result.bbox[:6]).all()
    listed = read_coco_results(json.loads(text)).segmentation
    assert listed.size.tolist() == [[-1, -1], [3, 2], [-1, -1], [-1, -1], [-1, -1], [-1, -1], [-1, -1]]
    assert [listed.counts(i) for i in range(7)] == [None, "ab\\c", "x", "x", "x", None, None]


def test_ids():
    cases = {"42": 42, "42.0": 42, "4.2e1": 42, "-0": 0, "-0.0": 0, "-7": -7, "9223372036854775807": 2**63 - 1,
             "-9223372036854775808": -(2**63), "1e17": 10**17, "4200e-2": 42, "1.0000": 1}
    for token, expected in cases.items():
        result = read_coco_results(document([record_text(image_id=token, category_id=token)]))
        assert result.image_id.tolist() == [expected] and result.category_id.tolist() == [expected], token


@pytest.mark.parametrize("text, expected", [
    # valid JSON the scanner hands to json.loads, which decides
    (b'[{"image\\u005fid": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}]', [1]),
    (b'[{"image_id": 1, "image_id": 5, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}]', [5]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3], "bbox": [1, 2, 3, 4]}]', [1]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": '
     + b"[" * 600 + b"]" * 600 + b"}]", [1]),
    ('[{"image_id": 7, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}]'.encode("utf-16"), [7]),
])
def test_unusual_but_valid(text, expected):
    result = read_coco_results(text)
    assert result.image_id.tolist() == expected
    assert_matches(result, json.loads(text))


def test_utf8_in_strings_as_json_loads_decodes_it():
    # json.loads decodes bytes with "surrogatepass": encoded lone surrogates are accepted.
    for raw in ("caf\u00e9 \u65e5 \U0001F600".encode(), b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x8f\xbf\xbf"):
        data = b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "' + raw + b'"}]'
        assert_matches(fast(data), json.loads(data))


def test_byte_order_mark_is_accepted():
    data = b"\xef\xbb\xbf" + BBOX_FILE.read_bytes()
    assert_matches(fast(data), json.loads(data))


# ---------------------------------------------------------------------------------------------
# Errors: message names the record and the field


def raises(source, *fragments):
    with pytest.raises(InvalidInputError) as info:
        read_coco_results(source)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


OK_RECORD = {"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}


@pytest.mark.parametrize("bad, fragments", [
    ({"category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}, ["Record 2", "no 'image_id'", "'category_id'"]),
    ({"image_id": 1, "score": 0.5, "bbox": [1, 2, 3, 4]}, ["Record 2", "no 'category_id'"]),
    ({"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4]}, ["Record 2", "no 'score'"]),
    ({"image_id": 1, "category_id": 2, "score": 0.5}, ["Record 2", "neither 'bbox' nor 'segmentation'"]),
    ({**OK_RECORD, "bbox": [1, 2, -3, 4]}, ["Record 2", "'bbox'", "width >= 0", "[1, 2, -3, 4]"]),
    ({**OK_RECORD, "bbox": [1, 2, 3, -0.5]}, ["Record 2", "'bbox'", "height >= 0", "-0.5"]),
    ({**OK_RECORD, "bbox": [1, 2, 3]}, ["Record 2", "'bbox'", "4 finite numbers", "[1, 2, 3]", "a list of 3"]),
    ({**OK_RECORD, "bbox": [1, 2, 3, 4, 5]}, ["Record 2", "'bbox'", "a list of 5"]),
    ({**OK_RECORD, "bbox": [1, 2, float("nan"), 4]}, ["Record 2", "'bbox'", "finite", "nan"]),
    ({**OK_RECORD, "bbox": [float("inf"), 2, 3, 4]}, ["Record 2", "'bbox'", "inf"]),
    ({**OK_RECORD, "bbox": [1, 2, "3", 4]}, ["Record 2", "'bbox'", "'3'"]),
    ({**OK_RECORD, "bbox": None}, ["Record 2", "'bbox'", "None"]),
    ({**OK_RECORD, "bbox": {"x": 1}}, ["Record 2", "'bbox'", "an object (dict)"]),
    ({**OK_RECORD, "image_id": 4.5}, ["Record 2", "'image_id' must be an integer", "4.5"]),
    ({**OK_RECORD, "category_id": "3"}, ["Record 2", "'category_id' must be an integer", "'3'"]),
    ({**OK_RECORD, "category_id": True}, ["Record 2", "'category_id' must be an integer", "True"]),
    ({**OK_RECORD, "image_id": None}, ["Record 2", "'image_id' must be an integer", "None"]),
    ({**OK_RECORD, "image_id": float("nan")}, ["Record 2", "'image_id' must be an integer", "nan"]),
    ({**OK_RECORD, "image_id": 2**63}, ["Record 2", "'image_id'", "int64 range"]),
    ({**OK_RECORD, "score": float("nan")}, ["Record 2", "'score' must be a finite number", "nan"]),
    ({**OK_RECORD, "score": float("-inf")}, ["Record 2", "'score'", "-inf"]),
    ({**OK_RECORD, "score": 10**400}, ["Record 2", "'score' must be a finite number"]),
    ({**OK_RECORD, "score": "0.5"}, ["Record 2", "'score'", "'0.5'"]),
    ({**OK_RECORD, "score": None}, ["Record 2", "'score'", "None"]),
    ([1, 2], ["Record 2", "must be a JSON object", "an array (list)"]),
    (7, ["Record 2", "must be a JSON object", "an integer"]),
    ("x", ["Record 2", "must be a JSON object", "a string"]),
])
def test_record_errors(bad, fragments):
    records = [OK_RECORD, OK_RECORD, bad, OK_RECORD, {"bad": "later"}]
    from_list = raises(records, *fragments)
    from_bytes = raises(json.dumps(records).encode(), *fragments)
    assert from_list == from_bytes


@pytest.mark.parametrize("token, fragments", [
    ("1e400", ["'score' must be a finite number"]),
    ("-1e400", ["'score' must be a finite number"]),
    ("NaN", ["'score' must be a finite number", "nan"]),
    ("Infinity", ["'score' must be a finite number", "inf"]),
])
def test_non_finite_tokens(token, fragments):
    data = document([record_text(), record_text(score=token)])
    raises(data, "Record 1", *fragments)
    raises(document([record_text(), record_text(box=("0", token.lstrip("-"), "1", "1"))]), "Record 1", "'bbox'")



@pytest.mark.parametrize("box, fragments", [
    (("0", "0", "-1", "1"), ["'bbox'", "-1"]),  # plain number: the one-pass box reader refuses it
    (("0", "0", "1", "-0.5"), ["'bbox'", "-0.5"]),
    (("0", "0", "-1e-320", "1"), ["'bbox'"]),  # subnormal: settled by Python's float(), then checked
    (("0", "0", "1", "-" + "1" * 25), ["'bbox'"]),  # > 19 digits: likewise
    (("0", "0", "1", "-Infinity"), ["'bbox'"]),
])
def test_negative_or_non_finite_boxes_name_the_record(box, fragments):
    data = document([record_text(), record_text(), record_text(box=box), record_text()])
    raises(data, "Record 2", *fragments)


@pytest.mark.parametrize("score", ["1e-400", "2.4703282292062328e-324", "1" + "0" * 30])
def test_scores_settled_by_python_are_still_read(score):
    data = document([record_text(score=score), record_text(score="-0", box=("-0", "-0.0", "0", "-0e0"))])
    assert_matches(fast(data), json.loads(data))
    assert math.copysign(1, fast(data).score[1]) == 1.0  # the int token -0 is +0.0, as float(0)
    assert math.copysign(1, fast(data).bbox[1, 1]) == -1.0  # the float token -0.0 keeps its sign

@pytest.mark.parametrize("text, fragments", [
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5 "bbox": [1, 2, 3, 4]}]', ["Expecting ',' delimiter", "line 1, column 49", "byte offset 48"]),
    (b'[\n{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]},\n]', ["line 3, column 1", "byte offset 73"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}] x', ["Extra data"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}', ["Expecting ',' delimiter"]),
    (b'[{"image_id": 01, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 01.5, "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": -00.5, "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 02, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 1.5.2, "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": .5, "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 1., "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": +1, "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": -NaN, "bbox": [1, 2, 3, 4]}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "\\q"}]', ["Invalid \\escape"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "\\u12g4"}]', ["Invalid \\uXXXX"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "a\tb"}]', ["Invalid control character"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "abc}]', ["Unterminated string"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": [1, }]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": tru}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "\xff"}]', ["not valid UTF-8", "byte offset 77"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "\xe0\x80\xaf"}]', ["not valid UTF-8"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "\xf4\x90\x80\x80"}]', ["not valid UTF-8"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": "\xc3"}]', ["not valid UTF-8"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4], "x": \xc3\xa9}]', ["not valid JSON"]),
    (b'[{"image_id": 1, "category_id": 2, "score": 0.5, "bbox": [1, 2, 3, 4]}, \x00]', ["not valid JSON"]),
    (b"", ["not valid JSON", "Expecting value"]),
    (b"   ", ["not valid JSON"]),
])
def test_malformed_json(text, fragments):
    raises(text, "The COCO results", *fragments)


@pytest.mark.parametrize("text, fragments", [
    (b'{"images": [], "annotations": [], "categories": []}', ["must be a JSON array", "an object (dict)", "'images'", "ground-truth"]),
    (b'42', ["must be a JSON array", "an integer"]),
    (b'"results"', ["must be a JSON array", "a string"]),
    (b'null', ["must be a JSON array", "None"]),
])
def test_top_level_not_a_list(text, fragments):
    raises(text, *fragments)


def test_bad_sources(tmp_path):
    raises({"images": []}, "'source' argument", "A dict is not a results document")
    raises(42, "'source' argument", "an integer")
    raises('[{"image_id": 1}]', "looks like JSON text", "source.encode()")
    with pytest.raises(FileNotFoundError):
        read_coco_results(tmp_path / "missing.json")


def test_real_file_error_names_record(tmp_path):
    records = json.loads(BBOX_FILE.read_bytes())
    records[500]["bbox"][3] = -1.25
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records))
    raises(path, "Record 500", "'bbox'", "height >= 0", "-1.25")
    del records[600]["score"]
    records[500]["bbox"][3] = 1.25
    path.write_text(json.dumps(records))
    raises(path, "Record 600", "no 'score'")


# ---------------------------------------------------------------------------------------------
# Kernel contract


def scan(data: bytes):
    return json_scan.scan_results(np.frombuffer(data + bytes(json_scan.PADDING), dtype=np.uint8).copy())


@pytest.mark.parametrize("text, status, position, record", [
    (b'{"a": 1}', json_scan.ERR_TOP_LEVEL, 0, 0),
    (b'  ', json_scan.ERR_SYNTAX, 2, 0),
    (b'[1]', json_scan.ERR_RECORD, 1, 0),
    (b'[{"image_id":1,"category_id":1,"score":1,"bbox":[0,0,1,1]}, {"image_id":1}]', json_scan.ERR_MISSING, 60, 1),
    (b'[{"image_id":1,"category_id":1,"score":1}]', json_scan.ERR_GEOMETRY, 1, 0),
    (b'[{"image_id":1.5,"category_id":1,"score":1,"bbox":[0,0,1,1]}]', json_scan.ERR_ID, 13, 0),
    (b'[{"image_id":1,"category_id":1,"score":"1","bbox":[0,0,1,1]}]', json_scan.ERR_SCORE, 39, 0),
    (b'[{"image_id":1,"category_id":1,"score":1,"bbox":[0,0,1]}]', json_scan.ERR_BBOX, 54, 0),
    (b'[{"image_id":1,"category_id":1,"score":1,"bbox":[0,0,1,1]} x', json_scan.ERR_SYNTAX, 59, 1),
    (b'[{"image_id":1,"category_id":1,"score":1,"bbox":[0,0,1,1]}] x', json_scan.ERR_SYNTAX, 60, 1),
    (b'[{"image_id":1,"image_id":1}]', json_scan.ERR_UNUSUAL, 16, 0),
])
def test_kernel_status(text, status, position, record):
    got_status, got_position, got_record, *_ = scan(text)
    assert (got_status, got_position, got_record) == (status, position, record)


def test_kernel_requires_padding():
    for short in (b"[]", b"[]\0", b"[]" + bytes(json_scan.PADDING - 1), b"",
                  b"[]" + bytes(json_scan.PADDING - 1) + b"x"):
        buf = np.frombuffer(short, dtype=np.uint8).copy()
        assert json_scan.scan_results(buf)[0] == json_scan.ERR_BUFFER, short
    buf = np.frombuffer(b"[]" + bytes(json_scan.PADDING), np.uint8).copy()
    assert json_scan.scan_results(buf)[:3] == (json_scan.OK, -1, 0)
    assert json_scan.value_end(np.frombuffer(b"[1]", np.uint8).copy(), 0) == -1  # no padding


# ---------------------------------------------------------------------------------------------
# Strictness: the scanner accepts exactly what json.loads (plus the record rules) accepts

VALID = (b'[{"image_id": 1, "category_id": 2, "bbox": [10.5, 2e1, 3, 4], "score": 0.25, '
         b'"segmentation": {"size": [4, 5], "counts": "a\\\\b"}, "x": [true, null, -1.5E-2, "s\\u00e9"]}, '
         b'{"image_id": 3, "category_id": 4, "score": 1, "bbox": [0, 0, 0, 0]}]')


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.sampled_from(
    list(b' ,:[]{}"\\-+.eE0123456789aftnulNIx\x00\x1f\xc3\xff') + [None])), min_size=1, max_size=3))
def test_mutations_agree_with_json_loads(edits):
    data = bytearray(VALID)
    for position, byte in sorted(edits, key=lambda edit: edit[0], reverse=True):
        position = min(position, len(data) - 1)
        if byte is None:
            del data[position]
        else:
            data[position] = byte
    data = bytes(data)
    try:
        records = json.loads(data)
    except (ValueError, RecursionError):
        records = None
    rows = reference(records) if records is not None else None
    if rows is None:
        with pytest.raises(InvalidInputError):
            read_coco_results(data)
    else:
        assert_matches(read_coco_results(data), records)


@pytest.mark.parametrize("edits", [[(54, 45), (56, 32)], [(54, 45), (56, 195)]])
def test_a_bad_value_before_a_syntax_error_reports_the_syntax_error(edits):
    # "[10.5, 2e1,-3  4]": the negative width is seen first, but the record is not JSON at all
    # (the second case also breaks UTF-8); the error is json's, as a clear InvalidInputError
    data = bytearray(VALID)
    for position, byte in edits:
        data[position] = byte
    with pytest.raises(InvalidInputError, match="not valid"):
        read_coco_results(bytes(data))


_GUARD_SCRIPT = r'''
import ctypes, mmap, sys
import numpy as np
from modelmetrics.kernels import json_scan

libc = ctypes.CDLL(None, use_errno=True)
page = mmap.PAGESIZE
area = mmap.mmap(-1, 2 * page)
address = ctypes.addressof(ctypes.c_char.from_buffer(area))
if libc.mprotect(ctypes.c_void_p(address + page), ctypes.c_size_t(page), 0) != 0:
    sys.exit(3)  # PROT_NONE: the second page may not be touched
memory = np.frombuffer(area, np.uint8)
documents = [bytes.fromhex(h) for h in sys.argv[1:]]
for document in documents:
    padded = document + bytes(json_scan.PADDING)
    buf = memory[page - len(padded):page]  # ends exactly at the guard page
    buf[:] = np.frombuffer(padded, np.uint8)
    json_scan.scan_results(buf)
    json_scan.scan_ground_truth(buf)
print("ok")
'''


def test_scanners_never_read_past_the_padding():
    # Each document ends right before a page that may not be read: a read past the padding
    # kills the process. Truncations put keys, numbers and strings at every distance from the end.
    record = (b'[{"image_id": 12345678901, "category_id": 7, "score": 0.123456789, '
              b'"bbox": [1.5, 2.25, 30.125, 4e2], "segmentation": {"size": [4, 4], '
              b'"counts": "abc"}, "iscrowd": 0, "area": 12.5, "id": 3}]')
    gt = (b'{"images": [{"id": 1, "height": 4, "width": 4}], "annotations": [{"id": 1, '
          b'"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 0}], '
          b'"categories": [{"id": 1, "name": "a"}]}')
    cuts = [doc[:k] for doc in (record, gt) for k in range(len(doc) + 1)]
    done = subprocess.run([sys.executable, "-c", _GUARD_SCRIPT, *(c.hex() for c in cuts)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stderr)


def test_count_objects_counts_the_open_braces_of_any_range():
    rng = np.random.default_rng(21)
    for _ in range(300):
        data = rng.choice(np.frombuffer(b'{}[]"a, 0', np.uint8), int(rng.integers(0, 200)))
        buf = np.concatenate([data, np.zeros(json_scan.PADDING, np.uint8)])
        start = int(rng.integers(0, data.size + 1))
        stop = int(rng.integers(start, data.size + 1))
        assert json_scan.count_objects(buf, start, stop) == int(np.sum(data[start:stop] == 123))


def test_record_tables_are_sized_by_the_objects_of_the_document():
    records = [{"image_id": i, "category_id": 1, "score": 0.5, "bbox": [1, 2, 3, 4],
                "segmentation": {"size": [2, 2], "counts": "04"}} for i in range(50)]
    buf = np.frombuffer(json.dumps(records).encode() + bytes(json_scan.PADDING), np.uint8)
    status, _, n, ints, score, *_ = coco_results.scan_buffer(buf.copy(), parts=1)
    assert status == json_scan.OK and n == 50
    # a "{" per record and per segmentation, and 2 (the table is a view of its allocation)
    assert ints.base.size == json_scan.N_INT_COLS * (2 * 50 + 2)
