"""Figure builders and the explorers' wiring, tested without a browser."""

import html

import numpy as np
import pytest

from course_lib.viz import matrix_heatmap, norm_bars, series_over_time, step_heatmap
from course_lib.widgets import NotationExplorer, TimestepExplorer
from course_lib.widgets.notation import onehot_figure_and_frames
from course_lib.data import Vocabulary

CORPUS = ["王刚和李明去上班了", "我爱吃油泼辣子面,味道非常好。"]


def json_safe(fig):
    """No NaN/inf anywhere in the figure (a FigureWidget could not send it)."""
    import json

    json.dumps(fig.to_plotly_json(), allow_nan=False, default=lambda o: None)


def test_step_heatmap_reveals_up_to_t_and_outlines_t():
    values = np.arange(12.0).reshape(3, 4)
    fig = step_heatmap(values, t=1)
    z = fig.data[0].z
    assert list(z[0][:2]) == [0.0, 1.0] and z[0][2] is None
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.x1) == (0.5, 1.5)
    json_safe(fig)


def test_signed_heatmap_is_symmetric_around_zero():
    fig = matrix_heatmap(np.array([[-2.0, 1.0]]))
    assert fig.data[0].zmin == -2.0 and fig.data[0].zmax == 2.0


def test_lines_and_bars_drop_non_finite_values():
    fig = series_over_time({"Γu": [0.1, np.nan, 0.3]}, threshold=1.0)
    assert fig.data[0].y == (0.1, None, 0.3)
    fig = norm_bars([1.0, np.inf, 3.0], highlight=2)
    assert fig.data[0].y == (1.0, None, 3.0)
    assert fig.data[0].marker.line.width == (0, 0, 3)
    json_safe(fig)


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((2, 2, 2))])
def test_builders_reject_wrong_dimensions(bad):
    with pytest.raises(ValueError, match="values"):
        matrix_heatmap(bad)


def make_explorer(n_steps=4):
    values = np.arange(3.0 * n_steps).reshape(3, n_steps)
    fig = step_heatmap(values, 0)

    def frame(t):
        return {"data": [{"z": step_heatmap(values, t).data[0].z}], "layout": {"title": {"text": f"step {t}"}}}

    return TimestepExplorer(fig, frame, n_steps)


def test_moving_the_slider_rewrites_the_same_figure():
    explorer = make_explorer()
    figure = explorer.figure_widget
    before = str(figure.data[0].z)
    explorer.slider.value = 2
    assert explorer.figure_widget is figure  # updated in place, not re-created
    assert str(figure.data[0].z) != before
    assert figure.layout.title.text == "step 2"
    assert "t = 3" in explorer.label.value
    explorer.show(0)
    assert str(figure.data[0].z) == before and explorer.step == 0


def test_show_rejects_steps_out_of_range():
    with pytest.raises(ValueError, match="step"):
        make_explorer().show(4)


def test_snapshot_has_a_frame_and_a_slider_step_per_timestep():
    explorer = make_explorer()
    snap = explorer.snapshot()
    assert len(snap.frames) == 4 and len(snap.layout.sliders[0].steps) == 4
    assert snap.frames[3].layout.title.text == "step 3"
    assert snap.frames[3].data[0].type == "heatmap"
    json_safe(snap)


def test_notation_explorer_follows_its_controls():
    notation = NotationExplorer(CORPUS, "我爱吃油泼辣子彪彪面,味道非常好。")
    explorer = notation.explorer
    assert explorer.n_steps == 17
    explorer.show(7)
    assert "<UNK>" in explorer.figure_widget.layout.title.text
    assert "2 token(s) mapped to" in notation.table.value

    notation.text.value = "王刚和李明"
    assert explorer.n_steps == 5 and explorer.slider.max == 4 and explorer.step == 4

    notation.max_size.value = 3
    assert notation.vocabulary.n_x == 3
    assert len(explorer.figure_widget.data[0].y) == 3

    notation.granularity.value = "word"
    assert notation.vocabulary.granularity == "word"
    assert notation.max_size.value == notation.max_size.max == len(Vocabulary.build(CORPUS, "word"))


def test_notation_explorer_reports_an_empty_sentence():
    notation = NotationExplorer(CORPUS, "王刚")
    notation.text.value = "   "
    assert "<" in notation.table.value  # shows "<empty>" as one unknown token, no crash


def test_onehot_frames_are_json_safe():
    vocab = Vocabulary.build(CORPUS)
    fig, frame, n = onehot_figure_and_frames(vocab, "王刚和李明")
    assert n == 5
    for t in range(n):
        z = frame(t)["data"][0]["z"]
        assert sum(v is not None for v in z[0]) == t + 1
    json_safe(fig)


def test_forward_explorer_rebuilds_for_new_controls():
    from course_lib.widgets import ForwardExplorer

    vocab = Vocabulary.build(CORPUS)
    forward = ForwardExplorer(vocab, "王刚和李明去上班了", n_a=4)
    figure = forward.explorer.figure_widget
    assert len(figure.data[0].y) == 4 and forward.explorer.n_steps == 9
    forward.explorer.show(8)
    assert list(figure.data[2].y) != list(figure.data[1].y)  # a<9> differs from a<8>
    forward.n_a.value = 7
    assert len(figure.data[0].y) == 7 and len(figure.data[2].y) == 7
    forward.activation.value = "relu"
    assert min(v for row in figure.data[0].z for v in row if v is not None) >= 0.0
    json_safe(forward.explorer.snapshot())


def test_backward_explorer_runs_from_the_last_step():
    from course_lib.widgets import BackwardExplorer

    rng = np.random.default_rng(0)
    da_loss, da_total = rng.standard_normal((2, 3, 4))
    backward = BackwardExplorer(da_loss, da_total, list("王刚和李"))
    figure = backward.explorer.figure_widget
    assert figure.layout.title.text.startswith("t = 4")
    assert list(figure.data[0].y) == da_loss[:, 3].tolist()
    backward.explorer.show(3)
    assert figure.layout.title.text.startswith("t = 1")
    assert np.allclose(figure.data[1].y, (da_total - da_loss)[:, 0])
    assert np.allclose(figure.data[3].y, np.linalg.norm(da_total, axis=0))
    with pytest.raises(ValueError, match="da_loss"):
        BackwardExplorer(da_loss, da_total[:, :2], list("王刚和李"))


def test_sampling_explorer_shows_the_drawn_token_in_red():
    from course_lib.lm import sample
    from course_lib.rnn import initialize_rnn_parameters
    from course_lib.viz.theme import HIGHLIGHT
    from course_lib.widgets import SamplingExplorer

    vocab = Vocabulary.build(["the cat was full .", "the cats were full ."], "word")
    parameters = initialize_rnn_parameters(vocab.n_x, 5, vocab.n_x, np.random.default_rng(0), scale=1.0)
    result = sample(parameters, vocab, rng=0, max_length=6)
    sampling = SamplingExplorer(result, vocab, top_k=3)
    figure = sampling.explorer.figure_widget
    for t in range(len(result.tokens)):
        sampling.explorer.show(t)
        bars = figure.data[0]
        shown = "␣" if result.tokens[t] == " " else result.tokens[t]
        assert len(bars.x) == 3 and bars.marker.color[list(bars.x).index(shown)] == HIGHLIGHT
        so_far = html.escape(vocab.decode(result.indices[: t + 1]))  # "<EOS>" shown as text
        assert sampling.explorer.label.value.endswith(so_far + "</b>")
    json_safe(sampling.explorer.snapshot())
