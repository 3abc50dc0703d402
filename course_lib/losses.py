"""Per-step losses summed over time, and the output layer's backward pass.

    name tagger,    ŷ<t> = σ(Wya a<t> + by):        L<t> = −y<t> log ŷ<t> − (1 − y<t>) log(1 − ŷ<t>)
    language model, ŷ<t> = softmax(Wya a<t> + by):  L<t> = −Σ_i y_i<t> log ŷ_i<t>
    J = Σ_t L<t>

J is a sum, not a mean: over the steps as in the formula, and over the m examples of the
batch too. An optional mask (m, T_x) marks padded steps with False; they add nothing to J
nor to its gradient.

The full gradient of a many-to-many RNN, output layer included:

    a, _, caches = rnn_forward(x, a0, parameters)
    z = output_layer_forward(a, parameters["Wya"], parameters["by"])
    J, dz = binary_cross_entropy_from_logits(z, y, mask)
    dWya, dby, da = output_layer_backward(dz, a, parameters["Wya"])
    gradients = rnn_backward(da, caches)
"""

import numpy as np

from course_lib._validate import as_shaped_array, as_float_array, check_shape
from course_lib.activations import log_softmax, sigmoid

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_from_logits",
    "softmax_cross_entropy",
    "cross_entropy_of_columns",
    "output_layer_forward",
    "output_layer_backward",
]

# binary_cross_entropy keeps ŷ this far from 0 and 1 so that log ŷ and log(1 − ŷ) stay
# finite (given probabilities, it cannot do better; the _from_logits forms are exact).
EPS = 1e-12


def binary_cross_entropy(y_hat, y, mask=None):
    """The binary cross-entropy J = Σ_t Σ_examples L<t> of probabilities ŷ, and ∂J/∂ŷ.

    Args:
        y_hat: sigmoid outputs ŷ in [0, 1], shape (n_y, m, T_x); n_y = 1 for the name tagger.
        y: labels in [0, 1], shape (n_y, m, T_x).
        mask: optional bool array (m, T_x); False marks a padded step.
    Returns:
        J: the loss, a float (a sum, not a mean).
        dy_hat: ∂J/∂ŷ = (ŷ − y) / (ŷ (1 − ŷ)), shape (n_y, m, T_x), 0 at padded steps.

    ŷ is clipped into [EPS, 1 − EPS] first; binary_cross_entropy_from_logits is exact
    for every ŷ and is what training uses.
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    y_hat = as_shaped_array("y_hat", y_hat, "(n_y, m, T_x)")
    y = _labels_like(y_hat, y)
    keep = _check_mask(mask, y_hat)  # (1, m, T_x)
    if np.any((y_hat < 0) | (y_hat > 1)):
        raise ValueError("y_hat must hold probabilities in [0, 1] (sigmoid outputs)")

    p = np.clip(y_hat, EPS, 1 - EPS)
    loss = -(y * np.log(p) + (1 - y) * np.log1p(-p))  # L<t> = −y log ŷ − (1−y) log(1−ŷ)
    dy_hat = (p - y) / (p * (1 - p))  # ∂L/∂ŷ = −y/ŷ + (1 − y)/(1 − ŷ)
    return float(np.sum(loss, where=keep)), np.where(keep, dy_hat, 0.0)


def binary_cross_entropy_from_logits(z, y, mask=None):
    """The binary cross-entropy of ŷ = σ(z), computed from z: exact and stable for any z.

    Args:
        z: pre-sigmoid logits, shape (n_y, m, T_x).
        y: labels in [0, 1], shape (n_y, m, T_x).
        mask: optional bool array (m, T_x); False marks a padded step.
    Returns:
        J: the loss, a float (a sum over steps and examples, not a mean).
        dz: ∂J/∂z = σ(z) − y, shape (n_y, m, T_x), zero at padded steps.

    With log σ(z) = −log(1 + e^(−z)), L = max(z, 0) − z y + log(1 + e^(−|z|)): no
    exponent is ever positive, so nothing overflows.
    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    z = as_shaped_array("z", z, "(n_y, m, T_x)")
    y = _labels_like(z, y)
    keep = _check_mask(mask, z)  # (1, m, T_x)

    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))  # L<t> for ŷ = σ(z)
    dz = sigmoid(z) - y  # ∂L/∂z = ŷ − y
    return float(np.sum(loss, where=keep)), np.where(keep, dz, 0.0)


def softmax_cross_entropy(z, y, mask=None):
    """The cross-entropy J = Σ_t Σ_examples L<t> of ŷ = softmax(z), and ∂J/∂z.

    Args:
        z: the logits (pre-softmax) z<t> = Wy a<t> + by, shape (n_y, m, T_x).
        y: targets, either one-hot (n_y, m, T_x) or integer indices (m, T_x) into n_y.
        mask: optional bool array (m, T_x); False marks a padded step (there y may be
            anything, e.g. an all-zero column or index -1).
    Returns:
        J: the loss, a float (a sum over steps and examples, not a mean).
        dz: ∂J/∂z = ŷ − y, shape (n_y, m, T_x), zero at padded steps.

    The loss is computed from the logits, L<t> = −log softmax(z<t>)_{y<t>}, so that a
    confident wrong prediction costs what it costs (a logit gap of 40: 40 nats), never a
    capped value that disagrees with its own gradient.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    z = as_shaped_array("z", z, "(n_y, m, T_x)")
    n_y, m, T_x = z.shape
    keep = _check_mask(mask, z)  # (1, m, T_x)
    if np.ndim(y) == 2:
        # Integer targets: read log ŷ at each target class; no one-hot array is built.
        rows = _target_indices(y, n_y, m, T_x, keep)  # (m, T_x), 0 where padded
        J, dz = cross_entropy_of_columns(z.reshape(n_y, m * T_x).copy(), rows.reshape(-1), keep.reshape(-1))
        return J, dz.reshape(n_y, m, T_x)
    else:
        y = _one_hot_targets(y, n_y, m, T_x, keep)
        log_y_hat = log_softmax(z)  # log ŷ<t>  (n_y, m, T_x)
        y_hat = np.exp(log_y_hat)  # ŷ<t> = softmax(z<t>)
        loss = -(y * log_y_hat).sum(axis=0, keepdims=True)  # L<t> = −Σ_i y_i log ŷ_i  (1, m, T_x)
        dz = y_hat - y  # ∂L/∂z = ŷ − y, since Σ_i y_i = 1
    return float(np.sum(loss, where=keep)), np.where(keep, dz, 0.0)


def cross_entropy_of_columns(z, y, keep):
    """J = Σ −log softmax(z)[y] over the kept columns, and dz = softmax(z) − y (0 elsewhere).

    Unchecked, and it OVERWRITES z: the one computation of the cross-entropy of integer
    targets, which ``softmax_cross_entropy`` runs on a copy of its (checked) logits and the
    language model's trainer on its own temporary logits, at every step, where each fresh
    array of the size of z costs the time of touching new memory.
    Args:
        z: logits (n_y, N), one column per (example, step); dz is computed in its memory.
        y: int (N,), the target of each column (any value where not kept, e.g. −1).
        keep: bool (N,), the columns that count (the real tokens).
    Returns:
        J (a float, natural log) and dz (n_y, N), which is z's memory.
    """
    n = np.arange(len(y))
    y = np.where(keep, y, 0)
    z -= z.max(axis=0)  # z − max: every exponent ≤ 0
    z_y = z[y, n]  # the targets' logits, shifted alike  (N,)
    e = np.exp(z, out=z)
    total = e.sum(axis=0)  # Σ_i e^(z_i − max)  (N,)
    J = np.sum(np.log(total) - z_y, where=keep)  # −log ŷ[y] = log Σ_i e^(z_i − max) − (z_y − max)
    e /= total  # ŷ = softmax(z)
    e[y, n] -= 1.0  # dz = ŷ − y
    e[:, ~keep] = 0.0  # what is not a token sends nothing back
    return float(J), e


def output_layer_forward(a, Wy, by):
    """The output layer's logits at every step: z<t> = Wy a<t> + by.

    Args:
        a: hidden states, shape (n_a, m, T_x).
        Wy: output weights (the cell's Wya), shape (n_y, n_a).
        by: output bias, shape (n_y, 1).
    Returns:
        z: logits, shape (n_y, m, T_x); ŷ = σ(z) or softmax(z).

    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    Wy = as_shaped_array("Wy", Wy, "(n_y, n_a)")
    n_y, n_a = Wy.shape
    by = as_float_array("by", by)
    check_shape("by", by, (n_y, 1), "(n_y, 1)")
    a = as_shaped_array("a", a, "(n_a, m, T_x)")
    check_shape("a", a, (n_a, *a.shape[1:]), "(n_a, m, T_x)")
    m, T_x = a.shape[1:]
    # All steps at once: a seen as n_a × (m·T_x), one column per (example, step).
    z = (Wy @ a.reshape(n_a, m * T_x)).reshape(n_y, m, T_x)
    return z + by[:, :, None]  # z<t> = Wy a<t> + by


def output_layer_backward(dz, a, Wy):
    """Gradients of the output layer z<t> = Wy a<t> + by, summed over every step.

    Args:
        dz: ∂J/∂z<t> for every step (from a loss above), shape (n_y, m, T_x).
        a: hidden states, shape (n_a, m, T_x).
        Wy: output weights (the cell's Wya), shape (n_y, n_a).
    Returns:
        dWy: Σ_t dz<t> a<t>ᵀ, shape (n_y, n_a).
        dby: Σ_t Σ_examples dz<t>, shape (n_y, 1).
        da: Wyᵀ dz<t> for every step, shape (n_a, m, T_x): the upstream gradient
            that rnn_backward takes.

    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    Wy = as_shaped_array("Wy", Wy, "(n_y, n_a)")
    n_y, n_a = Wy.shape
    a = as_shaped_array("a", a, "(n_a, m, T_x)")
    check_shape("a", a, (n_a, *a.shape[1:]), "(n_a, m, T_x)")
    dz = as_float_array("dz", dz)
    check_shape("dz", dz, (n_y, *a.shape[1:]), "(n_y, m, T_x)")

    m, T_x = a.shape[1:]
    # Side by side as m·T_x columns, the sum over steps becomes one matrix product.
    dz_cols = dz.reshape(n_y, m * T_x)  # (n_y, m·T_x)
    dWy = dz_cols @ a.reshape(n_a, m * T_x).T  # dWy = Σ_t dz<t> a<t>ᵀ  (n_y, n_a)
    dby = dz_cols.sum(axis=1, keepdims=True)  # dby = Σ_t Σ_examples dz<t>  (n_y, 1)
    da = (Wy.T @ dz_cols).reshape(n_a, m, T_x)  # da<t> = Wyᵀ dz<t>  (n_a, m, T_x)
    return dWy, dby, da


# ---------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------


def _labels_like(pred, y):
    """Binary labels y in [0, 1], shaped like the predictions."""
    y = as_float_array("y", y)
    check_shape("y", y, pred.shape, "(n_y, m, T_x)")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y must hold labels in [0, 1]")
    return y


def _check_mask(mask, pred):
    """The mask as a bool array (1, m, T_x) that broadcasts over n_y (all True if None)."""
    _, m, T_x = pred.shape
    if mask is None:
        return np.ones((1, m, T_x), dtype=bool)
    mask = np.asarray(mask)
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must be boolean (True = a real step, False = padding)")
        mask = mask.astype(bool)
    check_shape("mask", mask, (m, T_x), "(m, T_x)")
    return mask[None]


def _target_indices(y, n_y, m, T_x, keep):
    """Integer targets (m, T_x) checked against n_y; padded steps set to class 0."""
    y = np.asarray(y)
    check_shape("y", y, (m, T_x), "(m, T_x)")
    integral = np.issubdtype(y.dtype, np.integer) or (
        np.issubdtype(y.dtype, np.floating) and np.all(y == np.round(y))
    )
    if not integral:
        raise ValueError(f"y as indices must hold integers, got dtype {y.dtype}")
    indices = y.astype(np.int64)
    if np.any(keep[0] & ((indices < 0) | (indices >= n_y))):
        raise ValueError(f"y holds class indices outside 0 ... n_y - 1 = {n_y - 1}")
    return np.where(keep[0], indices, 0)


def _one_hot_targets(y, n_y, m, T_x, keep):
    """One-hot targets (n_y, m, T_x), checked: each real column sums to 1."""
    y = np.asarray(y)
    if y.ndim != 3:
        raise ValueError(
            f"y must have shape (n_y, m, T_x) (one-hot) or (m, T_x) (indices), got shape {y.shape}"
        )
    y = as_float_array("y", y)
    check_shape("y", y, (n_y, m, T_x), "(n_y, m, T_x)")
    sums = y.sum(axis=0, keepdims=True)
    if np.any(y < 0) or not np.allclose(sums[keep], 1.0, atol=1e-6):
        raise ValueError(
            "y must be one-hot along axis 0 (each column summing to 1); "
            "mark padded steps with mask=False"
        )
    return y
