"""Notebook 08 (the bidirectional RNN): the 王 task, the taggers and language models, the explorer.

The notebook's numbers are asserted in its cells (it runs under nbval and in the browser);
here: its exercise (the stub reported as not written, the answer passing), the 王 data,
the models' behaviour behind the notebook's claims, the shipped models against their
recipe, and the explorer's wiring.
"""

import ast
from pathlib import Path

import numpy as np
import pytest

from course_lib import bidirectional_tasks as tasks
from course_lib.bidirectional import bidirectional_forward
from course_lib.checks import answers
from course_lib.data import names
from course_lib.data.names import all_wang_sentences, wang_position, wang_tagging_examples
from course_lib.gradients import gradient_check
from course_lib.optim import gradient_pairs
from tests.tools.notebooks import code_cells, run_cells, stubs

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "08_bidirectional_rnn.ipynb"


# --- the exercise ----------------------------------------------------------------------


def _checker_of(name):
    return stubs(code_cells(NOTEBOOK))[name] + 1


def test_run_all_goes_on_with_the_stub_and_the_checker_says_not_written():
    _, printed, namespace = run_cells(NOTEBOOK, until=_checker_of("bidirectional_forward") + 2)
    said = " ".join(printed[_checker_of("bidirectional_forward")].split())
    assert "bidirectional_forward is not written yet" in said and "✗" not in said
    assert "a: (8, 3, 6)" in printed[-1]  # the cells after the exercise ran with the reference


def test_the_answer_passes_the_notebooks_checker_cell():
    _, printed, _ = run_cells(NOTEBOOK, {"bidirectional_forward": ast.unparse(ast.parse(
        "from course_lib.checks.answers import bidirectional_forward"))}, until=_checker_of("bidirectional_forward"))
    assert "pass" in printed[-1] and "✗" not in printed[-1]


def test_the_stub_has_the_reference_signature():
    code = code_cells(NOTEBOOK)
    function = next(node for node in ast.parse(code[stubs(code)["bidirectional_forward"]][0]).body
                    if isinstance(node, ast.FunctionDef))
    assert [a.arg for a in function.args.args] == ["x", "parameters_fwd", "parameters_bwd", "cell"]
    assert "(2 n_a, m, T_x)" in ast.get_docstring(function)
    assert answers.bidirectional_forward  # the teachers' answer the test above uses


# --- the 王 task -----------------------------------------------------------------------


def test_wang_examples_are_seeded_and_labelled_by_what_follows_wang():
    s1, l1, n1 = wang_tagging_examples(300, 5)
    s2, l2, n2 = wang_tagging_examples(300, np.random.default_rng(5))
    assert s1 == s2 and all(np.array_equal(a, b) for a, b in zip(l1, l2)) and np.array_equal(n1, n2)
    for s, y, is_name in zip(s1, l1, n1):
        t = wang_position(s)
        assert s[t] == "王" and y[t] == y[t + 1] == int(is_name)
        assert s[t + 1] in (names.NAME_GIVEN if is_name else names.WORD_SECOND)
        assert s[:t] in names.LEFT_CONTEXTS and s in all_wang_sentences()
    assert 0.4 < n1.mean() < 0.6


def test_the_tutorials_pair_is_in_the_task():
    assert {"他说,「王刚已经离开学校了」", "他说,「王府内已经没有差事可做了」"} <= all_wang_sentences()
    vocabulary = tasks.task_vocabulary()
    assert all(c in vocabulary for s in all_wang_sentences() for c in s)


@pytest.mark.parametrize("bad", [None, "王府", 0])
def test_wang_position_refuses_what_is_not_a_task_sentence(bad):
    with pytest.raises(ValueError, match="sentence"):
        wang_position(bad)


# --- the models --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["tagger", "lm"])
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_model_gradients_match_finite_differences(kind, cell, bidirectional):
    rng = np.random.default_rng(3)
    vocabulary = tasks.task_vocabulary()
    sentences, labels, _ = wang_tagging_examples(6, rng)
    sentences = [s for s in sentences if len(s) == len(sentences[0])][:3]
    labels = [np.zeros(len(s), int) + (np.arange(len(s)) % 2) for s in sentences]
    if kind == "tagger":
        batch, n_y, loss = tasks.tagging_batches(sentences, labels, vocabulary)[0], 1, tasks.tagger_loss_and_gradients
    else:
        batch, n_y, loss = tasks.language_model_batches(sentences, vocabulary)[0], vocabulary.n_x, \
            tasks.lm_loss_and_gradients
    model = tasks.initialize_model(vocabulary.n_x, 3, n_y, cell, bidirectional, rng, scale=0.5)
    _, gradients, _ = loss(model, batch, cell)
    for path, value, grad in gradient_pairs(model, gradients):
        part, key = path

        def f(theta, part=part, key=key):
            changed = {p: dict(v) for p, v in model.items()}
            changed[part][key] = theta
            return loss(changed, batch, cell)[0]

        # every entry of a small array; of a large input or output matrix (a column or row
        # per character) its 20 largest gradients and 20 others at random (the cells
        # themselves are checked entry by entry in tests/test_cells.py)
        flat = np.arange(value.size)
        if value.size > 60:
            largest = np.argsort(-np.abs(grad).ravel())[:20]
            flat = np.union1d(largest, rng.choice(np.setdiff1d(flat, largest), 20, replace=False))

        def f_entries(entries, f=f, value=value, flat=flat):
            theta = value.copy()
            theta.flat[flat] = entries
            return f(theta)

        assert gradient_check(f_entries, value.ravel()[flat], grad.ravel()[flat], epsilon=1e-5) < 1e-7, (part, key)


def test_a_unidirectional_model_never_depends_on_later_inputs_and_a_bidirectional_one_does():
    rng = np.random.default_rng(4)
    vocabulary = tasks.task_vocabulary()
    x = tasks.tagging_batches(["他说,「王刚已经离开学校了」"], [np.zeros(14, int)], vocabulary)[0][0]
    for cell in ("rnn", "gru", "lstm"):
        uni = tasks.input_dependence(tasks.initialize_model(vocabulary.n_x, 4, 1, cell, False, rng, 1.0), x, cell)
        bi = tasks.input_dependence(tasks.initialize_model(vocabulary.n_x, 4, 1, cell, True, rng, 1.0), x, cell)
        assert np.all(np.triu(uni, 1) == 0) and np.all(np.diag(uni) > 0)
        assert np.all(bi > 0)


def test_output_contributions_add_up_to_the_logit():
    rng = np.random.default_rng(5)
    vocabulary = tasks.task_vocabulary()
    x = tasks.tagging_batches(["他说,「王府里很安静」"], [np.zeros(11, int)], vocabulary)[0][0]
    model = tasks.initialize_model(vocabulary.n_x, 4, 1, "gru", True, rng, 1.0)
    from_fwd, from_bwd, by = tasks.output_contributions(model, x, "gru")
    np.testing.assert_allclose(from_fwd + from_bwd + by, tasks.model_logits(model, x, "gru")[0], atol=1e-12)
    with pytest.raises(ValueError, match="bidirectional"):
        tasks.output_contributions(tasks.initialize_model(vocabulary.n_x, 4, 1, "gru", False, rng), x, "gru")


def test_the_shipped_taggers_behave_as_the_notebook_says():
    vocabulary = tasks.task_vocabulary()
    sentences, labels, _ = wang_tagging_examples(400, 99)
    uni = tasks.tagger_accuracy(tasks.load_task_model("tagger", "rnn", False)[0], sentences, labels, vocabulary)
    assert 0.35 < uni["wang"] < 0.65 and uni["elsewhere"] > 0.98
    for cell in ("rnn", "gru", "lstm"):
        bi = tasks.tagger_accuracy(tasks.load_task_model("tagger", cell, True)[0], sentences, labels, vocabulary, cell)
        assert bi["wang"] > 0.98 and bi["elsewhere"] > 0.98


def test_the_shipped_taggers_are_what_the_recipe_trains():
    model, meta = tasks.train_task_model("tagger", "rnn", True)
    shipped, shipped_meta = tasks.load_task_model("tagger", "rnn", True)
    assert meta["recipe"] == shipped_meta["recipe"] == tasks.TAGGER_RECIPE
    for part in shipped:
        for key in shipped[part]:
            np.testing.assert_allclose(model[part][key], shipped[part][key], atol=1e-6)


def test_the_shipped_language_models_loss_and_samples():
    vocabulary = tasks.task_vocabulary()
    sentences, _, _ = wang_tagging_examples(300, 98)
    batches = tasks.language_model_batches(sentences, vocabulary)
    models = {bi: tasks.load_task_model("lm", "rnn", bi)[0] for bi in (False, True)}
    loss = {bi: tasks.lm_mean_loss(m, batches) for bi, m in models.items()}
    assert loss[True] < loss[False] / 50
    possible = all_wang_sentences()
    valid = {bi: np.mean([s in possible for s in tasks.sample_sentences(m, vocabulary, 40, 7)]) for bi, m in models.items()}
    assert valid[False] > 0.8 and valid[True] < 0.3


def test_sampling_is_seeded():
    model = tasks.load_task_model("lm", "rnn", False)[0]
    vocabulary = tasks.task_vocabulary()
    assert tasks.sample_sentences(model, vocabulary, 5, 3) == tasks.sample_sentences(model, vocabulary, 5, 3)


# --- the viz and the explorer ----------------------------------------------------------


def _sweeps(T=6, n_a=3):
    rng = np.random.default_rng(0)
    return np.tanh(rng.standard_normal((n_a, T))), np.tanh(rng.standard_normal((n_a, T))), rng.random(T)


def test_sweep_frame_covers_what_each_direction_has_not_read():
    from course_lib.viz import sweep_frame

    a_fwd, a_bwd, y = _sweeps()
    for t in range(6):
        shapes = sweep_frame(a_fwd, a_bwd, y, t)["layout"]["shapes"]
        assert (shapes[0]["x0"], shapes[0]["x1"]) == (t + 0.5, 5.5)      # a→: columns after t covered
        assert (shapes[2]["x0"], shapes[2]["x1"]) == (-0.5, t - 0.5)     # a←: columns before t covered
        colors = sweep_frame(a_fwd, a_bwd, y, t)["data"][2]["marker"]["color"]
        assert [i for i, c in enumerate(colors) if c != colors[(t + 1) % 6]] == [t]


@pytest.mark.parametrize("args, match", [
    ((np.zeros((3, 6)), np.zeros((3, 5)), np.zeros(6)), "a_bwd"),
    ((np.zeros((3, 6)), np.zeros((3, 6)), np.full(6, 2.0)), "y_hat"),
    ((np.zeros((3, 6)), np.zeros((3, 6)), np.zeros(5)), "y_hat"),
    ((np.full((3, 6), np.nan), np.zeros((3, 6)), np.zeros(6)), "a_fwd"),
])
def test_sweep_figure_refuses_bad_arrays(args, match):
    from course_lib.viz import sweep_figure

    with pytest.raises(ValueError, match=match):
        sweep_figure(*args)


def test_dependence_figure_leaves_zeros_white():
    from course_lib.viz import dependence_figure

    d = np.tril(np.ones((4, 4)))
    fig = dependence_figure([d, np.ones((4, 4))], ["uni", "bi"])
    assert fig.data[0].z[0][3] is None and fig.data[1].z[0][3] == 0.0
    with pytest.raises(ValueError, match="dependence"):
        dependence_figure([d, np.ones((3, 3))], ["uni", "bi"])


def _explorer(**kw):
    from course_lib.widgets import BidirectionalExplorer

    models = {cell: tasks.load_task_model("tagger", cell, True)[0] for cell in ("rnn", "gru", "lstm")}
    return BidirectionalExplorer("他说,「王刚已经离开学校了」", models, tasks.task_vocabulary(), **kw)


def test_the_explorer_steps_and_the_cell_dropdown_rebuilds_it():
    explorer = _explorer(t=4)
    assert "course-explorer" in explorer.explorer.widget._dom_classes and explorer.explorer.step == 4
    fig = explorer.explorer.figure_widget
    assert "王" in fig.layout.title.text and f"{explorer.y_hat[4]:.3f}" in fig.layout.title.text
    assert fig.layout.shapes[0].x0 == 4.5 and fig.layout.shapes[2].x1 == 3.5
    first = np.array(fig.data[0].z)
    explorer.cell_dropdown.value = "lstm"
    assert explorer.cell == "lstm" and explorer.explorer.step == 4 and "lstm" in fig.layout.title.text
    assert not np.allclose(np.array(fig.data[0].z), first)
    explorer.explorer.show(13)
    assert fig.layout.shapes[0].x0 == 13.5 and fig.layout.shapes[2].x1 == 12.5
    np.testing.assert_allclose(explorer.y_hat, 1 / (1 + np.exp(-(explorer.from_fwd + explorer.from_bwd + explorer.by))))


@pytest.mark.parametrize("kw, match", [({"cell": "transformer"}, "cell"), ({"t": 14}, "t must"), ({"t": True}, "t must")])
def test_the_explorer_refuses_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        _explorer(**kw)


def test_the_explorer_refuses_unidirectional_models():
    from course_lib.widgets import BidirectionalExplorer

    with pytest.raises(ValueError, match="bidirectional"):
        BidirectionalExplorer("他说,「王刚已经离开学校了」", {"rnn": tasks.load_task_model("tagger", "rnn", False)[0]},
                              tasks.task_vocabulary())


def test_bidirectional_forward_is_what_the_models_use():
    rng = np.random.default_rng(6)
    vocabulary = tasks.task_vocabulary()
    x = tasks.tagging_batches(["他说,「王府里很安静」"], [np.zeros(11, int)], vocabulary)[0][0]
    model = tasks.initialize_model(vocabulary.n_x, 4, 1, "lstm", True, rng, 1.0)
    h, _ = tasks.model_hidden_states(model, x, "lstm")
    assert np.array_equal(h, bidirectional_forward(x, model["fwd"], model["bwd"], "lstm")[0])
