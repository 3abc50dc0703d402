"""The name tagger of seed section 2: a many-to-many RNN with a sigmoid output per step.

    a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)
    ŷ<t> = σ(Wya a<t> + by)                        P(character t is part of a name)
    J = Σ_t Σ_examples −y<t> log ŷ<t> − (1 − y<t>) log(1 − ŷ<t>)

Derived in notebooks/02_bptt.ipynb, "Training the name tagger"
"""

import numpy as np

from course_lib._validate import require_keys
from course_lib.activations import sigmoid
from course_lib.losses import (
    binary_cross_entropy_from_logits,
    output_layer_backward,
    output_layer_forward,
)
from course_lib.rnn import rnn_backward, rnn_forward

CELL_KEYS = ("Wax", "Waa", "ba")


def _split(parameters):
    require_keys("parameters", parameters, CELL_KEYS + ("Wya", "by"))
    return {k: parameters[k] for k in CELL_KEYS}, parameters["Wya"], parameters["by"]


def tagger_predict(parameters, x):
    """P(name) for every character: ŷ of shape (1, m, T_x) for x of shape (n_x, m, T_x).

    Derived in notebooks/02_bptt.ipynb, "Training the name tagger"
    """
    cell, Wya, by = _split(parameters)
    a0 = np.zeros((cell["Waa"].shape[0], np.shape(x)[1]))
    a, _, _ = rnn_forward(x, a0, cell)
    return sigmoid(output_layer_forward(a, Wya, by))


def tagger_loss_and_gradients(parameters, x, y, mask=None):
    """The cost J and its FULL gradient, output layer included.

    Args:
        parameters: Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (1, n_a), by (1, 1).
        x: one-hot inputs (n_x, m, T_x).
        y: labels (1, m, T_x) in {0, 1}.
        mask: optional bool (m, T_x), False at padded steps.
    Returns:
        J: the summed binary cross-entropy (a float).
        gradients: dWax, dWaa, dba, dWya, dby — one per parameter, same shapes.

    rnn_backward alone (as in the DLS assignment) starts from ∂J/∂a<t>; here the output
    layer's backward pass produces that ∂J/∂a<t> first, and its own dWya, dby.
    Derived in notebooks/02_bptt.ipynb, "Training the name tagger"
    """
    cell, Wya, by = _split(parameters)
    a0 = np.zeros((cell["Waa"].shape[0], np.shape(x)[1]))
    a, _, caches = rnn_forward(x, a0, cell)                       # a<t> for every t  (n_a, m, T_x)
    z = output_layer_forward(a, Wya, by)                          # z<t> = Wya a<t> + by  (1, m, T_x)
    J, dz = binary_cross_entropy_from_logits(z, y, mask)          # dz<t> = ŷ<t> − y<t>
    dWya, dby, da = output_layer_backward(dz, a, Wya)             # da<t> = Wyaᵀ dz<t>
    grads = rnn_backward(da, caches)                              # back through time
    return J, {"dWax": grads["dWax"], "dWaa": grads["dWaa"], "dba": grads["dba"],
               "dWya": dWya, "dby": dby}
