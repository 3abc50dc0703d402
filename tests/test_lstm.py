"""course_lib.lstm: the equations, BPTT against finite differences, the three forms (no
peepholes, Gers & Schmidhuber's, the tutorial's), the constant error carousel, PyTorch's
nn.LSTM (a checked-in fixture) and bad input."""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

import course_lib.lstm as lstm
from course_lib.activations import sigmoid, softmax
from course_lib.models import torch_reference_path
from course_lib.lstm import (
    LSTM_CELL,
    LSTM_PEEPHOLE_CELL,
    LSTM_TUTORIAL_PEEPHOLE_CELL,
    LSTMCache,
    LSTMCaches,
    LSTMPeepholeCache,
    LSTMTutorialPeepholeCache,
    check_lstm_parameters,
    initialize_lstm_parameters,
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_for,
    lstm_cell_forward,
    lstm_forward,
    lstm_parameters_from_torch,
    lstm_parameters_to_torch,
)
from course_lib.recurrent import backward_steps, get_cell, run_backward, run_forward
from course_lib.rnn import initialize_rnn_parameters, rnn_cell_forward, rnn_forward
from tests.gradcheck import assert_gradients_close, loop_of_cell_backwards, numerical_gradient, relative_error

TOL = 1e-7  # relative error of a correct gradient against centred finite differences
EPSILON = 1e-5  # balances truncation (~ε²) and rounding (~1e-16/ε) errors in float64
FIXTURE = torch_reference_path("lstm")

# (peepholes, peephole_form, the cell it runs, its cache type)
FORMS = {
    "none": (False, "gers", LSTM_CELL, LSTMCache),
    "gers": (True, "gers", LSTM_PEEPHOLE_CELL, LSTMPeepholeCache),
    "tutorial": (True, "tutorial", LSTM_TUTORIAL_PEEPHOLE_CELL, LSTMTutorialPeepholeCache),
}
GRADIENT_KEYS = ["dWf", "dbf", "dWu", "dbu", "dWc", "dbc", "dWo", "dbo"]
PEEPHOLE_GRADIENT_KEYS = ["dpf", "dpu", "dpo"]


def make_problem(form, n_x=3, n_a=4, n_y=2, m=2, T_x=5, seed=0, scale=0.5):
    """Random parameters (random biases and peepholes too), inputs, a<0>, c<0>, upstream gradients."""
    peepholes, peephole_form, _, _ = FORMS[form]
    rng = np.random.default_rng(seed)
    p = initialize_lstm_parameters(n_x, n_a, n_y, rng, scale=scale, peepholes=peepholes)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = rng.standard_normal((n_a, m))
    c0 = rng.standard_normal((n_a, m))
    da = rng.standard_normal((n_a, m, T_x))
    dc = rng.standard_normal((n_a, m, T_x))
    return p, peephole_form, x, a0, c0, da, dc


def raises(*fragments):
    """pytest.raises(ValueError) whose message holds every fragment, in any order."""
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


def equations(xt, a_prev, c_prev, p, form):
    """The equation block written out gate by gate, independently of the module."""
    concat = np.vstack([a_prev, xt])
    zero = np.zeros_like(p["bf"])
    pf, pu, po = (p["pf"], p["pu"], p["po"]) if "pf" in p else (zero, zero, zero)
    gamma_f = 1 / (1 + np.exp(-(p["Wf"] @ concat + p["bf"] + pf * c_prev)))
    gamma_u = 1 / (1 + np.exp(-(p["Wu"] @ concat + p["bu"] + pu * c_prev)))
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = gamma_u * c_tilde + gamma_f * c_prev
    seen = c_prev if form == "tutorial" else c_next
    gamma_o = 1 / (1 + np.exp(-(p["Wo"] @ concat + p["bo"] + po * seen)))
    a_next = gamma_o * np.tanh(c_next)
    return dict(gamma_f=gamma_f, gamma_u=gamma_u, c_tilde=c_tilde, gamma_o=gamma_o, c_next=c_next, a_next=a_next)


# ---------------------------------------------------------------------------------------
# Forward
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_cell_forward_is_the_equation_block(form):
    p, peephole_form, x, a0, c0, _, _ = make_problem(form)
    xt = x[:, :, 0]
    a_next, c_next, yt_pred, cache = lstm_cell_forward(xt, a0, c0, p, peephole_form)
    expected = equations(xt, a0, c0, p, peephole_form)
    for name, value in expected.items():
        np.testing.assert_allclose(getattr(cache, name), value, rtol=1e-13, atol=1e-15, err_msg=name)
    np.testing.assert_allclose(a_next, expected["a_next"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c_next, expected["c_next"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(yt_pred, softmax(p["Wy"] @ a_next + p["by"]), rtol=1e-13)
    assert yt_pred.shape == (2, 2) and a_next.shape == c_next.shape == (4, 2)
    assert type(cache) is FORMS[form][3] and isinstance(cache, LSTMCache)
    for name, value in (("a_prev", a0), ("c_prev", c0), ("xt", xt)):
        np.testing.assert_array_equal(getattr(cache, name), value)


def test_the_two_peephole_forms_differ_only_in_what_the_output_gate_sees():
    p, _, x, a0, c0, _, _ = make_problem("gers", seed=1)
    gers = lstm_cell_forward(x[:, :, 0], a0, c0, p, "gers")[3]
    tutorial = lstm_cell_forward(x[:, :, 0], a0, c0, p, "tutorial")[3]
    for name in ("gamma_f", "gamma_u", "c_tilde", "c_next"):
        np.testing.assert_array_equal(getattr(gers, name), getattr(tutorial, name))
    assert np.max(np.abs(gers.gamma_o - tutorial.gamma_o)) > 1e-3
    z_o = p["Wo"] @ np.vstack([a0, x[:, :, 0]]) + p["bo"]
    np.testing.assert_allclose(gers.gamma_o, sigmoid(z_o + p["po"] * gers.c_next))  # Γo sees c<t>
    np.testing.assert_allclose(tutorial.gamma_o, sigmoid(z_o + p["po"] * c0))  # Γo sees c<t-1>

    # zero peepholes are no peepholes, in either form and over a whole sequence
    plain = {k: v for k, v in p.items() if k not in ("pf", "pu", "po")}
    zero = {**plain, "pf": np.zeros((4, 1)), "pu": np.zeros((4, 1)), "po": np.zeros((4, 1))}
    a, y, c, _ = lstm_forward(x, a0, plain)
    for form in ("gers", "tutorial"):
        a_z, y_z, c_z, _ = lstm_forward(x, a0, zero, form)
        np.testing.assert_allclose(a_z, a, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(c_z, c, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("form", FORMS)
def test_forward_is_the_cell_step_after_step_from_c0_zero(form):
    p, peephole_form, x, a0, _, _, _ = make_problem(form, T_x=6, seed=2)
    a, y_pred, c, caches = lstm_forward(x, a0, p, peephole_form)
    assert a.shape == c.shape == (4, 2, 6) and y_pred.shape == (2, 2, 6)
    assert a.dtype == c.dtype == y_pred.dtype == np.float64
    assert isinstance(caches, LSTMCaches) and caches.cell is FORMS[form][2] and len(caches) == 6
    np.testing.assert_array_equal(caches.c0, np.zeros((4, 2)))
    a_prev, c_prev = a0, np.zeros((4, 2))
    for t in range(6):
        a_prev, c_prev, yt_pred, _ = lstm_cell_forward(x[:, :, t], a_prev, c_prev, p, peephole_form)
        np.testing.assert_allclose(a[:, :, t], a_prev, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(c[:, :, t], c_prev, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(y_pred[:, :, t], yt_pred, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("form", FORMS)
def test_lstm_forward_is_the_core_run_forward_bit_for_bit(form):
    p, peephole_form, x, a0, _, da, _ = make_problem(form, n_y=None, seed=3)
    a, y_pred, c, caches = lstm_forward(x, a0, p, peephole_form)
    assert y_pred is None
    name = FORMS[form][2].name
    h, generic = run_forward(x, p, name, (a0, np.zeros_like(a0)))
    np.testing.assert_array_equal(a, h)
    np.testing.assert_array_equal(c, generic.c)
    ours, core = lstm_backward(da, caches), run_backward(da, generic)
    assert set(core) - set(ours) == {"dc0"}
    for k in ours:
        np.testing.assert_array_equal(ours[k], core[k])


def test_y_pred_is_none_without_output_layer():
    p, _, x, a0, c0, da, dc = make_problem("none", n_y=None)
    assert not {"Wy", "by"} & set(p)
    a_next, c_next, yt_pred, cache = lstm_cell_forward(x[:, :, 0], a0, c0, p)
    assert yt_pred is None and a_next.shape == (4, 2)
    a, y_pred, c, caches = lstm_forward(x, a0, p)
    assert y_pred is None and a.shape == (4, 2, 5)
    assert list(lstm_backward(da, caches)) == ["dx", "da0"] + GRADIENT_KEYS


def test_float32_inputs_give_float64_results():
    p, _, x, a0, c0, da, dc = make_problem("gers")
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    a, y_pred, c, caches = lstm_forward(x.astype(np.float32), a0.astype(np.float32), p32)
    assert a.dtype == y_pred.dtype == c.dtype == np.float64
    assert all(g.dtype == np.float64 for g in lstm_backward(da.astype(np.float32), caches).values())
    *outputs, cache = lstm_cell_forward(x[:, :, 0].astype(np.float32), a0, c0.astype(np.float32), p32)
    assert all(v.dtype == np.float64 for v in outputs)
    assert all(v.dtype == np.float64 for v in lstm_cell_backward(da[:, :, 0], dc[:, :, 0], cache).values())


@pytest.mark.parametrize("form", FORMS)
def test_saturated_gates_raise_no_warning(form):
    # pyproject turns RuntimeWarning into errors: huge pre-activations must still pass.
    p, peephole_form, x, a0, c0, da, dc = make_problem(form)
    big = {k: 1e3 * v for k, v in p.items()}
    a, y_pred, c, caches = lstm_forward(1e4 * x, a0, big, peephole_form)
    assert np.all(np.abs(a) <= 1) and np.all(np.isfinite(y_pred)) and np.all(np.isfinite(c))
    assert all(np.all(np.isfinite(g)) for g in lstm_backward(da, caches).values())
    *_, cache = lstm_cell_forward(1e4 * x[:, :, 0], a0, c0, big, peephole_form)
    assert all(np.all(np.isfinite(g)) for g in lstm_cell_backward(da[:, :, 0], dc[:, :, 0], cache).values())


# ---------------------------------------------------------------------------------------
# Caches
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_caches_behave_like_the_list_of_cell_caches(form):
    p, peephole_form, x, a0, _, _, _ = make_problem(form, seed=4)
    a, _, c, caches = lstm_forward(x, a0, p, peephole_form)
    stacked = caches.stacked
    assert type(stacked) is FORMS[form][3]
    for t, cache in enumerate(caches):
        assert type(cache) is FORMS[form][3]
        np.testing.assert_array_equal(cache.a_next, a[:, :, t])
        np.testing.assert_array_equal(cache.c_next, c[:, :, t])
        np.testing.assert_array_equal(cache.a_prev, a0 if t == 0 else a[:, :, t - 1])
        np.testing.assert_array_equal(cache.c_prev, np.zeros((4, 2)) if t == 0 else c[:, :, t - 1])
        np.testing.assert_array_equal(cache.xt, x[:, :, t])
        for name in ("gamma_f", "gamma_u", "c_tilde", "gamma_o"):
            np.testing.assert_array_equal(getattr(cache, name), getattr(stacked, name)[:, :, t])
        # the gates are what the equations give on the cache's own inputs
        expected = equations(cache.xt, cache.a_prev, cache.c_prev, p, peephole_form)
        for name, value in expected.items():
            np.testing.assert_allclose(getattr(cache, name), value, rtol=1e-12, atol=1e-14, err_msg=name)
        assert np.all((0 < cache.gamma_f) & (cache.gamma_f < 1))
    assert stacked.gamma_f.shape == (4, 2, 5)
    np.testing.assert_array_equal(caches[-1].gamma_f, stacked.gamma_f[:, :, 4])
    with pytest.raises(IndexError):
        caches[5]


# ---------------------------------------------------------------------------------------
# Backward against centred finite differences
# ---------------------------------------------------------------------------------------

CELL_SHAPES = [(3, 4, 2), (1, 1, 1), (2, 3, 1), (4, 2, 3)]  # (n_x, n_a, m)
SEQUENCE_SHAPES = [(3, 4, 2, 5), (1, 1, 1, 1), (2, 3, 1, 4), (2, 2, 3, 1)]  # (n_x, n_a, m, T_x)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("n_x, n_a, m", CELL_SHAPES)
def test_cell_backward_matches_finite_differences(form, n_x, n_a, m):
    """Loss Σ da_next * a<t> + Σ dc_next * c<t>: both outputs of the step carry a gradient."""
    p, peephole_form, x, a0, c0, da, dc = make_problem(form, n_x, n_a, 2, m, 1, seed=n_x + 10 * n_a + 100 * m)
    xt, da_next, dc_next = x[:, :, 0], da[:, :, 0], dc[:, :, 0]
    *_, cache = lstm_cell_forward(xt, a0, c0, p, peephole_form)
    gradients = lstm_cell_backward(da_next, dc_next, cache)
    keys = ["dxt", "da_prev", "dc_prev"] + GRADIENT_KEYS + (PEEPHOLE_GRADIENT_KEYS if form != "none" else [])
    assert list(gradients) == keys

    def loss(xt=xt, a_prev=a0, c_prev=c0, **changed):
        a_next, c_next, _, _ = lstm_cell_forward(xt, a_prev, c_prev, {**p, **changed}, peephole_form)
        return float(np.sum(da_next * a_next) + np.sum(dc_next * c_next))

    errors = {
        "dxt": relative_error(gradients["dxt"], numerical_gradient(lambda v: loss(xt=v), xt)),
        "da_prev": relative_error(gradients["da_prev"], numerical_gradient(lambda v: loss(a_prev=v), a0)),
        "dc_prev": relative_error(gradients["dc_prev"], numerical_gradient(lambda v: loss(c_prev=v), c0)),
    }
    for k in FORMS[form][2].parameter_keys:
        assert gradients["d" + k].shape == p[k].shape
        errors["d" + k] = relative_error(gradients["d" + k], numerical_gradient(lambda v: loss(**{k: v}), p[k]))
    assert set(errors) == set(gradients)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("n_x, n_a, m, T_x", SEQUENCE_SHAPES)
def test_lstm_backward_matches_finite_differences(form, n_x, n_a, m, T_x):
    seed = n_x + 10 * n_a + 100 * m + 1000 * T_x
    p, peephole_form, x, a0, _, da, _ = make_problem(form, n_x, n_a, 2, m, T_x, seed=seed)
    _, _, _, caches = lstm_forward(x, a0, p, peephole_form)
    gradients = lstm_backward(da, caches)
    keys = ["dx", "da0"] + GRADIENT_KEYS + (PEEPHOLE_GRADIENT_KEYS if form != "none" else [])
    assert list(gradients) == keys
    assert gradients["dx"].shape == x.shape and gradients["da0"].shape == a0.shape

    def loss(x=x, a0=a0, **changed):
        a, _, _, _ = lstm_forward(x, a0, {**p, **changed}, peephole_form)
        return float(np.sum(da * a))

    errors = {
        "dx": relative_error(gradients["dx"], numerical_gradient(lambda v: loss(x=v), x)),
        "da0": relative_error(gradients["da0"], numerical_gradient(lambda v: loss(a0=v), a0)),
    }
    for k in FORMS[form][2].parameter_keys:
        assert gradients["d" + k].shape == p[k].shape
        errors["d" + k] = relative_error(gradients["d" + k], numerical_gradient(lambda v: loss(**{k: v}), p[k]))
    assert set(errors) == set(gradients)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("form", FORMS)
def test_the_core_gradient_of_c0_matches_finite_differences(form):
    """lstm_forward starts from c<0> = 0, the core's run_forward from any c<0>: its dc0 is right too."""
    p, peephole_form, x, a0, c0, da, _ = make_problem(form, seed=5)
    name = FORMS[form][2].name
    gradients = run_backward(da, run_forward(x, p, name, (a0, c0))[1])

    def loss(c0):
        return float(np.sum(da * run_forward(x, p, name, (a0, c0))[0]))

    assert relative_error(gradients["dc0"], numerical_gradient(loss, c0)) < TOL


@pytest.mark.parametrize("form", FORMS)
def test_lstm_backward_is_the_loop_of_cell_backwards(form):
    p, peephole_form, x, a0, _, da, _ = make_problem(form, 3, 5, 2, 4, 7, seed=6)
    _, _, _, caches = lstm_forward(x, a0, p, peephole_form)
    gradients = lstm_backward(da, caches)

    expected = loop_of_cell_backwards(lstm_cell_backward, da, caches, ("a", "c"))
    assert set(expected) == set(gradients)
    assert_gradients_close(gradients, expected)


@pytest.mark.parametrize("form", FORMS)
def test_the_driver_step_back_is_the_readable_step_back_in_any_order(form):
    """The cell's backward_step prepares its factors a block of steps at a time (n_a = 64,
    m = 16, T_x = 60 make three blocks): asked for the steps in any order, it gives what
    lstm_step_backward gives on caches[t]."""
    p, peephole_form, x, a0, _, da, dc = make_problem(form, 5, 64, None, 16, 60, seed=15, scale=0.2)
    _, _, _, caches = lstm_forward(x, a0, p, peephole_form)
    cell = FORMS[form][2]
    step = cell.backward_step(caches)
    order = np.random.default_rng(15).permutation(60)
    assert np.sum(np.diff(order // 25) != 0) > 20  # jumps between the blocks of 25 steps, back and forth
    for t in order:
        (da_prev, dc_prev), (dz,) = step((da[:, :, t], dc[:, :, t]), t)
        expected = lstm.lstm_step_backward(da[:, :, t], dc[:, :, t], caches[t])
        for name, got, want in zip(("dz", "da_prev", "dc_prev"), (dz, da_prev, dc_prev), expected):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=f"{name} at step {t}")
    gradients = lstm_backward(da, caches)
    da_prev, dc_prev = np.zeros_like(a0), np.zeros_like(a0)
    for t in reversed(range(60)):
        cell_gradients = lstm_cell_backward(da[:, :, t] + da_prev, dc_prev, caches[t])
        da_prev, dc_prev = cell_gradients["da_prev"], cell_gradients["dc_prev"]
    np.testing.assert_allclose(gradients["da0"], da_prev, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("form", FORMS)
def test_lstm_backward_accepts_a_list_of_cell_caches(form):
    p, peephole_form, x, a0, _, da, _ = make_problem(form, seed=7)
    _, _, _, caches = lstm_forward(x, a0, p, peephole_form)
    cell_caches, a_prev, c_prev = [], a0, np.zeros_like(a0)
    for t in range(x.shape[2]):  # what a learner's own DLS-style lstm_forward collects
        a_prev, c_prev, _, cache = lstm_cell_forward(x[:, :, t], a_prev, c_prev, p, peephole_form)
        cell_caches.append(cache)
    expected = lstm_backward(da, caches)
    got = lstm_backward(da, cell_caches)
    assert got.keys() == expected.keys()
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_lstm_backward_can_skip_the_input_gradient():
    p, _, x, a0, _, da, _ = make_problem("gers", seed=8)
    _, _, _, caches = lstm_forward(x, a0, p)
    full, lean = lstm_backward(da, caches), lstm_backward(da, caches, input_gradient=False)
    assert lean["dx"] is None and lean.keys() == full.keys()
    for k in set(full) - {"dx"}:
        np.testing.assert_array_equal(lean[k], full[k])


@pytest.mark.parametrize("form", FORMS)
def test_inputs_are_not_modified(form):
    p, peephole_form, x, a0, c0, da, dc = make_problem(form, seed=9)
    before = [{k: v.copy() for k, v in p.items()}, x.copy(), a0.copy(), c0.copy(), da.copy(), dc.copy()]
    *_, cache = lstm_cell_forward(x[:, :, 0], a0, c0, p, peephole_form)
    lstm_cell_backward(da[:, :, 0], dc[:, :, 0], cache)
    _, _, _, caches = lstm_forward(x, a0, p, peephole_form)
    stacked = {f: v.copy() for f, v in zip(caches.stacked._fields, caches.stacked) if isinstance(v, np.ndarray)}
    lstm_backward(da, caches)
    lstm_backward(da, list(caches))
    after = [p, x, a0, c0, da, dc]
    for b, a in zip(before[1:], after[1:]):
        np.testing.assert_array_equal(b, a)
    assert before[0].keys() == p.keys() and all(np.array_equal(before[0][k], p[k]) for k in p)
    for f, v in stacked.items():
        np.testing.assert_array_equal(getattr(caches.stacked, f), v)


# ---------------------------------------------------------------------------------------
# The constant error carousel
# ---------------------------------------------------------------------------------------


def carousel_parameters(n_x, n_a, seed, bf, bu, bo=None):
    """Random weights; bf, bu (and bo) set to large constants to pin the gates."""
    p = initialize_lstm_parameters(n_x, n_a, None, seed, scale=0.5)
    p["bf"], p["bu"] = np.full((n_a, 1), bf), np.full((n_a, 1), bu)
    if bo is not None:
        p["bo"] = np.full((n_a, 1), bo)
    return p


def test_forget_gate_one_and_update_gate_zero_carry_the_cell_unchanged():
    """Γf ≡ 1 and Γu ≡ 0: c<t> = c<t-1>, and ∂c<T>/∂c<t> is the identity, ‖∂c<T>/∂c<t>‖ = 1.

    The Jacobian comes from the driver's backward: the cell's backward_step, carried from
    step T down to 1 with a gradient at c<T> alone. n_a identical examples, each given one
    unit vector e_j at c<T>, make the gradient reaching c<t> the matrix (∂c<T>/∂c<t>)ᵀ.
    """
    n_x, n_a, T_x = 3, 4, 30
    rng = np.random.default_rng(10)
    p = carousel_parameters(n_x, n_a, 10, bf=60.0, bu=-60.0)
    x = np.repeat(rng.standard_normal((n_x, 1, T_x)), n_a, axis=1)  # (n_x, n_a, T_x): n_a copies
    a0 = np.repeat(rng.standard_normal((n_a, 1)), n_a, axis=1)
    c0 = np.repeat(rng.standard_normal((n_a, 1)), n_a, axis=1)
    _, caches = run_forward(x, p, "lstm", (a0, c0))
    assert np.all(caches.stacked.gamma_f == 1.0) and np.all(caches.stacked.gamma_u < 1e-25)
    np.testing.assert_allclose(caches.c, np.repeat(c0[:, :, None], T_x, axis=2), rtol=1e-20, atol=1e-24)

    step = LSTM_CELL.backward_step(caches)
    d = (np.zeros((n_a, n_a)), np.eye(n_a))  # nothing reaches a<T>; e_j reaches c<T> in example j
    for t in reversed(range(T_x)):
        d, _ = step(d, t)
        jacobian_T = d[1]  # (∂c<T>/∂c<t-1>)ᵀ
        assert np.linalg.norm(jacobian_T, 2) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(d[1], np.eye(n_a), atol=1e-14)


def test_the_carousel_keeps_the_gradient_of_a_distant_step_and_a_forget_gate_of_one_half_loses_it():
    """The same through run_backward: with Γo ≡ 1 too, the gradient from the last a<T> alone
    reaches c<0> undiminished; with Γf ≈ σ(0) = 1/2 it has all but vanished."""
    n_x, n_a, m, T_x = 3, 4, 2, 30
    rng = np.random.default_rng(11)
    x = rng.standard_normal((n_x, m, T_x))
    initial = (rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m)))
    da = np.zeros((n_a, m, T_x))
    da[:, :, -1] = rng.standard_normal((n_a, m))

    kept = carousel_parameters(n_x, n_a, 11, bf=60.0, bu=-60.0, bo=60.0)
    _, caches = run_forward(x, kept, "lstm", initial)
    steps = backward_steps(da, caches)
    d_c = steps.d_states["c"]  # ∂J/∂c<t> coming back from step t+1, at every step
    expected = da[:, :, -1] * (1 - np.tanh(initial[1]) ** 2)  # a<T> = Γo tanh(c<T>), Γo = 1, c<T> = c<0>
    np.testing.assert_array_equal(d_c[:, :, -1], 0)  # nothing comes back from beyond T_x
    np.testing.assert_allclose(d_c[:, :, :-1], np.repeat(expected[:, :, None], T_x - 1, axis=2), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run_backward(da, caches)["dc0"], expected, rtol=1e-12, atol=1e-14)

    lost = carousel_parameters(n_x, n_a, 11, bf=0.0, bu=0.0, bo=60.0)
    _, caches = run_forward(x, lost, "lstm", initial)
    d_c = backward_steps(da, caches).d_states["c"]
    assert np.linalg.norm(d_c[:, :, 0]) < 1e-5 * np.linalg.norm(d_c[:, :, -2])


def test_forget_bias_one_keeps_more_of_the_gradient_than_zero():
    """The initialisation of Jozefowicz et al. (2015): bf + 1 makes Γf larger, and the
    gradient that reaches c<0> from the last step larger, for the same random weights."""
    n_x, n_a, m, T_x = 4, 8, 16, 25
    rng = np.random.default_rng(12)
    x = rng.standard_normal((n_x, m, T_x))
    da = np.zeros((n_a, m, T_x))
    da[:, :, -1] = rng.standard_normal((n_a, m))
    norms = {}
    for bias in (0.0, 1.0):
        p = initialize_lstm_parameters(n_x, n_a, None, 12, scale=0.3, forget_bias=bias)
        _, caches = run_forward(x, p, "lstm")
        norms[bias] = np.linalg.norm(run_backward(da, caches)["dc0"])
        assert np.mean(caches.stacked.gamma_f) == pytest.approx(1 / (1 + np.exp(-bias)), abs=0.1)
    assert norms[1.0] > 10 * norms[0.0]


# ---------------------------------------------------------------------------------------
# PyTorch's nn.LSTM: the fixture made by tests/fixtures/make_torch_fixtures_lstm.py
# ---------------------------------------------------------------------------------------


def fixture_cases():
    data = np.load(FIXTURE)
    for i in range(int(data["cases"])):
        yield {k[len(f"case{i}_"):]: data[k] for k in data.files if k.startswith(f"case{i}_")}


def test_the_fixture_has_the_cases_it_promises():
    shapes = [(case["x"].shape, case["a0"].shape) for case in fixture_cases()]
    assert len(shapes) == 3
    assert any(x[1] == 1 for x, _ in shapes) and any(x[2] == 1 for x, _ in shapes)  # m = 1, T_x = 1
    for case in fixture_cases():
        assert all(v.dtype == np.float64 for k, v in case.items())
        assert np.all(case["bias_hh"] != 0)  # two biases per gate: the mapping must add them


@pytest.mark.parametrize("i", range(3))
def test_lstm_matches_pytorch_through_the_mapping(i):
    case = list(fixture_cases())[i]
    weights = {k: case[k] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    p = lstm_parameters_from_torch(weights)
    a, y_pred, c, caches = lstm_forward(case["x"], case["a0"], p)
    assert y_pred is None
    np.testing.assert_allclose(a, case["a"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(c[:, :, -1], case["c_last"], rtol=0, atol=1e-9)

    gradients = lstm_backward(case["da"], caches)
    np.testing.assert_allclose(gradients["dx"], case["dx"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(gradients["da0"], case["da0"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(run_backward(case["da"], caches)["dc0"], case["dc0"], rtol=0, atol=1e-9)
    # the other way: the course's gradients, mapped into nn.LSTM's layout, are PyTorch's
    mapped = lstm_parameters_to_torch({k[1:]: v for k, v in gradients.items() if k[1:] in p})
    for k in ("weight_ih", "weight_hh", "bias_ih"):
        np.testing.assert_allclose(mapped[k], case["grad_" + k], rtol=0, atol=1e-9, err_msg=k)
    np.testing.assert_allclose(mapped["bias_ih"], case["grad_bias_hh"], rtol=0, atol=1e-9)  # both biases, one gradient

    # and with the course's parameters mapped to PyTorch's: the same nn.LSTM
    back = lstm_parameters_to_torch(p)
    np.testing.assert_allclose(back["weight_ih"], weights["weight_ih"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(back["weight_hh"], weights["weight_hh"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(back["bias_ih"] + back["bias_hh"], weights["bias_ih"] + weights["bias_hh"], atol=1e-15)
    np.testing.assert_array_equal(back["bias_hh"], 0)


def test_the_mapping_puts_the_update_gate_first_as_pytorch_input_gate():
    p = initialize_lstm_parameters(3, 2, 5, 13)
    w = lstm_parameters_to_torch(p)
    assert {k: v.shape for k, v in w.items()} == {"weight_ih": (8, 3), "weight_hh": (8, 2),
                                                  "bias_ih": (8,), "bias_hh": (8,)}
    for block, gate in enumerate("ufco"):  # nn.LSTM's i, f, g, o
        rows = slice(2 * block, 2 * block + 2)
        np.testing.assert_array_equal(w["weight_hh"][rows], p["W" + gate][:, :2])
        np.testing.assert_array_equal(w["weight_ih"][rows], p["W" + gate][:, 2:])
        np.testing.assert_array_equal(w["bias_ih"][rows], p["b" + gate][:, 0])
    again = lstm_parameters_from_torch(w)
    assert list(again) == ["Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo"]  # no output layer in nn.LSTM
    for k in again:
        np.testing.assert_array_equal(again[k], p[k])


# ---------------------------------------------------------------------------------------
# The cells, their registry and their initialiser
# ---------------------------------------------------------------------------------------


def test_three_cells_are_registered_and_picked_by_the_parameters():
    for cell, name, keys in ((LSTM_CELL, "lstm", 8), (LSTM_PEEPHOLE_CELL, "lstm_peephole", 11),
                             (LSTM_TUTORIAL_PEEPHOLE_CELL, "lstm_peephole_tutorial", 11)):
        assert get_cell(name) is cell and cell.name == name
        assert cell.states == ("a", "c") and cell.hidden == "a" and cell.output_keys == ("Wy", "by")
        assert len(cell.parameter_keys) == keys
        assert set(cell.initialize(3, 4, None, 0, 0.5)) == set(cell.parameter_keys)
    plain, peep = make_problem("none")[0], make_problem("gers")[0]
    assert lstm_cell_for(plain) is lstm_cell_for(plain, "tutorial") is LSTM_CELL
    assert lstm_cell_for(peep) is LSTM_PEEPHOLE_CELL
    assert lstm_cell_for(peep, "tutorial") is LSTM_TUTORIAL_PEEPHOLE_CELL


def test_the_input_term_is_one_product_for_every_step_with_the_sigmoid_rows_halved():
    p, _, x, _, _, _, _ = make_problem("none", seed=14)
    u = LSTM_CELL.input_term(check_lstm_parameters(p), x)
    assert u.shape == (16, 2, 5)
    for t in range(5):
        for block, (gate, scale) in enumerate(zip("fuco", (0.5, 0.5, 1.0, 0.5))):  # σ(z) = (1 + tanh(z / 2)) / 2
            np.testing.assert_allclose(u[4 * block:4 * block + 4, :, t],
                                       scale * (p["W" + gate][:, 4:] @ x[:, :, t] + p["b" + gate]),
                                       rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(LSTM_CELL.input_term(check_lstm_parameters(p), x[:, :, t]), u[:, :, t],
                                   rtol=1e-13, atol=1e-15)  # one step: the same term


def test_initialize_lstm_parameters():
    p = initialize_lstm_parameters(3, 5, 2, np.random.default_rng(0), scale=0.01)
    shapes = {"Wf": (5, 8), "bf": (5, 1), "Wu": (5, 8), "bu": (5, 1), "Wc": (5, 8), "bc": (5, 1),
              "Wo": (5, 8), "bo": (5, 1), "Wy": (2, 5), "by": (2, 1)}
    assert {k: v.shape for k, v in p.items()} == shapes
    assert all(np.all(p[k] != 0) for k in ("bf", "bu", "bc", "bo", "by"))  # random biases
    assert max(np.abs(v).max() for v in p.values()) < 0.1
    again = initialize_lstm_parameters(3, 5, 2, np.random.default_rng(0), scale=0.01)
    assert all(np.array_equal(p[k], again[k]) for k in shapes)
    assert all(v.dtype == np.float64 for v in p.values())

    peep = initialize_lstm_parameters(3, 5, None, 0, peepholes=True)
    assert set(peep) == set(shapes) - {"Wy", "by"} | {"pf", "pu", "po"}
    assert all(peep[k].shape == (5, 1) and np.all(peep[k] != 0) for k in ("pf", "pu", "po"))

    shifted = initialize_lstm_parameters(3, 5, 2, np.random.default_rng(0), scale=0.01, forget_bias=1.0)
    np.testing.assert_allclose(shifted["bf"], p["bf"] + 1.0, rtol=1e-15)
    for k in set(shapes) - {"bf"}:
        np.testing.assert_array_equal(shifted[k], p[k])


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_x": 0}, "n_x"), ({"n_a": 2.5}, "n_a"), ({"n_y": 0}, "n_y"), ({"rng": "42"}, "rng"),
        ({"scale": -1.0}, "scale"), ({"peepholes": "yes"}, "peepholes"), ({"forget_bias": np.nan}, "forget_bias"),
        ({"forget_bias": "1"}, "forget_bias"), ({"forget_bias": True}, "forget_bias"),
        ({"forget_bias": [1.0]}, "forget_bias"),
    ],
)
def test_initialize_lstm_parameters_rejects_bad_arguments(kwargs, name):
    with raises(name):
        initialize_lstm_parameters(**{"n_x": 3, "n_a": 4, "n_y": 2, "rng": 0, **kwargs})


# ---------------------------------------------------------------------------------------
# Bad input: the offending argument and the expected shape are named
# ---------------------------------------------------------------------------------------


def test_wrong_shapes_name_the_argument_and_the_shape():
    p, _, x, a0, c0, da, dc = make_problem("gers")
    with raises("x", "(n_x, m, T_x)", "(3, 2, 5)"):
        lstm_forward(x[:2], a0, p)
    with raises("x", "(n_x, m, T_x)"):
        lstm_forward(x[:, :, 0], a0, p)
    with raises("a0", "(n_a, m)", "(4, 2)"):
        lstm_forward(x, a0[:, :1], p)
    with raises("xt", "(n_x, m)", "(3, 2)"):
        lstm_cell_forward(x[:2, :, 0], a0, c0, p)
    with raises("a_prev", "(n_a, m)", "(4, 2)"):
        lstm_cell_forward(x[:, :, 0], a0[:3], c0, p)
    with raises("c_prev", "(n_a, m)", "(4, 2)"):
        lstm_cell_forward(x[:, :, 0], a0, c0[:, :1], p)
    with raises('parameters["Wf"]', "(n_a, n_a + n_x)", "n_x >= 1"):
        lstm_forward(x, a0, {**p, "Wf": p["Wf"][:, :4]})
    for gate in "uco":
        with raises(f'parameters["W{gate}"]', "(n_a, n_a + n_x)", "(4, 7)"):
            lstm_forward(x, a0, {**p, "W" + gate: p["W" + gate][:, :6]})
        with raises(f'parameters["b{gate}"]', "(n_a, 1)", "(4, 1)"):
            lstm_forward(x, a0, {**p, "b" + gate: p["b" + gate].ravel()})
    with raises('parameters["pu"]', "(n_a, 1)", "(4, 1)"):
        lstm_forward(x, a0, {**p, "pu": p["pu"][:3]})
    with raises('parameters["Wy"]', "(n_y, n_a)", "(2, 4)"):
        lstm_forward(x, a0, {**p, "Wy": p["Wy"][:, :3]})
    with raises('parameters["by"]', "(n_y, 1)", "(2, 1)"):
        lstm_forward(x, a0, {**p, "by": np.zeros((3, 1))})

    _, _, _, caches = lstm_forward(x, a0, p)
    with raises("da", "(n_a, m, T_x)", "(4, 2, 5)"):
        lstm_backward(da[:, :, :4], caches)
    *_, cache = lstm_cell_forward(x[:, :, 0], a0, c0, p)
    with raises("da_next", "(n_a, m)", "(4, 2)"):
        lstm_cell_backward(da[:3, :, 0], dc[:, :, 0], cache)
    with raises("dc_next", "(n_a, m)", "(4, 2)"):
        lstm_cell_backward(da[:, :, 0], dc[:, :1, 0], cache)


def test_missing_and_unknown_keys_are_named():
    p, _, x, a0, c0, _, _ = make_problem("none")
    with raises("parameters", "'Wu'", "'bo'"):
        lstm_forward(x, a0, {k: v for k, v in p.items() if k not in ("Wu", "bo")})
    with raises("parameters", "'by'"):  # an output layer needs both Wy and by
        lstm_cell_forward(x[:, :, 0], a0, c0, {k: v for k, v in p.items() if k != "by"})
    with raises("parameters", "'Wi'"):
        lstm_forward(x, a0, {**p, "Wi": p["Wu"]})
    with raises("parameters", "dict"):
        lstm_forward(x, a0, list(p.values()))


@pytest.mark.parametrize("present", [("pf",), ("pu",), ("po",), ("pf", "pu"), ("pf", "po"), ("pu", "po")])
def test_peephole_vectors_come_all_three_or_none(present):
    p, _, x, a0, c0, _, _ = make_problem("none")
    partial = {**p, **{k: np.zeros((4, 1)) for k in present}}
    missing = [k for k in ("pf", "pu", "po") if k not in present]
    with raises("parameters", "peephole", *map(repr, missing)):
        lstm_forward(x, a0, partial)
    with raises("parameters", "peephole", *map(repr, missing)):
        lstm_cell_forward(x[:, :, 0], a0, c0, partial, "tutorial")
    with raises("parameters", "peephole"):
        run_forward(x, partial, "lstm_peephole")


def test_each_cell_refuses_the_other_cells_parameters():
    plain, _, x, _, _, _, _ = make_problem("none")
    peep = make_problem("gers")[0]
    with raises("parameters", "peephole", "lstm_peephole"):  # never silently dropped
        run_forward(x, peep, "lstm")
    for name in ("lstm_peephole", "lstm_peephole_tutorial"):
        with raises("parameters", "'pf'", "'pu'", "'po'"):
            run_forward(x, plain, name)
    with raises("parameters", "peephole", "nn.LSTM"):
        lstm_parameters_to_torch(peep)


def test_non_finite_inputs_are_named():
    p, _, x, a0, c0, da, dc = make_problem("gers")
    bad_x = x.copy()
    bad_x[0, 0, 3] = np.nan
    with raises("x", "NaN"):
        lstm_forward(bad_x, a0, p)
    with raises("a0", "NaN"):
        lstm_forward(x, np.full_like(a0, np.inf), p)
    with raises("c_prev", "NaN"):
        lstm_cell_forward(x[:, :, 0], a0, np.full_like(c0, np.nan), p)
    for k in ("Wc", "bf", "po"):
        with raises(f'parameters["{k}"]', "NaN"):
            lstm_forward(x, a0, {**p, k: np.full_like(p[k], np.nan)})
    _, _, _, caches = lstm_forward(x, a0, p)
    with raises("da", "NaN"):
        lstm_backward(np.full_like(da, np.nan), caches)
    *_, cache = lstm_cell_forward(x[:, :, 0], a0, c0, p)
    with raises("dc_next", "NaN"):
        lstm_cell_backward(da[:, :, 0], np.full_like(c0, np.inf), cache)


def test_bad_options_and_foreign_caches_are_rejected():
    p, _, x, a0, c0, da, dc = make_problem("gers")
    with raises("peephole_form", "gers", "tutorial"):
        lstm_forward(x, a0, p, peephole_form="gres")
    with raises("peephole_form"):
        lstm_cell_for(p, None)
    with raises("input_gradient"):
        lstm_backward(da, lstm_forward(x, a0, p)[3], input_gradient="no")

    rnn_p = initialize_rnn_parameters(3, 4, None, 0)
    _, _, rnn_cache = rnn_cell_forward(x[:, :, 0], a0, rnn_p)
    with raises("cache", "LSTMCache", "RNNCache"):
        lstm_cell_backward(da[:, :, 0], dc[:, :, 0], rnn_cache)
    with raises("cache", "LSTMCache"):
        lstm_cell_backward(da[:, :, 0], dc[:, :, 0], tuple(lstm_cell_forward(x[:, :, 0], a0, c0, p)[3]))
    _, _, rnn_caches = rnn_forward(x, a0, rnn_p)
    with raises("caches", "'rnn' cell"):
        lstm_backward(da, rnn_caches)
    for bad in ([], [rnn_cache], {"a": a0}, None):
        with raises("caches", "LSTMCaches"):
            lstm_backward(da, bad)


def test_the_torch_mapping_checks_its_weights():
    w = lstm_parameters_to_torch(make_problem("none")[0])
    with raises("weights", "'bias_hh'"):
        lstm_parameters_from_torch({k: v for k, v in w.items() if k != "bias_hh"})
    with raises("weights", "'weight_ih_l0'"):
        lstm_parameters_from_torch({**w, "weight_ih_l0": w["weight_ih"]})
    with raises('weights["weight_ih"]', "(4 n_a, n_x)"):
        lstm_parameters_from_torch({**w, "weight_ih": w["weight_ih"][:-1]})
    with raises('weights["weight_hh"]', "(4 n_a, n_a)", "(16, 4)"):
        lstm_parameters_from_torch({**w, "weight_hh": w["weight_hh"][:, :3]})
    with raises('weights["bias_ih"]', "(4 n_a)", "(16)"):
        lstm_parameters_from_torch({**w, "bias_ih": w["bias_ih"][:, None]})
    with raises('weights["bias_hh"]', "NaN"):
        lstm_parameters_from_torch({**w, "bias_hh": np.full(16, np.nan)})


# ---------------------------------------------------------------------------------------
# show_source: the equations behind one decorator line
# ---------------------------------------------------------------------------------------

CONTRACT = ["lstm_cell_forward", "lstm_forward", "lstm_cell_backward", "lstm_backward"]
CHECKING = re.compile(r"\b(check_\w*|shaped_array|as_float_array|float_parameters|require_keys|"
                      r"sequence_inputs|isinstance|raise|ValueError)\b")


@pytest.mark.parametrize("function", CONTRACT)
def test_show_source_shows_the_equations_behind_one_decorator_line(function, monkeypatch):
    import IPython.display

    from course_lib.notebook import show_source

    fn = getattr(lstm, function)
    assert inspect.unwrap(fn) is fn.unchecked
    source = inspect.getsource(fn)
    lines = source.splitlines()
    assert re.fullmatch(r"@checked\(\w+\)", lines[0]) and lines[1].startswith(f"def {function}(")
    tree = ast.parse(textwrap.dedent(source)).body[0]
    body = tree.body[1:]  # after the docstring
    assert isinstance(tree.body[0].value, ast.Constant) and body
    assert not any(isinstance(node, ast.Raise) for stmt in body for node in ast.walk(stmt))
    code = "\n".join(ast.unparse(stmt) for stmt in body)
    assert not CHECKING.search(code), code

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    show_source(fn)
    (markdown,) = shown
    assert f"`course_lib.lstm.{function}`" in markdown.data and source in markdown.data


def test_the_cell_forward_reads_like_the_equation_block():
    source = inspect.getsource(lstm_cell_forward)
    for equation in ("Γf = σ(Wf [a<t-1>; x<t>] + bf + pf * c<t-1>)", "Γu = σ(Wu [a<t-1>; x<t>] + bu + pu * c<t-1>)",
                     "c~<t> = tanh(Wc [a<t-1>; x<t>] + bc)", "c<t> = Γu * c~<t> + Γf * c<t-1>",
                     "Γo = σ(Wo [a<t-1>; x<t>] + bo + po * c<t>)", "a<t> = Γo * tanh(c<t>)",
                     "ŷ<t> = softmax(Wy a<t> + by)"):
        assert equation in source, equation
    names = [line.split("=")[0].strip() for line in source.splitlines() if re.match(r"\s+\w+ = ", line)]
    for name in ("gamma_f", "gamma_u", "c_tilde", "c_next", "gamma_o", "a_next", "yt_pred"):
        assert name in names, name
    assert names.index("c_next") < names.index("gamma_o")  # Gers: Γo waits for c<t>
