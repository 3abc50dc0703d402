"""The order of the work when the suite runs on both cores (``make test``: pytest-xdist,
``-n auto --dist loadfile``).

``--dist loadfile`` gives each file to one worker whole: a notebook's nbval cells share
one kernel and run there in order, and each of the two browser modules (half the
notebooks each) runs on one worker against a JupyterLab server of that worker's own. (Not
``--dist loadgroup`` with ``xdist_group`` marks: with pytest 9.2 and pytest-xdist 3.8 it
silently stops grouping, pytest-dev/pytest-xdist#1386, and would split a notebook's
cells over two kernels.)

With ``--no-loadscope-reorder`` (pyproject.toml) files are handed out in the order the
workers collected them (xdist would otherwise hand out the files with the most tests
first, and the browser modules, the longest, have few tests). On a worker this hook puts
the longest files first, so that the short ones fill the gaps at the end: the two browser
modules of the notebooks (checked side by side, one on each worker), the other browser
modules (which hold the browsers alone), then modules with ``slow`` tests, then the
notebooks, then the rest. Each file's tests keep their order; a run without xdist keeps
pytest's usual order.

Each notebook is executed once in ``make test``. When the browser test runs (Playwright
and Chromium are here, or CI=true), it is the execution: it runs every notebook in
JupyterLab, saves it and checks the result as nbval would (every cell ran, no error,
checked outputs as stored). nbval's own run of the notebooks is then marked ``nbval``,
which ``make test`` leaves out and ``make test-slow`` (also in CI) runs. Without a browser,
nbval runs the notebooks in ``make test`` itself.
"""

import pytest
from nbval.plugin import IPyNbCell

from tests.tools.browser import browser_test_runs


def _rank(item) -> int:
    if item.get_closest_marker("browser"):
        # The notebooks' two halves first, one on each worker, side by side; then the tests
        # that need the browsers to themselves (tests.tools.browser.browsers_running).
        return 0 if "test_notebooks_in_browser" in item.nodeid else 1
    if item.get_closest_marker("slow"):
        return 2
    if isinstance(item, IPyNbCell):
        return 3
    return 4


def pytest_collection_modifyitems(config, items):
    if browser_test_runs():  # the browser test executes the notebooks: nbval's run is the second one
        for item in items:
            if isinstance(item, IPyNbCell):
                item.add_marker(pytest.mark.nbval)
    if not hasattr(config, "workerinput"):  # not an xdist worker
        return
    file_rank: dict[str, int] = {}
    for item in items:
        file = item.nodeid.split("::", 1)[0]
        file_rank[file] = min(file_rank.get(file, 4), _rank(item))
    items.sort(key=lambda item: file_rank[item.nodeid.split("::", 1)[0]])  # stable
