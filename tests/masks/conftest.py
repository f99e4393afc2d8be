"""Shared fixtures of the mask tests: small ``make_coco_like.py --masks`` workloads."""

import subprocess
import sys
from pathlib import Path

import pytest

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "make_coco_like.py"


@pytest.fixture(scope="session", params=[1, 2, 3])
def coco_like(request, tmp_path_factory):
    """(gt.json, dt.json) paths: 10 images, 5 classes, polygon ground truth with crowd RLEs,
    compressed-RLE results with boxes."""
    folder = tmp_path_factory.mktemp(f"coco-like-masks-{request.param}")
    subprocess.run([sys.executable, str(GENERATOR), str(folder), "--images", "10",
                    "--dets-per-image", "25", "--categories", "5", "--masks", "--seed",
                    str(request.param)], check=True, capture_output=True)
    return folder / "gt.json", folder / "dt.json"
