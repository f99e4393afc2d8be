"""Whole-process comparison: ``modelmetrics evaluate detection`` against hotcoco's ``coco eval``
on the same files (warm JIT cache: one untimed run first). Wall time and peak memory (max RSS)
of each process, median of ``--repeat`` runs.

    python tools/process_bench.py GT.json RESULTS.json [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


def measure(command: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed (status {status})")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gt")
    parser.add_argument("dt")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bin_dir = os.path.dirname(sys.executable)
    commands = {
        "modelmetrics evaluate detection": [os.path.join(bin_dir, "modelmetrics"), "evaluate",
                                            "detection", "--gt", args.gt, "--pred", args.dt],
    }
    hotcoco = shutil.which("coco", path=bin_dir)
    if hotcoco:
        commands["hotcoco coco eval"] = [hotcoco, "eval", "--gt", args.gt, "--dt", args.dt]
    print("| command | wall time (median) | peak memory (median) |")
    print("|---|---|---|")
    for name, command in commands.items():
        measure(command)  # warm the caches (JIT cache, page cache)
        runs = [measure(command) for _ in range(args.repeat)]
        print(f"| {name} | {statistics.median(r[0] for r in runs):.3f} s | "
              f"{statistics.median(r[1] for r in runs):.0f} MiB |")


if __name__ == "__main__":
    main()
