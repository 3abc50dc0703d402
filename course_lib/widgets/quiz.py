"""The self-check at the end of a notebook: a quiz's questions as widgets, graded in place.

Each question has its controls (radio buttons, or a box for a number), a Check button and
a line of feedback; the grading is ``course_lib.quiz.grade``'s. Nothing here needs a
figure, so it works the same in JupyterLab and in Voilà.
"""

import html
import re

import ipywidgets as widgets

from course_lib.quiz import MultipleChoice, Quiz, grade
from course_lib.widgets._display import show_quiz

__all__ = ["SelfCheck", "plain_label"]

_RIGHT, _WRONG = "#1a7f37", "#b42318"
_SUBSCRIPTS = dict(zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUPERSCRIPTS = dict(zip("0123456789+-−=()inT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁱⁿᵀ"))
# A long choice wraps onto lines of its own rather than running over the next one.
_STYLE = ("<style>.course-quiz .widget-radio-box label { display: flex; flex-direction: row-reverse; "
          "justify-content: flex-end; align-items: flex-start; white-space: normal; height: auto; "
          "line-height: 1.4; padding: 2px 0; } "
          ".course-quiz .widget-radio-box label input { flex: none; margin: 1px 6px 0 0; }</style>")


def plain_label(text):
    """A choice's HTML as the plain text a radio button shows: tags dropped, entities read,
    sub- and superscripts as Unicode ones where every character has one (T<sub>x</sub> → Tₓ,
    10<sup>−10</sup> → 10⁻¹⁰), else after an underscore (n<sub>y</sub> → n_y) or inline
    (x<sup>⟨t⟩</sup> → x⟨t⟩)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str (a choice's HTML), got {type(text).__name__}")

    def script(table, other):
        def replace(match):
            inner = html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
            if all(ch in table for ch in inner):
                return "".join(table[ch] for ch in inner)
            return other(inner)
        return replace

    text = re.sub(r"<sub>(.*?)</sub>", script(_SUBSCRIPTS, lambda inner: "_" + (inner if len(inner) == 1
                                                                                else "{" + inner + "}")), text)
    text = re.sub(r"<sup>(.*?)</sup>", script(_SUPERSCRIPTS, lambda inner: inner), text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


class SelfCheck:
    """A quiz, one question under the other, each checked when its button is pressed.

    Args:
        quiz: a ``course_lib.quiz.Quiz`` (each notebook's is ``course_lib.quizzes.quiz_for(name)``).

    Attributes:
        quiz; ``controls`` (per question: its RadioButtons or Text), ``buttons``,
        ``feedback`` (per question: an HTML line), ``results`` (per question: True, False,
        or None before it is checked), ``score`` (an HTML line) and ``widget`` (CSS class
        ``course-quiz``).
    """

    def __init__(self, quiz):
        if not isinstance(quiz, Quiz):
            raise ValueError(f"quiz must be a course_lib.quiz.Quiz, got {type(quiz).__name__}")
        self.quiz = quiz
        self.controls, self.buttons, self.feedback = [], [], []
        self.results = [None] * len(quiz.questions)
        rows = []
        for i, question in enumerate(quiz.questions):
            prompt = widgets.HTML(f"<div style=\"line-height: 1.5\"><b>{i + 1}.</b> {question.prompt}</div>",
                                  layout=widgets.Layout(width="100%"))
            if isinstance(question, MultipleChoice):
                control = widgets.RadioButtons(options=[(plain_label(c.text), j) for j, c in enumerate(question.choices)],
                                               value=None, layout=widgets.Layout(width="auto"))
            else:
                control = widgets.Text(placeholder="a number", continuous_update=False,
                                       layout=widgets.Layout(width="160px"))
            button = widgets.Button(description="Check", layout=widgets.Layout(width="90px"))
            feedback = widgets.HTML("", layout=widgets.Layout(width="100%"))
            button.on_click(lambda _, i=i: self.check(i))
            control.observe(lambda _, i=i: self._answer_changed(i), names="value")
            self.controls.append(control)
            self.buttons.append(button)
            self.feedback.append(feedback)
            controls = [control, button] if isinstance(question, MultipleChoice) else [widgets.HBox([control, button])]
            rows.append(widgets.VBox([prompt, *controls, feedback], layout=widgets.Layout(margin="0 0 12px 0")))
        self.score = widgets.HTML(self._score_text())
        title = widgets.HTML(f"{_STYLE}<h3 style=\"margin: 0 0 8px 0\">{html.escape(quiz.title)}</h3>")
        self.widget = widgets.VBox([title, *rows, self.score], layout=widgets.Layout(width="100%"))
        self.widget.add_class("course-quiz")

    def check(self, index):
        """Grade question ``index`` (0-based) as its control reads now; returns the Feedback."""
        self._check_index(index)
        result = grade(self.quiz.questions[index], self.controls[index].value)
        picked = self.controls[index].value not in (None, "")
        self.results[index] = result.correct if picked else None
        colour, mark = (_RIGHT, "✓ Right.") if result.correct else (_WRONG, "✗ Not quite." if picked else "")
        self.feedback[index].value = (f"<div style=\"color: {colour}; line-height: 1.5\"><b>{mark}</b> "
                                      f"{result.message}</div>")
        self.score.value = self._score_text()
        return result

    def _answer_changed(self, index):
        """Once a question has been checked, a new answer is graded as it arrives: the verdict
        shown is always the verdict on the answer shown.

        Without this, a quick Check could grade the answer before: while the kernel is busy
        with a widget's last message, ipywidgets holds a control's new value back in the
        browser but sends a button's click at once, so the click can reach the kernel first.
        """
        if self.feedback[index].value:
            self.check(index)

    def answer(self, index, response):
        """Set question ``index``'s control to ``response`` (a choice's index, or the text typed)
        and check it, as a learner would; returns the Feedback."""
        self._check_index(index)
        self.controls[index].value = response
        return self.check(index)

    def _check_index(self, index):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.results):
            raise ValueError(f"index must be a question's index, 0 … {len(self.results) - 1}, got {index!r}")

    def _score_text(self):
        done = [r for r in self.results if r is not None]
        return (f"<span class=\"course-quiz-score\">Checked {len(done)} of {len(self.results)}; "
                f"right: {sum(done)}.</span>")

    def _ipython_display_(self):
        show_quiz(self)  # the widget; on the static pages its questions as text (_display.py)
