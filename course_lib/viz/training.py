"""Training curves: the training loss beside the held-out loss, and learning curves of
several runs against updates and against time.

``loss_curves`` draws what every training curve of the course shows: the loss on the
batches the updates see, and the loss on held-out data they never see (a model that only
memorises improves the first and not the second).
Derived in notebooks/04b_language_models_in_practice.ipynb, "Held-out data".

``learning_curves`` follows Chung et al. (2014), who compared the RNN, the GRU and the LSTM
at matched parameter counts: a cell that learns in fewer updates may still take longer,
each of its updates costing more.
Derived in notebooks/07_lstm.ipynb, "Long lags".
"""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib._validate import as_float_array, check_bool, check_positive_int
from course_lib.viz.gradients import finite_or_none, moving_average
from course_lib.viz.theme import LAYOUT

__all__ = ["learning_curves", "loss_curves"]

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def _curves(curves):
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict label → (updates, seconds, values), "
                         f"got {type(curves).__name__}")
    checked = {}
    for label, curve in curves.items():
        if not isinstance(label, str):
            raise ValueError(f"curves must have str labels, got {label!r}")
        if not isinstance(curve, (tuple, list)) or len(curve) != 3:
            raise ValueError(f"curves[{label!r}] must be (updates, seconds, values), three 1-D arrays of one length")
        updates, seconds, values = (as_float_array(f"curves[{label!r}][{i}]", v, ndim=1, finite=(i < 2))
                                    for i, v in enumerate(curve))
        if not (updates.shape == seconds.shape == values.shape) or updates.size == 0:
            raise ValueError(f"curves[{label!r}] must be three 1-D arrays of one length ≥ 1, got shapes "
                             f"{updates.shape}, {seconds.shape}, {values.shape}")
        if np.any(np.diff(updates) <= 0) or np.any(np.diff(seconds) < 0):
            raise ValueError(f"curves[{label!r}]: updates must increase and seconds must not decrease")
        checked[label] = (updates, seconds, values)
    return checked


def learning_curves(curves, y_title="", title="", colors=None, reference=None, log_y=False,
                    seconds_title="CPU seconds (one core)", height=380, updates_title="updates"):
    """One line per run against updates (left) and against seconds (right), on a shared y axis.

    Args:
        curves: dict label → (updates, seconds, values), three 1-D arrays of one length:
            the update count, the time elapsed and the measured value (a loss, an
            accuracy ...) at each checkpoint; NaN values are drawn as gaps.
        y_title: what ``values`` are.
        colors: dict label → colour (default: a cycle of the theme's colours).
        reference: None, or (value, label): a dashed horizontal line in both panels (the
            trivial predictor's error, chance).
        log_y: a log y axis.
        seconds_title: the right panel's x axis title.
        updates_title: the left panel's x axis title (what ``updates`` count: updates,
            tokens read ...).
    Returns:
        go.Figure with two panels and one legend entry per run.
    """
    curves = _curves(curves)
    if colors is not None and not isinstance(colors, dict):
        raise ValueError(f"colors must be a dict label → colour, got {type(colors).__name__}")
    if reference is not None:
        if not isinstance(reference, (tuple, list)) or len(reference) != 2 or not isinstance(reference[1], str):
            raise ValueError(f"reference must be None or (value, label), got {reference!r}")
        reference = (float(as_float_array("reference[0]", reference[0], ndim=0)), reference[1])
    log_y = check_bool("log_y", log_y)
    height = check_positive_int("height", height)
    if not isinstance(updates_title, str):
        raise ValueError(f"updates_title must be a str, got {type(updates_title).__name__}")
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=(f"against {updates_title}", "against time"))
    for i, (label, (updates, seconds, values)) in enumerate(curves.items()):
        color = (colors or {}).get(label, _PALETTE[i % len(_PALETTE)])
        y = [None if not np.isfinite(v) else float(v) for v in values]
        for col, x in ((1, updates), (2, seconds)):
            fig.add_scatter(x=x.tolist(), y=y, mode="lines", name=label, legendgroup=label,
                            showlegend=col == 1, line=dict(color=color), row=1, col=col)
    if reference is not None:  # in both panels, its label in the first
        line = dict(color="#7f7f7f", dash="dash")
        fig.add_hline(y=reference[0], line=line, row=1, col=1, annotation_text=reference[1],
                      annotation_position="top right")
        fig.add_hline(y=reference[0], line=line, row=1, col=2)
    fig.update_layout(**{**LAYOUT, "title": {**LAYOUT["title"], "text": title}, "height": height,
                         "margin": dict(l=70, r=30, t=80, b=110),
                         "legend": dict(orientation="h", y=-0.3, x=0)})
    fig.update_xaxes(title_text=updates_title, row=1, col=1)
    fig.update_xaxes(title_text=seconds_title, row=1, col=2)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear", row=1, col=1)
    fig.update_yaxes(type="log" if log_y else "linear", row=1, col=2)
    return fig


def _run(label, run):
    """(losses, held_out_steps, held_out_losses) of a TrainingResult or of a 3-tuple, checked."""
    if all(hasattr(run, k) for k in ("losses", "held_out_steps", "held_out_losses")):
        run = (run.losses, run.held_out_steps, run.held_out_losses)
    if not isinstance(run, (tuple, list)) or len(run) != 3:
        raise ValueError(f"runs[{label!r}] must be a TrainingResult or (losses, held_out_steps, held_out_losses)")
    losses = as_float_array(f"runs[{label!r}] losses", run[0], ndim=1, finite=False)
    steps = as_float_array(f"runs[{label!r}] held_out_steps", run[1], ndim=1)
    held_out = as_float_array(f"runs[{label!r}] held_out_losses", run[2], ndim=1, finite=False)
    if losses.size == 0 or steps.shape != held_out.shape or steps.size == 0:
        raise ValueError(f"runs[{label!r}]: the losses must be non-empty and the held-out losses one per held-out "
                         f"step (train with held_out=...), got {losses.size} losses, {steps.size} steps and "
                         f"{held_out.size} held-out losses")
    return losses, steps, held_out


def loss_curves(runs, title="", y_title="loss", x_title="update", colors=None, smooth=1, log_y=False,
                reference=None, height=380):
    """The training loss at every update and the held-out loss at its checkpoints, per run.

    Args:
        runs: non-empty dict label → a TrainingResult trained with ``held_out`` (or a tuple
            (losses (steps,), held_out_steps (K,), held_out_losses (K,))).
        colors: dict label → colour (default: a cycle of the theme's colours).
        smooth: the training loss is also drawn as its moving average over this many
            updates (1: the raw losses only); the held-out loss is never smoothed.
        reference: None, or (value, label): a dashed horizontal line (log n_y, the
            n-gram baseline ...).
    Returns:
        go.Figure: per run a thin line (training loss, one point per update) and a line
        with markers in the same colour, dashed (held-out loss).
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs must be a non-empty dict label → TrainingResult, got {type(runs).__name__}")
    runs = {label: _run(label, run) for label, run in runs.items()}
    if colors is not None and not isinstance(colors, dict):
        raise ValueError(f"colors must be a dict label → colour, got {type(colors).__name__}")
    smooth = check_positive_int("smooth", smooth)
    log_y = check_bool("log_y", log_y)
    fig = go.Figure()
    for i, (label, (losses, steps, held_out)) in enumerate(runs.items()):
        color = (colors or {}).get(label, _PALETTE[i % len(_PALETTE)])
        x = list(range(1, losses.size + 1))
        name = f"{label}: training" if len(runs) > 1 else "training (the batches of each update)"
        if smooth > 1:
            fig.add_scatter(x=x, y=finite_or_none(losses), mode="lines", line=dict(color=color, width=1), opacity=0.3,
                            legendgroup=label, showlegend=False, hoverinfo="skip")
            losses = moving_average(losses, smooth)
        fig.add_scatter(x=x, y=finite_or_none(losses), mode="lines", name=name, legendgroup=label,
                        line=dict(color=color, width=1.5 if smooth == 1 else 2.5))
        fig.add_scatter(x=steps.tolist(), y=finite_or_none(held_out), mode="lines+markers", legendgroup=label,
                        name=f"{label}: held-out" if len(runs) > 1 else "held-out (never trained on)",
                        line=dict(color=color, dash="dash", width=2.5), marker=dict(size=7, symbol="diamond"))
    if reference is not None:
        if not isinstance(reference, (tuple, list)) or len(reference) != 2 or not isinstance(reference[1], str):
            raise ValueError(f"reference must be None or (value, label), got {reference!r}")
        fig.add_hline(y=float(as_float_array("reference[0]", reference[0], ndim=0)),
                      line=dict(color="#7f7f7f", dash="dot"), annotation_text=reference[1],
                      annotation_position="top right")
    fig.update_layout(**{**LAYOUT, "title": {**LAYOUT["title"], "text": title}, "height": check_positive_int("height", height),
                         "margin": dict(l=70, r=30, t=70, b=110), "legend": dict(orientation="h", y=-0.25, x=0)})
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    return fig
