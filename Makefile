# Two commands: `make lab` and `make test`. Only python3 (3.10+) and make are assumed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test test-slow install bench bench-suite solutions hub present site clean

# The course, its tests, the teacher's tools and the site's builders (pyproject.toml's extras);
# from npm at the versions the lock files pin, the proxy JupyterHub needs (classroom/) and
# Pyodide and MathJax for the site (web/) (without npm, the classroom and site tests skip
# locally; CI has it).
$(STAMP): pyproject.toml classroom/package-lock.json web/package-lock.json web/lite-wheels.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,classroom,site]'
	@# JupyterLite's kernel extension is for the site (web/lite.py takes it from its wheel): in this
	@# JupyterLab its bundle fails to load, and disabling it does not stop the bundle loading.
	rm -rf $(VENV)/share/jupyter/labextensions/@jupyterlite
	@# The wheels JupyterLite ships that are not in .venv as wheels (web/lite-wheels.txt), for
	@# `make site` to build offline.
	$(PY) -m web.lite --fetch
	@if command -v npm >/dev/null 2>&1; then cd classroom && npm ci --no-audit --no-fund --loglevel=error; \
	 else echo "npm not found: make hub and the classroom test need it (configurable-http-proxy)"; fi
	@if command -v npm >/dev/null 2>&1; then cd web && npm ci --no-audit --no-fund --loglevel=error; \
	 else echo "npm not found: make site needs it (Pyodide, MathJax)"; fi
	@touch $(STAMP)

install: $(STAMP)

# As root (a container, a classroom VM) JupyterLab refuses to start unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

# Both cores (pytest-xdist, one worker a core): with `--dist loadfile` (pyproject.toml)
# the notebooks' browser checks go first, half the notebooks on each worker in a JupyterLab
# of its own; then the classroom hub, Voilà and the site, one at a time with no other
# browser test (tests.tools.browser.browsers_running: a busy browser freezes explorers),
# while the other worker runs the unit tests.
# `TEST_WORKERS=0`: serially.
TEST_WORKERS ?= auto

# Everything but the checks marked slow (retraining the shipped models from scratch, about
# 25 s of CPU) and nbval's second run of the notebooks: each notebook is executed once, by
# the browser test, which checks what nbval checks (tests/conftest.py; without Chromium,
# nbval runs them here instead). `make test-slow` runs the rest; CI (.ci/run) runs both.
# One BLAS thread for every process the suite starts (workers, kernels): the matrices are
# small, and on 2 cores shared by two workers, their kernels and Chromium, extra BLAS
# threads only wait for each other. Set OPENBLAS_NUM_THREADS yourself to override.
BLAS_ENV := OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1}

test: $(STAMP)
	$(BLAS_ENV) $(PY) -m pytest -n $(TEST_WORKERS) -m "not slow and not nbval"

test-slow: $(STAMP)
	$(BLAS_ENV) $(PY) -m pytest -n $(TEST_WORKERS) -m "slow or nbval"

bench: $(STAMP)
	$(PY) -m tests.benchmarks.notebooks

# Times `make test`'s pytest run: wall time, the browser part vs the rest, each notebook
# under nbval and in the browser, the slowest tests; checks nothing is left running.
bench-suite: $(STAMP)
	$(BLAS_ENV) $(PY) -m tests.benchmarks.suite -n $(TEST_WORKERS) -m "not slow and not nbval"

# The teacher's version of the notebooks in solutions/ (not committed): every exercise stub
# replaced by its answer from course_lib/checks/answers.py, the other notebooks copied as they
# are. tests/test_solutions.py checks the tool; `make test-slow` runs the answered notebooks.
solutions: $(STAMP)
	$(PY) -m tests.tools.solutions solutions

# A JupyterHub on 127.0.0.1 for trying the classroom set-up (docs/classroom.md): prints the
# password and the nbgitpuller link to give students. Ctrl-C stops it and every server.
HUB_PORT ?= 8000
hub: $(STAMP)
	$(PY) classroom/hub.py --port $(HUB_PORT)

# Walkthrough mode: one notebook as a page of explanations, figures and explorers, without
# code cells (Voilà), on 127.0.0.1, e.g. `make present NB=03_architectures`.
NB ?= 00_notation
PRESENT_PORT ?= 8866
# Its template (classroom/jupyter/voila/templates/course) is Voilà's lab one without CDN links.
present: $(STAMP)
	JUPYTER_PATH=classroom/jupyter $(VENV)/bin/voila notebooks/$(NB).ipynb --template=course \
	  --Voila.ip=127.0.0.1 --port=$(PRESENT_PORT) --no-browser

# The course as a static site in site/ (README, "In a browser"): the executed notebooks as pages
# and JupyterLite, offline. `make site NOTEBOOKS="00_notation 06_gru"` builds some of them.
NOTEBOOKS ?=
site: $(STAMP)
	$(PY) -m web.site --out site $(NOTEBOOKS)

clean:
	rm -rf $(VENV) classroom/node_modules web/node_modules site build
