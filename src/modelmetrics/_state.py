"""Versioned, checksummed byte payloads for evaluator states (``to_bytes``/``from_bytes``).

Layout: magic ``b"MMST"``, format version (uint8), header length (uint32 LE), a JSON header
(evaluator kind, options, and the dtype and shape of each array), the arrays' raw bytes in
little-endian order, and a CRC-32 of everything before it (uint32 LE). A payload from another
evaluator, an unknown format version, a truncated or corrupted one is refused with a clear error,
so a damaged shard can never turn into wrong numbers.
"""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np

from .exceptions import InvalidInputError

MAGIC = b"MMST"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<4sBI")
_CRC = struct.Struct("<I")

__all__ = ["pack_state", "restore", "unpack_state"]


def pack_state(kind: str, options: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """Serialise an evaluator state.

    Parameters
    ----------
    kind : str
        The evaluator's class name; checked on load.
    options : dict
        JSON-serialisable constructor options.
    arrays : dict of str to numpy.ndarray
        The state arrays (numeric dtypes).

    Returns
    -------
    bytes

    Examples
    --------
    >>> payload = pack_state("Demo", {"a": 1}, {"x": np.arange(3.0)})
    >>> unpack_state(payload, "Demo")
    ({'a': 1}, {'x': array([0., 1., 2.])})
    """
    specs = {}
    blobs = []
    for name, array in arrays.items():
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        specs[name] = {"dtype": little.dtype.str, "shape": list(little.shape)}
        blobs.append(little.tobytes())
    header = json.dumps({"kind": kind, "options": options, "arrays": specs},
                        separators=(",", ":"), allow_nan=False).encode()
    body = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header)) + header + b"".join(blobs)
    return body + _CRC.pack(zlib.crc32(body))


def unpack_state(data: bytes, kind: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Inverse of :func:`pack_state`; raises :class:`InvalidInputError` on any mismatch."""
    where = f"{kind}.from_bytes"
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidInputError(f"{where} expects bytes made by {kind}.to_bytes(). "
                                f"Got a {type(data).__name__} instead.")
    data = bytes(data)
    if len(data) < _PREFIX.size + _CRC.size or data[:4] != MAGIC:
        raise InvalidInputError(f"{where}: not a modelmetrics state payload (bad magic or too "
                                f"short: {len(data)} bytes). Pass bytes made by {kind}.to_bytes().")
    body, (crc,) = data[:-_CRC.size], _CRC.unpack(data[-_CRC.size:])
    if zlib.crc32(body) != crc:
        raise InvalidInputError(f"{where}: the payload is corrupted (checksum mismatch); "
                                f"re-create it with {kind}.to_bytes().")
    _, version, header_length = _PREFIX.unpack(body[:_PREFIX.size])
    if version != FORMAT_VERSION:
        raise InvalidInputError(f"{where}: payload format version {version} is not supported by "
                                f"this modelmetrics (it reads version {FORMAT_VERSION}); use the "
                                f"same modelmetrics version to write and read states.")
    start = _PREFIX.size + header_length
    try:
        if start > len(body):
            raise ValueError("header length beyond the payload")
        header = json.loads(body[_PREFIX.size:start])
        if not isinstance(header, dict) or not isinstance(header.get("arrays"), dict):
            raise ValueError("header is not an object with an 'arrays' table")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{where}: the payload's header is malformed ({exc}); it was "
                                f"not written by {kind}.to_bytes() of this version.") from None
    if header.get("kind") != kind:
        raise InvalidInputError(f"{where}: the payload holds a {header.get('kind')!r} state, "
                                f"not a {kind!r} one.")
    arrays = {}
    for name, spec in header["arrays"].items():
        try:
            dtype = np.dtype(spec["dtype"])
            shape = tuple(int(n) for n in spec["shape"])
            if dtype.hasobject or any(n < 0 for n in shape):
                raise ValueError(spec)
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(f"{where}: the payload describes array {name!r} as "
                                    f"{spec!r}, which is not a valid array layout.") from None
        size = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        if start + size > len(body):
            raise InvalidInputError(f"{where}: the payload is truncated (array {name!r}).")
        arrays[name] = np.frombuffer(body, dtype=dtype, count=size // dtype.itemsize,
                                     offset=start).reshape(shape).astype(dtype.newbyteorder("="))
        start += size
    if start != len(body):
        raise InvalidInputError(f"{where}: the payload has {len(body) - start} unexpected "
                                f"trailing bytes; it is corrupted.")
    options = header.get("options")
    if not isinstance(options, dict):
        raise InvalidInputError(f"{where}: the payload's options are missing or malformed.")
    return options, arrays


def restore(cls, options: dict):
    """``cls(**options)`` for a payload's options, refusing unknown or bad ones clearly."""
    try:
        return cls(**options)
    except TypeError as exc:
        raise InvalidInputError(f"{cls.__name__}.from_bytes: the payload's options do not fit "
                                f"this version of {cls.__name__} ({exc}).") from None
