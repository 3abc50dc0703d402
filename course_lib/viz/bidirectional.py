"""The two sweeps of a bidirectional RNN meeting at step t, and when each output can be produced.

Arrays in, ``go.Figure`` out:

- ``sweep_figure``: the forward direction's states a→ (units × steps) with the columns it
  has not reached yet covered, the backward direction's a← with ITS unreached columns (the
  ones before t) covered, step t outlined in both, and the outputs ŷ⟨t⟩ as bars, the one at
  t highlighted: at step t the two sweeps meet and ŷ⟨t⟩ can be computed from the two
  columns. ``sweep_frame`` moves the covers, the outlines and the highlight to another step.
- ``dependence_figure``: which inputs each output depends on (a unidirectional model: the
  ones up to t; a bidirectional one: all of them), and so when it can be produced.

Derived in notebooks/08_bidirectional_rnn.ipynb, "The two sweeps meet at step t".
"""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib._validate import as_float_array, check_positive_int
from course_lib.viz.figures import labels_list, matrix_values, step_index
from course_lib.viz.theme import COLORSCALES, GATE_COLORS, HIGHLIGHT, LAYOUT

__all__ = ["dependence_figure", "sweep_figure", "sweep_frame"]

OUTPUT_COLOR = GATE_COLORS["a"]
WAITING = "#dddddd"


def _check_sweeps(a_fwd, a_bwd, y_hat):
    a_fwd = matrix_values("a_fwd", a_fwd)
    a_bwd = matrix_values("a_bwd", a_bwd)
    if a_bwd.shape != a_fwd.shape:
        raise ValueError(f"a_bwd must have the shape (n_a, T) = {a_fwd.shape} of a_fwd, got {a_bwd.shape}")
    y_hat = as_float_array("y_hat", y_hat)
    if y_hat.shape != (a_fwd.shape[1],) or y_hat.min() < 0 or y_hat.max() > 1:
        raise ValueError(f"y_hat must be ({a_fwd.shape[1]},) probabilities in [0, 1], one per step, got shape "
                         f"{y_hat.shape}")
    return a_fwd, a_bwd, y_hat


def _cover(x0, x1, n_a, row):
    """A white rectangle over columns x0 … x1 of heatmap ``row`` (zero width when x0 = x1)."""
    axis = "" if row == 1 else str(row)
    return dict(type="rect", xref=f"x{axis}", yref=f"y{axis}", x0=x0, x1=x1, y0=-0.5, y1=n_a - 0.5,
                line=dict(width=0), fillcolor="white", layer="above")


def _outline(t, n_a, row):
    axis = "" if row == 1 else str(row)
    return dict(type="rect", xref=f"x{axis}", yref=f"y{axis}", x0=t - 0.5, x1=t + 0.5, y0=-0.5, y1=n_a - 0.5,
                line=dict(color=HIGHLIGHT, width=2.5), fillcolor="rgba(0,0,0,0)")


def sweep_frame(a_fwd, a_bwd, y_hat, t, title=""):
    """The frame of step ``t`` for ``sweep_figure``: covers and outlines moved, the output at t highlighted.

    Args:
        a_fwd, a_bwd: (n_a, T) the two directions' states of one example (a← in the
            original time order: column t has read x⟨T⟩ … x⟨t⟩).
        y_hat: (T,) the outputs, e.g. P(name) at every step.
        t: the 0-based step, 0 … T − 1. title: the title at this step.
    Returns:
        frame dict {"data": [{}, {}, bar colours], "layout": {"shapes", "title"}}.
    """
    a_fwd, a_bwd, y_hat = _check_sweeps(a_fwd, a_bwd, y_hat)
    n_a, T = a_fwd.shape
    t = step_index("t", t, T)
    if not isinstance(title, str):
        raise ValueError(f"title must be a str, got {type(title).__name__}")
    shapes = [_cover(t + 0.5, T - 0.5, n_a, 1), _outline(t, n_a, 1),   # a→ has read x⟨1⟩ … x⟨t⟩
              _cover(-0.5, t - 0.5, n_a, 2), _outline(t, n_a, 2)]      # a← has read x⟨T⟩ … x⟨t⟩
    shapes.append(dict(type="rect", xref="x3", yref="y3 domain", x0=t - 0.5, x1=t + 0.5, y0=0, y1=1,
                       line=dict(color=HIGHLIGHT, width=2), fillcolor="rgba(214,39,40,0.10)", layer="below"))
    colors = [HIGHLIGHT if s == t else WAITING for s in range(T)]
    return {"data": [{}, {}, {"marker": {"color": colors}}], "layout": {"shapes": shapes, "title": {"text": title}}}


def sweep_figure(a_fwd, a_bwd, y_hat, t=0, step_labels=None, title="", output_name="ŷ", height=None):
    """The forward and the backward sweep of one example, meeting at step ``t``.

    Args:
        a_fwd, a_bwd: (n_a, T) finite; y_hat: (T,) in [0, 1]; t: 0-based step.
        step_labels: T distinct x labels (default "1".."T"), e.g. "4 王".
        title: the title; output_name: what the bars show (e.g. "P(name)").
        height: pixels (default 600).
    Returns:
        go.Figure with three traces (heatmap a→, heatmap a←, bars ŷ) and step t's frame applied.
    """
    a_fwd, a_bwd, y_hat = _check_sweeps(a_fwd, a_bwd, y_hat)
    n_a, T = a_fwd.shape
    t = step_index("t", t, T)
    step_labels = labels_list("step_labels", step_labels, T, [str(s + 1) for s in range(T)])
    if not isinstance(output_name, str):
        raise ValueError(f"output_name must be a str, got {type(output_name).__name__}")
    height = 600 if height is None else check_positive_int("height", height)
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, row_heights=[0.37, 0.37, 0.26], vertical_spacing=0.11,
                        subplot_titles=["a→⟨t⟩, forward direction: has read x⟨1⟩ … x⟨t⟩",
                                        "a←⟨t⟩, backward direction: has read x⟨T⟩ … x⟨t⟩",
                                        f"{output_name}⟨t⟩ from [a→⟨t⟩; a←⟨t⟩]"])
    bound = max(1.0, float(np.max(np.abs(a_fwd))), float(np.max(np.abs(a_bwd))))
    x = list(range(T))
    for row, (name, a) in enumerate((("a→", a_fwd), ("a←", a_bwd)), start=1):
        fig.add_trace(go.Heatmap(z=a.tolist(), x=x, y=list(range(n_a)), zmin=-bound, zmax=bound,
                                 colorscale=COLORSCALES["signed"], showscale=row == 1,
                                 colorbar=dict(x=1.01, y=0.63, len=0.7, thickness=10, tickfont=dict(size=9)),
                                 customdata=[step_labels] * n_a,
                                 hovertemplate=f"{name}, unit %{{y}} at %{{customdata}}: %{{z:.3f}}<extra></extra>"),
                      row=row, col=1)
        fig.update_yaxes(autorange="reversed", title_text="unit", nticks=4, showgrid=False, zeroline=False,
                         row=row, col=1)
    fig.add_trace(go.Bar(x=x, y=y_hat.tolist(), marker=dict(color=[WAITING] * T), customdata=step_labels,
                         text=[f"{v:.2f}" for v in y_hat], textposition="outside", textfont=dict(size=10),
                         hovertemplate=f"{output_name} at %{{customdata}}: %{{y:.3f}}<extra></extra>", showlegend=False),
                  row=3, col=1)
    fig.update_yaxes(range=[0, 1.25], tickvals=[0, 0.5, 1], title_text=output_name, row=3, col=1)
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=step_labels, tickangle=0, tickfont=dict(size=12),
                     showgrid=False, range=[-0.5, T - 0.5], showticklabels=True)
    fig.update_layout(**{**LAYOUT, "height": height, "margin": {**LAYOUT["margin"], "t": 95, "r": 70},
                         "title": {**LAYOUT["title"], "text": title}})
    for annotation in fig.layout.annotations:
        annotation.update(font=dict(size=12), x=0, xanchor="left")
    frame = sweep_frame(a_fwd, a_bwd, y_hat, t, title)
    fig.data[2].update(frame["data"][2])
    fig.update_layout(frame["layout"])
    return fig


def dependence_figure(dependence, titles, step_labels=None, title="", height=360):
    """Which inputs each output depends on, side by side for several models.

    Args:
        dependence: list of (T, T) arrays ≥ 0, entry [t, s] how much ŷ⟨t⟩ changes when x⟨s⟩ does
            (e.g. from ``bidirectional_tasks.input_dependence``); a zero means "does not depend".
        titles: one panel title per array.
        step_labels: T labels of the steps (default "1".."T").
    Returns:
        go.Figure: one heatmap per model, outputs down, inputs across, the entries that
        are exactly 0 white (log colour scale for the rest).
    """
    if not isinstance(dependence, (list, tuple)) or not dependence:
        raise ValueError("dependence must be a non-empty list of (T, T) arrays")
    arrays = [matrix_values(f"dependence[{i}]", d) for i, d in enumerate(dependence)]
    T = arrays[0].shape[0]
    for i, d in enumerate(arrays):
        if d.shape != (T, T) or d.min() < 0:
            raise ValueError(f"dependence[{i}] must be a ({T}, {T}) array of values >= 0, got shape {d.shape}")
    titles = labels_list("titles", titles, len(arrays), None)
    step_labels = labels_list("step_labels", step_labels, T, [str(s + 1) for s in range(T)])
    if not isinstance(title, str):
        raise ValueError(f"title must be a str, got {type(title).__name__}")
    fig = make_subplots(rows=1, cols=len(arrays), subplot_titles=titles, horizontal_spacing=0.12)
    for col, d in enumerate(arrays, start=1):
        z = [[float(np.log10(v)) if v > 0 else None for v in row] for row in d]
        fig.add_trace(go.Heatmap(z=z, x=list(range(T)), y=list(range(T)), zmin=-8, zmax=0, colorscale=[[0.0, "#c6dbef"], [1.0, "#08306b"]],
                                 showscale=col == len(arrays), xgap=1, ygap=1,
                                 colorbar=dict(title=dict(text="log₁₀ |Δz|", side="right"), thickness=10),
                                 hovertemplate="z at step %{y}, x at step %{x} removed: |Δz| = 10^%{z:.1f}<extra></extra>"),
                      row=1, col=col)
        # upright input labels on two lines ("1 他" → "1" over "他"): slanted, 14 of them run together
        fig.update_xaxes(tickmode="array", tickvals=list(range(T)), ticktext=[l.replace(" ", "<br>", 1) for l in step_labels],
                         tickangle=0, title_text="input x⟨s⟩", tickfont=dict(size=10), row=1, col=col)
        fig.update_yaxes(tickmode="array", tickvals=list(range(T)), ticktext=step_labels, autorange="reversed",
                         title_text="output ŷ⟨t⟩" if col == 1 else "", tickfont=dict(size=10), row=1, col=col)
    fig.update_layout(**{**LAYOUT, "height": check_positive_int("height", height),
                         "title": {**LAYOUT["title"], "text": title}})
    for annotation in fig.layout.annotations:
        annotation.update(font=dict(size=12))
    return fig
