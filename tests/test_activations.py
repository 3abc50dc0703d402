"""Stable activations: no overflow warnings (pyproject turns RuntimeWarning into errors)."""

import numpy as np
import pytest

from course_lib.activations import get_activation, sigmoid, softmax, tanh

BIG = np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4])


def test_sigmoid_is_exact_and_stable():
    s = sigmoid(BIG)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert np.allclose(s[1:-1], 1 / (1 + np.exp(-BIG[1:-1])), rtol=1e-15, atol=0)
    assert np.allclose(sigmoid(-BIG), 1 - s)


def test_tanh_saturates():
    assert tanh(BIG)[0] == -1.0 and tanh(BIG)[-1] == 1.0


def test_softmax_over_axis_0_never_overflows():
    z = np.array([[1e4, -1e4], [0.0, 1e4], [-1e4, 0.0]])
    p = softmax(z)
    assert np.allclose(p.sum(axis=0), 1.0)
    assert p[0, 0] == 1.0 and p[1, 1] == 1.0
    assert np.allclose(softmax(np.array([[1.0], [2.0]])).ravel(), np.exp([1, 2]) / np.exp([1, 2]).sum())


def test_derivatives_from_outputs():
    u = np.linspace(-2, 2, 9)
    for name in ("tanh", "relu", "identity"):
        g, dg = get_activation(name)
        h = 1e-6
        numeric = (g(u + h) - g(u - h)) / (2 * h)
        keep = np.abs(u) > 1e-3  # relu has a kink at 0
        assert np.allclose(dg(g(u))[keep], numeric[keep], atol=1e-8)


def test_unknown_activation():
    with pytest.raises(ValueError, match="activation"):
        get_activation("swish")
