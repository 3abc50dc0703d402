"""Every notebook in the JupyterLite site, offline, as a reader runs it.

The site (web/lite.py) is built for all notebooks into a temporary directory and served inside a
network namespace that has only loopback (tests.tools.offline), with Chromium in the same
namespace. For each notebook, in a fresh browser context (no storage from the one before): open
``web.lite.lite_url(stem)``, wait for the Pyodide kernel, Run All Cells, and check that every cell
ran, none shows an error, nothing was written to stderr above a cell (a warning there is a learner's
problem too: Pyodide has no threads, and whatever tries one must go without it quietly), its
explorer's slider moves its figure, and no request left 127.0.0.1. A screenshot of the explorer
(after the move; else of the page) goes to tests/browser/screenshots/lite/<stem>.png.

Slow (the kernel starts in about 10 s per notebook, the training cells run in WebAssembly):
``make test-slow`` and CI run it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser import lite_checks as lite
from tests.tools.browser import CHROMIUM_ARGS, browsers_running, find_chromium, require
from tests.tools.offline import can_isolate, offline_site
from web.lite import LITE, build_lite, site_size_mb

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def lite_site(tmp_path_factory, playwright_driver):
    """(url of the served site root, a Chromium) for the lite site of every notebook, offline."""
    chromium = find_chromium()
    require(chromium is not None, "no Chromium found (apt-get install chromium) — JupyterLite test skipped locally",
            "CI=true but no chromium: .ci/run must install it")
    ok, why = can_isolate()
    require(ok, f"cannot serve offline here ({why}) — JupyterLite test skipped locally",
            f"CI=true but no network namespace can be made: {why}")
    site = tmp_path_factory.mktemp("site")
    t0 = time.monotonic()
    build_lite(site / LITE, NOTEBOOKS)
    print(f"[lite] built in {time.monotonic() - t0:.1f} s, {site_size_mb(site / LITE):.1f} MB")
    with offline_site(site, chromium) as (url, wrapper):
        browser = playwright_driver.chromium.launch(executable_path=wrapper, args=CHROMIUM_ARGS, headless=True)
        try:
            yield url, browser
        finally:
            browser.close()


@pytest.mark.parametrize("notebook", [nb.name for nb in NOTEBOOKS])
def test_notebook_runs_in_jupyterlite(lite_site, notebook):
    url, browser = lite_site
    stem = Path(notebook).stem
    with browsers_running():
        context = browser.new_context(viewport={"width": 1400, "height": 1500})
        requests = lite.RequestLog(context, url)
        page = context.new_page()
        t0 = time.monotonic()
        try:
            opened = lite.open_notebook(page, url, stem)
            state = lite.run_all(page)
            ran = time.monotonic() - t0 - opened
            errors = lite.error_outputs(state)
            assert not errors, f"{notebook} in JupyterLite: cells produced errors:\n" + "\n---\n".join(errors)
            unrun = lite.unrun_cells(state)
            assert not unrun, f"{notebook} in JupyterLite: cells did not run: {unrun}"
            stderr = lite.stderr_outputs(state)
            assert not stderr, f"{notebook} in JupyterLite wrote to stderr:\n" + "\n---\n".join(stderr)

            explorer = lite.explorer(page, notebook)
            moved = lite.move_explorer_slider(page, explorer, notebook)
            lite.screenshot(explorer, stem)
            off = requests.off_site()
            assert not off, f"{notebook}: requests left {url}: {off}"
            print(f"[lite] {notebook}: open+kernel {opened:.1f} s, run all {ran:.1f} s, "
                  f"slider {moved['readout'][0]!r} -> {moved['readout'][1]!r}, {len(requests.urls)} requests")
        except BaseException:
            try:
                lite.screenshot(page, stem, "_failure")
            except Exception as exc:  # noqa: BLE001 - the failure itself matters more
                print(f"[lite] no failure screenshot: {exc}")
            raise
        finally:
            context.close()
