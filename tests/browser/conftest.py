"""Fixtures for the real-browser test: ONE throw-away JupyterLab server and ONE headless
Chromium for the whole session, shared by every notebook's check.

The server serves a *temporary copy* of the notebooks directory (default: the repo's
``notebooks/``; override with ``COURSE_BROWSER_NOTEBOOKS_DIR``), so nothing the browser
does can write into the real notebooks. Autosave is off, Jupyter news / update checks are
off, and every Jupyter config/data/runtime/workspace directory points into the temporary
directory, so the user's own ``~/.jupyter`` neither leaks in nor gets written to. The
temporary directories are deleted when the session ends (the server log's tail is in
every failure message that needs it).

Under pytest-xdist (``make test``: ``--dist loadfile``) the session fixtures are per worker:
each of the two modules of notebook checks (half the notebooks each) runs on a worker
against a server and a Chromium of that worker's own, side by side.

Missing Chromium or Playwright skips the browser tests locally, but fails them when
``CI=true`` (``.ci/run`` is responsible for installing Chromium).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tools.browser import CHROMIUM_ARGS, LAB_SETTINGS, find_chromium, require

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_ENV = "COURSE_BROWSER_NOTEBOOKS_DIR"
SERVER_START_TIMEOUT_S = 60


def notebooks_source() -> Path:
    """The directory whose notebooks the browser test serves (a copy of) and checks."""
    return Path(os.environ.get(NOTEBOOKS_ENV, REPO / "notebooks")).resolve()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    base_url: str
    token: str
    root: Path  # the temporary copy of the notebooks directory
    log_path: Path
    proc: subprocess.Popen

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 5.0):
        req = urllib.request.Request(
            self.url(path), method=method, data=b"" if method != "GET" else None
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body.strip() else None

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "<no server log>"


def _stop_server(server: LabServer) -> None:
    """Shut down kernels, then the server; escalate to SIGTERM/SIGKILL of its group."""
    try:
        for kernel in server.api("/api/kernels") or []:
            try:
                server.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=10)
            except (urllib.error.URLError, OSError):
                pass
        server.api("/api/shutdown", method="POST")
    except (urllib.error.URLError, OSError, ValueError):
        pass
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    # The server ran in its own process group (start_new_session): sweep it.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if server.proc.poll() is not None:
            break
        try:
            os.killpg(server.proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory) -> LabServer:
    """One JupyterLab server for every notebook's browser check (each notebook still runs
    in a kernel of its own: the test shuts each one down before opening the next)."""
    src = notebooks_source()
    assert src.is_dir(), f"notebooks directory {src} does not exist"

    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "notebooks"
    shutil.copytree(
        src, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    )
    # Notebooks may refer to ../assets; point it at the repo's (read-only use).
    if (REPO / "assets").is_dir() and not (tmp / "assets").exists():
        (tmp / "assets").symlink_to(REPO / "assets", target_is_directory=True)

    settings = tmp / "lab-settings"
    for rel, content in LAB_SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2))
    workspaces = tmp / "lab-workspaces"
    workspaces.mkdir()

    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        (tmp / sub).mkdir()
        env[var] = str(tmp / sub)
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)

    port = _free_port()
    token = secrets.token_hex(24)
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={workspaces}",
        "--LabApp.extension_manager=readonly",  # never query PyPI for extensions
    ]  # fmt: skip
    log_path = tmp / "jupyterlab.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    server = LabServer(f"http://127.0.0.1:{port}", token, root, log_path, proc)

    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            server.api("/api/status", timeout=2)
            break
        except (urllib.error.URLError, OSError, ValueError):
            if time.monotonic() > deadline:
                _stop_server(server)
                pytest.fail(f"JupyterLab did not answer /api/status:\n{server.log_tail()}")
            time.sleep(0.25)
    try:
        yield server
    finally:
        _stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright_driver():
    """The session's one Playwright: its sync API allows one running instance per thread, so
    every browser a worker starts (JupyterLab's, the offline site's …) is launched from it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(
        sync_playwright is not None,
        "playwright not installed (pip install playwright) — browser test skipped locally",
        "CI=true but the playwright package is missing: install the '[test]' extra",
    )
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser_context(playwright_driver, tmp_path_factory):
    """One headless Chromium (Debian's, never a Playwright download) with a fresh profile,
    for the whole session."""
    chromium = find_chromium()
    require(
        chromium is not None,
        "no Chromium found (apt-get install chromium) — browser test skipped locally",
        "CI=true but no chromium: .ci/run must install it",
    )
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = playwright_driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1500},  # tall enough for the one-hot explorer
    )
    try:
        yield context
    finally:
        context.close()
    shutil.rmtree(profile, ignore_errors=True)
