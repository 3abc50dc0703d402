"""The five architectures: shapes, length rules, feedback, the encoder–decoder hand-over,
their gradients for any cell, the unrolled diagram and the explorer's wiring.

Also the toy cell (other keys, two states, another output layer) that the other test
files import to check that a cell other than the RNN works everywhere.
"""

import json
from typing import NamedTuple

import numpy as np
import pytest

from course_lib._validate import check_letters, float_parameters
from course_lib.activations import softmax
from course_lib.architectures import (
    ARCHITECTURES,
    architecture_shapes,
    array_letters,
    check_lengths,
    encoder_decoder,
    encoder_decoder_gradients,
    fit_lengths,
    many_to_many,
    many_to_one,
    many_to_one_gradients,
    one_to_many,
    one_to_one,
    parameter_letters,
)
from course_lib.gradients import gradient_check
from course_lib.recurrent import (
    Cell,
    SequenceCache,
    add_bias,
    cell_names,
    matmul_steps,
    outer_sum,
    run_forward,
    sum_steps,
)
from course_lib.rnn import initialize_rnn_parameters, rnn_cell_forward
from course_lib.viz.architectures import unrolled_diagram

TOL = 1e-7
EPSILON = 1e-5  # as in test_rnn: balances truncation and rounding in float64

# ---------------------------------------------------------------------------------------
# A toy cell with other keys, two states and another output layer: what the GRU and the
# LSTM will look like to these modules (imported by the other test files too)
# ---------------------------------------------------------------------------------------


class ToyCache(NamedTuple):
    xt: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    h_next: np.ndarray
    c_next: np.ndarray
    c_tilde: np.ndarray
    parameters: dict


def _toy_check(parameters, name="parameters"):
    p = float_parameters(name, parameters, ("Wc", "bc"), ("Wy", "by"))
    n_a = check_letters(f'{name}["Wc"]', p["Wc"], "(n_a, n_a + n_x)").shape[0]
    if p["Wc"].shape[1] <= n_a:
        raise ValueError(f'{name}["Wc"] must have shape (n_a, n_a + n_x), got {p["Wc"].shape}')
    check_letters(f'{name}["bc"]', p["bc"], "(n_a, 1)", n_a=n_a)
    if "Wy" in p:
        n_y = check_letters(f'{name}["Wy"]', p["Wy"], "(n_y, n_a)", n_a=n_a).shape[0]
        check_letters(f'{name}["by"]', p["by"], "(n_y, 1)", n_y=n_y)
    return p


def _toy_init(n_x, n_a, n_y, rng, scale=0.1):
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    shapes = {"Wc": (n_a, n_a + n_x), "bc": (n_a, 1)}
    if n_y is not None:
        shapes.update(Wy=(n_y, n_a), by=(n_y, 1))
    return {k: scale * rng.standard_normal(s) for k, s in shapes.items()}


def _toy_input_term(p, x):
    n_a = p["bc"].shape[0]
    return add_bias(matmul_steps(p["Wc"][:, n_a:], x), p["bc"])


def _toy_forward_step(p, options):
    n_a = p["bc"].shape[0]
    W_h = p["Wc"][:, :n_a]

    def step(u_t, states):
        h_prev, c_prev = states
        c_tilde = np.tanh(W_h @ h_prev + u_t)  # c~<t> = tanh(Wc [h<t-1>; x<t>] + bc)
        c_next = 0.5 * c_prev + c_tilde  # c<t> = c<t-1> / 2 + c~<t>
        h_next = np.tanh(c_next)  # h<t> = tanh(c<t>)
        return (h_next, c_next), (h_next, c_next, c_tilde)

    return step


def _toy_backward_step(caches):
    n_a = caches.parameters["bc"].shape[0]
    W_h_T = caches.parameters["Wc"][:, :n_a].T
    h, c_tilde = caches.state("h"), caches.arrays["c_tilde"]

    def step(d_states, t):
        dh, dc = d_states
        dc = dc + dh * (1 - h[:, :, t] ** 2)
        dz = dc * (1 - c_tilde[:, :, t] ** 2)
        return (W_h_T @ dz, 0.5 * dc), (dz,)

    return step


def _toy_parameter_gradients(local, cache, input_gradient=True):
    dz = local["dz"]
    n_a = cache.parameters["bc"].shape[0]
    return {
        "dxt": matmul_steps(cache.parameters["Wc"][:, n_a:].T, dz) if input_gradient else None,
        "dWc": np.concatenate([outer_sum(dz, cache.h_prev), outer_sum(dz, cache.xt)], axis=1),
        "dbc": sum_steps(dz),
    }


TOY = Cell(
    name="toy", parameter_keys=("Wc", "bc"), output_keys=("Wy", "by"), states=("h", "c"), hidden="h",
    cache_type=ToyCache, check_parameters=_toy_check,
    sizes=lambda p: (p["Wc"].shape[1] - p["Wc"].shape[0], p["Wc"].shape[0]),
    initialize=_toy_init, forward_step=_toy_forward_step, step_fields=("h_next", "c_next", "c_tilde"),
    backward_step=_toy_backward_step, local_names=("dz",), parameter_gradients=_toy_parameter_gradients,
    input_term=_toy_input_term, options={},
)
CELLS = [*cell_names(), TOY]  # every registered cell, and the toy one


SIZES = [  # n_x, n_a, n_y, m, T_x, T_y
    (3, 4, 3, 1, 1, 1),
    (5, 2, 5, 3, 4, 6),
    (4, 6, 4, 2, 7, 2),
]


def params(n_x, n_a, n_y, seed=0):
    return initialize_rnn_parameters(n_x, n_a, n_y, np.random.default_rng(seed), scale=0.5)


def inputs(n_x, m, T_x, seed=1):
    return np.random.default_rng(seed).standard_normal((n_x, m, T_x))


def run(name, n_x, n_a, n_y, m, T_x, T_y):
    """Run the model ``name`` on random data; return {array name: array} like architecture_shapes."""
    p = params(n_x, n_a, n_y)
    x = inputs(n_x, m, T_x)
    named = {f'parameters["{k}"]': v for k, v in p.items()}
    if name == "one_to_one":
        a, y_pred, _ = one_to_one(x, p)
        return {"x": x, "a": a, "y_pred": y_pred, **named}
    if name == "one_to_many":
        a, y_pred, caches = one_to_many(x, p, T_y)
        return {"x": x, "caches.x": caches.x, "a": a, "y_pred": y_pred, **named}
    if name == "many_to_one":
        a, y_pred, _ = many_to_one(x, p)
        return {"x": x, "a": a, "y_pred": y_pred, **named}
    if name == "many_to_many":
        a, y_pred, _ = many_to_many(x, p)
        return {"x": x, "a": a, "y_pred": y_pred, **named}
    enc = params(n_x, n_a, None, seed=2)
    dec = params(n_y, n_a, n_y, seed=3)
    a_enc, a_dec, y_pred, caches = encoder_decoder(x, enc, dec, T_y)
    return {"x": x, "a_encoder": a_enc, "caches.decoder.x": caches.decoder.x, "a_decoder": a_dec,
            "y_pred": y_pred, **{f'encoder_parameters["{k}"]': v for k, v in enc.items()},
            **{f'decoder_parameters["{k}"]': v for k, v in dec.items()}}


# ---------------------------------------------------------------------------------------
# Shapes and length rules
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ARCHITECTURES))
@pytest.mark.parametrize("sizes", SIZES)
def test_every_model_returns_the_shapes_architecture_shapes_lists(name, sizes):
    n_x, n_a, n_y, m, T_x, T_y = sizes
    T_x, T_y = fit_lengths(name, T_x, T_y)
    expected = architecture_shapes(name, n_x, n_a, n_y, m, T_x, T_y)
    arrays = run(name, n_x, n_a, n_y, m, T_x, T_y)
    assert {k: v.shape for k, v in arrays.items()} == expected
    y_pred = arrays["y_pred"]
    assert np.allclose(y_pred.sum(axis=0), 1.0)


def test_architecture_shapes_in_letters():
    shapes = architecture_shapes("encoder_decoder", n_x=10, n_a=16, n_y=3, m=32, T_x=6, T_y=4)
    assert shapes["x"] == (10, 32, 6) and shapes["a_encoder"] == (16, 32, 6)
    assert shapes["a_decoder"] == (16, 32, 4) and shapes["y_pred"] == (3, 32, 4)
    assert shapes['encoder_parameters["Wax"]'] == (16, 10)
    assert shapes['decoder_parameters["Wax"]'] == (16, 3)  # the decoder reads its outputs
    assert architecture_shapes("many_to_one", 10, 16, 3, 32, 6, 1)["y_pred"] == (3, 32, 1)


@pytest.mark.parametrize("name, asked, allowed", [
    ("one_to_one", (5, 4), (1, 1)),
    ("one_to_many", (5, 4), (1, 4)),
    ("many_to_one", (5, 4), (5, 1)),
    ("many_to_many", (5, 4), (5, 5)),
    ("encoder_decoder", (5, 4), (5, 4)),
])
def test_fit_lengths_applies_each_rule(name, asked, allowed):
    assert fit_lengths(name, *asked) == allowed
    assert check_lengths(name, *allowed) == allowed


@pytest.mark.parametrize("call, argument", [
    (lambda: check_lengths("one_to_one", 2, 1), "T_x"),
    (lambda: check_lengths("one_to_many", 3, 4), "T_x"),
    (lambda: check_lengths("many_to_one", 3, 2), "T_y"),
    (lambda: check_lengths("many_to_many", 3, 4), "T_y"),
    (lambda: check_lengths("encoder_decoder", 3, 0), "T_y"),
    (lambda: check_lengths("two_to_two", 1, 1), "name"),
    (lambda: architecture_shapes("one_to_many", 4, 5, 3, 2, 1, 3), "n_y"),
    (lambda: architecture_shapes("many_to_one", 4, 5, 3, 0, 3, 1), "m"),
    (lambda: one_to_one(inputs(3, 2, 2), params(3, 4, 2)), "x"),
    (lambda: one_to_many(inputs(3, 2, 2), params(3, 4, 3), 4), "x"),
    (lambda: one_to_many(inputs(3, 2, 1), params(3, 4, 3), 0), "T_y"),
    (lambda: one_to_many(inputs(3, 2, 1), params(3, 4, 2), 4), "parameters"),
    (lambda: many_to_one(inputs(3, 2, 4)[:, :, 0], params(3, 4, 2)), "x"),
    (lambda: many_to_many(inputs(3, 2, 4), params(3, 4, None)), "parameters"),
    (lambda: encoder_decoder(inputs(3, 2, 4), params(3, 4, None), params(2, 5, 2), 3), "decoder_parameters"),
    (lambda: encoder_decoder(inputs(3, 2, 4), params(3, 4, None), params(3, 4, 2), 3), "decoder_parameters"),
    (lambda: encoder_decoder(inputs(3, 2, 4), params(3, 4, None), params(2, 4, 2), 0), "T_y"),
    (lambda: many_to_one_gradients(inputs(3, 2, 4), np.array([0, 2]), params(3, 4, 2)), "y"),
    (lambda: encoder_decoder_gradients(inputs(3, 2, 4), np.zeros((2, 3)), params(3, 4, None), params(2, 4, 2)), "y"),
])
def test_bad_input_raises_a_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# ---------------------------------------------------------------------------------------
# What each model does
# ---------------------------------------------------------------------------------------


def test_one_to_one_is_a_standard_network_waa_takes_no_part():
    p = params(4, 5, 3)
    x = inputs(4, 6, 1)
    _, y_pred, _ = one_to_one(x, p)
    _, y_other, _ = one_to_one(x, {**p, "Waa": 100 * p["Waa"]})
    hidden = np.tanh(p["Wax"] @ x[:, :, 0] + p["ba"])
    assert np.array_equal(y_pred, y_other)
    assert np.allclose(y_pred[:, :, 0], softmax(p["Wya"] @ hidden + p["by"]), rtol=0, atol=1e-15)


def cycle_parameters(n=3, gain=5.0):
    """A cell that reads token k and predicts token k+1 (mod n): a<t> = tanh(gain · x<t>)."""
    return {
        "Wax": gain * np.eye(n), "Waa": np.zeros((n, n)), "ba": np.zeros((n, 1)),
        "Wya": gain * np.roll(np.eye(n), 1, axis=0), "by": np.zeros((n, 1)),
    }


def test_one_to_many_feeds_its_output_back_as_the_next_input():
    x1 = np.zeros((3, 2, 1))
    x1[0, 0, 0] = 1.0  # example 0 starts at token 0
    x1[2, 1, 0] = 1.0  # example 1 starts at token 2
    _, y_pred, caches = one_to_many(x1, cycle_parameters(), T_y=5)
    predicted = y_pred.argmax(axis=0)  # (m, T_y)
    assert predicted.tolist() == [[1, 2, 0, 1, 2], [0, 1, 2, 0, 1]]
    read = caches.x.argmax(axis=0)  # the inputs the cell read: x<1>, then its own outputs
    assert read.tolist() == [[0, 1, 2, 0, 1], [2, 0, 1, 2, 0]]
    assert np.array_equal(caches.x[:, :, 1:].argmax(axis=0), predicted[:, :-1])
    assert set(np.unique(caches.x[:, :, 1:])) == {0.0, 1.0}  # one-hot vectors, not ŷ


def test_many_to_one_is_the_last_step_of_many_to_many():
    p = params(4, 5, 3)
    x = inputs(4, 3, 6)
    a, y_pred, _ = many_to_one(x, p)
    a_all, y_all, _ = many_to_many(x, p)
    assert np.array_equal(a, a_all)
    assert np.allclose(y_pred[:, :, 0], y_all[:, :, -1], rtol=0, atol=1e-15)


def test_encoder_decoder_starts_the_decoder_from_the_encoders_last_state():
    enc, dec = params(4, 5, None, seed=2), params(3, 5, 3, seed=3)
    x = inputs(4, 2, 6)
    a_enc, a_dec, y_pred, caches = encoder_decoder(x, enc, dec, T_y=3)
    assert np.array_equal(caches.decoder.a0, a_enc[:, :, -1])
    a1, y1, _ = rnn_cell_forward(np.zeros((3, 2)), a_enc[:, :, -1], dec)  # x<1> = 0
    assert np.allclose(a_dec[:, :, 0], a1, rtol=0, atol=1e-15)
    assert np.allclose(y_pred[:, :, 0], y1, rtol=0, atol=1e-15)
    # the decoder reads its own previous output, as one_to_many does
    assert np.array_equal(caches.decoder.x[:, :, 1:].argmax(axis=0), y_pred[:, :, :-1].argmax(axis=0))
    # and it knows the input only through a<T_x>: change x<1>, the outputs change
    x2 = x.copy()
    x2[:, :, 0] += 1.0
    assert not np.allclose(encoder_decoder(x2, enc, dec, 3)[2], y_pred)


def test_encoder_output_layer_is_ignored():
    enc, dec = params(4, 5, 2, seed=2), params(3, 5, 3, seed=3)
    x = inputs(4, 2, 6)
    with_output = encoder_decoder(x, enc, dec, 3)[2]
    without = encoder_decoder(x, {k: enc[k] for k in ("Wax", "Waa", "ba")}, dec, 3)[2]
    assert np.array_equal(with_output, without)


def test_models_do_not_modify_their_inputs():
    p = params(3, 4, 3)
    x = inputs(3, 2, 1)
    before = {k: v.copy() for k, v in p.items()}, x.copy()
    one_to_many(x, p, 4)
    one_to_one(x, p)
    assert all(np.array_equal(p[k], before[0][k]) for k in p) and np.array_equal(x, before[1])


# ---------------------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------------------


def test_many_to_one_gradients_match_finite_differences_and_reach_a_T_x_only():
    p = params(4, 5, 3)
    x = inputs(4, 3, 5)
    y = np.array([0, 2, 1])
    J, gradients, da = many_to_one_gradients(x, y, p, input_gradient=True)
    assert np.all(da[:, :, :-1] == 0) and np.any(da[:, :, -1] != 0)
    assert np.all(np.abs(gradients["dx"][:, :, 0]) > 0)  # yet the first input gets a gradient

    def loss(**changed):
        return many_to_one_gradients(x, y, {**p, **changed})[0]

    checks = {name: gradient_check(lambda v: loss(**{name: v}), p[name], gradients["d" + name], EPSILON)
              for name in p}
    checks["dx"] = gradient_check(lambda v: many_to_one_gradients(v, y, p)[0], x, gradients["dx"], EPSILON)
    assert max(checks.values()) < TOL, checks
    # without input_gradient: the parameter gradients alone, what an optimiser takes, the same numbers
    _, parameter_gradients, _ = many_to_one_gradients(x, y, p)
    assert list(parameter_gradients) == ["d" + k for k in p]
    assert all(np.array_equal(parameter_gradients[k], gradients[k]) for k in parameter_gradients)
    # one-hot labels give the same loss
    assert np.isclose(many_to_one_gradients(x, np.eye(3)[:, y], p)[0], J)


def test_encoder_decoder_gradients_match_finite_differences():
    enc, dec = params(4, 5, None, seed=2), params(3, 5, 3, seed=3)
    x = inputs(4, 2, 4)
    y = np.array([[0, 2, 1], [1, 1, 0]])
    J, g_enc, g_dec = encoder_decoder_gradients(x, y, enc, dec)
    checks = {}
    for name in enc:
        checks["encoder d" + name] = gradient_check(
            lambda v: encoder_decoder_gradients(x, y, {**enc, name: v}, dec)[0], enc[name],
            g_enc["d" + name], EPSILON)
    for name in dec:
        checks["decoder d" + name] = gradient_check(
            lambda v: encoder_decoder_gradients(x, y, enc, {**dec, name: v})[0], dec[name],
            g_dec["d" + name], EPSILON)
    assert max(checks.values()) < TOL, checks


# ---------------------------------------------------------------------------------------
# The diagram
# ---------------------------------------------------------------------------------------


def named(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


@pytest.mark.parametrize("name, T_x, T_y", [
    ("one_to_one", 1, 1), ("one_to_many", 1, 6), ("many_to_one", 7, 1),
    ("many_to_many", 4, 4), ("encoder_decoder", 5, 3), ("encoder_decoder", 10, 10),
])
def test_diagram_draws_T_x_inputs_and_T_y_outputs(name, T_x, T_y):
    fig = unrolled_diagram(name, T_x, T_y)
    assert [a.text for a in named(fig, "x")] == [f"x<{t}>" for t in range(1, T_x + 1)]
    assert [a.text for a in named(fig, "y")] == [f"ŷ<{t}>" for t in range(1, T_y + 1)]
    assert [a.text for a in named(fig, "a0")] == ["a<0>"]
    n_cells = T_x + T_y if name == "encoder_decoder" else max(T_x, T_y)
    assert len(named(fig, "a")) == n_cells
    assert len(fig.data) == 0
    assert f"T_x = {T_x}, T_y = {T_y}" in fig.layout.title.text
    json.dumps(fig.to_plotly_json(), allow_nan=False)  # JSON-safe: no NaN, no inf


@pytest.mark.parametrize("name, T_x, T_y, n_feedback", [
    ("one_to_one", 1, 1, 0), ("one_to_many", 1, 6, 5), ("many_to_one", 7, 1, 0),
    ("many_to_many", 4, 4, 0), ("encoder_decoder", 5, 3, 2),
])
def test_diagram_feeds_back_where_the_model_generates(name, T_x, T_y, n_feedback):
    fig = unrolled_diagram(name, T_x, T_y)
    curves = [s for s in fig.layout.shapes if s.name == "feedback"]
    assert len(curves) == n_feedback
    roles = {s.name for s in fig.layout.shapes if s.type == "rect"}
    assert roles == ({"encoder", "decoder"} if name == "encoder_decoder" else {"cell"})
    if name == "encoder_decoder":
        assert [a.text for a in named(fig, "start")] == ["0"]  # the decoder's x<1> = 0


def test_diagram_arrows_point_forward_in_time_and_up():
    fig = unrolled_diagram("many_to_many", 3, 3)
    for arrow in named(fig, "arrow"):
        assert arrow.x > arrow.ax or arrow.y > arrow.ay  # rightwards (a<t-1> → a<t>) or upwards


@pytest.mark.parametrize("name, T_x, T_y", [("many_to_many", 10, 10), ("encoder_decoder", 10, 10),
                                          ("one_to_one", 1, 1)])
def test_diagram_fits_a_notebook_column_and_its_boxes_do_not_touch(name, T_x, T_y):
    from course_lib.viz.architectures import MAX_WIDTH, MIN_WIDTH

    fig = unrolled_diagram(name, T_x, T_y)
    assert MIN_WIDTH <= fig.layout.width <= MAX_WIDTH
    boxes = sorted((s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect")
    assert all(right < next_left for (_, right), (next_left, _) in zip(boxes, boxes[1:]))
    assert min(a.font.size for a in fig.layout.annotations if a.font.size) >= 9


def test_diagram_rejects_lengths_the_architecture_forbids():
    with pytest.raises(ValueError, match="T_x"):
        unrolled_diagram("one_to_many", 3, 4)
    with pytest.raises(ValueError, match="name"):
        unrolled_diagram("sideways", 3, 4)


# ---------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------


def test_explorer_controls_redraw_the_figure_and_the_table():
    from course_lib.widgets import ArchitectureExplorer

    explorer = ArchitectureExplorer("many_to_one", T_x=5, T_y=3, n_x=10, n_a=16, n_y=3, m=32)
    fig = explorer.figure_widget
    assert "course-architecture-explorer" in explorer.widget._dom_classes
    assert len(named(fig, "x")) == 5 and len(named(fig, "y")) == 1
    assert explorer.T_y.disabled and not explorer.T_x.disabled and explorer.T_y.value == 1
    assert "(3, 32, 1)" in explorer.table.value

    explorer.T_x.value = 8
    assert len(named(fig, "x")) == 8 and "(10, 32, 8)" in explorer.table.value

    explorer.architecture.value = "many_to_many"  # T_y follows T_x
    assert explorer.T_y.value == 8 and explorer.T_y.disabled
    assert len(named(fig, "y")) == 8

    explorer.architecture.value = "encoder_decoder"  # T_y free again: back to the 3 asked for
    assert (explorer.T_x.value, explorer.T_y.value) == (8, 3) and not explorer.T_y.disabled
    explorer.T_y.value = 6
    assert len(named(fig, "y")) == 6 and len(named(fig, "x")) == 8
    assert "encoder" in fig.layout.title.text and "(16, 32, 6)" in explorer.table.value

    explorer.architecture.value = "one_to_many"  # T_x fixed to 1, n_y = n_x in the table
    assert explorer.T_x.value == 1 and explorer.T_x.disabled
    assert len([s for s in fig.layout.shapes if s.name == "feedback"]) == 5
    assert "(10, 32, 6)" in explorer.table.value
    json.dumps(fig.to_plotly_json(), allow_nan=False)


def test_explorer_snapshot_switches_between_the_five_without_a_kernel():
    from course_lib.widgets import ArchitectureExplorer

    explorer = ArchitectureExplorer("many_to_many", T_x=4, T_y=2)
    snapshot = explorer.snapshot()
    buttons = snapshot.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == [a.label for a in ARCHITECTURES.values()]
    assert snapshot.layout.updatemenus[0].active == 3
    json.dumps(snapshot.to_plotly_json(), allow_nan=False)


# ---------------------------------------------------------------------------------------
# Any cell: the toy cell's keys, states and output layer go through every model
# ---------------------------------------------------------------------------------------


def cell_params(cell, n_x, n_a, n_y, seed=0):
    from course_lib.recurrent import get_cell

    return get_cell(cell).initialize(n_x, n_a, n_y, np.random.default_rng(seed), 0.5)


def cell_id(cell):
    return cell if isinstance(cell, str) else cell.name


def run_cell(cell, name, n_x, n_a, n_y, m, T_x, T_y):
    """Like ``run``, for any cell."""
    p = cell_params(cell, n_x, n_a, n_y)
    x = inputs(n_x, m, T_x)
    named = {f'parameters["{k}"]': v for k, v in p.items()}
    if name == "one_to_one":
        a, y_pred, _ = one_to_one(x, p, cell)
        return {"x": x, "a": a, "y_pred": y_pred, **named}
    if name == "one_to_many":
        a, y_pred, caches = one_to_many(x, p, T_y, cell)
        return {"x": x, "caches.x": caches.x, "a": a, "y_pred": y_pred, **named}
    if name in ("many_to_one", "many_to_many"):
        a, y_pred, _ = (many_to_one if name == "many_to_one" else many_to_many)(x, p, cell)
        return {"x": x, "a": a, "y_pred": y_pred, **named}
    enc, dec = cell_params(cell, n_x, n_a, None, 2), cell_params(cell, n_y, n_a, n_y, 3)
    a_enc, a_dec, y_pred, caches = encoder_decoder(x, enc, dec, T_y, cell)
    return {"x": x, "a_encoder": a_enc, "caches.decoder.x": caches.decoder.x, "a_decoder": a_dec,
            "y_pred": y_pred, **{f'encoder_parameters["{k}"]': v for k, v in enc.items()},
            **{f'decoder_parameters["{k}"]': v for k, v in dec.items()}}


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_every_model_runs_any_cell_with_the_shapes_listed(cell, name):
    n_x, n_a, n_y, m, T_x, T_y = 5, 2, 5, 3, 4, 6
    T_x, T_y = fit_lengths(name, T_x, T_y)
    arrays = run_cell(cell, name, n_x, n_a, n_y, m, T_x, T_y)
    assert {k: v.shape for k, v in arrays.items()} == architecture_shapes(name, n_x, n_a, n_y, m, T_x, T_y, cell)
    assert np.allclose(arrays["y_pred"].sum(axis=0), 1.0)


def test_the_toy_cells_models_are_its_own_forward_pass():
    p = cell_params(TOY, 4, 3, 2)
    x = inputs(4, 2, 5)
    h, _ = run_forward(x, p, TOY)  # from h<0> = c<0> = 0
    a, y_pred, caches = many_to_many(x, p, TOY)
    assert np.array_equal(a, h) and isinstance(caches, SequenceCache) and caches.cell is TOY
    z = np.einsum("ya,amt->ymt", p["Wy"], h) + p["by"][:, :, None]
    np.testing.assert_allclose(y_pred, softmax(z), rtol=1e-13)
    # the encoder hands both its states over to the decoder
    enc, dec = cell_params(TOY, 4, 3, None, 2), cell_params(TOY, 2, 3, 2, 3)
    _, _, _, both = encoder_decoder(x, enc, dec, 3, TOY)
    assert np.array_equal(both.decoder.h0, both.encoder.h[:, :, -1])
    assert np.array_equal(both.decoder.c0, both.encoder.c[:, :, -1])


def test_parameter_letters_are_read_off_each_cells_initialiser():
    assert parameter_letters("rnn") == {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "ba": ("n_a", 1),
                                        "Wya": ("n_y", "n_a"), "by": ("n_y", 1)}
    assert parameter_letters(TOY, output_layer=False) == {"Wc": ("n_a", "n_a + n_x"), "bc": ("n_a", 1)}
    letters = array_letters("encoder_decoder", TOY)
    assert letters['decoder_parameters["Wc"]'] == ("n_a", "n_a + n_y")  # the decoder reads its outputs
    assert 'encoder_parameters["Wy"]' not in letters and letters['decoder_parameters["Wy"]'] == ("n_y", "n_a")
    shapes = architecture_shapes("encoder_decoder", n_x=10, n_a=16, n_y=3, m=32, T_x=6, T_y=4, cell=TOY)
    assert shapes['encoder_parameters["Wc"]'] == (16, 26) and shapes['decoder_parameters["Wc"]'] == (16, 19)
    # the data arrays come first, in the order notebook 03 prints them
    assert list(architecture_shapes("many_to_one", 10, 16, 3, 32, 6, 1))[:3] == ["x", "a", "y_pred"]


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_many_to_one_gradients_of_any_cell_match_finite_differences(cell):
    p = cell_params(cell, 4, 3, 3)
    x = inputs(4, 2, 4)
    y = np.array([2, 0])
    J, gradients, da = many_to_one_gradients(x, y, p, cell, input_gradient=True)
    assert set(gradients) == {"dx"} | {"d" + k for k in p}
    checks = {name: gradient_check(lambda v: many_to_one_gradients(x, y, {**p, name: v}, cell)[0],
                                   p[name], gradients["d" + name], EPSILON) for name in p}
    checks["dx"] = gradient_check(lambda v: many_to_one_gradients(v, y, p, cell)[0], x, gradients["dx"], EPSILON)
    assert max(checks.values()) < TOL, checks


def test_encoder_decoder_gradients_refuse_a_cell_with_a_second_state():
    enc, dec = cell_params(TOY, 4, 3, None, 2), cell_params(TOY, 2, 3, 2, 3)
    with pytest.raises(ValueError, match="cell.*toy.*c"):
        encoder_decoder_gradients(inputs(4, 2, 4), np.array([[0, 1], [1, 0]]), enc, dec, TOY)


def test_many_to_one_loss_is_the_cross_entropy_of_the_logits_uncapped():
    # a<T_x> cannot matter (Wya = 0): the logits are the biases, 40 apart, and the label is
    # the unlikely class. Probabilities capped at 1e-12 would say 27.6 nats; the truth is 40.
    p = {**params(3, 4, 2), "Wya": np.zeros((2, 4)), "by": np.array([[40.0], [0.0]])}
    x = inputs(3, 5, 6)
    J, gradients, _ = many_to_one_gradients(x, np.ones(5, dtype=int), p)
    assert J == pytest.approx(5 * (40 + np.log1p(np.exp(-40.0))), rel=1e-14)
    np.testing.assert_allclose(gradients["dby"][:, 0], 5 * np.array([1.0, -1.0]), rtol=1e-12)
    J_right, _, _ = many_to_one_gradients(x, np.zeros(5, dtype=int), p)
    assert 0 <= J_right < 1e-15


@pytest.mark.parametrize("call, argument", [
    # a bias that broadcasts is still the wrong shape
    (lambda: many_to_one(inputs(3, 2, 4), {**params(3, 4, 2), "by": np.zeros((1, 1))}), 'parameters["by"]'),
    (lambda: many_to_many(inputs(3, 2, 4), {**params(3, 4, 2), "ba": np.zeros((1, 1))}), 'parameters["ba"]'),
    (lambda: one_to_one(inputs(3, 2, 1), {**params(3, 4, 2), "Wya": np.zeros((2, 1))}), 'parameters["Wya"]'),
    (lambda: encoder_decoder(inputs(3, 2, 4), {**params(3, 4, None), "ba": np.zeros((1, 1))}, params(2, 4, 2), 3),
     "encoder_parameters"),
    (lambda: many_to_one(None, params(3, 4, 2)), "x"),
    (lambda: many_to_one("x", params(3, 4, 2)), "x"),
    (lambda: many_to_one(inputs(3, 2, 4)[:, :, :0], params(3, 4, 2)), "x"),
    (lambda: many_to_one(inputs(2, 2, 4), params(3, 4, 2)), "x"),
    (lambda: many_to_one(inputs(3, 2, 4), None), "parameters"),
    (lambda: many_to_one(inputs(3, 2, 4), {**params(3, 4, 2), "waa": np.eye(4)}), "parameters"),
    (lambda: many_to_one(inputs(3, 2, 4), params(3, 4, 2), "lstm9"), "cell"),
    (lambda: one_to_many(inputs(3, 2, 1), params(3, 4, 3), 2.5), "T_y"),
    (lambda: one_to_many(inputs(3, 2, 1), params(3, 4, 3), True), "T_y"),
    (lambda: many_to_one_gradients(inputs(3, 2, 4), np.array([0.0, 1.0]), params(3, 4, 2)), "y"),
    (lambda: many_to_one_gradients(inputs(3, 2, 4), np.array([True, False]), params(3, 4, 2)), "y"),
    (lambda: many_to_one_gradients(inputs(3, 2, 4), None, params(3, 4, 2)), "y"),
    (lambda: many_to_one_gradients(inputs(3, 2, 4), "01", params(3, 4, 2)), "y"),
    (lambda: many_to_one_gradients(inputs(3, 2, 4), np.full((2, 2), 0.7), params(3, 4, 2)), "y"),
    (lambda: many_to_one_gradients(inputs(3, 2, 4), np.array([0, 1]), params(3, 4, 2), input_gradient="yes"),
     "input_gradient"),
    (lambda: encoder_decoder_gradients(inputs(3, 2, 4), np.zeros((2, 3), dtype=int) + 5, params(3, 4, None),
                                       params(2, 4, 2)), "y"),
    (lambda: encoder_decoder_gradients(inputs(3, 2, 4), None, params(3, 4, None), params(2, 4, 2)), "y"),
    (lambda: architecture_shapes("many_to_one", 4, 5, 3, 2, 3, 1, cell="gruu"), "cell"),
    (lambda: fit_lengths("many_to_one", None, 1), "T_x"),
    (lambda: fit_lengths(None, 1, 1), "name"),
    (lambda: parameter_letters("rnn", n_x=3), "n_x"),
    (lambda: unrolled_diagram("many_to_one", 3, 1, height=0), "height"),
])
def test_bad_input_of_every_kind_is_refused_at_the_door(call, argument):
    with pytest.raises(ValueError, match=argument.replace("[", r"\[").replace("]", r"\]")):
        call()


def test_explorer_arguments_outside_the_controls_are_refused_not_clamped():
    from course_lib.widgets import ArchitectureExplorer

    with pytest.raises(ValueError, match=r"T_x must be from 1 to 10"):
        ArchitectureExplorer("many_to_one", T_x=50)
    with pytest.raises(ValueError, match="T_y"):
        ArchitectureExplorer("encoder_decoder", T_y=0)
    with pytest.raises(ValueError, match=r"name must be one of \['one_to_one'"):
        ArchitectureExplorer("sideways")
    for bad in (None, 2.5, True):
        with pytest.raises(ValueError, match="T_x"):
            ArchitectureExplorer("many_to_one", T_x=bad)
    with pytest.raises(ValueError, match="m"):
        ArchitectureExplorer(m=0)
    with pytest.raises(ValueError, match="cell"):
        ArchitectureExplorer(cell=None)


def test_explorer_table_lists_the_cells_own_parameters():
    from course_lib.widgets import ArchitectureExplorer

    explorer = ArchitectureExplorer("encoder_decoder", T_x=6, T_y=4, n_x=10, n_a=16, n_y=3, m=32, cell=TOY)
    table = explorer.table.value
    assert 'decoder_parameters["Wc"]' in table.replace("&quot;", '"') and "(n_a, n_a + n_y)" in table
    assert "(16, 19)" in table and "Wax" not in table
