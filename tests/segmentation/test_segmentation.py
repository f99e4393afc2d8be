"""Semantic segmentation metrics against three oracles: the slow loops of
``tests/reference/confusion.py``; mmsegmentation's ``IoUMetric`` definitions (``intersect_and_union``
and ``total_area_to_metrics``, transcribed below with NumPy); torchmetrics and hotcoco where they
are installed. Then inputs (dtypes, layouts, tensors, DLPack, scores), label-map files and
folders, streaming state, and errors."""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pytest

import modelmetrics as mm
from modelmetrics import InvalidInputError, UndefinedMetricWarning
from reference import confusion as ref

KEYS = ("mean-iou", "pixel-accuracy", "mean-accuracy", "frequency-weighted-iou")


def _compute(metric):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return metric.compute()


def _maps(rng, shape, n_classes, *, absent=(), ignore=255, p_ignore=0.1, accuracy=0.7):
    classes = np.array([c for c in range(n_classes) if c not in absent])
    gt = rng.choice(classes, shape).astype(np.uint8)
    if ignore is not None:
        gt[rng.random(shape) < p_ignore] = ignore
    pred = np.where(rng.random(shape) < accuracy, np.where(gt == ignore, 0, gt),
                    rng.integers(0, n_classes, shape)).astype(np.uint8)
    return gt, pred


def _assert_matches_reference(result, matrix, zero_division=None):
    expected = ref.segmentation_metrics(matrix, zero_division=zero_division)
    for key in KEYS:
        if expected[key] is None:
            assert result.values[key] is None, key
        else:
            assert result.values[key] == pytest.approx(expected[key], rel=1e-14, abs=0), key
    for c, name in enumerate(result.class_names):
        assert result.per_class[name] == expected["per-class"][c], name  # exactly


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("zero_division", [None, 0.0, 1.0])
def test_equals_reference(seed, zero_division):
    rng = np.random.default_rng(seed)
    n_classes = int(rng.integers(2, 25))
    absent = tuple(rng.choice(n_classes, int(rng.integers(0, n_classes // 2 + 1)), replace=False))
    gt, pred = _maps(rng, (int(rng.integers(1, 4)), 17, 23), n_classes, absent=absent)
    metric = mm.SegmentationMetrics(n_classes, zero_division=zero_division).update(gt, pred)
    result = _compute(metric)
    matrix, ignored = ref.confusion(gt, pred, n_classes, ignore=255)
    assert result.confusion_matrix.tolist() == matrix
    assert result.n_ignored == ignored and result.n_pixels == gt.size - ignored
    _assert_matches_reference(result, matrix, zero_division)


def test_reduce_zero_label_equals_reference_and_mmseg_rule():
    rng = np.random.default_rng(1)
    raw = rng.integers(0, 6, (2, 30, 20)).astype(np.uint8)  # ADE-style: 0 = "other"
    raw[rng.random(raw.shape) < 0.05] = 255
    pred = rng.integers(0, 5, raw.shape).astype(np.uint8)
    result = _compute(mm.SegmentationMetrics(5, reduce_zero_label=True).update(raw, pred))
    matrix, _ = ref.confusion(raw, pred, 5, ignore=255, shift=1)
    assert result.confusion_matrix.tolist() == matrix
    # mmsegmentation's LoadAnnotations: gt[gt == 0] = 255; gt = gt - 1; gt[gt == 254] = 255
    mm_gt = raw.copy()
    mm_gt[mm_gt == 0] = 255
    mm_gt = mm_gt - 1
    mm_gt[mm_gt == 254] = 255
    plain = _compute(mm.SegmentationMetrics(5).update(mm_gt, pred))
    assert np.array_equal(plain.confusion_matrix, result.confusion_matrix)


# -- mmsegmentation's definitions ----------------------------------------------------------


def _mmseg_intersect_and_union(pred, label, num_classes, ignore_index):
    """mmseg.evaluation.metrics.IoUMetric.intersect_and_union, in NumPy."""
    mask = label != ignore_index
    pred, label = pred[mask], label[mask]
    intersect = pred[pred == label]
    bins = np.arange(num_classes + 1)
    area_intersect = np.histogram(intersect, bins=bins)[0]
    area_pred = np.histogram(pred, bins=bins)[0]
    area_label = np.histogram(label, bins=bins)[0]
    return area_intersect, area_pred + area_label - area_intersect, area_pred, area_label


def _mmseg_metrics(results):
    """IoUMetric.compute_metrics + total_area_to_metrics(metrics=['mIoU', 'mDice', 'mFscore'])."""
    inter, union, pred, label = (sum(r[i] for r in results).astype(np.float64) for i in range(4))
    with np.errstate(all="ignore"):
        out = {
            "aAcc": inter.sum() / label.sum(),
            "IoU": inter / union,
            "Acc": inter / label,
            "Dice": 2 * inter / (pred + label),
            "Precision": inter / pred,
            "Recall": inter / label,
        }
    return out


@pytest.mark.parametrize("seed", range(4))
def test_equals_mmsegmentation_definitions(seed):
    rng = np.random.default_rng(100 + seed)
    n_classes = 19
    metric = mm.SegmentationMetrics(n_classes)
    per_image = []
    for _ in range(3):
        gt, pred = _maps(rng, (37, 41), n_classes, absent=(3, 11))
        pred[pred == 5] = 6  # class 5 is labelled but never predicted
        metric.update(gt, pred)
        per_image.append(_mmseg_intersect_and_union(pred, gt, n_classes, 255))
    result = _compute(metric)
    mmseg = _mmseg_metrics(per_image)
    assert result["pixel-accuracy"] == pytest.approx(mmseg["aAcc"], rel=1e-15)
    assert result["mean-iou"] == pytest.approx(np.nanmean(mmseg["IoU"]), rel=1e-14)
    assert result["mean-accuracy"] == pytest.approx(np.nanmean(mmseg["Acc"]), rel=1e-14)
    for c, name in enumerate(result.class_names):
        row = result.per_class[name]
        for ours, theirs in (("iou", "IoU"), ("recall", "Acc"), ("dice", "Dice"),
                             ("precision", "Precision"), ("recall", "Recall")):
            value = mmseg[theirs][c]
            assert (row[ours] is None) == bool(np.isnan(value)), (name, ours)
            if row[ours] is not None:
                assert row[ours] == value, (name, ours)


# -- peers ------------------------------------------------------------------------------------


def test_equals_torchmetrics():
    torch = pytest.importorskip("torch")
    tm = pytest.importorskip("torchmetrics.classification")
    rng = np.random.default_rng(4)
    gt, pred = _maps(rng, (3, 40, 50), 12, absent=(2, 7))
    pred[pred == 9] = 10
    result = _compute(mm.SegmentationMetrics(12).update(gt, pred))
    t, p = torch.from_numpy(gt.astype(np.int64)), torch.from_numpy(pred.astype(np.int64))
    kw = {"num_classes": 12, "ignore_index": 255}
    miou = tm.MulticlassJaccardIndex(average="macro", **kw)(p, t).item()
    assert result["mean-iou"] == pytest.approx(miou, rel=1e-6)
    per_class = tm.MulticlassJaccardIndex(average="none", **kw)(p, t).double().numpy()
    for c, name in enumerate(result.class_names):
        if result.per_class[name]["iou"] is not None:
            assert result.per_class[name]["iou"] == pytest.approx(per_class[c], rel=1e-6)
    pixel = tm.MulticlassAccuracy(average="micro", **kw)(p, t).item()
    assert result["pixel-accuracy"] == pytest.approx(pixel, rel=1e-6)
    cm = tm.MulticlassConfusionMatrix(**kw)(p, t).numpy()
    assert np.array_equal(cm, result.confusion_matrix)


def test_equals_hotcoco():
    metrics = pytest.importorskip("hotcoco.metrics")
    if not hasattr(metrics, "pixel_confusion"):
        pytest.skip("this hotcoco has no pixel_confusion")
    rng = np.random.default_rng(5)
    gt, pred = _maps(rng, (2, 30, 40), 19, absent=(4,))
    result = _compute(mm.SegmentationMetrics(19).update(gt, pred))
    theirs = metrics.pixel_confusion(gt, pred, num_classes=19, ignore_index=255)
    assert np.array_equal(theirs.astype(np.int64), result.confusion_matrix)
    summary = metrics.mean_iou(theirs)
    assert result["mean-iou"] == pytest.approx(summary["mIoU"], rel=1e-12)
    assert result["pixel-accuracy"] == pytest.approx(summary["aAcc"], rel=1e-12)
    assert result["mean-accuracy"] == pytest.approx(summary["mAcc"], rel=1e-12)
    assert result["frequency-weighted-iou"] == pytest.approx(summary["fwIoU"], rel=1e-12)


def test_scikit_learn_jaccard_is_zero_division_zero():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(6)
    gt, pred = _maps(rng, (20, 30), 8, absent=(1, 6), ignore=None)
    pred[pred == 6] = 5
    result = _compute(mm.SegmentationMetrics(8, ignore_index=None, zero_division=0.0).update(gt, pred))
    expected = skm.jaccard_score(gt.ravel(), pred.ravel(), labels=range(8), average="macro",
                                 zero_division=0)
    assert result["mean-iou"] == pytest.approx(expected, rel=1e-14)


# -- inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("g_dtype", [np.uint8, np.uint16, np.int32, np.int64])
@pytest.mark.parametrize("p_dtype", [np.uint8, np.int64])
def test_dtypes_and_layouts_give_the_same_counts(g_dtype, p_dtype):
    rng = np.random.default_rng(7)
    gt, pred = _maps(rng, (3, 24, 32), 10)
    expected = _compute(mm.SegmentationMetrics(10).update(gt, pred)).confusion_matrix
    g, p = gt.astype(g_dtype), pred.astype(p_dtype)
    for view in (lambda a: a, lambda a: a[:, ::2, ::-1], lambda a: a.transpose(0, 2, 1),
                 lambda a: np.asfortranarray(a[1])):
        want = _compute(mm.SegmentationMetrics(10).update(view(gt), view(pred))).confusion_matrix
        got = _compute(mm.SegmentationMetrics(10).update(view(g), view(p))).confusion_matrix
        assert np.array_equal(got, want)
    assert expected.sum() == (gt != 255).sum()


def test_torch_tensors_are_read_in_place():
    torch = pytest.importorskip("torch")
    from modelmetrics._confusion import as_label_array

    rng = np.random.default_rng(8)
    gt, pred = _maps(rng, (2, 16, 16), 5)
    t_gt = torch.from_numpy(gt)
    t_pred = torch.from_numpy(pred.astype(np.int64)).float().requires_grad_(True).long()
    assert np.shares_memory(as_label_array(t_gt, "gt", "f"), gt)
    expected = _compute(mm.SegmentationMetrics(5).update(gt, pred))
    got = _compute(mm.SegmentationMetrics(5).update(t_gt, t_pred))
    assert np.array_equal(got.confusion_matrix, expected.confusion_matrix)
    logits = torch.randn(2, 5, 16, 16, requires_grad=True)
    by_scores = _compute(mm.SegmentationMetrics(5).update(t_gt, logits))
    by_labels = _compute(mm.SegmentationMetrics(5).update(gt, logits.argmax(1)))
    assert np.array_equal(by_scores.confusion_matrix, by_labels.confusion_matrix)


class _DLPackOnly:
    """An array exposing DLPack and nothing else."""

    def __init__(self, array):
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


def test_dlpack_objects():
    rng = np.random.default_rng(9)
    gt, pred = _maps(rng, (8, 9), 4)
    expected = _compute(mm.SegmentationMetrics(4).update(gt, pred))
    got = _compute(mm.SegmentationMetrics(4).update(_DLPackOnly(gt), _DLPackOnly(pred)))
    assert np.array_equal(got.confusion_matrix, expected.confusion_matrix)


def test_large_batch_on_all_cores_equals_reference():
    rng = np.random.default_rng(10)
    gt, pred = _maps(rng, (2, 160, 256), 19, absent=(7,))
    blocks = np.repeat(np.repeat(gt[:, ::8, ::8], 8, 1), 8, 2)  # regions: runs of equal pixels
    for g, p in ((gt, pred), (blocks, blocks), (blocks, pred)):
        result = _compute(mm.SegmentationMetrics(19).update(g, p))
        matrix, _ = ref.confusion(g, p, 19, ignore=255)
        assert result.confusion_matrix.tolist() == matrix


# -- results, state ---------------------------------------------------------------------------


def test_export_format_and_undefined_policy():
    gt = np.array([[0, 0, 1], [1, 3, 255]], np.uint8)
    pred = np.array([[0, 1, 1], [1, 1, 2]], np.uint8)
    with pytest.warns(UndefinedMetricWarning) as caught:
        result = mm.SegmentationMetrics(5, class_names=list("abcde")).update(gt, pred).compute()
    assert len([w for w in caught if issubclass(w.category, UndefinedMetricWarning)]) == 1
    out = result.to_dict()
    assert list(out)[:5] == [*KEYS, "per-class"]
    assert list(out["per-class"]["a"]) == ["iou", "dice", "precision", "recall", "support"]
    assert out["per-class"]["e"] == {"iou": None, "dice": None, "precision": None, "recall": None,
                                     "support": 0}
    assert out["per-class"]["d"]["iou"] == 0.0 and out["per-class"]["d"]["precision"] is None
    assert "absent from both" in out["undefined"]["per-class/e/iou"]
    assert "never predicted" in out["undefined"]["per-class/d/precision"]
    assert out["mean-iou"] == pytest.approx((0.5 + 0.5 + 0.0) / 3)  # c: predicted only -> 0
    assert result.dataset_stats() == {"a": 2, "b": 2, "c": 0, "d": 1, "e": 0}
    assert result.accuracy == result["pixel-accuracy"] == 0.6
    text = json.dumps(out, allow_nan=False)
    assert "NaN" not in text


def test_zero_division_substitutes_and_counts_in_means():
    gt = np.array([[0, 1]], np.uint8)
    with pytest.warns(UndefinedMetricWarning):
        result = mm.SegmentationMetrics(3, zero_division=1.0).update(gt, gt).compute()
    assert result.per_class["2"]["iou"] == 1.0 and result["mean-iou"] == 1.0
    assert "zero_division=1.0" in result.undefined["per-class/2/iou"]
    with pytest.warns(UndefinedMetricWarning):
        result = mm.SegmentationMetrics(3, zero_division=0.0).update(gt, gt).compute()
    assert result["mean-iou"] == pytest.approx(2 / 3)


def test_streaming_split_merge_bytes_pickle():
    rng = np.random.default_rng(11)
    gt, pred = _maps(rng, (6, 20, 30), 7, absent=(2,))
    one = _compute(mm.SegmentationMetrics(7).update(gt, pred))
    shards = [mm.SegmentationMetrics(7).update(gt[a:b], pred[a:b]) for a, b in [(0, 1), (1, 4), (4, 6)]]
    for frame in range(2):  # 2-D updates count as one image each
        shards[0].update(gt[frame], pred[frame])
        shards[1].update(gt[frame], pred[frame])
    merged = shards[2].merge(shards[0]).merge(mm.SegmentationMetrics(7)).merge(shards[1])
    restored = pickle.loads(pickle.dumps(mm.SegmentationMetrics.from_bytes(merged.to_bytes())))
    twice = _compute(mm.SegmentationMetrics(7).update(gt, pred).update(gt[:2], pred[:2]).update(gt[:2], pred[:2]))
    for metric in (merged, restored):
        result = _compute(metric)
        assert np.array_equal(result.confusion_matrix, twice.confusion_matrix)
        assert result.values == twice.values and result.n_images == 10
    assert one.n_images == 6
    assert merged.reset().confusion_matrix.sum() == 0


@pytest.mark.parametrize("call, match", [
    (lambda: mm.SegmentationMetrics(0), "'num_classes' parameter of SegmentationMetrics"),
    (lambda: mm.SegmentationMetrics(3, ignore_index=2.5), "'ignore_index' parameter"),
    (lambda: mm.SegmentationMetrics(3, ignore_index=None, reduce_zero_label=True), "reduce_zero_label"),
    (lambda: mm.SegmentationMetrics(3, class_names=["a", "b"]), "'class_names' parameter"),
    (lambda: mm.SegmentationMetrics(3).update(np.zeros((4, 4), np.uint8), np.zeros((4, 5), np.uint8)),
     r"same shape. Got \(4, 4\) and \(4, 5\)"),
    (lambda: mm.SegmentationMetrics(3).update(np.zeros(4, np.uint8), np.zeros(4, np.uint8)), r"shape \(H, W\)"),
    (lambda: mm.SegmentationMetrics(3).update(np.zeros((2, 2)), np.zeros((2, 2), np.uint8)), "integer class labels"),
    (lambda: mm.SegmentationMetrics(3).update(np.zeros((2, 2), np.uint8), np.zeros((4, 2, 2))), "num_classes=3"),
    (lambda: mm.SegmentationMetrics(3).update(np.array([[0, 7], [1, 255]], np.uint8), np.array([[0, 1], [1, 9]], np.uint8)),
     r"'gt' argument of SegmentationMetrics.update holds labels outside \[0, 3\).*1 pixel\(s\) in all.*the first is 7 in 'gt' at row 0, column 1"),
    (lambda: mm.SegmentationMetrics(3).compute(), "at least one counted pixel"),
    (lambda: mm.SegmentationMetrics(3).merge(mm.SegmentationMetrics(3, ignore_index=0)), "count differently"),
    (lambda: mm.SegmentationMetrics.from_bytes(mm.ClassificationMetrics(3).to_bytes()), "ClassificationMetrics"),
])
def test_errors(call, match):
    with pytest.raises(InvalidInputError, match=match):
        call()


def test_refused_batch_leaves_the_state_unchanged():
    metric = mm.SegmentationMetrics(3).update(np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8))
    before = metric.to_bytes()
    with pytest.raises(InvalidInputError, match="the first is 3 in 'pred'"):
        metric.update(np.zeros((2, 2), np.uint8), np.array([[0, 3], [0, 0]], np.uint8))
    assert metric.to_bytes() == before


# -- files ------------------------------------------------------------------------------------


@pytest.fixture
def label_maps():
    pytest.importorskip("PIL")
    from modelmetrics.io import label_maps

    return label_maps


def test_read_write_grayscale_palette_16_bit(tmp_path, label_maps):
    rng = np.random.default_rng(12)
    maps = {"gray.png": (rng.integers(0, 20, (9, 11)).astype(np.uint8), None),
            "palette.png": (rng.integers(0, 20, (9, 11)).astype(np.uint8), [7, 8, 9] * 256),
            "wide.png": (rng.integers(0, 3000, (9, 11)).astype(np.uint16), None)}
    for name, (array, palette) in maps.items():
        label_maps.write_label_map(tmp_path / name, array, palette=palette)
        back = label_maps.read_label_map(tmp_path / name)
        assert back.dtype == array.dtype and np.array_equal(back, array), name
    from PIL import Image

    assert Image.open(tmp_path / "palette.png").mode == "P"
    Image.new("RGB", (4, 4)).save(tmp_path / "rgb.png")
    with pytest.raises(InvalidInputError, match=r"rgb.png' is a 'RGB' image"):
        label_maps.read_label_map(tmp_path / "rgb.png")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(InvalidInputError, match="broken.png' could not be read"):
        label_maps.read_label_map(tmp_path / "broken.png")
    with pytest.raises(InvalidInputError, match="missing.png' does not exist"):
        label_maps.read_label_map(tmp_path / "missing.png")


def _write_dataset(tmp_path, label_maps, rng, n, *, gt_suffix=".png", pred_suffix=".png"):
    gt_dir, pred_dir = tmp_path / "gt", tmp_path / "pred"
    maps = []
    for i in range(n):
        gt, pred = _maps(rng, (12, 15), 6)
        sub = f"city{i % 2}/"
        (gt_dir / sub).mkdir(parents=True, exist_ok=True)
        (pred_dir / sub).mkdir(parents=True, exist_ok=True)
        label_maps.write_label_map(gt_dir / f"{sub}img{i}{gt_suffix}", gt)
        label_maps.write_label_map(pred_dir / f"{sub}img{i}{pred_suffix}", pred, palette=[0, 0, 0] * 256)
        maps.append((gt, pred))
    return gt_dir, pred_dir, maps


def test_folders_equal_arrays_with_progress(tmp_path, label_maps, capsys):
    rng = np.random.default_rng(13)
    gt_dir, pred_dir, maps = _write_dataset(tmp_path, label_maps, rng, 5,
                                            gt_suffix="_gtFine_labelTrainIds.png",
                                            pred_suffix="_leftImg8bit.png")
    expected = mm.SegmentationMetrics(6)
    for gt, pred in maps:
        expected.update(gt, pred)
    metric = mm.SegmentationMetrics(6).update_from_folders(
        gt_dir, pred_dir, gt_suffix="_gtFine_labelTrainIds.png", pred_suffix="_leftImg8bit.png",
        progress=True)
    assert np.array_equal(metric.confusion_matrix, expected.confusion_matrix)
    assert "5/5" in capsys.readouterr().err
    quiet = mm.SegmentationMetrics(6).update_from_files(
        *label_maps.pair_label_maps(gt_dir, pred_dir, gt_suffix="_gtFine_labelTrainIds.png",
                                    pred_suffix="_leftImg8bit.png"))
    assert np.array_equal(quiet.confusion_matrix, expected.confusion_matrix)
    assert capsys.readouterr().err == ""


def test_folder_and_file_errors_name_both_files(tmp_path, label_maps):
    rng = np.random.default_rng(14)
    gt_dir, pred_dir, _ = _write_dataset(tmp_path, label_maps, rng, 3)
    (pred_dir / "city0" / "img0.png").unlink()
    with pytest.raises(InvalidInputError, match=r"1 ground-truth file\(s\) have no prediction; the first, .*img0.png', needs .*pred/city0/img0.png'"):
        mm.SegmentationMetrics(6).update_from_folders(gt_dir, pred_dir)
    label_maps.write_label_map(pred_dir / "city0" / "img0.png", np.zeros((12, 15), np.uint8))
    label_maps.write_label_map(pred_dir / "extra.png", np.zeros((12, 15), np.uint8))
    with pytest.raises(InvalidInputError, match="1 prediction file.*extra.png"):
        mm.SegmentationMetrics(6).update_from_folders(gt_dir, pred_dir)
    with pytest.raises(InvalidInputError, match="folder .*nowhere' does not exist"):
        mm.SegmentationMetrics(6).update_from_folders(gt_dir, tmp_path / "nowhere")
    label_maps.write_label_map(tmp_path / "small.png", np.zeros((3, 3), np.uint8))
    gt_file = str(gt_dir / "city1" / "img1.png")
    with pytest.raises(InvalidInputError, match=r"img1.png' \(15×12 pixels\) and .*small.png' \(3×3 pixels\) differ"):
        mm.SegmentationMetrics(6).update_from_files([gt_file], [tmp_path / "small.png"])
    label_maps.write_label_map(tmp_path / "bad.png", np.full((12, 15), 9, np.uint8))
    with pytest.raises(InvalidInputError, match=r"img1.png' / .*bad.png'.*the first is 9 in 'pred'"):
        mm.SegmentationMetrics(6).update_from_files([gt_file], [tmp_path / "bad.png"])
    with pytest.raises(InvalidInputError, match="2 ground-truth and 1 prediction"):
        mm.SegmentationMetrics(6).update_from_files([gt_file, gt_file], [gt_file])
