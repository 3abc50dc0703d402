"""Activation functions that never overflow, whatever the size of their inputs.

Derived in notebooks/01_forward_pass.ipynb, "The forward equations".
"""

import numpy as np

from course_lib._validate import as_float_array, check_positive_float


def _real(name, z):
    """z as a real float64 array; ±inf allowed (σ(inf) = 1), but not None, str or complex."""
    return as_float_array(name, z, finite=False)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), elementwise, without overflow.

    Args:
        z: array of any shape.
    Returns:
        array of the same shape, float64, values in [0, 1].

    Only e^(-|z|) is ever computed, which lies in (0, 1]: large |z| cannot overflow.
    """
    z = _real("z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z):
    """tanh(z), elementwise (NumPy's tanh already saturates without overflow)."""
    return np.tanh(_real("z", z))


def relu(z):
    """max(0, z), elementwise."""
    return np.maximum(_real("z", z), 0.0)


def identity(z):
    """z itself, as float64 (a linear "activation", for the gradient experiments)."""
    return _real("z", z).copy()


def softmax(z):
    """Softmax over axis 0 (the n_y axis), without overflow.

    Args:
        z: pre-activations, shape (n_y, ...) — usually (n_y, m).
    Returns:
        array of the same shape whose entries along axis 0 are positive and sum to 1.

    Subtracting the column maximum leaves the result unchanged and keeps every exponent ≤ 0.
    """
    z = _real("z", z)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def log_softmax(z):
    """log softmax(z) over axis 0, computed from the logits: exact where softmax underflows.

    Args:
        z: logits, shape (n_y, ...).
    Returns:
        array of the shape of z, every entry ≤ 0; its exponential is softmax(z). A logit
        40 below the largest gives −40 here, where log(softmax(z)) would need e^(−40) to
        survive a sum with 1 (it does, barely) and a gap of 800 gives −inf.
    """
    z = _real("z", z)
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def softmax_with_temperature(z, temperature=1.0):
    """softmax(z / temperature) over axis 0, stable for any temperature > 0.

    Args:
        z: logits, shape (n_y, ...).
        temperature: τ > 0. τ = 1 is the model's own distribution; τ < 1 sharpens it,
            τ → 0 puts all the mass on the argmax (ties share it); τ > 1 flattens it.
    Returns:
        probabilities of the shape of z, summing to 1 along axis 0.

    The maximum is subtracted *before* dividing by τ, so every exponent is ≤ 0: a tiny τ
    sends the others to −inf (probability 0), never to +inf.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    temperature = check_positive_float("temperature", temperature)
    z = _real("z", z)
    with np.errstate(over="ignore", under="ignore"):
        scaled = (z - z.max(axis=0, keepdims=True)) / temperature
        e = np.exp(scaled)
    return e / e.sum(axis=0, keepdims=True)


# g1 choices for a recurrent cell, with their derivative written in terms of the
# activation's *output* a = g(u), which is what the backward pass keeps in its cache.
# (np.tanh itself, not tanh above: the cells call it on float64 arrays already, T_x times.)
ACTIVATIONS = {
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "relu": (relu, lambda a: (a > 0).astype(np.float64)),
    "identity": (identity, lambda a: np.ones_like(a)),
}


def get_activation(name):
    """(g, g') for ``name`` in ACTIVATIONS, g' taking the output a = g(u)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
