"""Benchmark: time the whole test suite as `make test` runs it, and say where the time goes.

    .venv/bin/python -m tests.benchmarks.suite [-n auto] [pytest args ...]

Runs ``pytest -n auto`` (the arguments are passed on; `make bench-suite` passes `make
test`'s ``-n`` and ``-m``) with durations and per-test reports, then prints

* the wall time, how busy the machine's cores were meanwhile (all of its processes:
  Chromium and the kernels are nobody's waited-for children, so pytest's own rusage
  missed half of it), the load average before and after (the machine may be shared),
  and pytest's summary line,
* each xdist worker's busy time, the browser checks' share (the notebooks' two browser
  modules run side by side, one a worker; the integration tests one at a time) and the
  rest's,
* each notebook's time under nbval (its cells, kernel start and stop included) and in
  the browser check (with its phases), and the slowest other tests,
* whatever the run left behind: processes (found by a marker in their environment) and
  files in the temporary directory it was given (then removed).

Exits with pytest's exit code.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
MARK = "COURSE_SUITE_RUN"

DURATION = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+(\S.*?)\s*$")
WORKER_LINE = re.compile(r"^\[(gw\d+)\] \[\s*\d+%\] (?:PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S.*?)\s*$")
BROWSER_LINE = re.compile(r"^\[browser\] (\S+\.ipynb): (load lab .*total [\d.]+s)$")
SUMMARY = re.compile(r"^=+ (.* in [\d.]+s.*?) =+$")


def _nodeid(text: str) -> str:
    """xdist's progress lines may spell ``a/b.ipynb::Cell 0`` as ``a/b::ipynb::Cell 0``."""
    return re.sub(r"^([^:]+)::(ipynb|py)::", r"\1.\2::", text)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def _busy_core_seconds() -> float:
    """CPU time the machine's cores have spent running anything (user, system, interrupts)."""
    t = psutil.cpu_times()
    return sum(getattr(t, f, 0.0) for f in ("user", "nice", "system", "irq", "softirq"))


def _leftover_processes(token: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc") if Path("/proc").is_dir() else []):
        try:
            if f"{MARK}={token}".encode() not in Path(f"/proc/{pid}/environ").read_bytes():
                continue
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append(f"{pid} {cmd[:150]}")
    return found


def run(pytest_args: list[str]) -> tuple[int, str, float, float]:
    token = secrets.token_hex(8)
    tmp = Path(tempfile.mkdtemp(prefix="course-suite-"))
    env = dict(os.environ, **{MARK: token, "TMPDIR": str(tmp)})
    cmd = [sys.executable, "-m", "pytest", "-v", "-rA", "--durations=0", "--durations-min=0",
           *pytest_args]  # fmt: skip
    print("running:", " ".join(cmd[2:]), f"(load average {_load()})", flush=True)
    busy0 = _busy_core_seconds()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu = _busy_core_seconds() - busy0
    time.sleep(1)  # let anything that is on its way out go
    left = _leftover_processes(token)
    files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if not p.is_dir())
    shutil.rmtree(tmp, ignore_errors=True)
    log = Path(tempfile.gettempdir()) / "course-suite-last-run.log"
    log.write_text(proc.stdout + proc.stderr)
    print(f"load average after: {_load()}; pytest's full output: {log}")
    print("left running:", "none" if not left else "\n  " + "\n  ".join(left))
    print("files left in its temporary directory:", ", ".join(files[:20]) if files else "none")
    return proc.returncode, proc.stdout, wall, cpu


def report(out: str, wall: float, cpu: float) -> None:
    per_test: dict[str, float] = defaultdict(float)
    for line in out.splitlines():
        m = DURATION.match(line)
        if m:
            per_test[m.group(3)] += float(m.group(1))
    worker_of = {}
    schedule: dict[str, list[str]] = defaultdict(list)  # worker -> files, in run order
    for line in out.splitlines():
        m = WORKER_LINE.match(line)
        if m:
            test = _nodeid(m.group(2))
            worker_of[test] = m.group(1)
            name = Path(test.split("::", 1)[0]).name
            if not schedule[m.group(1)] or schedule[m.group(1)][-1] != name:
                schedule[m.group(1)].append(name)
    summary = next((m.group(1) for m in map(SUMMARY.match, reversed(out.splitlines())) if m), "?")
    cores = psutil.cpu_count()
    print(f"\nwall {wall:.1f} s; the machine's cores busy {cpu:.0f} core-s of {cores * wall:.0f} "
          f"({cpu / wall:.2f} of {cores} cores on average); {summary}")

    busy: dict[str, float] = defaultdict(float)
    for test, seconds in per_test.items():
        busy[worker_of.get(test, "main")] += seconds
    print("busy time per worker:", ", ".join(f"{w} {s:.1f} s" for w, s in sorted(busy.items())))
    for worker, files in sorted(schedule.items()):
        print(f"  {worker} ran: {', '.join(files)}")

    def file_of(test: str) -> str:
        return test.split("::", 1)[0]

    browser = {t: s for t, s in per_test.items() if file_of(t).startswith("tests/browser/")}
    workers = sorted({worker_of.get(t, "main") for t in browser})
    print(f"browser checks: {sum(browser.values()):.1f} s on {', '.join(workers) or '-'}; "
          f"the rest: {sum(per_test.values()) - sum(browser.values()):.1f} s")  # fmt: skip

    nbval: dict[str, float] = defaultdict(float)
    for test, seconds in per_test.items():
        if file_of(test).endswith(".ipynb"):
            nbval[Path(file_of(test)).name] += seconds
    in_browser = {}
    for line in out.splitlines():
        m = BROWSER_LINE.match(line.strip())
        if m:
            in_browser[m.group(1)] = m.group(2)
    print("\nnotebook                                   nbval   browser check")
    for name in sorted(set(nbval) | set(in_browser)):
        print(f"  {name:40s} {nbval.get(name, 0):5.1f} s  {in_browser.get(name, '-')}")
    print(f"  {'all notebooks under nbval':40s} {sum(nbval.values()):5.1f} s")

    by_file: dict[str, float] = defaultdict(float)
    for test, seconds in per_test.items():
        if not file_of(test).endswith(".ipynb") and test not in browser:
            by_file[file_of(test)] += seconds
    print("\nunit test files, slowest first:")
    for name, seconds in sorted(by_file.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name:40s} {seconds:5.1f} s")
    others = [(s, t) for t, s in per_test.items() if t not in browser and not file_of(t).endswith(".ipynb")]
    print("slowest unit tests:")
    for seconds, test in sorted(others, reverse=True)[:8]:
        print(f"  {seconds:5.1f} s  {test}")


def main(args: list[str]) -> int:
    if not any(a.startswith(("-n", "--numprocesses")) for a in args):
        args = ["-n", "auto", *args]
    code, out, wall, cpu = run(args)
    report(out, wall, cpu)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
