"""Gradient tools: clipping, the global norm, numerical gradient checks, and how the
gradient reaching each hidden state shrinks or grows back through time.

Clipping is its own step between backward and update: it is never inside the loss.
Derived in notebooks/02_bptt.ipynb (gradient checks) and
notebooks/05_vanishing_exploding_gradients.ipynb (norms and clipping).
"""

import numpy as np

from course_lib._validate import as_float_array, check_positive_float, check_shape
from course_lib.rnn import backprop_through_time

__all__ = ["clip", "clip_by_norm", "global_norm", "gradient_check", "timestep_gradient_norms"]


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
        norm: a Python float ≥ 0.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    arrays = list(_as_arrays(gradients).values())
    # Divide by the largest entry first, so that squaring an exploding gradient cannot overflow.
    largest = max((float(np.max(np.abs(g))) for g in arrays if g.size), default=0.0)
    if largest == 0.0:
        return 0.0
    return largest * float(np.sqrt(sum(np.sum((g / largest) ** 2) for g in arrays)))


def clip_by_norm(gradients, max_norm):
    """Rescale all gradients together when their global norm exceeds max_norm.

    Args:
        gradients: dict of arrays (any keys, any shapes).
        max_norm: a finite number > 0.
    Returns:
        clipped: a new dict of new arrays; when norm > max_norm every array is scaled by
            exactly max_norm / norm (same direction, global norm max_norm), else copied.
        norm: the global norm before clipping, a Python float.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    max_norm = check_positive_float("max_norm", max_norm)
    arrays = _as_arrays(gradients)
    norm = global_norm(arrays)
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in arrays.items()}, norm


def gradient_check(f, theta, grad, epsilon=1e-7):
    """Relative error between an analytic gradient and centred finite differences.

    Args:
        f: function mapping an array shaped like theta to a scalar loss.
        theta: the point to check at, any shape; it is not modified.
        grad: the analytic gradient ∂f/∂theta, same shape as theta.
        epsilon: the step of the finite differences.
    Returns:
        ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) as a float, where ĝ_i = (f(θ + ε e_i) − f(θ − ε e_i)) / 2ε
        and g = grad; 0.0 when both are zero. Around 1e-7 or below: the gradient is right.

    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    theta = as_float_array("theta", theta)
    grad = as_float_array("grad", grad)
    check_shape("grad", grad, theta.shape, "theta.shape")
    epsilon = check_positive_float("epsilon", epsilon)

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


def timestep_gradient_norms(da, caches):
    """‖∂J/∂a<t>‖ for every step t: how the gradient fades (or explodes) back through time.

    Args:
        da: ∂J/∂a<t> from above for every step, shape (n_a, m, T_x), as for rnn_backward.
        caches: the RNNCaches from rnn.rnn_forward.
    Returns:
        norms: shape (T_x,); norms[t] is the Frobenius norm over (n_a, m) of the total
        gradient reaching a<t+1> (its own upstream plus what comes back from later steps).

    Runs the same backward loop as rnn.rnn_backward.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Vanishing gradients"
    """
    da_total = backprop_through_time(da, caches).da_total  # (n_a, m, T_x)
    return np.sqrt(np.sum(da_total**2, axis=(0, 1)))  # (T_x,)


def _as_arrays(gradients):
    """A new dict of the gradients as finite float64 arrays, each checked by its key."""
    if not isinstance(gradients, dict):
        raise ValueError(f"gradients must be a dict of arrays, got {type(gradients).__name__}")
    return {name: as_float_array(f"gradients[{name!r}]", g) for name, g in gradients.items()}


def _scalar(value):
    """f's result as a finite float, or a ValueError saying what f returned."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"f must return a scalar loss, got an array of shape {arr.shape}")
    v = float(arr.reshape(()))
    if not np.isfinite(v):
        raise ValueError(f"f returned a non-finite loss {v}")
    return v
