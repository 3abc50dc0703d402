"""The FigureWidget every explorer draws in, its data already in the model it opens with.

plotly 6's ``go.FigureWidget`` opens its comm in the constructor (ipywidgets does) while its
``_widget_data`` and ``_widget_layout`` are still empty, and sends them in two messages
afterwards; its view draws what the model holds when it renders. The browser, meanwhile,
evaluates plotly's widget bundle (4 MB, sent inline with every FigureWidget) for the new
model, and anywidget gives that 2 s: past them it drops every message to the model for
good (anywidget 0.11, ``Runtime``'s ``AbortSignal.timeout(2000)``). On a slow or busy
device that left the explorer an empty pair of axes. ``figure_widget`` opens the comm once
the figure is whole, so the figure is drawn in any case; what such a device still loses is
the updates (the slider then moves a frozen figure: re-running the cell helps).
"""

import plotly.graph_objects as go


class _WholeFigureWidget(go.FigureWidget):
    def open(self):
        if self.__dict__.get("_course_whole"):  # ipywidgets calls open() inside the constructor: not yet
            super().open()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._course_whole = True
        self.open()


def figure_widget(figure):
    """A ``go.FigureWidget`` of ``figure`` whose comm opens with the data and layout in it."""
    return _WholeFigureWidget(figure)
