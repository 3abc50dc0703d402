"""Centred finite differences for the tests' gradient checks (float64, ε = 1e-5).

ε = 1e-5 balances truncation (~ε²) against rounding (~1e-16/ε) in float64, so a correct
gradient agrees to a relative error far below the tests' 1e-7.
"""

import numpy as np

EPSILON = 1e-5


def numerical_gradient(f, theta, epsilon=EPSILON):
    """Centred finite differences of the scalar f at theta, entry by entry (theta untouched)."""
    theta = np.asarray(theta, dtype=np.float64)
    grad = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        plus, minus = theta.copy(), theta.copy()
        plus[index] += epsilon
        minus[index] -= epsilon
        grad[index] = (f(plus) - f(minus)) / (2 * epsilon)
    return grad


def relative_error(g, g_hat):
    """‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), 0 when both vanish."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_hat)
    return float(np.linalg.norm(g - g_hat) / denominator) if denominator else 0.0


def loop_of_cell_backwards(cell_backward, d_hidden, caches, states):
    """BPTT written out with a cell's one-step backward, for checking a sequence backward.

    ``cell_backward(d<states[0]> from above + from t+1, d<other states> from t+1, caches[t])``
    at every step from the last to the first (``states``: the hidden state first, e.g.
    ("a",), ("c",), ("a", "c")); returns "dx", "d<hidden>0" and every parameter gradient
    summed over the steps, as the sequence backward's dict names them.
    """
    carried = {s: np.zeros_like(d_hidden[:, :, 0]) for s in states}  # nothing from beyond T_x
    dx = np.zeros(caches.x.shape)
    sums = {}
    for t in reversed(range(d_hidden.shape[2])):
        from_later = [d_hidden[:, :, t] + carried[states[0]]] + [carried[s] for s in states[1:]]
        step = cell_backward(*from_later, caches[t])
        dx[:, :, t] = step["dxt"]
        carried = {s: step[f"d{s}_prev"] for s in states}
        for k, v in step.items():
            if k != "dxt" and not k.endswith("_prev"):
                sums[k] = sums.get(k, 0) + v
    return {"dx": dx, f"d{states[0]}0": carried[states[0]], **sums}


def assert_gradients_close(gradients, expected, rtol=1e-12, atol=1e-14):
    """Every entry of ``expected`` equals the same key of ``gradients`` to rounding."""
    for k in expected:
        np.testing.assert_allclose(gradients[k], expected[k], rtol=rtol, atol=atol, err_msg=k)
