"""Notebook 06 (the GRU): what the lesson relies on, tested here and not in the lesson.

Its two exercises (stubs reported as not written, a learner's wrong answers diagnosed,
the answers passing, Run All going on whatever the stubs hold), the gate explorer's
wiring for the GRU and for any other cell, the gate figures' shapes, colours and bad
input, and the backward checker's diagnosis naming exactly the gradients a slip spoils.
"""

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from course_lib import gru
from course_lib.checks import answers
from course_lib.checks import gru as gru_tables
from course_lib.lstm import initialize_lstm_parameters, lstm_forward
from course_lib.rnn import initialize_rnn_parameters, rnn_forward
from course_lib.viz.gates import (
    FIELD_NAMES,
    gate_frame,
    gate_heatmaps,
    gate_histogram,
    neuron_coloring,
    step_values,
    unit_lines,
)
from course_lib.viz.theme import COLORSCALES, GATE_COLORS, HIGHLIGHT
from course_lib.widgets import GateExplorer
from tests.tools.notebooks import cells as notebook_cells
from tests.tools.notebooks import code_cells, stubs
from tests.tools.notebooks import run_cells as run_notebook_cells

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06_gru.ipynb"
EXERCISES = ("gru_cell_forward", "gru_cell_backward")


def _cells():
    return notebook_cells(NOTEBOOK)


def _code_cells():
    return code_cells(NOTEBOOK)


def run_cells(replace=None, until=None):
    return run_notebook_cells(NOTEBOOK, replace, until)


@pytest.fixture(scope="module")
def as_shipped():
    return run_cells()


def _checker_of(cells, name):
    return stubs(cells)[name] + 1


# ---------------------------------------------------------------------------------------
# The exercises
# ---------------------------------------------------------------------------------------


def test_run_all_goes_on_with_the_stubs_and_both_checkers_say_not_written(as_shipped):
    values, printed, namespace = as_shipped
    cells = _code_cells()
    for name in EXERCISES:
        said = " ".join(printed[_checker_of(cells, name)].split())
        assert f"{name} is not written yet" in said and f"uses the reference {name} from course_lib.gru" in said
        assert "✗" not in said and "Traceback" not in said
    assert isinstance(namespace["explorer"], GateExplorer)  # the last cells ran too
    assert values[-1] is None or not isinstance(values[-1], Exception)


def test_the_stubs_have_the_reference_signatures_and_say_what_to_return():
    cells = _code_cells()
    for name, index in stubs(cells).items():
        function = next(node for node in ast.parse(cells[index][0]).body if isinstance(node, ast.FunctionDef))
        reference = getattr(gru, name)
        expected = [p for p in inspect.signature(reference).parameters if p != "variant"]
        assert [a.arg for a in function.args.args] == expected
        doc = ast.get_docstring(function)
        assert "Returns" in doc and "(n_a, m)" in doc
    forward_doc = ast.get_docstring(next(node for node in ast.parse(cells[stubs(cells)["gru_cell_forward"]][0]).body
                                         if isinstance(node, ast.FunctionDef)))
    assert 'GRUCache(c_next, c_prev, xt, gamma_r, gamma_u, c_tilde, parameters, "full")' in forward_doc


def test_the_exercises_come_in_order_and_no_cell_after_a_stub_calls_the_learners_function():
    cells = _code_cells()
    found = stubs(cells)
    assert found["gru_cell_forward"] < found["gru_cell_backward"]
    for name, index in found.items():
        for source, _ in cells[index + 2:]:
            assert not re.search(rf"(?<![.\w]){name}\(", source), f"a cell after the checker calls the learner's {name}"


LEARNER_FORWARD_OTHER_WAY = '''
def gru_cell_forward(xt, c_prev, parameters):
    p = parameters
    concat = np.concatenate([c_prev, xt])
    gamma_r = 1 / (1 + np.exp(-(p["Wr"] @ concat + p["br"])))
    gamma_u = 1 / (1 + np.exp(-(p["Wu"] @ concat + p["bu"])))
    c_tilde = np.tanh(p["Wc"] @ np.concatenate([gamma_r * c_prev, xt]) + p["bc"])
    c_next = (1 - gamma_u) * c_tilde + gamma_u * c_prev
    z = p["Wy"] @ c_next + p["by"]
    yt_pred = np.exp(z) / np.exp(z).sum(axis=0)
    return c_next, yt_pred, GRUCache(c_next, c_prev, xt, gamma_r, gamma_u, c_tilde, parameters, "full")
'''

LEARNER_BACKWARD_NO_TANH_PRIME = '''
def gru_cell_backward(dc_next, cache):
    p, c_prev, xt = cache.parameters, cache.c_prev, cache.xt
    gr, gu, ct = cache.gamma_r, cache.gamma_u, cache.c_tilde
    n_a = c_prev.shape[0]
    dz_c = dc_next * gu                                   # tanh' forgotten
    dz_u = dc_next * (ct - c_prev) * gu * (1 - gu)
    d_reset = p["Wc"][:, :n_a].T @ dz_c
    dz_r = d_reset * c_prev * gr * (1 - gr)
    concat = np.concatenate([c_prev, xt])
    return {"dxt": p["Wr"][:, n_a:].T @ dz_r + p["Wu"][:, n_a:].T @ dz_u + p["Wc"][:, n_a:].T @ dz_c,
            "dc_prev": dc_next * (1 - gu) + d_reset * gr + p["Wu"][:, :n_a].T @ dz_u + p["Wr"][:, :n_a].T @ dz_r,
            "dWr": dz_r @ concat.T, "dbr": dz_r.sum(axis=1, keepdims=True),
            "dWu": dz_u @ concat.T, "dbu": dz_u.sum(axis=1, keepdims=True),
            "dWc": dz_c @ np.concatenate([gr * c_prev, xt]).T, "dbc": dz_c.sum(axis=1, keepdims=True)}
'''


def test_a_learners_wrong_answers_get_their_diagnosis_and_the_notebook_goes_on():
    cells = _code_cells()
    last_checker = _checker_of(cells, "gru_cell_backward")
    _, printed, _ = run_cells({"gru_cell_forward": LEARNER_FORWARD_OTHER_WAY,
                               "gru_cell_backward": LEARNER_BACKWARD_NO_TANH_PRIME}, until=last_checker)
    forward = " ".join(printed[_checker_of(cells, "gru_cell_forward")].split())
    assert "✗ [general] c_next is off: the update is the other way round" in forward
    assert forward.endswith("The rest of the notebook uses the reference gru_cell_forward.")
    backward = " ".join(printed[last_checker].split())
    assert "the mistake is in dz_c = dc~ * (1 − c~²)" in backward and "tanh' = 1 − c~² is missing" in backward
    assert "Traceback" not in forward + backward


def test_the_answers_in_the_stubs_pass_and_the_rest_of_the_notebook_runs():
    cells = _code_cells()
    replace = {name: inspect.getsource(getattr(answers, name)) for name in EXERCISES}
    _, printed, namespace = run_cells(replace, until=_checker_of(cells, "gru_cell_backward") + 3)
    for name in EXERCISES:
        assert f"your {name} matches the reference" in printed[_checker_of(cells, name)]
    assert namespace["gradients"]["dWc"].shape == namespace["p"]["Wc"].shape


def _gradients_that_differ(mistake, case):
    right = gru.gru_cell_backward(*case.args)
    wrong = gru_tables._backward(*case.args, slip=mistake.wrong.slip)
    return {k for k in right
            if right[k].shape != np.shape(wrong[k]) or not np.allclose(right[k], wrong[k], rtol=1e-7, atol=1e-10)}


@pytest.mark.parametrize("index", range(len(gru_tables.BACKWARD_MISTAKES)))
def test_each_backward_mistake_lists_exactly_the_gradients_its_slip_spoils(index):
    # so that "dWc, dbc ... are off, while dWu and dbu are right" is what the learner's result shows
    mistake = gru_tables.BACKWARD_MISTAKES[index]
    general = next(gru_tables.backward_cases())
    assert _gradients_that_differ(mistake, general) == set(mistake.output), mistake.hint


def test_the_tables_own_backward_is_the_librarys():
    for case in gru_tables.backward_cases():
        right, ours = gru.gru_cell_backward(*case.args), gru_tables._backward(*case.args)
        for k in right:
            np.testing.assert_allclose(ours[k], right[k], rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------
# The gate explorer
# ---------------------------------------------------------------------------------------


def _gru_caches(seed=0, m=2, T=6, n_a=5, n_x=3):
    rng = np.random.default_rng(seed)
    p = gru.initialize_gru_parameters(n_x, n_a, None, rng, scale=0.8)
    return gru.gru_forward(rng.standard_normal((n_x, m, T)), np.zeros((n_a, m)), p)[2]


def _shapes_at(figure):
    return [(s.x0, s.x1, s.y0, s.y1) for s in figure.layout.shapes]


def test_the_explorer_moves_its_outlines_and_title_and_follows_the_unit():
    caches = _gru_caches()
    tokens = ["∅", "The", "cats", ",", "which", "slept"]
    explorer = GateExplorer(caches, tokens[:5], example=1, unit=2)
    assert "course-explorer" in explorer.explorer.widget._dom_classes
    assert list(explorer.values) == ["Γu", "Γr", "c~", "c"]
    figure = explorer.explorer.figure_widget
    heatmaps = [t for t in figure.data if t.type == "heatmap"]
    assert len(heatmaps) == 4 and np.shape(heatmaps[0].z) == (5, 5)  # n_a × the 5 steps shown, not T_x = 6
    np.testing.assert_allclose(heatmaps[0].z, caches.stacked.gamma_u[:, 1, :5])
    before = _shapes_at(figure)
    explorer.explorer.show(3)
    after = _shapes_at(figure)
    assert before != after and after[0][:2] == (2.5, 3.5)  # the step outline moved to t = 3
    assert "t = 4, reading ‘,’" in figure.layout.title.text and "unit 2: Γu = " in figure.layout.title.text
    lines = [t for t in figure.data if t.type == "scatter"]
    np.testing.assert_allclose(lines[3].y, caches.state("c")[2, 1, :5])
    explorer.unit_slider.value = 4  # another unit: its lines, its row outlined, the step kept
    lines = [t for t in figure.data if t.type == "scatter"]
    np.testing.assert_allclose(lines[0].y, caches.stacked.gamma_u[4, 1, :5])
    assert explorer.explorer.step == 3 and "unit 4:" in figure.layout.title.text
    row = [s for s in figure.layout.shapes if s.line.dash == "dot"][0]
    assert (row.y0, row.y1) == (3.5, 4.5)
    snapshot = explorer.snapshot()
    assert isinstance(snapshot, go.Figure) and len(snapshot.frames) == 5


def test_the_explorer_works_for_the_lstm_and_the_rnn_from_their_step_fields():
    rng = np.random.default_rng(3)
    p = initialize_lstm_parameters(3, 4, None, rng, scale=0.8)
    _, _, _, caches = lstm_forward(rng.standard_normal((3, 2, 5)), np.zeros((4, 2)), p)
    explorer = GateExplorer(caches, list("abcde"), unit=3)
    assert list(explorer.values) == ["Γf", "Γu", "c~", "Γo", "c", "a"]
    assert sum(t.type == "heatmap" for t in explorer.explorer.figure_widget.data) == 6
    chosen = GateExplorer(caches, list("abc"), fields=["gamma_o", "a_next"])
    assert list(chosen.values) == ["Γo", "a"]
    p = initialize_rnn_parameters(3, 4, None, rng)
    _, _, caches = rnn_forward(rng.standard_normal((3, 1, 4)), np.zeros((4, 1)), p)
    assert list(GateExplorer(caches, list("abcd")).values) == ["a"]


def test_the_explorer_refuses_what_it_cannot_show():
    caches = _gru_caches()
    with pytest.raises(ValueError, match="tokens"):
        GateExplorer(caches, list("abcdefg"))  # longer than T_x = 6
    with pytest.raises(ValueError, match="tokens"):
        GateExplorer(caches, "abc")
    with pytest.raises(ValueError, match="unit"):
        GateExplorer(caches, list("abc"), unit=5)
    with pytest.raises(ValueError, match="example"):
        GateExplorer(caches, list("abc"), example=2)
    with pytest.raises(ValueError, match="fields"):
        GateExplorer(caches, list("abc"), fields=["gamma_f"])
    with pytest.raises(ValueError, match="caches"):
        GateExplorer({"c": np.zeros((5, 2, 6))}, list("abc"))


def test_the_notebooks_explorer_starts_on_the_number_unit(as_shipped):
    _, _, namespace = as_shipped
    explorer = namespace["explorer"]
    assert explorer.unit == namespace["number_unit"] and explorer.tokens[0] == "∅"
    assert explorer.tokens[1:] == namespace["batch"].tokens[namespace["example"]][:-1]  # up to ".", no <EOS>
    assert len(explorer.explorer.figure_widget.layout.title.text.split("<br>")) == 2  # two short lines


# ---------------------------------------------------------------------------------------
# The gate figures
# ---------------------------------------------------------------------------------------


def _values(n_a=4, T=6, seed=0):
    rng = np.random.default_rng(seed)
    return {"Γu": rng.random((n_a, T)), "Γr": rng.random((n_a, T)), "c~": np.tanh(rng.standard_normal((n_a, T))),
            "c": np.tanh(rng.standard_normal((n_a, T)))}


def test_each_gate_has_its_colour_and_the_states_the_signed_scale():
    fig = gate_heatmaps(_values(), t=2)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert [h.colorbar.title.text for h in heatmaps] == ["Γu", "Γr", "c~", "c"]
    for heat, name in zip(heatmaps[:2], ("Γu", "Γr")):
        assert heat.colorscale[0][1] == "#ffffff" and heat.colorscale[-1][1] == GATE_COLORS[name]
        assert (heat.zmin, heat.zmax) == (0.0, 1.0)
    signed = go.Heatmap(colorscale=COLORSCALES["signed"]).colorscale
    for heat in heatmaps[2:]:
        assert heat.colorscale == signed and (heat.zmin, heat.zmax) == (-1.0, 1.0)
    assert "c~" in GATE_COLORS and len(set(GATE_COLORS.values())) == len(GATE_COLORS)  # one colour each


def test_the_step_is_outlined_in_every_heatmap_and_the_unit_in_its_row():
    values = _values()
    fig = gate_heatmaps(values, t=2, unit=1, step_labels=[f"{i} w" for i in range(6)])
    outlines = [s for s in fig.layout.shapes if s.line.color == HIGHLIGHT]
    assert len(outlines) == 4 and {s.xref for s in outlines} == {"x", "x2", "x3", "x4"}
    assert all((s.x0, s.x1) == (1.5, 2.5) for s in outlines)
    rows = [s for s in fig.layout.shapes if s.line.dash == "dot"]
    assert len(rows) == 4 and all((s.y0, s.y1) == (0.5, 1.5) for s in rows)
    assert sum(t.type == "scatter" for t in fig.data) == 4  # the unit's panel: one line per quantity
    frame = gate_frame(values, 5, unit=1, title="five")
    assert frame["layout"]["title"]["text"] == "five" and frame["layout"]["shapes"][0]["x0"] == 4.5
    assert len(gate_heatmaps(values).layout.shapes) == 4  # no unit: the step outlines only, no lines
    assert fig.layout.height > gate_heatmaps(values).layout.height


def test_gate_figures_refuse_bad_input():
    values = _values()
    with pytest.raises(ValueError, match="Γu"):
        gate_heatmaps({**values, "Γu": values["Γu"] + 1.0})  # a gate above 1
    with pytest.raises(ValueError, match="shape"):
        gate_heatmaps({**values, "c": np.zeros((4, 5))})
    with pytest.raises(ValueError, match="unit"):
        gate_heatmaps(values, unit=4)
    with pytest.raises(ValueError, match="values"):
        gate_heatmaps({})
    with pytest.raises(ValueError, match="NaN|finite"):
        gate_heatmaps({**values, "c": np.full((4, 6), np.nan)})
    with pytest.raises(ValueError, match="t"):
        gate_frame(values, 6)
    with pytest.raises(ValueError, match="unit"):
        unit_lines(values, None)


def test_neuron_coloring_writes_the_tokens_in_their_cells():
    fig = neuron_coloring([["The", "cat"], ["The", "cats", ","]], [np.array([0.1, -0.5]), np.array([0.2, 0.9, 2.0])],
                          row_labels=["singular", "plural"])
    assert len(fig.data) == 2 and [list(row) for row in fig.data[1].text] == [["The", "cats", ","]]
    assert "plural" in fig.data[1].hovertemplate
    np.testing.assert_allclose(fig.data[1].z, [[0.2, 0.9, 2.0]])
    widths = np.diff(fig.data[1].x)
    assert widths[1] > widths[0] > widths[2]  # each token's cell as wide as its text
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-2.0, 2.0)
    assert all(trace.coloraxis == "coloraxis" for trace in fig.data)  # one scale for every row
    with pytest.raises(ValueError, match="values"):
        neuron_coloring([["a", "b"]], [np.zeros(3)])
    with pytest.raises(ValueError, match="tokens"):
        neuron_coloring(["ab"], [np.zeros(2)])


def test_the_histogram_shows_shares_that_add_up_to_one():
    rng = np.random.default_rng(1)
    fig = gate_histogram({"trained": rng.random(500), "before": np.full(10, 0.5)}, bins=10)
    assert len(fig.data) == 2 and all(np.isclose(sum(bar.y), 1.0) for bar in fig.data)
    assert len(fig.layout.shapes) == 2  # the bands near 0 and near 1
    with pytest.raises(ValueError, match="values"):
        gate_histogram({"bad": np.array([1.5])})


def test_step_values_reads_the_cells_fields_gates_first():
    caches = _gru_caches()
    values = step_values(caches, example=1, steps=4)
    assert list(values) == ["Γu", "Γr", "c~", "c"] and values["c"].shape == (5, 4)
    np.testing.assert_array_equal(values["Γr"], caches.stacked.gamma_r[:, 1, :4])
    assert set(FIELD_NAMES.values()) >= set(values)
    with pytest.raises(ValueError, match="steps"):
        step_values(caches, steps=7)


# ---------------------------------------------------------------------------------------
# What the notebook promises
# ---------------------------------------------------------------------------------------


def test_the_chinese_names_come_at_first_use_and_the_tutorials_wording_is_corrected():
    text = "\n".join(source for source, _, kind in _cells() if kind == "markdown")
    for name in ("门控循环单元", "记忆细胞", "候选值", "更新门", "相关门", "重置门"):
        assert name in text, name
    assert "the relevance of" in text and "how much of $c^{\\langle t-1 \\rangle}$ enters the candidate" in text


def test_the_setup_cell_holds_the_retrain_flag_off_and_the_one_rng():
    setup = _code_cells()[0][0]
    assert "RETRAIN = False" in setup and setup.count("default_rng(") == 1


def test_the_retrain_branch_builds_the_model_the_notebook_reads():
    from course_lib.models import DEFAULTS, SavedModel, train_default

    from course_lib.models import default_model_path, load_model

    result, vocabulary, _, final_loss, metadata = train_default("agreement_long_gru", steps=2, progress=False)
    model = SavedModel(result.parameters, vocabulary, final_loss, metadata, "gru")  # the notebook's RETRAIN branch
    for key in ("n_sentences", "min_filler", "max_filler", "steps", "seed", "init_scale"):
        assert key in model.metadata
    baseline = load_model(default_model_path("agreement_long")).metadata
    assert {k for k in DEFAULTS["agreement_long_gru"] if model.metadata.get(k) != baseline.get(k)} == {"cell", "steps"}
