"""course_lib: the NumPy code behind the RNN course's notebooks.

The math modules (``activations``, ``rnn``, ``losses``, ``gradients``, ``data`` ...) need
NumPy alone; ``viz`` adds plotly and ``widgets`` adds ipywidgets. Nothing here imports
"upwards": the math never imports viz or widgets.
"""

__version__ = "0.1.0"

# The cell modules register their cells with the recurrent core when imported; importing
# them here makes every cell known to ``recurrent.get_cell`` whatever a notebook imports.
from course_lib import gru, lstm, rnn  # noqa: E402,F401

# glibc's malloc would give each call's freed caches back to the system and page-fault them
# in again on the next call; see _memory.
from course_lib._memory import keep_freed_memory  # noqa: E402

keep_freed_memory()
