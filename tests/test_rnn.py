"""course_lib.rnn: forward equations, BPTT against finite differences, caches, argument checks."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.activations import get_activation, softmax
from course_lib.gradients import gradient_check
from course_lib.rnn import (
    RNNCache,
    RNNCaches,
    initialize_rnn_parameters,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)
from tests.gradcheck import assert_gradients_close, loop_of_cell_backwards, numerical_gradient

TOL = 1e-7  # relative error of a correct gradient against centred finite differences
# A step of 1e-5 balances truncation (~ε²) and rounding (~1e-16/ε) errors in float64: with
# gradient_check's default 1e-7, rounding alone can exceed TOL where a gradient entry is small.
EPSILON = 1e-5


def make_problem(n_x, n_a, n_y, m, T_x, seed=0, scale=0.5):
    """Random parameters (random biases too), inputs, a<0> and an upstream gradient."""
    rng = np.random.default_rng(seed)
    parameters = initialize_rnn_parameters(n_x, n_a, n_y, rng, scale=scale)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = rng.standard_normal((n_a, m))
    da = rng.standard_normal((n_a, m, T_x))
    return parameters, x, a0, da


def copies(*arrays_or_dicts):
    return [
        {k: v.copy() for k, v in item.items()} if isinstance(item, dict) else item.copy()
        for item in arrays_or_dicts
    ]


def assert_unchanged(before, after):
    for b, a in zip(before, after):
        if isinstance(b, dict):
            assert b.keys() == a.keys()
            for k in b:
                np.testing.assert_array_equal(b[k], a[k])
        else:
            np.testing.assert_array_equal(b, a)


def preactivations(x, a0, parameters):
    """z<t> = Waa a<t-1> + Wax x<t> + ba for every step, for the relu kink precondition."""
    g, _ = get_activation("relu")
    a_prev, zs = a0, []
    for t in range(x.shape[2]):
        z = parameters["Waa"] @ a_prev + parameters["Wax"] @ x[:, :, t] + parameters["ba"]
        zs.append(z)
        a_prev = g(z)
    return np.stack(zs, axis=2)


# ---------------------------------------------------------------------------------------
# Forward
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
def test_cell_forward_is_the_equation(activation):
    parameters, x, a0, _ = make_problem(3, 4, 2, 5, 1)
    g, _ = get_activation(activation)
    xt = x[:, :, 0]
    a_next, yt_pred, cache = rnn_cell_forward(xt, a0, parameters, activation)
    z = parameters["Waa"] @ a0 + parameters["Wax"] @ xt + parameters["ba"]
    np.testing.assert_allclose(a_next, g(z), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(yt_pred, softmax(parameters["Wya"] @ a_next + parameters["by"]), rtol=1e-14)
    np.testing.assert_allclose(yt_pred.sum(axis=0), 1.0)
    assert isinstance(cache, RNNCache)
    assert cache.activation == activation
    np.testing.assert_array_equal(cache.a_prev, a0)
    np.testing.assert_array_equal(cache.xt, xt)
    np.testing.assert_array_equal(cache.a_next, a_next)


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
def test_forward_is_the_cell_step_after_step(activation):
    parameters, x, a0, _ = make_problem(3, 4, 2, 5, 6, seed=1)
    a, y_pred, caches = rnn_forward(x, a0, parameters, activation)
    assert a.shape == (4, 5, 6) and y_pred.shape == (2, 5, 6)
    assert a.dtype == np.float64 and y_pred.dtype == np.float64
    a_prev = a0
    for t in range(6):
        a_prev, yt_pred, _ = rnn_cell_forward(x[:, :, t], a_prev, parameters, activation)
        np.testing.assert_allclose(a[:, :, t], a_prev, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(y_pred[:, :, t], yt_pred, rtol=1e-12, atol=1e-14)


def test_y_pred_is_none_without_output_layer():
    parameters, x, a0, da = make_problem(3, 4, None, 2, 3)
    assert "Wya" not in parameters and "by" not in parameters
    a_next, yt_pred, _ = rnn_cell_forward(x[:, :, 0], a0, parameters)
    assert yt_pred is None and a_next.shape == (4, 2)
    a, y_pred, caches = rnn_forward(x, a0, parameters)
    assert y_pred is None and a.shape == (4, 2, 3)
    assert set(rnn_backward(da, caches)) == {"dx", "da0", "dWax", "dWaa", "dba"}


def test_float32_inputs_give_float64_results():
    parameters, x, a0, da = make_problem(2, 3, 2, 2, 3)
    p32 = {k: v.astype(np.float32) for k, v in parameters.items()}
    a, y_pred, caches = rnn_forward(x.astype(np.float32), a0.astype(np.float32), p32)
    gradients = rnn_backward(da.astype(np.float32), caches)
    assert a.dtype == y_pred.dtype == np.float64
    assert all(g.dtype == np.float64 for g in gradients.values())


def test_saturated_tanh_raises_no_warning():
    # pyproject turns RuntimeWarning into errors: huge pre-activations must still pass.
    parameters, x, a0, da = make_problem(3, 4, 2, 2, 5)
    a, y_pred, caches = rnn_forward(1e4 * x, a0, {k: 1e3 * v for k, v in parameters.items()})
    assert np.all(np.abs(a) <= 1) and np.all(np.isfinite(y_pred))
    assert all(np.all(np.isfinite(g)) for g in rnn_backward(da, caches).values())


# ---------------------------------------------------------------------------------------
# Caches
# ---------------------------------------------------------------------------------------


def test_caches_behave_like_the_list_of_cell_caches():
    parameters, x, a0, _ = make_problem(3, 4, 2, 2, 5)
    a, _, caches = rnn_forward(x, a0, parameters, "identity")
    assert isinstance(caches, RNNCaches) and len(caches) == 5
    assert caches.activation == "identity"
    for t, cache in enumerate(caches):
        assert isinstance(cache, RNNCache)
        np.testing.assert_array_equal(cache.a_next, a[:, :, t])
        np.testing.assert_array_equal(cache.a_prev, a0 if t == 0 else a[:, :, t - 1])
        np.testing.assert_array_equal(cache.xt, x[:, :, t])
    np.testing.assert_array_equal(caches[-1].a_next, a[:, :, 4])
    np.testing.assert_array_equal(caches[-5].a_prev, a0)
    with pytest.raises(IndexError):
        caches[5]


# ---------------------------------------------------------------------------------------
# Backward against finite differences: loss = Σ da * a, a random contraction
# ---------------------------------------------------------------------------------------

CELL_SHAPES = [(1, 1, 1), (3, 5, 4), (2, 1, 3), (4, 3, 1)]  # (n_x, n_a, m)
SEQUENCE_SHAPES = [(1, 1, 1, 1), (3, 5, 4, 6), (2, 1, 3, 4), (3, 4, 1, 5), (2, 3, 2, 1)]  # (n_x, n_a, m, T_x)


def check_cell_gradients(parameters, xt, a_prev, da_next, activation):
    _, _, cache = rnn_cell_forward(xt, a_prev, parameters, activation)
    gradients = rnn_cell_backward(da_next, cache)
    assert set(gradients) == {"dxt", "da_prev", "dWax", "dWaa", "dba"}

    def loss(xt=xt, a_prev=a_prev, **changed):
        a_next, _, _ = rnn_cell_forward(xt, a_prev, {**parameters, **changed}, activation)
        return np.sum(da_next * a_next)

    checks = {
        "dxt": gradient_check(lambda v: loss(xt=v), xt, gradients["dxt"], EPSILON),
        "da_prev": gradient_check(lambda v: loss(a_prev=v), a_prev, gradients["da_prev"], EPSILON),
    }
    for name in ("Wax", "Waa", "ba"):
        checks["d" + name] = gradient_check(
            lambda v: loss(**{name: v}), parameters[name], gradients["d" + name], EPSILON
        )
    assert max(checks.values()) < TOL, checks


def check_sequence_gradients(parameters, x, a0, da, activation):
    _, _, caches = rnn_forward(x, a0, parameters, activation)
    gradients = rnn_backward(da, caches)
    assert set(gradients) == {"dx", "da0", "dWax", "dWaa", "dba"}
    assert gradients["dx"].shape == x.shape and gradients["da0"].shape == a0.shape

    def loss(x=x, a0=a0, **changed):
        a, _, _ = rnn_forward(x, a0, {**parameters, **changed}, activation)
        return np.sum(da * a)

    checks = {
        "dx": gradient_check(lambda v: loss(x=v), x, gradients["dx"], EPSILON),
        "da0": gradient_check(lambda v: loss(a0=v), a0, gradients["da0"], EPSILON),
    }
    for name in ("Wax", "Waa", "ba"):
        assert gradients["d" + name].shape == parameters[name].shape
        checks["d" + name] = gradient_check(
            lambda v: loss(**{name: v}), parameters[name], gradients["d" + name], EPSILON
        )
    assert max(checks.values()) < TOL, checks


@pytest.mark.parametrize("activation", ["tanh", "identity"])
@pytest.mark.parametrize("n_x, n_a, m", CELL_SHAPES)
def test_cell_backward_matches_finite_differences(n_x, n_a, m, activation):
    parameters, x, a0, da = make_problem(n_x, n_a, 2, m, 1, seed=n_x + 10 * n_a + 100 * m)
    check_cell_gradients(parameters, x[:, :, 0], a0, da[:, :, 0], activation)


@pytest.mark.parametrize("activation", ["tanh", "identity"])
@pytest.mark.parametrize("n_x, n_a, m, T_x", SEQUENCE_SHAPES)
def test_rnn_backward_matches_finite_differences(n_x, n_a, m, T_x, activation):
    parameters, x, a0, da = make_problem(n_x, n_a, 2, m, T_x, seed=n_x + 10 * n_a + 100 * m + 1000 * T_x)
    check_sequence_gradients(parameters, x, a0, da, activation)


def test_relu_backward_matches_finite_differences_away_from_the_kink():
    parameters, x, a0, da = make_problem(3, 4, None, 3, 5, seed=7)
    z = preactivations(x, a0, parameters)
    # Finite differences across relu's kink are meaningless: make sure none is near.
    assert np.min(np.abs(z)) > 1e-3
    assert np.any(z < 0) and np.any(z > 0)  # both branches of relu are exercised
    check_sequence_gradients(parameters, x, a0, da, "relu")
    check_cell_gradients(parameters, x[:, :, 0], a0, da[:, :, 0], "relu")


def test_relu_passes_no_gradient_where_the_unit_is_off():
    parameters, x, a0, da = make_problem(3, 4, None, 3, 1, seed=7)
    a_next, _, cache = rnn_cell_forward(x[:, :, 0], a0, parameters, "relu")
    gradients = rnn_cell_backward(da[:, :, 0], cache)
    off = a_next == 0
    assert off.any()
    # dz = da * relu'(z) is zero where the unit is off, so Waaᵀ dz ignores those units.
    dz = np.where(off, 0.0, da[:, :, 0])
    np.testing.assert_allclose(gradients["da_prev"], parameters["Waa"].T @ dz, rtol=1e-14)


# derandomize: the same examples on every run, so CI is reproducible.
@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    n_x=st.integers(1, 4),
    n_a=st.integers(1, 4),
    m=st.integers(1, 3),
    T_x=st.integers(1, 4),
    activation=st.sampled_from(["tanh", "identity"]),
    seed=st.integers(0, 2**16),
)
def test_rnn_backward_matches_finite_differences_for_any_shape(n_x, n_a, m, T_x, activation, seed):
    """All gradients at once, as one vector (as the DLS gradient check does).

    One relative error over the whole vector: a gradient that has vanished to 1e-7 after a
    few saturated tanh steps (n_a = 1 makes that common) is then not judged by rounding
    noise of finite differences alone, while any real error still shows.
    """
    parameters, x, a0, da = make_problem(n_x, n_a, None, m, T_x, seed=seed)
    _, _, caches = rnn_forward(x, a0, parameters, activation)
    gradients = rnn_backward(da, caches)

    def loss(x=x, a0=a0, **changed):
        a, _, _ = rnn_forward(x, a0, {**parameters, **changed}, activation)
        return np.sum(da * a)

    numeric = {
        "dx": numerical_gradient(lambda v: loss(x=v), x),
        "da0": numerical_gradient(lambda v: loss(a0=v), a0),
        **{"d" + k: numerical_gradient(lambda v: loss(**{k: v}), parameters[k]) for k in ("Wax", "Waa", "ba")},
    }
    g = np.concatenate([gradients[k].ravel() for k in numeric])
    g_hat = np.concatenate([numeric[k].ravel() for k in numeric])
    assert np.linalg.norm(g - g_hat) / (np.linalg.norm(g) + np.linalg.norm(g_hat)) < TOL


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
def test_rnn_backward_is_the_loop_of_cell_backwards(activation):
    parameters, x, a0, da = make_problem(3, 5, 2, 4, 7, seed=3)
    _, _, caches = rnn_forward(x, a0, parameters, activation)
    gradients = rnn_backward(da, caches)

    expected = loop_of_cell_backwards(rnn_cell_backward, da, caches, ("a",))
    assert set(expected) == {"dx", "da0", "dWax", "dWaa", "dba"}
    assert_gradients_close(gradients, expected)


def test_rnn_backward_accepts_a_list_of_cell_caches():
    parameters, x, a0, da = make_problem(3, 4, 2, 2, 5, seed=4)
    _, _, caches = rnn_forward(x, a0, parameters)
    cell_caches, a_prev = [], a0
    for t in range(5):  # what a learner's own DLS-style rnn_forward collects
        a_prev, _, cache = rnn_cell_forward(x[:, :, t], a_prev, parameters)
        cell_caches.append(cache)
    expected = rnn_backward(da, caches)
    for name, value in rnn_backward(da, cell_caches).items():
        np.testing.assert_allclose(value, expected[name], rtol=1e-12, atol=1e-14)


def test_inputs_are_not_modified():
    parameters, x, a0, da = make_problem(3, 4, 2, 2, 5, seed=5)
    before = copies(parameters, x, a0, da)
    a_next, _, cache = rnn_cell_forward(x[:, :, 0], a0, parameters)
    rnn_cell_backward(da[:, :, 0], cache)
    _, _, caches = rnn_forward(x, a0, parameters)
    rnn_backward(da, caches)
    assert_unchanged(before, [parameters, x, a0, da])


# ---------------------------------------------------------------------------------------
# initialize_rnn_parameters
# ---------------------------------------------------------------------------------------


def test_initialize_rnn_parameters():
    parameters = initialize_rnn_parameters(3, 5, 2, np.random.default_rng(0), scale=0.01)
    shapes = {"Wax": (5, 3), "Waa": (5, 5), "ba": (5, 1), "Wya": (2, 5), "by": (2, 1)}
    assert {k: v.shape for k, v in parameters.items()} == shapes
    assert np.all(parameters["ba"] != 0) and np.all(parameters["by"] != 0)  # random biases
    assert max(np.abs(v).max() for v in parameters.values()) < 0.1
    again = initialize_rnn_parameters(3, 5, 2, np.random.default_rng(0), scale=0.01)
    assert all(np.array_equal(parameters[k], again[k]) for k in shapes)
    assert set(initialize_rnn_parameters(3, 5, None, np.random.default_rng(0))) == {"Wax", "Waa", "ba"}


@pytest.mark.parametrize(
    "args, name",
    [
        ((0, 5, 2, np.random.default_rng(0)), "n_x"),
        ((3, 2.5, 2, np.random.default_rng(0)), "n_a"),
        ((3, 5, 0, np.random.default_rng(0)), "n_y"),
        ((3, 5, 2, "42"), "rng"),
        ((3, 5, 2, np.random.default_rng(0), -1.0), "scale"),
    ],
)
def test_initialize_rnn_parameters_rejects_bad_arguments(args, name):
    with pytest.raises(ValueError, match=name):
        initialize_rnn_parameters(*args)


# ---------------------------------------------------------------------------------------
# Argument checks: the offending argument and the expected shape are named
# ---------------------------------------------------------------------------------------


def raises(*fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


def test_wrong_shapes_name_the_argument_and_the_shape():
    parameters, x, a0, da = make_problem(3, 4, 2, 2, 5)
    with raises("x", "(n_x, m, T_x)", "(3, 2, 5)"):
        rnn_forward(x[:2], a0, parameters)
    with raises("x", "(n_x, m, T_x)"):
        rnn_forward(x[:, :, 0], a0, parameters)
    with raises("a0", "(n_a, m)", "(4, 2)"):
        rnn_forward(x, a0[:, :1], parameters)
    with raises("a0", "(n_a, m)", "(4, 2)"):
        rnn_forward(x, a0[:3], parameters)
    with raises("xt", "(n_x, m)"):
        rnn_cell_forward(x[:2, :, 0], a0, parameters)
    with raises("a_prev", "(n_a, m)", "(4, 2)"):
        rnn_cell_forward(x[:, :, 0], a0[:, :1], parameters)
    with raises('parameters["Waa"]', "(n_a, n_a)", "(4, 4)"):
        rnn_forward(x, a0, {**parameters, "Waa": parameters["Waa"][:, :3]})
    with raises('parameters["ba"]', "(n_a, 1)", "(4, 1)"):
        rnn_forward(x, a0, {**parameters, "ba": parameters["ba"].ravel()})
    with raises('parameters["Wya"]', "(n_y, n_a)", "(2, 4)"):
        rnn_forward(x, a0, {**parameters, "Wya": parameters["Wya"][:, :3]})
    with raises('parameters["by"]', "(n_y, 1)", "(2, 1)"):
        rnn_forward(x, a0, {**parameters, "by": np.zeros((3, 1))})

    _, _, caches = rnn_forward(x, a0, parameters)
    with raises("da", "(n_a, m, T_x)", "(4, 2, 5)"):
        rnn_backward(da[:, :, :4], caches)
    _, _, cache = rnn_cell_forward(x[:, :, 0], a0, parameters)
    with raises("da_next", "(n_a, m)", "(4, 2)"):
        rnn_cell_backward(da[:3, :, 0], cache)


def test_missing_parameters_are_named():
    parameters, x, a0, _ = make_problem(3, 4, 2, 2, 5)
    without = {k: v for k, v in parameters.items() if k not in ("Waa", "ba")}
    with raises("parameters", "'Waa'", "'ba'"):
        rnn_forward(x, a0, without)
    with raises("parameters", "'by'"):  # an output layer needs both Wya and by
        rnn_cell_forward(x[:, :, 0], a0, {k: v for k, v in parameters.items() if k != "by"})
    with raises("parameters", "dict"):
        rnn_forward(x, a0, [parameters["Wax"]])


def test_non_finite_inputs_are_named():
    parameters, x, a0, da = make_problem(3, 4, 2, 2, 5)
    bad_x = x.copy()
    bad_x[0, 0, 3] = np.nan
    with raises("x", "NaN"):
        rnn_forward(bad_x, a0, parameters)
    with raises("a0", "NaN"):
        rnn_forward(x, np.full_like(a0, np.inf), parameters)
    with raises('parameters["Waa"]', "NaN"):
        rnn_forward(x, a0, {**parameters, "Waa": np.full((4, 4), np.nan)})
    _, _, caches = rnn_forward(x, a0, parameters)
    with raises("da", "NaN"):
        rnn_backward(np.full_like(da, np.nan), caches)


def test_bad_activation_and_caches_are_rejected():
    parameters, x, a0, da = make_problem(3, 4, 2, 2, 5)
    with raises("activation", "tanh"):
        rnn_forward(x, a0, parameters, activation="sigmoid")
    with raises("cache", "RNNCache"):
        rnn_cell_backward(da[:, :, 0], (a0, a0, x[:, :, 0], parameters))
    with raises("caches", "RNNCaches"):
        rnn_backward(da, [])
    with raises("caches", "RNNCaches"):
        rnn_backward(da, {"a": a0})


def test_rnn_backward_can_skip_the_input_gradient():
    parameters, x, a0, da = make_problem(3, 4, None, 2, 5, seed=8)
    _, _, caches = rnn_forward(x, a0, parameters)
    full = rnn_backward(da, caches)
    lean = rnn_backward(da, caches, input_gradient=False)
    assert lean["dx"] is None
    for name in ("da0", "dWax", "dWaa", "dba"):
        np.testing.assert_array_equal(lean[name], full[name])
