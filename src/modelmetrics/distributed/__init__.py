"""Evaluation on Dask: map partitions to evaluator states, tree-reduce them with ``merge``.

Needs the optional extra: ``pip install "modelmetrics[dask]"``. Works with any Dask scheduler
(threads, processes, ``dask.distributed``). See :func:`evaluate`.
"""

from ._evaluate import evaluate

__all__ = ["evaluate"]
