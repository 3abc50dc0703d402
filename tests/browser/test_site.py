"""`make site` as a reader meets it, with no network but loopback.

The site is built for notebook 00 (web/site.py: its static page and JupyterLite), served in a
network namespace that has only ``lo`` (tests/tools/offline.py), and opened in Chromium
there. On the static page the explorer's snapshot steps with plotly's slider, MathJax draws
the equations, and the navigation and table of contents are there; in JupyterLite the same
notebook runs all its cells, its explorer's slider moves the figure, and no cell errors.
Every request either page makes is recorded: none may leave 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.browser import CHROMIUM_ARGS, browsers_running, find_chromium, require
from tests.tools.offline import can_isolate, offline_site

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "browser" / "screenshots" / "site"
NOTEBOOK = "00_notation"
PAGE_TIMEOUT_MS = 60_000

# The first figure on the page with plotly's own slider: an explorer's snapshot. What it
# draws: its traces, and the layout a step may change (a step may only move shapes).
SNAPSHOT = "[...document.querySelectorAll('.plotly-graph-div')].find(gd => (gd.layout.sliders || []).length)"
SNAPSHOT_STATE = f"""() => {{
    const gd = {SNAPSHOT};
    return gd && {{active: gd._fullLayout.sliders[0].active,
                   drawn: JSON.stringify([gd.data.map(t => [t.x, t.y, t.z, t.text]),
                                          gd.layout.shapes, gd.layout.annotations, gd.layout.title])}};
}}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from web.site import build, notebooks

    ok, why = can_isolate()
    require(ok, f"cannot test offline: {why}", f"the site test needs a network namespace: {why}")
    require(find_chromium() is not None, "Chromium is not installed", "Chromium is missing: .ci/run installs it")
    require((REPO / "web" / "node_modules" / "pyodide").is_dir(), "web/node_modules is missing (npm)",
            "web/node_modules is missing: `make install` runs npm ci in web/")
    out = tmp_path_factory.mktemp("site") / "site"
    build(out, notebooks([NOTEBOOK]), work=tmp_path_factory.mktemp("site-src"))
    return out


@pytest.fixture(scope="module")
def offline_browser(site, playwright_driver):
    with browsers_running(), offline_site(site, find_chromium()) as (url, chromium):
        browser = playwright_driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield url, browser
        finally:
            browser.close()


# plotly.js rejects the promise of an animation that a newer one interrupts, with no reason,
# and its slider leaves that rejection uncaught: a click on the rail starts two.
PLOTLY_INTERRUPTED = "undefined"


def _page(browser, requests, errors):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: str(e) != PLOTLY_INTERRUPTED and errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    return page


def _off_loopback(requests):
    return [r for r in requests if not r.startswith(("http://127.0.0.1", "data:", "blob:"))]


def test_static_page_steps_without_a_kernel(offline_browser):
    url, browser = offline_browser
    requests, errors = [], []
    page = _page(browser, requests, errors)
    page.goto(f"{url}/{NOTEBOOK}.html")
    page.wait_for_function(f"() => {SNAPSHOT} && document.querySelector('mjx-container')")
    # The navigation: the index and this notebook in the sidebar, its sections under its title.
    assert page.locator(".bd-sidebar-primary a", has_text="Notation").count() >= 1
    assert page.locator(".contents a").count() >= 5, "no table of contents on the page"
    assert page.locator("a.course-run-link, .course-run-link a").first.get_attribute("href").startswith("lite/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{NOTEBOOK}_top.png")

    page.wait_for_timeout(1000)  # a snapshot that played its frames on load would have moved by now
    before = page.evaluate(SNAPSHOT_STATE)
    assert before["active"] == 0, "the snapshot does not open at its first step"
    rail = page.evaluate_handle(f"() => {SNAPSHOT}.querySelector('.slider-rail-rect')").as_element()
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 0.85 * box["width"], box["y"] + box["height"] / 2)
    page.wait_for_function(f"() => {SNAPSHOT}._fullLayout.sliders[0].active != {before['active']}")
    page.wait_for_timeout(300)  # the frame is drawn
    after = page.evaluate(SNAPSHOT_STATE)
    assert after["drawn"] != before["drawn"], "the snapshot's slider moved but the figure did not change"
    page.screenshot(path=SCREENSHOTS / f"{NOTEBOOK}_snapshot.png")
    assert not errors, f"the page logged errors: {errors}"
    assert not _off_loopback(requests), f"requests left 127.0.0.1: {_off_loopback(requests)}"
    page.close()


def test_the_notebook_runs_in_jupyterlite(offline_browser):
    from lite_checks import RequestLog, error_outputs, explorer, move_explorer_slider, open_notebook, run_all, screenshot

    url, browser = offline_browser
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    requests = RequestLog(context, url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The link on the static page is the way in.
    page.goto(f"{url}/{NOTEBOOK}.html")
    with page.expect_navigation(timeout=PAGE_TIMEOUT_MS):
        page.locator(".course-run-link a").click()
    assert "/lite/" in page.url
    open_notebook(page, url, NOTEBOOK)
    state = run_all(page)
    assert not error_outputs(state), "cells errored in JupyterLite:\n" + "\n\n".join(error_outputs(state))
    move_explorer_slider(page, explorer(page, NOTEBOOK), NOTEBOOK)  # fails unless the figure changed
    screenshot(explorer(page, NOTEBOOK), NOTEBOOK, "_site_test")
    assert not errors, f"the page logged errors: {errors}"
    assert not requests.off_site(), f"requests left 127.0.0.1: {requests.off_site()}"
    context.close()
