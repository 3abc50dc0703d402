"""The recurrent core: one description of a cell, one driver that runs any cell over time.

A recurrent cell (the RNN of ``rnn.py``, the GRU of ``gru.py``, the LSTM of ``lstm.py``) is a small ``Cell``
record in the manner of d2l's ``(get_params, init_state, step)``: its parameter keys, the
states it carries (``a`` for the RNN, ``c`` for the GRU, ``a`` and ``c`` for the LSTM),
a parameter check, an initialiser, one step forward and one step backward. The driver
below is the only loop over time in the course: ``sequence_forward`` steps a cell from
t = 1 to T_x and stacks what each step computed; ``sequence_backward`` carries the
gradient from T_x back to 0 through the cell's step backward and sums the parameter
gradients over time once, after the loop. ``deep`` and ``bidirectional`` compose it.

Shapes: x (n_x, m, T_x); every state (n_a, m) per step, (n_a, m, T_x) stacked.
Derived in notebooks/02_bptt.ipynb, "Backpropagation through time".
"""

from dataclasses import dataclass, field
import functools
import itertools
from functools import cached_property
from typing import Callable, NamedTuple

import numpy as np

from course_lib.activations import softmax

__all__ = [
    "Cell",
    "SequenceCache",
    "cell_names",
    "get_cell",
    "hidden_size_for",
    "parameter_count",
    "HALF",
    "across_batch",
    "add_bias",
    "matmul_steps",
    "one_hot_matmul",
    "one_hot_outer_sum",
    "outer_sum",
    "predictions",
    "register_cell",
    "run_backward",
    "run_forward",
    "sequence_backward",
    "sequence_forward",
    "sum_steps",
]


@dataclass(frozen=True)
class Cell:
    """What the driver needs to know about a recurrent cell.

    Attributes:
        name: the registry name ("rnn", "gru", "lstm").
        parameter_keys: the recurrent parameters, e.g. ("Wax", "Waa", "ba").
        output_keys: the softmax output layer's parameters, e.g. ("Wya", "by").
        states: the states carried from step to step, e.g. ("a",) or ("a", "c").
        hidden: the state the output layer (and the next layer up) reads.
        cache_type: the NamedTuple of one step's cache, named as in the equations. Its
            fields are ``xt``, ``<state>_prev`` and ``<state>_next`` for every state,
            ``parameters``, the step's options (e.g. ``activation``) and its named
            intermediates (``gamma_u``, ``c_tilde`` ...).
        check_parameters: ``(parameters) -> dict``: a new dict of float64 arrays after
            checking keys and shapes, or a ValueError naming the entry.
        sizes: ``(p) -> (n_x, n_a)`` of checked parameters.
        initialize: ``(n_x, n_a, n_y, rng, scale) -> parameters`` (n_y None: no output layer).
        forward_step: ``(p, options) -> step``, where ``step(u_t, states) -> (states_next,
            intermediates)`` is one step forward, unchecked: ``u_t`` is the input term of
            step t (see ``input_term``), ``intermediates`` the arrays this step computed,
            in the order of ``step_fields`` (read them before the next call: a step may
            reuse its buffers; the new states are arrays of their own). A factory, so that
            what holds for the whole sequence (the activation, a transposed weight) is
            looked up once, not T_x times.
        step_fields: the names (cache fields) of a step's intermediates, e.g. ("a_next",).
        backward_step: ``(caches) -> step``, where ``step(d_states, t) -> (d_states_prev,
            local)`` goes back through step t, unchecked: ``d_states`` holds the total
            gradient reaching each state at step t, ``local`` the step's gradients that the
            parameter gradients are built from, in the order of ``local_names`` (read
            them before the next call: a step may reuse its buffers). ``d_states_prev``
            may live in those buffers too, as the LSTM's dc<t-1> does, until it comes back
            as the next call's ``d_states``; the hidden state's is an array of its own (the
            driver adds the gradient from above into it). The factory may compute for
            every step at once whatever does not wait for the gradient from step t+1 (for
            the RNN, g1'(z<t>)).
        local_names: the names of a step's local gradients, e.g. ("dz",).
        parameter_gradients: ``(local, cache, input_gradient=True) -> dict`` with every
            ``d<key>`` and ``dxt`` (None when input_gradient is False); ``local`` maps
            ``local_names`` to arrays; written with ``matmul_steps``/``outer_sum``/
            ``sum_steps`` so that the same function serves one step (arrays (n, m)) and a
            whole sequence (arrays (n, m, T_x) of every step, summed over t by one matrix
            product).
        input_term: ``(p, x) -> u``: the part of the step that does not depend on the
            previous state (for the RNN, Wax x<t> + ba), for x of one step (n_x, m) or of
            every step (n_x, m, T_x). The driver computes it for all steps at once,
            before the loop, since it is one large matrix product instead of T_x small ones.
        options: the step's keyword options and their defaults, e.g. {"activation": "tanh"}.
        one_hot_input_term: ``(p, indices) -> u``: ``input_term`` for one-hot inputs given by
            their indices, (m,) for one step or (m, T_x) for every step (−1: x<t> = 0), written
            with ``one_hot_matmul``: a column of the input weights is looked up instead of
            multiplied by a one-hot vector. None (the default): the cell has no such shortcut,
            and a caller with token indices builds the one-hot x.
        one_hot_parameter_gradients: ``(local, cache, indices) -> dict`` with every ``d<key>``
            (no ``dxt``): ``parameter_gradients`` for the same one-hot inputs, the input
            weights' gradient written with ``one_hot_outer_sum`` (a scatter-add of the input
            term's gradient into columns). None when ``one_hot_input_term`` is None.
    """

    name: str
    parameter_keys: tuple
    output_keys: tuple
    states: tuple
    hidden: str
    cache_type: type
    check_parameters: Callable
    sizes: Callable
    initialize: Callable
    forward_step: Callable
    step_fields: tuple
    backward_step: Callable
    local_names: tuple
    parameter_gradients: Callable
    input_term: Callable
    options: dict = field(default_factory=dict)
    one_hot_input_term: Callable = None
    one_hot_parameter_gradients: Callable = None

    def gradient_keys(self, output_layer=False):
        """The names of the parameter gradients, "d" + each parameter key (and output key)."""
        keys = self.parameter_keys + (self.output_keys if output_layer else ())
        return tuple("d" + k for k in keys)

    def only_parameter_gradients(self, gradients, output_layer=False):
        """A new dict of the parameter gradients alone (no dx, da0 ...) from a backward's dict."""
        return {k: gradients[k] for k in self.gradient_keys(output_layer)}


_CELLS = {}


def register_cell(cell):
    """Add ``cell`` to the registry under ``cell.name`` (and return it)."""
    if not isinstance(cell, Cell):
        raise ValueError(f"cell must be a Cell, got {type(cell).__name__}")
    _CELLS[cell.name] = cell
    return cell


def cell_names():
    """The names of the registered cells, sorted (``import course_lib`` registers them all)."""
    return sorted(_CELLS)


def get_cell(cell):
    """The registered Cell called ``cell`` ("rnn", "gru", "lstm"), or ``cell`` itself if a Cell."""
    if isinstance(cell, Cell):
        return cell
    if not isinstance(cell, str) or cell not in _CELLS:
        raise ValueError(f"cell must be one of {sorted(_CELLS)}, got {cell!r}")
    return _CELLS[cell]


def _check_sizes(cell, n_x, n_y):
    from course_lib._validate import check_positive_int

    return get_cell(cell), check_positive_int("n_x", n_x), None if n_y is None else check_positive_int("n_y", n_y)


def parameter_count(cell, n_x, n_a, n_y=None):
    """How many numbers a cell's parameters (and its output layer, unless n_y is None) hold.

    Args:
        cell: "rnn", "gru", "lstm" (see cell_names()) or a Cell.
        n_x, n_a: input size and hidden-state size.
        n_y: output size, or None for the cell alone.
    Returns:
        int: the total size of the arrays ``cell.initialize`` draws. For the RNN it is
        n_a (n_a + n_x) + n_a, the GRU has three such blocks, the LSTM four; an output
        layer adds n_y n_a + n_y.
    """
    from course_lib._validate import check_positive_int

    cell, n_x, n_y = _check_sizes(cell, n_x, n_y)
    n_a = check_positive_int("n_a", n_a)
    parameters = cell.initialize(n_x, n_a, n_y, np.random.default_rng(0))
    return sum(v.size for v in parameters.values())


def hidden_size_for(cell, n_x, count, n_y=None):
    """The hidden size n_a whose parameter count is nearest to ``count``: to compare cells
    at matched parameter counts (as Chung et al. 2014 did), not at matched n_a.

    Args:
        cell: "rnn", "gru", "lstm" or a Cell.
        n_x: input size; n_y: output size (None: the cell alone).
        count: the parameter count to match (an int ≥ 1), e.g. parameter_count("lstm", ...).
    Returns:
        int n_a ≥ 1 (the smaller one on a tie).
    """
    from course_lib._validate import check_positive_int

    cell, n_x, n_y = _check_sizes(cell, n_x, n_y)
    count = check_positive_int("count", count)
    n_a = 1
    while parameter_count(cell, n_x, n_a + 1, n_y) <= count:  # counts grow with n_a
        n_a += 1
    above = n_a + 1
    if abs(parameter_count(cell, n_x, above, n_y) - count) < abs(parameter_count(cell, n_x, n_a, n_y) - count):
        return above
    return n_a


# ---------------------------------------------------------------------------------------
# Products that read the same for one step (n, m) and for all steps (n, m, T_x)
# ---------------------------------------------------------------------------------------


def matmul_steps(W, v):
    """W v for one step (v of shape (n, m)) or for every step at once (n, m, T_x)."""
    if v.ndim == 2:
        return W @ v
    n, m, T = v.shape
    return (W @ v.reshape(n, m * T)).reshape(W.shape[0], m, T)


def outer_sum(dz, v):
    """Σ over the batch (and over time, for stacked arrays) of dz vᵀ: shape (len(dz), len(v))."""
    return dz.reshape(dz.shape[0], -1) @ v.reshape(v.shape[0], -1).T


def sum_steps(dz):
    """Σ over the batch (and over time) of dz, as a column: the gradient of a bias."""
    return dz.reshape(dz.shape[0], -1).sum(axis=1, keepdims=True)


# In a step of the driver's loop, NumPy's fixed cost per operation is most of the time at
# the small sizes, and two kinds of operand raise it: a Python float (converted on every
# call: about 1.5x the cost of a 0-d array) and an (n, 1) column broadcast over the batch
# (about 3x the cost of an array of the same shape, at the small and the teaching sizes).
# The GRU's and the LSTM's steps use HALF instead, and the reset-after GRU an ``across_batch``
# column for its bias bcc.
HALF = np.array(0.5)
HALF.flags.writeable = False


def across_batch(column):
    """``over(m)``: ``column`` (n, 1) repeated over a batch of m columns, (n, m), made once per m."""
    made = {}

    def over(m):
        full = made.get(m)
        if full is None:
            full = made[m] = np.repeat(column, m, axis=1)
            full.flags.writeable = False  # shared by every step
        return full

    return over


def add_bias(z, b):
    """z + b with the bias column b (n, 1) broadcast over the batch (and the steps)."""
    return z + (b if z.ndim == 2 else b[:, :, None])


def predictions(h, parameters, weight="Wya", bias="by"):
    """ŷ = softmax(W h + b) for one step (n_a, m) or all steps (n_a, m, T_x); None without W."""
    if weight not in parameters:
        return None
    return softmax(add_bias(matmul_steps(parameters[weight], h), parameters[bias]))


# ---------------------------------------------------------------------------------------
# The sequence cache
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SequenceCache:
    """What a cell computed at every step, stacked over time.

    ``caches[t]`` is step t's cache (0-based, the cell's NamedTuple) and ``len(caches)``
    is T_x, as for the list of caches of the DLS assignment; ``caches.stacked`` is the same
    NamedTuple with every array stacked over time, (n, m, T_x), so that a figure can ask
    for ``caches.stacked.gamma_u``; ``caches.state("a")`` is a<1> ... a<T_x>.
    """

    cell: Cell
    x: np.ndarray  # x<1> ... x<T_x>  (n_x, m, T_x)
    initial: tuple  # a<0> (and c<0>), one (n_a, m) array per state
    parameters: dict  # checked, without the output layer
    options: dict
    arrays: dict  # every intermediate of every step, by cache field name  (n, m, T_x)

    def __len__(self):
        return self.x.shape[2]

    def __getattr__(self, name):
        """``caches.a`` (every state by name), ``caches.a0`` (initial states), ``caches.activation``."""
        if name.startswith("__"):
            raise AttributeError(name)
        cell = object.__getattribute__(self, "cell")
        if name in cell.states:
            return self.state(name)
        if name.endswith("0") and name[:-1] in cell.states:
            return self.initial[cell.states.index(name[:-1])]
        if name in self.options:
            return self.options[name]
        raise AttributeError(f"SequenceCache of the {cell.name!r} cell has no attribute {name!r}")

    def state(self, name):
        """The state ``name`` at every step: (n_a, m, T_x)."""
        return self.arrays[name + "_next"]

    def previous(self, name):
        """The state ``name`` one step back, ``name``<0> ... ``name``<T_x - 1>: (n_a, m, T_x)."""
        i = self.cell.states.index(name)
        return np.concatenate([self.initial[i][:, :, None], self.state(name)[:, :, :-1]], axis=2)

    @cached_property
    def stacked(self):
        """The cell's cache NamedTuple with every array field stacked over the steps."""
        fields = {}
        for f in self.cell.cache_type._fields:
            if f == "xt":
                fields[f] = self.x
            elif f == "parameters":
                fields[f] = self.parameters
            elif f in self.options:
                fields[f] = self.options[f]
            elif f.endswith("_prev"):
                fields[f] = self.previous(f[: -len("_prev")])
            else:
                fields[f] = self.arrays[f]
        return self.cell.cache_type(**fields)

    def steps(self):
        """[caches[0], ..., caches[T_x - 1]], built at once (the backward loop visits them all)."""
        stacked = self.stacked
        T_x = len(self)
        columns = [  # per field: every step's (n, m) view, or the one value all steps share
            itertools.repeat(v, T_x) if f == "parameters" or f in self.options else v.transpose(2, 0, 1)
            for f, v in zip(stacked._fields, stacked)
        ]
        return list(map(functools.partial(tuple.__new__, self.cell.cache_type), zip(*columns)))

    def __getitem__(self, t):
        t = range(len(self))[t]  # negative steps count from the end; IndexError past it
        fields = {}
        for f in self.cell.cache_type._fields:
            if f == "xt":
                fields[f] = self.x[:, :, t]
            elif f == "parameters":
                fields[f] = self.parameters
            elif f in self.options:
                fields[f] = self.options[f]
            elif f.endswith("_prev"):
                name = f[: -len("_prev")]
                fields[f] = self.initial[self.cell.states.index(name)] if t == 0 else self.state(name)[:, :, t - 1]
            else:
                fields[f] = self.arrays[f][:, :, t]
        return self.cell.cache_type(**fields)


# ---------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------


def sequence_forward(cell, x, initial, p, options=None, u=None):
    """Run ``cell`` over every step of ``x``; unchecked (the public functions check).

    Args:
        cell: a Cell.
        x: inputs (n_x, m, T_x), checked float64.
        initial: tuple of initial states, one (n_a, m) array per ``cell.states``.
        p: checked parameters (the output layer, if any, is ignored).
        options: the step's options (default: the cell's).
        u: the input term for every step, when the caller has it already (a language
            model looks up columns of Wax instead of multiplying by one-hot vectors);
            by default ``cell.input_term(p, x)``.
    Returns:
        SequenceCache: the states and intermediates of every step.
    """
    options = dict(cell.options, **(options or {}))
    p = {k: p[k] for k in cell.parameter_keys}
    T_x = x.shape[2]
    u = cell.input_term(p, x) if u is None else u  # one product for all steps
    step = cell.forward_step(p, options)
    states = tuple(initial)
    arrays = None
    # Where each intermediate is stored: the states step by step along the last axis, as
    # the sums over the steps (and the output layer) read them; every other intermediate
    # (the gates) steps first, each step one block of memory, as the backward loop reads them.
    by_time = {s + "_next" for s in cell.states}
    for t, u_t in enumerate(u.transpose(2, 0, 1)):  # u_t = u[..., t]
        states, intermediates = step(u_t, states)
        if arrays is None:  # each stack seen steps first, (T_x, n, m)
            arrays = [np.empty(v.shape + (T_x,)).transpose(2, 0, 1) if f in by_time else np.empty((T_x,) + v.shape)
                      for f, v in zip(cell.step_fields, intermediates)]
        for stack, v in zip(arrays, intermediates):
            stack[t] = v
    arrays = [stack.transpose(1, 2, 0) for stack in arrays]  # (n, m, T_x)
    return SequenceCache(cell, x, tuple(initial), p, options, dict(zip(cell.step_fields, arrays)))


class BackwardSteps(NamedTuple):
    """What the backward loop found at every step, stacked over time."""

    d_states: dict  # total gradient reaching each state at every step: "a" -> (n_a, m, T_x)
    local: dict  # each step's local gradients (e.g. "dz"), stacked  (n, m, T_x)
    d_initial: tuple  # gradient reaching each initial state, (n_a, m)


def backward_steps(d_hidden, caches, keep_states=True, d_last=None):
    """The loop of BPTT: the gradient carried from step T_x back to step 0; unchecked.

    Args:
        d_hidden: ∂J/∂h<t> from above for every step (not through the recurrence), for the
            cell's hidden state h: (n_a, m, T_x).
        caches: the SequenceCache from sequence_forward.
        keep_states: also stack the total gradient reaching each state at every step
            (``d_states``; None without: the parameter gradients need only ``local``).
        d_last: None (nothing comes back from beyond T_x), or a tuple of one (n_a, m)
            gradient per state reaching it at T_x from outside the sequence (e.g. e_j at
            the LSTM's c<T_x>, to measure ∂c<T_x>/∂c<t>).
    Returns:
        BackwardSteps(d_states, local, d_initial).
    """
    cell = caches.cell
    n_a, m, T_x = d_hidden.shape
    hidden = cell.states.index(cell.hidden)
    step = cell.backward_step(caches)
    if d_last is None:
        d_next = [np.zeros((n_a, m)) for _ in cell.states]  # nothing comes back from beyond T_x
    else:
        d_next = [np.array(d, dtype=float) for d in d_last]  # copies: the loop adds into them
    d_states = [np.empty((n_a, m, T_x)) for _ in cell.states] if keep_states else ()
    local = None
    d_above = np.ascontiguousarray(d_hidden.transpose(2, 0, 1))  # steps first: d_above[t] is one block of memory
    for t in reversed(range(T_x)):
        d_next[hidden] += d_above[t]  # from above + back from step t+1 (d_next is this loop's own array)
        for stack, d in zip(d_states, d_next):
            stack[:, :, t] = d  # the total gradient reaching each state at step t
        d_prev, step_local = step(d_next, t)
        d_next = list(d_prev)
        if local is None:
            local = [np.empty(v.shape + (T_x,)) for v in step_local]
        for stack, v in zip(local, step_local):
            stack[:, :, t] = v
    d_states = dict(zip(cell.states, d_states)) if keep_states else None
    return BackwardSteps(d_states, dict(zip(cell.local_names, local)), tuple(d_next))


def sequence_backward(d_hidden, caches, input_gradient=True):
    """Backpropagation through time for any cell; unchecked (the public functions check).

    Args:
        d_hidden: ∂J/∂h<t> from above for every step, (n_a, m, T_x).
        caches: the SequenceCache from sequence_forward.
        input_gradient: also compute dx (a language model's inputs are data: it passes False).
    Returns:
        gradients: "dx" (n_x, m, T_x) or None, "d<state>0" (n_a, m) for every state, and
        "d<key>" for every parameter key, summed over the steps.
    """
    steps = backward_steps(d_hidden, caches, keep_states=False)
    cell = caches.cell
    grads = cell.parameter_gradients(steps.local, caches.stacked, input_gradient=input_gradient)
    gradients = {"dx": grads["dxt"]}
    gradients.update({f"d{s}0": d for s, d in zip(cell.states, steps.d_initial)})
    gradients.update({k: grads[k] for k in cell.gradient_keys()})
    return gradients


# ---------------------------------------------------------------------------------------
# The public door for any cell (deep, bidirectional and the tests use it)
# ---------------------------------------------------------------------------------------


def _check_run_forward(x, parameters, cell="rnn", initial=None, **options):
    from course_lib._validate import check_choice, sequence_inputs, shaped_array

    cell = get_cell(cell)
    p = cell.check_parameters(parameters)
    n_x, n_a = cell.sizes(p)
    unknown = [k for k in options if k not in cell.options]
    if unknown:
        raise ValueError(f"options {unknown} are not options of the {cell.name!r} cell (it has {sorted(cell.options)})")
    if initial is None:
        x, _ = sequence_inputs(x, np.zeros((n_a, np.shape(x)[1] if np.ndim(x) == 3 else 1)), n_x, n_a)
        initial = tuple(np.zeros((n_a, x.shape[1])) for _ in cell.states)
    else:
        if not isinstance(initial, (tuple, list)) or len(initial) != len(cell.states):
            raise ValueError(
                f"initial must be a tuple of {len(cell.states)} arrays {cell.states} for the {cell.name!r} cell, "
                f"got {type(initial).__name__}"
            )
        x = shaped_array("x", x, "(n_x, m, T_x)", n_x=n_x)
        initial = tuple(
            shaped_array(f"initial[{i}] ({s}0)", v, "(n_a, m)", n_a=n_a, m=x.shape[1])
            for i, (s, v) in enumerate(zip(cell.states, initial))
        )
    if "activation" in options:
        from course_lib.activations import ACTIVATIONS

        check_choice("activation", options["activation"], sorted(ACTIVATIONS))
    return x, p, cell, initial, options


def run_forward(x, parameters, cell="rnn", initial=None, **options):
    """Any registered cell over a whole sequence, checked at the door.

    Args:
        x: inputs (n_x, m, T_x).
        parameters: the cell's parameter dict (its output layer, if any, is ignored here).
        cell: "rnn", "gru", "lstm" (see cell_names()) or a Cell.
        initial: tuple of initial states, one (n_a, m) array per ``cell.states``; zeros
            by default.
        options: the cell's options (e.g. activation="tanh" for the RNN).
    Returns:
        h: the hidden state at every step (a for the RNN and LSTM, c for the GRU),
            (n_a, m, T_x).
        caches: the SequenceCache, for run_backward.
    """
    x, p, cell, initial, options = _check_run_forward(x, parameters, cell, initial, **options)
    caches = sequence_forward(cell, x, initial, p, options)
    return caches.state(cell.hidden), caches


def run_backward(d_hidden, caches, input_gradient=True):
    """Backpropagation through time for any cell, checked at the door.

    Args:
        d_hidden: ∂J/∂h<t> from above for every step (h the cell's hidden state),
            (n_a, m, T_x).
        caches: the SequenceCache from run_forward (or a cell's own forward).
        input_gradient: also compute dx.
    Returns:
        gradients: "dx" (n_x, m, T_x) or None, "d<state>0" for every state, and the
        parameter gradients "d<key>" summed over the steps.
    """
    from course_lib._validate import check_bool, shaped_array

    if not isinstance(caches, SequenceCache):
        raise ValueError(f"caches must be the SequenceCache of a forward pass, got {type(caches).__name__}")
    n_a, m, T_x = caches.state(caches.cell.hidden).shape
    d_hidden = shaped_array("d_hidden", d_hidden, "(n_a, m, T_x)", n_a=n_a, m=m, T_x=T_x)
    return sequence_backward(d_hidden, caches, check_bool("input_gradient", input_gradient))


# ---------------------------------------------------------------------------------------
# One-hot inputs given by their indices: a column lookup forward, a scatter-add backward
# ---------------------------------------------------------------------------------------


def one_hot_matmul(W, indices, b=None):
    """W x (+ b) for one-hot x given by its indices: column ``indices[...]`` of W, no product.

    Args:
        W: weights (n, n_x).
        indices: int (m,) for one step or (m, T_x) for every step, in [0, n_x) or −1 for
            the zero input (x<1> = 0 of a language model; padding).
        b: optional bias column (n, 1), added to every column (the zero input gives b).
    Returns:
        (n, m) or (n, m, T_x): the same numbers as ``add_bias(matmul_steps(W, one_hot(indices,
        n_x)), b)``, gathered step by step (a view of a (T_x, m, n) array: each step's (n, m)
        is one block of memory, which is how the driver's loop reads it).
    """
    zero = np.zeros((W.shape[0], 1)) if b is None else b
    rows = np.concatenate([W if b is None else W + b, zero], axis=1).T.copy()  # row j: column j of W (+ b); row −1: the zero input
    return rows[indices.T].T  # (T_x, m, n) gathered row by row, seen as (n, m, T_x)


def one_hot_outer_sum(dz, indices, n_x):
    """Σ over the batch (and the steps) of dz xᵀ for one-hot x given by its indices: (n, n_x).

    The same as ``outer_sum(dz, one_hot(indices, n_x))``: column j of the result is the sum
    of dz over the positions whose index is j (a zero input, −1, adds nothing), computed
    as a scatter-add of dz into columns (one ``np.bincount``), without the one-hot product.
    Args:
        dz: (n, m) for one step or (n, m, T_x) for every step.
        indices: int (m,) or (m, T_x), in [0, n_x) or −1.
        n_x: the number of columns (the vocabulary size).
    """
    n = dz.shape[0]
    columns = np.where(indices < 0, n_x, indices).reshape(-1)  # the zero input: an extra column n_x, dropped
    slots = (np.arange(n)[:, None] * (n_x + 1) + columns).reshape(-1)  # row r, column j → r·(n_x + 1) + j
    # bincount takes only the platform's index type, np.intp (int32 in WebAssembly: Pyodide).
    sums = np.bincount(slots.astype(np.intp, copy=False), weights=dz.reshape(-1), minlength=n * (n_x + 1))
    return np.ascontiguousarray(sums.reshape(n, n_x + 1)[:, :n_x])
