# Two commands: `make lab` and `make test`. Only python3 (3.10+) and make are assumed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test test-slow install bench bench-suite clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# As root (a container, a classroom VM) JupyterLab refuses to start unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

# Both cores (pytest-xdist, one worker a core): with `--dist loadfile` (pyproject.toml)
# two workers each first drive half the notebooks in a JupyterLab of their own (two
# browser modules), while the others run the unit tests. `TEST_WORKERS=0`: serially.
TEST_WORKERS ?= auto

# Everything but the checks marked slow (retraining the shipped models from scratch, about
# 25 s of CPU) and nbval's second run of the notebooks: each notebook is executed once, by
# the browser test, which checks what nbval checks (tests/conftest.py; without Chromium,
# nbval runs them here instead). `make test-slow` runs the rest; CI (.ci/run) runs both.
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not slow and not nbval"

test-slow: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) -m "slow or nbval"

bench: $(STAMP)
	$(PY) -m tests.benchmarks.notebooks

# Times `make test`'s pytest run: wall time, the browser part vs the rest, each notebook
# under nbval and in the browser, the slowest tests; checks nothing is left running.
bench-suite: $(STAMP)
	$(PY) -m tests.benchmarks.suite -n $(TEST_WORKERS) -m "not slow and not nbval"

clean:
	rm -rf $(VENV)
