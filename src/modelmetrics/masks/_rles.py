"""Sets of RLE masks as flat arrays, and their conversion from and to Python objects.

:class:`Rles` is what every mask kernel takes: ``counts`` (uint32, all runs one mask after the
other), ``start`` (int64 (n + 1,) offsets), ``h`` and ``w`` (int64 (n,)). Conversions validate at
this edge (sizes, characters, sums) and name the record at fault.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._config import threads_for
from .._validation import to_numpy
from ..exceptions import InvalidInputError
from ..kernels import rle as K

__all__ = ["Rles", "StringMasks", "check_polygon", "string_masks",
           "encode_stack", "polygons_to_rles", "rles_from_objects", "rles_from_strings"]

_STATUS_TEXT = {
    K.RLE_BAD_CHAR: "holds a character outside '0'..'o' (the 64 characters of COCO's RLE code)",
    K.RLE_TRUNCATED: "ends in the middle of a run's code (its last character has the "
                     "continuation bit)",
    K.RLE_BAD_COUNT: "decodes to a run length below 0 or above 2**32 - 1",
    K.RLE_BAD_ESCAPE: "holds a JSON escape other than a doubled backslash",
}


@dataclass(frozen=True)
class Rles:
    """``n`` masks as runs: ``counts`` uint32, ``start`` int64 (n + 1,), ``h``, ``w`` int64
    (n,)."""

    counts: np.ndarray
    start: np.ndarray
    h: np.ndarray
    w: np.ndarray

    @property
    def n(self) -> int:
        return self.h.shape[0]

    def runs(self, i: int) -> np.ndarray:
        return self.counts[self.start[i]:self.start[i + 1]]

    def area(self) -> np.ndarray:
        return K.area(self.counts, self.start)

    def bbox(self) -> np.ndarray:
        return K.to_bbox(self.counts, self.start, self.h, self.w)

    def canonical(self) -> Rles:
        """The same masks without empty runs after the first (see ``kernels.rle.canonical``);
        ``self`` when there are none."""
        if K.is_canonical(self.counts, self.start):
            return self
        counts, start = K.canonical(self.counts, self.start)
        return Rles(counts, start, self.h, self.w)

    def take(self, index: np.ndarray) -> Rles:
        """The masks ``index`` (int array), in that order."""
        index = np.asarray(index, np.int64)
        counts, start = K.gather(self.counts, self.start, index)
        return Rles(counts, start, self.h[index], self.w[index])

    @staticmethod
    def concat(parts: list) -> Rles:
        """Masks of several sets, one set after the other."""
        if not parts:
            return empty_rles()
        counts = np.concatenate([p.counts for p in parts]).astype(np.uint32, copy=False)
        lengths = np.concatenate([np.diff(p.start) for p in parts])
        start = np.zeros(lengths.shape[0] + 1, np.int64)
        np.cumsum(lengths, out=start[1:])
        return Rles(counts, start, np.concatenate([p.h for p in parts]),
                    np.concatenate([p.w for p in parts]))

    def to_objects(self) -> list:
        """pycocotools-style dicts ``{"size": [h, w], "counts": bytes}``."""
        chars, offsets = K.encode_strings(self.counts, self.start)
        data = chars.tobytes()
        offsets = offsets.tolist()
        return [{"size": [h, w], "counts": data[offsets[i]:offsets[i + 1]]}
                for i, (h, w) in enumerate(zip(self.h.tolist(), self.w.tolist()))]


@dataclass(frozen=True)
class StringMasks:
    """Compressed RLE strings left in place in a document's bytes (see :func:`string_masks`).

    A string is checked (valid, adding up to its size) the first time it is decoded: inside
    the mask IoU kernel (:func:`modelmetrics.kernels.rle.iou_groups_strings`, which fills in
    ``status``, ``areas``, ``canonical`` and ``runs``), or by :meth:`check`, which checks all
    the others and raises naming the first corrupt record. The mask IoU calls :meth:`check`
    after each pass and :meth:`area` calls it first, so no result is read from an unchecked
    string."""

    buffer: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    escaped: np.ndarray
    h: np.ndarray
    w: np.ndarray
    where: object  # where(i) names record i in errors
    status: np.ndarray  # int8 (n,): RLE_UNCHECKED until checked, then the check's status
    areas: np.ndarray  # int64 (n,): pixels of each checked mask
    canonical: np.ndarray  # bool (n,): no empty run after the first
    runs: np.ndarray  # int64 (n,): runs of each checked string

    @property
    def n(self) -> int:
        return self.h.shape[0]

    def check(self) -> None:
        """Check every string not checked yet; raise naming the first corrupt record."""
        todo = np.flatnonzero(self.status == K.RLE_UNCHECKED)
        if todo.size:
            if todo.size == self.n:
                todo = slice(None)  # all of them: no copies
            starts, ends = self.starts[todo], self.ends[todo]
            with threads_for(int(np.sum(ends - starts)) // 16):
                status, areas, canonical, runs = K.check_strings(
                    self.buffer, starts, ends, self.escaped[todo], self.h[todo], self.w[todo])
            self.areas[todo], self.canonical[todo], self.runs[todo] = areas, canonical, runs
            self.status[todo] = status
        if self.status.any():
            rles_from_strings(self.buffer, self.starts, self.ends, self.escaped, self.h,
                              self.w, self.where)  # raises, naming the first

    def area(self) -> np.ndarray:
        self.check()
        return self.areas


def string_masks(buffer, starts, ends, escaped, h, w, where) -> StringMasks:
    """Compressed strings ``buffer[starts[i]:ends[i]]`` left in place, checked as they are
    first decoded (see :class:`StringMasks`); ``where(i)`` names record ``i`` in errors."""
    n = starts.shape[0]
    return StringMasks(buffer, starts, ends, escaped, np.asarray(h, np.int64),
                       np.asarray(w, np.int64), where, np.full(n, K.RLE_UNCHECKED, np.int8),
                       np.zeros(n, np.int64), np.ones(n, np.bool_), np.zeros(n, np.int64))


def empty_rles() -> Rles:
    return Rles(np.empty(0, np.uint32), np.zeros(1, np.int64), np.empty(0, np.int64),
                np.empty(0, np.int64))


def _is_count(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


def check_size(size, where: str) -> tuple:
    """``[h, w]`` of two non-negative integers (h * w below 2**32)."""
    if isinstance(size, np.ndarray):
        size = size.tolist()
    if not (isinstance(size, (list, tuple)) and len(size) == 2 and all(_is_count(v) for v in size)):
        raise InvalidInputError(f"{where}: 'size' must be [height, width], two non-negative "
                                f"integers. Got {size!r}.")
    h, w = int(size[0]), int(size[1])
    if h * w > K._UINT32_MAX:
        raise InvalidInputError(f"{where}: 'size' {[h, w]} has more than 2**32 - 1 pixels, "
                                f"beyond what COCO's RLE (32-bit runs) can hold.")
    return h, w


def rles_from_strings(buffer: np.ndarray, starts, ends, escaped, h, w, where) -> Rles:
    """Decode compressed strings ``buffer[starts[i]:ends[i]]``; ``where(i)`` names record
    ``i`` in errors."""
    with threads_for(int(np.sum(ends - starts)) // 16):
        counts, start, status = K.decode_strings(buffer, starts, ends, escaped, h, w)
    if status.any():
        bad = int(np.flatnonzero(status)[0])
        code = int(status[bad])
        if code == K.RLE_BAD_SUM:
            runs = counts[start[bad]:start[bad + 1]].astype(np.int64)
            problem = (f"decodes to runs adding up to {int(runs.sum())} pixels, but its 'size' "
                       f"[{int(h[bad])}, {int(w[bad])}] means {int(h[bad]) * int(w[bad])}")
        else:
            problem = _STATUS_TEXT[code]
        raise InvalidInputError(
            f"{where(bad)}: the RLE 'counts' string {problem} ({int((status != 0).sum())} "
            f"corrupt RLE(s) in all). Pass the 'counts' exactly as the RLE encoder wrote them, "
            f"with the 'size' of the mask they encode.")
    return Rles(counts, start, np.asarray(h, np.int64), np.asarray(w, np.int64))


def _uncompressed(counts, h: int, w: int, where: str) -> np.ndarray:
    """Validated runs of an uncompressed RLE ('counts' a list of integers)."""
    try:
        runs = np.asarray(counts)
    except (ValueError, TypeError):
        runs = np.empty(0, object)
    ok = runs.ndim == 1 and (runs.dtype.kind in "iu" or (runs.size == 0 and runs.dtype.kind == "f"))
    if not ok:
        raise InvalidInputError(f"{where}: 'counts' must be a compressed RLE string (str or "
                                f"bytes) or a list of run lengths (non-negative integers). Got "
                                f"{_short(counts)}.")
    runs = runs.astype(np.int64)
    if runs.size and (runs.min() < 0 or runs.max() > K._UINT32_MAX):
        raise InvalidInputError(f"{where}: the run lengths in 'counts' must be in [0, 2**32 - 1]."
                                f" Got {int(runs.min())}..{int(runs.max())}.")
    if int(runs.sum()) != h * w:
        raise InvalidInputError(f"{where}: the runs in 'counts' add up to {int(runs.sum())} "
                                f"pixels, but 'size' [{h}, {w}] means {h * w}. The RLE does not "
                                f"encode a mask of this size.")
    return runs.astype(np.uint32)


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def rles_from_objects(objects, name: str, owner: str, where=None) -> Rles:
    """Validate pycocotools-style RLE dicts (compressed or uncompressed 'counts'); errors name
    record ``i`` as ``where(i)`` (default ``f"{owner}: {name}[{i}]"``)."""
    if where is None:
        def where(i):
            return f"{owner}: {name}[{i}]"
    fast = _fast_strings(objects, where)
    if fast is not None:
        return fast

    n = len(objects)
    h = np.empty(n, np.int64)
    w = np.empty(n, np.int64)
    strings = []
    string_index = []
    lists = {}
    for i, obj in enumerate(objects):
        record = where(i)
        if not isinstance(obj, dict) or "counts" not in obj or "size" not in obj:
            raise InvalidInputError(f"{record} must be an RLE dict {{'size': [h, w], 'counts': "
                                    f"...}}. Got {_short(obj)}.")
        h[i], w[i] = check_size(obj["size"], record)
        counts = obj["counts"]
        if isinstance(counts, str):
            try:
                counts = counts.encode("ascii")
            except UnicodeEncodeError:
                counts = b"\x00"  # not an RLE character: reported below with the others
        if isinstance(counts, (bytes, bytearray, memoryview)):
            strings.append(bytes(counts))
            string_index.append(i)
        else:
            lists[i] = _uncompressed(counts, int(h[i]), int(w[i]), record)
    if strings:
        index = np.asarray(string_index, np.int64)
        lengths = np.fromiter((len(s) for s in strings), np.int64, len(strings))
        ends = np.cumsum(lengths)
        decoded = rles_from_strings(np.frombuffer(b"".join(strings), np.uint8), ends - lengths,
                                    ends, np.zeros(len(strings), bool), h[index], w[index],
                                    lambda k: where(string_index[k]))
    if not lists:
        return decoded if strings else Rles(np.empty(0, np.uint32), np.zeros(n + 1, np.int64), h, w)
    pieces = [None] * n
    for k, i in enumerate(string_index):
        pieces[i] = decoded.runs(k)
    for i, runs in lists.items():
        pieces[i] = runs
    lengths = np.fromiter((p.shape[0] for p in pieces), np.int64, n)
    start = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=start[1:])
    return Rles(np.concatenate(pieces).astype(np.uint32, copy=False), start, h, w)


def encode_stack(masks: np.ndarray, name: str, owner: str) -> Rles:
    """Run-length encode (n, h, w) masks (bool or integers, nonzero is foreground, any strides)."""
    if masks.ndim != 3 or masks.dtype.kind not in "biu":
        raise InvalidInputError(f"The {name!r} given to {owner} must be (n, h, w) masks of bool "
                                f"or integers (or a list of RLE dicts). Got {masks.dtype} of "
                                f"shape {masks.shape}. Threshold probabilities first (e.g. "
                                f"masks > 0.5).")
    n, h, w = masks.shape
    check_size([h, w], f"{owner}: {name}")
    if masks.dtype == np.bool_:
        masks = masks.view(np.uint8)
    columns = masks.transpose(0, 2, 1).reshape(n, h * w) if masks.dtype == np.uint8 and (
        masks.transpose(0, 2, 1).flags.c_contiguous) else None
    if columns is not None:  # each mask column-major in one block (pycocotools' layout)
        words = np.empty((n, 0), np.uint64)
        if (h * w) % 8 == 0 and h * w and columns.ctypes.data % 8 == 0:
            words = columns.view(np.uint64)
        with threads_for(n * h * w // 256):
            counts, start = K.encode_flat(columns, words)
    else:
        with threads_for(n * h * w // 64):
            counts, start = K.encode_masks(masks)
    return Rles(counts, start, np.full(n, h, np.int64), np.full(n, w, np.int64))


def _fast_strings(objects, where) -> Rles | None:
    """The common case in bulk: every object a dict with a compressed (bytes or ASCII str)
    'counts' and a valid 'size'; None when anything differs (the record-by-record path then
    reads them and names the problem)."""
    try:
        counts = [o["counts"] for o in objects]
        sizes = np.array([o["size"] for o in objects], dtype=np.int64)
    except (TypeError, KeyError, ValueError, OverflowError):
        return None
    n = len(counts)
    if sizes.shape != (n, 2) or (n and (sizes.min() < 0 or
                                        (sizes[:, 0] * sizes[:, 1]).max() > K._UINT32_MAX)):
        return None
    if not all(type(c) is bytes for c in counts):
        if not all(type(c) is str for c in counts):
            return None
        try:
            counts = [c.encode("ascii") for c in counts]
        except UnicodeEncodeError:
            return None
    lengths = np.fromiter(map(len, counts), np.int64, n)
    ends = np.cumsum(lengths)
    return rles_from_strings(np.frombuffer(b"".join(counts), np.uint8), ends - lengths, ends,
                             np.zeros(n, bool), sizes[:, 0].copy(), sizes[:, 1].copy(), where)


def check_polygon(polygon, where: str) -> np.ndarray:
    """One polygon ``[x1, y1, x2, y2, ...]`` as (k, 2) float64: finite, k >= 3."""
    try:
        xy = np.asarray(to_numpy(polygon), dtype=np.float64)
    except (ValueError, TypeError):
        raise InvalidInputError(f"{where}: a polygon must be a flat list of numbers [x1, y1, x2, "
                                f"y2, ...]. Got {_short(polygon)}.") from None
    if xy.ndim == 2 and xy.shape[1] == 2:
        xy = xy.reshape(-1)
    if xy.ndim != 1 or xy.size % 2:
        raise InvalidInputError(f"{where}: a polygon must be a flat list of x, y pairs [x1, y1, "
                                f"x2, y2, ...] (an even count of numbers). Got {_short(polygon)}.")
    if xy.size < 6:
        raise InvalidInputError(f"{where}: a polygon needs at least 3 points (6 numbers). Got "
                                f"{xy.size // 2} point(s): {_short(polygon)}.")
    if not np.all(np.isfinite(xy)) or np.abs(xy).max() >= 2.0**31 / 5:
        raise InvalidInputError(f"{where}: polygon coordinates must be finite numbers of "
                                f"magnitude below 2**31 / 5. Got {_short(polygon)}.")
    return xy.reshape(-1, 2)


def polygons_to_rles(polygons: list, h, w) -> Rles:
    """Rasterise checked (k, 2) polygons (one RLE each) on grids ``h[i]`` x ``w[i]``."""
    n = len(polygons)
    part_start = np.zeros(n + 1, np.int64)
    np.cumsum([p.shape[0] for p in polygons], out=part_start[1:])
    xy = np.concatenate(polygons) if polygons else np.empty((0, 2))
    h = np.broadcast_to(np.asarray(h, np.int64), (n,)).copy()
    w = np.broadcast_to(np.asarray(w, np.int64), (n,)).copy()
    counts, start = K.from_polygons(xy, part_start, h, w)
    return Rles(counts, start, h, w)
