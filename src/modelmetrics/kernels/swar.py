"""Several bytes at a time for the JSON scanners and the RLE string reader: eight in one
integer ("SIMD within a register"), 16 or 32 in one vector.

:func:`load_u64` reads eight bytes of a uint8 array (or of its :func:`data_pointer`) at any
offset as one uint64, byte ``i`` in the low bits: every platform Numba supports (x86-64,
AArch64, ppc64le) is little-endian. :func:`digit_run` finds how many of the eight bytes are
ASCII digits and converts those to their value, with a few integer operations instead of a
branch per digit; :func:`trailing_zeros` is the count instruction it needs.
:func:`short_decimal` reads a short number with its dot, and :func:`numeric_span` bounds its
length with fewer operations, so that a scanner finds the next token sooner.
:func:`string_specials_32` flags the bytes of 32 that end a run of plain string text, with one
vector comparison per kind of byte. :func:`one_char_chains_16` and
:func:`store_one_char_runs_16` read sixteen one-character codes of a COCO RLE string as two
chains of eight deltas (prefix sums in vector lanes). The vector intrinsics are plain LLVM
vector operations: LLVM picks the instructions of the CPU (SSE2 at least on x86-64).
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .._config import jit_options

_INLINE = {**jit_options(), "inline": "always"}

_ASCII_ZEROS = np.uint64(0x3030303030303030)
_ASCII_DOTS = np.uint64(0x2E2E2E2E2E2E2E2E)
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


@intrinsic
def store_u64(typingctx, buf, i, value):
    """Write ``value`` (uint64) as the eight little-endian bytes ``buf[i:i + 8]`` of a uint8
    array (an unaligned store: the caller guarantees ``i + 8 <= buf.shape[0]``)."""
    if not (isinstance(buf, types.Array) and buf.dtype == types.uint8
            and isinstance(i, types.Integer) and value == types.uint64):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        pointer = builder.gep(data, [context.cast(builder, args[1], signature.args[1],
                                                  types.intp)])
        builder.store(args[2], builder.bitcast(pointer, ir.IntType(64).as_pointer()), align=1)
        return context.get_dummy_value()

    return types.none(buf, i, value), codegen


_ONES_8 = np.uint64(0x0101010101010101)


@njit(**_INLINE)
def fill_run(buf, start, length, value):
    """``buf[start:start + length] = value`` for a uint8 array, eight bytes per store when
    ``length >= 8`` (the last store may overlap the one before it: no store goes past the run).

    Examples
    --------
    >>> import numpy as np
    >>> buf = np.zeros(16, np.uint8)
    >>> _fill_run_at(buf, 3, 10, 7)
    >>> buf.tolist()
    [0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0]
    """
    if length < 8:
        for k in range(length):
            buf[start + k] = value
        return
    word = np.uint64(value) * _ONES_8
    for offset in range(0, length - 8, 8):
        store_u64(buf, start + offset, word)
    store_u64(buf, start + length - 8, word)


@njit(**jit_options())
def _fill_run_at(buf, start, length, value):
    """:func:`fill_run` (for tests and examples)."""
    fill_run(buf, start, length, np.uint8(value))


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
        quote = builder.icmp_signed("==", loaded, _splat(_BYTES_32, 34))
        backslash = builder.icmp_signed("==", loaded, _splat(_BYTES_32, 92))
        # signed: bytes above 127 are negative, below 32 as the control characters are
        other = builder.icmp_signed("<", loaded, _splat(_BYTES_32, 32))
        flags = builder.or_(builder.or_(quote, backslash), other)
        return builder.zext(builder.bitcast(flags, ir.IntType(32)), ir.IntType(64))

    return types.uint64(buf, i), codegen


def _splat(vector_type, value):
    """The constant ``value`` in every lane of ``vector_type``."""
    return ir.Constant(vector_type, [value] * vector_type.count)


def _lane_indices(indices):
    """A shuffle mask."""
    return ir.Constant(ir.VectorType(ir.IntType(32), len(indices)), indices)


def _broadcast(builder, value, vector_type):
    """``value`` (a scalar of the lanes' type) in every lane of ``vector_type``."""
    undefined = ir.Constant(vector_type, None)
    first = builder.insert_element(undefined, value, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(first, undefined, _lane_indices([0] * vector_type.count))


@intrinsic
def count_byte_32(typingctx, buf, i, value):
    """How many of the 32 bytes ``buf[i:i + 32]`` equal ``value`` (one vector comparison and a
    population count; an unaligned load: the caller guarantees ``i + 32 <= buf.shape[0]``).

    Examples
    --------
    >>> import numpy as np
    >>> _count_byte_at(np.frombuffer(b'[{"a": {}}, {}]' + bytes(17), np.uint8), 0, ord("{"))
    3
    """
    if not (_is_byte_source(buf, i) and isinstance(value, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        buf_type, i_type, value_type = signature.args
        loaded = _load(context, builder, types.none(buf_type, i_type), args[:2], _BYTES_32)
        byte = builder.trunc(context.cast(builder, args[2], value_type, types.int64),
                             ir.IntType(8))
        target = _broadcast(builder, byte, _BYTES_32)
        bits = builder.bitcast(builder.icmp_unsigned("==", loaded, target), ir.IntType(32))
        return builder.zext(builder.ctpop(bits), ir.IntType(64))

    return types.int64(buf, i, value), codegen


_BYTES_16 = ir.VectorType(ir.IntType(8), 16)
_LANES_8 = ir.VectorType(ir.IntType(16), 8)


def _vector_reduce(builder, operation, vector):
    """``llvm.vector.reduce.<operation>`` of an <8 x i16> vector."""
    name = f"llvm.vector.reduce.{operation}.v8i16"
    module = builder.module
    function = module.globals.get(name)
    if function is None:
        function = ir.Function(module, ir.FunctionType(ir.IntType(16), [_LANES_8]), name=name)
    return builder.call(function, [vector])


def _chain_prefix(builder, deltas):
    """Prefix sums of eight i16 lanes: three shifted additions."""
    zeros = ir.Constant(_LANES_8, None)
    for step in (1, 2, 4):
        mask = [8] * step + list(range(8 - step))  # lane k takes lane k - step, or a zero
        deltas = builder.add(deltas, builder.shuffle_vector(deltas, zeros, _lane_indices(mask)))
    return deltas


def _one_char_prefixes(builder, loaded):
    """Of 16 loaded bytes: whether all are one-character codes (i1), and the prefix sums of
    the deltas at even and at odd offsets (two <8 x i16>)."""
    digits = builder.sub(loaded, _splat(_BYTES_16, 48))
    one_char = builder.icmp_unsigned("<", digits, _splat(_BYTES_16, 32))
    every = builder.icmp_signed("==", builder.bitcast(one_char, ir.IntType(16)),
                                ir.Constant(ir.IntType(16), -1))
    deltas = builder.sub(builder.xor(digits, _splat(_BYTES_16, 16)), _splat(_BYTES_16, 16))
    prefixes = []
    for first in (0, 1):
        lanes = builder.shuffle_vector(deltas, ir.Constant(_BYTES_16, None),
                                       _lane_indices([first + 2 * k for k in range(8)]))
        prefixes.append(_chain_prefix(builder, builder.sext(lanes, _LANES_8)))
    return every, prefixes


@intrinsic
def one_char_chains_16(typingctx, buf, i):
    """Sixteen RLE characters ``buf[i:i + 16]`` read as one-character codes (48..79, a delta
    in -16..15 each): the bytes at even and at odd offsets are two chains of eight deltas (from
    the fourth run on, each run is the run two before plus its delta).

    Returns (all one-character codes (0 or 1), then for the even chain and for the odd one:
    the sum of its eight prefix sums, the last prefix sum, the smallest prefix sum). One
    vector load and a few vector operations; an unaligned load: the caller guarantees
    ``i + 16 <= buf.shape[0]``.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.frombuffer(b"1" * 8 + b"0" * 8, np.uint8)  # deltas +1 (8 times), then 0
    >>> _one_char_chains_at(codes, 0)  # prefixes 1, 2, 3, 4, 4, 4, 4, 4 in each chain
    (1, 26, 4, 1, 26, 4, 1)
    """
    if not _is_byte_source(buf, i):
        return None
    result = types.UniTuple(types.int64, 7)

    def codegen(context, builder, signature, args):
        every, prefixes = _one_char_prefixes(builder, _load(context, builder, signature,
                                                            args, _BYTES_16))
        values = [builder.zext(every, ir.IntType(64))]
        for prefix in prefixes:
            for part in (_vector_reduce(builder, "add", prefix),
                         builder.extract_element(prefix, ir.Constant(ir.IntType(32), 7)),
                         _vector_reduce(builder, "smin", prefix)):
                values.append(builder.sext(part, ir.IntType(64)))
        return context.make_tuple(builder, signature.return_type, values)

    return result(buf, i), codegen


_RUNS_8 = ir.VectorType(ir.IntType(32), 8)


@intrinsic
def store_one_char_runs_16(typingctx, counts, at, buf, i, even_start, odd_start):
    """Write the sixteen runs that the one-character codes ``buf[i:i + 16]`` give to
    ``counts[at:at + 16]`` (uint32): run ``at + 2k`` is ``even_start`` plus the prefix sum of
    the even chain's first ``k + 1`` deltas, run ``at + 2k + 1`` the same from ``odd_start``
    (see :func:`one_char_chains_16`, whose conditions the caller has checked: every code one
    character, every run in 1..2**32 - 1). Unchecked: ``at + 16 <= counts.shape[0]``.

    Examples
    --------
    >>> import numpy as np
    >>> runs = np.zeros(16, np.uint32)
    >>> _store_one_char_runs_at(runs, np.frombuffer(b"1" * 8 + b"0" * 8, np.uint8), 10, 20)
    >>> runs.tolist()
    [11, 21, 12, 22, 13, 23, 14, 24, 14, 24, 14, 24, 14, 24, 14, 24]
    """
    if not (isinstance(counts, types.Array) and counts.dtype == types.uint32
            and counts.layout == "C" and isinstance(at, types.Integer)
            and _is_byte_source(buf, i) and isinstance(even_start, types.Integer)
            and isinstance(odd_start, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        counts_type, at_type, buf_type, i_type, even_type, odd_type = signature.args
        loaded = _load(context, builder, types.none(buf_type, i_type), args[2:4], _BYTES_16)
        _, prefixes = _one_char_prefixes(builder, loaded)
        runs = []
        for prefix, start, start_type in zip(prefixes, args[4:6], (even_type, odd_type)):
            start = builder.trunc(context.cast(builder, start, start_type, types.int64),
                                  ir.IntType(32))  # in 1..2**32 - 1: uint32 arithmetic
            runs.append(builder.add(builder.sext(prefix, _RUNS_8),
                                    _broadcast(builder, start, _RUNS_8)))
        interleaved = builder.shuffle_vector(runs[0], runs[1], _lane_indices(
            [k // 2 + 8 * (k % 2) for k in range(16)]))
        data = context.make_array(counts_type)(context, builder, args[0]).data
        pointer = builder.gep(data, [context.cast(builder, args[1], at_type, types.intp)])
        vector_type = ir.VectorType(ir.IntType(32), 16)
        builder.store(interleaved, builder.bitcast(pointer, vector_type.as_pointer()), align=4)
        return context.get_dummy_value()

    return types.none(counts, at, buf, i, even_start, odd_start), codegen


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


@njit(**_INLINE)
def numeric_span(word):
    """How many of the first bytes of eight (``word`` from :func:`load_u64`) are digits, dots or
    slashes (``.``, ``/`` and ``0``-``9`` are the byte range 46..57), 0 to 8.

    A quick upper bound of a number's length that depends on the bytes through four integer
    operations and one bit count, so that a scanner can find the next token before the
    number's value is ready; the value's own reading confirms it (no JSON number holds ``/``).

    Examples
    --------
    >>> import numpy as np
    >>> _numeric_span_at(np.frombuffer(b"297.49, ", np.uint8), 0)
    6
    """
    # a byte above '9' sets its high bit in (byte + 0x46), one below '.' in (byte - 0x2E)
    outside = ((word + _ABOVE_NINE) | (word - _ASCII_DOTS)) & _HIGH_BITS
    return np.int64(trailing_zeros(outside) >> np.uint64(3))


@njit(**_INLINE)
def short_decimal(word):
    """A decimal number of at most seven digits, with or without one ``.`` among them
    (``297.49``, ``0.88702``, ``42``), at the start of eight bytes, that ends inside them.

    Returns
    -------
    length : int
        Its bytes (digits and dot), or 0 when the bytes do not start with such a number: no
        digit first, a dot with no digit after it, or digits up to the eighth byte (the number
        may go on). What follows the number is the caller's to check (an exponent, say).
    value : int
        Its digits as an integer (``29749`` for ``297.49``).
    fraction : int
        How many of them follow the dot (0 without one).

    Examples
    --------
    >>> import numpy as np
    >>> _short_decimal_at(np.frombuffer(b"297.49, ", np.uint8), 0)
    (6, 29749, 2)
    """
    non_digit = ((word + _ABOVE_NINE) | (word - _ASCII_ZEROS)) & _HIGH_BITS
    whole = np.int64(trailing_zeros(non_digit) >> np.uint64(3))
    if whole == 0 or whole == 8:
        return np.int64(0), np.int64(0), np.int64(0)
    shift = np.uint64(8 * whole)
    if (word >> shift) & np.uint64(0xFF) != np.uint64(46):  # no dot: an integer
        count, value = digit_run(word)
        return count, value, np.int64(0)
    # drop the dot: the bytes after it move down one place (a zero byte comes in on top)
    below = (np.uint64(1) << shift) - np.uint64(1)
    count, value = digit_run((word & below) | ((word >> _U8) & ~below))
    if count == whole or count == 7:  # no digit after the dot, or it may go on
        return np.int64(0), np.int64(0), np.int64(0)
    return count + 1, value, count - whole


@njit(**jit_options())
def _numeric_span_at(buf, i):
    """:func:`numeric_span` of ``buf[i:i + 8]`` (for tests and examples)."""
    return numeric_span(load_u64(buf, i))


@njit(**jit_options())
def _short_decimal_at(buf, i):
    """:func:`short_decimal` of ``buf[i:i + 8]`` (for tests and examples)."""
    return short_decimal(load_u64(buf, i))


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


@njit(**jit_options())
def _one_char_chains_at(buf, i):
    """:func:`one_char_chains_16` (for tests and examples)."""
    return one_char_chains_16(buf, i)


@njit(**jit_options())
def _store_one_char_runs_at(counts, buf, even_start, odd_start):
    """:func:`store_one_char_runs_16` at 0 of both (for tests and examples)."""
    store_one_char_runs_16(counts, 0, buf, 0, even_start, odd_start)


@njit(**jit_options())
def _count_byte_at(buf, i, value):
    """:func:`count_byte_32` (for tests and examples)."""
    return count_byte_32(buf, i, value)
