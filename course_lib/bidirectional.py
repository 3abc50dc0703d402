"""The bidirectional RNN (source tutorial section 8): one sweep forward, one sweep backward.

    a→<t> = cell(a→<t-1>, x<t>)      the forward direction reads x<1>, x<2>, ..., x<t>
    a←<t> = cell(a←<t+1>, x<t>)      the backward direction reads x<T_x>, ..., x<t+1>, x<t>
    ŷ<t>  = softmax(Wy [a→<t>; a←<t>] + by)

Each direction is one call of the recurrent core's driver (any cell: "rnn", "gru",
"lstm" and their variants), with its own parameters. The backward direction is the same
driver run on the inputs in reverse order, x[:, :, ::-1]; its states are flipped back, so
that column t of a← sits beside column t of a→ and has read the inputs from the last one
back to x[:, :, t]. Nothing else is new: a bidirectional RNN is two RNNs and a reversal.

Shapes: x (n_x, m, T_x); each direction's hidden state (n_a, m, T_x); a = [a→; a←]
(2 n_a, m, T_x); Wy (n_y, 2 n_a), by (n_y, 1), y_pred (n_y, m, T_x).
Derived in notebooks/08_bidirectional_rnn.ipynb, "The bidirectional RNN".
"""

from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_generator,
    check_letters,
    check_positive_float,
    check_positive_int,
    checked,
    float_parameters,
    shaped_array,
)
from course_lib.recurrent import SequenceCache, get_cell, predictions, sequence_backward, sequence_forward

__all__ = [
    "BidirectionalCaches",
    "bidirectional_backward",
    "bidirectional_forward",
    "bidirectional_predictions",
    "initialize_bidirectional_output",
    "initialize_bidirectional_parameters",
]


class BidirectionalCaches(NamedTuple):
    """What the two sweeps of ``bidirectional_forward`` computed.

    Attributes:
        fwd: the forward direction's SequenceCache; step t read x<t+1> (0-based t).
        bwd: the backward direction's SequenceCache, in ITS OWN time order: it ran on the
            reversed inputs, so its step s read x[:, :, T_x − 1 − s], and ``bwd.x`` is the
            reversed x. ``a_bwd`` below flips its states back into the original order.
    """

    fwd: SequenceCache
    bwd: SequenceCache

    @property
    def cell(self):
        """The Cell both directions ran."""
        return self.fwd.cell

    @property
    def a_fwd(self):
        """a→: the forward direction's hidden state at every step, (n_a, m, T_x)."""
        return self.fwd.state(self.cell.hidden)

    @property
    def a_bwd(self):
        """a←: the backward direction's hidden state, flipped back: column t has read x<T_x> … x<t+1> (0-based t), (n_a, m, T_x)."""
        return self.bwd.state(self.cell.hidden)[:, :, ::-1]

    @property
    def a(self):
        """[a→; a←] at every step, (2 n_a, m, T_x): what bidirectional_forward returns."""
        return np.concatenate([self.a_fwd, self.a_bwd], axis=0)


# ---------------------------------------------------------------------------------------
# Argument checks at the door
# ---------------------------------------------------------------------------------------


def _cell_parameters(cell, parameters, name):
    """The cell's check of one direction's parameters; its error says which cell it expected."""
    try:
        return cell.check_parameters(parameters, name=name)
    except ValueError as error:
        raise ValueError(f"{error} (the parameters of cell={cell.name!r})") from None


def _check_forward(x, parameters_fwd, parameters_bwd, cell="rnn"):
    cell = get_cell(cell)
    p_fwd = _cell_parameters(cell, parameters_fwd, "parameters_fwd")
    p_bwd = _cell_parameters(cell, parameters_bwd, "parameters_bwd")
    n_x, n_a = cell.sizes(p_fwd)
    n_x_bwd, n_a_bwd = cell.sizes(p_bwd)
    if (n_x_bwd, n_a_bwd) != (n_x, n_a):
        raise ValueError(
            f"parameters_bwd must have the sizes of parameters_fwd (n_x = {n_x}, n_a = {n_a}): both directions read "
            f"the same x and their states are stacked into one a (2 n_a, m, T_x); got n_x = {n_x_bwd}, n_a = {n_a_bwd}"
        )
    x = shaped_array("x", x, "(n_x, m, T_x)", n_x=n_x)
    return x, p_fwd, p_bwd, cell


def _check_caches(caches):
    if not isinstance(caches, BidirectionalCaches):
        raise ValueError(
            f"caches must be the BidirectionalCaches that bidirectional_forward returns, got {type(caches).__name__}"
        )
    return caches


def _check_backward(da, caches):
    caches = _check_caches(caches)
    n_a, m, T_x = caches.a_fwd.shape
    da = shaped_array("da", da, "(2 n_a, m, T_x)", **{"2 n_a": 2 * n_a}, m=m, T_x=T_x)
    return da, caches


def _check_predictions(a, parameters):
    p = float_parameters("parameters", parameters, ("Wy", "by"))
    n_y, two_n_a = check_letters('parameters["Wy"]', p["Wy"], "(n_y, 2 n_a)").shape
    check_letters('parameters["by"]', p["by"], "(n_y, 1)", n_y=n_y)
    a = shaped_array("a", a, "(2 n_a, m, T_x)", **{"2 n_a": two_n_a})
    return a, p


def _check_initialize(n_x, n_a, cell="rnn", rng=0, scale=0.1):
    return (check_positive_int("n_x", n_x), check_positive_int("n_a", n_a), get_cell(cell), as_generator("rng", rng),
            check_positive_float("scale", scale))


def _check_initialize_output(n_a, n_y, rng=0, scale=0.1):
    return check_positive_int("n_a", n_a), check_positive_int("n_y", n_y), as_generator("rng", rng), \
        check_positive_float("scale", scale)


# ---------------------------------------------------------------------------------------
# Forward and backward
# ---------------------------------------------------------------------------------------


@checked(_check_forward)
def bidirectional_forward(x, parameters_fwd, parameters_bwd, cell="rnn"):
    """Both directions of a bidirectional RNN over a whole sequence, zero initial states.

    Args:
        x: inputs (n_x, m, T_x).
        parameters_fwd, parameters_bwd: each direction's parameters, the cell's dict
            (e.g. Wax, Waa, ba for "rnn"; an output layer Wya/Wy, by, if present, is
            ignored). Both must have the same n_x and n_a.
        cell: "rnn", "gru", "lstm" or a variant (see recurrent.cell_names()), or a Cell.
    Returns:
        a: (2 n_a, m, T_x): rows :n_a are a→ (column t has read x<1> … x<t+1>, 0-based t),
            rows n_a: are a← (column t has read the inputs from the last one back to
            x[:, :, t]). For the GRU the hidden state is c, for the LSTM a.
        caches: BidirectionalCaches(fwd, bwd), for bidirectional_backward.
    Derived in notebooks/08_bidirectional_rnn.ipynb, "The bidirectional RNN".
    """
    n_a, m = cell.sizes(parameters_fwd)[1], x.shape[1]
    zeros = tuple(np.zeros((n_a, m)) for _ in cell.states)  # a<0> (and c<0>) = 0 in both directions
    fwd = sequence_forward(cell, x, zeros, parameters_fwd)  # reads x<1>, ..., x<T_x>
    x_reversed = np.ascontiguousarray(x[:, :, ::-1])  # x<T_x>, ..., x<1>
    bwd = sequence_forward(cell, x_reversed, zeros, parameters_bwd)  # its step s reads x<T_x - s>
    caches = BidirectionalCaches(fwd, bwd)
    return caches.a, caches


@checked(_check_backward)
def bidirectional_backward(da, caches):
    """Backpropagation through both directions: each is the driver's BPTT, the backward one in reverse.

    Args:
        da: ∂J/∂a<t> from above for every step, (2 n_a, m, T_x): rows :n_a for a→, rows
            n_a: for a← (in the original time order, as bidirectional_forward returns a).
        caches: the BidirectionalCaches of bidirectional_forward.
    Returns:
        dx: ∂J/∂x<t>, (n_x, m, T_x), in the original time order: the sum of what the two
            directions send to each input.
        gradients_fwd, gradients_bwd: each direction's parameter gradients "d<key>"
            (e.g. dWax, dWaa, dba), summed over the steps.
    Derived in notebooks/08_bidirectional_rnn.ipynb, "Backpropagation through both directions".
    """
    cell = caches.cell
    n_a = da.shape[0] // 2
    grads_fwd = sequence_backward(da[:n_a], caches.fwd)
    # The backward direction ran on the reversed sequence: its upstream gradient is reversed
    # too, and the gradient it sends to its inputs is flipped back into the original order.
    grads_bwd = sequence_backward(np.ascontiguousarray(da[n_a:, :, ::-1]), caches.bwd)
    dx = grads_fwd["dx"] + grads_bwd["dx"][:, :, ::-1]
    return dx, cell.only_parameter_gradients(grads_fwd), cell.only_parameter_gradients(grads_bwd)


@checked(_check_predictions)
def bidirectional_predictions(a, parameters):
    """ŷ<t> = softmax(Wy [a→<t>; a←<t>] + by) for every step: the output reads both directions.

    Args:
        a: [a→; a←] from bidirectional_forward, (2 n_a, m, T_x).
        parameters: {"Wy": (n_y, 2 n_a), "by": (n_y, 1)}; Wy[:, :n_a] reads a→,
            Wy[:, n_a:] reads a←.
    Returns:
        y_pred: (n_y, m, T_x), each column sums to 1.
    Derived in notebooks/08_bidirectional_rnn.ipynb, "The bidirectional RNN".
    """
    return predictions(a, parameters, weight="Wy", bias="by")


@checked(_check_initialize)
def initialize_bidirectional_parameters(n_x, n_a, cell="rnn", rng=0, scale=0.1):
    """Small random parameters for both directions (without output layer), biases random too.

    Args:
        n_x, n_a: input size and each direction's hidden size.
        cell: "rnn", "gru", "lstm" or a variant, or a Cell.
        rng: a np.random.Generator or an int seed; the forward direction is drawn first.
        scale: standard deviation of every entry.
    Returns:
        (parameters_fwd, parameters_bwd): two independent dicts of the cell's parameters.
    Derived in notebooks/08_bidirectional_rnn.ipynb, "The bidirectional RNN".
    """
    parameters_fwd = cell.initialize(n_x, n_a, None, rng, scale)
    parameters_bwd = cell.initialize(n_x, n_a, None, rng, scale)
    return parameters_fwd, parameters_bwd


@checked(_check_initialize_output)
def initialize_bidirectional_output(n_a, n_y, rng=0, scale=0.1):
    """Small random weights of the output layer that reads both directions.

    Args:
        n_a: each direction's hidden size; n_y: the output size.
        rng: a np.random.Generator or an int seed. scale: standard deviation of every entry.
    Returns:
        {"Wy": (n_y, 2 n_a), "by": (n_y, 1)}, for bidirectional_predictions.
    Derived in notebooks/08_bidirectional_rnn.ipynb, "The bidirectional RNN".
    """
    return {"Wy": scale * rng.standard_normal((n_y, 2 * n_a)), "by": scale * rng.standard_normal((n_y, 1))}
