"""``evaluate(metric, *collections)``: one evaluator state per partition, merged in a tree.

Every task is a pure function of its inputs (partition data, or the payloads it merges), so a
task lost with a worker is simply recomputed: nothing is counted twice, nothing is lost. States
travel between workers as ``to_bytes()`` payloads, which are versioned and checked on load.
"""

from __future__ import annotations

import copy

from .._validation import parameter_error
from ..exceptions import InvalidInputError

__all__ = ["evaluate"]

_OWNER = "modelmetrics.distributed.evaluate"
_STATE_METHODS = ("update", "merge", "reset", "to_bytes", "from_bytes")


def _dask():
    try:
        import dask
        import dask.array
        import dask.bag
    except ImportError:
        raise ImportError("modelmetrics.distributed needs Dask: pip install 'modelmetrics[dask]'") \
            from None
    return dask


# -- tasks (pure functions of their arguments) ------------------------------------------------


def _from_bytes_any(payload: tuple):
    """The evaluator of a ``(class name, to_bytes())`` payload (checked by ``from_bytes``)."""
    cls_name, data = payload
    return _CLASSES[cls_name].from_bytes(data)


def _dump(metric) -> tuple:
    """``(class name, to_bytes())``: what travels between workers."""
    return type(metric).__name__, metric.to_bytes()


def _update_arrays(template: tuple, *parts) -> tuple:
    """The state of one partition of aligned arrays / series: ``update(*parts)``."""
    metric = _from_bytes_any(template)
    metric.update(*(_to_array(p) for p in parts))
    return _dump(metric)


def _update_records(template: tuple, records) -> tuple:
    """The state of one bag partition: ``update(**record)`` per record; when every value of
    every record is a list (per-image batches, as detection takes), the partition is given in
    one call with the lists concatenated (the result is the same, batches are invariant)."""
    metric = _from_bytes_any(template)
    records = list(records)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise InvalidInputError(f"{_OWNER}: the bag's elements must be dicts of keyword "
                                    f"arguments for {type(metric).__name__}.update; element "
                                    f"{index} of a partition is a {type(record).__name__}.")
    keys = {tuple(record) for record in records}
    if len(keys) == 1 and all(isinstance(v, list) for r in records for v in r.values()):
        (names,) = keys
        metric.update(**{name: [item for r in records for item in r[name]] for name in names})
    else:
        for record in records:
            metric.update(**record)
    return _dump(metric)


def _merge_payloads(*payloads: tuple) -> tuple:
    """One state from several payloads (a node of the reduction tree)."""
    metric = _from_bytes_any(payloads[0])
    for payload in payloads[1:]:
        metric.merge(_from_bytes_any(payload))
    return _dump(metric)


def _to_array(part):
    import numpy as np

    if hasattr(part, "to_numpy"):  # pandas Series / DataFrame
        return part.to_numpy()
    return np.asarray(part)


# -- the registry of evaluator classes (payloads name their class) ---------------------------


class _Registry(dict):
    def __missing__(self, name):
        import modelmetrics as mm

        cls = getattr(mm, name, None)
        if cls is None or not all(hasattr(cls, m) for m in _STATE_METHODS):
            raise InvalidInputError(f"{_OWNER}: unknown evaluator class {name!r} in a state "
                                    f"payload.")
        self[name] = cls
        return cls


_CLASSES = _Registry()


# -- the public entry point -------------------------------------------------------------------


def _partitions(dask, collections) -> tuple[str, list]:
    """Delayed partition tuples of partition-aligned collections, and their kind."""
    import dask.array as da
    import dask.bag as db

    if len(collections) == 1 and isinstance(collections[0], db.Bag):
        return "records", [(p,) for p in collections[0].to_delayed()]
    if any(isinstance(c, db.Bag) for c in collections):
        raise InvalidInputError(f"{_OWNER}: a dask.bag is evaluated alone (one bag of dicts, "
                                f"each the keyword arguments of one update call).")
    if all(isinstance(c, da.Array) for c in collections):
        first = collections[0]
        for k, other in enumerate(collections[1:], start=2):
            if other.shape != first.shape:
                raise InvalidInputError(f"{_OWNER}: the dask arrays must have the same shape; "
                                        f"collection 1 has shape {first.shape}, collection {k} "
                                        f"has {other.shape}.")
        aligned = [first] + [c.rechunk(first.chunks) for c in collections[1:]]
        blocks = [c.to_delayed().ravel() for c in aligned]
        return "arrays", list(zip(*blocks))
    if all(hasattr(c, "npartitions") and hasattr(c, "to_delayed") for c in collections):
        counts = {c.npartitions for c in collections}
        if len(counts) != 1:
            raise InvalidInputError(f"{_OWNER}: the dask dataframe columns must be "
                                    f"partition-aligned; got {sorted(counts)} partitions. Take "
                                    f"them from the same dataframe.")
        return "arrays", list(zip(*(c.to_delayed() for c in collections)))
    kinds = ", ".join(type(c).__name__ for c in collections)
    raise InvalidInputError(f"{_OWNER} takes one dask.bag of dicts, or dask arrays, or dask "
                            f"dataframe columns (all of one kind). Got: {kinds}.")


def evaluate(metric, *collections, split_every: int = 8, scheduler=None, compute: bool = True):
    """Evaluate Dask collections with an evaluator of this library, partition by partition.

    Each partition is fed to an empty copy of ``metric`` (its options, none of its data); the
    partition states are merged in a tree (``split_every`` at a time) and the result is merged
    into a copy of ``metric``, so data ``metric`` already holds counts once.

    Parameters
    ----------
    metric : evaluator
        ``RegressionMetrics``, ``DetectionMetrics``, ``SegmentationMetrics``,
        ``ClassificationMetrics``, ...: anything with ``update``, ``merge``, ``reset``,
        ``to_bytes`` and ``from_bytes``. It is not modified.
    *collections : dask collections
        Partition-aligned: two dask arrays (``update(gt_block, pred_block)`` per block of the
        first array's chunking), dataframe columns (``update(col_1, col_2, ...)`` per
        partition), or one ``dask.bag`` of dicts (``update(**record)`` per record).
    split_every : int, default 8
        States merged per reduction task.
    scheduler : optional
        Passed to ``dask.compute`` (default: the active scheduler or client).
    compute : bool, default True
        False returns the ``dask.delayed`` payload of the merged partitions instead (compute
        it, then ``type(metric).from_bytes(payload[1])``).

    Returns
    -------
    evaluator
        A new evaluator of ``metric``'s class holding everything; ``.compute()`` gives the
        result.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> import modelmetrics as mm
    >>> from modelmetrics import distributed as mmd
    >>> y = da.from_array(np.arange(10.0), chunks=3)
    >>> merged = mmd.evaluate(mm.RegressionMetrics(), y, y + 1, scheduler="sync")
    >>> merged.compute()["mean-error"], merged.compute().n_samples
    (1.0, 10)
    """
    dask = _dask()
    if not all(hasattr(metric, m) for m in _STATE_METHODS):
        raise parameter_error("metric", _OWNER, "an evaluator of modelmetrics (with update, "
                              "merge, reset, to_bytes and from_bytes)", metric)
    if not collections:
        raise InvalidInputError(f"{_OWNER}: give at least one dask collection to evaluate.")
    if not (isinstance(split_every, int) and not isinstance(split_every, bool) and split_every >= 2):
        raise parameter_error("split_every", _OWNER, "an int >= 2", split_every)
    empty = copy.deepcopy(metric).reset()
    template = _dump(empty)
    kind, parts = _partitions(dask, collections)
    task = _update_records if kind == "records" else _update_arrays
    delayed = dask.delayed(task, pure=False)
    level = [delayed(template, *part) for part in parts] or [dask.delayed(template)]
    merge = dask.delayed(_merge_payloads, pure=False)
    while len(level) > 1:
        level = [merge(*level[k:k + split_every]) for k in range(0, len(level), split_every)]
    if not compute:
        return level[0]
    (payload,) = dask.compute(level[0], scheduler=scheduler)
    return copy.deepcopy(metric).merge(_from_bytes_any(payload))
