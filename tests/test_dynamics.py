"""course_lib.dynamics (Jacobian products through the recurrent core for any cell, recurrent
initialisers, the single unit, the gradient flow of the explorer, clipping angles), its
figures and the gradient explorer."""

import json
import re

import numpy as np
import pytest

from course_lib import dynamics
from course_lib.dynamics import (
    decay_rate,
    gradient_angle,
    gradient_flow,
    init_recurrent_weights,
    jacobian_norms,
    jacobian_products,
    largest_singular_value,
    non_normal_matrix,
    scale_to_spectral_radius,
    single_unit_gradient,
    spectral_radius,
    step_jacobians,
)
from course_lib.gradients import clip, clip_by_norm
from course_lib.recurrent import get_cell, run_forward
from course_lib.rnn import initialize_rnn_parameters, rnn_backward, rnn_cell_forward, rnn_forward
from tests.test_architectures import TOY

ACTIVATIONS = ["tanh", "relu", "identity"]


def raises(*fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


def make_run(activation="tanh", n_a=4, n_x=3, m=2, T_x=6, seed=0, Waa=None, scale=0.7):
    rng = np.random.default_rng(seed)
    parameters = initialize_rnn_parameters(n_x, n_a, None, rng, scale=scale)  # random biases too
    if Waa is not None:
        parameters["Waa"] = Waa
    x = rng.standard_normal((n_x, m, T_x))
    a0 = rng.standard_normal((n_a, m))
    a, _, caches = rnn_forward(x, a0, parameters, activation)
    return parameters, x, a0, a, caches


# ---------------------------------------------------------------------------------------
# Jacobian products
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_jacobian_products_are_the_explicit_products_of_diag_g_prime_waa(activation):
    parameters, _, _, a, caches = make_run(activation)
    products = jacobian_products(caches)
    n_a, m, T_x = a.shape
    assert products.shape == (m, T_x + 1, n_a, n_a)
    from course_lib.activations import get_activation

    _, g_prime = get_activation(activation)
    for i in range(m):
        expected = np.eye(n_a)
        for k in range(T_x + 1):
            np.testing.assert_allclose(products[i, k], expected, rtol=1e-12, atol=1e-14)
            if k < T_x:
                t = T_x - 1 - k  # 0-based column of a<T_x − k>
                J_t = np.diag(g_prime(a[:, i, t])) @ parameters["Waa"]  # ∂a<t>/∂a<t-1>
                expected = expected @ J_t


@pytest.mark.parametrize("activation", ["tanh", "identity"])
def test_jacobian_products_match_finite_differences_of_the_forward_pass(activation):
    parameters, x, a0, a, caches = make_run(activation, m=1)
    n_a, _, T_x = a.shape
    products = jacobian_products(caches)

    def final_state(a_start, start):  # a<T_x> from a<start> = a_start, re-running the cells
        a_t = a_start
        for t in range(start, T_x):
            a_t, _, _ = rnn_cell_forward(x[:, :, t], a_t, parameters, activation)
        return a_t[:, 0]

    eps = 1e-6
    for start in (0, 2, T_x - 1):  # a<0>, a<2>, a<T_x − 1>
        a_start = a0 if start == 0 else a[:, :, start - 1]
        numeric = np.empty((n_a, n_a))
        for j in range(n_a):
            e = np.zeros((n_a, 1))
            e[j] = eps
            numeric[:, j] = (final_state(a_start + e, start) - final_state(a_start - e, start)) / (2 * eps)
        np.testing.assert_allclose(products[0, T_x - start], numeric, rtol=1e-6, atol=1e-8)


def test_step_jacobians_and_norms_agree_with_the_products():
    _, _, _, a, caches = make_run("tanh", m=3)
    steps = step_jacobians(caches)  # (m, T_x, n_a, n_a)
    products = jacobian_products(caches)
    np.testing.assert_allclose(products[:, 1], steps[:, -1], rtol=1e-13)  # one step back
    norms = jacobian_norms(caches)
    assert norms.shape == (3, a.shape[2] + 1)
    np.testing.assert_allclose(norms[:, 0], 1.0)
    np.testing.assert_allclose(norms, np.linalg.norm(products, ord=2, axis=(-2, -1)))


def test_jacobian_products_take_the_sequence_cache_and_leave_it_alone():
    _, _, _, a, caches = make_run("tanh")
    before = {k: v.copy() for k, v in caches.arrays.items()}, caches.x.copy(), caches.a0.copy()
    products = jacobian_products(caches)
    assert all(np.array_equal(v, before[0][k]) for k, v in caches.arrays.items())
    assert np.array_equal(caches.x, before[1]) and np.array_equal(caches.a0, before[2])
    _, generic = run_forward(caches.x, caches.parameters, "rnn", (caches.a0,))
    np.testing.assert_array_equal(jacobian_products(generic), products)
    for bad in ("not caches", None, [caches[t] for t in range(len(caches))]):
        with raises("caches", "SequenceCache"):
            jacobian_products(bad)
        with raises("caches", "SequenceCache"):
            jacobian_norms(bad)


def test_jacobian_products_of_any_cell_are_finite_differences_of_its_hidden_state():
    # The toy cell carries (h, c): ∂h<T>/∂h<t> with c<t> held fixed, by re-running the driver.
    rng = np.random.default_rng(5)
    n_x, n_a, m, T_x = 3, 4, 2, 5
    p = TOY.initialize(n_x, n_a, None, rng, 0.8)
    x = rng.standard_normal((n_x, m, T_x))
    initial = (rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m)))
    h, caches = run_forward(x, p, TOY, initial)
    products = jacobian_products(caches)
    assert products.shape == (m, T_x + 1, n_a, n_a)
    np.testing.assert_allclose(products[:, 0], np.broadcast_to(np.eye(n_a), (m, n_a, n_a)))
    for start in (0, 2, T_x - 1):  # h<0>, h<2>, h<T_x − 1>
        h_start, c_start = (initial if start == 0 else (h[:, :, start - 1], caches.c[:, :, start - 1]))
        eps = 1e-6
        for j in range(n_a):
            e = np.zeros((n_a, m))
            e[j] = eps
            plus = run_forward(x[:, :, start:], p, TOY, (h_start + e, c_start))[0][:, :, -1]
            minus = run_forward(x[:, :, start:], p, TOY, (h_start - e, c_start))[0][:, :, -1]
            column = (plus - minus) / (2 * eps)  # (n_a, m): ∂h<T>/∂h<start>[:, j] for every example
            np.testing.assert_allclose(products[:, T_x - start, :, j], column.T, rtol=1e-6, atol=1e-9)
    assert jacobian_norms(caches).shape == (m, T_x + 1)


def test_step_jacobians_are_the_rnns_alone():
    _, caches = run_forward(np.ones((3, 1, 4)), TOY.initialize(3, 2, None, 0, 0.5), TOY)
    with raises("caches", "rnn cell", "toy", "jacobian_products"):
        step_jacobians(caches)
    with raises("caches", "SequenceCache"):
        step_jacobians(None)


def test_jacobian_norms_refuse_an_overflowing_product():
    Waa = 1e3 * np.eye(3)
    parameters = {"Wax": np.zeros((3, 1)), "Waa": Waa, "ba": np.zeros((3, 1))}
    # a tanh RNN resting at its fixed point 0: every step's Jacobian is Waa itself
    _, _, caches = rnn_forward(np.zeros((1, 1, 120)), np.zeros((3, 1)), parameters, "tanh")
    with raises("caches", "overflow"):
        jacobian_norms(caches)


# ---------------------------------------------------------------------------------------
# Pascanu, Mikolov & Bengio (2013): the bound and its two sides
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sigma", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("kind", ["orthogonal", "gaussian"])
def test_below_one_the_gradient_vanishes_at_least_as_fast_as_sigma_to_the_k(activation, sigma, kind):
    # ‖∏ diag(g1') Waa‖ ≤ (γ σ_max)^k with γ = max |g1'| = 1 for all three activations.
    rng = np.random.default_rng(3)
    Waa = init_recurrent_weights(8, rng, sigma, kind)
    _, _, _, _, caches = make_run(activation, n_a=8, m=2, T_x=40, Waa=Waa)
    norms = jacobian_norms(caches)
    bound = sigma ** np.arange(41)
    assert np.all(norms <= bound * (1 + 1e-10))
    for i in range(2):
        if norms[i, -1] > 0:  # ReLU may switch every unit off: the product is then exactly 0
            assert decay_rate(norms[i]) <= sigma * (1 + 1e-10)


def test_with_identity_and_an_orthogonal_waa_the_bound_is_reached():
    Waa = init_recurrent_weights(6, np.random.default_rng(0), 1.2)
    _, _, _, _, caches = make_run("identity", n_a=6, T_x=30, Waa=Waa)
    norms = jacobian_norms(caches)
    np.testing.assert_allclose(norms, np.broadcast_to(1.2 ** np.arange(31), norms.shape), rtol=1e-9)
    assert decay_rate(norms[0]) == pytest.approx(1.2)


def test_above_one_is_necessary_but_not_sufficient_for_explosion():
    # The same Waa with σ_max = 1.5 explodes without a nonlinearity and not with saturating tanh.
    Waa = init_recurrent_weights(8, np.random.default_rng(1), 1.5)
    _, _, _, _, linear = make_run("identity", n_a=8, T_x=40, Waa=Waa, seed=2, scale=1.0)
    _, _, _, _, saturating = make_run("tanh", n_a=8, T_x=40, Waa=Waa, seed=2, scale=1.0)
    assert np.all(jacobian_norms(linear)[:, -1] > 1e6)
    assert np.all(jacobian_norms(saturating)[:, -1] < 1.0)


def test_decay_rate_is_the_geometric_mean_factor():
    assert decay_rate(0.5 ** np.arange(11)) == pytest.approx(0.5)
    assert decay_rate([2.0, 8.0]) == pytest.approx(4.0)
    with raises("norms"):
        decay_rate([1.0])
    with raises("norms"):
        decay_rate([1.0, 0.0])


# ---------------------------------------------------------------------------------------
# Initialisers and the non-normal example
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("sigma", [0.5, 1.0, 1.5])
def test_init_recurrent_weights_has_the_requested_largest_singular_value(kind, sigma):
    W = init_recurrent_weights(16, np.random.default_rng(0), sigma, kind)
    assert W.shape == (16, 16)
    assert largest_singular_value(W) == pytest.approx(sigma, rel=1e-12)
    if kind == "orthogonal":  # every singular value and every |eigenvalue| equals σ
        np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), sigma, rtol=1e-12)
        assert spectral_radius(W) == pytest.approx(sigma, rel=1e-10)
    else:  # non-normal: the spectral radius is well below σ_max
        assert spectral_radius(W) < 0.8 * sigma


def test_init_recurrent_weights_is_reproducible_and_checks_its_arguments():
    a = init_recurrent_weights(5, np.random.default_rng(7), 0.9)
    b = init_recurrent_weights(5, np.random.default_rng(7), 0.9)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(init_recurrent_weights(5, 7, 0.9), a)  # an int seed is the same draw
    with raises("n_a"):
        init_recurrent_weights(0, np.random.default_rng(0))
    for bad in ("0", 1.5, None):
        with raises("rng"):
            init_recurrent_weights(3, bad)
    with raises("singular_value"):
        init_recurrent_weights(3, np.random.default_rng(0), -1.0)
    with raises("kind", "orthogonal", "gaussian"):
        init_recurrent_weights(3, np.random.default_rng(0), 1.0, "uniform")


def test_scale_to_spectral_radius_sets_rho_and_leaves_w_alone():
    W = np.random.default_rng(0).standard_normal((10, 10))
    before = W.copy()
    scaled = scale_to_spectral_radius(W, 0.9)
    assert spectral_radius(scaled) == pytest.approx(0.9, rel=1e-10)
    assert largest_singular_value(scaled) > 0.9  # a random matrix is not normal
    np.testing.assert_array_equal(W, before)
    with raises("W", "spectral radius 0"):
        scale_to_spectral_radius(np.eye(3, k=1), 0.9)
    with raises("W", "square"):
        scale_to_spectral_radius(np.ones((2, 3)), 0.9)
    with raises("rho"):
        scale_to_spectral_radius(W, 0.0)


def test_non_normal_matrix_has_small_eigenvalues_but_a_large_singular_value_and_transient_growth():
    W = non_normal_matrix(2, eigenvalue=0.9, coupling=1.0)
    assert np.max(np.abs(np.linalg.eigvals(W))) < 1 < largest_singular_value(W)
    powers = [np.linalg.norm(np.linalg.matrix_power(W, k), ord=2) for k in range(80)]
    assert max(powers) > 3  # grows for a while ...
    assert powers[-1] < 0.1  # ... before the eigenvalues win
    # A tanh RNN sitting at its fixed point 0 has exactly these products as its Jacobians.
    parameters = {"Wax": np.zeros((2, 1)), "Waa": W, "ba": np.zeros((2, 1))}
    _, _, caches = rnn_forward(np.zeros((1, 1, 30)), np.zeros((2, 1)), parameters, "tanh")
    np.testing.assert_allclose(jacobian_norms(caches)[0], powers[:31], rtol=1e-12)
    with raises("n_a"):
        non_normal_matrix(1)


# ---------------------------------------------------------------------------------------
# The single unit (Bengio, Simard & Frasconi 1994)
# ---------------------------------------------------------------------------------------


def test_single_unit_gradient_matches_the_rnn_and_its_jacobian_products():
    ws = np.array([0.5, 1.0, 1.5, 3.0])
    gradient, a_T = single_unit_gradient(ws, 12, a0=0.5, b=0.1)
    for w, g, a in zip(ws, gradient, a_T):
        parameters = {"Wax": np.zeros((1, 1)), "Waa": np.array([[w]]), "ba": np.array([[0.1]])}
        states, _, caches = rnn_forward(np.zeros((1, 1, 12)), np.array([[0.5]]), parameters)
        assert a == pytest.approx(states[0, 0, -1], rel=1e-13)
        assert g == pytest.approx(jacobian_products(caches)[0, -1, 0, 0], rel=1e-12)


def test_single_unit_remembers_only_where_its_gradient_vanishes():
    ws = np.linspace(0.2, 4.0, 39)
    gradient, a_up = single_unit_gradient(ws, 50, a0=0.5)
    _, a_down = single_unit_gradient(ws, 50, a0=-0.5)
    remembers = np.abs(a_up - a_down) > 0.5  # the sign of a<0> survives 50 steps
    assert np.array_equal(remembers, ws > 1.05)
    assert np.all(np.abs(gradient[remembers]) < 1e-2)  # and there the gradient vanished
    assert np.all(np.abs(gradient[ws < 0.9]) < 1e-2)  # below 1 the unit forgets and vanishes too
    with raises("T"):
        single_unit_gradient(1.0, 0)
    with raises("w"):
        single_unit_gradient(np.ones((2, 2)), 3)


# ---------------------------------------------------------------------------------------
# Clipping: by norm keeps the direction, by value turns it
# ---------------------------------------------------------------------------------------


def test_clip_by_norm_keeps_the_direction_and_clip_by_value_turns_it():
    gradients = {"dWaa": np.array([[40.0, 1.0], [0.5, -2.0]]), "dba": np.array([[3.0], [-0.1]])}
    by_norm, norm = clip_by_norm(gradients, 1.0)
    by_value = clip(gradients, 1.0)
    assert norm > 1.0
    assert gradient_angle(gradients, by_norm) == pytest.approx(0.0, abs=1e-6)
    assert gradient_angle(gradients, by_value) > 30.0
    assert gradient_angle(gradients, gradients) == pytest.approx(0.0, abs=1e-6)
    assert gradient_angle({"a": np.array([1.0, 0.0])}, {"a": np.array([0.0, 2.0])}) == pytest.approx(90.0)
    assert gradient_angle({"a": np.array([1.0])}, {"a": np.array([-1.0])}) == pytest.approx(180.0)


@pytest.mark.parametrize("scale", [1e-200, 1e-5, 1.0, 1e200, 1e300])
def test_gradient_angle_is_the_same_at_every_scale(scale):
    g = {"dWaa": scale * np.array([[3.0, -1.0], [0.5, 2.0]]), "dba": scale * np.array([[1.0], [-4.0]])}
    assert gradient_angle(g, g) == 0.0
    assert gradient_angle(g, {k: -v for k, v in g.items()}) == pytest.approx(180.0, abs=1e-12)
    turned = {"dWaa": scale * np.array([[0.0, 0.0], [0.0, 0.0]]), "dba": scale * np.array([[4.0], [1.0]])}
    assert gradient_angle(g, turned) == pytest.approx(gradient_angle(
        {k: v / scale for k, v in g.items()}, {k: v / scale for k, v in turned.items()}), rel=1e-12)
    assert gradient_angle({"a": scale * np.array([1.0, 0.0])}, {"a": scale * np.array([0.0, 3.0])}) == 90.0


def test_gradient_angle_is_accurate_near_zero():
    # arccos of a cosine near 1 loses half the digits; the atan2 form keeps them.
    u = {"a": np.array([1.0, 0.0])}
    v = {"a": np.array([1.0, 1e-9])}
    assert gradient_angle(u, v) == pytest.approx(np.degrees(1e-9), rel=1e-9)


def test_gradient_angle_checks_its_arguments():
    g = {"dWaa": np.ones((2, 2))}
    with raises("other", "keys"):
        gradient_angle(g, {"dba": np.ones((2, 2))})
    with raises("other['dWaa']", "(2, 2)"):
        gradient_angle(g, {"dWaa": np.ones((2, 3))})
    with raises("non-zero"):
        gradient_angle(g, {"dWaa": np.zeros((2, 2))})
    with raises("gradients", "dict"):
        gradient_angle([1.0], g)
    with raises("gradients", "dict"):
        gradient_angle({}, {})
    with raises("other['dWaa']"):
        gradient_angle(g, {"dWaa": None})
    with raises("gradients['dWaa']", "NaN"):
        gradient_angle({"dWaa": np.full((2, 2), np.nan)}, g)


# ---------------------------------------------------------------------------------------
# The trainer's divergence guard
# ---------------------------------------------------------------------------------------


def test_trainer_stops_with_the_step_and_the_norm_instead_of_continuing():
    from course_lib.data import Vocabulary
    from course_lib.data.corpora import agreement_sentences
    from course_lib.train import TrainingDiverged, train_language_model

    corpus = agreement_sentences(40, 0)
    vocabulary = Vocabulary.build(corpus, "word")
    n_y, n_a = len(vocabulary), 8
    rng = np.random.default_rng(0)
    start = {  # states start in tanh's linear region with σ_max = 6: the first gradient explodes
        "Wax": 1e-3 * rng.standard_normal((n_a, n_y)),
        "Waa": init_recurrent_weights(n_a, rng, 6.0),
        "ba": np.zeros((n_a, 1)),
        "Wya": 0.1 * rng.standard_normal((n_y, n_a)),
        "by": np.zeros((n_y, 1)),
    }
    with pytest.raises(TrainingDiverged, match=r"step 1\b.*gradient norm") as info:
        train_language_model(corpus, vocabulary, n_a, 0, steps=5, optimizer="sgd", learning_rate=0.5,
                             parameters=start, progress=False, max_gradient_norm=100.0)
    assert isinstance(info.value, FloatingPointError)
    result = train_language_model(corpus, vocabulary, n_a, 0, steps=5, optimizer="sgd", learning_rate=0.5,
                                  parameters=start, progress=False, clip=("norm", 1.0))
    assert np.all(np.isfinite(result.losses)) and result.gradient_norms[0] > 100.0


# ---------------------------------------------------------------------------------------
# Figures and the explorer
# ---------------------------------------------------------------------------------------


def json_safe(fig):
    json.dumps(fig.to_plotly_json(), allow_nan=False, default=lambda o: None)


def test_figures_replace_what_a_log_axis_cannot_show_with_gaps():
    from course_lib.viz.gradients import (
        agreement_figure,
        clipping_directions_figure,
        gradient_flow_figure,
        single_unit_figure,
        training_runs_figure,
    )

    k = np.arange(4)
    fig = gradient_flow_figure(k, {"σ = 0.5": [1.0, 0.0, np.nan, np.inf]}, bounds={"σ = 0.5": 0.5**k})
    assert fig.data[0].y == (1.0, None, None, None) and fig.layout.yaxis.type == "log"
    assert fig.data[1].line.dash == "dot"
    json_safe(fig)
    json_safe(single_unit_figure(np.array([0.5, 2.0]), {"a": [0.0, 0.9]}, {"g": [1e-30, 0.0]}))
    json_safe(clipping_directions_figure([4.0, 1.0], [1.0, 1.0], [0.97, 0.24], 1.0))
    json_safe(training_runs_figure({"no clipping": [4.0, np.nan]}, {"no clipping": [1e4, np.inf]}, 1.0))
    json_safe(agreement_figure([5, 6], [0.9, 0.6], [1e-2, 1e-3]))
    # Several models: one colour and one legend entry per label across both panels, shaded spans.
    fig = agreement_figure([5, 6, 7], {"a": [1.0, 1.0, np.nan], "b": [0.5, 0.4, 0.6]},
                           {"a": [1e-1, 1e-2, 0.0], "untrained": [0.3, 0.1, 0.03]}, spans={"b": (6, 7)})
    json_safe(fig)
    assert [t.name for t in fig.data] == ["a", "b", "a", "untrained"]
    assert [t.showlegend for t in fig.data] == [True, True, False, True] and fig.layout.showlegend
    assert fig.data[0].line.color == fig.data[2].line.color != fig.data[1].line.color
    assert fig.data[0].y[2] is None and fig.data[2].y[2] is None and fig.layout.yaxis2.type == "log"
    assert [(s.x0, s.x1, s.fillcolor) for s in fig.layout.shapes if s.type == "rect"] == [(5.5, 7.5, fig.data[1].line.color)]
    with raises("accuracy['b']", "(3,)"):
        agreement_figure([5, 6, 7], {"a": [1.0, 1.0, 1.0], "b": [0.5]}, [1.0, 0.1, 0.01])
    with raises("curves['x']"):
        gradient_flow_figure(k, {"x": [1.0, 2.0]})


def test_gradient_flow_is_bounded_by_sigma_to_the_k_and_clipping_scales_it():
    r = gradient_flow(0.9, "singular_value", "gaussian", "tanh", T=30, threshold=1e-3)
    assert r["norms"].shape == (30,) and r["norms"][0] == pytest.approx(1.0)
    assert np.all(r["norms"] <= r["bound"] * (1 + 1e-10))
    assert r["sigma_max"] == pytest.approx(0.9) and r["rho"] < r["sigma_max"]
    assert r["scale"] == pytest.approx(1e-3 / r["total_norm"])
    np.testing.assert_allclose(r["clipped"], r["norms"] * r["scale"])
    r = gradient_flow(1.2, "spectral_radius", "gaussian", "identity", T=30, threshold=1e6)
    assert r["rho"] == pytest.approx(1.2) and r["scale"] == 1.0
    assert decay_rate(r["norms"][10:]) > 1.0  # explodes
    same = gradient_flow(1.2, "spectral_radius", "gaussian", "identity", T=30, threshold=1e6)
    np.testing.assert_array_equal(same["norms"], r["norms"])  # an int seed: the same network every time


def test_gradient_flow_runs_bptt_once_and_its_norms_are_the_cores(monkeypatch):
    from course_lib.gradients import timestep_gradient_norms
    from course_lib.recurrent import backward_steps

    calls = []

    def counting(*args):
        calls.append(1)
        return backward_steps(*args)

    monkeypatch.setattr(dynamics, "backward_steps", counting)
    r = gradient_flow(1.1, "singular_value", "orthogonal", "tanh", T=20, threshold=0.5, n_a=6, n_x=3, seed=3)
    assert len(calls) == 1
    # the same network, rebuilt from the same seed, through the public functions
    rng = np.random.default_rng(3)
    W = init_recurrent_weights(6, rng, 1.0, "orthogonal")
    p = {**initialize_rnn_parameters(3, 6, None, rng, 0.3), "Waa": 1.1 * W}
    x = rng.standard_normal((3, 1, 20))
    u = rng.standard_normal(6)
    da = np.zeros((6, 1, 20))
    da[:, 0, -1] = u / np.linalg.norm(u)
    _, _, caches = rnn_forward(x, np.zeros((6, 1)), p)
    np.testing.assert_allclose(r["norms"], timestep_gradient_norms(da, caches)[::-1], rtol=1e-13)
    gradients = rnn_backward(da, caches)
    _, norm = clip_by_norm({k: gradients[k] for k in ("dWax", "dWaa", "dba")}, 0.5)
    assert r["total_norm"] == pytest.approx(norm, rel=1e-13)


@pytest.mark.parametrize("kwargs, argument", [
    (dict(value=0.0), "value"), (dict(value=None), "value"), (dict(value="1.0"), "value"),
    (dict(setting="eigenvalue"), "setting"), (dict(kind="uniform"), "kind"),
    (dict(activation="sigmoid"), "activation"), (dict(T=0), "T"), (dict(T=2.5), "T"),
    (dict(threshold=-1.0), "threshold"), (dict(n_a=0), "n_a"), (dict(n_x=True), "n_x"),
    (dict(seed="0"), "seed"), (dict(cell="gruu"), "cell"), (dict(cell=TOY), "Waa"),
    (dict(value=50.0, T=1000, activation="identity"), "overflow"),
])
def test_gradient_flow_refuses_bad_arguments(kwargs, argument):
    with raises(argument):
        gradient_flow(**{"value": 0.9, **kwargs})


def test_gradient_explorer_rewrites_its_one_figure_in_place():
    from course_lib.widgets import GradientExplorer

    explorer = GradientExplorer(value=0.9, T=20)
    fig = explorer.figure_widget
    assert "course-gradient-explorer" in explorer.widget._dom_classes
    first = fig.data[0].y
    explorer.activation.value = "identity"
    explorer.value.value = 1.3
    assert explorer.figure_widget is fig and fig.data[0].y != first
    assert "σ_max(Waa) = 1.30" in fig.layout.title.text
    explorer.T.value = 40
    assert len(fig.data[0].x) == 40
    json_safe(go_figure(fig))
    snapshot = explorer.snapshot()
    assert len(snapshot.frames) == 21 and len(snapshot.layout.sliders[0].steps) == 21
    json_safe(snapshot)


def test_gradient_explorer_title_says_whether_the_gradient_was_clipped():
    from course_lib.widgets import GradientExplorer

    # σ_max = 0.5 over 5 steps of tanh: ‖g‖ is far below a threshold of 10⁴.
    explorer = GradientExplorer(value=0.5, kind="orthogonal", activation="tanh", T=5, threshold=1e4)
    assert explorer.result["total_norm"] < 1e4
    title = explorer.figure_widget.layout.title.text
    assert "not clipped" in title and "clipped by" not in title
    # identity with an orthogonal Waa, σ_max = ρ = 1.5, over 100 steps: ‖g‖ ~ 1.5^100, far above 10⁻².
    explorer.activation.value = "identity"
    explorer.value.value = 1.5
    explorer.T.value = 100
    explorer.threshold.value = 1e-2
    assert explorer.result["total_norm"] > 1e10
    title = explorer.figure_widget.layout.title.text
    assert "clipped by" in title and "not clipped" not in title
    np.testing.assert_allclose(explorer.figure_widget.data[1].y, explorer.result["clipped"], rtol=1e-12)


@pytest.mark.parametrize("kwargs, argument", [
    (dict(T=2000), "T must be from 5 to 100"), (dict(T=47), "T must be one of 5, 10"), (dict(T=None), "T"),
    (dict(value=3.0), "value must be from 0.5 to 1.5"), (dict(value=None), "value"),
    (dict(threshold=1e9), "threshold"), (dict(threshold="1"), "threshold"),
    (dict(setting="eigenvalue"), r"setting must be one of \['singular_value', 'spectral_radius'\]"),
    (dict(kind=None), "kind"), (dict(activation="sigmoid"), "activation must be one of"),
    (dict(seed=None), "seed"), (dict(cell=TOY), "Waa"),
])
def test_gradient_explorer_refuses_what_its_controls_cannot_show(kwargs, argument):
    from course_lib.widgets import GradientExplorer

    with pytest.raises(ValueError, match=argument):
        GradientExplorer(**kwargs)


def go_figure(fig):
    import plotly.graph_objects as go

    return go.Figure(fig)


def test_jacobian_products_of_the_lstm_memory_are_finite_differences_of_c():
    # state="c": ∂c<T>/∂c<t> with a<t> held fixed, every path through the later steps included.
    rng = np.random.default_rng(8)
    n_x, n_a, m, T_x = 3, 4, 2, 6
    p = get_cell("lstm").initialize(n_x, n_a, None, rng, 0.8)
    x = rng.standard_normal((n_x, m, T_x))
    initial = (rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m)))
    a, caches = run_forward(x, p, "lstm", initial)
    products = jacobian_products(caches, state="c")
    np.testing.assert_allclose(products[:, 0], np.broadcast_to(np.eye(n_a), (m, n_a, n_a)))
    for start in (0, 3):
        a_start, c_start = (initial if start == 0 else (a[:, :, start - 1], caches.c[:, :, start - 1]))
        eps = 1e-6
        for j in range(n_a):
            e = np.zeros((n_a, m))
            e[j] = eps
            plus = run_forward(x[:, :, start:], p, "lstm", (a_start, c_start + e))[1].c[:, :, -1]
            minus = run_forward(x[:, :, start:], p, "lstm", (a_start, c_start - e))[1].c[:, :, -1]
            column = (plus - minus) / (2 * eps)
            np.testing.assert_allclose(products[:, T_x - start, :, j], column.T, rtol=1e-6, atol=1e-9)
    assert not np.allclose(products, jacobian_products(caches))  # not the hidden state's
    np.testing.assert_array_equal(jacobian_norms(caches, state="a"), jacobian_norms(caches))
    with pytest.raises(ValueError, match="state"):
        jacobian_norms(caches, state="h")
