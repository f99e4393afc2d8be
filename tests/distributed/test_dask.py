"""modelmetrics.distributed on Dask: the threaded scheduler, a real LocalCluster with 2 worker
processes on loopback, a worker killed mid-evaluation, empty and uneven partitions."""

from __future__ import annotations

import json
import os
import signal
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import modelmetrics as mm

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
db = pytest.importorskip("dask.bag")

from modelmetrics import distributed as mmd  # noqa: E402
from modelmetrics.distributed._evaluate import _from_bytes_any  # noqa: E402

COCO = Path(__file__).resolve().parents[1] / "data" / "coco100"
REL = 1e-12


def _regression_data(n=10_007, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.normal(50, 20, n)
    return y, y + rng.normal(0, 3, n)


def _assert_regression_equal(got, want):
    assert got.n_samples == want.n_samples
    for key, value in want.values.items():
        assert got.values[key] == pytest.approx(value, rel=REL, abs=1e-12), key
    assert got.accuracy == pytest.approx(want.accuracy, rel=REL)


def _records(path_gt, path_dt):
    """One bag element per image: the keyword arguments of DetectionMetrics.update."""
    gt = json.loads(Path(path_gt).read_text())
    dt = json.loads(Path(path_dt).read_text())
    by_image = {image["id"]: ([], []) for image in gt["images"]}
    for ann in gt["annotations"]:
        by_image[ann["image_id"]][0].append(ann)
    for det in dt:
        by_image[det["image_id"]][1].append(det)
    records = []
    for image_id, (g, d) in sorted(by_image.items()):
        prediction = {"boxes": np.array([x["bbox"] for x in d], float).reshape(-1, 4),
                      "scores": np.array([x["score"] for x in d], float),
                      "labels": np.array([x["category_id"] for x in d], np.int64)}
        target = {"boxes": np.array([x["bbox"] for x in g], float).reshape(-1, 4),
                  "labels": np.array([x["category_id"] for x in g], np.int64),
                  "iscrowd": np.array([x["iscrowd"] for x in g], bool),
                  "area": np.array([x["area"] for x in g], float), "image_id": image_id}
        records.append({"predictions": [prediction], "targets": [target]})
    return records


@pytest.fixture(scope="module")
def coco_records():
    return _records(COCO / "instances_val2014_100.json",
                    COCO / "instances_val2014_fakebbox100_results.json")


def _detection_reference(records):
    metric = mm.DetectionMetrics(box_format="xywh")
    metric.update([p for r in records for p in r["predictions"]],
                  [t for r in records for t in r["targets"]])
    return _quiet_compute(metric)


def _quiet_compute(metric):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mm.UndefinedMetricWarning)
        return metric.compute()


def _assert_detection_equal(got, want):
    np.testing.assert_array_equal(got.stats, want.stats)
    np.testing.assert_array_equal(got.precision, want.precision)
    np.testing.assert_array_equal(got.recall, want.recall)
    np.testing.assert_array_equal(got.confusion_matrix, want.confusion_matrix)
    assert got.per_class == want.per_class


# -- threaded scheduler ------------------------------------------------------------------------


@pytest.mark.parametrize("chunks", [1000, 4096, (0, 5, 10_000, 2)])
def test_regression_arrays_equal_single_process(chunks):
    y, p = _regression_data()
    chunks = chunks if isinstance(chunks, int) else (chunks,)
    gt = da.from_array(y, chunks=chunks)
    pred = da.from_array(p, chunks=2500)  # rechunked to gt's blocks
    merged = mmd.evaluate(mm.RegressionMetrics(threshold=2.0), gt, pred, scheduler="threads")
    _assert_regression_equal(merged.compute(),
                             mm.RegressionMetrics(threshold=2.0).update(y, p).compute())


def test_regression_dataframe_columns_with_empty_partitions():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    y, p = _regression_data(5000, seed=1)
    frame = pd.DataFrame({"y_true": y, "y_pred": p, "keep": np.arange(5000) % 7 != 0})
    ddf = dd.from_pandas(frame, npartitions=9)
    ddf = ddf[ddf["y_true"] > 60]  # uneven partitions, some possibly empty
    merged = mmd.evaluate(mm.RegressionMetrics(), ddf["y_true"], ddf["y_pred"],
                          scheduler="threads")
    kept = frame[frame["y_true"] > 60]
    _assert_regression_equal(merged.compute(), mm.RegressionMetrics().update(
        kept["y_true"].to_numpy(), kept["y_pred"].to_numpy()).compute())


@pytest.mark.parametrize("npartitions", [1, 7, 150])  # 150 > 100 images: empty partitions
def test_detection_bag_equals_one_shot_exactly(coco_records, npartitions):
    bag = db.from_sequence(coco_records, npartitions=npartitions)
    merged = mmd.evaluate(mm.DetectionMetrics(box_format="xywh"), bag, scheduler="threads",
                          split_every=3)
    _assert_detection_equal(_quiet_compute(merged), _detection_reference(coco_records))


def test_detection_bag_gives_the_published_coco_numbers(coco_records):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mm.UndefinedMetricWarning)
        files = mm.evaluate_coco(COCO / "instances_val2014_100.json",
                                 COCO / "instances_val2014_fakebbox100_results.json")
    merged = mmd.evaluate(mm.DetectionMetrics(box_format="xywh"),
                          db.from_sequence(coco_records, npartitions=5), scheduler="threads")
    np.testing.assert_array_equal(_quiet_compute(merged).stats, files.stats)


def test_the_template_is_not_modified_and_its_data_counts_once():
    y, p = _regression_data(1000)
    template = mm.RegressionMetrics().update(y[:10], p[:10])
    before = template.to_bytes()
    merged = mmd.evaluate(template, da.from_array(y[10:], chunks=97),
                          da.from_array(p[10:], chunks=97), scheduler="sync")
    assert template.to_bytes() == before
    _assert_regression_equal(merged.compute(), mm.RegressionMetrics().update(y, p).compute())


def test_bad_arguments_are_clear_errors():
    y = da.from_array(np.arange(10.0), chunks=5)
    with pytest.raises(mm.InvalidInputError, match="'metric'"):
        mmd.evaluate(object(), y, y)
    with pytest.raises(mm.InvalidInputError, match="same shape"):
        mmd.evaluate(mm.RegressionMetrics(), y, da.from_array(np.arange(11.0), chunks=5))
    with pytest.raises(mm.InvalidInputError, match="evaluated alone"):
        mmd.evaluate(mm.RegressionMetrics(), y, db.from_sequence([1, 2]))
    with pytest.raises(mm.InvalidInputError, match="Got: list"):
        mmd.evaluate(mm.RegressionMetrics(), [1, 2], [1, 2])
    with pytest.raises(mm.InvalidInputError, match="'split_every'"):
        mmd.evaluate(mm.RegressionMetrics(), y, y, split_every=1)
    with pytest.raises(mm.InvalidInputError, match="at least one"):
        mmd.evaluate(mm.RegressionMetrics())
    with pytest.raises(mm.InvalidInputError, match="must be dicts"):
        mmd.evaluate(mm.DetectionMetrics(), db.from_sequence([1, 2]), scheduler="sync")


def test_payloads_are_checked_on_load():
    good = mm.RegressionMetrics().update([1.0, 2.0], [1.0, 3.0]).to_bytes()
    with pytest.raises(mm.InvalidInputError):
        _from_bytes_any(("RegressionMetrics", good[:-3]))  # truncated
    with pytest.raises(mm.InvalidInputError):
        _from_bytes_any(("DetectionMetrics", good))  # another evaluator's payload
    with pytest.raises(mm.InvalidInputError, match="unknown evaluator class"):
        _from_bytes_any(("evaluate_coco", good))


# -- a real cluster --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       silence_logs=50)
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.slow
def test_local_cluster_gives_single_process_numbers(client, coco_records):
    y, p = _regression_data(20_011, seed=3)
    merged = mmd.evaluate(mm.RegressionMetrics(), da.from_array(y, chunks=3000),
                          da.from_array(p, chunks=3000))
    _assert_regression_equal(merged.compute(), mm.RegressionMetrics().update(y, p).compute())
    bag = db.from_sequence(coco_records, npartitions=6)
    detection = mmd.evaluate(mm.DetectionMetrics(box_format="xywh"), bag)
    _assert_detection_equal(_quiet_compute(detection), _detection_reference(coco_records))
    assert len(client.scheduler_info()["workers"]) == 2


def _slowly(record):
    time.sleep(0.05)
    return record


@pytest.mark.slow
def test_a_worker_killed_mid_evaluation_changes_nothing(client, coco_records):
    bag = db.from_sequence(coco_records, npartitions=20).map(_slowly)
    future = client.compute(mmd.evaluate(mm.DetectionMetrics(box_format="xywh"), bag,
                                         compute=False))
    pids = client.run(os.getpid)
    deadline = time.time() + 30
    while not any(client.processing().values()) and time.time() < deadline:
        time.sleep(0.02)
    victim = next(iter(pids))
    os.kill(pids[victim], signal.SIGKILL)  # the nanny starts a new worker; tasks are redone
    payload = future.result(timeout=120)
    _assert_detection_equal(_quiet_compute(_from_bytes_any(payload)),
                            _detection_reference(coco_records))
    assert set(client.run(os.getpid).values()) != set(pids.values())
