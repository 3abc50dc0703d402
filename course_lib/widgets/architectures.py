"""The architecture explorer of notebook 03: pick a shape and T_x, T_y; see the unrolled
network and the shape of every array."""

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from course_lib._validate import check_positive_int
from course_lib.architectures import ARCHITECTURES, architecture_shapes, array_letters, fit_lengths
from course_lib.recurrent import get_cell
from course_lib.viz.architectures import diagram_layout, unrolled_diagram
from course_lib.widgets.explorer import check_in_range, check_option
from course_lib.widgets._figure import figure_widget
from course_lib.widgets._display import show

__all__ = ["ArchitectureExplorer", "shapes_table_html"]

RULES = {  # what the architecture does to the sliders, said beside them
    "one_to_one": "T_x and T_y are fixed to 1.",
    "one_to_many": "T_x is fixed to 1; the outputs become inputs, so n_y = n_x.",
    "many_to_one": "T_y is fixed to 1: one output, from a<T_x>.",
    "many_to_many": "T_y follows T_x: one output per input.",
    "encoder_decoder": "T_x and T_y are free: the encoder reads T_x inputs, the decoder writes T_y outputs.",
}


def shapes_table_html(name, n_x, n_a, n_y, m, T_x, T_y, cell="rnn"):
    """An HTML table: every array of the architecture, its shape in letters and in numbers.

    Args as ``architectures.architecture_shapes``.
    """
    shapes = architecture_shapes(name, n_x, n_a, n_y, m, T_x, T_y, cell)
    letters = array_letters(name, cell)
    cell = "padding:2px 10px;border:1px solid #ccc;text-align:left;font-family:monospace"
    head = "".join(f"<th style='{cell}'>{h}</th>" for h in ("array", "shape", "here"))
    rows = "".join(
        f"<tr><td style='{cell}'>{html.escape(array)}</td>"
        f"<td style='{cell}'>({', '.join(str(d) for d in letters[array])})</td>"
        f"<td style='{cell}'>{shape}</td></tr>"
        for array, shape in shapes.items()
    )
    sizes = f"n_x = {n_x}, n_a = {n_a}, n_y = {n_y}, m = {m}, T_x = {T_x}, T_y = {T_y}"
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{rows}</table><p>{sizes}</p>"


class ArchitectureExplorer:
    """Choose one of the five architectures and T_x, T_y; the diagram and the table follow.

    Args:
        name: the architecture shown first, a key of ARCHITECTURES.
        T_x, T_y: the lengths asked for at the start, 1 … 10 (the sliders' range: a value
            outside it is a ValueError, not clamped); the architecture may fix them.
        n_x, n_a, n_y, m: the sizes the table uses, integers ≥ 1 (one to many uses n_y = n_x).
        cell: "rnn" (default) or another registered cell: the table lists its parameters.

    Attributes:
        architecture: the Dropdown; T_x, T_y: the IntSliders.
        figure_widget: the one ``go.FigureWidget``, redrawn in place.
        table: the HTML table of shapes; widget: the container to display
            (CSS class ``course-architecture-explorer``).
    """

    MAX_T = 10

    def __init__(self, name="many_to_one", T_x=5, T_y=3, n_x=10, n_a=16, n_y=3, m=32, cell="rnn"):
        name = check_option("name", name, list(ARCHITECTURES))
        T_x = check_in_range("T_x", T_x, 1, self.MAX_T, integer=True)
        T_y = check_in_range("T_y", T_y, 1, self.MAX_T, integer=True)
        self.sizes = {k: check_positive_int(k, v) for k, v in dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m).items()}
        self.cell = get_cell(cell)
        self._wanted = {"T_x": T_x, "T_y": T_y}  # what the learner set, kept while a rule overrides it
        self._syncing = False
        self.architecture = widgets.Dropdown(
            options=[(arch.label, key) for key, arch in ARCHITECTURES.items()], value=name,
            description="architecture", style={"description_width": "initial"},
            layout=widgets.Layout(width="520px"),
        )
        self.T_x = widgets.IntSlider(value=T_x, min=1, max=self.MAX_T, description="T_x")
        self.T_y = widgets.IntSlider(value=T_y, min=1, max=self.MAX_T, description="T_y")
        self.rule = widgets.HTML()
        self.table = widgets.HTML()
        self.figure_widget = figure_widget(unrolled_diagram(name, *fit_lengths(name, T_x, T_y)))
        self.architecture.observe(self._on_change, names="value")
        self.T_x.observe(self._on_change, names="value")
        self.T_y.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.architecture, self.T_x, self.T_y]), self.rule,
            # the widest drawings (T_x = T_y = 10) scroll rather than being cut off
            widgets.Box([self.figure_widget], layout=widgets.Layout(overflow="auto hidden")),
            self.table,
        ])
        self.widget.add_class("course-architecture-explorer")
        self.update()

    @property
    def lengths(self):
        """(T_x, T_y) shown now, after the architecture's rules."""
        return fit_lengths(self.architecture.value, self._wanted["T_x"], self._wanted["T_y"])

    def _on_change(self, change):
        if self._syncing:  # the update itself moving a slider
            return
        if change["owner"] is self.T_x:
            self._wanted["T_x"] = change["new"]
        elif change["owner"] is self.T_y:
            self._wanted["T_y"] = change["new"]
        self.update()

    def update(self):
        """Apply the architecture's rules to the sliders, redraw the diagram and the table."""
        name = self.architecture.value
        arch = ARCHITECTURES[name]
        T_x, T_y = self.lengths
        self._syncing = True
        try:
            self.T_x.value, self.T_y.value = T_x, T_y
            self.T_x.disabled = arch.T_x == "1"
            self.T_y.disabled = arch.T_y != "any"
        finally:
            self._syncing = False
        layout = diagram_layout(name, T_x, T_y)
        with self.figure_widget.batch_update():
            self.figure_widget.update_layout(layout, overwrite=True)
        sizes = dict(self.sizes)
        if name == "one_to_many":
            sizes["n_y"] = sizes["n_x"]
        self.rule.value = f"<i>{html.escape(RULES[name])}</i>"
        self.table.value = shapes_table_html(name, T_x=T_x, T_y=T_y, cell=self.cell, **sizes)

    def snapshot(self):
        """A static ``go.Figure`` with plotly's own dropdown over the five architectures.

        Each at the current T_x, T_y (as its rules allow); it switches in exported HTML
        with no kernel. The table of shapes needs the kernel and is not included.
        """
        fig = go.Figure(self.figure_widget)
        buttons = []
        for key, arch in ARCHITECTURES.items():
            layout = diagram_layout(key, *fit_lengths(key, self._wanted["T_x"], self._wanted["T_y"]))
            buttons.append(dict(label=arch.label, method="relayout", args=[{
                "shapes": layout["shapes"], "annotations": layout["annotations"],
                "title.text": layout["title"]["text"], "xaxis.range": layout["xaxis"]["range"],
                "width": layout["width"],
            }]))
        active = list(ARCHITECTURES).index(self.architecture.value)
        fig.update_layout(
            updatemenus=[dict(buttons=buttons, active=active, x=0, xanchor="left", y=-0.02,
                              yanchor="top", showactive=True)],
            margin=dict(b=50), height=(fig.layout.height or 340) + 40,
        )
        return fig

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
