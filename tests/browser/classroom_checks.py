"""A student's visit of the course on the classroom JupyterHub (classroom/hub.py), in a
headless Chromium of its own: log in, follow the teacher's nbgitpuller link (the hub starts
the student's server, nbgitpuller clones or updates the course), land in notebook 00, run
all its cells through the Run menu, move its explorer's slider. Used by
test_classroom_hub.py (three students at once, each in a thread with its own Playwright)
and by tests/benchmarks/classroom.py (a class's memory and spawn times)."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.tools.browser import CHROMIUM_ARGS, LAB_SETTINGS
from notebook_checks import (
    KERNEL_READY_TIMEOUT_S,
    RUN_ALL_TIMEOUT_S,
    TIMESTEP_EXPLORER,
    _click_menu,
    _console_collector,
    _filter_console,
    _error_outputs,
    _wait_kernel_ready,
    _wait_run_all_finished,
    move_explorer_slider,
)

NOTEBOOK = "00_notation.ipynb"
# Log-in to a first notebook: the hub spawns the server (seconds), nbgitpuller clones the
# course, JupyterLab loads; with three students sharing two cores, allow for all of it.
LANDING_TIMEOUT_MS = 180_000


def publish_course(repo: Path, bare: Path) -> str:
    """A bare clone of `repo`'s commits at `bare`, as a teacher publishes the course; its branch."""
    subprocess.run(["git", "clone", "--quiet", "--bare", str(repo), str(bare)], check=True)
    return subprocess.run(["git", "-C", str(bare), "rev-parse", "--abbrev-ref", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()


def add_students(hub, names: list[str]) -> None:
    """Create the students through the hub's REST API, each with the browser tests' Lab
    settings in their home (no autosave, no news, every cell in the DOM)."""
    hub.create_students(names)
    for name in names:
        for rel, content in LAB_SETTINGS.items():
            path = hub.state / "users" / name / ".jupyter" / "lab" / "user-settings" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(content))


@contextlib.contextmanager
def open_class(hub_module, repo: Path, tmp: Path, names: list[str]):
    """A class on a hub of its own in `tmp`: the course published as a bare clone of `repo`,
    the hub started (`hub_module`: classroom/hub.py), the students added. Yields (hub, bare
    repository, branch, the students' nbgitpuller link); stops the hub afterwards."""
    bare = tmp / "course.git"
    branch = publish_course(repo, bare)
    hub = hub_module.start_hub(tmp / "hub")
    try:
        add_students(hub, names)
        yield hub, bare, branch, hub_module.pull_link(hub.url, f"file://{bare}", branch)
    finally:
        hub.stop()


class UserServer:
    """A student's single-user server through the hub, as notebook_checks' helpers ask of a
    server: `.api(path)` for its REST API (the hub's service token has access:servers)."""

    def __init__(self, hub, name: str):
        self.hub, self.name = hub, name

    def api(self, path: str, method: str = "GET", timeout: float = 10.0, body=None):
        return self.hub.request(f"/user/{self.name}{path}", method, body, timeout=timeout)


@dataclass
class Visit:
    name: str
    seconds: dict[str, float] = field(default_factory=dict)
    slider: tuple[str, str] | None = None
    first_markdown: str = ""


def log_in(page, hub, name: str, next_url: str) -> None:
    """The hub's log-in form, as a student fills it in, then on to `next_url`."""
    next_path = next_url.removeprefix(hub.url)
    page.goto(f"{hub.url}/hub/login?next={urllib.parse.quote(next_path, safe='')}")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", hub.password)
    page.click("[type=submit]")


def visit(hub, name: str, link: str, chromium: str, *, run_all: bool = True,
          screenshot: str | None = None, browser_turn=contextlib.nullcontext()) -> Visit:
    """One student follows `link` in a browser of their own; with `run_all`, runs notebook 00
    and moves its explorer's slider, failing on any error output or an unchanged figure.

    `browser_turn` (a lock shared by the students of one machine) makes Run All and the
    explorer one student at a time; log-in, spawn, clone and loading JupyterLab still overlap.
    Every student's browser runs on this one machine, unlike a class's: while it compiles
    plotly's 5 MB widget code for the page's first figure, anywidget gives the figure's model 2 s
    to get ready and, past that, drops every message to it for good (anywidget 0.11,
    `Runtime`: `AbortSignal.timeout(2000)`). Three browsers doing it at once on two cores
    pass those 2 s often; a student's own device does not share its cores with two others."""
    from playwright.sync_api import sync_playwright

    result = Visit(name)
    t0 = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            console = _console_collector(page)
            log_in(page, hub, name, link)
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=LANDING_TIMEOUT_MS)
            result.seconds["log-in to notebook"] = time.monotonic() - t0
            assert re.search(rf"/user/{name}/lab/tree/course/notebooks/{re.escape(NOTEBOOK)}", page.url), page.url
            first = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").first  # rendered, not only attached
            page.wait_for_function("(el) => el.innerText.trim().length > 0", arg=first.element_handle(),
                                   timeout=LANDING_TIMEOUT_MS)
            result.first_markdown = first.inner_text()
            if not run_all:
                return result
            server = UserServer(hub, name)
            with browser_turn:
                _wait_kernel_ready(page, server, f"course/notebooks/{NOTEBOOK}", KERNEL_READY_TIMEOUT_S)
                t1 = time.monotonic()
                _click_menu(page, "Run", re.compile(r"^Run All Cells$"))
                state = _wait_run_all_finished(page, RUN_ALL_TIMEOUT_S)
                result.seconds["run all"] = time.monotonic() - t1
                errors = _error_outputs(state)
                assert not errors, f"{name}: cells of {NOTEBOOK} produced errors:\n" + "\n---\n".join(errors)
                moved = move_explorer_slider(page, page.locator(TIMESTEP_EXPLORER).first, f"{name}'s {NOTEBOOK}")
                result.slider = moved["value"]
            if screenshot:
                page.screenshot(path=screenshot)
            unexpected = _filter_console(console)
            assert not unexpected, f"{name}: errors in the browser console:\n" + "\n".join(unexpected)
        except BaseException:
            print(f"[hub] {name}'s browser console: {console}")
            if screenshot:
                try:
                    page.screenshot(path=screenshot.replace(".png", "_failure.png"))
                except Exception as exc:  # noqa: BLE001 - the original failure matters more
                    print(f"[hub] no failure screenshot: {exc}")
            raise
        finally:
            browser.close()
    return result


def student_processes(name: str) -> list[psutil.Process]:
    """The processes of a student's server and its kernels: the ones that JupyterHub started
    with JUPYTERHUB_USER=name in their environment (kernels inherit it)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("JUPYTERHUB_USER") == name:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def student_memory_mib(name: str) -> dict[str, float]:
    """Memory of a student's server and kernels, in MiB: `rss` counts shared libraries in every
    process, `uss` only what each process alone holds (what another student costs)."""
    rss = uss = 0
    for proc in student_processes(name):
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss, uss = rss + info.rss, uss + info.uss
    return {"rss": rss / 2**20, "uss": uss / 2**20, "processes": len(student_processes(name))}


def spawn_seconds(hub) -> dict[str, float]:
    """How long the hub took to start each student's server, from its log ('User ana took
    2.345 seconds to start'): the spawn alone, without cloning or loading JupyterLab."""
    found = re.findall(r"User (\S+) took ([\d.]+) seconds to start", hub.log_path.read_text(errors="replace"))
    return {user: float(s) for user, s in found}

