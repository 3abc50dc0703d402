"""The course as a whole: packaging in step, notebooks clean, docstrings pointing at real
headings, and the layers importing only downwards."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.tools.notebooks import is_checked

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COURSE = [
    "00_notation", "01_forward_pass", "02_bptt", "03_architectures",
    "04_language_model_sampling", "04b_language_models_in_practice", "05_vanishing_exploding_gradients", "06_gru",
    "07_lstm",
    "08_bidirectional_rnn", "09_deep_rnn",
]


def _requirements(lines):
    """name → specifier set, e.g. {"numpy": ">=1.26,<3"}."""
    out = {}
    for line in lines:
        if ";" in line:  # environment markers (tomli on old Pythons) are pip-only
            continue
        name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", line.strip()).groups()
        out[name.lower()] = spec.replace(" ", "")
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _requirements(project["dependencies"] + project["optional-dependencies"]["test"]
                          + project["optional-dependencies"]["classroom"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = _requirements(d for d in env["dependencies"] if isinstance(d, str) and d not in ("pip",))
    python = conda.pop("python")
    assert python == ">=" + project["requires-python"].lstrip(">=")
    assert conda == wanted


def test_notebooks_follow_the_course_order():
    names = [p.stem for p in NOTEBOOKS]
    assert names, "no notebooks found"
    assert names == COURSE[: len(names)], "notebooks must be the course's first ones, in order"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs_or_widget_state(path):
    """Only checked cells keep their plain-text output (nbval compares it)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb["metadata"], "widget state stored: run tests/tools/notebooks.py"
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if is_checked(cell):
            for out in cell["outputs"]:
                assert out["output_type"] in ("stream", "execute_result"), source[:80]
                if out["output_type"] == "execute_result":
                    assert list(out["data"]) == ["text/plain"], source[:80]
        else:
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"stored output in {path.name}: {source[:80]!r} "
                "(refresh with: .venv/bin/python -m tests.tools.notebooks)"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_what_the_learner_builds(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and first.startswith("# ")
    assert "What you will build" in first


def _headings(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    heads = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    heads.add(line.lstrip("#").strip())
    return heads


def test_docstring_references_point_to_real_headings():
    refs = []
    for py in sorted((ROOT / "course_lib").rglob("*.py")):
        text = py.read_text(encoding="utf-8")
        for nb, heading in re.findall(r'Derived in (notebooks/[\w.]+\.ipynb), "([^"]+)"', text):
            refs.append((py.relative_to(ROOT), nb, heading))
    assert refs, "no 'Derived in' references found"
    for py, nb, heading in refs:
        path = ROOT / nb
        assert path.exists(), f"{py} points to missing {nb}"
        assert heading in _headings(path), f"{py} points to missing heading {heading!r} in {nb}"


def test_math_and_data_import_without_plotly_or_ipywidgets():
    code = (
        "import sys; sys.modules['plotly'] = None; sys.modules['ipywidgets'] = None; sys.modules['scipy'] = None\n"
        "import pkgutil, importlib, course_lib\n"
        "skip = ('course_lib.viz', 'course_lib.widgets', 'course_lib.notebook')\n"
        "for m in pkgutil.walk_packages(course_lib.__path__, 'course_lib.'):\n"
        "    if not m.name.startswith(skip) and not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_viz_does_not_import_widgets():
    code = "import sys; sys.modules['ipywidgets'] = None; import course_lib.viz"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make lab" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


# HTML a notebook may use on purpose; any other <word> outside code and math is notation
# (<t>, <UNK>, <EOS> ...) that the renderer takes for an unknown tag and hides.
HTML_TAGS = {"div", "span", "br", "b", "i", "em", "strong", "sub", "sup", "details", "summary", "a", "p", "img"}


def test_markdown_holds_no_bare_tags():
    bare = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            text = re.sub(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", "", "".join(cell["source"]), flags=re.S)
            for tag in re.findall(r"</?([^<>\s/]+)[^<>]*>", text):
                if tag.lower() not in HTML_TAGS:
                    bare.append(f"{path.name} cell {i}: <{tag}>")
    assert not bare, "bare tags vanish when rendered (write them as `code` or math): " + ", ".join(bare)


# ---------------------------------------------------------------------------------------
# Exercises: a stub, its checker right after, the reference never shown before
# ---------------------------------------------------------------------------------------

EXERCISE_TAG = "exercise"
STUB = re.compile(r"^def (\w+)\(", re.MULTILINE)


def _exercises(nb):
    """[(cell index, function name)] of the cells tagged ``exercise``."""
    return [(i, m.group(1)) for i, cell in enumerate(nb["cells"])
            if EXERCISE_TAG in cell.get("metadata", {}).get("tags", [])
            for m in [STUB.search("".join(cell["source"]))] if m]


def test_the_course_has_the_exercises_of_notebooks_00_to_05():
    found = {name for path in NOTEBOOKS for _, name in _exercises(json.loads(path.read_text(encoding="utf-8")))}
    expected = {"rnn_cell_forward", "rnn_cell_backward", "rnn_backward", "draw_token", "sample_indices", "clip_by_norm"}
    assert expected <= found, f"exercises missing from the notebooks: {sorted(expected - found)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_is_a_stub_with_its_checker_next_and_no_reference_shown_before(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    for i, name in _exercises(nb):
        function = next(node for node in ast.parse("".join(cells[i]["source"])).body
                        if isinstance(node, ast.FunctionDef) and node.name == name)
        body = function.body[1:] if ast.get_docstring(function) is not None else function.body
        assert len(body) == 1 and isinstance(body[0], ast.Raise) and "NotImplementedError" in ast.unparse(body[0]), (
            f"{path.name}: the exercise {name} (cell {i}) must be a stub, its body only raise NotImplementedError(...)")
        checker = next((c for c in cells[i + 1:] if c["cell_type"] == "code"), None)
        assert checker is not None and re.search(rf"check_\w+\(\s*{name}\b", "".join(checker["source"])), (
            f"{path.name}: the cell after the exercise {name} (cell {i}) must call its checker on it")
        shown_before = [j for j, c in enumerate(cells[:i])
                        if c["cell_type"] == "code" and re.search(rf"show_source\([\w.]*\b{name}\b", "".join(c["source"]))]
        assert not shown_before, f"{path.name}: show_source({name}) in cell(s) {shown_before}, before its exercise"


def test_pyproject_lists_every_package_of_course_lib():
    """The packages are listed by name (for the assets' mapping): a new sub-package must be added there."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "course_lib").rglob("__init__.py")}
    assert listed == found | {"course_lib.assets"}
