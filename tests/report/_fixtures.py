"""Job-state documents of every model type for the report tests, and the page's data island."""

from __future__ import annotations

import functools
import json
import pathlib
import re
import sys
import warnings

import modelmetrics as mm
from modelmetrics.report._render import DATA_ELEMENT_ID

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
REGRESSION_EXAMPLE = DATA / "job-state-regression-example.json"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._report_data import job_state  # noqa: E402

__all__ = ["detection_document", "island", "job_state", "regression_document"]


def island(page: str) -> dict:
    """The JSON data island of a rendered page."""
    match = re.search(rf'<script type="application/json" id="{DATA_ELEMENT_ID}">(.*?)</script>',
                      page, re.S)
    assert match, "no data island"
    return json.loads(match.group(1))


def regression_document() -> dict:
    return json.loads(REGRESSION_EXAMPLE.read_text())


@functools.cache
def _detection_json() -> str:
    coco = DATA / "coco100"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test = mm.evaluate_coco(coco / "instances_val2014_100.json",
                                coco / "instances_val2014_fakebbox100_results.json")
        validation = mm.evaluate_coco(coco / "instances_val2014_100.json",
                                      coco / "instances_val2014_fakebbox100_results.json",
                                      score_threshold=0.9)
        run = mm.TrainingRun(start_time=1660676941.0)
        run.set_metrics("test", test).set_metrics("validation", validation)
        document = run.finish().to_dict()
    return json.dumps(document)


def detection_document() -> dict:
    """COCO 100-image sample: test at score >= 0.5, validation at score >= 0.9 (different
    confusion matrices), no losses."""
    return json.loads(_detection_json())
