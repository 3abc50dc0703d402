"""Figure builders shared by every notebook.

Each takes arrays (and labels in the course's notation) and returns a ``go.Figure``.
"""

import numpy as np
import plotly.graph_objects as go

from course_lib.viz.theme import COLORSCALES, GATE_COLORS, HIGHLIGHT, LAYOUT


def _layout(title, height, **extra):
    return {**LAYOUT, "title": {**LAYOUT["title"], "text": title}, "height": height, **extra}


def heatmap_z(values, visible_steps=None):
    """Heatmap data as nested lists, columns from ``visible_steps`` on left blank.

    Blank cells are ``None`` rather than NaN: NaN is not valid JSON and breaks a
    FigureWidget's messages to the browser.
    """
    values = np.asarray(values, dtype=np.float64)
    if visible_steps is None:
        return values.tolist()
    return [[v if j < visible_steps else None for j, v in enumerate(row)] for row in values.tolist()]


def matrix_heatmap(values, row_labels=None, col_labels=None, title="", scale="signed",
                   zmax=None, x_title="", y_title="", height=None):
    """A matrix as a heatmap (weights, a one-hot matrix, a Jacobian ...).

    Args:
        values: array (rows, cols).
        row_labels, col_labels: tick labels (default: indices).
        scale: "signed" (diverging, symmetric around 0) or "unit" (values in [0, 1]).
        zmax: colour range bound; default 1 for "unit", max |value| for "signed".
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D array (rows, cols), got shape {values.shape}")
    rows, cols = values.shape
    row_labels = list(row_labels) if row_labels is not None else list(range(rows))
    col_labels = list(col_labels) if col_labels is not None else list(range(cols))
    if scale == "unit":
        zmin, zmax = 0.0, 1.0 if zmax is None else zmax
    elif scale == "signed":
        zmax = float(np.max(np.abs(values))) or 1.0 if zmax is None else zmax
        zmin = -zmax
    else:
        raise ValueError(f"scale must be 'signed' or 'unit', got {scale!r}")
    heat = go.Heatmap(
        z=heatmap_z(values), x=col_labels, y=row_labels, zmin=zmin, zmax=zmax,
        colorscale=COLORSCALES[scale], xgap=1, ygap=1,
        hovertemplate="%{y}, %{x}: %{z:.3f}<extra></extra>",
    )
    height = height or min(1000, 140 + 22 * rows)
    fig = go.Figure(heat, layout=_layout(title, height))
    fig.update_xaxes(title_text=x_title, type="category", side="bottom")
    # Category axes thin their labels when crowded; list them all so every row is named.
    fig.update_yaxes(title_text=y_title, type="category", autorange="reversed",
                     tickmode="array", tickvals=row_labels, ticktext=row_labels)
    return fig


def step_heatmap(values, t, row_labels=None, step_labels=None, title="", scale="signed",
                 zmax=None, y_title="", reveal=True, height=None):
    """A vector per timestep (columns = t) with step ``t`` outlined.

    With ``reveal``, columns after ``t`` are blank: what the network has read so far.

    Args:
        values: array (n, T) — e.g. x as (n_x, T_x), a as (n_a, T_x).
        t: 0-based step to outline.
        step_labels: x tick labels, default "1".."T" (the course counts steps from 1).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D array (n, T), got shape {values.shape}")
    T = values.shape[1]
    if step_labels is None:
        step_labels = [str(s + 1) for s in range(T)]
    fig = matrix_heatmap(values, row_labels, step_labels, title, scale, zmax,
                         x_title="t", y_title=y_title, height=height)
    if reveal:
        fig.data[0].z = heatmap_z(values, visible_steps=t + 1)
    fig.update_layout(shapes=[column_highlight(t, values.shape[0])])
    return fig


def column_highlight(t, n_rows):
    """A rectangle outlining column ``t`` of a category heatmap with ``n_rows`` rows."""
    return dict(
        type="rect", xref="x", yref="y", x0=t - 0.5, x1=t + 0.5, y0=-0.5, y1=n_rows - 0.5,
        line=dict(color=HIGHLIGHT, width=3), fillcolor="rgba(0,0,0,0)",
    )


def series_over_time(series, title="", y_title="", log_y=False, colors=None, x=None,
                     x_title="t", threshold=None, height=360):
    """Lines over time, one per named series (gate means, losses, norms ...).

    Args:
        series: dict name → 1-D array (all the same length T).
        colors: dict name → colour; default GATE_COLORS where the name is a gate.
        x: x values, default 1..T.
        threshold: optional y value drawn as a dashed line (a clipping threshold).
    """
    fig = go.Figure(layout=_layout(title, height))
    for name, values in series.items():
        values = np.asarray(values, dtype=np.float64)
        xs = np.arange(1, len(values) + 1) if x is None else np.asarray(x)
        color = (colors or {}).get(name, GATE_COLORS.get(name))
        fig.add_scatter(x=xs.tolist(), y=[v if np.isfinite(v) else None for v in values.tolist()],
                        name=name, mode="lines+markers" if len(values) <= 40 else "lines",
                        line=dict(color=color))  # markers only where they can be told apart
    if threshold is not None:
        fig.add_hline(y=threshold, line=dict(color=GATE_COLORS["threshold"], dash="dash"),
                      annotation_text=f"threshold {threshold:g}")
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    return fig


def norm_bars(norms, labels=None, title="", y_title="norm", log_y=False, highlight=None,
              color=None, height=340):
    """A bar per entry of ``norms`` (e.g. ‖∂J/∂a<t>‖ for every t), one bar outlined.

    Args:
        norms: 1-D array.
        labels: bar labels (default "1".."T").
        highlight: index of the bar to outline (the current step), or None.
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1:
        raise ValueError(f"norms must be a 1-D array, got shape {norms.shape}")
    labels = [str(i + 1) for i in range(len(norms))] if labels is None else list(labels)
    fig = go.Figure(go.Bar(x=labels, y=[v if np.isfinite(v) else None for v in norms.tolist()],
                           marker=dict(color=color or GATE_COLORS["grad"],
                                       line=bar_outline(len(norms), highlight))),
                    layout=_layout(title, height))
    fig.update_xaxes(title_text="t", type="category")
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    return fig


def bar_outline(n, highlight):
    """Marker line settings that outline bar ``highlight`` of ``n`` (None: no outline)."""
    widths = [3 if i == highlight else 0 for i in range(n)]
    return dict(color=HIGHLIGHT, width=widths)
