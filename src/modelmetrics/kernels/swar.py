"""Eight bytes at a time ("SIMD within a register") for the JSON scanners.

:func:`load_u64` reads eight bytes of a uint8 array (or of its :func:`data_pointer`) at any
offset as one uint64, byte ``i`` in the low bits: every platform Numba supports (x86-64,
AArch64, ppc64le) is little-endian. :func:`digit_run` finds how many of the eight bytes are
ASCII digits and converts those to their value, with a few integer operations instead of a
branch per digit; :func:`trailing_zeros` is the count instruction it needs.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .._config import jit_options

_INLINE = {**jit_options(), "inline": "always"}

_ASCII_ZEROS = np.uint64(0x3030303030303030)
_ABOVE_NINE = np.uint64(0x4646464646464646)  # a byte > '9' gets its high bit set when added
_HIGH_BITS = np.uint64(0x8080808080808080)
_LOW_BYTES = np.uint64(0x000000FF000000FF)
_HUNDRED_MILLION_STEP = np.uint64(100 + (1000000 << 32))
_TEN_THOUSAND_STEP = np.uint64(1 + (10000 << 32))
_U8 = np.uint64(8)
_U10 = np.uint64(10)
_U16 = np.uint64(16)
_U32 = np.uint64(32)
_UINT32_MASK = np.uint64(0xFFFFFFFF)


@intrinsic
def load_u64(typingctx, buf, i):
    """The eight bytes ``buf[i:i + 8]`` of a uint8 array as a little-endian uint64 (an unaligned
    load: the caller guarantees ``i + 8 <= buf.shape[0]``)."""
    if isinstance(buf, types.Array) and buf.dtype == types.uint8:
        from_array = True
    elif isinstance(buf, types.CPointer) and buf.dtype == types.uint8:
        from_array = False
    else:
        return None
    if not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        if from_array:
            data = context.make_array(signature.args[0])(context, builder, args[0]).data
        else:
            data = args[0]
        offset = context.cast(builder, args[1], signature.args[1], types.intp)
        pointer = builder.gep(data, [offset])
        wide = builder.bitcast(pointer, ir.IntType(64).as_pointer())
        return builder.load(wide, align=1)

    return types.uint64(buf, i), codegen


@intrinsic
def data_pointer(typingctx, array):
    """The data pointer of a C-contiguous array: indexing it has no bounds or negative-index
    handling and no reference counting (the caller keeps the array alive and in range)."""
    if not (isinstance(array, types.Array) and array.layout == "C"):
        return None

    def codegen(context, builder, signature, args):
        return context.make_array(signature.args[0])(context, builder, args[0]).data

    return types.CPointer(array.dtype)(array), codegen


@intrinsic
def trailing_zeros(typingctx, value):
    """Trailing zero bits of a uint64 (64 for 0)."""
    if value != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return types.uint64(value), codegen


@njit(**_INLINE)
def digit_run(word):
    """The leading ASCII digits of eight bytes (``word`` from :func:`load_u64`).

    Returns
    -------
    count : int
        How many of the first bytes are digits, 0 to 8.
    value : int
        The number they spell (0 when ``count`` is 0).

    Examples
    --------
    >>> import numpy as np
    >>> buf = np.frombuffer(b"12345.678", np.uint8)
    >>> _digit_run_at(buf, 0)
    (5, 12345)
    """
    # a non-digit byte sets its high bit in (byte + 0x46) (above '9') or in (byte - 0x30)
    # (below '0'); carries and borrows only run towards later bytes, past the first non-digit
    non_digit = ((word + _ABOVE_NINE) | (word - _ASCII_ZEROS)) & _HIGH_BITS
    count = trailing_zeros(non_digit) >> np.uint64(3)
    if count == 0:
        return np.int64(0), np.int64(0)
    digits = (word - _ASCII_ZEROS) << (_U8 * (_U8 - count))  # left-padded with zero digits
    digits = digits * _U10 + (digits >> _U8)
    digits = (((digits & _LOW_BYTES) * _HUNDRED_MILLION_STEP)
              + (((digits >> _U16) & _LOW_BYTES) * _TEN_THOUSAND_STEP)) >> _U32
    return np.int64(count), np.int64(digits & _UINT32_MASK)


_ONES = np.uint64(0x0101010101010101)
_QUOTES = np.uint64(0x2222222222222222)
_BACKSLASHES = np.uint64(0x5C5C5C5C5C5C5C5C)
_SPACES = np.uint64(0x2020202020202020)


@njit(**_INLINE)
def plain_text_run(word):
    """How many of the first bytes of eight (``word`` from :func:`load_u64`) a JSON string can
    hold as they are: ASCII, not a quote, not a backslash, not a control character. 0 to 8.

    Examples
    --------
    >>> import numpy as np
    >>> _plain_text_run_at(np.frombuffer(b'abc"defgh', np.uint8), 0)
    3
    """
    # a zero byte of x sets its high bit in (x - 0x01..) & ~x; borrows only run towards later
    # bytes, past the first flagged one: the first flagged byte is exact
    quote = word ^ _QUOTES
    backslash = word ^ _BACKSLASHES
    special = (((quote - _ONES) & ~quote) | ((backslash - _ONES) & ~backslash)
               | ((word - _SPACES) & ~word) | word) & _HIGH_BITS
    if special == 0:
        return np.int64(8)
    return np.int64(trailing_zeros(special) >> np.uint64(3))


@njit(**jit_options())
def _digit_run_at(buf, i):
    """:func:`digit_run` of ``buf[i:i + 8]`` (for tests and examples)."""
    return digit_run(load_u64(buf, i))


@njit(**jit_options())
def _load_at(buf, i):
    """:func:`load_u64` (for tests)."""
    return load_u64(buf, i)


@njit(**jit_options())
def _trailing_zeros_of(value):
    """:func:`trailing_zeros` (for tests)."""
    return trailing_zeros(value)


@njit(**jit_options())
def _plain_text_run_at(buf, i):
    return plain_text_run(load_u64(buf, i))
