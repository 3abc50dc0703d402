"""Checker for the bidirectional exercise of notebook 08: bidirectional_forward from two sweeps.

The learner writes ``bidirectional_forward(x, parameters_fwd, parameters_bwd, cell)`` from
two calls of ``course_lib.recurrent.run_forward``: one on x, one on x reversed in time,
whose states are flipped back. It is compared with ``course_lib.bidirectional``'s on the
rnn, gru and lstm cells; a wrong ``a`` that matches a known slip (the backward states not
flipped back, the directions in the wrong order, the backward direction fed the forward
one's states ...) gets that slip's hint. The caches are compared too: the pair of the two
sweeps' SequenceCaches, each holding its direction's hidden states (the backward one in
its reversed time order, as run_forward on x[:, :, ::-1] returns them).

``check_sweeps`` is the machinery this checker and notebook 09's share: the caches read as
the states they hold, and the exceptions of run_forward that betray a slip (the cell not
passed on) named as that slip.
Derived in notebooks/08_bidirectional_rnn.ipynb, "Exercise: the two sweeps".
"""

import functools
import linecache
import traceback

import numpy as np

from course_lib.bidirectional import bidirectional_forward, initialize_bidirectional_parameters
from course_lib.checks.common import (
    TIME_LIMIT,
    Case,
    CheckFailed,
    ExerciseNotWritten,
    Mistake,
    check_exercise,
    exercise_checker,
)
from course_lib.recurrent import SequenceCache, get_cell, run_forward

# The checker is the public name; the helpers of the section below are shared with
# checks.deep only, and called by the two checkers with arguments they built themselves.
__all__ = ["check_bidirectional_forward"]

OUTPUTS = ("a", "caches")
LETTERS = {"a": "(2 n_a, m, T_x)", 'caches["forward"]': "(n_a, m, T_x)", 'caches["backward"]': "(n_a, m, T_x)"}


# ---------------------------------------------------------------------------------------
# What the checkers of notebooks 08 and 09 share: the caches compared, run_forward's errors
# ---------------------------------------------------------------------------------------


def describe(value):
    """"an array of shape (3, 2)", "a SequenceCache", "a tuple of 2 values": a value as a hint names it."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} value{'' if len(value) == 1 else 's'}"
    return "None" if value is None else f"a {type(value).__name__}"


def hidden_states(caches):
    """The hidden states a SequenceCache holds (caches.a, caches.c for the GRU), (n_a, m, T_x); None for anything else."""
    if not isinstance(caches, SequenceCache):
        return None
    try:
        return caches.state(caches.cell.hidden)
    except Exception:  # noqa: BLE001 - a cache the learner built by hand: it holds no states to compare
        return None


def same_states(value, right):
    """Do two hidden-state arrays agree (shape and values, as the checkers' "close")?"""
    return (isinstance(value, np.ndarray) and isinstance(right, np.ndarray) and value.shape == right.shape
            and bool(np.allclose(value, right, rtol=1e-7, atol=1e-10)))


class ObservedCandidate:
    """The learner's function as check_sweeps calls it: its caches read as the states they hold.

    Called like the learner's function, it returns the learner's result with its second
    value (the caches) replaced by ``read(caches, *args)``, a dict name → hidden states
    (None where the caches do not hold them), so that check_exercise compares them; any
    other result is returned as it is (check_exercise then says what it should be).
    ``result`` is the learner's last result as it was returned. ``__code__`` is the
    learner's, so that a failure still names the learner's line and a stub is recognised.

    Args:
        candidate: the learner's function.
        read: ``(caches, *args) -> dict``; it never raises.
    """

    def __init__(self, candidate, read):
        self.candidate, self.read, self.result = candidate, read, None
        self.__code__ = getattr(candidate, "__code__", None)

    def __call__(self, *args):
        self.result = result = self.candidate(*args)
        if isinstance(result, (tuple, list)) and len(result) == 2:
            return result[0], self.read(result[1], *args)
        return result


def _learner_line(error, candidate):
    """" at line 12 (h, c = run_forward(h, p))": the learner's deepest line in the traceback, or ""."""
    filename = getattr(getattr(candidate, "__code__", None), "co_filename", None)
    frames = [(f, n) for f, n in traceback.walk_tb(error.__traceback__) if f.f_code.co_filename == filename]
    if not frames:
        return ""
    frame, lineno = frames[-1]
    line = linecache.getline(filename, lineno, frame.f_globals).strip()  # a notebook cell's too
    return f" at line {lineno}" + (f" ({line})" if line else "")


def run_forward_error_hint(error, cell, candidate, fname, shape_hint=None):
    """The slip an exception raised inside run_forward betrays, as a hint; None when it betrays none.

    Args:
        error: the exception the learner's function raised.
        cell: the case's cell name ("gru").
        candidate: the learner's function (to name its line).
        fname: the exercise's name ("stacked_forward").
        shape_hint: what a ValueError about a shape, raised by run_forward, means in this
            exercise (None: nothing to add).
    Returns:
        "<hint> (<fname> raised ValueError at line N (...): <message>.)", or None.
    """
    if not isinstance(error, ValueError):
        return None
    names = {f.name for f in traceback.extract_tb(error.__traceback__)}
    if not names & {"run_forward", "_check_run_forward"}:
        return None
    message = str(error).strip().rstrip(".")
    rnn_keys = get_cell("rnn").parameter_keys
    raised = f"({fname} raised ValueError{_learner_line(error, candidate)}: {message}.)"
    if get_cell(cell).name != "rnn" and "is missing" in message and all(repr(k) in message for k in rnn_keys):
        return (f"pass cell on to run_forward: run_forward(x, parameters, cell); without it run_forward runs the "
                f"'rnn' cell, which looks for the rnn's parameters {', '.join(rnn_keys)} among the {cell} cell's. "
                + raised)
    if shape_hint and "shape" in message:
        return f"{shape_hint} {raised}"
    return None


def check_sweeps(candidate, reference, cases, mistakes, *, outputs, read, explain_caches, letters, time_limit,
                 verbose, shape_hint=None):
    """check_exercise on an exercise built from run_forward sweeps, its caches compared too.

    The reference's and the learner's results are compared as (first value, read(caches)):
    the caches by the hidden states they hold, one row per entry of ``read``'s dict. A row
    of the caches that disagrees gets ``explain_caches(learner's caches, row name, case
    args)``; an exception of run_forward that betrays a slip (the cell not passed on; a
    shape that does not fit, with ``shape_hint``) gets that slip's hint.

    Args:
        candidate: the learner's function.
        reference: the course's function, returning (value, caches).
        cases, mistakes, letters, time_limit, verbose: as check_exercise (the mistakes
            name the first value).
        outputs: the names of the two values, ("a", "caches").
        read: ``(caches, *args) -> dict`` name → hidden states or None; never raises.
        explain_caches: ``(caches, name, args) -> hint``.
        shape_hint: what a shape ValueError raised by run_forward means here, or None.
    Returns:
        the number of cases passed, as check_exercise.
    """
    cases = list(cases)
    observed = ObservedCandidate(candidate, read)

    @functools.wraps(reference)  # its name and argument names, for the hints
    def reference_with_states(*args):
        first, caches = reference(*args)
        return first, read(caches, *args)

    def explain(name, value, right, args):
        if not name.startswith("caches") or observed.result is None:
            return None
        return explain_caches(observed.result[1], name, args)

    try:
        return check_exercise(observed, reference_with_states, cases, mistakes, outputs=outputs, letters=letters,
                              time_limit=time_limit, verbose=verbose, explain=explain)
    except ExerciseNotWritten:
        raise
    except CheckFailed as failure:
        case = next((c for c in cases if c.name == failure.case), None)
        if failure.error is None or case is None:
            raise
        hint = run_forward_error_hint(failure.error, case.args[-1], candidate, reference.__name__, shape_hint)
        if hint is None:
            raise
        raise CheckFailed(f"[{case.name}] {hint}", failure.case, failure.output, failure.error) from None


# ---------------------------------------------------------------------------------------
# The bidirectional exercise
# ---------------------------------------------------------------------------------------


def bidirectional_cases():
    """One case per cell, each with its own sizes, biases random too.

    "rnn": n_x ≠ n_a, T_x = 5. "gru": other sizes, m = 3. "lstm": n_x = n_a, so that a
    backward direction fed the forward one's states (a deep RNN's wiring) can be computed
    and recognised. No sequence is a palindrome, so that every reversal shows.
    """
    rng = np.random.default_rng(2108)
    for cell, n_x, n_a, m, T_x in (("rnn", 3, 4, 2, 5), ("gru", 2, 3, 3, 4), ("lstm", 3, 3, 2, 4)):
        parameters_fwd, parameters_bwd = initialize_bidirectional_parameters(n_x, n_a, cell, rng, 0.8)
        yield Case(cell, (rng.standard_normal((n_x, m, T_x)), parameters_fwd, parameters_bwd, cell))


def _sweep(x, parameters, cell, initial=None, state=None):
    """One direction's states over x, (n_a, m, T_x): the cell's hidden state, or ``state``."""
    h, caches = run_forward(x, parameters, cell, initial)
    return h if state is None else caches.state(state)


def _reverse(v):
    return v[:, :, ::-1]


def _a(x, p_fwd, p_bwd, cell, order="fwd first", axis=0, **slip):
    """[a→; a←] computed right, or with one slip in the backward direction (keyword arguments)."""
    a_fwd = _sweep(x, p_fwd, cell, state=slip.get("state"))
    a_bwd = _backward_direction(x, a_fwd, p_fwd, p_bwd, cell, **slip)
    pair = [a_fwd, a_bwd] if order == "fwd first" else [a_bwd, a_fwd]
    return np.concatenate(pair, axis=axis)


def _backward_direction(x, a_fwd, p_fwd, p_bwd, cell, slip=None, state=None):
    if slip == "not flipped back":
        return _sweep(_reverse(x), p_bwd, cell)
    if slip == "input not reversed":
        return _sweep(x, p_bwd, cell)
    if slip == "states flipped, not the inputs":
        return _reverse(_sweep(x, p_bwd, cell))
    if slip == "forward parameters":
        return _reverse(_sweep(_reverse(x), p_fwd, cell))
    if slip == "forward's last state":
        _, caches = run_forward(x, p_fwd, cell)
        last = tuple(caches.state(s)[:, :, -1] for s in get_cell(cell).states)
        return _reverse(_sweep(_reverse(x), p_bwd, cell, initial=last))
    if slip == "reads the forward states":
        return _reverse(_sweep(_reverse(a_fwd), p_bwd, cell))
    return _reverse(_sweep(_reverse(x), p_bwd, cell, state=state))


def _lstm_only(function):
    def wrong(x, p_fwd, p_bwd, cell):
        if get_cell(cell).name != "lstm":
            raise ValueError("an LSTM slip")  # this mistake cannot be made with another cell
        return function(x, p_fwd, p_bwd, cell)

    return wrong


MISTAKES = (
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, slip="not flipped back"),
            "a is off in its lower half a← (rows n_a:), the backward direction: its states are in the reversed order. The second "
            "run_forward read x[:, :, ::-1], so its column s is the state after x<T_x−s>; flip them back with "
            "[:, :, ::-1] so that column t sits beside a→<t> and has read x<T_x> … x<t>."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, slip="input not reversed"),
            "a is off in its lower half a← (rows n_a:): the backward direction read x in the forward order (it is a second forward "
            "RNN). Run it on x[:, :, ::-1], the inputs from the last to the first, then flip its states back."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, slip="states flipped, not the inputs"),
            "a is off in its lower half a← (rows n_a:): the backward direction ran on x in the forward order and only its states "
            "were flipped (or x was reversed twice). Reversing the states afterwards does not change what each one "
            "has read: reverse the inputs, run_forward(x[:, :, ::-1], ...), then flip the states back."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, order="bwd first"),
            "a has the directions in the wrong order: rows :n_a are the forward direction a→, rows n_a: the "
            "backward one a←, np.concatenate([a_fwd, a_bwd], axis=0)."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, slip="forward parameters"),
            "a is off in its lower half a← (rows n_a:): the backward direction ran with parameters_fwd. Each direction has its own "
            "parameters: the backward one runs with parameters_bwd."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, slip="forward's last state"),
            "a is off in its lower half a← (rows n_a:): the backward direction started from the forward direction's last state. "
            "The two directions are independent: each starts from zeros (run_forward's default initial state)."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, slip="reads the forward states"),
            "a is off in its lower half a← (rows n_a:): the backward direction read the forward direction's states, as the layer of "
            "a deep RNN would. Both directions read the inputs x: the backward one x[:, :, ::-1]."),
    Mistake("a", _lstm_only(lambda x, pf, pb, cell: _a(x, pf, pb, cell, state="c")),
            "a holds the LSTM's memory cells c: the hidden state is a<t> = Γo * tanh(c<t>), which run_forward "
            "returns first (caches.a, not caches.c)."),
    Mistake("a", lambda x, pf, pb, cell: _sweep(x, pf, cell),
            "a holds the forward direction alone, shape (n_a, m, T_x): stack both directions, a→ on top, "
            "np.concatenate([a_fwd, a_bwd], axis=0), shape (2 n_a, m, T_x)."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, axis=2),
            "a has the two directions one after the other in time, shape (n_a, m, 2 T_x): stack them along the "
            "first axis, np.concatenate([a_fwd, a_bwd], axis=0), shape (2 n_a, m, T_x)."),
    Mistake("a", lambda x, pf, pb, cell: _a(x, pf, pb, cell, axis=1),
            "a has the two directions side by side in the batch, shape (n_a, 2 m, T_x): stack them along the "
            "first axis, np.concatenate([a_fwd, a_bwd], axis=0), shape (2 n_a, m, T_x)."),
)


def read_caches(caches, x, parameters_fwd, parameters_bwd, cell):
    """{"forward": caches[0]'s hidden states, "backward": caches[1]'s}, None where caches does not hold them."""
    pair = caches if isinstance(caches, (tuple, list)) and len(caches) == 2 else (None, None)
    return {"forward": hidden_states(pair[0]), "backward": hidden_states(pair[1])}


def explain_caches(caches, name, args):
    """What is wrong with the learner's caches: their form, their order, or which sweep is not the right one."""
    _, (right_fwd, right_bwd) = bidirectional_forward(*args)
    pair = ("the pair (caches_fwd, caches_bwd), the SequenceCaches of the two run_forward calls (their second "
            "values), the forward direction's first")
    if isinstance(caches, SequenceCache):
        return f"caches is one SequenceCache: return {pair}."
    if not isinstance(caches, (tuple, list)):
        return f"caches is {describe(caches)}: it must be {pair}."
    if caches and all(isinstance(c, np.ndarray) for c in caches):
        return (f"caches holds arrays ({describe(caches[0])} first), not caches: return the SequenceCaches "
                "run_forward returns second, a_fwd, caches_fwd = run_forward(x, parameters_fwd, cell), not the "
                f"states; caches must be {pair}.")
    for i, c in enumerate(caches[:2]):
        if not isinstance(c, SequenceCache):
            return f"caches[{i}] is {describe(c)}: caches must be {pair}."
    if len(caches) != 2:
        return f"caches holds {len(caches)} values: it must be {pair}."
    states = [hidden_states(c) for c in caches]
    right = [hidden_states(right_fwd), hidden_states(right_bwd)]
    if same_states(states[0], right[1]) and same_states(states[1], right[0]):
        return ("caches are swapped: caches[0] is the forward direction's, run_forward(x, parameters_fwd, cell), "
                "caches[1] the backward one's, run_forward(x[:, :, ::-1], parameters_bwd, cell).")
    if not same_states(states[0], right[0]):
        return ("caches[0] does not hold the forward sweep: it must be the SequenceCache of run_forward(x, "
                "parameters_fwd, cell), whose hidden states are a→.")
    return ("caches[1] does not hold the backward sweep: it must be the SequenceCache of run_forward(x[:, :, ::-1], "
            "parameters_bwd, cell) as run_forward returned it, its states in the reversed time order (its column s "
            "has read x<T_x>, …, x<T_x−s>): flipping the states back makes a←, it does not make a new cache.")


SHAPE_HINT = ("both directions read the inputs x (n_x, m, T_x): run_forward(x, parameters_fwd, cell) and "
              "run_forward(x[:, :, ::-1], parameters_bwd, cell); the backward direction reads x reversed in time, "
              "not the forward direction's states.")


@exercise_checker(bidirectional_forward)
def check_bidirectional_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``bidirectional_forward(x, parameters_fwd, parameters_bwd, cell)`` against the reference.

    Compares ``a`` and the caches on each case of ``bidirectional_cases`` (one per cell:
    rnn, gru, lstm), printing a table per case (name, exact, close, max difference). The
    caches must be the pair (caches_fwd, caches_bwd) of SequenceCaches: row
    ``caches["forward"]`` compares caches[0]'s hidden states with the forward sweep's,
    ``caches["backward"]`` caches[1]'s with the backward sweep's, in its reversed time
    order (as run_forward on x[:, :, ::-1] returns them). A learner who does not pass
    ``cell`` on to run_forward is told so.

    Args:
        candidate: a function with the signature of bidirectional.bidirectional_forward:
            ``(x (n_x, m, T_x), parameters_fwd, parameters_bwd, cell) -> (a (2 n_a, m, T_x),
            caches)``.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/08_bidirectional_rnn.ipynb, "Exercise: the two sweeps".
    """
    return check_sweeps(candidate, bidirectional_forward, bidirectional_cases(), MISTAKES, outputs=OUTPUTS,
                        read=read_caches, explain_caches=explain_caches, letters=LETTERS, time_limit=time_limit,
                        verbose=verbose, shape_hint=SHAPE_HINT)
