"""Checker for the exercise of notebooks/02_bptt.ipynb: the learner's rnn_cell_backward.

Derived in notebooks/02_bptt.ipynb, "Exercise: write rnn_cell_backward"
"""

import numpy as np

from course_lib.checks.common import CheckFailed, compare_gradients, format_table
from course_lib.rnn import initialize_rnn_parameters, rnn_cell_backward, rnn_cell_forward

KEYS = ("dxt", "da_prev", "dWax", "dWaa", "dba")


def _cases():
    """Inputs chosen so that each term can be told apart (in the DLS checkers' style).

    "general": everything random, biases too. "a_prev = 0": dWaa must vanish, so a dWaa
    built from a<t> instead of a<t-1> shows at once. "one example": m = 1, where a
    missing sum over the batch still passes, so the general case catches it instead.
    """
    rng = np.random.default_rng(2024)
    n_x, n_a, m = 4, 3, 5
    parameters = initialize_rnn_parameters(n_x, n_a, None, rng, scale=0.8)
    general = (rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m)))
    yield "general", general[0], general[1], parameters, rng.standard_normal((n_a, m))
    yield "a_prev = 0", general[0], np.zeros((n_a, m)), parameters, rng.standard_normal((n_a, m))
    yield "one example", general[0][:, :1], general[1][:, :1], parameters, rng.standard_normal((n_a, 1))


def _mistakes(da_next, cache):
    """Wrong answers learners often give, each with the hint that explains it."""
    p = cache.parameters
    dz = da_next * (1 - cache.a_next**2)
    return {
        "dWaa": [
            (dz @ cache.a_next.T, "dWaa is off: did you use a<t> instead of a<t-1>? dWaa = dz a<t-1>ᵀ."),
            (da_next @ cache.a_prev.T, "dWaa is off: multiply by tanh'(z) = 1 − a<t>² before the outer product."),
            (dz @ cache.a_prev.T / cache.a_prev.shape[1], "dWaa is off: sum over the batch, do not average."),
        ],
        "dWax": [
            (da_next @ cache.xt.T, "dWax is off: multiply by tanh'(z) = 1 − a<t>² before the outer product."),
            (dz @ cache.xt.T / cache.xt.shape[1], "dWax is off: sum over the batch, do not average."),
        ],
        "dba": [
            (da_next.sum(axis=1, keepdims=True), "dba is off: multiply by tanh'(z) = 1 − a<t>² first."),
            (dz.mean(axis=1, keepdims=True), "dba is off: sum over the batch (axis=1), do not average."),
        ],
        "da_prev": [
            (p["Waa"] @ dz, "da_prev is off: use the transpose, Waaᵀ dz."),
            (p["Waa"].T @ da_next, "da_prev is off: multiply by tanh'(z) = 1 − a<t>² first."),
            (p["Waa"].T @ (da_next * (1 - np.tanh(cache.a_next) ** 2)),
             "da_prev is off: tanh'(z) = 1 − a<t>², where a<t> is already tanh(z); do not apply tanh again."),
        ],
        "dxt": [
            (p["Wax"].T @ da_next, "dxt is off: multiply by tanh'(z) = 1 − a<t>² first."),
        ],
    }


def _hint(name, value, shape_note, da_next, cache):
    if shape_note:
        letters = {"dxt": "(n_x, m)", "da_prev": "(n_a, m)", "dWax": "(n_a, n_x)",
                   "dWaa": "(n_a, n_a)", "dba": "(n_a, 1)"}[name]
        hint = f"{name} has the wrong shape: {shape_note}; it must be {letters}."
        if name == "dba":
            hint += " Sum over the batch with keepdims=True."
        return hint
    for wrong, hint in _mistakes(da_next, cache).get(name, []):
        if np.allclose(value, wrong, rtol=1e-7, atol=1e-10):
            return hint
    return f"{name} is off; compare it line by line with the backward equations above."


def check_rnn_cell_backward(candidate, verbose=True):
    """Test a learner's ``rnn_cell_backward(da_next, cache)`` against the reference.

    Runs it on each case of ``_cases`` and prints a table (name, exact, close, max
    difference). Raises CheckFailed at the first case that disagrees, naming the gradient
    and, where the answer matches a common mistake, what that mistake is.

    Args:
        candidate: a function with the signature and dict keys of rnn.rnn_cell_backward.
        verbose: print the tables.
    Returns:
        the number of cases passed (all of them, if it returns).
    """
    passed = 0
    for case, xt, a_prev, parameters, da_next in _cases():
        _, _, cache = rnn_cell_forward(xt, a_prev, parameters)
        expected = rnn_cell_backward(da_next, cache)
        got = candidate(da_next.copy(), cache)
        rows = compare_gradients({k: expected[k] for k in KEYS}, got)
        if verbose:
            print(f"case: {case}\n{format_table(rows)}\n")
        for name, _, close, _, note in rows:
            if not close:
                if note == "missing":
                    raise CheckFailed(f"[{case}] the result has no {name!r}: return a dict with keys {list(KEYS)}.")
                raise CheckFailed(f"[{case}] " + _hint(name, np.asarray(got[name]), note, da_next, cache))
        passed += 1
    if verbose:
        print(f"All {passed} cases pass: your rnn_cell_backward matches the reference.")
    return passed
