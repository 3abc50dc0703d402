"""SGD and Adam: the update rules, purity (inputs untouched), strict gradient keys,
models of several parts, one Adam per model, and argument checks."""

import math

import numpy as np
import pytest

from course_lib.optim import SGD, Adam, gradient_pairs, make_optimizer, rebuild


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    parameters = {"Wax": rng.standard_normal((3, 4)), "ba": rng.standard_normal((3, 1))}
    gradients = {"dWax": rng.standard_normal((3, 4)), "dba": rng.standard_normal((3, 1))}
    return parameters, gradients


def _copies(d):
    return {k: (_copies(v) if isinstance(v, dict) else v.copy()) for k, v in d.items()}


def test_sgd_step_is_w_minus_alpha_dw():
    parameters, gradients = _problem()
    new = SGD(0.1).step(parameters, gradients)
    np.testing.assert_allclose(new["Wax"], parameters["Wax"] - 0.1 * gradients["dWax"])
    np.testing.assert_allclose(new["ba"], parameters["ba"] - 0.1 * gradients["dba"])
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


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Adam(0.1)], ids=["sgd", "adam"])
def test_optimisers_do_not_modify_their_inputs(make):
    optimizer = make()
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
@pytest.mark.parametrize("bad", [0, -0.1, math.nan, math.inf, "fast", "0.5", True, None])
def test_bad_learning_rate_is_named(cls, bad):
    with pytest.raises(ValueError, match="learning_rate"):
        cls(bad)


@pytest.mark.parametrize("kwargs, name", [(dict(beta1=1.0), "beta1"), (dict(beta2=-0.1), "beta2"),
                                          (dict(epsilon=0), "epsilon"), (dict(beta1="0.9"), "beta1"),
                                          (dict(beta2=True), "beta2")])
def test_bad_adam_hyper_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Adam(0.01, **kwargs)


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_gradient_of_the_wrong_shape_is_named(cls):
    parameters, gradients = _problem()
    gradients["dWax"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match="dWax"):
        cls(0.1).step(parameters, gradients)


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_a_misspelt_gradient_key_is_named_not_skipped(cls):
    """A weight whose gradient key is misspelt would never be updated: that raises."""
    parameters, gradients = _problem()
    gradients["dwax"] = gradients.pop("dWax")
    with pytest.raises(ValueError, match=r"\['dwax'\] have no parameter.*\['dWax'\] are missing"):
        cls(0.1).step(parameters, gradients)


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_every_parameter_needs_its_gradient_and_nothing_else(cls):
    parameters, gradients = _problem()
    with pytest.raises(ValueError, match=r"\['dba'\] are missing"):
        cls(0.1).step(parameters, {"dWax": gradients["dWax"]})
    with pytest.raises(ValueError, match=r"\['dx'\] have no parameter.*only_parameter_gradients"):
        cls(0.1).step(parameters, {**gradients, "dx": np.zeros(3)})  # a backward's dict, unfiltered


@pytest.mark.parametrize("bad_parameters, bad_gradients, name", [
    ("Wax", {}, "parameters"), ({}, {}, "parameters"), ({"W": np.ones(2)}, [np.ones(2)], "gradients"),
    ({"W": np.ones(2)}, {"dW": "fast"}, "dW"), ({"W": np.ones(2)}, {"dW": np.ones(2) * 1j}, "dW"),
])
def test_bad_dicts_are_named(bad_parameters, bad_gradients, name):
    with pytest.raises(ValueError, match=name):
        SGD(0.1).step(bad_parameters, bad_gradients)


def test_one_adam_refuses_a_second_model():
    """Adam's moments belong to the model it first updated; mixing two models would mix them."""
    adam = Adam(0.1)
    parameters, gradients = _problem()
    adam.step(parameters, gradients)
    other = {"Wax": np.zeros((5, 4)), "ba": np.zeros((5, 1))}
    with pytest.raises(ValueError, match="one Adam per model"):
        adam.step(other, {"dWax": np.ones((5, 4)), "dba": np.ones((5, 1))})
    with pytest.raises(ValueError, match="one Adam per model"):
        adam.step({**parameters, "Waa": np.zeros((3, 3))}, {**gradients, "dWaa": np.ones((3, 3))})
    assert adam.t == 1  # the refused steps changed nothing
    adam.step(parameters, gradients)  # its own model still works
    assert adam.t == 2


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_a_model_of_several_parts(cls):
    """{"encoder": {...}, "decoder": {...}}: each part's gradients under the same part name."""
    enc, g_enc = _problem(1)
    dec, g_dec = _problem(2)
    parameters = {"encoder": enc, "decoder": dec}
    gradients = {"encoder": g_enc, "decoder": g_dec}
    new = cls(0.1).step(parameters, gradients)
    one_enc, one_dec = cls(0.1).step(enc, g_enc), cls(0.1).step(dec, g_dec)  # the same as one optimiser each
    for k in enc:
        np.testing.assert_allclose(new["encoder"][k], one_enc[k], rtol=1e-15)
        np.testing.assert_allclose(new["decoder"][k], one_dec[k], rtol=1e-15)
    with pytest.raises(ValueError, match=r"gradients\['decoder'\].*\['dba'\] are missing"):
        cls(0.1).step(parameters, {"encoder": g_enc, "decoder": {"dWax": g_dec["dWax"]}})
    with pytest.raises(ValueError, match=r"\['decoder'\] are missing"):
        cls(0.1).step(parameters, {"encoder": g_enc})


def test_gradient_pairs_and_rebuild():
    enc, g_enc = _problem(1)
    parameters = {"encoder": enc, "by": np.ones((2, 1))}
    gradients = {"encoder": g_enc, "dby": np.zeros((2, 1))}
    pairs = gradient_pairs(parameters, gradients)
    assert [path for path, _, _ in pairs] == [("encoder", "Wax"), ("encoder", "ba"), ("by",)]
    rebuilt = rebuild(parameters, {path: dW for path, _, dW in pairs}, gradient=True)
    assert set(rebuilt) == {"encoder", "dby"} and set(rebuilt["encoder"]) == {"dWax", "dba"}
    np.testing.assert_array_equal(rebuilt["encoder"]["dWax"], g_enc["dWax"])


def test_make_optimizer():
    assert isinstance(make_optimizer("adam", 0.1), Adam)
    assert make_optimizer("sgd", 0.2).learning_rate == 0.2
    adam = Adam(0.3)
    assert make_optimizer(adam, None) is adam
    for bad in ("rmsprop", 3, None, ["adam"]):
        with pytest.raises(ValueError, match=r"optimizer must be one of \['adam', 'sgd'\]"):
            make_optimizer(bad, 0.1)
    for bad in (-1, True, "0.1"):
        with pytest.raises(ValueError, match="learning_rate"):
            make_optimizer("sgd", bad)
