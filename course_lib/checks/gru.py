"""Checkers for the GRU exercises of notebook 06: one table of cases and known mistakes each.

gru_cell_forward (the full GRU with its relevance gate) and gru_cell_backward, the
second, harder one. The learner's functions are compared with ``course_lib.gru``'s on
inputs where each term can be told apart; a wrong answer that matches a known mistake
gets that mistake's hint, which names the equation (and, for the backward pass, the
intermediate gradient dz_c, dz_u or dz_r) where it went wrong.
Derived in notebooks/06_gru.ipynb, "Exercise: one step of the GRU"
"""

import numpy as np

from course_lib.checks.common import TIME_LIMIT, Case, Mistake, check_exercise, exercise_checker
from course_lib.gru import gru_cell_backward, gru_cell_forward, initialize_gru_parameters

__all__ = ["check_gru_cell_backward", "check_gru_cell_forward"]


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z, axis=0):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------------------------------
# gru_cell_forward(xt, c_prev, parameters) -> (c_next, yt_pred, cache)
# ---------------------------------------------------------------------------------------

FORWARD_OUTPUTS = ("c_next", "yt_pred", "cache")
FORWARD_LETTERS = {"c_next": "(n_a, m)", "yt_pred": "(n_y, m)", "cache.c_next": "(n_a, m)",
                   "cache.c_prev": "(n_a, m)", "cache.xt": "(n_x, m)", "cache.gamma_r": "(n_a, m)",
                   "cache.gamma_u": "(n_a, m)", "cache.c_tilde": "(n_a, m)"}


def forward_cases():
    """Inputs where each term of the GRU can be told apart, biases random too.

    "general": n_x ≠ n_a and a batch of m = 5 (a softmax over the batch is not one over
    n_y). "one example": m = 1, other sizes, other weights.
    """
    rng = np.random.default_rng(2106)
    for name, n_x, n_a, n_y, m in (("general", 3, 4, 2, 5), ("one example", 2, 3, 4, 1)):
        parameters = initialize_gru_parameters(n_x, n_a, n_y, rng, scale=0.8)
        yield Case(name, (rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m)), parameters))


def _steps(xt, c_prev, p, gate=_sigmoid, stack=None, reset="before", candidate=np.tanh, bias_c=True):
    """Γr, Γu, c~ of one step, computed right or with one slip (the keyword arguments)."""
    stack = stack or (lambda top, bottom: np.concatenate([top, bottom]))
    n_a = c_prev.shape[0]
    concat = stack(c_prev, xt)
    gamma_r = gate(p["Wr"] @ concat + p["br"])
    gamma_u = gate(p["Wu"] @ concat + p["bu"])
    bc = p["bc"] if bias_c else 0.0
    if reset == "before":  # the lecture's GRU: Γr scales c<t-1> before the product
        z_c = p["Wc"] @ stack(gamma_r * c_prev, xt) + bc
    elif reset == "after":  # PyTorch's: Γr scales the product
        z_c = gamma_r * (p["Wc"][:, :n_a] @ c_prev) + p["Wc"][:, n_a:] @ xt + bc
    elif reset == "none":  # the simplified GRU
        z_c = p["Wc"] @ concat + bc
    elif reset == "update gate":  # Γu where Γr belongs
        z_c = p["Wc"] @ stack(gamma_u * c_prev, xt) + bc
    else:  # "outside": Γr times the whole candidate
        return gamma_r, gamma_u, gamma_r * candidate(p["Wc"] @ concat + bc)
    return gamma_r, gamma_u, candidate(z_c)


def _c_next(xt, c_prev, p, update="lecture", **slip):
    _, gamma_u, c_tilde = _steps(xt, c_prev, p, **slip)
    if update == "lecture":
        return gamma_u * c_tilde + (1 - gamma_u) * c_prev  # c<t> = Γu * c~ + (1 − Γu) * c<t-1>
    if update == "other way":
        return (1 - gamma_u) * c_tilde + gamma_u * c_prev
    return c_tilde  # "none": c<t> = c~


def _y(c, p):
    return _softmax(p["Wy"] @ c + p["by"])


FORWARD_MISTAKES = (
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, update="other way"),
            "c_next is off: the update is the other way round. Γu is the share of the candidate: "
            "c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>, so that Γu ≈ 0 keeps c<t-1>. (Cho et al. and PyTorch write "
            "(1 − z) * c~ + z * c<t-1>: their z is 1 − Γu.)"),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, update="none"),
            "c_next is off: it is the candidate c~<t> alone. c<t> mixes it with the old value: "
            "c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, reset="after"),
            "c_next is off: Γr multiplies the product Wc[:, :n_a] c<t-1>, which is PyTorch's GRU (reset after). "
            "The lecture's GRU scales c<t-1> before the product: c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, reset="none"),
            "c_next is off: the candidate has no relevance gate, which is the simplified GRU. The full GRU "
            "reads Γr * c<t-1>: c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, reset="outside"),
            "c_next is off: Γr multiplies the whole candidate. Γr decides how much of c<t-1> enters the "
            "candidate, inside the product: c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc), not Γr * tanh(...)."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, reset="update gate"),
            "c_next is off: the candidate reads Γu * c<t-1>. Its gate is the relevance gate Γr: "
            "c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc); Γu only mixes c~<t> with c<t-1>."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, stack=lambda top, bottom: np.concatenate([bottom, top])),
            "c_next is off: the input is stacked on top. The gate weights act on [c<t-1>; x<t>], the state on "
            "top: np.concatenate([c_prev, xt]) (and [Γr * c_prev, xt] for the candidate)."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, gate=np.tanh),
            "c_next is off: the gates use tanh. Γr and Γu are sigmoids, σ(z) = 1 / (1 + e^(−z)), so that "
            "they lie between 0 and 1."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, candidate=_sigmoid),
            "c_next is off: the candidate uses a sigmoid. c~<t> is a tanh, with values in (−1, 1): "
            "c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, candidate=lambda z: z),
            "c_next is off: apply tanh to the candidate, c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)."),
    Mistake("c_next", lambda xt, c_prev, p: _c_next(xt, c_prev, p, bias_c=False),
            "c_next is off: the bias bc is left out of the candidate, c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)."),
    Mistake("yt_pred", lambda xt, c_prev, p: _y(c_prev, p),
            "yt_pred is off: ŷ<t> reads the new memory cell c<t>, not c<t-1>: ŷ<t> = softmax(Wy c<t> + by)."),
    Mistake("yt_pred", lambda xt, c_prev, p: _softmax(p["Wy"] @ _c_next(xt, c_prev, p) + p["by"], axis=1),
            "yt_pred is off: the softmax is over the wrong axis. It runs over the n_y axis (axis=0), so that each "
            "column (one example) sums to 1."),
    Mistake("yt_pred", lambda xt, c_prev, p: _sigmoid(p["Wy"] @ _c_next(xt, c_prev, p) + p["by"]),
            "yt_pred is off: that is a sigmoid of each score; ŷ<t> is a softmax over the n_y classes, "
            "softmax(Wy c<t> + by)."),
    Mistake("yt_pred", lambda xt, c_prev, p: p["Wy"] @ _c_next(xt, c_prev, p) + p["by"],
            "yt_pred is off: apply the softmax, ŷ<t> = softmax(Wy c<t> + by)."),
    Mistake("cache.gamma_u", lambda xt, c_prev, p: p["Wu"] @ np.concatenate([c_prev, xt]) + p["bu"],
            "cache.gamma_u holds the pre-activation: the cache keeps the gates after the sigmoid, Γu = σ(...)."),
    Mistake("cache.gamma_r", lambda xt, c_prev, p: p["Wr"] @ np.concatenate([c_prev, xt]) + p["br"],
            "cache.gamma_r holds the pre-activation: the cache keeps the gates after the sigmoid, Γr = σ(...)."),
    Mistake("cache.gamma_r", lambda xt, c_prev, p: _steps(xt, c_prev, p)[1],
            "cache.gamma_r holds Γu (and cache.gamma_u perhaps Γr): GRUCache(c_next, c_prev, xt, gamma_r, "
            "gamma_u, c_tilde, parameters, variant), in that order."),
    Mistake("cache.c_tilde", lambda xt, c_prev, p: _c_next(xt, c_prev, p),
            "cache.c_tilde holds c<t>: it is the candidate c~<t>, before the update mixes it with c<t-1>."),
)


def _explain_forward(name, value, reference, args):
    """A cache with the RNN's four fields (a_next, a_prev, xt, parameters) holds the parameters where a gate belongs."""
    if name.startswith("cache.") and isinstance(value, dict):
        return (f"{name} holds the parameters: the cache has the RNN's four fields (a_next, a_prev, xt, parameters). "
                "The GRU's backward step needs its gates and candidate too: cache = GRUCache(c_next, c_prev, xt, "
                'gamma_r, gamma_u, c_tilde, parameters, "full").')
    return None


@exercise_checker(gru_cell_forward)
def check_gru_cell_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``gru_cell_forward(xt, c_prev, parameters)`` against the reference.

    Compares c_next, yt_pred and the cache's c_next, c_prev, xt, gamma_r, gamma_u and
    c_tilde (a GRUCache, a dict with those keys, or a tuple in GRUCache's order) on each
    case of ``forward_cases``, printing a table per case (name, exact, close, max difference).

    Args:
        candidate: a function with the signature and return values of gru.gru_cell_forward
            for the full GRU: ``(xt (n_x, m), c_prev (n_a, m), parameters) -> (c_next,
            yt_pred, cache)``.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a
            stub) at the first case that disagrees, with the hint of the mistake made.
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/06_gru.ipynb, "Exercise: one step of the GRU"
    """
    return check_exercise(candidate, gru_cell_forward, forward_cases(), FORWARD_MISTAKES,
                          outputs=FORWARD_OUTPUTS, letters=FORWARD_LETTERS, time_limit=time_limit,
                          verbose=verbose, explain=_explain_forward)


# ---------------------------------------------------------------------------------------
# gru_cell_backward(dc_next, cache) -> {"dxt", "dc_prev", "dWr", "dbr", "dWu", "dbu", "dWc", "dbc"}
# ---------------------------------------------------------------------------------------

KEYS = ("dxt", "dc_prev", "dWr", "dbr", "dWu", "dbu", "dWc", "dbc")
BACKWARD_LETTERS = {"dxt": "(n_x, m)", "dc_prev": "(n_a, m)", "dWr": "(n_a, n_a + n_x)", "dbr": "(n_a, 1)",
                    "dWu": "(n_a, n_a + n_x)", "dbu": "(n_a, 1)", "dWc": "(n_a, n_a + n_x)", "dbc": "(n_a, 1)"}


def backward_cases():
    """Inputs where each path of the gradient can be told apart.

    "general": everything random, biases too. "c_prev = 0": dΓr = (Wccᵀ dz_c) * c<t-1>
    vanishes, and with it dWr, dbr and the state columns of dWu and dWc, so a dΓr that
    forgets the factor c<t-1> shows at once. "one example": m = 1, where a missing sum
    over the batch still passes, so the general case catches it instead.
    """
    rng = np.random.default_rng(2107)
    n_x, n_a, m = 3, 4, 5
    parameters = initialize_gru_parameters(n_x, n_a, None, rng, scale=0.8)
    xt, c_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    for name, c_prev_case, columns in (("general", c_prev, m), ("c_prev = 0", np.zeros((n_a, m)), m),
                                       ("one example", c_prev[:, :1], 1)):
        _, _, cache = gru_cell_forward(xt[:, :columns], c_prev_case, parameters)
        yield Case(name, (rng.standard_normal((n_a, columns)), cache))


def _backward(dc, cache, slip=None):
    """The eight gradients of one step, right (slip None) or with the named slip.

    Written step by step as the notebook derives them, so that each slip changes one line:
    every gradient that depends on that line changes with it, as in a learner's code.
    """
    p, c_prev, xt = cache.parameters, cache.c_prev, cache.xt
    gamma_r, gamma_u, c_tilde = cache.gamma_r, cache.gamma_u, cache.c_tilde
    n_a = c_prev.shape[0]
    W = {k: p[k] for k in ("Wr", "Wu", "Wc")}

    # c<t> = Γu * c~ + (1 − Γu) * c<t-1>
    if slip == "update other way":
        dc_tilde, dgamma_u, direct = dc * (1 - gamma_u), dc * (c_prev - c_tilde), dc * gamma_u
    else:
        dc_tilde = dc if slip == "dc_tilde without Γu" else dc * gamma_u
        dgamma_u = dc * (c_prev - c_tilde) if slip == "dΓu sign" else dc * (c_tilde - c_prev)
        direct = {"direct with Γu": dc * gamma_u, "no direct path": 0.0}.get(slip, dc * (1 - gamma_u))
    # c~ = tanh(z_c)
    tanh_prime = {"no tanh'": 1.0, "tanh twice": 1 - np.tanh(c_tilde) ** 2}.get(slip, 1 - c_tilde**2)
    dz_c = dc_tilde * tanh_prime
    # Γu = σ(z_u)
    sigma_prime_u = {"no σ' in dz_u": 1.0, "σ twice in dz_u": _sigmoid(gamma_u) * (1 - _sigmoid(gamma_u)),
                     "tanh' in dz_u": 1 - gamma_u**2}.get(slip, gamma_u * (1 - gamma_u))
    dz_u = dgamma_u * sigma_prime_u
    # z_c = Wc [Γr * c<t-1>; x<t>] + bc: the gradient reaching Γr * c<t-1>
    Wcc = W["Wc"][:, :n_a]
    d_reset = (Wcc if slip == "Wcc without transpose" else Wcc.T) @ dz_c
    dgamma_r = d_reset if slip == "dΓr without c_prev" else d_reset * c_prev
    sigma_prime_r = {"no σ' in dz_r": 1.0, "tanh' in dz_r": 1 - gamma_r**2}.get(slip, gamma_r * (1 - gamma_r))
    dz_r = dgamma_r * sigma_prime_r

    dz = {"Wr": dz_r, "Wu": dz_u, "Wc": dz_c}
    gate_paths = W["Wu"][:, :n_a].T @ dz_u + W["Wr"][:, :n_a].T @ dz_r
    reset_path = {"reset path without Γr": d_reset, "no reset path": 0.0}.get(slip, d_reset * gamma_r)
    dc_prev = direct + reset_path + (0.0 if slip == "no gate paths" else gate_paths)
    dxt = sum(W[k][:, n_a:].T @ dz[k] for k in W if not (slip == "dxt without Γr's term" and k == "Wr"))
    if slip == "dxt from all columns":
        dxt = sum(W[k].T @ dz[k] for k in W)

    def stacked(k):
        state = c_prev if (k != "Wc" or slip == "dWc with c_prev") else gamma_r * c_prev
        return np.concatenate([xt, state] if slip == "dW columns swapped" else [state, xt])

    over_batch = c_prev.shape[1] if slip == "averaged" else 1
    gradients = {"dxt": dxt, "dc_prev": dc_prev}
    for k in W:
        gradients["d" + k] = dz[k] @ stacked(k).T / over_batch
        gradients["db" + k[1:]] = dz[k].sum(axis=1) if slip == "db shape" else \
            dz[k].sum(axis=1, keepdims=True) / over_batch
    return {key: gradients[key] for key in KEYS}


def _slip(name, outputs):
    """The mistake's values: the outputs it lists, computed with the slip."""
    def wrong(dc, cache):
        gradients = _backward(dc, cache, name)
        return {key: gradients[key] for key in outputs}

    wrong.slip = name  # for the tests: which slip, so that they can check the outputs listed
    return wrong


_DZ_C = ("dxt", "dc_prev", "dWr", "dbr", "dWc", "dbc")  # everything built from dz_c (dz_r too, through Wccᵀ dz_c)
_DZ_U = ("dxt", "dc_prev", "dWu", "dbu")
_DZ_R = ("dxt", "dc_prev", "dWr", "dbr")
_IN_DZ_C = ("dWc, dbc and everything built from dz_c (dxt, dc_prev, and dWr, dbr through Γr) are off, while dWu "
            "and dbu are right: the mistake is in dz_c = dc~ * (1 − c~²), dc~ = dc<t> * Γu")
_IN_DZ_U = ("dWu, dbu, dxt and dc_prev are off, everything else right: the mistake is in "
            "dz_u = dΓu * Γu (1 − Γu), dΓu = dc<t> * (c~ − c<t-1>)")
_IN_DZ_R = ("dWr, dbr, dxt and dc_prev are off, everything else right: the mistake is in "
            "dz_r = dΓr * Γr (1 − Γr), dΓr = (Wccᵀ dz_c) * c<t-1>")
_IN_DC_PREV = "only dc_prev is off: of its four paths, dc<t-1> = dc<t> * (1 − Γu) + (Wccᵀ dz_c) * Γr + Wucᵀ dz_u + Wrcᵀ dz_r"

BACKWARD_MISTAKES = (
    Mistake(KEYS, _slip("update other way", KEYS),
            "every gradient is off in the way of an update taken the other way round: c<t> = Γu * c~ + "
            "(1 − Γu) * c<t-1> gives dc~ = dc<t> * Γu, dΓu = dc<t> * (c~ − c<t-1>) and the direct path "
            "dc<t> * (1 − Γu)."),
    Mistake(_DZ_C, _slip("no tanh'", _DZ_C), f"{_IN_DZ_C}: the factor tanh' = 1 − c~² is missing."),
    Mistake(_DZ_C, _slip("tanh twice", _DZ_C),
            f"{_IN_DZ_C}: tanh is applied twice. c~ is already tanh(z_c): tanh'(z_c) = 1 − c~², not 1 − tanh(c~)²."),
    Mistake(_DZ_C, _slip("dc_tilde without Γu", _DZ_C),
            f"{_IN_DZ_C}: dc~ lacks its factor Γu. c~ enters c<t> as Γu * c~, so dc~ = dc<t> * Γu."),
    Mistake(_DZ_U, _slip("dΓu sign", _DZ_U),
            f"{_IN_DZ_U}: its sign is flipped. ∂c<t>/∂Γu = c~ − c<t-1>, not c<t-1> − c~."),
    Mistake(_DZ_U, _slip("no σ' in dz_u", _DZ_U), f"{_IN_DZ_U}: the factor σ' = Γu (1 − Γu) is missing."),
    Mistake(_DZ_U, _slip("σ twice in dz_u", _DZ_U),
            f"{_IN_DZ_U}: σ is applied twice. Γu is already σ(z_u): σ'(z_u) = Γu (1 − Γu), not σ(Γu)(1 − σ(Γu))."),
    Mistake(_DZ_U, _slip("tanh' in dz_u", _DZ_U),
            f"{_IN_DZ_U}: its σ' is written as tanh'. Γu is a sigmoid: σ'(z_u) = Γu (1 − Γu), not 1 − Γu²."),
    Mistake(_DZ_R, _slip("dΓr without c_prev", _DZ_R),
            f"{_IN_DZ_R}: dΓr lacks its factor c<t-1>. Γr enters z_c as Γr * c<t-1>, so dΓr = (Wccᵀ dz_c) * c<t-1>."),
    Mistake(_DZ_R, _slip("no σ' in dz_r", _DZ_R), f"{_IN_DZ_R}: the factor σ' = Γr (1 − Γr) is missing."),
    Mistake(_DZ_R, _slip("tanh' in dz_r", _DZ_R),
            f"{_IN_DZ_R}: its σ' is written as tanh'. Γr is a sigmoid: σ'(z_r) = Γr (1 − Γr), not 1 − Γr²."),
    Mistake(("dxt", "dc_prev", "dWr", "dbr"), _slip("Wcc without transpose", ("dxt", "dc_prev", "dWr", "dbr")),
            f"{_IN_DZ_R}, and the reset path of dc_prev: use the transpose, ∂J/∂(Γr * c<t-1>) = Wccᵀ dz_c with "
            "Wcc = Wc[:, :n_a], not Wcc dz_c."),
    Mistake(("dc_prev",), _slip("no direct path", ("dc_prev",)), f"{_IN_DC_PREV}. The direct path dc<t> * (1 − Γu) "
            "is missing: the one along which the gradient survives when Γu ≈ 0."),
    Mistake(("dc_prev",), _slip("direct with Γu", ("dc_prev",)),
            f"{_IN_DC_PREV}. The direct path is dc<t> * (1 − Γu), not dc<t> * Γu."),
    Mistake(("dc_prev",), _slip("no reset path", ("dc_prev",)),
            f"{_IN_DC_PREV}. The path through the candidate, (Wccᵀ dz_c) * Γr, is missing."),
    Mistake(("dc_prev",), _slip("reset path without Γr", ("dc_prev",)),
            f"{_IN_DC_PREV}. The path through the candidate is (Wccᵀ dz_c) * Γr: c<t-1> enters it as Γr * c<t-1>."),
    Mistake(("dc_prev",), _slip("no gate paths", ("dc_prev",)),
            f"{_IN_DC_PREV}. The paths through the gates, Wucᵀ dz_u + Wrcᵀ dz_r (the state columns Wu[:, :n_a], "
            "Wr[:, :n_a]), are missing: c<t-1> is an input of Γu and Γr too."),
    Mistake(("dxt",), _slip("dxt without Γr's term", ("dxt",)),
            "only dxt is off: it has three terms, dx<t> = Wrxᵀ dz_r + Wuxᵀ dz_u + Wcxᵀ dz_c; Γr's is missing."),
    Mistake(("dxt",), _slip("dxt from all columns", ("dxt",)),
            "dxt has the wrong shape (n_a + n_x, m): take the input columns of each weight, Wrx = Wr[:, n_a:] ...: "
            "dx<t> = Wrxᵀ dz_r + Wuxᵀ dz_u + Wcxᵀ dz_c."),
    Mistake(("dWc",), _slip("dWc with c_prev", ("dWc",)),
            "only dWc is off: Wc multiplies [Γr * c<t-1>; x<t>], so dWc = dz_c [Γr * c<t-1>; x<t>]ᵀ, not "
            "dz_c [c<t-1>; x<t>]ᵀ."),
    Mistake(("dWr", "dWu", "dWc"), _slip("dW columns swapped", ("dWr", "dWu", "dWc")),
            "dWr, dWu and dWc have their columns in the wrong order: the weights act on [c<t-1>; x<t>], the state "
            "on top, so dW = dz [c<t-1>; x<t>]ᵀ, the state's columns first."),
    Mistake(("dWr", "dbr", "dWu", "dbu", "dWc", "dbc"), _slip("averaged", ("dWr", "dbr", "dWu", "dbu", "dWc", "dbc")),
            "the weight gradients are divided by m: sum over the batch, do not average."),
    Mistake(("dbr", "dbu", "dbc"), _slip("db shape", ("dbr", "dbu", "dbc")),
            "dbr, dbu and dbc have the wrong shape (n_a,): they must be (n_a, 1). Sum over the batch with "
            "keepdims=True."),
)


@exercise_checker(gru_cell_backward)
def check_gru_cell_backward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``gru_cell_backward(dc_next, cache)`` against the reference.

    Runs it on each case of ``backward_cases`` (the cache is the course's GRUCache of the
    full GRU) and prints a table (name, exact, close, max difference). At the first case
    that disagrees, the hint names what went wrong: when the gradients that are off are
    exactly those built from one of dz_c, dz_u, dz_r, it says the mistake is there, and
    which; when only dc_prev is off, which of its four paths.

    Args:
        candidate: a function with the signature and dict keys of gru.gru_cell_backward:
            ``(dc_next (n_a, m), cache) -> {"dxt", "dc_prev", "dWr", "dbr", "dWu", "dbu",
            "dWc", "dbc"}``.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/06_gru.ipynb, "Exercise: the backward step"
    """
    return check_exercise(candidate, gru_cell_backward, backward_cases(), BACKWARD_MISTAKES,
                          letters=BACKWARD_LETTERS, time_limit=time_limit, verbose=verbose)
