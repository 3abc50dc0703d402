"""Notebook 02 (backpropagation through time): what moved out of the lesson into tests.

The explorer's wiring, built from the notebook's own cells; its title and labels fitting
the figure; the two exercises' stubs and the notebook's demonstration of the forgotten
path from t+1 against their checkers; the training curve's log axis labelled in full, and
the held-out loss drawn beside the training loss, on sentences no update saw.
"""

import ast
import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib.checks import CheckFailed, ExerciseNotWritten, check_rnn_backward, check_rnn_cell_backward
from tests.tools.notebooks import run_cell

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_bptt.ipynb"


def _cells():
    """id → source of every cell of the notebook."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return {cell["id"]: "".join(cell["source"]) for cell in nb["cells"]}, nb["cells"]


def _run(*cell_ids):
    """The namespace after executing the notebook's cells ``cell_ids`` in order."""
    sources, _ = _cells()
    namespace = {}
    for cell_id in cell_ids:
        exec(compile(sources[cell_id], f"02_bptt.ipynb:{cell_id}", "exec"), namespace)
    return namespace


def _function(cell_id, name, namespace):
    """Define only the function ``name`` of a cell (not the rest of the cell) in ``namespace``."""
    sources, _ = _cells()
    tree = ast.parse(sources[cell_id])
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    exec(compile(ast.Module(body=[node], type_ignores=[]), f"02_bptt.ipynb:{cell_id}", "exec"), namespace)
    return namespace[name]


@pytest.fixture(scope="module")
def tagger_explorer():
    """The notebook's BPTT explorer on 王刚和李明去上班了, built by the notebook's cells."""
    return _run("cell-01", "cell-03", "cell-17")


def test_the_explorer_steps_back_from_the_last_character(tagger_explorer):
    backward, steps = tagger_explorer["backward"], tagger_explorer["steps"]
    figure = backward.explorer.figure_widget
    assert figure.layout.title.text.startswith("t = 9 (了)")  # BPTT starts at the last step
    before = str(figure.data[0].y)
    backward.explorer.show(3)  # four steps back: t = 6
    assert str(figure.data[0].y) != before and figure.layout.title.text.startswith("t = 6 (去)")
    da_future = (steps.da_total - tagger_explorer["da_loss"])[:, 0, 5]
    assert np.allclose(figure.data[1].y, da_future) and np.abs(da_future).max() > 0
    assert list(figure.data[3].marker.line.width).index(3) == 5  # the norm bar of t = 6 outlined
    backward.explorer.show(0)
    assert np.allclose(figure.data[1].y, 0)  # the last step: nothing comes back from later


def test_the_explorers_title_fits_at_every_step_and_its_labels_stay_apart(tagger_explorer):
    explorer = tagger_explorer["backward"].explorer
    figure = explorer.figure_widget
    for k in range(explorer.n_steps):
        explorer.show(k)
        lines = [re.sub(r"<[^<>]*span[^<>]*>", "", line) for line in figure.layout.title.text.split("<br>")]
        # The figure is about 700 px wide; at the title's font a line of 60 characters takes ~540 px.
        assert len(lines) == 2 and all(len(line) <= 60 for line in lines), lines
    x_axis = figure.layout.xaxis2  # the norms' panel
    assert x_axis.tickangle == 0 and all("<br>" in label for label in figure.data[3].x)
    assert figure.layout.margin.t >= 80  # room for the two title lines above the subplot titles


def test_both_exercises_ship_as_stubs_that_the_checkers_report_as_not_written():
    namespace = _run("cell-01")
    for cell_id, name, checker in (("cell-25", "rnn_cell_backward", check_rnn_cell_backward),
                                   ("cell-19a", "rnn_backward", check_rnn_backward)):
        stub = _function(cell_id, name, namespace)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert checker(stub) is None
        assert "not written yet" in out.getvalue() and "the rest of the notebook uses the reference" in out.getvalue()
        with pytest.raises(ExerciseNotWritten):
            checker(stub, strict=True)


def test_the_notebooks_mistakes_get_their_own_hints():
    namespace = _run("cell-01")
    forgetting = _function("cell-20", "rnn_backward_forgetting_the_future", namespace)
    with pytest.raises(CheckFailed, match="path from t\\+1 is missing"):
        check_rnn_backward(forgetting, strict=True)
    with pytest.raises(CheckFailed, match="did you use a<t> instead of a<t-1>"):
        check_rnn_cell_backward(_function("cell-27", "dWaa_with_a_next", namespace), strict=True)
    with pytest.raises(CheckFailed, match="mistake is in dz.*tanh is applied twice"):
        check_rnn_cell_backward(_function("cell-27", "tanh_twice", namespace), strict=True)


def test_no_reference_of_the_exercises_is_shown_before_them_and_checks_are_tags():
    _, cells = _cells()
    ids = [cell["id"] for cell in cells]
    loop_exercise = ids.index("cell-19a")
    shown = [i for i, cell in enumerate(cells[:loop_exercise])
             if re.search(r"show_source\([\w.]*\b(rnn_backward|backprop_through_time|rnn_cell_backward)\b",
                          "".join(cell["source"]))]
    assert not shown, f"show_source of an exercise's reference before the BPTT loop exercise: cells {shown}"
    for cell in cells:
        assert "NBVAL_CHECK_OUTPUT" not in "".join(cell["source"])
    checked = [cell["id"] for cell in cells if "nbval-check-output" in cell.get("metadata", {}).get("tags", [])]
    assert checked == ["cell-27", "cell-21a"]


def test_the_training_curve_labels_its_log_ticks_in_full():
    from course_lib.viz import series_over_time

    losses = 0.7 * np.exp(-np.linspace(0, 6, 150))  # 0.7 → 0.0017: under three decades
    plain = series_over_time({"J": losses}, log_y=True)
    assert plain.layout.yaxis.tickvals is None  # the default keeps plotly's own ticks
    full = series_over_time({"J": losses}, log_y=True, full_log_labels=True).layout.yaxis
    inside = [text for value, text in zip(full.tickvals, full.ticktext) if losses.min() <= value <= losses.max()]
    assert full.type == "log" and inside == ["0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5"]
    assert np.allclose(full.tickvals, [float(t) for t in full.ticktext])  # each label is its value, in full
    short = series_over_time({"J": np.linspace(0.5, 0.25, 20)}, log_y=True, full_log_labels=True).layout.yaxis
    assert list(short.ticktext) == ["0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]  # within one decade: 1 … 9 × 10^k
    wide = series_over_time({"J": np.logspace(0, -6, 20)}, log_y=True, full_log_labels=True).layout.yaxis
    assert wide.dtick == 1 and wide.exponentformat == "power" and wide.tickvals is None
    with pytest.raises(ValueError, match="full_log_labels"):
        series_over_time({"J": losses}, log_y=True, full_log_labels="yes")


def test_the_training_curve_shows_the_held_out_loss_on_sentences_never_trained_on():
    namespace = _run("cell-01", "cell-03", "cell-28a", "cell-29")
    sources, _ = _cells()
    figure = run_cell(sources["cell-30"], namespace)
    training, held_out = namespace["training"], set(namespace["held_out_sentences"])
    assert held_out and not held_out & set(namespace["sentences"])  # no update saw them
    lines = {trace.name: trace for trace in figure.data}
    train_line = next(t for name, t in lines.items() if name.startswith("training"))
    held_line = next(t for name, t in lines.items() if name.startswith("held-out"))
    assert np.allclose(train_line.y, training.losses) and len(train_line.x) == 150
    assert list(held_line.x) == list(range(0, 151, 10)) and held_line.line.dash == "dash"
    assert np.allclose(held_line.y, training.held_out_losses)
    assert train_line.line.color == held_line.line.color  # one run, one colour
    # The held-out loss is measured on the held-out batch with the parameters of that step.
    assert np.isclose(namespace["held_out_loss"](training.parameters), training.held_out_losses[-1], rtol=1e-12)
    assert figure.layout.yaxis.type == "log" and figure.layout.yaxis.tickformat  # every tick in full
