"""The classroom on a real JupyterHub (classroom/hub.py, the hub of `make hub`), as a class
uses it: three students follow the teacher's nbgitpuller link at once, each in a browser of
their own, log in, get the course cloned into their home, land in notebook 00, run all its
cells and move its explorer's slider; then the teacher commits a change to the course and a
student's next visit of the same link brings it in, the student's own edit kept.

Everything is on 127.0.0.1 and in the test's temporary directory: the course is a bare clone
of this repository's committed branch (what a teacher would publish), the hub's database and
the students' homes are there, and the hub stops every server when the test ends. It needs
the proxy from npm (classroom/node_modules, `make install` runs `npm ci`) and Chromium:
without them it skips locally and fails in CI, as the other browser tests do.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from tests.tools.browser import browsers_running, find_chromium, require

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "classroom"))
import hub as classroom  # noqa: E402 - classroom/hub.py, not a package

from classroom_checks import (  # noqa: E402
    NOTEBOOK, UserServer, open_class, spawn_seconds, student_memory_mib, visit,
)

pytestmark = pytest.mark.browser

STUDENTS = ["ana", "bo", "chen"]
NOTE = "ana's note: Γu ≈ 0 keeps the old cell."
TEACHER_LINE = "Teacher's note for this week: start with the explorer at the end."


def _git(*args, cwd=None) -> str:
    out = subprocess.run(["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.invalid",
                          "-c", "init.defaultBranch=main", *args],
                         cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.fixture
def class_hub(tmp_path):
    """A hub whose students are STUDENTS, and the bare repository the course is pulled from."""
    require(classroom.PROXY.exists(), "configurable-http-proxy not installed (make install runs npm ci) — "
            "classroom test skipped locally", "CI=true but classroom/node_modules has no proxy: "
            "make install must run npm ci in classroom/")
    chromium = find_chromium()
    require(chromium is not None, "no Chromium found — classroom test skipped locally",
            "CI=true but no chromium: .ci/run must install it")
    with open_class(classroom, REPO, tmp_path, STUDENTS) as (hub, bare, branch, link):
        try:
            yield hub, bare, branch, link, chromium
        finally:
            print(f"[hub] log tail:\n{hub.log_tail(15)}")


def test_three_students_at_once_then_the_teachers_update(class_hub, tmp_path):
    with browsers_running():  # the three students' browsers, and no other test's
        _class_and_update(*class_hub, tmp_path)


def _class_and_update(hub, bare, branch, link, chromium, tmp_path):
    shots = REPO / "tests" / "browser" / "screenshots"
    shots.mkdir(exist_ok=True)

    # Three students follow the link at the same time; their browsers take turns to run the
    # notebook and drive its explorer (classroom_checks.visit: all three browsers share this
    # machine's two cores, which a class's devices do not).
    turn = threading.Lock()
    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        futures = {name: pool.submit(visit, hub, name, link, chromium, screenshot=str(shots / f"hub_{name}.png"),
                                     browser_turn=turn)
                   for name in STUDENTS}
        visits = {name: f.result() for name, f in futures.items()}  # re-raises a student's failure
    spawns = spawn_seconds(hub)
    for name, v in visits.items():
        before, after = v.slider
        assert before != after, f"{name}: the slider did not move"
        memory = student_memory_mib(name)
        print(f"[hub] {name}: spawn {spawns.get(name, float('nan')):.1f} s, "
              + ", ".join(f"{k} {s:.1f} s" for k, s in v.seconds.items())
              + f"; server and kernel: RSS {memory['rss']:.0f} MiB, USS {memory['uss']:.0f} MiB "
                f"in {memory['processes']} processes")
        assert memory["processes"] >= 2, f"{name}: no server and kernel found to measure"
        assert hub.user(name)["servers"][""]["ready"], f"{name}'s server is not running"
    assert set(spawns) >= set(STUDENTS), f"the hub's log does not say how long each spawn took: {spawns}"
    # Each student has a copy of their own.
    for name in STUDENTS:
        assert (hub.state / "users" / name / "course" / ".git").is_dir(), f"no course cloned for {name}"

    # ana writes a note of her own into notebook 00 (as saving in JupyterLab would).
    ana = UserServer(hub, "ana")
    path = f"/api/contents/course/notebooks/{NOTEBOOK}"
    model = ana.api(f"{path}?content=1&type=notebook")
    nb = model["content"]
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": NOTE, "id": "ana-note"})
    ana.api(path, "PUT", body={"type": "notebook", "format": "json", "content": nb}, timeout=30)

    # The teacher changes the first cell of notebook 00 and publishes it.
    teacher = tmp_path / "teacher"
    _git("clone", "--quiet", "--branch", branch, str(bare), str(teacher))
    nb_path = teacher / "notebooks" / NOTEBOOK
    course_nb = nbformat.read(nb_path, as_version=4)
    course_nb.cells[0].source = course_nb.cells[0].source.rstrip("\n") + "\n\n" + TEACHER_LINE
    nbformat.write(course_nb, nb_path)
    added, deleted, _ = _git("diff", "--numstat", cwd=teacher).split()  # nbformat rewrote one cell, no more
    assert int(added) <= 3 and int(deleted) <= 1, _git("diff", cwd=teacher)
    _git("commit", "--quiet", "-am", "Week 1: a note on notebook 00", cwd=teacher)
    _git("push", "--quiet", "origin", branch, cwd=teacher)

    # ana's next visit of the same link merges the teacher's change and keeps her note.
    # (In a thread of its own, as the first visits: this worker's Playwright may be running in
    # this thread already, for the notebooks' browser checks, and there can be one per thread.)
    with ThreadPoolExecutor(1) as pool:
        again = pool.submit(visit, hub, "ana", link, chromium, run_all=False,
                            screenshot=str(shots / "hub_ana_again.png")).result()
    assert TEACHER_LINE in again.first_markdown, f"the teacher's change did not reach ana: {again.first_markdown!r}"
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in ana.api(f"{path}?content=1&type=notebook")["content"]["cells"]]
    assert NOTE in sources, "ana's own note was lost in the update"
    assert TEACHER_LINE in sources[0], "the file on disk does not have the teacher's change"
    # bo did not come back: his copy is as he got it.
    bo = UserServer(hub, "bo").api(f"{path}?content=1&type=notebook")["content"]
    assert TEACHER_LINE not in "".join(bo["cells"][0]["source"])
