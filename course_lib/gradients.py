"""Gradient tools: clipping, the global norm, numerical gradient checks, and how the
gradient reaching each hidden state shrinks or grows back through time.

Clipping is its own step between backward and update: it is never inside the loss.
Derived in notebooks/02_bptt.ipynb (gradient checks) and
notebooks/05_vanishing_exploding_gradients.ipynb (norms and clipping).
"""

import numpy as np

from course_lib._validate import as_float_array, check_positive_float, check_shape, checked, shaped_array
from course_lib.recurrent import SequenceCache, backward_steps

__all__ = ["clip", "clip_by_norm", "global_norm", "gradient_check", "step_norms", "timestep_gradient_norms"]


def clip(gradients, max_value):
    """Clip every gradient elementwise into [-max_value, max_value].

    Args:
        gradients: dict of arrays (any keys, any shapes), e.g. {"dWax": (n_a, n_x), ...}.
        max_value: a finite number > 0.
    Returns:
        a new dict of new arrays with the same keys and shapes; ``gradients`` is unchanged
        (the DLS assignment clips in place; this does not).

    Elementwise clipping can change the gradient's direction; clip_by_norm does not.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    max_value = check_positive_float("max_value", max_value)
    return {name: np.clip(g, -max_value, max_value) for name, g in _as_arrays(gradients).items()}


def global_norm(gradients):
    """The L2 norm of all gradients together, √(Σ_arrays Σ_entries g²), as a float.

    Args:
        gradients: dict of arrays (any keys, any shapes).
    Returns:
        norm: a Python float ≥ 0; inf only when the norm itself exceeds float64's
        largest number (about 1.8e308), however large the entries.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    largest, relative = _scaled_norm(_as_arrays(gradients))
    with np.errstate(over="ignore"):
        return largest * relative  # inf only when the norm itself exceeds float64's range


def _check_clip_by_norm(gradients, max_norm):
    return _as_arrays(gradients), check_positive_float("max_norm", max_norm)


@checked(_check_clip_by_norm)
def clip_by_norm(gradients, max_norm):
    """Rescale all gradients together when their global norm exceeds max_norm.

    Args:
        gradients: dict of arrays (any keys, any shapes).
        max_norm: a finite number > 0.
    Returns:
        clipped: a new dict of new arrays; when norm > max_norm every array is scaled by
            exactly max_norm / norm (same direction, global norm max_norm), else copied.
        norm: the global norm before clipping, a Python float (inf when it exceeds
            float64's range; the clipped arrays are still exact then).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    norm = global_norm(gradients)  # ‖g‖ = √(Σ over the arrays Σ g²)
    if norm <= max_norm:
        return {name: g.copy() for name, g in gradients.items()}, norm  # unchanged, as new arrays
    if norm < np.inf:
        return {name: g * (max_norm / norm) for name, g in gradients.items()}, norm  # g := g · max_norm / ‖g‖
    return _scale_beyond_float64(gradients, max_norm), norm  # ‖g‖ itself overflowed float64


def _scale_beyond_float64(arrays, max_norm):
    """g · max_norm / ‖g‖ when ‖g‖ exceeds float64's range: (g / largest) · (max_norm / (‖g‖ / largest))."""
    largest, relative = _scaled_norm(arrays)
    return {name: (g / largest) * (max_norm / relative) for name, g in arrays.items()}


def _check_gradient_check(f, theta, grad, epsilon=1e-7):
    if not callable(f):
        raise ValueError(f"f must be a function mapping theta to the scalar loss, got {type(f).__name__}")
    theta = as_float_array("theta", theta)
    if theta.size == 0:
        raise ValueError(f"theta must hold at least one entry to check, got shape {theta.shape}")
    grad = as_float_array("grad", grad)
    check_shape("grad", grad, theta.shape, "theta.shape")
    return f, theta, grad, check_positive_float("epsilon", epsilon)


@checked(_check_gradient_check)
def gradient_check(f, theta, grad, epsilon=1e-7):
    """Relative error between an analytic gradient and centred finite differences.

    Args:
        f: function mapping an array shaped like theta to the scalar loss alone (for a
            function returning (J, gradients), pass ``lambda t: loss_and_gradients(t)[0]``).
        theta: the point to check at, any shape, at least one entry; it is not modified.
        grad: the analytic gradient ∂f/∂theta, same shape as theta.
        epsilon: the step of the finite differences.
    Returns:
        ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) as a float, where ĝ_i = (f(θ + ε e_i) − f(θ − ε e_i)) / 2ε
        and g = grad; 0.0 when both are zero. Around 1e-7 or below: the gradient is right.

    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    work = theta.copy()  # f sees this copy, never theta itself
    flat = work.reshape(-1)  # a view: writing flat[i] moves one entry of work
    numeric = np.empty(theta.size)
    for i in range(theta.size):
        flat[i] = theta.flat[i] + epsilon
        f_plus = _scalar(f(work))
        flat[i] = theta.flat[i] - epsilon
        f_minus = _scalar(f(work))
        flat[i] = theta.flat[i]
        numeric[i] = (f_plus - f_minus) / (2 * epsilon)  # ĝ_i = (f(θ + εe_i) − f(θ − εe_i)) / 2ε

    analytic = grad.reshape(-1)
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def _check_timestep_gradient_norms(da, caches):
    if not isinstance(caches, SequenceCache):
        raise ValueError(
            "caches must be the SequenceCache of a forward pass (rnn_forward, run_forward), "
            f"got {type(caches).__name__}"
        )
    n_a, m, T_x = caches.state(caches.cell.hidden).shape
    return shaped_array("da", da, "(n_a, m, T_x)", n_a=n_a, m=m, T_x=T_x), caches


@checked(_check_timestep_gradient_norms)
def timestep_gradient_norms(da, caches):
    """‖∂J/∂h<t>‖ for every step t: how the gradient fades (or explodes) back through time.

    Args:
        da: ∂J/∂h<t> from above for every step, shape (n_a, m, T_x), as for rnn_backward;
            h is the cell's hidden state (a for the RNN and the LSTM, c for the GRU).
        caches: the SequenceCache of a forward pass of any cell (rnn.rnn_forward,
            recurrent.run_forward).
    Returns:
        norms: shape (T_x,); norms[t] is the Frobenius norm over (n_a, m) of the total
        gradient reaching h<t+1> (its own upstream plus what comes back from later steps).

    Runs the recurrent core's backward loop, the one rnn_backward runs; the norms are
    taken scaled, so that an exploding gradient of 1e200 gives its norm, not inf.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Vanishing gradients"
    """
    d_total = backward_steps(da, caches).d_states[caches.cell.hidden]  # ∂J/∂h<t>  (n_a, m, T_x)
    return step_norms.unchecked(d_total)


def _check_step_norms(d):
    d = as_float_array("d", d, finite=False)  # an exploding gradient may hold inf: its norm is inf
    if d.ndim != 3 or 0 in d.shape:
        raise ValueError(f"d must have shape (n_a, m, T_x), got shape {d.shape}")
    return (d,)


@checked(_check_step_norms)
def step_norms(d):
    """‖d<t>‖ for every step t, the Frobenius norm over (n_a, m), without overflow.

    Args:
        d: a gradient for every step, e.g. ∂J/∂a<t>, shape (n_a, m, T_x); inf and NaN
            entries give an inf or NaN norm at their step.
    Returns:
        norms: shape (T_x,). Each step is divided by its largest entry before squaring,
        so entries of 1e200 give a norm of about 1e200, not inf.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Vanishing gradients"
    """
    with np.errstate(over="ignore", invalid="ignore"):
        largest = np.max(np.abs(d), axis=(0, 1))  # (T_x,)
        safe = np.where((largest > 0) & np.isfinite(largest), largest, 1.0)
        return np.where(np.isfinite(largest), safe * np.sqrt(np.sum((d / safe) ** 2, axis=(0, 1))), largest)


def _as_arrays(gradients):
    """A new dict of the gradients as finite float64 arrays, each checked by its key."""
    if not isinstance(gradients, dict):
        raise ValueError(f"gradients must be a dict of arrays, got {type(gradients).__name__}")
    return {name: as_float_array(f"gradients[{name!r}]", g) for name, g in gradients.items()}


def _scaled_norm(arrays):
    """(largest, relative): the global norm of the arrays is largest · relative.

    Dividing by the largest entry first keeps squaring an exploding gradient in range;
    the product is left to the caller, who may not need it (clip_by_norm).
    """
    largest = max((float(np.max(np.abs(g))) for g in arrays.values() if g.size), default=0.0)
    if largest == 0.0:
        return 0.0, 0.0
    return largest, float(np.sqrt(sum(np.sum((g / largest) ** 2) for g in arrays.values())))


def _scalar(value):
    """f's result as a finite float, or a ValueError saying what f returned."""
    if isinstance(value, (tuple, list, dict)):
        raise ValueError(
            f"f must return the scalar loss alone, got a {type(value).__name__}"
            + (f" of {len(value)} items" if isinstance(value, (tuple, list)) else "")
            + ": for a function returning (J, gradients), pass lambda t: f(t)[0]"
        )
    arr = as_float_array("f(theta) (the loss f returns)", value, finite=False)
    if arr.size != 1:
        raise ValueError(f"f must return a scalar loss, got an array of shape {arr.shape}")
    v = float(arr.reshape(()))
    if not np.isfinite(v):
        raise ValueError(f"f returned a non-finite loss {v}")
    return v
