"""Interleaved in-process comparison of the COCO evaluators on the benchmark workloads: each
round times every evaluator once, in turn, so that the slow phases of a shared machine fall on
all of them alike (pytest-benchmark times one evaluator's rounds after the other's). Prints each
evaluator's minimum and median and the ratios of the minima to modelmetrics'.

    python tools/interleaved_bench.py bbox|segm [--rounds 10] [--peers hotcoco ...] [--busy]

Each evaluator runs twice on the workload before the timed rounds (JIT compilation, page cache);
the workloads are those of ``benchmarks/`` (``make_coco_like.py``, made once and kept).
``--busy`` runs a CPU-bound process beside the evaluators for the whole measurement (one core's
worth of someone else's work, as on a shared machine).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks._detection_peers import available_peers, workload  # noqa: E402

FAST_PEERS = ("ultrafast-pycocotools", "hotcoco")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("bbox", "segm"))
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--peers", nargs="*", default=list(FAST_PEERS))
    parser.add_argument("--busy", action="store_true",
                        help="a CPU-bound process beside the evaluators")
    args = parser.parse_args()
    busy = (subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy
            else None)
    try:
        _measure(args)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


def _measure(args) -> None:
    peers = available_peers()
    names = ["modelmetrics", *(name for name in args.peers if name in peers)]
    if args.kind == "segm":
        files, options = workload(500, 1, True), {"iou_type": "segm"}
    else:
        files, options = workload(5000), {}
    for name in names:
        for _ in range(2):
            peers[name](*files, **options)
    times = {name: [] for name in names}
    for _ in range(args.rounds):
        for name in names:
            start = time.perf_counter()
            peers[name](*files, **options)
            times[name].append(time.perf_counter() - start)
    ours = min(times["modelmetrics"])
    for name in names:
        best = min(times[name])
        print(f"{args.kind} {name:24s} min {best * 1000:8.1f} ms   median "
              f"{statistics.median(times[name]) * 1000:8.1f} ms   min / modelmetrics' min "
              f"{best / ours:5.2f}")


if __name__ == "__main__":
    main()
