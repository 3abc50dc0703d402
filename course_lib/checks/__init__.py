"""Exercise checkers: compare a learner's function with the reference, explain mismatches."""

from course_lib.checks.common import CheckFailed, compare_gradients, format_table
from course_lib.checks.rnn import check_rnn_cell_backward

__all__ = ["CheckFailed", "check_rnn_cell_backward", "compare_gradients", "format_table"]
