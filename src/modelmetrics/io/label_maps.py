"""Label-map images (semantic segmentation): read and write PNG class-id maps, pair folders.

A label map stores one class id per pixel: a grayscale image (8 or 16 bits: the value is the id)
or a palette image (the palette *index* is the id, whatever colour the palette shows). Colour
(RGB) images are refused: their colours would first have to be mapped to ids.

Pillow is needed (``pip install "modelmetrics[images]"``); it is imported on first use.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

from ..exceptions import InvalidInputError

__all__ = ["pair_label_maps", "read_label_map", "write_label_map"]

#: Pillow modes of label maps -> the dtype they are read as.
_MODES = {"L": np.uint8, "P": np.uint8, "1": np.uint8, "I;16": np.uint16, "I;16B": np.uint16,
          "I;16L": np.uint16, "I": np.int32}


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "Reading label-map images needs Pillow, which is not installed. Install it with "
            "pip install 'modelmetrics[images]' (or pip install pillow).") from None
    return Image


def read_label_map(path) -> np.ndarray:
    """Read a label-map image as an array of class ids.

    Parameters
    ----------
    path : path-like
        A PNG (or any lossless format Pillow reads) in grayscale (8/16-bit) or palette mode.

    Returns
    -------
    numpy.ndarray of shape (H, W)
        uint8 for 8-bit grayscale and palette images (the palette index), uint16 for 16-bit
        grayscale, int32 for 32-bit integer images.

    Raises
    ------
    InvalidInputError
        A missing or unreadable file, or a colour image (the message names the file).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "map.png")
    >>> write_label_map(path, np.array([[0, 1], [2, 255]], dtype=np.uint8))
    >>> read_label_map(path)
    array([[  0,   1],
           [  2, 255]], dtype=uint8)
    """
    image_module = _pillow()
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise InvalidInputError(f"The label map {name!r} does not exist (or is not a file).")
    try:
        with image_module.open(name) as image:
            mode = image.mode
            if mode not in _MODES:
                raise InvalidInputError(
                    f"The label map {name!r} is a {mode!r} image; label maps must be grayscale "
                    f"(8 or 16 bits: the value is the class id) or palette images (the index is "
                    f"the class id). Map its colours to class ids first.")
            array = np.asarray(image)
    except InvalidInputError:
        raise
    except (OSError, ValueError, SyntaxError) as exc:
        raise InvalidInputError(f"The label map {name!r} could not be read as an image: {exc}") from None
    if array.ndim != 2:
        raise InvalidInputError(f"The label map {name!r} has shape {array.shape}; expected one "
                                f"channel of class ids.")
    return array.astype(_MODES[mode], copy=False)


def write_label_map(path, labels, *, palette=None) -> None:
    """Write class ids as a PNG: 8-bit grayscale (or palette, when ``palette`` is given) for
    ids up to 255, 16-bit grayscale up to 65535.

    Parameters
    ----------
    path : path-like
    labels : integer array-like of shape (H, W)
    palette : sequence of int, optional
        Flat RGB palette (``[r0, g0, b0, r1, …]``) for a palette image (8-bit ids only).
    """
    image_module = _pillow()
    array = np.asarray(labels)
    if array.ndim != 2 or array.dtype.kind not in "iub":
        raise InvalidInputError(f"write_label_map expects a 2-D integer array. Got dtype "
                                f"{array.dtype} and shape {array.shape}.")
    low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
    if low < 0 or high > 65535:
        raise InvalidInputError(f"write_label_map: class ids must be in [0, 65535] to fit a PNG. "
                                f"Got values in [{low}, {high}].")
    if high <= 255:
        image = image_module.fromarray(array.astype(np.uint8), mode=None)
        if palette is not None:
            image = image.convert("P") if image.mode != "P" else image
            image.putpalette(list(palette))
    else:
        if palette is not None:
            raise InvalidInputError("write_label_map: a palette image holds ids up to 255 only.")
        image = image_module.fromarray(array.astype(np.uint16))
    image.save(os.fspath(path), format="PNG")


def pair_label_maps(gt_dir, pred_dir, *, gt_suffix: str = ".png", pred_suffix: str = ".png",
                    owner: str = "pair_label_maps") -> tuple[list[str], list[str]]:
    """Pair every ground-truth file ``<name><gt_suffix>`` under ``gt_dir`` (recursively) with
    ``<name><pred_suffix>`` at the same relative place under ``pred_dir``.

    Returns
    -------
    gt_paths, pred_paths : lists of str, sorted by relative name

    Raises
    ------
    InvalidInputError
        A missing folder, no ground-truth file, a ground truth without prediction or a
        prediction without ground truth (the first such pair is named, and how many).
    """
    roots = []
    for label, folder in (("ground-truth", gt_dir), ("prediction", pred_dir)):
        root = pathlib.Path(os.fspath(folder))
        if not root.is_dir():
            raise InvalidInputError(f"{owner}: the {label} folder {str(root)!r} does not exist or is "
                                    f"not a folder.")
        roots.append(root)
    gt_root, pred_root = roots

    def stems(root, suffix):
        found = {}
        for path in root.rglob(f"*{suffix}"):
            if path.is_file():
                found[path.relative_to(root).as_posix()[: -len(suffix)]] = path
        return found

    gt_files = stems(gt_root, gt_suffix)
    pred_files = stems(pred_root, pred_suffix)
    if not gt_files:
        raise InvalidInputError(f"{owner}: no ground-truth file ending in {gt_suffix!r} under "
                                f"{str(gt_root)!r}; check the folder and gt_suffix.")
    missing = sorted(set(gt_files) - set(pred_files))
    if missing:
        first = missing[0]
        raise InvalidInputError(
            f"{owner}: {len(missing)} ground-truth file(s) have no prediction; the first, "
            f"{str(gt_files[first])!r}, needs {str(pred_root / (first + pred_suffix))!r}. Check "
            f"pred_dir and pred_suffix.")
    extra = sorted(set(pred_files) - set(gt_files))
    if extra:
        first = extra[0]
        raise InvalidInputError(
            f"{owner}: {len(extra)} prediction file(s) have no ground truth; the first, "
            f"{str(pred_files[first])!r}, has no {str(gt_root / (first + gt_suffix))!r}. Remove "
            f"them or check gt_dir and gt_suffix.")
    names = sorted(gt_files)
    return [str(gt_files[n]) for n in names], [str(pred_files[n]) for n in names]
