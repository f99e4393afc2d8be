"""Every input check of the package, in one place.

Checks run once, at the public edge, and are cheap (no pass over the data unless the check is
the point). Errors are :class:`~modelmetrics.exceptions.InvalidInputError` and read like
"The 'threshold' parameter of RegressionMetrics must be a finite number >= 0. Got -1 instead.",
followed by how to fix it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .exceptions import InvalidInputError

__all__ = [
    "as_real_array",
    "check_choice",
    "check_finite_number",
    "parameter_error",
]

_REAL_KINDS = frozenset("iuf")


def parameter_error(name: str, owner: str, expected: str, got: object, fix: str = "") -> InvalidInputError:
    """Build the standard error for a bad parameter value.

    Examples
    --------
    >>> str(parameter_error("num_classes", "confusion_matrix", "a positive int", -3))
    "The 'num_classes' parameter of confusion_matrix must be a positive int. Got -3 instead."
    """
    message = f"The {name!r} parameter of {owner} must be {expected}. Got {got!r} instead."
    if fix:
        message += f" {fix}"
    return InvalidInputError(message)


def to_numpy(value: object) -> np.ndarray:
    """``numpy.asarray`` that also takes tensors which track gradients (detached first, no copy
    for CPU tensors)."""
    if type(value) is np.ndarray:
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach()
    return np.asarray(value)


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"a {type(value).__name__}"


def as_real_array(value: object, name: str, owner: str, *, ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """Return ``value`` as a NumPy array of a real dtype (int, uint or float), without copying
    when it already is one (NumPy arrays, CPU tensors and anything with ``__array__``).

    float16 is widened to float32 (the kernels compute in float64 anyway).

    Parameters
    ----------
    value : array-like
    name, owner : str
        The argument's name and the public function or class it was given to, for messages.
    ndims : tuple of int
        Accepted numbers of dimensions.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> as_real_array([1, 2.5], "y_true", "regression_metrics")
    array([1. , 2.5])
    """
    if isinstance(value, np.ndarray):
        array = value
    else:
        if value is None or isinstance(value, (str, bytes, dict, set)):
            raise InvalidInputError(
                f"The {name!r} argument of {owner} must be an array of numbers. "
                f"Got {_describe(value)} instead."
            )
        try:
            array = to_numpy(value)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise InvalidInputError(
                f"The {name!r} argument of {owner} must be an array of numbers; "
                f"converting {_describe(value)} to an array failed: {exc}"
            ) from exc
    kind = array.dtype.kind
    if kind not in _REAL_KINDS:
        raise InvalidInputError(
            f"The {name!r} argument of {owner} must hold real numbers (int or float). "
            f"Got {_describe(array)} instead. Convert it first, e.g. with "
            f"numpy.asarray({name}, dtype=float)."
        )
    if array.dtype.itemsize == 2 and kind == "f":
        array = array.astype(np.float32)
    if array.ndim not in ndims:
        allowed = " or ".join(str(d) for d in ndims)
        raise InvalidInputError(
            f"The {name!r} argument of {owner} must have {allowed} dimension(s). "
            f"Got {_describe(array)} instead."
        )
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def check_choice(value: object, name: str, owner: str, choices: tuple) -> None:
    """Raise unless ``value`` is one of ``choices``.

    Examples
    --------
    >>> check_choice("drop", "nan_policy", "f", ("raise", "omit"))
    Traceback (most recent call last):
    ...
    modelmetrics.exceptions.InvalidInputError: The 'nan_policy' parameter of f must be one of 'raise', 'omit'. Got 'drop' instead.
    """
    if not isinstance(value, str) or value not in choices:
        raise parameter_error(name, owner, "one of " + ", ".join(repr(c) for c in choices), value)


def check_finite_number(value: object, name: str, owner: str, *, minimum: float | None = None) -> float:
    """Return ``value`` as a float, raising unless it is a finite real number (>= ``minimum``).

    Examples
    --------
    >>> check_finite_number(0.5, "threshold", "f", minimum=0)
    0.5
    """
    expected = "a finite number" + (f" >= {minimum:g}" if minimum is not None else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise parameter_error(name, owner, expected, value)
    number = float(value)
    if not math.isfinite(number) or (minimum is not None and number < minimum):
        raise parameter_error(name, owner, expected, value)
    return number
