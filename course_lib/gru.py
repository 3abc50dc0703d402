"""The GRU (gated recurrent unit) as a cell of the recurrent core: forward pass and BPTT.

The full GRU of the lecture (Cho et al. 2014; the memory cell is the hidden state, c<t> = a<t>):

    Γr = σ(Wr [c<t-1>; x<t>] + br)                  relevance gate (elsewhere: reset gate)
    Γu = σ(Wu [c<t-1>; x<t>] + bu)                  update gate
    c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)       candidate
    c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>
    ŷ<t> = softmax(Wy c<t> + by)

Two variants run on the same functions (``variant=``):

- ``"simplified"``: the GRU the lecture starts from, without relevance gate (Γr ≡ 1):
  c~<t> = tanh(Wc [c<t-1>; x<t>] + bc). Parameters Wu, bu, Wc, bc.
- ``"reset_after"``: the form of cuDNN, PyTorch's ``nn.GRU`` and Keras (``reset_after=True``).
  Γr scales the product of c<t-1> with the state columns of Wc, which has a bias of its own,
  bcc; and the update is written the other way round, Γu being the share of c<t-1> kept
  (PyTorch's z):

      c~<t> = tanh(Wcx x<t> + bc + Γr * (Wcc c<t-1> + bcc))     Wcc = Wc[:, :n_a], Wcx = Wc[:, n_a:]
      c<t> = (1 − Γu) * c~<t> + Γu * c<t-1>

  Parameters Wr, br, Wu, bu, Wc, bc, bcc. ``to_torch_gru`` / ``from_torch_gru`` map them to
  and from ``nn.GRU``'s weights.

Shapes: x (n_x, m, T_x), c0 (n_a, m), c (n_a, m, T_x), y_pred (n_y, m, T_x); gate weights
Wr, Wu, Wc (n_a, n_a + n_x), acting on the stacked column [c<t-1>; x<t>] (state on top);
biases br, bu, bc, bcc (n_a, 1); output layer Wy (n_y, n_a), by (n_y, 1), optional.
The time loops live in ``recurrent.py``, shared with every other cell; this module holds
the cell's equations, the four functions of the DLS assignment and the steps the driver runs.
Derived in notebooks/06_gru.ipynb, "The full GRU" (the variants: "Which GRU?").
"""

import functools
from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_float_array,
    as_generator,
    check_bool,
    check_choice,
    check_letters,
    check_positive_float,
    check_positive_int,
    checked,
    float_parameters,
    require_keys,
    sequence_inputs,
    shaped_array,
)
from course_lib.activations import sigmoid
from course_lib.recurrent import (
    HALF,
    Cell,
    SequenceCache,
    across_batch,
    add_bias,
    matmul_steps,
    one_hot_matmul,
    one_hot_outer_sum,
    outer_sum,
    predictions,
    register_cell,
    sequence_backward,
    sequence_forward,
    sum_steps,
)

__all__ = [
    "GRU_CELLS",
    "GRUCache",
    "GRUCaches",
    "VARIANTS",
    "check_gru_parameters",
    "from_torch_gru",
    "gru_backward",
    "gru_cell_backward",
    "gru_cell_forward",
    "gru_forward",
    "gru_parameter_gradients",
    "gru_step_backward",
    "initialize_gru_parameters",
    "to_torch_gru",
]

VARIANTS = ("full", "simplified", "reset_after")
PARAMETER_KEYS = {
    "full": ("Wr", "br", "Wu", "bu", "Wc", "bc"),
    "simplified": ("Wu", "bu", "Wc", "bc"),
    "reset_after": ("Wr", "br", "Wu", "bu", "Wc", "bc", "bcc"),
}
OUTPUT_KEYS = ("Wy", "by")
# The gradient of one step that the parameter gradients are built from: dz, the gradients
# dz_r, dz_u, dz_c of the pre-activations z_r, z_u, z_c of Γr, Γu, c~ stacked as rows,
# [dz_r; dz_u; dz_c] (the simplified GRU: [dz_u; dz_c]), so that each sum over the steps is
# one large matrix product for all gates. (Reset after, the gradient of z_cc = Wcc c<t-1> +
# bcc, the product Γr scales, is dz_cc = dz_c * Γr: read off dz and the cache.)
LOCAL_NAMES = ("dz",)
STEP_FIELDS = ("c_next", "gamma_r", "gamma_u", "c_tilde")


class GRUCache(NamedTuple):
    """What one GRU step's backward pass needs, named as in the equations (gates post-activation)."""

    c_next: np.ndarray  # c<t>    (n_a, m)
    c_prev: np.ndarray  # c<t-1>  (n_a, m)
    xt: np.ndarray  # x<t>        (n_x, m)
    gamma_r: np.ndarray  # Γr<t>  (n_a, m); all ones for the simplified GRU (Γr ≡ 1)
    gamma_u: np.ndarray  # Γu<t>  (n_a, m); reset after: the share of c<t-1> kept (PyTorch's z)
    c_tilde: np.ndarray  # c~<t>  (n_a, m)
    parameters: dict  # Wr, br, Wu, bu, Wc, bc (and bcc, Wy, by), as the variant has them
    variant: str  # "full", "simplified" or "reset_after"


# gru_forward's caches: one SequenceCache of the recurrent core; caches[t] is a GRUCache.
GRUCaches = SequenceCache


def _check_variant(variant):
    return check_choice("variant", variant, VARIANTS)


def initialize_gru_parameters(n_x, n_a, n_y, rng, scale=0.1, variant="full"):
    """Small random weights and biases for a GRU cell (and its softmax output layer).

    Args:
        n_x, n_a: input size and memory-cell (hidden-state) size.
        n_y: output size, or None for a cell without output layer (no Wy, by).
        rng: a np.random.Generator or an int seed, the only source of randomness.
        scale: standard deviation of every entry.
        variant: "full", "simplified" (no Wr, br) or "reset_after" (bcc too).
    Returns:
        parameters: dict with Wr (n_a, n_a + n_x), br (n_a, 1), Wu, bu, Wc, bc of the same
        shapes (the variant's keys) and, unless n_y is None, Wy (n_y, n_a), by (n_y, 1).

    The biases are random too (not zeros) so that a test cannot miss a bias bug.
    Derived in notebooks/06_gru.ipynb, "The full GRU"
    """
    n_x = check_positive_int("n_x", n_x)
    n_a = check_positive_int("n_a", n_a)
    n_y = None if n_y is None else check_positive_int("n_y", n_y)
    rng = as_generator("rng", rng)
    scale = check_positive_float("scale", scale)
    variant = _check_variant(variant)

    shapes = {k: (n_a, n_a + n_x) if k.startswith("W") else (n_a, 1) for k in PARAMETER_KEYS[variant]}
    if n_y is not None:
        shapes.update(Wy=(n_y, n_a), by=(n_y, 1))
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


def check_gru_parameters(parameters, name="parameters", variant="full"):
    """A new dict of the parameters as float64 arrays, after checking keys and shapes.

    Wc (in every variant) defines n_a and n_x; every other entry must agree with them.
    The output layer (Wy, by) is optional, but needs both entries; a key the variant does
    not have (Wr for the simplified GRU) is refused.
    """
    variant = _check_variant(variant)
    p = float_parameters(name, parameters, PARAMETER_KEYS[variant], OUTPUT_KEYS)
    n_a, n_ax = check_letters(f'{name}["Wc"]', p["Wc"], "(n_a, n_a + n_x)").shape
    if n_ax <= n_a:
        raise ValueError(
            f'{name}["Wc"] must have shape (n_a, n_a + n_x) with n_x >= 1: more columns than rows, '
            f"got {p['Wc'].shape}"
        )
    sizes = {"n_a": n_a, "n_a + n_x": n_ax}
    for key in PARAMETER_KEYS[variant]:
        check_letters(f'{name}["{key}"]', p[key], "(n_a, n_a + n_x)" if key.startswith("W") else "(n_a, 1)", **sizes)
    if "Wy" in p:
        n_y = check_letters(f'{name}["Wy"]', p["Wy"], "(n_y, n_a)", n_a=n_a).shape[0]
        check_letters(f'{name}["by"]', p["by"], "(n_y, 1)", n_y=n_y)
    return p


def _sizes(p):
    """(n_x, n_a) of checked parameters."""
    n_a, n_ax = p["Wc"].shape
    return n_ax - n_a, n_a


# ---------------------------------------------------------------------------------------
# Argument checks at the door
# ---------------------------------------------------------------------------------------


def _check_cell_forward(xt, c_prev, parameters, variant="full"):
    variant = _check_variant(variant)
    p = check_gru_parameters(parameters, variant=variant)
    n_x, n_a = _sizes(p)
    xt = shaped_array("xt", xt, "(n_x, m)", n_x=n_x)  # xt defines m
    c_prev = shaped_array("c_prev", c_prev, "(n_a, m)", n_a=n_a, m=xt.shape[1])
    return xt, c_prev, p, variant


def _check_forward(x, c0, parameters, variant="full"):
    variant = _check_variant(variant)
    p = check_gru_parameters(parameters, variant=variant)
    x, c0 = sequence_inputs(x, c0, *_sizes(p), a0_name="c0")
    return x, c0, p, variant


def _check_cache(cache):
    if not isinstance(cache, GRUCache):
        raise ValueError(f"cache must be what gru_cell_forward returned (a GRUCache), got {type(cache).__name__}")
    return cache


def _check_cell_backward(dc_next, cache):
    cache = _check_cache(cache)
    n_a, m = cache.c_next.shape
    return shaped_array("dc_next", dc_next, "(n_a, m)", n_a=n_a, m=m), cache


def _as_sequence_cache(caches):
    """The SequenceCache of gru_forward, or one stacked from a list of GRUCache."""
    if isinstance(caches, (list, tuple)) and not isinstance(caches, GRUCache) and caches \
            and all(isinstance(c, GRUCache) for c in caches):
        first = caches[0]
        if any(c.variant != first.variant for c in caches):
            raise ValueError("caches must all come from the same GRU variant, got " + str({c.variant for c in caches}))
        cell = GRU_CELLS[first.variant]
        return SequenceCache(
            cell, np.stack([c.xt for c in caches], axis=2), (first.c_prev,),
            {k: first.parameters[k] for k in cell.parameter_keys}, {"variant": first.variant},
            {f: np.stack([getattr(c, f) for c in caches], axis=2) for f in STEP_FIELDS},
        )
    if not isinstance(caches, SequenceCache):
        raise ValueError(
            f"caches must be what gru_forward returned (GRUCaches) or a list of GRUCache, got {type(caches).__name__}"
        )
    if not any(caches.cell is cell for cell in GRU_CELLS.values()):
        raise ValueError(f"caches must come from a GRU cell, got caches of the {caches.cell.name!r} cell")
    return caches


def _check_backward(dc, caches, input_gradient=True):
    caches = _as_sequence_cache(caches)
    n_a, m, T_x = caches.state("c").shape
    dc = shaped_array("dc", dc, "(n_a, m, T_x)", n_a=n_a, m=m, T_x=T_x)
    return dc, caches, check_bool("input_gradient", input_gradient)


# ---------------------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------------------


@checked(_check_cell_forward)
def gru_cell_forward(xt, c_prev, parameters, variant="full"):
    """One step of the GRU: c<t> from c<t-1> and x<t>, and the prediction ŷ<t>.

    Args:
        xt: x<t>, shape (n_x, m).
        c_prev: c<t-1>, shape (n_a, m).
        parameters: dict with the variant's gate weights (n_a, n_a + n_x) and biases
            (n_a, 1): Wr, br, Wu, bu, Wc, bc ("full"); Wu, bu, Wc, bc ("simplified");
            Wr, br, Wu, bu, Wc, bc, bcc ("reset_after"); optionally Wy (n_y, n_a), by (n_y, 1).
        variant: "full" (default), "simplified" or "reset_after".
    Returns:
        c_next: c<t>, shape (n_a, m).
        yt_pred: ŷ<t>, shape (n_y, m), or None without Wy, by.
        cache: GRUCache(c_next, c_prev, xt, gamma_r, gamma_u, c_tilde, parameters, variant).

    Derived in notebooks/06_gru.ipynb, "The full GRU" (and "The simplified GRU")
    """
    n_a = c_prev.shape[0]
    Wu, bu, Wc, bc = parameters["Wu"], parameters["bu"], parameters["Wc"], parameters["bc"]
    concat = np.concatenate([c_prev, xt])  # [c<t-1>; x<t>]  (n_a + n_x, m)

    if variant == "simplified":  # the lecture's first GRU: no relevance gate
        gamma_r = np.ones_like(c_prev)  # Γr ≡ 1  (n_a, m)
    else:
        gamma_r = sigmoid(parameters["Wr"] @ concat + parameters["br"])  # Γr = σ(Wr [c<t-1>; x<t>] + br)  (n_a, m)
    gamma_u = sigmoid(Wu @ concat + bu)  # Γu = σ(Wu [c<t-1>; x<t>] + bu)  (n_a, m)

    if variant != "reset_after":
        c_tilde = np.tanh(Wc @ np.concatenate([gamma_r * c_prev, xt]) + bc)  # c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)  (n_a, m)
        c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev  # c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>  (n_a, m)
    else:  # cuDNN, PyTorch, Keras: Γr scales Wcc c<t-1> + bcc, and Γu keeps c<t-1>
        Wcc, Wcx, bcc = Wc[:, :n_a], Wc[:, n_a:], parameters["bcc"]
        c_tilde = np.tanh(Wcx @ xt + bc + gamma_r * (Wcc @ c_prev + bcc))  # c~<t> = tanh(Wcx x<t> + bc + Γr * (Wcc c<t-1> + bcc))
        c_next = (1 - gamma_u) * c_tilde + gamma_u * c_prev  # c<t> = (1 − Γu) * c~<t> + Γu * c<t-1>

    yt_pred = predictions(c_next, parameters, "Wy", "by")  # ŷ<t> = softmax(Wy c<t> + by)  (n_y, m)
    return c_next, yt_pred, GRUCache(c_next, c_prev, xt, gamma_r, gamma_u, c_tilde, parameters, variant)


@checked(_check_forward)
def gru_forward(x, c0, parameters, variant="full"):
    """The GRU over a whole sequence: every memory cell c<t> (= a<t>) and prediction ŷ<t>.

    Args:
        x: inputs, shape (n_x, m, T_x); x[:, :, t] is x<t+1>.
        c0: c<0>, shape (n_a, m).
        parameters: the variant's parameters (see gru_cell_forward), optionally Wy, by.
        variant: "full" (default), "simplified" or "reset_after".
    Returns:
        c: memory cells c<1> ... c<T_x>, shape (n_a, m, T_x).
        y_pred: predictions, shape (n_y, m, T_x), or None without Wy, by.
        caches: the SequenceCache for gru_backward; caches[t] is step t's GRUCache and
            caches.stacked.gamma_u every Γu<t>, (n_a, m, T_x).

    The recurrent core's driver steps the cell from t = 1 to T_x. Only the products with
    c<t-1> wait for the previous step: the gates' products with x<t> (and their biases)
    and the output layer are computed for all steps at once, one large matrix product each.
    Derived in notebooks/06_gru.ipynb, "The full GRU"
    """
    caches = sequence_forward(GRU_CELLS[variant], x, (c0,), parameters)
    c = caches.state("c")  # c<1> ... c<T_x>  (n_a, m, T_x)
    y_pred = predictions(c, parameters, "Wy", "by")  # ŷ<t> = softmax(Wy c<t> + by)  (n_y, m, T_x)
    return c, y_pred, caches


# ---------------------------------------------------------------------------------------
# Backward pass (backpropagation through time)
# ---------------------------------------------------------------------------------------


def gru_step_backward(dc_next, cache):
    """Back through one step's gates and recurrence: the local gradients and ∂J/∂c<t-1>.

    Args:
        dc_next: ∂J/∂c<t>, the total gradient reaching c<t>, (n_a, m).
        cache: the step's GRUCache.
    Returns:
        local: dict with dz = [dz_r; dz_u; dz_c] (3 n_a, m), the gradients of the
            pre-activations z_r, z_u, z_c (Γr = σ(z_r), Γu = σ(z_u), c~ = tanh(z_c)) stacked
            (the simplified GRU has no dz_r: (2 n_a, m)).
        dc_prev: ∂J/∂c<t-1> through this step, (n_a, m).
    Derived in notebooks/06_gru.ipynb, "Backpropagation through the GRU"
    """
    p, n_a, variant = cache.parameters, cache.c_prev.shape[0], cache.variant
    gamma_r, gamma_u, c_tilde, c_prev = cache.gamma_r, cache.gamma_u, cache.c_tilde, cache.c_prev
    Wcc = p["Wc"][:, :n_a]  # the state columns of Wc  (n_a, n_a)

    if variant == "reset_after":  # c<t> = (1 − Γu) * c~<t> + Γu * c<t-1>
        dc_tilde = dc_next * (1 - gamma_u)  # dc~ = dc<t> * (1 − Γu)  (n_a, m)
        dgamma_u = dc_next * (c_prev - c_tilde)  # dΓu = dc<t> * (c<t-1> − c~<t>)
        dc_prev = dc_next * gamma_u  # the direct path: dc<t> * Γu
    else:  # c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>
        dc_tilde = dc_next * gamma_u  # dc~ = dc<t> * Γu  (n_a, m)
        dgamma_u = dc_next * (c_tilde - c_prev)  # dΓu = dc<t> * (c~<t> − c<t-1>)
        dc_prev = dc_next * (1 - gamma_u)  # the direct path: dc<t> * (1 − Γu)
    dz_c = dc_tilde * (1 - c_tilde ** 2)  # dz_c = dc~ * (1 − c~²)  (n_a, m)
    dz_u = dgamma_u * gamma_u * (1 - gamma_u)  # dz_u = dΓu * Γu (1 − Γu)  (n_a, m)
    local = {}

    if variant == "reset_after":  # z_c = Wcx x<t> + bc + Γr * z_cc,  z_cc = Wcc c<t-1> + bcc
        dz_cc = dz_c * gamma_r  # dz_cc = dz_c * Γr  (n_a, m)
        dgamma_r = dz_c * (Wcc @ c_prev + p["bcc"])  # dΓr = dz_c * z_cc
        dc_prev = dc_prev + Wcc.T @ dz_cc  # through z_cc: Wccᵀ dz_cc
    else:  # z_c = Wc [Γr * c<t-1>; x<t>] + bc
        d_reset = Wcc.T @ dz_c  # ∂J/∂(Γr * c<t-1>) = Wccᵀ dz_c  (n_a, m)
        dgamma_r = d_reset * c_prev  # dΓr = Wccᵀ dz_c * c<t-1>
        dc_prev = dc_prev + d_reset * gamma_r  # through Γr * c<t-1>
    dc_prev = dc_prev + p["Wu"][:, :n_a].T @ dz_u  # through z_u: Wu's state columns
    if variant == "simplified":  # no relevance gate
        local["dz"] = np.concatenate([dz_u, dz_c])  # [dz_u; dz_c]  (2 n_a, m)
    else:
        dz_r = dgamma_r * gamma_r * (1 - gamma_r)  # dz_r = dΓr * Γr (1 − Γr)  (n_a, m)
        dc_prev = dc_prev + p["Wr"][:, :n_a].T @ dz_r  # through z_r: Wr's state columns
        local["dz"] = np.concatenate([dz_r, dz_u, dz_c])  # [dz_r; dz_u; dz_c], the rows of u  (3 n_a, m)
    return local, dc_prev


def gru_parameter_gradients(local, cache, input_gradient=True):
    """dx<t> and the weight gradients from the local gradients, for one step or all steps.

    Args:
        local: the dict of gru_step_backward: dz = [dz_r; dz_u; dz_c], (3 n_a, m) for one
            step or (3 n_a, m, T_x) for every step.
        cache: the step's GRUCache, or ``caches.stacked`` (the same fields, over all steps).
        input_gradient: compute dxt (else it is None).
    Returns:
        dict with dxt (n_x, m) or (n_x, m, T_x), and dW* (n_a, n_a + n_x), db* (n_a, 1) for
        the variant's parameters: for stacked arrays, summed over the steps as BPTT requires.
    Derived in notebooks/06_gru.ipynb, "Backpropagation through the GRU"
    """
    gradients = _weight_gradients(local, cache, lambda dz: outer_sum(dz, cache.xt))
    gradients["dxt"] = None
    if input_gradient:
        p, n_a = cache.parameters, cache.c_prev.shape[0]
        W_x = np.concatenate([p[k][:, n_a:] for k in _gate_keys(cache.variant)])  # [Wrx; Wux; Wcx]  (3 n_a, n_x)
        gradients["dxt"] = matmul_steps(W_x.T, local["dz"])  # dx<t> = Wrxᵀ dz_r + Wuxᵀ dz_u + Wcxᵀ dz_c
    return gradients


def _weight_gradients(local, cache, input_outer):
    """dW* and db* of the variant; ``input_outer(dz)`` is Σ dz x<t>ᵀ (dense or one-hot x).

    Every W acts on [state; x<t>], so dW = Σ dz [state; x<t>]ᵀ = [Σ dz stateᵀ | Σ dz x<t>ᵀ]:
    the state is c<t-1> for Wr and Wu, Γr * c<t-1> for Wc; reset after, Wcc's product z_cc
    has a gradient of its own, dz_cc = dz_c * Γr.
    """
    c_prev, variant, dz = cache.c_prev, cache.variant, local["dz"]
    n_a = c_prev.shape[0]
    d_input = input_outer(dz)  # Σ dz x<t>ᵀ: the input columns of every W, rows r, u, c  (3 n_a, n_x)
    if variant == "simplified":  # Γr ≡ 1: Wu and Wc both act on c<t-1>
        d_state = outer_sum(dz, c_prev)  # (2 n_a, n_a)
    else:
        d_ru = outer_sum(dz[:2 * n_a], c_prev)  # Σ [dz_r; dz_u] c<t-1>ᵀ  (2 n_a, n_a)
        if variant == "full":
            d_cc = outer_sum(dz[2 * n_a:], cache.gamma_r * c_prev)  # Σ dz_c (Γr * c<t-1>)ᵀ  (n_a, n_a)
        else:
            dz_cc = dz[2 * n_a:] * cache.gamma_r  # dz_cc = dz_c * Γr
            d_cc = outer_sum(dz_cc, c_prev)  # Σ dz_cc c<t-1>ᵀ
        d_state = np.concatenate([d_ru, d_cc])  # (3 n_a, n_a)
    d_bias = sum_steps(dz)  # db = Σ dz  (3 n_a, 1)

    gradients = {}
    for i, k in enumerate(_gate_keys(variant)):
        rows = slice(i * n_a, (i + 1) * n_a)
        gradients["d" + k] = np.concatenate([d_state[rows], d_input[rows]], axis=1)  # (n_a, n_a + n_x)
        gradients["db" + k[1:]] = d_bias[rows].copy()  # (n_a, 1), an array of its own
    if variant == "reset_after":
        gradients["dbcc"] = sum_steps(dz_cc)  # dbcc = Σ dz_cc
    return {k: gradients[k] for k in _gradient_keys(variant)}


def _gradient_keys(variant):
    return tuple("d" + k for k in PARAMETER_KEYS[variant])


@checked(_check_cell_backward)
def gru_cell_backward(dc_next, cache):
    """Gradients of one GRU step, given the gradient reaching its output c<t>.

    Args:
        dc_next: ∂J/∂c<t>, shape (n_a, m): the total gradient reaching c<t>.
        cache: the GRUCache from gru_cell_forward.
    Returns:
        gradients: dict with dxt (n_x, m), dc_prev (n_a, m), and for the variant's
        parameters dWr, dbr, dWu, dbu, dWc, dbc (and dbcc reset after; no dWr, dbr for
        the simplified GRU), each the shape of its parameter.

    Derived in notebooks/06_gru.ipynb, "Backpropagation through the GRU"
    """
    local, dc_prev = gru_step_backward(dc_next, cache)  # dz = [dz_r; dz_u; dz_c] and dc<t-1>
    gradients = gru_parameter_gradients(local, cache)  # dxt, dW* = dz [c<t-1>; x<t>]ᵀ, db* = Σ dz
    return {"dxt": gradients["dxt"], "dc_prev": dc_prev,
            **{k: gradients[k] for k in _gradient_keys(cache.variant)}}


@checked(_check_backward)
def gru_backward(dc, caches, input_gradient=True):
    """Backpropagation through time for the whole sequence.

    Args:
        dc: ∂J/∂c<t> from above for every step (not through the recurrence),
            shape (n_a, m, T_x); as in the DLS assignment it excludes the output layer.
        caches: the caches from gru_forward (a list of GRUCache works too).
        input_gradient: also compute dx (default).
    Returns:
        gradients: dict with dx (n_x, m, T_x) (None without input_gradient), dc0 (n_a, m),
        and the variant's dWr, dbr, dWu, dbu, dWc, dbc (dbcc), summed over the steps.

    The same as calling gru_cell_backward from t = T_x down to 1 and adding up the
    weight gradients: the driver's loop only carries the gradient back through time, and
    the sums over steps are done once, after it (gru_parameter_gradients on the stacked
    caches).
    Derived in notebooks/06_gru.ipynb, "Backpropagation through the GRU"
    """
    return sequence_backward(dc, caches, input_gradient)


# ---------------------------------------------------------------------------------------
# PyTorch's nn.GRU: the reset-after variant with its weights split by input and state
# ---------------------------------------------------------------------------------------


def to_torch_gru(parameters):
    """nn.GRU's weights (one layer, gate order r, z, n) from reset-after parameters, as NumPy.

    ============  ======================  =====================  ======================
    this module   weight_ih_l0 rows       weight_hh_l0 rows      bias_ih_l0 / bias_hh_l0
    ============  ======================  =====================  ======================
    Wr, br        W_ir = Wr[:, n_a:]      W_hr = Wr[:, :n_a]     b_ir = br, b_hr = 0
    Wu, bu        W_iz = Wu[:, n_a:]      W_hz = Wu[:, :n_a]     b_iz = bu, b_hz = 0
    Wc, bc, bcc   W_in = Wc[:, n_a:]      W_hn = Wc[:, :n_a]     b_in = bc, b_hn = bcc
    ============  ======================  =====================  ======================

    Args:
        parameters: reset-after parameters Wr, br, Wu, bu, Wc, bc, bcc (Wy, by, if
            present, belong to an nn.Linear after the GRU and are not returned).
    Returns:
        dict with weight_ih_l0 (3 n_a, n_x), weight_hh_l0 (3 n_a, n_a), bias_ih_l0 (3 n_a,),
        bias_hh_l0 (3 n_a,): copy them into nn.GRU(n_x, n_a) with
        ``gru.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})``.

    r and z need one bias each (b_ir + b_hr is all that enters σ), so the biases of r and z
    go into bias_ih_l0 and their bias_hh_l0 rows are 0; n needs both, since b_hn is scaled by r.
    Derived in notebooks/06_gru.ipynb, "PyTorch's GRU: the reset after the product"
    """
    p = check_gru_parameters(parameters, variant="reset_after")
    _, n_a = _sizes(p)
    gates = ("Wr", "Wu", "Wc")  # PyTorch's r, z, n
    zeros = np.zeros((n_a, 1))
    return {
        "weight_ih_l0": np.concatenate([p[k][:, n_a:] for k in gates]),  # [W_ir; W_iz; W_in]  (3 n_a, n_x)
        "weight_hh_l0": np.concatenate([p[k][:, :n_a] for k in gates]),  # [W_hr; W_hz; W_hn]  (3 n_a, n_a)
        "bias_ih_l0": np.concatenate([p["br"], p["bu"], p["bc"]])[:, 0],  # [b_ir; b_iz; b_in]  (3 n_a,)
        "bias_hh_l0": np.concatenate([zeros, zeros, p["bcc"]])[:, 0],  # [b_hr; b_hz; b_hn]  (3 n_a,)
    }


def from_torch_gru(weights):
    """Reset-after parameters from nn.GRU's weights (one layer, gate order r, z, n), in NumPy.

    Args:
        weights: dict (e.g. ``gru.state_dict()`` of a one-layer nn.GRU, or NumPy arrays) with
            weight_ih_l0 (3 n_a, n_x), weight_hh_l0 (3 n_a, n_a), bias_ih_l0 (3 n_a,),
            bias_hh_l0 (3 n_a,), and nothing else (a second layer or direction is refused).
    Returns:
        parameters: dict with Wr, br, Wu, bu, Wc, bc, bcc for variant="reset_after", where
        Wr = [W_hr | W_ir] (state columns first), br = b_ir + b_hr, bu = b_iz + b_hz,
        bc = b_in, bcc = b_hn (see to_torch_gru's table).
        from_torch_gru(to_torch_gru(p)) gives p back.
    Derived in notebooks/06_gru.ipynb, "PyTorch's GRU: the reset after the product"
    """
    name, keys = "weights", ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    require_keys(name, weights, keys)
    unknown = [k for k in weights if k not in keys]
    if unknown:
        raise ValueError(f"{name} has unexpected keys {unknown}: give the {list(keys)} of a one-layer, "
                         "one-direction nn.GRU")
    w = {k: as_float_array(f'{name}["{k}"]', weights[k]) for k in keys}
    rows, n_x = check_letters(f'{name}["weight_ih_l0"]', w["weight_ih_l0"], "(3 n_a, n_x)").shape
    if rows % 3:
        raise ValueError(f'{name}["weight_ih_l0"] must have shape (3 n_a, n_x): rows a multiple of 3, got {rows}')
    n_a = rows // 3
    check_letters(f'{name}["weight_hh_l0"]', w["weight_hh_l0"], "(3 n_a, n_a)", **{"3 n_a": rows, "n_a": n_a})
    for k in ("bias_ih_l0", "bias_hh_l0"):
        check_letters(f'{name}["{k}"]', w[k], "(3 n_a)", **{"3 n_a": rows})
    gate = {g: slice(i * n_a, (i + 1) * n_a) for i, g in enumerate("rzn")}

    def W(g):  # [W_h | W_i]: the state columns on the left, as this module stacks [c<t-1>; x<t>]
        return np.concatenate([w["weight_hh_l0"][gate[g]], w["weight_ih_l0"][gate[g]]], axis=1)

    def b(k, g):
        return w[k][gate[g], None]

    return {
        "Wr": W("r"), "br": b("bias_ih_l0", "r") + b("bias_hh_l0", "r"),
        "Wu": W("z"), "bu": b("bias_ih_l0", "z") + b("bias_hh_l0", "z"),
        "Wc": W("n"), "bc": b("bias_ih_l0", "n"), "bcc": b("bias_hh_l0", "n"),
    }


# ---------------------------------------------------------------------------------------
# The cells, registered with the recurrent core: one per variant
# ---------------------------------------------------------------------------------------
#
# The driver computes ``input_term`` for every step before its loop. Each gate weight acts
# on [c<t-1>; x<t>], so W [c<t-1>; x<t>] = W[:, :n_a] c<t-1> + W[:, n_a:] x<t>: the input
# columns' part does not wait for c<t-1>, and for all three gates and all T_x steps it is
# one large matrix product, [Wrx; Wux; Wcx] x (+ biases). Only the state columns' products
# are left inside the loop, where they cannot be avoided. The rows of u are the gates' in
# the order of ``_gate_keys`` (r, u, c; u, c for the simplified GRU).


def _gate_keys(variant):
    return ("Wr", "Wu", "Wc") if variant != "simplified" else ("Wu", "Wc")


def _input_weights(p, variant):
    """[Wrx; Wux; Wcx] (3 n_a, n_x), the input columns of the gates' weights, and [br; bu; bc]."""
    n_a = p["Wc"].shape[0]
    keys = _gate_keys(variant)
    return np.concatenate([p[k][:, n_a:] for k in keys]), np.concatenate([p["b" + k[1:]] for k in keys])


def _steps_first(u):
    """u (n, m, T_x) as a view of the same shape on a (T_x, n, m) array.

    The driver reads u[..., t] at every step, and each step adds it to a product with
    c<t-1>: stored steps first, u[..., t] is one contiguous block of memory, which those
    additions read two to four times faster than entries T_x apart.
    """
    return np.ascontiguousarray(u.transpose(2, 0, 1)).transpose(1, 2, 0)


def _input_term(p, x, variant):
    """[Wrx; Wux; Wcx] x<t> + [br; bu; bc]: the gates' pre-activations without c<t-1>."""
    W_x, b = _input_weights(p, variant)  # (3 n_a, n_x), (3 n_a, 1)
    if x.ndim == 2 or x.shape[1] == 1:  # m = 1: one product per step would be matrix-vector, rounded otherwise
        u = add_bias(matmul_steps(W_x, x), b)  # (3 n_a, m) or (3 n_a, m, T_x)
        return u if u.ndim == 2 else _steps_first(u)
    u = np.matmul(W_x, x.transpose(2, 0, 1))  # W_x x<t>, step by step, stored steps first  (T_x, 3 n_a, m)
    u += b
    return u.transpose(1, 2, 0)  # (3 n_a, m, T_x)


def _one_hot_input_term(p, indices, variant):
    """_input_term for one-hot inputs given by their indices: columns looked up."""
    W_x, b = _input_weights(p, variant)
    u = add_bias(one_hot_matmul(W_x, indices), b)
    return u if u.ndim == 2 else _steps_first(u)


def _one_hot_parameter_gradients(local, cache, indices, variant):
    """gru_parameter_gradients for one-hot inputs given by their indices (no dxt)."""
    n_a, n_ax = cache.parameters["Wc"].shape
    return _weight_gradients(local, cache, lambda dz: one_hot_outer_sum(dz, indices, n_ax - n_a))


def _sigmoid(z):
    """σ(z) = (1 + tanh(z / 2)) / 2, overwriting the temporary z: one tanh, no overflow."""
    z *= HALF
    np.tanh(z, out=z)
    z *= HALF
    z += HALF
    return z


def _own_variant(variant, options):
    if options["variant"] != variant:
        _check_variant(options["variant"])
        raise ValueError(
            f"variant={options['variant']!r} is not the variant of the {GRU_CELLS[variant].name!r} cell: "
            f"use cell={GRU_CELLS[options['variant']].name!r}"
        )


def _state_columns(p, keys):
    """[W[:, :n_a] for W in keys], stacked: the state columns of the gates' weights."""
    n_a = p["Wc"].shape[0]
    return np.concatenate([p[k][:, :n_a] for k in keys])


def _forward_step(p, options, variant):
    """The driver's step: u<t> (the input columns' products and biases) comes computed."""
    _own_variant(variant, options)
    n_a = p["Wc"].shape[0]
    n2 = 2 * n_a
    if variant == "full":
        W_ru = _state_columns(p, ("Wr", "Wu"))  # (2 n_a, n_a): Γr and Γu's products at once
        Wcc = _state_columns(p, ("Wc",))

        def step(u_t, states):
            c_prev = states[0]
            gates = _sigmoid(np.dot(W_ru, c_prev) + u_t[:n2])  # [Γr; Γu] = σ(W[:, :n_a] c<t-1> + u<t>)
            gamma_r, gamma_u = gates[:n_a], gates[n_a:]
            c_tilde = np.tanh(np.dot(Wcc, gamma_r * c_prev) + u_t[n2:])  # c~<t> = tanh(Wcc (Γr * c<t-1>) + Wcx x<t> + bc)
            c_next = c_prev + gamma_u * (c_tilde - c_prev)  # c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>
            return (c_next,), (c_next, gamma_r, gamma_u, c_tilde)

    elif variant == "simplified":
        W_uc = _state_columns(p, ("Wu", "Wc"))  # (2 n_a, n_a)

        def step(u_t, states):
            c_prev = states[0]
            z = np.dot(W_uc, c_prev)  # [z_u; z_c] = [Wuc; Wcc] c<t-1> + u<t>
            z += u_t
            gamma_u = _sigmoid(z[:n_a])  # Γu = σ(z_u)
            c_tilde = np.tanh(z[n_a:], out=z[n_a:])  # c~<t> = tanh(z_c): Γr ≡ 1
            c_next = c_prev + gamma_u * (c_tilde - c_prev)  # c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>
            return (c_next,), (c_next, np.ones_like(c_prev), gamma_u, c_tilde)

    else:  # reset_after
        W_h = _state_columns(p, ("Wr", "Wu", "Wc"))  # (3 n_a, n_a): every product with c<t-1> at once
        bcc = across_batch(p["bcc"])

        def step(u_t, states):
            c_prev = states[0]
            h = np.dot(W_h, c_prev)  # [Wrc; Wuc; Wcc] c<t-1>  (3 n_a, m)
            gates = _sigmoid(h[:n2] + u_t[:n2])  # [Γr; Γu]
            gamma_r, gamma_u = gates[:n_a], gates[n_a:]
            z_cc = h[n2:]
            z_cc += bcc(z_cc.shape[1])  # z_cc = Wcc c<t-1> + bcc
            z_cc *= gamma_r
            z_cc += u_t[n2:]
            c_tilde = np.tanh(z_cc, out=z_cc)  # c~<t> = tanh(Wcx x<t> + bc + Γr * (Wcc c<t-1> + bcc))
            c_next = c_tilde + gamma_u * (c_prev - c_tilde)  # c<t> = (1 − Γu) * c~<t> + Γu * c<t-1>
            return (c_next,), (c_next, gamma_r, gamma_u, c_tilde)

    return step


def _backward_step(caches, variant):
    """The driver's step back: gru_step_backward, with every factor that does not wait for
    the gradient from step t+1 (the gates' derivatives) computed before the steps need it.

    Each of dz_r, dz_u, dz_c (dz_cc) and the direct path dc<t> → dc<t-1> is dc<t> (or, for
    the full GRU's dz_r, Wccᵀ dz_c) times such a factor. The factors are stacked, F[:, t] the
    (k, n_a, m) factors of step t: a step multiplies dc<t> by them at once, instead of
    reading five arrays whose entries lie T_x apart. Every step writes its dz into one
    buffer, whose views are made once: the driver reads dz before the next step.
    """
    s = caches.stacked
    p, (n_a, m, T_x) = s.parameters, s.c_prev.shape
    n2, n3 = 2 * n_a, 3 * n_a
    # The caches read steps first, (T_x, n_a, m) (sequence_forward stores them so).
    gamma_r, gamma_u, c_tilde, c_prev = (v.transpose(2, 0, 1) for v in (s.gamma_r, s.gamma_u, s.c_tilde, s.c_prev))
    names = {"full": ("u", "c", "direct", "r", "reset"), "simplified": ("u", "c", "direct"),
             "reset_after": ("cc", "r", "u", "c", "direct")}[variant]

    # The factors of a block of steps at a time, computed in place in a buffer of about 1 MB,
    # whatever T_x: at the teaching size every (n_a, m, T_x) array is 0.8 MB, and fresh
    # memory costs page faults as much as the arithmetic.
    block = max(1, min(T_x, 2 ** 17 // ((len(names) + 1) * n_a * m)))  # steps per block
    F = np.empty((len(names), block, n_a, m))
    rows = dict(zip(names, F))  # each factor steps first, one block of memory  (block, n_a, m)
    work = np.empty((block, n_a, m))
    if variant == "reset_after":  # Wcc c<t-1> for every step, one product  (T_x, n_a, m)
        Wcc_c = np.matmul(p["Wc"][:, :n_a], s.c_prev.reshape(n_a, -1)).reshape(n_a, m, T_x).transpose(2, 0, 1)

    def load(t):
        """Fill F with the factors of the block of steps holding step t; return its first step."""
        t0 = t - t % block
        t1 = min(t0 + block, T_x)
        if t1 - t0 == T_x:  # the whole sequence in one block
            k, w, g_r, g_u, c_t, c_p = rows, work, gamma_r, gamma_u, c_tilde, c_prev
        else:
            k = {name: v[:t1 - t0] for name, v in rows.items()}
            w = work[:t1 - t0]
            g_r, g_u, c_t, c_p = (v[t0:t1] for v in (gamma_r, gamma_u, c_tilde, c_prev))
        if variant != "reset_after":
            keep = np.subtract(1, g_u, out=k["direct"])  # dc<t-1> gets dc<t> * (1 − Γu)
            tanh_prime = np.square(c_t, out=k["c"])
            np.subtract(1, tanh_prime, out=tanh_prime)  # 1 − c~²
            tanh_prime *= g_u  # dz_c = dc<t> * Γu (1 − c~²)
            to_z_u = np.multiply(keep, g_u, out=k["u"])
            to_z_u *= np.subtract(c_t, c_p, out=w)  # dz_u = dc<t> * (c~ − c<t-1>) Γu (1 − Γu)
        if variant == "full":  # [dz_r; through Γr * c<t-1>] = (Wccᵀ dz_c) * [to_z_r; Γr]
            to_z_r = np.subtract(1, g_r, out=k["r"])
            to_z_r *= g_r
            to_z_r *= c_p  # dz_r = (Wccᵀ dz_c) * c<t-1> Γr (1 − Γr)
            np.copyto(k["reset"], g_r)
        if variant == "reset_after":
            np.copyto(k["direct"], g_u)  # dc<t-1> gets dc<t> * Γu
            to_z_c = np.subtract(1, g_u, out=k["c"])
            to_z_u = np.subtract(c_p, c_t, out=k["u"])
            to_z_u *= g_u
            to_z_u *= to_z_c  # dz_u = dc<t> * (c<t-1> − c~) Γu (1 − Γu)
            tanh_prime = np.square(c_t, out=w)
            np.subtract(1, tanh_prime, out=tanh_prime)  # 1 − c~²
            to_z_c *= tanh_prime  # dz_c = dc<t> * (1 − Γu)(1 − c~²)
            np.multiply(to_z_c, g_r, out=k["cc"])  # dz_cc = dz_c * Γr
            z_cc = np.add(Wcc_c[t0:t1], p["bcc"], out=k["r"])  # z_cc = Wcc c<t-1> + bcc
            z_cc *= g_r
            z_cc *= to_z_c
            z_cc *= np.subtract(1, g_r, out=w)  # dz_r = dz_c * z_cc Γr (1 − Γr)
        return t0

    first = T_x  # the first step of the block in F (a memo: any t may be asked for); none yet

    if variant == "full":
        Wcc_T = p["Wc"][:, :n_a].T.copy()
        W_ru_T = _state_columns(p, ("Wr", "Wu")).T.copy()  # (n_a, 2 n_a)

        buffer = np.empty((4 * n_a, m))  # [dz_r; dz_u; dz_c; dc<t> * (1 − Γu)]
        dz_r, dz_ru, dz_c, direct, dz = buffer[:n_a], buffer[:n2], buffer[n2:n3], buffer[n3:], buffer[:n3]
        from_dc = buffer[n_a:].reshape(3, n_a, m)  # dz_u, dz_c and the direct path: dc<t> times a factor

        def step(d_states, t):
            nonlocal first
            if not first <= t < first + block:
                first = load(t)
            F_t = F[:, t - first]  # step t's factors  (k, n_a, m)
            np.multiply(F_t[:3], d_states[0], out=from_dc)
            d_reset = np.dot(Wcc_T, dz_c)  # ∂J/∂(Γr * c<t-1>) = Wccᵀ dz_c
            np.multiply(d_reset, F_t[3], out=dz_r)
            dc_prev = np.dot(W_ru_T, dz_ru)  # through z_r and z_u
            dc_prev += direct  # the direct path
            dc_prev += d_reset * F_t[4]  # through Γr * c<t-1>
            return (dc_prev,), (dz,)

    elif variant == "simplified":
        W_uc_T = _state_columns(p, ("Wu", "Wc")).T.copy()  # (n_a, 2 n_a)

        buffer = np.empty((3, n_a, m))  # dz_u, dz_c, dc<t> * (1 − Γu)
        dz, direct = buffer[:2].reshape(n2, m), buffer[2]

        def step(d_states, t):
            nonlocal first
            if not first <= t < first + block:
                first = load(t)
            np.multiply(F[:, t - first], d_states[0], out=buffer)  # every factor times dc<t>
            dc_prev = np.dot(W_uc_T, dz)
            dc_prev += direct  # the direct path
            return (dc_prev,), (dz,)

    else:  # reset_after
        # [Wcc; Wrc; Wuc]ᵀ: one product for dz_cc, dz_r and dz_u, which F's order (cc first) puts
        # side by side; dz_c reaches c<t-1> only through them.
        W_h_T = _state_columns(p, ("Wc", "Wr", "Wu")).T.copy()  # (n_a, 3 n_a)

        buffer = np.empty((5, n_a, m))  # dz_cc, dz_r, dz_u, dz_c, dc<t> * Γu
        to_state, direct, dz = buffer[:3].reshape(n3, m), buffer[4], buffer[1:4].reshape(n3, m)

        def step(d_states, t):
            nonlocal first
            if not first <= t < first + block:
                first = load(t)
            np.multiply(F[:, t - first], d_states[0], out=buffer)  # every factor times dc<t>
            dc_prev = np.dot(W_h_T, to_state)  # through z_cc, z_r and z_u
            dc_prev += direct  # the direct path
            return (dc_prev,), (dz,)  # [dz_r; dz_u; dz_c], the rows of u

    return step


def _core_parameter_gradients(local, cache, input_gradient=True):
    return gru_parameter_gradients(local, cache, input_gradient)


def _make_cell(variant):
    name = "gru" if variant == "full" else "gru_" + variant
    return register_cell(Cell(
        name=name,
        parameter_keys=PARAMETER_KEYS[variant],
        output_keys=OUTPUT_KEYS,
        states=("c",),
        hidden="c",
        cache_type=GRUCache,
        check_parameters=functools.partial(check_gru_parameters, variant=variant),
        sizes=_sizes,
        initialize=functools.partial(initialize_gru_parameters, variant=variant),
        forward_step=functools.partial(_forward_step, variant=variant),
        step_fields=STEP_FIELDS,
        backward_step=functools.partial(_backward_step, variant=variant),
        local_names=LOCAL_NAMES,
        parameter_gradients=_core_parameter_gradients,
        input_term=functools.partial(_input_term, variant=variant),
        options={"variant": variant},
        one_hot_input_term=functools.partial(_one_hot_input_term, variant=variant),
        one_hot_parameter_gradients=functools.partial(_one_hot_parameter_gradients, variant=variant),
    ))


# The registered cells, by variant: "gru", "gru_simplified", "gru_reset_after".
GRU_CELLS = {variant: _make_cell(variant) for variant in VARIANTS}
