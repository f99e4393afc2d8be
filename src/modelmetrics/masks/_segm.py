"""Instance-segmentation glue of the COCO evaluation: the masks of ground-truth annotations and
results as :class:`~modelmetrics.masks._rles.Rles` (as pycocotools' ``annToRLE`` makes them),
and the mask IoU the shared detection matcher calls.

Segmentations read from files stay raw JSON text until here: compressed RLE strings are decoded
in place from the document's bytes, polygons parsed and rasterised by Numba kernels; only what
those do not handle (uncompressed RLEs, numbers needing Python's ``float``, malformed values) is
read with :func:`json.loads`, one record at a time, which is also where errors are reported.
"""

from __future__ import annotations

import threading

import numpy as np

from ..exceptions import InvalidInputError
from ..io.coco_results import Segmentations
from ..kernels import rle as K
from ._rles import (Rles, StringMasks, check_polygon, empty_rles, rles_from_objects,
                    rles_from_strings, string_masks)

__all__ = ["MaskIoU", "SharedRasterising", "segmentation_masks", "segmentations_of"]


def segmentations_of(records: list) -> Segmentations:
    """The ``segmentation`` values of a list of dicts (None where absent)."""
    n = len(records)
    present = np.fromiter(("segmentation" in r for r in records), bool, n)
    none = np.full((n, 2), -1, np.int64)
    return Segmentations(present=present, size=none, span=none, counts_span=none,
                         counts_escaped=np.zeros(n, bool), buffer=None,
                         objects=[r.get("segmentation") for r in records])


def segmentation_masks(seg: Segmentations, image_size: np.ndarray, what: str, *,
                       keep_strings: bool = False, rasterise=None) -> Rles | StringMasks:
    """The mask of every record, in record order.

    Parameters
    ----------
    seg : Segmentations
        The records' ``segmentation`` values.
    image_size : numpy.ndarray of int64, shape (n, 2)
        The (height, width) of each record's image (-1 when unknown: polygons then fail).
    what : str
        How errors name a record: ``f"{what} {i}"``.
    keep_strings : bool, default False
        When every record is a compressed string read from a document, leave the strings in
        place (:class:`StringMasks`, checked as :class:`MaskIoU` decodes them) instead of
        decoding them here. For the detections of :class:`MaskIoU` only.
    rasterise : callable, optional
        ``rasterise(xy, part_start, h, w) -> (counts, start)``, as
        :func:`modelmetrics.kernels.rle.from_polygons` (the default) computes it: e.g.
        :meth:`SharedRasterising.rasterise`, which another thread can help with.

    Returns
    -------
    Rles or StringMasks
        Polygons rasterised and their parts merged, uncompressed RLEs compressed, compressed
        ones decoded (``annToRLE``).
    """
    n = len(seg)
    if n and not seg.present.all():
        bad = int(np.flatnonzero(~seg.present)[0])
        raise InvalidInputError(f"{what} {bad} has no 'segmentation' ({int((~seg.present).sum())}"
                                f" record(s) without one); segm evaluation needs a mask (polygons "
                                f"or RLE) for every {what}.")
    polygon = np.zeros(n, bool)
    string = np.zeros(n, bool)
    values = np.empty(0)
    part_start = np.zeros(1, np.int64)
    record_part = np.zeros(n + 1, np.int64)
    if seg.buffer is not None and n:
        # objects with a "counts" string and a "size": compressed RLEs (the scanner saw them)
        string = (seg.counts_span[:, 0] >= 0) & (seg.size[:, 0] >= 0)
        if keep_strings and string.all():  # results as every encoder writes them: in place
            return string_masks(seg.buffer, seg.counts_span[:, 0], seg.counts_span[:, 1],
                                seg.counts_escaped, seg.size[:, 0], seg.size[:, 1],
                                lambda k: f"{what} {k}")
        starts = np.where(string, seg.span[:, 1], seg.span[:, 0])  # nothing to parse there
        status, values, part_start, record_part = K.parse_polygons(seg.buffer, starts,
                                                                   seg.span[:, 1])
        polygon = ~string & (status == K.POLYGONS_OK)
    others = np.flatnonzero(~polygon & ~string)
    records, pieces = [], []
    # polygons: parts checked, rasterised on their image's grid, merged per record
    part_record = np.repeat(np.arange(n), np.diff(record_part))
    extra_values, extra_records = [], []  # polygons read by json.loads
    objects = []
    for i in others.tolist():
        value = seg[i]
        if isinstance(value, list):
            if not value:
                raise InvalidInputError(f"{what} {i}: 'segmentation' is an empty list; give "
                                        f"polygons [[x1, y1, x2, y2, ...], ...] or an RLE.")
            extra_values += [check_polygon(p, f"{what} {i}: segmentation[{k}]").reshape(-1)
                             for k, p in enumerate(value)]
            extra_records += [i] * len(value)
        elif isinstance(value, dict):
            objects.append((i, value))
        else:
            raise InvalidInputError(f"{what} {i}: 'segmentation' must be polygons [[x1, y1, ...], "
                                    f"...] or an RLE dict {{'size': [h, w], 'counts': ...}}. Got "
                                    f"{type(value).__name__}.")
    if extra_values:
        lengths = np.array([v.shape[0] for v in extra_values], np.int64)
        part_start = np.concatenate([part_start, part_start[-1] + np.cumsum(lengths)])
        values = np.concatenate([values, *extra_values])
        part_record = np.concatenate([part_record, np.array(extra_records, np.int64)])
    # RLE dicts first (crowd regions): the polygons' rasterising, last, can be shared with
    # another thread (``rasterise``), which then does its part while this one reads them; a
    # problem with them is raised after those of the polygons and strings, as read in turn
    object_masks = object_problem = None
    if objects:
        object_index = np.array([i for i, _ in objects], np.int64)
        try:
            object_masks = rles_from_objects([o for _, o in objects], "segmentation", what,
                                             lambda k: f"{what} {object_index[k]}")
        except InvalidInputError as exc:
            object_problem = exc
    if part_record.size:
        records.append(np.unique(part_record))
        pieces.append(_polygon_masks(values, part_start, part_record, image_size, what,
                                     rasterise or K.from_polygons))
    if string.any():
        index = np.flatnonzero(string)
        records.append(index)
        pieces.append(rles_from_strings(
            seg.buffer, seg.counts_span[index, 0], seg.counts_span[index, 1],
            seg.counts_escaped[index], seg.size[index, 0], seg.size[index, 1],
            lambda k: f"{what} {index[k]}"))
    if object_problem is not None:
        raise object_problem
    if objects:
        records.append(object_index)
        pieces.append(object_masks)
    if not pieces:
        return empty_rles()
    if len(pieces) == 1:
        return pieces[0]
    every = Rles.concat(pieces)
    order = np.empty(n, np.int64)
    order[np.concatenate(records)] = np.arange(n)
    counts, start = K.gather(every.counts, every.start, order)
    return Rles(counts, start, every.h[order], every.w[order])


def _polygon_masks(values: np.ndarray, part_start: np.ndarray, part_record: np.ndarray,
                   image_size: np.ndarray, what: str, rasterise) -> Rles:
    """Rasterise polygon parts (part ``p``: x, y numbers ``values[part_start[p]:part_start[p +
    1]]``, of record ``part_record[p]``) with ``rasterise`` (see :func:`segmentation_masks`)
    and merge each record's parts; masks in ascending record order."""
    lengths = np.diff(part_start)
    bad = (lengths % 2 == 1) | (lengths < 6)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(f"{what} {part_record[k]}: a polygon needs at least 3 points, as "
                                f"an even count of numbers [x1, y1, x2, y2, ...]. Got "
                                f"{lengths[k]} number(s).")
    finite = np.isfinite(values) & (np.abs(values) < 2.0**31 / 5)
    if not finite.all():
        k = int(np.searchsorted(part_start, np.flatnonzero(~finite)[0], side="right")) - 1
        raise InvalidInputError(f"{what} {part_record[k]}: polygon coordinates must be finite "
                                f"numbers of magnitude below 2**31 / 5.")
    order = np.argsort(part_record, kind="stable")
    if np.any(order != np.arange(order.size)):  # parts read by json.loads come last: regroup
        pieces = [values[part_start[p]:part_start[p + 1]] for p in order.tolist()]
        values = np.concatenate(pieces)
        lengths = lengths[order]
        part_record = part_record[order]
        part_start = np.zeros(lengths.size + 1, np.int64)
        np.cumsum(lengths, out=part_start[1:])
    size = image_size[part_record]
    if np.any(size < 0):
        k = int(np.flatnonzero((size < 0).any(1))[0])
        raise InvalidInputError(f"{what} {part_record[k]} has polygons, but its image has no "
                                f"integer 'height' and 'width' in the ground truth's 'images'; "
                                f"they are needed to rasterise polygons.")
    counts, start = rasterise(values.reshape(-1, 2), part_start // 2, size[:, 0].copy(),
                              size[:, 1].copy())
    records, first = np.unique(part_record, return_index=True)
    if records.size < part_record.size:  # objects of several parts: their union
        group_start = np.append(first, part_record.size).astype(np.int64)
        counts, start = K.merge_groups(counts, start, group_start, False)
    return Rles(counts, start, image_size[records, 0].copy(), image_size[records, 1].copy())


class SharedRasterising:
    """Polygon rasterising that the thread which asks for it shares with one other thread.

    The segm evaluation reads the ground truth and rasterises its polygons on a pool thread
    while the calling thread scans the results; the scan ends first, and the calling thread
    then takes chunks of the polygons too (:meth:`help`) until none is left. Each chunk is
    rasterised by :func:`modelmetrics.kernels.rle.from_polygons` with one Numba thread on the
    thread that takes it; a polygon's runs do not depend on the others, so the result is the
    same as one call on all of them.

    The owner calls :meth:`rasterise` (once per set of polygons) and, whatever happens,
    :meth:`close` when it has nothing more to share; :meth:`help` returns once the job is done
    or when the owner closes without one.
    """

    CHUNKS = 16

    def __init__(self):
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self._job = None  # (xy, part_start, h, w, chunk bounds)
        self._taken = self._done = 0
        self._results: list = []
        self._error: BaseException | None = None

    def rasterise(self, xy, part_start, h, w):
        """:func:`modelmetrics.kernels.rle.from_polygons` of every polygon, chunks shared."""
        n = part_start.shape[0] - 1
        bounds = np.linspace(0, n, min(self.CHUNKS, max(n, 1)) + 1).astype(np.int64)
        with self._lock:  # a job of its own: counters start again
            self._job = (xy, part_start, h, w, bounds)
            self._results = [None] * (bounds.size - 1)
            self._taken = self._done = 0
            self._error = None
            self._changed.notify_all()
        self._work()
        with self._lock:
            while self._done < len(self._results):
                self._changed.wait()
            self._job = None
            if self._error is not None:
                raise self._error
        counts = np.concatenate([c for c, _ in self._results])
        start = np.zeros(n + 1, np.int64)
        for k, (_, chunk_start) in enumerate(self._results):
            start[bounds[k] + 1:bounds[k + 1] + 1] = chunk_start[1:] + start[bounds[k]]
        return counts, start

    def close(self) -> None:
        """The owner has no (more) polygons to share: :meth:`help` may return."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()

    def help(self) -> None:
        """Wait for the owner's polygons, rasterise chunks of them until none is left, and
        return (at once when the owner closes without polygons)."""
        with self._lock:
            while self._job is None and not self._closed:
                self._changed.wait()
        self._work()

    def _work(self) -> None:
        from .._config import threads_for

        with threads_for(0):  # one Numba thread: the other thread works on its own chunks
            while True:
                with self._lock:
                    if self._job is None or self._taken == len(self._results):
                        return
                    k = self._taken
                    self._taken += 1
                    xy, part_start, h, w, bounds = self._job
                lo, hi = bounds[k], bounds[k + 1]
                try:
                    self._results[k] = K.from_polygons(xy, part_start[lo:hi + 1], h[lo:hi],
                                                       w[lo:hi])
                except BaseException as exc:  # noqa: BLE001 - raised by the owner
                    self._error = exc
                with self._lock:
                    self._done += 1
                    self._changed.notify_all()


def _extents(masks: Rles) -> np.ndarray:
    """Boxes spanning the columns each mask touches, all rows: IoU is 0 where they do not
    overlap (pycocotools' exact boxes skip a subset of those pairs; both give the same IoUs)."""
    return K.column_extents(masks.counts, masks.start, masks.h, masks.w)


class MaskIoU:
    """Mask IoU for the shared matcher (:func:`modelmetrics.detection._engine.match_detections`):
    pycocotools' ``maskUtils.iou`` on runs, crowd rule included; masks of different sizes in
    one image are an error naming them (pycocotools silently gives -1).

    Only the detections that share a group with a ground truth are decoded: compressed
    strings left in place (:class:`StringMasks`) one at a time inside the IoU kernel, which
    checks each as it first decodes it (the others are checked after the pass), other masks
    once (``take``), kept for later calls.
    """

    def __init__(self, det, gt: Rles, det_what: str = "result",
                 gt_what: str = "ground-truth annotation"):
        self.det = det
        self.gt = gt.canonical()
        self.gt_ends = K.run_ends(self.gt.counts, self.gt.start)
        self.gt_area = self.gt.area()
        self.gt_box = _extents(self.gt)
        self.gt_size = np.stack([self.gt.h, self.gt.w], axis=1)
        self.what = (det_what, gt_what)
        self.slot = np.full(det.n, -1, np.int64)  # detection -> row of the decoded ones
        self.decoded = None
        if isinstance(det, StringMasks):
            self.det_size = np.stack([det.h, det.w], axis=1)

    def _decode(self, needed: np.ndarray) -> None:
        """Make ``needed`` (sorted detection indices) the decoded set: rows already decoded are
        copied, the others decoded."""
        if self.decoded is not None and np.all(self.slot[needed] >= 0):
            return
        fresh = needed[self.slot[needed] < 0]
        taken = self.det.take(fresh).canonical()
        box, area = _extents(taken), self.det.area()[fresh]
        size = np.stack([taken.h, taken.w], axis=1)
        if self.decoded is not None:  # keep only the rows still needed, then the new ones
            old, old_box, old_area, old_size, _ = self.decoded
            rows = self.slot[needed[self.slot[needed] >= 0]]
            taken = Rles.concat([old.take(rows), taken])
            box = np.concatenate([old_box[rows], box])
            area = np.concatenate([old_area[rows], area])
            size = np.concatenate([old_size[rows], size])
            kept = needed[self.slot[needed] >= 0]
            self.slot[:] = -1
            self.slot[kept] = np.arange(kept.size)
            self.slot[fresh] = kept.size + np.arange(fresh.size)
        else:
            self.slot[fresh] = np.arange(fresh.size)
        self.decoded = (taken, box, area, size, K.run_ends(taken.counts, taken.start))

    def __call__(self, det_index, det_start, gt_index, gt_start, gt_crowd, iou_start, iou):
        g = self.gt
        if isinstance(self.det, StringMasks):
            s = self.det
            size = self.det_size
            rows = det_index
            K.iou_groups_strings(s.buffer, s.starts, s.ends, s.escaped, s.status, s.areas,
                                 s.canonical, s.runs, size, rows, det_start, self.gt_ends,
                                 g.start, self.gt_area, self.gt_box, self.gt_size, gt_index,
                                 gt_start, gt_crowd, iou_start, iou)
            s.check()  # the strings this pass did not decode; raises naming a corrupt one
        else:
            with_gt = np.repeat(np.diff(gt_start) > 0, np.diff(det_start))
            needed = np.unique(det_index[with_gt])
            self._decode(needed)
            if self.decoded is None:
                return
            d, box, area, size, ends = self.decoded
            rows = self.slot[det_index]  # -1 only in groups without ground truth (no IoU there)
            K.iou_groups(ends, d.start, area, box, size, rows, det_start, self.gt_ends, g.start,
                         self.gt_area, self.gt_box, self.gt_size, gt_index, gt_start, gt_crowd,
                         iou_start, iou)
        if iou.size and iou.min() < 0:
            k = int(np.flatnonzero(iou < 0)[0])
            group = int(np.searchsorted(iou_start, k, side="right")) - 1
            n_gt = gt_start[group + 1] - gt_start[group]
            q, r = divmod(k - int(iou_start[group]), int(n_gt))
            i = int(det_index[det_start[group] + q])
            j = int(gt_index[gt_start[group] + r])
            raise InvalidInputError(
                f"{self.what[0]} {i} has a mask of size {size[rows[det_start[group] + q]].tolist()}"
                f" but {self.what[1]} {j} of the same image has {self.gt_size[j].tolist()}; "
                f"masks compared must have the image's size.")
