"""A machine with no network but loopback, for proving that the site works offline.

``offline_site(site_dir)`` makes a network namespace of its own (``ip netns``, as root), in
which only ``lo`` exists, serves ``site_dir`` there with ``python -m http.server`` on
127.0.0.1, and yields ``(url, chromium)``: ``chromium`` is a small script that starts Debian's
Chromium inside the same namespace, for Playwright's ``executable_path`` (Playwright talks to
it over a pipe, which crosses namespaces). A page there can reach the site and nothing else;
the test still records every request, so one that tried to leave would be seen.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

START_TIMEOUT_S = 20


def can_isolate() -> tuple[bool, str]:
    """(True, "") where a namespace can be made here, else (False, why not)."""
    if shutil.which("ip") is None:
        return False, "no `ip` command (Debian's iproute2)"
    if os.geteuid() != 0:
        return False, "`ip netns add` needs root"
    return True, ""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def _wait_served(namespace: str, url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    probe = [sys.executable, "-c", f"import urllib.request; urllib.request.urlopen({url!r}, timeout=2)"]
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the site's server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        if subprocess.run(["ip", "netns", "exec", namespace, *probe], capture_output=True).returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the site's server did not answer {url} within {START_TIMEOUT_S} s")
        time.sleep(0.2)


@contextlib.contextmanager
def offline_site(site_dir: Path, chromium: str, port: int = 8765):
    """Serve ``site_dir`` in a namespace with only loopback; yield (url, chromium wrapper)."""
    ok, why = can_isolate()
    if not ok:
        raise RuntimeError(f"cannot make a network namespace: {why}")
    namespace = f"rnn-course-offline-{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="rnn-offline-"))
    _ip("netns", "add", namespace)
    server = None
    try:
        _ip("netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        log = work / "server.log"
        with open(log, "wb") as out:
            server = subprocess.Popen(
                ["ip", "netns", "exec", namespace, sys.executable, "-m", "http.server",
                 "--bind", "127.0.0.1", "--directory", str(site_dir), str(port)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        _wait_served(namespace, url + "/", server, log)
        wrapper = work / "chromium-offline"
        wrapper.write_text(f"#!/bin/sh\nexec ip netns exec {shlex.quote(namespace)} {shlex.quote(chromium)} \"$@\"\n")
        wrapper.chmod(0o755)
        yield url, str(wrapper)
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, 15)
            server.wait(timeout=10)
        subprocess.run(["ip", "netns", "delete", namespace], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

