"""Atomic writes, strict JSON, and the JIT configuration."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modelmetrics.io import _atomic


def test_write_json_atomic_refuses_nan_and_keeps_old_file(tmp_path):
    target = tmp_path / "job.json"
    _atomic.write_json_atomic(target, {"a": 1})
    with pytest.raises(ValueError):
        _atomic.write_json_atomic(target, {"a": float("nan")})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["job.json"]


def test_crash_during_write_leaves_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "job.json"
    _atomic.write_json_atomic(target, {"version": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(_atomic.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        _atomic.write_json_atomic(target, {"version": 2})
    assert json.loads(target.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["job.json"]  # no temporary left behind


def _config_in_subprocess(**env):
    code = ("from modelmetrics import _config as c; "
            "print(c.JIT_CACHE, c.JIT_PARALLEL, c.JIT_FASTMATH)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env})


def test_jit_defaults_cache_on_parallel_on_fastmath_off():
    clean = {k: "" for k in ("MODELMETRICS_JIT_CACHE", "MODELMETRICS_JIT_PARALLEL",
                             "MODELMETRICS_JIT_FASTMATH")}
    assert _config_in_subprocess(**clean).stdout.split() == ["True", "True", "False"]
    assert _config_in_subprocess(MODELMETRICS_JIT_PARALLEL="0").stdout.split()[1] == "False"


def _spin_setting_after_import(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    code = "import os, modelmetrics; print(os.environ.get('GOMP_SPINCOUNT'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**base, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_openmp_spin_is_shortened_unless_the_environment_sets_it():
    from modelmetrics._config import OPENMP_SPIN_COUNT

    assert _spin_setting_after_import() == str(OPENMP_SPIN_COUNT) == "1000"
    assert _spin_setting_after_import(GOMP_SPINCOUNT="300000") == "300000"
    assert _spin_setting_after_import(OMP_WAIT_POLICY="active") == "None"


def test_bad_jit_flag_is_a_clear_error():
    done = _config_in_subprocess(MODELMETRICS_JIT_CACHE="maybe")
    assert done.returncode != 0
    assert "MODELMETRICS_JIT_CACHE" in done.stderr and "'maybe'" in done.stderr


def test_no_kernel_uses_fastmath():
    from pathlib import Path

    import modelmetrics

    for source in Path(modelmetrics.__file__).parent.rglob("*.py"):
        assert "fastmath=True" not in source.read_text(), source


def test_import_is_lazy():
    code = "import sys, modelmetrics; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "False"


def test_every_compiled_kernel_can_be_cached():
    # A kernel that reads a dynamic global (numba.get_num_threads(), a ctypes pointer) cannot be
    # written to the disk cache and is compiled again by every new process. Run each task
    # once on small data, then check every overload compiled in this process.
    import importlib
    import pkgutil
    import warnings

    import numpy as np

    import modelmetrics as mm
    import modelmetrics.kernels as kernels

    data = Path(mm.__file__).parent / "data"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gt = data / "coco_val2014_100_instances.json"
        mm.evaluate_coco(gt, data / "coco_val2014_100_bbox_results.json")
        mm.evaluate_coco(gt, data / "coco_val2014_100_segm_results.json", iou_type="segm")
        rng = np.random.default_rng(0)
        labels = rng.integers(0, 5, 50_000)
        mm.confusion_matrix(labels, labels[::-1].copy(), num_classes=5)
        maps = rng.integers(0, 3, (2, 64, 64)).astype(np.uint8)
        mm.SegmentationMetrics(3).update(maps, maps[::-1].copy()).compute()
        mm.regression_metrics(rng.random(50_000), rng.random(50_000))
    checked = 0
    for info in pkgutil.iter_modules(kernels.__path__):
        module = importlib.import_module(f"modelmetrics.kernels.{info.name}")
        for name, value in vars(module).items():
            for compiled in getattr(value, "overloads", {}).values():
                checked += 1
                assert not compiled.library.has_dynamic_globals, (
                    f"modelmetrics.kernels.{info.name}.{name} uses a dynamic global and cannot "
                    f"be cached")
    assert checked > 20


_FAULTS_OF_A_THIRD_ROUND = """
import resource
import numpy as np
import modelmetrics

def round_of_allocations():  # 100 MB freed at once: glibc trims it by default
    arrays = [np.ones(20_000_000, np.uint8) for _ in range(5)]
    del arrays

round_of_allocations()
round_of_allocations()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
round_of_allocations()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings")
def test_keep_freed_memory_lets_repeated_work_reuse_mapped_memory():
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's malloc settings")
    faults = {}
    for value in ("0", "1"):
        env = {**os.environ, "MODELMETRICS_KEEP_FREED_MEMORY": value}
        done = subprocess.run([sys.executable, "-c", _FAULTS_OF_A_THIRD_ROUND],
                              capture_output=True, text=True, env=env, check=True)
        faults[value] = int(done.stdout)
    # kept: the third round runs on pages mapped by the first; by default on fresh ones
    assert faults["1"] < 50 < faults["0"], faults
    applied = subprocess.run([sys.executable, "-c", "import modelmetrics as mm; "
                              "print(mm.keep_freed_memory())"], capture_output=True, text=True)
    assert applied.stdout.split() == ["True"]
    bad = subprocess.run([sys.executable, "-c", "import modelmetrics"], capture_output=True,
                         text=True, env={**os.environ, "MODELMETRICS_KEEP_FREED_MEMORY": "perhaps"})
    assert bad.returncode != 0 and "MODELMETRICS_KEEP_FREED_MEMORY" in bad.stderr
