"""Gate activation views: what a gated cell's gates and states do, step by step.

Arrays in, ``go.Figure`` out, for any cell of the recurrent core (the GRU of notebook 06:
Γu, Γr, c~, c; the LSTM of notebook 07: Γf, Γu, c~, Γo, c, a):

- ``gate_heatmaps``: one heatmap per quantity, units × time, each on its own colour scale
  from the theme (a gate from white at 0 to the gate's colour at 1; a signed quantity on
  the course's signed scale), the current step outlined in every heatmap; with ``unit``,
  that unit's row outlined and its values over time in a last panel. ``gate_frame`` moves
  the outlines to another step (the explorer's frame).
- ``unit_lines``: one unit's gates and states over time.
- ``neuron_coloring``: sentences with each word coloured by one unit's value after
  reading it, in the manner of Karpathy's char-rnn visualisations.
- ``gate_histogram``: how a gate's values spread over [0, 1], the bands near 0 and 1 shaded.
- ``step_values``: the arrays these draw, read from a forward pass's SequenceCache.

Derived in notebooks/06_gru.ipynb, "What the gates do, step by step".
"""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib._validate import as_float_array, check_bool, check_positive_int
from course_lib.recurrent import SequenceCache
from course_lib.viz.figures import labels_list, matrix_values, step_index
from course_lib.viz.theme import COLORSCALES, GATE_COLORS, HIGHLIGHT, LAYOUT

__all__ = ["FIELD_NAMES", "gate_frame", "gate_heatmaps", "gate_histogram", "neuron_coloring", "step_values",
           "unit_lines", "saturation_fractions", "saturation_plot"]

# A step field of a cell's cache (``cell.step_fields``) → the name its figures show.
FIELD_NAMES = {"gamma_f": "Γf", "gamma_u": "Γu", "gamma_r": "Γr", "c_tilde": "c~", "gamma_o": "Γo",
               "c_next": "c", "a_next": "a"}
# What each name stands for, in the panels' titles.
DESCRIPTIONS = {"Γf": "forget gate", "Γu": "update gate", "Γr": "relevance (reset) gate", "Γo": "output gate",
                "c~": "candidate", "c": "memory cell", "a": "hidden state"}
HEATMAP_HEIGHT = 90  # pixels per heatmap panel: four of them and the unit's panel fit one screen
LINES_HEIGHT = 140  # pixels of the unit's panel
GAP = 30  # pixels between panels, where each panel's title goes


def _is_gate(name):
    """Gates (Γ...) lie in [0, 1]; everything else (c~, c, a) is signed."""
    return name.startswith("Γ")


def _color(name):
    return GATE_COLORS.get(name, GATE_COLORS["a"])


def _scale(name, values):
    """(colorscale, zmin, zmax) of a quantity: a gate from white to its colour; a signed one symmetric."""
    if _is_gate(name):
        return [[0.0, "#ffffff"], [1.0, _color(name)]], 0.0, 1.0
    bound = max(1.0, float(np.max(np.abs(values))))  # tanh-bounded quantities: ±1, the same in every figure
    return COLORSCALES["signed"], -bound, bound


def _values(values):
    """``values`` checked: a non-empty dict of str → finite (n_a, T) arrays, all of one shape."""
    if not isinstance(values, dict) or not values:
        raise ValueError("values must be a non-empty dict name → (n_a, T) array, e.g. {'Γu': ..., 'c': ...}, "
                         f"got {type(values).__name__}")
    checked, shape = {}, None
    for name, v in values.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"values must have str names (Γu, c~ ...) as keys, got {name!r}")
        v = matrix_values(f"values[{name!r}]", v)
        if shape is not None and v.shape != shape:
            raise ValueError(f"values[{name!r}] must have the shape (n_a, T) = {shape} of the first entry, got {v.shape}")
        if _is_gate(name) and (v.min() < 0 or v.max() > 1):
            raise ValueError(f"values[{name!r}] is a gate (its name starts with Γ) and must lie in [0, 1], "
                             f"got values from {v.min():.3g} to {v.max():.3g}")
        shape = v.shape
        checked[name] = v
    return checked


def _unit(unit, n_a, optional=True):
    if unit is None and optional:
        return None
    if isinstance(unit, (bool, np.bool_)) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < n_a:
        raise ValueError(f"unit must be an integer in [0, {n_a}) (a row of the heatmaps), got {unit!r}")
    return int(unit)


def _panels(values, unit):
    """[(row, name)] of the heatmaps, and the row of the unit's lines (None without unit)."""
    rows = list(enumerate(values, start=1))
    return rows, (len(rows) + 1 if unit is not None else None)


def _axis(kind, row):
    return f"{kind}{'' if row == 1 else row}"


def _step_shapes(values, t, unit):
    """Step t outlined in every heatmap (and marked in the unit's panel); the unit's row outlined."""
    n_a, T = next(iter(values.values())).shape
    rows, lines_row = _panels(values, unit)
    shapes = []
    for row, _ in rows:
        x, y = _axis("x", row), _axis("y", row)
        shapes.append(dict(type="rect", xref=x, yref=y, x0=t - 0.5, x1=t + 0.5, y0=-0.5, y1=n_a - 0.5,
                           line=dict(color=HIGHLIGHT, width=2.5), fillcolor="rgba(0,0,0,0)"))
        if unit is not None:
            shapes.append(dict(type="rect", xref=x, yref=y, x0=-0.5, x1=T - 0.5, y0=unit - 0.5, y1=unit + 0.5,
                               line=dict(color="#222222", width=1, dash="dot"), fillcolor="rgba(0,0,0,0)"))
    if lines_row is not None:
        shapes.append(dict(type="rect", xref=_axis("x", lines_row), yref=f"{_axis('y', lines_row)} domain",
                           x0=t - 0.5, x1=t + 0.5, y0=0, y1=1, line=dict(width=0),
                           fillcolor="rgba(214,39,40,0.12)", layer="below"))
    return shapes


def _layout(title, height, **extra):
    """The theme's layout with this figure's title and height (a margin given in ``extra`` extends the theme's)."""
    margin = {**LAYOUT["margin"], **extra.pop("margin", {})}
    return {**LAYOUT, "title": {**LAYOUT["title"], "text": _title(title)}, "height": height, "margin": margin, **extra}


def _title(title):
    if not isinstance(title, str):
        raise ValueError(f"title must be a str, got {type(title).__name__}")
    return title


def gate_frame(values, t, unit=None, title=""):
    """The frame of step ``t`` for ``gate_heatmaps``: the outlines moved there, a new title.

    Args:
        values: dict name → (n_a, T) array, as given to ``gate_heatmaps``.
        t: 0-based step, 0 ... T − 1.
        unit: the unit outlined (and drawn in the last panel), or None, as in the figure.
        title: the title at this step.
    Returns:
        frame dict {"layout": {"shapes": ..., "title": ...}}: the heatmaps hold every
        step from the start, so a step only moves shapes.
    """
    values = _values(values)
    n_a, T = next(iter(values.values())).shape
    t = step_index("t", t, T)
    unit = _unit(unit, n_a)
    return {"layout": {"shapes": _step_shapes(values, t, unit), "title": {"text": _title(title)}}}


def gate_heatmaps(values, t=0, step_labels=None, unit=None, title="", height=None):
    """One heatmap per gate or state, units × time, step ``t`` outlined in each.

    Args:
        values: dict name → (n_a, T) array of one example, in the order to draw, e.g.
            {"Γu": ..., "Γr": ..., "c~": ..., "c": ...}; a name starting with Γ is a gate
            (values in [0, 1], white → the gate's colour in the theme), any other is signed
            (the course's signed scale, symmetric, at least ±1). Finite values only.
        t: the 0-based step outlined, 0 ... T − 1.
        step_labels: T distinct x labels (default "1".."T"), e.g. "3 cats".
        unit: None, or a unit (row) to outline in every heatmap and to draw in a last panel,
            its values over time.
        title: the figure's title.
        height: pixels (default: about 120 per heatmap, 170 for the unit's panel).
    Returns:
        go.Figure: the heatmaps (one trace each, in ``values``' order), then, with
        ``unit``, one line per quantity; the shapes of ``gate_frame(values, t, unit)``.
    """
    values = _values(values)
    n_a, T = next(iter(values.values())).shape
    t = step_index("t", t, T)
    step_labels = labels_list("step_labels", step_labels, T, [str(s + 1) for s in range(T)])
    unit = _unit(unit, n_a)
    title = _title(title)
    rows, lines_row = _panels(values, unit)
    n_rows = len(rows) + (lines_row is not None)
    weights = [HEATMAP_HEIGHT] * len(rows) + ([LINES_HEIGHT] if lines_row else [])
    crowded = T > 14  # then the step labels are slanted, and need more room below
    margin = {"t": 100, "r": 70, "b": 85 if crowded else 55}
    default_height = sum(weights) + GAP * (n_rows - 1) + margin["t"] + margin["b"]
    height = default_height if height is None else check_positive_int("height", height)
    titles = [f"{name}<t>, {DESCRIPTIONS[name]}" if name in DESCRIPTIONS else f"{name}<t>" for _, name in rows]
    if lines_row:
        titles.append(f"unit {unit}: its {', '.join(values)} over time")
    plot_height = max(height - margin["t"] - margin["b"], 1)
    fig = make_subplots(rows=n_rows, cols=1, shared_xaxes=True, row_heights=weights,
                        vertical_spacing=min(0.3 / n_rows, GAP / plot_height), subplot_titles=titles)
    x = list(range(T))
    for row, name in rows:
        colorscale, zmin, zmax = _scale(name, values[name])
        domain = fig.layout[_axis("yaxis", row)].domain
        fig.add_trace(go.Heatmap(
            z=values[name].tolist(), x=x, y=list(range(n_a)), zmin=zmin, zmax=zmax, colorscale=colorscale,
            colorbar=dict(x=1.01, xanchor="left", y=(domain[0] + domain[1]) / 2, yanchor="middle",
                          len=domain[1] - domain[0], thickness=10, tickfont=dict(size=9), nticks=3,
                          title=dict(text=name, side="right", font=dict(size=12))),
            customdata=[step_labels] * n_a,
            hovertemplate=f"{name}, unit %{{y}} at %{{customdata}}: %{{z:.3f}}<extra></extra>",
        ), row=row, col=1)
        fig.update_yaxes(autorange="reversed", title_text="unit", title_standoff=4, nticks=4, showgrid=False,
                         zeroline=False, row=row, col=1)
    if lines_row:
        bound = max(1.0, *(float(np.max(np.abs(v[unit]))) for v in values.values()))
        for name, v in values.items():
            fig.add_trace(go.Scatter(x=x, y=v[unit].tolist(), name=name, mode="lines+markers" if T <= 40 else "lines",
                                     line=dict(color=_color(name), width=2, dash="dot" if name == "c~" else "solid"),
                                     marker=dict(size=5), customdata=step_labels,
                                     hovertemplate=f"{name} of unit {unit} at %{{customdata}}: %{{y:.3f}}<extra></extra>"),
                          row=lines_row, col=1)
        fig.update_yaxes(range=[-1.08 * bound, 1.08 * bound], zeroline=True, zerolinecolor="#bbbbbb",
                         title_text="value", row=lines_row, col=1)
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=step_labels, tickangle=-45 if crowded else 0,
                     tickfont=dict(size=11), showgrid=False, range=[-0.5, T - 0.5])
    legend = {}
    if lines_row:  # beside the unit's panel, where the heatmaps have their colour bars
        domain = fig.layout[_axis("yaxis", lines_row)].domain
        legend = dict(x=1.01, xanchor="left", y=(domain[0] + domain[1]) / 2, yanchor="middle", font=dict(size=12))
    fig.update_layout(**_layout(title, height, margin=margin, legend=legend))
    for annotation in fig.layout.annotations:  # the panels' titles: smaller, at the left, above their panel
        annotation.update(font=dict(size=12), x=0, xanchor="left")
    fig.update_layout(gate_frame(values, t, unit, title)["layout"])
    return fig


def unit_lines(values, unit, step_labels=None, t=None, title="", height=340):
    """One unit's gates and states over time, one line each (step ``t`` shaded, if given).

    Args:
        values: dict name → (n_a, T) array, as for ``gate_heatmaps``.
        unit: the unit (row) to draw, 0 ... n_a − 1.
        step_labels: T distinct x labels (default "1".."T").
        t: None or a 0-based step to shade.
        title, height: the figure's title and height in pixels.
    Returns:
        go.Figure with one line per quantity, coloured as the theme's gates.
    """
    values = _values(values)
    n_a, T = next(iter(values.values())).shape
    unit = _unit(unit, n_a, optional=False)
    step_labels = labels_list("step_labels", step_labels, T, [str(s + 1) for s in range(T)])
    t = None if t is None else step_index("t", t, T)
    fig = go.Figure()
    for name, v in values.items():
        fig.add_scatter(x=step_labels, y=v[unit].tolist(), name=name, mode="lines+markers" if T <= 40 else "lines",
                        line=dict(color=_color(name), width=2, dash="dot" if name == "c~" else "solid"))
    if t is not None:
        fig.add_vrect(x0=t - 0.5, x1=t + 0.5, fillcolor=HIGHLIGHT, opacity=0.12, line_width=0, layer="below")
    bound = max(1.0, *(float(np.max(np.abs(v[unit]))) for v in values.values()))
    fig.update_xaxes(type="category", tickangle=-45 if T > 14 else 0)
    fig.update_yaxes(range=[-1.08 * bound, 1.08 * bound], zeroline=True, zerolinecolor="#bbbbbb")
    fig.update_layout(**_layout(_title(title) or f"unit {unit}", check_positive_int("height", height)))
    return fig


def _sentences(tokens, values):
    """tokens as a list of lists of str, values as 1-D float64 arrays of the same lengths."""
    if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (list, tuple)) or not tokens:
        raise ValueError("tokens must be a non-empty list of sentences, each a list of str tokens")
    rows = []
    for i, sentence in enumerate(tokens):
        if isinstance(sentence, (str, bytes)) or not isinstance(sentence, (list, tuple)) or not sentence \
                or not all(isinstance(tok, str) for tok in sentence):
            raise ValueError(f"tokens[{i}] must be a non-empty list of str tokens, got {sentence!r}")
        rows.append(list(sentence))
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or len(values) != len(rows):
        raise ValueError(f"values must be a list of {len(rows)} 1-D arrays, one per sentence of tokens")
    arrays = []
    for i, (sentence, v) in enumerate(zip(rows, values)):
        v = as_float_array(f"values[{i}]", v)
        if v.shape != (len(sentence),):
            raise ValueError(f"values[{i}] must have shape ({len(sentence)},), one value per token of tokens[{i}], "
                             f"got {v.shape}")
        arrays.append(v)
    return rows, arrays


def neuron_coloring(tokens, values, title="", row_labels=None, zmax=None, height=None):
    """Sentences with every token coloured by one unit's value after reading it.

    Args:
        tokens: list of sentences, each a non-empty list of str tokens (one row each).
        values: list of 1-D arrays, values[i][j] the unit's value after reading tokens[i][j].
        title: the figure's title.
        row_labels: distinct labels of the rows (default "1".."n").
        zmax: colour range bound > 0 (default max(1, largest |value|)); the scale is the
            course's signed one, from −zmax (blue) through 0 (white) to zmax (red).
        height: pixels (default: grows with the rows).
    Returns:
        go.Figure with one heatmap trace per sentence on one colour axis: each token a cell
        as wide as its text (so that a long word stays inside its cell), written in it.
    """
    rows, arrays = _sentences(tokens, values)
    row_labels = labels_list("row_labels", row_labels, len(rows), [str(i + 1) for i in range(len(rows))])
    if zmax is None:
        zmax = max(1.0, max(float(np.max(np.abs(v))) for v in arrays))
    else:
        zmax = float(as_float_array("zmax", zmax, ndim=0))
        if not zmax > 0:
            raise ValueError(f"zmax must be a number > 0, got {zmax!r}")
    fig = go.Figure()
    widest = 0.0
    for i, (sentence, v) in enumerate(zip(rows, arrays)):
        edges = np.concatenate([[0.0], np.cumsum([len(tok) + 2.0 for tok in sentence])])  # in characters
        widest = max(widest, float(edges[-1]))
        fig.add_trace(go.Heatmap(
            z=[v.tolist()], x=edges.tolist(), y=[i - 0.42, i + 0.42], text=[sentence], texttemplate="%{text}",
            textfont=dict(size=11), coloraxis="coloraxis", xgap=2, name=str(row_labels[i]),
            hovertemplate=f"{row_labels[i]}: %{{text}} → %{{z:.3f}}<extra></extra>",
        ))
    default = 110 + 40 * len(rows)
    fig.update_layout(**_layout(title, default if height is None else check_positive_int("height", height),
                                margin={"t": 60, "b": 20}),
                      coloraxis=dict(colorscale=COLORSCALES["signed"], cmin=-zmax, cmax=zmax,
                                     colorbar=dict(thickness=11, tickfont=dict(size=10))))
    fig.update_xaxes(visible=False, range=[0, widest])
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=list(range(len(rows))),
                     ticktext=[str(label) for label in row_labels], showgrid=False, zeroline=False)
    return fig


def gate_histogram(values, bins=20, bands=True, title="", colors=None, height=360):
    """How the values of a gate spread over [0, 1]: one bar chart per series, overlaid.

    Args:
        values: dict label → array of gate values in [0, 1] (any shape; flattened), e.g.
            {"trained": ..., "before training": ...}.
        bins: number of equal bins from 0 to 1 (int ≥ 2).
        bands: shade [0, 0.1] and [0.9, 1], the values called near 0 and near 1.
        colors: dict label → colour (default: the update gate's colour, then grey).
        title, height: the figure's title and height in pixels.
    Returns:
        go.Figure with one bar trace per label: the share of the values in each bin.
    """
    if not isinstance(values, dict) or not values:
        raise ValueError(f"values must be a non-empty dict label → array of gate values, got {type(values).__name__}")
    bins = check_positive_int("bins", bins, minimum=2)
    bands = check_bool("bands", bands)
    if colors is not None and not isinstance(colors, dict):
        raise ValueError(f"colors must be None or a dict label → colour, got {type(colors).__name__}")
    edges = np.linspace(0.0, 1.0, bins + 1)
    palette = [GATE_COLORS["Γu"], "#9a9a9a", GATE_COLORS["Γr"], GATE_COLORS["c"]]
    fig = go.Figure()
    for i, (label, v) in enumerate(values.items()):
        v = as_float_array(f"values[{label!r}]", v).ravel()
        if v.size == 0 or v.min() < 0 or v.max() > 1:
            raise ValueError(f"values[{label!r}] must be a non-empty array of gate values in [0, 1]")
        share = np.histogram(v, bins=edges)[0] / v.size
        color = (colors or {}).get(label, palette[i % len(palette)])
        fig.add_bar(x=((edges[:-1] + edges[1:]) / 2).tolist(), y=share.tolist(), width=1.0 / bins, name=str(label),
                    marker=dict(color=color, opacity=0.75, line=dict(width=0)),
                    hovertemplate=f"{label}: %{{y:.1%}} of the values in %{{x:.3f}} ± {0.5 / bins:.3f}<extra></extra>")
    if bands:
        for x0, x1 in ((0.0, 0.1), (0.9, 1.0)):
            fig.add_vrect(x0=x0, x1=x1, fillcolor="#999999", opacity=0.12, line_width=0, layer="below")
    fig.update_layout(**_layout(title, check_positive_int("height", height), margin={"t": 90}, barmode="overlay",
                                legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom")))
    fig.update_xaxes(range=[0, 1], dtick=0.1, title_text="value")
    fig.update_yaxes(title_text="share of the values", tickformat=".0%")
    return fig


# Gates first, then the candidate, then the states, whatever order a cell lists its fields in.
FIELD_ORDER = ("gamma_f", "gamma_u", "gamma_r", "c_tilde", "gamma_o", "c_next", "a_next")


def step_values(caches, example=0, steps=None, fields=None):
    """The gates and states of one example of a forward pass, named as the figures show them.

    Args:
        caches: the SequenceCache of a forward pass of any cell (gru_forward, lm_forward ...).
        example: which example of the batch, 0 ... m − 1.
        steps: how many steps from the first (default all T_x): a sentence shorter than
            its batch keeps its own steps, not the padding after it.
        fields: the cache's step fields to read, in order (default every one the cell has,
            gates first: for the GRU gamma_u, gamma_r, c_tilde, c_next).
    Returns:
        dict name → (n_a, steps) array, the names those of FIELD_NAMES ("Γu", "c~", "c" ...).
    """
    if not isinstance(caches, SequenceCache):
        raise ValueError(f"caches must be the SequenceCache of a forward pass, got {type(caches).__name__}")
    available = caches.cell.step_fields
    m, T_x = caches.x.shape[1], caches.x.shape[2]
    if isinstance(example, (bool, np.bool_)) or not isinstance(example, (int, np.integer)) or not 0 <= example < m:
        raise ValueError(f"example must be an integer in [0, {m}) (a column of the batch), got {example!r}")
    example = int(example)
    steps = T_x if steps is None else check_positive_int("steps", steps, maximum=T_x)
    if fields is None:
        fields = [f for f in FIELD_ORDER if f in available] + [f for f in available if f not in FIELD_ORDER]
    elif isinstance(fields, (str, bytes)) or not isinstance(fields, (list, tuple)) or not fields:
        raise ValueError(f"fields must be None or a non-empty list of the cell's step fields {list(available)}, "
                         f"got {fields!r}")
    unknown = [f for f in fields if f not in available]
    if unknown:
        raise ValueError(f"fields {unknown} are not step fields of the {caches.cell.name!r} cell: "
                         f"choose from {list(available)}")
    return {FIELD_NAMES.get(f, f): np.array(caches.arrays[f][:, example, :steps]) for f in fields}


# ---------------------------------------------------------------------------------------
# Saturation: how often each unit's gates sit near 0 or near 1 (Karpathy, Johnson & Fei-Fei 2015)
# ---------------------------------------------------------------------------------------

SATURATION_GATES = ("gamma_f", "gamma_u", "gamma_r", "gamma_o")  # the gate fields a cache may have, in order
SATURATION_SYMBOLS = {"Γf": "circle", "Γu": "diamond", "Γr": "triangle-up", "Γo": "square"}


def _gate_arrays(caches_or_values):
    """name → (n_a, ...) gate array, from a SequenceCache's gate fields or a dict of arrays."""
    if isinstance(caches_or_values, SequenceCache):
        fields = [f for f in SATURATION_GATES if f in caches_or_values.cell.step_fields]
        if not fields:
            raise ValueError(f"caches_or_values: the {caches_or_values.cell.name!r} cell has no gates "
                             f"({list(SATURATION_GATES)}) to measure")
        return {FIELD_NAMES[f]: caches_or_values.arrays[f] for f in fields}
    if not isinstance(caches_or_values, dict) or not caches_or_values:
        raise ValueError("caches_or_values must be the SequenceCache of a gated cell's forward pass, or a non-empty "
                         f"dict gate name → (n_a, m, T_x) array of values in [0, 1], got {type(caches_or_values).__name__}")
    arrays, shape = {}, None
    for name, v in caches_or_values.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"caches_or_values must have str gate names (Γf, Γu ...) as keys, got {name!r}")
        v = as_float_array(f"caches_or_values[{name!r}]", v)
        if v.ndim < 2 or 0 in v.shape or (shape is not None and v.shape != shape):
            raise ValueError(f"caches_or_values[{name!r}] must have shape (n_a, ...) with every size >= 1"
                             + (f", the shape {shape} of the first gate" if shape else "") + f", got {v.shape}")
        if v.min() < 0 or v.max() > 1:
            raise ValueError(f"caches_or_values[{name!r}] must hold gate values in [0, 1], "
                             f"got values from {v.min():.3g} to {v.max():.3g}")
        arrays[name], shape = v, v.shape
    return arrays


def saturation_fractions(caches_or_values, mask=None, low=0.1, high=0.9):
    """Per gate and unit: the share of its values below ``low`` and the share above ``high``.

    Args:
        caches_or_values: the SequenceCache of a gated cell's forward pass (its gates Γf,
            Γu, Γo for the LSTM; Γu, Γr for the GRU), or a dict gate name → (n_a, m, T_x)
            array (any (n_a, ...) shape, the same for every gate) of values in [0, 1].
        mask: None (every step counts) or a bool array of the shape after n_a, e.g. (m, T_x)
            ``batch.indices >= 0``: only the real tokens count, not the padding. At least
            one True.
        low, high: the thresholds, 0 < low < high < 1 (Karpathy et al.: 0.1 and 0.9).
    Returns:
        dict gate name → (below, above), two (n_a,) float64 arrays: unit i's share of
        values < low ("left-saturated") and > high ("right-saturated").
    """
    arrays = _gate_arrays(caches_or_values)
    shape = next(iter(arrays.values())).shape
    low = float(as_float_array("low", low, ndim=0)) if not isinstance(low, (bool, np.bool_)) else None
    high = float(as_float_array("high", high, ndim=0)) if not isinstance(high, (bool, np.bool_)) else None
    if low is None or not 0 < low < 1:
        raise ValueError(f"low must be a number between 0 and 1, got {low!r}")
    if high is None or not low < high < 1:
        raise ValueError(f"high must be a number between low = {low:g} and 1, got {high!r}")
    if mask is None:
        mask = np.ones(shape[1:], dtype=bool)
    else:
        raw = np.asarray(mask) if not isinstance(mask, (str, bytes)) else None
        if raw is None or raw.dtype != bool or raw.shape != shape[1:]:
            raise ValueError(f"mask must be None or a bool array of shape {shape[1:]} (the gates' shape after n_a; "
                             f"e.g. batch.indices >= 0), got {getattr(raw, 'dtype', type(mask).__name__)} "
                             f"of shape {getattr(raw, 'shape', None)}")
        if not raw.any():
            raise ValueError("mask must select at least one step (it is all False)")
        mask = raw
    out = {}
    for name, v in arrays.items():
        kept = v[:, mask]  # (n_a, N): each unit's values at the steps that count
        out[name] = (np.mean(kept < low, axis=1), np.mean(kept > high, axis=1))
    return out


def saturation_plot(caches_or_values, mask=None, low=0.1, high=0.9, title="", height=520):
    """Karpathy, Johnson & Fei-Fei's saturation plot: one point per unit and gate.

    At (share of the unit's values below ``low``, share above ``high``): a unit at the
    origin never saturates; on the diagonal x + y = 1 it is always saturated, one way or
    the other; in the top left corner the gate is always open (a forget gate there keeps
    its memory: an integrator), in the bottom right always closed.

    Args:
        caches_or_values, mask, low, high: as for ``saturation_fractions``.
        title: the figure's title.
        height: pixels (the plot is square, with the legend at the right).
    Returns:
        go.Figure: the diagonal (a dashed line), then one marker trace per gate, in the
        theme's gate colours, x = below, y = above for each unit.

    Derived in notebooks/06_gru.ipynb, "Why Γu ≈ 0 is memory"
    """
    fractions = saturation_fractions(caches_or_values, mask, low, high)
    height = check_positive_int("height", height, minimum=200)
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[1, 0], mode="lines", name="x + y = 1: always saturated",
                    line=dict(color="#9a9a9a", width=1.5, dash="dash"), hoverinfo="skip")
    for name, (below, above) in fractions.items():
        units = list(range(below.size))
        fig.add_scatter(x=below.tolist(), y=above.tolist(), mode="markers", name=f"{name}, {DESCRIPTIONS.get(name, name)}",
                        marker=dict(color=_color(name), size=8, opacity=0.75, symbol=SATURATION_SYMBOLS.get(name, "circle"),
                                    line=dict(color="white", width=0.5)),
                        customdata=units,
                        hovertemplate=f"{name}, unit %{{customdata}}: %{{x:.0%}} below {low:g}, "
                                      f"%{{y:.0%}} above {high:g}<extra></extra>")
    fig.update_layout(**_layout(title, height, margin={"t": 70, "b": 95, "l": 95, "r": 20},
                                legend=dict(x=1.02, xanchor="left", y=1, yanchor="top", font=dict(size=12))))
    fig.update_layout(width=height + 230)  # the square plot and the legend beside it
    fig.update_xaxes(range=[-0.03, 1.03], tickformat=".0%", dtick=0.25, constrain="domain",
                     title_text=f"share of the unit's values below {low:g} (left-saturated)<br>"
                                "<span style='font-size:11px'>origin: never saturated · bottom right: always closed · "
                                "on the diagonal: always saturated</span>")
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%", dtick=0.25, scaleanchor="x", scaleratio=1,
                     constrain="domain",
                     title_text=f"share of its values above {high:g} (right-saturated)<br>"
                                "<span style='font-size:11px'>top left: always open</span>")
    return fig
