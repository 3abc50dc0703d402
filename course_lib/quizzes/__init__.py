"""Each notebook's self-check quiz (``course_lib.quiz``), one module a notebook.

The quiz of notebook ``NN_name`` is ``QUIZ`` in ``course_lib.quizzes.nNN_name``; the
notebook's last cell shows it with ``SelfCheck(quiz_for("NN_name"))``. The questions live
here rather than in the notebook so that the answers are not printed beside them.
"""

import importlib

from course_lib.quiz import Quiz

__all__ = ["NOTEBOOKS", "quiz_for"]

NOTEBOOKS = (
    "00_notation", "01_forward_pass", "02_bptt", "03_architectures", "04_language_model_sampling",
    "04b_language_models_in_practice", "05_vanishing_exploding_gradients", "06_gru", "07_lstm",
    "08_bidirectional_rnn", "09_deep_rnn",
)


def quiz_for(notebook):
    """The Quiz at the end of ``notebook`` (its name without ``.ipynb``, e.g. "06_gru")."""
    if notebook not in NOTEBOOKS:
        raise ValueError(f"notebook must be one of the course's notebooks ({', '.join(NOTEBOOKS)}), got {notebook!r}")
    quiz = importlib.import_module(f"course_lib.quizzes.n{notebook}").QUIZ
    assert isinstance(quiz, Quiz), notebook
    return quiz
