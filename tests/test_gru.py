"""course_lib.gru: the three variants' equations, BPTT against finite differences, caches,
PyTorch's nn.GRU (a checked-in fixture: torch is never imported here), argument checks."""

import inspect
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import course_lib.gru  # noqa: F401  (registers the cells until recurrent._load_cells imports it)
from course_lib.activations import sigmoid, softmax
from course_lib.models import torch_reference_path
from course_lib.data.vocab import one_hot
from course_lib.gradients import gradient_check
from course_lib.gru import (
    GRU_CELLS,
    GRUCache,
    GRUCaches,
    VARIANTS,
    check_gru_parameters,
    from_torch_gru,
    gru_backward,
    gru_cell_backward,
    gru_cell_forward,
    gru_forward,
    gru_parameter_gradients,
    gru_step_backward,
    initialize_gru_parameters,
    to_torch_gru,
)
from course_lib.recurrent import get_cell, run_backward, run_forward
from course_lib.rnn import initialize_rnn_parameters, rnn_cell_forward, rnn_forward
from tests.gradcheck import assert_gradients_close, loop_of_cell_backwards, numerical_gradient

TOL = 1e-7  # relative error of a correct gradient against centred finite differences
EPSILON = 1e-5  # balances truncation (~ε²) and rounding (~1e-16/ε) errors in float64
FIXTURE = torch_reference_path("gru")

KEYS = {
    "full": ("Wr", "br", "Wu", "bu", "Wc", "bc"),
    "simplified": ("Wu", "bu", "Wc", "bc"),
    "reset_after": ("Wr", "br", "Wu", "bu", "Wc", "bc", "bcc"),
}


def make_problem(n_x, n_a, n_y, m, T_x, variant="full", seed=0, scale=0.5):
    """Random parameters (random biases too), inputs, c<0> and an upstream gradient."""
    rng = np.random.default_rng(seed)
    parameters = initialize_gru_parameters(n_x, n_a, n_y, rng, scale=scale, variant=variant)
    x = rng.standard_normal((n_x, m, T_x))
    c0 = rng.standard_normal((n_a, m))
    dc = rng.standard_normal((n_a, m, T_x))
    return parameters, x, c0, dc


def copies(*items):
    return [{k: v.copy() for k, v in item.items()} if isinstance(item, dict) else item.copy() for item in items]


def assert_unchanged(before, after):
    for b, a in zip(before, after):
        if isinstance(b, dict):
            assert b.keys() == a.keys()
            for k in b:
                np.testing.assert_array_equal(b[k], a[k])
        else:
            np.testing.assert_array_equal(b, a)


def reference_step(xt, c_prev, p, variant):
    """The variant's equations, written out here with explicit concatenations."""
    n_a = c_prev.shape[0]
    concat = np.vstack([c_prev, xt])
    gamma_r = sigmoid(p["Wr"] @ concat + p["br"]) if variant != "simplified" else np.ones_like(c_prev)
    gamma_u = sigmoid(p["Wu"] @ concat + p["bu"])
    if variant == "reset_after":
        c_tilde = np.tanh(p["Wc"][:, n_a:] @ xt + p["bc"] + gamma_r * (p["Wc"][:, :n_a] @ c_prev + p["bcc"]))
        c_next = (1 - gamma_u) * c_tilde + gamma_u * c_prev
    else:
        c_tilde = np.tanh(p["Wc"] @ np.vstack([gamma_r * c_prev, xt]) + p["bc"])
        c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev
    return c_next, gamma_r, gamma_u, c_tilde


# ---------------------------------------------------------------------------------------
# Forward: the equations, shapes and keys of the contract
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_cell_forward_is_the_equations(variant):
    parameters, x, c0, _ = make_problem(3, 4, 2, 5, 1, variant)
    xt = x[:, :, 0]
    c_next, yt_pred, cache = gru_cell_forward(xt, c0, parameters, variant=variant)
    expected, gamma_r, gamma_u, c_tilde = reference_step(xt, c0, parameters, variant)
    np.testing.assert_allclose(c_next, expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(yt_pred, softmax(parameters["Wy"] @ c_next + parameters["by"]), rtol=1e-13)
    assert isinstance(cache, GRUCache) and cache.variant == variant
    assert cache._fields == ("c_next", "c_prev", "xt", "gamma_r", "gamma_u", "c_tilde", "parameters", "variant")
    for name, value in (("gamma_r", gamma_r), ("gamma_u", gamma_u), ("c_tilde", c_tilde)):
        np.testing.assert_allclose(getattr(cache, name), value, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(cache.c_prev, c0)
    np.testing.assert_array_equal(cache.xt, xt)
    np.testing.assert_array_equal(cache.c_next, c_next)
    assert np.all((cache.gamma_u > 0) & (cache.gamma_u < 1))  # post-activation gate values


@pytest.mark.parametrize("variant", VARIANTS)
def test_forward_is_the_cell_step_after_step(variant):
    parameters, x, c0, _ = make_problem(3, 4, 2, 5, 6, variant, seed=1)
    c, y_pred, caches = gru_forward(x, c0, parameters, variant=variant)
    assert c.shape == (4, 5, 6) and y_pred.shape == (2, 5, 6)
    assert c.dtype == np.float64 and y_pred.dtype == np.float64
    c_prev = c0
    for t in range(6):
        c_prev, yt_pred, _ = gru_cell_forward(x[:, :, t], c_prev, parameters, variant=variant)
        np.testing.assert_allclose(c[:, :, t], c_prev, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(y_pred[:, :, t], yt_pred, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("variant", VARIANTS)
def test_contract_shapes_and_keys(variant):
    n_x, n_a, n_y, m, T_x = 3, 4, 2, 5, 6
    parameters, x, c0, dc = make_problem(n_x, n_a, n_y, m, T_x, variant, seed=2)
    assert {k: v.shape for k, v in parameters.items()} == {
        **{k: (n_a, n_a + n_x) if k[0] == "W" else (n_a, 1) for k in KEYS[variant]}, "Wy": (n_y, n_a), "by": (n_y, 1)}
    c_next, yt_pred, cache = gru_cell_forward(x[:, :, 0], c0, parameters, variant=variant)
    assert c_next.shape == (n_a, m) and yt_pred.shape == (n_y, m)
    cell = gru_cell_backward(dc[:, :, 0], cache)
    assert list(cell) == ["dxt", "dc_prev"] + ["d" + k for k in KEYS[variant]]
    assert cell["dxt"].shape == (n_x, m) and cell["dc_prev"].shape == (n_a, m)

    c, y_pred, caches = gru_forward(x, c0, parameters, variant=variant)
    gradients = gru_backward(dc, caches)
    assert list(gradients) == ["dx", "dc0"] + ["d" + k for k in KEYS[variant]]
    assert gradients["dx"].shape == x.shape and gradients["dc0"].shape == c0.shape
    for k in KEYS[variant]:
        assert gradients["d" + k].shape == parameters[k].shape == cell["d" + k].shape
    for value in (*cell.values(), *gradients.values(), c, y_pred, c_next, yt_pred):
        assert value.dtype == np.float64
    if variant == "full":  # the contract's keys, exactly
        assert set(cell) == {"dxt", "dc_prev", "dWr", "dbr", "dWu", "dbu", "dWc", "dbc"}
        assert set(gradients) == {"dx", "dc0", "dWr", "dbr", "dWu", "dbu", "dWc", "dbc"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_y_pred_is_none_without_output_layer(variant):
    parameters, x, c0, dc = make_problem(3, 4, None, 2, 3, variant)
    assert "Wy" not in parameters and "by" not in parameters
    c_next, yt_pred, _ = gru_cell_forward(x[:, :, 0], c0, parameters, variant=variant)
    assert yt_pred is None and c_next.shape == (4, 2)
    c, y_pred, caches = gru_forward(x, c0, parameters, variant=variant)
    assert y_pred is None and c.shape == (4, 2, 3)
    assert set(gru_backward(dc, caches)) == {"dx", "dc0", *("d" + k for k in KEYS[variant])}


def test_float32_inputs_give_float64_results():
    parameters, x, c0, dc = make_problem(2, 3, 2, 2, 3)
    p32 = {k: v.astype(np.float32) for k, v in parameters.items()}
    c, y_pred, caches = gru_forward(x.astype(np.float32), c0.astype(np.float32), p32)
    gradients = gru_backward(dc.astype(np.float32), caches)
    assert c.dtype == y_pred.dtype == np.float64
    assert all(g.dtype == np.float64 for g in gradients.values())


@pytest.mark.parametrize("variant", VARIANTS)
def test_saturated_gates_raise_no_warning(variant):
    # pyproject turns RuntimeWarning into errors: huge pre-activations must still pass.
    parameters, x, c0, dc = make_problem(3, 4, 2, 2, 5, variant)
    c, y_pred, caches = gru_forward(1e4 * x, c0, {k: 1e3 * v for k, v in parameters.items()}, variant=variant)
    assert np.all(np.isfinite(c)) and np.all(np.isfinite(y_pred))
    assert np.all((caches.stacked.gamma_u >= 0) & (caches.stacked.gamma_u <= 1))
    assert all(np.all(np.isfinite(g)) for g in gru_backward(dc, caches).values())


def test_the_cell_forward_reads_like_the_equations():
    source = inspect.getsource(gru_cell_forward)
    assert source.startswith("@checked(_check_cell_forward)\ndef gru_cell_forward(")
    body = source.split('"""')[2]  # after the docstring
    for equation in ("Γr = σ(Wr [c<t-1>; x<t>] + br)", "Γu = σ(Wu [c<t-1>; x<t>] + bu)",
                     "c~<t> = tanh(Wc [Γr * c<t-1>; x<t>] + bc)", "c<t> = Γu * c~<t> + (1 − Γu) * c<t-1>",
                     "ŷ<t> = softmax(Wy c<t> + by)"):
        assert "# " + equation in body, equation
    assert "isinstance" not in body and "raise" not in body  # the checks stay at the door


# ---------------------------------------------------------------------------------------
# Caches
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_caches_behave_like_the_list_of_cell_caches(variant):
    parameters, x, c0, _ = make_problem(3, 4, 2, 2, 5, variant)
    c, _, caches = gru_forward(x, c0, parameters, variant=variant)
    assert isinstance(caches, GRUCaches) and len(caches) == 5
    assert caches.variant == variant and caches.cell is GRU_CELLS[variant]
    np.testing.assert_array_equal(caches.c, c)
    np.testing.assert_array_equal(caches.c0, c0)
    c_prev = c0
    stacked = caches.stacked
    assert isinstance(stacked, GRUCache) and stacked.variant == variant
    for t, cache in enumerate(caches):
        assert isinstance(cache, GRUCache)
        _, _, own = gru_cell_forward(x[:, :, t], c_prev, parameters, variant=variant)
        for name in ("c_next", "c_prev", "gamma_r", "gamma_u", "c_tilde"):
            np.testing.assert_allclose(getattr(cache, name), getattr(own, name), rtol=1e-12, atol=1e-14)
            np.testing.assert_array_equal(getattr(stacked, name)[:, :, t], getattr(cache, name))
        np.testing.assert_array_equal(cache.xt, x[:, :, t])
        c_prev = cache.c_next
    np.testing.assert_array_equal(caches[-1].c_next, c[:, :, 4])
    np.testing.assert_array_equal(caches[-5].c_prev, c0)
    with pytest.raises(IndexError):
        caches[5]
    if variant == "simplified":
        np.testing.assert_array_equal(stacked.gamma_r, 1.0)  # Γr ≡ 1


# ---------------------------------------------------------------------------------------
# Backward against finite differences: J = Σ dc * c, a random contraction
# ---------------------------------------------------------------------------------------

CELL_SHAPES = [(1, 1, 1), (3, 5, 4), (2, 1, 3), (4, 3, 1)]  # (n_x, n_a, m)
SEQUENCE_SHAPES = [(1, 1, 1, 1), (3, 5, 4, 6), (2, 1, 3, 4), (3, 4, 1, 5), (2, 3, 2, 1)]  # (n_x, n_a, m, T_x)


def check_cell_gradients(parameters, xt, c_prev, dc_next, variant):
    _, _, cache = gru_cell_forward(xt, c_prev, parameters, variant=variant)
    gradients = gru_cell_backward(dc_next, cache)

    def loss(xt=xt, c_prev=c_prev, **changed):
        c_next, _, _ = gru_cell_forward(xt, c_prev, {**parameters, **changed}, variant=variant)
        return np.sum(dc_next * c_next)

    checks = {
        "dxt": gradient_check(lambda v: loss(xt=v), xt, gradients["dxt"], EPSILON),
        "dc_prev": gradient_check(lambda v: loss(c_prev=v), c_prev, gradients["dc_prev"], EPSILON),
    }
    for name in KEYS[variant]:
        checks["d" + name] = gradient_check(lambda v: loss(**{name: v}), parameters[name], gradients["d" + name], EPSILON)
    assert max(checks.values()) < TOL, checks


def check_sequence_gradients(parameters, x, c0, dc, variant):
    _, _, caches = gru_forward(x, c0, parameters, variant=variant)
    gradients = gru_backward(dc, caches)

    def loss(x=x, c0=c0, **changed):
        c, _, _ = gru_forward(x, c0, {**parameters, **changed}, variant=variant)
        return np.sum(dc * c)

    checks = {
        "dx": gradient_check(lambda v: loss(x=v), x, gradients["dx"], EPSILON),
        "dc0": gradient_check(lambda v: loss(c0=v), c0, gradients["dc0"], EPSILON),
    }
    for name in KEYS[variant]:
        checks["d" + name] = gradient_check(lambda v: loss(**{name: v}), parameters[name], gradients["d" + name], EPSILON)
    assert max(checks.values()) < TOL, checks


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n_x, n_a, m", CELL_SHAPES)
def test_cell_backward_matches_finite_differences(n_x, n_a, m, variant):
    parameters, x, c0, dc = make_problem(n_x, n_a, 2, m, 1, variant, seed=n_x + 10 * n_a + 100 * m)
    check_cell_gradients(parameters, x[:, :, 0], c0, dc[:, :, 0], variant)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n_x, n_a, m, T_x", SEQUENCE_SHAPES)
def test_gru_backward_matches_finite_differences(n_x, n_a, m, T_x, variant):
    parameters, x, c0, dc = make_problem(n_x, n_a, 2, m, T_x, variant, seed=n_x + 10 * n_a + 100 * m + 1000 * T_x)
    check_sequence_gradients(parameters, x, c0, dc, variant)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    n_x=st.integers(1, 4),
    n_a=st.integers(1, 4),
    m=st.integers(1, 3),
    T_x=st.integers(1, 4),
    variant=st.sampled_from(VARIANTS),
    seed=st.integers(0, 2**16),
)
def test_gru_backward_matches_finite_differences_for_any_shape(n_x, n_a, m, T_x, variant, seed):
    """All gradients at once, as one vector (as the DLS gradient check does)."""
    parameters, x, c0, dc = make_problem(n_x, n_a, None, m, T_x, variant, seed=seed)
    _, _, caches = gru_forward(x, c0, parameters, variant=variant)
    gradients = gru_backward(dc, caches)

    def loss(x=x, c0=c0, **changed):
        c, _, _ = gru_forward(x, c0, {**parameters, **changed}, variant=variant)
        return np.sum(dc * c)

    numeric = {
        "dx": numerical_gradient(lambda v: loss(x=v), x),
        "dc0": numerical_gradient(lambda v: loss(c0=v), c0),
        **{"d" + k: numerical_gradient(lambda v: loss(**{k: v}), parameters[k]) for k in KEYS[variant]},
    }
    g = np.concatenate([gradients[k].ravel() for k in numeric])
    g_hat = np.concatenate([numeric[k].ravel() for k in numeric])
    assert np.linalg.norm(g - g_hat) / (np.linalg.norm(g) + np.linalg.norm(g_hat)) < TOL


@pytest.mark.parametrize("variant", VARIANTS)
def test_gru_backward_is_the_loop_of_cell_backwards(variant):
    parameters, x, c0, dc = make_problem(3, 5, 2, 4, 7, variant, seed=3)
    _, _, caches = gru_forward(x, c0, parameters, variant=variant)
    gradients = gru_backward(dc, caches)

    expected = loop_of_cell_backwards(gru_cell_backward, dc, caches, ("c",))
    assert set(expected) == {"dx", "dc0", *("d" + k for k in KEYS[variant])}
    assert_gradients_close(gradients, expected)


@pytest.mark.parametrize("variant", VARIANTS)
def test_gru_backward_accepts_a_list_of_cell_caches(variant):
    parameters, x, c0, dc = make_problem(3, 4, 2, 2, 5, variant, seed=4)
    _, _, caches = gru_forward(x, c0, parameters, variant=variant)
    cell_caches, c_prev = [], c0
    for t in range(5):  # what a learner's own DLS-style gru_forward collects
        c_prev, _, cache = gru_cell_forward(x[:, :, t], c_prev, parameters, variant=variant)
        cell_caches.append(cache)
    expected = gru_backward(dc, caches)
    for name, value in gru_backward(dc, cell_caches).items():
        np.testing.assert_allclose(value, expected[name], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("variant", VARIANTS)
def test_gru_backward_can_skip_the_input_gradient(variant):
    parameters, x, c0, dc = make_problem(3, 4, None, 2, 5, variant, seed=8)
    _, _, caches = gru_forward(x, c0, parameters, variant=variant)
    full = gru_backward(dc, caches)
    lean = gru_backward(dc, caches, input_gradient=False)
    assert lean["dx"] is None
    for name in full:
        if name != "dx":
            np.testing.assert_array_equal(lean[name], full[name])


@pytest.mark.parametrize("variant", VARIANTS)
def test_inputs_are_not_modified(variant):
    parameters, x, c0, dc = make_problem(3, 4, 2, 2, 5, variant, seed=5)
    before = copies(parameters, x, c0, dc)
    _, _, cache = gru_cell_forward(x[:, :, 0], c0, parameters, variant=variant)
    cache_before = copies(cache.c_next, cache.gamma_r, cache.gamma_u, cache.c_tilde)
    gru_cell_backward(dc[:, :, 0], cache)
    assert_unchanged(cache_before, [cache.c_next, cache.gamma_r, cache.gamma_u, cache.c_tilde])
    _, _, caches = gru_forward(x, c0, parameters, variant=variant)
    stacked_before = copies(*caches.stacked[:6])
    gru_backward(dc, caches)
    assert_unchanged(stacked_before, caches.stacked[:6])
    if variant == "reset_after":
        from_torch_gru(to_torch_gru(parameters))
    assert_unchanged(before, [parameters, x, c0, dc])


# ---------------------------------------------------------------------------------------
# The variants against each other
# ---------------------------------------------------------------------------------------


def test_the_simplified_gru_is_the_full_one_with_the_relevance_gate_at_one():
    full, x, c0, dc = make_problem(3, 4, None, 2, 1, "full", seed=11)
    simplified = {k: full[k] for k in KEYS["simplified"]}
    xt, dc_next = x[:, :, 0], dc[:, :, 0]
    c_next, _, cache = gru_cell_forward(xt, c0, simplified, variant="simplified")

    # Forward: the full GRU's equations with Γr set to exactly 1.
    gamma_u = sigmoid(full["Wu"] @ np.vstack([c0, xt]) + full["bu"])
    c_tilde = np.tanh(full["Wc"] @ np.vstack([1.0 * c0, xt]) + full["bc"])
    np.testing.assert_allclose(c_next, gamma_u * c_tilde + (1 - gamma_u) * c0, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(cache.gamma_r, np.ones_like(c0))

    # Backward: the full GRU's backward on this cache (Γr = 1, so σ'(z_r) = Γr (1 − Γr) = 0)
    # is the simplified one's, whatever Wr and br are, and sends nothing to z_r.
    as_full = cache._replace(variant="full", parameters={**simplified, "Wr": full["Wr"], "br": full["br"]})
    local_full, dc_prev_full = gru_step_backward(dc_next, as_full)
    local, dc_prev = gru_step_backward(dc_next, cache)
    dz_r, dz_uc = local_full["dz"][:4], local_full["dz"][4:]  # [dz_r; dz_u; dz_c] and [dz_u; dz_c]
    np.testing.assert_array_equal(dz_r, 0.0)
    np.testing.assert_allclose(dz_uc, local["dz"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(dc_prev_full, dc_prev, rtol=1e-13, atol=1e-15)
    grads_full = gru_parameter_gradients(local_full, as_full)
    grads = gru_parameter_gradients(local, cache)
    for k in ("dxt", "dWu", "dbu", "dWc", "dbc"):
        np.testing.assert_allclose(grads_full[k], grads[k], rtol=1e-13, atol=1e-15)


def test_reset_after_is_the_full_gru_when_the_candidate_ignores_the_state():
    """Wcc = 0, bcc = 0: where Γr acts no longer matters; σ(−z) = 1 − σ(z) turns the
    reset-after update (Γu keeps c<t-1>) into the lecture's (Γu takes c~<t>)."""
    full, x, c0, dc = make_problem(3, 4, None, 2, 6, "full", seed=12)
    full["Wc"][:, :4] = 0.0
    reset_after = {**full, "Wu": -full["Wu"], "bu": -full["bu"], "bcc": np.zeros((4, 1))}
    c_full, _, caches_full = gru_forward(x, c0, full)
    c_after, _, caches_after = gru_forward(x, c0, reset_after, variant="reset_after")
    np.testing.assert_allclose(c_after, c_full, rtol=1e-12, atol=1e-14)
    g_full, g_after = gru_backward(dc, caches_full), gru_backward(dc, caches_after)
    for k in ("dx", "dc0", "dWr", "dbr", "dbc"):
        np.testing.assert_allclose(g_after[k], g_full[k], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(g_after["dWu"], -g_full["dWu"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(g_after["dWc"][:, 4:], g_full["dWc"][:, 4:], rtol=1e-10, atol=1e-13)


def test_an_update_gate_near_zero_keeps_the_memory_and_its_gradient():
    # The lecture's "cat ... was": Γu ≈ 0 carries c<0> over many steps, and the gradient
    # reaching c<T_x> comes back to c<0> undiminished.
    parameters, x, c0, dc = make_problem(3, 4, None, 2, 50, "full", seed=13)
    parameters["bu"] = np.full((4, 1), -20.0)
    c, _, caches = gru_forward(x, c0, parameters)
    assert caches.stacked.gamma_u.max() < 1e-7
    np.testing.assert_allclose(c[:, :, -1], c0, atol=1e-5)
    last_only = np.zeros_like(dc)
    last_only[:, :, -1] = dc[:, :, -1]
    np.testing.assert_allclose(gru_backward(last_only, caches)["dc0"], dc[:, :, -1], atol=1e-5)


# ---------------------------------------------------------------------------------------
# PyTorch's nn.GRU: the reset-after variant against a fixture, and the mapping of weights
# ---------------------------------------------------------------------------------------

TORCH_WEIGHTS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def fixture_cases():
    with np.load(FIXTURE, allow_pickle=False) as data:
        return {str(case): {k.split("__", 1)[1]: data[k] for k in data.files if k.startswith(f"{case}__")}
                for case in data["cases"]}


def test_the_fixture_has_the_cases_it_promises():
    cases = fixture_cases()
    shapes = {name: case["x"].shape for name, case in cases.items()}  # (T_x, m, n_x)
    assert len(cases) == 3
    assert any(m == 1 for _, m, _ in shapes.values()) and any(T == 1 for T, _, _ in shapes.values())
    for case in cases.values():
        assert all(v.dtype == np.float64 for v in case.values())
        assert np.all(case["bias_hh_l0"] != 0) and np.all(case["bias_ih_l0"] != 0)  # every bias in play


@pytest.mark.parametrize("case", ["general", "one_example", "one_step"])
def test_reset_after_matches_pytorch_nn_gru(case):
    data = fixture_cases()[case]
    parameters = from_torch_gru({k: data[k] for k in TORCH_WEIGHTS})
    x = data["x"].transpose(2, 1, 0)  # PyTorch's (T_x, m, n_x) -> (n_x, m, T_x)
    c0 = data["h0"][0].T
    c, _, caches = gru_forward(x, c0, parameters, variant="reset_after")
    np.testing.assert_allclose(c, data["out"].transpose(2, 1, 0), rtol=1e-9, atol=1e-9)

    gradients = gru_backward(data["upstream"].transpose(2, 1, 0), caches)
    np.testing.assert_allclose(gradients["dx"], data["grad_x"].transpose(2, 1, 0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(gradients["dc0"], data["grad_h0"][0].T, rtol=1e-9, atol=1e-9)
    n_a = c0.shape[0]
    ours = to_torch_gru({k[1:]: v for k, v in gradients.items() if k not in ("dx", "dc0")})
    for k in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0"):
        np.testing.assert_allclose(ours[k], data["grad_" + k], rtol=1e-9, atol=1e-9)
    # b_hr and b_hz enter σ beside b_ir and b_iz: the same gradients as theirs, and b_hn's is dbcc.
    np.testing.assert_allclose(data["grad_bias_hh_l0"][:2 * n_a], data["grad_bias_ih_l0"][:2 * n_a], rtol=1e-12)
    np.testing.assert_allclose(gradients["dbcc"][:, 0], data["grad_bias_hh_l0"][2 * n_a:], rtol=1e-9, atol=1e-9)


def test_to_and_from_torch_are_inverse():
    parameters, _, _, _ = make_problem(3, 4, None, 2, 1, "reset_after", seed=14)
    weights = to_torch_gru(parameters)
    assert {k: v.shape for k, v in weights.items()} == {
        "weight_ih_l0": (12, 3), "weight_hh_l0": (12, 4), "bias_ih_l0": (12,), "bias_hh_l0": (12,)}
    back = from_torch_gru(weights)
    assert back.keys() == parameters.keys()
    for k in back:
        np.testing.assert_array_equal(back[k], parameters[k])
    # Gate order r, z, n; our Wr = [W_hr | W_ir], state columns first.
    np.testing.assert_array_equal(weights["weight_hh_l0"][4:8], parameters["Wu"][:, :4])
    np.testing.assert_array_equal(weights["weight_ih_l0"][8:], parameters["Wc"][:, 4:])
    np.testing.assert_array_equal(weights["bias_hh_l0"][8:], parameters["bcc"][:, 0])


def test_from_torch_adds_the_two_biases_of_r_and_z():
    data = fixture_cases()["general"]
    weights = {k: data[k] for k in TORCH_WEIGHTS}
    parameters = from_torch_gru(weights)
    n_a = data["h0"].shape[2]
    np.testing.assert_allclose(parameters["br"][:, 0], weights["bias_ih_l0"][:n_a] + weights["bias_hh_l0"][:n_a])
    np.testing.assert_array_equal(parameters["bc"][:, 0], weights["bias_ih_l0"][2 * n_a:])
    np.testing.assert_array_equal(parameters["bcc"][:, 0], weights["bias_hh_l0"][2 * n_a:])
    again = to_torch_gru(parameters)  # the biases split differently, the same GRU
    np.testing.assert_allclose(again["bias_ih_l0"] + again["bias_hh_l0"], weights["bias_ih_l0"] + weights["bias_hh_l0"])


def test_to_and_from_torch_refuse_bad_weights():
    full, _, _, _ = make_problem(3, 4, None, 2, 1, "full")
    with raises("parameters", "'bcc'"):
        to_torch_gru(full)  # nn.GRU is the reset-after form
    weights = to_torch_gru({**full, "bcc": np.zeros((4, 1))})
    with raises("weights", "'bias_hh_l0'"):
        from_torch_gru({k: v for k, v in weights.items() if k != "bias_hh_l0"})
    with raises('weights["weight_ih_l0"]', "(3 n_a, n_x)", "multiple of 3"):
        from_torch_gru({**weights, "weight_ih_l0": weights["weight_ih_l0"][:11]})
    with raises('weights["weight_hh_l0"]', "(3 n_a, n_a)", "(12, 4)"):
        from_torch_gru({**weights, "weight_hh_l0": weights["weight_hh_l0"][:, :3]})
    with raises('weights["bias_ih_l0"]', "(3 n_a)", "(12)"):
        from_torch_gru({**weights, "bias_ih_l0": weights["bias_ih_l0"][:, None]})
    with raises('weights["bias_ih_l0"]', "NaN"):
        from_torch_gru({**weights, "bias_ih_l0": np.full(12, np.nan)})


# ---------------------------------------------------------------------------------------
# The cells in the recurrent core
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_cells_run_through_the_core(variant):
    name = {"full": "gru", "simplified": "gru_simplified", "reset_after": "gru_reset_after"}[variant]
    cell = get_cell(name)
    assert cell is GRU_CELLS[variant] and cell.states == ("c",) and cell.hidden == "c"
    assert cell.output_keys == ("Wy", "by") and cell.parameter_keys == KEYS[variant]
    parameters = cell.initialize(3, 4, None, np.random.default_rng(6), 0.5)
    assert set(parameters) == set(KEYS[variant])
    _, x, c0, dc = make_problem(3, 4, None, 2, 5, variant, seed=6)
    c, caches = run_forward(x, parameters, name, initial=(c0,))
    expected_c, _, expected_caches = gru_forward(x, c0, parameters, variant=variant)
    np.testing.assert_array_equal(c, expected_c)
    core, own = run_backward(dc, caches), gru_backward(dc, expected_caches)
    assert core.keys() == own.keys()
    for k in own:
        np.testing.assert_array_equal(core[k], own[k])
    assert cell.only_parameter_gradients(own).keys() == {"d" + k for k in KEYS[variant]}


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_input_term_is_the_gates_input_columns_for_one_step_and_all(variant):
    parameters, x, _, _ = make_problem(3, 4, None, 2, 5, variant, seed=7)
    cell = GRU_CELLS[variant]
    u = cell.input_term(cell.check_parameters(parameters), x)
    keys = [k for k in ("Wr", "Wu", "Wc") if k in parameters]
    assert u.shape == (4 * len(keys), 2, 5)
    for i, k in enumerate(keys):
        expected = np.einsum("ij,jmt->imt", parameters[k][:, 4:], x) + parameters["b" + k[1:]][:, :, None]
        np.testing.assert_allclose(u[4 * i:4 * (i + 1)], expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(cell.input_term(parameters, x[:, :, 2]), u[:, :, 2], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_hot_inputs_give_what_their_one_hot_vectors_give(variant):
    parameters, _, c0, dc = make_problem(5, 3, None, 2, 4, variant, seed=9)
    indices = np.array([[-1, 0, 4, 4], [-1, 2, 0, 1]])  # −1: the zero input x<1> of a language model
    x = one_hot(indices, 5)
    cell = GRU_CELLS[variant]
    np.testing.assert_allclose(cell.one_hot_input_term(parameters, indices), cell.input_term(parameters, x),
                               rtol=1e-14, atol=1e-15)
    _, _, caches = gru_forward(x, c0, parameters, variant=variant)
    dense = gru_backward(dc, caches)
    from course_lib.recurrent import backward_steps

    steps = backward_steps(dc, caches)
    lookup = cell.one_hot_parameter_gradients(steps.local, caches.stacked, indices)
    assert lookup.keys() == {"d" + k for k in KEYS[variant]}
    for k, v in lookup.items():
        np.testing.assert_allclose(v, dense[k], rtol=1e-12, atol=1e-14)


def test_a_variant_given_to_the_wrong_cell_is_refused():
    parameters, x, _, _ = make_problem(3, 4, None, 2, 5, "full")
    with raises("variant='simplified'", "gru_simplified"):
        run_forward(x, parameters, "gru", variant="simplified")
    with raises("variant", "'full'", "'reset_after'"):
        run_forward(x, parameters, "gru", variant="lstm")


# ---------------------------------------------------------------------------------------
# initialize_gru_parameters
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_initialize_gru_parameters(variant):
    parameters = initialize_gru_parameters(3, 5, 2, np.random.default_rng(0), scale=0.01, variant=variant)
    shapes = {**{k: (5, 8) if k[0] == "W" else (5, 1) for k in KEYS[variant]}, "Wy": (2, 5), "by": (2, 1)}
    assert {k: v.shape for k, v in parameters.items()} == shapes
    assert all(np.all(parameters[k] != 0) for k in shapes if k[0] == "b")  # random biases
    assert max(np.abs(v).max() for v in parameters.values()) < 0.1
    again = initialize_gru_parameters(3, 5, 2, 0, scale=0.01, variant=variant)
    assert all(np.array_equal(parameters[k], again[k]) for k in shapes)
    assert set(initialize_gru_parameters(3, 5, None, 0, variant=variant)) == set(KEYS[variant])
    assert check_gru_parameters(parameters, variant=variant).keys() == parameters.keys()


@pytest.mark.parametrize(
    "args, kwargs, name",
    [
        ((0, 5, 2, 0), {}, "n_x"),
        ((3, 2.5, 2, 0), {}, "n_a"),
        ((3, 5, 0, 0), {}, "n_y"),
        ((3, 5, 2, "42"), {}, "rng"),
        ((3, 5, 2, 0), {"scale": -1.0}, "scale"),
        ((3, 5, 2, 0), {"variant": "minimal"}, "variant"),
    ],
)
def test_initialize_gru_parameters_rejects_bad_arguments(args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        initialize_gru_parameters(*args, **kwargs)


# ---------------------------------------------------------------------------------------
# Argument checks: the offending argument and the expected shape are named
# ---------------------------------------------------------------------------------------


def raises(*fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


@pytest.mark.parametrize("variant", VARIANTS)
def test_wrong_shapes_name_the_argument_and_the_shape(variant):
    parameters, x, c0, dc = make_problem(3, 4, 2, 2, 5, variant)
    v = {"variant": variant}
    with raises("x", "(n_x, m, T_x)", "(3, 2, 5)"):
        gru_forward(x[:2], c0, parameters, **v)
    with raises("x", "(n_x, m, T_x)"):
        gru_forward(x[:, :, 0], c0, parameters, **v)
    with raises("c0", "(n_a, m)", "(4, 2)"):
        gru_forward(x, c0[:, :1], parameters, **v)
    with raises("c0", "(n_a, m)", "(4, 2)"):
        gru_forward(x, c0[:3], parameters, **v)
    with raises("xt", "(n_x, m)"):
        gru_cell_forward(x[:2, :, 0], c0, parameters, **v)
    with raises("c_prev", "(n_a, m)", "(4, 2)"):
        gru_cell_forward(x[:, :, 0], c0[:, :1], parameters, **v)
    with raises('parameters["Wu"]', "(n_a, n_a + n_x)", "(4, 7)"):
        gru_forward(x, c0, {**parameters, "Wu": parameters["Wu"][:, :6]}, **v)
    with raises('parameters["Wc"]', "(n_a, n_a + n_x)", "n_x >= 1"):
        gru_forward(x, c0, {**parameters, "Wc": parameters["Wc"][:, :4]}, **v)
    with raises('parameters["bc"]', "(n_a, 1)", "(4, 1)"):
        gru_forward(x, c0, {**parameters, "bc": parameters["bc"].ravel()}, **v)
    with raises('parameters["Wy"]', "(n_y, n_a)", "(2, 4)"):
        gru_forward(x, c0, {**parameters, "Wy": parameters["Wy"][:, :3]}, **v)
    with raises('parameters["by"]', "(n_y, 1)", "(2, 1)"):
        gru_forward(x, c0, {**parameters, "by": np.zeros((3, 1))}, **v)

    _, _, caches = gru_forward(x, c0, parameters, **v)
    with raises("dc", "(n_a, m, T_x)", "(4, 2, 5)"):
        gru_backward(dc[:, :, :4], caches)
    _, _, cache = gru_cell_forward(x[:, :, 0], c0, parameters, **v)
    with raises("dc_next", "(n_a, m)", "(4, 2)"):
        gru_cell_backward(dc[:3, :, 0], cache)


def test_missing_and_foreign_parameters_are_named():
    parameters, x, c0, _ = make_problem(3, 4, 2, 2, 5, "full")
    with raises("parameters", "'Wr'", "'br'"):
        gru_forward(x, c0, {k: v for k, v in parameters.items() if k not in ("Wr", "br")})
    with raises("parameters", "'bcc'"):
        gru_forward(x, c0, parameters, variant="reset_after")
    with raises("parameters", "unexpected", "'Wr'"):  # the simplified GRU has no relevance gate
        gru_forward(x, c0, parameters, variant="simplified")
    with raises("parameters", "'by'"):  # an output layer needs both Wy and by
        gru_cell_forward(x[:, :, 0], c0, {k: v for k, v in parameters.items() if k != "by"})
    with raises("parameters", "dict"):
        gru_forward(x, c0, [parameters["Wr"]])


def test_non_finite_inputs_are_named():
    parameters, x, c0, dc = make_problem(3, 4, 2, 2, 5, "reset_after")
    bad_x = x.copy()
    bad_x[0, 0, 3] = np.nan
    with raises("x", "NaN"):
        gru_forward(bad_x, c0, parameters, variant="reset_after")
    with raises("c0", "NaN"):
        gru_forward(x, np.full_like(c0, np.inf), parameters, variant="reset_after")
    with raises('parameters["bcc"]', "NaN"):
        gru_forward(x, c0, {**parameters, "bcc": np.full((4, 1), np.nan)}, variant="reset_after")
    _, _, caches = gru_forward(x, c0, parameters, variant="reset_after")
    with raises("dc", "NaN"):
        gru_backward(np.full_like(dc, np.nan), caches)
    _, _, cache = gru_cell_forward(x[:, :, 0], c0, parameters, variant="reset_after")
    with raises("dc_next", "NaN"):
        gru_cell_backward(np.full_like(c0, np.nan), cache)


def test_an_unknown_variant_lists_the_options():
    parameters, x, c0, _ = make_problem(3, 4, 2, 2, 5)
    for call in (lambda: gru_forward(x, c0, parameters, variant="minimal"),
                 lambda: gru_cell_forward(x[:, :, 0], c0, parameters, variant="Full"),
                 lambda: check_gru_parameters(parameters, variant=None)):
        with raises("variant", "'full'", "'simplified'", "'reset_after'"):
            call()


def test_caches_of_another_cell_are_refused():
    rnn_parameters = initialize_rnn_parameters(3, 4, None, 0)
    _, x, c0, dc = make_problem(3, 4, None, 2, 5)
    _, _, rnn_cache = rnn_cell_forward(x[:, :, 0], c0, rnn_parameters)
    with raises("cache", "GRUCache", "RNNCache"):
        gru_cell_backward(dc[:, :, 0], rnn_cache)
    _, _, rnn_caches = rnn_forward(x, c0, rnn_parameters)
    with raises("caches", "'rnn'"):
        gru_backward(dc, rnn_caches)
    with raises("caches", "GRUCaches"):
        gru_backward(dc, [])
    with raises("caches", "GRUCaches"):
        gru_backward(dc, {"c": c0})
    parameters, _, _, _ = make_problem(3, 4, None, 2, 5)
    with raises("input_gradient"):
        gru_backward(dc, gru_forward(x, c0, parameters)[2], input_gradient="no")


def test_from_torch_refuses_a_second_layer_or_direction():
    weights = to_torch_gru(make_problem(3, 4, None, 2, 1, "reset_after")[0])
    with raises("weights", "unexpected", "weight_ih_l1"):
        from_torch_gru({**weights, "weight_ih_l1": weights["weight_ih_l0"]})
