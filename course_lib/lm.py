"""The recurrent language model: its loss and gradients, sentence probabilities, sampling.

Source tutorial sections 3 and 4. A sentence y<1> ... y<T_y> (its last token <EOS>) is read with
teacher forcing, by any cell of the recurrent core (the RNN by default):

    x<1> = 0,  x<t> = y<t-1>                      (the true previous token, one-hot)
    h<t> = cell(h<t-1>, x<t>)                     (the RNN: a<t> = tanh(Waa a<t-1> + Wax x<t> + ba), a<0> = 0)
    ŷ<t> = softmax(Wy h<t> + by)                  ŷ<t>_i = P(y<t> = i | y<1> ... y<t-1>)
    L<t> = −log ŷ<t>[y<t>],   J = Σ_t L<t>       (summed over the batch too)
    P(y<1> ... y<T_y>) = Π_t ŷ<t>[y<t>]           (the chain rule)

Inputs and outputs share one vocabulary, so n_x = n_y. The parameters are the cell's and
its output layer's (``cell.parameter_keys + cell.output_keys``): for the RNN Wax (n_a, n_y),
Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1). A one-hot x<t> times the input
weights is a column of them: the language model looks that column up (the cell's
``one_hot_input_term``) instead of multiplying by one-hot vectors.
"""

from dataclasses import dataclass

import numpy as np

from course_lib._validate import (
    as_float_array,
    as_generator,
    check_bool,
    check_letters,
    check_positive_float,
    check_positive_int,
    checked,
)
from course_lib.activations import log_softmax, softmax, softmax_with_temperature
from course_lib.data.vocab import EOS, Vocabulary, encode_batch, one_hot, tokenize
from course_lib.losses import cross_entropy_of_columns
from course_lib.recurrent import backward_steps, get_cell, sequence_backward, sequence_forward

__all__ = [
    "SampleResult",
    "TokenProbabilities",
    "check_lm_parameters",
    "chunk_loss_and_gradients",
    "conditional_probabilities",
    "draw_token",
    "hidden_states",
    "lm_forward",
    "lm_loss_and_gradients",
    "lm_step",
    "log_probabilities",
    "mean_token_loss",
    "next_token_distribution",
    "perplexity",
    "sample",
    "sample_indices",
    "sequence_log_probability",
    "softmax_with_temperature",
    "teacher_forcing_inputs",
    "truncate_distribution",
]


# ---------------------------------------------------------------------------------------
# Checks at the door
# ---------------------------------------------------------------------------------------


def _lm_parameters(parameters, vocabulary=None, cell="rnn", need_vocabulary=False):
    """(checked parameters, Cell): the cell's own check, its output layer, n_x = n_y.

    The vocabulary, when given (or needed: a function that reads or writes text), must be
    a Vocabulary of n_y tokens.
    """
    cell = get_cell(cell)
    p = cell.check_parameters(parameters)
    missing = [k for k in cell.output_keys if k not in p]
    if missing:
        raise ValueError(f"parameters is missing {missing}: a language model needs its output layer "
                         f"{list(cell.output_keys)} (the {cell.name!r} cell's)")
    n_x, _ = cell.sizes(p)
    W_y = cell.output_keys[0]
    n_y = p[W_y].shape[0]
    if n_y != n_x:
        raise ValueError(
            f'parameters["{W_y}"] must have shape (n_y, n_a) with n_y = n_x = {n_x} '
            f"(inputs and outputs share the vocabulary), got {p[W_y].shape}"
        )
    if vocabulary is not None or need_vocabulary:
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        if len(vocabulary) != n_y:
            raise ValueError(f"vocabulary must have n_y = {n_y} tokens (the model's size), got {len(vocabulary)}")
    return p, cell


def check_lm_parameters(parameters, vocabulary=None, cell="rnn"):
    """The language model's parameters as a new dict of float64 arrays, after checking them.

    Args:
        parameters: the cell's parameters and its output layer, e.g. for "rnn" Wax (n_a, n_y),
            Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        vocabulary: optional Vocabulary, which must have n_y tokens.
        cell: "rnn" (see ``recurrent.cell_names()``) or a Cell.
    Returns:
        dict of the same keys. Raises ValueError naming the entry for a missing or unknown
        key, a wrong shape, a non-finite value, n_y ≠ n_x, or a vocabulary of another size.
    """
    return _lm_parameters(parameters, vocabulary, cell)[0]


def _indices(name, batch_indices, n_y=None):
    """Token indices (m, T_x) as an int array: −1 = padding, only after a sentence's end."""
    indices = np.asarray(batch_indices) if not isinstance(batch_indices, (str, bytes)) else np.asarray(None)
    if indices.ndim != 2 or indices.dtype.kind not in "iu" or indices.size == 0:
        raise ValueError(f"{name} must be a non-empty integer array of shape (m, T_x), got "
                         f"{type(batch_indices).__name__} of dtype {indices.dtype} and shape {indices.shape}")
    upper = f"[0, n_y={n_y})" if n_y is not None else "[0, n_y)"
    if indices.min() < -1 or (n_y is not None and indices.max() >= n_y):
        raise ValueError(f"{name} must hold token indices in {upper} or -1 (padding), got values from "
                         f"{indices.min()} to {indices.max()}")
    padded = indices < 0
    if np.any(padded[:, :-1] & ~padded[:, 1:]):
        row = int(np.nonzero(padded[:, :-1] & ~padded[:, 1:])[0][0])
        raise ValueError(f"{name} has padding (-1) before a real token in row {row}: padding goes after a sentence's end")
    return indices.astype(np.int64, copy=False)


def _mask(mask, indices):
    """The mask of real tokens (m, T_x), bool; by default every index ≥ 0."""
    if mask is None:
        return indices >= 0
    mask = np.asarray(mask) if not isinstance(mask, (str, bytes)) else np.asarray(None)
    if mask.dtype.kind in "iu" and np.isin(mask, (0, 1)).all():
        mask = mask.astype(bool)
    if mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array of shape (m, T_x) = {indices.shape}, got dtype {mask.dtype}")
    check_letters("mask", mask, "(m, T_x)", m=indices.shape[0], T_x=indices.shape[1])
    if np.any(mask & (indices < 0)):
        raise ValueError("mask marks a padded position (index -1) as a real token")
    return mask


def _text(name, text):
    if not isinstance(text, str):
        raise ValueError(f"{name} must be a str, got {type(text).__name__}")
    return text


def _check_teacher_forcing(batch_indices):
    return (_indices("batch_indices", batch_indices),)


def _check_batch(parameters, batch_indices, cell="rnn"):
    p, cell = _lm_parameters(parameters, None, cell)
    return p, _indices("batch_indices", batch_indices, cell.sizes(p)[0]), cell


def _check_loss(parameters, batch_indices, mask=None, cell="rnn"):
    p, indices, cell = _check_batch(parameters, batch_indices, cell)
    return p, indices, _mask(mask, indices), cell


def _check_chunk(parameters, x_indices, y_indices, initial=None, cell="rnn"):
    p, cell = _lm_parameters(parameters, None, cell)
    n_x, n_a = cell.sizes(p)
    y_indices = _indices("y_indices", y_indices, n_x)
    if (y_indices < 0).any():
        raise ValueError("y_indices must be token indices in [0, n_y) at every step: a chunk of a text has no padding")
    x_indices = np.asarray(x_indices) if not isinstance(x_indices, (str, bytes)) else np.asarray(None)
    if x_indices.dtype.kind not in "iu" or x_indices.size and not -1 <= x_indices.min() <= x_indices.max() < n_x:
        raise ValueError(f"x_indices must hold token indices in [0, n_x={n_x}) or -1 (x<t> = 0), got "
                         f"{x_indices.dtype} values" + (f" from {x_indices.min()} to {x_indices.max()}"
                                                        if x_indices.dtype.kind in "iuf" and x_indices.size else ""))
    x_indices = x_indices.astype(np.int64, copy=False)
    if x_indices.shape != y_indices.shape:
        raise ValueError(f"x_indices must have the shape of y_indices (m, T_x) = {y_indices.shape}, got {x_indices.shape}")
    m = y_indices.shape[0]
    if initial is not None:
        if not (isinstance(initial, (tuple, list)) and len(initial) == len(cell.states)):
            raise ValueError(f"initial must be None or a tuple of {len(cell.states)} arrays {cell.states} (n_a, m) "
                             f"for the {cell.name!r} cell, got {type(initial).__name__}")
        initial = tuple(check_letters(f"initial ({s}<0>)", as_float_array("initial", v), "(n_a, m)", n_a=n_a, m=m)
                        for s, v in zip(cell.states, initial))
    return p, x_indices, y_indices, initial, cell


def _check_mean_token_loss(parameters, vocabulary, sentences, batch_size=256, cell="rnn"):
    p, cell = _lm_parameters(parameters, vocabulary, cell, need_vocabulary=True)
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences \
            or not all(isinstance(s, str) for s in sentences):
        raise ValueError("sentences must be a non-empty list of str")
    return p, vocabulary, list(sentences), check_positive_int("batch_size", batch_size), cell


def _check_text(parameters, vocabulary, text, cell="rnn"):
    p, cell = _lm_parameters(parameters, vocabulary, cell, need_vocabulary=True)
    return p, vocabulary, _text("text", text), cell


def _check_next_token(parameters, vocabulary, prefix="", temperature=1.0, cell="rnn", top_k=None, top_p=None):
    p, cell = _lm_parameters(parameters, vocabulary, cell, need_vocabulary=True)
    return (p, vocabulary, _text("prefix", prefix), check_positive_float("temperature", temperature), cell,
            *_truncation(top_k, top_p, len(vocabulary)))


def _truncation(top_k, top_p, n_y):
    """top_k: None or an int in [1, n_y]; top_p: None or a float in (0, 1]."""
    if top_k is not None:
        top_k = check_positive_int(f"top_k (None, or a number of tokens up to n_y = {n_y})", top_k, maximum=n_y)
    if top_p is not None:
        top_p = check_positive_float("top_p", top_p)
        if top_p > 1:
            raise ValueError(f"top_p must be None or a probability mass in (0, 1], got {top_p:g}")
    return top_k, top_p


def _check_truncate(y_hat, top_k=None, top_p=None):
    y_hat = _probabilities(y_hat)
    return (y_hat, *_truncation(top_k, top_p, y_hat.size))


def _check_lm_step(parameters, a_prev, xt, cell="rnn"):
    p, cell = _lm_parameters(parameters, None, cell)
    n_x, n_a = cell.sizes(p)
    xt = check_letters("xt", as_float_array("xt", xt), "(n_x, m)", n_x=n_x)
    several = len(cell.states) > 1
    if several and not (isinstance(a_prev, (tuple, list)) and len(a_prev) == len(cell.states)):
        raise ValueError(f"a_prev must be a tuple of {len(cell.states)} arrays {cell.states} (n_a, m) for the "
                         f"{cell.name!r} cell, got {type(a_prev).__name__}")
    states = tuple(a_prev) if several else (a_prev,)
    states = tuple(check_letters(f"a_prev ({s}<t-1>)", as_float_array("a_prev", v), "(n_a, m)", n_a=n_a, m=xt.shape[1])
                   for s, v in zip(cell.states, states))
    return p, states if several else states[0], xt, cell


def _check_sample(parameters, vocabulary, rng, temperature=1.0, max_length=50, greedy=False, prefix="", cell="rnn",
                  top_k=None, top_p=None):
    p, cell = _lm_parameters(parameters, vocabulary, cell, need_vocabulary=True)
    greedy = check_bool("greedy", greedy)
    rng = None if greedy and rng is None else as_generator("rng", rng)
    return (p, vocabulary, rng, check_positive_float("temperature", temperature),
            check_positive_int("max_length", max_length), greedy, _text("prefix", prefix), cell,
            *_truncation(top_k, top_p, len(vocabulary)))


def _check_draw_token(y_hat, rng):
    return _probabilities(y_hat), as_generator("rng", rng)


def _probabilities(y_hat):
    y_hat = as_float_array("y_hat", y_hat)
    if y_hat.ndim != 1 or y_hat.size == 0:
        column = " (pass the column ŷ[:, 0] of a (n_y, 1) ŷ)" if y_hat.ndim == 2 and y_hat.shape[1] == 1 else ""
        raise ValueError(f"y_hat must have shape (n_y,) with n_y >= 1, got {y_hat.shape}{column}")
    total = float(y_hat.sum())
    if y_hat.min() < 0 or abs(total - 1.0) > np.sqrt(np.finfo(np.float64).eps):  # rng.choice's own tolerance
        raise ValueError(
            f"y_hat must be probabilities, every entry >= 0 and summing to 1 (ŷ = softmax(z), not the logits z), "
            f"got entries from {y_hat.min():.3g} to {y_hat.max():.3g} summing to {total:.6g}")
    return y_hat


def _check_sample_indices(parameters, rng, eos, max_length=50):
    p, cell = _lm_parameters(parameters, None, "rnn")
    n_y = cell.sizes(p)[0]
    return (p, as_generator("rng", rng), check_positive_int("eos", eos, minimum=0, maximum=n_y - 1),
            check_positive_int("max_length", max_length))


# ---------------------------------------------------------------------------------------
# Teacher forcing: the forward pass and the hidden states
# ---------------------------------------------------------------------------------------


@checked(_check_teacher_forcing)
def teacher_forcing_inputs(batch_indices):
    """The input indices for teacher forcing: x<1> = 0 (index −1), x<t> = y<t-1>.

    Args:
        batch_indices: int (m, T_x), the target tokens y<1> ... y<T_x>, −1 = padding
            (after a sentence's end only).
    Returns:
        int (m, T_x): the same rows shifted right by one, −1 in front (a zero vector once
        one-hot encoded by ``one_hot``).
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    x_indices = np.full_like(batch_indices, -1)  # x<1> = 0
    x_indices[:, 1:] = batch_indices[:, :-1]  # x<t> = y<t-1>
    return x_indices


def _forward(cell, p, x_indices, keep_inputs=True, initial=None):
    """The cell over every step, reading the one-hot inputs given by ``x_indices``, from
    the states ``initial`` (default h<0> = 0).

    With ``keep_inputs=False`` (for caches that never leave lm_loss_and_gradients, whose
    backward reads the indices, not x) a cell with a one-hot lookup gets a zero view in
    place of the one-hot x: building x would cost more than the step's whole loop.
    """
    n_x, n_a = cell.sizes(p)
    m, T_x = x_indices.shape
    if initial is None:
        initial = tuple(np.zeros((n_a, m)) for _ in cell.states)  # h<0> = 0
    if cell.one_hot_input_term is None:
        return sequence_forward(cell, one_hot(x_indices, n_x), initial, p)
    # A one-hot x<t> times the input weights is one of their columns: look it up.
    u = cell.one_hot_input_term(p, x_indices)
    x = one_hot(x_indices, n_x) if keep_inputs else np.broadcast_to(np.zeros((n_x, 1, 1)), (n_x, m, T_x))
    return sequence_forward(cell, x, initial, p, u=u)


@checked(_check_batch)
def lm_forward(parameters, batch_indices, cell="rnn"):
    """The cell over a batch of sentences with teacher forcing: the core's SequenceCache.

    Args:
        parameters: the language model (the cell's parameters and its output layer).
        batch_indices: int (m, T_x), the tokens y<t> of m sentences, −1 after a sentence's end.
        cell: "rnn" or another registered cell.
    Returns:
        caches: the SequenceCache of ``recurrent.sequence_forward`` over x<1> = 0,
        x<t> = y<t-1>: ``caches.state(cell.hidden)`` is h<t> for every step (n_a, m, T_x),
        ``caches.x`` the one-hot inputs (n_x, m, T_x). For ``recurrent.backward_steps``.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    return _forward(cell, parameters, teacher_forcing_inputs.unchecked(batch_indices))


@checked(_check_batch)
def hidden_states(parameters, batch_indices, cell="rnn"):
    """The hidden state at every step of a batch of sentences read with teacher forcing.

    Args:
        parameters: the language model.
        batch_indices: int (m, T_x), the tokens y<t>, −1 after a sentence's end.
        cell: "rnn" or another registered cell.
    Returns:
        h: (n_a, m, T_x); h[:, i, t] is the state that predicts token t of sentence i (it
        has read tokens 0 ... t − 1). Past a sentence's end the cell reads zero inputs:
        those columns are not the sentence's (mask them with ``batch_indices >= 0``).
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    return lm_forward.unchecked(parameters, batch_indices, cell).state(cell.hidden)


class _Columns:
    """Which steps of a padded batch the output layer computes: all m·T_x of them, or only
    the N tokens of the mask when padding is a large part of the batch (the output layer's
    three products, of n_y × n_a each per column, then skip it)."""

    GATHER_BELOW = 0.8  # gather the real tokens when they are fewer than this share of m·T_x

    def __init__(self, mask):
        self.shape = mask.shape
        flat = mask.reshape(-1)
        self.real = np.flatnonzero(flat) if flat.mean() < self.GATHER_BELOW else None
        self.keep = flat if self.real is None else np.ones(len(self.real), bool)

    def of(self, v):
        """(n, m, T_x) → (n, N): the columns i·T_x + t that the output layer computes."""
        v = v.reshape(v.shape[0], -1)
        return v if self.real is None else np.take(v, self.real, axis=1)

    def back(self, rows):
        """Rows (N, n), one per column computed, to (n, m, T_x), zeros at the others.

        Laid out step by step (a view of a (T_x, m, n) array), so that the backward loop
        reads each step's (n, m) as one block of memory.
        """
        m, T_x = self.shape
        if self.real is None:  # rows i·T_x + t: a view of the (m, T_x, n) product
            return rows.T.reshape(-1, m, T_x)
        out = np.zeros((T_x * m, rows.shape[1]))
        out[(self.real % T_x) * m + self.real // T_x] = rows  # column i·T_x + t → row t·m + i
        return out.reshape(T_x, m, -1).T


def _backward(cell, dh, caches, x_indices):
    """The parameter gradients of BPTT from ∂J/∂h<t>, the inputs being one-hot data."""
    if cell.one_hot_parameter_gradients is None:
        gradients = sequence_backward(dh, caches, input_gradient=False)
    else:  # the input weights' gradient as a scatter-add into the columns the inputs read
        gradients = cell.one_hot_parameter_gradients(backward_steps(dh, caches, keep_states=False).local, caches.stacked, x_indices)
    return cell.only_parameter_gradients(gradients)


# ---------------------------------------------------------------------------------------
# Loss and gradients (training)
# ---------------------------------------------------------------------------------------


@checked(_check_loss)
def lm_loss_and_gradients(parameters, batch_indices, mask=None, cell="rnn"):
    """Cross-entropy of a batch of sentences and its gradient for every parameter.

    Args:
        parameters: the cell's parameters and its output layer; for "rnn" Wax (n_a, n_y),
            Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        batch_indices: int (m, T_x), the tokens y<t> of m sentences, each ending in
            <EOS> (index 1), −1 after a sentence's end (padding).
        mask: bool (m, T_x), True at the tokens that count; by default ``batch_indices >= 0``.
        cell: "rnn" or another registered cell.
    Returns:
        J: the loss Σ_i Σ_t L<t>(i) over the tokens of the mask (a float; natural log).
        gradients: "d" + every parameter key (dWax, dWaa, dba, dWya, dby), shaped like
            the parameters.

    The forward pass runs the cell on x<t> = y<t-1> (a one-hot x<t> times the input
    weights is a column of them: looked up, not multiplied); the output layer gives
    dz<t> = ŷ<t> − y<t> (zero where the mask is False, so padding sends nothing back),
    hence dWy, dby and the gradient reaching every h<t>, which BPTT carries back; the
    input weights' gradient adds each dz<t> into the column of the token read.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    W_y, b_y = (parameters[k] for k in cell.output_keys)
    x_indices = teacher_forcing_inputs.unchecked(batch_indices)  # x<1> = 0, x<t> = y<t-1>  (m, T_x)
    caches = _forward(cell, parameters, x_indices, keep_inputs=False)  # h<t> for every t
    columns = _Columns(mask)  # the steps whose output counts: every step, or only the real tokens
    h = columns.of(caches.state(cell.hidden))  # h<t>, one column per step that counts  (n_a, N)
    z = W_y @ h
    z += b_y  # z<t> = Wy h<t> + by  (n_y, N)
    J, dz = cross_entropy_of_columns(z, columns.of(batch_indices[None])[0], columns.keep)  # J = Σ_t −log ŷ<t>[y<t>], dz<t> = ŷ<t> − y<t>
    dh = columns.back(dz.T @ W_y)  # ∂J/∂h<t> = Wyᵀ dz<t>, 0 where nothing counts  (n_a, m, T_x)
    gradients = _backward(cell, dh, caches, x_indices)  # BPTT; the inputs are data: no dx
    gradients["d" + cell.output_keys[0]] = dz @ h.T  # dWy = Σ_t dz<t> h<t>ᵀ  (n_y, n_a)
    gradients["d" + cell.output_keys[1]] = dz.sum(axis=1, keepdims=True)  # dby = Σ_t dz<t>  (n_y, 1)
    return float(J), gradients


@checked(_check_chunk)
def chunk_loss_and_gradients(parameters, x_indices, y_indices, initial=None, cell="rnn"):
    """Truncated BPTT's step: the loss of one chunk of a long text and its gradients, the
    state carried in from the chunk before, the gradient stopped at the chunk's start.

    Args:
        parameters: the language model (as for ``lm_loss_and_gradients``).
        x_indices: int (m, T_x), the tokens read: x<t> = y<t-1>, the previous chunk's last
            token at t = 1 (−1 for x<t> = 0, e.g. after <EOS> or at the text's start).
        y_indices: int (m, T_x), the tokens to predict (every step counts: no padding).
        initial: None (h<0> = 0), or the states where the previous chunk ended, a tuple of
            one (n_a, m) array per ``cell.states``: read, never differentiated.
        cell: "rnn" or another registered cell.
    Returns:
        J: Σ −log ŷ<t>[y<t>] over the m·T_x tokens (a float; natural log).
        gradients: "d" + every parameter key, shaped like the parameters. Nothing flows
            back into ``initial``: that is the truncation.
        final: the states after the last step, a tuple of (n_a, m) arrays, to carry into
            the next chunk.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Truncated BPTT"
    """
    W_y, b_y = (parameters[k] for k in cell.output_keys)
    caches = _forward(cell, parameters, x_indices, keep_inputs=False, initial=initial)  # h<0> carried in
    h = caches.state(cell.hidden)  # (n_a, m, T_x)
    n_a, m, T_x = h.shape
    h = h.transpose(0, 2, 1).reshape(n_a, T_x * m)  # one column per (step, sentence)
    z = W_y @ h
    z += b_y  # z<t> = Wy h<t> + by  (n_y, T_x·m)
    J, dz = cross_entropy_of_columns(z, y_indices.T.reshape(-1), np.ones(T_x * m, bool))  # dz<t> = ŷ<t> − y<t>
    dh = (dz.T @ W_y).reshape(T_x, m, n_a).transpose(2, 1, 0)  # ∂J/∂h<t> = Wyᵀ dz<t>  (n_a, m, T_x)
    gradients = _backward(cell, dh, caches, x_indices)  # BPTT inside the chunk; d h<0> is dropped
    gradients["d" + cell.output_keys[0]] = dz @ h.T  # dWy = Σ_t dz<t> h<t>ᵀ
    gradients["d" + cell.output_keys[1]] = dz.sum(axis=1, keepdims=True)  # dby = Σ_t dz<t>
    final = tuple(caches.state(s)[:, :, -1].copy() for s in cell.states)  # h<T_x>, for the next chunk
    return float(J), gradients, final


def _log_probabilities(cell, p, indices):
    """log ŷ<t> at every step of a padded batch under teacher forcing: (n_y, m, T_x)."""
    W_y, b_y = (p[k] for k in cell.output_keys)
    h = _forward(cell, p, teacher_forcing_inputs.unchecked(indices), keep_inputs=False).state(cell.hidden)  # (n_a, m, T_x)
    n_a, m, T_x = h.shape
    z = (W_y @ h.reshape(n_a, m * T_x) + b_y).reshape(-1, m, T_x)  # z<t> = Wy h<t> + by
    return log_softmax(z)


@checked(_check_batch)
def log_probabilities(parameters, batch_indices, cell="rnn"):
    """log ŷ<t> for every step of a batch of sentences read with teacher forcing.

    Args:
        parameters: the language model.
        batch_indices: int (m, T_x), the tokens y<t>, −1 after a sentence's end.
        cell: "rnn" or another registered cell.
    Returns:
        (n_y, m, T_x): column [:, i, t] is log P(y<t> = · | y<1> ... y<t-1>) for sentence i,
        so the log-probability of its token t is ``[batch_indices[i, t], i, t]``.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sentence probability"
    """
    return _log_probabilities(cell, parameters, batch_indices)


@checked(_check_mean_token_loss)
def mean_token_loss(parameters, vocabulary, sentences, batch_size=256, cell="rnn"):
    """The average cross-entropy per token (<EOS> included) over ``sentences``, in nats.

    Args:
        parameters, vocabulary: the model and its vocabulary (n_y tokens).
        sentences: non-empty list of str.
        batch_size: sentences per forward pass (memory only; the result is the same).
        cell: "rnn" or another registered cell.
    Returns:
        float: J / (number of tokens); exp of it is the perplexity.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    return _mean_loss(cell, parameters, _encoded_batches(vocabulary, sentences, batch_size))


def _encoded_batches(vocabulary, sentences, batch_size=256):
    """``sentences`` as padded token indices (with <EOS>, −1 after), in batches of
    ``batch_size`` sentences of similar length: a loss needs no one-hot x, and sorting by
    length keeps the padding small."""
    encoded = sorted((vocabulary.encode(s, add_eos=True) for s in sentences), key=len)
    batches = []
    for start in range(0, len(encoded), batch_size):
        rows = encoded[start:start + batch_size]
        indices = np.full((len(rows), len(rows[-1])), -1)
        for i, row in enumerate(rows):
            indices[i, :len(row)] = row
        batches.append(indices)
    return batches


def _mean_loss(cell, p, batches):
    """Σ −log ŷ<t>[y<t>] / (number of tokens) over batches of padded indices; the output
    layer only at the real tokens."""
    W_y, b_y = (p[k] for k in cell.output_keys)
    total, count = 0.0, 0
    for indices in batches:
        h = _forward(cell, p, teacher_forcing_inputs.unchecked(indices), keep_inputs=False).state(cell.hidden)
        i, t = np.nonzero(indices >= 0)  # the real tokens
        log_p = log_softmax(W_y @ h[:, i, t] + b_y)  # log ŷ<t>, one column per real token  (n_y, N)
        total -= log_p[indices[i, t], np.arange(len(i))].sum()
        count += len(i)
    return total / count


@checked(_check_mean_token_loss)
def perplexity(parameters, vocabulary, sentences, batch_size=256, cell="rnn"):
    """The perplexity (困惑度) of the model on ``sentences``: exp(mean loss per token).

    Args:
        parameters, vocabulary, sentences, batch_size, cell: as for ``mean_token_loss``.
    Returns:
        float ≥ 1: exp(−(1/N) Σ log P(y<t> | y<1> ... y<t-1>)) over the N tokens (<EOS>
        included): the number of equally likely tokens the model is, on average, choosing
        among. A model that gives every token 1/n_y has perplexity n_y.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Perplexity"
    """
    return float(np.exp(_mean_loss(cell, parameters, _encoded_batches(vocabulary, sentences, batch_size))))


# ---------------------------------------------------------------------------------------
# Sentence probability
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenProbabilities:
    """The chain rule spelled out for one sentence.

    Attributes:
        tokens: the T_y tokens y<1> ... y<T_y>, the last one "<EOS>".
        indices: int (T_y,), their vocabulary indices (<UNK> = 0 for unknown tokens).
        probabilities: (T_y,), P(y<t> | y<1> ... y<t-1>) for each t.
        distributions: (n_y, T_y), the whole ŷ<t> at each step.
        log_probability: Σ_t log P(y<t> | y<1> ... y<t-1>) (natural log).
    """

    tokens: list
    indices: np.ndarray
    probabilities: np.ndarray
    distributions: np.ndarray
    log_probability: float


@checked(_check_text)
def conditional_probabilities(parameters, vocabulary, text, cell="rnn"):
    """Every conditional P(y<t> | y<1> ... y<t-1>) of ``text`` (with <EOS> appended).

    Args:
        parameters: the language model (n_y = len(vocabulary)).
        vocabulary: the Vocabulary it was trained with.
        text: a sentence (str); tokens not in the vocabulary count as <UNK>.
        cell: "rnn" or another registered cell.
    Returns:
        TokenProbabilities (tokens, probabilities (T_y,), distributions (n_y, T_y), ...).
    Derived in notebooks/04_language_model_sampling.ipynb, "Sentence probability"
    """
    tokens = tokenize(text, vocabulary.granularity) + [EOS]
    indices = np.array([vocabulary.index(tok) for tok in tokens])
    log_p = _log_probabilities(cell, parameters, indices[None, :])[:, 0, :]  # (n_y, T_y)
    log_chosen = log_p[indices, np.arange(len(indices))]  # log P(y<t> | ...)  (T_y,)
    return TokenProbabilities(
        tokens=tokens,
        indices=indices,
        probabilities=np.exp(log_chosen),
        distributions=np.exp(log_p),
        log_probability=float(log_chosen.sum()),
    )


@checked(_check_text)
def sequence_log_probability(parameters, vocabulary, text, cell="rnn"):
    """log P(y<1>, ..., y<T_y>) = Σ_t log P(y<t> | y<1> ... y<t-1>), <EOS> included.

    Args:
        parameters, vocabulary: the language model and its Vocabulary.
        text: a sentence (str).
        cell: "rnn" or another registered cell.
    Returns:
        float, natural log (≤ 0). Summed in log space: a product of 30 probabilities
        of 0.01 would underflow no float, but its log is an ordinary −138.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sentence probability"
    """
    return conditional_probabilities.unchecked(parameters, vocabulary, text, cell).log_probability


# ---------------------------------------------------------------------------------------
# One step at a time: what sampling runs
# ---------------------------------------------------------------------------------------


def _reader(cell, p):
    """``read(states, i) -> (states, z)``: one step reading token i (−1: x<t> = 0), and its logits."""
    n_x, _ = cell.sizes(p)
    step = cell.forward_step(p, dict(cell.options))
    W_y, b_y = (p[k] for k in cell.output_keys)
    hidden = cell.states.index(cell.hidden)

    def read(states, i):
        if cell.one_hot_input_term is None:
            u = cell.input_term(p, one_hot(np.array([[i]]), n_x)[:, :, 0])
        else:
            u = cell.one_hot_input_term(p, np.array([i]))  # the column of the input weights
        states, _ = step(u, states)  # h<t> = cell(h<t-1>, x<t>)
        return states, W_y @ states[hidden] + b_y  # z<t> = Wy h<t> + by  (n_y, 1)

    return read


def _start(cell, p, vocabulary, prefix):
    """The states and logits after reading x<1> = 0 and the prefix's tokens; the prefix's indices."""
    _, n_a = cell.sizes(p)
    read = _reader(cell, p)
    states, z = read(tuple(np.zeros((n_a, 1)) for _ in cell.states), -1)  # h<0> = 0, x<1> = 0
    prefix_indices = vocabulary.encode(prefix)
    for i in prefix_indices:  # teacher forcing through the prefix
        states, z = read(states, i)
    return read, states, z, prefix_indices


@checked(_check_next_token)
def next_token_distribution(parameters, vocabulary, prefix="", temperature=1.0, cell="rnn", top_k=None, top_p=None):
    """P(next token | prefix): ŷ after reading the prefix's tokens.

    Args:
        parameters, vocabulary: the language model and its Vocabulary.
        prefix: str, possibly empty (then this is the distribution of y<1>).
        temperature: τ > 0 applied to the logits (1 = the model's distribution).
        cell: "rnn" or another registered cell.
        top_k, top_p: None, or the truncation of ``truncate_distribution`` (after τ).
    Returns:
        (n_y,) probabilities summing to 1; index i is ``vocabulary.tokens[i]``.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    _, _, z, _ = _start(cell, parameters, vocabulary, prefix)
    return truncate_distribution.unchecked(softmax_with_temperature(z, temperature)[:, 0], top_k, top_p)


@checked(_check_lm_step)
def lm_step(parameters, a_prev, xt, cell="rnn"):
    """One step of the language model: the next hidden state and the logits of ŷ<t>.

    Args:
        parameters: the language model.
        a_prev: h<t-1>, (n_a, m) (a tuple of them for a cell with several states, e.g.
            the LSTM's (a, c)).
        xt: x<t>, (n_x, m): zeros at t = 1, else the one-hot previous token.
        cell: "rnn" or another registered cell.
    Returns:
        a_next: h<t>, (n_a, m) (a tuple for a cell with several states).
        z: logits Wy h<t> + by, (n_y, m); ŷ<t> = softmax(z).
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    W_y, b_y = (parameters[k] for k in cell.output_keys)
    states = a_prev if len(cell.states) > 1 else (a_prev,)
    step = cell.forward_step(parameters, dict(cell.options))
    states, _ = step(cell.input_term(parameters, xt), states)  # h<t> = cell(h<t-1>, x<t>)
    z = W_y @ states[cell.states.index(cell.hidden)] + b_y  # z<t> = Wy h<t> + by  (n_y, m)
    return (states if len(cell.states) > 1 else states[0]), z


# ---------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------


@checked(_check_truncate)
def truncate_distribution(y_hat, top_k=None, top_p=None):
    """Keep only the most probable tokens of ŷ and share their mass out again: top-k and nucleus sampling.

    Args:
        y_hat: ŷ, the probabilities of the n_y tokens, shape (n_y,), summing to 1.
        top_k: None, or k in [1, n_y]: keep the k most probable tokens (Fan et al. 2018).
        top_p: None, or p in (0, 1]: keep the smallest set of most probable tokens whose
            mass reaches p, the nucleus (Holtzman et al. 2020). With both, both cuts apply.
    Returns:
        (n_y,) probabilities summing to 1: ŷ[i] / Σ_kept ŷ on the kept tokens, 0 elsewhere.
        A new array (ŷ is not modified); ties at the cut are kept in index order.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Better sampling"
    """
    order = np.argsort(-y_hat, kind="stable")  # most probable first; ties in index order
    keep = len(order) if top_k is None else top_k
    if top_p is not None:  # the nucleus: the first tokens whose cumulative mass reaches p
        mass = np.cumsum(y_hat[order])
        keep = min(keep, int(np.searchsorted(mass, top_p * mass[-1] * (1 - 1e-12))) + 1)
    kept = np.zeros_like(y_hat)
    kept[order[:keep]] = y_hat[order[:keep]]
    return kept / kept.sum()


@checked(_check_draw_token)
def draw_token(y_hat, rng):
    """Draw one token index from the distribution ŷ: y<t> ~ ŷ<t>.

    Args:
        y_hat: ŷ<t>, the probabilities of the n_y tokens, shape (n_y,), summing to 1.
        rng: np.random.Generator (or an int seed), the only source of randomness.
    Returns:
        i: the index drawn, a Python int in [0, n_y); token i comes with probability ŷ[i].
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    return int(rng.choice(len(y_hat), p=y_hat))  # P(i) = ŷ[i]


@dataclass(frozen=True)
class SampleResult:
    """One sampled sentence and how it was drawn.

    Attributes:
        tokens: the drawn tokens, "<EOS>" last if it was drawn (the prefix excluded).
        indices: int array of their vocabulary indices.
        distributions: (n_y, len(tokens)), the distribution each token was drawn from
            (after the temperature and any top-k / top-p truncation).
        text: the decoded sentence, prefix included, without "<EOS>".
        ended: True when <EOS> was drawn, False when max_length stopped it.
    """

    tokens: list
    indices: np.ndarray
    distributions: np.ndarray
    text: str
    ended: bool


@checked(_check_sample)
def sample(parameters, vocabulary, rng, temperature=1.0, max_length=50, greedy=False, prefix="", cell="rnn",
           top_k=None, top_p=None):
    """Draw a sentence from the language model, one token at a time.

    Args:
        parameters, vocabulary: the language model and its Vocabulary.
        rng: np.random.Generator (or an int seed); the only source of randomness, so a
            fixed seed reproduces the sample. May be None when greedy.
        temperature: τ > 0; the logits are divided by τ before the softmax.
        max_length: most tokens to draw (int ≥ 1), <EOS> included.
        greedy: True or False: take the most probable token at every step instead of drawing.
        prefix: optional str the sentence starts with; it is read with teacher
            forcing, and drawing continues after it.
        cell: "rnn" or another registered cell.
        top_k, top_p: None, or draw only from the k most probable tokens / from the
            nucleus of mass p (``truncate_distribution``, applied after τ).
    Returns:
        SampleResult (tokens, indices, distributions (n_y, T), text, ended).

    x<1> = 0; at each step ŷ<t> = softmax(z<t> / τ) (truncated if asked), y<t> ~ ŷ<t>
    (``draw_token``), and the one-hot y<t> becomes x<t+1>; stop at <EOS> or after
    max_length tokens.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    eos = vocabulary.index(EOS)
    read, states, z, prefix_indices = _start(cell, parameters, vocabulary, prefix)  # x<1> = 0, then the prefix
    indices, distributions = [], []
    for _ in range(max_length):
        y_hat = softmax_with_temperature(z, temperature)[:, 0]  # ŷ<t> = softmax(z<t> / τ)  (n_y,)
        if top_k is not None or top_p is not None:
            y_hat = truncate_distribution.unchecked(y_hat, top_k, top_p)  # only the most probable tokens
        i = int(np.argmax(y_hat)) if greedy else draw_token.unchecked(y_hat, rng)  # y<t> ~ ŷ<t>
        indices.append(i)
        distributions.append(y_hat)
        if i == eos:
            break
        states, z = read(states, i)  # x<t+1> = y<t>

    ended = indices[-1] == eos
    body = prefix_indices + (indices[:-1] if ended else indices)
    return SampleResult(
        tokens=[vocabulary.tokens[i] for i in indices],
        indices=np.array(indices),
        distributions=np.stack(distributions, axis=1),
        text=vocabulary.decode(body),
        ended=ended,
    )


@checked(_check_sample_indices)
def sample_indices(parameters, rng, eos, max_length=50):
    """The sampling loop, one token at a time: the token indices of one sampled sentence.

    Args:
        parameters: an RNN language model, Wax (n_a, n_y), Waa (n_a, n_a), ba (n_a, 1),
            Wya (n_y, n_a), by (n_y, 1).
        rng: np.random.Generator (or an int seed), the only source of randomness.
        eos: the index of <EOS> (int in [0, n_y)).
        max_length: most tokens to draw (int ≥ 1), <EOS> included.
    Returns:
        indices: list of int, the tokens drawn; <EOS> (eos) last if it was drawn. The same
        tokens as ``sample(parameters, vocabulary, rng).indices`` for the same seed.

    a<0> = 0 and x<1> = 0; at each step a<t>, z<t> = lm_step(a<t-1>, x<t>), ŷ<t> =
    softmax(z<t>), i ~ ŷ<t>; stop at <EOS> or after max_length tokens; x<t+1> = one-hot(i),
    the token drawn (not ŷ<t>).
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    n_a, n_x = parameters["Wax"].shape
    a = np.zeros((n_a, 1))  # a<0> = 0
    x = np.zeros((n_x, 1))  # x<1> = 0
    indices = []
    while len(indices) < max_length:
        # a<t> = tanh(Waa a<t-1> + Wax x<t> + ba), z<t> = Wya a<t> + by
        a, z = lm_step(parameters, a, x)
        y_hat = softmax(z)  # ŷ<t>  (n_y, 1)
        i = draw_token(y_hat[:, 0], rng)  # y<t> ~ ŷ<t>
        indices.append(i)
        if i == eos:
            break
        x = np.zeros((n_x, 1))
        x[i] = 1.0  # x<t+1> = one-hot(y<t>)
    return indices
