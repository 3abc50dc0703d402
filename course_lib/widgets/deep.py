"""The deep RNN's grid explorer: choose a state a[l]⟨t⟩ and see what it depends on.

A TimestepExplorer (Play and a slider over t, the CSS class ``course-explorer``) with a
layer control above it; both write into the one FigureWidget of ``viz.deep.grid_figure``.
"""

import ipywidgets as widgets

from course_lib.viz.deep import grid_figure, grid_frame, state_label
from course_lib.widgets.explorer import TimestepExplorer, check_in_range
from course_lib.widgets._display import show

__all__ = ["DeepGridExplorer"]


class DeepGridExplorer:
    """A layers × time grid of a deep RNN's states; the chosen one's inputs and cone coloured.

    Args:
        n_layers: L, the recurrent layers (1 … 12).
        T_x: the steps (1 … 40).
        layer: the layer chosen at the start (1 … L).
        t: the step chosen at the start (1 … T_x).

    Attributes:
        explorer: the TimestepExplorer (its ``widget`` has the CSS class ``course-explorer``);
        layer_buttons: the layer control; widget: the container to display.
    """

    def __init__(self, n_layers=3, T_x=6, layer=2, t=3):
        from course_lib._validate import check_positive_int

        self.n_layers = check_positive_int("n_layers", n_layers, maximum=12)
        self.T_x = check_positive_int("T_x", T_x, maximum=40)
        layer = check_in_range("layer", layer, 1, self.n_layers, integer=True)
        t = check_in_range("t", t, 1, self.T_x, integer=True)
        self.layer_buttons = widgets.ToggleButtons(
            options=[(f"layer {k}", k) for k in range(1, self.n_layers + 1)], value=layer, description="layer l",
            style=dict(button_width="70px"))
        self.explorer = TimestepExplorer(grid_figure(self.n_layers, self.T_x, layer, t), self._frame, self.T_x,
                                         step_label=lambda s: f"t = {s + 1}: {state_label(self.layer, s + 1)}")
        self.layer_buttons.observe(lambda change: self.explorer.show(self.explorer.step), names="value")
        self.explorer.show(t - 1)
        self.widget = widgets.VBox([self.layer_buttons, self.explorer.widget])

    @property
    def layer(self):
        """The chosen layer l (1-based)."""
        return self.layer_buttons.value

    @property
    def t(self):
        """The chosen step t (1-based)."""
        return self.explorer.step + 1

    def _frame(self, step):
        return grid_frame(self.n_layers, self.T_x, self.layer, step + 1)

    def select(self, layer, t):
        """Choose a[layer]⟨t⟩ (1-based); the figure follows."""
        layer = check_in_range("layer", layer, 1, self.n_layers, integer=True)
        t = check_in_range("t", t, 1, self.T_x, integer=True)
        self.layer_buttons.value = layer
        self.explorer.show(t - 1)

    def snapshot(self):
        """A static figure stepping through t for the current layer (exported HTML)."""
        return self.explorer.snapshot()

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
