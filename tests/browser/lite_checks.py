"""Drive a course notebook in the JupyterLite site (web/lite.py) with Playwright, as a reader would.

The site is static: the kernel is Pyodide in a web worker of the page, so a notebook's kernel
lives and dies with its page (one page per notebook here, no server to ask about kernels). The
page is JupyterLite's single-notebook app (``web.lite.lite_url``), JupyterLab 4.4's notebook and
output DOM, so the explorer and error helpers of ``notebook_checks`` apply as they are; only the
kernel's state is read elsewhere (the toolbar's kernel name and execution indicator: the app has
no status bar).

* ``open_notebook(page, site_url, stem)``: open it, wait until its Pyodide kernel is idle;
* ``run_all(page)``: Run → Run All Cells, wait until every cell ran (or an error stopped it) and
  the kernel is idle; the notebook's state (prompts, outputs);
* ``error_outputs(state)`` (errors, as ``notebook_checks`` tells them) and ``stderr_outputs(state)``
  (anything on stderr: warnings above a cell, e.g. from a thread that cannot start in Pyodide);
* ``explorer(page, notebook)`` and ``move_explorer_slider`` (notebook_checks'): its slider two
  steps on, waiting until its figure changed;
* ``step_latency_ms(page, explorer)``: one key press on the explorer's slider → its figure's data
  changed, timed in the page (``performance.now()``, polled every animation frame);
* ``RequestLog``: every request of a browser context, and those that left the site's host.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.notebook_checks import (
    _FIGURE_DATA_JS,
    _NOTEBOOK_CELLS_JS,
    OTHER_EXPLORERS,
    STDERR_MIME,
    TIMESTEP_EXPLORER,
    _click_menu,
    _error_outputs,
    _wait_figure_settled,
    move_explorer_slider,
)
from web.lite import lite_url

__all__ = ["RequestLog", "error_outputs", "explorer", "move_explorer_slider", "open_notebook", "run_all",
           "step_latency_ms", "stderr_outputs"]

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots" / "lite"

APP_LOAD_TIMEOUT_MS = 90_000
KERNEL_READY_TIMEOUT_S = 120  # Pyodide, micropip, ipython ... from the site: about 10 s on 2 cores
RUN_ALL_START_TIMEOUT_S = 30
RUN_ALL_TIMEOUT_S = 900  # training in WebAssembly is slower than in CPython
EXPLORER_TIMEOUT_MS = 60_000
POLL_MS = 250

# JS: the notebook as the single-notebook app shows it. The kernel's name is "No Kernel" until the
# Pyodide kernel is connected; the execution indicator reads data-status "idle" before that too,
# so readiness is both together.
_LITE_STATE_JS = r"""
() => {
  const dialog = document.querySelector('.jp-Dialog');
  const name = document.querySelector('.jp-KernelName, .jp-Toolbar-kernelName');
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
""" + _NOTEBOOK_CELLS_JS + r"""
  const kernel = name ? name.textContent.trim() : null;
  const status = indicator ? indicator.getAttribute('data-status') : null;
  return {
    dialog: dialog ? dialog.innerText : null,
    kernel, status,
    idle: !!kernel && kernel !== 'No Kernel' && status === 'idle',
    panel: !!panel,
    code,
    outputs,
  };
}
"""


def notebook_state(page) -> dict:
    return page.evaluate(_LITE_STATE_JS)


def _fail_on_dialog(state, when: str) -> None:
    if state and state["dialog"]:
        pytest.fail(f"JupyterLite showed a dialog {when}:\n{state['dialog']}", pytrace=False)


def wait_kernel_ready(page, timeout_s: float = KERNEL_READY_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + timeout_s
    state = None
    while time.monotonic() < deadline:
        state = notebook_state(page)
        _fail_on_dialog(state, "while the kernel started")
        if state["panel"] and state["idle"]:
            return state
        page.wait_for_timeout(POLL_MS)
    pytest.fail(f"the Pyodide kernel was not ready within {timeout_s} s; last state: "
                f"kernel {state and state['kernel']!r}, status {state and state['status']!r}", pytrace=False)


def open_notebook(page, site_url: str, stem: str, timeout_s: float = KERNEL_READY_TIMEOUT_S) -> float:
    """Open ``stem`` in the site served at ``site_url`` (the directory holding the lite site) and
    wait until its kernel is idle; the seconds that took."""
    t0 = time.monotonic()
    page.goto(f"{site_url.rstrip('/')}/{lite_url(stem)}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=APP_LOAD_TIMEOUT_MS)
    wait_kernel_ready(page, timeout_s)
    return time.monotonic() - t0


def start_run_all(page) -> None:
    _click_menu(page, "Run", re.compile(r"^Run All Cells$"))


def wait_run_all_finished(page, timeout_s: float = RUN_ALL_TIMEOUT_S) -> dict:
    """Poll until the kernel is idle, no cell is queued or running, and every non-empty code cell
    has an execution count (or an error stopped Run All); stable twice running."""
    start = time.monotonic()
    stable, started, state = 0, False, None
    while time.monotonic() < start + timeout_s:
        state = notebook_state(page)
        _fail_on_dialog(state, "after Run All Cells")
        prompts = [c["prompt"] for c in state["code"]]
        started = started or any(re.search(r"\[(\d+|\*)\]", p) for p in prompts)
        if not started and time.monotonic() - start > RUN_ALL_START_TIMEOUT_S:
            pytest.fail(f"Run All Cells started no cell within {RUN_ALL_START_TIMEOUT_S} s", pytrace=False)
        # After an error JupyterLite's indicator can stay "busy" (the cells Run All had queued
        # are dropped, not run): an error with no cell running ends the wait too.
        running = any("*" in p for p in prompts)
        all_ran = all(re.search(r"\[\d+\]", c["prompt"]) for c in state["code"] if not c["empty"])
        done = started and not running and ((state["idle"] and all_ran) or bool(error_outputs(state)))
        stable = stable + 1 if done else 0
        if stable >= 2:
            return state
        page.wait_for_timeout(POLL_MS)
    ran = sum(bool(re.search(r"\[\d+\]", c["prompt"])) for c in state["code"])
    pytest.fail(f"Run All did not finish within {timeout_s} s ({ran} of {len(state['code'])} code cells ran)",
                pytrace=False)


def run_all(page, timeout_s: float = RUN_ALL_TIMEOUT_S) -> dict:
    """Run → Run All Cells, as a reader would; the notebook's state once it finished."""
    start_run_all(page)
    return wait_run_all_finished(page, timeout_s)


def error_outputs(state) -> list[str]:
    """The outputs that show an error (a traceback, an undisplayable widget), as notebook_checks
    tells them, each with the number and first line of its cell."""
    errors = set(_error_outputs(state))
    return [_where(state, o) + o["text"] for o in state["outputs"] if o["text"] in errors]


def stderr_outputs(state) -> list[str]:
    """Everything a cell wrote to stderr (warnings too), with the cell it stands under."""
    return [_where(state, o) + o["text"] for o in state["outputs"] if o["mime"] == STDERR_MIME]


def unrun_cells(state) -> list[str]:
    return [f"cell {i} ({c['first_line']!r})" for i, c in enumerate(state["code"])
            if not c["empty"] and not re.search(r"\[\d+\]", c["prompt"])]


def _where(state, output) -> str:
    i = output["cell"]
    line = state["code"][i]["first_line"] if 0 <= i < len(state["code"]) else "?"
    return f"[code cell {i}: {line!r}]\n"


def explorer(page, notebook: str, timeout_ms: int = EXPLORER_TIMEOUT_MS):
    """The notebook's first explorer (notebook_checks' selectors), drawn."""
    selector = OTHER_EXPLORERS.get(notebook, TIMESTEP_EXPLORER)
    first = page.locator(selector).first
    first.wait_for(state="attached", timeout=timeout_ms)
    first.scroll_into_view_if_needed()
    first.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible", timeout=timeout_ms)
    return first


def _slider_handle(explorer_locator):
    slider = explorer_locator.locator(".widget-hbox:has(> .widget-play) > .widget-hslider")
    if not slider.count():
        slider = explorer_locator.locator(".widget-hslider:not(:has(.noUi-target[disabled]))")
    return slider.first.locator(".noUi-handle").first


def step_latency_ms(page, explorer_locator, steps: int = 10, timeout_ms: int = 15_000) -> list[float]:
    """``steps`` single key presses on the explorer's slider (right while it can, else left), each
    timed from the keydown event to the first animation frame at which the figure's data differ
    (so: kernel round trip, Python callback, widget sync and plotly's redraw)."""
    plot = explorer_locator.locator(".js-plotly-plot").first
    handle = _slider_handle(explorer_locator)
    _wait_figure_settled(plot)
    page.evaluate("() => { window.__liteKeyAt = null; document.addEventListener('keydown', "
                  "() => { window.__liteKeyAt = performance.now(); }, {capture: true}); }")
    times = []
    for _ in range(steps):
        value, vmax = float(handle.get_attribute("aria-valuenow")), float(handle.get_attribute("aria-valuemax"))
        key = "ArrowRight" if value < vmax else "ArrowLeft"
        before = plot.evaluate(_FIGURE_DATA_JS)
        handle.focus()
        handle.press(key)
        done = page.wait_for_function(
            f"""([gd, before]) => {{
                  if (({_FIGURE_DATA_JS.strip()})(gd) === before) return false;
                  return performance.now() - window.__liteKeyAt;
                }}""",
            arg=[plot.element_handle(), before], polling="raf", timeout=timeout_ms)
        times.append(float(done.json_value()))
        _wait_figure_settled(plot, quiet_ms=300)
    return times


class RequestLog:
    """Every request of a browser context (service workers' too), and those to any other host than
    the site's (``blob:`` and ``data:`` URLs are the page's own)."""

    def __init__(self, context, site_url: str):
        self.host = urlparse(site_url).hostname
        self.urls: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))

    def off_site(self) -> list[str]:
        return [u for u in self.urls if urlparse(u).scheme not in ("blob", "data") and urlparse(u).hostname != self.host]


def screenshot(locator_or_page, stem: str, suffix: str = "") -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{stem}{suffix}.png"
    locator_or_page.screenshot(path=str(path))
    return path
