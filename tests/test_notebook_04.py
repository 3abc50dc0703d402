"""Notebook 04 (language models and sampling): what moved out of the lesson into tests.

The explorer's wiring (moving the step rewrites the bars and the title; its controls draw the
sentence again as the prose says), the held-out curve of the short run, and the two
exercises as the notebook holds them: stubs with the references' signatures whose
checkers say "not written yet", an answer written as the notebook's instructions say
(and the teachers') passing, and no cell after an exercise calling the learner's
function instead of the course's.
"""

import contextlib
import inspect
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib import lm
from course_lib.checks import ExerciseNotWritten, answers, check_draw_token, check_sample_loop
from course_lib.data import EOS
from course_lib.models import default_model_path, load_model
from tests.tools.notebooks import code_cells

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_language_model_sampling.ipynb"
EXERCISES = {"draw_token": check_draw_token, "sample_indices": check_sample_loop}


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def _exercise_cells():
    """{function name: (cell index, source)} of the cells tagged ``exercise``."""
    found = {}
    for i, cell in enumerate(_cells()):
        if "exercise" in cell.get("metadata", {}).get("tags", []):
            name = re.search(r"^def (\w+)\(", _source(cell), re.MULTILINE).group(1)
            found[name] = (i, _source(cell))
    return found


def _stub(name):
    """The learner's function as the notebook ships it (its cell run in a namespace of its own)."""
    namespace = {"np": np, "lm": lm}
    exec(compile(_exercise_cells()[name][1], f"{NOTEBOOK.name}:{name}", "exec"), namespace)  # noqa: S102
    return namespace[name]


@pytest.fixture(scope="module")
def english_model():
    model = load_model(default_model_path("agreement"))
    return model.parameters, model.vocabulary


def _code_cell(fragment):
    """The source of the one code cell holding ``fragment``."""
    found = [_source(c) for c in _cells() if c["cell_type"] == "code" and fragment in _source(c)]
    assert len(found) == 1, f"{len(found)} code cells hold {fragment!r}"
    return found[0]


def test_the_notebooks_explorer_is_built_from_the_model_with_its_controls():
    explorer_cell = _code_cell("SamplingExplorer.from_model")
    assert "SamplingExplorer.from_model(*english_lm, seed=7)" in explorer_cell
    assert explorer_cell.rstrip().endswith("sampling")  # shown by the cell
    headings = [i for i, c in enumerate(_cells()) if c["cell_type"] == "markdown"
                and re.search(r"^### (Temperature|Top-k|The sampling explorer)", _source(c), re.MULTILINE)]
    explorer_at = next(i for i, c in enumerate(_cells()) if "SamplingExplorer.from_model" in _source(c))
    assert len(headings) == 3 and max(headings) < explorer_at, "τ, top-k and top-p are taught before the explorer"


def test_sampling_explorer_rewrites_the_bars_and_title_when_the_step_changes(english_model):
    from course_lib.viz.theme import HIGHLIGHT
    from course_lib.widgets import SamplingExplorer

    drawn = lm.sample(*english_model, rng=np.random.default_rng(7))  # the notebook's sample
    assert np.allclose(drawn.distributions.sum(axis=0), 1.0)
    for sampling in (SamplingExplorer(drawn, english_model[1]), SamplingExplorer.from_model(*english_model, seed=7)):
        assert sampling.result.tokens == drawn.tokens
        figure = sampling.explorer.figure_widget
        shown = []
        for t in range(len(drawn.tokens)):
            sampling.explorer.show(t)
            bars = figure.data[0]
            assert bars.marker.color[list(bars.x).index(drawn.tokens[t])] == HIGHLIGHT  # the token drawn, in red
            assert f"t = {t + 1}:" in figure.layout.title.text
            shown.append((tuple(bars.x), figure.layout.title.text))
        assert len(set(shown)) == len(shown), "two steps showed the same bars and title"
        sampling.explorer.show(0)
        assert (tuple(figure.data[0].x), figure.layout.title.text) == shown[0]


def test_the_explorer_does_what_its_prose_says(english_model):
    """Drag τ; top-k = 1 is the greedy sentence; a lower top-p keeps fewer tokens; the prefix The cats."""
    from course_lib.widgets import SamplingExplorer

    sampling = SamplingExplorer.from_model(*english_model, seed=7)
    figure = sampling.explorer.figure_widget
    sampling.explorer.show(1)  # after "The": the model hesitates among the nouns
    assert sampling.result.tokens[0] == "The"
    top = {}
    for tau in (0.5, 1.0, 2.0):
        sampling.temperature_slider.value = tau
        assert f"τ = {tau:.2f}" in figure.layout.title.text and sampling.result.tokens[0] == "The"
        top[tau] = max(figure.data[0].y)
    assert top[0.5] > top[1.0] > top[2.0]  # below 1 the tallest bar grows; above, the bars flatten
    sampling.temperature_slider.value = 1.0
    kept = {}
    for p in (0.9, 0.5, 0.1):
        sampling.top_p_slider.value = p
        kept[p] = np.count_nonzero(figure.data[0].y)
        assert f"top-p = {p:g}" in figure.layout.title.text
    assert kept[0.9] > kept[0.5] > 1 and kept[0.1] == 1
    sampling.top_p_slider.value = 1.0  # off
    sampling.temperature_slider.value = 3.0
    sampling.top_k_slider.value = 1
    assert sampling.result.text == lm.sample(*english_model, rng=None, greedy=True).text  # greedy, whatever τ
    assert np.all(sampling.result.distributions.max(axis=0) == 1.0)
    sampling.top_k_slider.value = 0  # off
    sampling.temperature_slider.value = 1.0
    sampling.prefix_box.value = "The cats"
    assert " were " in sampling.result.text


def test_the_short_runs_curve_shows_the_held_out_loss():
    from tests.tools.notebooks import run_cells

    training = next(i for i, (source, _) in enumerate(code_cells(NOTEBOOK)) if "short_run = train_language_model" in source)
    assert "held_out=unseen" in code_cells(NOTEBOOK)[training][0]
    values, _, namespace = run_cells(NOTEBOOK, until=training + 1)  # through the cell that draws the curve
    figure, run = values[training + 1], namespace["short_run"]
    held_out = [trace for trace in figure.data if "held-out" in (trace.name or "")]
    training_line = [trace for trace in figure.data if (trace.name or "").startswith("training")]
    assert len(held_out) == 1 and len(training_line) == 1
    assert list(held_out[0].x) == run.held_out_steps.tolist() and len(run.held_out_steps) > 5
    np.testing.assert_allclose(held_out[0].y, run.held_out_losses)
    np.testing.assert_allclose(training_line[0].y, run.losses)
    assert not set(namespace["unseen"]) & set(namespace["english"])  # held out: never trained on


def test_the_notebook_holds_both_exercises_as_stubs_with_the_references_signatures():
    cells = _exercise_cells()
    assert set(cells) == set(EXERCISES)
    assert cells["draw_token"][0] < cells["sample_indices"][0]
    for name in EXERCISES:
        stub = _stub(name)
        assert inspect.signature(stub) == inspect.signature(getattr(answers, name))
        assert list(inspect.signature(stub).parameters) == list(inspect.signature(getattr(lm, name)).parameters)
        with pytest.raises(NotImplementedError):
            stub(*([None] * len(inspect.signature(stub).parameters)))


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_stub_is_not_written_yet_and_the_notebook_goes_on(name):
    check = EXERCISES[name]
    with pytest.raises(ExerciseNotWritten):
        check(_stub(name), strict=True)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert check(_stub(name)) is None
    assert "not written yet" in printed.getvalue() and "uses the reference" in printed.getvalue()


# Written as the notebook's instructions say: the names its setup cell imports, lm.draw_token to draw.
LEARNER = """
def draw_token(y_hat, rng):
    return int(np.searchsorted(np.cumsum(y_hat), rng.random(), side="right"))  # the cumulative-sum way

def sample_indices(parameters, rng, eos, max_length=50):
    a = np.zeros((parameters["Waa"].shape[0], 1))
    x = np.zeros((parameters["Wax"].shape[1], 1))
    indices = []
    while len(indices) < max_length:
        a, z = lm.lm_step(parameters, a, x)
        y_hat = softmax(z)
        i = lm.draw_token(y_hat[:, 0], rng)
        indices.append(i)
        if i == eos:
            break
        x = np.zeros_like(x)
        x[i] = 1.0
    return indices
"""


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_an_answer_that_follows_the_notebooks_instructions_passes(name):
    from course_lib.activations import softmax

    namespace = {"np": np, "lm": lm, "softmax": softmax}
    exec(compile(LEARNER, "learner", "exec"), namespace)  # noqa: S102
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        EXERCISES[name](namespace[name])
    assert "cases pass" in printed.getvalue() and "✗" not in printed.getvalue(), printed.getvalue()
    assert EXERCISES[name](getattr(answers, name), verbose=False, strict=True)  # and the teachers' answer


def test_after_each_exercise_only_its_checker_calls_the_learners_function():
    cells = _cells()
    for name, (i, _) in _exercise_cells().items():
        bare = re.compile(rf"(?<![\w.]){name}\(")
        callers = [j for j, cell in enumerate(cells[i + 1:], i + 1)
                   if cell["cell_type"] == "code" and "exercise" not in cell.get("metadata", {}).get("tags", [])
                   and bare.search(re.sub(r"check_\w+\(\s*\w+\s*\)", "", _source(cell)))]
        assert not callers, f"cells {callers} call the learner's {name} (use lm.{name}, the reference)"


def test_the_sampling_loop_reference_draws_what_sample_draws(english_model):
    parameters, vocabulary = english_model
    for seed in range(5):
        assert lm.sample_indices(parameters, seed, vocabulary.index(EOS)) == lm.sample(*english_model, rng=seed).indices.tolist()
