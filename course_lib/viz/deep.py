"""Figures of the deep RNN (notebook 09): the layers × time grid of states, and gradient norms per layer and step.

The grid draws x⟨t⟩ (bottom row), a[1]⟨t⟩ … a[L]⟨t⟩ and ŷ⟨t⟩ (top row) as nodes, every
connection as a grey line, and for one chosen state a[l]⟨t⟩ its two direct inputs (the
same layer one step back, a[l]⟨t-1⟩, and the layer below at the same step, a[l-1]⟨t⟩,
with red arrows) and the whole cone of states it depends on. ``grid_frame`` recolours the
nodes and moves the two arrows only: one explorer step is a small update of one figure.
"""

import numpy as np
import plotly.graph_objects as go

from course_lib.viz.theme import COLORSCALES, HIGHLIGHT, LAYOUT

__all__ = ["dependency_cone", "direct_inputs", "gradient_norm_heatmap", "grid_figure", "grid_frame", "state_label"]

DIRECT = "#ff7f0e"  # the two direct inputs
CONE = "#fdd0a2"  # every other state the chosen one depends on
OTHER = "#eeeeee"  # states it does not depend on
OUTPUT = "#ffffff"


def _check_grid(n_layers, T_x, layer, t):
    from course_lib._validate import check_positive_int

    n_layers = check_positive_int("n_layers", n_layers, maximum=12)
    T_x = check_positive_int("T_x", T_x, maximum=40)
    layer = check_positive_int("layer", layer, maximum=n_layers)
    t = check_positive_int("t", t, maximum=T_x)
    return n_layers, T_x, layer, t


def _label(layer, t):
    return f"x⟨{t}⟩" if layer == 0 else f"a[{layer}]⟨{t}⟩"


def state_label(layer, t):
    """The name of state a[layer]⟨t⟩ as the figures write it (⟨⟩, not <>, which HTML would swallow).

    Args:
        layer: l ≥ 0 (0: the input x⟨t⟩); t: the step, ≥ 0 (a[l]⟨0⟩ is the initial state).
    Returns:
        str, e.g. "a[2]⟨3⟩" or "x⟨3⟩".
    """
    from course_lib._validate import check_positive_int

    return _label(check_positive_int("layer", layer, minimum=0), check_positive_int("t", t, minimum=0))


def direct_inputs(layer, t):
    """The two inputs of a[layer]⟨t⟩: [(layer, t - 1), (layer - 1, t)]; (layer, 0) is the zero a[l]⟨0⟩.

    Args:
        layer: l ≥ 1; t: the step, ≥ 1 (1-based, as the notation).
    Returns:
        list of two (layer, step) pairs: the same layer one step back, the layer below (0: x⟨t⟩).
    """
    from course_lib._validate import check_positive_int

    layer, t = check_positive_int("layer", layer), check_positive_int("t", t)
    return [(layer, t - 1), (layer - 1, t)]


def dependency_cone(n_layers, T_x, layer, t):
    """Which states a[layer]⟨t⟩ depends on, as a boolean grid.

    Args:
        n_layers: L; T_x: the steps; layer: l in 1 … L; t: in 1 … T_x.
    Returns:
        bool (L + 1, T_x): entry [k, s - 1] is True when a[k]⟨s⟩ (row 0: x⟨s⟩) lies on some
        path into a[l]⟨t⟩: exactly k ≤ l and s ≤ t, the state itself excluded. Its count is
        l·t − 1 states and t inputs.
    """
    n_layers, T_x, layer, t = _check_grid(n_layers, T_x, layer, t)
    cone = np.zeros((n_layers + 1, T_x), dtype=bool)
    cone[: layer + 1, :t] = True  # every a[k]<s> with k ≤ l, s ≤ t: each step right or up is one connection
    cone[layer, t - 1] = False
    return cone


def _positions(n_layers, T_x):
    """Node coordinates: column t (1 … T_x), row k (0: x, 1 … L: the layers, L + 1: ŷ)."""
    rows, cols = np.meshgrid(np.arange(n_layers + 2), np.arange(1, T_x + 1), indexing="ij")
    return cols.ravel(), rows.ravel()


def _edges(n_layers, T_x):
    xs, ys = [], []
    for k in range(1, n_layers + 1):
        for s in range(1, T_x + 1):
            xs += [s, s, None]
            ys += [k - 1, k, None]  # a[k-1]<s> → a[k]<s>
            if s > 1:
                xs += [s - 1, s, None]
                ys += [k, k, None]  # a[k]<s-1> → a[k]<s>
    for s in range(1, T_x + 1):
        xs += [s, s, None]
        ys += [n_layers, n_layers + 1, None]  # a[L]<s> → ŷ<s>
    return xs, ys


def _colours(n_layers, T_x, layer, t):
    cone = dependency_cone(n_layers, T_x, layer, t)
    colours = np.full((n_layers + 2, T_x), OTHER, dtype=object)
    colours[: n_layers + 1][cone] = CONE
    for k, s in direct_inputs(layer, t):
        if s >= 1:
            colours[k, s - 1] = DIRECT
    colours[layer, t - 1] = HIGHLIGHT
    colours[n_layers + 1, :] = OUTPUT
    return colours.ravel().tolist()


def _arrows(layer, t):
    """The chosen state's two input connections as arrows (layout annotations, in data coordinates)."""
    return [dict(x=t, y=layer, ax=s, ay=k, xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
                 arrowhead=2, arrowsize=1, arrowwidth=4, arrowcolor=HIGHLIGHT, standoff=21, startstandoff=21)
            for k, s in direct_inputs(layer, t) if s >= 1]


def _title(n_layers, T_x, layer, t):
    same, below = (_label(layer, t - 1) if t > 1 else f"a[{layer}]⟨0⟩ = 0"), _label(layer - 1, t)
    n_states = layer * t - 1
    return (f"{_label(layer, t)} = g(W_a[{layer}] [{same}; {below}] + b_a[{layer}])<br>"
            f"<span style=\"font-size: 13px\">orange: its two direct inputs · light orange: the cone it depends on, "
            f"{n_states} state{'s' if n_states != 1 else ''} and the inputs x⟨1⟩ … x⟨{t}⟩</span>")


def grid_frame(n_layers, T_x, layer, t):
    """The update of ``grid_figure``'s traces for another chosen state: {"data": [...], "layout": {...}}.

    Args:
        n_layers, T_x: the grid's size; layer (1 … L), t (1 … T_x): the chosen state a[layer]⟨t⟩.
    """
    n_layers, T_x, layer, t = _check_grid(n_layers, T_x, layer, t)
    # The two input connections are layout arrows, not a trace: one trace per step keeps each update one restyle
    # (a FigureWidget that batch-updates two traces twice before it is displayed loses the nodes' x and y).
    ink = ["#2a3f5f"] * ((n_layers + 2) * T_x)
    ink[layer * T_x + t - 1] = "#ffffff"  # the chosen state's label, white on red
    return {"data": [{}, {"marker": {"color": _colours(n_layers, T_x, layer, t)}, "textfont": {"color": ink}}],
            "layout": {"title": {"text": _title(n_layers, T_x, layer, t)}, "annotations": _arrows(layer, t)}}


def grid_figure(n_layers, T_x, layer=1, t=1, height=None):
    """The layers × time grid of a deep RNN, with the dependencies of a[layer]⟨t⟩ coloured.

    Args:
        n_layers: L (1 … 12); T_x: the steps (1 … 40).
        layer, t: the chosen state (1-based).
        height: pixels (default: from L).
    Returns:
        go.Figure with two traces, the connections (grey) and the nodes (coloured by
        dependence, labelled), and the chosen state's two input connections as red arrows.
    Derived in notebooks/09_deep_rnn.ipynb, "The grid of states"
    """
    n_layers, T_x, layer, t = _check_grid(n_layers, T_x, layer, t)
    if height is not None:
        from course_lib._validate import check_positive_int

        height = check_positive_int("height", height, minimum=10)  # plotly's own minimum
    ex, ey = _edges(n_layers, T_x)
    nx, ny = _positions(n_layers, T_x)
    text = [("ŷ⟨%d⟩" % s) if k == n_layers + 1 else _label(k, s) for k, s in zip(ny, nx)]
    frame = grid_frame(n_layers, T_x, layer, t)
    fig = go.Figure([
        go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="#bbbbbb", width=1.5), hoverinfo="skip",
                   showlegend=False),
        # plain lists: a FigureWidget ships int64 arrays as binary buffers, which plotly.js leaves undrawn
        go.Scatter(x=nx.tolist(), y=ny.tolist(), mode="markers+text", text=text, textfont=dict(size=10, color=frame["data"][1]["textfont"]["color"]),
                   marker=dict(size=40, color=frame["data"][1]["marker"]["color"], line=dict(color="#555555", width=1)),
                   hovertemplate="%{text}<extra></extra>", showlegend=False),
    ])
    rows = ["x⟨t⟩"] + [f"layer {k}" for k in range(1, n_layers + 1)] + ["ŷ⟨t⟩"]
    fig.update_layout(
        LAYOUT, title=dict(text=frame["layout"]["title"]["text"]), annotations=frame["layout"]["annotations"],
        height=height or 170 + 75 * (n_layers + 2), margin=dict(l=80, r=20, t=90, b=50),
        xaxis=dict(title="step t", tickvals=list(range(1, T_x + 1)), range=[0.4, T_x + 0.6], showgrid=False,
                   zeroline=False),
        yaxis=dict(tickvals=list(range(n_layers + 2)), ticktext=rows, range=[-0.5, n_layers + 1.5], showgrid=False,
                   zeroline=False),
    )
    return fig


def _short(v):
    """A norm in at most five characters for a heatmap cell: 8e-7, 3e+2, 0 (the hover shows four digits)."""
    return "0" if v == 0 else f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e+")


def gradient_norm_heatmap(norms, title="‖∂J/∂a[l]⟨t⟩‖: the gradient reaching each layer at each step", tokens=None):
    """A heatmap of gradient norms, layers × steps, on a log colour scale (log10 of the norm).

    Args:
        norms: (L, T) non-negative, row 0 the bottom layer.
        title: the figure's title.
        tokens: None or T str, the tokens read at each step (tick labels).
    Returns:
        go.Figure: layer 1 at the bottom, each cell labelled with its norm.
    Derived in notebooks/09_deep_rnn.ipynb, "Where the gradient vanishes"
    """
    from course_lib._validate import as_float_array

    norms = as_float_array("norms", norms, ndim=2)
    if norms.size == 0 or np.any(norms < 0):
        raise ValueError(f"norms must be a non-empty non-negative array (L, T), got shape {norms.shape}")
    if not isinstance(title, str):
        raise ValueError(f"title must be a str, got {title!r}")
    L, T = norms.shape
    if tokens is not None and (isinstance(tokens, str) or len(tokens) != T or not all(isinstance(s, str) for s in tokens)):
        raise ValueError(f"tokens must be None or a list of T = {T} str, got {tokens!r}")
    floor = norms[norms > 0].min() if np.any(norms > 0) else 1.0
    z = np.log10(np.maximum(norms, floor))
    ticks = [f"{t + 1}" if tokens is None else f"{t + 1} {tokens[t]}" for t in range(T)]
    fig = go.Figure(go.Heatmap(
        z=z, x=ticks, y=[f"layer {l + 1}" for l in range(L)], colorscale=COLORSCALES["unit"],
        text=[[_short(v) for v in row] for row in norms], texttemplate="%{text}", textfont=dict(size=10),
        customdata=[[f"{v:.3e}" for v in row] for row in norms],
        colorbar=dict(title="log₁₀ ‖·‖"), hovertemplate="%{y}, step %{x}: %{customdata}<extra></extra>",
    ))
    fig.update_layout(LAYOUT, title=dict(text=title), height=140 + 60 * L,
                      xaxis=dict(title="step t", type="category", tickangle=0),
                      margin=dict(l=80, r=30, t=70, b=60))
    return fig
