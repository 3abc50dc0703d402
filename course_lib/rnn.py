"""The basic RNN cell and its sequence driver: forward pass and backpropagation through time.

    a<t> = g1(Waa a<t-1> + Wax x<t> + ba)      g1 = tanh (or relu, identity)
    ŷ<t> = softmax(Wya a<t> + by)

Shapes: x (n_x, m, T_x), a0 (n_a, m), a (n_a, m, T_x), y_pred (n_y, m, T_x);
parameters Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
Derived in notebooks/01_forward_pass.ipynb and notebooks/02_bptt.ipynb.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_shaped_array,
    as_float_array,
    check_positive_float,
    check_positive_int,
    check_shape,
    require_keys,
)
from course_lib.activations import get_activation, softmax

__all__ = [
    "RNNCache",
    "BPTTSteps",
    "RNNCaches",
    "backprop_through_time",
    "initialize_rnn_parameters",
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_cell_backward",
    "rnn_backward",
]


class RNNCache(NamedTuple):
    """What one cell's backward pass needs, named as in the equations."""

    a_next: np.ndarray  # a<t>    (n_a, m)
    a_prev: np.ndarray  # a<t-1>  (n_a, m)
    xt: np.ndarray  # x<t>        (n_x, m)
    parameters: dict  # Wax, Waa, ba (and Wya, by)
    activation: str  # g1: "tanh", "relu" or "identity"


@dataclass(frozen=True)
class RNNCaches:
    """What rnn_backward needs for a whole sequence.

    It keeps the stacked arrays (one array for all steps, which is what makes the
    backward pass fast), and still behaves like the list of cell caches of the DLS
    assignment: ``len(caches) == T_x`` and ``caches[t]`` is step t's RNNCache (0-based).
    """

    a: np.ndarray  # a<1> ... a<T_x>  (n_a, m, T_x)
    a0: np.ndarray  # a<0>            (n_a, m)
    x: np.ndarray  # x<1> ... x<T_x>  (n_x, m, T_x)
    parameters: dict
    activation: str

    def __len__(self):
        return self.x.shape[2]

    def __getitem__(self, t):
        t = range(len(self))[t]  # negative steps count from the end; IndexError past it
        a_prev = self.a0 if t == 0 else self.a[:, :, t - 1]
        return RNNCache(self.a[:, :, t], a_prev, self.x[:, :, t], self.parameters, self.activation)


def initialize_rnn_parameters(n_x, n_a, n_y, rng, scale=0.1):
    """Small random weights and biases for an RNN cell (and its softmax output layer).

    Args:
        n_x, n_a: input size and hidden-state size.
        n_y: output size, or None for a cell without output layer (no Wya, by).
        rng: a np.random.Generator, the only source of randomness.
        scale: standard deviation of every entry.
    Returns:
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1)
        and, unless n_y is None, Wya (n_y, n_a), by (n_y, 1).

    The biases are random too (not zeros) so that a test cannot miss a bias bug.
    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    n_x = check_positive_int("n_x", n_x)
    n_a = check_positive_int("n_a", n_a)
    if n_y is not None:
        n_y = check_positive_int("n_y", n_y)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    scale = check_positive_float("scale", scale)

    shapes = {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a, 1)}
    if n_y is not None:
        shapes.update(Wya=(n_y, n_a), by=(n_y, 1))
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


# ---------------------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------------------


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
    p = _check_parameters(parameters)
    g, _ = get_activation(activation)
    n_a, n_x = p["Wax"].shape
    xt = as_shaped_array("xt", xt, "(n_x, m)")  # xt defines m
    check_shape("xt", xt, (n_x, xt.shape[1]), "(n_x, m)")
    a_prev = as_float_array("a_prev", a_prev)
    check_shape("a_prev", a_prev, (n_a, xt.shape[1]), "(n_a, m)")

    Wax, Waa, ba = p["Wax"], p["Waa"], p["ba"]

    a_next = g(Waa @ a_prev + Wax @ xt + ba)  # a<t> = g1(Waa a<t-1> + Wax x<t> + ba)  (n_a, m)
    yt_pred = None
    if "Wya" in p:
        yt_pred = softmax(p["Wya"] @ a_next + p["by"])  # ŷ<t> = softmax(Wya a<t> + by)  (n_y, m)
    return a_next, yt_pred, RNNCache(a_next, a_prev, xt, p, activation)


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
        caches: RNNCaches for rnn_backward; caches[t] is step t's RNNCache.

    The same cell as rnn_cell_forward, step after step; only the parts that do not
    depend on a<t-1> (the input projection, the output layer) run for all steps at once.
    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    p = _check_parameters(parameters)
    g, _ = get_activation(activation)
    x, a0 = _check_sequence(x, a0, p)
    Wax, Waa, ba = p["Wax"], p["Waa"], p["ba"]
    n_x, m, T_x = x.shape
    n_a = Waa.shape[0]

    # Wax x<t> + ba does not depend on a<t-1>, so it is computed for all steps at once:
    # seen as n_x × (m·T_x), x holds one column per (example, step) pair.
    x_in = (Wax @ x.reshape(n_x, m * T_x)).reshape(n_a, m, T_x) + ba[:, :, None]  # (n_a, m, T_x)
    a = np.empty((n_a, m, T_x))  # (n_a, m, T_x)
    a_prev = a0  # (n_a, m)
    for t in range(T_x):
        a_next = g(Waa @ a_prev + x_in[:, :, t])  # a<t> = g1(Waa a<t-1> + Wax x<t> + ba)
        a[:, :, t] = a_next
        a_prev = a_next

    y_pred = None
    if "Wya" in p:
        n_y = p["Wya"].shape[0]
        z_y = (p["Wya"] @ a.reshape(n_a, m * T_x)).reshape(n_y, m, T_x) + p["by"][:, :, None]
        y_pred = softmax(z_y)  # ŷ<t> = softmax(Wya a<t> + by), all steps at once  (n_y, m, T_x)
    return a, y_pred, RNNCaches(a, a0, x, p, activation)


# ---------------------------------------------------------------------------------------
# Backward pass (backpropagation through time)
# ---------------------------------------------------------------------------------------


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
    if not isinstance(cache, RNNCache):
        raise ValueError(
            f"cache must be the RNNCache from rnn_cell_forward, got {type(cache).__name__}"
        )
    da_next = as_float_array("da_next", da_next)
    check_shape("da_next", da_next, cache.a_next.shape, "(n_a, m)")
    _, g_prime = get_activation(cache.activation)
    Wax, Waa = cache.parameters["Wax"], cache.parameters["Waa"]

    # z<t> = Waa a<t-1> + Wax x<t> + ba is the pre-activation, a<t> = g1(z<t>).
    dz = da_next * g_prime(cache.a_next)  # dz<t> = da<t> * g1'(z<t>)  (n_a, m)
    return {
        "dxt": Wax.T @ dz,  # dx<t> = Waxᵀ dz<t>  (n_x, m)
        "da_prev": Waa.T @ dz,  # da<t-1> = Waaᵀ dz<t>  (n_a, m)
        "dWax": dz @ cache.xt.T,  # dWax = dz<t> x<t>ᵀ  (n_a, n_x)
        "dWaa": dz @ cache.a_prev.T,  # dWaa = dz<t> a<t-1>ᵀ  (n_a, n_a)
        "dba": dz.sum(axis=1, keepdims=True),  # dba = Σ_batch dz<t>  (n_a, 1)
    }


def rnn_backward(da, caches, input_gradient=True):
    """Backpropagation through time for the whole sequence.

    Args:
        da: ∂J/∂a<t> from above for every step (not through the recurrence),
            shape (n_a, m, T_x); as in the DLS assignment it excludes the output layer.
        caches: the RNNCaches from rnn_forward (a list of RNNCache works too).
        input_gradient: also compute dx (default). A language model's inputs are data,
            not parameters, so its trainer passes False and saves one large product.
    Returns:
        gradients: dict with dx (n_x, m, T_x) (None without input_gradient),
        da0 (n_a, m), dWax (n_a, n_x), dWaa (n_a, n_a), dba (n_a, 1).

    The same as calling rnn_cell_backward from t = T_x down to 1 and adding up the
    weight gradients; here the loop only carries the gradient back through time,
    and the sums over steps are done once, after it.
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    caches = _as_rnn_caches(caches)
    _, dz, da0 = backprop_through_time(da, caches)  # dz<t> for every t  (n_a, m, T_x)
    n_a, m, T_x = dz.shape
    n_x = caches.x.shape[0]
    # a<t-1> for every t: a<0>, a<1>, ..., a<T_x - 1>  (n_a, m, T_x)
    a_prev = np.concatenate([caches.a0[:, :, None], caches.a[:, :, :-1]], axis=2)

    # Side by side as m·T_x columns, the steps turn each sum over t into one matrix product.
    dz_cols = dz.reshape(n_a, m * T_x)  # (n_a, m·T_x)
    return {
        "dx": (caches.parameters["Wax"].T @ dz_cols).reshape(n_x, m, T_x)  # dx<t> = Waxᵀ dz<t>
        if input_gradient else None,
        "da0": da0,  # ∂J/∂a<0>
        "dWax": dz_cols @ caches.x.reshape(n_x, m * T_x).T,  # dWax = Σ_t dz<t> x<t>ᵀ
        "dWaa": dz_cols @ a_prev.reshape(n_a, m * T_x).T,  # dWaa = Σ_t dz<t> a<t-1>ᵀ
        "dba": dz_cols.sum(axis=1, keepdims=True),  # dba = Σ_t Σ_batch dz<t>
    }


class BPTTSteps(NamedTuple):
    """What the backward loop finds at every step."""

    da_total: np.ndarray  # ∂J/∂a<t>: from above plus back from step t+1  (n_a, m, T_x)
    dz: np.ndarray  # ∂J/∂z<t>, z<t> the pre-activation  (n_a, m, T_x)
    da0: np.ndarray  # ∂J/∂a<0>  (n_a, m)


def backprop_through_time(da, caches):
    """The loop of BPTT: the gradient carried from a<T_x> back to a<0>, one step at a time.

    Args:
        da: ∂J/∂a<t> from above for every step (not through the recurrence),
            shape (n_a, m, T_x).
        caches: the RNNCaches from rnn_forward (a list of RNNCache works too).
    Returns:
        BPTTSteps(da_total, dz, da0): the total gradient reaching each a<t> (from above
        plus back from step t+1), the gradient of each pre-activation z<t>, and ∂J/∂a<0>.

    rnn_backward and gradients.timestep_gradient_norms both run this loop.
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    caches = _as_rnn_caches(caches)
    n_a, m, T_x = caches.a.shape
    da = as_float_array("da", da)
    check_shape("da", da, (n_a, m, T_x), "(n_a, m, T_x)")
    _, g_prime = get_activation(caches.activation)
    Waa = caches.parameters["Waa"]

    g_prime_z = g_prime(caches.a)  # g1'(z<t>) for every t, read off the stored a<t>  (n_a, m, T_x)
    da_total = np.empty((n_a, m, T_x))  # (n_a, m, T_x)
    dz = np.empty((n_a, m, T_x))  # (n_a, m, T_x)
    da_prev = np.zeros((n_a, m))  # nothing comes back from beyond the last step  (n_a, m)
    for t in reversed(range(T_x)):
        da_next = da[:, :, t] + da_prev  # ∂J/∂a<t> = from above + back from step t+1
        dz_t = da_next * g_prime_z[:, :, t]  # dz<t> = ∂J/∂a<t> * g1'(z<t>)
        da_prev = Waa.T @ dz_t  # ∂J/∂a<t-1> through the recurrence = Waaᵀ dz<t>
        da_total[:, :, t] = da_next
        dz[:, :, t] = dz_t
    return BPTTSteps(da_total, dz, da_prev)


# ---------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------


def _check_parameters(parameters):
    """A new dict of the parameters as float64 arrays, after checking keys and shapes.

    Wax defines n_a and n_x, Wya defines n_y; every other entry must agree with them.
    """
    require_keys("parameters", parameters, ("Wax", "Waa", "ba"))
    names = ["Wax", "Waa", "ba"]
    if "Wya" in parameters or "by" in parameters:  # an output layer needs both
        require_keys("parameters", parameters, ("Wya", "by"))
        names += ["Wya", "by"]
    p = {k: as_float_array(f'parameters["{k}"]', parameters[k]) for k in names}

    n_a, n_x = as_shaped_array('parameters["Wax"]', p["Wax"], "(n_a, n_x)").shape
    check_shape('parameters["Waa"]', p["Waa"], (n_a, n_a), "(n_a, n_a)")
    check_shape('parameters["ba"]', p["ba"], (n_a, 1), "(n_a, 1)")
    if "Wya" in p:
        n_y = as_shaped_array('parameters["Wya"]', p["Wya"], "(n_y, n_a)").shape[0]
        check_shape('parameters["Wya"]', p["Wya"], (n_y, n_a), "(n_y, n_a)")
        check_shape('parameters["by"]', p["by"], (n_y, 1), "(n_y, 1)")
    return p


def _check_sequence(x, a0, p):
    """x (n_x, m, T_x) and a0 (n_a, m) as float64, checked against the parameters."""
    n_a, n_x = p["Wax"].shape
    x = as_shaped_array("x", x, "(n_x, m, T_x)")
    check_shape("x", x, (n_x, *x.shape[1:]), "(n_x, m, T_x)")
    if x.shape[1] == 0 or x.shape[2] == 0:
        raise ValueError(f"x must hold at least one example and one step, got shape {x.shape}")
    a0 = as_float_array("a0", a0)
    check_shape("a0", a0, (n_a, x.shape[1]), "(n_a, m)")
    return x, a0


def _as_rnn_caches(caches):
    """The RNNCaches of rnn_forward, or one stacked from a list of cell caches."""
    if isinstance(caches, RNNCaches):
        return caches
    if (
        isinstance(caches, (list, tuple))
        and not isinstance(caches, RNNCache)
        and len(caches) > 0
        and all(isinstance(c, RNNCache) for c in caches)
    ):
        first = caches[0]
        return RNNCaches(
            a=np.stack([c.a_next for c in caches], axis=2),
            a0=first.a_prev,
            x=np.stack([c.xt for c in caches], axis=2),
            parameters=first.parameters,
            activation=first.activation,
        )
    raise ValueError(
        "caches must be the RNNCaches returned by rnn_forward (or a list of RNNCache), "
        f"got {type(caches).__name__}"
    )
