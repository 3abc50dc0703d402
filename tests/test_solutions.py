"""The teacher's version of the notebooks (``make solutions``, tests/tools/solutions.py).

Fast: the tool answers every exercise the structure test finds, with the answer's code
under the stub's docstring and nothing else changed; its output is deterministic. Slow:
the answered notebooks run under nbval, as the suite runs the student ones, and every
checker says that all its cases pass.
"""

import ast
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.checks import answers, check_rnn_backward
from tests.test_course_structure import _exercises
from tests.tools import solutions

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


WITH_EXERCISES = [p for p in NOTEBOOKS if _exercises(_read(p))]
WITHOUT_EXERCISES = [p for p in NOTEBOOKS if p not in WITH_EXERCISES]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The solutions, written by the command itself (as ``make solutions`` runs it)."""
    out = tmp_path_factory.mktemp("solutions")
    run = subprocess.run([sys.executable, "-m", "tests.tools.solutions", str(out)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return out


def _function(source, name):
    return next(node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name == name)


def _body(function):
    """The statements after the docstring, as ast dumps (no line numbers)."""
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    return [ast.dump(statement) for statement in body]


def test_the_course_has_exercises_for_the_tool_to_answer():
    assert len(WITH_EXERCISES) >= 8 and WITHOUT_EXERCISES, (WITH_EXERCISES, WITHOUT_EXERCISES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_tool_finds_the_exercises_the_structure_test_finds(path):
    nb = _read(path)
    assert solutions.exercises(nb) == _exercises(nb)


def test_a_solution_is_written_for_every_notebook(generated):
    assert sorted(p.name for p in generated.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", WITHOUT_EXERCISES, ids=lambda p: p.name)
def test_a_notebook_without_exercises_is_copied_unchanged(generated, path):
    assert (generated / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_stub_is_replaced_by_its_answer_under_the_stubs_docstring(generated, path):
    student, teacher = _read(path), _read(generated / path.name)
    for index, name in _exercises(student):
        cell = teacher["cells"][index + 1]  # one cell down: the note on top
        assert cell["id"] == student["cells"][index]["id"] and "exercise" in cell["metadata"]["tags"]
        assert cell["outputs"] == [] and cell["execution_count"] is None
        function = _function("".join(cell["source"]), name)
        raises = [ast.unparse(n) for n in ast.walk(function) if isinstance(n, ast.Raise)]
        assert not any("NotImplementedError" in r for r in raises), f"{path.name}: {name} is still a stub"
        answer = _function(inspect.getsource(getattr(answers, name)), name)  # as answers.py has it
        assert _body(function) == _body(answer), f"{path.name}: {name}'s body is not the answer's"
        assert [a.arg for a in function.args.args] == [a.arg for a in answer.args.args]
        stub = _function("".join(student["cells"][index]["source"]), name)
        assert ast.get_docstring(function) == ast.get_docstring(stub)
        assert _body(stub) != _body(function)  # the stub's raise is gone, the answer came in


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_other_cell_is_the_student_notebooks_byte_for_byte(generated, path):
    student, teacher = _read(path), _read(generated / path.name)
    note, cells = teacher["cells"][0], teacher["cells"][1:]
    assert note["cell_type"] == "markdown" and note["id"] == solutions.NOTE_ID
    text = "".join(note["source"])
    assert "Teacher's version" in text and "course_lib/checks/answers.py" in text and path.name in text
    assert [c["id"] for c in cells] == [c["id"] for c in student["cells"]]
    stubs = {index for index, _ in _exercises(student)}
    for index, (mine, theirs) in enumerate(zip(cells, student["cells"])):
        if index not in stubs:
            assert json.dumps(mine, sort_keys=True) == json.dumps(theirs, sort_keys=True), (
                f"{path.name}: cell {index} ({theirs['id']}) changed")
    assert {k: v for k, v in teacher.items() if k != "cells"} == {k: v for k, v in student.items() if k != "cells"}


def test_the_output_is_deterministic_and_leaves_the_student_notebooks_alone(generated, tmp_path):
    before = {p.name: p.read_bytes() for p in NOTEBOOKS}
    solutions.write_solutions(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.ipynb")} == {
        p.name: p.read_bytes() for p in generated.glob("*.ipynb")}
    assert {p.name: p.read_bytes() for p in NOTEBOOKS} == before


def test_an_answer_gets_the_imports_the_notebook_lacks_and_then_passes_its_checker():
    stub = ('def rnn_backward(da, caches):\n    """The stub\'s docstring."""\n'
            '    raise NotImplementedError("not written yet")')
    nb = {"cells": [{"cell_type": "code", "id": "x", "metadata": {"tags": ["exercise"]}, "source": stub,
                     "outputs": [], "execution_count": None}]}
    source = solutions.answered_cell_source(nb, 0, "rnn_backward")
    imports = [ast.unparse(n) for n in ast.parse(source).body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports == ["import numpy as np", "from course_lib import rnn"]
    namespace = {}
    exec(compile(source, "<cell>", "exec"), namespace)
    assert ast.get_docstring(_function(source, "rnn_backward")) == "The stub's docstring."
    assert check_rnn_backward(namespace["rnn_backward"], strict=True, verbose=False) > 0
    # Bound before: no import added.
    nb["cells"].insert(0, {"cell_type": "code", "id": "y", "metadata": {}, "source": "import numpy as np\n"
                           "from course_lib import rnn", "outputs": [], "execution_count": None})
    assert solutions.answered_cell_source(nb, 1, "rnn_backward").startswith("def rnn_backward(")


def test_an_exercise_without_an_answer_is_named():
    with pytest.raises(ValueError, match="name must be an answer in course_lib/checks/answers.py, got 'no_such'"):
        solutions.answer_source("no_such", "def no_such():\n    pass")


# ---------------------------------------------------------------------------------------
# Slow: the answered notebooks run, and every checker passes
# ---------------------------------------------------------------------------------------

PASSED = "All {n} cases pass: your {name} matches the reference."


@pytest.mark.slow
def test_the_answered_notebooks_run_and_every_checker_passes(tmp_path):
    out = tmp_path / "solutions"
    solutions.write_solutions(out)
    paths = [out / p.name for p in WITH_EXERCISES]
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not the repository's configuration
    printed_file = tmp_path / "printed.jsonl"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-c", str(tmp_path / "pytest.ini"), "-o", "addopts=",
         "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-p", "tests.tools.solutions", f"--solutions-outputs={printed_file}", *map(str, paths)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    records = [json.loads(line) for line in printed_file.read_text(encoding="utf-8").splitlines()]
    for path in paths:
        nb = _read(path)
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        ran = [r for r in records if r["notebook"] == path.name]
        assert len(ran) == len(code), f"{path.name}: {len(ran)} of its {len(code)} code cells ran"
        for index, name in solutions.exercises(nb):
            checker = next(c for c in nb["cells"][index + 1:] if c["cell_type"] == "code")
            printed = next(r["printed"] for r in ran if r["source"] == "".join(checker["source"]))
            pattern = re.escape(PASSED).replace(re.escape("{n}"), r"\d+").replace(re.escape("{name}"), name)
            assert re.search(pattern, printed), f"{path.name}: the checker of {name} printed:\n{printed[-2000:]}"
            assert "✗" not in printed and "not written yet" not in printed, f"{path.name}: {name}:\n{printed}"
