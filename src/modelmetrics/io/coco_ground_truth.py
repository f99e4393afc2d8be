"""COCO ground-truth (instances) documents as NumPy arrays, read without a Python object per record.

A ground-truth document is a JSON object with ``images`` (objects with an integer ``id``),
``annotations`` (objects with ``id``, ``image_id``, ``category_id``, ``bbox`` ``[x, y, w, h]``,
optional ``area``, ``iscrowd`` and ``segmentation``) and ``categories`` (objects with ``id`` and
``name``), plus keys such as ``info`` and ``licenses`` that are skipped. Files and bytes are
scanned by :func:`modelmetrics.kernels.json_scan.scan_ground_truth`; the numbers are bit for bit
those of :func:`json.loads`.

This module only *reads*: :func:`scan_ground_truth` returns None whenever the kernel flags
anything (malformed JSON, a value of an unexpected type, valid but unusual JSON such as escaped
or repeated keys, a file that cannot be read). The caller then parses the document with
:func:`json.loads` and checks it record by record, which is where every error message comes
from (``modelmetrics.detection._coco.read_ground_truth``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..kernels import json_scan as _scan
from .coco_results import Segmentations, _frozen, _padded, read_padded

__all__ = ["Annotations", "GroundTruthScan", "scan_ground_truth"]


class Annotations(Sequence):
    """The annotation objects of a ground-truth document, parsed one at a time on request.

    ``annotations[i]`` is what :func:`json.loads` gives for annotation ``i`` (a new dict each
    time); ``len``, iteration, slices and :meth:`take` work as for a list. :attr:`segmentation`
    gives the raw ``segmentation`` values (and RLE ``counts`` strings) without parsing the rest.

    Parameters
    ----------
    buffer : numpy.ndarray of uint8
        The document's bytes.
    span : numpy.ndarray of int64, shape (n, 2)
        Byte span ``[start, end)`` of each annotation object in ``buffer``.
    segments : numpy.ndarray of int64, shape (json_scan.N_SEG_ROWS, s)
        One column per annotation with a ``segmentation``, as
        :func:`~modelmetrics.kernels.json_scan.scan_ground_truth` gives them (the annotation's
        index in row ``SEG_RECORD``, spans, size and flags in the other ``SEG_*`` rows).
    """

    __slots__ = ("_buffer", "_span", "_segments", "_segmentation")

    def __init__(self, buffer: np.ndarray, span: np.ndarray, segments: np.ndarray):
        self._buffer = buffer
        self._span = span
        self._segments = segments
        self._segmentation = None

    def __len__(self) -> int:
        return self._span.shape[0]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.take(np.arange(len(self))[index])
        index = range(len(self))[index]  # IndexError and negative indices as for a list
        start, end = self._span[index]
        return json.loads(self._buffer[start:end].tobytes())

    @property
    def segmentation(self) -> Segmentations:
        """The annotations' ``segmentation`` values (``len(segmentation) == len(self)``), built
        on first access."""
        if self._segmentation is None:
            self._segmentation = Segmentations.from_table(len(self), self._segments, self._buffer)
        return self._segmentation

    def take(self, indices) -> Annotations:
        """The annotations at ``indices`` (an integer array), as a new lazy sequence."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        indices = np.arange(len(self))[indices]  # IndexError and negative indices as NumPy
        table = self._segments
        if table.shape[1]:
            column = np.full(len(self), -1, dtype=np.int64)
            column[table[_scan.SEG_RECORD]] = np.arange(table.shape[1])
            column = column[indices]
            kept = np.flatnonzero(column >= 0)
            table = table[:, column[kept]]
            table[_scan.SEG_RECORD] = kept
        return Annotations(self._buffer, _frozen(self._span[indices]), _frozen(table))

    def __eq__(self, other) -> bool:
        if not isinstance(other, (Annotations, list, tuple)) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other))

    __hash__ = None

    def __repr__(self) -> str:
        return f"<Annotations: {len(self)} COCO annotation objects, parsed on access>"


@dataclass(frozen=True, eq=False)
class GroundTruthScan:
    """What the kernel read from a ground-truth document, in file order (no checks of values
    beyond their JSON types: ids may repeat, boxes may be NaN, ...). The arrays belong to the
    caller (writable); the buffer and spans shared with ``annotations`` are read-only.

    Attributes
    ----------
    image_ids : numpy.ndarray of int64, shape (I,)
    image_sizes : numpy.ndarray of int64, shape (I, 2)
        Each image's ``height`` and ``width``; -1 where absent or not a non-negative integer.
    categories : list
        The ``categories`` array as :func:`json.loads` gives it (a few small objects).
    ann_id, image_id, category_id : numpy.ndarray of int64, shape (G,)
    bbox : numpy.ndarray of float64, shape (G, 4)
    area : numpy.ndarray of float64, shape (G,)
        NaN where the annotation has no ``area`` (or ``null``): it defaults to width * height.
    iscrowd : numpy.ndarray of int64, shape (G,)
        0 or 1 (``false`` / ``true`` and 0.0 / 1.0 included), -1 where absent.
    annotations : Annotations
        The annotation objects, parsed lazily.
    """

    image_ids: np.ndarray
    image_sizes: np.ndarray
    categories: list
    ann_id: np.ndarray
    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray
    area: np.ndarray
    iscrowd: np.ndarray
    annotations: Annotations


def scan_ground_truth(source) -> GroundTruthScan | None:
    """Read a COCO ground-truth document from a path or bytes with the Numba scanner.

    Parameters
    ----------
    source : str, os.PathLike or bytes-like
        A path to the JSON file (read as is: no decompression) or its bytes.

    Returns
    -------
    GroundTruthScan or None
        None when the document must be read with :func:`json.loads` instead: the kernel
        flagged it (invalid JSON, unexpected types, unusual constructs) or the file cannot be
        read. The json.loads path then reports the problem, if there is one.

    Examples
    --------
    >>> scan = scan_ground_truth(b'{"images": [{"id": 7}], "categories": [{"id": 1, "name": "a"}],'
    ...                          b' "annotations": [{"id": 3, "image_id": 7, "category_id": 1,'
    ...                          b' "bbox": [1, 2, 3.5, 4]}]}')
    >>> scan.image_ids, scan.bbox, scan.area, scan.iscrowd
    (array([7]), array([[1. , 2. , 3.5, 4. ]]), array([nan]), array([-1]))
    >>> scan.annotations[0]["bbox"], scan_ground_truth(b'{"images": [}')
    ([1, 2, 3.5, 4], None)
    """
    buf = _buffer(source)
    if buf is None:
        return None
    (status, _, _, image_ids, ints, bbox, area, segments, slow, cat_start,
     cat_end, image_sizes) = _scan.scan_ground_truth(buf)
    if status != _scan.OK:
        return None
    # Numbers the kernel left to Python's float() (subnormals, > 19 digits, ...): a few at most.
    for record, column, start, end in slow.tolist():
        value = float(buf[start:end].tobytes())
        if column == _scan.GT_COL_AREA:
            area[record] = value
        else:
            bbox[record, column - _scan.COL_BBOX] = value
    categories = json.loads(buf[cat_start:cat_end].tobytes())
    record_span = ints[_scan.COL_REC_START : _scan.COL_REC_END + 1].T
    annotations = Annotations(_frozen(buf), _frozen(record_span), _frozen(segments))
    return GroundTruthScan(
        image_ids=image_ids,
        image_sizes=image_sizes,
        categories=categories,
        ann_id=ints[_scan.GT_COL_ANN_ID],
        image_id=ints[_scan.COL_IMAGE_ID],
        category_id=ints[_scan.COL_CATEGORY_ID],
        bbox=bbox,
        area=area,
        iscrowd=ints[_scan.GT_COL_ISCROWD],
        annotations=annotations,
    )


def _buffer(source) -> np.ndarray | None:
    """The document followed by the scanners' zero padding, or None (not a path or bytes,
    unreadable)."""
    if isinstance(source, (bytes, bytearray)):
        return _padded(source)
    if isinstance(source, memoryview):
        return _padded(source.tobytes())
    if isinstance(source, (str, os.PathLike)):
        try:
            return read_padded(os.fspath(source))
        except (OSError, ValueError):  # ValueError: embedded NUL in the path
            return None
    return None
