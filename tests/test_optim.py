"""SGD and Adam: the update rules, purity (inputs untouched), and argument checks."""

import math

import numpy as np
import pytest

from course_lib.optim import SGD, Adam, make_optimizer


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    parameters = {"Wax": rng.standard_normal((3, 4)), "ba": rng.standard_normal((3, 1)), "frozen": np.ones(2)}
    gradients = {"dWax": rng.standard_normal((3, 4)), "dba": rng.standard_normal((3, 1)), "dx": np.ones(5)}
    return parameters, gradients


def _copies(d):
    return {k: v.copy() for k, v in d.items()}


def test_sgd_step_is_w_minus_alpha_dw():
    parameters, gradients = _problem()
    new = SGD(0.1).step(parameters, gradients)
    np.testing.assert_allclose(new["Wax"], parameters["Wax"] - 0.1 * gradients["dWax"])
    np.testing.assert_allclose(new["ba"], parameters["ba"] - 0.1 * gradients["dba"])
    np.testing.assert_array_equal(new["frozen"], parameters["frozen"])  # no gradient: unchanged
    assert list(new) == list(parameters)


def test_adam_matches_the_textbook_formulas():
    parameters, gradients = _problem()
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    adam = Adam(lr, b1, b2, eps)
    v = {k: 0.0 for k in ("Wax", "ba")}
    s = {k: 0.0 for k in ("Wax", "ba")}
    p = _copies(parameters)
    for t in range(1, 6):
        g = {k: gradients[k] * t for k in gradients}  # a different gradient every step
        p_new = adam.step(p, g)
        for k in v:
            v[k] = b1 * v[k] + (1 - b1) * g["d" + k]
            s[k] = b2 * s[k] + (1 - b2) * g["d" + k] ** 2
            expected = p[k] - lr * (v[k] / (1 - b1**t)) / (np.sqrt(s[k] / (1 - b2**t)) + eps)
            np.testing.assert_allclose(p_new[k], expected, rtol=1e-12, atol=1e-14)
        p = p_new
    assert adam.t == 5


def test_adam_first_step_moves_each_weight_by_about_the_learning_rate():
    parameters, gradients = _problem()
    new = Adam(0.01).step(parameters, gradients)
    np.testing.assert_allclose(np.abs(new["Wax"] - parameters["Wax"]), 0.01, rtol=1e-5)


@pytest.mark.parametrize("optimizer", [SGD(0.1), Adam(0.1)], ids=["sgd", "adam"])
def test_optimisers_do_not_modify_their_inputs(optimizer):
    parameters, gradients = _problem()
    p0, g0 = _copies(parameters), _copies(gradients)
    new = optimizer.step(parameters, gradients)
    new2 = optimizer.step(parameters, gradients)
    for k in p0:
        np.testing.assert_array_equal(parameters[k], p0[k])
        assert new[k] is not parameters[k]
    for k in g0:
        np.testing.assert_array_equal(gradients[k], g0[k])
    new["Wax"][0, 0] = 1e9  # the result owns its arrays
    assert new2["Wax"][0, 0] != 1e9 and parameters["Wax"][0, 0] != 1e9


@pytest.mark.parametrize("cls", [SGD, Adam])
@pytest.mark.parametrize("bad", [0, -0.1, math.nan, math.inf, "fast"])
def test_bad_learning_rate_is_named(cls, bad):
    with pytest.raises(ValueError, match="learning_rate"):
        cls(bad)


@pytest.mark.parametrize("kwargs, name", [(dict(beta1=1.0), "beta1"), (dict(beta2=-0.1), "beta2"),
                                          (dict(epsilon=0), "epsilon")])
def test_bad_adam_hyper_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Adam(0.01, **kwargs)


def test_gradient_of_the_wrong_shape_is_named():
    parameters, gradients = _problem()
    gradients["dWax"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match="dWax"):
        SGD(0.1).step(parameters, gradients)


def test_gradients_without_any_parameter_key_are_rejected():
    parameters, _ = _problem()
    with pytest.raises(ValueError, match="gradients"):
        Adam(0.1).step(parameters, {"dx": np.zeros(3)})


def test_make_optimizer():
    assert isinstance(make_optimizer("adam", 0.1), Adam)
    assert make_optimizer("sgd", 0.2).learning_rate == 0.2
    adam = Adam(0.3)
    assert make_optimizer(adam, None) is adam
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("rmsprop", 0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        make_optimizer("sgd", -1)
