"""Scanning COCO results in parallel parts gives exactly the sequential scan.

``scan_buffer(buf, parts)`` cuts the document at guessed record boundaries, scans the parts on
threads and keeps the result only when each part ends exactly where the next one starts; the
oracle is ``json_scan.scan_results(buf)``, the sequential scan, compared output for output
(status, offsets, every array, the slow-number table). Cuts land everywhere in small documents
(inside strings, numbers, keys, nested values), so the fallback is exercised as much as the
parallel path.
"""

from __future__ import annotations

import json
import threading
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelmetrics.exceptions import InvalidInputError
from modelmetrics.io import coco_results
from modelmetrics.io.coco_results import _scan_parts, read_coco_results, scan_buffer
from modelmetrics.kernels import json_scan


def padded(data: bytes) -> np.ndarray:
    return np.frombuffer(data + bytes(json_scan.PADDING), dtype=np.uint8).copy()


def assert_same_scan(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape
            assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
        else:
            assert a == b


def check_all_parts(data: bytes, parts=range(2, 9)):
    """Every number of parts agrees with the sequential scan; how many were really parallel."""
    buf = padded(data)
    want = json_scan.scan_results(buf)
    parallel = 0
    for k in parts:
        assert_same_scan(scan_buffer(buf, k), want)
        parallel += _scan_parts(buf, k) is not None
    return want, parallel


def make_records(seed, n=200, masks=False, extra=False):
    rnd = random.Random(seed)
    records = []
    for i in range(n):
        record = {"image_id": rnd.randrange(1, 50), "category_id": rnd.randrange(1, 9),
                  "bbox": [round(rnd.uniform(0, 600), rnd.choice([0, 2, 17])) for _ in range(4)],
                  "score": rnd.random()}
        if masks and rnd.random() < 0.7:
            record["segmentation"] = {"size": [rnd.randrange(1, 500), rnd.randrange(1, 500)],
                                      "counts": "".join(rnd.choice("0:;[\\]^_`ab") for _ in range(12))}
        if extra and rnd.random() < 0.3:
            record["note"] = rnd.choice(['}, {"image_id": 1}', "a}, {b", {"x": [{"y": 1}, {"z": 2}]},
                                         "caf\u00e9", [1, {"score": 2}]])
        if rnd.random() < 0.05:
            record["score"] = rnd.choice([5e-324, 1e-310, 0.1234567890123456789012345])  # slow numbers
        items = list(record.items())
        rnd.shuffle(items)
        records.append(dict(items))
    return records


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("indent", [None, 2])
def test_generated_documents(seed, indent):
    records = make_records(seed, masks=seed % 2 == 1, extra=seed >= 3)
    data = json.dumps(records, indent=indent, ensure_ascii=seed % 2 == 0).encode()
    want, parallel = check_all_parts(data)
    assert want[0] == json_scan.OK and want[2] == len(records)
    assert parallel > 0  # the parallel path was taken for some part counts
    assert want[6].shape[0] > 0  # slow numbers, in some part other than the first too


def test_two_parts_of_a_clean_document_are_parallel():
    data = json.dumps(make_records(1, n=400)).encode()
    assert _scan_parts(padded(data), 2) is not None
    assert _scan_parts(padded(data), 4) is not None


def test_cut_inside_a_string():
    # The middle of the document is a long string full of fake record boundaries.
    fake = '}, {"image_id": 7, "category_id": 1, "score": 0.5, "bbox": [0, 0, 1, 1]}, ' * 200
    records = make_records(2, n=20) + [{"image_id": 1, "category_id": 1, "score": 0.1,
                                        "bbox": [1, 2, 3, 4], "text": fake}] + make_records(3, n=20)
    data = json.dumps(records).encode()
    buf = padded(data)
    for k in (2, 3):
        assert _scan_parts(buf, k) is None  # the guess is refuted, the sequential scan is used
    want, _ = check_all_parts(data)
    assert want[2] == 41


def test_cut_inside_a_nested_value():
    nested = {"parts": [{"a": i, "b": [i]} for i in range(400)]}
    records = make_records(4, n=10) + [{"image_id": 1, "category_id": 1, "score": 0.1,
                                        "bbox": [1, 2, 3, 4], "extra": nested}] + make_records(5, n=10)
    data = json.dumps(records).encode()
    assert _scan_parts(padded(data), 2) is None
    check_all_parts(data)


def test_no_boundary_to_guess():
    one = [{"image_id": 1, "category_id": 1, "score": 0.5, "bbox": [0, 0, 1, 1], "x": "y" * 5000}]
    data = json.dumps(one).encode()
    assert _scan_parts(padded(data), 2) is None
    check_all_parts(data)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("change", [
    ("score", "0.5"), ("bbox", [1, 2, 3]), ("image_id", 1.5), ("drop", "score"), ("drop", "bbox"),
])
def test_errors_anywhere_give_the_sequential_result(where, change):
    records = make_records(6, n=100)
    index = int(where * len(records))
    key, value = change
    if key == "drop":
        records[index].pop(value)
    else:
        records[index][key] = value
    data = json.dumps(records).encode()
    want, parallel = check_all_parts(data)
    assert want[0] != json_scan.OK and parallel == 0
    with pytest.raises(InvalidInputError):
        read_coco_results(data)


def test_unusual_json_in_a_later_part():
    records = make_records(7, n=100)
    data = json.dumps(records).encode()
    position = data.rindex(b'"score"')
    data = data[:position] + b'"sc\\u006fre"' + data[position + 7:]  # an escaped key, near the end
    want, parallel = check_all_parts(data)
    assert want[0] == json_scan.ERR_UNUSUAL and parallel == 0


@pytest.mark.parametrize("tail", [b"", b"  \n", b" x", b"]", b",", b" [1]"])
def test_end_of_document(tail):
    data = json.dumps(make_records(8, n=60)).encode() + tail
    check_all_parts(data)


def test_read_coco_results_uses_parts_and_agrees(monkeypatch, tmp_path):
    records = make_records(9, n=3000, masks=True, extra=True)
    data = json.dumps(records).encode()
    sequential = read_coco_results(data)
    monkeypatch.setattr(coco_results, "PART_MIN_BYTES", 1 << 12)
    monkeypatch.setattr(coco_results, "JIT_PARALLEL", True)
    monkeypatch.setattr(coco_results.numba.config, "NUMBA_NUM_THREADS", 4)
    assert coco_results._n_parts(len(data)) == 4 * coco_results.PARTS_PER_THREAD
    calls = []
    original = coco_results._scan_parts
    monkeypatch.setattr(coco_results, "_scan_parts",
                        lambda buf, parts: calls.append(parts) or original(buf, parts))
    path = tmp_path / "results.json"
    path.write_bytes(data)
    for source in (data, path):
        parallel = read_coco_results(source)
        for name in ("image_id", "category_id", "score", "bbox"):
            a, b = getattr(parallel, name), getattr(sequential, name)
            assert a.tobytes() == b.tobytes() and a.shape == b.shape
        seg_a, seg_b = parallel.segmentation, sequential.segmentation
        for name in ("present", "size", "span", "counts_span", "counts_escaped"):
            assert np.array_equal(getattr(seg_a, name), getattr(seg_b, name))
        assert [seg_a.counts(i) for i in range(len(records))] == \
               [seg_b.counts(i) for i in range(len(records))]
    assert calls == [4 * coco_results.PARTS_PER_THREAD] * 2


def test_parallel_off(monkeypatch):
    monkeypatch.setattr(coco_results, "JIT_PARALLEL", False)
    assert coco_results._n_parts(10**10) == 1
    monkeypatch.setattr(coco_results, "JIT_PARALLEL", True)
    monkeypatch.setattr(coco_results.numba.config, "NUMBA_NUM_THREADS", 2)
    assert coco_results._n_parts(coco_results.PART_MIN_BYTES - 1) == 1
    assert coco_results._n_parts(3 * coco_results.PART_MIN_BYTES) == 3
    assert coco_results._n_parts(10**10) == 2 * coco_results.PARTS_PER_THREAD
    monkeypatch.setattr(coco_results.numba.config, "NUMBA_NUM_THREADS", 1)
    assert coco_results._n_parts(10**10) == 1


def test_parts_are_taken_by_whichever_thread_is_free(monkeypatch):
    """A pool thread busy elsewhere (the ground truth's scan) leaves its parts to this one."""
    data = json.dumps(make_records(10, n=4000)).encode()
    buf = padded(data)
    want = scan_buffer(buf.copy(), parts=1)
    monkeypatch.setattr(coco_results.numba.config, "NUMBA_NUM_THREADS", 2)
    release = threading.Event()
    blocker = coco_results._executor(1).submit(release.wait, 30)
    try:
        got = _scan_parts(buf.copy(), 6)  # the pool's one thread is blocked until released
    finally:
        release.set()
        blocker.result()
    assert got is not None and got[2] == want[2]
    for a, b in zip(got[3:8], want[3:8]):
        assert a.tobytes() == b.tobytes()


def test_guess_record_start():
    data = b'[{"a": 1} ,\n {"b": {"c": 2}}, {"d": [{}, {}]}]'
    buf = padded(data)
    second, third = data.index(b'{"b"'), data.index(b'{"d"')
    inner = data.index(b"{}, {}") + 4  # "}, {" inside a list: still a guess
    assert json_scan.guess_record_start(buf, 1, buf.size) == second
    assert json_scan.guess_record_start(buf, second + 1, buf.size) == third
    assert json_scan.guess_record_start(buf, third + 1, buf.size) == inner
    assert json_scan.guess_record_start(buf, inner + 1, buf.size) == -1
    assert json_scan.guess_record_start(buf, 0, second) == -1


def test_part_kernel_statuses():
    data = b'[{"image_id":1,"category_id":1,"score":1,"bbox":[0,0,1,1]}, ' \
           b'{"image_id":2,"category_id":1,"score":1,"bbox":[0,0,1,1]}]'
    buf = padded(data)
    second = data.index(b'{"image_id":2')
    status, end, n, ints, *_ = json_scan.scan_results_part(buf, 0, second, 4)
    assert (status, end, n) == (json_scan.AT_STOP, second, 1)
    status, end, n, ints, *_ = json_scan.scan_results_part(buf, 0, second - 1, 4)
    assert (status, end, n) == (json_scan.PAST_STOP, second, 1)
    status, end, n, ints, *_ = json_scan.scan_results_part(buf, second, -1, 4)
    assert (status, end, n) == (json_scan.OK, -1, 1) and ints[json_scan.COL_IMAGE_ID, 0] == 2
    status, end, n, *_ = json_scan.scan_results_part(buf, 0, -1, 1)  # grows past capacity 16
    assert (status, n) == (json_scan.OK, 2)


VALID = json.dumps(make_records(10, n=12, masks=True, extra=True)).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.sampled_from(
    list(b' ,:[]{}"\\-+.eE0123456789aftnulNIx\x00\xc3\xff') + [None])), min_size=1, max_size=3),
       st.integers(2, 12))
def test_mutations_agree_with_the_sequential_scan(edits, parts):
    data = bytearray(VALID)
    for position, byte in sorted(edits, key=lambda edit: edit[0], reverse=True):
        position = min(position, len(data) - 1)
        if byte is None:
            del data[position]
        else:
            data[position] = byte
    buf = padded(bytes(data))
    assert_same_scan(scan_buffer(buf, parts), json_scan.scan_results(buf))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_parallel_scan_after_fork():
    import multiprocessing

    data = json.dumps(make_records(11, n=400)).encode()
    buf = padded(data)
    assert _scan_parts(buf, 2) is not None  # the pool exists in this process now
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:  # the child must not wait for the parent's threads
        ok = pool.apply_async(_child_scan, (data,)).get(timeout=120)
    assert ok


def _child_scan(data: bytes) -> bool:
    buf = padded(data)
    result = _scan_parts(buf, 2)
    return result is not None and result[2] == json_scan.scan_results(buf)[2]


def test_every_table_grows_mid_document():
    # 40 records, each with a segmentation and 5 numbers left to Python's float(): the record,
    # segmentation and slow-number tables all fill up (from 1, 16 and 16 rows) and must grow
    slow = "12345678901234567890123e-335"  # subnormal from a long mantissa: settled by float()
    records = [f'{{"image_id": {k}, "category_id": 1, "score": {slow}, '
               f'"bbox": [{slow}, {slow}, {slow}, {slow}], '
               f'"segmentation": {{"size": [4, 4], "counts": "0{k}"}}}}' for k in range(40)]
    buf = padded(("[" + ", ".join(records) + "]").encode())
    grown = json_scan.scan_results_part(buf, 0, -1, 1)
    roomy = scan_buffer(buf, 1)
    assert grown[0] == json_scan.OK and grown[2] == 40
    assert grown[7].shape[1] == 40 and grown[8].shape[0] == 200
    n = grown[2]
    assert_same_scan((grown[0], grown[1], n, grown[3][:, :n], grown[4][:n], grown[5][:n],
                      grown[6][:n], grown[7], grown[8]), roomy)


def test_the_results_reader_starts_no_parallel_kernel():
    """The segm evaluation reads the results while the pool thread runs the ground truth's
    parallel mask kernels (``detection._coco._read_both``): that is safe with every Numba
    threading layer only because the scanner's kernels are all serial."""
    from numba.core.registry import CPUDispatcher

    kernels = [k for k in vars(json_scan).values() if isinstance(k, CPUDispatcher)]
    assert len(kernels) > 10
    assert not [k.__name__ for k in kernels if k.targetoptions.get("parallel")]
