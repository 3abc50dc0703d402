"""The gradient explorer of notebook 05: how far back the gradient reaches, and clipping.

The computation (``dynamics.gradient_flow``) is a plain function of the controls' values;
the explorer only wires controls to it and writes its result into one FigureWidget.
"""

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from course_lib._validate import as_float_array, check_positive_float, require_keys
from course_lib.dynamics import KINDS, SETTINGS, gradient_flow
from course_lib.recurrent import get_cell
from course_lib.viz.gradients import gradient_explorer_figure, gradient_explorer_frame
from course_lib.widgets.explorer import check_in_range, check_option, seed_of
from course_lib.widgets._figure import figure_widget
from course_lib.widgets._display import show

__all__ = ["GradientExplorer", "flow_title"]

ACTIVATIONS = ("tanh", "relu", "identity")
# The controls' ranges: what a starting value must lie in (a slider would clamp it silently).
VALUE_RANGE = (0.5, 1.5, 0.05)  # min, max, step of σ_max or ρ
T_RANGE = (5, 100, 5)
THRESHOLD_EXPONENTS = (-2, 4, 0.25)  # the threshold runs from 10^-2 to 10^4
THRESHOLD_TOOLTIP = ("max_norm, the clip-by-norm threshold, on a logarithmic slider: from 10^-2 to 10^4, "
                     "each step multiplies it by 10^0.25 ≈ 1.78")


def flow_title(result, threshold):
    """Two lines saying what the figure shows for ``result`` (a ``gradient_flow`` dict): Waa, then
    whether the gradients were clipped at ``threshold`` (max_norm). Two short lines, so that the
    title fits a narrow notebook: one line was cut off at the figure's right edge."""
    require_keys("result", result, ("sigma_max", "rho", "scale", "total_norm"))
    for key in ("sigma_max", "rho", "scale", "total_norm"):  # total_norm may be inf or NaN: a diverged run
        as_float_array(f'result["{key}"]', result[key], ndim=0, finite=key != "total_norm")
    threshold = check_positive_float("threshold", threshold)
    head = f"σ_max(Waa) = {result['sigma_max']:.2f}, ρ(Waa) = {result['rho']:.2f}"
    if result["scale"] < 1:
        clip = f"‖g‖ = {result['total_norm']:.3g} > max_norm = {threshold:.3g}: clipped by × {result['scale']:.2g}"
    else:
        clip = f"‖g‖ = {result['total_norm']:.3g} ≤ max_norm = {threshold:.3g}: not clipped"
    return f"{head}<br>{clip}"


class GradientExplorer:
    """Sliders for Waa's scale, the activation, T and the clipping threshold max_norm; one figure.

    Args:
        value: σ_max or ρ at the start, 0.5 … 1.5.
        setting: "singular_value" or "spectral_radius": what the slider sets.
        kind: "orthogonal" or "gaussian" Waa.
        activation: "tanh", "relu" or "identity".
        T: 5 … 100 in steps of 5; threshold: max_norm of clipping by norm, 1e-2 … 1e4 on a
            logarithmic slider (each step × 10^0.25) (the controls' ranges: a value outside
            them is a ValueError, not clamped).
        seed: an int seed (or a Generator, drawn from once): the same network for every
            choice of the controls.
        cell: a cell with a recurrent weight Waa ("rnn").

    Attributes:
        figure_widget: the one go.FigureWidget, rewritten in place by every change.
        widget: the container to display (CSS class ``course-gradient-explorer``).
        result: the last ``gradient_flow`` result.
    """

    def __init__(self, value=0.9, setting="singular_value", kind="gaussian", activation="tanh",
                 T=50, threshold=1.0, seed=0, cell="rnn"):
        low, high, step = VALUE_RANGE
        value = check_in_range("value", value, low, high)
        setting = check_option("setting", setting, SETTINGS)
        kind = check_option("kind", kind, KINDS)
        activation = check_option("activation", activation, ACTIVATIONS)
        T = check_in_range("T", T, T_RANGE[0], T_RANGE[1], integer=True, step=T_RANGE[2])
        threshold = check_in_range("threshold", threshold, 10.0 ** THRESHOLD_EXPONENTS[0], 10.0 ** THRESHOLD_EXPONENTS[1])
        self.seed = seed_of("seed", seed)
        self.cell = get_cell(cell)
        style = {"description_width": "initial", "button_width": "auto"}
        self.setting = widgets.ToggleButtons(
            options=[("σ_max(Waa)", "singular_value"), ("ρ(Waa)", "spectral_radius")], value=setting,
            tooltips=["largest singular value of Waa", "spectral radius of Waa: its largest |eigenvalue|"],
            style=style)
        self.value = widgets.FloatSlider(value=value, min=low, max=high, step=step, description="=",
                                         continuous_update=False, readout_format=".2f",
                                         style={"description_width": "initial"})
        self.kind = widgets.ToggleButtons(options=list(KINDS), value=kind, style=style,
                                          tooltips=["σ_max = ρ", "non-normal: σ_max > ρ"])
        self.activation = widgets.ToggleButtons(options=list(ACTIVATIONS), value=activation,
                                                style=style)
        self.T = widgets.IntSlider(value=T, min=T_RANGE[0], max=T_RANGE[1], step=T_RANGE[2], description="T",
                                   continuous_update=False)
        self.threshold = widgets.FloatLogSlider(value=threshold, base=10, min=THRESHOLD_EXPONENTS[0],
                                                max=THRESHOLD_EXPONENTS[1], step=THRESHOLD_EXPONENTS[2],
                                                description="max_norm (log scale)", continuous_update=False,
                                                readout_format=".3g", style={"description_width": "initial"},
                                                tooltip=THRESHOLD_TOOLTIP,
                                                layout=widgets.Layout(width="380px"))  # room for the track beside its label
        self.result = self._compute()
        args = self._frame_args(self.result)
        self.figure_widget = figure_widget(gradient_explorer_figure(*args))
        for control in (self.setting, self.value, self.kind, self.activation, self.T, self.threshold):
            control.observe(self._on_change, names="value")
        label = widgets.Label  # a Label beside each ToggleButtons keeps every row on one line
        self.widget = widgets.VBox([
            widgets.HBox([label("Waa"), self.kind, label("with"), self.setting, self.value]),
            widgets.HBox([label("g1"), self.activation, self.T, self.threshold]),
            self.figure_widget,
        ])
        self.widget.add_class("course-gradient-explorer")

    def _compute(self, value=None):
        return gradient_flow(self.value.value if value is None else value, self.setting.value,
                             self.kind.value, self.activation.value, self.T.value,
                             self.threshold.value, seed=self.seed, cell=self.cell)

    def _frame_args(self, result):
        threshold = self.threshold.value
        return (result["norms"], result["clipped"], result["bound"], result["total_norm"],
                threshold, flow_title(result, threshold))

    def _on_change(self, change):
        self.update()

    def update(self):
        """Recompute for the controls' values and rewrite the figure inside one batch_update."""
        self.result = self._compute()
        frame = gradient_explorer_frame(*self._frame_args(self.result))
        with self.figure_widget.batch_update():
            for trace, data in zip(self.figure_widget.data, frame["data"]):
                trace.update(data)
            self.figure_widget.update_layout(frame["layout"])

    def snapshot(self):
        """A static go.Figure stepping through the value slider with plotly's own slider.

        The other controls keep their current values; it works without a kernel.
        """
        fig = go.Figure(self.figure_widget)
        values = np.round(np.arange(self.value.min, self.value.max + 1e-9, self.value.step), 2)
        frames, steps = [], []
        for v in values:
            result = self._compute(float(v))
            frame = gradient_explorer_frame(*self._frame_args(result))
            frames.append(go.Frame(name=f"{v:.2f}", data=[{**d, "type": "scatter"} for d in frame["data"]],
                                   layout=frame["layout"]))
            steps.append(dict(label=f"{v:.2f}", method="animate",
                              args=[[f"{v:.2f}"], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                                       transition=dict(duration=0))]))
        fig.frames = frames
        active = int(np.argmin(np.abs(values - self.value.value)))
        name = "σ_max" if self.setting.value == "singular_value" else "ρ"
        fig.update_layout(sliders=[dict(active=active, steps=steps, y=-0.3, yanchor="top", pad=dict(t=30),
                                        currentvalue=dict(prefix=f"{name}(Waa) = "))],
                          height=(fig.layout.height or 440) + 120, margin=dict(b=200))
        return fig

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
