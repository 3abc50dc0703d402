"""The exercise checkers: the reference passes, every known mistake gets its own hint, and
whatever a learner's function does (raise, loop forever, return complex, NaN, None, the
wrong keys or shapes, modify its inputs) becomes a CheckFailed that says so."""

import copy
import signal
import threading
import time

import numpy as np
import pytest

from course_lib.checks import (
    Case,
    CheckFailed,
    Mistake,
    check_exercise,
    check_rnn_cell_backward,
    check_rnn_cell_forward,
    compare_gradients,
    format_table,
)
from course_lib.checks import rnn as tables
from course_lib.checks.common import deadline
from course_lib.rnn import rnn_cell_backward, rnn_cell_forward

BACKWARD = dict(reference=rnn_cell_backward, cases=tables.backward_cases, mistakes=tables.BACKWARD_MISTAKES,
                outputs=None, letters=tables.BACKWARD_LETTERS, check=check_rnn_cell_backward)
FORWARD = dict(reference=rnn_cell_forward, cases=tables.forward_cases, mistakes=tables.FORWARD_MISTAKES,
               outputs=tables.FORWARD_OUTPUTS, letters=tables.FORWARD_LETTERS, check=check_rnn_cell_forward)
EXERCISES = {"rnn_cell_backward": BACKWARD, "rnn_cell_forward": FORWARD}


def run(exercise, candidate, cases=None, **options):
    """check_exercise on an exercise's table (all its cases unless given)."""
    return check_exercise(candidate, exercise["reference"], exercise["cases"]() if cases is None else cases,
                          exercise["mistakes"], outputs=exercise["outputs"], letters=exercise["letters"],
                          verbose=False, **options)


def failure_of(check, *args, **kwargs):
    """The CheckFailed that ``check`` raises; a notebook checker is run in strict mode."""
    if hasattr(check, "reference"):  # made by exercise_checker: strict=True raises
        kwargs.setdefault("strict", True)
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------------------------------
# The reference passes; the printed table
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_reference_passes_every_case(exercise, capsys):
    table = EXERCISES[exercise]
    n_cases = len(list(table["cases"]()))
    assert n_cases >= 2
    assert table["check"](table["reference"], strict=True) == n_cases
    out = capsys.readouterr().out
    assert "max difference" in out and f"All {n_cases} cases pass: your {exercise} matches" in out
    assert out.count("case: ") == n_cases


def test_the_table_names_every_output_and_says_what_is_wrong():
    rows = compare_gradients({"dba": np.zeros((3, 1)), "dWax": np.ones((3, 4)), "dxt": np.ones(2)},
                             {"dba": np.zeros((3, 5)), "dWax": np.ones((3, 4)) + 1e-3})
    text = format_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["name", "exact", "close", "max", "difference", "note"]
    assert "shape (3, 5), expected (3, 1)" in lines[1] and "missing" in lines[3]
    assert lines[2].split()[:4] == ["dWax", "no", "no", "1.00e-03"]
    assert [row.close for row in rows] == [False, False, False]


def test_the_notebook_shows_this_exact_hint():
    # notebooks/02_bptt.ipynb prints it under NBVAL_CHECK_OUTPUT.
    def mistaken(da_next, cache):
        dz = da_next * (1 - cache.a_next**2)
        return {**rnn_cell_backward(da_next, cache), "dWaa": dz @ cache.a_next.T}

    failure = failure_of(check_rnn_cell_backward, mistaken, verbose=False)
    assert str(failure) == "[general] dWaa is off: did you use a<t> instead of a<t-1>? dWaa = dz a<t-1>ᵀ."
    assert (failure.case, failure.output) == ("general", "dWaa")


# ---------------------------------------------------------------------------------------
# Hints for mistakes written as a learner would write them
# ---------------------------------------------------------------------------------------


# (Every known mistake of every table, and its own hint: tests/test_exercises.py.)


def test_swapped_weights_get_their_hint_where_the_swap_can_be_computed():
    def swapped(xt, a_prev, parameters):
        a_next = np.tanh(parameters["Wax"] @ a_prev + parameters["Waa"] @ xt + parameters["ba"])
        return a_next, None, None

    message = str(failure_of(check_rnn_cell_forward, swapped, verbose=False))
    assert message.startswith("[n_x = n_a] a_next is off: Wax and Waa are swapped"), message


def test_a_product_that_cannot_be_computed_is_reported_with_the_shapes_on_its_line():
    def transposed(xt, a_prev, parameters):
        a_next = np.tanh(parameters["Waa"] @ a_prev + xt @ parameters["Wax"] + parameters["ba"])
        return a_next, None, None

    message = str(failure_of(check_rnn_cell_forward, transposed, verbose=False))
    assert message.startswith("[n_x = n_a] rnn_cell_forward raised ValueError"), message
    assert "a_next = np.tanh(parameters" in message  # the learner's own line
    assert "xt (3, 5)" in message and "a_prev (3, 5)" in message and 'parameters["Wax"] (3, 3)' in message


@pytest.mark.parametrize(
    "mistake, hint",
    [
        ("a_next_in_dWaa", "did you use a<t> instead of a<t-1>"),
        ("no_derivative_dWax", "dWax is off: multiply by tanh'"),
        ("unsummed_dba", "dba has the wrong shape (n_a, m)"),
        ("dba_without_keepdims", "dba has the wrong shape (n_a,)"),
        ("mean_dba", "sum over the batch"),
        ("untransposed_da_prev", "use the transpose"),
        ("transposed_dWax", "dWax has the wrong shape: shape (4, 3), expected (3, 4); it must be (n_a, n_x)"),
        ("missing", "has no 'dxt': return a dict with keys"),
        ("extra", "unexpected keys ['dz']"),
        ("none", "dxt is None"),
        ("ignores_da_next", "dxt is off (max difference"),
    ],
)
def test_backward_mistakes_written_as_a_learner_would(mistake, hint):
    def candidate(da_next, cache):
        gradients = rnn_cell_backward(da_next, cache)
        dz = da_next * (1 - cache.a_next**2)
        changed = {
            "a_next_in_dWaa": {"dWaa": dz @ cache.a_next.T},
            "no_derivative_dWax": {"dWax": da_next @ cache.xt.T},
            "unsummed_dba": {"dba": dz},
            "dba_without_keepdims": {"dba": dz.sum(axis=1)},
            "mean_dba": {"dba": dz.mean(axis=1, keepdims=True)},
            "untransposed_da_prev": {"da_prev": cache.parameters["Waa"] @ dz},
            "transposed_dWax": {"dWax": cache.xt @ dz.T},
            "extra": {"dz": dz},
            "none": {"dxt": None},
            "ignores_da_next": rnn_cell_backward(np.ones_like(da_next), cache),
        }.get(mistake, {})
        result = {**gradients, **changed}
        if mistake == "missing":
            del result["dxt"]
        return result

    assert hint in str(failure_of(check_rnn_cell_backward, candidate, verbose=False))


def test_a_dls_style_forward_with_a_plain_tuple_cache_passes():
    def dls_forward(xt, a_prev, parameters):
        a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
        z = parameters["Wya"] @ a_next + parameters["by"]
        yt_pred = np.exp(z) / np.sum(np.exp(z), axis=0)
        return a_next, yt_pred, (a_next, a_prev, xt, parameters)

    assert check_rnn_cell_forward(dls_forward, verbose=False, strict=True) == 2

    def short_cache(xt, a_prev, parameters):
        a_next, yt_pred, _ = dls_forward(xt, a_prev, parameters)
        return a_next, yt_pred, (a_next, a_prev)

    assert "cache has no xt: it must hold xt (n_x, m) = (3, 5)" in str(
        failure_of(check_rnn_cell_forward, short_cache, verbose=False))

    def two_values(xt, a_prev, parameters):
        return dls_forward(xt, a_prev, parameters)[::2]

    assert "must return 3 values (a_next, yt_pred, cache), got 2" in str(
        failure_of(check_rnn_cell_forward, two_values, verbose=False))


# ---------------------------------------------------------------------------------------
# Whatever the learner's function does becomes a CheckFailed
# ---------------------------------------------------------------------------------------


def test_an_exception_inside_the_function_is_a_hint_not_a_traceback():
    def wrong_product(da_next, cache):
        dz = da_next * (1 - cache.a_next**2)
        return {"dxt": cache.parameters["Wax"] @ dz}  # Wax is (n_a, n_x): needs the transpose

    failure = failure_of(check_rnn_cell_backward, wrong_product, verbose=False)
    message = str(failure)
    assert message.startswith("[general] rnn_cell_backward raised ValueError at line")
    assert 'return {"dxt": cache.parameters["Wax"] @ dz}' in message  # the failing line
    assert "size 3 is different from 4" in message  # numpy's words for the mismatch
    assert "da_next (3, 5)" in message and "cache.xt (4, 5)" in message and 'cache.parameters["Wax"] (3, 4)' in message
    assert isinstance(failure.error, ValueError)
    assert failure.__cause__ is None and failure.__suppress_context__  # no chained traceback shown

    def key_error(da_next, cache):
        return {"dxt": cache.parameters["Wxa"]}

    assert "raised KeyError" in str(failure_of(check_rnn_cell_backward, key_error, verbose=False))


def test_an_unwritten_exercise_says_not_written_yet():
    def stub(da_next, cache):
        raise NotImplementedError

    assert "not written yet" in str(failure_of(check_rnn_cell_backward, stub, verbose=False))


@pytest.mark.parametrize("extra", [1j, 0j])
def test_complex_outputs_fail_even_with_the_right_real_part(extra):
    def complex_backward(da_next, cache):
        return {k: v + extra for k, v in rnn_cell_backward(da_next, cache).items()}

    def complex_forward(xt, a_prev, parameters):
        a_next, yt_pred, cache = rnn_cell_forward(xt, a_prev, parameters)
        return a_next, yt_pred + extra, cache

    assert "dxt has complex values (dtype complex128)" in str(
        failure_of(check_rnn_cell_backward, complex_backward, verbose=False))
    assert "yt_pred has complex values" in str(failure_of(check_rnn_cell_forward, complex_forward, verbose=False))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_fail(bad):
    def with_nan(da_next, cache):
        gradients = rnn_cell_backward(da_next, cache)
        dWaa = gradients["dWaa"].copy()
        dWaa[0, 0] = bad
        return {**gradients, "dWaa": dWaa}

    assert "dWaa contains NaN or infinite values" in str(failure_of(check_rnn_cell_backward, with_nan, verbose=False))


@pytest.mark.parametrize(
    "result, hint",
    [
        (None, "returned None: did you forget the return? It must return a dict with keys ['dxt', 'da_prev', 'dWax', "
               "'dWaa', 'dba']."),
        ((1, 2), "must return a dict with keys"),
        ({"dx": 0}, "unexpected keys ['dx']"),
        ({}, "the result has no 'dxt'"),
    ],
)
def test_a_result_of_the_wrong_form_fails(result, hint):
    assert hint in str(failure_of(check_rnn_cell_backward, lambda da_next, cache: result, verbose=False))


def test_wrong_values_of_the_wrong_kind_fail():
    def strings(da_next, cache):
        return {**rnn_cell_backward(da_next, cache), "dba": "dz.sum()"}

    assert "dba is not a number array" in str(failure_of(check_rnn_cell_backward, strings, verbose=False))

    def an_array_for_none(xt, a_prev, p):
        return np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"]), np.ones((1, 3)), None

    no_output_layer = [Case("no output layer", (np.ones((2, 3)), np.ones((2, 3)),
                                                {"Wax": np.eye(2), "Waa": np.eye(2), "ba": np.zeros((2, 1))}))]
    assert run(FORWARD, rnn_cell_forward, cases=no_output_layer) == 1
    assert "yt_pred should be None, got an array of shape (1, 3)" in str(
        failure_of(run, FORWARD, an_array_for_none, cases=no_output_layer))


def test_an_endless_loop_is_stopped_with_a_clear_message():
    def endless(da_next, cache):
        while True:
            try:
                pass
            except Exception:  # a learner's broad except cannot swallow the time limit
                pass

    handler = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    failure = failure_of(check_rnn_cell_backward, endless, verbose=False, time_limit=0.2)
    assert time.monotonic() - start < 3
    assert str(failure) == "[general] rnn_cell_backward took longer than 0.2 s: is there a loop that never ends?"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the alarm is switched off again
    assert signal.getsignal(signal.SIGALRM) is handler


def test_an_alarm_set_by_someone_else_is_restored():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert check_rnn_cell_backward(rnn_cell_backward, verbose=False, time_limit=1.0, strict=True) == 3
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30
        assert not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_off_the_main_thread_the_check_runs_without_a_time_limit():
    results = []

    def in_a_thread():
        with deadline(0.01):
            time.sleep(0.05)  # longer than the limit, yet nothing interrupts it here
        results.append(check_rnn_cell_backward(rnn_cell_backward, verbose=False, strict=True))

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join(timeout=30)
    assert results == [3]


# ---------------------------------------------------------------------------------------
# Inputs: the checker never changes them, and a candidate that does is told so
# ---------------------------------------------------------------------------------------


def assert_same(a, b):
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, tuple):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert_same(u, v)
    else:
        assert a == b


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_checker_never_modifies_the_candidates_inputs(exercise):
    table = EXERCISES[exercise]
    received = []

    def recording(*args):
        received.append(args)
        return table["reference"](*args)

    cases = list(table["cases"]())
    pristine = copy.deepcopy(cases)
    assert run(table, recording, cases=cases) == len(cases)
    assert len(received) == len(cases)
    for args, case in zip(received, pristine):
        assert_same(args, case.args)  # what the candidate was given, after the reference ran too
    for case, before in zip(cases, pristine):
        assert_same(case.args, before.args)  # the table's own arrays


def test_a_candidate_that_modifies_its_input_is_told_so_and_the_cases_stay_intact():
    def in_place(da_next, cache):
        gradients = rnn_cell_backward(da_next, cache)
        da_next *= 1 - cache.a_next**2
        return gradients

    cases = list(tables.backward_cases())
    pristine = copy.deepcopy(cases)
    message = str(failure_of(run, BACKWARD, in_place, cases=cases))
    assert message.startswith("[general] rnn_cell_backward changed its input da_next in place")
    for case, before in zip(cases, pristine):
        assert_same(case.args, before.args)

    def changes_a_weight(da_next, cache):
        gradients = rnn_cell_backward(da_next, cache)
        cache.parameters["Waa"][0, 0] += 1.0
        return gradients

    assert 'changed its input cache.parameters["Waa"] in place' in str(
        failure_of(check_rnn_cell_backward, changes_a_weight, verbose=False))


# ---------------------------------------------------------------------------------------
# The checker is generic: any function, any table
# ---------------------------------------------------------------------------------------


def test_the_generic_checker_on_a_table_of_its_own():
    def scale_and_shift(x, w):
        """y = w x, and its sum."""
        return {"y": w * x, "total": np.sum(w * x, keepdims=True).reshape(1, 1)}

    cases = [Case("positive", (np.arange(1.0, 4.0), 2.0)), Case("mixed", (np.array([-1.0, 0.5]), -3.0))]
    mistakes = [Mistake("y", lambda x, w: w + x, "y is off: multiply, do not add.")]
    assert check_exercise(scale_and_shift, scale_and_shift, cases, mistakes, verbose=False) == 2

    def adds(x, w):
        return {"y": w + x, "total": np.sum(w * x, keepdims=True).reshape(1, 1)}

    assert str(failure_of(check_exercise, adds, scale_and_shift, cases, mistakes, verbose=False)) == \
        "[positive] y is off: multiply, do not add."

    def flat_total(x, w):
        return {"y": w * x, "total": np.sum(w * x)}

    assert "total has the wrong shape: shape (), expected (1, 1)" in str(
        failure_of(check_exercise, flat_total, scale_and_shift, cases, mistakes, verbose=False))
    with pytest.raises(ValueError, match="candidate"):
        check_exercise(None, scale_and_shift, cases, mistakes)


def test_an_input_changed_in_place_is_reported_before_the_values_it_spoiled():
    def in_place(xt, a_prev, parameters):
        a_prev += parameters["Wax"] @ xt  # the learner's shortcut: a_prev is the caller's array
        a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["ba"])
        return a_next, None, (a_next, a_prev, xt, parameters)

    message = str(failure_of(check_rnn_cell_forward, in_place, verbose=False))
    assert "changed its input a_prev in place" in message, message
