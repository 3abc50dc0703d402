"""The basic RNN cell, the first cell of the recurrent core: forward pass and BPTT.

    a<t> = g1(Waa a<t-1> + Wax x<t> + ba)      g1 = tanh (or relu, identity)
    ŷ<t> = softmax(Wya a<t> + by)

Shapes: x (n_x, m, T_x), a0 (n_a, m), a (n_a, m, T_x), y_pred (n_y, m, T_x);
parameters Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
The time loops live in ``recurrent.py``, shared with every other cell; this module holds
the cell's equations and the four functions of the DLS assignment.
Derived in notebooks/01_forward_pass.ipynb and notebooks/02_bptt.ipynb.
"""

from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_generator,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_letters,
    checked,
    float_parameters,
    sequence_inputs,
    shaped_array,
)
from course_lib.activations import ACTIVATIONS, get_activation
from course_lib.recurrent import (
    Cell,
    SequenceCache,
    add_bias,
    backward_steps,
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
    "RNN_CELL",
    "RNNCache",
    "BPTTSteps",
    "RNNCaches",
    "backprop_through_time",
    "check_rnn_parameters",
    "initialize_rnn_parameters",
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_cell_backward",
    "rnn_backward",
    "rnn_parameter_gradients",
    "rnn_step_backward",
]

PARAMETER_KEYS = ("Wax", "Waa", "ba")
OUTPUT_KEYS = ("Wya", "by")


class RNNCache(NamedTuple):
    """What one cell's backward pass needs, named as in the equations."""

    a_next: np.ndarray  # a<t>    (n_a, m)
    a_prev: np.ndarray  # a<t-1>  (n_a, m)
    xt: np.ndarray  # x<t>        (n_x, m)
    parameters: dict  # Wax, Waa, ba (and Wya, by)
    activation: str  # g1: "tanh", "relu" or "identity"


# rnn_forward's caches: one SequenceCache of the recurrent core; caches[t] is an RNNCache.
RNNCaches = SequenceCache


def initialize_rnn_parameters(n_x, n_a, n_y, rng, scale=0.1):
    """Small random weights and biases for an RNN cell (and its softmax output layer).

    Args:
        n_x, n_a: input size and hidden-state size.
        n_y: output size, or None for a cell without output layer (no Wya, by).
        rng: a np.random.Generator or an int seed, the only source of randomness.
        scale: standard deviation of every entry.
    Returns:
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1)
        and, unless n_y is None, Wya (n_y, n_a), by (n_y, 1).

    The biases are random too (not zeros) so that a test cannot miss a bias bug.
    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    n_x = check_positive_int("n_x", n_x)
    n_a = check_positive_int("n_a", n_a)
    n_y = None if n_y is None else check_positive_int("n_y", n_y)
    rng = as_generator("rng", rng)
    scale = check_positive_float("scale", scale)

    shapes = {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a, 1)}
    if n_y is not None:
        shapes.update(Wya=(n_y, n_a), by=(n_y, 1))
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


def check_rnn_parameters(parameters, name="parameters"):
    """A new dict of the parameters as float64 arrays, after checking keys and shapes.

    Wax defines n_a and n_x, Wya defines n_y; every other entry must agree with them.
    The output layer (Wya, by) is optional, but needs both entries.
    """
    p = float_parameters(name, parameters, PARAMETER_KEYS, OUTPUT_KEYS)
    n_a, n_x = check_letters(f'{name}["Wax"]', p["Wax"], "(n_a, n_x)").shape
    check_letters(f'{name}["Waa"]', p["Waa"], "(n_a, n_a)", n_a=n_a)
    check_letters(f'{name}["ba"]', p["ba"], "(n_a, 1)", n_a=n_a)
    if "Wya" in p:
        n_y = check_letters(f'{name}["Wya"]', p["Wya"], "(n_y, n_a)", n_a=n_a).shape[0]
        check_letters(f'{name}["by"]', p["by"], "(n_y, 1)", n_y=n_y)
    return p


# ---------------------------------------------------------------------------------------
# Argument checks at the door
# ---------------------------------------------------------------------------------------


def _check_activation(activation):
    return check_choice("activation", activation, sorted(ACTIVATIONS))


def _check_cell_forward(xt, a_prev, parameters, activation="tanh"):
    p = check_rnn_parameters(parameters)
    n_a, n_x = p["Wax"].shape
    xt = shaped_array("xt", xt, "(n_x, m)", n_x=n_x)  # xt defines m
    a_prev = shaped_array("a_prev", a_prev, "(n_a, m)", n_a=n_a, m=xt.shape[1])
    return xt, a_prev, p, _check_activation(activation)


def _check_forward(x, a0, parameters, activation="tanh"):
    p = check_rnn_parameters(parameters)
    x, a0 = sequence_inputs(x, a0, *p["Wax"].shape[::-1])
    return x, a0, p, _check_activation(activation)


def _check_cache(name, cache, kind):
    if not isinstance(cache, kind):
        made_by = "rnn_cell_forward (an RNNCache)" if kind is RNNCache else "rnn_forward (RNNCaches) or a list of RNNCache"
        raise ValueError(f"{name} must be what {made_by} returned, got {type(cache).__name__}")
    if isinstance(cache, SequenceCache) and cache.cell is not RNN_CELL:
        raise ValueError(f"{name} must come from the rnn cell, got caches of the {cache.cell.name!r} cell")
    return cache


def _check_cell_backward(da_next, cache):
    cache = _check_cache("cache", cache, RNNCache)
    return shaped_array("da_next", da_next, "(n_a, m)", n_a=cache.a_next.shape[0], m=cache.a_next.shape[1]), cache


def _as_sequence_cache(caches):
    """The SequenceCache of rnn_forward, or one stacked from a list of RNNCache."""
    if isinstance(caches, (list, tuple)) and not isinstance(caches, RNNCache) and caches \
            and all(isinstance(c, RNNCache) for c in caches):
        first = caches[0]
        return SequenceCache(
            RNN_CELL, np.stack([c.xt for c in caches], axis=2), (first.a_prev,),
            {k: first.parameters[k] for k in PARAMETER_KEYS}, {"activation": first.activation},
            {"a_next": np.stack([c.a_next for c in caches], axis=2)},
        )
    return _check_cache("caches", caches, SequenceCache)


def _check_backward(da, caches, input_gradient=True):
    caches = _as_sequence_cache(caches)
    n_a, m, T_x = caches.state("a").shape
    da = shaped_array("da", da, "(n_a, m, T_x)", n_a=n_a, m=m, T_x=T_x)
    if not isinstance(input_gradient, bool):
        raise ValueError(f"input_gradient must be True or False, got {input_gradient!r}")
    return da, caches, input_gradient


# ---------------------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------------------


@checked(_check_cell_forward)
def rnn_cell_forward(xt, a_prev, parameters, activation="tanh"):
    """One step of the RNN: a<t> from a<t-1> and x<t>, and the prediction ŷ<t>.

    Args:
        xt: x<t>, shape (n_x, m).
        a_prev: a<t-1>, shape (n_a, m).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1),
            optionally Wya (n_y, n_a) and by (n_y, 1).
        activation: g1, one of "tanh", "relu", "identity".
    Returns:
        a_next: a<t>, shape (n_a, m).
        yt_pred: ŷ<t>, shape (n_y, m), or None without Wya, by.
        cache: RNNCache(a_next, a_prev, xt, parameters, activation).

    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    g, _ = get_activation(activation)
    Wax, Waa, ba = parameters["Wax"], parameters["Waa"], parameters["ba"]

    a_next = g(Waa @ a_prev + (Wax @ xt + ba))  # a<t> = g1(Waa a<t-1> + Wax x<t> + ba)  (n_a, m)
    yt_pred = predictions(a_next, parameters)  # ŷ<t> = softmax(Wya a<t> + by)  (n_y, m)
    return a_next, yt_pred, RNNCache(a_next, a_prev, xt, parameters, activation)


def _input_term(p, x):
    """Wax x<t> + ba: the part of the step that does not wait for a<t-1>."""
    return add_bias(matmul_steps(p["Wax"], x), p["ba"])


def _forward_step(p, options):
    """The driver's step: u<t> = Wax x<t> + ba comes computed for all steps at once."""
    g, _ = get_activation(options["activation"])
    Waa = p["Waa"]

    def step(u_t, states):
        a_next = g(np.dot(Waa, states[0]) + u_t)  # a<t> = g1(Waa a<t-1> + Wax x<t> + ba)
        return (a_next,), (a_next,)

    return step


@checked(_check_forward)
def rnn_forward(x, a0, parameters, activation="tanh"):
    """The RNN over a whole sequence: every hidden state a<t> and prediction ŷ<t>.

    Args:
        x: inputs, shape (n_x, m, T_x); x[:, :, t] is x<t+1>.
        a0: a<0>, shape (n_a, m).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1),
            optionally Wya (n_y, n_a) and by (n_y, 1).
        activation: g1, one of "tanh", "relu", "identity".
    Returns:
        a: hidden states a<1> ... a<T_x>, shape (n_a, m, T_x).
        y_pred: predictions, shape (n_y, m, T_x), or None without Wya, by.
        caches: the SequenceCache for rnn_backward; caches[t] is step t's RNNCache.

    The recurrent core's driver steps the cell from t = 1 to T_x. Only the product
    Waa a<t-1> has to wait for the previous step: Wax x<t> + ba and the output layer
    are computed for all steps at once, one large matrix product each.
    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    caches = sequence_forward(RNN_CELL, x, (a0,), parameters, {"activation": activation})
    a = caches.state("a")  # a<1> ... a<T_x>  (n_a, m, T_x)
    y_pred = predictions(a, parameters)  # ŷ<t> = softmax(Wya a<t> + by)  (n_y, m, T_x)
    return a, y_pred, caches


# ---------------------------------------------------------------------------------------
# Backward pass (backpropagation through time)
# ---------------------------------------------------------------------------------------


def rnn_step_backward(da_next, cache):
    """Back through one step's activation and recurrence: dz<t> and da_prev, the part of ∂J/∂a<t-1> through step t.

    Args:
        da_next: ∂J/∂a<t>, the total gradient reaching a<t>, (n_a, m).
        cache: the step's RNNCache.
    Returns:
        dz: ∂J/∂z<t> for the pre-activation z<t> = Waa a<t-1> + Wax x<t> + ba, (n_a, m).
        da_prev: ∂J/∂a<t-1> through this step, Waaᵀ dz<t>, (n_a, m).
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    _, g_prime = get_activation(cache.activation)
    dz = da_next * g_prime(cache.a_next)  # dz<t> = da<t> * g1'(z<t>), g1' read off a<t>  (n_a, m)
    da_prev = cache.parameters["Waa"].T @ dz  # da_prev = Waaᵀ dz<t>, the part of ∂J/∂a<t-1> through step t  (n_a, m)
    return dz, da_prev


def rnn_parameter_gradients(dz, cache, input_gradient=True):
    """dx<t> and the weight gradients from dz<t>, for one step or all steps at once.

    Args:
        dz: ∂J/∂z<t>, (n_a, m) for one step, or (n_a, m, T_x) for every step.
        cache: the step's RNNCache, or ``caches.stacked`` (the same fields, over all steps).
        input_gradient: compute dxt (else it is None).
    Returns:
        dict with dxt (n_x, m) or (n_x, m, T_x), dWax (n_a, n_x), dWaa (n_a, n_a),
        dba (n_a, 1): for stacked arrays, summed over the steps as BPTT requires.
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    p = cache.parameters
    return {
        "dxt": matmul_steps(p["Wax"].T, dz) if input_gradient else None,  # dx<t> = Waxᵀ dz<t>
        "dWax": outer_sum(dz, cache.xt),  # dWax = Σ_t Σ_batch dz<t> x<t>ᵀ  (n_a, n_x)
        "dWaa": outer_sum(dz, cache.a_prev),  # dWaa = Σ_t Σ_batch dz<t> a<t-1>ᵀ  (n_a, n_a)
        "dba": sum_steps(dz),  # dba = Σ_t Σ_batch dz<t>  (n_a, 1)
    }


@checked(_check_cell_backward)
def rnn_cell_backward(da_next, cache):
    """Gradients of one RNN step, given the gradient reaching its output a<t>.

    Args:
        da_next: ∂J/∂a<t>, shape (n_a, m): the total gradient reaching a<t>.
        cache: the RNNCache from rnn_cell_forward.
    Returns:
        gradients: dict with dxt (n_x, m), da_prev (n_a, m), dWax (n_a, n_x),
        dWaa (n_a, n_a), dba (n_a, 1).

    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    dz, da_prev = rnn_step_backward(da_next, cache)  # dz<t> = da<t> * g1'(z<t>), da_prev = Waaᵀ dz<t>
    gradients = rnn_parameter_gradients(dz, cache)  # dxt = Waxᵀ dz, dWax = dz xtᵀ, dWaa = dz a_prevᵀ, dba
    return {"dxt": gradients["dxt"], "da_prev": da_prev,
            "dWax": gradients["dWax"], "dWaa": gradients["dWaa"], "dba": gradients["dba"]}


@checked(_check_backward)
def rnn_backward(da, caches, input_gradient=True):
    """Backpropagation through time for the whole sequence.

    Args:
        da: ∂J/∂a<t> from above for every step (not through the recurrence),
            shape (n_a, m, T_x); as in the DLS assignment it excludes the output layer.
        caches: the caches from rnn_forward (a list of RNNCache works too).
        input_gradient: also compute dx (default). A language model's inputs are data,
            not parameters, so its trainer passes False and saves one large product.
    Returns:
        gradients: dict with dx (n_x, m, T_x) (None without input_gradient),
        da0 (n_a, m), dWax (n_a, n_x), dWaa (n_a, n_a), dba (n_a, 1).

    The same as calling rnn_cell_backward from t = T_x down to 1 and adding up the
    weight gradients: the driver's loop only carries the gradient back through time
    (rnn_step_backward), and the sums over steps are done once, after it
    (rnn_parameter_gradients on the stacked caches).
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    return sequence_backward(da, caches, input_gradient)


class BPTTSteps(NamedTuple):
    """What the backward loop finds at every step."""

    da_total: np.ndarray  # ∂J/∂a<t>: from above plus back from step t+1  (n_a, m, T_x)
    dz: np.ndarray  # ∂J/∂z<t>, z<t> the pre-activation  (n_a, m, T_x)
    da0: np.ndarray  # ∂J/∂a<0>  (n_a, m)


@checked(_check_backward)
def backprop_through_time(da, caches, input_gradient=True):
    """The loop of BPTT: the gradient carried from a<T_x> back to a<0>, one step at a time.

    Args:
        da: ∂J/∂a<t> from above for every step (not through the recurrence),
            shape (n_a, m, T_x).
        caches: the caches from rnn_forward (a list of RNNCache works too).
    Returns:
        BPTTSteps(da_total, dz, da0): the total gradient reaching each a<t> (from above
        plus back from step t+1), the gradient of each pre-activation z<t>, and ∂J/∂a<0>.

    rnn_backward and gradients.timestep_gradient_norms both run this loop (the recurrent
    core's, which calls rnn_step_backward at every step).
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    steps = backward_steps(da, caches)
    return BPTTSteps(steps.d_states["a"], steps.local["dz"], steps.d_initial[0])


# ---------------------------------------------------------------------------------------
# The cell, registered with the recurrent core
# ---------------------------------------------------------------------------------------


def _backward_step(caches):
    """The driver's step back: rnn_step_backward, with g1'(z<t>) read off every a<t> at once."""
    _, g_prime = get_activation(caches.options["activation"])
    g_prime_z = g_prime(caches.state("a"))  # g1'(z<t>) for every t  (n_a, m, T_x)
    Waa_T = caches.parameters["Waa"].T

    def step(d_states, t):
        dz = d_states[0] * g_prime_z[:, :, t]  # dz<t> = da<t> * g1'(z<t>)
        return (np.dot(Waa_T, dz),), (dz,)  # da_prev = Waaᵀ dz<t>

    return step


def _core_parameter_gradients(local, cache, input_gradient=True):
    return rnn_parameter_gradients(local["dz"], cache, input_gradient)


def _one_hot_input_term(p, x_indices):
    """Wax x<t> + ba for one-hot x<t> given by their indices (−1: x<t> = 0): a column of Wax."""
    return one_hot_matmul(p["Wax"], x_indices, p["ba"])  # Wax x<t> + ba


def _one_hot_parameter_gradients(local, cache, x_indices):
    """rnn_parameter_gradients (without dxt) for one-hot x<t> given by their indices."""
    dz = local["dz"]
    return {
        "dWax": one_hot_outer_sum(dz, x_indices, cache.parameters["Wax"].shape[1]),  # Σ_t dz<t> x<t>ᵀ, a scatter-add
        "dWaa": outer_sum(dz, cache.a_prev),  # dWaa = Σ_t Σ_batch dz<t> a<t-1>ᵀ
        "dba": sum_steps(dz),  # dba = Σ_t Σ_batch dz<t>
    }


RNN_CELL = register_cell(Cell(
    name="rnn",
    parameter_keys=PARAMETER_KEYS,
    output_keys=OUTPUT_KEYS,
    states=("a",),
    hidden="a",
    cache_type=RNNCache,
    check_parameters=check_rnn_parameters,
    sizes=lambda p: p["Wax"].shape[::-1],
    initialize=initialize_rnn_parameters,
    forward_step=_forward_step,
    step_fields=("a_next",),
    backward_step=_backward_step,
    local_names=("dz",),
    parameter_gradients=_core_parameter_gradients,
    input_term=_input_term,
    options={"activation": "tanh"},
    one_hot_input_term=_one_hot_input_term,
    one_hot_parameter_gradients=_one_hot_parameter_gradients,
))
