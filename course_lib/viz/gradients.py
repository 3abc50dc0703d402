"""Figures of notebook 05: gradients vanishing and exploding, and clipping.

Pure builders: arrays in, ``go.Figure`` out. Norms are drawn on log axes, where a
gradient that shrinks (or grows) by the same factor every step is a straight line.
Values a log axis cannot show (0, NaN, inf) become gaps (``None``), never NaN in the data.
"""

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from course_lib._validate import as_float_array, check_positive_float, check_positive_int
from course_lib.viz.theme import COLORSCALES, GATE_COLORS, HIGHLIGHT, LAYOUT

# Runs of the clipping comparison, the same colours in every figure.
RUN_COLORS = {"no clipping": HIGHLIGHT, "clip by value": "#ff7f0e", "clip by norm": "#1f77b4"}
BOUND_COLOR = GATE_COLORS["threshold"]


def _layout(title, height, **extra):
    return {**LAYOUT, "title": {**LAYOUT["title"], "text": title}, "height": height, **extra}


def positive_or_none(values):
    """A list for a log axis: finite positive values kept, anything else ``None``."""
    values = as_float_array("values", values, finite=False).ravel()
    return [float(v) if np.isfinite(v) and v > 0 else None for v in values.tolist()]


def finite_or_none(values):
    """A list for a linear axis: finite values kept, NaN and inf ``None``."""
    values = as_float_array("values", values, finite=False).ravel()
    return [float(v) if np.isfinite(v) else None for v in values.tolist()]


def scale_color(value, low=0.5, high=1.5):
    """A colour for a growth factor: blues below 1 (vanishing), reds above 1 (exploding).

    The near-white middle of the signed scale is skipped so that every line stays visible.
    """
    value = _factor("value", value)
    low = _factor("low", low)
    high = _factor("high", high)
    if not low < 1 < high:
        raise ValueError(f"low and high must surround 1 (low < 1 < high), got low = {low}, high = {high}")
    if value < 1:
        position = 0.3 * min(1.0, (1 - value) / max(1 - low, 1e-12))  # 0 (dark) ... 0.3
        return sample_colorscale(COLORSCALES["signed"], [0.3 - position])[0]
    position = 0.3 * min(1.0, (value - 1) / max(high - 1, 1e-12))
    return sample_colorscale(COLORSCALES["signed"], [0.7 + position])[0]


def _factor(name, value):
    """A growth factor (σ, ρ, a scale), a finite number ≥ 0, as a float."""
    value = float(as_float_array(name, value, ndim=0))
    if value < 0:
        raise ValueError(f"{name} must be a growth factor >= 0, got {value!r}")
    return value


def _check_1d(name, values, length=None, finite=False):
    """values as a 1-D float64 array, of ``length`` if given; NaN and inf allowed (drawn as
    gaps) unless ``finite`` (positions on an axis, arrows: what must be drawn somewhere)."""
    values = as_float_array(name, values, finite=finite)
    if values.ndim != 1 or values.size == 0 or (length is not None and values.shape[0] != length):
        expected = f"have shape ({length},)" if length is not None else "be a non-empty 1-D array"
        raise ValueError(f"{name} must {expected}, got shape {values.shape}")
    return values


def _check_dict(name, value, allow_empty=False):
    if not isinstance(value, dict) or (not value and not allow_empty):
        raise ValueError(f"{name} must be a non-empty dict label → 1-D array, got {type(value).__name__}"
                         + (" (empty)" if isinstance(value, dict) else ""))
    return value


def _check_colors(colors):
    """None or a dict label → colour (a str such as "#1f77b4")."""
    if colors is not None and (not isinstance(colors, dict) or not all(isinstance(c, str) for c in colors.values())):
        raise ValueError(f"colors must be None or a dict label → colour (a str such as '#1f77b4'), got {colors!r}")
    return colors or {}


def gradient_flow_figure(distance, curves, bounds=None, colors=None, title="",
                         y_title="‖∂a<T>/∂a<t>‖₂", x_title="T − t (steps back from a<T>)",
                         height=420, bounds_name="bound"):
    """Norms against the distance T − t on a log axis, each with an optional dotted bound.

    Args:
        distance: (K + 1,), the x values (usually 0 ... K).
        curves: dict label → (K + 1,) norms, drawn as solid lines.
        bounds: dict label → (K + 1,) upper bounds (e.g. σ_maxᵏ), dotted, in the colour of
            the curve with the same label.
        colors: dict label → colour (default: a cycle of the theme's colours).
        bounds_name: what the dotted lines are, in the legend's title (an upper bound,
            or e.g. "the product of Γf alone").
    Returns:
        go.Figure.
    """
    distance = _check_1d("distance", distance, finite=True)
    if not isinstance(bounds_name, str) or not bounds_name:
        raise ValueError(f"bounds_name must be a non-empty str, got {bounds_name!r}")
    n = distance.shape[0]
    _check_dict("curves", curves)
    colors = _check_colors(colors)
    height = check_positive_int("height", height)
    if bounds is not None:
        _check_dict("bounds", bounds, allow_empty=True)
        unknown = [label for label in bounds if label not in curves]
        if unknown:
            raise ValueError(f"bounds must use labels of curves {list(curves)}, got {unknown}")
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]
    fig = go.Figure(layout=_layout(title, height))
    for i, (label, values) in enumerate(curves.items()):
        values = _check_1d(f"curves[{label!r}]", values, n)
        color = colors.get(label, palette[i % len(palette)])
        fig.add_scatter(x=distance.tolist(), y=positive_or_none(values), name=label, mode="lines",
                        line=dict(color=color, width=2.5), legendgroup=label)
        if bounds and label in bounds:
            bound = _check_1d(f"bounds[{label!r}]", bounds[label], n)
            fig.add_scatter(x=distance.tolist(), y=positive_or_none(bound), name=f"{bounds_name}, {label}",
                            mode="lines", line=dict(color=color, width=1.5, dash="dot"),
                            legendgroup=label, showlegend=False, hoverinfo="skip")
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log", exponentformat="power")
    if bounds:
        fig.update_layout(legend=dict(title_text=f"solid: measured · dotted: {bounds_name}"))
    return fig


def single_unit_figure(w, final_states, gradients, title=""):
    """Bengio, Simard & Frasconi's single unit: its memory and its gradient against w.

    Args:
        w: (n,), the self-weights.
        final_states: dict label → (n,) states a<T> (e.g. started from +a0 and −a0).
        gradients: dict label → (n,) values of ∂a<T>/∂a<0> (drawn as absolute values).
    Returns:
        go.Figure with two panels side by side: a<T> against w, |∂a<T>/∂a<0>| against w
        on a log axis, a dashed line at w = 1 in both.
    """
    w = _check_1d("w", w, finite=True)
    _check_dict("final_states", final_states)
    _check_dict("gradients", gradients)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=("what the unit remembers: a<T>", "what reaches a<0>: |∂a<T>/∂a<0>|"))
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    for i, (label, values) in enumerate(final_states.items()):
        values = _check_1d(f"final_states[{label!r}]", values, w.shape[0])
        fig.add_scatter(x=w.tolist(), y=finite_or_none(values), name=label, mode="lines",
                        line=dict(color=palette[i % 4], width=2.5), row=1, col=1)
    for i, (label, values) in enumerate(gradients.items()):
        values = _check_1d(f"gradients[{label!r}]", values, w.shape[0])
        fig.add_scatter(x=w.tolist(), y=positive_or_none(np.abs(values)), name=label, mode="lines",
                        line=dict(color=palette[(i + 2) % 4], width=2.5), row=1, col=2)
    for col in (1, 2):
        fig.add_vline(x=1.0, line=dict(color=BOUND_COLOR, dash="dash"), row=1, col=col)
        fig.update_xaxes(title_text="self-weight w", row=1, col=col)
    fig.update_yaxes(title_text="a<T>", range=[-1.05, 1.05], row=1, col=1)
    fig.update_yaxes(title_text="|∂a<T>/∂a<0>|", type="log", exponentformat="power", row=1, col=2)
    fig.update_layout(**_layout(title, 420), legend=dict(orientation="h", x=0, y=-0.2))
    fig.update_layout(margin=dict(t=90))
    return fig


def clipping_directions_figure(raw, by_value, by_norm, threshold, title="", angles=None):
    """A 2-D gradient, clipped by value (into a square) and by norm (onto a circle).

    Args:
        raw, by_value, by_norm: (2,) vectors: the gradient and its two clipped versions.
        threshold: the clipping threshold (half the side of the square, the radius of the
            circle).
        angles: optional (angle by value, angle by norm) in degrees, shown in the legend.
    Returns:
        go.Figure with three arrows from the origin, the square and the circle, equal axes.
    """
    raw, by_value, by_norm = (_check_1d(n, v, 2, finite=True) for n, v in
                              (("raw", raw), ("by_value", by_value), ("by_norm", by_norm)))
    threshold = check_positive_float("threshold", threshold)
    if angles is not None:
        angles = _check_1d("angles", angles, 2, finite=True)
    fig = go.Figure(layout=_layout(title, 420))
    fig.add_shape(type="rect", x0=-threshold, y0=-threshold, x1=threshold, y1=threshold,
                  line=dict(color=RUN_COLORS["clip by value"], dash="dot"))
    fig.add_shape(type="circle", x0=-threshold, y0=-threshold, x1=threshold, y1=threshold,
                  line=dict(color=RUN_COLORS["clip by norm"], dash="dot"))
    names = ["clip by value", "clip by norm"]
    if angles is not None:
        names = [f"{name}: turned {float(angle):.1f}°" for name, angle in zip(names, angles)]
    for label, v, color in (("raw gradient g", raw, RUN_COLORS["no clipping"]),
                            (names[0], by_value, RUN_COLORS["clip by value"]),
                            (names[1], by_norm, RUN_COLORS["clip by norm"])):
        # The line carries the legend entry; the annotation draws the arrow head.
        fig.add_scatter(x=[0.0, float(v[0])], y=[0.0, float(v[1])], mode="lines", name=label,
                        line=dict(color=color, width=3))
        fig.add_annotation(x=float(v[0]), y=float(v[1]), ax=0, ay=0, xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.2,
                           arrowwidth=3, arrowcolor=color, text="")
    span = max(float(np.max(np.abs(raw))), threshold) * 1.15
    fig.update_xaxes(range=[-threshold * 1.3, span], zeroline=True, title_text="g₁")
    fig.update_yaxes(range=[-threshold * 1.3, max(threshold * 1.3, float(raw[1]) * 1.15)],
                     zeroline=True, scaleanchor="x", scaleratio=1, title_text="g₂")
    return fig


def moving_average(values, window):
    """The mean of the last ``window`` values at each step (fewer at the start), NaN skipped."""
    values = _check_1d("values", values)
    window = check_positive_int("window", window)
    out = np.empty_like(values)
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1): i + 1]
        chunk = chunk[np.isfinite(chunk)]
        out[i] = chunk.mean() if chunk.size else np.nan
    return out


def training_runs_figure(losses, gradient_norms, threshold=None, title="", smooth=20, held_out=None):
    """Loss curves of several runs beside their gradient norms before clipping.

    Args:
        losses: dict run label → (steps,) loss per token.
        gradient_norms: dict run label → (steps,) global gradient norm before clipping.
        threshold: the clip-by-norm threshold, drawn as a dashed line on the norm panel.
        smooth: the losses are drawn faint, with their moving average over ``smooth``
            steps on top (mini-batch losses are noisy); 1 draws the raw losses only.
        held_out: None, or dict run label (a label of ``losses``) → (held_out_steps (K,),
            held_out_losses (K,)): the loss on held-out data at those update counts (a
            TrainingResult's ``held_out_steps``, ``held_out_losses``), drawn dashed with
            markers in the run's colour on the loss panel, never smoothed.
    Returns:
        go.Figure with two panels: loss (linear) and gradient norm (log), against the step.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    losses = {label: _check_1d(f"losses[{label!r}]", values) for label, values in _check_dict("losses", losses).items()}
    _check_dict("gradient_norms", gradient_norms, allow_empty=True)
    smooth = check_positive_int("smooth", smooth)
    held_out = _check_held_out(held_out, losses)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(f"loss per token ({smooth}-step average)" if smooth > 1 else "loss per token",
                                        "global gradient norm ‖g‖ before clipping"))
    for label, values in losses.items():
        color = RUN_COLORS.get(label)
        steps = list(range(1, len(values) + 1))
        if smooth > 1:
            fig.add_scatter(x=steps, y=finite_or_none(values), mode="lines", line=dict(color=color, width=1),
                            opacity=0.25, legendgroup=label, showlegend=False, hoverinfo="skip", row=1, col=1)
            values = moving_average(values, smooth)
        fig.add_scatter(x=steps, y=finite_or_none(values), name=f"{label}: training" if held_out else label,
                        mode="lines", line=dict(color=color, width=2.5), legendgroup=label, row=1, col=1)
        if label in held_out:
            held_out_steps, held_out_losses = held_out[label]
            fig.add_scatter(x=held_out_steps.tolist(), y=finite_or_none(held_out_losses), name=f"{label}: held-out",
                            mode="lines+markers", line=dict(color=color, width=2, dash="dash"),
                            marker=dict(size=7, symbol="diamond"), legendgroup=label, row=1, col=1)
    for label, values in gradient_norms.items():
        values = _check_1d(f"gradient_norms[{label!r}]", values)
        color = RUN_COLORS.get(label)
        fig.add_scatter(x=list(range(1, len(values) + 1)), y=positive_or_none(values), name=label,
                        mode="lines", line=dict(color=color, width=1.5), legendgroup=label,
                        showlegend=label not in losses, row=1, col=2)
    if threshold is not None:
        threshold = check_positive_float("threshold", threshold)
        fig.add_hline(y=threshold, line=dict(color=BOUND_COLOR, dash="dash"), row=1, col=2)
        # On a log axis an annotation's y is log10 of the value (add_hline's own label lands wrong).
        fig.add_annotation(x=1, xref="x2 domain", y=float(np.log10(threshold)), yref="y2",
                           text=f"threshold {threshold:g}", showarrow=False, xanchor="right",
                           yanchor="bottom", font=dict(color=BOUND_COLOR), bgcolor="rgba(255,255,255,0.85)")
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="nats per token", row=1, col=1)
    fig.update_yaxes(title_text="‖g‖", type="log", exponentformat="power", row=1, col=2)
    fig.update_layout(**_layout(title, 440), legend=dict(orientation="h", x=0, y=-0.2))
    fig.update_layout(margin=dict(t=90))
    return fig


def _check_held_out(held_out, losses):
    """``held_out`` of training_runs_figure checked: {} for None, else label → (steps, losses) arrays."""
    if held_out is None:
        return {}
    if not isinstance(held_out, dict):
        raise ValueError(f"held_out must be None or a dict run label → (held_out_steps, held_out_losses), "
                         f"got {type(held_out).__name__}")
    checked = {}
    for label, pair in held_out.items():
        if label not in losses:
            raise ValueError(f"held_out[{label!r}]: not a run of losses (runs: {list(losses)}); the held-out "
                             "curve is drawn in its run's colour")
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"held_out[{label!r}] must be (held_out_steps, held_out_losses), two 1-D arrays "
                             f"of one length, got {type(pair).__name__}")
        steps = _check_1d(f"held_out[{label!r}] held_out_steps", pair[0], finite=True)
        values = _check_1d(f"held_out[{label!r}] held_out_losses", pair[1], length=steps.shape[0])
        if steps.min() < 0 or np.any(np.diff(steps) <= 0):
            raise ValueError(f"held_out[{label!r}] held_out_steps must be update counts >= 0 that increase, "
                             f"got {steps.tolist()}")
        checked[label] = (steps, values)
    return checked


def agreement_figure(distance, accuracy, subject_gradient, title="",
                     gradient_title="‖∂L/∂a<subject>‖ / ‖∂L/∂a<verb>‖", colors=None, spans=None):
    """The agreement task against distance: accuracy beside the gradient reaching the subject.

    Args:
        distance: (n,), verb position − subject position.
        accuracy: (n,), fraction of examples where P(correct verb) > P(wrong verb); or a
            dict label → (n,) to compare several models.
        subject_gradient: (n,), e.g. the mean share of the verb's gradient that reaches the
            step reading the subject; or a dict label → (n,). A label also used in
            ``accuracy`` gets the same colour and one legend entry.
        gradient_title: the right panel's y-axis title (what ``subject_gradient`` is).
        colors: dict label → colour (default: the hidden state's colour, then a cycle).
        spans: dict label → (first, last) distance, shaded on the accuracy panel in the
            label's colour (e.g. the distances a model was trained on).
    Returns:
        go.Figure with two panels: accuracy (chance 0.5 dashed) and the gradient (log).
    """
    distance = _check_1d("distance", distance, finite=True)
    n = distance.shape[0]
    colors = _check_colors(colors)
    if spans is not None and not isinstance(spans, dict):
        raise ValueError(f"spans must be None or a dict label → (first, last) distance, got {type(spans).__name__}")
    several = isinstance(accuracy, dict) or isinstance(subject_gradient, dict)
    panels = []  # per panel: label → (n,) values
    for name, curves, label in (("accuracy", accuracy, "accuracy"),
                                ("subject_gradient", subject_gradient, gradient_title)):
        named = isinstance(curves, dict)
        if named:
            _check_dict(name, curves)
        curves = curves if named else {label: curves}
        panels.append({k: _check_1d(f"{name}[{k!r}]" if named else name, v, n) for k, v in curves.items()})
    palette = [GATE_COLORS["a"], "#ff7f0e", BOUND_COLOR, "#1f77b4", "#2ca02c", "#8c564b"]
    defaults = {"accuracy": GATE_COLORS["a"], gradient_title: GATE_COLORS["grad"]}
    labels = list(dict.fromkeys([*panels[0], *panels[1]]))
    color = {label: colors.get(label, defaults.get(label, palette[i % len(palette)]))
             for i, label in enumerate(labels)}
    # Short panel titles and room between the panels: at a notebook's width (about 730 px)
    # a longer title is cut off and the right panel's axis title runs into the left panel.
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.17,
                        subplot_titles=("accuracy choosing was / were", "gradient reaching the subject"))
    for col, (curves, to_list) in enumerate(zip(panels, (finite_or_none, positive_or_none)), start=1):
        for label, values in curves.items():
            fig.add_scatter(x=distance.tolist(), y=to_list(values), mode="lines+markers", name=label,
                            line=dict(color=color[label], width=2.5), legendgroup=label,
                            showlegend=col == 1 or label not in panels[0], row=1, col=col)
    for label, span in (spans or {}).items():  # after the traces: plotly skips empty subplots
        first, last = _check_1d(f"spans[{label!r}]", span, 2, finite=True)
        if first > last:
            raise ValueError(f"spans[{label!r}] must be (first, last) with first <= last, got {tuple(span)}")
        fig.add_vrect(x0=first - 0.5, x1=last + 0.5, fillcolor=color.get(label, BOUND_COLOR), opacity=0.12,
                      line_width=0, layer="below", row=1, col=1)
    fig.add_hline(y=0.5, line=dict(color=BOUND_COLOR, dash="dash"), row=1, col=1,
                  annotation_text="chance", annotation_position="bottom right")
    fig.update_xaxes(title_text="distance from subject to verb (words)", dtick=1 if n <= 12 else 2)
    fig.update_yaxes(title_text="accuracy", range=[0.3, 1.04], row=1, col=1)
    fig.update_yaxes(title_text=gradient_title, type="log", exponentformat="power", row=1, col=2)
    fig.update_layout(**_layout(title, 460 if several else 420), showlegend=several,
                      legend=dict(orientation="h", x=0, y=-0.22))
    fig.update_layout(margin=dict(t=90))
    return fig


# ---------------------------------------------------------------------------------------
# The gradient explorer's figure (course_lib.widgets.gradients)
# ---------------------------------------------------------------------------------------


def gradient_explorer_frame(norms, clipped, bound, total_norm, threshold, title):
    """The explorer's data for one setting of its controls.

    Args:
        norms: (T,), ‖∂J/∂a<t>‖ against the distance k = T − t = 0 ... T − 1.
        clipped: (T,), the same after clipping the parameter gradients by norm.
        bound: (T,), the Pascanu bound σ_maxᵏ ‖∂J/∂a<T>‖.
        total_norm: ‖g‖, the global norm of the parameter gradients before clipping.
        threshold: the clipping threshold (max_norm).
        title: the figure title (one line, or two joined by "<br>").
    Returns:
        frame dict {"data": [five trace updates], "layout": {...}}.
    """
    norms = _check_1d("norms", norms)
    T = norms.shape[0]
    total_norm = float(as_float_array("total_norm", total_norm, ndim=0, finite=False))
    threshold = check_positive_float("threshold", threshold)
    k = list(range(T))
    ends = [0, T - 1]
    ys = [
        positive_or_none(norms),
        positive_or_none(_check_1d("clipped", clipped, T)),
        positive_or_none(_check_1d("bound", bound, T)),
        positive_or_none([total_norm, total_norm]),
        positive_or_none([threshold, threshold]),
    ]
    # An explicit range (log10 units) for every frame: plotly's animations keep the first
    # frame's autorange, which would cut off a curve that falls further.
    shown = [v for y in ys for v in y if v is not None] or [1.0]
    low, high = np.log10(min(shown)), np.log10(max(shown))
    pad = 0.05 * max(high - low, 1.0)
    return {
        "data": [{"x": x, "y": y} for x, y in zip([k, k, k, ends, ends], ys)],
        "layout": {"title": {"text": title}, "yaxis": {"range": [low - pad, high + pad]}},
    }


def gradient_explorer_figure(norms, clipped, bound, total_norm, threshold, title):
    """The explorer's figure: per-step gradient norms, log axis, clipping threshold.

    Arguments as ``gradient_explorer_frame``. Traces, in order: ‖∂J/∂a<t>‖, the same
    after clipping, the bound, the global norm ‖g‖ and the threshold (horizontal lines).
    """
    fig = go.Figure(layout=_layout(title, 440))
    styles = [
        ("‖∂J/∂a<t>‖", dict(color=GATE_COLORS["grad"], width=3), "lines+markers"),
        ("after clipping by norm", dict(color=RUN_COLORS["clip by norm"], width=2, dash="dash"), "lines"),
        ("bound σ_maxᵏ", dict(color=BOUND_COLOR, width=1.5, dash="dot"), "lines"),
        ("‖g‖ (all parameter gradients)", dict(color=RUN_COLORS["no clipping"], width=1.5), "lines"),
        ("max_norm (clipping threshold)", dict(color=BOUND_COLOR, width=2, dash="dash"), "lines"),
    ]
    for name, line, mode in styles:
        fig.add_scatter(x=[], y=[], name=name, mode=mode, line=line, marker=dict(size=4))
    frame = gradient_explorer_frame(norms, clipped, bound, total_norm, threshold, title)
    for trace, update in zip(fig.data, frame["data"]):
        trace.update(update)
    fig.update_layout(frame["layout"])
    fig.update_xaxes(title_text="T − t (steps back from the loss at a<T>)")
    fig.update_yaxes(title_text="norm", type="log", exponentformat="power")
    # Room for a title of two lines (the explorer's: Waa, then the clipping).
    fig.update_layout(legend=dict(orientation="h", x=0, y=-0.22), margin=dict(t=95, b=110))
    return fig
