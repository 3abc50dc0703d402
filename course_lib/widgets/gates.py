"""The gate explorer: step any gated cell through one sentence and watch its gates.

The first of the course's gate activation views (notebook 06 with the GRU's Γu, Γr, c~, c;
notebook 07 with the LSTM's Γf, Γu, c~, Γo, c, a). It reads a forward pass's SequenceCache
through its step fields, so any registered cell works: the figure is ``viz.gates``'s.
"""

import html

import ipywidgets as widgets

from course_lib.recurrent import SequenceCache
from course_lib.viz.gates import gate_frame, gate_heatmaps, step_values
from course_lib.widgets.explorer import TimestepExplorer, check_in_range
from course_lib.widgets._display import show

__all__ = ["GateExplorer"]


class GateExplorer:
    """Play or slide through one example of a forward pass; choose the unit to follow.

    Top: one heatmap per gate and state (units × steps), the current step outlined, the
    chosen unit's row dotted. Bottom: that unit's gates and states over the sentence.
    The title reads the unit's values at the current step.

    Args:
        caches: the SequenceCache of a forward pass of any registered cell (batch of m).
        tokens: the T tokens that example reads, one per step (str); T ≤ T_x, so that a
            sentence shorter than its batch is shown without the padding after it.
        example: which example of the batch, 0 ... m − 1.
        unit: the unit followed at the start, 0 ... n_a − 1 (a slider changes it).
        fields: the step fields to show, in order (default: every one the cell has, gates
            first; see ``viz.gates.step_values``).
        height: the figure's height in pixels (default: from the number of panels).

    Attributes:
        explorer: the TimestepExplorer (``explorer.widget`` has the CSS class
            ``course-explorer``); ``unit_slider``; ``values`` (name → (n_a, T)); ``widget``.
    """

    def __init__(self, caches, tokens, example=0, unit=0, fields=None, height=None):
        if not isinstance(caches, SequenceCache):
            raise ValueError(f"caches must be the SequenceCache of a forward pass, got {type(caches).__name__}")
        T_x = caches.x.shape[2]
        if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (list, tuple)) or not tokens \
                or not all(isinstance(tok, str) for tok in tokens) or len(tokens) > T_x:
            raise ValueError(f"tokens must be a non-empty list of at most T_x = {T_x} str tokens, the ones the "
                             f"example reads, got {tokens!r}")
        self.tokens = list(tokens)
        self.values = step_values(caches, example, len(self.tokens), fields)
        n_a = next(iter(self.values.values())).shape[0]
        unit = check_in_range("unit", unit, 0, n_a - 1, integer=True)
        self.height = height
        self.labels = [f"{t + 1} {tok}" for t, tok in enumerate(self.tokens)]  # distinct, as the axis needs
        self.unit_slider = widgets.IntSlider(value=unit, min=0, max=n_a - 1, description="unit",
                                             continuous_update=False, layout=widgets.Layout(width="320px"))
        figure, frame = self._steps(unit)
        self.explorer = TimestepExplorer(figure, frame, len(self.tokens))
        self.unit_slider.observe(self._on_unit, names="value")
        self.widget = widgets.VBox([self.unit_slider, self.explorer.widget])

    @property
    def unit(self):
        """The unit followed now."""
        return self.unit_slider.value

    def title(self, t, unit=None):
        """The title at step ``t``: the token read and the unit's values there."""
        unit = self.unit if unit is None else unit
        read = ", ".join(f"{name} = {v[unit, t]:.2f}" for name, v in self.values.items())
        return (f"t = {t + 1}, reading ‘{html.escape(self.tokens[t])}’<br>"
                f"<span style=\"font-size: 13px\">unit {unit}: {read}</span>")

    def _steps(self, unit):
        def frame(t):
            return gate_frame(self.values, t, unit, self.title(t, unit))

        figure = gate_heatmaps(self.values, 0, self.labels, unit, self.title(0, unit), self.height)
        return figure, frame

    def _on_unit(self, change):
        figure, frame = self._steps(change["new"])
        self.explorer.reset(figure, frame, len(self.tokens))

    def snapshot(self):
        """A static figure with one plotly frame per step (for exported HTML), the current unit's."""
        return self.explorer.snapshot()

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
