"""The command line, run as a real subprocess through its entry point."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from sklearn import metrics

import modelmetrics as mm

SAMPLE = pathlib.Path(mm.__file__).parent / "data" / "bone_age_sample.csv"


def run(*args, check_code=None):
    exe = pathlib.Path(sys.executable).with_name("modelmetrics")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "modelmetrics.cli"]
    done = subprocess.run([*command, *args], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    if check_code is not None:
        assert done.returncode == check_code, done.stderr
    return done


def test_demo_prints_every_split(tmp_path):
    out = run("demo", "--out-dir", str(tmp_path), check_code=0).stdout
    for word in ("train", "validation", "test", "r2-score", "mean-error", "1008"):
        assert word in out


def test_demo_json_matches_library_and_sklearn():
    document = json.loads(run("demo", "--json", "--out-dir", "", check_code=0).stdout)["regression"]
    assert document["modelType"] == "regression"
    rows = np.genfromtxt(SAMPLE, delimiter=",", names=True, dtype=None, encoding="utf-8")
    test = rows[rows["split"] == "test"]
    y, p = test["boneageinmonths"].astype(float), test["predictedboneage"].astype(float)
    got = document["metrics"]["test"]
    assert got["r2-score"] == pytest.approx(metrics.r2_score(y, p), rel=1e-12)
    assert got["mean-absolute-error"] == pytest.approx(metrics.mean_absolute_error(y, p), rel=1e-12)
    assert document["datasetStats"]["train"] == {"regression": {"bone-age-in-months": 1008}}
    assert document["accuracies"]["test"]["threshold"] == 0.5
    assert document["accuracies"]["test"]["accuracy"] == pytest.approx(np.mean(np.abs(p - y) <= 0.5))


def test_evaluate_regression_csv(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("truth,guess,w\n1,1.5,1\n2,2,2\n4,3,1\n")
    document = json.loads(run("evaluate", "regression", "--csv", str(csv), "--true", "truth",
                              "--pred", "guess", "--weight", "w", "--json", check_code=0).stdout)
    expected = mm.regression_metrics([1, 2, 4], [1.5, 2, 3], sample_weight=[1, 2, 1])
    assert document["metrics"]["test"] == expected


def test_evaluate_regression_npy(tmp_path):
    y = np.arange(10.0)
    np.save(tmp_path / "t.npy", y)
    np.save(tmp_path / "p.npy", y + 1)
    out = run("evaluate", "regression", "--true", str(tmp_path / "t.npy"), "--pred",
              str(tmp_path / "p.npy"), "--threshold", "1", check_code=0).stdout
    assert "max-error" in out and "10 samples" in out


def test_bad_column_is_evaluation_error_naming_it():
    done = run("evaluate", "regression", "--csv", str(SAMPLE), "--true", "nope", "--pred", "x")
    assert done.returncode == 1
    assert "no column named 'nope'" in done.stderr and "bone-age-in-months" in done.stderr


def test_non_numeric_cell_names_file_and_column(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("a,b\n1,2\n3,oops\n")
    done = run("evaluate", "regression", "--csv", str(csv), "--true", "a", "--pred", "b")
    assert done.returncode == 1
    assert "bad.csv" in done.stderr and "'b'" in done.stderr and "oops" in done.stderr


def test_missing_file_is_evaluation_error(tmp_path):
    done = run("evaluate", "regression", "--true", str(tmp_path / "none.npy"), "--pred", "x.npy")
    assert done.returncode == 1 and "none.npy" in done.stderr


def test_nan_in_data_is_evaluation_error(tmp_path):
    csv = tmp_path / "nan.csv"
    csv.write_text("a,b\n1,2\nnan,3\n")
    done = run("evaluate", "regression", "--csv", str(csv), "--true", "a", "--pred", "b")
    assert done.returncode == 1 and "index 1" in done.stderr


def test_bad_usage_exits_2():
    assert run("evaluate", "regression").returncode == 2
    assert run("frobnicate").returncode == 2


COCO = pathlib.Path(__file__).parent / "data" / "coco100"
COCO_GT = COCO / "instances_val2014_100.json"
COCO_DT = COCO / "instances_val2014_fakebbox100_results.json"
PUBLISHED_BBOX = [0.5045806987249628, 0.6969727247299577, 0.5729816669904824,
                  0.5856257209410443, 0.5193996948036719, 0.5013978986347466,
                  0.38681277964578054, 0.5936795762842003, 0.595352982877607,
                  0.6398109626113442, 0.5664205978994309, 0.5642905982905982]


def test_evaluate_detection_json_has_published_numbers():
    document = json.loads(run("evaluate", "detection", "--gt", str(COCO_GT), "--pred",
                              str(COCO_DT), "--json", "--split", "validation",
                              check_code=0).stdout)
    metrics = document["metrics"]["validation"]
    keys = ["mean-average-precision", "map-50", "map-75", "map-small", "map-medium",
            "map-large", "mar-1", "mar-10", "mar-100", "mar-small", "mar-medium", "mar-large"]
    assert [metrics[k] for k in keys] == pytest.approx(PUBLISHED_BBOX, rel=1e-12, abs=0)
    assert metrics["iou-threshold"] == 0.5 and metrics["score-threshold"] == 0.5
    assert document["datasetStats"]["validation"]["object-detection"]["person"] == 256
    mm.validate_job_state(document)


def test_evaluate_detection_table_and_bad_results_file(tmp_path):
    out = run("evaluate", "detection", "--gt", str(COCO_GT), "--pred", str(COCO_DT),
              check_code=0).stdout
    assert "mean-average-precision" in out and "person" in out
    bad = tmp_path / "bad.json"
    bad.write_text('[{"image_id": 999999999, "category_id": 1, "bbox": [0, 0, 1, 1], '
                   '"score": 0.5}]')
    done = run("evaluate", "detection", "--gt", str(COCO_GT), "--pred", str(bad))
    assert done.returncode == 1 and "image_id" in done.stderr and "999999999" in done.stderr


def test_demo_includes_detection(tmp_path):
    out = run("demo", "--out-dir", str(tmp_path), check_code=0).stdout
    assert "object detection" in out and "0.504581" in out


DEMO_MODEL_TYPES = ("regression", "classification", "object-detection", "instance-segmentation",
                    "semantic-segmentation")


def test_demo_writes_a_valid_job_state_file_per_model_type(tmp_path):
    run("demo", "--out-dir", str(tmp_path), check_code=0)
    written = sorted(p.name for p in tmp_path.glob("*.job.json"))
    assert written == sorted(f"{t}.job.json" for t in DEMO_MODEL_TYPES)
    for name in written:
        saved = mm.load_run(tmp_path / name)  # validates
        assert saved.status == "successful" and saved.model_type == name.split(".")[0]
    regression = mm.load_run(tmp_path / "regression.job.json").to_dict()
    assert regression["datasetStats"]["train"] == {"regression": {"bone-age-in-months": 1008}}
    trained = mm.load_run(tmp_path / "classification.job.json")
    assert len(trained.losses) == len(trained.validation_losses) == len(trained.loss_timestamps) > 10
    assert trained.losses[-1] < trained.losses[0]
    assert sum(trained.to_dict()["datasetStats"]["train"]["classification"].values()) == 1257


def test_out_adds_splits_to_an_existing_job_state_atomically(tmp_path):
    job = tmp_path / "job.json"
    example = pathlib.Path(__file__).parent / "data" / "job-state-regression-example.json"
    job.write_bytes(example.read_bytes())
    csv = tmp_path / "d.csv"
    csv.write_text("truth,guess\n1,1.5\n2,2\n4,3\n")
    run("evaluate", "regression", "--csv", str(csv), "--true", "truth", "--pred", "guess",
        "--split", "validation", "--out", str(job), check_code=0)
    updated = json.loads(job.read_text())
    original = json.loads(example.read_text())
    assert updated["metrics"]["validation"] == mm.regression_metrics([1, 2, 4], [1.5, 2, 3])
    assert updated["metrics"]["train"] == original["metrics"]["train"]  # other splits kept
    assert updated["losses"] == original["losses"] and updated["duration"] == original["duration"]
    assert updated["datasetStats"]["validation"] == {"regression": {"truth": 3}}
    # a detection result cannot go into a regression job: exit 1, file untouched
    before = job.read_bytes()
    done = run("evaluate", "detection", "--gt", str(COCO_GT), "--pred", str(COCO_DT),
               "--out", str(job))
    assert done.returncode == 1 and "model_type is 'regression'" in done.stderr
    assert job.read_bytes() == before
    # a new file is created
    fresh = tmp_path / "fresh.json"
    run("evaluate", "detection", "--gt", str(COCO_GT), "--pred", str(COCO_DT), "--out",
        str(fresh), check_code=0)
    assert mm.load_run(fresh).model_type == "object-detection"


def test_show_and_validate(tmp_path):
    example = pathlib.Path(__file__).parent / "data" / "job-state-regression-example.json"
    out = run("show", str(example), check_code=0).stdout
    for word in ("successful", "68 logged losses", "r2-score", "0.958333", "1008", "best"):
        assert word in out
    assert "valid job-state" in run("validate", str(example), check_code=0).stdout
    bad = tmp_path / "bad.json"
    document = json.loads(example.read_text())
    document["metrics"]["test"]["r2-score"] = "high"
    del document["duration"]
    bad.write_text(json.dumps(document))
    done = run("validate", str(bad))
    assert done.returncode == 1
    assert "/metrics/test/r2-score" in done.stderr and "'duration' is missing" in done.stderr
    assert run("show", str(tmp_path / "none.json")).returncode == 1


def test_evaluate_classification_csv_names_and_npy_scores(tmp_path):
    rng = np.random.default_rng(0)
    names = np.array(["cat", "dog", "bird"])
    y = rng.integers(0, 3, 200)
    p = np.where(rng.random(200) < 0.7, y, rng.integers(0, 3, 200))
    csv = tmp_path / "c.csv"
    csv.write_text("truth,guess\n" + "".join(f"{names[a]},{names[b]}\n" for a, b in zip(y, p)))
    document = json.loads(run("evaluate", "classification", "--csv", str(csv), "--true", "truth",
                              "--pred", "guess", "--json", "--split", "validation",
                              check_code=0).stdout)
    got = document["metrics"]["validation"]
    assert got["accuracy"] == pytest.approx(metrics.accuracy_score(names[y], names[p]), rel=1e-12)
    assert got["f1-score"] == pytest.approx(
        metrics.f1_score(names[y], names[p], average="macro"), rel=1e-12)
    assert document["modelType"] == "classification"
    assert document["datasetStats"]["validation"]["classification"]["dog"] == int((y == 1).sum())
    mm.validate_job_state(document)
    scores = rng.random((200, 3))
    np.save(tmp_path / "t.npy", y)
    np.save(tmp_path / "s.npy", scores)
    out = run("evaluate", "classification", "--true", str(tmp_path / "t.npy"), "--pred",
              str(tmp_path / "s.npy"), "--class-names", "cat,dog,bird", check_code=0).stdout
    accuracy = metrics.accuracy_score(y, scores.argmax(axis=1))
    assert f"{accuracy:.6g}" in out and "most confused" in out and "bird" in out
    done = run("evaluate", "classification", "--true", str(tmp_path / "t.npy"), "--pred",
               str(tmp_path / "s.npy"), "--class-names", "cat,dog")
    assert done.returncode == 1 and "class" in done.stderr


def test_evaluate_semantic_segmentation_folders(tmp_path):
    pytest.importorskip("PIL")
    from modelmetrics._demo import street_scenes
    from modelmetrics.io.label_maps import write_label_map

    gt, pred = street_scenes(3, seed=5)
    for k in range(3):
        (tmp_path / "gt" / "city").mkdir(parents=True, exist_ok=True)
        (tmp_path / "pred" / "city").mkdir(parents=True, exist_ok=True)
        write_label_map(tmp_path / "gt" / "city" / f"{k}.png", gt[k])
        write_label_map(tmp_path / "pred" / "city" / f"{k}.png", pred[k])
    job = tmp_path / "job.json"
    out = run("evaluate", "semantic-segmentation", "--gt", str(tmp_path / "gt"), "--pred",
              str(tmp_path / "pred"), "--num-classes", "6", "--class-names",
              "road,sidewalk,building,sky,car,person", "--out", str(job), check_code=0).stdout
    want = mm.SegmentationMetrics(6).update(gt, pred).compute()
    assert f"{want['mean-iou']:.6g}" in out and "sidewalk" in out
    saved = mm.load_run(job).to_dict()
    assert saved["metrics"]["test"]["mean-iou"] == want["mean-iou"]
    assert saved["modelType"] == "semantic-segmentation"
    (tmp_path / "pred" / "city" / "2.png").unlink()
    done = run("evaluate", "semantic-segmentation", "--gt", str(tmp_path / "gt"), "--pred",
               str(tmp_path / "pred"), "--num-classes", "6")
    assert done.returncode == 1 and "2.png" in done.stderr


PUBLISHED_SEGM = [0.3195452758576433, 0.5622883972521636, 0.29892653412086784,
                  0.3873740315997838, 0.31018272403369485, 0.3269339071005138,
                  0.2682297225711534, 0.41544868114906375, 0.4168394992198818,
                  0.4694498622754236, 0.37675922666197265, 0.3814715099715099]


def test_evaluate_instance_segmentation_has_published_numbers(tmp_path):
    job = tmp_path / "job.json"
    out = run("evaluate", "instance-segmentation", "--gt", str(COCO_GT), "--pred",
              str(COCO / "instances_val2014_fakesegm100_results.json"), "--out", str(job),
              check_code=0).stdout
    assert "0.319545" in out
    document = mm.load_run(job).to_dict()
    assert document["modelType"] == "instance-segmentation"
    metrics = document["metrics"]["test"]
    keys = ["mean-average-precision", "map-50", "map-75", "map-small", "map-medium",
            "map-large", "mar-1", "mar-10", "mar-100", "mar-small", "mar-medium", "mar-large"]
    assert [metrics[k] for k in keys] == pytest.approx(PUBLISHED_SEGM, rel=1e-12, abs=0)
    assert document["datasetStats"]["test"]["instance-segmentation"]["person"] == 256
