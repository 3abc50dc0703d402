"""Plotly figure builders: arrays in, ``go.Figure`` out, one shared theme.

Pure functions: no widgets, no state. The explorers in ``course_lib.widgets`` build their
``FigureWidget`` from these and write later steps into it.
"""

from course_lib.viz.bidirectional import dependence_figure, sweep_figure, sweep_frame
from course_lib.viz.figures import (
    column_highlight,
    matrix_heatmap,
    norm_bars,
    series_over_time,
    step_heatmap,
)
from course_lib.viz.deep import dependency_cone, gradient_norm_heatmap, grid_figure
from course_lib.viz.gates import gate_heatmaps, gate_histogram, neuron_coloring, step_values, unit_lines
from course_lib.viz.gates import saturation_fractions, saturation_plot
from course_lib.viz.lstm_cell import lstm_cell_diagram, lstm_equation, lstm_unit_values
from course_lib.viz.theme import COLORSCALES, GATE_COLORS, LAYOUT
from course_lib.viz.training import learning_curves, loss_curves

__all__ = [
    "COLORSCALES", "GATE_COLORS", "LAYOUT", "column_highlight", "matrix_heatmap",
    "norm_bars", "series_over_time", "step_heatmap",
    "gate_heatmaps", "gate_histogram", "neuron_coloring", "step_values", "unit_lines",
    "saturation_fractions", "saturation_plot", "lstm_cell_diagram", "lstm_equation", "lstm_unit_values",
    "learning_curves",
    "loss_curves",
    "dependence_figure", "sweep_figure", "sweep_frame",
]
