"""course_lib: the NumPy code behind the RNN course's notebooks.

The math modules (``activations``, ``rnn``, ``losses``, ``gradients``, ``data`` ...) need
NumPy alone; ``viz`` adds plotly and ``widgets`` adds ipywidgets. Nothing here imports
"upwards": the math never imports viz or widgets.
"""

__version__ = "0.1.0"

# The cell modules register their cells with the recurrent core when imported; importing
# them here makes every cell known to ``recurrent.get_cell`` whatever a notebook imports.
from course_lib import gru, lstm, rnn  # noqa: E402,F401
