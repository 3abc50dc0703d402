"""Can this machine run the browser test? Shared by the browser tests' fixtures and by
tests/conftest.py, which leaves the notebooks' execution to the browser test when it can;
with how the browser tests start Chromium and JupyterLab (also the classroom hub's)."""

import contextlib
import fcntl
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest


def find_chromium() -> str | None:
    """Debian's Chromium (never a Playwright download), or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def browser_test_runs() -> bool:
    """True when the browser test will run rather than skip: Playwright and Chromium are
    here, or CI=true (where their absence fails the browser test instead of skipping it)."""
    if os.environ.get("CI") == "true":
        return True
    return importlib.util.find_spec("playwright") is not None and find_chromium() is not None


# Headless Chromium as the browser tests start it: nothing in the background reaches out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# JupyterLab's settings for a browser test (a temporary ``--LabApp.user_settings_dir``, or a
# student's ~/.jupyter/lab/user-settings on the classroom hub).
LAB_SETTINGS = {
    # Never save: the browser must not write outputs into the notebook it opened.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # No "Would you like to receive Jupyter news?" toast, no news or update fetches.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Render every cell in the DOM (no virtual windowing), so DOM queries see all cells.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def require(ok: bool, what: str, ci_message: str) -> None:
    """Skip locally, fail in CI, when a browser-test prerequisite is missing."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(ci_message, pytrace=False)
    pytest.skip(what)


# One lock file for the browser tests of this machine: one test at a time drives browsers.
BROWSER_LOCK = Path(tempfile.gettempdir()) / "rnn-course-browser-tests.lock"


@contextlib.contextmanager
def browsers_running(shared=False):
    """Hold the browser tests' lock while a test drives browsers, whichever worker runs it.

    A notebook's check holds it ``shared``: the two halves of the notebooks are checked side
    by side, one JupyterLab page each. Every other browser test (the classroom's three
    students, Voilà, the site, JupyterLite) holds it alone, and the other worker runs unit
    tests meanwhile.

    A busy browser can take longer than anywidget's 2 s to load a model's code, and that
    model then drops every message: an explorer that does not move. plotly's 5 MB widget
    code is now compiled once per page (course_lib/widgets/_figure.py), not once per
    figure; before that, a figure froze with the classroom test's three browsers, with
    Voilà beside a notebook's check, and with two notebook checks side by side (07_lstm,
    in 1 of 3 runs of `make test`).
    """
    with open(BROWSER_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
