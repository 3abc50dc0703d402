"""Run course notebooks in real JupyterLab in headless Chromium and poke their explorers.

Every notebook in the notebooks directory (the repo's ``notebooks/``, or
``COURSE_BROWSER_NOTEBOOKS_DIR``) is checked, one test each, all against ONE JupyterLab
server and ONE JupyterLab page in ONE Chromium (``conftest.py``; the page is loaded once
and reloaded only after a failed check). For each notebook: open it from the file
browser, Run All Cells through the Run menu, wait for the kernel to settle, and check that

* no cell shows an error (traceback, exception, widget that failed to display),
* at least one explorer of the notebook's kind rendered (``.course-explorer``: Play +
  IntSlider + plotly FigureWidget; the others: sliders + FigureWidget), and moving its
  slider changes both the slider readout and the figure (data, shapes or annotations),
* a sampling explorer with controls (notebook 04) draws again when its temperature moves:
  the figure's data change and its title states the τ the slider reads,
* the browser console logged no errors (apart from a small, explained allowlist), from
  opening the notebook (loading JupyterLab, for the first notebook on a page) to closing it,
* JupyterLab's Log Console is empty: no kernel output outside cells, which is where
  prints, warnings and tracebacks from widget callbacks end up (the learner never sees
  them, so they indicate a broken explorer),
* File → Close and Shut Down Notebook leaves no kernel running, so the next notebook
  starts in a fresh kernel of its own (no kernel may be running when a notebook opens).

Run All goes through the menu, as a learner would; kernel readiness is read from the
status bar and cross-checked with the server's /api/sessions (a Run All before the
kernel connects makes JupyterLab pop up a 'Select Kernel' dialog).

The checks live here; two test modules run them, ``test_notebooks_in_browser_a.py`` on
the even-numbered and ``..._b.py`` on the odd-numbered notebooks. ``make test`` runs
pytest-xdist with ``--dist loadfile``, which gives a module to one worker whole: each of
the two workers checks its half of the notebooks against a JupyterLab server and a
Chromium of its own (session fixtures are per worker), and runs unit tests and nbval
when its half is done, so that neither core waits for the other.

Screenshots go to ``tests/browser/screenshots/<stem>_explorer.png`` (and
``<stem>_sampling.png``, the sampling explorer with its controls) and, with
``COURSE_PAGE_SCREENSHOTS=1`` (rendering a whole notebook costs a second or two each),
``<stem>_page.png`` (git-ignored). Run: ``.venv/bin/python -m pytest tests/browser -v``.
"""

from __future__ import annotations

import html
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from tests.tools.browser import browsers_running
from tests.tools.notebooks import checked_text, is_checked

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # the browser_context fixture skips (or fails in CI) with a reason
    PlaywrightTimeoutError = TimeoutError

# The notebooks checked: every notebook of the directory the server serves a copy of
# (the same directory as conftest.notebooks_source()).
NOTEBOOKS_DIR = Path(
    os.environ.get("COURSE_BROWSER_NOTEBOOKS_DIR", Path(__file__).resolve().parents[2] / "notebooks")
).resolve()
NOTEBOOKS = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))

# The CSS class of the explorer to drive in each notebook. ``.course-explorer`` is the
# timestep explorer (Play + time slider), which a notebook not listed here must have; a
# notebook whose explorer is of another kind (sliders of its own: lengths, singular
# value, ...) needs one line here.
TIMESTEP_EXPLORER = ".course-explorer"
OTHER_EXPLORERS = {
    "03_architectures.ipynb": ".course-architecture-explorer",
    "05_vanishing_exploding_gradients.ipynb": ".course-gradient-explorer",
}

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# The sampling explorer with controls (course_lib.widgets.sampling, built by from_model):
# its temperature slider, and the other controls it must show.
SAMPLING_EXPLORER = ".course-sampling-explorer"
SAMPLING_CONTROLS = (".course-temperature", ".course-top-k", ".course-top-p")

LAB_LOAD_TIMEOUT_MS = 60_000
NOTEBOOK_OPEN_TIMEOUT_MS = 60_000
KERNEL_READY_TIMEOUT_S = 60
KERNEL_SHUTDOWN_TIMEOUT_S = 20
RUN_ALL_START_TIMEOUT_S = 15
RUN_ALL_TIMEOUT_S = 120
EXPLORER_TIMEOUT_MS = 30_000
FIGURE_UPDATE_TIMEOUT_MS = 15_000
SAVE_TIMEOUT_S = 30
POLL_MS = 250

# How a failed cell or an undisplayable widget shows up in the DOM. JupyterLab 4 renders
# an error output like stderr (data-mime-type="application/vnd.jupyter.stderr"), so
# errors are told apart from harmless stderr (e.g. tqdm) by their text; the exception
# pattern is applied to stderr only, so printed prose such as "ValueError: ..." in a
# stdout demo does not count. The widget messages are what @jupyter-widgets writes
# into the output when a widget view cannot be created.
STDERR_MIME = "application/vnd.jupyter.stderr"
STDERR_ERROR_TEXT = re.compile(
    r"Traceback \(most recent call last\)"
    r"|^\s*[A-Za-z_][\w.]*(Error|Exception)\b"  # also SyntaxError, which has no Traceback
    r"|Message serialization failed",
    re.MULTILINE,
)
ANY_ERROR_TEXT = re.compile(r"Error displaying widget|Failed to display")

# Browser-console errors that are known to be harmless when JupyterLab runs offline:
# (pattern, reason) pairs; filtered messages are printed. Empty on purpose: with news,
# update checks and the PyPI extension manager switched off (conftest.py), JupyterLab
# 4.6 + ipywidgets 8.1 + plotly 7 logged no console error at all here. Add an entry only
# for a message understood to be harmless, with the reason.
CONSOLE_ALLOWLIST: list[tuple[re.Pattern[str], str]] = []
# While a notebook closes (after all its checks), and only then, this is harmless too.
CLOSING_ALLOWLIST: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^console\.error: Could not send widget sync message Error: Cannot send"),
        "an anywidget view (plotly's FigureWidget), disposed with its closed notebook, "
        "sends a last state sync after the notebook's kernel connection is gone (every "
        "notebook with a FigureWidget does this on Close and Shut Down, and on Close Tab)",
    ),
]

# JS: state of the notebook (kernel status, prompts, outputs, open dialog).
# Kernel status comes from the status bar ("Python 3 (ipykernel) | Idle"): it is derived
# from the live kernel connection. (The toolbar's ExecutionIndicator starts out as
# data-status="idle" before any kernel exists, so it cannot tell that the kernel is ready.)
# The part shared with lite_checks' reader (JupyterLite's notebook app has the same notebook
# DOM): the open notebook's code cells (empty, prompt, first line) and outputs (MIME type,
# text, index of their cell).
_NOTEBOOK_CELLS_JS = r"""
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = panel ? [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')] : [];
  const code = cells.map(c => {
    const editor = c.querySelector('.jp-InputArea-editor .cm-content');
    const prompt = c.querySelector('.jp-InputArea-prompt');
    return {
      empty: !editor || editor.textContent.trim() === '',
      prompt: prompt ? prompt.textContent.trim() : '',
      first_line: editor ? (editor.querySelector('.cm-line') || editor).textContent.slice(0, 80) : '',
    };
  });
  const outputs = panel ? [...panel.querySelectorAll('.jp-OutputArea-output')].map(o => ({
    mime: o.getAttribute('data-mime-type') || '',
    text: o.innerText || '',
    cell: cells.indexOf(o.closest('.jp-CodeCell')),
  })) : [];
"""
_NOTEBOOK_STATE_JS = r"""
() => {
  const dialog = document.querySelector('.jp-Dialog');
  const kernel = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .map(e => e.textContent.trim()).find(t => / \| \S+$/.test(t));
""" + _NOTEBOOK_CELLS_JS + r"""
  return {
    dialog: dialog ? dialog.innerText : null,
    kernel: kernel || null,
    idle: !!kernel && !kernel.startsWith('No Kernel') && kernel.endsWith('| Idle'),
    panel: !!panel,
    code,
    outputs,
  };
}
"""

# JS: a string that changes whenever the plotly figure's trace data, or the shapes and
# annotations it is drawn with (the architecture diagrams have no traces), change.
_FIGURE_DATA_JS = r"""
(gd) => JSON.stringify(
  [(gd.data || []).map(t => [t.x, t.y, t.z]),
   ((gd.layout || {}).shapes || []).map(s => [s.x0, s.x1, s.y0, s.y1]),
   ((gd.layout || {}).annotations || []).map(a => [a.text, a.x, a.y])],
  (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v)
"""


def _error_outputs(state) -> list[str]:
    return [
        o["text"]
        for o in state["outputs"]
        if ANY_ERROR_TEXT.search(o["text"])
        or (o["mime"] == STDERR_MIME and STDERR_ERROR_TEXT.search(o["text"]))
    ]


def _fail_on_dialog(state, when: str) -> None:
    """A modal dialog blocks everything; the usual one is 'Select Kernel', shown when
    the notebook's metadata.kernelspec is missing or names a kernel that is not installed."""
    if state and state["dialog"]:
        pytest.fail(
            f"JupyterLab showed a dialog {when}:\n{state['dialog']}\n"
            "(a 'Select Kernel' dialog means metadata.kernelspec is missing or names a "
            "kernel that is not installed; it should be python3)",
            pytrace=False,
        )


def _wait_kernel_ready(page, server, notebook: str, timeout_s: float) -> None:
    """Idle in the browser's status bar AND the server sees a websocket on that kernel."""
    deadline = time.monotonic() + timeout_s
    state = None
    while time.monotonic() < deadline:
        state = page.evaluate(_NOTEBOOK_STATE_JS)
        _fail_on_dialog(state, "while opening the notebook")
        if state["idle"] and state["panel"]:
            sessions = server.api("/api/sessions")
            if any(
                s["path"] == notebook
                and s["kernel"]["execution_state"] == "idle"
                and s["kernel"].get("connections", 1) >= 1
                for s in sessions
            ):
                return
        page.wait_for_timeout(POLL_MS)
    pytest.fail(f"kernel for {notebook} not ready within {timeout_s} s; last state: {state}")


def _wait_run_all_finished(page, timeout_s: float) -> dict:
    """Poll until the kernel is idle, no cell is running/queued, and every non-empty
    code cell has an execution count (or an error stopped Run All); stable twice."""
    start = time.monotonic()
    deadline = start + timeout_s
    stable = 0
    started = False
    state = None
    while time.monotonic() < deadline:
        state = page.evaluate(_NOTEBOOK_STATE_JS)
        _fail_on_dialog(state, "after Run All Cells")
        prompts = [c["prompt"] for c in state["code"]]
        started = started or any(re.search(r"\[(\d+|\*)\]", p) for p in prompts)
        if not started and time.monotonic() - start > RUN_ALL_START_TIMEOUT_S:
            pytest.fail(f"Run All Cells started no cell within {RUN_ALL_START_TIMEOUT_S} s")
        done = (
            started
            and state["idle"]
            and not any("*" in p for p in prompts)
            and (
                all(re.search(r"\[\d+\]", c["prompt"]) for c in state["code"] if not c["empty"])
                or _error_outputs(state)
            )
        )
        stable = stable + 1 if done else 0
        if stable >= 2:
            return state
        page.wait_for_timeout(POLL_MS)
    pytest.fail(f"Run All did not finish within {timeout_s} s; last state: {state}")


def _wait_figure_settled(plot, quiet_ms: int = 600, timeout_s: float = 5.0) -> None:
    """Wait until the figure's data has not changed for ``quiet_ms``."""
    deadline = time.monotonic() + timeout_s
    last, since = plot.evaluate(_FIGURE_DATA_JS), time.monotonic()
    while time.monotonic() < deadline:
        plot.page.wait_for_timeout(150)
        now = plot.evaluate(_FIGURE_DATA_JS)
        if now != last:
            last, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return


def _log_console_entries(page) -> list[str]:
    """Entries of JupyterLab's Log Console for the notebook: kernel output that belongs to
    no cell, typically prints, warnings and tracebacks from widget callbacks. The status
    bar item's title reads 'N new messages, M log entries for <notebook>'."""
    item = page.locator(".jp-LogConsoleStatusItem")
    title = page.evaluate(
        "() => { const t = document.querySelector('.jp-LogConsoleStatusItem [title]');"
        " return t ? t.getAttribute('title') : ''; }"
    )
    m = re.search(r"(\d+) log entr", title)
    if not m or int(m.group(1)) == 0:
        return []
    item.first.click()  # open the Log Console to read the entries
    entries = page.locator(".jp-LogConsolePanel .jp-OutputArea-child")
    entries.first.wait_for(timeout=10_000)
    return [
        f"[{e.locator('.jp-OutputArea-prompt').get_attribute('data-log-level')}] "
        + e.locator(".jp-OutputArea-output").inner_text()
        for e in entries.all()
    ]


def _running_kernels(server) -> list[dict]:
    return server.api("/api/kernels") or []


def _shut_down_all_kernels(server) -> None:
    """Cleanup after a failed check: the next notebook must start with no kernel running."""
    try:
        for session in server.api("/api/sessions") or []:
            server.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=15)
        for kernel in _running_kernels(server):
            server.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=15)
    except Exception as exc:  # noqa: BLE001 - teardown of the server kills them anyway
        print(f"[browser] could not shut down the kernels: {exc}")


def _click_menu(page, menu: str, item: re.Pattern[str]) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text=item).click()


def _open_from_file_browser(page, notebook: str) -> None:
    """Double-click the notebook in JupyterLab's file browser, as a learner would."""
    listing = page.locator(".jp-FileBrowser .jp-DirListing-content")
    if not listing.is_visible():  # the file browser's sidebar is closed: open it
        page.locator('.jp-SideBar [data-id="filebrowser"]').click()
    item = listing.locator(
        ".jp-DirListing-item",
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(notebook)}$")),
    )
    item.dblclick(timeout=NOTEBOOK_OPEN_TIMEOUT_MS)
    page.wait_for_selector(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell",
        timeout=NOTEBOOK_OPEN_TIMEOUT_MS,
    )


def _close_and_shut_down(page, server, notebook: str) -> None:
    """File → Close and Shut Down Notebook…, confirmed (nothing is saved); then the server
    must run no kernel any more, so that the next notebook starts in a fresh one."""
    _click_menu(page, "File", re.compile(r"^Close and Shut Down Notebook"))
    page.locator(".jp-Dialog .jp-mod-accept").click(timeout=10_000)  # "Shut down the notebook?"
    page.locator(".jp-NotebookPanel").first.wait_for(state="detached", timeout=30_000)
    deadline = time.monotonic() + KERNEL_SHUTDOWN_TIMEOUT_S
    while True:
        sessions, kernels = server.api("/api/sessions") or [], _running_kernels(server)
        if not sessions and not kernels:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"{notebook}: after Close and Shut Down Notebook the server still has "
                f"sessions {sessions} and kernels {kernels}",
                pytrace=False,
            )
        time.sleep(POLL_MS / 1000)


def _save_and_check_like_nbval(page, server, notebook: str) -> None:
    """File → Save Notebook, then check the notebook JupyterLab wrote as nbval would have:
    every code cell ran, no output is an error (its name, value and the cell's first line
    reported), and every checked cell (``nbval-check-output``) printed exactly what the
    course's copy stores. This run is the notebook's execution in ``make test``."""
    path = server.root / notebook
    before = path.stat().st_mtime_ns
    _click_menu(page, "File", re.compile(r"^Save Notebook$"))
    deadline = time.monotonic() + SAVE_TIMEOUT_S
    saved = None
    while saved is None:  # written (a new mtime), whole (it parses) and done (the mtime holds)
        if time.monotonic() > deadline:
            pytest.fail(f"{notebook}: File → Save Notebook wrote no readable notebook within {SAVE_TIMEOUT_S} s",
                        pytrace=False)
        page.wait_for_timeout(100)
        written = path.stat().st_mtime_ns
        if written == before:
            continue
        try:
            candidate = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - caught mid-write (empty or cut-off JSON): try again
            continue
        if path.stat().st_mtime_ns == written:
            saved = candidate
    stored = nbformat.read(NOTEBOOKS_DIR / notebook, as_version=4)
    assert len(saved.cells) == len(stored.cells), f"{notebook}: saved with {len(saved.cells)} cells, stored {len(stored.cells)}"
    problems = []
    for i, (cell, original) in enumerate(zip(saved.cells, stored.cells)):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        first_line = cell.source.strip().splitlines()[0][:80]
        if cell.execution_count is None:
            problems.append(f"cell {i} ({first_line!r}) did not run")
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"cell {i} ({first_line!r}) raised {out.ename}: {out.evalue}")
        if is_checked(original) and checked_text(cell) != checked_text(original):
            problems.append(f"cell {i} ({first_line!r}) is checked (nbval-check-output) and printed\n"
                            f"{checked_text(cell)}\ninstead of the stored\n{checked_text(original)}")
    assert not problems, f"{notebook}, as JupyterLab saved it:\n" + "\n".join(problems)


def _console_collector(page):
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            errors.append(f"console.error: {msg.text} ({loc.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def _filter_console(errors: list[str], allowlist=CONSOLE_ALLOWLIST) -> list[str]:
    kept = []
    for err in errors:
        reason = next((why for pat, why in allowlist if pat.search(err)), None)
        if reason:
            print(f"[browser] ignored console error ({reason}): {err.splitlines()[0]}")
        else:
            kept.append(err)
    return kept


_TITLE_JS = "(gd) => String(((gd.layout || {}).title || {}).text || '')"


def _check_sampling_controls(page, notebook: str, stem: str) -> None:
    """Move the sampling explorer's temperature slider: the sentence is drawn again into the same
    figure, whose data change and whose title states the new τ, the value the slider reads."""
    sampling = page.locator(SAMPLING_EXPLORER).first
    sampling.scroll_into_view_if_needed()
    for control in SAMPLING_CONTROLS:
        assert sampling.locator(f"{control} .noUi-handle").count() == 1, (
            f"{notebook}: the sampling explorer shows no {control} slider"
        )
    plot = sampling.locator(".js-plotly-plot").first
    temperature = sampling.locator(SAMPLING_CONTROLS[0]).first
    handle = temperature.locator(".noUi-handle").first
    readout = temperature.locator(".widget-readout").first
    before_data, before_title = plot.evaluate(_FIGURE_DATA_JS), plot.evaluate(_TITLE_JS)
    before_readout = readout.inner_text().strip()
    handle.focus()
    for _ in range(4):  # four steps of 0.05 in log10 τ: from τ = 1 to about 1.58
        handle.press("ArrowRight")
    after_readout = readout.inner_text().strip()
    assert after_readout != before_readout, f"{notebook}: the τ slider's readout stayed {before_readout!r}"

    def title_tau():
        match = re.search(r"τ = (\d+\.\d+)", plot.evaluate(_TITLE_JS))
        return float(match.group(1)) if match else None

    deadline = time.monotonic() + FIGURE_UPDATE_TIMEOUT_MS / 1000
    while title_tau() is None or abs(title_tau() - float(readout.inner_text().strip())) > 0.006:
        if time.monotonic() > deadline:
            pytest.fail(f"{notebook}: after τ moved to {readout.inner_text().strip()}, the sampling explorer's "
                        f"title still reads {plot.evaluate(_TITLE_JS)!r} (before: {before_title!r})", pytrace=False)
        page.wait_for_timeout(POLL_MS)
    _wait_figure_settled(plot)
    assert plot.evaluate(_FIGURE_DATA_JS) != before_data, (
        f"{notebook}: τ moved from {before_readout} to {after_readout} and the bars stayed as they were"
    )
    sampling.screenshot(path=str(SCREENSHOTS / f"{stem}_sampling.png"))
    print(f"[browser] {notebook}: sampling explorer τ {before_readout} -> {readout.inner_text().strip()}; "
          f"title {plot.evaluate(_TITLE_JS)!r}")


def move_explorer_slider(page, explorer, notebook: str) -> dict:
    """Press the explorer's time slider two steps on (back, at its end) and wait until its
    figure's data change; the slider's values and readouts before and after."""
    explorer.scroll_into_view_if_needed()
    plot = explorer.locator(".js-plotly-plot").first
    # The time slider is the one next to the Play button (other sliders, e.g. for a
    # hyperparameter, may sit in the explorer too); else the explorer's first slider.
    slider = explorer.locator(".widget-hbox:has(> .widget-play) > .widget-hslider")
    if not slider.count():  # its first slider that is not disabled
        slider = explorer.locator(".widget-hslider:not(:has(.noUi-target[disabled]))")
    slider = slider.first
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first

    # A FigureWidget's view can be drawn (axes) before its data arrives from the kernel,
    # slowly on a busy machine: wait for traces, shapes or annotations before moving it.
    try:
        page.wait_for_function(f"(gd) => ({_FIGURE_DATA_JS.strip()})(gd) !== '[[],[],[]]'",
                               arg=plot.element_handle(), timeout=EXPLORER_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(f"{notebook}: the explorer's figure is drawn empty (no traces, shapes or annotations) "
                    f"{EXPLORER_TIMEOUT_MS / 1000:.0f} s after it appeared", pytrace=False)
    before_data = plot.evaluate(_FIGURE_DATA_JS)
    before_readout = readout.inner_text().strip()
    before_value = handle.get_attribute("aria-valuenow")
    value = float(before_value)
    vmax = float(handle.get_attribute("aria-valuemax"))
    key = "ArrowRight" if value < vmax else "ArrowLeft"

    handle.focus()
    for _ in range(2):
        handle.press(key)
    try:
        page.wait_for_function(
            f"([gd, before]) => ({_FIGURE_DATA_JS.strip()})(gd) !== before",
            arg=[plot.element_handle(), before_data],
            timeout=FIGURE_UPDATE_TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        pytest.fail(
            f"{notebook}: the explorer's figure data did not change within "
            f"{FIGURE_UPDATE_TIMEOUT_MS / 1000:.0f} s after moving its slider "
            f"({before_readout!r} -> {readout.inner_text().strip()!r})",
            pytrace=False,
        )
    after_readout = readout.inner_text().strip()
    after_value = handle.get_attribute("aria-valuenow")
    assert after_value != before_value, f"slider value stayed {before_value} after {key} x2"
    assert after_readout != before_readout, (
        f"slider readout did not change ({before_readout!r} after {key} x2)"
    )
    _wait_figure_settled(plot)  # both key presses applied before the screenshot
    return {"value": (before_value, after_value), "readout": (before_readout, after_readout)}


def _text(fragment: str) -> str:
    """What an HTML fragment reads as on the page."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def answer_self_check(page, stem: str, screenshot: Path | None = None) -> None:
    """The notebook's self-check as a learner uses it: its first multiple-choice question
    answered wrong, then right, each time waiting for the explanation that choice carries."""
    from course_lib.quiz import MultipleChoice
    from course_lib.quizzes import quiz_for

    quiz = quiz_for(stem)
    view = page.locator(".course-quiz")
    assert view.count() == 1, f"{stem}: {view.count()} self-check widgets on the page"
    index, question = next((i, q) for i, q in enumerate(quiz.questions) if isinstance(q, MultipleChoice))
    block = view.locator(".widget-vbox").nth(index)
    block.scroll_into_view_if_needed()
    feedback = block.locator(".widget-html").last
    wrong = next(j for j, c in enumerate(question.choices) if not c.correct)
    for choice, mark in ((wrong, "✗"), (question.answer, "✓")):
        block.locator(".widget-radio-box label").nth(choice).click()
        block.locator("button", has_text="Check").click()
        expected = _text(question.choices[choice].why)
        try:
            page.wait_for_function("([el, text]) => el.innerText.replace(/\\s+/g, ' ').includes(text)",
                                   arg=[feedback.element_handle(), expected], timeout=FIGURE_UPDATE_TIMEOUT_MS)
        except PlaywrightTimeoutError:
            pytest.fail(f"{stem}: the self-check did not explain choice {choice}: it reads "
                        f"{feedback.inner_text()!r}", pytrace=False)
        assert feedback.inner_text().strip().startswith(mark), feedback.inner_text()
    if screenshot:
        view.screenshot(path=str(screenshot))


class LabPage:
    """The JupyterLab page every notebook is opened in, one after another: JupyterLab
    loads once, not once per notebook. A failed check discards the page (and any kernel
    left running), so the next notebook starts on a freshly loaded one."""

    def __init__(self, context, server):
        self.context, self.server = context, server
        self.page = None
        self.console: list[str] = []  # console errors of the current page
        self.loads = 0
        self.notebooks_on_page = 0

    def get(self):
        """The live page, JupyterLab loaded (in a workspace of its own, so nothing from
        an earlier page is restored), the file browser listing the notebooks."""
        if self.page is None:
            self.loads += 1
            self.notebooks_on_page = 0
            self.page = self.context.new_page()
            self.console = _console_collector(self.page)
            try:
                self.page.goto(
                    self.server.url(f"/lab/workspaces/browser-test-{self.loads}"),
                    wait_until="domcontentloaded",
                )
                self.page.wait_for_selector(
                    ".jp-FileBrowser .jp-DirListing-item", timeout=LAB_LOAD_TIMEOUT_MS
                )
            except BaseException:
                print(f"[browser] console errors loading JupyterLab: {self.console}")
                self.discard()
                raise
        return self.page

    def discard(self) -> None:
        if self.page is not None:
            try:
                self.page.close()
            except Exception as exc:  # noqa: BLE001 - a fresh page comes next anyway
                print(f"[browser] could not close the page: {exc}")
        self.page = None
        _shut_down_all_kernels(self.server)


@pytest.fixture(scope="session")
def lab(browser_context, lab_server):
    lab = LabPage(browser_context, lab_server)
    try:
        yield lab
    finally:
        lab.discard()


def check_every_listed_notebook_exists():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOKS_DIR}"
    missing = sorted(set(OTHER_EXPLORERS) - set(NOTEBOOKS))
    assert not missing, f"OTHER_EXPLORERS names notebooks missing from {NOTEBOOKS_DIR}: {missing}"


def check_notebook(notebook, lab, lab_server):
    """Every check of this module's docstring, for one notebook, sharing the browser tests'
    lock with the other half's checks (tests.tools.browser.browsers_running)."""
    with browsers_running(shared=True):
        _check_notebook(notebook, lab, lab_server)


def _check_notebook(notebook, lab, lab_server):
    assert (lab_server.root / notebook).is_file(), f"{notebook} missing from the served copy"
    stem = Path(notebook).stem
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"{stem}_failure.png").unlink(missing_ok=True)  # none from older runs
    t0 = time.monotonic()
    timings: dict[str, float] = {}

    page = lab.get()
    timings["load lab"] = time.monotonic() - t0  # ~0 but for the first notebook on a page
    # This notebook's console errors: from here on (for the first notebook on a page:
    # from loading JupyterLab on) until it is closed.
    console_errors = lab.console
    first_error = len(console_errors) if lab.notebooks_on_page else 0
    lab.notebooks_on_page += 1

    try:
        # --- a fresh kernel: none running, open, wait for the kernel ------------------
        stale = _running_kernels(lab_server)
        assert not stale, f"kernels still running before {notebook} opened: {stale}"
        _open_from_file_browser(page, notebook)
        _wait_kernel_ready(page, lab_server, notebook, KERNEL_READY_TIMEOUT_S)
        timings["open+kernel"] = time.monotonic() - t0 - timings["load lab"]

        # --- Run → Run All Cells --------------------------------------------------------
        _click_menu(page, "Run", re.compile(r"^Run All Cells$"))
        state = _wait_run_all_finished(page, RUN_ALL_TIMEOUT_S)
        timings["run all"] = time.monotonic() - t0 - sum(timings.values())

        errors = _error_outputs(state)
        assert not errors, f"{notebook}: cells produced errors:\n" + "\n---\n".join(errors)
        unrun = [c for c in state["code"] if not c["empty"] and "[" in c["prompt"]
                 and not re.search(r"\[\d+\]", c["prompt"])]  # fmt: skip
        assert not unrun, f"{notebook}: {len(unrun)} code cells did not run"
        # --- File → Save; the saved notebook checked as nbval checks one ----------------
        _save_and_check_like_nbval(page, lab_server, notebook)
        timings["save+check"] = time.monotonic() - t0 - sum(timings.values())

        # --- explorers: all rendered; drive the first one ------------------------------
        selector = OTHER_EXPLORERS.get(notebook, TIMESTEP_EXPLORER)
        explorers = page.locator(selector)
        explorers.first.wait_for(state="attached", timeout=EXPLORER_TIMEOUT_MS)
        n_explorers = explorers.count()
        for i in range(n_explorers):
            ex = explorers.nth(i)
            ex.scroll_into_view_if_needed()
            ex.locator(".js-plotly-plot .main-svg").first.wait_for(
                state="visible", timeout=EXPLORER_TIMEOUT_MS
            )
            if selector == TIMESTEP_EXPLORER:
                assert ex.locator(".widget-play").count() >= 1, f"explorer {i} has no Play widget"
            assert ex.locator(".widget-hslider .noUi-handle").count() >= 1, (
                f"explorer {i} has no slider"
            )
        explorer = explorers.first
        moved = move_explorer_slider(page, explorer, notebook)
        before_value, after_value = moved["value"]
        before_readout, after_readout = moved["readout"]
        timings["explorer"] = time.monotonic() - t0 - sum(timings.values())

        explorer.screenshot(path=str(SCREENSHOTS / f"{stem}_explorer.png"))
        if os.environ.get("COURSE_PAGE_SCREENSHOTS"):  # the whole notebook: slow to render
            page.screenshot(path=str(SCREENSHOTS / f"{stem}_page.png"), full_page=True)
        print(
            f"[browser] {notebook}: {n_explorers} explorer(s); slider {before_value} -> "
            f"{after_value} (readout {before_readout!r} -> {after_readout!r})"
        )

        # --- the self-check at the end -------------------------------------------------------
        answer_self_check(page, stem, SCREENSHOTS / f"{stem}_quiz.png")
        timings["self-check"] = time.monotonic() - t0 - sum(timings.values())

        # --- the sampling explorer's controls (notebook 04) ---------------------------------
        if page.locator(SAMPLING_EXPLORER).count():
            _check_sampling_controls(page, notebook, stem)
            timings["sampling controls"] = time.monotonic() - t0 - sum(timings.values())

        # --- console and kernel log; close, shutting the kernel down ----------------------
        kept = _filter_console(console_errors[first_error:])
        assert not kept, f"{notebook}: browser console errors:\n" + "\n".join(kept)
        log = _log_console_entries(page)
        assert not log, (
            f"{notebook}: kernel output outside any cell (e.g. from a widget callback; "
            "shown only in JupyterLab's Log Console):\n" + "\n---\n".join(log)
        )
        checked = len(console_errors)
        _close_and_shut_down(page, lab_server, notebook)
        timings["close"] = time.monotonic() - t0 - sum(timings.values())
        kept = _filter_console(console_errors[checked:], CONSOLE_ALLOWLIST + CLOSING_ALLOWLIST)
        assert not kept, f"{notebook}: browser console errors on closing:\n" + "\n".join(kept)
    except BaseException:
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{stem}_failure.png"))
        except Exception as exc:  # noqa: BLE001 - the original failure matters more
            print(f"[browser] failure screenshot not taken: {exc}")
        print(f"[browser] console errors so far: {console_errors[first_error:]}")
        lab.discard()  # the next notebook gets a freshly loaded page and no kernel
        raise
    finally:
        timings["total"] = time.monotonic() - t0
        print(f"[browser] {notebook}: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
