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

A notebook calls a checker made by ``exercise_checker``: in its default report mode it
never raises for the learner's mistakes and returns None, printing "not written yet" for
a stub, the tables and a ``✗`` hint for a wrong answer, or "All N cases pass"; with
``strict=True`` (tests, teachers) it raises ``CheckFailed`` (``ExerciseNotWritten`` for a
stub) and returns the number of cases passed.
"""

import ast
import contextlib
import copy
import functools
import inspect
import io
import keyword
import linecache
import os
import signal
import textwrap
import threading
import time
import tokenize
from typing import Callable, NamedTuple

import numpy as np

from course_lib._validate import check_bool, check_positive_float, check_positive_int
from course_lib.recurrent import SequenceCache, cell_names, get_cell

__all__ = [
    "Case",
    "CheckFailed",
    "ExerciseNotWritten",
    "Mistake",
    "TIME_LIMIT",
    "check_exercise",
    "compare_gradients",
    "compare_outputs",
    "deadline",
    "exercise_checker",
    "format_table",
    "run_candidate",
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


class ExerciseNotWritten(CheckFailed):
    """The learner's function is still the stub: it raises NotImplementedError."""


class Case(NamedTuple):
    """One input of an exercise: its name (shown in the hints) and the reference's arguments."""

    name: str
    args: tuple


class Mistake(NamedTuple):
    """A wrong answer learners often give.

    Attributes:
        output: the output it shows in, as the comparison table names it ("dWaa",
            "yt_pred", "cache.a_next", 'clipped["dWax"]'); or a tuple of such names for a
            mistake that shows in several outputs at once (a wrong dz spoils all five
            gradients of a cell). A tuple mistake matches only when every output it lists
            matches, and is tried before the single-output mistakes.
        wrong: ``(*case.args) -> value``: what that output holds when the mistake is made
            (None for "forgot to return it"); for a tuple of outputs, a dict output name →
            value. A mistake that cannot even be computed for a case (shapes that do not
            fit) is skipped there.
        hint: what to tell the learner whose output matches ``wrong``.
    """

    output: object
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


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _as_output(value):
    """A reference value as it is compared: an array or None; a number as a 0-d array, a list
    of numbers as an array; MISSING for what is not compared (a string, the parameters)."""
    if value is None or isinstance(value, np.ndarray):
        return value
    if _is_number(value):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, list) and all(_is_number(v) for v in value):
        return np.asarray(value)
    return MISSING


def _output_paths(result, outputs):
    """[(name, path, reference value)] for every compared output of the reference.

    A dict result is named by its keys; a tuple result by ``outputs``; a single result by
    ``outputs`` when it is a str. Inside a tuple, a NamedTuple (a cache) is named by its
    array fields, "cache.a_next", and a dict by its keys, 'clipped["dWax"]'. Other entries
    (the parameters a cache carries, an option string) are not compared.
    """
    if isinstance(outputs, str):
        top = [(outputs, (), result)]
    elif outputs is None:
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
        elif isinstance(value, dict) and outputs is not None:
            for k, v in value.items():
                v = _as_output(v)
                if v is not MISSING:
                    paths.append((f'{name}["{k}"]', path + (("key", k),), v))
        else:
            value = _as_output(value)
            if value is not MISSING:
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


def _what_to_return(reference_result, outputs):
    if isinstance(outputs, str):
        kind = ("a list" if isinstance(reference_result, list) else "an array" if isinstance(reference_result, np.ndarray)
                else "a number")
        return f"{outputs} ({kind})"
    if outputs is None:
        return f"a dict with keys {list(reference_result)}"
    return f"{len(outputs)} values ({', '.join(outputs)})"


def _check_form(result, reference_result, outputs, fname, case):
    """CheckFailed unless ``result`` has the reference's form: a dict with its keys, or n values."""
    if result is None and reference_result is not None:
        raise CheckFailed(f"[{case}] {fname} returned None: did you forget the return? "
                          f"It must return {_what_to_return(reference_result, outputs)}.", case)
    if isinstance(outputs, str):
        return
    if outputs is None:
        keys = list(reference_result)
        if not isinstance(result, dict):
            raise CheckFailed(f"[{case}] {fname} must return a dict with keys {keys}, got {_describe(result)}.", case)
        unexpected = [k for k in result if k not in reference_result]
        if unexpected:
            raise CheckFailed(
                f"[{case}] the result has unexpected keys {unexpected}: return a dict with exactly the keys {keys}.", case)
        return
    if not isinstance(result, (tuple, list)) or len(result) != len(outputs):
        n = len(result) if isinstance(result, (tuple, list)) else 1
        raise CheckFailed(
            f"[{case}] {fname} must return {len(outputs)} values ({', '.join(outputs)}), "
            f"got {n}: {_describe(result)}.", case)
    for name, ref, value in zip(outputs, reference_result, result):
        if isinstance(ref, dict):
            keys = list(ref)
            if not isinstance(value, dict):
                raise CheckFailed(f"[{case}] {name} (the value number {outputs.index(name) + 1} that {fname} returns) "
                                  f"must be a dict with keys {keys}, got {_describe(value)}.", case, name)
            unexpected = [k for k in value if k not in ref]
            if unexpected:
                raise CheckFailed(f"[{case}] {name} has unexpected keys {unexpected}: it must have exactly the keys "
                                  f"{keys}.", case, name)


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
    if isinstance(value, SequenceCache):
        states = value.cell.states
        return ([f"{name}.x {value.x.shape}"] + [f"{name}.{s} {value.state(s).shape}" for s in states]
                + [f"{name}.{s}0 {a.shape}" for s, a in zip(states, value.initial)] + [f"len({name}) = {len(value)}"])
    return []


# NumPy's words for the usual slips, and what they mean in the course's terms.
_GLOSSES = (
    ("core dimension", "@ multiplies (n, k) by (k, m): the inner sizes must agree (a missing or extra .T?)"),
    ("not aligned", "a matrix product needs (n, k) by (k, m): the inner sizes must agree (a missing or extra .T?)"),
    ("could not be broadcast", "elementwise +, - and * need arrays of the same shape (or a column (n, 1) "
                               "against (n, m))"),
    ("probabilities do not sum to 1", "rng.choice(n_y, p=...) needs probabilities: ŷ = softmax(z), not the logits z"),
    ("probabilities are not non-negative", "rng.choice(n_y, p=...) needs probabilities: ŷ = softmax(z), not the "
                                           "logits z"),
    ("a and p must have same size", "rng.choice(n_y, p=ŷ) needs ŷ as a vector (n_y,): ŷ[:, 0], not the column (n_y, 1)"),
    ("object too deep", "rng.choice(n_y, p=ŷ) needs ŷ as a vector (n_y,): ŷ[:, 0], not the column (n_y, 1)"),
)


def _gloss(exc):
    text = str(exc)
    return next((f" ({meaning})" for words, meaning in _GLOSSES if words in text), "")


def _index_key(tokens, j):
    """The items of the subscript opening at tokens[j] ("["), split at its commas, and the
    position after its "]"; None when the "]" is not on this line."""
    depth, items, item = 0, [], []
    for k in range(j + 1, len(tokens)):
        s = tokens[k].string
        if s == "]" and depth == 0:
            return items + [item], k + 1
        if s in ("(", "[", "{"):
            depth += 1
        elif s in (")", "]", "}"):
            depth -= 1
        if s == "," and depth == 0:
            items.append(item)
            item = []
        else:
            item.append(tokens[k])
    return None


def _chains(line):
    """Every name with its attribute chain and subscripts in a line of code (da_next,
    cache.a_next, caches[t].a_next, p["Wax"].T), each a list of (kind, text, items):
    ("name", "caches", None), ("index", "[t]", the subscript's items), ("attr", "a_next", None)."""
    tokens = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line).readline):
            if tok.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER, tokenize.STRING):
                tokens.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # an unfinished line ("return {"): the tokens read so far
    chains, i = [], 0
    while i < len(tokens):
        tok = tokens[i]
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        if tok.type != tokenize.NAME or keyword.iskeyword(tok.string) or (i and tokens[i - 1].string == ".") \
                or after == "=":  # a keyword argument's name is no value
            i += 1
            continue
        chain, j = [("name", tok.string, None)], i + 1
        while j < len(tokens):
            if tokens[j].string == "." and j + 1 < len(tokens) and tokens[j + 1].type == tokenize.NAME:
                chain.append(("attr", tokens[j + 1].string, None))
                j += 2
            elif tokens[j].string == "[":
                parsed = _index_key(tokens, j)
                if parsed is None:
                    break
                items, j_next = parsed
                chain.append(("index", line[tokens[j].start[1]:tokens[j_next - 1].end[1]], items))
                j = j_next
            else:
                break
        chains.append(chain)
        i = j
    return chains


_NOT_A_KEY = object()


def _atom(tokens, names):
    """The value of one part of a subscript: an int, a str, None (also an empty part of a
    slice), or a name holding an int; _NOT_A_KEY for anything else (t + 1, a call)."""
    text = "".join(t.string for t in tokens)
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].type == tokenize.NUMBER and text.isdigit():
        return int(text)
    if len(tokens) == 2 and tokens[0].string == "-" and tokens[1].string.isdigit():
        return -int(tokens[1].string)
    if len(tokens) == 1 and tokens[0].type == tokenize.STRING:
        try:
            value = ast.literal_eval(text)
            return value if isinstance(value, str) else _NOT_A_KEY
        except (ValueError, SyntaxError):
            return _NOT_A_KEY
    if len(tokens) == 1 and text == "None":
        return None
    if len(tokens) == 1 and tokens[0].type == tokenize.NAME and text in names:
        value = names[text]
        return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else _NOT_A_KEY
    return _NOT_A_KEY


def _key(items, names):
    """The subscript's key from its comma-separated items, or _NOT_A_KEY."""
    parts = []
    for item in items:
        pieces, piece = [], []
        for tok in item:
            if tok.string == ":":
                pieces.append(piece)
                piece = []
            else:
                piece.append(tok)
        pieces.append(piece)
        values = [_atom(p, names) for p in pieces]
        if any(v is _NOT_A_KEY for v in values) or len(values) > 3:
            return _NOT_A_KEY
        parts.append(values[0] if len(values) == 1 else slice(*values))
    return parts[0] if len(parts) == 1 else tuple(parts)


def _line_shapes(line, names):
    """'da_next (3, 5), cache.a_next (3, 5)': the arrays a line of code names, looked up in ``names``.

    Names, attribute chains (cache.a_next) and subscripts with constant or named keys
    (p["Wax"], da[:, :, t], caches[t].a_next) are looked up; nothing is called.
    """
    found = []
    for chain in _chains(line):
        kind, text, _ = chain[0]
        if text not in names:
            continue
        value = names[text]
        for kind, part, items in [(None, None, None)] + chain[1:]:
            try:
                if kind == "attr":
                    value = getattr(value, part)
                    text += "." + part
                elif kind == "index":
                    key = _key(items, names)
                    if key is _NOT_A_KEY or not isinstance(value, (np.ndarray, dict, list, tuple, SequenceCache)):
                        break
                    value = value[key]
                    text += part
            except Exception:  # noqa: BLE001 - a lookup that fails names nothing
                break
            if isinstance(value, np.ndarray):
                entry = f"{text} {value.shape}"
                if entry not in found:
                    found.append(entry)
    return ", ".join(found)


def _failing_line(exc, candidate):
    """(line number, source line, the frame's names) of the deepest line of the learner's function, or None."""
    filename = getattr(getattr(candidate, "__code__", None), "co_filename", None)
    tb, found = exc.__traceback__, None
    while tb is not None:
        if filename is not None and tb.tb_frame.f_code.co_filename == filename:
            found = tb
        tb = tb.tb_next
    if found is None:
        return None
    frame = found.tb_frame
    line = linecache.getline(filename, found.tb_lineno, frame.f_globals).strip()
    return found.tb_lineno, line, {**frame.f_globals, **frame.f_locals}


def _innermost(exc):
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return None if tb is None else tb.tb_frame.f_code


# Where a NotImplementedError is a library's own, not a stub's: site-packages and course_lib.
_LIBRARY_DIRS = (os.path.dirname(os.path.dirname(np.__file__)) + os.sep,
                 os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep)


def _not_written(exc, candidate, fname):
    """The ExerciseNotWritten for a NotImplementedError of a stub, or None when a library raised it."""
    code = _innermost(exc)
    if code is None or code is getattr(candidate, "__code__", None):
        return ExerciseNotWritten(
            f"{fname} is not written yet (it raises NotImplementedError): fill in its body and run this cell again.",
            error=exc)
    if os.path.abspath(code.co_filename).startswith(_LIBRARY_DIRS):
        return None
    return ExerciseNotWritten(
        f"{fname} calls {code.co_name}, which is not written yet (it raises NotImplementedError): write "
        f"{code.co_name} first, then run this cell again.", error=exc)


def _check_run_candidate(candidate, args, reference, case, time_limit=TIME_LIMIT, repeat=1):
    if not callable(candidate):
        raise ValueError(f"candidate must be a function, got {_describe(candidate)}")
    if not isinstance(args, tuple):
        raise ValueError(f"args must be a tuple of the candidate's positional arguments, got {_describe(args)}")
    if not callable(reference):
        raise ValueError(f"reference must be the course's function, got {_describe(reference)}")
    if not isinstance(case, str):
        raise ValueError(f"case must be the case's name (a str), got {_describe(case)}")
    return candidate, args, reference, case, _time_limit("time_limit", time_limit), check_positive_int("repeat", repeat)


def run_candidate(candidate, args, reference, case, time_limit=TIME_LIMIT, repeat=1):
    """Call the learner's function as every checker does: timed, and any exception a hint.

    Args:
        candidate: the learner's function.
        args: tuple of its positional arguments, passed as they are (copy them first if
            they must stay intact).
        reference: the course's function: its name and argument names go into the hints.
        case: the name of the case, for the hints.
        time_limit: seconds for all the calls together (None: no limit), as check_exercise.
        repeat: how many calls with these same arguments (int ≥ 1): a sampler is called
            many times with one rng.
    Returns:
        the candidate's result; with repeat > 1, the list of its results.
    Raises:
        ExerciseNotWritten when the candidate is still a stub (it, or a function of the
        learner's that it calls, raises NotImplementedError).
        CheckFailed when it runs out of time or raises anything else: the message names
        the exception, the learner's line that raised it, the shapes of the arrays on that
        line and the shapes of the inputs, and what NumPy's words mean.
    """
    candidate, args, reference, case, time_limit, repeat = _check_run_candidate(
        candidate, args, reference, case, time_limit, repeat)
    return _run(candidate, args, list(_argument_names(reference)), getattr(reference, "__name__", "your function"),
                case, time_limit, repeat)


def _argument_names(fn):
    return list(inspect.signature(fn).parameters)


def _run(candidate, args, arg_names, fname, case, seconds, repeat=1):
    """candidate(*args), ``repeat`` times, under a time limit; any exception becomes a CheckFailed that names it."""
    try:
        with _deadline(seconds):
            if repeat == 1:
                return candidate(*args)
            return [candidate(*args) for _ in range(repeat)]
    except _TimeUp:
        raise CheckFailed(
            f"[{case}] {fname} took longer than {seconds:g} s: is there a loop that never ends?", case) from None
    except Exception as exc:  # the learner's bug, reported as a hint rather than a traceback
        if isinstance(exc, NotImplementedError):
            stub = _not_written(exc, candidate, fname)
            if stub is not None:
                stub.case = case
                raise stub from None
        where, on_the_line = "", ""
        failing = _failing_line(exc, candidate)
        if failing is not None:
            lineno, line, names = failing
            where = f" at line {lineno}" + (f" ({line})" if line else "")
            shown = _line_shapes(line, names)
            on_the_line = f" On that line: {shown}." if shown else ""
        shapes = ", ".join(s for n, a in zip(arg_names, args) for s in _shapes(n, a))
        message = str(exc).strip().rstrip(".") or "(no message)"
        raise CheckFailed(
            f"[{case}] {fname} raised {type(exc).__name__}{where}: {message}{_gloss(exc)}.{on_the_line} "
            f"The inputs had shapes {shapes}.", case, error=exc) from None


def _fresh(value):
    """A deep copy of ``value`` that keeps the registered cells themselves (a cache is tied to its cell)."""
    memo = {}
    for name in cell_names():
        cell = get_cell(name)
        memo[id(cell)] = cell
    return copy.deepcopy(value, memo)


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
    if isinstance(before, SequenceCache):  # named as the learner reads it: caches.x, caches.a0, caches[t].a_next
        if not isinstance(after, SequenceCache):
            return name
        states = before.cell.states
        pairs = [(f"{name}.x", before.x, after.x), (f"{name}.parameters", before.parameters, after.parameters)]
        pairs += [(f"{name}.{s}0", b, a) for s, b, a in zip(states, before.initial, after.initial)]
        pairs += [(f"{name}[t].{f}", before.arrays[f], after.arrays.get(f)) for f in before.arrays]
        return next((c for n, b, a in pairs if (c := _first_change(n, b, a))), None)
    return None


# ---------------------------------------------------------------------------------------
# The generic checker
# ---------------------------------------------------------------------------------------


def _outputs_of(mistake):
    return (mistake.output,) if isinstance(mistake.output, str) else tuple(mistake.output)


def _same_value(value, wrong):
    """Does the learner's value equal what a mistake gives?"""
    if value is MISSING:
        return False
    if wrong is None or value is None:
        return wrong is None and value is None
    try:
        value, wrong = np.asarray(value), np.asarray(wrong)
    except (TypeError, ValueError):
        return False
    if value.dtype.kind not in "iuf" or wrong.dtype.kind not in "iuf" or value.shape != wrong.shape:
        return False
    return bool(np.allclose(value, wrong, rtol=1e-7, atol=1e-10))


def _matches(got, mistake, args):
    """Do the learner's outputs equal, at every output the mistake lists, what it gives on this case?"""
    try:
        with np.errstate(all="ignore"):
            wrong = mistake.wrong(*_fresh(args))
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, ZeroDivisionError):
        return False  # this mistake cannot be made on this case (e.g. shapes that do not fit)
    if isinstance(mistake.output, str):
        return _same_value(got.get(mistake.output, MISSING), wrong)
    if not isinstance(wrong, dict):
        return False
    return all(name in wrong and _same_value(got.get(name, MISSING), wrong[name]) for name in mistake.output)


def _hint(row, got, reference, mistakes, args, letters, result_is_dict, keys, explain=None):
    """The hint for the first row that is not close: a known mistake's, else a generic one."""
    name, note = row.name, row.note
    if note != "missing":
        for mistake in mistakes:  # the tuple mistakes come first (ordered so at the door)
            if name in _outputs_of(mistake) and _matches(got, mistake, args):
                return mistake.hint
        if explain is not None:
            explained = explain(name, got[name], reference, args)
            if explained:
                return explained
    shape_in_letters = f"{letters[name]} = {np.shape(reference)}" if name in letters else f"{np.shape(reference)}"
    if note == "missing":
        if name.endswith('"]'):
            parent, key = name[:-2].split('["', 1)
            return f'{parent} has no key "{key}": it must have the keys of the reference, {key!r} among them.'
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


def _check_mistake(k, m):
    if not (isinstance(m, tuple) and len(m) == 3 and callable(m[1]) and isinstance(m[2], str)):
        raise ValueError(f"mistakes[{k}] must be a Mistake(output, wrong, hint), got {_describe(m)}")
    output = m[0]
    if not isinstance(output, str) and not (isinstance(output, tuple) and output
                                            and all(isinstance(o, str) for o in output)):
        raise ValueError(f"mistakes[{k}].output must be an output name or a tuple of them, got {output!r}")
    return Mistake(*m)


def _check_exercise_arguments(candidate, reference, cases, mistakes, outputs, letters, time_limit, rtol, atol,
                              verbose, explain=None):
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
    mistakes = [_check_mistake(k, m) for k, m in enumerate(mistakes)]
    mistakes = tuple(sorted(mistakes, key=lambda m: isinstance(m.output, str)))  # tuple mistakes first
    if outputs is not None and not isinstance(outputs, str):
        if isinstance(outputs, bytes) or not isinstance(outputs, (tuple, list)) or not outputs \
                or not all(isinstance(o, str) for o in outputs):
            raise ValueError(f"outputs must be None (the reference returns a dict), a str (it returns one value) or a "
                             f"tuple of the names of its return values, e.g. ('a_next', 'yt_pred', 'cache'), "
                             f"got {outputs!r}")
        outputs = tuple(outputs)
    if letters is not None and not isinstance(letters, dict):
        raise ValueError(f"letters must be None or a dict output name → shape in letters, got {_describe(letters)}")
    if explain is not None and not callable(explain):
        raise ValueError(f"explain must be None or a function (name, value, reference, args) -> hint, "
                         f"got {_describe(explain)}")
    rtol, atol = _tolerances(rtol, atol)
    return (checked_cases, mistakes, outputs, dict(letters or {}), _time_limit("time_limit", time_limit), rtol, atol,
            check_bool("verbose", verbose))


def _check_reference_result(result, outputs, fname):
    """ValueError (the table's mistake, not the learner's) unless ``outputs`` describes the reference's result."""
    if isinstance(outputs, str):
        if isinstance(result, (tuple, dict)):
            raise ValueError(f"outputs {outputs!r} names one return value, but {fname} returns {_describe(result)}: "
                             "name each of its values (a tuple of names), or None for a dict")
        return
    if outputs is None and not isinstance(result, dict):
        raise ValueError(f"outputs must name the return values of {fname}, which returns {_describe(result)}, "
                         "not a dict")
    if outputs is not None and not (isinstance(result, tuple) and len(result) == len(outputs)):
        n = len(result) if isinstance(result, tuple) else 1
        raise ValueError(f"outputs {outputs} must name each of the {n} values {fname} returns")


def check_exercise(candidate, reference, cases, mistakes=(), *, outputs=None, letters=None,
                   time_limit=TIME_LIMIT, rtol=1e-7, atol=1e-10, verbose=True, explain=None):
    """Test a learner's function against the reference, case by case; explain a mismatch.

    Args:
        candidate: the learner's function, called like ``reference``.
        reference: the course's function (its name and argument names are used in the hints).
        cases: iterable of Case(name, args): the reference's positional arguments. Each
            function gets its own deep copy, so neither can change what the other sees.
        mistakes: iterable of Mistake(output, wrong, hint), the known wrong answers; those
            of several outputs at once are tried first.
        outputs: the names of the reference's return values when it returns a tuple
            (e.g. ("a_next", "yt_pred", "cache")); a str naming its one value when it
            returns a single array, number or list of numbers (e.g. "indices"); None when
            it returns a dict, whose keys name them. A NamedTuple among the values (a cache)
            is compared field by field, a dict among them key by key.
        letters: dict output name → its shape in the course's letters, "(n_a, m)", for
            the hints.
        time_limit: seconds allowed per call of the candidate (None: no limit); enforced
            with SIGALRM on the main thread of a POSIX system, not elsewhere.
        rtol, atol: what "close" means (np.allclose).
        verbose: print the comparison table of every case.
        explain: optional ``(name, value, reference value, case args) -> hint or None``,
            asked when no known mistake matches, before the generic hints.
    Returns:
        the number of cases passed (all of them, if it returns).
    Raises:
        ExerciseNotWritten (a CheckFailed) when the candidate raises NotImplementedError.
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
        candidate, reference, cases, mistakes, outputs, letters, time_limit, rtol, atol, verbose, explain)
    fname = getattr(reference, "__name__", "your function")
    arg_names = _argument_names(reference)
    passed, inexact = 0, False
    for case in cases:
        name, args = case.name, tuple(case.args)
        expected_result = reference(*_fresh(args))
        _check_reference_result(expected_result, outputs, fname)
        given = _fresh(args)
        result = _run(candidate, given, arg_names, fname, name, time_limit)
        _check_form(result, expected_result, outputs, fname, name)
        paths = _output_paths(expected_result, outputs)
        expected = {n: ref for n, _, ref in paths}
        got = {n: _follow(result, path) for n, path, _ in paths}
        rows = compare_outputs(expected, got, rtol, atol)
        if verbose:
            print(f"case: {name}\n{format_table(rows)}\n")
        # An input changed in place explains wrong values too (the next line read the
        # changed array): it is reported first.
        for arg_name, before, after in zip(arg_names, args, given):
            changed = _first_change(arg_name, before, after)
            if changed:
                raise CheckFailed(
                    f"[{name}] {fname} changed its input {changed} in place: compute new arrays instead "
                    "(y = x * s, not x *= s; copy an array before assigning into it); the course's functions never "
                    "modify their inputs.",
                    name, changed)
        for row in rows:
            if not row.close:
                hint = _hint(row, got, expected[row.name], mistakes, args, letters, outputs is None, list(expected),
                             explain)
                raise CheckFailed(f"[{name}] {hint}", name, row.name)
        passed += 1
        inexact = inexact or any(row.close and not row.exact for row in rows)
    if verbose:
        if inexact:
            print('("exact: no" beside "close: yes" is rounding in the last digits, from adding the same numbers '
                  "in another order: close is what counts.)")
        print(f"All {passed} cases pass: your {fname} matches the reference.")
    return passed


# ---------------------------------------------------------------------------------------
# The notebook's checkers: report mode and strict mode
# ---------------------------------------------------------------------------------------


def _check_exercise_checker(reference):
    if not callable(reference) or not hasattr(reference, "__name__"):
        raise ValueError(f"reference must be the course's function the exercise rewrites, got {_describe(reference)}")
    return (reference,)


def _say(text, width=100):
    """Print a verdict wrapped at ``width`` (between words: a notebook's output breaks long
    lines anywhere, mid-word too), each of its lines on its own."""
    print("\n".join(textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False) or line
                    for line in text.split("\n")))


def exercise_checker(reference):
    """Decorator: a strict checker ``(candidate, verbose, time_limit) -> int`` becomes the notebook's.

    The checker it makes is ``check(candidate, verbose=True, time_limit=TIME_LIMIT,
    strict=False)``. Its arguments are checked at the door (ValueError for a candidate
    that is not a function, a verbose or strict that is not True or False, a bad time
    limit). Then:

    - ``strict=True`` (tests, teachers): the strict checker as it is; it raises
      CheckFailed (ExerciseNotWritten for a stub) and returns the number of cases passed.
    - ``strict=False`` (the notebook): never raises for the learner's mistakes and returns
      None, so that Run All goes on. A stub prints one paragraph ("... is not written yet
      ... Until then the rest of the notebook uses the reference ... from course_lib...").
      A wrong answer prints the tables (verbose), a line "✗ " with the hint, and "The rest
      of the notebook uses the reference <name>.", no traceback. A right answer prints the
      tables (verbose) and "All N cases pass: your <name> matches the reference.".

    Args:
        reference: the course's function the exercise rewrites (named in the messages).
    Returns:
        the decorator.
    """
    (reference,) = _check_exercise_checker(reference)
    name, module = reference.__name__, getattr(reference, "__module__", "course_lib")

    def decorate(strict_check):
        def check(candidate, verbose=True, time_limit=TIME_LIMIT, strict=False):
            if not callable(candidate):
                raise ValueError(f"candidate must be a function (your {name}), got {_describe(candidate)}")
            verbose, strict = check_bool("verbose", verbose), check_bool("strict", strict)
            time_limit = _time_limit("time_limit", time_limit)
            if strict:
                return strict_check(candidate, verbose, time_limit)
            try:
                passed = strict_check(candidate, verbose, time_limit)
            except ExerciseNotWritten as stub:
                _say(f"{stub} Until then the rest of the notebook uses the reference {name} from {module}.")
            except CheckFailed as failure:
                _say(f"✗ {failure}\nThe rest of the notebook uses the reference {name}.")
            except Exception as error:  # noqa: BLE001 - whatever the learner's result did to the checker: not a stop
                _say(f"✗ The checker could not compare your {name}'s result ({type(error).__name__}: {error}).\n"
                      f"The rest of the notebook uses the reference {name}.")
            else:
                if not verbose:
                    print(f"All {passed} cases pass: your {name} matches the reference.")
            return None

        functools.update_wrapper(check, strict_check, assigned=("__module__", "__name__", "__qualname__", "__doc__"),
                                 updated=())
        del check.__wrapped__  # its own signature, with strict, is the one to show
        check.reference = reference
        return check

    return decorate
