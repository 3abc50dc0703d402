"""Self-check quizzes: the questions and their grading, without widgets.

A quiz ends each notebook with a few questions on the topic's common confusions. Every
choice of a multiple-choice question carries its own explanation, the wrong ones saying
why they are wrong; a numeric question knows the usual wrong numbers and what each one
means. ``grade`` turns a learner's response into a Feedback; ``course_lib.widgets.Quiz``
shows the questions and calls it, and ``course_lib.quizzes`` holds each notebook's quiz.
"""

import html
import math
import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Choice", "MultipleChoice", "Mistake", "Numeric", "Quiz", "Feedback", "grade", "parse_number"]


def _text(name, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty str, got {value!r}")


def _real(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


@dataclass(frozen=True)
class Choice:
    """One answer of a multiple-choice question.

    Args:
        text: what the learner reads and picks.
        why: shown when it is picked: why it is right, or what makes it wrong.
        correct: whether it is the right answer (exactly one choice of a question is).
    """

    text: str
    why: str
    correct: bool = False

    def __post_init__(self):
        _text("text", self.text)
        _text("why", self.why)
        if not isinstance(self.correct, bool):
            raise ValueError(f"correct must be a bool, got {self.correct!r}")


@dataclass(frozen=True)
class MultipleChoice:
    """A question with one right choice among two or more.

    Args:
        prompt: the question (markdown-free text; inline HTML such as <i> is shown).
        choices: a tuple of Choice, distinct texts, exactly one of them correct.
    """

    prompt: str
    choices: tuple

    def __post_init__(self):
        _text("prompt", self.prompt)
        if not isinstance(self.choices, tuple) or len(self.choices) < 2 \
                or not all(isinstance(c, Choice) for c in self.choices):
            raise ValueError(f"choices must be a tuple of at least 2 Choice, got {self.choices!r}")
        if len({c.text for c in self.choices}) != len(self.choices):
            raise ValueError("choices must have distinct texts, got " + ", ".join(repr(c.text) for c in self.choices))
        right = sum(c.correct for c in self.choices)
        if right != 1:
            raise ValueError(f"choices must have exactly one correct Choice, got {right}")

    @property
    def answer(self):
        """The index of the right choice."""
        return next(i for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Mistake:
    """A wrong number learners often give, and what it means (``why`` is shown for it)."""

    value: float
    why: str

    def __post_init__(self):
        _real("value", self.value)
        _text("why", self.why)


@dataclass(frozen=True)
class Numeric:
    """A question answered with a number.

    Args:
        prompt: the question.
        answer: the right number.
        why: the explanation shown once it is right.
        hint: shown for a wrong number that is none of the known mistakes.
        mistakes: a tuple of Mistake, the usual wrong numbers (none equal to the answer).
        tolerance: how far from ``answer`` still counts as right (≥ 0; the default, 0,
            still forgives the last digits: a relative 1e-9).
    """

    prompt: str
    answer: float
    why: str
    hint: str
    mistakes: tuple = ()
    tolerance: float = 0.0

    def __post_init__(self):
        _text("prompt", self.prompt)
        _real("answer", self.answer)
        _text("why", self.why)
        _text("hint", self.hint)
        _real("tolerance", self.tolerance)
        if self.tolerance < 0:
            raise ValueError(f"tolerance must be ≥ 0, got {self.tolerance!r}")
        if not isinstance(self.mistakes, tuple) or not all(isinstance(m, Mistake) for m in self.mistakes):
            raise ValueError(f"mistakes must be a tuple of Mistake, got {self.mistakes!r}")
        for m in self.mistakes:
            if self.matches(m.value):
                raise ValueError(f"mistakes must not contain the answer {self.answer!r}, got {m.value!r}")

    def matches(self, value, target=None):
        """Whether ``value`` is ``target`` (default: the answer) within the tolerance."""
        target = self.answer if target is None else target
        return abs(value - target) <= max(self.tolerance, 1e-9 * max(1.0, abs(target)))


@dataclass(frozen=True)
class Quiz:
    """A notebook's self-check: a title and its questions, in order."""

    title: str
    questions: tuple

    def __post_init__(self):
        _text("title", self.title)
        if not isinstance(self.questions, tuple) or not self.questions \
                or not all(isinstance(q, (MultipleChoice, Numeric)) for q in self.questions):
            raise ValueError(f"questions must be a non-empty tuple of MultipleChoice or Numeric, got {self.questions!r}")


class Feedback(NamedTuple):
    """The verdict on one response: right or not, and what to tell the learner (HTML: the
    course's explanations may use <i> or <sub>; a learner's own text comes escaped)."""

    correct: bool
    message: str


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)


def parse_number(text):
    """The number a learner typed: ``12``, ``-0.5``, ``1e-3``, ``3,000`` or ``3 000`` (thousands
    separators), ``1/2``; None when it is not one."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text) if math.isfinite(text) else None
    if not isinstance(text, str):
        return None
    s = text.strip().replace("\u2212", "-")  # the minus sign a copy from the notebook's prose gives
    if re.fullmatch(r"[+-]?\d{1,3}([, \u00a0\u202f]\d{3})+(\.\d+)?", s):
        s = re.sub(r"[, \u00a0\u202f]", "", s)
    if "/" in s:
        top, _, bottom = s.partition("/")
        a, b = parse_number(top), parse_number(bottom)
        return a / b if a is not None and b not in (None, 0.0) else None
    return float(s) if _NUMBER.match(s) else None


def grade(question, response):
    """Grade one response to one question.

    Args:
        question: a MultipleChoice or a Numeric.
        response: for a MultipleChoice, the index of the choice picked or its text (None:
            nothing picked yet); for a Numeric, what the learner typed (str) or a number.

    Returns:
        Feedback(correct, message): the picked choice's explanation, the known mistake's,
        the hint, or what to do when the response is empty or not a number.
    """
    if isinstance(question, MultipleChoice):
        if response is None:
            return Feedback(False, "Pick one of the choices first.")
        texts = [c.text for c in question.choices]
        if isinstance(response, str) and response in texts:
            response = texts.index(response)
        if isinstance(response, bool) or not isinstance(response, int) or not 0 <= response < len(texts):
            raise ValueError(f"response must be the index (0 … {len(texts) - 1}) or the text of a choice, "
                             f"got {response!r}")
        choice = question.choices[response]
        return Feedback(choice.correct, choice.why)
    if isinstance(question, Numeric):
        if response is None or (isinstance(response, str) and not response.strip()):
            return Feedback(False, "Type a number first.")
        value = parse_number(response)
        if value is None:
            return Feedback(False, f"{html.escape(repr(response))} is not a number: type digits, such as 12, 0.25 "
                                   "or 1e-3.")
        if question.matches(value):
            return Feedback(True, question.why)
        for m in question.mistakes:
            if question.matches(value, m.value):
                return Feedback(False, m.why)
        return Feedback(False, question.hint)
    raise ValueError(f"question must be a MultipleChoice or a Numeric, got {type(question).__name__}")
