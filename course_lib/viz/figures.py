"""Figure builders shared by every notebook.

Each takes arrays (and labels in the course's notation) and returns a ``go.Figure``.
"""

import numpy as np
import plotly.graph_objects as go

from course_lib._validate import (
    as_float_array,
    check_bool,
    check_choice,
    check_positive_float,
    check_positive_int,
)
from course_lib.viz.theme import COLORSCALES, GATE_COLORS, HIGHLIGHT, LAYOUT


def _layout(title, height, **extra):
    return {**LAYOUT, "title": {**LAYOUT["title"], "text": title}, "height": height, **extra}


# ---------------------------------------------------------------------------------------
# Argument checks shared by the builders (arrays, labels, steps)
# ---------------------------------------------------------------------------------------


def _argument_name(name):
    """``name`` (the argument a check's message names) if it is a str, else ValueError."""
    if not isinstance(name, str):
        raise ValueError(f"name must be a str, the argument's name for the error message, got {name!r}")
    return name


def matrix_values(name, values, finite=True):
    """``values`` as a float64 array (rows, cols), at least 1 × 1; finite unless told.

    A heatmap cannot show NaN or inf (nor send them to a FigureWidget): they are refused
    with a ValueError naming ``name``, not drawn as something else.
    """
    values = as_float_array(_argument_name(name), values, finite=check_bool("finite", finite))
    if values.ndim != 2 or 0 in values.shape:
        raise ValueError(f"{name} must be a 2-D array (rows, cols) with at least one entry, got shape {values.shape}")
    return values


def labels_list(name, labels, n, default):
    """``labels`` as a list of ``n`` distinct labels (``default`` when None), else ValueError.

    Distinct: a category axis draws two equal labels as one row or column. When ``labels``
    is None, ``default`` must hold the ``n`` labels (a default of () makes the labels
    required).
    """
    name = _argument_name(name)
    n = check_positive_int("n", n)
    if labels is None:
        if isinstance(default, (str, bytes)) or not hasattr(default, "__len__") or len(default) != n:
            raise ValueError(f"{name} must be a list of {n} labels, one per entry, got None"
                             + ("" if isinstance(default, (tuple, list)) and not default
                                else f" (and the default {default!r} does not hold {n} labels)"))
        return list(default)
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise ValueError(f"{name} must be a list of {n} labels, got {type(labels).__name__}")
    labels = list(labels)
    if len(labels) != n:
        raise ValueError(f"{name} must hold {n} labels, one per entry, got {len(labels)}")
    if any(label is None for label in labels):
        raise ValueError(f"{name} must not hold None")
    if len(set(map(str, labels))) != n:
        raise ValueError(f"{name} must be distinct (a category axis merges equal labels), got {labels}")
    return labels


def step_index(name, t, n_steps):
    """``t`` as an int in [0, n_steps), else ValueError naming ``name``."""
    name = _argument_name(name)
    n_steps = check_positive_int("n_steps", n_steps)
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) or not 0 <= t < n_steps:
        raise ValueError(f"{name} must be an integer step in [0, {n_steps}), got {t!r}")
    return int(t)


def _height(height, default):
    return default if height is None else check_positive_int("height", height)


def heatmap_z(values, visible_steps=None):
    """Heatmap data as nested lists, columns from ``visible_steps`` on left blank.

    Args:
        values: array (rows, cols), finite.
        visible_steps: None (every column) or the number of columns shown, 0 ... cols.
    Returns:
        list of rows; blank cells are ``None`` rather than NaN: NaN is not valid JSON and
        breaks a FigureWidget's messages to the browser.
    """
    values = matrix_values("values", values)
    if visible_steps is None:
        return values.tolist()
    visible_steps = check_positive_int("visible_steps", visible_steps, minimum=0, maximum=values.shape[1])
    return [[v if j < visible_steps else None for j, v in enumerate(row)] for row in values.tolist()]


def matrix_heatmap(values, row_labels=None, col_labels=None, title="", scale="signed",
                   zmax=None, x_title="", y_title="", height=None):
    """A matrix as a heatmap (weights, a one-hot matrix, a Jacobian ...).

    Args:
        values: array (rows, cols), finite (NaN or inf raise ValueError).
        row_labels, col_labels: distinct tick labels, one per row / column (default: indices).
        scale: "signed" (diverging, symmetric around 0) or "unit" (values in [0, 1]).
        zmax: colour range bound > 0; default 1 for "unit", max |value| for "signed".
        height: pixels (default: grows with the rows).
    Returns:
        go.Figure with one heatmap trace.
    """
    values = matrix_values("values", values)
    rows, cols = values.shape
    row_labels = labels_list("row_labels", row_labels, rows, range(rows))
    col_labels = labels_list("col_labels", col_labels, cols, range(cols))
    scale = check_choice("scale", scale, ("signed", "unit"))
    zmax = None if zmax is None else check_positive_float("zmax", zmax)
    if scale == "unit":
        zmin, zmax = 0.0, 1.0 if zmax is None else zmax
    else:
        zmax = float(np.max(np.abs(values))) or 1.0 if zmax is None else zmax
        zmin = -zmax
    heat = go.Heatmap(
        z=values.tolist(), x=col_labels, y=row_labels, zmin=zmin, zmax=zmax,
        colorscale=COLORSCALES[scale], xgap=1, ygap=1,
        hovertemplate="%{y}, %{x}: %{z:.3f}<extra></extra>",
    )
    fig = go.Figure(heat, layout=_layout(title, _height(height, min(1000, 140 + 22 * rows))))
    fig.update_xaxes(title_text=x_title, type="category", side="bottom")
    # Category axes thin their labels when crowded; list them all so every row is named.
    fig.update_yaxes(title_text=y_title, type="category", autorange="reversed",
                     tickmode="array", tickvals=row_labels, ticktext=row_labels)
    return fig


def step_heatmap(values, t, row_labels=None, step_labels=None, title="", scale="signed",
                 zmax=None, y_title="", reveal=True, height=None):
    """A vector per timestep (columns = t) with step ``t`` outlined.

    With ``reveal``, columns after ``t`` are covered (``unread_mask``): what the network
    has read so far. The heatmap holds every column from the start, so that moving to
    another step only moves two shapes (``step_shapes``), however long the sequence.

    Args:
        values: array (n, T), finite — e.g. x as (n_x, T_x), a as (n_a, T_x).
        t: 0-based step to outline, 0 ... T − 1.
        step_labels: x tick labels, T distinct ones; default "1".."T" (the course counts
            steps from 1).
    Returns:
        go.Figure with one heatmap trace and the step's shapes.
    """
    values = matrix_values("values", values)
    n, T = values.shape
    t = step_index("t", t, T)
    step_labels = labels_list("step_labels", step_labels, T, [str(s + 1) for s in range(T)])
    reveal = check_bool("reveal", reveal)
    fig = matrix_heatmap(values, row_labels, step_labels, title, scale, zmax,
                         x_title="t", y_title=y_title, height=height)
    fig.update_layout(shapes=step_shapes(t, T, n, reveal))
    return fig


def column_highlight(t, n_rows):
    """A rectangle outlining column ``t`` of a category heatmap with ``n_rows`` rows."""
    t = check_positive_int("t", t, minimum=0)
    n_rows = check_positive_int("n_rows", n_rows)
    return dict(
        type="rect", xref="x", yref="y", x0=t - 0.5, x1=t + 0.5, y0=-0.5, y1=n_rows - 0.5,
        line=dict(color=HIGHLIGHT, width=3), fillcolor="rgba(0,0,0,0)",
    )


def unread_mask(t, n_steps, n_rows):
    """A rectangle in the plot's background colour over columns t+1 … n_steps−1 (the steps not read yet).

    Zero width at the last step. Drawn above the heatmap, below the highlight.
    """
    n_steps = check_positive_int("n_steps", n_steps)
    t = step_index("t", t, n_steps)
    n_rows = check_positive_int("n_rows", n_rows)
    return dict(
        type="rect", xref="x", yref="y", x0=t + 0.5, x1=n_steps - 0.5, y0=-0.5, y1=n_rows - 0.5,
        line=dict(width=0), fillcolor="white", layer="above", name="unread",
    )


def step_shapes(t, n_steps, n_rows, reveal=True):
    """The shapes of step ``t`` of a step heatmap: the unread columns covered (with ``reveal``), column t outlined."""
    highlight = column_highlight(step_index("t", t, n_steps), n_rows)
    return [unread_mask(t, n_steps, n_rows), highlight] if check_bool("reveal", reveal) else [highlight]


def _line(name, values, length=None):
    """A 1-D float64 array (NaN and inf allowed: drawn as gaps), of ``length`` if given."""
    values = as_float_array(name, values, finite=False)
    if values.ndim != 1 or values.size == 0 or (length is not None and values.size != length):
        expected = f"have shape ({length},)" if length is not None else "be a non-empty 1-D array"
        raise ValueError(f"{name} must {expected}, got shape {values.shape}")
    return values


def _gaps(values):
    """A list for plotly: finite values kept, NaN and inf ``None`` (gaps, never invalid JSON)."""
    return [v if np.isfinite(v) else None for v in values.tolist()]


def series_over_time(series, title="", y_title="", log_y=False, colors=None, x=None,
                     x_title="t", threshold=None, height=360, dashes=None, full_log_labels=False):
    """Lines over time, one per named series (gate means, losses, norms ...).

    Args:
        series: non-empty dict name → 1-D array, all of the same length T (NaN and inf
            are drawn as gaps).
        colors: dict name → colour; default GATE_COLORS where the name is a gate.
        x: x values, T finite numbers; default 1..T.
        threshold: optional finite y value drawn as a dashed line (a clipping threshold).
        dashes: optional dict name → plotly dash style ("dash", "dot", ...): those series
            are drawn dashed, with open markers, so that where two series coincide the one
            drawn later (``series`` order) does not hide the other.
        full_log_labels: with ``log_y``, label every tick in full (``_log_axis``), not
            plotly's bare "2", "5" between the decades of a short log range.
    Returns:
        go.Figure with one line per series.
    """
    if not isinstance(series, dict) or not series:
        raise ValueError(f"series must be a non-empty dict name → 1-D array, got {type(series).__name__}")
    lines = {}
    for name, values in series.items():
        lines[name] = _line(f"series[{name!r}]", values, len(next(iter(lines.values()))) if lines else None)
    T = len(next(iter(lines.values())))
    xs = np.arange(1, T + 1) if x is None else as_float_array("x", x)
    if xs.shape != (T,):
        raise ValueError(f"x must have shape (T,) = ({T},), one value per step, got shape {xs.shape}")
    if colors is not None and not isinstance(colors, dict):
        raise ValueError(f"colors must be a dict name → colour, got {type(colors).__name__}")
    log_y = check_bool("log_y", log_y)
    full_log_labels = check_bool("full_log_labels", full_log_labels)
    dashes = _dashes(dashes, lines)
    fig = go.Figure(layout=_layout(title, _height(height, 360)))
    for name, values in lines.items():
        color = (colors or {}).get(name, GATE_COLORS.get(name))
        style = {"line": dict(color=color, dash=dashes[name]), "marker": dict(symbol="circle-open", size=9)} \
            if name in dashes else {"line": dict(color=color)}
        fig.add_scatter(x=xs.tolist(), y=_gaps(values),
                        name=name, mode="lines+markers" if T <= 40 else "lines",
                        **style)  # markers only where they can be told apart
    if threshold is not None:
        threshold = float(as_float_array("threshold", threshold, ndim=0))
        fig.add_hline(y=threshold, line=dict(color=GATE_COLORS["threshold"], dash="dash"),
                      annotation_text=f"threshold {threshold:g}")
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    if log_y and full_log_labels:
        fig.update_yaxes(**_log_axis(np.concatenate(list(lines.values()))))
    return fig


def norm_bars(norms, labels=None, title="", y_title="norm", log_y=False, highlight=None,
              color=None, height=340):
    """A bar per entry of ``norms`` (e.g. ‖∂J/∂a<t>‖ for every t), one bar outlined.

    Args:
        norms: non-empty 1-D array (NaN and inf drawn as missing bars).
        labels: distinct bar labels, one per entry (default "1".."T").
        highlight: index of the bar to outline (the current step), 0 ... T − 1, or None.
    Returns:
        go.Figure with one bar trace.
    """
    norms = _line("norms", norms)
    labels = labels_list("labels", labels, len(norms), [str(i + 1) for i in range(len(norms))])
    fig = go.Figure(go.Bar(x=labels, y=_gaps(norms),
                           marker=dict(color=color or GATE_COLORS["grad"],
                                       line=bar_outline(len(norms), highlight))),
                    layout=_layout(title, _height(height, 340)))
    fig.update_xaxes(title_text="t", type="category")
    fig.update_yaxes(title_text=y_title, type="log" if check_bool("log_y", log_y) else "linear")
    return fig


def bar_outline(n, highlight):
    """Marker line settings that outline bar ``highlight`` (0 ... n − 1) of ``n`` (None: no outline)."""
    n = check_positive_int("n", n)
    if highlight is not None:
        highlight = step_index("highlight", highlight, n)
    widths = [3 if i == highlight else 0 for i in range(n)]
    return dict(color=HIGHLIGHT, width=widths)


DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")  # plotly's named dash styles


def _dashes(dashes, lines):
    """``dashes`` of series_over_time checked: {} for None, else a dict series name → dash style."""
    if dashes is None:
        return {}
    if not isinstance(dashes, dict):
        raise ValueError(f"dashes must be a dict series name → dash style, got {type(dashes).__name__}")
    unknown = [name for name in dashes if name not in lines]
    if unknown:
        raise ValueError(f"dashes names series that are not in series: {unknown} (series: {list(lines)})")
    return {name: check_choice(f"dashes[{name!r}]", dash, DASHES) for name, dash in dashes.items()}


def _log_axis(values):
    """Settings of a log axis over ``values`` that write every tick label in full.

    Over a short log range plotly labels the ticks between two decades with their first
    digit only (0.1, then 2, 3, 5 for 0.2, 0.3, 0.5), which reads as the wrong numbers.
    Here the ticks are 1, 2 and 5 × 10^k over up to three decades (1 to 9 × 10^k within
    one), each labelled in full ("0.05", "0.2"); over more decades one tick per decade,
    written as a power of ten.

    Args:
        values: the values the axis shows (NaN, inf and values ≤ 0 are ignored).
    Returns:
        dict for ``fig.update_yaxes(**_log_axis(values))``, type "log" included.
    """
    values = as_float_array("values", values, finite=False).ravel()
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return dict(type="log", exponentformat="power")
    low, high = float(values.min()), float(values.max())
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    if last - first > 3:
        return dict(type="log", dtick=1, exponentformat="power", minor=dict(showgrid=False))
    mantissas = range(1, 10) if high / low < 10 else (1, 2, 5)
    ticks = [m * 10.0**k for k in range(first, last + 1) for m in mantissas]
    ticks = [v for v in ticks if low / 1.5 <= v <= high * 1.5]  # plotly pads the range a little
    return dict(type="log", tickmode="array", tickvals=ticks,
                ticktext=[np.format_float_positional(v, precision=12, trim="-") for v in ticks])
