"""Checkers for the RNN exercises: one table of cases and known mistakes per function.

Derived in notebooks/02_bptt.ipynb, "Exercise: write rnn_cell_backward"
"""

import numpy as np

from course_lib.checks.common import TIME_LIMIT, Case, Mistake, check_exercise
from course_lib.rnn import initialize_rnn_parameters, rnn_cell_backward, rnn_cell_forward

__all__ = ["check_rnn_cell_backward", "check_rnn_cell_forward"]


def _softmax(z, axis=0):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------------------------------
# rnn_cell_forward(xt, a_prev, parameters) -> (a_next, yt_pred, cache)
# ---------------------------------------------------------------------------------------

FORWARD_OUTPUTS = ("a_next", "yt_pred", "cache")
FORWARD_LETTERS = {"a_next": "(n_a, m)", "yt_pred": "(n_y, m)", "cache.a_next": "(n_a, m)",
                   "cache.a_prev": "(n_a, m)", "cache.xt": "(n_x, m)"}


def forward_cases():
    """Inputs chosen so that each term can be told apart, biases random too.

    "general": n_x ≠ n_a, so that swapping Wax and Waa cannot even be computed (the checker
    then reports the shapes that do not fit). "n_x = n_a": the swap runs, and its values
    show. Several examples (m = 5), so that a softmax over the batch is not one over n_y.
    """
    rng = np.random.default_rng(2025)
    for name, n_x, n_a, n_y, m in (("general", 4, 3, 2, 5), ("n_x = n_a", 3, 3, 4, 5)):
        parameters = initialize_rnn_parameters(n_x, n_a, n_y, rng, scale=0.8)
        yield Case(name, (rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m)), parameters))


def _z(xt, a_prev, p):
    return p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"]  # z<t> = Waa a<t-1> + Wax x<t> + ba


def _a(xt, a_prev, p):
    return np.tanh(_z(xt, a_prev, p))


FORWARD_MISTAKES = (
    Mistake("a_next", _z,
            "a_next is off: apply tanh to the pre-activation, a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)."),
    Mistake("a_next", lambda xt, a_prev, p: np.tanh(p["Wax"] @ a_prev + p["Waa"] @ xt + p["ba"]),
            "a_next is off: Wax and Waa are swapped. Waa multiplies the state a<t-1>, Wax the input x<t>."),
    Mistake("a_next", lambda xt, a_prev, p: np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt),
            "a_next is off: the bias is left out, a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)."),
    Mistake("a_next", lambda xt, a_prev, p: np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt) + p["ba"],
            "a_next is off: add the bias ba inside the tanh, not after it."),
    Mistake("a_next", lambda xt, a_prev, p: np.tanh(p["Wax"] @ xt + p["ba"]),
            "a_next is off: the recurrence is missing, add Waa a<t-1> inside the tanh."),
    Mistake("yt_pred", lambda xt, a_prev, p: None,
            "yt_pred is None: compute ŷ<t> = softmax(Wya a<t> + by) and return it."),
    Mistake("yt_pred", lambda xt, a_prev, p: _softmax(p["Wya"] @ _a(xt, a_prev, p) + p["by"], axis=1),
            "yt_pred is off: the softmax is over the wrong axis. It runs over the n_y axis (axis=0), "
            "so that each column (one example) sums to 1; yours sums over the batch (axis=1)."),
    Mistake("yt_pred", lambda xt, a_prev, p: _softmax((p["Wya"] @ _a(xt, a_prev, p) + p["by"]).ravel())
            .reshape(len(p["by"]), -1),
            "yt_pred is off: the softmax normalises every column (one example) on its own, over axis=0, "
            "not the whole array at once."),
    Mistake("yt_pred", lambda xt, a_prev, p: p["Wya"] @ _a(xt, a_prev, p) + p["by"],
            "yt_pred is off: apply the softmax, ŷ<t> = softmax(Wya a<t> + by)."),
    Mistake("yt_pred", lambda xt, a_prev, p: _softmax(p["Wya"] @ _a(xt, a_prev, p)),
            "yt_pred is off: the bias by is left out, ŷ<t> = softmax(Wya a<t> + by)."),
    Mistake("yt_pred", lambda xt, a_prev, p: _softmax(p["Wya"] @ a_prev + p["by"]),
            "yt_pred is off: ŷ<t> reads the new state a<t>, not a<t-1>."),
    Mistake("cache.a_next", lambda xt, a_prev, p: a_prev,
            "cache.a_next is off: the cache holds (a_next, a_prev, xt, parameters), in that order."),
    Mistake("cache.a_next", _z,
            "cache.a_next is off: the cache keeps a<t> after the tanh, not the pre-activation."),
)


def check_rnn_cell_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``rnn_cell_forward(xt, a_prev, parameters)`` against the reference.

    Compares a_next, yt_pred and the cache's a_next, a_prev and xt (a cache given as the
    DLS tuple (a_next, a_prev, xt, parameters) works too) on every case of
    ``forward_cases``, printing a table per case (name, exact, close, max difference).

    Args:
        candidate: a function with the signature and return values of rnn.rnn_cell_forward.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
    Returns:
        the number of cases passed (all of them, if it returns).
    Raises:
        CheckFailed at the first case that disagrees, with the hint of the mistake made.
    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    return check_exercise(candidate, rnn_cell_forward, forward_cases(), FORWARD_MISTAKES,
                          outputs=FORWARD_OUTPUTS, letters=FORWARD_LETTERS,
                          time_limit=time_limit, verbose=verbose)


# ---------------------------------------------------------------------------------------
# rnn_cell_backward(da_next, cache) -> {"dxt", "da_prev", "dWax", "dWaa", "dba"}
# ---------------------------------------------------------------------------------------

KEYS = ("dxt", "da_prev", "dWax", "dWaa", "dba")
BACKWARD_LETTERS = {"dxt": "(n_x, m)", "da_prev": "(n_a, m)", "dWax": "(n_a, n_x)",
                    "dWaa": "(n_a, n_a)", "dba": "(n_a, 1)"}


def backward_cases():
    """Inputs chosen so that each term can be told apart (in the DLS checkers' style).

    "general": everything random, biases too. "a_prev = 0": dWaa must vanish, so a dWaa
    built from a<t> instead of a<t-1> shows at once. "one example": m = 1, where a
    missing sum over the batch still passes, so the general case catches it instead.
    """
    rng = np.random.default_rng(2024)
    n_x, n_a, m = 4, 3, 5
    parameters = initialize_rnn_parameters(n_x, n_a, None, rng, scale=0.8)
    xt, a_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    for name, a_prev_case, columns in (("general", a_prev, m), ("a_prev = 0", np.zeros((n_a, m)), m),
                                       ("one example", a_prev[:, :1], 1)):
        _, _, cache = rnn_cell_forward(xt[:, :columns], a_prev_case, parameters)
        yield Case(name, (rng.standard_normal((n_a, columns)), cache))


def _dz(da_next, cache):
    return da_next * (1 - cache.a_next**2)  # dz = da<t> * tanh'(z), tanh'(z) = 1 − a<t>²


BACKWARD_MISTAKES = (
    Mistake("dWaa", lambda da_next, c: _dz(da_next, c) @ c.a_next.T,
            "dWaa is off: did you use a<t> instead of a<t-1>? dWaa = dz a<t-1>ᵀ."),
    Mistake("dWaa", lambda da_next, c: da_next @ c.a_prev.T,
            "dWaa is off: multiply by tanh'(z) = 1 − a<t>² before the outer product."),
    Mistake("dWaa", lambda da_next, c: _dz(da_next, c) @ c.a_prev.T / c.a_prev.shape[1],
            "dWaa is off: sum over the batch, do not average."),
    Mistake("dWax", lambda da_next, c: da_next @ c.xt.T,
            "dWax is off: multiply by tanh'(z) = 1 − a<t>² before the outer product."),
    Mistake("dWax", lambda da_next, c: _dz(da_next, c) @ c.xt.T / c.xt.shape[1],
            "dWax is off: sum over the batch, do not average."),
    Mistake("dba", lambda da_next, c: da_next.sum(axis=1, keepdims=True),
            "dba is off: multiply by tanh'(z) = 1 − a<t>² first."),
    Mistake("dba", lambda da_next, c: _dz(da_next, c).mean(axis=1, keepdims=True),
            "dba is off: sum over the batch (axis=1), do not average."),
    Mistake("dba", _dz,
            "dba has the wrong shape (n_a, m): it must be (n_a, 1). Sum dz over the batch with keepdims=True."),
    Mistake("dba", lambda da_next, c: _dz(da_next, c).sum(axis=1),
            "dba has the wrong shape (n_a,): it must be (n_a, 1). Sum over the batch with keepdims=True."),
    Mistake("da_prev", lambda da_next, c: c.parameters["Waa"] @ _dz(da_next, c),
            "da_prev is off: use the transpose, Waaᵀ dz."),
    Mistake("da_prev", lambda da_next, c: c.parameters["Waa"].T @ da_next,
            "da_prev is off: multiply by tanh'(z) = 1 − a<t>² first."),
    Mistake("da_prev", lambda da_next, c: c.parameters["Waa"].T @ (da_next * (1 - np.tanh(c.a_next) ** 2)),
            "da_prev is off: tanh'(z) = 1 − a<t>², where a<t> is already tanh(z); do not apply tanh again."),
    Mistake("dxt", lambda da_next, c: c.parameters["Wax"].T @ da_next,
            "dxt is off: multiply by tanh'(z) = 1 − a<t>² first."),
)


def check_rnn_cell_backward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``rnn_cell_backward(da_next, cache)`` against the reference.

    Runs it on each case of ``backward_cases`` and prints a table (name, exact, close, max
    difference). Raises CheckFailed at the first case that disagrees, naming the gradient
    and, where the answer matches a common mistake, what that mistake is.

    Args:
        candidate: a function with the signature and dict keys of rnn.rnn_cell_backward.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
    Returns:
        the number of cases passed (all of them, if it returns).
    Derived in notebooks/02_bptt.ipynb, "Exercise: write rnn_cell_backward"
    """
    return check_exercise(candidate, rnn_cell_backward, backward_cases(), BACKWARD_MISTAKES,
                          letters=BACKWARD_LETTERS, time_limit=time_limit, verbose=verbose)
