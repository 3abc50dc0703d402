"""The timestep explorer: a Play button and a slider stepping one figure through time.

The figure is a ``FigureWidget`` created once; moving the slider writes the new step's
data into it inside ``batch_update()``, so the browser redraws once per step and nothing
is re-created. ``snapshot()`` turns the same steps into a static figure with plotly
frames and plotly's own slider, which steps in exported HTML with no kernel.

A *frame* here is what plotly calls one: ``{"data": [trace updates...], "layout": {...}}``,
one dict per trace in the figure's order (only the properties that change), plus
optional layout changes (a moved highlight, a new title).
"""

import copy
import html

import ipywidgets as widgets
import plotly.graph_objects as go


class TimestepExplorer:
    """Step a figure through ``n_steps`` frames with a Play button and a slider.

    Args:
        figure: the ``go.Figure`` for step 0, from a ``course_lib.viz`` builder.
        frame: function step → frame dict ``{"data": [...], "layout": {...}}``.
        n_steps: number of steps (the slider runs 0 … n_steps − 1).
        step_label: function step → short text shown beside the slider
            (default "t = step + 1").
        interval: Play's milliseconds per step.

    Attributes:
        figure_widget: the one ``go.FigureWidget`` being updated.
        slider, play: the controls (``play`` is linked to ``slider`` in the browser).
        widget: the container to display (CSS class ``course-explorer``).
    """

    def __init__(self, figure, frame, n_steps, step_label=None, description="t", interval=700):
        self._frame = frame
        self._step_label = step_label or (lambda step: f"t = {step + 1}")
        self.figure_widget = go.FigureWidget(figure)
        self.play = widgets.Play(min=0, max=max(n_steps - 1, 0), interval=interval,
                                 description="Play", layout=widgets.Layout(width="auto"))
        self.slider = widgets.IntSlider(min=0, max=max(n_steps - 1, 0), description=description,
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
                trace.update(update)
            if spec.get("layout"):
                self.figure_widget.update_layout(spec["layout"])
        self.label.value = f"<b>{html.escape(self._step_label(step))}</b>"  # "<EOS>" is text

    def reset(self, figure, frame, n_steps):
        """Replace the steps (new sentence, new model …) keeping the same widget."""
        self._frame = frame
        self.n_steps = n_steps
        with self.figure_widget.batch_update():
            self.figure_widget.update_layout(figure.layout, overwrite=True)
            for trace, new in zip(self.figure_widget.data, figure.data):
                trace.update(new.to_plotly_json(), overwrite=True)
        upper = max(n_steps - 1, 0)
        # Lower the value before the bound so the slider never holds an invalid value.
        self.slider.value = min(self.slider.value, upper)
        self.play.value = min(self.play.value, upper)
        self.slider.max = self.play.max = upper
        self._render(self.slider.value)

    def snapshot(self):
        """A static ``go.Figure`` with one plotly frame per step and plotly's own slider.

        It steps in exported HTML or a kernel-less viewer, where widgets cannot run.
        """
        fig = go.Figure(self.figure_widget)
        types = [trace.type for trace in fig.data]  # a frame's trace dicts need their type
        frames, steps = [], []
        for step in range(self.n_steps):
            spec = self._frame(step)
            data = [{**update, "type": kind} for update, kind in zip(spec.get("data", []), types)]
            frames.append(go.Frame(name=str(step), data=data,
                                   layout=copy.deepcopy(spec.get("layout", {}))))
            steps.append(dict(
                label=self._step_label(step), method="animate",
                args=[[str(step)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                        transition=dict(duration=0))],
            ))
        fig.frames = frames
        first = self._frame(0)
        for trace, update in zip(fig.data, first.get("data", [])):
            trace.update(update)
        if first.get("layout"):
            fig.update_layout(first["layout"])
        fig.update_layout(
            sliders=[dict(active=0, steps=steps, pad=dict(t=40), currentvalue=dict(visible=False))],
            updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.08, xanchor="right",
                              yanchor="top", pad=dict(t=40, r=10),
                              buttons=[dict(label="▶", method="animate",
                                            args=[None, dict(frame=dict(duration=600, redraw=True),
                                                             fromcurrent=True)])])],
        )
        fig.update_layout(height=(fig.layout.height or 450) + 90)
        return fig

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
