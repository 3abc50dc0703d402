"""Figures of the language model: the distribution a token is drawn from (notebook 04)."""

import numpy as np
import plotly.graph_objects as go

from course_lib._validate import check_positive_int
from course_lib.viz.figures import matrix_values, step_index
from course_lib.viz.theme import HIGHLIGHT, LAYOUT

# The bars of the distribution drawn from; over them, the outlines of ŷ<t> at τ before a
# top-k / top-p cut (a token the cut removed keeps its outline and loses its bar).
BAR_COLOR = "#9ecae1"
BEFORE_CUT_LINE = "#525252"


def _shown(token):
    return "␣" if token == " " else token


def _sampling_arrays(distributions, tokens, vocabulary_tokens, top_k, before_cut=None, caption=""):
    """The arguments of the sampling figures, checked against each other."""
    distributions = matrix_values("distributions", distributions)
    n_y, T = distributions.shape
    vocabulary_tokens = list(vocabulary_tokens) if isinstance(vocabulary_tokens, (list, tuple)) else None
    if vocabulary_tokens is None or len(vocabulary_tokens) != n_y:
        raise ValueError(f"vocabulary_tokens must be a list of the n_y = {n_y} tokens of the vocabulary")
    tokens = list(tokens) if isinstance(tokens, (list, tuple)) else None
    if tokens is None or len(tokens) != T:
        raise ValueError(f"tokens must be a list of the T = {T} drawn tokens, one per column of distributions")
    unknown = [tok for tok in tokens if tok not in vocabulary_tokens]
    if unknown:
        raise ValueError(f"tokens must be tokens of the vocabulary, got {unknown[:3]}")
    if before_cut is not None:
        before_cut = matrix_values("before_cut", before_cut)
        if before_cut.shape != distributions.shape:
            raise ValueError(f"before_cut must have the shape (n_y, T) = {distributions.shape} of distributions, "
                             f"got {before_cut.shape}")
    if not isinstance(caption, str):
        raise ValueError(f"caption must be a str (the title's first line, or \"\"), got {caption!r}")
    return distributions, tokens, vocabulary_tokens, check_positive_int("top_k", top_k), before_cut, caption


_Y_RANGES = (0.02, 0.05, 0.1, 0.25, 0.5, 1.08)  # the y axis's possible tops (1.08: room for a bar's label at 1)


def _frame(distributions, tokens, vocabulary_tokens, t, top_k, before_cut, caption):
    """The frame of a checked step (see ``sampling_step_frame``)."""
    p = distributions[:, t]  # the distribution y<t> was drawn from
    q = p if before_cut is None else before_cut[:, t]  # the model's ranking of the tokens, before any cut
    drawn = vocabulary_tokens.index(tokens[t])
    order = list(np.argsort(-q, kind="stable")[:top_k])  # a cut keeps the first of these: kept bars come first
    if drawn not in order:  # a token drawn from the tail is shown too, as the last bar
        order[-1] = drawn
    labels = [_shown(vocabulary_tokens[i]) for i in order]
    kept, n_y = np.count_nonzero(p), len(p)
    cut = f" ({kept} of {n_y} tokens kept)" if kept < np.count_nonzero(q) else ""
    fed_back = "the sentence ends" if tokens[t] == "<EOS>" else f"fed back as x<{t + 2}>"
    title = f"t = {t + 1}: drew ‘{_shown(tokens[t])}’ with P = {p[drawn]:.3f}{cut}, {fed_back}"
    shown_before = before_cut is not None
    # The y axis fits the step: a model unsure among a thousand characters (P ≈ 0.01 each)
    # would otherwise draw bars too short to see. It keeps to a few fixed ranges, so that a
    # learner reads the change of scale as the change of certainty it is.
    tallest = 1.15 * max(p[order].max(), q[order].max() if shown_before else 0.0)
    top = next((r for r in _Y_RANGES if r >= tallest), _Y_RANGES[-1])
    return {
        "data": [{"x": labels, "y": p[order].tolist(),
                  "text": [f"{v:.3f}" if v > 0 else "" for v in p[order]],  # no label where the cut left no bar
                  "marker": {"color": [HIGHLIGHT if i == drawn else BAR_COLOR for i in order]}},
                 {"x": labels if shown_before else [], "y": q[order].tolist() if shown_before else []}],
        "layout": {"title": {"text": f"{caption}<br>{title}" if caption else title},
                   "yaxis": {"range": [0, top], "dtick": top / 5 if top < 1 else 0.2}},
    }


def sampling_step_frame(distributions, tokens, vocabulary_tokens, t, top_k, before_cut=None, caption=""):
    """The frame of step ``t``: the ``top_k`` most probable tokens of ŷ<t>, the drawn one in red.

    Args:
        distributions: (n_y, T), the distribution each token was drawn from.
        tokens: the T drawn tokens.
        vocabulary_tokens: the n_y tokens of the vocabulary (index order).
        t: 0-based step, 0 ... T − 1.
        top_k: how many bars, ≥ 1 (the bars shown, not a truncation of ŷ).
        before_cut: None, or (n_y, T): ŷ<t> = softmax(z<t> / τ) before a top-k / top-p
            cut, drawn as outlines over the bars (and ranking them): a token the cut
            removed has an outline and no bar; a kept one a bar above its outline, its
            mass shared out again.
        caption: "" or the title's first line (say, the τ, k and p of the sample).
    Returns:
        frame dict {"data": [the bars, the outlines], "layout": {"title": ...}}.
    Derived in notebooks/04_language_model_sampling.ipynb, "The sampling explorer"
    """
    distributions, tokens, vocabulary_tokens, top_k, before_cut, caption = _sampling_arrays(
        distributions, tokens, vocabulary_tokens, top_k, before_cut, caption)
    t = step_index("t", t, distributions.shape[1])
    return _frame(distributions, tokens, vocabulary_tokens, t, top_k, before_cut, caption)


def sampling_step_figure(distributions, tokens, vocabulary_tokens, top_k=15, before_cut=None, caption=""):
    """A bar chart of ŷ<1> (top ``top_k`` tokens) with the drawn token in red; args as ``sampling_step_frame``.

    Derived in notebooks/04_language_model_sampling.ipynb, "The sampling explorer"
    """
    distributions, tokens, vocabulary_tokens, top_k, before_cut, caption = _sampling_arrays(
        distributions, tokens, vocabulary_tokens, top_k, before_cut, caption)
    # Each bar carries its probability as text, so that the small ones (next to a drawn token of
    # P = 0.99) can still be read; the axis leaves room above 1 for the label of a bar at 1.
    bars = go.Bar(x=[], y=[], name="ŷ<t> drawn from (red: the token drawn)", showlegend=False,
                  hovertemplate="%{x}: %{y:.3f}<extra></extra>", texttemplate="%{text}",
                  textposition="outside", cliponaxis=False, textfont=dict(size=10))
    outlines = go.Bar(x=[], y=[], name="outlines: ŷ<t> at τ, before the top-k / top-p cut", showlegend=before_cut is not None,
                      marker=dict(color="rgba(0, 0, 0, 0)", line=dict(color=BEFORE_CUT_LINE, width=1.5)),
                      hovertemplate="%{x}: %{y:.3f} at τ, before the cut<extra></extra>")
    fig = go.Figure([bars, outlines])
    two_lines = bool(caption)  # the settings above the step: more room for the title
    fig.update_layout(**{**LAYOUT, "margin": {**LAYOUT["margin"], "t": 85 if two_lines else LAYOUT["margin"]["t"]}},
                      height=405 if two_lines else 380, barmode="overlay",
                      legend=dict(x=1, xanchor="right", y=1, yanchor="top", bgcolor="rgba(255, 255, 255, 0.8)"))
    fig.update_xaxes(type="category", title_text="most probable next tokens")
    fig.update_yaxes(title_text="ŷ<t> (probability)")
    frame = _frame(distributions, tokens, vocabulary_tokens, 0, top_k, before_cut, caption)
    for trace, update in zip(fig.data, frame["data"]):
        trace.update(update)
    fig.update_layout(frame["layout"])
    return fig
