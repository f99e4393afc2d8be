"""Atomic writes, strict JSON, and the JIT configuration."""

import json
import os
import subprocess
import sys

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
