"""Benchmark: each notebook's wall time under nbval, and one explorer step in a kernel.

    .venv/bin/python -m tests.benchmarks.notebooks [notebooks/NN_name.ipynb ...]

Prints one line per notebook (the time ``pytest --nbval-lax`` takes to execute it in a
fresh kernel, start-up included) and the median server-side latency of one timestep
explorer step, measured inside a real kernel where the widget messages are really built
and sent (outside a kernel, ipywidgets skips serialisation and the figure looks faster
than it is).
"""

import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]

EXPLORER_STEP = r'''
import statistics, time
from course_lib.widgets import NotationExplorer
corpus = ["王刚和李明去上班了", "李明和王刚是同事", "我爱吃油泼辣子面,味道非常好。",
          "The cat, which already ate a bunch of food, was full."]
explorer = NotationExplorer(corpus, "我爱吃油泼辣子彪彪面,味道非常好。").explorer
display(explorer.widget)
times = []
for k in range(200):
    step = (k + 1) % explorer.n_steps
    start = time.perf_counter()
    explorer.slider.value = step
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times) * 1e3:.2f} {max(times) * 1e3:.2f}")
'''


def notebook_wall_time(path):
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", str(path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    status = "passed" if result.returncode == 0 else "FAILED"
    return elapsed, status


def explorer_step_latency():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(EXPLORER_STEP)])
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    median, worst = map(float, text.split())
    return median, worst


def main(paths):
    paths = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        elapsed, status = notebook_wall_time(path)
        print(f"notebook {path.name:40s} {elapsed:6.1f} s under nbval ({status})")
    median, worst = explorer_step_latency()
    print(f"explorer step (NotationExplorer, in a kernel): median {median:.2f} ms, max {worst:.2f} ms over 200 steps")


if __name__ == "__main__":
    main(sys.argv[1:])
