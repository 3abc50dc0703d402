"""Checker for the bidirectional exercise of notebook 08: bidirectional_forward from two sweeps.

The learner writes ``bidirectional_forward(x, parameters_fwd, parameters_bwd, cell)`` from
two calls of ``course_lib.recurrent.run_forward``: one on x, one on x reversed in time,
whose states are flipped back. It is compared with ``course_lib.bidirectional``'s on the
rnn, gru and lstm cells; a wrong ``a`` that matches a known slip (the backward states not
flipped back, the directions in the wrong order, the backward direction fed the forward
one's states ...) gets that slip's hint.
To be derived in notebooks/08_bidirectional_rnn.ipynb, "Exercise: the two sweeps".
"""

import numpy as np

from course_lib.bidirectional import bidirectional_forward, initialize_bidirectional_parameters
from course_lib.checks.common import TIME_LIMIT, Case, Mistake, check_exercise, exercise_checker
from course_lib.recurrent import get_cell, run_forward

__all__ = ["check_bidirectional_forward"]

OUTPUTS = ("a", "caches")
LETTERS = {"a": "(2 n_a, m, T_x)"}


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
            "run_forward read x[:, :, ::-1], so its column s is the state after x<T_x − s>; flip them back with "
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


@exercise_checker(bidirectional_forward)
def check_bidirectional_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``bidirectional_forward(x, parameters_fwd, parameters_bwd, cell)`` against the reference.

    Compares ``a`` (the caches are not compared: any pair of the two SequenceCaches
    will do) on each case of ``bidirectional_cases`` (one per cell: rnn, gru, lstm),
    printing a table per case (name, exact, close, max difference).

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
    To be derived in notebooks/08_bidirectional_rnn.ipynb, "Exercise: the two sweeps".
    """
    return check_exercise(candidate, bidirectional_forward, bidirectional_cases(), MISTAKES, outputs=OUTPUTS,
                          letters=LETTERS, time_limit=time_limit, verbose=verbose)
