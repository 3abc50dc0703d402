"""Explorers: ipywidgets controls wired to one plotly FigureWidget built by ``viz``."""

from course_lib.widgets.explorer import TimestepExplorer
from course_lib.widgets.notation import NotationExplorer

__all__ = ["NotationExplorer", "TimestepExplorer"]
