"""The exercises, proven both ways: every teacher's answer passes its checker, every known
mistake of every table gets its own hint, a stub is "not written yet" and lets the
notebook go on, and report mode never raises. The statistical check of draw_token passes
a correct sampler for every seed tried and fails the known mistakes."""

import copy
import inspect
import subprocess
import sys

import numpy as np
import pytest

from course_lib import lm
from course_lib.activations import softmax
from course_lib.checks import (
    TIME_LIMIT,
    CheckFailed,
    ExerciseNotWritten,
    check_clip_by_norm,
    check_draw_token,
    check_exercise,
    check_rnn_backward,
    check_rnn_cell_backward,
    check_rnn_cell_forward,
    check_sample_loop,
    exercise_checker,
)
from course_lib.checks import answers
from course_lib.checks import gradients as clip_table
from course_lib.checks import lm as lm_tables
from course_lib.checks import rnn as rnn_tables
from course_lib.checks import gru as gru_tables
from course_lib.checks import check_gru_cell_backward, check_gru_cell_forward
from course_lib.gru import gru_cell_backward, gru_cell_forward
from course_lib.checks import lstm as lstm_tables
from course_lib.checks import check_lstm_cell_backward, check_lstm_cell_forward
from course_lib.lstm import lstm_cell_backward, lstm_cell_forward
from course_lib.data.vocab import EOS, Vocabulary
from course_lib.gradients import clip_by_norm
from course_lib.recurrent import cell_names, get_cell
from course_lib.rnn import initialize_rnn_parameters, rnn_backward, rnn_cell_backward, rnn_cell_forward

# The exercises checked by a table of cases and mistakes (check_exercise).
TABLES = {
    "rnn_cell_forward": dict(check=check_rnn_cell_forward, answer=answers.rnn_cell_forward, reference=rnn_cell_forward,
                             cases=rnn_tables.forward_cases, mistakes=rnn_tables.FORWARD_MISTAKES,
                             outputs=rnn_tables.FORWARD_OUTPUTS, letters=rnn_tables.FORWARD_LETTERS),
    "rnn_cell_backward": dict(check=check_rnn_cell_backward, answer=answers.rnn_cell_backward,
                              reference=rnn_cell_backward, cases=rnn_tables.backward_cases,
                              mistakes=rnn_tables.BACKWARD_MISTAKES, outputs=None, letters=rnn_tables.BACKWARD_LETTERS),
    "rnn_backward": dict(check=check_rnn_backward, answer=answers.rnn_backward, reference=rnn_backward,
                         cases=rnn_tables.bptt_cases, mistakes=rnn_tables.BPTT_MISTAKES, outputs=None,
                         letters=rnn_tables.BPTT_LETTERS),
    "sample_indices": dict(check=check_sample_loop, answer=answers.sample_indices, reference=lm.sample_indices,
                           cases=lm_tables.sample_cases, mistakes=lm_tables.SAMPLE_MISTAKES, outputs="indices",
                           letters={"indices": "a list of token indices"}),
    "clip_by_norm": dict(check=check_clip_by_norm, answer=answers.clip_by_norm, reference=clip_by_norm,
                         cases=clip_table.clip_cases, mistakes=clip_table.CLIP_MISTAKES, outputs=clip_table.OUTPUTS,
                         letters=clip_table.LETTERS),
}
# Notebook 06: the GRU's cell, forward and backward.
TABLES.update({
    "gru_cell_forward": dict(check=check_gru_cell_forward, answer=answers.gru_cell_forward, reference=gru_cell_forward,
                             cases=gru_tables.forward_cases, mistakes=gru_tables.FORWARD_MISTAKES,
                             outputs=gru_tables.FORWARD_OUTPUTS, letters=gru_tables.FORWARD_LETTERS),
    "gru_cell_backward": dict(check=check_gru_cell_backward, answer=answers.gru_cell_backward,
                              reference=gru_cell_backward, cases=gru_tables.backward_cases,
                              mistakes=gru_tables.BACKWARD_MISTAKES, outputs=None, letters=gru_tables.BACKWARD_LETTERS),
})
# Notebook 07: the LSTM's cell (without peepholes), forward and backward.
TABLES.update({
    "lstm_cell_forward": dict(check=check_lstm_cell_forward, answer=answers.lstm_cell_forward,
                              reference=lstm_cell_forward, cases=lstm_tables.forward_cases,
                              mistakes=lstm_tables.FORWARD_MISTAKES, outputs=lstm_tables.FORWARD_OUTPUTS,
                              letters=lstm_tables.FORWARD_LETTERS),
    "lstm_cell_backward": dict(check=check_lstm_cell_backward, answer=answers.lstm_cell_backward,
                               reference=lstm_cell_backward, cases=lstm_tables.backward_cases,
                               mistakes=lstm_tables.BACKWARD_MISTAKES, outputs=None,
                               letters=lstm_tables.BACKWARD_LETTERS),
})
# Notebooks 08 and 09: bidirectional_forward and stacked_forward, from run_forward.
from course_lib.bidirectional import bidirectional_forward  # noqa: E402
from course_lib.checks import bidirectional as birnn_tables  # noqa: E402
from course_lib.checks import check_bidirectional_forward, check_stacked_forward  # noqa: E402
from course_lib.checks import deep as deep_tables  # noqa: E402
from course_lib.deep import stacked_forward  # noqa: E402

TABLES.update({
    "bidirectional_forward": dict(check=check_bidirectional_forward, answer=answers.bidirectional_forward,
                                  reference=bidirectional_forward, cases=birnn_tables.bidirectional_cases,
                                  mistakes=birnn_tables.MISTAKES, outputs=birnn_tables.OUTPUTS,
                                  letters=birnn_tables.LETTERS),
    "stacked_forward": dict(check=check_stacked_forward, answer=answers.stacked_forward, reference=stacked_forward,
                            cases=deep_tables.stacked_cases, mistakes=deep_tables.MISTAKES, outputs=deep_tables.OUTPUTS,
                            letters=deep_tables.LETTERS),
})
# Every checker a notebook calls, with the teacher's answer and the name of the reference.
CHECKERS = {**{name: (t["check"], t["answer"]) for name, t in TABLES.items()},
            "draw_token": (check_draw_token, answers.draw_token)}
STUB_ARGUMENTS = {"rnn_cell_forward": 3, "rnn_cell_backward": 2, "rnn_backward": 2, "sample_indices": 4,
                  "clip_by_norm": 2, "draw_token": 2, "gru_cell_forward": 3, "gru_cell_backward": 2,
                  "lstm_cell_forward": 4, "lstm_cell_backward": 3}
STUB_ARGUMENTS.update({"bidirectional_forward": 4, "stacked_forward": 3})


def fresh(value):
    """A deep copy keeping the registered cells themselves (a SequenceCache is tied to its cell)."""
    return copy.deepcopy(value, {id(get_cell(n)): get_cell(n) for n in cell_names()})


def strict_failure(check, candidate, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check(candidate, strict=True, verbose=False, **kwargs)
    return info.value


def stub(n_arguments):
    """A notebook's stub with n positional arguments: it raises NotImplementedError."""
    def stub_function(*args):
        assert len(args) == n_arguments
        raise NotImplementedError("write this function")

    return stub_function



def words(text):
    """What was printed, one space between words: the verdicts are wrapped at 100 characters."""
    return " ".join(text.split())

# ---------------------------------------------------------------------------------------
# Every answer passes, in both modes
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHECKERS)
def test_every_answer_passes_its_checker(name, capsys):
    check, answer = CHECKERS[name]
    passed = check(answer, strict=True, verbose=False)
    assert passed >= 2
    assert capsys.readouterr().out == ""  # strict and quiet: nothing printed
    assert check(answer, verbose=False) is None  # report mode: the verdict alone
    assert capsys.readouterr().out == f"All {passed} cases pass: your {name} matches the reference.\n"
    assert check(answer) is None  # the notebook's call: the tables, then the verdict
    out = capsys.readouterr().out
    assert out.count("case: ") == passed and out.endswith(f"All {passed} cases pass: your {name} matches the reference.\n")
    assert "✗" not in out


@pytest.mark.parametrize("name", CHECKERS)
def test_the_reference_passes_its_own_checker(name):
    check, _ = CHECKERS[name]
    assert check(check.reference, strict=True, verbose=False) >= 2


def test_the_answers_are_not_imported_with_the_checkers():
    code = ("import sys, course_lib.checks as c; assert 'course_lib.checks.answers' not in sys.modules; "
            "assert not hasattr(c, 'answers'), dir(c)")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------
# Every known mistake gets exactly its own hint
# ---------------------------------------------------------------------------------------


def replaced(result, outputs, name, value):
    """The reference's result with output ``name`` ("dWaa", "cache.a_next", 'clipped["dWax"]', "indices") set to value."""
    if isinstance(outputs, str):
        assert name == outputs
        return value
    if outputs is None:
        return {**result, name: value}
    result = list(result)
    if name.endswith('"]'):
        top, key = name[:-2].split('["')
        i = outputs.index(top)
        result[i] = {**result[i], key: value}
    elif "." in name:
        top, field = name.split(".")
        i = outputs.index(top)
        result[i] = result[i]._replace(**{field: value})
    else:
        result[outputs.index(name)] = value
    return tuple(result)


def with_mistake(table, mistake):
    """The reference, with every output the mistake lists replaced by the mistake's value."""
    def candidate(*args):
        wrong = mistake.wrong(*fresh(args))  # on a copy: a mistake may draw from the rng the reference draws from
        result = table["reference"](*args)
        values = {mistake.output: wrong} if isinstance(mistake.output, str) else wrong
        for name, value in values.items():
            result = replaced(result, table["outputs"], name, value)
        return result

    return candidate


def differs(table, mistake, args):
    """Is the mistake's value different from the reference's on this case (None: it cannot be computed)?"""
    try:
        wrong = mistake.wrong(*fresh(args))
    except (ValueError, IndexError, KeyError, TypeError):
        return None
    result = table["reference"](*fresh(args))
    values = {mistake.output: wrong} if isinstance(mistake.output, str) else wrong
    for name, value in values.items():
        right = lookup(result, table["outputs"], name)
        if value is None or right is None:
            if (value is None) != (right is None):
                return True
            continue
        a, b = np.asarray(value), np.asarray(right)
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-7, atol=1e-10):
            return True
    return False


def lookup(result, outputs, name):
    if isinstance(outputs, str):
        return result
    if outputs is None:
        return result[name]
    if name.endswith('"]'):
        top, key = name[:-2].split('["')
        return result[outputs.index(top)][key]
    if "." in name:
        top, field = name.split(".")
        return getattr(result[outputs.index(top)], field)
    return result[outputs.index(name)]


def every_mistake():
    return [pytest.param(name, i, id=f"{name}-{i}") for name, table in TABLES.items()
            for i in range(len(table["mistakes"]))]


@pytest.mark.parametrize("name, index", every_mistake())
def test_every_known_mistake_gets_its_own_hint(name, index):
    table = TABLES[name]
    mistake = table["mistakes"][index]
    cases = list(table["cases"]())
    status = [differs(table, mistake, case.args) for case in cases]
    computable = [case for case, s in zip(cases, status) if s is not None]
    assert any(status), "the mistake shows in no case: it cannot be told from the right answer"
    first = next(case for case, s in zip(computable, [s for s in status if s is not None]) if s)
    with pytest.raises(CheckFailed) as info:
        check_exercise(with_mistake(table, mistake), table["reference"], computable, table["mistakes"],
                       outputs=table["outputs"], letters=table["letters"], verbose=False)
    assert str(info.value) == f"[{first.name}] {mistake.hint}"
    # and through the notebook's checker itself, with all of its cases
    message = str(strict_failure(table["check"], with_mistake(table, mistake)))
    assert mistake.hint in message or "raised ValueError" in message


@pytest.mark.parametrize("name", TABLES)
def test_the_hints_of_a_table_are_all_different_and_name_real_outputs(name):
    table = TABLES[name]
    hints = [m.hint for m in table["mistakes"]]
    assert len(set(hints)) == len(hints)
    listed = {o for m in table["mistakes"] for o in ((m.output,) if isinstance(m.output, str) else m.output)}
    result = table["reference"](*fresh(next(table["cases"]()).args))
    for output in listed:
        lookup(result, table["outputs"], output)  # raises if the table names an output that does not exist


def test_a_wrong_dz_is_named_as_the_mistake_in_dz():
    def tanh_twice(da_next, cache):  # as a learner writes it
        p = cache.parameters
        dz = da_next * (1 - np.tanh(cache.a_next) ** 2)
        return {"dxt": p["Wax"].T @ dz, "da_prev": p["Waa"].T @ dz, "dWax": dz @ cache.xt.T,
                "dWaa": dz @ cache.a_prev.T, "dba": dz.sum(axis=1, keepdims=True)}

    message = str(strict_failure(check_rnn_cell_backward, tanh_twice))
    assert message.startswith("[general] every gradient is off, so the mistake is in dz")
    assert "tanh is applied twice" in message

    def cosh_of_a(da_next, cache):  # tanh' as the quotient 1 / cosh², taken at a<t>: tanh again, in disguise
        gradients = tanh_twice(da_next, cache)
        return {**gradients, "dba": (da_next / np.cosh(cache.a_next) ** 2).sum(axis=1, keepdims=True)}

    assert "tanh is applied twice" in str(strict_failure(check_rnn_cell_backward, cosh_of_a))


# ---------------------------------------------------------------------------------------
# Stubs, wrong answers and exceptions in report mode
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHECKERS)
def test_a_stub_is_not_written_yet_and_the_notebook_goes_on(name, capsys):
    check, _ = CHECKERS[name]
    assert check(stub(STUB_ARGUMENTS[name])) is None
    out = capsys.readouterr().out
    said = words(out)
    assert "not written yet" in said and "the rest of the notebook uses the reference" in said
    assert f"{name} is not written yet (it raises NotImplementedError)" in said
    assert f"the reference {name} from course_lib." in said
    assert "case: " not in out and "✗" not in out and "Traceback" not in out
    assert all(len(line) <= 100 for line in out.splitlines())  # wrapped between words, not by the notebook
    with pytest.raises(ExerciseNotWritten):
        check(stub(STUB_ARGUMENTS[name]), strict=True)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", TABLES)
def test_report_mode_on_a_wrong_answer_prints_the_hint_and_returns_none(name, capsys):
    table = TABLES[name]
    mistake = table["mistakes"][-1]
    assert table["check"](with_mistake(table, mistake)) is None
    lines = capsys.readouterr().out.splitlines()
    assert "case: " in lines[0]
    verdict = words("\n".join(lines[next(i for i, line in enumerate(lines) if line.startswith("✗ ")):]))
    assert words(mistake.hint) in verdict or "raised ValueError" in verdict
    assert lines[-1] == f"The rest of the notebook uses the reference {name}."
    assert table["check"](with_mistake(table, mistake), verbose=False) is None
    assert capsys.readouterr().out.splitlines()[0].startswith("✗ [")


def test_report_mode_on_a_wrong_draw_token(capsys):
    assert check_draw_token(lambda y_hat, rng: int(np.argmax(y_hat))) is None
    out = capsys.readouterr().out
    assert words(out).endswith(words(f"✗ [general] {lm_tables.GREEDY_HINT}"
                                     " The rest of the notebook uses the reference draw_token."))


def test_an_exception_inside_the_candidate_names_the_line_and_its_shapes(capsys):
    def wrong_product(da_next, cache):
        dz = da_next @ (1 - cache.a_next**2)
        return {"dxt": dz}

    line = wrong_product.__code__.co_firstlineno + 1  # in a notebook, the line within its cell
    failure = strict_failure(check_rnn_cell_backward, wrong_product)
    message = str(failure)
    assert message.startswith(f"[general] rnn_cell_backward raised ValueError at line {line} "
                              "(dz = da_next @ (1 - cache.a_next**2)): matmul")
    assert "On that line: da_next (3, 5), cache.a_next (3, 5)." in message
    assert "the inner sizes must agree" in message  # NumPy's words, explained
    assert check_rnn_cell_backward(wrong_product) is None  # report mode: a hint, no traceback
    out = capsys.readouterr().out
    assert out.startswith(f"✗ [general] rnn_cell_backward raised ValueError at line {line}") and "Traceback" not in out


def test_the_shapes_on_the_line_follow_attributes_keys_and_steps():
    def bptt(da, caches):
        n_a, m, T_x = da.shape
        da_prev = np.zeros((n_a, m, T_x))  # a slip: one step's gradient is (n_a, m)
        for t in reversed(range(T_x)):
            step = rnn_cell_backward(da[:, :, t] + da_prev, caches[t])
        return step

    message = str(strict_failure(check_rnn_backward, bptt))
    line = bptt.__code__.co_firstlineno + 4
    assert f"rnn_backward raised ValueError at line {line} (step = rnn_cell_backward(da[:, :, t] + da_prev, " \
           "caches[t])): operands could not be broadcast together" in message
    assert "(elementwise +, - and * need arrays of the same shape" in message
    assert "On that line: da (3, 5, 4), da[:, :, t] (3, 5), da_prev (3, 5, 4)." in message

    def product(da, caches):
        t = da.shape[2] - 1
        return caches[t].a_next @ da[:, :, t]

    assert "On that line: caches[t].a_next (3, 5), da (3, 5, 4), da[:, :, t] (3, 5)." in str(
        strict_failure(check_rnn_backward, product))
    assert "caches.x (4, 5, 4)" in message and "len(caches) = 4" in message  # the inputs' shapes

    def keyed(gradients, max_norm):
        return {k: g @ gradients["dWax"] for k, g in gradients.items()}, 0.0

    message = str(strict_failure(check_clip_by_norm, keyed))
    assert "On that line: g (3, 4), gradients[\"dWax\"] (3, 4)." in message  # k, g: the comprehension's own


def test_a_candidate_returning_none_is_asked_about_its_return():
    def forgot(da_next, cache):
        dz = da_next * (1 - cache.a_next**2)  # noqa: F841 - the learner computed it, then forgot the return

    message = str(strict_failure(check_rnn_cell_backward, forgot))
    assert message.startswith("[general] rnn_cell_backward returned None: did you forget the return?")
    assert "returned None: did you forget the return?" in str(strict_failure(check_sample_loop, lambda *a: None))
    assert "returned None: did you forget the return?" in str(strict_failure(check_clip_by_norm, lambda *a: None))
    assert "returned None: did you forget the return?" in str(strict_failure(check_draw_token, lambda *a: None))


def test_a_loop_calling_an_unwritten_draw_token_says_which_is_unwritten(capsys):
    def my_draw_token(y_hat, rng):
        raise NotImplementedError

    def my_sample_indices(parameters, rng, eos, max_length=50):
        n_a, n_x = parameters["Waa"].shape[0], parameters["Wax"].shape[1]
        a, x = np.zeros((n_a, 1)), np.zeros((n_x, 1))
        a, z = lm.lm_step(parameters, a, x)
        return [my_draw_token(softmax(z)[:, 0], rng)]

    failure = strict_failure(check_sample_loop, my_sample_indices)
    assert isinstance(failure, ExerciseNotWritten)
    assert str(failure).startswith("sample_indices calls my_draw_token, which is not written yet")
    assert check_sample_loop(my_sample_indices) is None
    assert "the rest of the notebook uses the reference sample_indices" in words(capsys.readouterr().out)


def test_drawing_from_the_logits_is_explained():
    def from_logits(parameters, rng, eos, max_length=50):
        n_a, n_x = parameters["Waa"].shape[0], parameters["Wax"].shape[1]
        a, z = lm.lm_step(parameters, np.zeros((n_a, 1)), np.zeros((n_x, 1)))
        return [lm.draw_token(z[:, 0], rng)]

    message = str(strict_failure(check_sample_loop, from_logits))
    assert f"raised ValueError at line {from_logits.__code__.co_firstlineno + 3}" in message and "ŷ = softmax(z), not the logits z" in message
    assert "On that line: z (6, 1), z[:, 0] (6,)" in message


def test_report_mode_survives_a_checker_that_breaks(capsys):
    @exercise_checker(rnn_cell_backward)
    def check_broken(candidate, verbose=True, time_limit=None):
        raise RuntimeError("a result the table did not foresee")

    assert check_broken(answers.rnn_cell_backward) is None
    assert words(capsys.readouterr().out) == words(
        "✗ The checker could not compare your rnn_cell_backward's result (RuntimeError: a result the table did not "
        "foresee).\nThe rest of the notebook uses the reference rnn_cell_backward.\n")
    with pytest.raises(RuntimeError):
        check_broken(answers.rnn_cell_backward, strict=True)


def test_every_checker_has_the_notebooks_signature():
    for check, _ in CHECKERS.values():
        assert str(inspect.signature(check)) == f"(candidate, verbose=True, time_limit={TIME_LIMIT}, strict=False)"
        assert "strict" in check.__doc__ and check.__module__.startswith("course_lib.checks.")


def test_report_mode_is_the_default_and_checks_its_own_arguments():
    for check, _ in CHECKERS.values():
        with pytest.raises(ValueError, match="candidate"):
            check(None)
        with pytest.raises(ValueError, match="strict"):
            check(check.reference, strict="yes")


def test_the_three_outcomes_of_rnn_cell_backward_read_as_the_brief_says(capsys):
    check_rnn_cell_backward(stub(2))
    assert words(capsys.readouterr().out) == words(
        "rnn_cell_backward is not written yet (it raises NotImplementedError): fill in its body and run this cell "
        "again. Until then the rest of the notebook uses the reference rnn_cell_backward from course_lib.rnn.\n")

    def a_next_in_dWaa(da_next, cache):
        dz = da_next * (1 - cache.a_next**2)
        return {**rnn_cell_backward(da_next, cache), "dWaa": dz @ cache.a_next.T}

    check_rnn_cell_backward(a_next_in_dWaa)
    out = capsys.readouterr().out
    assert out.startswith("case: general\nname")
    assert words(out).endswith(words("\n✗ [general] dWaa is off: did you use a<t> instead of a<t-1>? dWaa = dz a<t-1>ᵀ.\n"
                                     "The rest of the notebook uses the reference rnn_cell_backward.\n"))
    check_rnn_cell_backward(answers.rnn_cell_backward)
    out = capsys.readouterr().out
    assert out.count("case: ") == 3 and out.endswith("All 3 cases pass: your rnn_cell_backward matches the reference.\n")


# ---------------------------------------------------------------------------------------
# draw_token: the statistical check
# ---------------------------------------------------------------------------------------


def gumbel_max(y_hat, rng):
    """A correct sampler that uses the rng otherwise than rng.choice: other tokens from the same seed.

    argmax_i (log ŷ_i + G_i) with G_i independent Gumbel noise is token i with probability ŷ_i.
    """
    with np.errstate(divide="ignore"):
        return int(np.argmax(np.log(y_hat) + rng.gumbel(size=len(y_hat))))


SEEDS = range(20)


def test_a_correct_sampler_passes_for_every_seed():
    for seed in SEEDS:
        cases = list(lm_tables.draw_cases(seed))
        assert lm_tables.check_draws(gumbel_max, cases, verbose=False) == len(cases)


def test_a_correct_sampler_draws_other_tokens_than_the_reference():
    # so that the statistics, not the exact comparison, are what passed it above
    y_hat, rng = next(lm_tables.draw_cases()).args
    ours, theirs = copy.deepcopy(rng), copy.deepcopy(rng)
    assert [gumbel_max(y_hat, ours) for _ in range(50)] != [lm.draw_token(y_hat, theirs) for _ in range(50)]


def test_the_checker_draws_the_reference_tokens_at_once_as_draw_token_draws_them_one_by_one():
    for y_hat, rng in (case.args for case in lm_tables.draw_cases()):
        one_by_one, at_once = copy.deepcopy(rng), copy.deepcopy(rng)
        assert [lm.draw_token(y_hat, one_by_one) for _ in range(500)] == at_once.choice(len(y_hat), 500, p=y_hat).tolist()


def test_the_margin_is_five_binomial_standard_errors():
    np.testing.assert_allclose(lm_tables.margins([0.5, 0.0, 1.0], 2000), [5 * np.sqrt(0.25 / 2000), 0.0, 0.0])


def _global_generator():
    other = np.random.default_rng(99)  # not the rng given: the check sees the given one untouched

    def draw(y_hat, rng):
        return int(other.choice(len(y_hat), p=y_hat))

    return draw


DRAW_MISTAKES = [
    ("greedy", lambda y_hat, rng: int(np.argmax(y_hat)), lm_tables.GREEDY_HINT),
    ("uniform", lambda y_hat, rng: int(rng.integers(len(y_hat))), lm_tables.DRAW_MISTAKES[0].hint),
    ("softmax again", lambda y_hat, rng: int(rng.choice(len(y_hat), p=softmax(np.asarray(y_hat)))),
     lm_tables.DRAW_MISTAKES[1].hint),
    ("global generator", _global_generator(), lm_tables.GLOBAL_RNG_HINT),
    ("the probability", lambda y_hat, rng: y_hat[rng.choice(len(y_hat), p=y_hat)], "the probability ŷ["),
    ("one-hot", lambda y_hat, rng: np.eye(len(y_hat))[rng.choice(len(y_hat), p=y_hat)], "a one-hot vector"),
    ("size=1", lambda y_hat, rng: rng.choice(len(y_hat), size=1, p=y_hat), "an array of shape (1,) instead of an int"),
    ("a float index", lambda y_hat, rng: float(rng.choice(len(y_hat), p=y_hat)), "a float"),
    ("out of range", lambda y_hat, rng: int(rng.choice(len(y_hat), p=y_hat)) + 1, "not an index of ŷ"),
    ("shifted", lambda y_hat, rng: int(rng.choice(len(y_hat), p=np.roll(y_hat, 1))), "not drawn with the probabilities"),
]


WHOLE_HINTS = {"greedy", "uniform", "softmax again", "global generator"}  # the table's own hints, word for word


@pytest.mark.parametrize("label, candidate, hint", DRAW_MISTAKES, ids=[m[0] for m in DRAW_MISTAKES])
def test_each_wrong_sampler_gets_its_hint_for_every_seed(label, candidate, hint):
    for seed in SEEDS:
        with pytest.raises(CheckFailed) as info:
            lm_tables.check_draws(candidate, list(lm_tables.draw_cases(seed)), verbose=False)
        if label in WHOLE_HINTS:
            assert str(info.value) == f"[general] {hint}", seed
        else:
            assert hint in str(info.value), (seed, str(info.value))
    assert hint in str(strict_failure(check_draw_token, candidate))


def test_the_draw_table_hints_are_all_tried():
    assert {m.hint for m in lm_tables.DRAW_MISTAKES} <= {hint for _, _, hint in DRAW_MISTAKES}


def test_numpy_integers_are_indices_too():
    assert check_draw_token(lambda y_hat, rng: rng.choice(len(y_hat), p=y_hat), strict=True, verbose=False) == 4


def test_the_draw_table_shows_each_token(capsys):
    check_draw_token(gumbel_max, strict=True)
    out = capsys.readouterr().out
    assert "case: general, 2000 draws\n" in out and "token       ŷ   drawn  allowed ±  within" in out
    check_draw_token(answers.draw_token, strict=True)
    assert "(the same tokens as the reference's for this seed)" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------
# The reference functions the exercises rewrite
# ---------------------------------------------------------------------------------------


@pytest.fixture
def vocab():
    return Vocabulary.build(["abc", "abd", "ba", "cab", "dd"], "char")


@pytest.mark.parametrize("seed", range(10))
def test_sample_indices_draws_what_sample_draws(vocab, seed):
    p = initialize_rnn_parameters(len(vocab), 5, len(vocab), np.random.default_rng(seed), scale=1.0)
    indices = lm.sample_indices(p, seed, vocab.index(EOS), max_length=30)
    result = lm.sample(p, vocab, seed, max_length=30)
    assert indices == list(result.indices) and all(type(i) is int for i in indices)
    assert (indices[-1] == vocab.index(EOS)) == result.ended
    assert answers.sample_indices(p, np.random.default_rng(seed), vocab.index(EOS), 30) == indices


def test_sample_indices_stops_at_max_length_and_at_eos():
    p = initialize_rnn_parameters(4, 3, 4, np.random.default_rng(0), scale=0.5)
    never = {**p, "by": np.array([[0.0], [-60.0], [0.0], [0.0]])}
    assert len(lm.sample_indices(never, 1, eos=1, max_length=7)) == 7
    always = {**p, "by": np.array([[0.0], [60.0], [0.0], [0.0]])}
    assert lm.sample_indices(always, 1, eos=1) == [1]


def test_draw_token_draws_with_the_probabilities():
    rng = np.random.default_rng(3)
    y_hat = np.array([0.1, 0.0, 0.6, 0.3])
    draws = [lm.draw_token(y_hat, rng) for _ in range(4000)]
    assert all(type(i) is int for i in draws) and 1 not in draws
    assert np.all(np.abs(lm_tables.frequencies(draws, 4) - y_hat) <= lm_tables.margins(y_hat, 4000))
    assert lm.draw_token(y_hat, 5) == lm.draw_token(y_hat, np.random.default_rng(5))  # a seed reproduces it
    with pytest.raises(ValueError, match=r"y_hat.*ŷ\[:, 0\]"):
        lm.draw_token(y_hat[:, None], 0)
    with pytest.raises(ValueError, match="not the logits z"):
        lm.draw_token(np.array([2.0, -1.0, 0.5]), 0)


def test_clip_by_norm_answer_bounds_the_norm_and_keeps_the_direction():
    gradients, max_norm = next(clip_table.clip_cases()).args
    clipped, norm = answers.clip_by_norm(gradients, max_norm)
    assert norm > max_norm
    total = np.sqrt(sum(np.sum(g**2) for g in clipped.values()))
    np.testing.assert_allclose(total, max_norm)
    for k in gradients:
        np.testing.assert_allclose(clipped[k] * norm / max_norm, gradients[k])


def test_clip_by_norm_returning_the_callers_own_arrays_is_caught():
    def aliased(gradients, max_norm):
        clipped, norm = answers.clip_by_norm(gradients, max_norm)
        return ({k: (gradients[k] if norm <= max_norm else g) for k, g in clipped.items()}, norm)

    failure = strict_failure(check_clip_by_norm, aliased)
    assert "is the very array given, not a copy" in str(failure) and str(failure).startswith("[below max_norm]")


# ---------------------------------------------------------------------------------------
# Notebook 07: the LSTM's checkers, on answers written as a learner writes them
# ---------------------------------------------------------------------------------------


def learner_lstm_forward(xt, a_prev, c_prev, parameters, slip=None):
    """A learner's whole lstm_cell_forward, right or with one slip (not the table's own model of it)."""
    p = parameters
    concat = np.concatenate([a_prev, xt, c_prev] if slip == "c<t-1> stacked" else [a_prev, xt])
    gamma_f = 1 / (1 + np.exp(-(p["Wf"] @ concat + (p["bu"] if slip == "bu in Γf" else p["bf"]))))
    gamma_u = 1 / (1 + np.exp(-(p["Wu"] @ concat + p["bu"])))
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = gamma_u * c_tilde + gamma_f * c_prev
    gamma_o = 1 / (1 + np.exp(-(p["Wo"] @ concat + p["bo"])))
    a_next = np.tanh(gamma_o * c_next) if slip == "tanh(Γo * c)" else gamma_o * np.tanh(c_next)
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    fields = dict(gamma_f=gamma_f, gamma_u=gamma_u, c_tilde=c_tilde, gamma_o=gamma_o, c_next=c_next, a_next=a_next,
                  c_prev=c_prev, a_prev=a_prev, xt=xt, parameters=parameters)
    if slip == "dict cache":
        cache = fields
    elif slip == "plain tuple cache":
        cache = tuple(fields.values())
    elif slip == "DLS cache":
        cache = (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters)
    elif slip == "RNN cache":
        cache = (a_next, a_prev, xt, parameters)
    else:
        cache = lstm_tables.lstm_cell_forward(xt, a_prev, c_prev, parameters)[3]._replace(**fields)
    return a_next, c_next, yt_pred, cache


def learner_lstm_backward(da_next, dc_next, cache, slip=None):
    """A learner's whole lstm_cell_backward, right or with one slip."""
    p = cache.parameters
    n_a = cache.a_prev.shape[0]
    if slip == "DLS unpacking":
        _, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, _ = cache
    else:
        gamma_f, gamma_u, c_tilde, gamma_o = cache.gamma_f, cache.gamma_u, cache.c_tilde, cache.gamma_o
        c_next, c_prev, a_prev, xt = cache.c_next, cache.c_prev, cache.a_prev, cache.xt
    c_out = c_prev if slip == "c<t-1> in the output path" else c_next
    dgamma_o = da_next * np.tanh(c_out)
    dc = dc_next if slip == "no dc path through a<t>" else dc_next + da_next * gamma_o * (1 - np.tanh(c_out) ** 2)
    dgamma_f = dc * (c_next if slip == "dΓf with c<t>" else c_prev)
    dz_f = dgamma_f * gamma_f * (1 - gamma_f)
    dz_u = dc * c_tilde * gamma_u * (1 - gamma_u)
    dz_c = dc * gamma_u * (1 - c_tilde**2)
    dz_o = dgamma_o * gamma_o * (1 - gamma_o) * (-1 if slip == "dz_o sign" else 1)
    if slip == "wrong product":
        dz_o = p["Wo"] @ dz_o
    concat = np.concatenate([a_prev, xt])
    gradients = {"dxt": 0, "da_prev": 0, "dc_prev": dc * gamma_f}
    for g, dz in zip("fuco", (dz_f, dz_u, dz_c, dz_o)):
        gradients["dW" + g], gradients["db" + g] = dz @ concat.T, dz.sum(axis=1, keepdims=True)
        gradients["da_prev"] = gradients["da_prev"] + p["W" + g][:, :n_a].T @ dz
        gradients["dxt"] = gradients["dxt"] + p["W" + g][:, n_a:].T @ dz
    return gradients


def with_slip(function, slip):
    def candidate(*args):
        return function(*args, slip=slip)

    return candidate


def test_the_learners_own_lstm_answers_pass():
    assert check_lstm_cell_forward(learner_lstm_forward, strict=True, verbose=False) == 2
    assert check_lstm_cell_backward(learner_lstm_backward, strict=True, verbose=False) == 3


@pytest.mark.parametrize("form", ["dict cache", "plain tuple cache"])
def test_an_lstm_cache_as_a_dict_or_a_tuple_in_lstmcaches_order_passes(form):
    assert check_lstm_cell_forward(with_slip(learner_lstm_forward, form), strict=True, verbose=False) == 2


LSTM_BACKWARD_SLIPS = {  # the slips the issue names, and how the hint begins and what it says
    "no dc path through a<t>": ("everything but dWo and dbo is off: the mistake is in dc<t> = dc_next + da<t> * Γo * "
                                "(1 − tanh²(c<t>))", "The path through a<t>, da<t> * Γo * (1 − tanh²(c<t>)), is missing"),
    "c<t-1> in the output path": ("every gradient is off: the output path reads c<t-1>", "use c<t> (cache.c_next)"),
    "dΓf with c<t>": ("dWf, dbf, da_prev and dxt are off, everything else right: the mistake is in the forget gate's "
                      "dz_f", "dΓf = dc<t> * c<t-1>, with cache.c_prev"),
    "DLS unpacking": ("every gradient is off, as when the cache is unpacked in the DLS assignment's order",
                      "read it by name, cache.gamma_f"),
    "dz_o sign": ("dWo, dbo, da_prev and dxt are off, everything else right: the mistake is in the output gate's "
                  "dz_o = dΓo * Γo (1 − Γo), dΓo = da<t> * tanh(c<t>).", ""),  # no table's slip: the diagnosis alone
}


@pytest.mark.parametrize("slip", LSTM_BACKWARD_SLIPS)
def test_a_learners_lstm_backward_slip_gets_its_diagnosis(slip, capsys):
    start, said = LSTM_BACKWARD_SLIPS[slip]
    message = str(strict_failure(check_lstm_cell_backward, with_slip(learner_lstm_backward, slip)))
    assert message.startswith(f"[general] {start}") and said in message
    assert check_lstm_cell_backward(with_slip(learner_lstm_backward, slip)) is None  # report mode
    out = capsys.readouterr().out
    assert words(start) in words(out) and "Traceback" not in out
    assert all(len(line) <= 100 for line in out.splitlines())


LSTM_FORWARD_SLIPS = {
    "tanh(Γo * c)": "[general] a_next is off while c_next and the gates in your cache are right: the mistake is in "
                    "a<t> = Γo * tanh(c<t>).",
    "bu in Γf": "[general] a_next is off, and so is cache.gamma_f in your cache: the mistake is in "
                "Γf = σ(Wf [a<t-1>; x<t>] + bf).",
    "DLS cache": "[general] cache.gamma_f holds a<t> and cache.gamma_u c<t>: is your cache in the DLS assignment's order",
    "RNN cache": "[general] cache.gamma_f holds a<t> (a_next), not Γf: the fields of the cache are in another order.",
}


@pytest.mark.parametrize("slip", LSTM_FORWARD_SLIPS)
def test_a_learners_lstm_forward_slip_gets_its_diagnosis(slip):
    message = str(strict_failure(check_lstm_cell_forward, with_slip(learner_lstm_forward, slip)))
    assert message.startswith(LSTM_FORWARD_SLIPS[slip])


def test_c_prev_stacked_into_the_column_is_named_as_the_lectures_peephole_drawing():
    message = str(strict_failure(check_lstm_cell_forward, with_slip(learner_lstm_forward, "c<t-1> stacked")))
    line = learner_lstm_forward.__code__.co_firstlineno + 4  # the first product with the stacked column
    assert message.startswith(f"[general] lstm_cell_forward raised ValueError at line {line}")
    assert ("The column has 2 n_a + n_x = 11 rows: is c<t-1> stacked into it, as the lecture draws the peephole "
            "connections? This exercise is the standard LSTM, without peepholes: every gate reads [a<t-1>; x<t>] = "
            "np.concatenate([a_prev, xt]), with W (n_a, n_a + n_x). The inputs had shapes xt (3, 5)") in message


def test_an_exception_in_a_learners_lstm_backward_names_its_line():
    message = str(strict_failure(check_lstm_cell_backward, with_slip(learner_lstm_backward, "wrong product")))
    line = learner_lstm_backward.__code__.co_firstlineno + 18
    assert message.startswith(f"[general] lstm_cell_backward raised ValueError at line {line} "
                              "(dz_o = p[\"Wo\"] @ dz_o)")
    assert 'On that line: p["Wo"] (4, 7), dz_o (4, 5).' in message


def test_the_lstm_backward_cases_reach_each_path():
    cases = {case.name: case.args for case in lstm_tables.backward_cases()}
    da, dc_next, cache = cases["last step (dc_next = 0)"]
    assert not dc_next.any() and da.any()  # the last step: all of dc<t> comes through a<t>
    assert cases["one example"][2].xt.shape[1] == 1 and cases["general"][2].xt.shape[1] == 5
    for slip in ("no path through a<t>", "dc_next forgotten"):  # each the other's complement: both seen
        assert not np.allclose(lstm_tables._backward(*cases["general"], slip)["dWf"],
                               lstm_cell_backward(*cases["general"])["dWf"])


def test_the_lstm_tables_slips_are_each_used_once():
    slips = [m.wrong.slip for m in lstm_tables.BACKWARD_MISTAKES]
    assert len(set(slips)) == len(slips)
    forward = [m.wrong.slip for m in lstm_tables.FORWARD_MISTAKES if hasattr(m.wrong, "slip")]
    assert len(set(forward)) == len(forward)
    # a slip's outputs are exactly those it changes, so that a tuple mistake is no superset of another slip
    args = next(lstm_tables.backward_cases()).args
    right = lstm_cell_backward(*fresh(args))
    for m in lstm_tables.BACKWARD_MISTAKES:
        wrong = lstm_tables._backward(*fresh(args), m.wrong.slip)
        changed = {k for k in right if np.shape(wrong[k]) != right[k].shape or not np.allclose(wrong[k], right[k])}
        assert changed == set(m.output), m.wrong.slip


# ---------------------------------------------------------------------------------------
# Notebooks 08 and 09: the learner's bidirectional_forward and stacked_forward
# ---------------------------------------------------------------------------------------


def learner_bidirectional(x, parameters_fwd, parameters_bwd, cell, slip=None):
    """bidirectional_forward as a learner writes it, from run_forward, right or with one slip."""
    from course_lib.recurrent import run_forward

    a_fwd, caches_fwd = run_forward(x, parameters_fwd, cell)
    x_bwd = x if slip == "no reversal" else x[:, :, ::-1]
    a_bwd, caches_bwd = run_forward(x_bwd, parameters_bwd, cell)
    if slip != "not flipped back":
        a_bwd = a_bwd[:, :, ::-1]
    pair = [a_bwd, a_fwd] if slip == "swapped" else [a_fwd, a_bwd]
    return np.concatenate(pair, axis=0), [caches_fwd, caches_bwd]


def learner_stacked(x, layer_parameters, cell, slip=None):
    """stacked_forward as a learner writes it, right or with one slip."""
    from course_lib.recurrent import run_forward

    h, caches = x, []
    for parameters in layer_parameters:
        h, layer_caches = run_forward(x if slip == "reads x" else h, parameters, cell)
        caches.append(layer_caches)
    if slip == "c of the top":
        h = caches[-1].c
    return h, caches


def test_the_learners_own_bidirectional_and_stacked_answers_pass():
    assert check_bidirectional_forward(learner_bidirectional, strict=True, verbose=False) == 3
    assert check_stacked_forward(learner_stacked, strict=True, verbose=False) == 3


@pytest.mark.parametrize("slip, first_case, hint", [
    ("not flipped back", "rnn", "its states are in the reversed order"),
    ("no reversal", "rnn", "only its states were flipped"),  # the states flipped back, the inputs never reversed
    ("swapped", "rnn", "the directions in the wrong order"),
])
def test_a_learners_bidirectional_slip_gets_its_diagnosis(slip, first_case, hint):
    message = str(strict_failure(check_bidirectional_forward, with_slip(learner_bidirectional, slip)))
    assert message.startswith(f"[{first_case}] a ") and hint in message


@pytest.mark.parametrize("slip, first_case, hint", [
    ("reads x", "lstm, 2 layers (3, 3)", "every layer read x"),
    ("c of the top", "lstm, 2 layers (3, 3)", "memory cells c"),
])
def test_a_learners_stacked_slip_gets_its_diagnosis(slip, first_case, hint):
    table = TABLES["stacked_forward"]
    cases = [c for c in table["cases"]() if c.name == first_case]  # the case where the slip can be made at all
    with pytest.raises(CheckFailed) as info:
        check_exercise(with_slip(learner_stacked, slip), stacked_forward, cases, table["mistakes"],
                       outputs=table["outputs"], letters=table["letters"], verbose=False)
    assert str(info.value).startswith(f"[{first_case}] a_top ") and hint in str(info.value)


def test_the_bidirectional_and_stacked_cases_cover_every_cell_and_unequal_layers():
    assert [c.args[3] for c in birnn_tables.bidirectional_cases()] == ["rnn", "gru", "lstm"]
    stacks = [([p for p in c.args[1]], c.args[2]) for c in deep_tables.stacked_cases()]
    assert [cell for _, cell in stacks] == ["rnn", "gru", "lstm"]
    sizes = [[get_cell(cell).sizes(p)[1] for p in layers] for layers, cell in stacks]
    assert any(len(set(s)) > 1 for s in sizes) and any(len(set(s)) == 1 for s in sizes) and max(map(len, sizes)) == 3
    for case in birnn_tables.bidirectional_cases():  # no palindrome: every reversal shows
        assert not np.allclose(case.args[0], case.args[0][:, :, ::-1])


# ---------------------------------------------------------------------------------------
# Notebooks 08 and 09: the caches are checked too, and run_forward's errors named as slips
# ---------------------------------------------------------------------------------------


def learner_stacked_caches(x, layer_parameters, cell, slip=None):
    """stacked_forward as a learner writes it, its a_top right, its caches right or with one slip."""
    from course_lib.recurrent import run_forward

    h, caches = x, []
    for parameters in (layer_parameters[::-1] if slip == "runs top first" else
                       layer_parameters[1:] if slip == "skips the bottom" else layer_parameters):
        h, layer_caches = run_forward(x if slip == "reads x" else h, parameters,
                                      *(() if slip == "no cell" else (cell,)))
        caches.append(h if slip == "states" else layer_caches)
    if slip == "one cache":
        return h, layer_caches
    if slip == "top first":
        return h, caches[::-1]
    if slip == "one short":
        return h, caches[1:]
    return h, tuple(caches) if slip == "a tuple" else caches


def learner_bidirectional_caches(x, parameters_fwd, parameters_bwd, cell, slip=None):
    """bidirectional_forward as a learner writes it, its a right, its caches right or with one slip."""
    from course_lib.recurrent import run_forward

    given = () if slip == "no cell" else (cell,)
    a_fwd, caches_fwd = run_forward(x, parameters_fwd, *given)
    a_bwd, caches_bwd = run_forward(x[:, :, ::-1], parameters_bwd, *given)
    a = np.concatenate([a_fwd, a_bwd[:, :, ::-1]], axis=0)
    if slip == "arrays":
        return a, (a_fwd, a_bwd)
    if slip == "one cache":
        return a, caches_bwd
    if slip == "swapped":
        return a, (caches_bwd, caches_fwd)
    if slip == "backward not reversed":
        return a, (caches_fwd, run_forward(x, parameters_bwd, cell)[1])
    return a, [caches_fwd, caches_bwd]


def test_a_tuple_of_caches_passes_too():
    assert check_stacked_forward(with_slip(learner_stacked_caches, "a tuple"), strict=True, verbose=False) == 3


@pytest.mark.parametrize("slip, hint", [
    ("one cache", "caches is one SequenceCache (one layer's): return the list of the L = 3 layers' SequenceCaches"),
    ("top first", "caches are in the reverse order, top layer first"),
    ("one short", "caches holds 2 SequenceCaches, but there are L = 3 layers"),
    ("states", "caches[0] is an array of shape (3, 2, 5): each entry must be a layer's SequenceCache"),
])
def test_stacked_caches_of_the_wrong_form_order_or_length_get_their_hint(slip, hint):
    message = str(strict_failure(check_stacked_forward, with_slip(learner_stacked_caches, slip)))
    assert message.startswith(f"[rnn, 3 layers (3, 3, 3)] {hint}"), message


@pytest.mark.parametrize("slip, hint", [
    ("arrays", "caches holds arrays (an array of shape (4, 2, 5) first), not caches"),
    ("one cache", "caches is one SequenceCache: return the pair (caches_fwd, caches_bwd)"),
    ("swapped", "caches are swapped: caches[0] is the forward direction's"),
    ("backward not reversed", "caches[1] does not hold the backward sweep"),
])
def test_bidirectional_caches_of_the_wrong_form_or_order_get_their_hint(slip, hint):
    message = str(strict_failure(check_bidirectional_forward, with_slip(learner_bidirectional_caches, slip)))
    assert message.startswith(f"[rnn] {hint}"), message


def test_the_caches_rows_are_in_the_tables(capsys):
    check_stacked_forward(with_slip(learner_stacked_caches, "top first"))
    out = capsys.readouterr().out
    assert 'caches["layer 1"]' in out and 'caches["layer 3"]' in out and "✗ [rnn, 3 layers (3, 3, 3)] caches" in out
    check_bidirectional_forward(learner_bidirectional_caches)
    out = capsys.readouterr().out
    assert out.count('caches["forward"]') == 3 and out.count('caches["backward"]') == 3 and "All 3 cases pass" in out


@pytest.mark.parametrize("check, learner, first", [
    (check_stacked_forward, learner_stacked_caches, "gru, 3 layers (3, 2, 4)"),
    (check_bidirectional_forward, learner_bidirectional_caches, "gru"),
])
def test_a_cell_not_passed_on_to_run_forward_is_named(check, learner, first):
    message = str(strict_failure(check, with_slip(learner, "no cell")))
    assert message.startswith(f"[{first}] pass cell on to run_forward: run_forward(x, parameters, cell); without it "
                              "run_forward runs the 'rnn' cell"), message
    assert "raised ValueError at line" in message and "parameters is missing ['Wax', 'Waa', 'ba']" in message


@pytest.mark.parametrize("slip, hint", [
    ("reads x", "every layer read x"),
    ("runs top first", "the layers ran top first"),
    ("skips the bottom", "the bottom layer was skipped"),
])
def test_the_first_stacked_case_tells_the_wiring_slips_apart(slip, hint):
    first = next(deep_tables.stacked_cases())
    x, layers, cell = first.args
    assert {get_cell(cell).sizes(p) for p in layers} == {(x.shape[0], x.shape[0])} and len(layers) == 3
    message = str(strict_failure(check_stacked_forward, with_slip(learner_stacked_caches, slip)))
    assert message.startswith(f"[{first.name}] a_top is off: {hint}"), message


@pytest.mark.parametrize("slip", ["reads x", "runs top first", "skips the bottom"])
def test_a_shape_error_of_run_forward_in_a_stack_is_named_as_the_wiring_slip(slip):
    gru_case = [c for c in deep_tables.stacked_cases() if c.args[2] == "gru"]  # unequal sizes: a shape error
    with pytest.raises(CheckFailed) as info:
        birnn_tables.check_sweeps(with_slip(learner_stacked_caches, slip), stacked_forward, gru_case,
                                  deep_tables.MISTAKES, outputs=deep_tables.OUTPUTS, read=deep_tables.read_caches,
                                  explain_caches=deep_tables.explain_caches, letters=deep_tables.LETTERS,
                                  time_limit=TIME_LIMIT, verbose=False, shape_hint=deep_tables.SHAPE_HINT)
    message = str(info.value)
    assert message.startswith("[gru, 3 layers (3, 2, 4)] layer l must read layer l−1's states: the x of layer l is "
                              "what layer l−1's run_forward returned."), message
    assert "raised ValueError at line" in message and "must have shape" in message


def test_a_shape_error_of_the_learners_own_code_is_left_as_it_is():
    def concatenates_badly(x, parameters_fwd, parameters_bwd, cell):
        a, caches = bidirectional_forward(x, parameters_fwd, parameters_bwd, cell)
        return np.concatenate([a, x], axis=1), caches

    message = str(strict_failure(check_bidirectional_forward, concatenates_badly))
    assert "raised ValueError at line" in message and "both directions read" not in message


def test_no_hint_of_notebooks_08_and_09_breaks_a_formula_in_angle_brackets():
    import re

    hints = [m.hint for m in deep_tables.MISTAKES + birnn_tables.MISTAKES]
    hints += [deep_tables.SHAPE_HINT, birnn_tables.SHAPE_HINT]
    for case in list(deep_tables.stacked_cases())[:1]:
        _, caches = stacked_forward(*case.args)
        for wrong in (caches.layers[0], list(caches.layers[::-1]), list(caches.layers[1:]), [np.zeros(1)], 3):
            hints.append(deep_tables.explain_caches(wrong, 'caches["layer 1"]', case.args))
    for case in list(birnn_tables.bidirectional_cases())[:1]:
        _, (c_fwd, c_bwd) = bidirectional_forward(*case.args)
        for wrong in (c_fwd, (c_bwd, c_fwd), (c_fwd, c_fwd), (c_fwd,), [np.zeros(1)] * 2, 3):
            hints.append(birnn_tables.explain_caches(wrong, 'caches["forward"]', case.args))
    assert all(hints)
    for hint in hints:
        assert not re.search(r"<[^<>=]*\s[^<>=]*>", hint), hint  # x<T_x−s>, never x<T_x − s>: kept on one line


def test_the_answers_of_notebooks_08_and_09_name_the_headings_they_are_derived_in():
    from pathlib import Path

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    for answer, notebook, heading in ((answers.bidirectional_forward, "08_bidirectional_rnn.ipynb", "Exercise: the two sweeps"),
                                      (answers.stacked_forward, "09_deep_rnn.ipynb", "Exercise: stacking the layers")):
        assert f'Derived in notebooks/{notebook}, "{heading}"' in answer.__doc__
        assert "To be derived" not in answer.__doc__
        assert f"# {heading}" in (notebooks / notebook).read_text()
