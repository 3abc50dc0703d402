"""Figures of the vanilla RNN stepping through a sequence (notebooks 01 and 02)."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib._validate import as_float_array, check_bool
from course_lib.viz.figures import bar_outline, labels_list, matrix_values, step_index, step_shapes
from course_lib.viz.theme import COLORSCALES, GATE_COLORS, LAYOUT, NONNEGATIVE_COLORSCALE


def _forward_arrays(a, a0, y_pred):
    """a (n_a, T_x), a0 (n_a,), y_pred (n_y, T_x) of one example, checked and finite."""
    a = matrix_values("a", a)
    n_a, T_x = a.shape
    a0 = as_float_array("a0", a0)
    if a0.shape != (n_a,):
        raise ValueError(f"a0 must have shape (n_a,) = ({n_a},), got {a0.shape}")
    y_pred = matrix_values("y_pred", y_pred)
    if y_pred.shape[1] != T_x:
        raise ValueError(f"y_pred must have shape (n_y, T_x) with T_x = {T_x}, got {y_pred.shape}")
    return a, a0, y_pred


def forward_step_frame(a, a0, y_pred, t, step_labels, title):
    """The frame of step ``t``: a<1..t> shown (later columns covered), a<t-1> beside a<t>, and ŷ<t>.

    Args:
        a: hidden states of one example, (n_a, T_x), finite.
        a0: a<0>, (n_a,).
        y_pred: predictions of that example, (n_y, T_x).
        t: 0-based step, 0 ... T_x − 1.
        step_labels: x tick labels of the heatmap (e.g. "3 和"), T_x of them.
        title: the figure title at this step.
    Returns:
        frame dict {"data": [heatmap (unchanged), bar a<t-1>, bar a<t>, bar ŷ<t>], "layout": ...}:
        the heatmap holds every step from the start; the frame moves its shapes only.
    """
    a, a0, y_pred = _forward_arrays(a, a0, y_pred)
    n_a, T_x = a.shape
    t = step_index("t", t, T_x)
    labels_list("step_labels", step_labels, T_x, ())
    a_prev = a0 if t == 0 else a[:, t - 1]
    return {
        "data": [
            {},
            {"y": a_prev.tolist(), "name": f"a<{t}>"},
            {"y": a[:, t].tolist(), "name": f"a<{t + 1}>"},
            {"y": y_pred[:, t].tolist()},
        ],
        "layout": {
            "shapes": step_shapes(t, T_x, n_a),
            "title": {"text": str(title)},
            "xaxis3": {"title": {"text": f"ŷ<{t + 1}>"}},  # the prediction panel
        },
    }


def forward_step_figure(a, a0, y_pred, step_labels, class_labels, title, nonnegative=False):
    """The forward explorer's figure, drawn at step 0.

    Top: every hidden state a<t> as a column (columns after the current step covered).
    Bottom left: a<t-1> and a<t> unit by unit. Bottom right: the prediction ŷ<t>.
    Shapes as in ``forward_step_frame``; ``class_labels`` names the n_y outputs.
    With ``nonnegative`` (g1 = ReLU: a<0> and every a<t> ≥ 0, else ValueError) the colour
    scale and the bars' axis start at 0, the upper half of the signed scale; without it
    (tanh) they are symmetric around 0.
    """
    a, a0, y_pred = _forward_arrays(a, a0, y_pred)
    n_a, T_x = a.shape
    step_labels = labels_list("step_labels", step_labels, T_x, ())
    class_labels = labels_list("class_labels", class_labels, y_pred.shape[0], ())
    if check_bool("nonnegative", nonnegative) and (a.min() < 0 or a0.min() < 0):
        raise ValueError("a and a0 must be >= 0 with nonnegative=True (ReLU's hidden states), "
                         f"got a minimum of {min(a.min(), a0.min()):.3g}")
    units = [f"a{i + 1}" for i in range(n_a)]
    # tanh keeps a<t> in [-1, 1]; ReLU does not, so the shared range grows with it.
    bound = max(1.0, float(np.max(np.abs(a))), float(np.max(np.abs(a0))))
    low = 0.0 if nonnegative else -bound  # ReLU: no colour (nor half an axis) spent on values < 0
    fig = make_subplots(rows=2, cols=2, column_widths=[0.65, 0.35], row_heights=[0.5, 0.5],
                        specs=[[{"colspan": 2}, None], [{}, {}]],
                        vertical_spacing=0.2, horizontal_spacing=0.1,
                        subplot_titles=("hidden states a<t>, one column per step",
                                        "a<t-1> → a<t>", "prediction"))
    fig.add_trace(go.Heatmap(z=a.tolist(), x=step_labels, y=units, zmin=low, zmax=bound,
                             colorscale=NONNEGATIVE_COLORSCALE if nonnegative else COLORSCALES["signed"],
                             xgap=1, ygap=1,
                             colorbar=dict(y=1.0, yanchor="top", len=0.42, thickness=12),
                             hovertemplate="%{y} at t=%{x}: %{z:.3f}<extra></extra>"), 1, 1)
    fig.add_trace(go.Bar(x=units, y=a0.tolist(), marker_color="#c5b0d5", name="a<t-1>"), 2, 1)
    fig.add_trace(go.Bar(x=units, y=a[:, 0].tolist(), marker_color=GATE_COLORS["a"], name="a<t>"), 2, 1)
    fig.add_trace(go.Bar(x=class_labels, y=y_pred[:, 0].tolist(), marker_color="#17becf",
                         showlegend=False), 2, 2)
    fig.update_xaxes(type="category", tickangle=0, row=1, col=1)
    fig.update_yaxes(type="category", autorange="reversed", row=1, col=1)
    fig.update_yaxes(range=[1.05 * low, 1.05 * bound], row=2, col=1)
    fig.update_yaxes(range=[0, 1], row=2, col=2)
    fig.update_layout(**LAYOUT, height=600, barmode="group",
                      legend=dict(orientation="h", x=0.0, y=-0.12))
    fig.update_layout(forward_step_frame(a, a0, y_pred, 0, step_labels, title)["layout"])
    return fig


def _backward_arrays(da_loss, da_future):
    da_loss = matrix_values("da_loss", da_loss)
    da_future = matrix_values("da_future", da_future)
    if da_future.shape != da_loss.shape:
        raise ValueError(f"da_future must have the shape of da_loss (n_a, T_x) = {da_loss.shape}, got {da_future.shape}")
    return da_loss, da_future


def backward_step_frame(da_loss, da_future, t, title):
    """The frame of step ``t`` of BPTT: the two gradients meeting in a<t>, and their sum.

    Args:
        da_loss: ∂L<t>/∂a<t>, the gradient from the loss at each step, (n_a, T_x), finite.
        da_future: the gradient coming back from step t+1 into a<t>, (n_a, T_x).
        t: 0-based step, 0 ... T_x − 1.
        title: the figure title at this step.
    Returns:
        frame dict {"data": [three bars, the outlined norm bar], "layout": {"title": ...}}.
    """
    da_loss, da_future = _backward_arrays(da_loss, da_future)
    T_x = da_loss.shape[1]
    t = step_index("t", t, T_x)
    total = da_loss[:, t] + da_future[:, t]
    return {
        "data": [
            {"y": da_loss[:, t].tolist()},
            {"y": da_future[:, t].tolist()},
            {"y": total.tolist()},
            {"marker": {"line": bar_outline(T_x, t)}},
        ],
        "layout": {"title": {"text": str(title)}},
    }


def backward_step_figure(da_loss, da_future, norms, step_labels, title, log_y=False):
    """The two-panel figure of the BPTT explorer, drawn at the last step (BPTT starts there).

    Left: at a<t>, unit by unit, the gradient from the loss at t, the gradient from step
    t+1 (the da_prev that step t+1 sends back), and their sum ∂J/∂a<t>. Right: ‖∂J/∂a<t>‖
    for every t, the current step outlined.
    Args as ``backward_step_frame``; ``norms`` (T_x,) (inf and NaN drawn as missing bars),
    ``step_labels`` T_x distinct labels (a "<br>" in one breaks it over two lines, as
    "7<br>上" for step and character, so that the labels of a long sentence do not run
    together); ``title`` may hold one "<br>" too: the top margin leaves room for two lines.
    With ``log_y`` the norms' axis is logarithmic, one tick per power of ten written as one.
    """
    da_loss, da_future = _backward_arrays(da_loss, da_future)
    n_a, T_x = da_loss.shape
    norms = as_float_array("norms", norms, finite=False)
    if norms.shape != (T_x,):
        raise ValueError(f"norms must have shape (T_x,) = ({T_x},), got {norms.shape}")
    step_labels = labels_list("step_labels", step_labels, T_x, ())
    log_y = check_bool("log_y", log_y)
    units = [f"a{i + 1}" for i in range(n_a)]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1,
                        subplot_titles=("gradients meeting in a<t>", "‖∂J/∂a<t>‖ for every t"))
    colors = ("#17becf", "#ff7f0e", GATE_COLORS["grad"])
    names = ("from the loss at t", "from step t+1 (its da_prev)", "sum: ∂J/∂a<t>")
    for color, name in zip(colors, names):
        fig.add_trace(go.Bar(x=units, y=[0.0] * n_a, name=name, marker_color=color), 1, 1)
    fig.add_trace(go.Bar(x=step_labels, y=[v if np.isfinite(v) else None for v in norms.tolist()],
                         marker=dict(color=GATE_COLORS["grad"], line=bar_outline(T_x, T_x - 1)),
                         showlegend=False), 1, 2)
    bound = 1.05 * max(float(np.max(np.abs(da_loss + da_future))), float(np.max(np.abs(da_loss))),
                       float(np.max(np.abs(da_future))), 1e-12)
    fig.update_yaxes(range=[-bound, bound], row=1, col=1)
    # Upright labels (two-line ones stay narrow), smaller when a long sentence crowds them.
    fig.update_xaxes(type="category", tickangle=0, tickfont=dict(size=13 if T_x <= 12 else 10),
                     row=1, col=2, title_text="t and x<t>")
    if log_y:
        # One labelled tick per decade (10⁻³, 10⁻²): not plotly's bare "2", "5" in between.
        fig.update_yaxes(type="log", dtick=1, exponentformat="power", row=1, col=2)
    fig.update_layout(**{**LAYOUT, "margin": {**LAYOUT["margin"], "t": 80, "b": 80}}, height=470,
                      barmode="group", legend=dict(orientation="h", x=0.0, y=-0.24))
    for trace, update in zip(fig.data, backward_step_frame(da_loss, da_future, T_x - 1, title)["data"]):
        trace.update(update)
    fig.update_layout(title=dict(text=str(title), y=0.97, yanchor="top"))
    return fig
