"""The gradient explorer of notebook 05: how far back the gradient reaches, and clipping.

The logic (``gradient_flow``) is a plain function of the controls' values; the explorer
only wires controls to it and writes its result into one FigureWidget.
"""

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from course_lib.dynamics import init_recurrent_weights, largest_singular_value, scale_to_spectral_radius, spectral_radius
from course_lib.gradients import clip_by_norm, timestep_gradient_norms
from course_lib.rnn import rnn_backward, rnn_forward
from course_lib.viz.gradients import gradient_explorer_figure, gradient_explorer_frame

SETTINGS = ("singular_value", "spectral_radius")
KINDS = ("orthogonal", "gaussian")


def gradient_flow(value, setting="singular_value", kind="gaussian", activation="tanh", T=50,
                  threshold=1.0, n_a=32, n_x=4, seed=0):
    """One run of the explorer: an RNN of T steps, a loss at the last step, BPTT, clipping.

    Args:
        value: what Waa is scaled to: its largest singular value σ_max
            (setting "singular_value") or its spectral radius ρ ("spectral_radius").
        kind: "orthogonal" (σ_max = ρ) or "gaussian" (non-normal: σ_max > ρ).
        activation: g1, "tanh", "relu" or "identity".
        T: number of steps.
        threshold: the clip-by-norm threshold for the parameter gradients.
        n_a, n_x, seed: sizes, and the seed of Waa, Wax, ba, the inputs and the loss.
    Returns:
        dict with "norms" (T,) ‖∂J/∂a<t>‖ against k = T − t = 0 ... T − 1, "clipped" (T,),
        "bound" (T,) σ_maxᵏ, "total_norm" ‖g‖, "sigma_max", "rho", "scale" (the clipping
        factor, 1 when not clipped).

    The loss is J = uᵀ a<T> for a fixed random unit vector u, so ‖∂J/∂a<T>‖ = 1 and
    ‖∂J/∂a<t>‖ ≤ σ_maxᵏ. The same seed gives the same network for every setting.
    """
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}, got {setting!r}")
    rng = np.random.default_rng(seed)
    W = init_recurrent_weights(n_a, rng, 1.0, kind)  # (n_a, n_a), σ_max = 1
    Waa = W * value if setting == "singular_value" else scale_to_spectral_radius(W, value)
    parameters = {
        "Wax": 0.3 * rng.standard_normal((n_a, n_x)),  # (n_a, n_x)
        "Waa": Waa,
        "ba": 0.1 * rng.standard_normal((n_a, 1)),  # (n_a, 1)
    }
    x = rng.standard_normal((n_x, 1, T))  # (n_x, m, T_x)
    u = rng.standard_normal(n_a)
    u /= np.linalg.norm(u)
    _, _, caches = rnn_forward(x, np.zeros((n_a, 1)), parameters, activation)
    da = np.zeros((n_a, 1, T))
    da[:, 0, -1] = u  # J = uᵀ a<T>: only the last step has a loss
    with np.errstate(over="ignore", invalid="ignore"):
        norms = timestep_gradient_norms(da, caches)[::-1]  # index k = T − t
        gradients = rnn_backward(da, caches)
    parameter_gradients = {k: gradients[k] for k in ("dWax", "dWaa", "dba")}
    _, total_norm = clip_by_norm(parameter_gradients, threshold)
    scale = min(1.0, threshold / total_norm) if total_norm > 0 else 1.0
    sigma_max = largest_singular_value(Waa)
    return {
        "norms": norms,
        "clipped": norms * scale,
        "bound": sigma_max ** np.arange(T, dtype=np.float64),
        "total_norm": total_norm,
        "sigma_max": sigma_max,
        "rho": spectral_radius(Waa),
        "scale": scale,
    }


def flow_title(result, threshold):
    """One line saying what the figure shows for ``result``."""
    head = f"σ_max(Waa) = {result['sigma_max']:.2f}, ρ(Waa) = {result['rho']:.2f}"
    if result["scale"] < 1:
        clip = f"‖g‖ = {result['total_norm']:.3g} > {threshold:g}: clipped by × {result['scale']:.2g}"
    else:
        clip = f"‖g‖ = {result['total_norm']:.3g} ≤ {threshold:g}: not clipped"
    return f"{head} · {clip}"


class GradientExplorer:
    """Sliders for Waa's scale, the activation, T and the clipping threshold; one figure.

    Args:
        value: σ_max or ρ at the start.
        setting: "singular_value" or "spectral_radius": what the slider sets.
        kind: "orthogonal" or "gaussian" Waa.
        activation, T, threshold: the other controls' starting values.
        seed: seeds the network (the same for every choice of the controls).

    Attributes:
        figure_widget: the one go.FigureWidget, rewritten in place by every change.
        widget: the container to display (CSS class ``course-gradient-explorer``).
        result: the last ``gradient_flow`` result.
    """

    def __init__(self, value=0.9, setting="singular_value", kind="gaussian", activation="tanh",
                 T=50, threshold=1.0, seed=0):
        self.seed = seed
        style = {"description_width": "initial", "button_width": "auto"}
        self.setting = widgets.ToggleButtons(
            options=[("σ_max(Waa)", "singular_value"), ("ρ(Waa)", "spectral_radius")], value=setting,
            tooltips=["largest singular value of Waa", "spectral radius of Waa: its largest |eigenvalue|"],
            style=style)
        self.value = widgets.FloatSlider(value=value, min=0.5, max=1.5, step=0.05, description="=",
                                         continuous_update=False, readout_format=".2f",
                                         style={"description_width": "initial"})
        self.kind = widgets.ToggleButtons(options=list(KINDS), value=kind, style=style,
                                          tooltips=["σ_max = ρ", "non-normal: σ_max > ρ"])
        self.activation = widgets.ToggleButtons(options=["tanh", "relu", "identity"], value=activation,
                                                style=style)
        self.T = widgets.IntSlider(value=T, min=5, max=100, step=5, description="T",
                                   continuous_update=False)
        self.threshold = widgets.FloatLogSlider(value=threshold, base=10, min=-2, max=4, step=0.25,
                                                description="threshold", continuous_update=False,
                                                readout_format=".3g")
        self.result = self._compute()
        args = self._frame_args(self.result)
        self.figure_widget = go.FigureWidget(gradient_explorer_figure(*args))
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
                             self.threshold.value, seed=self.seed)

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
        from IPython.display import display

        display(self.widget)
