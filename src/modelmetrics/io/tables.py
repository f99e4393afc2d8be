"""Numeric columns from CSV and NPY files, with errors that name the file, column and line."""

from __future__ import annotations

import csv
import os

import numpy as np

from ..exceptions import InvalidInputError

__all__ = ["read_csv_columns", "read_npy"]


def read_csv_columns(path: str | os.PathLike, numeric: list[str], text: tuple[str, ...] = ()) -> dict:
    """Read named columns of a CSV file with a header row.

    Parameters
    ----------
    path : path-like
    numeric : list of str
        Columns parsed as float64 arrays of shape (n,).
    text : tuple of str
        Columns returned as arrays of str, shape (n,).

    Returns
    -------
    dict of str to numpy.ndarray

    Examples
    --------
    >>> import pathlib, tempfile
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = file.write_text("y,p,split\\n1,1.5,test\\n2,2.5,train\\n")
    >>> read_csv_columns(file, ["y", "p"], ("split",))["p"]
    array([1.5, 2.5])
    """
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8") as stream:
            header = next(csv.reader(stream), None)
            if header is None:
                raise InvalidInputError(f"{path}: the CSV file is empty; expected a header row "
                                        f"naming the columns.")
            header = [name.strip() for name in header]
            positions = {}
            for name in (*numeric, *text):
                if name not in header:
                    raise InvalidInputError(
                        f"{path}: no column named {name!r}. The header has: "
                        f"{', '.join(map(repr, header))}.")
                positions[name] = header.index(name)
    except OSError as exc:
        raise InvalidInputError(f"Cannot read the CSV file {path!r}: {exc.strerror or exc}.") from exc
    out = {}
    for name in (*numeric, *text):
        dtype = np.float64 if name in numeric else str
        try:
            out[name] = np.atleast_1d(np.loadtxt(path, delimiter=",", skiprows=1, quotechar='"',
                                                 usecols=positions[name], dtype=dtype,
                                                 encoding="utf-8", ndmin=1))
        except ValueError as exc:  # numpy names the row and the value
            raise InvalidInputError(f"{path}, column {name!r}: {exc} (row numbers count data "
                                    f"rows from 0, after the header). Fix or remove that "
                                    f"row.") from None
    if text:
        for name in text:
            out[name] = np.char.strip(out[name])
    return out


def read_npy(path: str | os.PathLike, what: str) -> np.ndarray:
    """Load a ``.npy`` array (no pickles), naming ``what`` it was meant to be on failure."""
    path = os.fspath(path)
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"Cannot read {what} from {path!r}: {exc}. Expected a .npy file "
                                f"written by numpy.save.") from exc
