"""course_lib.losses: per-step losses summed into J, masks, and the output layer's backward."""

import re

import numpy as np
import pytest

from course_lib.activations import sigmoid, softmax
from course_lib.gradients import gradient_check
from course_lib.losses import (
    binary_cross_entropy,
    binary_cross_entropy_from_logits,
    output_layer_backward,
    output_layer_forward,
    softmax_cross_entropy,
)
from course_lib.rnn import initialize_rnn_parameters, rnn_backward, rnn_forward

TOL = 1e-7  # relative error of a correct gradient against centred finite differences
EPSILON = 1e-5  # finite-difference step (see tests/test_rnn.py)

M, T_X = 3, 5


def raises(*fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


def binary_problem(seed=0):
    rng = np.random.default_rng(seed)
    z = 2 * rng.standard_normal((1, M, T_X))
    y = (rng.random((1, M, T_X)) < 0.5).astype(np.float64)
    mask = np.ones((M, T_X), dtype=bool)
    mask[0, 3:] = False  # example 0 has 3 real steps, example 2 has 4
    mask[2, 4:] = False
    return z, y, mask


def softmax_problem(seed=0, n_y=4):
    rng = np.random.default_rng(seed)
    z = 2 * rng.standard_normal((n_y, M, T_X))
    indices = rng.integers(0, n_y, size=(M, T_X))
    one_hot = (np.arange(n_y)[:, None, None] == indices[None]).astype(np.float64)
    mask = np.ones((M, T_X), dtype=bool)
    mask[1, 2:] = False
    return z, indices, one_hot, mask


# ---------------------------------------------------------------------------------------
# Binary cross-entropy (the name tagger)
# ---------------------------------------------------------------------------------------


def test_binary_cross_entropy_is_the_sum_of_per_step_losses():
    z, y, _ = binary_problem()
    y_hat = sigmoid(z)
    J, _ = binary_cross_entropy(y_hat, y)
    per_step = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert isinstance(J, float)
    assert J == pytest.approx(per_step.sum(), rel=1e-12)  # a sum over steps and examples
    # The sum over the batch is the sum of each example's J.
    assert J == pytest.approx(sum(binary_cross_entropy(y_hat[:, i : i + 1], y[:, i : i + 1])[0] for i in range(M)))


@pytest.mark.parametrize("use_mask", [False, True])
def test_binary_cross_entropy_gradients_match_finite_differences(use_mask):
    z, y, mask = binary_problem(1)
    mask = mask if use_mask else None
    y_hat = sigmoid(z)  # strictly inside (0, 1): no clipping
    _, dy_hat = binary_cross_entropy(y_hat, y, mask)
    assert gradient_check(lambda v: binary_cross_entropy(v, y, mask)[0], y_hat, dy_hat, EPSILON) < TOL
    _, dz = binary_cross_entropy_from_logits(z, y, mask)
    assert gradient_check(lambda v: binary_cross_entropy_from_logits(v, y, mask)[0], z, dz, EPSILON) < TOL
    np.testing.assert_allclose(dz, np.where(mask if use_mask else True, sigmoid(z) - y, 0.0), rtol=1e-14)


def test_from_logits_agrees_with_probabilities():
    z, y, mask = binary_problem(2)
    J_logits, dz = binary_cross_entropy_from_logits(z, y, mask)
    J_probs, dy_hat = binary_cross_entropy(sigmoid(z), y, mask)
    assert J_logits == pytest.approx(J_probs, rel=1e-12)
    s = sigmoid(z)
    np.testing.assert_allclose(dz, dy_hat * s * (1 - s), rtol=1e-10, atol=1e-15)  # chain rule through σ


def test_binary_losses_are_finite_at_extreme_values():
    # pyproject turns RuntimeWarning into errors: no log(0), no overflow here.
    z = np.array([[[1e4, -1e4, 1e4, -1e4]]])
    y = np.array([[[1.0, 0.0, 0.0, 1.0]]])
    J, dz = binary_cross_entropy_from_logits(z, y)
    assert J == pytest.approx(2e4)  # the two wrong, confident predictions cost |z| each
    np.testing.assert_array_equal(dz, [[[0.0, 0.0, 1.0, -1.0]]])
    J, dy_hat = binary_cross_entropy(sigmoid(z), y)  # ŷ exactly 0 or 1: clipped
    assert np.isfinite(J) and np.all(np.isfinite(dy_hat))


def test_mask_removes_padded_steps_from_binary_losses():
    z, y, mask = binary_problem(3)
    J, dz = binary_cross_entropy_from_logits(z, y, mask)
    assert np.all(dz[:, ~mask] == 0)
    expected = sum(
        binary_cross_entropy_from_logits(z[:, i : i + 1, mask[i]], y[:, i : i + 1, mask[i]])[0]
        for i in range(M)
    )
    assert J == pytest.approx(expected, rel=1e-12)
    # Whatever sits at the padded steps changes nothing.
    z2, y2 = z.copy(), y.copy()
    z2[:, ~mask], y2[:, ~mask] = 50.0, 0.0
    assert binary_cross_entropy_from_logits(z2, y2, mask)[0] == J
    J_probs, dy_hat = binary_cross_entropy(sigmoid(z), y, mask.astype(int))  # 0/1 masks work too
    assert J_probs == pytest.approx(J, rel=1e-12) and np.all(dy_hat[:, ~mask] == 0)


def test_binary_losses_reject_bad_arguments():
    z, y, mask = binary_problem()
    with raises("y", "(n_y, m, T_x)", "(1, 3, 5)"):
        binary_cross_entropy_from_logits(z, y[:, :, :4])
    with raises("z", "(n_y, m, T_x)"):
        binary_cross_entropy_from_logits(z[0], y)
    with raises("mask", "(m, T_x)", "(3, 5)"):
        binary_cross_entropy_from_logits(z, y, mask[:, :4])
    with raises("mask", "bool"):
        binary_cross_entropy_from_logits(z, y, np.full((M, T_X), 0.5))
    with raises("y_hat", "[0, 1]"):
        binary_cross_entropy(z, y)  # logits are not probabilities
    with raises("y", "[0, 1]"):
        binary_cross_entropy_from_logits(z, 2 * y)
    bad = z.copy()
    bad[0, 1, 1] = np.nan
    with raises("z", "NaN"):
        binary_cross_entropy_from_logits(bad, y)


# ---------------------------------------------------------------------------------------
# Softmax cross-entropy (the language model)
# ---------------------------------------------------------------------------------------


def test_softmax_cross_entropy_is_the_sum_of_per_step_losses():
    z, indices, one_hot, _ = softmax_problem()
    y_hat = softmax(z)
    J, dz = softmax_cross_entropy(z, one_hot)
    picked = np.take_along_axis(y_hat, indices[None], axis=0)  # ŷ of the true class
    assert isinstance(J, float) and J == pytest.approx(-np.log(picked).sum(), rel=1e-12)
    np.testing.assert_allclose(dz, y_hat - one_hot, rtol=1e-14)


@pytest.mark.parametrize("use_mask", [False, True])
def test_softmax_cross_entropy_gradient_matches_finite_differences(use_mask):
    z, _, one_hot, mask = softmax_problem(1)
    mask = mask if use_mask else None
    _, dz = softmax_cross_entropy(z, one_hot, mask)
    error = gradient_check(lambda v: softmax_cross_entropy(v, one_hot, mask)[0], z, dz, EPSILON)
    assert error < TOL


def test_indices_and_one_hot_targets_agree():
    z, indices, one_hot, mask = softmax_problem(2)
    y_hat = softmax(z)
    J1, dz1 = softmax_cross_entropy(z, one_hot, mask)
    padded = np.where(mask, indices, -1)  # padding index: ignored under the mask
    J2, dz2 = softmax_cross_entropy(z, padded, mask)
    assert J1 == pytest.approx(J2, rel=1e-14)
    np.testing.assert_allclose(dz1, dz2, rtol=0, atol=1e-15)


def test_mask_removes_padded_steps_from_softmax_loss():
    z, indices, one_hot, mask = softmax_problem(3)
    y_hat = softmax(z)
    J, dz = softmax_cross_entropy(z, one_hot, mask)
    assert np.all(dz[:, ~mask] == 0)
    expected = sum(
        softmax_cross_entropy(z[:, i : i + 1, mask[i]], indices[i : i + 1, mask[i]])[0] for i in range(M)
    )
    assert J == pytest.approx(expected, rel=1e-12)
    zero_padded = one_hot.copy()
    zero_padded[:, ~mask] = 0.0  # padded steps with no target at all
    assert softmax_cross_entropy(z, zero_padded, mask)[0] == J


def test_softmax_and_sigmoid_do_not_overflow_at_extreme_logits():
    z = np.array([[1e4, -1e4], [-1e4, 1e4], [0.0, 0.0]])[:, :, None]  # (n_y, m, T_x) = (3, 2, 1)
    y_hat = softmax(z)
    np.testing.assert_allclose(y_hat[:, :, 0], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(sigmoid(np.array([1e4, -1e4])), [1.0, 0.0])
    J, dz = softmax_cross_entropy(z, np.array([[0], [0]]))  # right for example 0, wrong for 1
    assert J == pytest.approx(2e4, rel=1e-12) and np.all(np.isfinite(dz))  # the loss is not capped


def test_a_confident_wrong_prediction_costs_its_logit_gap():
    # A logit gap of 40: ŷ of the true class is e^(−40) ≈ 4e-18, below the old 1e-12 cap.
    z = np.array([[40.0], [0.0]])[:, :, None]  # (n_y, m, T_x) = (2, 1, 1), class 0 favoured
    J, dz = softmax_cross_entropy(z, np.array([[1]]))  # the truth is class 1
    assert J == pytest.approx(40.0 + np.log1p(np.exp(-40.0)), rel=1e-14)
    error = gradient_check(lambda v: softmax_cross_entropy(v, np.array([[1]]))[0], z, dz, EPSILON)
    assert error < TOL


def test_softmax_cross_entropy_rejects_bad_arguments():
    z, indices, one_hot, mask = softmax_problem()
    with raises("z", "(n_y, m, T_x)"):
        softmax_cross_entropy(z[:, :, 0], one_hot)
    with raises("y", "(n_y, m, T_x)", "(4, 3, 5)"):
        softmax_cross_entropy(z, one_hot[:3])
    with raises("y", "(m, T_x)", "(3, 5)"):
        softmax_cross_entropy(z, indices[:2])
    with raises("y", "n_y - 1 = 3"):
        softmax_cross_entropy(z, indices + 4)
    with raises("y", "integers"):
        softmax_cross_entropy(z, indices + 0.5)
    zero_padded = one_hot.copy()
    zero_padded[:, ~mask] = 0.0
    with raises("y", "one-hot", "mask"):
        softmax_cross_entropy(z, zero_padded)  # padding without a mask
    with raises("mask", "(m, T_x)"):
        softmax_cross_entropy(z, one_hot, mask.T)


# ---------------------------------------------------------------------------------------
# Output layer and the full gradient
# ---------------------------------------------------------------------------------------


def test_output_layer_backward_matches_finite_differences():
    rng = np.random.default_rng(4)
    n_y, n_a = 3, 4
    a = rng.standard_normal((n_a, M, T_X))
    Wy, by = rng.standard_normal((n_y, n_a)), rng.standard_normal((n_y, 1))
    dz = rng.standard_normal((n_y, M, T_X))  # a random upstream gradient
    before = [a.copy(), Wy.copy(), dz.copy()]
    dWy, dby, da = output_layer_backward(dz, a, Wy)
    assert dWy.shape == Wy.shape and dby.shape == by.shape and da.shape == a.shape
    loss = lambda a, Wy, by: np.sum(dz * output_layer_forward(a, Wy, by))  # noqa: E731
    assert gradient_check(lambda v: loss(a, v, by), Wy, dWy, EPSILON) < TOL
    assert gradient_check(lambda v: loss(a, Wy, v), by, dby, EPSILON) < TOL
    assert gradient_check(lambda v: loss(v, Wy, by), a, da, EPSILON) < TOL
    for b, now in zip(before, [a, Wy, dz]):
        np.testing.assert_array_equal(b, now)


def test_output_layer_rejects_bad_shapes():
    a = np.zeros((4, M, T_X))
    with raises("dz", "(n_y, m, T_x)", "(3, 3, 5)"):
        output_layer_backward(np.zeros((3, M, 4)), a, np.zeros((3, 4)))
    with raises("a", "(n_a, m, T_x)"):
        output_layer_backward(np.zeros((3, M, T_X)), a, np.zeros((3, 5)))
    with raises("by", "(n_y, 1)", "(3, 1)"):
        output_layer_forward(a, np.zeros((3, 4)), np.zeros((3,)))


def full_gradient_check(loss_of_logits, n_y, seed):
    """J(parameters) through rnn_forward, the output layer and a loss, against its gradient."""
    rng = np.random.default_rng(seed)
    parameters = initialize_rnn_parameters(3, 4, n_y, rng, scale=0.5)
    x = rng.standard_normal((3, M, T_X))
    a0 = np.zeros((4, M))

    def J(p):
        a, _, _ = rnn_forward(x, a0, p)
        return loss_of_logits(output_layer_forward(a, p["Wya"], p["by"]))[0]

    a, _, caches = rnn_forward(x, a0, parameters)
    _, dz = loss_of_logits(output_layer_forward(a, parameters["Wya"], parameters["by"]))
    dWya, dby, da = output_layer_backward(dz, a, parameters["Wya"])
    gradients = {**rnn_backward(da, caches), "dWya": dWya, "dby": dby}
    for name, value in parameters.items():
        error = gradient_check(lambda v: J({**parameters, name: v}), value, gradients["d" + name], EPSILON)
        assert error < TOL, (name, error)


def test_full_gradient_of_the_name_tagger():
    _, y, mask = binary_problem(5)
    full_gradient_check(lambda z: binary_cross_entropy_from_logits(z, y, mask), n_y=1, seed=5)


def test_full_gradient_of_the_language_model():
    _, indices, _, mask = softmax_problem(6, n_y=5)
    full_gradient_check(lambda z: softmax_cross_entropy(z, indices, mask), n_y=5, seed=6)


def test_losses_do_not_modify_their_inputs():
    z, y, mask = binary_problem()
    zs, indices, one_hot, smask = softmax_problem()
    y_hat = softmax(zs)
    before = [a.copy() for a in (z, y, mask, y_hat, indices, one_hot, smask, zs)]
    binary_cross_entropy(sigmoid(z), y, mask)
    binary_cross_entropy_from_logits(z, y, mask)
    softmax_cross_entropy(zs, one_hot, smask)
    softmax_cross_entropy(zs, indices, smask)
    for b, now in zip(before, (z, y, mask, y_hat, indices, one_hot, smask, zs)):
        np.testing.assert_array_equal(b, now)
