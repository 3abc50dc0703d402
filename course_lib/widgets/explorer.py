"""The timestep explorer: a Play button and a slider stepping one figure through time.

The figure is a ``FigureWidget`` created once; moving the slider writes the new step's
data into it inside ``batch_update()``, so the browser redraws once per step and nothing
is re-created. ``snapshot()`` turns the same steps into a static figure with plotly
frames and plotly's own slider, which steps in exported HTML with no kernel.

A *frame* here is what plotly calls one: ``{"data": [trace updates...], "layout": {...}}``,
one dict per trace in the figure's order (only the properties that change), plus
optional layout changes (a moved highlight, a new title). Frames stay small when the
figure already holds everything and a step only moves shapes (``viz.figures.step_shapes``
covers the steps not read yet instead of rewriting a heatmap): then a snapshot of a
500-step sentence is as quick to build as a short one.

Also the checks every explorer applies to its arguments: a starting value outside its
control's range, or a choice that is not among its options, is a ValueError naming the
argument (never silently clamped to what the slider can show).
"""

import html
import math
import numbers

import ipywidgets as widgets
import plotly.graph_objects as go

from course_lib._validate import check_bool, check_choice, check_positive_int
from course_lib.widgets._display import show
from course_lib.widgets._figure import figure_widget

__all__ = ["TimestepExplorer", "check_in_range", "check_option", "seed_of"]


def check_in_range(name, value, low, high, integer=False, step=None):
    """``value`` if it is a number in [low, high] (an int, on the grid low + k·step, if asked), else ValueError.

    For the starting values of sliders: an IntSlider from 1 to 16 silently clamps 32 to 16,
    and the explorer would then draw something else than the argument says. ``name`` is
    the argument the message names; ``low`` ≤ ``high`` finite numbers, ``integer`` a bool,
    ``step`` None or an int ≥ 1 (with ``integer``).
    """
    name = _argument_name(name)
    for bound, b in (("low", low), ("high", high)):
        if isinstance(b, bool) or not isinstance(b, numbers.Real) or not math.isfinite(b):
            raise ValueError(f"{bound} must be a finite number (the slider's {'minimum' if bound == 'low' else 'maximum'}), "
                             f"got {b!r}")
    if low > high:
        raise ValueError(f"low must be <= high, got low = {low!r}, high = {high!r}")
    integer = check_bool("integer", integer)
    if step is not None:
        step = check_positive_int("step", step)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or (integer and not isinstance(value, numbers.Integral)):
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {kind} from {low:g} to {high:g}, got {value!r}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be from {low:g} to {high:g} (the range of its slider), got {value!r}")
    if step is not None and integer and (value - low) % step:
        raise ValueError(f"{name} must be one of {low}, {low + step}, ..., {high} (its slider's steps), got {value!r}")
    return int(value) if integer else float(value)


def check_option(name, value, options):
    """``value`` if it is one of ``options`` (values, or (label, value) pairs), else ValueError listing them."""
    name = _argument_name(name)
    if isinstance(options, (str, bytes)) or not isinstance(options, (list, tuple)) or not options:
        raise ValueError(f"options must be a non-empty list of values or (label, value) pairs, got {options!r}")
    values = [o[1] if isinstance(o, tuple) else o for o in options]
    return check_choice(name, value, values)


def _argument_name(name):
    """``name`` (the argument a check's message names) if it is a str, else ValueError."""
    if not isinstance(name, str):
        raise ValueError(f"name must be a str, the argument's name for the error message, got {name!r}")
    return name


def seed_of(name, seed):
    """An int seed, for explorers that rebuild the same network whenever a control moves.

    An int is kept; a np.random.Generator gives one draw, once, so that every later
    rebuild uses the same network (the one rng policy: an int seed or a Generator).
    """
    import numpy as np

    name = _argument_name(name)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**31))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name} must be an int seed >= 0 or a np.random.Generator, got {seed!r}")
    return int(seed)


class TimestepExplorer:
    """Step a figure through ``n_steps`` frames with a Play button and a slider.

    Args:
        figure: the ``go.Figure`` for step 0, from a ``course_lib.viz`` builder.
        frame: function step → frame dict ``{"data": [...], "layout": {...}}``.
        n_steps: number of steps, ≥ 1 (the slider runs 0 … n_steps − 1).
        step_label: function step → short text shown beside the slider
            (default "t = step + 1").
        description: the slider's label.
        interval: Play's milliseconds per step, ≥ 1.

    Attributes:
        figure_widget: the one ``go.FigureWidget`` being updated.
        slider, play: the controls (``play`` is linked to ``slider`` in the browser).
        widget: the container to display (CSS class ``course-explorer``).
    """

    def __init__(self, figure, frame, n_steps, step_label=None, description="t", interval=700):
        if not isinstance(figure, go.Figure):
            raise ValueError(f"figure must be a plotly go.Figure (from a course_lib.viz builder), got {type(figure).__name__}")
        self._frame, self._step_label = self._callables(frame, step_label)
        n_steps = check_positive_int("n_steps", n_steps)
        if not isinstance(description, str):
            raise ValueError(f"description must be a str, got {description!r}")
        interval = check_positive_int("interval", interval)
        self.figure_widget = figure_widget(figure)
        self.play = widgets.Play(min=0, max=n_steps - 1, interval=interval,
                                 description="Play", layout=widgets.Layout(width="auto"))
        self.slider = widgets.IntSlider(min=0, max=n_steps - 1, description=description,
                                        readout=False, continuous_update=True,
                                        layout=widgets.Layout(width="320px"))
        self.label = widgets.HTML()
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.slider.observe(lambda change: self._render(change["new"]), names="value")
        self.widget = widgets.VBox(
            [widgets.HBox([self.play, self.slider, self.label]), self.figure_widget]
        )
        self.widget.add_class("course-explorer")
        self.n_steps = n_steps
        self._render(0)

    @staticmethod
    def _callables(frame, step_label):
        if not callable(frame):
            raise ValueError(f"frame must be a function step → frame dict, got {type(frame).__name__}")
        if step_label is not None and not callable(step_label):
            raise ValueError(f"step_label must be a function step → text, or None, got {type(step_label).__name__}")
        return frame, step_label or (lambda step: f"t = {step + 1}")

    @property
    def step(self):
        """The step shown now."""
        return self.slider.value

    def show(self, step):
        """Move the slider to ``step``; the figure follows."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < self.n_steps:
            raise ValueError(f"step must be an integer in [0, {self.n_steps}), got {step!r}")
        if self.slider.value == step:
            self._render(step)
        else:
            self.slider.value = step  # the observer renders

    def _render(self, step):
        """Write ``step``'s frame into the figure inside one ``batch_update``."""
        spec = self._frame(step)
        with self.figure_widget.batch_update():
            for trace, update in zip(self.figure_widget.data, spec.get("data", [])):
                if update:
                    trace.update(update)
            if spec.get("layout"):
                self.figure_widget.update_layout(spec["layout"])
        self.label.value = f"<b>{html.escape(self._step_label(step))}</b>"  # "<EOS>" is text

    def reset(self, figure, frame, n_steps):
        """Replace the steps (new sentence, new model …) keeping the same widget."""
        if not isinstance(figure, go.Figure):
            raise ValueError(f"figure must be a plotly go.Figure, got {type(figure).__name__}")
        frame, _ = self._callables(frame, None)
        n_steps = check_positive_int("n_steps", n_steps)
        self._frame = frame
        self.n_steps = n_steps
        with self.figure_widget.batch_update():
            self.figure_widget.update_layout(figure.layout, overwrite=True)
            for trace, new in zip(self.figure_widget.data, figure.data):
                trace.update(new.to_plotly_json(), overwrite=True)
        upper = n_steps - 1
        # Lower the value before the bound so the slider never holds an invalid value.
        self.slider.value = min(self.slider.value, upper)
        self.play.value = min(self.play.value, upper)
        self.slider.max = self.play.max = upper
        self._render(self.slider.value)

    def replace_steps(self, frame, n_steps):
        """New steps in the same figure and layout (a sentence drawn again): the data and titles change.

        Cheaper than ``reset``, which builds on a new figure: here only the step shown is
        written, once, inside one ``batch_update``. The step is kept if the new steps reach
        it, else the slider moves to the last one; Play and the slider end at n_steps − 1.
        """
        frame, _ = self._callables(frame, None)
        n_steps = check_positive_int("n_steps", n_steps)
        self._frame, self.n_steps = frame, n_steps
        upper = n_steps - 1
        self.play.value = min(self.play.value, upper)
        if self.slider.value > upper:
            # Lower the value before the bound so the slider never holds an invalid value;
            # the observer draws the new step.
            self.slider.value = upper
            self.slider.max = self.play.max = upper
        else:
            self.slider.max = self.play.max = upper
            self._render(self.slider.value)

    def snapshot(self):
        """A static ``go.Figure`` with one plotly frame per step and plotly's own slider.

        It steps in exported HTML or a kernel-less viewer, where widgets cannot run.
        Built as plain dicts and validated by plotly once, at the end.
        """
        fig = go.Figure(self.figure_widget).to_plotly_json()
        types = [trace["type"] for trace in fig["data"]]  # a frame's trace dicts need their type
        frames, steps = [], []
        for step in range(self.n_steps):
            spec = self._frame(step)
            data = [{**update, "type": kind} for update, kind in zip(spec.get("data", []), types)]
            frames.append({"name": str(step), "data": data, "layout": spec.get("layout", {})})
            steps.append(dict(
                label=self._step_label(step), method="animate",
                args=[[str(step)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                        transition=dict(duration=0))],
            ))
        snapshot = go.Figure(fig)  # shows step 0, as the widget does before the slider moves
        first = self._frame(0)
        for trace, update in zip(snapshot.data, first.get("data", [])):
            if update:
                trace.update(update)
        if first.get("layout"):
            snapshot.update_layout(first["layout"])
        # The slider and ▶ go in 90 px added at the bottom, below all the figure had there
        # (tick labels, an axis title, a legend): plotly places them relative to the plot area,
        # so that is the figure's bottom margin (plotly's defaults where unset) below it.
        layout = snapshot.layout
        height, top = layout.height or 450, 100 if layout.margin.t is None else layout.margin.t
        below = 80 if layout.margin.b is None else layout.margin.b
        plot_height = max(height - top - below, 1)
        under = -(below + 10) / plot_height
        snapshot.update_layout(
            sliders=[dict(active=0, steps=steps, y=under, yanchor="top", pad=dict(t=0, l=50),
                          currentvalue=dict(visible=False))],
            updatemenus=[dict(type="buttons", showactive=False, x=0, y=under, xanchor="left",
                              yanchor="top", pad=dict(t=4),
                              buttons=[dict(label="▶", method="animate",
                                            args=[None, dict(frame=dict(duration=600, redraw=True),
                                                             fromcurrent=True)])])],
            height=height + 90, margin_b=below + 90,
        )
        snapshot.frames = frames
        return snapshot

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
