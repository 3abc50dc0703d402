"""Can this machine run the browser test? Shared by the browser test's fixtures and by
tests/conftest.py, which leaves the notebooks' execution to the browser test when it can."""

import importlib.util
import os
import shutil


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
