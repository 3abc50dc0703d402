"""The course installed as a package: a wheel carries the trained weights, and a notebook
runs from a directory outside the clone with course_lib taken from that wheel.

The new virtual environment gets the wheel (``pip install --no-deps``) and borrows the
third-party packages (NumPy, plotly, Jupyter, nbval ...) from the project's own .venv
through a path in a .pth file; a path added that way is not itself a site directory, so
the .venv's editable install of course_lib (a .pth of its own) is not seen: every
``import course_lib`` must come from the wheel.
"""

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "04_language_model_sampling.ipynb"  # loads the shipped word-level model from the package


def _run(args, cwd, timeout=600):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_the_wheel_carries_the_weights_and_a_notebook_runs_from_it(tmp_path):
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)], cwd=tmp_path)
    (wheel,) = wheels.glob("rnn_course-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.name for p in (ROOT / "assets").iterdir() if p.suffix in (".npz", ".json"))
    assert sorted(n.split("/")[-1] for n in names if n.startswith("course_lib/assets/")) == shipped
    assert "course_lib/data/tang300.txt" in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path).strip())
    (site / "borrowed_from_the_project_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], cwd=tmp_path)

    where = _run([str(python), "-c", "import course_lib, course_lib._files as f; print(course_lib.__file__); print(f.ASSETS)"],
                 cwd=tmp_path).split()
    assert all(Path(p).is_relative_to(site) for p in where), where  # the package and its weights: the wheel's
    assert not any(Path(p).is_relative_to(ROOT) for p in where)

    notebooks = tmp_path / "notebooks"  # a learner's copy of a notebook, outside the clone
    notebooks.mkdir()
    (notebooks / NOTEBOOK).write_bytes((ROOT / "notebooks" / NOTEBOOK).read_bytes())
    out = _run([str(python), "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q", "-p", "no:cacheprovider",
                "-o", "addopts=", "-W", "ignore::DeprecationWarning", str(notebooks / NOTEBOOK)], cwd=tmp_path)
    assert "passed" in out and "failed" not in out
