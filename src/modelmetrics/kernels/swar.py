"""Several bytes at a time for the JSON scanners: eight in one integer ("SIMD within a
register"), 32 in one vector.

:func:`load_u64` reads eight bytes of a uint8 array (or of its :func:`data_pointer`) at any
offset as one uint64, byte ``i`` in the low bits: every platform Numba supports (x86-64,
AArch64, ppc64le) is little-endian. :func:`digit_run` finds how many of the eight bytes are
ASCII digits and converts those to their value, with a few integer operations instead of a
branch per digit; :func:`trailing_zeros` is the count instruction it needs.
:func:`string_specials_32` flags the bytes of 32 that end a run of plain string text, with one
vector comparison per kind of byte.
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


def _is_byte_source(buf, i) -> bool:
    """Typing of the loads: ``buf`` a uint8 array or pointer, ``i`` an integer."""
    return (isinstance(buf, (types.Array, types.CPointer)) and buf.dtype == types.uint8
            and isinstance(i, types.Integer))


def _load(context, builder, signature, args, value_type):
    """Codegen of the loads: an unaligned load of ``value_type`` at ``buf + i``."""
    buf_type, i_type = signature.args
    if isinstance(buf_type, types.Array):
        data = context.make_array(buf_type)(context, builder, args[0]).data
    else:
        data = args[0]
    pointer = builder.gep(data, [context.cast(builder, args[1], i_type, types.intp)])
    return builder.load(builder.bitcast(pointer, value_type.as_pointer()), align=1)


@intrinsic
def load_u64(typingctx, buf, i):
    """The eight bytes ``buf[i:i + 8]`` of a uint8 array as a little-endian uint64 (an unaligned
    load: the caller guarantees ``i + 8 <= buf.shape[0]``)."""
    if not _is_byte_source(buf, i):
        return None

    def codegen(context, builder, signature, args):
        return _load(context, builder, signature, args, ir.IntType(64))

    return types.uint64(buf, i), codegen


_BYTES_32 = ir.VectorType(ir.IntType(8), 32)


@intrinsic
def string_specials_32(typingctx, buf, i):
    """One bit per byte of ``buf[i:i + 32]`` (byte ``i + k`` in bit ``k``) that a JSON string
    cannot hold as it is: a quote, a backslash, a control character or a byte above 127. One
    vector comparison of 32 bytes where the CPU has them (LLVM splits it on others); an
    unaligned load: the caller guarantees ``i + 32 <= buf.shape[0]``.

    Examples
    --------
    >>> import numpy as np
    >>> text = np.frombuffer(b'abc"def' + bytes(25), np.uint8)  # the zero bytes are flagged
    >>> bin(int(_string_specials_at(text, 0)))
    '0b11111111111111111111111110001000'
    """
    if not _is_byte_source(buf, i):
        return None

    def codegen(context, builder, signature, args):
        loaded = _load(context, builder, signature, args, _BYTES_32)

        def splat(value):
            return ir.Constant(_BYTES_32, [value] * 32)

        quote = builder.icmp_signed("==", loaded, splat(34))
        backslash = builder.icmp_signed("==", loaded, splat(92))
        # signed: bytes above 127 are negative, below 32 as the control characters are
        other = builder.icmp_signed("<", loaded, splat(32))
        flags = builder.or_(builder.or_(quote, backslash), other)
        return builder.zext(builder.bitcast(flags, ir.IntType(32)), ir.IntType(64))

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
def _string_specials_at(buf, i):
    """:func:`string_specials_32` (for tests and examples)."""
    return string_specials_32(buf, i)
