"""Memory for the kernels: large arrays on huge pages where the operating system offers them,
and reads asked for ahead of use.

A kernel's large output (an order of 500,000 detections is 4 MB) is often memory that the
process has just received from the operating system, which maps it one 4 KiB page at a time on
first write. On the development machine (a virtual machine) each such page fault cost about
2.5 µs, more than writing the page: 0.6 ms per MB. Linux can map the same memory in 2 MiB pages
instead ("transparent huge pages"), 512 times fewer faults, for the memory ranges a program
advises it to (``madvise(MADV_HUGEPAGE)``; the default setting of most distributions, ``madvise``,
gives huge pages only there). NumPy advises every array of 4 MB or more that it allocates
itself, but arrays that a Numba kernel makes with ``np.empty`` come from ``malloc`` without
that advice. :func:`empty_on_huge_pages` makes them with that advice, aligned so that it applies
to all of them.

The advice changes only how the memory is mapped, never its content. It does nothing on other
operating systems, for ranges that hold no whole huge page, or where the system's setting is
``never``.

:func:`prefetch` is the other half of memory for the kernels: a loop that reads arrays in a
random order (the accumulation reads every detection's rank, score and outcomes by score
within a category) waits for each read in turn unless the reads are asked for ahead of use.
"""

import sys

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .._config import jit_options

HUGE_PAGE_BYTES = 2 * 1024 * 1024  # x86-64 and the usual AArch64 kernels
_MADV_HUGEPAGE = 14  # Linux, every architecture
_ADVISE = sys.platform.startswith("linux")
# how far ahead (in items) the kernels' random-order loops prefetch: measured on the accumulation
# (8: 13.9 ms, 16: 12.9, 32: 11.6, 64: 10.5, 128: 10.8, 256: 11.1)
PREFETCH_AHEAD = 64


@intrinsic
def _advise_huge_pages(typingctx, address, length):
    """``madvise(address, length, MADV_HUGEPAGE)`` on Linux (its result ignored: the advice is
    an optimisation); nothing elsewhere. ``address`` and ``length``: integers, ``address``
    aligned to the page size."""
    if not (isinstance(address, types.Integer) and isinstance(length, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        if _ADVISE:
            pointer_type = ir.IntType(8).as_pointer()
            size_type = context.get_value_type(types.intp)
            madvise_type = ir.FunctionType(ir.IntType(32),
                                           [pointer_type, size_type, ir.IntType(32)])
            madvise = builder.module.globals.get("madvise")
            if madvise is None:
                madvise = ir.Function(builder.module, madvise_type, "madvise")
            start = builder.inttoptr(context.cast(builder, args[0], signature.args[0], types.intp),
                                     pointer_type)
            size = context.cast(builder, args[1], signature.args[1], types.intp)
            builder.call(madvise, [start, size, ir.Constant(ir.IntType(32), _MADV_HUGEPAGE)])
        return context.get_dummy_value()

    return types.none(address, length), codegen


@njit(inline="always", **jit_options())
def empty_on_huge_pages(n, dtype):
    """``np.empty(n, dtype)``, placed on whole huge pages that the operating system is advised
    to map as such, when it takes at least one huge page (2 MiB); else ``np.empty`` itself.

    The array starts on a huge-page boundary: a huge page is only used where an aligned 2 MiB
    range lies in advised memory with nothing written to it yet, so an array that started
    elsewhere would lose its first and last partial pages, and more than half of a 4 MB array.
    The allocation is up to two huge pages larger than the array; the part before it is never
    written, and the part after it is at most the rest of the array's last huge page.

    Parameters
    ----------
    n : int
        Number of items.
    dtype : NumPy scalar type (``np.int64``, ``np.float64``, ...)

    Returns
    -------
    ndarray (n,) of ``dtype``, C-contiguous, uninitialised. Reshape it for more dimensions.

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> @njit
    ... def ones(n):
    ...     out = empty_on_huge_pages(n, np.float64)
    ...     out[:] = 1.0
    ...     return out
    >>> ones(1_000_000).shape, float(ones(1_000_000).sum())
    ((1000000,), 1000000.0)
    """
    itemsize = np.empty(0, dtype).itemsize
    nbytes = n * itemsize
    if nbytes < HUGE_PAGE_BYTES:
        return np.empty(n, dtype)
    span = (nbytes + HUGE_PAGE_BYTES - 1) // HUGE_PAGE_BYTES * HUGE_PAGE_BYTES
    raw = np.empty(span + HUGE_PAGE_BYTES, np.uint8)
    skip = -raw.ctypes.data % HUGE_PAGE_BYTES
    _advise_huge_pages(raw.ctypes.data + skip, span)
    return raw[skip:skip + nbytes].view(dtype)


def empty(shape, dtype=np.float64) -> np.ndarray:
    """:func:`empty_on_huge_pages` for Python code: ``np.empty(shape, dtype)`` whose memory
    starts on a huge page, for large arrays that kernels fill.

    Parameters
    ----------
    shape : int or tuple of int
    dtype : NumPy scalar type

    Returns
    -------
    ndarray of ``shape``, C-contiguous, uninitialised.

    Examples
    --------
    >>> empty((3, 1_000_000), np.uint8).shape
    (3, 1000000)
    """
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(size) for size in shape)
    return empty_on_huge_pages(int(np.prod(shape, dtype=np.int64)), dtype).reshape(shape)


@intrinsic
def prefetch(typingctx, array, row):
    """Ask the CPU to bring the start of ``array[row]`` (the element of a 1-D array, the first
    bytes of a row of a larger one; any layout) into the cache ahead of its use: a hint, with
    no effect on results, that lets a loop reading an array in a random order have many of
    those reads in flight instead of one at a time. ``row`` may be out of range (nothing is
    read there).

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> @njit
    ... def gather(values, order):
    ...     out = np.empty(order.shape[0])
    ...     for i in range(order.shape[0]):
    ...         if i + 16 < order.shape[0]:
    ...             prefetch(values, order[i + 16])
    ...         out[i] = values[order[i]]
    ...     return out
    >>> gather(np.arange(5.0), np.array([4, 0, 3])).tolist()
    [4.0, 0.0, 3.0]
    """
    if not (isinstance(array, types.Array) and isinstance(row, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        view = context.make_array(signature.args[0])(context, builder, args[0])
        byte_pointer = ir.IntType(8).as_pointer()
        offset = builder.mul(context.cast(builder, args[1], signature.args[1], types.intp),
                             builder.extract_value(view.strides, 0))
        at = builder.gep(builder.bitcast(view.data, byte_pointer), [offset])
        i32 = ir.IntType(32)
        function = builder.module.globals.get("llvm.prefetch.p0")
        if function is None:
            function = ir.Function(builder.module, ir.FunctionType(
                ir.VoidType(), [byte_pointer, i32, i32, i32]), "llvm.prefetch.p0")
        # read, high temporal locality, data cache
        builder.call(function, [at, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.none(array, row), codegen
