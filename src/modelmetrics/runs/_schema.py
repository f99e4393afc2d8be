"""The job-state JSON Schema (shipped as ``job_state.schema.json``) and a validator for it.

The schema is standard JSON Schema (draft 2020-12); any validator accepts it. To keep the
runtime dependencies at NumPy and Numba, this module checks documents itself, implementing the
keywords the schema uses: ``type``, ``enum``, ``properties``, ``patternProperties``,
``additionalProperties``, ``propertyNames``, ``required``, ``items``, ``minimum``, ``pattern``
and local ``$ref``. (The test suite checks that it agrees with the ``jsonschema`` package.)
"""

from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources

from ..exceptions import InvalidInputError

__all__ = ["job_state_schema", "job_state_errors", "validate_job_state"]

_SCHEMA_FILE = "job_state.schema.json"
_MAX_REPORTED = 10


@functools.cache
def _schema() -> dict:
    return json.loads(resources.files(__package__).joinpath(_SCHEMA_FILE).read_text("utf-8"))


def job_state_schema() -> dict:
    """The JSON Schema of job-state documents (a fresh copy).

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.job_state_schema()["required"][:3]
    ['running', 'successful', 'error']
    """
    return json.loads(json.dumps(_schema()))


def _type_matches(value, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if name == "number":
        return True
    return isinstance(value, int) or (math.isfinite(value) and value == int(value))  # integer


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, list):
        return f"an array of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"an object with {len(value)} key(s)"
    return f"a {type(value).__name__}"


def _pointer(path: tuple) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else "/"


def _check(value, schema: dict, path: tuple, errors: list) -> None:
    root = _schema()
    while "$ref" in schema:  # local references; sibling keywords apply too (2020-12)
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    where = _pointer(path)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_matches(value, n) for n in names):
            errors.append(f"{where}: expected {' or '.join(names)}, found {_describe(value)}")
            return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: expected one of {schema['enum']}, found {_describe(value)}")
        return
    if "minimum" in schema and _type_matches(value, "number") and value < schema["minimum"]:
        errors.append(f"{where}: expected a number >= {schema['minimum']}, found {value!r}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        errors.append(f"{where}: {value!r} does not match the pattern {schema['pattern']}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], (*path, index), errors)
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                errors.append(f"{where}: the required key {key!r} is missing")
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for key, item in value.items():
            if "propertyNames" in schema:
                _check(key, schema["propertyNames"], (*path, key), errors)
            matched = False
            if key in properties:
                _check(item, properties[key], (*path, key), errors)
                matched = True
            for pattern, sub in patterns.items():
                if re.search(pattern, key):
                    _check(item, sub, (*path, key), errors)
                    matched = True
            extra = schema.get("additionalProperties", True)
            if not matched:
                if extra is False:
                    known = sorted(properties) + sorted(patterns)
                    errors.append(f"{where}: unexpected key {key!r} (known keys: "
                                  f"{', '.join(known[:12])}{', ...' if len(known) > 12 else ''})")
                elif isinstance(extra, dict):
                    _check(item, extra, (*path, key), errors)


def job_state_errors(document) -> list[str]:
    """Every way ``document`` breaks the job-state schema, as ``"/json/pointer: problem"``
    strings (empty when it is valid).

    Examples
    --------
    >>> job_state_errors({"running": "yes"})[:2]
    ["/: the required key 'successful' is missing", "/: the required key 'error' is missing"]
    """
    errors: list[str] = []
    _check(document, _schema(), (), errors)
    return errors


def validate_job_state(document) -> None:
    """Check a job-state document (parsed JSON) against the schema.

    Raises
    ------
    InvalidInputError
        Naming the path of each bad field (JSON Pointer), what was expected and what was found.

    Examples
    --------
    >>> import modelmetrics as mm
    >>> mm.validate_job_state({"running": False, "successful": True, "error": False,
    ...     "metrics": {"test": {"r2-score": "high"}}, "datasetStats": {}, "losses": [],
    ...     "validationLosses": [], "lossTimestamps": [], "startTime": 0, "duration": 0,
    ...     "accuracies": {}})
    Traceback (most recent call last):
    ...
    modelmetrics.exceptions.InvalidInputError: The job-state document does not follow the schema (1 problem): /metrics/test/r2-score: expected number or null, found the string 'high'. See modelmetrics.job_state_schema() for the format.
    """
    errors = job_state_errors(document)
    if errors:
        shown = "; ".join(errors[:_MAX_REPORTED])
        more = f"; and {len(errors) - _MAX_REPORTED} more" if len(errors) > _MAX_REPORTED else ""
        raise InvalidInputError(
            f"The job-state document does not follow the schema ({len(errors)} problem"
            f"{'s' if len(errors) > 1 else ''}): {shown}{more}. See "
            f"modelmetrics.job_state_schema() for the format."
        )
