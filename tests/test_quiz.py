"""The self-check quizzes' grading (course_lib.quiz) and their widget (course_lib.widgets.quiz)."""

import pytest

from course_lib.quiz import Choice, Feedback, Mistake, MultipleChoice, Numeric, Quiz, grade, parse_number
from course_lib.widgets.quiz import SelfCheck

MC = MultipleChoice("Which gate keeps c⟨t−1⟩?", (
    Choice("the update gate Γu", correct=True, why="Γu ≈ 0 copies c⟨t−1⟩ forward."),
    Choice("the relevance gate Γr", why="Γr only weighs c⟨t−1⟩ inside the candidate."),
    Choice("the output layer", why="The output layer reads a⟨t⟩; it keeps nothing."),
))
NUM = Numeric("3 × 4?", answer=12, why="Three fours.", hint="Multiply.",
              mistakes=(Mistake(7, "That is 3 + 4."), Mistake(34, "That writes the digits side by side.")))


@pytest.mark.parametrize("response, correct, message", [
    (0, True, "Γu ≈ 0 copies c⟨t−1⟩ forward."),
    (1, False, "Γr only weighs c⟨t−1⟩ inside the candidate."),
    (2, False, "The output layer reads a⟨t⟩; it keeps nothing."),
    ("the relevance gate Γr", False, "Γr only weighs c⟨t−1⟩ inside the candidate."),
    (None, False, "Pick one of the choices first."),
])
def test_a_choice_gets_its_own_explanation(response, correct, message):
    assert grade(MC, response) == Feedback(correct, message)


@pytest.mark.parametrize("response", [3, -1, True, 1.0, "the forget gate"])
def test_a_response_that_is_no_choice_is_refused(response):
    with pytest.raises(ValueError, match="response"):
        grade(MC, response)


@pytest.mark.parametrize("response, correct, message", [
    ("12", True, "Three fours."), (12, True, "Three fours."), (" 12.0 ", True, "Three fours."),
    ("1.2e1", True, "Three fours."), ("24/2", True, "Three fours."), (12 + 1e-12, True, "Three fours."),
    ("7", False, "That is 3 + 4."), ("34", False, "That writes the digits side by side."),
    ("13", False, "Multiply."), ("12.001", False, "Multiply."), ("−12", False, "Multiply."),
    ("", False, "Type a number first."), ("  ", False, "Type a number first."), (None, False, "Type a number first."),
])
def test_a_number_gets_the_answer_the_known_mistake_or_the_hint(response, correct, message):
    assert grade(NUM, response) == Feedback(correct, message)


def test_text_that_is_not_a_number_is_named_escaped():
    result = grade(NUM, "<b>twelve</b>")
    assert not result.correct and "&lt;b&gt;twelve&lt;/b&gt;" in result.message and "<b>" not in result.message


def test_a_tolerance_widens_what_counts_as_right():
    q = Numeric("π?", answer=3.14159, why="Yes.", hint="About 3.", tolerance=0.01)
    assert grade(q, "3.14").correct and grade(q, "3.15").correct and not grade(q, "3.2").correct


@pytest.mark.parametrize("text, value", [
    ("1 000 000", 1e6), ("1,000,000", 1e6), ("3\u202f000", 3000.0), ("-0.5", -0.5), ("\u22120.5", -0.5),
    (".25", 0.25), ("1e-3", 1e-3), ("1/4", 0.25), ("+7", 7.0),
])
def test_numbers_are_read_as_learners_type_them(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "1,00", "1/0", "1//2", "nan", "inf", "", "1.2.3", True, None, float("nan")])
def test_what_is_not_a_number_reads_as_none(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("build, name", [
    (lambda: MultipleChoice("Q?", (Choice("a", "w", correct=True),)), "choices"),
    (lambda: MultipleChoice("Q?", (Choice("a", "w"), Choice("b", "w"))), "choices"),
    (lambda: MultipleChoice("Q?", (Choice("a", "w", correct=True), Choice("b", "w", correct=True))), "choices"),
    (lambda: MultipleChoice("Q?", (Choice("a", "w", correct=True), Choice("a", "w"))), "choices"),
    (lambda: MultipleChoice("", (Choice("a", "w", correct=True), Choice("b", "w"))), "prompt"),
    (lambda: Choice("a", ""), "why"),
    (lambda: Choice("a", "w", correct=1), "correct"),
    (lambda: Numeric("Q?", answer=float("nan"), why="w", hint="h"), "answer"),
    (lambda: Numeric("Q?", answer=1, why="w", hint="h", tolerance=-1), "tolerance"),
    (lambda: Numeric("Q?", answer=1, why="w", hint="h", mistakes=(Mistake(1, "same"),)), "mistakes"),
    (lambda: Numeric("Q?", answer=1, why="w", hint="h", mistakes=[Mistake(2, "list")]), "mistakes"),
    (lambda: Quiz("T", ()), "questions"),
    (lambda: Quiz("T", (Choice("a", "w"),)), "questions"),
])
def test_a_malformed_question_is_refused_naming_the_argument(build, name):
    with pytest.raises(ValueError, match=name):
        build()


def test_the_widget_grades_in_place_and_keeps_the_score():
    check = SelfCheck(Quiz("Self-check: test", (MC, NUM)))
    assert "course-quiz" in check.widget._dom_classes
    assert check.results == [None, None] and "Checked 0 of 2" in check.score.value
    check.buttons[0].click()  # nothing picked yet: told to pick, not counted
    assert "Pick one" in check.feedback[0].value and check.results == [None, None]
    assert check.answer(0, 2) == Feedback(False, "The output layer reads a⟨t⟩; it keeps nothing.")
    assert "✗" in check.feedback[0].value and "keeps nothing" in check.feedback[0].value
    assert check.answer(1, "12").correct and "✓" in check.feedback[1].value
    assert check.results == [False, True] and "Checked 2 of 2; right: 1." in check.score.value
    check.controls[0].value = 0
    check.buttons[0].click()
    assert check.results == [True, True] and "right: 2." in check.score.value


def test_a_new_answer_after_a_check_is_graded_when_it_arrives():
    """The click of a quick Check can reach the kernel before the answer it was pressed for
    (ipywidgets holds a value back while the kernel is busy, but not a click)."""
    check = SelfCheck(Quiz("T", (MC, NUM)))
    check.controls[0].value = 2
    assert check.feedback[0].value == ""  # not checked yet: a choice alone is not graded
    check.answer(0, 2)
    check.buttons[0].click()  # the learner picked 0 and pressed Check; the click came first ...
    assert "keeps nothing" in check.feedback[0].value
    check.controls[0].value = 0  # ... then the answer
    assert "✓" in check.feedback[0].value and check.results[0] is True and "right: 1." in check.score.value
    check.answer(1, "11")
    check.controls[1].value = "12"
    assert "✓" in check.feedback[1].value and check.results == [True, True]


def test_the_widget_refuses_what_is_not_a_quiz_or_a_question():
    with pytest.raises(ValueError, match="quiz"):
        SelfCheck([MC])
    check = SelfCheck(Quiz("T", (MC,)))
    with pytest.raises(ValueError, match="index"):
        check.check(1)
