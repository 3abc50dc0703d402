"""course_lib.bidirectional: the two sweeps over any cell, their BPTT checked by finite
differences, the backward direction's reading order, symmetry, bad input, no in-place change."""

import copy
import re

import numpy as np
import pytest

from course_lib.bidirectional import (
    BidirectionalCaches,
    bidirectional_backward,
    bidirectional_forward,
    bidirectional_predictions,
    initialize_bidirectional_output,
    initialize_bidirectional_parameters,
)
from course_lib.recurrent import cell_names, get_cell, run_forward
from tests.gradcheck import numerical_gradient, relative_error

CELLS = cell_names()  # rnn, gru, lstm and every variant


def raises(*fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


def setup(cell, n_x=2, n_a=3, m=2, T_x=4, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    p_fwd, p_bwd = initialize_bidirectional_parameters(n_x, n_a, cell, rng, scale)  # biases random too
    return rng.standard_normal((n_x, m, T_x)), p_fwd, p_bwd, rng


def test_the_initializer_draws_two_independent_directions():
    p_fwd, p_bwd = initialize_bidirectional_parameters(3, 4, "lstm", 0, 0.1)
    assert set(p_fwd) == set(p_bwd) == set(get_cell("lstm").parameter_keys)
    assert all(not np.array_equal(p_fwd[k], p_bwd[k]) for k in p_fwd)
    again = initialize_bidirectional_parameters(3, 4, "lstm", 0, 0.1)
    assert all(np.array_equal(p_fwd[k], again[0][k]) for k in p_fwd)  # the seed decides


@pytest.mark.parametrize("cell", CELLS)
def test_both_directions_are_the_driver_and_the_backward_one_reads_the_suffix_reversed(cell):
    x, p_fwd, p_bwd, _ = setup(cell, T_x=5)
    a, caches = bidirectional_forward(x, p_fwd, p_bwd, cell)
    n_a = 3
    assert a.shape == (2 * n_a, 2, 5) and a.dtype == np.float64
    assert isinstance(caches, BidirectionalCaches)
    h_fwd, _ = run_forward(x, p_fwd, cell)
    np.testing.assert_array_equal(a[:n_a], h_fwd)
    for t in range(5):  # column t of a← has read exactly x<T_x>, ..., x<t> (0-based: x[:, :, T-1] ... x[:, :, t])
        h_suffix, _ = run_forward(x[:, :, t:][:, :, ::-1], p_bwd, cell)
        np.testing.assert_allclose(a[n_a:, :, t], h_suffix[:, :, -1], rtol=0, atol=1e-14)
    # Changing x<1> changes no column of a← but the first; changing x<T_x> changes all of them.
    x_first = x.copy()
    x_first[:, :, 0] += 1.0
    a_first, _ = bidirectional_forward(x_first, p_fwd, p_bwd, cell)
    np.testing.assert_array_equal(a_first[n_a:, :, 1:], a[n_a:, :, 1:])
    assert np.all(np.abs(a_first[n_a:, :, 0] - a[n_a:, :, 0]).max() > 0)
    np.testing.assert_array_equal(caches.a, a)
    np.testing.assert_array_equal(caches.a_fwd, a[:n_a])
    np.testing.assert_array_equal(caches.a_bwd, a[n_a:])


@pytest.mark.parametrize("cell", CELLS)
def test_bidirectional_backward_matches_finite_differences(cell):
    x, p_fwd, p_bwd, rng = setup(cell, T_x=3)
    a, caches = bidirectional_forward(x, p_fwd, p_bwd, cell)
    G = rng.standard_normal(a.shape)  # a random upstream gradient: J = Σ G * a

    def loss(x_, pf, pb):
        return float(np.sum(G * bidirectional_forward.unchecked(x_, pf, pb, get_cell(cell))[0]))

    dx, g_fwd, g_bwd = bidirectional_backward(G, caches)
    assert set(g_fwd) == set(g_bwd) == set(get_cell(cell).gradient_keys())
    errors = {"dx": relative_error(dx, numerical_gradient(lambda v: loss(v, p_fwd, p_bwd), x))}
    for which, p, grads in (("fwd", p_fwd, g_fwd), ("bwd", p_bwd, g_bwd)):
        for k in p:
            def f(v, k=k, which=which):
                q = {**(p_fwd if which == "fwd" else p_bwd), k: v}
                return loss(x, q, p_bwd) if which == "fwd" else loss(x, p_fwd, q)

            errors[f"{which} d{k}"] = relative_error(grads["d" + k], numerical_gradient(f, p[k]))
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-7, (worst, errors[worst])


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_the_same_parameters_on_a_palindrome_give_mirrored_directions(cell):
    x, p_fwd, _, _ = setup(cell, T_x=5, seed=3)
    x = np.concatenate([x[:, :, :3], x[:, :, :2][:, :, ::-1]], axis=2)  # x<1> x<2> x<3> x<2> x<1>
    np.testing.assert_array_equal(x, x[:, :, ::-1])
    a, _ = bidirectional_forward(x, p_fwd, p_fwd, cell)
    np.testing.assert_allclose(a[3:], a[:3, :, ::-1], rtol=0, atol=1e-15)  # a←<t> = a→<T_x + 1 − t>
    assert not np.allclose(a[:3], a[3:])  # and they are not equal column by column: the sweeps differ


def test_the_output_layer_reads_both_directions():
    x, p_fwd, p_bwd, rng = setup("gru", T_x=4)
    a, _ = bidirectional_forward(x, p_fwd, p_bwd, "gru")
    out = initialize_bidirectional_output(3, 5, rng, 0.5)
    y = bidirectional_predictions(a, out)
    assert y.shape == (5, 2, 4)
    np.testing.assert_allclose(y.sum(axis=0), 1.0, rtol=0, atol=1e-14)
    z = out["Wy"][:, :3] @ a[:3, 0, 2] + out["Wy"][:, 3:] @ a[3:, 0, 2] + out["by"][:, 0]  # Wy [a→<t>; a←<t>] + by
    np.testing.assert_allclose(y[:, 0, 2], np.exp(z) / np.exp(z).sum(), rtol=1e-13)


def test_an_output_layer_in_the_directions_parameters_is_ignored():
    x, p_fwd, p_bwd, rng = setup("rnn")
    with_output = {**p_fwd, "Wya": rng.standard_normal((2, 3)), "by": rng.standard_normal((2, 1))}
    np.testing.assert_array_equal(bidirectional_forward(x, with_output, p_bwd)[0], bidirectional_forward(x, p_fwd, p_bwd)[0])


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_nothing_is_modified_in_place(cell):
    x, p_fwd, p_bwd, rng = setup(cell)
    before = copy.deepcopy((x, p_fwd, p_bwd))
    a, caches = bidirectional_forward(x, p_fwd, p_bwd, cell)
    G = rng.standard_normal(a.shape)
    G_before = G.copy()
    a_before = a.copy()
    bidirectional_backward(G, caches)
    np.testing.assert_array_equal(G, G_before)
    np.testing.assert_array_equal(caches.a, a_before)
    np.testing.assert_array_equal(x, before[0])
    for p, q in ((p_fwd, before[1]), (p_bwd, before[2])):
        assert all(np.array_equal(p[k], q[k]) for k in q)


def test_bad_input_names_the_argument():
    x, p_fwd, p_bwd, _ = setup("rnn")
    wider, _ = initialize_bidirectional_parameters(2, 5, "rnn", 1)
    with raises("parameters_bwd", "n_a = 3"):
        bidirectional_forward(x, p_fwd, wider)
    other_input, _ = initialize_bidirectional_parameters(4, 3, "rnn", 1)
    with raises("parameters_bwd", "n_x = 2"):
        bidirectional_forward(x, p_fwd, other_input)
    with raises("parameters_fwd", "Waa"):
        bidirectional_forward(x, {k: v for k, v in p_fwd.items() if k != "Waa"}, p_bwd)
    with raises("x", "(n_x, m, T_x)"):
        bidirectional_forward(x[:, :, 0], p_fwd, p_bwd)
    with raises("x", "(n_x, m, T_x)"):
        bidirectional_forward(x[:1], p_fwd, p_bwd)
    with raises("cell"):
        bidirectional_forward(x, p_fwd, p_bwd, "transformer")
    with raises("parameters_fwd"):  # an LSTM's parameters given to the GRU
        bidirectional_forward(x, *initialize_bidirectional_parameters(2, 3, "lstm", 0), "gru")
    a, caches = bidirectional_forward(x, p_fwd, p_bwd)
    with raises("da", "(2 n_a, m, T_x) = (6, 2, 4)"):
        bidirectional_backward(a[:3], caches)
    with raises("caches", "BidirectionalCaches"):
        bidirectional_backward(a, caches.fwd)
    with raises("a", "(2 n_a, m, T_x) = (6, 2, 4)"):  # an output layer for n_a = 3 given half of a
        bidirectional_predictions(a[:3], initialize_bidirectional_output(3, 2, 0))
    with raises('parameters["by"]'):
        bidirectional_predictions(a, {"Wy": np.ones((2, 6)), "by": np.ones((3, 1))})
