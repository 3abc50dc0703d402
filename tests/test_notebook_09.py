"""Notebook 09 (the deep RNN): what the lesson relies on, tested here and not in the lesson."""

from pathlib import Path

from course_lib.checks import answers
from tests.tools.notebooks import code_cells, run_cells, stubs

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_deep_rnn.ipynb"


def _checker():
    return stubs(code_cells(NOTEBOOK))["stacked_forward"] + 1


def test_run_all_goes_on_with_the_stub_and_the_checker_says_not_written():
    _, printed, namespace = run_cells(NOTEBOOK)
    said = " ".join(printed[_checker()].split())
    assert "stacked_forward is not written yet" in said and "✗" not in said
    assert "runs" in namespace and len(namespace["runs"]) == 5  # the cells after the exercise ran


def test_the_answer_passes_in_the_notebook():
    import inspect

    source = "from course_lib.recurrent import run_forward\n" + inspect.getsource(answers.stacked_forward)
    _, printed, _ = run_cells(NOTEBOOK, {"stacked_forward": source}, until=_checker())
    assert "pass" in printed[_checker()] and "✗" not in printed[_checker()]


def test_the_explorer_is_the_grid_of_three_layers():
    _, _, namespace = run_cells(NOTEBOOK, until=_checker())
    grid = namespace["grid"]
    assert (grid.n_layers, grid.T_x, grid.layer, grid.t) == (3, 6, 2, 3)
    assert "a[2]⟨3⟩ = g(W_a[2] [a[2]⟨2⟩; a[1]⟨3⟩] + b_a[2])" in grid.explorer.figure_widget.layout.title.text
