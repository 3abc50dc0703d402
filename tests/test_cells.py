"""The test kit every registered cell gets by being registered.

Parametrized over ``course_lib.recurrent.cell_names()`` and written against the Cell
interface and ``run_forward`` / ``run_backward`` alone, so that a new cell is covered
without a test of its own: contract shapes, float64 out, caches consistent with the
states, inputs never modified, centred finite differences at step and sequence level
(random upstream gradient, random biases, relative error < 1e-7), and a ValueError naming
the argument for wrong shapes, missing keys and non-finite values. At the end, for the
RNN: its contract functions agree with the generic path, and show_source shows them as
equations behind one decorator line.
"""

import ast
import copy
import inspect
import re
import textwrap

import numpy as np
import pytest

from course_lib import recurrent
from course_lib.recurrent import SequenceCache, across_batch, cell_names, get_cell, run_backward, run_forward
from tests.gradcheck import numerical_gradient, relative_error

CELLS = cell_names()
TOL = 1e-7  # relative error of a correct gradient against centred finite differences
EPSILON = 1e-5  # balances truncation (~ε²) and rounding (~1e-16/ε) errors in float64
N_X, N_A, M = 3, 4, 2


def make_problem(name, T_x=4, seed=0, n_x=N_X, n_a=N_A, m=M):
    """A cell's random parameters (random biases too), inputs, initial states and upstream gradient."""
    cell = get_cell(name)
    rng = np.random.default_rng(seed)
    p = cell.initialize(n_x, n_a, None, rng, 0.5)
    x = rng.standard_normal((n_x, m, T_x))
    initial = tuple(rng.standard_normal((n_a, m)) for _ in cell.states)
    d_hidden = rng.standard_normal((n_a, m, T_x))
    return cell, p, x, initial, d_hidden


def array_fields(record):
    """{field: array} of a cache NamedTuple's array fields."""
    return {f: v for f, v in zip(record._fields, record) if isinstance(v, np.ndarray)}


def assert_same(a, b):
    """Bit for bit, through dicts and tuples."""
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert_same(u, v)
    else:
        assert a == b


def raises(*fragments):
    """pytest.raises(ValueError) whose message holds every fragment, in any order."""
    pattern = "".join(f"(?=.*{re.escape(f)})" for f in fragments)
    return pytest.raises(ValueError, match=pattern)


def test_across_batch_repeats_a_column_once_per_batch_size():
    column = np.arange(3.0)[:, None]
    over = across_batch(column)
    np.testing.assert_array_equal(over(4), np.tile(column, (1, 4)))
    assert over(4) is over(4) and over(2).shape == (3, 2)


def test_the_registry_holds_the_rnn():
    assert "rnn" in CELLS and CELLS == sorted(CELLS)
    for name in CELLS:
        assert get_cell(name).name == name and get_cell(get_cell(name)) is get_cell(name)


# ---------------------------------------------------------------------------------------
# Sequence level: shapes, float64, caches, gradients (T_x = 1 is the step on its own)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("T_x", [1, 4])
@pytest.mark.parametrize("name", CELLS)
def test_shapes_dtypes_and_caches_follow_the_contract(name, T_x):
    cell, p, x, initial, d_hidden = make_problem(name, T_x)
    h, caches = run_forward(x, p, name, initial)
    assert isinstance(caches, SequenceCache) and caches.cell is cell and len(caches) == T_x
    assert h.shape == (N_A, M, T_x) and h.dtype == np.float64
    assert_same(h, caches.state(cell.hidden))
    assert_same(caches.x, x)
    for i, s in enumerate(cell.states):
        state = caches.state(s)
        assert state.shape == (N_A, M, T_x) and state.dtype == np.float64
        assert_same(getattr(caches, s), state)
        assert_same(getattr(caches, s + "0"), initial[i])
        assert_same(caches.previous(s)[:, :, 0], initial[i])
        assert_same(caches.previous(s)[:, :, 1:], state[:, :, :-1])

    stacked = caches.stacked
    assert type(stacked) is cell.cache_type
    for field, value in array_fields(stacked).items():
        assert value.shape[1:] == (M, T_x) and value.dtype == np.float64, field
    steps = caches.steps()
    assert len(steps) == T_x
    for t in range(T_x):
        step = caches[t]
        assert type(step) is cell.cache_type
        assert_same(step, steps[t])
        assert_same(step, caches[t - T_x])  # negative steps count from the end
        assert_same(step.xt, x[:, :, t])
        for field, value in array_fields(stacked).items():
            assert_same(getattr(step, field), value[:, :, t])
        for i, s in enumerate(cell.states):
            assert_same(getattr(step, s + "_next"), caches.state(s)[:, :, t])
            assert_same(getattr(step, s + "_prev"), initial[i] if t == 0 else caches.state(s)[:, :, t - 1])
    with pytest.raises(IndexError):
        caches[T_x]

    gradients = run_backward(d_hidden, caches)
    expected_keys = {"dx", *(f"d{s}0" for s in cell.states), *cell.gradient_keys()}
    assert set(gradients) == expected_keys
    assert gradients["dx"].shape == x.shape
    for i, s in enumerate(cell.states):
        assert gradients[f"d{s}0"].shape == initial[i].shape
    for k in cell.parameter_keys:
        assert gradients["d" + k].shape == p[k].shape
    for k, v in gradients.items():
        assert v.dtype == np.float64, k
    assert set(cell.only_parameter_gradients(gradients)) == set(cell.gradient_keys())

    lean = run_backward(d_hidden, caches, input_gradient=False)
    assert lean["dx"] is None
    for k in expected_keys - {"dx"}:
        assert_same(lean[k], gradients[k])


@pytest.mark.parametrize("T_x", [1, 4])
@pytest.mark.parametrize("name", CELLS)
def test_sequence_gradients_match_centred_finite_differences(name, T_x):
    cell, p, x, initial, d_hidden = make_problem(name, T_x, seed=1)
    assert set(p) == set(cell.parameter_keys)  # initialize without an output layer
    assert all(np.any(p[k] != 0) for k in p)  # random biases too: zeros could hide a bug

    def loss(x=x, p=p, initial=initial):
        h, _ = run_forward(x, p, name, initial)
        return float(np.sum(d_hidden * h))  # Σ upstream · h: every entry of the gradient counts

    gradients = run_backward(d_hidden, run_forward(x, p, name, initial)[1])
    errors = {"dx": relative_error(gradients["dx"], numerical_gradient(lambda v: loss(x=v), x))}
    for k in p:
        errors["d" + k] = relative_error(gradients["d" + k], numerical_gradient(lambda v: loss(p={**p, k: v}), p[k]))
    for i, s in enumerate(cell.states):
        def of_state(v, i=i):
            return loss(initial=initial[:i] + (v,) + initial[i + 1:])

        errors[f"d{s}0"] = relative_error(gradients[f"d{s}0"], numerical_gradient(of_state, initial[i]))
    assert set(errors) == set(gradients)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("name", CELLS)
def test_nothing_is_modified_in_place(name):
    cell, p, x, initial, d_hidden = make_problem(name, seed=2)
    before = copy.deepcopy((p, x, initial, d_hidden))
    h, caches = run_forward(x, p, name, initial)
    run_backward(d_hidden, caches)
    run_backward(d_hidden, caches, input_gradient=False)
    assert_same((p, x, initial, d_hidden), before)

    stacked_before = copy.deepcopy(array_fields(caches.stacked))
    step = cell.forward_step(caches.parameters, caches.options)
    u = cell.input_term(caches.parameters, x[:, :, 0])
    step(u, initial)
    d_states = tuple(np.ones_like(s) for s in initial)
    d_states_before = copy.deepcopy(d_states)
    _, local = cell.backward_step(caches)(d_states, 0)
    cell.parameter_gradients(dict(zip(cell.local_names, local)), caches[0])
    assert_same((p, x, initial, d_states), (*before[:3], d_states_before))
    assert_same(array_fields(caches.stacked), stacked_before)


# ---------------------------------------------------------------------------------------
# Step level: the cell's step functions on caches[0], and their agreement with the sequence
# ---------------------------------------------------------------------------------------


def one_step(cell, p, options, xt, states):
    """The cell's step through its own interface: (states_next, intermediates)."""
    return cell.forward_step(p, options)(cell.input_term(p, xt), states)


@pytest.mark.parametrize("name", CELLS)
def test_the_step_functions_agree_with_the_sequence(name):
    cell, p, x, initial, d_hidden = make_problem(name, T_x=5, seed=3)
    _, caches = run_forward(x, p, name, initial)
    options = caches.options
    states = initial
    for t in range(len(caches)):
        states_next, intermediates = one_step(cell, caches.parameters, options, x[:, :, t], states)
        assert len(intermediates) == len(cell.step_fields)
        for field, value in zip(cell.step_fields, intermediates):
            np.testing.assert_allclose(value, getattr(caches[t], field), rtol=1e-12, atol=1e-14)
        for s, value in zip(cell.states, states_next):
            np.testing.assert_allclose(value, getattr(caches[t], s + "_next"), rtol=1e-12, atol=1e-14)
        states = tuple(getattr(caches[t], s + "_next") for s in cell.states)

    # BPTT by hand with the step backward, one step's parameter gradients at a time
    gradients = run_backward(d_hidden, caches)
    step_back = cell.backward_step(caches)
    hidden = cell.states.index(cell.hidden)
    d_next = [np.zeros((N_A, M)) for _ in cell.states]
    totals, dx = {}, np.zeros_like(x)
    for t in reversed(range(len(caches))):
        d_next[hidden] = d_next[hidden] + d_hidden[:, :, t]
        d_prev, local = step_back(tuple(d_next), t)
        step_gradients = cell.parameter_gradients(dict(zip(cell.local_names, local)), caches[t])
        dx[:, :, t] = step_gradients["dxt"]
        for k in cell.gradient_keys():
            totals[k] = totals.get(k, 0) + step_gradients[k]
        d_next = list(d_prev)
    np.testing.assert_allclose(dx, gradients["dx"], rtol=1e-12, atol=1e-14)
    for k in cell.gradient_keys():
        np.testing.assert_allclose(totals[k], gradients[k], rtol=1e-12, atol=1e-14)
    for s, d in zip(cell.states, d_next):
        np.testing.assert_allclose(d, gradients[f"d{s}0"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", CELLS)
def test_step_gradients_match_centred_finite_differences(name):
    """One step through forward_step / backward_step / parameter_gradients on caches[0].

    The scalar is Σ_s upstream_s · s<1> over every state the cell carries (a, and c for
    the LSTM), so the gradient reaching each state at the step is tested, not only the
    hidden one.
    """
    cell, p, x, initial, _ = make_problem(name, T_x=1, seed=4)
    rng = np.random.default_rng(40)
    upstream = tuple(rng.standard_normal((N_A, M)) for _ in cell.states)
    _, caches = run_forward(x, p, name, initial)
    options, xt = caches.options, x[:, :, 0]

    def loss(p=p, xt=xt, states=initial):
        states_next, _ = one_step(cell, p, options, xt, states)
        return float(sum(np.sum(d * s) for d, s in zip(upstream, states_next)))

    d_prev, local = cell.backward_step(caches)(upstream, 0)
    grads = cell.parameter_gradients(dict(zip(cell.local_names, local)), caches[0])
    assert grads["dxt"].shape == xt.shape
    errors = {"dxt": relative_error(grads["dxt"], numerical_gradient(lambda v: loss(xt=v), xt))}
    for k in p:
        errors["d" + k] = relative_error(grads["d" + k], numerical_gradient(lambda v: loss(p={**p, k: v}), p[k]))
    for i, s in enumerate(cell.states):
        def of_state(v, i=i):
            return loss(states=initial[:i] + (v,) + initial[i + 1:])

        errors[f"d{s}_prev"] = relative_error(d_prev[i], numerical_gradient(of_state, initial[i]))
    assert max(errors.values()) < TOL, errors
    lean = cell.parameter_gradients(dict(zip(cell.local_names, local)), caches[0], input_gradient=False)
    assert lean["dxt"] is None


# ---------------------------------------------------------------------------------------
# A ValueError naming the argument
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CELLS)
def test_wrong_shapes_name_the_argument(name):
    cell, p, x, initial, d_hidden = make_problem(name)
    with raises("x", "(n_x, m, T_x)"):
        run_forward(x[:-1], p, name, initial)
    with raises("x", "(n_x, m, T_x)"):
        run_forward(x[:, :, 0], p, name, initial)
    with raises("x", "(n_x, m, T_x)"):
        run_forward(x[:-1], p, name)  # zero initial states
    for i, s in enumerate(cell.states):
        for wrong in (initial[i][:-1], initial[i][:, :1], initial[i][:, :, None]):
            bad = initial[:i] + (wrong,) + initial[i + 1:]
            with raises(f"initial[{i}]", "(n_a, m)"):
                run_forward(x, p, name, bad)
    with raises("initial"):
        run_forward(x, p, name, initial + (initial[0],))
    with raises("initial"):
        run_forward(x, p, name, initial[0])
    for k in p:
        with raises(f'parameters["{k}"]'):  # a third axis is wrong whichever entry defines the sizes
            run_forward(x, p | {k: p[k][..., None]}, name, initial)
        with pytest.raises(ValueError, match="shape"):  # one row too few: some argument disagrees
            run_forward(x, p | {k: p[k][:-1]}, name, initial)

    _, caches = run_forward(x, p, name, initial)
    with raises("d_hidden", "(n_a, m, T_x)"):
        run_backward(d_hidden[:, :, :-1], caches)
    with raises("d_hidden", "(n_a, m, T_x)"):
        run_backward(d_hidden[:-1], caches)
    with raises("caches"):
        run_backward(d_hidden, caches[0])
    with raises("input_gradient"):
        run_backward(d_hidden, caches, input_gradient="no")


@pytest.mark.parametrize("name", CELLS)
def test_missing_and_unknown_keys_name_the_key(name):
    cell, p, x, initial, _ = make_problem(name)
    for k in p:
        with raises("parameters", repr(k)):
            run_forward(x, {j: v for j, v in p.items() if j != k}, name, initial)
    with raises("parameters", "Wzz"):
        run_forward(x, p | {"Wzz": np.zeros((N_A, N_A))}, name, initial)
    with raises("parameters", "dict"):
        run_forward(x, list(p.values()), name, initial)


@pytest.mark.parametrize("name", CELLS)
def test_non_finite_values_name_the_argument(name):
    cell, p, x, initial, d_hidden = make_problem(name)
    for bad in (np.nan, np.inf):
        x_bad = x.copy()
        x_bad[0, 0, -1] = bad
        with raises("x", "NaN"):
            run_forward(x_bad, p, name, initial)
        for k in p:
            wrong = p[k].copy()
            wrong.flat[-1] = bad
            with raises(f'parameters["{k}"]', "NaN"):
                run_forward(x, p | {k: wrong}, name, initial)
        for i in range(len(cell.states)):
            with raises(f"initial[{i}]", "NaN"):
                run_forward(x, p, name, initial[:i] + (np.full((N_A, M), bad),) + initial[i + 1:])
        _, caches = run_forward(x, p, name, initial)
        with raises("d_hidden", "NaN"):
            run_backward(np.full_like(d_hidden, bad), caches)
    with raises("x"):
        run_forward(x + 0j, p, name, initial)


@pytest.mark.parametrize("name", CELLS)
def test_an_unknown_option_is_named(name):
    cell, p, x, initial, _ = make_problem(name)
    with raises("no_such_option", name):
        run_forward(x, p, name, initial, no_such_option=1)


def test_an_unknown_cell_is_named():
    _, p, x, _, _ = make_problem("rnn")
    with raises("cell", "'nope'", "rnn"):
        run_forward(x, p, "nope")
    with raises("cell", "rnn"):
        get_cell(3)


# ---------------------------------------------------------------------------------------
# The RNN: its contract functions are the generic path, and read as equations
# ---------------------------------------------------------------------------------------


def test_the_rnn_contract_functions_agree_with_the_generic_path_bit_for_bit():
    from course_lib.rnn import rnn_backward, rnn_cell_backward, rnn_cell_forward, rnn_forward

    _, p, x, (a0,), da = make_problem("rnn", T_x=5, seed=5)
    a, y_pred, caches = rnn_forward(x, a0, p)
    h, generic = run_forward(x, p, "rnn", (a0,))
    assert y_pred is None
    assert_same(a, h)
    assert_same(array_fields(caches.stacked), array_fields(generic.stacked))
    assert_same(rnn_backward(da, caches), run_backward(da, generic))

    # one step: rnn_cell_forward / rnn_cell_backward against a sequence of length 1
    a_next, _, cache = rnn_cell_forward(x[:, :, 0], a0, p)
    h1, one = run_forward(x[:, :, :1], p, "rnn", (a0,))
    assert_same(a_next, h1[:, :, 0])
    assert_same(array_fields(cache), array_fields(one[0]))
    step = rnn_cell_backward(da[:, :, 0], one[0])
    whole = run_backward(da[:, :, :1], one)
    assert_same(step, {"dxt": whole["dx"][:, :, 0], "da_prev": whole["da0"],
                       **{k: whole[k] for k in ("dWax", "dWaa", "dba")}})

    # every step of rnn_forward is rnn_cell_forward on the step before
    for t in range(x.shape[2]):
        a_t, _, _ = rnn_cell_forward(x[:, :, t], caches[t].a_prev, p)
        assert_same(a_t, a[:, :, t])


CONTRACT = ["rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward"]
CHECKING = re.compile(r"\b(check_\w*|shaped_array|as_float_array|float_parameters|require_keys|"
                      r"sequence_inputs|isinstance|raise|ValueError)\b")


@pytest.mark.parametrize("function", CONTRACT)
def test_show_source_shows_the_equations_behind_one_decorator_line(function, monkeypatch):
    import IPython.display

    import course_lib.rnn as rnn
    from course_lib.notebook import show_source

    fn = getattr(rnn, function)
    assert inspect.unwrap(fn) is fn.unchecked  # functools.wraps: getsource follows __wrapped__
    source = inspect.getsource(fn)
    assert source == inspect.getsource(fn.unchecked)

    lines = source.splitlines()
    first_def = next(i for i, line in enumerate(lines) if line.startswith("def "))
    assert first_def <= 1
    if first_def:
        assert re.fullmatch(r"@checked\(\w+\)", lines[0])
    tree = ast.parse(textwrap.dedent(source)).body[0]
    assert tree.name == function and len(tree.decorator_list) <= 1
    body = tree.body[1:] if isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant) \
        else tree.body  # the docstring may speak of checks; the code may not
    assert body and not any(isinstance(node, ast.Raise) for stmt in body for node in ast.walk(stmt))
    code = "\n".join(ast.unparse(stmt) for stmt in body)
    assert not CHECKING.search(code), code

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    show_source(fn)
    (markdown,) = shown
    assert f"`course_lib.rnn.{function}`" in markdown.data
    assert source in markdown.data


def test_the_source_check_catches_a_checking_line():
    # the pattern above is not vacuous: a body that checks its arguments is caught
    code = "\n".join(ast.unparse(s) for s in ast.parse(
        "def f(x):\n    x = shaped_array('x', x, '(n_x, m)')\n    return x").body[0].body)
    assert CHECKING.search(code)


@pytest.mark.parametrize("cell, blocks", [("rnn", 1), ("gru", 3), ("lstm", 4)])
def test_parameter_count_is_the_blocks_of_the_equations(cell, blocks):
    n_x, n_a, n_y = 5, 7, 3
    block = n_a * (n_a + n_x) + n_a  # one [W_aa W_ax] and its bias
    assert recurrent.parameter_count(cell, n_x, n_a) == blocks * block
    assert recurrent.parameter_count(cell, n_x, n_a, n_y) == blocks * block + n_y * n_a + n_y


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_hidden_size_for_is_the_nearest_count(cell):
    count = recurrent.parameter_count("lstm", 79, 64, 79)
    n_a = recurrent.hidden_size_for(cell, 79, count, 79)
    gap = abs(recurrent.parameter_count(cell, 79, n_a, 79) - count)
    for other in (n_a - 1, n_a + 1):
        assert abs(recurrent.parameter_count(cell, 79, other, 79) - count) >= gap
    assert recurrent.hidden_size_for("lstm", 79, count, 79) == 64
