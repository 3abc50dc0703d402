"""Explorers: ipywidgets controls wired to one plotly FigureWidget built by ``viz``."""

from course_lib.widgets.architectures import ArchitectureExplorer
from course_lib.widgets.backward import BackwardExplorer
from course_lib.widgets.deep import DeepGridExplorer
from course_lib.widgets.bidirectional import BidirectionalExplorer
from course_lib.widgets.explorer import TimestepExplorer
from course_lib.widgets.forward import ForwardExplorer
from course_lib.widgets.gates import GateExplorer
from course_lib.widgets.gradients import GradientExplorer
from course_lib.widgets.lstm_cell import LSTMCellExplorer
from course_lib.widgets.notation import NotationExplorer
from course_lib.widgets.quiz import SelfCheck
from course_lib.widgets.sampling import SamplingExplorer

__all__ = [
    "ArchitectureExplorer", "BackwardExplorer", "DeepGridExplorer", "ForwardExplorer", "GradientExplorer",
    "NotationExplorer", "SamplingExplorer", "TimestepExplorer",
    "GateExplorer",
    "LSTMCellExplorer",
    "BidirectionalExplorer",
    "SelfCheck",
]
