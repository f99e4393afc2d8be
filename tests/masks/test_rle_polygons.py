"""``kernels.rle.from_polygons`` on many polygons at once (the ground-truth path of segm
evaluation: polygons of every size, each on its own image grid, in many parallel chunks) against
pycocotools' ``frPyObjects``, one polygon at a time."""

from __future__ import annotations

import numpy as np
import pytest

from modelmetrics.kernels import rle as K
from modelmetrics.masks._rles import Rles

M = pytest.importorskip("pycocotools.mask")


def _polygons(rng, n):
    """(polygon, h, w): random (mostly self-intersecting) polygons, circles of many points
    (counting sort of their outline points), slivers and polygons beyond the image."""
    out = []
    for t in range(n):
        h, w = (int(v) for v in rng.integers(1, [60, 60, 400, 700][t % 4], 2))
        kind = t % 3
        if kind == 0:  # random vertices, partly outside the image
            k = int(rng.integers(3, 20))
            x, y = rng.uniform(-0.3 * w, 1.3 * w, k), rng.uniform(-0.3 * h, 1.3 * h, k)
        elif kind == 1:  # a circle: many outline points
            k = int(rng.integers(8, 120))
            angle = np.sort(rng.uniform(0, 2 * np.pi, k))
            r = rng.uniform(0.5, 0.7) * min(h, w)
            x = w / 2 + r * np.cos(angle)
            y = h / 2 + r * np.sin(angle)
        else:  # a sliver across the image
            k = 4
            y0 = rng.uniform(0, h)
            x = np.array([-2, w + 2, w + 2, -2], float)
            y = np.array([y0, y0 + rng.uniform(0, 1.5), y0 + rng.uniform(0, 3), y0])
        poly = np.stack([x, y], 1).ravel()
        if t % 5 == 0:
            poly = np.round(poly)
        out.append((poly, h, w))
    return out


@pytest.mark.parametrize("seed", range(2))
def test_from_polygons_in_bulk_equals_pycocotools(seed):
    rng = np.random.default_rng(seed)
    polygons = _polygons(rng, 1500)
    part_start = np.zeros(len(polygons) + 1, np.int64)
    np.cumsum([p.size // 2 for p, _, _ in polygons], out=part_start[1:])
    xy = np.concatenate([p for p, _, _ in polygons]).reshape(-1, 2)
    h = np.array([h for _, h, _ in polygons], np.int64)
    w = np.array([w for _, _, w in polygons], np.int64)
    counts, start = K.from_polygons(xy, part_start, h, w)
    ours = Rles(counts, start, h, w).to_objects()
    expected = [M.frPyObjects([p.tolist()], h, w)[0] for p, h, w in polygons]
    assert ours == expected
    assert np.diff(start).max() > 100  # outlines long enough for the counting sort


def test_polygons_of_masks_with_2_to_the_32_pixels_or_more_equal_pycocotools():
    # rleFrPoly's outline points (column * h + row) are uint32 and wrap around in such masks:
    # pycocotools sorts the wrapped values; the order of columns is then not theirs
    h, w = 70_000, 70_000
    rng = np.random.default_rng(7)
    polygons = []
    for x0 in (61_000.0, 61_350.0, 500.0):  # wrapping inside the outline, all of it, none
        angle = np.sort(rng.uniform(0, 2 * np.pi, 60))
        x = x0 + 300 + 250 * np.cos(angle)
        y = 30_000 + 200 * np.sin(angle)
        polygons.append(np.stack([x, y], 1).ravel())
    part_start = np.arange(0, 61 * len(polygons), 60, dtype=np.int64)[:len(polygons) + 1]
    xy = np.concatenate(polygons).reshape(-1, 2)
    size = np.full(len(polygons), h, np.int64)
    counts, start = K.from_polygons(xy, part_start, size, size)
    ours = Rles(counts, start, size, size).to_objects()
    assert ours == [M.frPyObjects([p.tolist()], h, w)[0] for p in polygons]
