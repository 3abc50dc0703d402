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
