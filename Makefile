# One command each: `make demo` (install + run the main job on bundled data), `make test`
# (install + run the test suite), `make bench` (install the peers + run the benchmarks).
# Each creates or refreshes the virtual environment in .venv from pyproject.toml.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test bench bench-asv startup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes (the package itself is editable).
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[test]"
	touch $@ $(VENV)/.stamp-run

$(VENV)/.stamp-bench: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[bench]"
	touch $@ $(VENV)/.stamp-test $(VENV)/.stamp-run

demo: $(VENV)/.stamp-run
	$(BIN)/modelmetrics demo

# The report's browser tests need Chromium: installed from Debian's package when missing and run
# as root (as CI is); otherwise those tests are skipped with the reason.
test: $(VENV)/.stamp-test
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "make test: could not install chromium; the browser tests will be skipped"
	$(BIN)/python -m pytest

# Peer comparisons (pytest-benchmark groups); add BENCH_ARGS="--benchmark-json=out.json" etc.
bench: $(VENV)/.stamp-bench
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-group-by=group \
		--benchmark-columns=min,median,mean,rounds $(BENCH_ARGS)

# The asv suites against the current checkout, in this environment.
bench-asv: $(VENV)/.stamp-bench
	$(BIN)/asv machine --yes >/dev/null
	$(BIN)/asv run --python=same --quick --show-stderr $(ASV_ARGS)

# Start-up costs: import time and first call, with an empty and with a warm JIT cache.
startup: $(VENV)/.stamp-run
	$(BIN)/python tools/startup.py

clean:
	rm -rf $(VENV) .asv build src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
