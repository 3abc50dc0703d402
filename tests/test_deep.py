"""course_lib.deep: stacked layers of any cell, equal and unequal sizes, their BPTT checked by
finite differences, the gradient reaching every layer, bad input, no in-place change."""

import copy
import re

import numpy as np
import pytest

from course_lib.deep import (
    StackedCaches,
    initialize_stacked_parameters,
    layer_gradient_norms,
    layer_state_gradients,
    stacked_backward,
    stacked_forward,
)
from course_lib.gru import gru_forward
from course_lib.lstm import lstm_forward
from course_lib.recurrent import cell_names, get_cell, run_forward
from course_lib.rnn import rnn_forward
from tests.gradcheck import numerical_gradient, relative_error

CELLS = cell_names()
SIZES = {"1 layer": [3], "2 equal": [3, 3], "3 unequal": [3, 2, 4]}


def raises(*fragments):
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


def setup(cell, sizes, n_x=2, m=2, T_x=3, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    layers = initialize_stacked_parameters(n_x, sizes, cell, rng, scale)  # biases random too
    return rng.standard_normal((n_x, m, T_x)), layers, rng


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("sizes", SIZES.values(), ids=SIZES.keys())
def test_stacked_backward_matches_finite_differences(cell, sizes):
    x, layers, rng = setup(cell, sizes)
    a_top, caches = stacked_forward(x, layers, cell)
    G = rng.standard_normal(a_top.shape)  # a random upstream gradient: J = Σ G * a[L]
    the_cell = get_cell(cell)

    def loss(x_, layers_):
        return float(np.sum(G * stacked_forward.unchecked(x_, layers_, the_cell)[0]))

    dx, layer_gradients = stacked_backward(G, caches)
    assert len(layer_gradients) == len(sizes)
    errors = {"dx": relative_error(dx, numerical_gradient(lambda v: loss(v, layers), x))}
    for l, (p, grads) in enumerate(zip(layers, layer_gradients)):
        assert set(grads) == set(the_cell.gradient_keys())
        for k in p:
            def f(v, l=l, k=k):
                return loss(x, [{**q, k: v} if j == l else q for j, q in enumerate(layers)])

            errors[f"layer {l} d{k}"] = relative_error(grads["d" + k], numerical_gradient(f, p[k]))
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-7, (worst, errors[worst])


@pytest.mark.parametrize("cell", CELLS)
def test_each_layer_reads_the_hidden_states_of_the_one_below(cell):
    x, layers, _ = setup(cell, [3, 2, 4], T_x=4)
    a_top, caches = stacked_forward(x, layers, cell)
    assert isinstance(caches, StackedCaches) and caches.layer_sizes == [3, 2, 4]
    h = x
    for l, p in enumerate(layers):
        h, _ = run_forward(h, p, cell)
        np.testing.assert_array_equal(caches.hidden_states[l], h)
        np.testing.assert_array_equal(caches.layers[l].state(get_cell(cell).hidden), h)
    np.testing.assert_array_equal(a_top, h)
    np.testing.assert_array_equal(caches.layers[1].x, caches.hidden_states[0])


def test_the_tutorials_a2_3_from_its_equation():
    x, layers, _ = setup("rnn", [3, 3], T_x=4)
    _, caches = stacked_forward(x, layers, "rnn")
    a1, a2 = caches.hidden_states
    p = layers[1]
    Wa = np.concatenate([p["Waa"], p["Wax"]], axis=1)  # Wa[2] acts on [a[2]<t-1>; a[1]<t>]
    column = np.concatenate([a2[:, :, 1], a1[:, :, 2]])  # [a[2]<2>; a[1]<3>]
    np.testing.assert_allclose(a2[:, :, 2], np.tanh(Wa @ column + p["ba"]), rtol=1e-14)  # a[2]<3>


def test_a_one_layer_stack_is_the_cells_own_forward_bit_for_bit():
    x, (p,), _ = setup("rnn", [3], T_x=5)
    np.testing.assert_array_equal(stacked_forward(x, [p], "rnn")[0], rnn_forward(x, np.zeros((3, 2)), p)[0])
    x, (p,), _ = setup("gru", [3], T_x=5)
    np.testing.assert_array_equal(stacked_forward(x, [p], "gru")[0], gru_forward(x, np.zeros((3, 2)), p)[0])
    x, (p,), _ = setup("lstm", [3], T_x=5)
    np.testing.assert_array_equal(stacked_forward(x, [p], "lstm")[0], lstm_forward(x, np.zeros((3, 2)), p)[0])


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_the_gradient_reaching_every_layer_is_the_finite_difference_of_its_states(cell):
    x, layers, rng = setup(cell, [3, 2], T_x=3)
    a_top, caches = stacked_forward(x, layers, cell)
    G = rng.standard_normal(a_top.shape)
    d_hidden = layer_state_gradients(G, caches)
    assert [d.shape for d in d_hidden] == [(3, 2, 3), (2, 2, 3)]
    np.testing.assert_array_equal(d_hidden[1][:, :, -1], G[:, :, -1])  # at T_x the top layer gets only G
    # Layer 0's: what reaches its states from above (finite differences of layer 1's loss in
    # its inputs), carried back through layer 0's own recurrence by the driver's loop.
    hidden = caches.hidden_states[0]

    def loss_of_layer0_states(h):
        return float(np.sum(G * run_forward(h, layers[1], cell)[0]))

    from_above = numerical_gradient(loss_of_layer0_states, hidden)
    _, layer0 = run_forward(x, layers[0], cell)
    from course_lib.recurrent import backward_steps

    steps = backward_steps(from_above, layer0)
    assert relative_error(d_hidden[0], steps.d_states[get_cell(cell).hidden]) < 1e-7
    norms = layer_gradient_norms(G, caches)
    assert norms.shape == (2, 3)
    np.testing.assert_allclose(norms, [[np.linalg.norm(d[:, :, t]) for t in range(3)] for d in d_hidden], rtol=1e-14)


def test_a_gradient_from_the_last_step_reaches_back_in_time_and_down_in_depth():
    x, layers, _ = setup("rnn", [4, 4, 4], T_x=6, scale=0.4)
    a_top, caches = stacked_forward(x, layers, "rnn")
    G = np.zeros(a_top.shape)
    G[:, :, -1] = 1.0  # the loss reads a[L]<T_x> only
    norms = layer_gradient_norms(G, caches)
    assert np.all(norms[:, -1] > 0)
    assert norms[-1, -1] > norms[-1, 0] and norms[-1, -1] > norms[0, -1]  # it fades back in time and down the stack


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_nothing_is_modified_in_place(cell):
    x, layers, rng = setup(cell, [3, 2])
    before = copy.deepcopy((x, layers))
    a_top, caches = stacked_forward(x, layers, cell)
    G = rng.standard_normal(a_top.shape)
    G_before, states_before = G.copy(), [h.copy() for h in caches.hidden_states]
    stacked_backward(G, caches)
    layer_gradient_norms(G, caches)
    np.testing.assert_array_equal(G, G_before)
    for h, h0 in zip(caches.hidden_states, states_before):
        np.testing.assert_array_equal(h, h0)
    np.testing.assert_array_equal(x, before[0])
    for p, q in zip(layers, before[1]):
        assert all(np.array_equal(p[k], q[k]) for k in q)


def test_bad_input_names_the_argument():
    x, layers, _ = setup("rnn", [3, 2])
    with raises("layer_parameters[1]", '["Wax"]', "(2, 3)", "n_a = 3", "(2, 4)"):
        stacked_forward(x, [layers[0], initialize_stacked_parameters(4, [2], "rnn", 0)[0]])
    gru_layers = initialize_stacked_parameters(2, [3, 2], "gru", 0)
    bad = initialize_stacked_parameters(5, [2], "gru", 0)[0]
    with raises("layer_parameters[1]", '["Wr"]', "(2, 5)", "(2, 7)"):
        stacked_forward(x, [gru_layers[0], bad], "gru")
    with raises("layer_parameters[0]", "Waa"):
        stacked_forward(x, [{k: v for k, v in layers[0].items() if k != "Waa"}, layers[1]])
    with raises("layer_parameters", "non-empty list"):
        stacked_forward(x, [])
    with raises("layer_parameters", "list"):
        stacked_forward(x, layers[0])
    with raises("x", "(n_x, m, T_x)"):
        stacked_forward(x[:1], layers)
    with raises("cell"):
        stacked_forward(x, layers, "transformer")
    a_top, caches = stacked_forward(x, layers)
    with raises("da_top", "(n_a, m, T_x) = (2, 2, 3)"):
        stacked_backward(np.ones((3, 2, 3)), caches)
    with raises("caches", "StackedCaches"):
        stacked_backward(a_top, caches.layers[-1])
    with raises("layer_sizes"):
        initialize_stacked_parameters(2, [], "rnn", 0)
    with raises("layer_sizes[1]"):
        initialize_stacked_parameters(2, [3, 0], "rnn", 0)
