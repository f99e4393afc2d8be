"""Exceptions and warnings raised by modelmetrics, and the policy for undefined values.

Undefined values
----------------
Some metrics have no value on some data: R² and explained variance when the targets are
constant, a class's precision when it was never predicted, anything at all on zero samples.
modelmetrics follows one policy everywhere:

* the value is ``None`` in Python results and ``null`` in JSON (never NaN, never a silent 0);
* the reason is recorded next to it, in the result's ``"undefined"`` mapping
  (``{metric_key: reason}``), which is exported to JSON as well;
* an :class:`UndefinedMetricWarning` carrying the same reason is emitted when it is computed.

Where a peer library's convention substitutes a finite number (scikit-learn's
``force_finite=True`` for R²), that convention may be selected explicitly; the substitution is then
still recorded in ``"undefined"`` and warned about, so it is never silent.
"""

from __future__ import annotations

__all__ = ["InvalidInputError", "UndefinedMetricWarning"]


class InvalidInputError(ValueError):
    """Input that cannot be evaluated.

    The message names the argument (or record), what was expected, what was found and how to
    fix it. A subclass of :class:`ValueError`, so ``except ValueError`` keeps working.
    """


class UndefinedMetricWarning(UserWarning):
    """A metric has no defined value on the data given; see the module docstring for the policy."""


class ExcludedDataWarning(UserWarning):
    """Data was left out of a computation by a documented rule (e.g. ``nan_policy="omit"``).

    The message says what was excluded, how much, and which rule excluded it; results also carry
    the count.
    """


__all__ += ["ExcludedDataWarning"]
