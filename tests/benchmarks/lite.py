"""How the JupyterLite site feels, offline: ``python -m tests.benchmarks.lite [--runs 3] [--steps 10]``.

Builds the lite site for 00_notation (web.lite.build_lite, timed) into a temporary directory, serves
it inside a network namespace with only loopback (tests.tools.offline) and, in each run, a fresh
headless Chromium context (no cache, no storage from an earlier run):

(a) first output: from ``page.goto(lite_url("00_notation"))`` until the first output of any of
    the notebook's code cells (stored without outputs) is in the DOM after Run → Run All Cells, where Run All is clicked
    as soon as the Pyodide kernel reads idle. So it covers loading JupyterLite, starting Pyodide
    and its kernel (micropip, ipython ... from the site) and the first cell's imports (numpy,
    course_lib, plotly, jieba ... loaded from the site's pyodide-lock.json) and run. The kernel's
    start is printed apart.
(b) step latency: after Run All finished, single key presses (ArrowRight) on the explorer's time
    slider, each from the keydown event to the animation frame at which the figure's data first
    differ (tests.browser.lite_checks.step_latency_ms): median and max over all runs.

And the lite site's size (MB, everything under the site's lite/ directory).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.browser import lite_checks as lite
from tests.tools.browser import CHROMIUM_ARGS, browsers_running, find_chromium
from tests.tools.offline import offline_site
from web.lite import LITE, build_lite, site_size_mb

REPO = Path(__file__).resolve().parents[2]
STEM = "00_notation"

_FIRST_OUTPUT_JS = "() => !!document.querySelector('.jp-Notebook .jp-CodeCell .jp-OutputArea-output')"


def one_run(browser, url: str, steps: int) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1500})
    try:
        requests = lite.RequestLog(context, url)
        page = context.new_page()
        t0 = time.monotonic()
        kernel = lite.open_notebook(page, url, STEM)
        lite.start_run_all(page)
        page.wait_for_function(_FIRST_OUTPUT_JS, polling=50, timeout=180_000)
        first = time.monotonic() - t0
        lite.wait_run_all_finished(page)
        all_done = time.monotonic() - t0
        explorer = lite.explorer(page, f"{STEM}.ipynb")
        latencies = lite.step_latency_ms(page, explorer, steps=steps)
        return {"kernel": kernel, "first": first, "all": all_done, "steps": latencies, "off": requests.off_site()}
    finally:
        context.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.lite", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10, help="key presses timed per run")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="rnn-lite-bench-") as tmp:
        site = Path(tmp) / "site"
        t0 = time.monotonic()
        build_lite(site / LITE, [REPO / "notebooks" / f"{STEM}.ipynb"])
        print(f"build: {time.monotonic() - t0:.1f} s; lite site {site_size_mb(site / LITE):.1f} MB")
        runs = []
        with browsers_running(), offline_site(site, chromium) as (url, wrapper), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=wrapper, args=CHROMIUM_ARGS, headless=True)
            try:
                for i in range(args.runs):
                    run = one_run(browser, url, args.steps)
                    runs.append(run)
                    print(f"run {i + 1}: kernel idle {run['kernel']:.1f} s, first output {run['first']:.1f} s, "
                          f"Run All done {run['all']:.1f} s, step median {statistics.median(run['steps']):.0f} ms "
                          f"max {max(run['steps']):.0f} ms, requests off 127.0.0.1: {len(run['off'])}")
            finally:
                browser.close()
    firsts = [r["first"] for r in runs]
    steps = [s for r in runs for s in r["steps"]]
    print(f"first output after opening {STEM}: median {statistics.median(firsts):.1f} s "
          f"(min {min(firsts):.1f}, max {max(firsts):.1f}) over {len(runs)} runs")
    print(f"explorer step (key -> figure redrawn): median {statistics.median(steps):.0f} ms, "
          f"max {max(steps):.0f} ms over {len(steps)} steps")
    print(f"requests off 127.0.0.1: {sum(len(r['off']) for r in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
