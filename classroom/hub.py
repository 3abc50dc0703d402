"""`make hub`: a JupyterHub on 127.0.0.1 for trying the classroom set-up on one machine.

It serves the course from this clone through nbgitpuller: a student who opens the printed
link logs in (any name, the printed password), gets their own copy of the course in their
home (a git clone of this clone's committed branch) and lands in notebook 00. Commit a
change here and a student's next visit of the same link merges it into their copy, keeping
their own edits (nbgitpuller's rule: where both changed the same lines, the student's win).

    make hub                      # http://127.0.0.1:8000, state in .hub/
    python classroom/hub.py --port 8010 --state-dir /tmp/hub

The same functions start the hub in the test (tests/browser/test_classroom_hub.py) and the
benchmark of a class's cost (tests/benchmarks/classroom.py). jupyterhub_config.py beside
this file is the configuration; docs/classroom.md explains it and what a real class changes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CONFIG = HERE / "jupyterhub_config.py"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
START_TIMEOUT_S = 60


# Ports for the hub, its proxy and the students' servers come from below Linux's ephemeral
# range (32768-60999 by default). A port the system hands out (bind to port 0) is free when
# chosen, but it is also where the next outgoing connection or kernel may land before the
# server binds it, seconds later: it happened to a student's server while three browsers
# were loading JupyterLab ("The port … is already in use").
PORTS = range(20000, 32000)


def free_port() -> int:
    """A port of PORTS free on 127.0.0.1 now, at random (outside the ephemeral range, nothing
    else takes it meanwhile unless it too chooses from there)."""
    rng = random.SystemRandom()
    for _ in range(500):
        port = rng.choice(PORTS)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port on 127.0.0.1 in {PORTS.start}-{PORTS.stop - 1}")


def pull_link(hub_url: str, repo: str, branch: str = "main",
              notebook: str = "00_notation.ipynb", targetpath: str = "course") -> str:
    """The nbgitpuller link a teacher hands out: clone `repo` (first visit) or merge its new
    commits (later visits) into ~/`targetpath`, then open `notebook` in JupyterLab."""
    query = urllib.parse.urlencode({
        "repo": repo,
        "branch": branch,
        "targetpath": targetpath,
        "urlpath": f"lab/tree/{targetpath}/notebooks/{notebook}",
    })
    return f"{hub_url}/hub/user-redirect/git-pull?{query}"


@dataclass
class Hub:
    url: str
    password: str
    token: str  # the course-admin service's REST token
    state: Path
    log_path: Path
    proc: subprocess.Popen
    students: list[str] = field(default_factory=list)

    def request(self, path: str, method: str = "GET", body=None, timeout: float = 30.0):
        """A REST call with the service token: `path` is under the hub's URL, e.g.
        '/hub/api/users' or '/user/ana/api/contents/course'."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip() else None

    def create_students(self, names: list[str]) -> None:
        self.request("/hub/api/users", "POST", {"usernames": names})
        self.students += names

    def user(self, name: str) -> dict:
        return self.request(f"/hub/api/users/{name}")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "<no hub log>"

    def stop(self) -> None:
        """Stop the hub; with cleanup_servers it stops every student's server and the proxy
        first. Whatever is left of its process group is killed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            time.sleep(0.5)


def start_hub(state: Path, *, port: int | None = None, password: str | None = None,
              log_path: Path | None = None, timeout_s: float = START_TIMEOUT_S) -> Hub:
    """Start the hub of jupyterhub_config.py with its state (database, students' homes) in
    `state`, and wait until its REST API answers."""
    if not PROXY.exists():
        raise FileNotFoundError(f"{PROXY} is missing: run `npm ci` in {HERE} (make hub does)")
    state.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    password = password or secrets.token_urlsafe(9)
    token = secrets.token_hex(24)
    env = dict(os.environ,
               COURSE_HUB_STATE=str(state), COURSE_HUB_PORT=str(port),
               COURSE_HUB_API_PORT=str(free_port()), COURSE_HUB_PROXY_API_PORT=str(free_port()),
               COURSE_HUB_PASSWORD=password, COURSE_HUB_SERVICE_TOKEN=token)
    log_path = log_path or state / "jupyterhub.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(CONFIG)],
            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    hub = Hub(f"http://127.0.0.1:{port}", password, token, state, log_path, proc)
    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {proc.returncode}:\n{hub.log_tail()}")
        try:
            hub.request("/hub/api/", timeout=2)
            return hub
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                hub.stop()
                raise RuntimeError(f"JupyterHub not up within {timeout_s} s:\n{hub.log_tail()}")
            time.sleep(0.3)


def current_branch(repo: Path = REPO) -> str:
    out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--abbrev-ref", "HEAD"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--state-dir", type=Path, default=REPO / ".hub",
                        help="the hub's database and the students' homes (default: .hub/)")
    args = parser.parse_args(argv)
    # `kill` (SIGTERM) stops the hub as Ctrl-C does, not leaving it running on its own.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    hub = start_hub(args.state_dir.resolve(), port=args.port)
    link = pull_link(hub.url, f"file://{REPO}", current_branch())
    print(f"JupyterHub is up at {hub.url} (state in {args.state_dir}, log in {hub.log_path}).\n"
          f"Log in with any name and the password: {hub.password}\n"
          f"(the name 'teacher' is the hub's admin: {hub.url}/hub/admin)\n\n"
          f"The link for students:\n  {link}\n\nCtrl-C stops the hub and every student's server.",
          flush=True)
    try:
        hub.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()


if __name__ == "__main__":
    main()
