"""Bad input, answered: every public function of course_lib, tried with the bad inputs a
learner or a teacher customising a notebook sends, and with valid extremes.

The table is ``tests/bad_input_table.py``: one ``Spec`` per public function (a valid call
and the kind of each argument). From each spec this file derives, for every argument in
turn, the bad values of its kind (None, a string, a bool, a complex or NaN array, a wrong
shape, a negative size, a choice not among the options, a parameters dict with a key
missing or misspelt ...) and asserts that the call

- raises ValueError (or TypeError) whose message names the argument,
- leaves every argument it was given unchanged,
- returns (or raises) within a time limit;

and that the valid call itself, and the valid extremes (m = 1, T_x = 1, T_x = 2000,
temperature 1e-9 and 1e9, weights × 1e3) give finite float64 results. A public name of
course_lib with no spec (and no reason to be exempt) fails ``test_every_public_name_has_rows``.
"""

import copy
import signal

import numpy as np
import pytest

from tests.bad_input_table import EXEMPT, EXTREMES, SPECS, bad_values, public_names

TIME_LIMIT_S = 10


class _Timeout(Exception):
    pass


def _call_with_time_limit(fn, *args, **kwargs):
    """fn(*args, **kwargs), or _Timeout after TIME_LIMIT_S seconds (SIGALRM, main thread)."""

    def on_alarm(signum, frame):
        raise _Timeout(f"{getattr(fn, '__qualname__', fn)} did not return within {TIME_LIMIT_S} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _same(before, after):
    """Deep equality of arguments (arrays compared by value, NaN equal to NaN)."""
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and before.dtype == after.dtype \
            and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(_same(before[k], after[k]) for k in before)
    if isinstance(before, (list, tuple)) and not hasattr(before, "_fields"):
        return type(before) is type(after) and len(before) == len(after) and all(map(_same, before, after))
    if hasattr(before, "_fields"):  # NamedTuple caches
        return all(_same(b, a) for b, a in zip(before, after))
    return True  # other objects (Vocabulary, caches, callables) are immutable or compared elsewhere


def _snapshot(kwargs):
    out = {}
    for k, v in kwargs.items():
        try:
            out[k] = copy.deepcopy(v)
        except Exception:  # e.g. a widget: not compared
            out[k] = None
    return out


def _finite_float64(result):
    """Every array in the result is float64 (or integer/bool) and finite."""
    if isinstance(result, np.ndarray):
        if result.dtype.kind == "f":
            assert result.dtype == np.float64, result.dtype
            assert np.all(np.isfinite(result)), "non-finite values in the result"
        return
    if isinstance(result, float):
        assert np.isfinite(result), result
        return
    if isinstance(result, dict):
        for v in result.values():
            _finite_float64(v)
    elif isinstance(result, (list, tuple)):
        for v in result:
            _finite_float64(v)


BAD_ROWS = [
    (spec, arg, label, value)
    for spec in SPECS
    for arg, kind in spec.kinds.items()
    for label, value in bad_values(spec, arg, kind)
]


def _refusal_problem(spec, arg, label, value):
    """What is wrong with how ``spec.fn`` answers this bad value (None: refused as it should)."""
    kwargs = spec.valid()
    kwargs[arg] = value(kwargs[arg]) if callable(value) else value
    before = _snapshot(kwargs)
    try:
        _call_with_time_limit(spec.fn, **kwargs)
    except (ValueError, TypeError) as error:
        message = str(error)
        named = spec.names.get(arg, arg)
        if named not in message:
            return f"the message does not name {named!r}: {message!r}"
        if isinstance(error, TypeError) and "argument" not in message:
            return f"a raw TypeError that names nothing: {message!r}"
    except _Timeout as error:
        return str(error)
    except Exception as error:  # noqa: BLE001 - any other exception is a raw error
        return f"raised {type(error).__name__} instead of ValueError: {error}"
    else:
        return "accepted it silently"
    for k, v in before.items():
        if not _same(v, kwargs[k]):
            return f"modified {k} while refusing it"
    return None


# One test per function (its rows checked in a loop, every failing row listed): the same
# rows as one test per row, without pytest-xdist's cost of reporting 4000 results.
@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_bad_input_is_refused_with_the_arguments_name(spec):
    rows = [row for row in BAD_ROWS if row[0] is spec]
    problems = []
    for _, arg, label, value in rows:
        problem = _refusal_problem(spec, arg, label, value)
        if problem:
            problems.append(f"{arg} = <{label}>: {problem}")
    assert not problems, f"{spec.name}, {len(problems)} of {len(rows)} bad inputs:\n" + "\n".join(problems)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_the_valid_call_works_and_modifies_nothing(spec):
    kwargs = spec.valid()
    before = _snapshot(kwargs)
    result = _call_with_time_limit(spec.fn, **kwargs)
    _finite_float64(result)
    for k, v in before.items():
        assert _same(v, kwargs[k]), f"{spec.name} modified its argument {k}"


@pytest.mark.parametrize("extreme", EXTREMES, ids=[e.name for e in EXTREMES])
def test_valid_extremes_give_finite_float64_results(extreme):
    kwargs = extreme.valid()
    result = _call_with_time_limit(extreme.fn, **kwargs)
    _finite_float64(result)
    if extreme.check is not None:
        extreme.check(result)


def test_every_public_name_has_rows():
    covered = {s.name for s in SPECS} | {e.name.split("[")[0] for e in EXTREMES}
    missing = sorted(n for n in public_names() if n not in covered and n not in EXEMPT)
    assert not missing, f"public names without rows in tests/bad_input_table.py: {missing}"


def test_the_table_counts():
    # The closing note quotes these numbers; the assertion keeps the table from emptying.
    print(f"{len(SPECS)} functions, {len(BAD_ROWS)} bad inputs, {len(EXTREMES)} valid extremes")
    assert len(BAD_ROWS) > 100 and len(SPECS) > 10
