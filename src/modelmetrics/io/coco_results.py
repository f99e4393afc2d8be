"""COCO detection *results* (the ``loadRes`` input of pycocotools) as NumPy arrays.

A results file is a JSON array of objects such as
``{"image_id": 42, "category_id": 18, "bbox": [258.15, 41.29, 348.26, 243.78], "score": 0.236}``,
with a ``"segmentation"`` (usually a compressed RLE ``{"size": [h, w], "counts": "..."}``) for
instance segmentation. Files and bytes are scanned by a Numba kernel
(:mod:`modelmetrics.kernels.json_scan`) without a Python object per record; the numbers are
bit-for-bit those of :func:`json.loads`. Anything the kernel flags (errors, and valid but unusual
JSON such as escaped or repeated keys) is re-read with :func:`json.loads`, which decides: either
the document is fine and is read the slow way, or the error message names what is wrong.
Large documents are scanned in parts on several threads (``MODELMETRICS_JIT_PARALLEL``, up to
:data:`PARTS_PER_THREAD` parts per ``NUMBA_NUM_THREADS``, at least :data:`PART_MIN_BYTES` each,
each thread taking the next part as soon as it is free), cut at guessed record boundaries that
the scan of each previous part must confirm; the outputs are those of the sequential scan in
every case.

Rules checked for every record (errors are :class:`~modelmetrics.exceptions.InvalidInputError`
naming the record index and the field):

* the record is an object with ``image_id`` and ``category_id`` (integers; integral floats such
  as ``42.0`` are accepted, as pycocotools would) and ``score`` (a finite number);
* ``bbox``, when present, is ``[x, y, width, height]``: 4 finite numbers, width and height >= 0;
* the record has a ``bbox`` or a ``segmentation`` (or both). Segmentations are not decoded here.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import numbers
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numba
import numpy as np

from .._config import JIT_PARALLEL
from ..exceptions import InvalidInputError
from ..kernels import json_scan as _scan
from ..kernels.memory import empty

__all__ = ["CocoResults", "Segmentations", "read_coco_results"]

_OWNER = "read_coco_results"
_ID_KEYS = ("image_id", "category_id")
_REQUIRED = ("image_id", "category_id", "score")
_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Segmentations:
    """The ``segmentation`` values of the records, decoded only on request.

    Read from a file or bytes, the values stay raw JSON text in ``buffer``; ``span``,
    ``counts_span`` and ``size`` locate them so an RLE decoder can read the ``counts`` strings
    in place. Read from a list of dicts (or from the slow path), ``objects`` holds them.

    Attributes
    ----------
    present : numpy.ndarray of bool, shape (n,)
        Whether record ``i`` has a ``segmentation`` key.
    size : numpy.ndarray of int64, shape (n, 2)
        ``[h, w]`` when the segmentation is an object whose ``size`` is two non-negative
        integers, else ``-1``.
    span : numpy.ndarray of int64, shape (n, 2)
        Byte span ``[start, end)`` of the raw JSON value in ``buffer``; ``-1`` when absent or
        when ``buffer`` is None.
    counts_span : numpy.ndarray of int64, shape (n, 2)
        Byte span of the ``counts`` string's content (between the quotes) when it is a string,
        else ``-1`` (also when it holds JSON escapes other than ``\\\\``, e.g. ``\\u0030``,
        which no RLE decoder reads in place: :meth:`__getitem__` gives the value).
    counts_escaped : numpy.ndarray of bool, shape (n,)
        Whether the ``counts`` string holds JSON escapes (COCO RLE strings may contain
        ``\\\\``): such strings need unescaping, see :meth:`counts`.
    buffer : numpy.ndarray of uint8 or None
        The document's bytes (None for list input, and when no record has a segmentation).
    objects : list or None
        Per-record Python values (None when absent), for list input; else None.
    """

    present: np.ndarray
    size: np.ndarray
    span: np.ndarray
    counts_span: np.ndarray
    counts_escaped: np.ndarray
    buffer: np.ndarray | None = field(repr=False)
    objects: list | None = field(repr=False)

    @classmethod
    def from_table(cls, n: int, table: np.ndarray, buffer: np.ndarray) -> Segmentations:
        """The segmentations of ``n`` records from a scanner's segmentation table.

        Parameters
        ----------
        n : int
            Number of records.
        table : numpy.ndarray of int64, shape (json_scan.N_SEG_ROWS, s)
            One column per record with a segmentation (``SEG_*`` rows, the record's index in
            row ``SEG_RECORD``), as the scanners of :mod:`modelmetrics.kernels.json_scan` give.
        buffer : numpy.ndarray of uint8
            The scanned document.
        """
        record = table[_scan.SEG_RECORD]
        present = np.zeros(n, dtype=bool)
        present[record] = True
        columns = {}
        for name, (first, second) in (("size", (_scan.SEG_SIZE_H, _scan.SEG_SIZE_W)),
                                      ("span", (_scan.SEG_START, _scan.SEG_END)),
                                      ("counts_span", (_scan.SEG_COUNTS_START,
                                                       _scan.SEG_COUNTS_END))):
            dense = np.full((n, 2), -1, dtype=np.int64)
            dense[record, 0] = table[first]
            dense[record, 1] = table[second]
            columns[name] = dense
        other = record[(table[_scan.SEG_FLAGS] & _scan.FLAG_COUNTS_OTHER_ESCAPES) != 0]
        columns["counts_span"][other] = -1  # read with json.loads instead
        columns = {name: _frozen(dense) for name, dense in columns.items()}
        escaped = np.zeros(n, dtype=bool)
        escaped[record] = (table[_scan.SEG_FLAGS] & _scan.FLAG_COUNTS_ESCAPED) != 0
        return cls(present=_frozen(present), counts_escaped=_frozen(escaped),
                   buffer=_frozen(buffer) if record.size else None, objects=None, **columns)

    def __len__(self) -> int:
        return self.present.shape[0]

    def __getitem__(self, index: int):
        """The segmentation of record ``index`` as a Python object (None when absent)."""
        index = range(len(self))[index]  # IndexError and negative indices as for a list
        if self.objects is not None:
            return self.objects[index]
        if not self.present[index]:
            return None
        start, end = self.span[index]
        return json.loads(self.buffer[start:end].tobytes())

    def counts(self, index: int) -> str | None:
        """The compressed-RLE ``counts`` string of record ``index``, unescaped, or None when the
        segmentation is not an object with a string ``counts``."""
        index = range(len(self))[index]
        if self.objects is not None:
            value = self.objects[index]
            counts = value.get("counts") if isinstance(value, dict) else None
            return counts if isinstance(counts, str) else None
        start, end = self.counts_span[index]
        if start < 0:
            if self.counts_escaped[index]:  # escapes other than \\: no span, read the value
                value = self[index]
                return value["counts"] if isinstance(value["counts"], str) else None
            return None
        raw = self.buffer[start - 1 : end + 1].tobytes()  # with its quotes
        if self.counts_escaped[index]:
            return json.loads(raw)
        return raw[1:-1].decode("utf-8")


@dataclass(frozen=True, eq=False)
class CocoResults:
    """Detections read from a COCO results document, one row per record, in file order.

    Attributes
    ----------
    image_id : numpy.ndarray of int64, shape (n,)
    category_id : numpy.ndarray of int64, shape (n,)
    score : numpy.ndarray of float64, shape (n,)
        Finite.
    bbox : numpy.ndarray of float64, shape (n, 4)
        ``[x, y, width, height]``; rows of NaN for records without a ``bbox``.
    segmentation : Segmentations
        Lazily decoded segmentation values (``len(segmentation) == n``).

    The arrays are read-only.
    """

    image_id: np.ndarray
    category_id: np.ndarray
    score: np.ndarray
    bbox: np.ndarray
    segmentation: Segmentations

    @property
    def n(self) -> int:
        """Number of records."""
        return self.score.shape[0]

    @property
    def has_bbox(self) -> np.ndarray:
        """bool array, shape (n,): whether each record has a ``bbox``."""
        return ~np.isnan(self.bbox[:, 0])

    def __len__(self) -> int:
        return self.n


def read_coco_results(source) -> CocoResults:
    """Read COCO detection results (bbox or segm) into arrays.

    Parameters
    ----------
    source : str, os.PathLike, bytes-like or list of dict
        A path to a results JSON file (``.gz`` files are decompressed), the file's bytes (gzip
        bytes too), or the already-parsed list of result dicts.

    Returns
    -------
    CocoResults
        ``image_id``, ``category_id`` (int64, shape (n,)), ``score`` (float64, shape (n,)),
        ``bbox`` (float64, shape (n, 4), NaN rows where absent), ``segmentation``
        (:class:`Segmentations`) and ``n``.

    Raises
    ------
    InvalidInputError
        Malformed JSON (with line, column and byte offset), a top level that is not an array,
        or a record breaking the rules of the module docstring (naming the record and field).

    Examples
    --------
    >>> results = read_coco_results(
    ...     b'[{"image_id": 42, "category_id": 18, "bbox": [258.15, 41.29, 348.26, 243.78],'
    ...     b' "score": 0.236}]')
    >>> results.n, results.image_id, results.score
    (1, array([42]), array([0.236]))
    >>> results.bbox
    array([[258.15,  41.29, 348.26, 243.78]])
    >>> read_coco_results([{"image_id": 1, "category_id": 2, "score": 0.5}])
    Traceback (most recent call last):
    ...
    modelmetrics.exceptions.InvalidInputError: Record 0 of the COCO results has neither 'bbox' nor 'segmentation'; every result needs one of them ('bbox' for bbox evaluation, 'segmentation' for segm).
    """
    return read_results(source)


def read_results(source, parts: int | None = None) -> CocoResults:
    """:func:`read_coco_results`, a document scanned in ``parts`` parts at most (default: one
    per thread, see :func:`scan_buffer`). The scanner's kernels are serial: this never starts
    a parallel kernel, so it may run while another thread runs one."""
    if isinstance(source, list):
        return _from_records(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source).cast("B") if isinstance(source, memoryview) else source
        if bytes(view[:2]) == _GZIP_MAGIC:
            view = gzip.decompress(view)
        return _from_buffer(_padded(view), parts)
    if isinstance(source, (str, os.PathLike)):
        return _from_buffer(_read_file(source), parts)
    hint = ""
    if isinstance(source, dict):
        hint = " A dict is not a results document: results are a JSON array of objects."
    raise InvalidInputError(
        f"The 'source' argument of {_OWNER} must be a path, the file's bytes or a list of result "
        f"dicts. Got {_describe(source)} instead.{hint}"
    )


# --------------------------------------------------------------------------------------------
# Input buffers (the kernels want the document followed by _scan.PADDING zero bytes).


def _padded(data) -> np.ndarray:
    buf = np.empty(len(data) + _scan.PADDING, dtype=np.uint8)
    buf[:len(data)] = np.frombuffer(data, dtype=np.uint8)
    buf[len(data):] = 0
    return buf


def _read_file(path) -> np.ndarray:
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not os.path.exists(path) and path.lstrip()[:1] in ("[", "{"):
        raise InvalidInputError(
            f"The 'source' argument of {_OWNER} is a str, read as a path, but no such file exists "
            f"and it looks like JSON text. Pass JSON text as bytes instead: source.encode()."
        )
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as stream:
            return _padded(stream.read())
    return read_padded(path)


def read_padded(path: str) -> np.ndarray:
    """The bytes of file ``path`` followed by the scanners' zero padding, read straight into the
    array."""
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        buf = empty(size + _scan.PADDING, np.uint8)
        view = memoryview(buf)
        got = 0
        while got < size:
            count = stream.readinto(view[got:size])
            if not count:
                break
            got += count
        rest = stream.read()  # the file grew while being read
    if rest:
        return _padded(buf[:got].tobytes() + rest)
    buf = buf[: got + _scan.PADDING]
    buf[got:] = 0
    return buf


# --------------------------------------------------------------------------------------------
# Fast path.


# Large documents are scanned in parts (the kernels release the GIL). A part starts at a
# guessed record boundary; the guess counts only if the scan of the part before ends exactly
# there, else the document is scanned again from the start in one piece. There are several parts
# per thread and each thread takes the next one when it is free, so that a thread slowed down
# (by the ground truth's scan on the same pool thread, or by another process on its core) does
# fewer parts instead of holding the others up.
PART_MIN_BYTES = 4 << 20  # smaller parts are not worth their merging
PARTS_PER_THREAD = 2
_MIN_RECORD_BYTES = 57  # len('{"image_id":0,"category_id":0,"score":0,"bbox":[0,0,0,0]}')
_GUESS_WINDOW = 1 << 20  # bytes searched for a record start after each cut
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _forget_pool() -> None:
    """In a forked child: the parent's threads do not exist there (a pool would hang)."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers < workers:
            _pool = ThreadPoolExecutor(max_workers=workers,
                                       thread_name_prefix="modelmetrics-json-scan")
        return _pool


def _n_parts(size: int) -> int:
    """Parts to scan a document of ``size`` bytes in: PARTS_PER_THREAD per thread
    (NUMBA_NUM_THREADS, with MODELMETRICS_JIT_PARALLEL on), at least PART_MIN_BYTES each."""
    if not JIT_PARALLEL or numba.config.NUMBA_NUM_THREADS < 2:
        return 1
    return max(1, min(PARTS_PER_THREAD * numba.config.NUMBA_NUM_THREADS,
                      size // PART_MIN_BYTES))


def scan_buffer(buf: np.ndarray, parts: int | None = None) -> tuple:
    """:func:`~modelmetrics.kernels.json_scan.scan_results` of ``buf``, on ``parts`` threads
    (default: :func:`_n_parts`); the outputs are the same in every case."""
    if parts is None:
        parts = _n_parts(buf.shape[0] - _scan.PADDING)
    if parts > 1:
        result = _scan_parts(buf, parts)
        if result is not None:
            return result
    size = max(buf.shape[0] - _scan.PADDING, 0)
    capacity = _scan.count_objects(buf, 0, size) + 2  # every record is an object
    status, i, n, ints, score, bbox, has_bbox, segs, slow = _scan.scan_results_into(
        buf, 0, -1, *_record_arrays(capacity))
    return status, i, n, ints[:, :n], score[:n], bbox[:n], has_bbox[:n], segs, slow


def _record_arrays(capacity: int) -> tuple:
    """Room for ``capacity`` records (see ``scan_results_into``), on huge pages
    (:mod:`modelmetrics.kernels.memory`)."""
    return (empty((_scan.N_INT_COLS, capacity), np.int64), empty(capacity),
            empty((capacity, 4)), empty(capacity, np.bool_))


def _scan_parts(buf: np.ndarray, parts: int) -> tuple | None:
    """The scan in ``parts`` parallel parts, or None when a guessed boundary is wrong or any part
    is not clean (the caller then scans sequentially, which also reports errors)."""
    size = buf.shape[0] - _scan.PADDING
    if size < 1 or buf[size:].any():
        return None
    starts = [0]
    for k in range(1, parts):
        cut = max(size * k // parts, starts[-1] + 1)
        guess = _scan.guess_record_start(buf, cut, cut + _GUESS_WINDOW)
        if guess < 0:
            return None
        starts.append(guess)
    stops = starts[1:] + [-1]
    # Part 0 gets room for every record of the document (the others are copied after its own);
    # each part has room for all the records that fit in its bytes: no growth, no reallocation.
    # (Not counted as in scan_buffer: that would be a serial pass over the whole document
    # before the parts start.)
    capacity = [size // _MIN_RECORD_BYTES + 2] + [
        ((stop if stop >= 0 else size) - start) // _MIN_RECORD_BYTES + 2
        for start, stop in zip(starts[1:], stops[1:])]
    outputs = [None] * parts

    def scan_part(k):
        outputs[k] = _scan.scan_results_into(buf, starts[k], stops[k],
                                             *_record_arrays(capacity[k]))

    _share_out(parts, scan_part)
    for k, (status, end, *_) in enumerate(outputs):
        if k < parts - 1 and not (status == _scan.AT_STOP and end == stops[k]):
            return None
        if k == parts - 1 and status != _scan.OK:
            return None
    _, _, n, ints, score, bbox, has_bbox, segs, slow = outputs[0]
    total = sum(out[2] for out in outputs)
    if total > score.shape[0]:  # part 0 grew its arrays: not for valid documents
        return None
    # Copy the other parts after part 0: contiguous blocks, shared out as the parts were
    # (NumPy copies release the GIL).
    segs_list, slows = [segs], [slow]
    copies = []
    for _, _, count, part_ints, part_score, part_bbox, part_has_bbox, part_segs, part_slow \
            in outputs[1:]:
        copies += [(ints[row, n : n + count], part_ints[row, :count]) for row in range(ints.shape[0])]
        copies += [(score[n : n + count], part_score[:count]), (bbox[n : n + count], part_bbox[:count]),
                   (has_bbox[n : n + count], part_has_bbox[:count])]
        if part_segs.shape[1]:
            part_segs = part_segs.copy()
            part_segs[_scan.SEG_RECORD] += n
            segs_list.append(part_segs)
        if part_slow.shape[0]:
            part_slow = part_slow.copy()
            part_slow[:, _scan.SLOW_RECORD] += n
            slows.append(part_slow)
        n += count
    _share_out(len(copies), lambda k: np.copyto(*copies[k]))
    segs = np.concatenate(segs_list, axis=1) if len(segs_list) > 1 else segs
    slow = np.concatenate(slows) if len(slows) > 1 else slow
    return _scan.OK, -1, n, ints[:, :n], score[:n], bbox[:n], has_bbox[:n], segs, slow


def _share_out(n_tasks: int, do) -> None:
    """Run ``do(0)`` ... ``do(n_tasks - 1)`` on this thread and the scanners' pool threads (one
    per other Numba thread), each taking the next task when it is free. A pool thread still busy
    with other work (the ground truth's scan) when this one has done every task is not waited
    for: its share is cancelled before it starts."""
    helpers = max(0, min(n_tasks, numba.config.NUMBA_NUM_THREADS) - 1)
    claims = itertools.count()  # next() is atomic under the GIL

    def work():
        while (k := next(claims)) < n_tasks:
            do(k)

    pool = _executor(helpers) if helpers else None
    futures = [pool.submit(work) for _ in range(helpers)]
    work()
    for future in futures:
        if not future.cancel():
            future.result()


def _from_buffer(buf: np.ndarray, parts: int | None = None) -> CocoResults:
    status, err_pos, n, ints, score, bbox, has_bbox, segs, slow = scan_buffer(buf, parts)
    if status == _scan.ERR_VALUE:  # record n has a bad value, found as soon as it was read
        try:
            record = json.loads(buf[err_pos : _scan.value_end(buf, err_pos)].tobytes())
        except ValueError:  # malformed further on (e.g. "[1, -3  4]"): the JSON error first,
            return _from_json(buf)  # as json.loads would report it
        _check_record(n, record)
        raise AssertionError(f"record {n} was flagged but passes the checks")  # pragma: no cover
    if status != _scan.OK:
        return _from_json(buf)
    # Numbers the kernel left to Python's float() (subnormals, > 19 digits, ...): a few at most;
    # the kernel checked every other value.
    for record, column, start, end in slow.tolist():
        value = float(buf[start:end].tobytes())
        if column == _scan.COL_SCORE:
            score[record] = value
        else:
            bbox[record, column - _scan.COL_BBOX] = value
    for record in np.unique(slow[:, _scan.SLOW_RECORD]).tolist():
        box = bbox[record]
        if not (math.isfinite(score[record]) and (not has_bbox[record] or (
                np.isfinite(box).all() and box[2] >= 0 and box[3] >= 0))):
            start, end = ints[_scan.COL_REC_START, record], ints[_scan.COL_REC_END, record]
            _check_record(record, json.loads(buf[start:end].tobytes()))
            raise AssertionError(f"record {record} was flagged but passes the checks")  # pragma: no cover

    return CocoResults(
        image_id=_frozen(ints[_scan.COL_IMAGE_ID]),
        category_id=_frozen(ints[_scan.COL_CATEGORY_ID]),
        score=_frozen(score),
        bbox=_frozen(bbox),
        segmentation=Segmentations.from_table(n, segs, buf),
    )


def _from_json(buf: np.ndarray) -> CocoResults:
    """The slow path: parse with json.loads (which reports malformed JSON), then check."""
    data = buf[:-_scan.PADDING].tobytes()
    try:
        records = json.loads(data)
    except json.JSONDecodeError as exc:
        offset = len(exc.doc[: exc.pos].encode("utf-8", "surrogatepass"))
        if data.startswith(_UTF8_BOM):
            offset += len(_UTF8_BOM)
        raise InvalidInputError(
            f"The COCO results are not valid JSON: {exc.msg} at line {exc.lineno}, column "
            f"{exc.colno} (byte offset {offset})."
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"The COCO results are not valid UTF-8 JSON: {exc.reason} at byte offset {exc.start}."
        ) from None
    except RecursionError:
        raise InvalidInputError("The COCO results are nested too deeply to be read as JSON.") from None
    return _from_records(records)


# --------------------------------------------------------------------------------------------
# Python objects: list input, the slow path, and every error message.


def _from_records(records) -> CocoResults:
    if not isinstance(records, list):
        hint = ""
        if isinstance(records, dict):
            keys = ", ".join(repr(k) for k in list(records)[:4])
            hint = f" (with keys {keys}{', ...' if len(records) > 4 else ''})"
            if "annotations" in records or "images" in records:
                hint += "; this looks like a ground-truth file, not results"
        raise InvalidInputError(
            f"The COCO results must be a JSON array (list) of result objects. "
            f"Got {_describe(records)}{hint} instead."
        )
    n = len(records)
    image_id = np.empty(n, dtype=np.int64)
    category_id = np.empty(n, dtype=np.int64)
    score = np.empty(n, dtype=np.float64)
    bbox = np.full((n, 4), np.nan)
    size = np.full((n, 2), -1, dtype=np.int64)
    present = np.zeros(n, dtype=bool)
    objects = [None] * n
    for index, record in enumerate(records):
        image, category, value, box, seg_present = _check_record(index, record)
        image_id[index] = image
        category_id[index] = category
        score[index] = value
        if box is not None:
            bbox[index] = box
        if seg_present:
            present[index] = True
            seg = objects[index] = record["segmentation"]
            if isinstance(seg, dict):
                hw = seg.get("size")
                if isinstance(hw, list) and len(hw) == 2 and all(_is_small_count(v) for v in hw):
                    size[index] = hw
    no_span = np.full((n, 2), -1, dtype=np.int64)
    segmentation = Segmentations(
        present=_frozen(present),
        size=_frozen(size),
        span=_frozen(no_span),
        counts_span=_frozen(no_span.copy()),
        counts_escaped=_frozen(np.zeros(n, dtype=bool)),
        buffer=None,
        objects=objects,
    )
    return CocoResults(
        image_id=_frozen(image_id),
        category_id=_frozen(category_id),
        score=_frozen(score),
        bbox=_frozen(bbox),
        segmentation=segmentation,
    )


def _check_record(index: int, record) -> tuple:
    """Check one parsed record; (image_id, category_id, score, bbox or None, has segmentation)."""
    if not isinstance(record, dict):
        raise InvalidInputError(
            f"Record {index} of the COCO results must be a JSON object (dict). "
            f"Got {_describe(record)} instead: {_short_repr(record)}."
        )
    for key in _REQUIRED:
        if key not in record:
            keys = ", ".join(repr(k) for k in record) or "none"
            raise InvalidInputError(
                f"Record {index} of the COCO results has no {key!r}. Every result needs "
                f"'image_id', 'category_id' and 'score'; this one has keys: {keys}."
            )
    ids = [_as_id(index, key, record[key]) for key in _ID_KEYS]
    value = record["score"]
    score = _as_float(value)
    if score is None or not math.isfinite(score):
        raise _field_error(index, "score", "a finite number", value)
    box = None
    if "bbox" in record:
        value = record["bbox"]
        expected = "a list of 4 finite numbers [x, y, width, height] with width >= 0 and height >= 0"
        if not isinstance(value, list) or len(value) != 4:
            found = f"a list of {len(value)}" if isinstance(value, list) else _describe(value)
            raise _field_error(index, "bbox", expected, value, f" ({found})")
        box = [_as_float(v) for v in value]
        if any(v is None or not math.isfinite(v) for v in box) or box[2] < 0 or box[3] < 0:
            raise _field_error(index, "bbox", expected, value)
    seg_present = "segmentation" in record
    if box is None and not seg_present:
        raise InvalidInputError(
            f"Record {index} of the COCO results has neither 'bbox' nor 'segmentation'; every "
            f"result needs one of them ('bbox' for bbox evaluation, 'segmentation' for segm)."
        )
    return ids[0], ids[1], score, box, seg_present


def _as_id(index: int, key: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, float)):
        raise _field_error(index, key, "an integer", value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _field_error(index, key, "an integer", value)
        value = int(value)
    value = int(value)
    if not _INT64_MIN <= value < _INT64_LIMIT:
        raise _field_error(index, key, "an integer in the int64 range", value)
    return value


def _as_float(value) -> float | None:
    """``float(value)`` for a JSON number (inf when an int is too large), None otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _is_small_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18


def _field_error(index: int, key: str, expected: str, got, detail: str = "") -> InvalidInputError:
    return InvalidInputError(
        f"Record {index} of the COCO results: {key!r} must be {expected}. "
        f"Got {_short_repr(got)}{detail} instead."
    )


def _short_repr(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(value) -> str:
    names = {dict: "an object (dict)", list: "an array (list)", str: "a string", bool: "a boolean",
             int: "an integer", float: "a float"}
    if value is None:
        return "null (None)"
    return names.get(type(value), f"a {type(value).__name__}")
