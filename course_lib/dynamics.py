"""Vanishing and exploding gradients, measured exactly (source tutorial section 5).

Back through the recurrence, every step multiplies the gradient by one Jacobian:

    ∂a<t>/∂a<t-1> = diag(g1'(z<t>)) Waa                           (n_a, n_a)
    ∂a<T>/∂a<t>   = ∏_{s = T, T-1, ..., t+1} diag(g1'(z<s>)) Waa     (T − t factors)
    ‖∂a<T>/∂a<t>‖₂ ≤ (γ σ_max(Waa))^(T−t),   γ = max |g1'| = 1 for tanh, ReLU, identity

so a largest singular value σ_max < 1/γ is *sufficient* for the gradient to vanish
exponentially, and σ_max > 1/γ is *necessary* for it to explode (Pascanu, Mikolov &
Bengio 2013). The condition is on singular values: a non-normal Waa can have every
eigenvalue below 1 and still make the gradient grow for many steps.

This module measures those products with the recurrent core's own backward loop (any
cell: ``jacobian_products``, ``jacobian_norms``), writes the RNN's step Jacobians out
(``step_jacobians``), builds recurrent weights with a chosen largest singular value or
spectral radius, runs the one-unit model of Bengio, Simard & Frasconi (1994), follows one
gradient back through a chosen Waa with clipping (``gradient_flow``, the gradient
explorer's computation) and measures the angle a clipping turns a gradient by.
Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance".
"""

import dataclasses

import numpy as np

from course_lib._validate import (
    as_float_array,
    as_generator,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_shape,
    checked,
)
from course_lib.activations import ACTIVATIONS, get_activation
from course_lib.gradients import clip_by_norm, step_norms
from course_lib.recurrent import SequenceCache, backward_steps, get_cell, sequence_forward

__all__ = [
    "SETTINGS",
    "KINDS",
    "decay_rate",
    "gradient_angle",
    "gradient_flow",
    "init_recurrent_weights",
    "jacobian_norms",
    "jacobian_products",
    "largest_singular_value",
    "non_normal_matrix",
    "scale_to_spectral_radius",
    "single_unit_gradient",
    "spectral_radius",
    "step_jacobians",
]

SETTINGS = ("singular_value", "spectral_radius")  # what gradient_flow's value sets: σ_max or ρ of Waa
KINDS = ("orthogonal", "gaussian")  # init_recurrent_weights' kinds


def _check_caches(caches):
    if not isinstance(caches, SequenceCache):
        raise ValueError(
            "caches must be the SequenceCache of a forward pass (rnn_forward, run_forward), "
            f"got {type(caches).__name__}"
        )
    return (caches,)


def _check_state(caches, state=None):
    (caches,) = _check_caches(caches)
    if state is not None:
        check_choice("state", state, caches.cell.states)
    return caches, state


# ---------------------------------------------------------------------------------------
# Jacobian products through BPTT
# ---------------------------------------------------------------------------------------


@checked(_check_state)
def jacobian_products(caches, state=None):
    """∂h<T_x>/∂h<t> for every t from T_x back to 0, exactly, from BPTT itself.

    Args:
        caches: the SequenceCache of a forward pass of any cell (rnn.rnn_forward,
            recurrent.run_forward).
        state: which of the cell's states h is (one of ``cell.states``, e.g. "c" for the
            LSTM's memory cell); None: the hidden state (a for the RNN and the LSTM).
    Returns:
        products: shape (m, T_x + 1, n_a, n_a), indexed by the distance k = T_x − t:
            products[i, k] = ∂h<T_x>/∂h<T_x − k> for example i; products[:, 0] is the
            identity and products[:, T_x] is ∂h<T_x>/∂h<0>. Every path counts: for the
            LSTM's c, the one along the memory (× Γf) and those through a and the gates.

    BPTT carries a gradient vector back: starting from e_j at h<T_x>, what reaches h<t>
    is (∂h<T_x>/∂h<t>)ᵀ e_j, row j of the Jacobian. Pushing all n_a basis vectors back
    at once (each in its own batch column: every example repeated n_a times) through the
    recurrent core's own loop gives every row, so the products are the backward pass's,
    not a second derivation of it.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    cell = caches.cell
    state = cell.hidden if state is None else state
    n_a, m, T_x = caches.state(state).shape
    # Column i·n_a + j of the widened batch is example i, carrying e_j back from h<T_x>.
    wide = _repeat_examples(caches, n_a)  # every array (n, m·n_a, T_x)
    d_last = [np.zeros((n_a, m * n_a)) for _ in cell.states]
    d_last[cell.states.index(state)] = np.tile(np.eye(n_a), m)  # e_j at h<T_x>, nothing from the other steps
    with np.errstate(over="ignore", invalid="ignore"):
        steps = backward_steps(np.zeros((n_a, m * n_a, T_x)), wide, d_last=tuple(d_last))
    # rows[col, i·n_a + j, t] = (∂h<T_x>/∂h<t>)[j, col] for t = 0 ... T_x
    rows = np.concatenate([steps.d_initial[cell.states.index(state)][:, :, None], steps.d_states[state]], axis=2)
    products = rows.reshape(n_a, m, n_a, T_x + 1).transpose(1, 3, 2, 0)  # [i, t, j, col]
    return np.ascontiguousarray(products[:, ::-1])  # index k = T_x − t


def _repeat_examples(caches, times):
    """The same SequenceCache with every example repeated ``times`` times, side by side.

    Built from the cache's own public fields (every array is (n, m, T_x), every initial
    state (n_a, m)), so it holds exactly the states of the forward pass, for any cell.
    """
    return dataclasses.replace(
        caches,
        x=np.repeat(caches.x, times, axis=1),  # (n_x, m·times, T_x)
        initial=tuple(np.repeat(s, times, axis=1) for s in caches.initial),  # (n_a, m·times)
        arrays={k: np.repeat(v, times, axis=1) for k, v in caches.arrays.items()},
    )


@checked(_check_state)
def jacobian_norms(caches, state=None):
    """‖∂h<T_x>/∂h<t>‖₂ (largest singular value) for every distance k = T_x − t.

    Args:
        caches: the SequenceCache of a forward pass of any cell.
        state: which state h is (e.g. "c", the LSTM's memory cell); None: the hidden state.
    Returns:
        norms: shape (m, T_x + 1); norms[i, k] = ‖∂h<T_x>/∂h<T_x − k>‖₂ for example i,
        norms[:, 0] = 1 (the identity).
    Raises:
        ValueError when the products overflow float64 (an exploding product over too
        many steps): use fewer steps or a smaller Waa.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    products = jacobian_products.unchecked(caches, state)
    if not np.all(np.isfinite(products)):
        raise ValueError(
            "caches give Jacobian products that overflow float64: use fewer steps or a smaller Waa"
        )
    return np.linalg.norm(products, ord=2, axis=(-2, -1))  # (m, T_x + 1)


def _check_rnn_caches(caches):
    (caches,) = _check_caches(caches)
    if caches.cell is not get_cell("rnn"):
        raise ValueError(
            f"caches must come from the rnn cell: step_jacobians writes out the RNN's "
            f"diag(g1'(z<t>)) Waa, and the {caches.cell.name!r} cell has no Waa; "
            f"jacobian_products works for every cell"
        )
    return (caches,)


@checked(_check_rnn_caches)
def step_jacobians(caches):
    """Each step's own Jacobian ∂a<t>/∂a<t-1> = diag(g1'(z<t>)) Waa, written out (the RNN only).

    Args:
        caches: the SequenceCache of rnn.rnn_forward (the formula is the RNN's: another
            cell raises ValueError; jacobian_products measures any cell).
    Returns:
        jacobians: shape (m, T_x, n_a, n_a); jacobians[i, t - 1] = ∂a<t>/∂a<t-1> for
        example i, t = 1 ... T_x. Their spectral norms are at most γ σ_max(Waa).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    _, g_prime = get_activation(caches.options["activation"])
    g = g_prime(caches.state("a")).transpose(1, 2, 0)  # g1'(z<t>) read off a<t>  (m, T_x, n_a)
    return g[:, :, :, None] * caches.parameters["Waa"]  # diag(g1'(z<t>)) Waa  (m, T_x, n_a, n_a)


def decay_rate(norms):
    """The average factor per step of a sequence of norms: (norms[K] / norms[0])^(1/K).

    Args:
        norms: 1-D array of K + 1 ≥ 2 positive norms, indexed by distance k = 0 ... K.
    Returns:
        rate: a float; below 1 the norms vanish, above 1 they explode, on average.

    For ‖∂a<T>/∂a<T−k>‖ the Pascanu bound says rate ≤ γ σ_max(Waa).
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    norms = as_float_array("norms", norms, ndim=1)
    if norms.size < 2 or np.any(norms <= 0):
        raise ValueError(f"norms must hold at least 2 positive values, got {norms.size} values, min {norms.min() if norms.size else None}")
    K = norms.size - 1
    return float(np.exp((np.log(norms[-1]) - np.log(norms[0])) / K))


# ---------------------------------------------------------------------------------------
# Recurrent weights with a chosen largest singular value or spectral radius
# ---------------------------------------------------------------------------------------


def largest_singular_value(W):
    """σ_max(W) = ‖W‖₂, the most W can stretch any vector.

    Args:
        W: a matrix, shape (rows, cols).
    Returns:
        a float ≥ 0.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    W = as_float_array("W", W, ndim=2)
    if 0 in W.shape:
        raise ValueError(f"W must have at least one entry, got shape {W.shape}")
    return float(np.linalg.norm(W, ord=2))


def spectral_radius(W):
    """ρ(W) = max |eigenvalue of W|, the growth rate of Wᵏ for large k only.

    Args:
        W: a square matrix, shape (n_a, n_a).
    Returns:
        a float ≥ 0; ρ(W) ≤ σ_max(W), equal when W is normal (e.g. symmetric, orthogonal).
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Singular values, not eigenvalues"
    """
    W = _square("W", W)
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def init_recurrent_weights(n_a, rng, singular_value=1.0, kind="orthogonal"):
    """A random Waa whose largest singular value is exactly ``singular_value``.

    Args:
        n_a: hidden-state size.
        rng: a np.random.Generator or an int seed, the only source of randomness.
        singular_value: σ_max(Waa) > 0 wanted.
        kind: "orthogonal": singular_value × a random orthogonal matrix, so every
            singular value (and every |eigenvalue|) equals singular_value and each
            step stretches every direction alike; "gaussian": a matrix of independent
            normal entries rescaled so that σ_max = singular_value (non-normal: its
            spectral radius is smaller, about half of σ_max for large n_a).
    Returns:
        Waa: shape (n_a, n_a).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    n_a = check_positive_int("n_a", n_a)
    rng = as_generator("rng", rng)
    singular_value = check_positive_float("singular_value", singular_value)
    kind = check_choice("kind", kind, KINDS)
    G = rng.standard_normal((n_a, n_a))  # (n_a, n_a)
    if kind == "orthogonal":
        Q, R = np.linalg.qr(G)
        # Fixing the signs by R's diagonal makes Q uniformly distributed over the
        # orthogonal matrices (plain QR output is biased).
        Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)
        return singular_value * Q
    return G * (singular_value / np.linalg.norm(G, ord=2))  # "gaussian"


def scale_to_spectral_radius(W, rho):
    """W rescaled so that its spectral radius (largest |eigenvalue|) is ``rho``.

    Args:
        W: a square matrix, shape (n_a, n_a); not modified.
        rho: the spectral radius wanted, > 0.
    Returns:
        a new matrix ρ/ρ(W) · W, shape (n_a, n_a). Its largest singular value is scaled
        by the same factor and stays ≥ rho: for a non-normal W it can be much larger.
    Raises:
        ValueError when W has spectral radius 0 (e.g. a strictly triangular W).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Singular values, not eigenvalues"
    """
    W = _square("W", W)
    rho = check_positive_float("rho", rho)
    current = spectral_radius(W)
    if current < 1e-12:
        raise ValueError("W has spectral radius 0 (all eigenvalues 0): it cannot be scaled to rho")
    return W * (rho / current)


def non_normal_matrix(n_a, eigenvalue=0.9, coupling=1.0):
    """A Waa whose eigenvalues are all ``eigenvalue`` while its σ_max exceeds it.

    Args:
        n_a: size (≥ 2).
        eigenvalue: every eigenvalue of the result (it is upper triangular).
        coupling: the entry on the superdiagonal: unit i feeds unit i−1 with this weight.
    Returns:
        Waa = eigenvalue · I + coupling · N, shape (n_a, n_a), where N has ones just above
        the diagonal. Its spectral radius is |eigenvalue|; its largest singular value is
        about |eigenvalue| + |coupling|. Waaᵏ = Σ_j C(k, j) eigenvalueᵏ⁻ʲ couplingʲ Nʲ
        grows like a polynomial in k before eigenvalueᵏ wins: transient growth.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Singular values, not eigenvalues"
    """
    n_a = check_positive_int("n_a", n_a, minimum=2)
    eigenvalue = float(as_float_array("eigenvalue", eigenvalue, ndim=0))
    coupling = float(as_float_array("coupling", coupling, ndim=0))
    return eigenvalue * np.eye(n_a) + coupling * np.eye(n_a, k=1)


def _square(name, W):
    W = as_float_array(name, W, ndim=2)
    if W.shape[0] != W.shape[1] or W.size == 0:
        raise ValueError(f"{name} must be square, shape (n_a, n_a), got {W.shape}")
    return W


# ---------------------------------------------------------------------------------------
# One self-recurrent unit (Bengio, Simard & Frasconi 1994)
# ---------------------------------------------------------------------------------------


def single_unit_gradient(w, T, a0=0.5, b=0.0):
    """A single tanh unit feeding itself, a<t> = tanh(w a<t-1> + b): ∂a<T>/∂a<0>.

    Args:
        w: the self-weight, a number or a 1-D array of them (one unit per value).
        T: number of steps (int ≥ 1).
        a0: the starting state a<0>.
        b: the bias.
    Returns:
        gradient: ∂a<T>/∂a<0> = ∏_t w (1 − a<t>²), shaped like w.
        a_T: the final state a<T>, shaped like w. When the unit has settled, w (1 − a_T²)
            is its slope at the fixed point it settled into.

    This is rnn.rnn_forward's cell with n_a = n_x = 1 and no input, one unit per w,
    written out so that hundreds of weights run at once.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "One unit: Bengio, Simard and Frasconi"
    """
    w = as_float_array("w", w)
    if w.ndim > 1:
        raise ValueError(f"w must be a number or a 1-D array, got shape {w.shape}")
    T = check_positive_int("T", T)
    a0 = float(as_float_array("a0", a0, ndim=0))
    b = float(as_float_array("b", b, ndim=0))
    a = np.full(w.shape, a0)
    gradient = np.ones(w.shape)
    with np.errstate(over="ignore", under="ignore"):
        for _ in range(T):
            a = np.tanh(w * a + b)  # a<t> = tanh(w a<t-1> + b)
            gradient = gradient * (w * (1.0 - a**2))  # ∂a<t>/∂a<t-1> = w g1'(z<t>)
    return gradient, a


# ---------------------------------------------------------------------------------------
# One gradient through a chosen Waa, and clipping (the gradient explorer's computation)
# ---------------------------------------------------------------------------------------


def _check_gradient_flow(value, setting="singular_value", kind="gaussian", activation="tanh", T=50,
                         threshold=1.0, n_a=32, n_x=4, seed=0, cell="rnn"):
    cell = get_cell(cell)
    if "Waa" not in cell.parameter_keys:
        raise ValueError(
            f"cell must have a recurrent weight Waa for gradient_flow to scale, "
            f"got the {cell.name!r} cell (its parameters: {list(cell.parameter_keys)})"
        )
    if "activation" not in cell.options:
        raise ValueError(f"cell must take an activation option, the {cell.name!r} cell has {sorted(cell.options)}")
    return (
        check_positive_float("value", value), check_choice("setting", setting, SETTINGS),
        check_choice("kind", kind, KINDS), check_choice("activation", activation, sorted(ACTIVATIONS)),
        check_positive_int("T", T), check_positive_float("threshold", threshold),
        check_positive_int("n_a", n_a), check_positive_int("n_x", n_x), as_generator("seed", seed), cell,
    )


@checked(_check_gradient_flow)
def gradient_flow(value, setting="singular_value", kind="gaussian", activation="tanh", T=50,
                  threshold=1.0, n_a=32, n_x=4, seed=0, cell="rnn"):
    """A recurrent network of T steps, a loss at the last step, one BPTT, clipping by norm.

    Args:
        value: what Waa is scaled to, > 0: its largest singular value σ_max (setting
            "singular_value") or its spectral radius ρ ("spectral_radius").
        setting: "singular_value" or "spectral_radius" (see SETTINGS).
        kind: "orthogonal" (σ_max = ρ) or "gaussian" (non-normal: σ_max > ρ).
        activation: g1, "tanh", "relu" or "identity".
        T: number of steps.
        threshold: the clip-by-norm threshold for the parameter gradients, > 0.
        n_a, n_x: the sizes.
        seed: an int seed (or a np.random.Generator) for Waa, the other parameters, the
            inputs and the loss; the same int gives the same network for every value.
        cell: a cell with a recurrent weight Waa and an activation: "rnn".
    Returns:
        dict with "norms" (T,) ‖∂J/∂a<t>‖ against k = T − t = 0 ... T − 1, "clipped" (T,)
        the same after clipping, "bound" (T,) σ_maxᵏ, "total_norm" ‖g‖ of the parameter
        gradients before clipping, "sigma_max", "rho", "scale" (the clipping factor,
        1 when not clipped).
    Raises:
        ValueError when the gradient overflows float64 (value too large for T steps).

    The loss is J = uᵀ a<T> for a fixed random unit vector u, so ‖∂J/∂a<T>‖ = 1 and
    ‖∂J/∂a<t>‖ ≤ σ_maxᵏ. One backward loop gives both the per-step norms and the
    parameter gradients that are clipped.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Explore: spectral radius, length and threshold"
    """
    rng = seed
    W = init_recurrent_weights(n_a, rng, 1.0, kind)  # (n_a, n_a), σ_max = 1
    Waa = W * value if setting == "singular_value" else scale_to_spectral_radius(W, value)
    parameters = {**cell.initialize(n_x, n_a, None, rng, scale=0.3), "Waa": Waa}  # the cell's own init, Waa chosen
    x = rng.standard_normal((n_x, 1, T))  # (n_x, m, T_x)
    u = rng.standard_normal(n_a)
    u /= np.linalg.norm(u)
    initial = tuple(np.zeros((n_a, 1)) for _ in cell.states)
    d_hidden = np.zeros((n_a, 1, T))
    d_hidden[:, 0, -1] = u  # J = uᵀ a<T>: only the last step has a loss
    with np.errstate(over="ignore", invalid="ignore"):  # an explosion is reported below, not warned about
        caches = sequence_forward(cell, x, initial, parameters, {"activation": activation})
        steps = backward_steps(d_hidden, caches)  # BPTT, once
        gradients = cell.parameter_gradients(steps.local, caches.stacked, input_gradient=False)
    parameter_gradients = cell.only_parameter_gradients(gradients)
    if not all(np.all(np.isfinite(g)) for g in [caches.state(cell.hidden), *parameter_gradients.values()]):
        raise ValueError(f"value = {value:g} over T = {T} steps makes the gradient overflow float64: "
                         "use a smaller value or fewer steps")
    norms = step_norms.unchecked(steps.d_states[cell.hidden])[::-1]  # ‖∂J/∂a<t>‖, index k = T − t
    _, total_norm = clip_by_norm(parameter_gradients, threshold)
    scale = min(1.0, threshold / total_norm) if total_norm > 0 else 1.0
    sigma_max = largest_singular_value(Waa)
    return {
        "norms": norms,
        "clipped": norms * scale,
        "bound": sigma_max ** np.arange(T, dtype=np.float64),
        "total_norm": total_norm,
        "sigma_max": sigma_max,
        "rho": spectral_radius(Waa),
        "scale": scale,
    }


# ---------------------------------------------------------------------------------------
# Clipping: the angle it turns a gradient by
# ---------------------------------------------------------------------------------------


def _check_gradient_angle(gradients, other):
    if not isinstance(gradients, dict) or not gradients:
        raise ValueError(f"gradients must be a non-empty dict of arrays, got {type(gradients).__name__}")
    if not isinstance(other, dict) or set(other) != set(gradients):
        raise ValueError(f"other must be a dict with the keys of gradients {sorted(gradients, key=str)}")
    order = list(gradients)
    g = {k: as_float_array(f"gradients[{k!r}]", gradients[k]) for k in order}
    o = {k: as_float_array(f"other[{k!r}]", other[k]) for k in order}
    for k in order:
        check_shape(f"other[{k!r}]", o[k], g[k].shape, f"gradients[{k!r}].shape")
    return g, o


@checked(_check_gradient_angle)
def gradient_angle(gradients, other):
    """The angle, in degrees, between two gradients, each seen as one long vector.

    Args:
        gradients, other: dicts of arrays with the same keys and shapes (e.g. a raw
            gradient and its clipped version); neither all zeros.
    Returns:
        angle in [0, 180], a float: 0 when clipping only rescaled the gradient
        (clip_by_norm), above 0 when it changed its direction (clip by value).

    Each vector is divided by its largest entry before its length is taken, so that
    gradients of 1e200 (or 1e-200) have the angle they have; the angle is
    2 atan2(‖û − v̂‖, ‖û + v̂‖) of the unit vectors, accurate near 0° and 180° too.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    u_hat = _unit("gradients", np.concatenate([g.ravel() for g in gradients.values()]))
    v_hat = _unit("other", np.concatenate([other[k].ravel() for k in gradients]))
    return float(np.degrees(2 * np.arctan2(np.linalg.norm(u_hat - v_hat), np.linalg.norm(u_hat + v_hat))))


def _unit(name, v):
    """v / ‖v‖, taken scaled (v / max |v| first) so that neither overflows nor underflows."""
    largest = np.max(np.abs(v))
    if largest == 0:
        raise ValueError(f"gradients and other must both be non-zero to have an angle: {name} is all zeros")
    v = v / largest
    return v / np.linalg.norm(v)
