"""pytest-benchmark: COCO segm evaluation against the four peer evaluators, and the mask API
against pycocotools.mask (``make bench``)."""

import numpy as np
import pytest

from ._mask_peers import api_data, segm_peers, workload

PEERS = segm_peers()
SLOW = {"pycocotools", "faster-coco-eval"}


@pytest.fixture(scope="module")
def coco_500_masks():
    return workload(500, 1, True)


@pytest.mark.parametrize("peer", list(PEERS))
def test_coco_segm_files_to_stats_500_images(benchmark, coco_500_masks, peer):
    evaluate = PEERS[peer]
    evaluate(*workload(100, 1, True))  # warm-up (JIT), not timed
    benchmark.group = "COCO segm: JSON files -> 12 stats (500 images, 50k RLE detections)"
    # after warm-up: one untimed run on the workload itself for every peer that gets several
    # rounds; the slow peers run once
    stats = benchmark.pedantic(evaluate, args=coco_500_masks, rounds=1 if peer in SLOW else 5,
                               warmup_rounds=0 if peer in SLOW else 1)
    reference = PEERS["modelmetrics"](*coco_500_masks)
    np.testing.assert_allclose(np.asarray(stats), reference, rtol=0, atol=1e-15)


def _libraries():
    import modelmetrics as mm

    libraries = {"modelmetrics": mm.mask}
    try:
        from pycocotools import mask as coco_mask
    except ImportError:  # pragma: no cover
        return libraries
    libraries["pycocotools"] = coco_mask
    return libraries


LIBRARIES = _libraries()
OPERATIONS = {
    "encode": lambda lib, hwn, rles: lib.encode(hwn),
    "decode": lambda lib, hwn, rles: lib.decode(rles),
    "iou": lambda lib, hwn, rles: lib.iou(rles, rles, [0] * len(rles)),
    "area+bbox": lambda lib, hwn, rles: (lib.area(rles), lib.toBbox(rles)),
}


@pytest.mark.parametrize("library", list(LIBRARIES))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_mask_api(benchmark, operation, library):
    hwn, _, rles = api_data()
    run = OPERATIONS[operation]
    lib = LIBRARIES[library]
    run(lib, hwn, rles)  # warm-up (JIT)
    benchmark.group = f"mask API: {operation} (100 masks, 480 x 640)"
    benchmark.pedantic(run, args=(lib, hwn, rles), rounds=20, warmup_rounds=1)
    expected = run(LIBRARIES["pycocotools"], hwn, rles) if "pycocotools" in LIBRARIES else None
    if expected is not None:
        got = run(mm_mask := LIBRARIES["modelmetrics"], hwn, rles)
        assert mm_mask is not None
        if operation == "area+bbox":
            assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
        elif operation == "decode" or operation == "iou":
            assert np.array_equal(got, expected)
        else:
            assert got == expected
