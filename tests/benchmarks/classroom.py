"""Benchmark: what a class costs on the classroom JupyterHub (classroom/hub.py).

    .venv/bin/python -m tests.benchmarks.classroom [--students 3] [--at-once]

Starts the hub of `make hub` in a temporary directory, serving a bare clone of this
repository's committed branch; each student follows the nbgitpuller link in a headless
Chromium, lands in notebook 00, runs all its cells and moves its explorer (as
tests/browser/test_classroom_hub.py does). Prints, per student: the spawn time (the hub's
own figure), log-in to the notebook on screen (spawn, clone and JupyterLab loading),
Run All, and the memory of their server and kernel after the notebook (RSS, and USS: what
that student alone holds, the figure to size a machine with). One after another by
default, so that each figure is one student's on an otherwise idle machine; `--at-once`
lets them log in together, as a class does (their browsers, all on this machine, still
take turns to run the notebook: see tests/browser/classroom_checks.visit).
"""

import argparse
import statistics
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "classroom"), str(ROOT / "tests" / "browser")]

import hub as classroom  # noqa: E402
from classroom_checks import open_class, spawn_seconds, student_memory_mib, visit  # noqa: E402

from tests.tools.browser import find_chromium  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--at-once", action="store_true", help="all students log in at the same time")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None or not classroom.PROXY.exists():
        sys.exit("needs Chromium (apt-get install chromium) and the proxy (make install runs npm ci)")
    names = [f"student{i + 1}" for i in range(args.students)]
    with tempfile.TemporaryDirectory() as tmp, open_class(classroom, ROOT, Path(tmp), names) as (hub, _, _, link):
        if args.at_once:  # the browsers take their turns to run the notebook, as in the test (why: visit)
            turn = threading.Lock()
            with ThreadPoolExecutor(len(names)) as pool:
                visits = list(pool.map(lambda n: visit(hub, n, link, chromium, browser_turn=turn), names))
        else:
            visits = [visit(hub, n, link, chromium) for n in names]
        spawns = spawn_seconds(hub)
        rows = []
        for v in visits:
            memory = student_memory_mib(v.name)
            rows.append((spawns.get(v.name, float("nan")), v.seconds["log-in to notebook"], v.seconds["run all"],
                         memory["rss"], memory["uss"]))
            print(f"{v.name}: spawn {rows[-1][0]:.1f} s, log-in to notebook {rows[-1][1]:.1f} s, "
                  f"run all {rows[-1][2]:.1f} s; server + kernel RSS {rows[-1][3]:.0f} MiB, "
                  f"USS {rows[-1][4]:.0f} MiB", flush=True)
        med = [statistics.median(col) for col in zip(*rows)]
        print(f"median of {len(rows)} ({'at once' if args.at_once else 'one after another'}): spawn "
              f"{med[0]:.1f} s, log-in to notebook {med[1]:.1f} s, run all {med[2]:.1f} s, RSS {med[3]:.0f} MiB, "
              f"USS {med[4]:.0f} MiB per student")


if __name__ == "__main__":
    main()
