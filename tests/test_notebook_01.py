"""Notebook 01 (the forward pass): what moved out of the lesson into tests.

The notebook's code cells are run here in one namespace, top to bottom, as Run All runs
them (without a kernel), with the exercise's stub as shipped, with a wrong answer and with
a right one: each run must go through, the checker must say what the learner needs, and
the explorer and figures the notebook builds are then checked for their wiring.
"""

import contextlib
import inspect
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib.viz import series_over_time
from course_lib.viz.rnn import forward_step_figure
from course_lib.viz.theme import COLORSCALES, NONNEGATIVE_COLORSCALE
from tests.tools.notebooks import run_cell

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_forward_pass.ipynb"
EXERCISE = "rnn_cell_forward"


def _cells():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return [("".join(c["source"]), c.get("metadata", {}).get("tags", []))
            for c in nb["cells"] if c["cell_type"] == "code"]


def _stub_index(cells):
    found = [i for i, (_, tags) in enumerate(cells) if "exercise" in tags]
    assert len(found) == 1, f"notebook 01 must hold one exercise cell, found {len(found)}"
    return found[0]


def run_notebook(stub_source=None):
    """Every code cell in order (the stub replaced by ``stub_source``); values, printed texts, namespace."""
    cells = _cells()
    stub = _stub_index(cells)
    namespace, values, printed = {"__name__": "__main__"}, [], []
    for i, (source, _) in enumerate(cells):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            values.append(run_cell(stub_source if i == stub and stub_source else source, namespace))
        printed.append(out.getvalue())
    return values, printed, namespace, stub


@pytest.fixture(scope="module")
def as_shipped():
    return run_notebook()


WRONG = '''
def rnn_cell_forward(xt, a_prev, parameters):
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt) + parameters["ba"]
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
'''


def test_run_all_goes_on_with_the_stub_and_the_checker_says_not_written_yet(as_shipped):
    values, printed, namespace, stub = as_shipped
    with pytest.raises(NotImplementedError):  # the stub is a stub ...
        namespace[EXERCISE](None, None, None)
    assert "not written yet" in printed[stub + 1]  # ... and its checker says so
    assert "uses the reference" in printed[stub + 1]
    assert values[stub + 1] is None  # nothing printed under the verdict


@pytest.mark.parametrize("answer", ["wrong", "right"])
def test_run_all_goes_on_with_a_wrong_and_a_right_answer(answer):
    from course_lib.checks import answers

    source = WRONG if answer == "wrong" else inspect.getsource(answers.rnn_cell_forward)
    values, printed, _, stub = run_notebook(source)
    verdict = printed[stub + 1]
    assert values[stub + 1] is None and "max difference" in verdict  # the table
    if answer == "wrong":
        assert re.search(r"^✗ .*a_next", verdict, re.MULTILINE), verdict  # which output is off
        assert "uses the reference" in verdict
    else:
        assert "pass" in verdict and "✗" not in verdict, verdict


def test_no_cell_after_the_stub_calls_the_learners_function():
    cells = _cells()
    stub = _stub_index(cells)
    bare = re.compile(rf"(?<![\w.]){EXERCISE}\(")  # rnn_cell_forward( not preceded by "rnn."
    calls = [i for i, (source, _) in enumerate(cells[stub + 2:], stub + 2) if bare.search(source)]
    assert not calls, f"code cells {calls} call the learner's {EXERCISE}: use rnn.{EXERCISE}"


def test_the_explorer_rewrites_its_figure_at_a_new_step(as_shipped):
    """Formerly an assert cell of the notebook."""
    forward = as_shipped[2]["forward"]
    figure = forward.explorer.figure_widget
    forward.explorer.show(0)
    before = (str(figure.data[2].y), figure.layout.shapes[0].x0)
    forward.explorer.show(4)
    assert (str(figure.data[2].y), figure.layout.shapes[0].x0) != before
    assert figure.layout.title.text.startswith("t = 5")
    forward.explorer.show(0)


def test_relu_gets_a_colour_scale_from_zero_and_tanh_keeps_the_symmetric_one(as_shipped):
    forward = as_shipped[2]["forward"]
    figure = forward.explorer.figure_widget
    heat = figure.data[0]
    try:
        forward.activation.value = "relu"
        values = np.array([[v for v in row] for row in heat.z], dtype=float)
        assert values.min() >= 0 and heat.zmin == 0 and heat.zmax >= values.max()
        assert [list(c) for c in heat.colorscale] == NONNEGATIVE_COLORSCALE
        assert tuple(figure.layout.yaxis2.range)[0] == 0  # the a<t-1> → a<t> bars start at 0 too
        forward.explorer.show(3)
        assert heat.zmin == 0  # a step keeps the scale
        forward.activation.value = "tanh"
        assert heat.zmin == -heat.zmax == -1.0
        assert heat.colorscale[0][1] == "rgb(5,48,97)"  # RdBu_r's bottom: the full signed scale
        low, high = figure.layout.yaxis2.range
        assert low == -high
    finally:
        forward.activation.value = "tanh"
        forward.explorer.show(0)


def test_the_nonnegative_scale_gives_each_value_the_colour_of_the_full_scale():
    from plotly.colors import get_colorscale

    full = dict((round(p, 12), c) for p, c in get_colorscale(COLORSCALES["signed"]))
    half = NONNEGATIVE_COLORSCALE
    assert half[0] == [0.0, full[0.5]] and half[-1] == [1.0, full[1.0]]
    for position, color in half:  # value v on [0, zmax] sits at (1 + v / zmax) / 2 on [-zmax, zmax]
        assert full[round((1 + position) / 2, 12)] == color


def test_forward_step_figure_refuses_negative_states_on_a_nonnegative_scale():
    a, a0, y = np.array([[0.5, -0.2]]), np.zeros(1), np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="a and a0 must be >= 0"):
        forward_step_figure(a, a0, y, ["1", "2"], ["no", "yes"], "", nonnegative=True)
    with pytest.raises(ValueError, match="nonnegative"):
        forward_step_figure(np.abs(a), a0, y, ["1", "2"], ["no", "yes"], "", nonnegative="yes")
    fig = forward_step_figure(np.abs(a), a0, y, ["1", "2"], ["no", "yes"], "", nonnegative=True)
    assert fig.data[0].zmin == 0 and fig.layout.yaxis2.range[0] == 0


def test_both_p_name_curves_are_visible_where_they_coincide(as_shipped):
    values = as_shipped[0]
    fig = values[-2]  # the last code cell before the self-check draws the two curves
    first, second = fig.data
    assert first.line.dash is None and second.line.dash == "dash"  # the later one dashed ...
    assert second.marker.symbol == "circle-open"  # ... with open markers: the first shows through
    y1, y2 = np.array(first.y, dtype=float), np.array(second.y, dtype=float)
    assert np.array_equal(y1[:5], y2[:5]) and y1[5] != y2[5]  # they coincide for t ≤ 5 only
    assert "dashed" in second.name  # the legend says which is which


def test_series_over_time_checks_its_dashes():
    series = {"a": [1.0, 2.0], "b": [1.0, 2.0]}
    with pytest.raises(ValueError, match=r"dashes names series that are not in series: \['c'\]"):
        series_over_time(series, dashes={"c": "dash"})
    with pytest.raises(ValueError, match=r"dashes\['b'\]"):
        series_over_time(series, dashes={"b": "dashed"})
    with pytest.raises(ValueError, match="dashes must be a dict"):
        series_over_time(series, dashes=["b"])
    plain = series_over_time(series)
    assert [t.line.dash for t in plain.data] == [None, None] and plain.data[1].marker.symbol is None
