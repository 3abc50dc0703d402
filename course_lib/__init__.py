"""course_lib: the NumPy code behind the RNN course's notebooks.

The math modules (``activations``, ``rnn``, ``losses``, ``gradients``, ``data`` ...) need
NumPy alone; ``viz`` adds plotly and ``widgets`` adds ipywidgets. Nothing here imports
"upwards": the math never imports viz or widgets.
"""

__version__ = "0.1.0"
