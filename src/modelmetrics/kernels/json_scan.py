"""Scan a COCO *results* document (a JSON array of detection objects) straight from its bytes.

One pass over the raw bytes, no Python object per record. For each object of the top-level array
the scanner extracts ``image_id`` and ``category_id`` (int64), ``score`` and ``bbox`` (float64),
and, for ``segmentation``, the byte span of its raw JSON text (plus, when it is an object with a
string ``counts`` and a ``size`` of two integers, the span of the ``counts`` content and ``h, w``)
so a later stage can decode RLE masks without scanning again. Every other key is skipped, with
its value checked against the JSON grammar as strictly as Python's :func:`json.loads` checks it
(string escapes, control characters, UTF-8 as decoded with ``surrogatepass``, number syntax,
``NaN``/``Infinity`` accepted).

Numbers are correctly rounded, bit for bit what :func:`json.loads` gives:

* Clinger's fast path: a decimal mantissa ``w <= 2**53`` and a power of ten ``10**e`` with
  ``|e| <= 22`` are both exact doubles, so one multiplication or division rounds correctly
  (extended to ``e <= 37`` when ``w * 10**(e - 22)`` is still an exact integer);
* otherwise the Eisel–Lemire algorithm (as in Go's ``strconv`` and ``fast_float``) with a
  128-bit table of powers of ten; a mantissa of more than 19 digits is truncated and accepted
  when truncation and truncation + 1 round to the same double;
* what neither settles (subnormal results, huge exponents, exact halfway ambiguities) is *not*
  guessed: the token's span is recorded in the ``slow`` table for the caller to parse with
  Python's ``float()``.

Exactness relies on IEEE arithmetic as compiled with ``MODELMETRICS_JIT_FASTMATH`` off (the
default): fastmath may turn the division by ``10**e`` into a multiplication by its reciprocal.

An integer token (no fraction, no exponent) is an ``int`` for :func:`json.loads`; as a float
field it is converted like Python's ``float(int)``, so ``-0`` gives ``+0.0`` (while ``-0.0`` gives
``-0.0``).

Input contract: ``buf`` is a C-contiguous uint8 array whose last ``PADDING`` (32) bytes are ``0``
(a terminator that is not part of the document; NUL is invalid everywhere in JSON, so every loop
stops on it and no bound check is needed). Digits are read eight bytes at a time, a key as the
sixteen bytes after its opening quote and strings 32 bytes at a time: the padding keeps those reads
inside the array wherever in the document they start. Each public kernel checks the padding
(``ERR_BUFFER``), then reads through the array's data pointer
(:func:`~modelmetrics.kernels.swar.data_pointer`): no per-byte negative-index handling and no
reference counting in the loops, so the private helpers' ``buf`` is such a pointer. Kernels are
pure: they validate syntax and structure only and report the first problem as a status code, a byte
offset and the index of the record being read; the public layer turns that into a message (usually
by re-reading the document with :func:`json.loads`, which also settles the codes that are not
errors at all, like :data:`ERR_UNUSUAL`).
"""

import math

import numpy as np
from numba import njit

from .._config import jit_options
from .swar import (count_byte_32, data_pointer, digit_run, load_u64, numeric_span,
                   short_decimal, string_specials_32, trailing_zeros)

# Small helpers are inlined at Numba-IR level: as separate functions every call would pay an
# atomic reference-count update on the buffer.
_INLINE = {**jit_options(), "inline": "always"}

# --------------------------------------------------------------------------------------------
# Status codes returned by scan_results.
PADDING = 32  # zero bytes after the document (see the input contract)

OK = 0
ERR_SYNTAX = 1  # not valid JSON (or invalid UTF-8) at err_pos
ERR_TOP_LEVEL = 2  # the document is not an array
ERR_RECORD = 3  # an element of the array is not an object
ERR_MISSING = 4  # a record lacks image_id, category_id or score
ERR_ID = 5  # image_id / category_id not an integer (or out of range, or not settled)
ERR_SCORE = 6  # score is not a number
ERR_BBOX = 7  # bbox is not an array of exactly 4 numbers
ERR_GEOMETRY = 8  # a record has neither bbox nor segmentation
ERR_UNUSUAL = 9  # valid JSON the scanner does not handle (escaped or duplicate keys, deep nesting)
ERR_BUFFER = 10  # the buffer does not end with PADDING zero bytes
ERR_VALUE = 13  # a score or bbox value that is not finite, or a negative bbox width or height
# Returned by scan_results_part only (not errors: where a part of the document ends).
AT_STOP = -1  # the next record starts exactly at the requested stop offset
PAST_STOP = -2  # the next record starts after it: the stop offset was not a record boundary

# Rows of the int64 record table (N_INT_COLS, n). Output memory is kept small (fresh pages are
# expensive): whether a record has a bbox is a separate bool vector, and segmentations go to a
# separate table (below) with one column per record that has one.
COL_IMAGE_ID = 0
COL_CATEGORY_ID = 1
COL_REC_START = 2  # byte offset of the record's "{"
COL_REC_END = 3  # byte offset just after its "}"
N_INT_COLS = 4

# Rows of the int64 segmentation table (N_SEG_ROWS, s): one column per segmentation value.
SEG_RECORD = 0  # index of the record (result or annotation) it belongs to
SEG_START = 1  # raw JSON text of the segmentation value: [start, end)
SEG_END = 2
SEG_COUNTS_START = 3  # content of the "counts" string (between the quotes), -1 if not a string
SEG_COUNTS_END = 4
SEG_SIZE_H = 5  # "size": [h, w], -1 unless two non-negative integer tokens
SEG_SIZE_W = 6
SEG_FLAGS = 7  # FLAG_* bits
N_SEG_ROWS = 8

FLAG_COUNTS_ESCAPED = 1  # the counts string holds backslash escapes (RLE strings may hold \\)
FLAG_COUNTS_OTHER_ESCAPES = 2  # ... and some other than \\ (e.g. \u0030): json.loads reads it

# what _scan_string reports of a string's escapes
NO_ESCAPES = 0
BACKSLASHES_ONLY = 1  # every escape is a doubled backslash
OTHER_ESCAPES = 2

# Float fields, as named in the slow-number table: the score, and bbox value k as COL_BBOX + k.
COL_SCORE = 0
COL_BBOX = 1

# Columns of the slow-number table (m, 4): numbers the caller must parse with Python's float().
SLOW_RECORD = 0
SLOW_COLUMN = 1  # COL_SCORE or COL_BBOX + k
SLOW_START = 2
SLOW_END = 3

# Number flags returned by _parse_number.
NUM_INT_TOKEN = 1  # no fraction and no exponent
NUM_INT_OK = 2  # ... and the integer fits int64 (ival is valid)
NUM_SLOW = 4  # fval is not settled: parse the token with Python's float()
NUM_LITERAL = 8  # NaN, Infinity or -Infinity

MAX_DEPTH = 512  # deeper nesting in skipped values is left to json.loads

_INT_P10 = np.array([10**k for k in range(9)], dtype=np.int64)
_U0 = np.uint64(0)
_U1 = np.uint64(1)
_U3 = np.uint64(3)
_U9 = np.uint64(9)
_U10 = np.uint64(10)
_U32 = np.uint64(32)
_U63 = np.uint64(63)
_U53 = np.uint64(53)
_M32 = np.uint64(0xFFFFFFFF)
_M9 = np.uint64(0x1FF)
_MAX64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_TWO53 = np.uint64(1 << 53)
_INT64_MAX = np.uint64((1 << 63) - 1)
_INT64_NEG_MAX = np.uint64(1 << 63)


def _tables():
    """Exact constant tables, built once with Python integers."""
    p10 = np.array([float(10**k) for k in range(23)])  # exact doubles
    # Largest w with w * 10**k <= 2**53, for Clinger's extended range.
    clinger_max = np.array([(1 << 53) // 10**k for k in range(16)], dtype=np.uint64)
    # 128-bit mantissas of 10**q, q in [-348, 347], normalised to [2**127, 2**128) and rounded
    # down (the table of Go's strconv / wuffs, which the Eisel–Lemire checks below assume).
    hi = np.empty(696, dtype=np.uint64)
    lo = np.empty(696, dtype=np.uint64)
    for q in range(-348, 348):
        if q >= 0:
            v = 10**q
            bits = v.bit_length()
            m = v << (128 - bits) if bits <= 128 else v >> (bits - 128)
        else:
            d = 10**-q
            k = 127 + d.bit_length()
            m = (1 << k) // d
            while m >= 1 << 128:
                k -= 1
                m = (1 << k) // d
            while m < 1 << 127:
                k += 1
                m = (1 << k) // d
        hi[q + 348] = m >> 64
        lo[q + 348] = m & ((1 << 64) - 1)
    # 2**(e - 1075) for a biased exponent e: value = 53-bit mantissa * _POW2[e], exact.
    pow2 = np.array([math.ldexp(1.0, e - 1075) for e in range(2048)])
    return p10, clinger_max, hi, lo, pow2


_P10, _CLINGER_MAX, _POW10_HI, _POW10_LO, _POW2 = _tables()
_POW10_MIN_EXP = -348
_POW10_MAX_EXP = 347

_LIT_TRUE = np.frombuffer(b"true", dtype=np.uint8).copy()
_LIT_FALSE = np.frombuffer(b"false", dtype=np.uint8).copy()
_LIT_NULL = np.frombuffer(b"null", dtype=np.uint8).copy()
_LIT_NAN = np.frombuffer(b"NaN", dtype=np.uint8).copy()
_LIT_INFINITY = np.frombuffer(b"Infinity", dtype=np.uint8).copy()

_KEY_IMAGE_ID = np.frombuffer(b"image_id", dtype=np.uint8).copy()
_KEY_CATEGORY_ID = np.frombuffer(b"category_id", dtype=np.uint8).copy()
_KEY_SCORE = np.frombuffer(b"score", dtype=np.uint8).copy()
_KEY_BBOX = np.frombuffer(b"bbox", dtype=np.uint8).copy()
_KEY_SEGMENTATION = np.frombuffer(b"segmentation", dtype=np.uint8).copy()
_KEY_COUNTS = np.frombuffer(b"counts", dtype=np.uint8).copy()
_KEY_SIZE = np.frombuffer(b"size", dtype=np.uint8).copy()
_KEY_ID = np.frombuffer(b"id", dtype=np.uint8).copy()
_KEY_AREA = np.frombuffer(b"area", dtype=np.uint8).copy()
_KEY_ISCROWD = np.frombuffer(b"iscrowd", dtype=np.uint8).copy()
_KEY_HEIGHT = np.frombuffer(b"height", dtype=np.uint8).copy()
_KEY_WIDTH = np.frombuffer(b"width", dtype=np.uint8).copy()

# Bits of the per-record "seen" mask (also the key identifiers).
# Known keys of results and annotations, one bit each (also the bits of the per-record "seen"
# masks); _KEY_OTHER for any other key. Each scanner masks out the keys it does not read.
_SEEN_IMAGE_ID = 1
_SEEN_CATEGORY_ID = 2
_SEEN_SCORE = 4
_SEEN_BBOX = 8
_SEEN_SEGMENTATION = 16
_SEEN_ID = 32
_SEEN_AREA = 64
_SEEN_ISCROWD = 128
_KEY_OTHER = 0
_RESULT_KEYS = _SEEN_IMAGE_ID | _SEEN_CATEGORY_ID | _SEEN_SCORE | _SEEN_BBOX | _SEEN_SEGMENTATION


# --------------------------------------------------------------------------------------------
# Lexical helpers. Each takes the position of the first byte of its token.


@njit(**_INLINE)
def _document_size(buf):
    """Length of the document in ``buf``: the bytes before its ``PADDING`` zero bytes, or -1
    when they are missing (``ERR_BUFFER``)."""
    size = buf.shape[0] - PADDING
    if size < 0:
        return -1
    for k in range(PADDING):
        if buf[size + k] != 0:
            return -1
    return size


@njit(**_INLINE)
def _skip_ws(buf, i):
    """Index of the first byte at or after ``i`` that is not JSON whitespace."""
    while True:
        c = buf[i]
        if c > 32:
            return i
        if c == 32 or c == 10 or c == 13 or c == 9:
            i += 1
        else:
            return i


@njit(**_INLINE)
def _match(buf, i, literal):
    """Whether the bytes at ``i`` spell ``literal`` (stops at the first mismatch)."""
    for k in range(literal.shape[0]):
        if buf[i + k] != literal[k]:
            return False
    return True


@njit(**_INLINE)
def _equals(buf, start, length, key):
    """Whether ``buf[start:start + length]`` equals ``key``."""
    if length != key.shape[0]:
        return False
    for k in range(length):
        if buf[start + k] != key[k]:
            return False
    return True


@njit(**_INLINE)
def _is_hex(c):
    return (48 <= c <= 57) or (65 <= c <= 70) or (97 <= c <= 102)


@njit(**jit_options())
def _utf8_length(buf, i):
    """Length of the well-formed UTF-8 sequence starting at ``i`` (a byte >= 0x80), else 0.

    Rejects what :func:`json.loads` rejects in bytes (UTF-8 with ``surrogatepass``): overlong
    forms, truncated sequences and code points above U+10FFFF; encoded surrogates pass.
    """
    c = buf[i]
    if 0xC2 <= c <= 0xDF:
        return 2 if 0x80 <= buf[i + 1] <= 0xBF else 0
    lo = 0x80
    hi = 0xBF
    if c == 0xE0:
        lo = 0xA0
        size = 3
    elif 0xE1 <= c <= 0xEF:
        size = 3
    elif c == 0xF0:
        lo = 0x90
        size = 4
    elif 0xF1 <= c <= 0xF3:
        size = 4
    elif c == 0xF4:
        hi = 0x8F
        size = 4
    else:
        return 0
    if not (lo <= buf[i + 1] <= hi):
        return 0
    for k in range(2, size):
        if not (0x80 <= buf[i + k] <= 0xBF):
            return 0
    return size


@njit(**_INLINE)
def _scan_string(buf, i):
    """Scan the string whose opening quote is at ``i``.

    Returns
    -------
    status : int
        ``OK`` or ``ERR_SYNTAX``.
    end : int
        Index just after the closing quote, or the offset of the error.
    escaped : int
        ``NO_ESCAPES``, ``BACKSLASHES_ONLY`` or ``OTHER_ESCAPES`` (true when it has any).
    """
    i += 1
    escaped = NO_ESCAPES
    while True:
        special = string_specials_32(buf, i)  # 32 bytes at a time through plain text
        if special == 0:
            i += 32
            continue
        i += np.int64(trailing_zeros(special))
        c = buf[i]
        if c == 34:  # "
            return OK, i + 1, escaped
        if c == 92:  # backslash
            e = buf[i + 1]
            escaped = max(escaped, BACKSLASHES_ONLY if e == 92 else OTHER_ESCAPES)
            if e == 117:  # \uXXXX
                for k in range(2, 6):
                    if not _is_hex(buf[i + k]):
                        return ERR_SYNTAX, i + k, escaped
                i += 6
            elif e == 34 or e == 92 or e == 47 or e == 98 or e == 102 or e == 110 or e == 114 \
                    or e == 116:  # \" \\ \/ \b \f \n \r \t
                i += 2
            else:
                return ERR_SYNTAX, i + 1, escaped
        elif c < 32:  # control characters (and the NUL terminator) are invalid in strict JSON
            return ERR_SYNTAX, i, escaped
        elif c < 128:
            i += 1
        else:
            size = _utf8_length(buf, i)
            if size == 0:
                return ERR_SYNTAX, i, escaped
            i += size


@njit(**jit_options())
def _skip_number(buf, i):
    """Check the JSON number (or NaN / Infinity / -Infinity) at ``i``; (status, end)."""
    if buf[i] == 45:  # -
        i += 1
        if buf[i] == 73:
            return (OK, i + 8) if _match(buf, i, _LIT_INFINITY) else (ERR_SYNTAX, i)
    c = buf[i]
    if c == 48:
        i += 1
    elif 49 <= c <= 57:
        i += 1
        while 48 <= buf[i] <= 57:
            i += 1
    elif c == 78 and _match(buf, i, _LIT_NAN):
        return OK, i + 3
    elif c == 73 and _match(buf, i, _LIT_INFINITY):
        return OK, i + 8
    else:
        return ERR_SYNTAX, i
    if buf[i] == 46:  # .
        i += 1
        if not (48 <= buf[i] <= 57):
            return ERR_SYNTAX, i
        while 48 <= buf[i] <= 57:
            i += 1
    if buf[i] == 101 or buf[i] == 69:  # e E
        i += 1
        if buf[i] == 43 or buf[i] == 45:
            i += 1
        if not (48 <= buf[i] <= 57):
            return ERR_SYNTAX, i
        while 48 <= buf[i] <= 57:
            i += 1
    return OK, i


@njit(**jit_options())
def _skip_scalar(buf, i):
    """Check the number or literal at ``i``; (status, end)."""
    c = buf[i]
    if c == 116:
        return (OK, i + 4) if _match(buf, i, _LIT_TRUE) else (ERR_SYNTAX, i)
    if c == 102:
        return (OK, i + 5) if _match(buf, i, _LIT_FALSE) else (ERR_SYNTAX, i)
    if c == 110:
        return (OK, i + 4) if _match(buf, i, _LIT_NULL) else (ERR_SYNTAX, i)
    return _skip_number(buf, i)


@njit(**jit_options())
def _skip_key(buf, i):
    """Check ``"key" :`` at ``i``; (status, index of the value that follows)."""
    if buf[i] != 34:
        return ERR_SYNTAX, i
    status, i, _ = _scan_string(buf, i)
    if status != OK:
        return status, i
    i = _skip_ws(buf, i)
    if buf[i] != 58:  # :
        return ERR_SYNTAX, i
    return OK, _skip_ws(buf, i + 1)


@njit(**jit_options())
def _skip_value(buf, i, stack):
    """Check and skip any JSON value starting at ``i`` (iteratively, nesting kept in ``stack``).

    Returns (status, end): ``end`` is the index just after the value, or the error offset.
    """
    depth = 0
    while True:
        # One value starts at i.
        c = buf[i]
        if c == 123 or c == 91:  # { [
            close = 125 if c == 123 else 93
            i = _skip_ws(buf, i + 1)
            if buf[i] == close:
                i += 1
            else:
                if depth == stack.shape[0]:
                    return ERR_UNUSUAL, i
                stack[depth] = c
                depth += 1
                if c == 123:
                    status, i = _skip_key(buf, i)
                    if status != OK:
                        return status, i
                continue
        elif c == 34:
            status, i, _ = _scan_string(buf, i)
            if status != OK:
                return status, i
        else:
            status, i = _skip_scalar(buf, i)
            if status != OK:
                return status, i
        # A value ended at i: close containers until another value is due.
        while True:
            if depth == 0:
                return OK, i
            i = _skip_ws(buf, i)
            c = buf[i]
            top = stack[depth - 1]
            if c == 44:  # ,
                i = _skip_ws(buf, i + 1)
                if top == 123:
                    status, i = _skip_key(buf, i)
                    if status != OK:
                        return status, i
                break
            if (c == 125 and top == 123) or (c == 93 and top == 91):
                depth -= 1
                i += 1
            else:
                return ERR_SYNTAX, i


# --------------------------------------------------------------------------------------------
# Decimal to double.


@njit(**jit_options())
def value_end(buf, i):
    """Index just after the JSON value starting at ``i`` (for error messages: the caller parses
    ``buf[i:value_end(buf, i)]``), or -1 when it is not a well-formed value."""
    if _document_size(buf) < 0 or not 0 <= i < buf.shape[0]:
        return -1
    status, end = _skip_value(data_pointer(buf), i, np.empty(MAX_DEPTH, dtype=np.uint8))
    return end if status == OK else -1


@njit(**jit_options())
def _mul64(a, b):
    """Full 128-bit product of two uint64: (high, low)."""
    a_lo = a & _M32
    a_hi = a >> _U32
    b_lo = b & _M32
    b_hi = b >> _U32
    p0 = a_lo * b_lo
    p1 = a_lo * b_hi
    p2 = a_hi * b_lo
    p3 = a_hi * b_hi
    mid = (p0 >> _U32) + (p1 & _M32) + (p2 & _M32)
    low = (p0 & _M32) | (mid << _U32)
    high = p3 + (p1 >> _U32) + (p2 >> _U32) + (mid >> _U32)
    return high, low


@njit(**jit_options())
def _leading_zeros(x):
    """Leading zero bits of a non-zero uint64."""
    n = 0
    if (x >> _U32) == _U0:
        n += 32
        x = x << _U32
    if (x >> np.uint64(48)) == _U0:
        n += 16
        x = x << np.uint64(16)
    if (x >> np.uint64(56)) == _U0:
        n += 8
        x = x << np.uint64(8)
    if (x >> np.uint64(60)) == _U0:
        n += 4
        x = x << np.uint64(4)
    if (x >> np.uint64(62)) == _U0:
        n += 2
        x = x << np.uint64(2)
    if (x >> _U63) == _U0:
        n += 1
    return n


@njit(**jit_options())
def _eisel_lemire(man, exp10):
    """Correctly rounded ``man * 10**exp10`` (man a non-zero uint64), or (False, 0.0) if unsure.

    Transcribed from Go's ``strconv.eiselLemire64``; gives up on subnormal and overflowing
    results and on the rare products too close to a rounding boundary.
    """
    if exp10 < _POW10_MIN_EXP or exp10 > _POW10_MAX_EXP:
        return False, 0.0
    clz = _leading_zeros(man)
    man = man << np.uint64(clz)
    ret_exp2 = ((217706 * exp10) >> 16) + 64 + 1023 - clz
    index = exp10 - _POW10_MIN_EXP
    x_hi, x_lo = _mul64(man, _POW10_HI[index])
    if (x_hi & _M9) == _M9 and (x_lo + man) < man:
        y_hi, y_lo = _mul64(man, _POW10_LO[index])
        merged_hi = x_hi
        merged_lo = x_lo + y_hi
        if merged_lo < x_lo:
            merged_hi += _U1
        if (merged_hi & _M9) == _M9 and merged_lo == _MAX64 and (y_lo + man) < man:
            return False, 0.0
        x_hi = merged_hi
        x_lo = merged_lo
    msb = x_hi >> _U63
    mantissa = x_hi >> (msb + _U9)
    ret_exp2 -= 1 - np.int64(msb)
    if x_lo == _U0 and (x_hi & _M9) == _U0 and (mantissa & _U3) == _U1:
        return False, 0.0  # exactly halfway between two doubles: let the caller decide
    mantissa += mantissa & _U1
    mantissa = mantissa >> _U1
    if (mantissa >> _U53) != _U0:
        mantissa = mantissa >> _U1
        ret_exp2 += 1
    if ret_exp2 <= 0 or ret_exp2 >= 0x7FF:
        return False, 0.0  # subnormal, zero, or overflow to infinity
    return True, np.float64(mantissa) * _POW2[ret_exp2]


@njit(**jit_options())
def _decimal_to_double(man, exp10, truncated):
    """Correctly rounded ``man * 10**exp10`` (non-negative); (settled, value)."""
    if man == _U0:
        return True, 0.0
    if not truncated:
        while man > _TWO53 and man % _U10 == _U0:  # "1234.50000": same value, shorter mantissa
            man = man // _U10
            exp10 += 1
    if not truncated and man <= _TWO53:
        if 0 <= exp10 <= 22:
            return True, np.float64(man) * _P10[exp10]
        if -22 <= exp10 < 0:
            return True, np.float64(man) / _P10[-exp10]
        if 22 < exp10 <= 37 and man <= _CLINGER_MAX[exp10 - 22]:
            return True, np.float64(man * np.uint64(_P10[exp10 - 22])) * _P10[22]
    ok, value = _eisel_lemire(man, exp10)
    if not ok:
        return False, 0.0
    if truncated:
        # The true mantissa lies in (man, man + 1): settled when both ends round alike.
        ok_up, value_up = _eisel_lemire(man + _U1, exp10)
        if not ok_up or value_up != value:
            return False, 0.0
    return True, value


@njit(**_INLINE)
def _parse_number(buf, i):
    """Parse the JSON number (or NaN / Infinity / -Infinity) at ``i``.

    Returns
    -------
    status : int
        ``OK`` or ``ERR_SYNTAX``.
    end : int
        Index just after the token, or the error offset.
    fval : float
        The value as a double (valid unless ``NUM_SLOW``); ``float(int)`` semantics for integer
        tokens, so ``-0`` gives ``+0.0``.
    ival : int
        The value as int64 (valid with ``NUM_INT_OK``).
    flags : int
        ``NUM_*`` bits.
    """
    neg = False
    if buf[i] == 45:  # -
        neg = True
        i += 1
    c = buf[i]
    if c == 78 or c == 73:  # NaN, Infinity
        if c == 78 and not neg and _match(buf, i, _LIT_NAN):
            return OK, i + 3, np.nan, 0, NUM_LITERAL
        if c == 73 and _match(buf, i, _LIT_INFINITY):
            return OK, i + 8, (-np.inf if neg else np.inf), 0, NUM_LITERAL
        return ERR_SYNTAX, i, 0.0, 0, 0
    man = _U0
    digits = 0  # significant digits held in man (at most 19)
    exp10 = 0
    truncated = False
    if c == 48:
        i += 1
    elif 49 <= c <= 57:
        while True:
            d = buf[i] - 48
            if not (0 <= d <= 9):
                break
            if digits < 19:
                man = man * _U10 + np.uint64(d)
                digits += 1
            else:
                exp10 += 1
                if d != 0:
                    truncated = True
            i += 1
    else:
        return ERR_SYNTAX, i, 0.0, 0, 0
    flags = NUM_INT_TOKEN
    if buf[i] == 46:  # fraction
        flags = 0
        i += 1
        if not (48 <= buf[i] <= 57):
            return ERR_SYNTAX, i, 0.0, 0, 0
        while True:
            d = buf[i] - 48
            if not (0 <= d <= 9):
                break
            if digits == 0 and d == 0:
                exp10 -= 1  # leading zeros of 0.000ddd
            elif digits < 19:
                man = man * _U10 + np.uint64(d)
                digits += 1
                exp10 -= 1
            elif d != 0:
                truncated = True
            i += 1
    if buf[i] == 101 or buf[i] == 69:  # exponent
        flags = 0
        i += 1
        exp_neg = False
        if buf[i] == 43 or buf[i] == 45:
            exp_neg = buf[i] == 45
            i += 1
        if not (48 <= buf[i] <= 57):
            return ERR_SYNTAX, i, 0.0, 0, 0
        e = 0
        while 48 <= buf[i] <= 57:
            if e < 100_000_000:
                e = e * 10 + (buf[i] - 48)
            i += 1
        exp10 += -e if exp_neg else e
    ival = 0
    if flags == NUM_INT_TOKEN:
        if exp10 == 0 and (man <= _INT64_MAX or (neg and man == _INT64_NEG_MAX)):
            flags |= NUM_INT_OK
            ival = -np.int64(man) if neg else np.int64(man)
        if man == _U0:
            return OK, i, 0.0, 0, flags  # "-0" is the int 0: float(0) is +0.0
    if not truncated and man <= _TWO53 and -22 <= exp10 <= 22:  # Clinger, the common case
        if exp10 >= 0:
            fval = np.float64(man) * _P10[exp10]
        else:
            fval = np.float64(man) / _P10[-exp10]
    else:
        settled, fval = _decimal_to_double(man, exp10, truncated)
        if not settled:
            flags |= NUM_SLOW
    if neg:
        fval = -fval
    return OK, i, fval, ival, flags




@njit(**_INLINE)
def _read_digits(buf, i, value):
    """Read the decimal digits at ``i`` onto ``value`` (``value * 10 + d`` for each digit ``d``).

    Returns (end, value): the index of the first non-digit, and the value, exact as long as
    it stays below 10**18 (further digits are counted by ``end`` but not added: no overflow).
    """
    # eight bytes at a time while the value is far from the limit (then every digit is added,
    # as below), the rest one by one
    while value < 1_000_000_000:
        count, chunk = digit_run(load_u64(buf, i))
        value = value * _INT_P10[count] + chunk
        i += count
        if count < 8:
            return i, value
    while True:
        d = buf[i] - 48
        if d < 0 or d > 9:
            return i, value
        if value < 100_000_000_000_000_000:
            value = value * 10 + d
        i += 1


@njit(**_INLINE)
def _quick_id(buf, i):
    """A plain non-negative integer token of 1 to 18 digits at ``i``; (end, value), else
    (-1, 0) for anything else (left to ``_parse_id``)."""
    j, value = _read_digits(buf, i, 0)
    length = j - i
    if length == 0 or length > 18 or (length > 1 and buf[i] == 48):
        return -1, 0
    c = buf[j]
    if c == 46 or c == 101 or c == 69:  # . e E
        return -1, 0
    return j, value


@njit(**_INLINE)
def _quick_number(buf, i):
    """The common JSON number at ``i`` in one pass: ``-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]{1,3})?``
    with at most 15 digits and a decimal exponent within +-22, so that Clinger's fast path gives
    the correctly rounded double (``float(int)`` for integer tokens, so ``-0`` is ``+0.0``).

    Returns (end, value), or (-1, 0.0) for anything else (left to :func:`_parse_number`, which
    also reports syntax errors).
    """
    neg = buf[i] == 45
    if neg:
        i += 1
    # most numbers of results files: a short decimal within eight bytes
    word = load_u64(buf, i)
    # the end comes from the span, a few operations on the word; the value's reading confirms
    # it: the next token's position does not wait for that reading
    span = numeric_span(word)
    length, man, fraction = short_decimal(word)
    after = buf[i + span]
    if (length == span and length > 0 and after != 101 and after != 69
            and not (buf[i] == 48 and 48 <= buf[i + 1] <= 57)):  # not e E, no leading zero
        if fraction == 0:
            value = np.float64(man)
            if neg and man != 0:
                value = -value
        else:
            value = np.float64(man) / _P10[fraction]
            if neg:
                value = -value
        return i + span, value
    start = i
    i, man = _read_digits(buf, i, 0)
    digits = i - start
    if digits == 0 or (digits > 1 and buf[start] == 48):
        return -1, 0.0
    integer = True
    exp10 = 0
    if buf[i] == 46:  # .
        integer = False
        i += 1
        fraction = i
        i, man = _read_digits(buf, i, man)
        if i == fraction:
            return -1, 0.0
        exp10 = fraction - i
        digits += i - fraction
    if digits > 15:
        return -1, 0.0
    c = buf[i]
    if c == 101 or c == 69:  # e E
        integer = False
        i += 1
        exp_neg = buf[i] == 45
        if exp_neg or buf[i] == 43:
            i += 1
        first = i
        i, e = _read_digits(buf, i, 0)
        if i == first or i - first > 3:
            return -1, 0.0
        exp10 += -e if exp_neg else e
    if exp10 < -22 or exp10 > 22:
        return -1, 0.0
    if exp10 >= 0:
        value = np.float64(man) * _P10[exp10]
    else:
        value = np.float64(man) / _P10[-exp10]
    if neg and not (integer and man == 0):
        value = -value
    return i, value


@njit(**_INLINE)
def _quick_box(buf, i):
    """The common bbox array at ``i``: ``[`` four :func:`_quick_number` numbers ``]`` with
    spaces only around the commas. Returns (index after ``]``, (x, y, width, height)), or -1
    as the index for anything else.

    The values are returned rather than stored into the caller's table: an array passed to an
    inlined function cost an atomic reference-count increment and decrement per record (seen
    as about a seventh of the results scan's profile samples).
    """
    values = (0.0, 0.0, 0.0, 0.0)
    if buf[i] != 91:
        return -1, values
    i += 1
    for k in range(4):
        while buf[i] == 32:
            i += 1
        end, value = _quick_number(buf, i)
        if end < 0 or (k >= 2 and value < 0):
            return -1, values
        if k == 0:
            values = (value, 0.0, 0.0, 0.0)
        elif k == 1:
            values = (values[0], value, 0.0, 0.0)
        elif k == 2:
            values = (values[0], values[1], value, 0.0)
        else:
            values = (values[0], values[1], values[2], value)
        i = end
        while buf[i] == 32:
            i += 1
        if buf[i] != (93 if k == 3 else 44):
            return -1, values
        i += 1
    return i, values


@njit(**_INLINE)
def _is_number_start(c):
    return c == 45 or (48 <= c <= 57) or c == 78 or c == 73


@njit(**_INLINE)
def _parse_id(buf, i):
    """Parse an id at ``i``: an integer token, or an integral float below 2**53 (``42.0``).

    Returns (status, end, value); status ``ERR_ID`` for anything else (for the caller to explain).
    """
    if not _is_number_start(buf[i]):
        return ERR_ID, i, 0
    status, end, fval, ival, flags = _parse_number(buf, i)
    if status != OK:
        return status, end, 0
    if flags & NUM_INT_OK:
        return OK, end, ival
    if flags & (NUM_INT_TOKEN | NUM_SLOW | NUM_LITERAL):
        return ERR_ID, i, 0
    if fval == np.floor(fval) and abs(fval) < 9007199254740992.0:
        return OK, end, np.int64(fval)
    return ERR_ID, i, 0


@njit(**jit_options())
def _parse_small_int(buf, i):
    """A non-negative integer token of at most 18 digits at ``i``; (end, value) or (-1, 0)."""
    c = buf[i]
    if not (48 <= c <= 57):
        return -1, 0
    value = 0
    start = i
    while 48 <= buf[i] <= 57:
        value = value * 10 + (buf[i] - 48)
        i += 1
    if i - start > 18 or (c == 48 and i - start > 1):
        return -1, 0
    c = buf[i]
    if c == 46 or c == 101 or c == 69:
        return -1, 0
    return i, value


@njit(**jit_options())
def _parse_size(buf, i):
    """``[h, w]`` of two small non-negative integer tokens at ``i``; (end, h, w) or (-1, 0, 0)."""
    if buf[i] != 91:
        return -1, 0, 0
    i, h = _parse_small_int(buf, _skip_ws(buf, i + 1))
    if i < 0:
        return -1, 0, 0
    i = _skip_ws(buf, i)
    if buf[i] != 44:
        return -1, 0, 0
    i, w = _parse_small_int(buf, _skip_ws(buf, i + 1))
    if i < 0:
        return -1, 0, 0
    i = _skip_ws(buf, i)
    if buf[i] != 93:
        return -1, 0, 0
    return i + 1, h, w


@njit(**jit_options())
def _scan_segmentation(buf, i, segs, column, stack):
    """Skip the segmentation value at ``i``, filling rows ``SEG_START`` .. ``SEG_FLAGS`` of
    ``segs[:, column]``.

    Returns (status, end).
    """
    segs[SEG_START, column] = i
    segs[SEG_COUNTS_START, column] = -1
    segs[SEG_COUNTS_END, column] = -1
    segs[SEG_SIZE_H, column] = -1
    segs[SEG_SIZE_W, column] = -1
    segs[SEG_FLAGS, column] = 0
    if buf[i] != 123:
        status, i = _skip_value(buf, i, stack)
        segs[SEG_END, column] = i
        return status, i
    i = _skip_ws(buf, i + 1)
    if buf[i] == 125:
        segs[SEG_END, column] = i + 1
        return OK, i + 1
    while True:
        if buf[i] != 34:
            return ERR_SYNTAX, i
        key_start = i + 1
        status, j, escaped = _scan_string(buf, i)
        if status != OK:
            return status, j
        key_length = j - 1 - key_start
        i = _skip_ws(buf, j)
        if buf[i] != 58:
            return ERR_SYNTAX, i
        i = _skip_ws(buf, i + 1)
        done = False
        if not escaped and _equals(buf, key_start, key_length, _KEY_COUNTS):
            segs[SEG_COUNTS_START, column] = -1
            segs[SEG_COUNTS_END, column] = -1
            segs[SEG_FLAGS, column] &= ~(FLAG_COUNTS_ESCAPED | FLAG_COUNTS_OTHER_ESCAPES)
            if buf[i] == 34:
                status, j, escaped = _scan_string(buf, i)
                if status != OK:
                    return status, j
                segs[SEG_COUNTS_START, column] = i + 1
                segs[SEG_COUNTS_END, column] = j - 1
                if escaped:
                    segs[SEG_FLAGS, column] |= FLAG_COUNTS_ESCAPED
                if escaped == OTHER_ESCAPES:
                    segs[SEG_FLAGS, column] |= FLAG_COUNTS_OTHER_ESCAPES
                i = j
                done = True
        elif not escaped and _equals(buf, key_start, key_length, _KEY_SIZE):
            segs[SEG_SIZE_H, column] = -1
            segs[SEG_SIZE_W, column] = -1
            j, h, w = _parse_size(buf, i)
            if j >= 0:
                segs[SEG_SIZE_H, column] = h
                segs[SEG_SIZE_W, column] = w
                i = j
                done = True
        elif escaped:
            return ERR_UNUSUAL, key_start  # might spell "counts" or "size"
        if not done:
            status, i = _skip_value(buf, i, stack)
            if status != OK:
                return status, i
        i = _skip_ws(buf, i)
        c = buf[i]
        if c == 44:
            i = _skip_ws(buf, i + 1)
        elif c == 125:
            segs[SEG_END, column] = i + 1
            return OK, i + 1
        else:
            return ERR_SYNTAX, i


@njit(**_INLINE)
def _next_item(buf, i, close):
    """After a member or element ending before ``i``: a comma (then the next item), or the
    ``close`` bracket of its container. Returns (status, index, done): the next item's start
    (done False), or the index after ``close`` (done True), or ``ERR_SYNTAX`` at the offset."""
    i = _skip_ws(buf, i)
    c = buf[i]
    if c == 44:
        return OK, _skip_ws(buf, i + 1), False
    if c == close:
        return OK, i + 1, True
    return ERR_SYNTAX, i, False


@njit(**_INLINE)
def _add_segmentation(buf, i, segs, n_segs, record, stack):
    """Scan the segmentation value at ``i`` of ``record`` into column ``n_segs`` of ``segs``
    (which must have room: see :func:`_room`). Returns (status, end, n_segs with it added
    when OK)."""
    segs[SEG_RECORD, n_segs] = record
    status, i = _scan_segmentation(buf, i, segs, n_segs, stack)
    return status, i, (n_segs + 1 if status == OK else n_segs)


@njit(**_INLINE)
def _which_key(buf, start, length):
    """The _SEEN_* bit of the known key ``buf[start:start + length]``, else _KEY_OTHER."""
    c = buf[start]
    if c == 105:  # i
        if _equals(buf, start, length, _KEY_IMAGE_ID):
            return _SEEN_IMAGE_ID
        if _equals(buf, start, length, _KEY_ID):
            return _SEEN_ID
        if _equals(buf, start, length, _KEY_ISCROWD):
            return _SEEN_ISCROWD
    elif c == 99 and _equals(buf, start, length, _KEY_CATEGORY_ID):
        return _SEEN_CATEGORY_ID
    elif c == 115:  # s
        if _equals(buf, start, length, _KEY_SCORE):
            return _SEEN_SCORE
        if _equals(buf, start, length, _KEY_SEGMENTATION):
            return _SEEN_SEGMENTATION
    elif c == 98 and _equals(buf, start, length, _KEY_BBOX):
        return _SEEN_BBOX
    elif c == 97 and _equals(buf, start, length, _KEY_AREA):
        return _SEEN_AREA
    return _KEY_OTHER


@njit(**jit_options())
def _grow_rows(table, rows):
    """A copy of 2-D ``table`` with ``rows`` rows (rows >= table.shape[0])."""
    out = np.empty((rows, table.shape[1]), dtype=table.dtype)
    out[: table.shape[0]] = table
    return out


@njit(**jit_options())
def _grow_columns(table, columns):
    """A copy of 2-D ``table`` with ``columns`` columns (columns >= table.shape[1])."""
    out = np.empty((table.shape[0], columns), dtype=table.dtype)
    out[:, : table.shape[1]] = table
    return out


@njit(**jit_options())
def _grow(vector, length):
    """A copy of 1-D ``vector`` with ``length`` elements (length >= vector.shape[0])."""
    out = np.empty(length, dtype=vector.dtype)
    out[: vector.shape[0]] = vector
    return out


@njit(**jit_options())
def _record_slow(slow, n_slow, record, column, start, end):
    """Append a slow number to ``slow`` (which must have room: see :func:`_room`); returns the
    new count."""
    slow[n_slow, SLOW_RECORD] = record
    slow[n_slow, SLOW_COLUMN] = column
    slow[n_slow, SLOW_START] = start
    slow[n_slow, SLOW_END] = end
    return n_slow + 1


# A record holds at most one segmentation and SLOW_PER_RECORD slow numbers (a score or an area,
# and four bbox values): known keys cannot repeat.
SLOW_PER_RECORD = 5


@njit(**_INLINE)
def _room(n_segs, segs, n_slow, slow):
    """Whether the side tables have room for one more record."""
    return n_segs < segs.shape[1] and n_slow + SLOW_PER_RECORD <= slow.shape[0]


@njit(**jit_options())
def _grow_side_tables(n_segs, segs, n_slow, slow):
    """The side tables, doubled where a record might not fit (see :func:`_room`)."""
    if n_segs >= segs.shape[1]:
        segs = _grow_columns(segs, 2 * segs.shape[1])
    if n_slow + SLOW_PER_RECORD > slow.shape[0]:
        slow = _grow_rows(slow, 2 * slow.shape[0])
    return segs, slow



# Known keys followed by their closing quote: matching one at the byte after an opening quote
# identifies a plain (unescaped) key in one pass.
_QKEY_ID = np.frombuffer(b'id"', dtype=np.uint8).copy()


def _key_words(*keys):
    """Per key (followed by its closing quote, at most 16 bytes): two little-endian words and
    their masks, as :func:`~modelmetrics.kernels.swar.load_u64` reads the bytes."""
    table = np.zeros((len(keys), 4), np.uint64)
    for row, key in enumerate(keys):
        quoted = key + b'"'
        assert len(quoted) <= 16
        for half in range(2):
            part = quoted[8 * half:8 * half + 8]
            table[row, 2 * half] = int.from_bytes(part.ljust(8, b"\0"), "little")
            table[row, 2 * half + 1] = (1 << (8 * len(part))) - 1
    return table


_KEY_WORDS = _key_words(b"image_id", b"id", b"iscrowd", b"category_id", b"bbox", b"score",
                        b"segmentation", b"area")
_K_IMAGE_ID, _K_ID, _K_ISCROWD, _K_CATEGORY_ID, _K_BBOX, _K_SCORE, _K_SEGMENTATION, _K_AREA = (
    range(8))


@njit(**_INLINE)
def _is_key(low, high, k):
    """Whether the words ``low``, ``high`` (the 16 bytes after an opening quote) start with key
    ``k`` of ``_KEY_WORDS`` and its closing quote."""
    return ((low & _KEY_WORDS[k, 1]) == _KEY_WORDS[k, 0]
            and (high & _KEY_WORDS[k, 3]) == _KEY_WORDS[k, 2])


@njit(**_INLINE)
def _quick_key(buf, i):
    """At the opening quote ``i`` of a key: (_SEEN_* bit, index after the closing quote) when it
    is a known key written without escapes, else (-1, i) (left to :func:`_scan_string` and
    :func:`_which_key`)."""
    low = load_u64(buf, i + 1)
    high = load_u64(buf, i + 9)
    c = buf[i + 1]
    if c == 105:  # i
        if _is_key(low, high, _K_IMAGE_ID):
            return _SEEN_IMAGE_ID, i + 10
        if _is_key(low, high, _K_ID):
            return _SEEN_ID, i + 4
        if _is_key(low, high, _K_ISCROWD):
            return _SEEN_ISCROWD, i + 9
    elif c == 99 and _is_key(low, high, _K_CATEGORY_ID):
        return _SEEN_CATEGORY_ID, i + 13
    elif c == 98 and _is_key(low, high, _K_BBOX):
        return _SEEN_BBOX, i + 6
    elif c == 115:  # s
        if _is_key(low, high, _K_SCORE):
            return _SEEN_SCORE, i + 7
        if _is_key(low, high, _K_SEGMENTATION):
            return _SEEN_SEGMENTATION, i + 14
    elif c == 97 and _is_key(low, high, _K_AREA):
        return _SEEN_AREA, i + 6
    return -1, i


@njit(**_INLINE)
def _read_key(buf, i, seen, known):
    """Read the ``"key":`` of an object member at ``i``.

    Parameters
    ----------
    seen, known : int
        _SEEN_* bits of the keys already read in this object, and of the keys the caller reads
        (others are _KEY_OTHER).

    Returns
    -------
    status : int
        ``OK``, ``ERR_SYNTAX``, or ``ERR_UNUSUAL`` for an escaped key or a known key already
        seen (json.loads decides what those mean).
    key : int
        The key's bit within ``known``, else _KEY_OTHER.
    end : int
        Index of the member's value (or the offset of the error).
    """
    if buf[i] != 34:
        return ERR_SYNTAX, 0, i
    key_start = i + 1
    key, j = _quick_key(buf, i)
    escaped = NO_ESCAPES
    if key < 0:
        status, j, escaped = _scan_string(buf, i)
        if status != OK:
            return status, 0, j
        key = _which_key(buf, key_start, j - 1 - key_start)
    key &= known
    if escaped or (seen & key) != 0:
        return ERR_UNUSUAL, 0, key_start
    i = _skip_ws(buf, j)
    if buf[i] != 58:
        return ERR_SYNTAX, 0, i
    return OK, key, _skip_ws(buf, i + 1)


NO_ROOM = -3  # (internal) a table is full at the start of record n: grow it and go on


@njit(**jit_options())
def _scan_records(buf, i, stop, n, ints, score, bbox, has_bbox, segs, n_segs, slow, n_slow,
                  stack):
    """The record loop of :func:`scan_results_into`, from the record at ``i`` (record ``n``)
    into tables that it never replaces (so the loop carries no array references); returns
    (status, i, n, n_segs, n_slow), with status ``NO_ROOM`` when a table is full at the start
    of record ``n`` (at ``i``)."""
    status = OK
    while True:
        # ---- one record, starting at i
        if buf[i] != 123:
            status = ERR_RECORD
            break
        if n == score.shape[0] or not _room(n_segs, segs, n_slow, slow):
            return NO_ROOM, i, n, n_segs, n_slow
        ints[COL_REC_START, n] = i
        has_bbox[n] = False
        seen = 0
        i = _skip_ws(buf, i + 1)
        if buf[i] == 125:
            i += 1
        else:
            while True:
                # ---- one "key": value
                status, key, i = _read_key(buf, i, seen, _RESULT_KEYS)
                if status != OK:
                    break
                seen |= key
                if key == _SEEN_IMAGE_ID or key == _SEEN_CATEGORY_ID:
                    end, value = _quick_id(buf, i)
                    if end < 0:
                        status, end, value = _parse_id(buf, i)
                        if status != OK:
                            i = end
                            break
                    i = end
                    ints[COL_IMAGE_ID if key == _SEEN_IMAGE_ID else COL_CATEGORY_ID, n] = value
                elif key == _SEEN_SCORE or key == _SEEN_BBOX:
                    if key == _SEEN_SCORE:
                        end, fval = _quick_number(buf, i)
                        if end >= 0:
                            score[n] = fval
                    else:
                        end, box = _quick_box(buf, i)
                        if end >= 0:
                            bbox[n, 0], bbox[n, 1], bbox[n, 2], bbox[n, 3] = box
                            has_bbox[n] = True
                    if end >= 0:
                        i = end
                    else:
                        # score: one number; bbox: "[" 4 numbers "]"
                        count = 1
                        if key == _SEEN_BBOX:
                            if buf[i] != 91:
                                status = ERR_BBOX
                                break
                            i = _skip_ws(buf, i + 1)
                            count = 4
                        for k in range(count):
                            if k > 0:
                                if buf[i] != 44:
                                    status = ERR_BBOX
                                    break
                                i = _skip_ws(buf, i + 1)
                            end, fval = _quick_number(buf, i)
                            flags = 0
                            if end < 0:
                                if not _is_number_start(buf[i]):
                                    status = ERR_SCORE if count == 1 else ERR_BBOX
                                    break
                                status, end, fval, _, flags = _parse_number(buf, i)
                                if status != OK:
                                    i = end
                                    break
                            if not (flags & NUM_SLOW) and not (
                                    np.isfinite(fval) and (k < 2 or fval >= 0)):
                                status = ERR_VALUE  # the caller explains, from the record
                                i = ints[COL_REC_START, n]
                                break
                            column = COL_SCORE if count == 1 else COL_BBOX + k
                            if count == 1:
                                score[n] = fval
                            else:
                                bbox[n, k] = fval
                            if flags & NUM_SLOW:
                                n_slow = _record_slow(slow, n_slow, n, column, i, end)
                            i = end if count == 1 else _skip_ws(buf, end)
                        if status != OK:
                            break
                        if count == 4:
                            if buf[i] != 93:
                                status = ERR_BBOX
                                break
                            i += 1
                            has_bbox[n] = True
                elif key == _SEEN_SEGMENTATION:
                    status, i, n_segs = _add_segmentation(buf, i, segs, n_segs, n, stack)
                    if status != OK:
                        break
                else:
                    status, i = _skip_value(buf, i, stack)
                    if status != OK:
                        break
                i = _skip_ws(buf, i)  # _next_item, written out: this loop is the hottest of the scan
                c = buf[i]
                if c == 44:
                    i = _skip_ws(buf, i + 1)
                elif c == 125:
                    i += 1
                    break
                else:
                    status = ERR_SYNTAX
                    break
            if status != OK:
                break
        # ---- record complete
        if (seen & (_SEEN_IMAGE_ID | _SEEN_CATEGORY_ID | _SEEN_SCORE)) != (
            _SEEN_IMAGE_ID | _SEEN_CATEGORY_ID | _SEEN_SCORE
        ):
            status = ERR_MISSING
            i = ints[COL_REC_START, n]
            break
        if (seen & (_SEEN_BBOX | _SEEN_SEGMENTATION)) == 0:
            status = ERR_GEOMETRY
            i = ints[COL_REC_START, n]
            break
        if not has_bbox[n]:
            for k in range(4):
                bbox[n, k] = np.nan
        ints[COL_REC_END, n] = i
        n += 1
        status, i, done = _next_item(buf, i, 93)
        if status != OK or done:
            break
        if 0 <= stop <= i:  # the next record starts at stop, or the guess was wrong
            status = AT_STOP if i == stop else PAST_STOP
            break
    return status, i, n, n_segs, n_slow


@njit(**jit_options())
def scan_results_into(buf, start, stop, ints, score, bbox, has_bbox):
    """Scan the records of a COCO results document from byte ``start`` (see :func:`scan_results`).

    With ``start == 0`` the document is read from its beginning; otherwise ``start`` must be
    the ``{`` of a record of the top-level array (which only a scan from an earlier, validated
    start can confirm: the caller checks that the part before ends exactly there). The scan
    stops after the array's ``]`` (and checks that nothing but whitespace follows), or, with
    ``stop >= 0``, when the next record starts at or after ``stop``.

    Parameters
    ----------
    buf : numpy.ndarray of uint8
        As for :func:`scan_results`.
    start, stop : int
        Where to start; where to stop (-1: at the end of the array).
    ints, score, bbox, has_bbox : numpy.ndarray
        Room for the records, shapes (N_INT_COLS, c), (c,), (c, 4), (c,) of int64, float64,
        float64, bool: written in place, and replaced by copies grown by doubling when more than
        ``c`` records come (allocated by the caller, NumPy backs large arrays with huge pages,
        which makes writing them several times cheaper than fresh small pages).

    Returns
    -------
    status : int
        ``OK`` (the array and the document ended), ``AT_STOP`` (the next record starts exactly
        at ``stop``), ``PAST_STOP`` (it starts after ``stop``: ``stop`` was not a record start),
        or an ``ERR_*`` code.
    err_pos : int
        ``stop`` for ``AT_STOP``; else as for :func:`scan_results`.
    n : int
        Records read completely (on error, the index of the record being read), counted from
        ``start``.
    ints, score, bbox, has_bbox : numpy.ndarray
        As for :func:`scan_results` but *not* trimmed: the first ``n`` columns / rows are
        the records (the rest is the spare capacity, never written). The arrays given, unless
        they had to grow.
    segs, slow : numpy.ndarray of int64
        As for :func:`scan_results`, record indices counted from ``start``.
    """
    size = _document_size(buf)
    # room for a segmentation in every record: doubling from a small table would copy it about
    # as many times as there are doublings, in freshly mapped memory (slow to write)
    segs = np.empty((N_SEG_ROWS, max(16, ints.shape[1])), dtype=np.int64)
    n_segs = 0
    slow = np.empty((16, 4), dtype=np.int64)
    n_slow = 0
    stack = np.empty(MAX_DEPTH, dtype=np.uint8)
    n = 0
    if size < 0:
        return (ERR_BUFFER, max(buf.shape[0] - PADDING, 0), 0, ints, score, bbox, has_bbox,
                segs[:, :0], slow[:0])
    data = data_pointer(buf)  # the padding is checked: no bounds from here

    i = start
    status = OK
    empty = False
    if start == 0:
        if size >= 3 and data[0] == 0xEF and data[1] == 0xBB and data[2] == 0xBF:
            i = 3  # UTF-8 byte order mark (json.loads accepts it in bytes)
        i = _skip_ws(data, i)
        if data[i] != 91:
            status = ERR_TOP_LEVEL if i < size else ERR_SYNTAX
            return status, i, 0, ints, score, bbox, has_bbox, segs[:, :0], slow[:0]
        i = _skip_ws(data, i + 1)
        if data[i] == 93:
            i += 1
            empty = True
    if not empty:
        while True:
            status, i, n, n_segs, n_slow = _scan_records(data, i, stop, n, ints, score, bbox,
                                                         has_bbox, segs, n_segs, slow, n_slow,
                                                         stack)
            if status != NO_ROOM:
                break
            if n == score.shape[0]:
                capacity = max(16, 2 * n)
                ints = _grow_columns(ints, capacity)
                score = _grow(score, capacity)
                bbox = _grow_rows(bbox, capacity)
                has_bbox = _grow(has_bbox, capacity)
            segs, slow = _grow_side_tables(n_segs, segs, n_slow, slow)
    if status == OK:
        i = _skip_ws(data, i)
        if i != size:
            status = ERR_SYNTAX  # extra data after the array
        else:
            i = -1
    return status, i, n, ints, score, bbox, has_bbox, segs[:, :n_segs], slow[:n_slow]


@njit(**jit_options())
def count_objects(buf, start, stop):
    """The ``{`` bytes of ``buf[start:stop]``, 32 bytes at a time: a bound on the objects
    (records) that start there, to size the record tables. (A bound from the bytes alone, one
    record per 57 bytes, reserves several times the room of typical records, and glibc then
    returns the freed tables to the system after each document: fresh pages again for the
    next.) Serial, as every kernel of the results reader."""
    count = 0
    i = start
    while i + 32 <= stop:
        count += count_byte_32(buf, i, 123)
        i += 32
    while i < stop:
        count += buf[i] == 123
        i += 1
    return count


@njit(**jit_options())
def scan_results_part(buf, start, stop, capacity):
    """:func:`scan_results_into` with room for ``capacity`` records allocated here."""
    capacity = max(16, capacity)
    return scan_results_into(buf, start, stop, np.empty((N_INT_COLS, capacity), dtype=np.int64),
                             np.empty(capacity, dtype=np.float64),
                             np.empty((capacity, 4), dtype=np.float64),
                             np.empty(capacity, dtype=np.bool_))


@njit(**_INLINE)
def _is_ws(c):
    return c == 32 or c == 10 or c == 13 or c == 9


@njit(**jit_options())
def guess_record_start(buf, i, end):
    """A likely record start of a results array: the first ``{`` in ``buf[i:end]`` preceded by
    ``}`` and ``,`` (whitespace allowed around the comma), or -1.

    Only a guess (the bytes may as well be inside a string or a nested value): a part scanned
    from it counts only when the scan of the part before ends exactly there
    (:func:`scan_results_part` returning ``AT_STOP``).
    """
    end = min(end, buf.shape[0] - PADDING)
    while i < end:
        if buf[i] == 123:
            j = i - 1
            while j >= 0 and _is_ws(buf[j]):
                j -= 1
            if j >= 0 and buf[j] == 44:
                j -= 1
                while j >= 0 and _is_ws(buf[j]):
                    j -= 1
                if j >= 0 and buf[j] == 125:
                    return i
        i += 1
    return -1


@njit(**jit_options())
def scan_results(buf):
    """Scan a COCO results document: a JSON array of objects, in ``buf[:-PADDING]``.

    Parameters
    ----------
    buf : numpy.ndarray of uint8, shape (n_bytes + 1,)
        The document's bytes followed by ``PADDING`` zero bytes. A UTF-8 byte order mark is
        skipped.

    Returns
    -------
    status : int
        ``OK`` or one of the ``ERR_*`` codes.
    err_pos : int
        Byte offset of the problem (-1 when ``OK``).
    n : int
        Records read completely; on error, the index of the record being read.
    ints : numpy.ndarray of int64, shape (N_INT_COLS, n)
        One row per ``COL_*`` field (ids, record span), so that every field is a contiguous
        view.
    score : numpy.ndarray of float64, shape (n,)
    bbox : numpy.ndarray of float64, shape (n, 4)
        x, y, width, height; NaN when the record has no bbox.
    has_bbox : numpy.ndarray of bool, shape (n,)
        Whether the record has a ``bbox`` (its values may still be NaN or Infinity tokens).
    segs : numpy.ndarray of int64, shape (N_SEG_ROWS, s)
        One column per record with a ``segmentation``, in record order: the record's index in
        row ``SEG_RECORD``, the spans, size and flags in the other ``SEG_*`` rows.
    slow : numpy.ndarray of int64, shape (m, 4)
        Numbers not settled here (``SLOW_*`` columns): the caller parses ``buf[start:end]`` with
        Python's ``float()`` and stores it as the score (column ``COL_SCORE``) or as bbox value
        ``column - COL_BBOX`` of that record.

    The outputs are views of arrays grown by doubling (pages never written are never touched).
    """
    size = buf.shape[0] - PADDING
    status, i, n, ints, score, bbox, has_bbox, segs, slow = scan_results_part(buf, 0, -1,
                                                                              size // 64)
    return status, i, n, ints[:, :n], score[:n], bbox[:n], has_bbox[:n], segs, slow


# --------------------------------------------------------------------------------------------
# COCO ground-truth (instances) documents.
#
# The document is an object; its "images", "annotations" and "categories" arrays are read, every
# other top-level key is skipped (checked like any skipped value). The rules are those of the
# ground-truth reader (``modelmetrics.detection._coco.read_ground_truth``); the kernel accepts a
# document only when every per-record rule holds, so that the caller's vectorised checks and its
# json.loads fallback see the same values:
#
# * an image is an object with an integer "id" (what ``_parse_id`` accepts);
# * an annotation is an object with integer "id", "image_id", "category_id", a "bbox" of four
#   numbers (NaN / Infinity tokens included: the caller checks finiteness), an optional "area"
#   (a number, or null meaning absent; NaN / Infinity tokens are refused), an optional "iscrowd"
#   (true, false, or a number equal to 0 or 1) and an optional "segmentation" whose spans are
#   recorded as for results;
# * integer tokens in "bbox" and "area" must be exact doubles (|v| <= 2**53), so that float
#   products agree with Python's integer arithmetic;
# * escaped keys and repeated known keys are ERR_UNUSUAL (json.loads decides what they mean).
#
# The int64 table of the annotations has the COL_* rows of results (COL_IMAGE_ID,
# COL_CATEGORY_ID, COL_REC_START, COL_REC_END) and two of its own; segmentations go to a
# segmentation table as for results (SEG_* rows, the annotation's index in row SEG_RECORD).

GT_COL_ANN_ID = 4  # the annotation's "id"
GT_COL_ISCROWD = 5  # 0 or 1, -1 when absent
N_GT_INT_COLS = 6

# Float fields, as named in the slow-number table: the area, and bbox value k as COL_BBOX + k.
GT_COL_AREA = 0

ERR_SECTION = 11  # "images", "annotations" or "categories" missing, or not an array
ERR_FIELD = 12  # "area" or "iscrowd" of an unaccepted kind or value

_KEY_IMAGES = np.frombuffer(b"images", dtype=np.uint8).copy()
_KEY_ANNOTATIONS = np.frombuffer(b"annotations", dtype=np.uint8).copy()
_KEY_CATEGORIES = np.frombuffer(b"categories", dtype=np.uint8).copy()

# Bits of the per-annotation "seen" mask (also the key identifiers).
_GT_ID = _SEEN_ID
_GT_IMAGE_ID = _SEEN_IMAGE_ID
_GT_CATEGORY_ID = _SEEN_CATEGORY_ID
_GT_BBOX = _SEEN_BBOX
_GT_AREA = _SEEN_AREA
_GT_ISCROWD = _SEEN_ISCROWD
_GT_SEGMENTATION = _SEEN_SEGMENTATION
_GT_KEYS = _GT_ID | _GT_IMAGE_ID | _GT_CATEGORY_ID | _GT_BBOX | _GT_AREA | _GT_ISCROWD | _GT_SEGMENTATION
_GT_REQUIRED = _GT_ID | _GT_IMAGE_ID | _GT_CATEGORY_ID | _GT_BBOX

# Top-level sections.
_SEC_IMAGES = 1
_SEC_ANNOTATIONS = 2
_SEC_CATEGORIES = 4

_EXACT_INT_LIMIT = 1 << 53


@njit(**_INLINE)
def _inexact_int(flags, ival):
    """Whether an integer token is not an exact double (Python's int arithmetic could differ)."""
    if not (flags & NUM_INT_TOKEN):
        return False
    return not (flags & NUM_INT_OK) or not (-_EXACT_INT_LIMIT <= ival <= _EXACT_INT_LIMIT)


@njit(**jit_options())
def _scan_gt_images(buf, i, stack):
    """Read the "images" array whose "[" is at ``i``; (status, end, n, ids, sizes).

    ``sizes`` (n, 2) holds each image's "height" and "width" when they are small non-negative
    integer tokens, else -1 (they are only needed to rasterise polygon segmentations)."""
    capacity = 64
    ids = np.empty(capacity, dtype=np.int64)
    sizes = np.full((capacity, 2), -1, dtype=np.int64)
    n = 0
    i = _skip_ws(buf, i + 1)
    if buf[i] == 93:
        return OK, i + 1, 0, ids[:0], sizes[:0]
    while True:
        if buf[i] != 123:
            return ERR_RECORD, i, n, ids[:n], sizes[:n]
        if n == capacity:
            capacity *= 2
            ids = _grow(ids, capacity)
            sizes = _grow_rows(sizes, capacity)
            sizes[n:] = -1
        record_start = i
        seen = False
        i = _skip_ws(buf, i + 1)
        if buf[i] == 125:
            i += 1
        else:
            while True:
                if buf[i] != 34:
                    return ERR_SYNTAX, i, n, ids[:n], sizes[:n]
                key_start = i + 1
                size_column = -1
                if _match(buf, key_start, _QKEY_ID):
                    is_id = True
                    j = i + 4
                else:
                    status, j, escaped = _scan_string(buf, i)
                    if status != OK:
                        return status, j, n, ids[:n], sizes[:n]
                    if escaped:
                        return ERR_UNUSUAL, key_start, n, ids[:n], sizes[:n]
                    is_id = False
                    if _equals(buf, key_start, j - 1 - key_start, _KEY_HEIGHT):
                        size_column = 0
                    elif _equals(buf, key_start, j - 1 - key_start, _KEY_WIDTH):
                        size_column = 1
                if is_id and seen:
                    return ERR_UNUSUAL, key_start, n, ids[:n], sizes[:n]
                i = _skip_ws(buf, j)
                if buf[i] != 58:
                    return ERR_SYNTAX, i, n, ids[:n], sizes[:n]
                i = _skip_ws(buf, i + 1)
                if is_id:
                    seen = True
                    end, value = _quick_id(buf, i)
                    if end < 0:
                        status, end, value = _parse_id(buf, i)
                        if status != OK:
                            return status, end, n, ids[:n], sizes[:n]
                    i = end
                    ids[n] = value
                else:
                    end = -1
                    if size_column >= 0:
                        end, value = _parse_small_int(buf, i)
                        sizes[n, size_column] = value if end >= 0 else -1
                    if end >= 0:
                        i = end
                    else:
                        status, i = _skip_value(buf, i, stack)
                        if status != OK:
                            return status, i, n, ids[:n], sizes[:n]
                i = _skip_ws(buf, i)
                c = buf[i]
                if c == 44:
                    i = _skip_ws(buf, i + 1)
                elif c == 125:
                    i += 1
                    break
                else:
                    return ERR_SYNTAX, i, n, ids[:n], sizes[:n]
        if not seen:
            return ERR_MISSING, record_start, n, ids[:n], sizes[:n]
        n += 1
        i = _skip_ws(buf, i)
        c = buf[i]
        if c == 44:
            i = _skip_ws(buf, i + 1)
        elif c == 93:
            return OK, i + 1, n, ids[:n], sizes[:n]
        else:
            return ERR_SYNTAX, i, n, ids[:n], sizes[:n]


@njit(**jit_options())
def _scan_gt_annotations(buf, i, size, stack):
    """Read the "annotations" array whose "[" is at ``i`` (of a document of ``size`` bytes).

    Returns (status, end, n, ints, bbox, area, segs, slow), the arrays trimmed to the records
    read (on error ``n`` is the index of the record being read).
    """
    capacity = max(16, (size - i) // 128)
    ints = np.empty((N_GT_INT_COLS, capacity), dtype=np.int64)
    bbox = np.empty((capacity, 4), dtype=np.float64)
    area = np.empty(capacity, dtype=np.float64)
    segs = np.empty((N_SEG_ROWS, 16), dtype=np.int64)
    n_segs = 0
    slow = np.empty((16, 4), dtype=np.int64)
    n_slow = 0
    n = 0
    status = OK
    i = _skip_ws(buf, i + 1)
    if buf[i] == 93:
        return OK, i + 1, 0, ints[:, :0], bbox[:0], area[:0], segs[:, :0], slow[:0]
    while True:
        # ---- one annotation, starting at i
        if buf[i] != 123:
            status = ERR_RECORD
            break
        if n == capacity:
            capacity *= 2
            ints = _grow_columns(ints, capacity)
            bbox = _grow_rows(bbox, capacity)
            area = _grow(area, capacity)
        if not _room(n_segs, segs, n_slow, slow):
            segs, slow = _grow_side_tables(n_segs, segs, n_slow, slow)
        ints[COL_REC_START, n] = i
        ints[GT_COL_ISCROWD, n] = -1
        area[n] = np.nan
        seen = 0
        i = _skip_ws(buf, i + 1)
        if buf[i] == 125:
            i += 1
        else:
            while True:
                # ---- one "key": value
                status, key, i = _read_key(buf, i, seen, _GT_KEYS)
                if status != OK:
                    break
                seen |= key
                if key == _GT_ID or key == _GT_IMAGE_ID or key == _GT_CATEGORY_ID:
                    end, value = _quick_id(buf, i)
                    if end < 0:
                        status, end, value = _parse_id(buf, i)
                        if status != OK:
                            i = end
                            break
                    i = end
                    if key == _GT_ID:
                        ints[GT_COL_ANN_ID, n] = value
                    elif key == _GT_IMAGE_ID:
                        ints[COL_IMAGE_ID, n] = value
                    else:
                        ints[COL_CATEGORY_ID, n] = value
                elif key == _GT_AREA and buf[i] == 110:  # null: as if absent
                    if not _match(buf, i, _LIT_NULL):
                        status = ERR_SYNTAX
                        break
                    i += 4
                elif key == _GT_ISCROWD and (buf[i] == 116 or buf[i] == 102):  # true, false
                    if buf[i] == 116 and _match(buf, i, _LIT_TRUE):
                        ints[GT_COL_ISCROWD, n] = 1
                        i += 4
                    elif buf[i] == 102 and _match(buf, i, _LIT_FALSE):
                        ints[GT_COL_ISCROWD, n] = 0
                        i += 5
                    else:
                        status = ERR_SYNTAX
                        break
                elif key == _GT_BBOX or key == _GT_AREA or key == _GT_ISCROWD:
                    end = -1  # the one-pass readers first; anything unusual below
                    if key == _GT_BBOX:
                        end, box = _quick_box(buf, i)
                        if end >= 0:
                            bbox[n, 0], bbox[n, 1], bbox[n, 2], bbox[n, 3] = box
                    elif key == _GT_AREA:
                        end, fval = _quick_number(buf, i)
                        if end >= 0:
                            area[n] = fval
                    else:
                        end, value = _quick_id(buf, i)
                        if end >= 0 and value <= 1:
                            ints[GT_COL_ISCROWD, n] = value
                        else:
                            end = -1
                    if end >= 0:
                        i = end
                    else:
                        # bbox: "[" 4 numbers "]"; area, iscrowd: one number (one parsing site)
                        count = 1
                        if key == _GT_BBOX:
                            if buf[i] != 91:
                                status = ERR_BBOX
                                break
                            i = _skip_ws(buf, i + 1)
                            count = 4
                        for k in range(count):
                            if k > 0:
                                if buf[i] != 44:
                                    status = ERR_BBOX
                                    break
                                i = _skip_ws(buf, i + 1)
                            if not _is_number_start(buf[i]):
                                status = ERR_BBOX if count == 4 else ERR_FIELD
                                break
                            status, end, fval, ival, flags = _parse_number(buf, i)
                            if status != OK:
                                i = end
                                break
                            if key == _GT_ISCROWD:
                                if flags & NUM_INT_OK and (ival == 0 or ival == 1):
                                    ints[GT_COL_ISCROWD, n] = ival
                                elif not (flags & (NUM_INT_TOKEN | NUM_SLOW)) and (
                                    fval == 0.0 or fval == 1.0
                                ):
                                    ints[GT_COL_ISCROWD, n] = 1 if fval == 1.0 else 0
                                else:
                                    status = ERR_FIELD
                                    break
                            else:
                                if _inexact_int(flags, ival):
                                    status = ERR_UNUSUAL
                                    break
                                if key == _GT_AREA:
                                    if flags & NUM_LITERAL:  # NaN / Infinity: refused by the caller
                                        status = ERR_FIELD
                                        break
                                    area[n] = fval
                                    column = GT_COL_AREA
                                else:
                                    bbox[n, k] = fval
                                    column = COL_BBOX + k
                                if flags & NUM_SLOW:
                                    n_slow = _record_slow(slow, n_slow, n, column, i, end)
                            i = end if count == 1 else _skip_ws(buf, end)
                        if status != OK:
                            break
                        if count == 4:
                            if buf[i] != 93:
                                status = ERR_BBOX
                                break
                            i += 1
                elif key == _GT_SEGMENTATION:
                    status, i, n_segs = _add_segmentation(buf, i, segs, n_segs, n, stack)
                    if status != OK:
                        break
                else:
                    status, i = _skip_value(buf, i, stack)
                    if status != OK:
                        break
                status, i, done = _next_item(buf, i, 125)
                if status != OK or done:
                    break
            if status != OK:
                break
        # ---- annotation complete
        if (seen & _GT_REQUIRED) != _GT_REQUIRED:
            status = ERR_MISSING
            i = ints[COL_REC_START, n]
            break
        ints[COL_REC_END, n] = i
        n += 1
        status, i, done = _next_item(buf, i, 93)
        if status != OK or done:
            break
    return status, i, n, ints[:, :n], bbox[:n], area[:n], segs[:, :n_segs], slow[:n_slow]


@njit(**jit_options())
def scan_ground_truth(buf):
    """Scan a COCO ground-truth (instances) document, a JSON object, in ``buf[:-PADDING]``.

    Parameters
    ----------
    buf : numpy.ndarray of uint8, shape (n_bytes + 1,)
        The document's bytes followed by ``PADDING`` zero bytes. A UTF-8 byte order mark is
        skipped.

    Returns
    -------
    status : int
        ``OK`` or one of the ``ERR_*`` codes (see the rules above ``GT_COL_ANN_ID``).
    err_pos : int
        Byte offset of the problem (-1 when ``OK``).
    record : int
        On error, the index of the image or annotation being read (0 outside those arrays).
    image_ids : numpy.ndarray of int64, shape (I,)
        The images' ids, in file order.
    ints : numpy.ndarray of int64, shape (N_GT_INT_COLS, G)
        One row per field of the annotations: ``COL_IMAGE_ID``, ``COL_CATEGORY_ID``,
        ``GT_COL_ANN_ID``, ``GT_COL_ISCROWD`` (-1 when absent) and the record span
        (``COL_REC_START``, ``COL_REC_END``).
    bbox : numpy.ndarray of float64, shape (G, 4)
    area : numpy.ndarray of float64, shape (G,)
        NaN when absent or null (the caller defaults it to width * height).
    segs : numpy.ndarray of int64, shape (N_SEG_ROWS, S)
        One column per annotation with a "segmentation", in file order: its index in row
        ``SEG_RECORD``, the spans, size and flags in the other ``SEG_*`` rows.
    slow : numpy.ndarray of int64, shape (m, 4)
        Numbers not settled here (``SLOW_*`` columns; ``SLOW_COLUMN`` is ``GT_COL_AREA`` or
        ``COL_BBOX + k``): the caller parses them with Python's ``float()``.
    categories_start, categories_end : int
        Byte span of the raw "categories" array (the caller parses its few objects itself).
    image_sizes : numpy.ndarray of int64, shape (I, 2)
        Each image's "height" and "width" (small non-negative integer tokens), -1 otherwise.
    """
    size = _document_size(buf)
    stack = np.empty(MAX_DEPTH, dtype=np.uint8)
    image_ids = np.empty(0, dtype=np.int64)
    image_sizes = np.empty((0, 2), dtype=np.int64)
    ints = np.empty((N_GT_INT_COLS, 0), dtype=np.int64)
    bbox = np.empty((0, 4), dtype=np.float64)
    area = np.empty(0, dtype=np.float64)
    segs = np.empty((N_SEG_ROWS, 0), dtype=np.int64)
    slow = np.empty((0, 4), dtype=np.int64)
    cat_start = -1
    cat_end = -1
    if size < 0:
        return (ERR_BUFFER, max(buf.shape[0] - PADDING, 0), 0, image_ids, ints, bbox, area, segs,
                slow, cat_start, cat_end, image_sizes)
    data = data_pointer(buf)  # the padding is checked: no bounds from here
    i = 0
    if size >= 3 and data[0] == 0xEF and data[1] == 0xBB and data[2] == 0xBF:
        i = 3
    i = _skip_ws(data, i)
    if data[i] != 123:
        status = ERR_TOP_LEVEL if i < size else ERR_SYNTAX
        return (status, i, 0, image_ids, ints, bbox, area, segs, slow, cat_start, cat_end,
                image_sizes)
    sections = 0
    status = OK
    record = 0
    i = _skip_ws(data, i + 1)
    if data[i] == 125:
        i += 1
    else:
        while True:
            if data[i] != 34:
                status = ERR_SYNTAX
                break
            key_start = i + 1
            status, j, escaped = _scan_string(data, i)
            if status != OK:
                i = j
                break
            length = j - 1 - key_start
            section = 0
            if _equals(data, key_start, length, _KEY_IMAGES):
                section = _SEC_IMAGES
            elif _equals(data, key_start, length, _KEY_ANNOTATIONS):
                section = _SEC_ANNOTATIONS
            elif _equals(data, key_start, length, _KEY_CATEGORIES):
                section = _SEC_CATEGORIES
            if escaped or (sections & section) != 0:
                status = ERR_UNUSUAL
                i = key_start
                break
            sections |= section
            i = _skip_ws(data, j)
            if data[i] != 58:
                status = ERR_SYNTAX
                break
            i = _skip_ws(data, i + 1)
            if section != 0 and data[i] != 91:
                status = ERR_SECTION
                break
            if section == _SEC_IMAGES:
                status, i, record, image_ids, image_sizes = _scan_gt_images(data, i, stack)
            elif section == _SEC_ANNOTATIONS:
                status, i, record, ints, bbox, area, segs, slow = _scan_gt_annotations(
                    data, i, size, stack)
            elif section == _SEC_CATEGORIES:
                cat_start = i
                status, i = _skip_value(data, i, stack)
                cat_end = i
            else:
                status, i = _skip_value(data, i, stack)
            if status != OK:
                break
            record = 0
            i = _skip_ws(data, i)
            c = data[i]
            if c == 44:
                i = _skip_ws(data, i + 1)
            elif c == 125:
                i += 1
                break
            else:
                status = ERR_SYNTAX
                break
    if status == OK:
        i = _skip_ws(data, i)
        if i != size:
            status = ERR_SYNTAX  # extra data after the object
        elif sections != _SEC_IMAGES | _SEC_ANNOTATIONS | _SEC_CATEGORIES:
            status = ERR_SECTION
            i = 0
        else:
            i = -1
    return (status, i, record, image_ids, ints, bbox, area, segs, slow, cat_start, cat_end,
            image_sizes)
