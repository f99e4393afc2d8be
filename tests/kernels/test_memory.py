"""Arrays on huge pages: same arrays as np.empty, aligned, and advised to the operating system.
Prefetching: accepted for every layout the kernels pass, and without effect on values."""

import os

import numpy as np
import pytest
from numba import njit

from modelmetrics.kernels.memory import HUGE_PAGE_BYTES, empty, empty_on_huge_pages, prefetch


@njit(cache=False)
def _filled(n):
    out = empty_on_huge_pages(n, np.int64)
    for i in range(n):
        out[i] = 3 * i
    return out


@pytest.mark.parametrize("dtype", [np.uint8, np.bool_, np.int64, np.float64])
@pytest.mark.parametrize("nbytes", [0, 8, HUGE_PAGE_BYTES - 8, HUGE_PAGE_BYTES, 5 * HUGE_PAGE_BYTES + 24])
def test_shape_dtype_and_alignment(dtype, nbytes):
    n = nbytes // np.dtype(dtype).itemsize
    array = empty(n, dtype)
    assert array.shape == (n,) and array.dtype == np.dtype(dtype)
    assert array.flags.c_contiguous and array.flags.writeable
    if nbytes >= HUGE_PAGE_BYTES:
        assert array.ctypes.data % HUGE_PAGE_BYTES == 0
    array[:] = 1  # the whole array is writable memory
    assert np.all(array == 1)


def test_several_dimensions():
    array = empty((3, 500_000, 4), np.uint8)
    assert array.shape == (3, 500_000, 4) and array.flags.c_contiguous
    assert empty((0, 4)).shape == (0, 4)


def test_arrays_made_in_a_kernel_hold_their_values_and_do_not_overlap():
    first, second = _filled(1_000_000), _filled(1_000_000)
    assert np.array_equal(first, 3 * np.arange(1_000_000))
    second[:] = -1
    assert np.array_equal(first, 3 * np.arange(1_000_000))
    assert not np.shares_memory(first, second)


def _vma_flags(address):
    """The VmFlags of the memory mapping that holds ``address`` (/proc/self/smaps)."""
    current = None
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                low, high = (int(part, 16) for part in head.split("-"))
                current = low <= address < high
            elif head == "VmFlags:" and current:
                return line.split()[1:]
    return None


@pytest.mark.skipif(not os.path.exists("/sys/kernel/mm/transparent_hugepage/enabled"),
                    reason="no transparent huge pages (Linux only)")
def test_large_arrays_are_advised_for_huge_pages():
    large = empty(4 * HUGE_PAGE_BYTES, np.uint8)
    assert "hg" in _vma_flags(large.ctypes.data)  # MADV_HUGEPAGE applies to its mapping
    assert "hg" in _vma_flags(large.ctypes.data + large.nbytes - 1)



@njit(cache=False)
def _gather(values, order, ahead):
    out = np.empty_like(values)
    for i in range(order.shape[0]):
        prefetch(values, order[i + ahead] if i + ahead < order.shape[0] else order.shape[0] + 9)
        out[i] = values[order[i]]
    return out


@pytest.mark.parametrize("layout", ["1-D", "2-D", "3-D, not contiguous"])
def test_prefetch_takes_any_layout_and_leaves_values_alone(layout):
    rng = np.random.default_rng(4)
    base = rng.random((20_000, 4, 10))
    values = {"1-D": base[:, 0, 0].copy(), "2-D": base[:, :, 0].copy(),
              "3-D, not contiguous": base[:, :, :7]}[layout]
    order = rng.permutation(values.shape[0])
    for ahead in (0, 16, 64):  # past the end too: a row out of range is never read
        assert np.array_equal(_gather(values, order, ahead), values[order])
