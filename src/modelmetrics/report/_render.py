"""Render the Performance page: one self-contained HTML file (CSS, JS and data inline)."""

from __future__ import annotations

import functools
import html
import json
import os
import re
from importlib import resources

from ..io._atomic import write_bytes_atomic
from ._data import page_data

__all__ = ["DATA_ELEMENT_ID", "render_report", "write_demo_reports", "write_report"]

DATA_ELEMENT_ID = "mm-data"
_MARKER = re.compile(r"\{\{([A-Z_]+)\}\}")


@functools.cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text("utf-8")


def _json_island(data: dict) -> str:
    """Strict JSON safe inside ``<script>``: ``<`` is escaped, so no ``</script>`` or
    ``<!--`` in a class name can end the element early."""
    text = json.dumps(data, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def render_report(run_or_path, *, title: str | None = None) -> str:
    """The Performance page of a training run as one offline HTML document.

    Everything is inline (styles, script, data): the file opens from disk without network.
    Tabs are drawn when first opened, so large runs (1,000 classes, 10,000 losses) load fast.

    Parameters
    ----------
    run_or_path : TrainingRun, dict or path
        A run, a job-state document, or the path of a job-state JSON file (validated).
    title : str, optional
        The page title (default: "<model type> performance").

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    InvalidInputError
        The file cannot be read or is not a valid job-state document (the message names the
        file and the bad fields).

    Examples
    --------
    >>> import modelmetrics as mm
    >>> run = mm.TrainingRun(model_type="regression", start_time=0.0)
    >>> run.log_loss(2.0, validation_loss=2.5)
    >>> page = mm.render_report(run)
    >>> page.startswith("<!DOCTYPE html>"), "<link" in page, "src=" in page
    (True, False, False)
    """
    data = page_data(run_or_path)
    if title is None:
        title = f"{data['modelType'] or 'model'} performance"
    values = {"CSS": _asset("page.css"), "JS": _asset("page.js"), "TITLE": html.escape(title),
              "DATA_ID": DATA_ELEMENT_ID, "DATA": _json_island(data)}
    # one pass: nothing substituted (a class name, the title) is read for markers again
    return _MARKER.sub(lambda match: values[match.group(1)], _asset("page.html"))


def write_report(run_or_path, path, *, title: str | None = None) -> None:
    """Render the page (:func:`render_report`) and write it to ``path`` atomically (UTF-8).

    Examples
    --------
    >>> import modelmetrics as mm, pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.html"
    >>> mm.write_report(mm.TrainingRun(model_type="classification"), out)
    >>> 'id="mm-data"' in out.read_text(encoding="utf-8")
    True
    """
    write_bytes_atomic(path, render_report(run_or_path, title=title).encode("utf-8"))


def write_demo_reports(folder, documents: dict) -> list:
    """Write ``<model type>.report.html`` for each ``{model type: job-state document}`` and
    ``report.html``, an index page linking them (relative links: the folder can be moved).
    Returns the file names written, the index last."""
    names = []
    for model_type, document in documents.items():
        names.append(f"{model_type}.report.html")
        write_report(document, os.path.join(folder, names[-1]))
    items = "".join(f'<li><a href="{html.escape(n)}">{html.escape(t)}</a></li>'
                    for t, n in zip(documents, names))
    index = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>modelmetrics '
             f'demo</title></head><body style="font-family:system-ui,sans-serif;margin:24px">'
             f"<h1>modelmetrics demo: Performance pages</h1><ul>{items}</ul></body></html>\n")
    write_bytes_atomic(os.path.join(folder, "report.html"), index.encode("utf-8"))
    return [*names, "report.html"]
