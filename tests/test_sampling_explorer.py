"""The sampling explorer with controls (notebook 04), tested without a browser.

The logic (``sampling_steps``: draw again with a seed and settings, and what each token
was drawn from before the cut) against ``lm``; the widget's wiring: a control rewrites
the one FigureWidget, the step slider follows the sentence's length, top-k = 1 is
greedy, a lower top-p keeps fewer tokens, and nothing warns.
"""

import json
import warnings

import numpy as np
import pytest

from course_lib import lm
from course_lib.data import Vocabulary
from course_lib.models import default_model_path, load_model
from course_lib.recurrent import get_cell
from course_lib.viz.lm import sampling_step_figure, sampling_step_frame
from course_lib.viz.theme import HIGHLIGHT
from course_lib.widgets import SamplingExplorer
from course_lib.widgets.sampling import sampling_steps

SENTENCES = ["the cat was full .", "the cats were full .", "the dog , which ate , was tired .",
             "the dogs , which slept , were happy ."]


@pytest.fixture(scope="module")
def tiny():
    """A small random language model: spread-out distributions, so every cut removes something."""
    vocabulary = Vocabulary.build(SENTENCES, "word")
    n_y = len(vocabulary)
    parameters = get_cell("rnn").initialize(n_y, 6, n_y, np.random.default_rng(3), 0.8)
    return parameters, vocabulary


@pytest.fixture(scope="module")
def english():
    model = load_model(default_model_path("agreement"))
    return model.parameters, model.vocabulary


def _bars(explorer):
    figure = explorer.explorer.figure_widget
    return figure.data[0], figure.data[1], figure.layout.title.text


def _json_safe(fig):
    json.dumps(fig.to_plotly_json(), allow_nan=False, default=lambda o: None)


# --- the logic: sampling_steps ---------------------------------------------------------------


@pytest.mark.parametrize("settings", [dict(), dict(temperature=0.3), dict(temperature=2.5, top_k=3),
                                      dict(top_p=0.5), dict(temperature=1.7, top_k=5, top_p=0.8, prefix="the dogs")])
def test_sampling_steps_draws_what_lm_sample_draws_and_again_the_same(tiny, settings):
    steps = sampling_steps(*tiny, seed=5, max_length=12, **settings)
    again = sampling_steps(*tiny, seed=5, max_length=12, **settings)
    reference = lm.sample(*tiny, rng=5, max_length=12, **settings)
    assert steps.result.tokens == again.result.tokens == reference.tokens
    assert np.array_equal(steps.result.distributions, reference.distributions)
    assert np.array_equal(steps.before_cut, again.before_cut)
    assert steps.prefix_indices == tiny[1].encode(settings.get("prefix", ""))


@pytest.mark.parametrize("top_k, top_p", [(None, None), (1, None), (3, None), (None, 0.5), (5, 0.7)])
def test_before_cut_is_what_each_token_was_drawn_from_before_top_k_and_top_p(tiny, top_k, top_p):
    tau = 1.4
    steps = sampling_steps(*tiny, seed=2, temperature=tau, top_k=top_k, top_p=top_p, prefix="the", max_length=10)
    before, after = steps.before_cut, steps.result.distributions
    assert before.shape == after.shape and np.allclose(before.sum(axis=0), 1.0)
    assert np.all(before > 0)  # a softmax at τ: every token has some probability before the cut
    for t in range(after.shape[1]):
        np.testing.assert_allclose(lm.truncate_distribution(before[:, t], top_k, top_p), after[:, t], atol=1e-12)
    # Step 1 read only the prefix: its distribution is next_token_distribution's, computed another way.
    np.testing.assert_allclose(before[:, 0], lm.next_token_distribution(*tiny, prefix="the", temperature=tau),
                               atol=1e-12)
    if top_k == 1:
        assert np.all(np.count_nonzero(after, axis=0) == 1)
    if top_k is not None or top_p is not None:
        assert np.count_nonzero(after) < np.count_nonzero(before), "the cut removed no token"


def test_sampling_steps_refuses_bad_input_naming_the_argument(tiny):
    parameters, vocabulary = tiny
    for kwargs, name in ((dict(vocabulary=list(vocabulary.tokens)), "vocabulary"), (dict(seed=-1), "seed"),
                         (dict(seed="7"), "seed"), (dict(temperature=0.0), "temperature"), (dict(top_k=0), "top_k"),
                         (dict(top_p=1.5), "top_p"), (dict(prefix=3), "prefix"), (dict(max_length=0), "max_length")):
        with pytest.raises(ValueError, match=name):
            sampling_steps(**{"parameters": parameters, "vocabulary": vocabulary, **kwargs})


# --- the figure builders ------------------------------------------------------------------------


def test_the_outlines_show_the_tokens_the_cut_removed(tiny):
    steps = sampling_steps(*tiny, seed=1, temperature=2.0, top_k=2, max_length=6)
    result = steps.result
    tokens = list(tiny[1].tokens)
    for t in range(len(result.tokens)):
        frame = sampling_step_frame(result.distributions, result.tokens, tokens, t, 6, before_cut=steps.before_cut,
                                    caption="τ = 2.00, top-k = 2")
        bars, outlines = frame["data"]
        assert bars["x"] == outlines["x"] and len(bars["x"]) == 6
        assert np.count_nonzero(bars["y"]) == 2  # two bars kept, four outlines standing empty
        assert outlines["y"] == sorted(outlines["y"], reverse=True)  # ranked by ŷ at τ before the cut
        assert bars["text"][2:] == [""] * 4 and all(bars["text"][:2])  # no "0.000" under an empty outline
        assert np.all(np.array(bars["y"][:2]) > np.array(outlines["y"][:2]))  # kept: their mass shared out again
        assert bars["marker"]["color"][bars["x"].index(result.tokens[t])] == HIGHLIGHT
        assert frame["layout"]["title"]["text"].startswith(f"τ = 2.00, top-k = 2<br>t = {t + 1}:")
        assert f"(2 of {len(tokens)} tokens kept)" in frame["layout"]["title"]["text"]
    fig = sampling_step_figure(result.distributions, result.tokens, tokens, 6, before_cut=steps.before_cut, caption="x")
    assert fig.layout.barmode == "overlay" and fig.data[1].showlegend
    _json_safe(fig)


def test_without_before_cut_the_figure_is_the_fixed_samples_as_before(tiny):
    result = lm.sample(*tiny, rng=0, max_length=5)
    fig = sampling_step_figure(result.distributions, result.tokens, list(tiny[1].tokens), 3)
    assert len(fig.data[0].x) == 3 and fig.data[1].x == () and not fig.data[1].showlegend
    assert fig.layout.title.text.startswith("t = 1: drew") and "τ" not in fig.layout.title.text


@pytest.mark.parametrize("kwargs, name", [(dict(before_cut=np.ones((3, 3)) / 3), "before_cut"),
                                          (dict(before_cut=np.full((3, 2), np.nan)), "before_cut"),
                                          (dict(before_cut="0.5"), "before_cut"), (dict(caption=3), "caption"),
                                          (dict(caption=None), "caption")])
def test_the_builders_refuse_a_bad_before_cut_or_caption(kwargs, name):
    dist = np.full((3, 2), 1 / 3)
    for build in (lambda: sampling_step_frame(dist, ["a", "b"], ["a", "b", "c"], 0, 2, **kwargs),
                  lambda: sampling_step_figure(dist, ["a", "b"], ["a", "b", "c"], 2, **kwargs)):
        with pytest.raises(ValueError, match=name):
            build()


# --- the widget -------------------------------------------------------------------------------


def test_a_control_draws_again_into_the_same_figure(english):
    sampling = SamplingExplorer.from_model(*english, seed=7)
    figure = sampling.explorer.figure_widget
    assert sampling.result.text == lm.sample(*english, rng=7).text
    bars, _, title = _bars(sampling)
    assert title.startswith("τ = 1.00, top-k = off, top-p = off, seed 7<br>t = 1:")
    sampling.explorer.show(1)
    before = (tuple(figure.data[0].y), figure.layout.title.text)
    sampling.temperature_slider.value = 2.0
    assert sampling.explorer.figure_widget is figure  # the same widget, rewritten
    expected = sampling_steps(*english, seed=7, temperature=2.0)
    assert sampling.result.tokens == expected.result.tokens
    assert figure.layout.title.text.startswith("τ = 2.00, top-k = off, top-p = off, seed 7<br>t = 2:")
    assert (tuple(figure.data[0].y), figure.layout.title.text) != before
    np.testing.assert_allclose(max(figure.data[0].y), expected.result.distributions[:, 1].max())
    # τ flattens the distribution drawn from: at step 2 (after "The") the top bar is lower at τ = 2 than at τ = 0.5
    top = {}
    for tau in (0.5, 2.0):
        sampling.temperature_slider.value = tau
        if sampling.result.tokens[0] == "The":
            top[tau] = max(figure.data[0].y)
    assert top[0.5] > top[2.0]


def test_the_step_slider_follows_the_new_sentences_length(english):
    sampling = SamplingExplorer.from_model(*english, seed=7)
    explorer = sampling.explorer
    lengths = set()
    for tau in (0.1, 5.0, 0.3, 3.0, 1.0):
        explorer.show(explorer.n_steps - 1)  # the last step of the sentence shown before
        last = explorer.step
        sampling.temperature_slider.value = tau
        n = len(sampling.result.tokens)
        lengths.add(n)
        assert explorer.n_steps == n and explorer.slider.max == explorer.play.max == n - 1
        assert explorer.step == min(last, n - 1)  # kept if the new sentence reaches it, else its last step
        assert explorer.figure_widget.layout.title.text.split("<br>")[1].startswith(f"t = {explorer.step + 1}:")
        explorer.show(n - 1)  # every step of the new sentence can be shown
    assert len(lengths) > 1, "the temperatures tried gave sentences of one length: the test tests nothing"


def test_top_k_1_is_greedy_decoding_whatever_the_temperature(english):
    greedy = lm.sample(*english, rng=None, greedy=True)
    sampling = SamplingExplorer.from_model(*english, seed=3, temperature=2.5)
    sampling.top_k_slider.value = 1
    assert sampling.settings()["top_k"] == 1
    assert sampling.result.tokens == greedy.tokens
    for t in range(len(greedy.tokens)):
        sampling.explorer.show(t)
        bars, outlines, title = _bars(sampling)
        assert bars.y[0] == 1.0 and not any(bars.y[1:])  # one bar of P = 1, the others cut
        assert np.count_nonzero(outlines.y) == len(outlines.y)  # ... with their outlines standing
        assert "top-k = 1 (greedy)" in title
    sampling.top_k_slider.value = 0  # "off"
    assert sampling.settings()["top_k"] is None and "top-k = off" in _bars(sampling)[2]


def test_a_lower_top_p_keeps_fewer_tokens_at_the_first_step(tiny):
    sampling = SamplingExplorer.from_model(*tiny, seed=0, temperature=2.0, bars=len(tiny[1]))
    kept = []
    for p in (1.0, 0.9, 0.6, 0.3, 0.1):  # 1.0 is "off"
        sampling.top_p_slider.value = p
        sampling.explorer.show(0)  # step 1 reads the same (empty) prefix whatever was drawn after it
        bars, _, title = _bars(sampling)
        kept.append(np.count_nonzero(bars.y))
        assert ("top-p = off" if p == 1.0 else f"top-p = {p:g}") in title
    assert kept == sorted(kept, reverse=True) and kept[0] == len(tiny[1]) and kept[-1] < kept[1]


def test_the_prefix_and_the_seed_draw_again(english):
    sampling = SamplingExplorer.from_model(*english, seed=7)
    sampling.prefix_box.value = "The cats"
    assert sampling.result.text.startswith("The cats")
    assert sampling.result.tokens == sampling_steps(*english, seed=7, prefix="The cats").result.tokens
    assert sampling.explorer.label.value.startswith("<b>so far: The cats")  # the prefix, then the first token drawn
    assert "prefix ‘The cats’" in _bars(sampling)[2]
    sampling.seed_box.value = 8
    assert sampling.result.tokens == sampling_steps(*english, seed=8, prefix="The cats").result.tokens
    assert "seed 8" in _bars(sampling)[2]


def test_same_settings_same_sentence_and_figure(english):
    one = SamplingExplorer.from_model(*english, seed=11, temperature=1.5, top_k=10, top_p=0.9)
    other = SamplingExplorer.from_model(*english, seed=4)
    other.seed_box.value, other.temperature_slider.value = 11, 1.5
    other.top_k_slider.value, other.top_p_slider.value = 10, 0.9
    assert one.settings() == other.settings()
    assert one.result.tokens == other.result.tokens
    for t in range(len(one.result.tokens)):
        one.explorer.show(t), other.explorer.show(t)
        assert _bars(one)[2] == _bars(other)[2]
        assert [tuple(trace.y) for trace in one.explorer.figure_widget.data] == \
               [tuple(trace.y) for trace in other.explorer.figure_widget.data]


def test_no_warning_at_the_ends_of_the_controls(english):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampling = SamplingExplorer.from_model(*english, seed=0)
        for tau in (0.1, 10**0.7):
            sampling.temperature_slider.value = tau
            for k in (1, 50, 0):
                sampling.top_k_slider.value = k
                for p in (0.1, 0.95, 1.0):
                    sampling.top_p_slider.value = p
                    _json_safe(sampling.explorer.figure_widget)
        _json_safe(sampling.explorer.snapshot())


def test_the_snapshot_steps_through_the_sentence_with_its_outlines(tiny):
    sampling = SamplingExplorer.from_model(*tiny, seed=1, top_k=2, max_length=6)
    snapshot = sampling.explorer.snapshot()
    assert len(snapshot.frames) == len(sampling.result.tokens)
    for frame in snapshot.frames:
        assert len(frame.data) == 2 and np.count_nonzero(frame.data[0].y) == 2 and len(frame.data[1].y) > 2
    _json_safe(snapshot)


def test_a_fixed_sample_has_no_settings(tiny):
    sampling = SamplingExplorer(lm.sample(*tiny, rng=0, max_length=5), tiny[1])
    for call in (sampling.settings, sampling.redraw):
        with pytest.raises(ValueError, match="from_model"):
            call()
    assert sampling.explorer.figure_widget.data[1].x == ()


def test_the_widget_holds_the_controls_above_the_step_explorer(english):
    sampling = SamplingExplorer.from_model(*english, seed=7)
    classes = [c for row in sampling.widget.children[:2] for c in row.children for c in c._dom_classes]
    assert {"course-temperature", "course-top-k", "course-top-p"} <= set(classes)
    assert sampling.widget.children[2] is sampling.explorer.widget and "course-sampling-explorer" in sampling.widget._dom_classes
    assert (sampling.temperature_slider.min, sampling.temperature_slider.max) == (-1.0, 0.7)  # τ from 0.1 to 5
    assert sampling.top_k_slider.options[-1] == ("off", 0) and sampling.top_p_slider.options[-1] == ("off", 1.0)
    assert sampling.top_k_slider.value == 0 and sampling.top_p_slider.value == 1.0  # both off at the start


@pytest.mark.parametrize("kwargs, name", [
    (dict(temperature=10.0), "temperature"), (dict(temperature=0.01), "temperature"), (dict(temperature="1"), "temperature"),
    (dict(top_k=4), "top_k"), (dict(top_k=True), "top_k"), (dict(top_k=2.0), "top_k"), (dict(top_p=0.33), "top_p"),
    (dict(top_p=0.0), "top_p"), (dict(top_p="0.5"), "top_p"), (dict(seed=-1), "seed"), (dict(seed=2**31), "seed"),
    (dict(prefix=None), "prefix"), (dict(max_length=0), "max_length"), (dict(bars=0), "bars"),
    (dict(vocabulary=None), "vocabulary"), (dict(cell="lstm9"), "cell"),
])
def test_from_model_refuses_what_its_controls_cannot_show(tiny, kwargs, name):
    call = {"parameters": tiny[0], "vocabulary": tiny[1], **kwargs}
    with pytest.raises(ValueError, match=name):
        SamplingExplorer.from_model(**call)


def test_from_model_refuses_a_top_k_not_below_n_y(tiny):
    assert len(tiny[1]) < 20
    with pytest.raises(ValueError, match="top_k .*below n_y"):
        SamplingExplorer.from_model(*tiny, top_k=20)


# --- the step explorer's new steps in the same figure ----------------------------------------------


def test_replace_steps_keeps_the_figure_and_clamps_the_step():
    from course_lib.viz import step_heatmap
    from course_lib.widgets import TimestepExplorer

    values = np.arange(12.0).reshape(3, 4)
    explorer = TimestepExplorer(step_heatmap(values, 0), lambda t: {"layout": {"title": {"text": f"old {t}"}}}, 4)
    figure = explorer.figure_widget
    explorer.show(3)
    explorer.replace_steps(lambda t: {"layout": {"title": {"text": f"new {t}"}}}, 2)
    assert explorer.figure_widget is figure and figure.layout.title.text == "new 1"
    assert explorer.step == 1 and explorer.slider.max == explorer.play.max == 1 and explorer.n_steps == 2
    explorer.replace_steps(lambda t: {"layout": {"title": {"text": f"long {t}"}}}, 6)
    assert explorer.step == 1 and explorer.slider.max == 5 and figure.layout.title.text == "long 1"
    explorer.show(5)
    assert figure.layout.title.text == "long 5"
    with pytest.raises(ValueError, match="n_steps"):
        explorer.replace_steps(lambda t: {}, 0)
    with pytest.raises(ValueError, match="frame"):
        explorer.replace_steps(None, 3)
