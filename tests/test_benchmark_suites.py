"""Every asv benchmark body runs once (smallest parameters), so the suites never rot; and every
peer of the comparison table computes the same numbers as modelmetrics on a small workload."""

import importlib.util
import inspect
import itertools
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "benchmarks"
SUITES = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))


def _import(name):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"benchmarks.{name}")


def _cases(module):
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__:
            continue
        methods = [m for m in dir(cls) if m.startswith(("time_", "peakmem_", "mem_", "track_"))]
        if not methods:
            continue
        params = getattr(cls, "params", None)
        if params is None:
            yield cls, methods, ()
            continue
        grid = params if params and isinstance(params[0], list) else [params]
        yield cls, methods, tuple(min(values, key=lambda v: (str(type(v)), v)) for values in grid)


@pytest.mark.parametrize("suite", SUITES)
def test_every_benchmark_body_runs_once(suite):
    module = _import(suite)
    ran = 0
    for cls, methods, args in _cases(module):
        instance = cls()
        if hasattr(instance, "setup"):
            instance.setup(*args)
        for name in methods:
            getattr(instance, name)(*args)
            ran += 1
        if hasattr(instance, "teardown"):
            instance.teardown(*args)
    assert ran > 0, f"{suite} has no benchmark"


def test_regression_peers_agree_with_modelmetrics():
    peers = _import("_regression_peers")
    y_true, y_pred = peers.make_pairs(10_000)
    reference = peers.ONE_SHOT["modelmetrics"](y_true, y_pred)
    assert set(reference) == {"mean-error", "max-error", "mean-absolute-error",
                              "mean-squared-error", "r2-score", "explained-variance-score"}
    for name, compute in peers.ONE_SHOT.items():
        result = compute(y_true, y_pred)
        for key, value in reference.items():
            assert result[key] == pytest.approx(value, rel=1e-10), (name, key)


def test_streaming_updaters_run():
    peers = _import("_regression_peers")
    for name, (update, args) in itertools.islice(peers.streaming_updaters(100).items(), None):
        update(*args)


@pytest.mark.parametrize("maps", ["regions", "noise"])
def test_segmentation_peers_agree_with_modelmetrics(maps):
    peers = _import("_segmentation_peers")
    gt, pred = peers.make_label_maps(2, 64, 96, kind=maps)
    assert (gt == 255).any() and (gt != pred).any()
    reference = peers.ONE_SHOT["modelmetrics"](gt, pred)
    assert reference.sum() == (gt != 255).sum()
    for name, compute in peers.ONE_SHOT.items():
        assert np.array_equal(compute(gt, pred), reference), name
    for name, (update, args) in peers.streaming_updaters(32, 48).items():
        update(*args)


def test_classification_peers_agree_with_modelmetrics():
    peers = _import("_classification_peers")
    y_true, y_pred = peers.make_labels(20_000, 50)
    reference = peers.ONE_SHOT["modelmetrics"](y_true, y_pred, 50)
    assert reference.sum() == 20_000
    for name, compute in peers.ONE_SHOT.items():
        assert np.array_equal(compute(y_true, y_pred, 50), reference), name
    for name, (update, args) in peers.streaming_updaters(64, 50).items():
        update(*args)
