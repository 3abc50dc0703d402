"""What every checker shares: one generic checker, fed a table of cases and known mistakes.

An exercise's checker is a table: the reference function, the cases to run it on (inputs
chosen so that each term can be told apart) and the mistakes learners often make, each
with the value it gives and the hint that explains it. ``check_exercise`` runs the
learner's function on every case, prints a small table per case (name, exact, close, max
difference) and raises ``CheckFailed`` with a hint at the first output that disagrees:
the hint of the known mistake it matches, or else one naming the output and the shape
that went wrong. An exception inside the learner's function, an endless loop, complex
values, None, NaN, missing keys, wrong shapes and inputs modified in place all become a
``CheckFailed`` that says so, rather than a traceback.
"""

import contextlib
import copy
import inspect
import signal
import threading
import time
import traceback
from typing import Callable, NamedTuple

import numpy as np

from course_lib._validate import check_bool, check_positive_float

__all__ = [
    "Case",
    "CheckFailed",
    "Mistake",
    "TIME_LIMIT",
    "check_exercise",
    "compare_gradients",
    "compare_outputs",
    "deadline",
    "format_table",
]

TIME_LIMIT = 5.0  # seconds per call of the learner's function: the cases are tiny


class CheckFailed(AssertionError):
    """A learner's function disagrees with the reference; the message says where and why.

    Attributes:
        case: the name of the case that failed (None when no case ran).
        output: the output that disagreed ("dWaa", "cache.a_next"), or None.
        error: the exception the learner's function raised, or None.
    """

    def __init__(self, message, case=None, output=None, error=None):
        super().__init__(message)
        self.case, self.output, self.error = case, output, error


class Case(NamedTuple):
    """One input of an exercise: its name (shown in the hints) and the reference's arguments."""

    name: str
    args: tuple


class Mistake(NamedTuple):
    """A wrong answer learners often give.

    Attributes:
        output: the output it shows in, as the comparison table names it ("dWaa",
            "yt_pred", "cache.a_next").
        wrong: ``(*case.args) -> value``: what that output holds when the mistake is made
            (None for "forgot to return it"); a mistake that cannot even be computed for
            a case (shapes that do not fit) is skipped there.
        hint: what to tell the learner whose output matches ``wrong``.
    """

    output: str
    wrong: Callable
    hint: str


class Row(NamedTuple):
    """One line of the comparison table."""

    name: str
    exact: bool
    close: bool
    max_diff: float  # None when the values cannot be compared
    note: str  # what is wrong with the value's form ("" when it is an array of the right shape)


# ---------------------------------------------------------------------------------------
# Comparing outputs
# ---------------------------------------------------------------------------------------

MISSING = object()  # an output the learner's result does not have


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}" if np.isscalar(value) else type(value).__name__


def _form_problem(reference, value):
    """What is wrong with the form of ``value`` (not its numbers), or "" if nothing."""
    if value is MISSING:
        return "missing"
    if reference is None:
        return "" if value is None else f"should be None, got {_describe(value)}"
    if value is None:
        return "None"
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        return f"not an array ({type(value).__name__})"
    if arr.dtype.kind == "c":
        return f"complex values (dtype {arr.dtype})"
    if arr.dtype.kind not in "iuf":
        return f"not a number array (dtype {arr.dtype})"
    if arr.shape != np.shape(reference):
        return f"shape {arr.shape}, expected {np.shape(reference)}"
    if not np.isfinite(arr).all():
        return "NaN or infinite values"
    return ""


def _row(name, reference, value, rtol, atol):
    note = _form_problem(reference, value)
    if reference is None:
        return Row(name, not note, not note, None if note else 0.0, note)
    if note:  # None, complex, NaN, a wrong shape ...: never close, whatever the numbers
        return Row(name, False, False, None, note)
    value = np.asarray(value, dtype=np.float64)
    diff = float(np.max(np.abs(value - reference))) if reference.size else 0.0
    close = bool(np.allclose(value, reference, rtol=rtol, atol=atol))
    return Row(name, bool(np.array_equal(value, reference)), close, diff, "")


def _tolerances(rtol, atol):
    return check_positive_float("rtol", rtol, allow_zero=True), check_positive_float("atol", atol, allow_zero=True)


def _references(expected, allow_none=True):
    """``expected`` checked: a dict name → finite real array (or None, where the reference returns None)."""
    what = "a finite real array" + (" or None" if allow_none else "")
    if not isinstance(expected, dict):
        raise ValueError(f"expected must be a dict output name → reference value ({what}), got {_describe(expected)}")
    for name, ref in expected.items():
        if ref is None and allow_none:
            continue
        if not isinstance(ref, np.ndarray) or ref.dtype.kind not in "iuf" or not np.isfinite(ref).all():
            raise ValueError(f"expected[{name!r}] must be {what} (the reference's value), got {_describe(ref)}"
                             + (" holding NaN or inf" if isinstance(ref, np.ndarray) and ref.dtype.kind in "iuf" else ""))
    return expected


def compare_outputs(expected, got, rtol=1e-7, atol=1e-10):
    """One row per expected output: (name, exact, close, max difference, note).

    Args:
        expected: dict name → reference value (an array, or None where the reference
            returns None).
        got: dict name → the learner's value, or ``MISSING``.
    Returns:
        list of Row(name, exact, close, max_diff, note); ``close`` is False for anything
        that is not a finite real array of the reference's shape (None, complex, NaN ...).
    """
    expected = _references(expected)
    if not isinstance(got, dict):
        raise ValueError(f"got must be a dict output name → the learner's value, got {_describe(got)}")
    rtol, atol = _tolerances(rtol, atol)
    return [_row(name, ref, got.get(name, MISSING), rtol, atol) for name, ref in expected.items()]


def compare_gradients(expected, got, rtol=1e-7, atol=1e-10):
    """One row per expected key of a gradient dict: (name, exact, close, max difference, note).

    Args:
        expected: dict name → reference array.
        got: what the learner's function returned (anything; checked here).
    Returns:
        list of Row, as ``compare_outputs``.
    """
    expected = _references(expected, allow_none=False)
    values = got if isinstance(got, dict) else {}
    return compare_outputs(expected, values, rtol, atol)


def format_table(rows):
    """The rows of ``compare_outputs`` as a fixed-width text table."""
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (list, tuple)) or not all(
            isinstance(row, tuple) and len(row) == len(Row._fields) and isinstance(row[0], str) for row in rows):
        raise ValueError(f"rows must be a list of Row{Row._fields} (what compare_outputs returns), got {_describe(rows)}")
    width = max([len("name")] + [len(row[0]) for row in rows])
    lines = [f"{'name':{width}s} {'exact':>6s} {'close':>6s} {'max difference':>15s}  note"]
    for name, exact, close, diff, note in rows:
        shown = "—" if diff is None else f"{diff:.2e}"
        lines.append(f"{name:{width}s} {'yes' if exact else 'no':>6s} {'yes' if close else 'no':>6s} {shown:>15s}  {note}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Naming the outputs of a result
# ---------------------------------------------------------------------------------------


def _is_record(value):
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _output_paths(result, outputs):
    """[(name, path, reference value)] for every array (or None) output of the reference.

    A dict result is named by its keys; a tuple result by ``outputs``; a NamedTuple inside
    it (a cache) by its array fields, "cache.a_next". Other entries (the parameters a cache
    carries, an option string) are not compared.
    """
    if outputs is None:
        top = [(k, (("key", k),), v) for k, v in result.items()]
    else:
        top = [(n, (("index", i),), v) for i, (n, v) in enumerate(zip(outputs, result))]
    paths = []
    for name, path, value in top:
        if _is_record(value):
            for j, f in enumerate(value._fields):
                v = getattr(value, f)
                if v is None or isinstance(v, np.ndarray):
                    paths.append((f"{name}.{f}", path + (("field", j, f),), v))
        elif value is None or isinstance(value, np.ndarray):
            paths.append((name, path, value))
    return paths


def _follow(result, path):
    """The learner's value at ``path``, or MISSING."""
    value = result
    for step in path:
        if step[0] == "key":
            if not isinstance(value, dict) or step[1] not in value:
                return MISSING
            value = value[step[1]]
        elif step[0] == "index":
            value = value[step[1]]
        else:  # a field of a record: by name, or by position in a plain tuple (the DLS cache)
            _, j, f = step
            if isinstance(value, dict):
                value = value.get(f, MISSING)
            elif hasattr(value, f) and not isinstance(value, np.ndarray):
                value = getattr(value, f)
            elif isinstance(value, (tuple, list)) and len(value) > j:
                value = value[j]
            else:
                return MISSING
            if value is MISSING:
                return MISSING
    return value


def _check_form(result, reference_result, outputs, fname, case):
    """CheckFailed unless ``result`` has the reference's form: a dict with its keys, or n values."""
    if outputs is None:
        keys = list(reference_result)
        if not isinstance(result, dict):
            raise CheckFailed(f"[{case}] {fname} must return a dict with keys {keys}, got {_describe(result)}.", case)
        unexpected = [k for k in result if k not in reference_result]
        if unexpected:
            raise CheckFailed(
                f"[{case}] the result has unexpected keys {unexpected}: return a dict with exactly the keys {keys}.", case)
    else:
        if not isinstance(result, (tuple, list)) or len(result) != len(outputs):
            n = len(result) if isinstance(result, (tuple, list)) else 1
            raise CheckFailed(
                f"[{case}] {fname} must return {len(outputs)} values ({', '.join(outputs)}), "
                f"got {n}: {_describe(result)}.", case)


# ---------------------------------------------------------------------------------------
# Running the learner's function
# ---------------------------------------------------------------------------------------


class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so that a learner's ``except Exception`` cannot swallow it."""


def _can_alarm():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _time_limit(name, seconds):
    """None (no limit) or a finite number of seconds > 0."""
    return None if seconds is None else check_positive_float(name, seconds)


def deadline(seconds):
    """Interrupt the block after ``seconds`` (raising an internal BaseException); see check_exercise.

    ``seconds``: a finite number > 0, or None for no limit (checked here, when the
    context manager is made). Uses SIGALRM, so only on the main thread of a POSIX system;
    elsewhere (Windows, a worker thread) the block runs without a limit. An alarm someone
    else set (a test runner's timeout) is left alone when it comes first, and restored
    afterwards.
    """
    return _deadline(_time_limit("seconds", seconds))


@contextlib.contextmanager
def _deadline(seconds):
    if not seconds or not _can_alarm():
        yield
        return
    previous_delay, previous_interval = signal.getitimer(signal.ITIMER_REAL)
    if previous_delay and previous_delay <= seconds:
        yield
        return

    def time_up(signum, frame):
        raise _TimeUp()

    previous_handler = signal.signal(signal.SIGALRM, time_up)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            remaining = max(previous_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


def _shapes(name, value):
    """"da_next (3, 5)", "cache.xt (4, 5)", 'parameters["Wax"] (3, 4)' for every array in value."""
    if isinstance(value, np.ndarray):
        return [f"{name} {value.shape}"]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _shapes(f'{name}["{k}"]', v)]
    if _is_record(value):
        return [s for f in value._fields for s in _shapes(f"{name}.{f}", getattr(value, f))]
    return []


def _where(exc, candidate):
    """' at line 5 (dz = da_next @ ...)' for the deepest line of the learner's function, or ''."""
    filename = getattr(getattr(candidate, "__code__", None), "co_filename", None)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f" at line {frame.lineno}" + (f" ({frame.line.strip()})" if frame.line else "")


def _run(candidate, args, arg_names, fname, case, seconds):
    """candidate(*args) under a time limit; any exception becomes a CheckFailed that names it."""
    try:
        with deadline(seconds):
            return candidate(*args)
    except _TimeUp:
        raise CheckFailed(
            f"[{case}] {fname} took longer than {seconds:g} s: is there a loop that never ends?", case) from None
    except NotImplementedError as exc:
        raise CheckFailed(
            f"[{case}] {fname} is not written yet (it raised NotImplementedError): "
            "fill in its body, then run the checker again.", case, error=exc) from None
    except Exception as exc:  # the learner's bug, reported as a hint rather than a traceback
        shapes = ", ".join(s for n, a in zip(arg_names, args) for s in _shapes(n, a))
        raise CheckFailed(
            f"[{case}] {fname} raised {type(exc).__name__}{_where(exc, candidate)}: {exc}. "
            f"The inputs had shapes {shapes}.", case, error=exc) from None


def _first_change(name, before, after):
    """The name of the first entry of ``after`` that differs from ``before``, or None."""
    if isinstance(before, np.ndarray):
        same = isinstance(after, np.ndarray) and before.shape == after.shape and np.array_equal(before, after, equal_nan=True)
        return None if same else name
    if isinstance(before, dict):
        if not isinstance(after, dict) or before.keys() != after.keys():
            return name
        return next((c for k in before if (c := _first_change(f'{name}["{k}"]', before[k], after[k]))), None)
    if isinstance(before, (tuple, list)):
        if type(before) is not type(after) or len(before) != len(after):
            return name
        fields = before._fields if _is_record(before) else [f"[{i}]" for i in range(len(before))]
        sep = "." if _is_record(before) else ""
        return next((c for f, b, a in zip(fields, before, after) if (c := _first_change(f"{name}{sep}{f}", b, a))), None)
    return None


# ---------------------------------------------------------------------------------------
# The generic checker
# ---------------------------------------------------------------------------------------


def _hint(row, value, reference, mistakes, args, letters, result_is_dict, keys):
    """The hint for the first row that is not close: a known mistake's, else a generic one."""
    name, note = row.name, row.note
    if note != "missing":
        for mistake in mistakes:
            if mistake.output == name and _matches(value, mistake, args):
                return mistake.hint
    shape_in_letters = f"{letters[name]} = {np.shape(reference)}" if name in letters else f"{np.shape(reference)}"
    if note == "missing":
        if "." in name:
            parent, field = name.rsplit(".", 1)
            return f"{parent} has no {field}: it must hold {field} {shape_in_letters}."
        if result_is_dict:
            return f"the result has no {name!r}: return a dict with keys {list(keys)}."
        return f"{name} is missing."
    if note == "None":
        return f"{name} is None: compute it and return it; it must have shape {shape_in_letters}."
    if note.startswith("should be None"):
        return f"{name} {note}."
    if note.startswith("complex"):
        return (f"{name} has {note}: the result must be real. Look for a complex number (1j) "
                "or the square root of a negative number.")
    if note.startswith("not a"):
        return f"{name} is {note}: return a NumPy array of numbers with shape {shape_in_letters}."
    if note.startswith("shape"):
        return f"{name} has the wrong shape: {note}; it must be {letters.get(name, np.shape(reference))}."
    if note.startswith("NaN"):
        return (f"{name} contains {note}: look for a division by zero, an overflow in exp, "
                "or the log or square root of a negative number.")
    return (f"{name} is off (max difference {row.max_diff:.2e}); "
            "compare it line by line with the equations above.")


def _matches(value, mistake, args):
    """Does the learner's value equal what ``mistake`` gives on this case's inputs?"""
    try:
        with np.errstate(all="ignore"):
            wrong = mistake.wrong(*copy.deepcopy(args))
    except (ValueError, IndexError, KeyError, TypeError, AttributeError):
        return False  # this mistake cannot be made on this case (e.g. shapes that do not fit)
    if wrong is None or value is None:
        return wrong is None and value is None
    try:
        value, wrong = np.asarray(value), np.asarray(wrong)
    except (TypeError, ValueError):
        return False
    if value.dtype.kind not in "iuf" or value.shape != wrong.shape:
        return False
    return bool(np.allclose(value, wrong, rtol=1e-7, atol=1e-10))


def _check_exercise_arguments(candidate, reference, cases, mistakes, outputs, letters, time_limit, rtol, atol,
                              verbose):
    """The arguments of check_exercise, checked: a teacher's table, not a learner's answer."""
    if not callable(candidate):
        raise ValueError(f"candidate must be a function, got {_describe(candidate)}")
    if not callable(reference):
        raise ValueError(f"reference must be the course's function, got {_describe(reference)}")
    if isinstance(cases, (str, bytes, dict)) or not hasattr(cases, "__iter__"):
        raise ValueError(f"cases must be a list (or generator) of Case(name, args), got {_describe(cases)}")
    checked_cases = []
    for k, case in enumerate(cases):
        if not (isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], str)
                and isinstance(case[1], (tuple, list))):
            raise ValueError(f"cases[{k}] must be a Case(name, args) with a str name and a tuple of the reference's "
                             f"arguments, got {_describe(case)}")
        checked_cases.append(Case(case[0], tuple(case[1])))
    if not checked_cases:
        raise ValueError("cases must hold at least one Case: with none, nothing would be checked")
    if isinstance(mistakes, (str, bytes, dict)) or not hasattr(mistakes, "__iter__"):
        raise ValueError(f"mistakes must be a list of Mistake(output, wrong, hint), got {_describe(mistakes)}")
    mistakes = tuple(mistakes)
    for k, m in enumerate(mistakes):
        if not (isinstance(m, tuple) and len(m) == 3 and isinstance(m[0], str) and callable(m[1])
                and isinstance(m[2], str)):
            raise ValueError(f"mistakes[{k}] must be a Mistake(output, wrong, hint), got {_describe(m)}")
    mistakes = tuple(Mistake(*m) for m in mistakes)
    if outputs is not None:
        if isinstance(outputs, (str, bytes)) or not isinstance(outputs, (tuple, list)) or not outputs \
                or not all(isinstance(o, str) for o in outputs):
            raise ValueError(f"outputs must be None (the reference returns a dict) or a tuple of the names of its "
                             f"return values, e.g. ('a_next', 'yt_pred', 'cache'), got {outputs!r}")
        outputs = tuple(outputs)
    if letters is not None and not isinstance(letters, dict):
        raise ValueError(f"letters must be None or a dict output name → shape in letters, got {_describe(letters)}")
    rtol, atol = _tolerances(rtol, atol)
    return (checked_cases, mistakes, outputs, dict(letters or {}), _time_limit("time_limit", time_limit), rtol, atol,
            check_bool("verbose", verbose))


def _check_reference_result(result, outputs, fname):
    """ValueError (the table's mistake, not the learner's) unless ``outputs`` describes the reference's result."""
    if outputs is None and not isinstance(result, dict):
        raise ValueError(f"outputs must name the return values of {fname}, which returns {_describe(result)}, "
                         "not a dict")
    if outputs is not None and not (isinstance(result, tuple) and len(result) == len(outputs)):
        n = len(result) if isinstance(result, tuple) else 1
        raise ValueError(f"outputs {outputs} must name each of the {n} values {fname} returns")


def check_exercise(candidate, reference, cases, mistakes=(), *, outputs=None, letters=None,
                   time_limit=TIME_LIMIT, rtol=1e-7, atol=1e-10, verbose=True):
    """Test a learner's function against the reference, case by case; explain a mismatch.

    Args:
        candidate: the learner's function, called like ``reference``.
        reference: the course's function (its name and argument names are used in the hints).
        cases: iterable of Case(name, args): the reference's positional arguments. Each
            function gets its own deep copy, so neither can change what the other sees.
        mistakes: iterable of Mistake(output, wrong, hint), the known wrong answers.
        outputs: the names of the reference's return values when it returns a tuple
            (e.g. ("a_next", "yt_pred", "cache")); None when it returns a dict, whose keys
            name them. A NamedTuple among them (a cache) is compared field by field.
        letters: dict output name → its shape in the course's letters, "(n_a, m)", for
            the hints.
        time_limit: seconds allowed per call of the candidate (None: no limit); enforced
            with SIGALRM on the main thread of a POSIX system, not elsewhere.
        rtol, atol: what "close" means (np.allclose).
        verbose: print the comparison table of every case.
    Returns:
        the number of cases passed (all of them, if it returns).
    Raises:
        CheckFailed at the first case where the candidate raises, runs out of time,
        modifies an input in place, or returns something that is not close to the
        reference (missing or unexpected keys, None, complex, NaN, a wrong shape); the
        message starts with "[case name]" and gives the hint.
        ValueError when the table itself is wrong (the checker's author's mistake, not
        the learner's): a reference that is not a function, no cases, a case that is not
        Case(name, args), a mistake that is not Mistake(output, wrong, hint), ``outputs``
        that do not name the reference's return values, a tolerance or time limit that is
        not a number ≥ 0 (> 0 for the time limit), or ``verbose`` not True or False.
    """
    cases, mistakes, outputs, letters, time_limit, rtol, atol, verbose = _check_exercise_arguments(
        candidate, reference, cases, mistakes, outputs, letters, time_limit, rtol, atol, verbose)
    fname = getattr(reference, "__name__", "your function")
    arg_names = list(inspect.signature(reference).parameters)
    passed = 0
    for case in cases:
        name, args = case.name, tuple(case.args)
        expected_result = reference(*copy.deepcopy(args))
        _check_reference_result(expected_result, outputs, fname)
        given = copy.deepcopy(args)
        result = _run(candidate, given, arg_names, fname, name, time_limit)
        _check_form(result, expected_result, outputs, fname, name)
        paths = _output_paths(expected_result, outputs)
        expected = {n: ref for n, _, ref in paths}
        got = {n: _follow(result, path) for n, path, _ in paths}
        rows = compare_outputs(expected, got, rtol, atol)
        if verbose:
            print(f"case: {name}\n{format_table(rows)}\n")
        for row in rows:
            if not row.close:
                hint = _hint(row, got[row.name], expected[row.name], mistakes, args, letters,
                             outputs is None, list(expected))
                raise CheckFailed(f"[{name}] {hint}", name, row.name)
        for arg_name, before, after in zip(arg_names, args, given):
            changed = _first_change(arg_name, before, after)
            if changed:
                raise CheckFailed(
                    f"[{name}] {fname} changed its input {changed} in place: compute new arrays instead "
                    "(dz = da_next * ..., not da_next *= ...); the course's functions never modify their inputs.",
                    name, changed)
        passed += 1
    if verbose:
        print(f"All {passed} cases pass: your {fname} matches the reference.")
    return passed
