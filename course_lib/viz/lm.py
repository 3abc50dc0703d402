"""Figures of the language model: the distribution a token is drawn from (notebook 04)."""

import numpy as np
import plotly.graph_objects as go

from course_lib._validate import check_positive_int
from course_lib.viz.figures import matrix_values, step_index
from course_lib.viz.theme import HIGHLIGHT, LAYOUT


def _shown(token):
    return "␣" if token == " " else token


def _sampling_arrays(distributions, tokens, vocabulary_tokens, top_k):
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
    return distributions, tokens, vocabulary_tokens, check_positive_int("top_k", top_k)


def sampling_step_frame(distributions, tokens, vocabulary_tokens, t, top_k):
    """The frame of step ``t``: the ``top_k`` most probable tokens of ŷ<t>, the drawn one in red.

    Args:
        distributions: (n_y, T), the distribution each token was drawn from.
        tokens: the T drawn tokens.
        vocabulary_tokens: the n_y tokens of the vocabulary (index order).
        t: 0-based step, 0 ... T − 1.
        top_k: how many bars, ≥ 1.
    Returns:
        frame dict {"data": [the bars], "layout": {"title": ...}}.
    """
    distributions, tokens, vocabulary_tokens, top_k = _sampling_arrays(distributions, tokens, vocabulary_tokens, top_k)
    t = step_index("t", t, distributions.shape[1])
    p = distributions[:, t]
    drawn = vocabulary_tokens.index(tokens[t])
    order = list(np.argsort(-p, kind="stable")[:top_k])
    if drawn not in order:  # a token drawn from the tail is shown too, as the last bar
        order[-1] = drawn
    colors = [HIGHLIGHT if i == drawn else "#9ecae1" for i in order]
    fed_back = "the sentence ends" if tokens[t] == "<EOS>" else f"fed back as x<{t + 2}>"
    return {
        "data": [{"x": [_shown(vocabulary_tokens[i]) for i in order], "y": p[order].tolist(),
                  "marker": {"color": colors}}],
        "layout": {"title": {"text": f"t = {t + 1}: drew ‘{_shown(tokens[t])}’ with P = {p[drawn]:.3f}, {fed_back}"}},
    }


def sampling_step_figure(distributions, tokens, vocabulary_tokens, top_k=15):
    """A bar chart of ŷ<1> (top ``top_k`` tokens) with the drawn token in red; args as ``sampling_step_frame``."""
    # Each bar carries its probability as text, so that the small ones (next to a drawn token of
    # P = 0.99) can still be read; the axis leaves room above 1 for the label of a bar at 1.
    fig = go.Figure(go.Bar(x=[], y=[], hovertemplate="%{x}: %{y:.3f}<extra></extra>",
                           texttemplate="%{y:.3f}", textposition="outside", cliponaxis=False,
                           textfont=dict(size=10)))
    fig.update_layout(**LAYOUT, height=380)
    fig.update_xaxes(type="category", title_text="most probable next tokens")
    fig.update_yaxes(title_text="ŷ<t> (probability)", range=[0, 1.08], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1])
    frame = sampling_step_frame(distributions, tokens, vocabulary_tokens, 0, top_k)
    fig.data[0].update(frame["data"][0])
    fig.update_layout(frame["layout"])
    return fig
