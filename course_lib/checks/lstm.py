"""Checkers for the LSTM exercises of notebook 07: one table of cases and known mistakes each.

lstm_cell_forward (the standard LSTM, without peepholes) and lstm_cell_backward. The
learner's functions are compared with ``course_lib.lstm``'s on inputs where each term
can be told apart; a wrong answer that matches a known mistake gets that mistake's hint,
which names the equation where it went wrong. For the backward pass the hints say which
intermediate gradient the wrong outputs are built from: dc<t> (the total gradient
reaching the memory cell) or one of dz_f, dz_u, dz_c, dz_o; a slip the table does not
know still gets that diagnosis when the outputs that are off are exactly those of one of
them.

The cache the learner's forward returns, and the backward receives, is the course's
``LSTMCache(gamma_f, gamma_u, c_tilde, gamma_o, c_next, a_next, c_prev, a_prev, xt,
parameters)``: a named tuple read by name (``cache.gamma_f``). A dict with those keys,
or a plain tuple in that order, is compared as well; a tuple in the DLS assignment's
order (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) gets its own
hint, in the forward (returned so) and in the backward (read so).
Derived in notebooks/07_lstm.ipynb, "Exercise: one step of the LSTM" and
"Exercise: the backward step".
"""

import copy
import re
from types import SimpleNamespace

import numpy as np

from course_lib.checks.common import (
    TIME_LIMIT,
    Case,
    CheckFailed,
    ExerciseNotWritten,
    Mistake,
    check_exercise,
    compare_outputs,
    exercise_checker,
    run_candidate,
)
from course_lib.lstm import initialize_lstm_parameters, lstm_cell_backward, lstm_cell_forward

__all__ = ["check_lstm_cell_backward", "check_lstm_cell_forward"]

CACHE_FIELDS = ("gamma_f", "gamma_u", "c_tilde", "gamma_o", "c_next", "a_next", "c_prev", "a_prev", "xt", "parameters")
DLS_ORDER = "(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)"
COURSE_ORDER = "LSTMCache(gamma_f, gamma_u, c_tilde, gamma_o, c_next, a_next, c_prev, a_prev, xt, parameters)"
BY_NAME = ("LSTMCache(gamma_f=gamma_f, gamma_u=gamma_u, c_tilde=c_tilde, gamma_o=gamma_o, c_next=c_next, "
           "a_next=a_next, c_prev=c_prev, a_prev=a_prev, xt=xt, parameters=parameters)")
SYMBOLS = {"gamma_f": "Γf", "gamma_u": "Γu", "c_tilde": "c~<t>", "gamma_o": "Γo", "c_next": "c<t>",
           "a_next": "a<t>", "c_prev": "c<t-1>", "a_prev": "a<t-1>", "xt": "x<t>"}


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z, axis=0):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------------------------------
# lstm_cell_forward(xt, a_prev, c_prev, parameters) -> (a_next, c_next, yt_pred, cache)
# ---------------------------------------------------------------------------------------

FORWARD_OUTPUTS = ("a_next", "c_next", "yt_pred", "cache")
FORWARD_LETTERS = {"a_next": "(n_a, m)", "c_next": "(n_a, m)", "yt_pred": "(n_y, m)", "cache.xt": "(n_x, m)",
                   **{f"cache.{f}": "(n_a, m)" for f in CACHE_FIELDS if f not in ("xt", "parameters")}}


def forward_cases():
    """Inputs where each term of the LSTM can be told apart, biases random too.

    "general": n_x ≠ n_a and a batch of m = 5 (a softmax over the batch is not one over
    n_y). "one example": m = 1, other sizes, other weights.
    """
    rng = np.random.default_rng(2111)
    for name, n_x, n_a, n_y, m in (("general", 3, 4, 2, 5), ("one example", 2, 3, 4, 1)):
        parameters = initialize_lstm_parameters(n_x, n_a, n_y, rng, scale=0.8)
        yield Case(name, (rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m)),
                          rng.standard_normal((n_a, m)), parameters))


def _forward(xt, a_prev, c_prev, p, slip=None):
    """a<t>, c<t>, ŷ<t> and the gates of one step, right (slip None) or with the named slip.

    Written line by line as the notebook's equations, so that each slip changes one line
    and everything computed from it, as in a learner's code.
    """
    concat = np.concatenate([xt, a_prev] if slip == "[x; a]" else [a_prev, xt])
    gate = np.tanh if slip == "gates tanh" else _sigmoid
    seen = c_prev if slip == "peephole + c<t-1>" else 0.0  # the source tutorial's peepholes, weight 1
    gamma_f = gate(p["Wf"] @ concat + p["bf"] + seen)
    gamma_u = gate(p["Wu"] @ concat + p["bu"] + seen)
    candidate = {"c~ sigmoid": _sigmoid, "c~ linear": lambda z: z}.get(slip, np.tanh)
    c_tilde = candidate(p["Wc"] @ concat + p["bc"])
    gamma_o = gate(p["Wo"] @ concat + p["bo"] + seen)
    c_next = {"Γf and Γu swapped": lambda: gamma_f * c_tilde + gamma_u * c_prev,
              "coupled, as the GRU": lambda: gamma_u * c_tilde + (1 - gamma_u) * c_prev,
              "no forget gate": lambda: gamma_u * c_tilde + c_prev,
              "a<t-1> in c<t>": lambda: gamma_u * c_tilde + gamma_f * a_prev,
              }.get(slip, lambda: gamma_u * c_tilde + gamma_f * c_prev)()
    a_next = {"tanh(c<t-1>) in a<t>": lambda: gamma_o * np.tanh(c_prev),
              "no tanh in a<t>": lambda: gamma_o * c_next,
              "tanh(c~) in a<t>": lambda: gamma_o * np.tanh(c_tilde),
              }.get(slip, lambda: gamma_o * np.tanh(c_next))()
    z_y = p["Wy"] @ (c_next if slip == "ŷ from c<t>" else a_prev if slip == "ŷ from a<t-1>" else a_next) + p["by"]
    yt_pred = {"softmax axis 1": lambda: _softmax(z_y, axis=1), "ŷ sigmoid": lambda: _sigmoid(z_y),
               "no softmax": lambda: z_y}.get(slip, lambda: _softmax(z_y))()
    return {"a_next": a_next, "c_next": c_next, "yt_pred": yt_pred, "cache.gamma_f": gamma_f,
            "cache.gamma_u": gamma_u, "cache.c_tilde": c_tilde, "cache.gamma_o": gamma_o}


def _forward_slip(name, outputs):
    """The mistake's values: the outputs it lists (a str: that one), computed with the slip."""
    def wrong(xt, a_prev, c_prev, p):
        values = _forward(xt, a_prev, c_prev, p, name)
        return values[outputs] if isinstance(outputs, str) else {k: values[k] for k in outputs}

    wrong.slip = name  # for the tests: which slip
    return wrong


_A_C = ("a_next", "c_next", "yt_pred")  # a slip in c<t> spoils a<t> and ŷ<t> with it
_IN_C = "a_next and c_next are off: the mistake is in c<t> or in what it is made of"
_IN_A = "a_next is off while c_next is right: the mistake is in Γo or in a<t> = Γo * tanh(c<t>)"


def _gate_preactivation(gate):
    def wrong(xt, a_prev, c_prev, p):
        return p["W" + gate] @ np.concatenate([a_prev, xt]) + p["b" + gate]

    return wrong


def _dls_cache(xt, a_prev, c_prev, p):
    """The first fields of a cache returned in the DLS assignment's order: a<t>, c<t> where Γf, Γu belong."""
    cache = lstm_cell_forward(xt, a_prev, c_prev, p)[3]
    return {"cache.gamma_f": cache.a_next, "cache.gamma_u": cache.c_next}


FORWARD_MISTAKES = (
    Mistake(_A_C, _forward_slip("Γf and Γu swapped", _A_C),
            f"{_IN_C}: Γf and Γu are swapped. The update gate Γu lets the candidate in, the forget gate Γf "
            "keeps the old memory: c<t> = Γu * c~<t> + Γf * c<t-1>."),
    Mistake(_A_C, _forward_slip("coupled, as the GRU", _A_C),
            f"{_IN_C}: it is the GRU's update, Γu * c~<t> + (1 − Γu) * c<t-1>. The LSTM has a forget gate of its "
            "own: c<t> = Γu * c~<t> + Γf * c<t-1>."),
    Mistake(_A_C, _forward_slip("no forget gate", _A_C),
            f"{_IN_C}: c<t-1> is added without the forget gate (the LSTM of 1997, before Gers et al. added Γf): "
            "c<t> = Γu * c~<t> + Γf * c<t-1>."),
    Mistake(_A_C, _forward_slip("a<t-1> in c<t>", _A_C),
            f"{_IN_C}: the forget gate multiplies a<t-1>. It keeps the memory cell: c<t> = Γu * c~<t> + "
            "Γf * c<t-1>, with c_prev, not a_prev."),
    Mistake(_A_C, _forward_slip("c~ sigmoid", _A_C),
            f"{_IN_C}: the candidate uses a sigmoid. c~<t> is a tanh, with values in (−1, 1): "
            "c~<t> = tanh(Wc [a<t-1>; x<t>] + bc)."),
    Mistake(_A_C, _forward_slip("c~ linear", _A_C),
            f"{_IN_C}: apply tanh to the candidate, c~<t> = tanh(Wc [a<t-1>; x<t>] + bc)."),
    Mistake(_A_C, _forward_slip("gates tanh", _A_C),
            f"{_IN_C}: the gates use tanh. Γf, Γu and Γo are sigmoids, σ(z) = 1 / (1 + e^(−z)), so that they lie "
            "between 0 and 1."),
    Mistake(_A_C, _forward_slip("[x; a]", _A_C),
            f"{_IN_C}: the input is stacked on top. The weights act on [a<t-1>; x<t>], the state on top: "
            "np.concatenate([a_prev, xt])."),
    Mistake(_A_C, _forward_slip("peephole + c<t-1>", _A_C),
            f"{_IN_C}: the gates also read c<t-1>, a peephole connection as the source tutorial words it. This "
            "exercise is the standard LSTM, without peepholes: Γ = σ(W [a<t-1>; x<t>] + b) for Γf, Γu and Γo."),
    Mistake(("a_next", "c_next"), lambda xt, a_prev, c_prev, p: dict(zip(
        ("c_next", "a_next"), lstm_cell_forward(xt, a_prev, c_prev, p)[:2])),
            "a_next and c_next are swapped: return them in the order a_next, c_next, yt_pred, cache."),
    Mistake(("a_next", "yt_pred"), _forward_slip("tanh(c<t-1>) in a<t>", ("a_next", "yt_pred")),
            f"{_IN_A}: a<t> reads the old memory c<t-1>. It reads the new one, a<t> = Γo * tanh(c<t>), "
            "with c_next."),
    Mistake(("a_next", "yt_pred"), _forward_slip("no tanh in a<t>", ("a_next", "yt_pred")),
            f"{_IN_A}: the tanh is missing, a<t> = Γo * tanh(c<t>), not Γo * c<t>."),
    Mistake(("a_next", "yt_pred"), _forward_slip("tanh(c~) in a<t>", ("a_next", "yt_pred")),
            f"{_IN_A}: a<t> reads the candidate c~<t>. It reads the memory cell once updated: a<t> = Γo * tanh(c<t>)."),
    Mistake("yt_pred", _forward_slip("ŷ from c<t>", "yt_pred"),
            "yt_pred is off: ŷ<t> reads the hidden state a<t>, not the memory cell c<t> (in the GRU they were one): "
            "ŷ<t> = softmax(Wy a<t> + by)."),
    Mistake("yt_pred", _forward_slip("ŷ from a<t-1>", "yt_pred"),
            "yt_pred is off: ŷ<t> reads the new hidden state a<t>, not a<t-1>: ŷ<t> = softmax(Wy a<t> + by)."),
    Mistake("yt_pred", _forward_slip("softmax axis 1", "yt_pred"),
            "yt_pred is off: the softmax is over the wrong axis. It runs over the n_y axis (axis=0), so that each "
            "column (one example) sums to 1."),
    Mistake("yt_pred", _forward_slip("ŷ sigmoid", "yt_pred"),
            "yt_pred is off: that is a sigmoid of each score; ŷ<t> is a softmax over the n_y classes, "
            "softmax(Wy a<t> + by)."),
    Mistake("yt_pred", _forward_slip("no softmax", "yt_pred"),
            "yt_pred is off: apply the softmax, ŷ<t> = softmax(Wy a<t> + by)."),
    Mistake(("cache.gamma_f", "cache.gamma_u"), _dls_cache,
            f"cache.gamma_f holds a<t> and cache.gamma_u c<t>: is your cache in the DLS assignment's order "
            f"{DLS_ORDER}? This course's cache is {COURSE_ORDER}; build it by name: {BY_NAME}."),
    Mistake("cache.gamma_f", _gate_preactivation("f"),
            "cache.gamma_f holds the pre-activation: the cache keeps the gates after the sigmoid, Γf = σ(...)."),
    Mistake("cache.gamma_u", _gate_preactivation("u"),
            "cache.gamma_u holds the pre-activation: the cache keeps the gates after the sigmoid, Γu = σ(...)."),
    Mistake("cache.gamma_o", _gate_preactivation("o"),
            "cache.gamma_o holds the pre-activation: the cache keeps the gates after the sigmoid, Γo = σ(...)."),
)


def _explain_forward(name, value, reference, args):
    """A cache with the RNN's fields, or with its fields in another order, is named as such."""
    if not name.startswith("cache."):
        return None
    field = name[len("cache."):]
    if isinstance(value, dict):
        return (f"{name} holds the parameters: the cache has the RNN's four fields (a_next, a_prev, xt, parameters)? "
                f"The LSTM's backward step needs its gates, candidate and memory cells too: {COURSE_ORDER}.")
    cache = lstm_cell_forward(*args)[3]
    try:
        value = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    for other in CACHE_FIELDS[:-1]:
        ref = getattr(cache, other)
        if other != field and ref.shape == value.shape and np.allclose(value, ref, rtol=1e-7, atol=1e-10):
            return (f"{name} holds {SYMBOLS[other]} ({other}), not {SYMBOLS[field]}: the fields of the cache are in "
                    f"another order. It is {COURSE_ORDER}; build it by name: {BY_NAME}.")
    return None


def _stacked_memory(failure, cases):
    """The hint for a product that found c<t-1> stacked into the column, or None."""
    args = cases.get(failure.case)
    if args is None or not isinstance(failure.error, ValueError):
        return None
    n_x, n_a = args[0].shape[0], args[1].shape[0]
    sizes = {int(s) for s in re.findall(r"\d+", str(failure.error))}
    if {2 * n_a + n_x, n_a + n_x} <= sizes:
        return (f"The column has 2 n_a + n_x = {2 * n_a + n_x} rows: is c<t-1> stacked into it, as the lecture draws "
                "the peephole connections? This exercise is the standard LSTM, without peepholes: every gate reads "
                "[a<t-1>; x<t>] = np.concatenate([a_prev, xt]), with W (n_a, n_a + n_x).")
    return None


def _verdict_forward(candidate, case, args, time_limit):
    """What a slip no table knows did, read from the learner's own cache: which gate is off, or None."""
    result = run_candidate(candidate, copy.deepcopy(args), lstm_cell_forward, case, time_limit)
    reference = lstm_cell_forward(*copy.deepcopy(args))
    cache, ref_cache = result[3], reference[3]
    got = {}
    for j, field in enumerate(("gamma_f", "gamma_u", "c_tilde", "gamma_o")):  # as check_exercise reads the cache
        if isinstance(cache, dict):
            value = cache.get(field)
        elif hasattr(cache, field):
            value = getattr(cache, field)
        else:
            value = cache[j] if isinstance(cache, (tuple, list)) and len(cache) > j else None
        got[field] = value if isinstance(value, np.ndarray) else None
    if any(v is None for v in got.values()):
        return None
    rows = compare_outputs({f: getattr(ref_cache, f) for f in got}, got)
    off = [row.name for row in rows if not row.close]
    equations = {"gamma_f": "Γf = σ(Wf [a<t-1>; x<t>] + bf)", "gamma_u": "Γu = σ(Wu [a<t-1>; x<t>] + bu)",
                 "c_tilde": "c~<t> = tanh(Wc [a<t-1>; x<t>] + bc)", "gamma_o": "Γo = σ(Wo [a<t-1>; x<t>] + bo)"}
    if off:
        named = " and ".join(f"cache.{f}" for f in off)
        return (f"a_next is off, and so {'is' if len(off) == 1 else 'are'} {named} in your cache: the mistake is in "
                + "; ".join(equations[f] for f in off) + ".")
    if np.allclose(result[1], reference[1], rtol=1e-7, atol=1e-10):
        return ("a_next is off while c_next and the gates in your cache are right: the mistake is in "
                "a<t> = Γo * tanh(c<t>).")
    return ("c_next is off while the gates and the candidate in your cache are right: the mistake is in "
            "c<t> = Γu * c~<t> + Γf * c<t-1>.")


@exercise_checker(lstm_cell_forward)
def check_lstm_cell_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``lstm_cell_forward(xt, a_prev, c_prev, parameters)`` against the reference.

    Compares a_next, c_next, yt_pred and the cache's gamma_f, gamma_u, c_tilde, gamma_o,
    c_next, a_next, c_prev, a_prev and xt (an LSTMCache, a dict with those keys, or a
    tuple in LSTMCache's order) on each case of ``forward_cases``, printing a table per
    case (name, exact, close, max difference). The LSTM is the standard one, without
    peepholes.

    Args:
        candidate: a function with the signature and return values of
            lstm.lstm_cell_forward without peepholes: ``(xt (n_x, m), a_prev (n_a, m),
            c_prev (n_a, m), parameters) -> (a_next, c_next, yt_pred, cache)``.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a
            stub) at the first case that disagrees, with the hint of the mistake made.
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/07_lstm.ipynb, "Exercise: one step of the LSTM"
    """
    cases = list(forward_cases())
    try:
        return check_exercise(candidate, lstm_cell_forward, cases, FORWARD_MISTAKES, outputs=FORWARD_OUTPUTS,
                              letters=FORWARD_LETTERS, time_limit=time_limit, verbose=verbose,
                              explain=_explain_forward)
    except ExerciseNotWritten:
        raise
    except CheckFailed as failure:
        better = None
        if failure.error is not None:
            better = _stacked_memory(failure, dict(cases))
            if better:  # before the long list of the inputs' shapes, where it is read
                text = str(failure)
                at = text.find(" The inputs had shapes")
                better = f"{text[:at]} {better}{text[at:]}" if at >= 0 else f"{text} {better}"
        elif failure.output == "a_next" and str(failure).endswith("compare it line by line with the equations above."):
            better = _verdict_forward(candidate, failure.case, dict(cases)[failure.case], time_limit)
            if better:
                better = f"[{failure.case}] {better}"
        if better is None:
            raise
        raise CheckFailed(better, failure.case, failure.output, failure.error) from None


# ---------------------------------------------------------------------------------------
# lstm_cell_backward(da_next, dc_next, cache) -> {"dxt", "da_prev", "dc_prev", "dWf", "dbf", ...}
# ---------------------------------------------------------------------------------------

GATES = ("f", "u", "c", "o")
KEYS = ("dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWu", "dbu", "dWc", "dbc", "dWo", "dbo")
BACKWARD_LETTERS = {"dxt": "(n_x, m)", "da_prev": "(n_a, m)", "dc_prev": "(n_a, m)",
                    **{f"dW{g}": "(n_a, n_a + n_x)" for g in GATES}, **{f"db{g}": "(n_a, 1)" for g in GATES}}


def backward_cases():
    """Inputs where each path of the gradient can be told apart.

    "general": everything random, biases too. "last step (dc_next = 0)": at t = T_x
    nothing comes back to c<t> from a step t+1, so all of dc<t> comes through a<t>, the
    path ``Γo * (1 − tanh²(c<t>))``. "one example": m = 1, where a missing sum over the
    batch still passes, so the general case catches it instead.
    """
    rng = np.random.default_rng(2112)
    n_x, n_a, m = 3, 4, 5
    parameters = initialize_lstm_parameters(n_x, n_a, None, rng, scale=0.8)
    xt, a_prev, c_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)[3]
    yield Case("general", (rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m)), cache))
    yield Case("last step (dc_next = 0)", (rng.standard_normal((n_a, m)), np.zeros((n_a, m)), cache))
    one = lstm_cell_forward(xt[:, :1], a_prev[:, :1], c_prev[:, :1], parameters)[3]
    yield Case("one example", (rng.standard_normal((n_a, 1)), rng.standard_normal((n_a, 1)), one))


def _read_as_dls(cache):
    """The cache as a learner who unpacks it in the DLS assignment's order reads it."""
    (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters) = tuple(cache)
    return SimpleNamespace(gamma_f=gamma_f, gamma_u=gamma_u, c_tilde=c_tilde, gamma_o=gamma_o, c_next=c_next,
                           a_next=a_next, c_prev=c_prev, a_prev=a_prev, xt=xt, parameters=parameters)


def _backward(da, dc_next, cache, slip=None):
    """The eleven gradients of one step, right (slip None) or with the named slip.

    Written step by step as the notebook derives them, so that each slip changes one line:
    every gradient that depends on that line changes with it, as in a learner's code.
    """
    if slip == "cache read in DLS order":
        cache = _read_as_dls(cache)
    p, c_prev, a_prev, xt = cache.parameters, cache.c_prev, cache.a_prev, cache.xt
    gamma_f, gamma_u, c_tilde, gamma_o, c_next = cache.gamma_f, cache.gamma_u, cache.c_tilde, cache.gamma_o, cache.c_next
    n_a = a_prev.shape[0]

    # a<t> = Γo * tanh(c<t>)
    c_out = c_prev if slip in ("c<t-1> in dΓo", "c<t-1> in the output path") else c_next
    dgamma_o = da * np.tanh(c_out)
    c_out = c_prev if slip in ("c<t-1> in tanh'", "c<t-1> in the output path") else c_next
    through_a = {"tanh' as 1 − c²": da * gamma_o * (1 - c_next**2),
                 "through a<t> without Γo": da * (1 - np.tanh(c_next) ** 2),
                 }.get(slip, da * gamma_o * (1 - np.tanh(c_out) ** 2))
    # dc<t> = dc_next + da<t> * Γo * (1 − tanh²(c<t>)): from step t+1 and through a<t>
    dc = {"no path through a<t>": dc_next, "dc_next forgotten": through_a}.get(slip, dc_next + through_a)
    # c<t> = Γu * c~<t> + Γf * c<t-1>
    dgamma_f = dc * (c_next if slip == "dΓf with c<t>" else c_prev)
    if slip == "dΓu and dc~ swapped":
        dgamma_u, dc_tilde = dc * gamma_u, dc * c_tilde
    else:
        dgamma_u, dc_tilde = dc * c_tilde, dc * gamma_u

    def sigma_prime(gamma):  # Γ = σ(z): σ'(z) = Γ (1 − Γ)
        return {"no σ'": 1.0, "σ twice": _sigmoid(gamma) * (1 - _sigmoid(gamma)),
                "tanh' in the gates": 1 - gamma**2}.get(slip, gamma * (1 - gamma))

    dz = {"f": dgamma_f * sigma_prime(gamma_f), "u": dgamma_u * sigma_prime(gamma_u),
          "c": dc_tilde * {"no tanh' in dz_c": 1.0, "tanh twice in dz_c": 1 - np.tanh(c_tilde) ** 2}.get(
              slip, 1 - c_tilde**2),
          "o": dgamma_o * sigma_prime(gamma_o)}

    dc_prev = {"dc_prev from dc_next": dc_next * gamma_f, "dc_prev without Γf": dc}.get(slip, dc * gamma_f)
    terms = [g for g in GATES if not (slip == "no c~ term in da_prev, dxt" and g == "c")]
    d_stacked = sum(p["W" + g].T @ dz[g] for g in terms)  # ∂J/∂[a<t-1>; x<t>]  (n_a + n_x, m)
    if slip == "split the other way":
        n_x = xt.shape[0]
        da_prev, dxt = d_stacked[n_x:], d_stacked[:n_x]
    else:
        da_prev, dxt = d_stacked[:n_a], d_stacked[n_a:]
    state = cache.a_next if slip == "dW with a<t>" else a_prev
    stacked = np.concatenate([xt, state] if slip == "dW columns swapped" else [state, xt])

    over_batch = a_prev.shape[1] if slip == "averaged" else 1
    gradients = {"dxt": dxt, "da_prev": da_prev, "dc_prev": dc_prev}
    for g in GATES:
        gradients["dW" + g] = dz[g] @ stacked.T / over_batch
        gradients["db" + g] = dz[g].sum(axis=1) if slip == "db shape" else dz[g].sum(axis=1, keepdims=True) / over_batch
    return {key: gradients[key] for key in KEYS}


def _slip(name, outputs):
    """The mistake's values: the outputs it lists, computed with the slip."""
    def wrong(da, dc_next, cache):
        gradients = _backward(da, dc_next, cache, name)
        return {key: gradients[key] for key in outputs}

    wrong.slip = name  # for the tests: which slip, so that they can check the outputs listed
    return wrong


# Which outputs each intermediate gradient reaches: a slip in it spoils exactly these.
_DZ = {g: ("dxt", "da_prev", f"dW{g}", f"db{g}") for g in GATES}
_DC = ("dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWu", "dbu", "dWc", "dbc")  # all but dWo, dbo
_GATES_SIGMA = ("dxt", "da_prev", "dWf", "dbf", "dWu", "dbu", "dWo", "dbo")  # dz_f, dz_u, dz_o: all but c~'s
_DZ_UC = ("dxt", "da_prev", "dWu", "dbu", "dWc", "dbc")
_EQUATIONS = {
    "f": "dz_f = dΓf * Γf (1 − Γf), dΓf = dc<t> * c<t-1>",
    "u": "dz_u = dΓu * Γu (1 − Γu), dΓu = dc<t> * c~<t>",
    "c": "dz_c = dc~ * (1 − c~²), dc~ = dc<t> * Γu",
    "o": "dz_o = dΓo * Γo (1 − Γo), dΓo = da<t> * tanh(c<t>)",
}
_DC_EQUATION = "dc<t> = dc_next + da<t> * Γo * (1 − tanh²(c<t>))"
_IN_DC = (f"everything but dWo and dbo is off: the mistake is in {_DC_EQUATION}, the total gradient reaching c<t>, "
          "from which dz_f, dz_u, dz_c and dc_prev are made")


def _in_dz(g):
    name = {"f": "the forget gate's", "u": "the update gate's", "c": "the candidate's", "o": "the output gate's"}[g]
    return (f"dW{g}, db{g}, da_prev and dxt are off, everything else right: the mistake is in {name} "
            f"{_EQUATIONS[g]}")


_IN_DC_PREV = "only dc_prev is off: dc<t-1> = dc<t> * Γf, with the total dc<t>"

BACKWARD_MISTAKES = (
    Mistake(KEYS, _slip("c<t-1> in the output path", KEYS),
            "every gradient is off: the output path reads c<t-1>. a<t> = Γo * tanh(c<t>) is made from the new "
            "memory, so both dΓo = da<t> * tanh(c<t>) and the path through a<t>, da<t> * Γo * (1 − tanh²(c<t>)), "
            "use c<t> (cache.c_next)."),
    Mistake(KEYS, _slip("cache read in DLS order", KEYS),
            f"every gradient is off, as when the cache is unpacked in the DLS assignment's order {DLS_ORDER}. "
            f"This course's cache is {COURSE_ORDER}: read it by name, cache.gamma_f, cache.c_prev ..."),
    Mistake(_DC, _slip("no path through a<t>", _DC),
            f"{_IN_DC}. The path through a<t>, da<t> * Γo * (1 − tanh²(c<t>)), is missing: c<t> reaches the loss "
            "through a<t> = Γo * tanh(c<t>) too, not only through step t+1."),
    Mistake(_DC, _slip("dc_next forgotten", _DC),
            f"{_IN_DC}. dc_next is missing: the gradient that comes back to c<t> from step t+1 adds to the one "
            "through a<t>."),
    Mistake(_DC, _slip("c<t-1> in tanh'", _DC),
            f"{_IN_DC}. Its tanh' reads c<t-1>: a<t> = Γo * tanh(c<t>), so the factor is 1 − tanh²(c<t>), with "
            "cache.c_next."),
    Mistake(_DC, _slip("tanh' as 1 − c²", _DC),
            f"{_IN_DC}. The factor is 1 − tanh²(c<t>), not 1 − c<t>²: c<t> is no tanh output (c~<t> and Γo are "
            "outputs of their activations; the memory cell is not)."),
    Mistake(_DC, _slip("through a<t> without Γo", _DC),
            f"{_IN_DC}. The path through a<t> lacks its factor Γo: a<t> = Γo * tanh(c<t>), so it is "
            "da<t> * Γo * (1 − tanh²(c<t>))."),
    Mistake(_DZ["o"], _slip("c<t-1> in dΓo", _DZ["o"]),
            f"{_in_dz('o')}: dΓo reads c<t-1>. a<t> = Γo * tanh(c<t>), so dΓo = da<t> * tanh(c<t>), with cache.c_next."),
    Mistake(_DZ["f"], _slip("dΓf with c<t>", _DZ["f"]),
            f"{_in_dz('f')}: dΓf reads c<t>. Γf multiplies the old memory in c<t> = Γu * c~<t> + Γf * c<t-1>, so "
            "dΓf = dc<t> * c<t-1>, with cache.c_prev."),
    Mistake(_DZ["c"], _slip("tanh twice in dz_c", _DZ["c"]),
            f"{_in_dz('c')}: tanh is applied twice. c~ is already tanh(z_c): tanh'(z_c) = 1 − c~², not 1 − tanh(c~)²."),
    Mistake(_DZ["c"], _slip("no tanh' in dz_c", _DZ["c"]), f"{_in_dz('c')}: the factor tanh' = 1 − c~² is missing."),
    Mistake(_DZ_UC, _slip("dΓu and dc~ swapped", _DZ_UC),
            "dWu, dbu, dWc, dbc, da_prev and dxt are off: dΓu and dc~ are swapped. Γu multiplies c~ in "
            "c<t> = Γu * c~<t> + Γf * c<t-1>, so each gets the other as its factor: dΓu = dc<t> * c~<t>, "
            "dc~ = dc<t> * Γu."),
    Mistake(_GATES_SIGMA, _slip("no σ'", _GATES_SIGMA),
            "the gradients of the three gates (dWf, dbf, dWu, dbu, dWo, dbo, and da_prev, dxt) are off, c~'s right: "
            "the factor σ' = Γ (1 − Γ) is missing, dz_f = dΓf * Γf (1 − Γf) and the same for Γu and Γo."),
    Mistake(_GATES_SIGMA, _slip("σ twice", _GATES_SIGMA),
            "the gradients of the three gates (dWf, dbf, dWu, dbu, dWo, dbo, and da_prev, dxt) are off, c~'s right: "
            "σ is applied twice. Γ is already σ(z): σ'(z) = Γ (1 − Γ), not σ(Γ)(1 − σ(Γ))."),
    Mistake(_GATES_SIGMA, _slip("tanh' in the gates", _GATES_SIGMA),
            "the gradients of the three gates (dWf, dbf, dWu, dbu, dWo, dbo, and da_prev, dxt) are off, c~'s right: "
            "σ' is written as tanh'. The gates are sigmoids: σ'(z) = Γ (1 − Γ), not 1 − Γ²."),
    Mistake(("dc_prev",), _slip("dc_prev from dc_next", ("dc_prev",)),
            f"{_IN_DC_PREV}, not dc_next * Γf: what comes through a<t> reaches c<t-1> too."),
    Mistake(("dc_prev",), _slip("dc_prev without Γf", ("dc_prev",)),
            f"{_IN_DC_PREV}: the factor Γf is missing (c<t-1> enters c<t> as Γf * c<t-1>)."),
    Mistake(("dxt", "da_prev"), _slip("no c~ term in da_prev, dxt", ("dxt", "da_prev")),
            "only da_prev and dxt are off: they have four terms, one per pre-activation, "
            "[da<t-1>; dx<t>] = Wfᵀ dz_f + Wuᵀ dz_u + Wcᵀ dz_c + Woᵀ dz_o; the candidate's, Wcᵀ dz_c, is missing."),
    Mistake(("dxt", "da_prev"), _slip("split the other way", ("dxt", "da_prev")),
            "dxt and da_prev are split off the wrong end: [da<t-1>; dx<t>] = Σ W_gᵀ dz_g has the state's rows on top "
            "(the weights act on [a<t-1>; x<t>]), so da_prev is its first n_a rows and dxt the rest."),
    Mistake(("dWf", "dWu", "dWc", "dWo"), _slip("dW with a<t>", ("dWf", "dWu", "dWc", "dWo")),
            "dWf, dWu, dWc and dWo are off: the weights multiply [a<t-1>; x<t>], so dW = dz [a<t-1>; x<t>]ᵀ with "
            "a<t-1> (cache.a_prev), not a<t>."),
    Mistake(("dWf", "dWu", "dWc", "dWo"), _slip("dW columns swapped", ("dWf", "dWu", "dWc", "dWo")),
            "dWf, dWu, dWc and dWo have their columns in the wrong order: the weights act on [a<t-1>; x<t>], the state "
            "on top, so dW = dz [a<t-1>; x<t>]ᵀ, the state's columns first."),
    Mistake(tuple(k for k in KEYS if k.startswith(("dW", "db"))),
            _slip("averaged", tuple(k for k in KEYS if k.startswith(("dW", "db")))),
            "the weight gradients are divided by m: sum over the batch, do not average."),
    Mistake(("dbf", "dbu", "dbc", "dbo"), _slip("db shape", ("dbf", "dbu", "dbc", "dbo")),
            "dbf, dbu, dbc and dbo have the wrong shape (n_a,): they must be (n_a, 1). Sum over the batch with "
            "keepdims=True."),
)


def _chains():
    """Which set of wrong outputs points at which intermediate gradient, for the slips no table knows."""
    chains = {frozenset(_DC): f"{_IN_DC}.", frozenset(KEYS): (
        "every gradient is off: start from the top, dΓo = da<t> * tanh(c<t>) and " + _DC_EQUATION
        + " (both with c<t>, cache.c_next), then dz_f, dz_u, dz_c, dz_o.")}
    for g in GATES:
        chains[frozenset(_DZ[g])] = f"{_in_dz(g)}."
    chains[frozenset(_GATES_SIGMA)] = ("the gradients of the three gates (dWf, dbf, dWu, dbu, dWo, dbo, and da_prev, "
                                       "dxt) are off, c~'s right: look at what the three gates share, "
                                       "σ'(z) = Γ (1 − Γ).")
    return chains


def _verdict_backward(candidate, case, args, time_limit):
    """The intermediate gradient that the learner's wrong outputs are all built from, or None."""
    result = run_candidate(candidate, copy.deepcopy(args), lstm_cell_backward, case, time_limit)
    reference = lstm_cell_backward(*copy.deepcopy(args))
    if not isinstance(result, dict):
        return None
    rows = compare_outputs(reference, {k: result.get(k) for k in reference})
    if any(row.note for row in rows):  # a missing key or a wrong shape: the generic hint says so
        return None
    off = frozenset(row.name for row in rows if not row.close)
    return _chains().get(off)


@exercise_checker(lstm_cell_backward)
def check_lstm_cell_backward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``lstm_cell_backward(da_next, dc_next, cache)`` against the reference.

    Runs it on each case of ``backward_cases`` (the cache is the course's LSTMCache of the
    LSTM without peepholes) and prints a table (name, exact, close, max difference). At
    the first case that disagrees, the hint names what went wrong: when the gradients that
    are off are exactly those built from dc<t> or from one of dz_f, dz_u, dz_c, dz_o, it
    says the mistake is there (and, for a known slip, which); when only dc_prev is off,
    what its one path needs.

    Args:
        candidate: a function with the signature and dict keys of lstm.lstm_cell_backward
            without peepholes: ``(da_next (n_a, m), dc_next (n_a, m), cache) -> {"dxt",
            "da_prev", "dc_prev", "dWf", "dbf", "dWu", "dbu", "dWc", "dbc", "dWo", "dbo"}``.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/07_lstm.ipynb, "Exercise: the backward step"
    """
    cases = list(backward_cases())
    try:
        return check_exercise(candidate, lstm_cell_backward, cases, BACKWARD_MISTAKES, letters=BACKWARD_LETTERS,
                              time_limit=time_limit, verbose=verbose)
    except ExerciseNotWritten:
        raise
    except CheckFailed as failure:
        if failure.error is not None or failure.output not in KEYS \
                or not str(failure).endswith("compare it line by line with the equations above."):
            raise
        better = _verdict_backward(candidate, failure.case, dict(cases)[failure.case], time_limit)
        if better is None:
            raise
        raise CheckFailed(f"[{failure.case}] {better}", failure.case, failure.output) from None
