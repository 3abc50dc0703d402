# Two commands: `make lab` and `make test`. Only python3 (3.10+) and make are assumed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test install bench bench-suite clean

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

# Both cores (pytest-xdist, one worker a core): with `--dist loadfile` (pyproject.toml) one
# worker runs every browser check against one JupyterLab while the other runs the unit
# tests and the notebooks under nbval. `make test TEST_WORKERS=0` runs serially.
TEST_WORKERS ?= auto

test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS)

bench: $(STAMP)
	$(PY) -m tests.benchmarks.notebooks

# Times `make test`'s pytest run: wall time, the browser part vs the rest, each notebook
# under nbval and in the browser, the slowest tests; checks nothing is left running.
bench-suite: $(STAMP)
	$(PY) -m tests.benchmarks.suite -n $(TEST_WORKERS)

clean:
	rm -rf $(VENV)
