"""Checkers for the RNN exercises: one table of cases and known mistakes per function.

rnn_cell_forward (notebook 01), rnn_cell_backward and the BPTT loop rnn_backward (02).
Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
"""

import numpy as np

from course_lib.checks.common import TIME_LIMIT, Case, Mistake, check_exercise, exercise_checker
from course_lib.rnn import (
    initialize_rnn_parameters,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)

__all__ = ["check_rnn_backward", "check_rnn_cell_backward", "check_rnn_cell_forward"]


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

    "n_x = n_a" first: there a swap of Wax and Waa runs, and its values get their own hint.
    "general": n_x ≠ n_a, where such a swap cannot even be computed. Several examples
    (m = 5), so that a softmax over the batch is not one over n_y.
    """
    rng = np.random.default_rng(2025)
    for name, n_x, n_a, n_y, m in (("n_x = n_a", 3, 3, 4, 5), ("general", 4, 3, 2, 5)):
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
    Mistake("a_next", lambda xt, a_prev, p: np.maximum(_z(xt, a_prev, p), 0),
            "a_next is off: that is ReLU. The cell's g1 here is tanh, a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)."),
    Mistake("yt_pred", lambda xt, a_prev, p: 1 / (1 + np.exp(-(p["Wya"] @ _a(xt, a_prev, p) + p["by"]))),
            "yt_pred is off: that is a sigmoid of each score. ŷ<t> is a softmax over the n_y classes, "
            "softmax(Wya a<t> + by), so that each column sums to 1."),
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


@exercise_checker(rnn_cell_forward)
def check_rnn_cell_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``rnn_cell_forward(xt, a_prev, parameters)`` against the reference.

    Compares a_next, yt_pred and the cache's a_next, a_prev and xt (a cache given as the
    DLS tuple (a_next, a_prev, xt, parameters) works too) on every case of
    ``forward_cases``, printing a table per case (name, exact, close, max difference).

    Args:
        candidate: a function with the signature and return values of rnn.rnn_cell_forward.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a
            stub) at the first case that disagrees, with the hint of the mistake made.
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
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


def _all_from(dz_of):
    """The five gradients of one cell computed from a (wrong) dz: a mistake in dz spoils them all."""

    def wrong(da_next, c):
        dz = dz_of(da_next, c)
        p = c.parameters
        return {"dxt": p["Wax"].T @ dz, "da_prev": p["Waa"].T @ dz, "dWax": dz @ c.xt.T, "dWaa": dz @ c.a_prev.T,
                "dba": dz.sum(axis=1, keepdims=True)}

    return wrong


_IN_DZ = "every gradient is off, so the mistake is in dz = da_next * tanh'(z), which all five are built from"

BACKWARD_MISTAKES = (
    # A wrong dz: all five gradients off together (tried before the mistakes of one gradient).
    Mistake(KEYS, _all_from(lambda da_next, c: da_next),
            f"{_IN_DZ}: the factor tanh'(z) = 1 − a<t>² is missing, dz = da_next * (1 − a<t>²)."),
    Mistake(KEYS, _all_from(lambda da_next, c: da_next * (1 - np.tanh(c.a_next) ** 2)),
            f"{_IN_DZ}: tanh is applied twice. tanh'(z) = 1 − tanh(z)² = 1 − a<t>², and a<t> is already tanh(z): "
            "write 1 − a<t>², not 1 − tanh(a<t>)² (nor 1 / cosh(a<t>)²)."),
    Mistake(KEYS, _all_from(lambda da_next, c: da_next * (1 - c.a_prev**2)),
            f"{_IN_DZ}: tanh' is taken at the wrong step. tanh'(z<t>) = 1 − a<t>² reads this step's output "
            "cache.a_next, not a<t-1> (cache.a_prev)."),
    Mistake(KEYS, _all_from(lambda da_next, c: da_next / (1 - c.a_next**2)),
            f"{_IN_DZ}: it divides by tanh'(z). The chain rule multiplies: dz = da_next * (1 − a<t>²)."),
    Mistake(KEYS, _all_from(lambda da_next, c: da_next * (1 - c.a_next)),
            f"{_IN_DZ}: tanh'(z) is 1 − a<t>², squared, not 1 − a<t>."),
    # One gradient off.
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


@exercise_checker(rnn_cell_backward)
def check_rnn_cell_backward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``rnn_cell_backward(da_next, cache)`` against the reference.

    Runs it on each case of ``backward_cases`` and prints a table (name, exact, close, max
    difference). At the first case that disagrees, the hint names the gradient and, where
    the answer matches a common mistake, what that mistake is; when all five gradients are
    off in one of the ways dz goes wrong, it says the mistake is in dz, and which.

    Args:
        candidate: a function with the signature and dict keys of rnn.rnn_cell_backward.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    return check_exercise(candidate, rnn_cell_backward, backward_cases(), BACKWARD_MISTAKES,
                          letters=BACKWARD_LETTERS, time_limit=time_limit, verbose=verbose)


# ---------------------------------------------------------------------------------------
# rnn_backward(da, caches) -> {"dx", "da0", "dWax", "dWaa", "dba"}: the BPTT loop
# ---------------------------------------------------------------------------------------

BPTT_KEYS = ("dx", "da0", "dWax", "dWaa", "dba")
PARAMETER_GRADIENTS = ("dWax", "dWaa", "dba")
BPTT_LETTERS = {"dx": "(n_x, m, T_x)", "da0": "(n_a, m)", "dWax": "(n_a, n_x)", "dWaa": "(n_a, n_a)",
                "dba": "(n_a, 1)"}


def bptt_cases():
    """Sequences where each way of getting the loop wrong shows.

    "general": everything random, a<0> ≠ 0 and biases too (so da0 and the first step's
    dWaa = dz<1> a<0>ᵀ count). "loss at the last step only": da is zero before the last
    step, so every earlier gradient comes through the recurrence alone: forgetting it
    leaves them zero. "one step": T_x = 1, where the direction of the loop and the path
    from t+1 cannot matter: what remains is one cell's backward and the bookkeeping.
    """
    rng = np.random.default_rng(2026)
    n_x, n_a, m = 4, 3, 5
    for name, T_x, last_only in (("general", 4, False), ("loss at the last step only", 5, True), ("one step", 1, False)):
        parameters = initialize_rnn_parameters(n_x, n_a, None, rng, scale=0.8)
        x, a0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
        _, _, caches = rnn_forward(x, a0, parameters)
        da = rng.standard_normal((n_a, m, T_x))
        if last_only:
            da[:, :, :-1] = 0.0
        yield Case(name, (da, caches))


def _loop(da, caches, carry=True, forwards=False):
    """BPTT written with the library's rnn_cell_backward, step by step, as a learner writes it.

    Returns the dict of rnn_backward and the list of every step's cell gradients (in time
    order). ``carry=False`` forgets the path from t+1; ``forwards=True`` runs the loop
    from t = 0 to T_x - 1 (carrying each step's da_prev into the next).
    """
    n_a, m, T_x = da.shape
    dx = np.zeros((caches.x.shape[0], m, T_x))
    sums = {k: 0.0 for k in PARAMETER_GRADIENTS}
    steps = [None] * T_x
    da_prev = np.zeros((n_a, m))
    for t in (range(T_x) if forwards else reversed(range(T_x))):
        steps[t] = rnn_cell_backward(da[:, :, t] + (da_prev if carry else 0.0), caches[t])
        dx[:, :, t] = steps[t]["dxt"]
        for k in sums:
            sums[k] = sums[k] + steps[t][k]
        da_prev = steps[t]["da_prev"]
    return {"dx": dx, "da0": da_prev, **sums}, steps


def _only_step(which):
    def wrong(da, caches):
        steps = _loop(da, caches)[1]
        return {k: steps[which][k] for k in PARAMETER_GRADIENTS}

    return wrong


BPTT_MISTAKES = (
    Mistake(BPTT_KEYS, lambda da, caches: _loop(da, caches, carry=False)[0],
            "every gradient is off because the path from t+1 is missing (the most common BPTT bug, which this notebook demonstrates after the exercise): step t "
            "must receive da[:, :, t] + da_prev, its own upstream gradient plus the da_prev that step t+1 sent back, "
            "not da[:, :, t] alone."),
    Mistake(BPTT_KEYS, lambda da, caches: _loop(da, caches, forwards=True)[0],
            "every gradient is off: the loop runs forwards in time. Backpropagation through time starts at the "
            "last step and goes back to the first, for t in reversed(range(T_x)), because step t needs the da_prev "
            "that step t+1 sends back."),
    Mistake(PARAMETER_GRADIENTS, _only_step(0),
            "dWax, dWaa and dba hold only the first step's (t = 0) gradients: each iteration overwrote the one "
            "before. The weights are shared by every step, so their gradients add up over t: dWax += "
            "gradients[\"dWax\"] (from zeros before the loop)."),
    Mistake(PARAMETER_GRADIENTS, _only_step(-1),
            "dWax, dWaa and dba hold only the last step's (t = T_x − 1) gradients: add every step's inside the "
            "loop, dWax += gradients[\"dWax\"]; the weights are shared by every step."),
    Mistake("da0", lambda da, caches: np.zeros_like(caches.a0),
            "da0 is all zeros: it is the da_prev the last iteration (t = 0) sends back, the gradient reaching a<0>."),
    Mistake("da0", lambda da, caches: None,
            "da0 is None: after the loop, return the da_prev of the last iteration (t = 0) as da0."),
    Mistake("da0", lambda da, caches: _loop(da, caches)[1][-1]["da_prev"],
            "da0 is the da_prev of the wrong step, the first iteration's (t = T_x − 1): da0 is the da_prev left "
            "after the last iteration, t = 0."),
    Mistake("dx", lambda da, caches: np.zeros_like(caches.x),
            "dx is all zeros: store each step's gradients[\"dxt\"] in dx[:, :, t] inside the loop."),
    Mistake("dx", lambda da, caches: _loop(da, caches)[0]["dx"][:, :, ::-1],
            "dx is in reverse time order: step t's dxt belongs in dx[:, :, t], whichever way the loop runs."),
)


@exercise_checker(rnn_backward)
def check_rnn_backward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's BPTT loop ``rnn_backward(da, caches)`` against the reference.

    The learner calls the library's ``rnn_cell_backward`` at every step (``caches[t]`` is
    step t's cache); this checks the loop around it on each case of ``bptt_cases``: the
    path from t+1, the direction of time, the sums over t, da0 and dx. Prints a table per
    case (name, exact, close, max difference).

    Args:
        candidate: a function with the signature and dict keys of rnn.rnn_backward:
            ``(da (n_a, m, T_x), caches) -> {"dx", "da0", "dWax", "dWaa", "dba"}``.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    return check_exercise(candidate, rnn_backward, bptt_cases(), BPTT_MISTAKES, letters=BPTT_LETTERS,
                          time_limit=time_limit, verbose=verbose)
