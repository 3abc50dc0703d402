"""Walkthrough mode (`make present`): a notebook shown by Voilà as a page without code cells,
with its explorer and its self-check working, and nothing fetched from outside 127.0.0.1.

Voilà runs as `make present` runs it (the course's template, classroom/jupyter/voila/
templates/course, is Voilà's lab template without its CDN font links) on a free port; the
page is opened in the browser tests' Chromium, every request it makes is recorded.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from notebook_checks import answer_self_check, move_explorer_slider
from tests.tools.browser import browsers_running

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = "03_architectures"
EXPLORER = ".course-architecture-explorer"
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 120_000  # Voilà runs every cell before the page is whole


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def voila(tmp_path):
    port = _free_port()
    env = dict(os.environ, JUPYTER_PATH=str(REPO / "classroom" / "jupyter"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log_path = tmp_path / "voila.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("voila")), f"notebooks/{NOTEBOOK}.ipynb", "--template=course",
             "--Voila.ip=127.0.0.1", f"--port={port}", "--no-browser"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            assert proc.poll() is None, f"Voilà exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}"
            try:
                urllib.request.urlopen(f"{url}/voila/static/voila.js", timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                assert time.monotonic() < deadline, f"Voilà not up in {START_TIMEOUT_S} s:\n{log_path.read_text()}"
                time.sleep(0.3)
        yield url, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def test_a_notebook_presented_in_voila_works_offline(voila, browser_context):
    url, log_path = voila
    with browsers_running():
        _present_and_check(url, log_path, browser_context)


def _present_and_check(url, log_path, browser_context):
    page = browser_context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url, wait_until="domcontentloaded")
        explorer = page.locator(EXPLORER).first
        explorer.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        assert "ArchitectureExplorer(" not in page.inner_text("body"), "Voilà shows code cells"
        assert page.locator(".jp-MarkdownCell").count() > 5, "the explanations are missing"

        moved = move_explorer_slider(page, explorer, f"{NOTEBOOK} in Voilà")
        assert moved["value"][0] != moved["value"][1]

        answer_self_check(page, NOTEBOOK)  # a wrong choice explained, the right one accepted
        if os.environ.get("COURSE_PAGE_SCREENSHOTS"):
            shots = REPO / "tests" / "browser" / "screenshots"
            shots.mkdir(exist_ok=True)
            explorer.screenshot(path=str(shots / f"voila_{NOTEBOOK}_explorer.png"))
            page.locator(".course-quiz").screenshot(path=str(shots / f"voila_{NOTEBOOK}_quiz.png"))
    finally:
        page.close()
    outside = sorted({u for u in requests if not re.match(r"^(http://127\.0\.0\.1:\d+/|data:|blob:)", u)})
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert "Traceback" not in log_path.read_text(errors="replace"), log_path.read_text()[-3000:]
