"""Work shared out while the threads run: each thread claims the next chunk when it is free.

Numba's ``prange`` (with the OpenMP threading layer) gives every thread an equal, fixed share of
the iterations. When another process takes part of one core, the thread on that core finishes
its share late and the other one waits for it at the end of the kernel. With
:func:`claim_next`, a kernel runs one ``prange`` iteration per thread, and each thread takes
chunk after chunk from a shared counter until none is left: a thread that runs slowly simply
takes fewer chunks. Which thread works on which chunk changes from run to run, so a kernel
written this way must give each chunk its own outputs (results do not depend on the split).

Usage in a kernel (``n_workers``: the caller's ``numba.get_num_threads()``, passed in because a
kernel that reads it is not cached on disk)::

    next_chunk = np.zeros(1, np.int64)
    for worker in prange(n_workers):
        chunk = claim_next(next_chunk)
        while chunk < n_chunks:
            ...  # work on chunk
            chunk = claim_next(next_chunk)

The counter is for claiming only: Numba does not know that :func:`claim_next` writes it, and
reading ``next_chunk[0]`` after the loop in the same kernel was seen to give the value it had
before the loop.
"""

from llvmlite import ir
from numba import types
from numba.extending import intrinsic


@intrinsic
def claim_next(typingctx, counter):
    """Atomically add 1 to ``counter[0]`` (an int64 array) and return its previous value: the
    index of the chunk the calling thread now owns.

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> @njit
    ... def claim_twice(counter):
    ...     return claim_next(counter), claim_next(counter)
    >>> counter = np.zeros(1, np.int64)
    >>> claim_twice(counter), int(counter[0])
    ((0, 1), 2)
    """
    if not (isinstance(counter, types.Array) and counter.dtype == types.int64):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        return builder.atomic_rmw("add", data, ir.Constant(ir.IntType(64), 1), "monotonic")

    return types.int64(counter), codegen
