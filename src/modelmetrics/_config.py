"""JIT compilation flags and the memory policy, read once from the environment.

Every kernel of the package is compiled with the flags defined here and nowhere else:

``MODELMETRICS_JIT_CACHE`` (default ``1``)
    Cache compiled kernels on disk (Numba ``cache=True``), so that only the very first call
    on a machine pays for compilation.
``MODELMETRICS_JIT_PARALLEL`` (default ``1``)
    Let large inputs run on all cores (Numba ``parallel=True`` kernels). With ``0`` the
    serial kernels are used for every input size; results are the same to rounding.
``MODELMETRICS_JIT_FASTMATH`` (default ``0``)
    Numba ``fastmath``. Off: it would let the compiler reorder floating-point sums and
    ignore NaN, which breaks the exactness guarantees. It exists for experiments only.
``MODELMETRICS_KEEP_FREED_MEMORY`` (default ``0``)
    With ``1``, ``import modelmetrics`` calls :func:`modelmetrics.keep_freed_memory`: glibc then
    keeps freed memory for reuse, a process-wide choice (see that function).

The number of threads is Numba's own setting (``NUMBA_NUM_THREADS``), and so is the cache
folder (``NUMBA_CACHE_DIR``).

OpenMP (Numba's threading layer here): unless the environment sets ``GOMP_SPINCOUNT`` or
``OMP_WAIT_POLICY``, ``import modelmetrics`` sets ``GOMP_SPINCOUNT`` to ``OPENMP_SPIN_COUNT``
(1,000, libgomp's default is 300,000): a worker thread that has finished its share of a
parallel kernel then waits for the others, and for the next kernel, busily for a few
microseconds only, before it sleeps. Busy waiting keeps a core from the threads that still
have work: the threads that read the next inputs when evaluations follow each other (2 ms of a
36 ms segm evaluation on 2 cores with libgomp's default), and above all our own other worker
when another process takes part of the machine. With one CPU-bound process beside it on the 2
cores of the development machine, the bbox benchmark evaluation took a median of 188 ms with a
spin of 30,000 (single runs up to 270 ms) and 129 ms with 1,000; with the machine to itself the
two settings gave the same times, and so did 1,000 to 100,000 on the segm benchmark. Set either
variable to keep libgomp's own behaviour (``GOMP_SPINCOUNT=300000`` is its default). It takes
effect if libgomp is loaded after the import (Numba loads it at the first parallel kernel),
and is inherited by subprocesses, as any environment variable.
"""

from __future__ import annotations

import os

__all__ = ["JIT_CACHE", "JIT_PARALLEL", "JIT_FASTMATH", "KEEP_FREED_MEMORY", "OPENMP_SPIN_COUNT",
           "PARALLEL_MIN_ITEMS", "jit_options", "threads_for"]


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(
        f"The environment variable {name} must be one of 1/0, true/false, yes/no, on/off. "
        f"Got {raw!r} instead; unset it to use the default ({int(default)})."
    )


JIT_CACHE: bool = _flag("MODELMETRICS_JIT_CACHE", True)
JIT_PARALLEL: bool = _flag("MODELMETRICS_JIT_PARALLEL", True)
JIT_FASTMATH: bool = _flag("MODELMETRICS_JIT_FASTMATH", False)
KEEP_FREED_MEMORY: bool = _flag("MODELMETRICS_KEEP_FREED_MEMORY", False)
OPENMP_SPIN_COUNT = 1_000
if "GOMP_SPINCOUNT" not in os.environ and "OMP_WAIT_POLICY" not in os.environ:
    os.environ["GOMP_SPINCOUNT"] = str(OPENMP_SPIN_COUNT)


def jit_options(*, parallel: bool = False) -> dict:
    """Keyword arguments for ``numba.njit`` with the package's flags.

    Parameters
    ----------
    parallel : bool
        Whether the kernel is a multi-core one. It is compiled with ``parallel=True`` only when
        ``MODELMETRICS_JIT_PARALLEL`` allows it.

    Returns
    -------
    dict
        ``cache``, ``fastmath``, ``nogil`` and ``parallel``.

    Examples
    --------
    >>> sorted(jit_options())
    ['cache', 'fastmath', 'nogil', 'parallel']
    """
    return {
        "cache": JIT_CACHE,
        "fastmath": JIT_FASTMATH,
        "nogil": True,
        "parallel": bool(parallel and JIT_PARALLEL),
    }


#: Inputs smaller than this run their parallel kernels on the calling thread only: waking the
#: thread pool costs more than it saves, and far more on a busy machine.
PARALLEL_MIN_ITEMS = 20_000


class threads_for:
    """Context manager: use one thread for inputs of fewer than ``PARALLEL_MIN_ITEMS`` items.

    Examples
    --------
    >>> with threads_for(10):
    ...     pass
    """

    def __init__(self, n_items: int):
        self.serial = n_items < PARALLEL_MIN_ITEMS or not JIT_PARALLEL
        self.previous = None

    def __enter__(self):
        if self.serial:
            import numba

            self.previous = numba.get_num_threads()
            numba.set_num_threads(1)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            import numba

            numba.set_num_threads(self.previous)
        return False
