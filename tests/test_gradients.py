"""course_lib.gradients: clipping, the global norm, gradient checks, per-step gradient norms."""

import math
import re

import numpy as np
import pytest

from course_lib.gradients import clip, clip_by_norm, global_norm, gradient_check, step_norms, timestep_gradient_norms
from course_lib.rnn import initialize_rnn_parameters, rnn_cell_backward, rnn_forward


def make_gradients(seed=0, scale=10.0):
    rng = np.random.default_rng(seed)
    shapes = {"dWax": (5, 3), "dWaa": (5, 5), "dba": (5, 1), "dWya": (2, 5), "dby": (2, 1)}
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


def copy_dict(d):
    return {k: v.copy() for k, v in d.items()}


def assert_dicts_equal(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def raises(*fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


# ---------------------------------------------------------------------------------------
# clip
# ---------------------------------------------------------------------------------------


def test_clip_bounds_every_array_whatever_its_key():
    gradients = {**make_gradients(), "anything": np.array([[-30.0, 0.5, 30.0]])}
    before = copy_dict(gradients)
    clipped = clip(gradients, 5.0)
    assert clipped.keys() == gradients.keys()
    for name, g in gradients.items():
        assert clipped[name].shape == g.shape
        assert np.all(np.abs(clipped[name]) <= 5.0)
        inside = np.abs(g) <= 5.0
        np.testing.assert_array_equal(clipped[name][inside], g[inside])  # untouched inside
        np.testing.assert_array_equal(clipped[name][~inside], 5.0 * np.sign(g[~inside]))
        assert not np.shares_memory(clipped[name], g)
    np.testing.assert_array_equal(clipped["anything"], [[-5.0, 0.5, 5.0]])
    assert_dicts_equal(gradients, before)  # unlike the DLS assignment, not in place


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf, "ten", None])
def test_clip_rejects_a_bad_max_value(bad):
    with raises("max_value"):
        clip(make_gradients(), bad)


def test_clip_rejects_non_finite_gradients_and_non_dicts():
    gradients = make_gradients()
    gradients["dWaa"][0, 0] = np.nan
    with raises("gradients['dWaa']", "NaN"):
        clip(gradients, 5.0)
    with raises("gradients", "dict"):
        clip([np.ones(3)], 5.0)


# ---------------------------------------------------------------------------------------
# global_norm and clip_by_norm
# ---------------------------------------------------------------------------------------


def test_global_norm_is_the_l2_norm_of_everything():
    gradients = make_gradients()
    expected = math.sqrt(sum(float(np.sum(g**2)) for g in gradients.values()))
    assert isinstance(global_norm(gradients), float)
    assert global_norm(gradients) == pytest.approx(expected, rel=1e-14)
    assert global_norm({}) == 0.0
    assert global_norm({"dW": np.zeros((2, 2))}) == 0.0


def test_global_norm_does_not_overflow_on_exploding_gradients():
    gradients = {"dWaa": np.full((3, 3), 1e200), "dba": np.full((3, 1), -1e200)}
    assert global_norm(gradients) == pytest.approx(1e200 * math.sqrt(12), rel=1e-14)


def test_near_the_float64_limit_the_norm_is_inf_and_clipping_still_exact():
    # ‖g‖ = 2e308 exceeds float64; scaling by max_norm / ‖g‖ would give zeros.
    gradients = {"dWaa": np.full((2, 2), 1e308)}
    assert global_norm(gradients) == math.inf
    clipped, norm = clip_by_norm(gradients, 1.0)
    assert norm == math.inf
    np.testing.assert_allclose(clipped["dWaa"], np.full((2, 2), 0.5), rtol=1e-15)
    assert global_norm(clipped) == pytest.approx(1.0, rel=1e-15)
    mixed = {"a": np.array([1.5e308]), "b": np.array([[-1.5e308]]), "c": np.array([1.0])}
    clipped, _ = clip_by_norm(mixed, 2.0)
    assert clipped["a"][0] == pytest.approx(np.sqrt(2), rel=1e-15) and clipped["b"][0, 0] == pytest.approx(-np.sqrt(2))
    assert 0 < clipped["c"][0] < 1e-300 or clipped["c"][0] == 0.0  # 1 / 1e308 is tiny, not NaN
    # just below the limit the norm itself is finite and exact
    assert global_norm({"g": np.full(10, 1e307)}) == pytest.approx(1e307 * math.sqrt(10), rel=1e-14)


def test_clip_by_norm_scales_by_exactly_max_norm_over_norm():
    gradients = make_gradients()
    before = copy_dict(gradients)
    norm_before = global_norm(gradients)
    assert norm_before > 5.0
    clipped, norm = clip_by_norm(gradients, 5.0)
    assert isinstance(norm, float) and norm == norm_before  # the norm before clipping
    for name, g in gradients.items():
        np.testing.assert_array_equal(clipped[name], g * (5.0 / norm))
        assert not np.shares_memory(clipped[name], g)
    assert global_norm(clipped) == pytest.approx(5.0, rel=1e-14)  # clipping bounds the norm
    # Same direction: the flattened gradients are positively parallel.
    flat = np.concatenate([g.ravel() for g in gradients.values()])
    flat_clipped = np.concatenate([g.ravel() for g in clipped.values()])
    cosine = flat @ flat_clipped / (np.linalg.norm(flat) * np.linalg.norm(flat_clipped))
    assert cosine == pytest.approx(1.0, abs=1e-14)
    assert_dicts_equal(gradients, before)


def test_clip_by_norm_leaves_small_gradients_alone_but_copies_them():
    gradients = make_gradients(scale=0.01)
    clipped, norm = clip_by_norm(gradients, 5.0)
    assert norm == global_norm(gradients) < 5.0
    for name, g in gradients.items():
        np.testing.assert_array_equal(clipped[name], g)
        assert not np.shares_memory(clipped[name], g)


@pytest.mark.parametrize("bad", [0, -2.0, np.nan, np.inf, "five"])
def test_clip_by_norm_rejects_a_bad_max_norm(bad):
    with raises("max_norm"):
        clip_by_norm(make_gradients(), bad)


# ---------------------------------------------------------------------------------------
# gradient_check
# ---------------------------------------------------------------------------------------


def f_and_grad(theta):
    """A scalar function with a known gradient: f = Σ c sin θ + ‖θ‖²."""
    c = np.arange(1.0, theta.size + 1).reshape(theta.shape)
    return np.sum(c * np.sin(theta)) + np.sum(theta**2), c * np.cos(theta) + 2 * theta


def test_gradient_check_is_small_for_the_right_gradient():
    theta = np.random.default_rng(0).standard_normal((3, 4))
    before = theta.copy()
    _, grad = f_and_grad(theta)
    error = gradient_check(lambda t: f_and_grad(t)[0], theta, grad)
    assert isinstance(error, float) and error < 1e-7
    np.testing.assert_array_equal(theta, before)  # theta is not modified


def test_gradient_check_is_large_for_a_wrong_gradient():
    theta = np.random.default_rng(1).standard_normal(5)
    _, grad = f_and_grad(theta)
    f = lambda t: f_and_grad(t)[0]  # noqa: E731
    wrong_sign = grad.copy()
    wrong_sign[2] *= -1
    assert gradient_check(f, theta, wrong_sign) > 1e-2
    assert gradient_check(f, theta, 1.1 * grad) > 1e-2
    assert gradient_check(f, theta, np.zeros_like(grad)) == pytest.approx(1.0)


def test_gradient_check_matches_the_relative_error_formula():
    theta = np.array([0.3, -1.2])
    grad = np.array([1.0, 2.0])
    f = lambda t: 3 * t[0] - 4 * t[1]  # noqa: E731  linear: the numeric gradient is (3, -4)
    numeric = np.array([3.0, -4.0])
    expected = np.linalg.norm(grad - numeric) / (np.linalg.norm(grad) + np.linalg.norm(numeric))
    assert gradient_check(f, theta, grad) == pytest.approx(expected, rel=1e-6)
    assert gradient_check(lambda t: 7.0, theta, np.zeros(2)) == 0.0


def test_gradient_check_says_f_must_return_the_loss_alone():
    theta = np.random.default_rng(0).standard_normal(3)
    with raises("f must return the scalar loss alone", "tuple", "lambda t: f(t)[0]"):
        gradient_check(f_and_grad, theta, f_and_grad(theta)[1])  # (J, gradients), as in notebook 02
    with raises("f must return the scalar loss alone", "dict"):
        gradient_check(lambda t: {"J": 1.0}, theta, np.zeros(3))
    with raises("f(theta)", "str"):
        gradient_check(lambda t: "1.0", theta, np.zeros(3))
    with raises("f(theta)"):
        gradient_check(lambda t: None, theta, np.zeros(3))
    with raises("f(theta)"):
        gradient_check(lambda t: True, theta, np.zeros(3))
    with raises("f", "function"):
        gradient_check(None, theta, np.zeros(3))


def test_an_empty_theta_has_nothing_to_check():
    with raises("theta", "at least one entry"):
        gradient_check(lambda t: 0.0, np.zeros((0, 3)), np.zeros((0, 3)))
    with raises("theta"):
        gradient_check(lambda t: 0.0, [], [])


def test_gradient_check_rejects_bad_arguments():
    theta = np.zeros((2, 3))
    with raises("grad", "(2, 3)"):
        gradient_check(lambda t: np.sum(t), theta, np.zeros((3, 2)))
    with raises("f", "scalar"):
        gradient_check(lambda t: t, theta, np.zeros((2, 3)))
    with raises("theta", "NaN"):
        gradient_check(lambda t: np.sum(t), np.full(2, np.nan), np.zeros(2))
    with raises("epsilon"):
        gradient_check(lambda t: np.sum(t), theta, np.zeros((2, 3)), epsilon=0)


# ---------------------------------------------------------------------------------------
# timestep_gradient_norms
# ---------------------------------------------------------------------------------------


def make_sequence(seed=0, T_x=6, activation="tanh"):
    rng = np.random.default_rng(seed)
    parameters = initialize_rnn_parameters(3, 4, None, rng, scale=0.5)
    x = rng.standard_normal((3, 2, T_x))
    a0 = rng.standard_normal((4, 2))
    da = rng.standard_normal((4, 2, T_x))
    _, _, caches = rnn_forward(x, a0, parameters, activation)
    return parameters, x, a0, da, caches


def test_timestep_gradient_norms_are_the_norms_of_the_total_gradient():
    _, _, _, da, caches = make_sequence()
    before = da.copy()
    norms = timestep_gradient_norms(da, caches)
    assert norms.shape == (6,) and norms.dtype == np.float64

    da_prev = np.zeros((4, 2))
    expected = np.zeros(6)
    for t in reversed(range(6)):
        da_next = da[:, :, t] + da_prev  # what reaches a<t>: from above plus from t+1
        expected[t] = np.linalg.norm(da_next)  # Frobenius over (n_a, m)
        da_prev = rnn_cell_backward(da_next, caches[t])["da_prev"]
    np.testing.assert_allclose(norms, expected, rtol=1e-13)
    np.testing.assert_array_equal(da, before)


@pytest.mark.parametrize("w, T_x", [(0.5, 8), (2.0, 8)])
def test_gradient_vanishes_or_explodes_as_powers_of_the_recurrent_weight(w, T_x):
    # A linear RNN with Waa = w I: the gradient from the last step is multiplied by w per step.
    n_a, m = 3, 2
    rng = np.random.default_rng(0)
    parameters = {"Wax": rng.standard_normal((n_a, 2)), "Waa": w * np.eye(n_a), "ba": np.ones((n_a, 1))}
    x = rng.standard_normal((2, m, T_x))
    _, _, caches = rnn_forward(x, np.zeros((n_a, m)), parameters, "identity")
    da = np.zeros((n_a, m, T_x))
    da[:, :, -1] = rng.standard_normal((n_a, m))  # only the last step's loss
    norms = timestep_gradient_norms(da, caches)
    expected = np.linalg.norm(da[:, :, -1]) * w ** np.arange(T_x - 1, -1, -1.0)
    np.testing.assert_allclose(norms, expected, rtol=1e-13)


def test_timestep_gradient_norms_check_da_and_caches():
    _, _, _, da, caches = make_sequence()
    with raises("da", "(n_a, m, T_x)", "(4, 2, 6)"):
        timestep_gradient_norms(da[:, :1], caches)
    with raises("da"):
        timestep_gradient_norms(None, caches)
    with raises("da", "NaN"):
        timestep_gradient_norms(np.full_like(da, np.nan), caches)
    with raises("caches", "SequenceCache"):
        timestep_gradient_norms(da, [caches[t] for t in range(len(caches))])
    with raises("caches", "SequenceCache"):
        timestep_gradient_norms(da, None)


def test_timestep_gradient_norms_of_any_cell_are_finite_differences_of_its_hidden_states():
    # J = Σ_t da<t> · h<t>. Moving h<t> (the other state held) changes J directly and
    # through every later step: ∂J/∂h<t>, re-running the driver from step t.
    from course_lib.recurrent import run_forward
    from tests.test_architectures import TOY

    rng = np.random.default_rng(4)
    n_x, n_a, m, T_x = 3, 4, 2, 6
    p = TOY.initialize(n_x, n_a, None, rng, 0.7)
    x = rng.standard_normal((n_x, m, T_x))
    initial = (rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m)))
    h, caches = run_forward(x, p, TOY, initial)
    da = rng.standard_normal((n_a, m, T_x))
    norms = timestep_gradient_norms(da, caches)
    for t in (0, 3, T_x - 1):
        state = (caches.h[:, :, t], caches.c[:, :, t])

        def J(h_t):
            later = np.sum(da[:, :, t + 1:] * run_forward(x[:, :, t + 1:], p, TOY, (h_t, state[1]))[0]) \
                if t + 1 < T_x else 0.0
            return np.sum(da[:, :, t] * h_t) + later

        numeric = np.zeros((n_a, m))
        for i in np.ndindex(n_a, m):
            e = np.zeros((n_a, m))
            e[i] = 1e-6
            numeric[i] = (J(state[0] + e) - J(state[0] - e)) / 2e-6
        assert norms[t] == pytest.approx(np.linalg.norm(numeric), rel=1e-7)


def test_step_norms_do_not_overflow():
    d = np.full((2, 2, 3), 1e200)
    d[:, :, 1] = 0.0
    d[0, 0, 2] = np.inf
    norms = step_norms(d)
    assert norms[0] == pytest.approx(2e200, rel=1e-14) and norms[1] == 0.0 and norms[2] == math.inf
    with raises("d", "(n_a, m, T_x)"):
        step_norms(np.ones((2, 3)))
