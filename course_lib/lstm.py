"""The LSTM cell (Hochreiter & Schmidhuber 1997), with optional peepholes: forward and BPTT.

    Γf = σ(Wf [a<t-1>; x<t>] + bf  (+ pf * c<t-1>))      forget gate
    Γu = σ(Wu [a<t-1>; x<t>] + bu  (+ pu * c<t-1>))      update gate (elsewhere: input gate i)
    c~<t> = tanh(Wc [a<t-1>; x<t>] + bc)                 candidate memory
    c<t> = Γu * c~<t> + Γf * c<t-1>                      memory cell
    Γo = σ(Wo [a<t-1>; x<t>] + bo  (+ po * c<t>))        output gate
    a<t> = Γo * tanh(c<t>)
    ŷ<t> = softmax(Wy a<t> + by)

Shapes: x (n_x, m, T_x), a0 (n_a, m), a and c (n_a, m, T_x), y_pred (n_y, m, T_x);
gate weights Wf, Wu, Wc, Wo (n_a, n_a + n_x) act on the stacked column [a<t-1>; x<t>]
(state on top); biases bf, bu, bc, bo and peephole vectors pf, pu, po (n_a, 1);
output layer Wy (n_y, n_a), by (n_y, 1), optional.

Three forms, three cells of the recurrent core (a Cell has fixed parameter keys):
- "lstm": no peepholes;
- "lstm_peephole": peepholes as in Gers & Schmidhuber (2000): the forget and update gates
  see the old memory c<t-1>, the output gate the new c<t> (the equations above);
- "lstm_peephole_tutorial": peepholes as the source tutorial words them: all three gates
  see c<t-1> (Γo = σ(Wo [a<t-1>; x<t>] + bo + po * c<t-1>)).
The public functions pick the cell from the parameters' keys (pf, pu, po present or not)
and ``peephole_form`` ("gers" or "tutorial").

The time loops live in ``recurrent.py``; this module holds the cell's equations, the four
functions of the DLS assignment and the mapping to PyTorch's ``nn.LSTM`` weights.
Derived in notebooks/07_lstm.ipynb, "The LSTM cell", "Backpropagation through the LSTM",
"Peepholes" and "PyTorch, Keras and CS231n".
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
    matmul_steps,
    outer_sum,
    predictions,
    register_cell,
    sequence_backward,
    sequence_forward,
    sum_steps,
)

__all__ = [
    "LSTM_CELL",
    "LSTM_PEEPHOLE_CELL",
    "LSTM_TUTORIAL_PEEPHOLE_CELL",
    "LSTMCache",
    "LSTMPeepholeCache",
    "LSTMTutorialPeepholeCache",
    "LSTMCaches",
    "PEEPHOLE_FORMS",
    "check_lstm_parameters",
    "initialize_lstm_parameters",
    "lstm_cell_for",
    "lstm_cell_forward",
    "lstm_forward",
    "lstm_cell_backward",
    "lstm_backward",
    "lstm_step_backward",
    "lstm_parameter_gradients",
    "lstm_parameters_to_torch",
    "lstm_parameters_from_torch",
]

GATES = ("f", "u", "c", "o")  # the order of the four blocks wherever they are stacked
GATE_KEYS = ("Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo")
PEEPHOLE_KEYS = ("pf", "pu", "po")
OUTPUT_KEYS = ("Wy", "by")
PEEPHOLE_FORMS = ("gers", "tutorial")
TORCH_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
TORCH_GATES = ("u", "f", "c", "o")  # nn.LSTM's i, f, g, o: its input gate i is the course's Γu


class LSTMCache(NamedTuple):
    """What one LSTM step's backward pass needs, named as in the equations (no peepholes)."""

    gamma_f: np.ndarray  # Γf<t>, forget gate       (n_a, m)
    gamma_u: np.ndarray  # Γu<t>, update gate       (n_a, m)
    c_tilde: np.ndarray  # c~<t>, candidate memory  (n_a, m)
    gamma_o: np.ndarray  # Γo<t>, output gate       (n_a, m)
    c_next: np.ndarray  # c<t>                     (n_a, m)
    a_next: np.ndarray  # a<t>                     (n_a, m)
    c_prev: np.ndarray  # c<t-1>                   (n_a, m)
    a_prev: np.ndarray  # a<t-1>                   (n_a, m)
    xt: np.ndarray  # x<t>                         (n_x, m)
    parameters: dict  # Wf, bf, ..., bo (pf, pu, po) (and Wy, by)


class LSTMPeepholeCache(LSTMCache):
    """An LSTMCache of the Gers & Schmidhuber (2000) peephole form: Γo saw c<t>."""

    __slots__ = ()


class LSTMTutorialPeepholeCache(LSTMCache):
    """An LSTMCache of the source tutorial's peephole form: Γo saw c<t-1>."""

    __slots__ = ()


# lstm_forward's caches: one SequenceCache of the recurrent core; caches[t] is an LSTMCache.
LSTMCaches = SequenceCache


def _form_of(cache):
    """None (no peepholes), "gers" or "tutorial", from the type of a step's cache."""
    return _FORM_OF_CACHE[type(cache)]


_FORM_OF_CACHE = {LSTMCache: None, LSTMPeepholeCache: "gers", LSTMTutorialPeepholeCache: "tutorial"}


# ---------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------


def initialize_lstm_parameters(n_x, n_a, n_y, rng, scale=0.1, peepholes=False, forget_bias=0.0):
    """Small random weights and biases for an LSTM cell (and its softmax output layer).

    Args:
        n_x, n_a: input size and hidden-state size.
        n_y: output size, or None for a cell without output layer (no Wy, by).
        rng: a np.random.Generator or an int seed, the only source of randomness.
        scale: standard deviation of every entry.
        peepholes: also draw the peephole vectors pf, pu, po (n_a, 1).
        forget_bias: added to every entry of bf. Jozefowicz et al. (2015) start from 1, so
            that Γf ≈ σ(1) ≈ 0.73 and the memory (and its gradient) is kept from the start.
    Returns:
        parameters: dict with Wf, Wu, Wc, Wo (n_a, n_a + n_x), bf, bu, bc, bo (n_a, 1),
        with peepholes pf, pu, po (n_a, 1), and unless n_y is None Wy (n_y, n_a), by (n_y, 1).

    The biases are random too (not zeros) so that a test cannot miss a bias bug.
    """
    n_x = check_positive_int("n_x", n_x)
    n_a = check_positive_int("n_a", n_a)
    n_y = None if n_y is None else check_positive_int("n_y", n_y)
    rng = as_generator("rng", rng)
    scale = check_positive_float("scale", scale)
    peepholes = check_bool("peepholes", peepholes)
    forget_bias = float(as_float_array("forget_bias", forget_bias, ndim=0))

    shapes = {}
    for gate in GATES:
        shapes.update({"W" + gate: (n_a, n_a + n_x), "b" + gate: (n_a, 1)})
    if peepholes:
        shapes.update(pf=(n_a, 1), pu=(n_a, 1), po=(n_a, 1))
    if n_y is not None:
        shapes.update(Wy=(n_y, n_a), by=(n_y, 1))
    parameters = {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}
    parameters["bf"] = parameters["bf"] + forget_bias
    return parameters


def check_lstm_parameters(parameters, name="parameters", peepholes=None):
    """A new dict of the parameters as float64 arrays, after checking keys and shapes.

    Args:
        parameters: Wf, bf, Wu, bu, Wc, bc, Wo, bo; pf, pu, po all three or none;
            Wy and by both or neither.
        name: how the error messages call the dict.
        peepholes: True / False to require / refuse the peephole vectors, None for either.
    Returns:
        dict of float64 arrays. Wf defines n_a and n_x (its shape is (n_a, n_a + n_x)),
        Wy defines n_y; every other entry must agree with them.
    """
    require_keys(name, parameters, ())  # a dict, before its keys are looked at
    if peepholes is not None:
        check_bool("peepholes", peepholes)
    present = [k for k in PEEPHOLE_KEYS if k in parameters]
    if present and len(present) != len(PEEPHOLE_KEYS):
        missing = [k for k in PEEPHOLE_KEYS if k not in parameters]
        raise ValueError(f"{name} has the peephole vectors {present} but is missing {missing}: "
                         f"give all of {list(PEEPHOLE_KEYS)} or none")
    if peepholes is False and present:
        raise ValueError(f"{name} has the peephole vectors {present}, which the 'lstm' cell has not "
                         "(use the 'lstm_peephole' or 'lstm_peephole_tutorial' cell)")
    if peepholes is True and not present:
        raise ValueError(f"{name} is missing the peephole vectors {list(PEEPHOLE_KEYS)} of a peephole cell "
                         "(without them, use the 'lstm' cell)")
    p = float_parameters(name, parameters, GATE_KEYS + tuple(present), OUTPUT_KEYS)

    n_a, width = check_letters(f'{name}["Wf"]', p["Wf"], "(n_a, n_a + n_x)").shape
    if width <= n_a:
        raise ValueError(f'{name}["Wf"] must have shape (n_a, n_a + n_x) with n_x >= 1, got {p["Wf"].shape}')
    # Compared at once first: the entry-by-entry checks, which build the error message, cost
    # 6 µs, more than a step of the LSTM at the small size, and run only if a shape is wrong.
    weights, column = (n_a, width), (n_a, 1)
    if not (all(p["W" + g].shape == weights and p["b" + g].shape == column for g in GATES)
            and all(p[k].shape == column for k in present)):
        for gate in GATES:
            check_letters(f'{name}["W{gate}"]', p["W" + gate], "(n_a, n_a + n_x)", **{"n_a": n_a, "n_a + n_x": width})
            check_letters(f'{name}["b{gate}"]', p["b" + gate], "(n_a, 1)", n_a=n_a)
        for k in present:
            check_letters(f'{name}["{k}"]', p[k], "(n_a, 1)", n_a=n_a)
    if "Wy" in p:
        n_y = check_letters(f'{name}["Wy"]', p["Wy"], "(n_y, n_a)", n_a=n_a).shape[0]
        check_letters(f'{name}["by"]', p["by"], "(n_y, 1)", n_y=n_y)
    return p


def _sizes(p):
    """(n_x, n_a) of checked parameters: Wf is (n_a, n_a + n_x)."""
    n_a, width = p["Wf"].shape
    return width - n_a, n_a


def _cell_for(parameters, peephole_form="gers"):
    """The registered cell of these (checked) parameters and peephole form."""
    if "pf" not in parameters:
        return LSTM_CELL
    return LSTM_TUTORIAL_PEEPHOLE_CELL if peephole_form == "tutorial" else LSTM_PEEPHOLE_CELL


def _check_cell_for(parameters, peephole_form="gers"):
    return check_lstm_parameters(parameters), check_choice("peephole_form", peephole_form, PEEPHOLE_FORMS)


@checked(_check_cell_for)
def lstm_cell_for(parameters, peephole_form="gers"):
    """The recurrent core's Cell for these parameters: for deep and bidirectional networks.

    Args:
        parameters: an LSTM parameter dict (see check_lstm_parameters).
        peephole_form: "gers" (Γo sees c<t>) or "tutorial" (Γo sees c<t-1>); it only
            matters when the peephole vectors pf, pu, po are present.
    Returns:
        LSTM_CELL ("lstm") without peepholes, else LSTM_PEEPHOLE_CELL ("lstm_peephole")
        or LSTM_TUTORIAL_PEEPHOLE_CELL ("lstm_peephole_tutorial").
    """
    return _cell_for(parameters, peephole_form)


# ---------------------------------------------------------------------------------------
# Argument checks at the door
# ---------------------------------------------------------------------------------------


def _check_cell_forward(xt, a_prev, c_prev, parameters, peephole_form="gers"):
    p = check_lstm_parameters(parameters)
    n_x, n_a = _sizes(p)
    xt = shaped_array("xt", xt, "(n_x, m)", n_x=n_x)  # xt defines m
    a_prev = shaped_array("a_prev", a_prev, "(n_a, m)", n_a=n_a, m=xt.shape[1])
    c_prev = shaped_array("c_prev", c_prev, "(n_a, m)", n_a=n_a, m=xt.shape[1])
    return xt, a_prev, c_prev, p, check_choice("peephole_form", peephole_form, PEEPHOLE_FORMS)


def _check_forward(x, a0, parameters, peephole_form="gers"):
    p = check_lstm_parameters(parameters)
    x, a0 = sequence_inputs(x, a0, *_sizes(p))
    return x, a0, p, check_choice("peephole_form", peephole_form, PEEPHOLE_FORMS)


def _check_cache(cache):
    if not isinstance(cache, LSTMCache):
        raise ValueError(f"cache must be what lstm_cell_forward returned (an LSTMCache), got {type(cache).__name__}")
    return cache


def _check_cell_backward(da_next, dc_next, cache):
    cache = _check_cache(cache)
    n_a, m = cache.a_next.shape
    da_next = shaped_array("da_next", da_next, "(n_a, m)", n_a=n_a, m=m)
    dc_next = shaped_array("dc_next", dc_next, "(n_a, m)", n_a=n_a, m=m)
    return da_next, dc_next, cache


def _as_sequence_cache(caches):
    """The SequenceCache of lstm_forward, or one stacked from a list of one form's LSTMCache."""
    if isinstance(caches, list) and caches and all(type(c) is type(caches[0]) for c in caches) \
            and isinstance(caches[0], LSTMCache):
        first = caches[0]
        cell = _CELL_OF_CACHE[type(first)]
        return SequenceCache(
            cell, np.stack([c.xt for c in caches], axis=2), (first.a_prev, first.c_prev),
            {k: first.parameters[k] for k in cell.parameter_keys}, {},
            {f: np.stack([getattr(c, f) for c in caches], axis=2) for f in cell.step_fields},
        )
    if not isinstance(caches, SequenceCache):
        raise ValueError("caches must be what lstm_forward returned (LSTMCaches) or a list of LSTMCache, "
                         f"got {type(caches).__name__}")
    if caches.cell not in _CELL_OF_CACHE.values():
        raise ValueError(f"caches must come from an LSTM cell, got caches of the {caches.cell.name!r} cell")
    return caches


def _check_backward(da, caches, input_gradient=True):
    caches = _as_sequence_cache(caches)
    n_a, m, T_x = caches.state("a").shape
    da = shaped_array("da", da, "(n_a, m, T_x)", n_a=n_a, m=m, T_x=T_x)
    return da, caches, check_bool("input_gradient", input_gradient)


# ---------------------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------------------


@checked(_check_cell_forward)
def lstm_cell_forward(xt, a_prev, c_prev, parameters, peephole_form="gers"):
    """One step of the LSTM: a<t> and c<t> from a<t-1>, c<t-1> and x<t>, and the prediction ŷ<t>.

    Args:
        xt: x<t>, shape (n_x, m).
        a_prev: a<t-1>, shape (n_a, m).
        c_prev: c<t-1>, shape (n_a, m).
        parameters: dict with Wf, Wu, Wc, Wo (n_a, n_a + n_x), bf, bu, bc, bo (n_a, 1),
            optionally pf, pu, po (n_a, 1) and Wy (n_y, n_a), by (n_y, 1).
        peephole_form: "gers" (Γo sees c<t>) or "tutorial" (Γo sees c<t-1>); with
            peepholes only.
    Returns:
        a_next: a<t>, shape (n_a, m).
        c_next: c<t>, shape (n_a, m).
        yt_pred: ŷ<t>, shape (n_y, m), or None without Wy, by.
        cache: LSTMCache (LSTMPeepholeCache, LSTMTutorialPeepholeCache with peepholes).
    """
    p = parameters
    pf, pu, po = (p["pf"], p["pu"], p["po"]) if "pf" in p else (0.0, 0.0, 0.0)  # no peepholes: + 0
    concat = np.concatenate([a_prev, xt])  # [a<t-1>; x<t>]  (n_a + n_x, m)

    # Γf = σ(Wf [a<t-1>; x<t>] + bf + pf * c<t-1>), the forget gate  (n_a, m)
    gamma_f = sigmoid(p["Wf"] @ concat + p["bf"] + pf * c_prev)
    # Γu = σ(Wu [a<t-1>; x<t>] + bu + pu * c<t-1>), the update gate  (n_a, m)
    gamma_u = sigmoid(p["Wu"] @ concat + p["bu"] + pu * c_prev)
    # c~<t> = tanh(Wc [a<t-1>; x<t>] + bc), the candidate  (n_a, m)
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])
    # c<t> = Γu * c~<t> + Γf * c<t-1>, the memory cell  (n_a, m)
    c_next = gamma_u * c_tilde + gamma_f * c_prev
    # Γo = σ(Wo [a<t-1>; x<t>] + bo + po * c<t>), the output gate (the tutorial's: po * c<t-1>)
    c_seen = c_prev if peephole_form == "tutorial" else c_next
    gamma_o = sigmoid(p["Wo"] @ concat + p["bo"] + po * c_seen)
    # a<t> = Γo * tanh(c<t>)  (n_a, m)
    a_next = gamma_o * np.tanh(c_next)
    # ŷ<t> = softmax(Wy a<t> + by)  (n_y, m), or None without an output layer
    yt_pred = predictions(a_next, p, "Wy", "by")

    cache = _cell_for(p, peephole_form).cache_type(  # LSTMCache, or the peephole form's
        gamma_f=gamma_f, gamma_u=gamma_u, c_tilde=c_tilde, gamma_o=gamma_o, c_next=c_next,
        a_next=a_next, c_prev=c_prev, a_prev=a_prev, xt=xt, parameters=p)
    return a_next, c_next, yt_pred, cache


@checked(_check_forward)
def lstm_forward(x, a0, parameters, peephole_form="gers"):
    """The LSTM over a whole sequence, from a<0> = a0 and c<0> = 0.

    Args:
        x: inputs, shape (n_x, m, T_x); x[:, :, t] is x<t+1>.
        a0: a<0>, shape (n_a, m).
        parameters: dict as for lstm_cell_forward.
        peephole_form: "gers" or "tutorial" (with peepholes only).
    Returns:
        a: hidden states a<1> ... a<T_x>, shape (n_a, m, T_x).
        y_pred: predictions, shape (n_y, m, T_x), or None without Wy, by.
        c: memory cells c<1> ... c<T_x>, shape (n_a, m, T_x).
        caches: the SequenceCache for lstm_backward; caches[t] is step t's LSTMCache.

    The recurrent core's driver steps the cell from t = 1 to T_x. Only the products with
    a<t-1> wait for the previous step: the x-part of the four gates and the output layer
    are computed for all steps at once.
    """
    cell = _cell_for(parameters, peephole_form)  # "lstm", "lstm_peephole" or "lstm_peephole_tutorial"
    c0 = np.zeros_like(a0)  # c<0> = 0  (n_a, m)
    caches = sequence_forward(cell, x, (a0, c0), parameters)
    a, c = caches.state("a"), caches.state("c")  # a<1> ... a<T_x>, c<1> ... c<T_x>  (n_a, m, T_x)
    y_pred = predictions(a, parameters, "Wy", "by")  # ŷ<t> = softmax(Wy a<t> + by)  (n_y, m, T_x)
    return a, y_pred, c, caches


# ---------------------------------------------------------------------------------------
# Backward pass
# ---------------------------------------------------------------------------------------


def lstm_step_backward(da_next, dc_next, cache):
    """Back through one step's gates: the gradients of the four pre-activations, a<t-1> and c<t-1>.

    Args:
        da_next: ∂J/∂a<t>, the total gradient reaching a<t>, (n_a, m).
        dc_next: ∂J/∂c<t> coming back from step t+1, (n_a, m).
        cache: the step's LSTMCache.
    Returns:
        dz: ∂J/∂z for the pre-activations z_f, z_u, z_c, z_o of Γf, Γu, c~, Γo, stacked in
            that order, (4 n_a, m).
        da_prev: ∂J/∂a<t-1> through this step, (n_a, m).
        dc_prev: ∂J/∂c<t-1> through this step, (n_a, m).
    """
    p = cache.parameters
    form = _form_of(cache)  # None (no peepholes), "gers" or "tutorial"
    n_a = cache.a_prev.shape[0]

    tanh_c = np.tanh(cache.c_next)
    dgamma_o = da_next * tanh_c  # a<t> = Γo * tanh(c<t>)
    dz_o = dgamma_o * cache.gamma_o * (1 - cache.gamma_o)  # σ'(z) = Γ (1 - Γ)
    # ∂J/∂c<t>: what comes back from step t+1, and what comes through a<t> = Γo * tanh(c<t>)
    dc = dc_next + da_next * cache.gamma_o * (1 - tanh_c ** 2)
    if form == "gers":
        dc = dc + p["po"] * dz_o  # Γo saw c<t>
    dgamma_u = dc * cache.c_tilde  # c<t> = Γu * c~<t> + Γf * c<t-1>
    dc_tilde = dc * cache.gamma_u
    dgamma_f = dc * cache.c_prev
    dz_u = dgamma_u * cache.gamma_u * (1 - cache.gamma_u)
    dz_c = dc_tilde * (1 - cache.c_tilde ** 2)  # tanh'(z) = 1 - c~²
    dz_f = dgamma_f * cache.gamma_f * (1 - cache.gamma_f)
    dc_prev = dc * cache.gamma_f
    if form is not None:
        dc_prev = dc_prev + p["pf"] * dz_f + p["pu"] * dz_u  # Γf and Γu saw c<t-1>
    if form == "tutorial":
        dc_prev = dc_prev + p["po"] * dz_o  # and so did Γo
    # da<t-1> = Σ_g W_g,aᵀ dz_g, W_g,a the a<t-1> columns of each gate's W_g
    da_prev = sum(p["W" + g][:, :n_a].T @ dz for g, dz in zip(GATES, (dz_f, dz_u, dz_c, dz_o)))
    return np.concatenate([dz_f, dz_u, dz_c, dz_o]), da_prev, dc_prev


def lstm_parameter_gradients(dz, cache, input_gradient=True):
    """dx<t> and the parameter gradients from the gates' dz, for one step or all steps at once.

    Args:
        dz: ∂J/∂z of the four gates, stacked f, u, c, o: (4 n_a, m) for one step, or
            (4 n_a, m, T_x) for every step.
        cache: the step's LSTMCache, or ``caches.stacked`` (the same fields, over all steps).
        input_gradient: compute dxt (else it is None).
    Returns:
        dict with dxt (n_x, m) or (n_x, m, T_x); dWf, dWu, dWc, dWo (n_a, n_a + n_x),
        dbf, dbu, dbc, dbo (n_a, 1), and with peepholes dpf, dpu, dpo (n_a, 1): for
        stacked arrays, summed over the steps as BPTT requires.
    """
    p = cache.parameters
    n_a = cache.a_prev.shape[0]
    # dW_g = Σ_t Σ_batch dz_g [a<t-1>; x<t>]ᵀ, the four stacked  (4 n_a, n_a + n_x)
    dW = outer_sum(dz, np.concatenate([cache.a_prev, cache.xt]))
    db = sum_steps(dz)  # db_g = Σ_t Σ_batch dz_g  (4 n_a, 1)
    Wx = np.concatenate([p["W" + g][:, n_a:] for g in GATES])  # the x-columns of the four  (4 n_a, n_x)
    gradients = {"dxt": matmul_steps(Wx.T, dz) if input_gradient else None}  # dx<t> = Σ_g W_g,xᵀ dz_g
    for i, g in enumerate(GATES):
        gradients["dW" + g] = dW[i * n_a:(i + 1) * n_a]
        gradients["db" + g] = db[i * n_a:(i + 1) * n_a]
    form = _form_of(cache)
    if form is not None:
        dz_f, dz_u, dz_o = dz[:n_a], dz[n_a:2 * n_a], dz[3 * n_a:]
        gradients["dpf"] = sum_steps(dz_f * cache.c_prev)  # dpf = Σ_t Σ_batch dz_f * c<t-1>
        gradients["dpu"] = sum_steps(dz_u * cache.c_prev)  # dpu = Σ_t Σ_batch dz_u * c<t-1>
        c_seen = cache.c_prev if form == "tutorial" else cache.c_next
        gradients["dpo"] = sum_steps(dz_o * c_seen)  # dpo = Σ_t Σ_batch dz_o * c<t> (the tutorial: c<t-1>)
    return gradients


@checked(_check_cell_backward)
def lstm_cell_backward(da_next, dc_next, cache):
    """Gradients of one LSTM step, given the gradients reaching its outputs a<t> and c<t>.

    Args:
        da_next: ∂J/∂a<t>, shape (n_a, m): the total gradient reaching a<t> (this step's
            upstream plus what comes back from step t+1).
        dc_next: ∂J/∂c<t> coming back from step t+1, shape (n_a, m).
        cache: the LSTMCache from lstm_cell_forward.
    Returns:
        gradients: dict with dxt (n_x, m), da_prev (n_a, m), dc_prev (n_a, m),
        dWf, dWu, dWc, dWo (n_a, n_a + n_x), dbf, dbu, dbc, dbo (n_a, 1), and with
        peepholes dpf, dpu, dpo (n_a, 1).
    """
    dz, da_prev, dc_prev = lstm_step_backward(da_next, dc_next, cache)  # dz of Γf, Γu, c~, Γo; da<t-1>, dc<t-1>
    gradients = lstm_parameter_gradients(dz, cache)  # dxt, dW_g = dz_g [a<t-1>; x<t>]ᵀ, db_g, dp_g
    return {"dxt": gradients.pop("dxt"), "da_prev": da_prev, "dc_prev": dc_prev, **gradients}


@checked(_check_backward)
def lstm_backward(da, caches, input_gradient=True):
    """Backpropagation through time for the whole sequence.

    Args:
        da: ∂J/∂a<t> from above for every step (not through the recurrence),
            shape (n_a, m, T_x); as in the DLS assignment it excludes the output layer.
        caches: the caches from lstm_forward (a list of LSTMCache works too).
        input_gradient: also compute dx (default); a language model passes False.
    Returns:
        gradients: dict with dx (n_x, m, T_x) (None without input_gradient), da0 (n_a, m),
        dWf, dWu, dWc, dWo (n_a, n_a + n_x), dbf, dbu, dbc, dbo (n_a, 1), and with
        peepholes dpf, dpu, dpo (n_a, 1). No dc0: lstm_forward starts from c<0> = 0.

    The same as calling lstm_cell_backward from t = T_x down to 1, passing da_prev and
    dc_prev back and adding up the parameter gradients: the driver's loop only carries
    the gradients back through time, the sums over steps are done once, after it.
    """
    gradients = sequence_backward(da, caches, input_gradient)  # dx, da0, dc0, dWf, ..., dbo
    return {k: v for k, v in gradients.items() if k != "dc0"}  # c<0> = 0 is no input of lstm_forward


# ---------------------------------------------------------------------------------------
# The cells, registered with the recurrent core
# ---------------------------------------------------------------------------------------


def _halved(W, n_a):
    """W, a stack of the four gates' rows (f, u, c, o), with its σ rows halved and its c~ rows not.

    σ(z) = (1 + tanh(z / 2)) / 2 lets one tanh call serve all four gates, and never
    overflows (e^(-z) would, for z < -709): the steps need z / 2 for Γf, Γu, Γo and z for
    c~. Halving the weights and biases instead of z at every step gives the same numbers
    (a product by 1/2 is exact in floating point) for one multiplication per sequence.
    """
    return W * np.repeat([0.5, 0.5, 1.0, 0.5], n_a)[:, None]


def _input_term(p, x):
    """H ([Wf; Wu; Wc; Wo]_x x<t> + [bf; bu; bc; bo]) for one step or every step: (4 n_a, m[, T_x]).

    The x-part of the four gates' pre-activations does not wait for a<t-1>: one product
    with the (4 n_a, n_x) stack of the four x-blocks, for the whole sequence, replaces
    4 T_x small ones. The blocks are stacked in the order f, u, c, o, and H halves the σ
    rows (see _halved): the steps take tanh of them. For a sequence, the result is laid
    out step by step in memory (it is a (4 n_a, m, T_x) view of a (T_x, 4 n_a, m) array),
    so that the driver's u[..., t] is one contiguous block.
    """
    n_a = p["bf"].shape[0]
    Wx = _halved(np.concatenate([p["W" + g][:, n_a:] for g in GATES]), n_a)  # (4 n_a, n_x)
    b = _halved(np.concatenate([p["b" + g] for g in GATES]), n_a)  # (4 n_a, 1)
    if x.ndim == 2:
        return Wx @ x + b
    u = np.matmul(Wx, x.transpose(2, 0, 1))  # u<t> = H Wx x<t>, step by step  (T_x, 4 n_a, m)
    u += b
    return u.transpose(1, 2, 0)  # (4 n_a, m, T_x)


def _forward_step(form, p, options):
    """The driver's step for one form; u<t> (see _input_term) comes computed for all steps.

    z holds the pre-activations with the σ rows halved (see _halved): σ(z) = (1 + tanh(z / 2)) / 2.
    """
    n_a = p["bf"].shape[0]
    Wa = _halved(np.concatenate([p["W" + g][:, :n_a] for g in GATES]), n_a)  # the a-columns of the four  (4 n_a, n_a)
    if form is not None:  # the peepholes that see c<t-1>, halved as the rows they join  (4, n_a, 1)
        none = np.zeros((n_a, 1))
        seen_prev = 0.5 * np.stack([p["pf"], p["pu"], none, p["po"] if form == "tutorial" else none])
        po_half = 0.5 * p["po"]
    now = 3 * n_a if form == "gers" else 4 * n_a  # the rows computed at once (Gers: Γo must wait for c<t>)
    buffers = {}  # by batch size m: the step's arrays z and s, and their views, made once

    def buffers_for(m):
        """z, its blocks, its first ``now`` rows, s likewise, and the gates' views: Γf, Γu, c~, Γo.

        A step computes its gates in them and returns views of them: the driver copies those
        into its stacks before the next step writes them again.
        """
        if m not in buffers:
            z, s = np.empty((4 * n_a, m)), np.empty((4 * n_a, m))
            gates = s[:n_a], s[n_a:2 * n_a], z[2 * n_a:3 * n_a], s[3 * n_a:]  # c~ is tanh(z_c) itself
            buffers[m] = (z, z.reshape(4, n_a, m), z[:now], s[:now], gates)
        return buffers[m]

    def step(u_t, states):
        a_prev, c_prev = states
        z, z4, g, s, (gamma_f, gamma_u, c_tilde, gamma_o) = buffers_for(a_prev.shape[1])
        np.dot(Wa, a_prev, out=z)  # H Wa a<t-1>  (4 n_a, m)
        z += u_t  # z = H (W [a<t-1>; x<t>] + b): the σ rows halved
        if form is not None:
            z4 += seen_prev * c_prev  # + p_g * c<t-1>
        np.tanh(g, out=g)
        np.multiply(g, HALF, out=s)
        s += HALF  # σ(z) of the sigmoid rows (the c~ rows of s are not used)
        c_next = gamma_u * c_tilde  # c<t> = Γu * c~<t> + Γf * c<t-1>
        c_next += gamma_f * c_prev
        if form == "gers":
            z_o = po_half * c_next  # Γo = σ(Wo [a<t-1>; x<t>] + bo + po * c<t>)
            z_o += z4[3]
            gamma_o = np.tanh(z_o, out=z_o)
            gamma_o *= HALF
            gamma_o += HALF
        a_next = np.tanh(c_next)
        a_next *= gamma_o  # a<t> = Γo * tanh(c<t>)
        return (a_next, c_next), (gamma_f, gamma_u, c_tilde, gamma_o, c_next, a_next)

    return step


def _backward_step(form, caches):
    """The driver's step back for one form: lstm_step_backward, with what does not wait for
    the gradient from step t+1 computed for every step at once, before the loop."""
    s = caches.stacked
    p = caches.parameters
    n_a, m, T_x = s.a_next.shape
    Wa_T = np.concatenate([p["W" + g][:, :n_a] for g in GATES]).T  # (n_a, 4 n_a)

    # Step t's factors (what does not wait for the gradient from t+1), a block of steps at a
    # time, each factor steps first in one block of memory: a buffer of about 1 MB, whatever
    # T_x, written in place.
    #   dz_o = da<t> * factors[4, t],  dc<t> = dc_next + da<t> * factors[5, t] (+ po dz_o),
    #   dc<t-1>, dz_f, dz_u, dz_c = dc<t> * factors[:4, t]  (then dc<t-1> + the peepholes' paths)
    block = max(1, min(T_x, 2 ** 17 // (6 * n_a * m)))  # steps per block
    factors = np.empty((6, block, n_a, m))

    def load(t):
        """Fill factors with the block of steps holding step t; return the block's first step."""
        t0 = t - t % block
        t1 = min(t0 + block, T_x)
        k = factors[:, :t1 - t0]  # (6, steps, n_a, m)
        gamma_f, gamma_u, c_tilde, gamma_o, c_next, c_prev = (
            v[..., t0:t1].transpose(2, 0, 1) for v in (s.gamma_f, s.gamma_u, s.c_tilde, s.gamma_o, s.c_next, s.c_prev))
        np.copyto(k[0], gamma_f)  # dc<t-1> = dc<t> Γf
        tanh_c = np.tanh(c_next, out=k[5])  # k[5] holds tanh(c<t>) until the last line
        for k_i, gate, times in ((k[1], gamma_f, c_prev), (k[2], gamma_u, c_tilde), (k[4], gamma_o, tanh_c)):
            np.subtract(1, gate, out=k_i)
            k_i *= gate  # σ'(z) = Γ (1 - Γ)
            k_i *= times  # c<t-1> Γf (1 - Γf), c~ Γu (1 - Γu), tanh(c<t>) Γo (1 - Γo)
        for k_i, v, times in ((k[3], c_tilde, gamma_u), (k[5], tanh_c, gamma_o)):
            np.multiply(v, v, out=k_i)
            np.subtract(1, k_i, out=k_i)  # tanh' = 1 - tanh²
            k_i *= times  # Γu (1 - c~²), Γo (1 - tanh²(c<t>))
        return t0

    if form is not None:
        pf, pu, po = p["pf"], p["pu"], p["po"]
    first = None  # the first step of the block in factors (a memo: any t may be asked for)
    # One buffer for every step's dc<t-1>, dz_f, dz_u, dz_c, dz_o and dc<t>, and its views made
    # once: the driver stacks dz before the next step overwrites it, and the next step reads
    # dc<t-1> (its dc_next) before it writes its own.
    buffer = np.empty((6, n_a, m))
    dc_prev_and_fuc, dz_o_and_dc, dc_prev, dz_o, dc = buffer[:4], buffer[4:], buffer[0], buffer[4], buffer[5]
    dz = buffer[1:5].reshape(4 * n_a, m)  # dz_f, dz_u, dz_c, dz_o

    def step(d_states, t):
        nonlocal first
        da, dc_next = d_states
        if first is None or not first <= t < first + block:
            first = load(t)
        k = factors[:, t - first]  # (6, n_a, m)
        np.multiply(da, k[4:], out=dz_o_and_dc)  # dz_o, and da<t> Γo (1 - tanh²(c<t>))
        np.add(dc, dc_next, out=dc)  # dc<t> = dc_next + da<t> Γo (1 - tanh²(c<t>))
        if form == "gers":
            np.add(dc, po * dz_o, out=dc)  # + po dz_o: Γo saw c<t>
        np.multiply(k[:4], dc, out=dc_prev_and_fuc)  # dc<t-1> = dc<t> Γf, and dz_f, dz_u, dz_c
        if form is not None:  # + pf dz_f + pu dz_u: Γf and Γu saw c<t-1>
            np.add(dc_prev, pf * buffer[1], out=dc_prev)
            np.add(dc_prev, pu * buffer[2], out=dc_prev)
        if form == "tutorial":
            np.add(dc_prev, po * dz_o, out=dc_prev)  # and so did Γo
        return (np.dot(Wa_T, dz), dc_prev), (dz,)  # da<t-1> = Σ_g W_g,aᵀ dz_g

    return step


def _core_parameter_gradients(local, cache, input_gradient=True):
    return lstm_parameter_gradients(local["dz"], cache, input_gradient)


def _register(name, cache_type, form):
    return register_cell(Cell(
        name=name,
        parameter_keys=GATE_KEYS + (PEEPHOLE_KEYS if form else ()),
        output_keys=OUTPUT_KEYS,
        states=("a", "c"),
        hidden="a",
        cache_type=cache_type,
        check_parameters=functools.partial(check_lstm_parameters, peepholes=form is not None),
        sizes=_sizes,
        initialize=functools.partial(initialize_lstm_parameters, peepholes=form is not None),
        forward_step=functools.partial(_forward_step, form),
        step_fields=("gamma_f", "gamma_u", "c_tilde", "gamma_o", "c_next", "a_next"),
        backward_step=functools.partial(_backward_step, form),
        local_names=("dz",),
        parameter_gradients=_core_parameter_gradients,
        input_term=_input_term,
    ))


LSTM_CELL = _register("lstm", LSTMCache, None)
LSTM_PEEPHOLE_CELL = _register("lstm_peephole", LSTMPeepholeCache, "gers")
LSTM_TUTORIAL_PEEPHOLE_CELL = _register("lstm_peephole_tutorial", LSTMTutorialPeepholeCache, "tutorial")
_CELL_OF_CACHE = {cell.cache_type: cell for cell in (LSTM_CELL, LSTM_PEEPHOLE_CELL, LSTM_TUTORIAL_PEEPHOLE_CELL)}


# ---------------------------------------------------------------------------------------
# PyTorch's nn.LSTM: the same cell, its weights packed differently
# ---------------------------------------------------------------------------------------


def _check_to_torch(parameters):
    p = check_lstm_parameters(parameters)
    if "pf" in p:
        raise ValueError("parameters has the peephole vectors ['pf', 'pu', 'po']: nn.LSTM has no peepholes")
    return (p,)


@checked(_check_to_torch)
def lstm_parameters_to_torch(parameters):
    """nn.LSTM's packed weights (as NumPy arrays) holding the course's LSTM parameters.

    Args:
        parameters: Wf, bf, Wu, bu, Wc, bc, Wo, bo (no peepholes; Wy, by are not mapped:
            nn.LSTM has no output layer).
    Returns:
        dict with weight_ih (4 n_a, n_x), weight_hh (4 n_a, n_a), bias_ih (4 n_a,),
        bias_hh (4 n_a,): the blocks in PyTorch's gate order i, f, g, o, which are the
        course's Γu, Γf, c~, Γo. PyTorch adds two biases per gate; the course's b_g goes
        into bias_ih and bias_hh is zero. Copy them into ``nn.LSTM`` with
        ``lstm.weight_ih_l0.copy_(torch.from_numpy(weights["weight_ih"]))`` etc.
    """
    n_a = parameters["bf"].shape[0]
    W = np.concatenate([parameters["W" + g] for g in TORCH_GATES])  # i, f, g, o on [a<t-1>; x<t>]  (4 n_a, n_a + n_x)
    b = np.concatenate([parameters["b" + g] for g in TORCH_GATES])[:, 0]  # (4 n_a,)
    return {"weight_ih": np.ascontiguousarray(W[:, n_a:]), "weight_hh": np.ascontiguousarray(W[:, :n_a]),
            "bias_ih": b, "bias_hh": np.zeros_like(b)}


def _check_from_torch(weights):
    w = float_parameters("weights", weights, TORCH_KEYS)
    four_n_a, n_x = check_letters('weights["weight_ih"]', w["weight_ih"], "(4 n_a, n_x)").shape
    if four_n_a % 4:
        raise ValueError(f'weights["weight_ih"] must have shape (4 n_a, n_x): {four_n_a} rows is not 4 n_a')
    n_a = four_n_a // 4
    check_letters('weights["weight_hh"]', w["weight_hh"], "(4 n_a, n_a)", **{"4 n_a": four_n_a, "n_a": n_a})
    for k in ("bias_ih", "bias_hh"):
        check_letters(f'weights["{k}"]', w[k], "(4 n_a)", **{"4 n_a": four_n_a})
    return (w,)


@checked(_check_from_torch)
def lstm_parameters_from_torch(weights):
    """The course's LSTM parameters from nn.LSTM's packed weights (as NumPy arrays).

    Args:
        weights: dict with weight_ih (4 n_a, n_x), weight_hh (4 n_a, n_a), bias_ih (4 n_a,),
            bias_hh (4 n_a,), e.g. ``{k: v.detach().numpy() for k, v in ...}`` of one
            layer with the "_l0" taken off the names; blocks in PyTorch's order i, f, g, o.
    Returns:
        parameters: Wf, Wu, Wc, Wo (n_a, n_a + n_x) and bf, bu, bc, bo (n_a, 1), where
        b_g = bias_ih + bias_hh of the gate (PyTorch adds both to the same pre-activation).
    """
    W = np.concatenate([weights["weight_hh"], weights["weight_ih"]], axis=1)  # [W_hh W_ih] acts on [a<t-1>; x<t>]
    b = (weights["bias_ih"] + weights["bias_hh"])[:, None]  # (4 n_a, 1)
    parameters = {}
    for W_g, b_g, g in zip(np.split(W, 4), np.split(b, 4), TORCH_GATES):
        parameters["W" + g], parameters["b" + g] = W_g, b_g
    return {k: parameters[k] for k in GATE_KEYS}
