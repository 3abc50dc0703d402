"""The name tagger of source tutorial section 2: a many-to-many RNN with a sigmoid output per step.

    a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)
    ŷ<t> = σ(Wya a<t> + by)                        P(character t is part of a name)
    J = Σ_t Σ_examples −y<t> log ŷ<t> − (1 − y<t>) log(1 − ŷ<t>)

Any cell of the recurrent core can carry the tagger (``cell="rnn"`` by default); its
output layer is the cell's own (Wya, by for the RNN; Wy, by for the GRU and LSTM) and
reads the cell's hidden state.
Derived in notebooks/02_bptt.ipynb, "Training the name tagger"
"""

import numpy as np

from course_lib._validate import checked, require_keys, shaped_array
from course_lib.activations import sigmoid
from course_lib.losses import (
    binary_cross_entropy_from_logits,
    output_layer_backward,
    output_layer_forward,
)
from course_lib.recurrent import get_cell, sequence_backward, sequence_forward

__all__ = ["tagger_loss_and_gradients", "tagger_predict"]


def _check_model(parameters, x, cell):
    """The cell, its checked parameters (output layer required) and x (n_x, m, T_x)."""
    cell = get_cell(cell)
    require_keys("parameters", parameters, cell.parameter_keys + cell.output_keys)
    p = cell.check_parameters(parameters)
    n_x, _ = cell.sizes(p)
    return cell, p, shaped_array("x", x, "(n_x, m, T_x)", n_x=n_x)


def _check_predict(parameters, x, cell="rnn"):
    cell, p, x = _check_model(parameters, x, cell)
    return p, x, cell


def _check_loss(parameters, x, y, mask=None, cell="rnn"):
    cell, p, x = _check_model(parameters, x, cell)
    # y and mask are checked against the logits by binary_cross_entropy_from_logits
    return p, x, y, mask, cell


def _hidden_states(p, x, cell):
    """The cell's hidden state at every step from h<0> = 0, and the forward caches."""
    n_a = cell.sizes(p)[1]
    initial = tuple(np.zeros((n_a, x.shape[1])) for _ in cell.states)  # every state starts at 0
    caches = sequence_forward(cell, x, initial, p)
    return caches.state(cell.hidden), caches


@checked(_check_predict)
def tagger_predict(parameters, x, cell="rnn"):
    """P(name) for every character: ŷ<t> = σ(Wya a<t> + by) for every step.

    Args:
        parameters: the cell's parameters and output layer: for the RNN Wax (n_a, n_x),
            Waa (n_a, n_a), ba (n_a, 1), Wya (1, n_a), by (1, 1).
        x: one-hot inputs (n_x, m, T_x).
        cell: "rnn" (default) or another registered cell.
    Returns:
        y_hat: shape (n_y, m, T_x), each entry in [0, 1]; n_y = 1 for the name tagger.

    Derived in notebooks/02_bptt.ipynb, "Training the name tagger"
    """
    W, b = cell.output_keys
    a, _ = _hidden_states(parameters, x, cell)  # a<t> for every t  (n_a, m, T_x)
    return sigmoid(output_layer_forward(a, parameters[W], parameters[b]))  # ŷ<t> = σ(Wya a<t> + by)


@checked(_check_loss)
def tagger_loss_and_gradients(parameters, x, y, mask=None, cell="rnn"):
    """The cost J and its FULL gradient, output layer included.

    Args:
        parameters: Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (1, n_a), by (1, 1)
            (another cell: its own keys and its output layer).
        x: one-hot inputs (n_x, m, T_x).
        y: labels (1, m, T_x) in {0, 1}.
        mask: optional bool (m, T_x), False at padded steps.
        cell: "rnn" (default) or another registered cell.
    Returns:
        J: the summed binary cross-entropy (a float).
        gradients: dWax, dWaa, dba, dWya, dby — one per parameter, same shapes.

    rnn_backward alone (as in the DLS assignment) starts from ∂J/∂a<t>; here the output
    layer's backward pass produces that ∂J/∂a<t> first, and its own dWya, dby.
    Derived in notebooks/02_bptt.ipynb, "Training the name tagger"
    """
    W, b = cell.output_keys
    a, caches = _hidden_states(parameters, x, cell)                  # a<t> for every t  (n_a, m, T_x)
    z = output_layer_forward(a, parameters[W], parameters[b])        # z<t> = Wya a<t> + by  (1, m, T_x)
    J, dz = binary_cross_entropy_from_logits(z, y, mask)             # dz<t> = ŷ<t> − y<t>
    dW, db, da = output_layer_backward(dz, a, parameters[W])         # da<t> = Wyaᵀ dz<t>
    grads = sequence_backward(da, caches, input_gradient=False)      # back through time: rnn_backward's loop
    return J, {**cell.only_parameter_gradients(grads), "d" + W: dW, "d" + b: db}
