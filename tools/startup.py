"""Measure start-up costs in fresh processes: ``import modelmetrics`` and the first call.

Cold: an empty Numba cache folder (first use on a machine: kernels are compiled).
Warm: the same folder again (every later process: compiled kernels are loaded from disk).
Prints a Markdown table; each figure is the median of ``--repeat`` fresh processes.

    python tools/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

PROBE = r"""
import json, time
t0 = time.perf_counter()
import modelmetrics as mm
t1 = time.perf_counter()
import numpy as np
y = np.linspace(0.0, 1.0, 1000); p = y + 0.1
t2 = time.perf_counter()
mm.regression_metrics(y, p)
t3 = time.perf_counter()
m = mm.RegressionMetrics(); m.update(y, p); m.compute()
t4 = time.perf_counter()
import warnings
from importlib import resources
data = resources.files("modelmetrics") / "data"
warnings.simplefilter("ignore")
mm.evaluate_coco(data / "coco_val2014_100_instances.json",
                 data / "coco_val2014_100_bbox_results.json")
t5 = time.perf_counter()
mm.evaluate_coco(data / "coco_val2014_100_instances.json",
                 data / "coco_val2014_100_bbox_results.json")
t6 = time.perf_counter()
print(json.dumps({"import modelmetrics": t1 - t0, "first regression_metrics (1,000 pairs)": t3 - t2,
                  "then RegressionMetrics update+compute": t4 - t3,
                  "first evaluate_coco (bundled 100-image sample)": t5 - t4,
                  "second evaluate_coco (same process)": t6 - t5}))
"""


def run(cache_dir: str) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cold, warm = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache_dir:
            cold.append(run(cache_dir))
            warm.append(run(cache_dir))
    print("| step (fresh process) | empty JIT cache | warm JIT cache |")
    print("|---|---|---|")
    for key in cold[0]:
        c = statistics.median(r[key] for r in cold)
        w = statistics.median(r[key] for r in warm)
        print(f"| {key} | {c * 1000:.0f} ms | {w * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
