"""End-to-end: the Performance page in headless Chromium (Debian's ``chromium``, driven by
Playwright's Python package; no browser download). Every number checked here is computed
independently from the job-state document.

Screenshots go to ``tmp_path`` and, when ``MODELMETRICS_ARTIFACTS`` names a folder, are copied
there (with ``timings.json``: render and load times of the large report).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import numpy as np
import pytest

import modelmetrics as mm

from ._fixtures import detection_document, job_state, regression_document

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is "
                               "not installed (pip install -e '.[test]')")
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def _chromium() -> str | None:
    given = os.environ.get("MODELMETRICS_CHROMIUM")
    return given or next(filter(None, map(shutil.which, CANDIDATES)), None)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("Chromium is not installed: apt-get install chromium (make test does it "
                    "when run as root), or set MODELMETRICS_CHROMIUM to its path")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def open_report(browser, tmp_path, request):
    """Write the page of a document, open it from file:// and return the page; console errors
    fail the test; ``snap(name)`` saves a screenshot as an artifact."""
    pages, errors = [], []

    def open_(document, name="report"):
        path = tmp_path / f"{name}.html"
        mm.write_report(document, path)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready=true]")
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()
    assert errors == []


def snap(page, tmp_path, name):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    artifacts = os.environ.get("MODELMETRICS_ARTIFACTS")
    if artifacts:
        os.makedirs(artifacts, exist_ok=True)
        shutil.copy(path, artifacts)


def shown(value: float) -> float:
    """What the page shows for a number (4 significant digits)."""
    return float(f"{value:.4g}")


def path_points(d: str) -> list:
    return [tuple(map(float, p.split())) for p in re.findall(r"[ML]([-\d.]+ [-\d.]+)", d)]


# -- Loss Over Time ------------------------------------------------------------------------------


def test_loss_chart_points_best_epoch_hover_and_headline(open_report, tmp_path):
    document = regression_document()
    page = open_report(document)
    train = page.get_attribute('path[data-series="train-raw"]', "d")
    validation = page.get_attribute('path[data-series="validation-raw"]', "d")
    assert len(path_points(train)) == sum(v is not None for v in document["losses"])
    assert len(path_points(validation)) == sum(v is not None for v in document["validationLosses"])
    assert len(path_points(page.get_attribute('path[data-series="train-smooth"]', "d"))) == len(
        document["losses"])
    values = document["validationLosses"]
    best = values.index(min(values))
    marker = page.locator("#best-epoch-marker")
    assert int(marker.get_attribute("data-index")) == best
    # the marker sits on the best point of the validation curve
    x, y = path_points(validation)[best]
    assert float(marker.get_attribute("cx")) == pytest.approx(x, abs=0.06)
    assert float(marker.get_attribute("cy")) == pytest.approx(y, abs=0.06)
    # hovering over the marker reads out that step's losses
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 20)
    readout = page.locator("#loss-readout")
    assert int(readout.get_attribute("data-index")) == best
    numbers = [float(t) for t in re.findall(r"(?:training|validation) (-?[\d.]+)",
                                            readout.text_content())]
    assert numbers[:2] == [shown(document["losses"][best]), shown(values[best])]
    assert page.locator("#tooltip").is_visible()
    for split in ("test", "validation"):
        for key in ("mean-squared-error", "mean-absolute-error"):
            text = page.text_content(f'.set[data-split="{split}"] .hl[data-key="{key}"] .v')
            assert float(text) == shown(document["metrics"][split][key])
    assert page.locator(".set").count() == 2  # test and validation, not train
    snap(page, tmp_path, "loss-over-time")


# -- Confusion matrix ----------------------------------------------------------------------------

READ_MATRIX = """() => {
  const top = (e) => parseFloat(e.style.top), left = (e) => parseFloat(e.style.left);
  const rows = [...document.querySelectorAll('.cm-rowhead')].sort((a, b) => top(a) - top(b));
  const cols = [...document.querySelectorAll('.cm-colhead')].sort((a, b) => left(a) - left(b));
  const cells = {};
  document.querySelectorAll('.cm-cell').forEach(c => { cells[c.dataset.r + ',' + c.dataset.c] = Number(c.textContent); });
  return {rows: rows.map(e => Number(e.dataset.r)), cols: cols.map(e => Number(e.dataset.c)), cells,
          caption: document.getElementById('cm-caption').textContent};
}"""


def ranking(scores) -> list:
    """Indices by score descending, ties by index (as the page)."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def expected_all(matrix: np.ndarray, mode: str, n: int = 7) -> list:
    rows, cols, diag = matrix.sum(1), matrix.sum(0), np.diag(matrix)
    score = rows + cols - 2 * diag if mode == "confused" else rows
    return ranking(score.tolist())[:n]


def expected_row(matrix: np.ndarray, x: int, mode: str) -> list:
    keep = [j for j in range(len(matrix)) if matrix[x, j] > 0 and (mode == "common" or j != x)]
    return sorted(keep, key=lambda j: (-matrix[x, j], j))


def check_matrix(view, matrix, rows, cols):
    assert view["rows"] == rows and view["cols"] == cols
    assert view["cells"] == {f"{i},{j}": int(matrix[i, j]) for i in rows for j in cols}


def test_confusion_matrix_result_set_class_filter_and_toggle(open_report, tmp_path):
    document = detection_document()
    matrices = {s: np.array(document["metrics"][s]["confusion-matrix"]["matrix"])
                for s in ("test", "validation")}
    labels = document["metrics"]["test"]["confusion-matrix"]["labels"]
    assert not np.array_equal(matrices["test"], matrices["validation"])
    page = open_report(document)
    page.click("#tabbtn-confusion")
    options = page.eval_on_selector_all("#result-set option", "os => os.map(o => o.textContent)")
    assert options == ["Test", "Validation"]
    assert page.get_attribute("#cm-most-confused", "aria-pressed") == "true"  # the default
    view = page.evaluate(READ_MATRIX)
    top = expected_all(matrices["test"], "confused")
    check_matrix(view, matrices["test"], top, top)
    assert view["caption"].startswith(f"Showing 7 of {len(labels)} classes")
    snap(page, tmp_path, "confusion-most-confused")

    page.click("#cm-most-common")
    top = expected_all(matrices["test"], "common")
    check_matrix(page.evaluate(READ_MATRIX), matrices["test"], top, top)

    page.select_option("#result-set", "validation")
    top = expected_all(matrices["validation"], "common")
    check_matrix(page.evaluate(READ_MATRIX), matrices["validation"], top, top)
    page.click("#cm-most-confused")
    page.click("#cm-more")
    top = expected_all(matrices["validation"], "confused", 14)
    check_matrix(page.evaluate(READ_MATRIX), matrices["validation"], top, top)

    person = labels.index("person")
    page.select_option("#cm-class", label="person")
    for mode in ("confused", "common"):
        page.click(f"#cm-most-{mode}")
        expected = expected_row(matrices["validation"], person, mode)
        check_matrix(page.evaluate(READ_MATRIX), matrices["validation"], [person], expected[:7])
        snap(page, tmp_path, f"confusion-person-{mode}")
    assert (person in expected) and matrices["validation"][person, person] > 0


def test_hundreds_of_classes_scroll_not_squash(open_report, tmp_path):
    document = job_state("classification", num_classes=300, n_losses=50, splits=("test",))
    matrix = np.array(document["metrics"]["test"]["confusion-matrix"]["matrix"])
    page = open_report(document)
    page.click("#tabbtn-confusion")
    page.click("#cm-all")
    view = page.evaluate(READ_MATRIX)
    assert view["caption"].startswith("Showing 300 of 300 classes")
    order = expected_all(matrix, "confused", 300)
    assert view["rows"] == order[:len(view["rows"])] and len(view["rows"]) < 60  # drawn lazily
    assert page.evaluate("document.querySelector('.cm-cell').offsetWidth") >= 60  # not squashed
    page.eval_on_selector("#cm-view", "v => { v.scrollTop = v.scrollHeight; v.scrollLeft = v.scrollWidth; }")
    page.wait_for_function(f"document.querySelector('.cm-rowhead[data-r=\"{order[-1]}\"]') !== null")
    view = page.evaluate(READ_MATRIX)
    assert view["rows"][-1] == order[-1] and view["cols"][-1] == order[-1]
    assert view["cells"][f"{order[-1]},{order[-1]}"] == matrix[order[-1], order[-1]]
    snap(page, tmp_path, "confusion-300-scrolled")


# -- Metrics tab ---------------------------------------------------------------------------------


def read_table(page) -> list:
    return page.evaluate("""() => [...document.querySelectorAll('#per-class-table tbody tr')].map(
        tr => [tr.dataset.class, ...[...tr.querySelectorAll('td[data-key]')].map(td => td.textContent)])""")


def test_metrics_table_filter_sort_and_result_set(open_report, tmp_path):
    document = job_state("classification", num_classes=12, seed=5)
    page = open_report(document)
    page.click("#tabbtn-metrics")
    rows = document["metrics"]["test"]["per-class"]
    keys = page.eval_on_selector_all("#per-class-table th[data-sort]", "ths => ths.map(t => t.dataset.sort)")[1:]
    table = read_table(page)
    assert [r[0] for r in table] == list(rows)
    for name, *cells in table:
        for key, text in zip(keys, cells):
            value = rows[name][key]
            assert text == "—" if value is None else float(text) == shown(value)
    dead = page.locator('tr[data-class="class-0011"] td[data-key="precision"] .undef')
    assert dead.text_content() == "—"
    assert dead.get_attribute("title") == document["metrics"]["test"]["undefined"][
        "per-class/class-0011/precision"]

    page.click('th[data-sort="precision"]')  # descending, undefined last
    expected = sorted(rows, key=lambda n: (rows[n]["precision"] is None, -(rows[n]["precision"] or 0),
                                           list(rows).index(n)))
    assert [r[0] for r in read_table(page)] == expected
    page.click('th[data-sort="precision"]')  # ascending, undefined still last
    expected = sorted(rows, key=lambda n: (rows[n]["precision"] is None, rows[n]["precision"] or 0,
                                           list(rows).index(n)))
    assert [r[0] for r in read_table(page)] == expected

    page.fill("#class-filter", "class-000")
    assert sorted(r[0] for r in read_table(page)) == [f"class-000{k}" for k in range(10)]
    assert page.text_content("#class-count") == "10 of 12 classes"
    page.select_option("#result-set", "train")
    train = document["metrics"]["train"]["per-class"]
    for name, *cells in read_table(page):
        assert cells[keys.index("recall")] == "—" if train[name]["recall"] is None else \
            float(cells[keys.index("recall")]) == shown(train[name]["recall"])
    assert float(page.text_content('#split-metrics tr[data-key="accuracy"] td:last-child')) == shown(
        document["metrics"]["train"]["accuracy"])
    snap(page, tmp_path, "metrics-train-filtered")


# -- Detection PR curves ------------------------------------------------------------------------


def test_pr_curve_per_class(open_report, tmp_path):
    document = detection_document()
    page = open_report(document)
    page.click("#tabbtn-pr")
    curves = document["metrics"]["test"]["pr-curves"]
    assert page.eval_on_selector_all("#pr-class option", "os => os.map(o => o.value)") == list(curves)
    page.select_option("#pr-class", "person")
    points = path_points(page.get_attribute("#pr-svg path.series", "d"))
    precision = np.array(curves["person"]["precision"])
    assert len(points) == precision.size and np.ptp(precision) > 0
    # the curve's shape: x follows the recall, y the precision (an SVG y axis points down)
    xs, ys = np.array(points).T
    assert np.corrcoef(xs, curves["person"]["recall"])[0, 1] == pytest.approx(1.0)
    assert np.corrcoef(-ys, precision)[0, 1] == pytest.approx(1.0)
    ap = document["metrics"]["test"]["per-class"]["person"]["average-precision"]
    assert f"AP (IoU 0.50:0.95) {shown(ap):g}" in page.text_content("#pr-caption")
    snap(page, tmp_path, "pr-curve-person")


# -- Large runs ----------------------------------------------------------------------------------


def test_1000_classes_and_10000_losses_load_fast(open_report, tmp_path):
    document = job_state("classification", num_classes=1000, n_losses=10_000,
                         splits=("validation", "test"))
    run = mm.TrainingRun.from_dict(document)
    start = time.perf_counter()
    mm.render_report(run)
    render_s = time.perf_counter() - start
    page = open_report(document, "large")
    ready_ms = page.evaluate("window.mmReport.readyMs")  # navigation start to a usable page
    script_ms = page.evaluate("window.mmReport.renderMs")
    assert len(path_points(page.get_attribute('path[data-series="train-raw"]', "d"))) == 10_000
    start = time.perf_counter()
    page.click("#tabbtn-metrics")
    page.wait_for_selector('#per-class-table tr[data-class="class-0999"]')
    metrics_s = time.perf_counter() - start
    start = time.perf_counter()
    page.click("#tabbtn-confusion")
    page.click("#cm-all")
    page.wait_for_selector(".cm-cell")
    confusion_s = time.perf_counter() - start
    timings = {"render_report_s": render_s, "page_ready_ms": ready_ms, "script_ms": script_ms,
               "metrics_tab_s": metrics_s, "confusion_show_all_s": confusion_s,
               "html_bytes": (tmp_path / "large.html").stat().st_size}
    print("large report timings:", json.dumps(timings))
    (tmp_path / "timings.json").write_text(json.dumps(timings, indent=1))
    if os.environ.get("MODELMETRICS_ARTIFACTS"):
        shutil.copy(tmp_path / "timings.json", os.environ["MODELMETRICS_ARTIFACTS"])
    snap(page, tmp_path, "large-confusion-all")
    assert ready_ms < 5000 and metrics_s < 5 and confusion_s < 5  # generous: shared CI machines
