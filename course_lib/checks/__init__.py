"""Exercise checkers: compare a learner's function with the reference, explain mismatches.

Each exercise is one table (cases and known mistakes) fed to ``check_exercise``.
"""

from course_lib.checks.common import (
    Case,
    CheckFailed,
    Mistake,
    check_exercise,
    compare_gradients,
    compare_outputs,
    format_table,
)
from course_lib.checks.rnn import check_rnn_cell_backward, check_rnn_cell_forward

__all__ = [
    "Case",
    "CheckFailed",
    "Mistake",
    "check_exercise",
    "check_rnn_cell_backward",
    "check_rnn_cell_forward",
    "compare_gradients",
    "compare_outputs",
    "format_table",
]
