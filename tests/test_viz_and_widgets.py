"""Figure builders and the explorers' wiring, tested without a browser."""

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from course_lib.viz import matrix_heatmap, norm_bars, series_over_time, step_heatmap
from course_lib.viz.figures import heatmap_z
from course_lib.widgets import NotationExplorer, TimestepExplorer
from course_lib.widgets.notation import onehot_figure_and_frames
from course_lib.data import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ["王刚和李明去上班了", "我爱吃油泼辣子面,味道非常好。"]


def json_safe(fig):
    """No NaN/inf anywhere in the figure (a FigureWidget could not send it)."""
    import json

    json.dumps(fig.to_plotly_json(), allow_nan=False, default=lambda o: None)


def test_step_heatmap_covers_the_steps_after_t_and_outlines_t():
    values = np.arange(12.0).reshape(3, 4)
    fig = step_heatmap(values, t=1)
    assert [list(row) for row in fig.data[0].z] == values.tolist()  # every step is in the data ...
    cover, outline = fig.layout.shapes
    assert (cover.x0, cover.x1, cover.fillcolor, cover.layer) == (1.5, 3.5, "white", "above")  # ... t > 1 covered
    assert (outline.x0, outline.x1) == (0.5, 1.5)
    assert [s.x0 for s in step_heatmap(values, t=1, reveal=False).layout.shapes] == [0.5]
    last = step_heatmap(values, t=3).layout.shapes[0]
    assert last.x0 == last.x1 == 3.5  # nothing left to cover
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
        return {"data": [{"z": heatmap_z(values, visible_steps=t + 1)}], "layout": {"title": {"text": f"step {t}"}}}

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
    import re

    notation = NotationExplorer(CORPUS, "王刚")
    notation.text.value = "   "
    # "<empty>" is shown as a sentence of unknown characters, each escaped (the table is
    # HTML: a raw "<" would be read as a tag), and the explorer steps through them.
    table = notation.table.value
    assert "<empty>" not in table and "<UNK>" not in table
    token_row = re.search(r"<th[^>]*>token</th>(.*?)</tr>", table).group(1)
    tokens = [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", token_row)]
    assert tokens == [f"{ch} → <UNK>" for ch in "<empty>"]
    assert "&lt; → &lt;UNK&gt;" in table
    assert html.unescape(re.sub(r"<[^>]+>", "", table)).endswith("7 token(s) mapped to <UNK>")
    assert notation.explorer.n_steps == 7


def test_onehot_frames_move_the_cover_and_are_json_safe():
    vocab = Vocabulary.build(CORPUS)
    fig, frame, n = onehot_figure_and_frames(vocab, "王刚和李明")
    assert n == 5
    z = np.array(fig.data[0].z)
    assert z.shape == (vocab.n_x, 5) and np.all(z.sum(axis=0) == 1)  # every x<t>, one-hot, from the start
    for t in range(n):
        spec = frame(t)
        assert "data" not in spec  # a step writes no data: the layout's shapes move
        cover, outline = spec["layout"]["shapes"]
        assert (cover["x0"], cover["x1"]) == (t + 0.5, 4.5) and outline["x0"] == t - 0.5
        assert f"x<{t + 1}>" in spec["layout"]["title"]["text"]
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


# ---------------------------------------------------------------------------------------
# Bad input to the builders: NaN in a heatmap, labels of the wrong length, steps out of range
# ---------------------------------------------------------------------------------------


def _builder_calls():
    from course_lib.viz.figures import bar_outline, column_highlight, unread_mask
    from course_lib.viz.gradients import gradient_explorer_frame, moving_average, scale_color
    from course_lib.viz.lm import sampling_step_frame
    from course_lib.viz.rnn import (backward_step_figure, backward_step_frame, forward_step_figure,
                                    forward_step_frame)

    a, a0, y = np.zeros((3, 4)), np.zeros(3), np.full((2, 4), 0.5)
    nan = np.where(np.eye(3, 4) > 0, np.nan, 0.0)
    steps = [f"{t + 1}" for t in range(4)]
    dist = np.full((3, 2), 1 / 3)
    return [
        (lambda: matrix_heatmap(nan), "values", "NaN"),
        (lambda: matrix_heatmap(np.full((2, 2), np.inf)), "values", "NaN or infinite"),
        (lambda: step_heatmap(nan, 0), "values", "NaN"),
        (lambda: heatmap_z(nan), "values", "NaN"),
        (lambda: matrix_heatmap(np.zeros((0, 3))), "values", "at least one entry"),
        (lambda: matrix_heatmap("1.0"), "values", ""),
        (lambda: matrix_heatmap(np.zeros((2, 3)), row_labels=["a"]), "row_labels", "2 labels"),
        (lambda: matrix_heatmap(np.zeros((2, 3)), col_labels=["a", "a", "b"]), "col_labels", "distinct"),
        (lambda: matrix_heatmap(np.zeros((2, 3)), row_labels="ab"), "row_labels", ""),
        (lambda: matrix_heatmap(np.zeros((2, 3)), scale="log"), "scale", "['signed', 'unit']"),
        (lambda: matrix_heatmap(np.zeros((2, 3)), zmax=0), "zmax", ""),
        (lambda: step_heatmap(a, 4), "t", "[0, 4)"),
        (lambda: step_heatmap(a, -1), "t", ""),
        (lambda: step_heatmap(a, 1.0), "t", ""),
        (lambda: step_heatmap(a, 0, step_labels=steps[:3]), "step_labels", "4 labels"),
        (lambda: step_heatmap(a, 0, reveal="no"), "reveal", ""),
        (lambda: heatmap_z(a, visible_steps=5), "visible_steps", ""),
        (lambda: column_highlight(-1, 3), "t", ""),
        (lambda: unread_mask(4, 4, 3), "t", "[0, 4)"),
        (lambda: norm_bars([1.0, 2.0], labels=["1"]), "labels", "2 labels"),
        (lambda: norm_bars([1.0, 2.0], highlight=2), "highlight", "[0, 2)"),
        (lambda: norm_bars([]), "norms", ""),
        (lambda: bar_outline(3, 5), "highlight", ""),
        (lambda: series_over_time({"a": [1.0, 2.0], "b": [1.0]}), "series['b']", "(2,)"),
        (lambda: series_over_time({"a": [1.0, 2.0]}, x=[1.0]), "x", "(2,)"),
        (lambda: series_over_time({}), "series", ""),
        (lambda: series_over_time({"a": ["x", "y"]}), "series['a']", ""),
        (lambda: forward_step_frame(a, a0, y, 4, steps, ""), "t", "[0, 4)"),
        (lambda: forward_step_frame(nan[:, :4], a0, y, 0, steps, ""), "a", "NaN"),
        (lambda: forward_step_figure(a, a0, y, steps[:2], ["no", "yes"], ""), "step_labels", "4 labels"),
        (lambda: forward_step_figure(a, a0, y, steps, ["no"], ""), "class_labels", "2 labels"),
        (lambda: forward_step_figure(a, np.zeros(2), y, steps, ["no", "yes"], ""), "a0", "(3,)"),
        (lambda: forward_step_figure(a, a0, y[:, :2], steps, ["no", "yes"], ""), "y_pred", "T_x = 4"),
        (lambda: backward_step_frame(a, a, 4, ""), "t", ""),
        (lambda: backward_step_frame(a, a[:, :2], 0, ""), "da_future", ""),
        (lambda: backward_step_figure(a, a, np.ones(4), steps[:3], ""), "step_labels", ""),
        (lambda: backward_step_figure(a, a, np.ones(3), steps, ""), "norms", "(4,)"),
        (lambda: sampling_step_frame(dist, ["a", "b"], ["a", "b", "c"], 2, 2), "t", "[0, 2)"),
        (lambda: sampling_step_frame(dist, ["a", "z"], ["a", "b", "c"], 0, 2), "tokens", ""),
        (lambda: sampling_step_frame(dist, ["a"], ["a", "b", "c"], 0, 2), "tokens", ""),
        (lambda: sampling_step_frame(dist, ["a", "b"], ["a", "b"], 0, 2), "vocabulary_tokens", ""),
        (lambda: sampling_step_frame(dist, ["a", "b"], ["a", "b", "c"], 0, 0), "top_k", ""),
        (lambda: gradient_explorer_frame([1.0, 0.5], [1.0], [1.0, 0.9], 1.0, 1.0, ""), "clipped", ""),
        (lambda: gradient_explorer_frame([1.0], [1.0], [1.0], 1.0, 0.0, ""), "threshold", ""),
        (lambda: moving_average([1.0, 2.0], 0), "window", ""),
        (lambda: scale_color(None), "value", ""),
    ]


@pytest.mark.parametrize("index", range(len(_builder_calls())))
def test_builders_refuse_bad_input_naming_the_argument(index):
    import re

    call, argument, fragment = _builder_calls()[index]
    with pytest.raises(ValueError, match=re.escape(argument) + ".*" + re.escape(fragment)):
        call()


# ---------------------------------------------------------------------------------------
# Bad input to the explorers: out of their controls' range, not among the options, None
# ---------------------------------------------------------------------------------------


def _explorer_calls():
    from course_lib.widgets import BackwardExplorer, ForwardExplorer, SamplingExplorer

    vocab = Vocabulary.build(CORPUS)
    grads = np.ones((3, 4))
    return [
        (lambda: ForwardExplorer(vocab, "王刚", n_a=32), "n_a must be from 1 to 16"),
        (lambda: ForwardExplorer(vocab, "王刚", n_a=0), "n_a"),
        (lambda: ForwardExplorer(vocab, "王刚", n_a=2.5), "n_a"),
        (lambda: ForwardExplorer(vocab, "王刚", activation="sigmoid"), r"activation must be one of \['tanh', 'relu'\]"),
        (lambda: ForwardExplorer(None, "王刚"), "vocabulary"),
        (lambda: ForwardExplorer(vocab, None), "sentence"),
        (lambda: ForwardExplorer(vocab, "   "), "sentence"),
        (lambda: ForwardExplorer(vocab, "王刚", seed="0"), "seed"),
        (lambda: ForwardExplorer(vocab, "王刚", cell="lstm9"), "cell"),
        (lambda: NotationExplorer(None, "王刚"), "corpus"),
        (lambda: NotationExplorer("王刚和李明", "王刚"), "corpus"),
        (lambda: NotationExplorer(CORPUS, None), "sentence"),
        (lambda: NotationExplorer(CORPUS, "王刚", granularity="byte"), r"granularity must be one of \['char', 'word'\]"),
        (lambda: NotationExplorer(CORPUS, "王刚", max_size=1000), "max_size must be from 2 to"),
        (lambda: NotationExplorer(CORPUS, "王刚", max_size=1), "max_size"),
        (lambda: BackwardExplorer(None, grads, list("王刚和李")), "da_loss"),
        (lambda: BackwardExplorer(grads, None, list("王刚和李")), "da_total"),
        (lambda: BackwardExplorer(grads, grads, None), "tokens"),
        (lambda: BackwardExplorer(grads, grads, "王刚和李"), "tokens"),
        (lambda: BackwardExplorer(grads * np.nan, grads, list("王刚和李")), "da_loss"),
        (lambda: SamplingExplorer(None, vocab), "result"),
        (lambda: TimestepExplorer(None, lambda t: {}, 3), "figure"),
        (lambda: TimestepExplorer(step_heatmap(grads, 0), None, 3), "frame"),
        (lambda: TimestepExplorer(step_heatmap(grads, 0), lambda t: {}, 0), "n_steps"),
        (lambda: TimestepExplorer(step_heatmap(grads, 0), lambda t: {}, 4, interval=0), "interval"),
    ]


@pytest.mark.parametrize("index", range(len(_explorer_calls())))
def test_explorers_refuse_what_their_controls_cannot_show(index):
    call, pattern = _explorer_calls()[index]
    with pytest.raises(ValueError, match=pattern):
        call()


def test_sampling_explorer_refuses_a_vocabulary_that_is_not_one():
    from course_lib.lm import sample
    from course_lib.rnn import initialize_rnn_parameters
    from course_lib.widgets import SamplingExplorer

    vocab = Vocabulary.build(["the cat was full ."], "word")
    parameters = initialize_rnn_parameters(vocab.n_x, 5, vocab.n_x, np.random.default_rng(0), scale=1.0)
    result = sample(parameters, vocab, rng=0, max_length=4)
    with pytest.raises(ValueError, match="vocabulary"):
        SamplingExplorer(result, list(vocab.tokens))
    with pytest.raises(ValueError, match="top_k"):
        SamplingExplorer(result, vocab, top_k=0)


# ---------------------------------------------------------------------------------------
# Long sentences: a step moves shapes, so the snapshot stays quick and small
# ---------------------------------------------------------------------------------------


def test_a_500_character_sentence_snapshots_quickly_and_small():
    import time

    import plotly.io as pio

    from course_lib.widgets import ForwardExplorer

    rng = np.random.default_rng(0)
    characters = "".join(CORPUS)
    sentence = "".join(rng.choice(list(characters), 504))
    for make in (lambda: NotationExplorer(CORPUS, sentence).explorer,
                 lambda: ForwardExplorer(Vocabulary.build(CORPUS), sentence, n_a=6).explorer):
        explorer = make()
        start = time.perf_counter()
        snap = explorer.snapshot()
        elapsed = time.perf_counter() - start
        text = pio.to_json(snap)
        assert len(snap.frames) == explorer.n_steps == 504
        assert elapsed < 5.0, f"snapshot took {elapsed:.1f} s"  # 54 s before the steps moved shapes only
        assert len(text) < 3e6, f"snapshot of {len(text) / 1e6:.1f} MB"
        cover = snap.frames[100].layout.shapes[0]
        assert (cover.x0, cover.x1) == (100.5, 503.5)


def test_a_step_of_the_notation_explorer_writes_layout_only():
    notation = NotationExplorer(CORPUS, "王刚和李明去上班了")
    figure = notation.explorer.figure_widget
    z = [list(row) for row in figure.data[0].z]
    notation.explorer.show(6)
    assert [list(row) for row in figure.data[0].z] == z
    assert figure.layout.shapes[0].x0 == 6.5 and figure.layout.shapes[1].x0 == 5.5


def test_forward_explorer_runs_any_cell():
    from course_lib.widgets import ForwardExplorer
    from tests.test_architectures import TOY

    forward = ForwardExplorer(Vocabulary.build(CORPUS), "王刚和李明", n_a=3, cell=TOY)
    assert forward.activation.disabled  # the toy cell has no activation option
    forward.explorer.show(4)
    assert "toy" in forward.explorer.figure_widget.layout.title.text
    forward.n_a.value = 5
    assert len(forward.explorer.figure_widget.data[1].y) == 5
    json_safe(forward.explorer.snapshot())


def test_learning_curves_draw_each_run_against_updates_and_seconds():
    from course_lib.viz import learning_curves

    curves = {"RNN": (np.array([40.0, 80.0]), np.array([0.2, 0.4]), np.array([0.5, 0.5])),
              "LSTM": (np.array([40.0, 80.0]), np.array([0.3, 0.6]), np.array([0.5, np.nan]))}
    fig = learning_curves(curves, y_title="accuracy", reference=(0.5, "chance"))
    assert [t.name for t in fig.data] == ["RNN", "RNN", "LSTM", "LSTM"]
    assert [t.showlegend for t in fig.data] == [True, False, True, False]  # one legend entry per run
    assert list(fig.data[2].x) == [40.0, 80.0] and list(fig.data[3].x) == [0.3, 0.6]  # updates left, seconds right
    assert fig.data[3].y[1] is None  # NaN drawn as a gap
    assert fig.data[0].line.color != fig.data[2].line.color
    assert len(fig.layout.shapes) == 2 and fig.layout.shapes[0].y0 == 0.5  # the reference in both panels …
    assert [a.text for a in fig.layout.annotations if a.text not in ("against updates", "against time")] == ["chance"]
    assert fig.layout.xaxis2.title.text.startswith("CPU seconds")


def test_training_runs_figure_draws_the_held_out_loss_dashed_in_each_runs_colour():
    from course_lib.viz.gradients import RUN_COLORS, training_runs_figure

    losses = {"no clipping": np.full(40, 3.7), "clip by norm": np.linspace(4.4, 2.9, 40)}
    norms = {name: np.ones(40) for name in losses}
    steps, held = np.array([0, 20, 40]), np.array([4.4, 3.5, np.nan])
    plain = training_runs_figure(losses, norms, threshold=1.0)
    fig = training_runs_figure(losses, norms, threshold=1.0, held_out={"clip by norm": (steps, held)})
    json_safe(fig)
    assert [t.name for t in plain.data if t.showlegend is not False] == ["no clipping", "clip by norm"]  # as before
    assert len(fig.data) == len(plain.data) + 1  # one held-out line, for the one run that has it
    dashed = next(t for t in fig.data if t.name == "clip by norm: held-out")
    assert dashed.line.dash == "dash" and dashed.line.color == RUN_COLORS["clip by norm"] and dashed.xaxis == "x"
    assert list(dashed.x) == [0, 20, 40] and list(dashed.y) == [4.4, 3.5, None]  # never smoothed; NaN a gap
    assert dashed.legendgroup == "clip by norm"
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert "no clipping: training" in names and "clip by norm: training" in names  # which line is which
    for bad, match in (({"clip by value": (steps, held)}, "not a run of losses"),
                       ({"clip by norm": (steps, held[:2])}, r"held_out\['clip by norm'\] held_out_losses"),
                       ({"clip by norm": (steps[::-1], held)}, "increase"),
                       ({"clip by norm": held}, r"\(held_out_steps, held_out_losses\)"),
                       ([steps, held], "held_out must be None or a dict")):
        with pytest.raises(ValueError, match=match):
            training_runs_figure(losses, norms, held_out=bad)


def test_a_figure_widget_opens_with_its_data_and_layout(monkeypatch):
    """plotly 6 opens the comm before filling _widget_data and _widget_layout; a view drawn in
    between stays empty (course_lib/widgets/_figure.py). The model must arrive whole."""
    import comm
    import ipywidgets.widgets.widget as widget_module

    from course_lib.widgets._figure import figure_widget

    sent = []

    class Recording(comm.base_comm.BaseComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            sent.append((msg_type, (data or {}).get("state") or {}))

    monkeypatch.setattr(widget_module.comm, "create_comm", lambda **kw: Recording(**kw))
    fig = figure_widget(go.Figure(go.Scatter(y=[1, 2, 3]), layout={"title": {"text": "whole"}}))
    kind, state = sent[0]
    assert kind == "comm_open"
    assert len(state["_widget_data"]) == 1 and list(state["_widget_data"][0]["y"]) == [1, 2, 3]
    assert state["_widget_layout"]["title"]["text"] == "whole"
    fig.data[0].y = [3, 2, 1]  # and it still updates as a FigureWidget does
    assert sent[-1][0] == "comm_msg" and "_py2js_restyle" in sent[-1][1]


def test_every_explorer_draws_in_a_whole_figure_widget():
    for path in (ROOT / "course_lib").rglob("*.py"):
        if path.name != "_figure.py":
            assert "go.FigureWidget(" not in path.read_text(encoding="utf-8"), f"{path}: use widgets._figure.figure_widget"
