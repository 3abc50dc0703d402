"""Exercise checkers: compare a learner's function with the reference, explain mismatches.

Each exercise is one table (cases and known mistakes) fed to ``check_exercise``; the
checkers a notebook calls (``check_<name>(candidate, verbose=True, time_limit=TIME_LIMIT,
strict=False)``) print their verdict and let the notebook go on, or raise with
``strict=True``. The teachers' answers are in ``course_lib.checks.answers``, which this
package does not import.
"""

from course_lib.checks.common import (
    TIME_LIMIT,
    Case,
    CheckFailed,
    ExerciseNotWritten,
    Mistake,
    check_exercise,
    compare_gradients,
    compare_outputs,
    exercise_checker,
    format_table,
    run_candidate,
)
from course_lib.checks.bidirectional import check_bidirectional_forward
from course_lib.checks.deep import check_stacked_forward
from course_lib.checks.gradients import check_clip_by_norm
from course_lib.checks.gru import check_gru_cell_backward, check_gru_cell_forward
from course_lib.checks.lm import check_draw_token, check_sample_loop
from course_lib.checks.lstm import check_lstm_cell_backward, check_lstm_cell_forward
from course_lib.checks.rnn import check_rnn_backward, check_rnn_cell_backward, check_rnn_cell_forward

__all__ = [
    "Case",
    "CheckFailed",
    "ExerciseNotWritten",
    "Mistake",
    "TIME_LIMIT",
    "check_bidirectional_forward",
    "check_clip_by_norm",
    "check_draw_token",
    "check_exercise",
    "check_gru_cell_backward",
    "check_gru_cell_forward",
    "check_lstm_cell_backward",
    "check_lstm_cell_forward",
    "check_rnn_backward",
    "check_rnn_cell_backward",
    "check_rnn_cell_forward",
    "check_sample_loop",
    "check_stacked_forward",
    "compare_gradients",
    "compare_outputs",
    "exercise_checker",
    "format_table",
    "run_candidate",
]
