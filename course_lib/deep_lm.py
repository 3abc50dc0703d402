"""A deep (stacked) recurrent language model: L recurrent layers and one softmax output layer.

Source tutorial section 9, on the language model of section 3. Layer 1 reads the tokens with
teacher forcing, layer l reads layer l-1's hidden states, the output layer reads the top one:

    h[0]<t> = x<t>,  x<1> = 0,  x<t> = y<t-1>           (one-hot)
    h[l]<t> = cell_l(h[l]<t-1>, h[l-1]<t>),  h[l]<0> = 0   (for "rnn": a[l]<t> = tanh(Waa[l] a[l]<t-1> + Wax[l] a[l-1]<t> + ba[l]))
    ŷ<t> = softmax(Wy h[L]<t> + by),   J = Σ_t −log ŷ<t>[y<t>]

Layer 1 is one call of the recurrent core's driver (``recurrent.sequence_forward``) on the
token indices (a column of the input weights is looked up instead of multiplying by a one-hot
x<t>); layers 2 ... L are ``deep.stacked_forward`` on layer 1's hidden states, the deep RNN of
notebook 09's first sections. Backward, ``deep.stacked_backward`` carries the gradient down
layers L ... 2 and hands layer 1 the gradient reaching its states, whose BPTT ends at the
data (the input weights' gradient a scatter-add over the token indices).

Parameters are one dict per part, so that ``train.train_model`` trains them as they are:
``{"layer1": cell parameters, ..., "layerL": ..., "output": {Wy, by}}`` (the output keys are
the cell's own: Wya, by for the RNN).

    python -m course_lib.deep_lm            # retrains every run of RUNS into assets/deep_lm_*

Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models".
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_lib._files import ASSETS
from course_lib._validate import as_generator, check_bool, check_positive_float, check_positive_int, checked
from course_lib.data.vocab import Vocabulary, encode_batch, one_hot
from course_lib.deep import stacked_backward, stacked_forward
from course_lib.lm import teacher_forcing_inputs
from course_lib.losses import cross_entropy_of_columns
from course_lib.recurrent import backward_steps, get_cell, parameter_count, sequence_forward

__all__ = [
    "RUNS",
    "DeepRun",
    "deep_lm_forward",
    "deep_lm_loss_and_gradients",
    "deep_lm_mean_token_loss",
    "deep_lm_parameter_count",
    "initialize_deep_lm",
    "layer_size_for",
    "load_deep_run",
    "main",
    "corpus",
    "split_corpus",
    "train_deep_lm",
]


# ---------------------------------------------------------------------------------------
# Checks at the door
# ---------------------------------------------------------------------------------------


def _layer_sizes(layer_sizes):
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, (list, tuple)) or not layer_sizes:
        raise ValueError(f"layer_sizes must be a non-empty list of ints n_a[1] ... n_a[L], got {layer_sizes!r}")
    return tuple(check_positive_int(f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes))


def _check_deep_parameters(parameters, cell="rnn"):
    """(checked parameters, cell, layer list): layer l's n_x must be layer l-1's n_a."""
    cell = get_cell(cell)
    if not isinstance(parameters, dict):
        raise ValueError(f"parameters must be a dict {{'layer1': ..., 'layerL': ..., 'output': ...}}, got "
                         f"{type(parameters).__name__}")
    L = sum(1 for k in parameters if k.startswith("layer"))
    expected = [f"layer{l}" for l in range(1, L + 1)] + ["output"]
    if L == 0 or sorted(parameters) != sorted(expected):
        raise ValueError(f"parameters must have the keys layer1 ... layerL and output, got {sorted(parameters)}")
    layers = []
    for l in range(1, L + 1):
        try:
            p = cell.check_parameters({k: v for k, v in parameters[f"layer{l}"].items() if k in cell.parameter_keys}
                                      if isinstance(parameters[f"layer{l}"], dict) else parameters[f"layer{l}"])
        except ValueError as exc:
            raise ValueError(f"parameters['layer{l}']: {exc} (the parameters of cell={cell.name!r})") from None
        n_x, n_a = cell.sizes(p)
        if l > 1 and n_x != cell.sizes(layers[-1])[1]:
            raise ValueError(f"parameters['layer{l}'] reads {n_x} inputs, but layer {l - 1} has n_a = "
                             f"{cell.sizes(layers[-1])[1]}: layer l's n_x must be layer l-1's n_a")
        layers.append(p)
    output = parameters["output"]
    if not isinstance(output, dict) or sorted(output) != sorted(cell.output_keys):
        raise ValueError(f"parameters['output'] must be a dict with {list(cell.output_keys)}, got "
                         f"{sorted(output) if isinstance(output, dict) else type(output).__name__}")
    from course_lib._validate import shaped_array

    n_y, n_a = cell.sizes(layers[0])[0], cell.sizes(layers[-1])[1]
    W_key, b_key = cell.output_keys
    out = {W_key: shaped_array(f"parameters['output']['{W_key}']", output[W_key], "(n_y, n_a)", n_y=n_y, n_a=n_a),
           b_key: shaped_array(f"parameters['output']['{b_key}']", output[b_key], "(n_y, 1)", n_y=n_y)}
    checked_parameters = {f"layer{l}": p for l, p in enumerate(layers, start=1)}
    checked_parameters["output"] = out
    return checked_parameters, cell


def _indices(parameters, batch_indices, cell):
    try:
        np.asarray(batch_indices)
    except ValueError:  # a ragged list of lists
        raise ValueError("batch_indices must be an integer array of shape (m, T_x), got a ragged "
                         f"{type(batch_indices).__name__} (pad the sentences with -1)") from None
    indices = teacher_forcing_inputs(batch_indices)  # checks the indices: int (m, T_x), −1 after the end
    n_y = cell.sizes(parameters["layer1"])[0]
    if np.max(batch_indices) >= n_y:
        raise ValueError(f"batch_indices must hold token indices in [0, n_y={n_y}) or -1, got up to "
                         f"{np.max(batch_indices)}")
    return np.asarray(batch_indices, dtype=np.int64), indices


def _check_forward(parameters, batch_indices, cell="rnn"):
    p, cell = _check_deep_parameters(parameters, cell)
    indices, _ = _indices(p, batch_indices, cell)
    return p, indices, cell


def _check_loss(parameters, batch_indices, mask=None, cell="rnn"):
    p, indices, cell = _check_forward(parameters, batch_indices, cell)
    if mask is None:
        mask = indices >= 0
    else:
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != indices.shape:
            raise ValueError(f"mask must be a boolean array of shape (m, T_x) = {indices.shape}, got dtype "
                             f"{mask.dtype} and shape {mask.shape}")
        if np.any(mask & (indices < 0)):
            raise ValueError("mask marks a padded position (index -1) as a real token")
    return p, indices, mask, cell


def _sentences(name, sentences):
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences \
            or not all(isinstance(s, str) and s.strip() for s in sentences):
        raise ValueError(f"{name} must be a non-empty list of non-empty str sentences")
    return list(sentences)


def _check_mean_token_loss(parameters, vocabulary, sentences, cell="rnn"):
    p, cell = _check_deep_parameters(parameters, cell)
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    if len(vocabulary) != cell.sizes(p["layer1"])[0]:
        raise ValueError(f"vocabulary has {len(vocabulary)} tokens, but parameters read and predict n_y = "
                         f"{cell.sizes(p['layer1'])[0]}: they belong to another vocabulary")
    return p, vocabulary, _sentences("sentences", sentences), cell


def _check_initialize(n_y, layer_sizes, rng, cell="rnn", init_scale=0.1):
    return (check_positive_int("n_y", n_y), _layer_sizes(layer_sizes), as_generator("rng", rng), get_cell(cell),
            check_positive_float("init_scale", init_scale))


def _check_count(n_y, layer_sizes, cell="rnn"):
    return check_positive_int("n_y", n_y), _layer_sizes(layer_sizes), get_cell(cell)


def _check_layer_size_for(n_y, n_layers, count, cell="rnn"):
    return (check_positive_int("n_y", n_y), check_positive_int("n_layers", n_layers, maximum=16),
            check_positive_int("count", count), get_cell(cell))


# ---------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------


@checked(_check_initialize)
def initialize_deep_lm(n_y, layer_sizes, rng, cell="rnn", init_scale=0.1):
    """Small random weights for a deep language model: each layer's cell and the output layer.

    Args:
        n_y: vocabulary size (inputs and outputs share it).
        layer_sizes: [n_a[1], ..., n_a[L]], the hidden size of each layer (they may differ).
        rng: np.random.Generator or int seed, the only randomness.
        cell: "rnn", "gru" or "lstm".
        init_scale: standard deviation of every initial entry.
    Returns:
        {"layer1": layer 1's parameters (its n_x = n_y), ..., "layerL": (n_x = n_a[L-1]),
        "output": {Wy (n_y, n_a[L]), by (n_y, 1)}} (the cell's output keys).
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    parameters, n_x = {}, n_y
    for l, n_a in enumerate(layer_sizes, start=1):
        last = l == len(layer_sizes)
        p = cell.initialize(n_x, n_a, n_y if last else None, rng, init_scale)
        parameters[f"layer{l}"] = {k: p[k] for k in cell.parameter_keys}
        if last:
            parameters["output"] = {k: p[k] for k in cell.output_keys}
        n_x = n_a  # layer l+1 reads layer l's states
    return parameters


@checked(_check_count)
def deep_lm_parameter_count(n_y, layer_sizes, cell="rnn"):
    """How many numbers a deep language model holds, per layer and in all.

    Args:
        n_y: vocabulary size; layer_sizes: [n_a[1], ..., n_a[L]]; cell: "rnn", "gru", "lstm".
    Returns:
        (per_layer, total): per_layer a list of L ints (``recurrent.parameter_count`` of each
        layer, the top one with the output layer), total their sum.
    Derived in notebooks/09_deep_rnn.ipynb, "Parameters per layer"
    """
    per_layer, n_x = [], n_y
    for l, n_a in enumerate(layer_sizes, start=1):
        per_layer.append(parameter_count(cell, n_x, n_a, n_y if l == len(layer_sizes) else None))
        n_x = n_a
    return per_layer, sum(per_layer)


@checked(_check_layer_size_for)
def layer_size_for(n_y, n_layers, count, cell="rnn"):
    """The hidden size n_a, the same in every layer, whose deep model's count is nearest ``count``.

    Args:
        n_y: vocabulary size; n_layers: L (1 … 16); count: the parameter budget (int ≥ 1);
        cell: "rnn", "gru", "lstm".
    Returns:
        int n_a ≥ 1 (the smaller one on a tie): to compare 1, 2 and 3 layers at one budget.
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    def total(n_a):
        return deep_lm_parameter_count.unchecked(n_y, (n_a,) * n_layers, cell)[1]

    n_a = 1
    while total(n_a + 1) <= count:  # counts grow with n_a
        n_a += 1
    return n_a + 1 if abs(total(n_a + 1) - count) < abs(total(n_a) - count) else n_a


# ---------------------------------------------------------------------------------------
# Forward and backward: the driver once per layer
# ---------------------------------------------------------------------------------------


def _stack_forward(cell, p, x_indices):
    """(layer 1's SequenceCache, the StackedCaches of layers 2 ... L or None, h[L]) for the inputs x_indices."""
    first = p["layer1"]
    n_x, n_a = cell.sizes(first)
    m, T_x = x_indices.shape
    initial = tuple(np.zeros((n_a, m)) for _ in cell.states)  # h[1]<0> = 0
    if cell.one_hot_input_term is None:
        bottom = sequence_forward(cell, one_hot(x_indices, n_x), initial, first)
    else:  # a one-hot x<t> times the input weights is one of their columns
        x = np.broadcast_to(np.zeros((n_x, 1, 1)), (n_x, m, T_x))  # never read: the backward reads the indices
        bottom = sequence_forward(cell, x, initial, first, u=cell.one_hot_input_term(first, x_indices))
    h = bottom.state(cell.hidden)  # h[1]<t>  (n_a[1], m, T_x)
    if len(p) == 2:  # one layer (and the output layer)
        return bottom, None, h
    above = [p[f"layer{l}"] for l in range(2, len(p))]  # layers 2 ... L read the layer below: a deep RNN on h[1]
    h, caches = stacked_forward.unchecked(h, above, cell)
    return bottom, caches, h


def _stack_backward(cell, dh_top, bottom, above, x_indices):
    """BPTT down the stack: the parameter gradients of every layer, bottom first."""
    if above is None:
        dh, gradients = dh_top, []
    else:  # layers L ... 2; dh = ∂J/∂h[1]<t> from above, what layer 2's inputs receive
        dh, gradients = stacked_backward.unchecked(dh_top, above)
    steps = backward_steps(dh, bottom, keep_states=False)  # back through time in layer 1
    if cell.one_hot_parameter_gradients is not None:  # the inputs are data: no dx
        grads = cell.one_hot_parameter_gradients(steps.local, bottom.stacked, x_indices)
    else:
        grads = cell.parameter_gradients(steps.local, bottom.stacked, input_gradient=False)
    return [cell.only_parameter_gradients(grads)] + list(gradients)


@checked(_check_forward)
def deep_lm_forward(parameters, batch_indices, cell="rnn"):
    """Every layer's hidden states and the log-probabilities of a batch under teacher forcing.

    Args:
        parameters: the deep language model (see initialize_deep_lm).
        batch_indices: int (m, T_x), the tokens y<t>, −1 after a sentence's end.
        cell: "rnn", "gru" or "lstm".
    Returns:
        (states, log_p): states a list of L arrays h[l] (n_a[l], m, T_x), bottom first;
        log_p (n_y, m, T_x), log P(y<t> = · | y<1> ... y<t-1>).
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    from course_lib.activations import log_softmax

    bottom, above, h = _stack_forward(cell, parameters, teacher_forcing_inputs.unchecked(batch_indices))
    W_y, b_y = (parameters["output"][k] for k in cell.output_keys)
    n_a, m, T_x = h.shape  # h[L]<t>
    z = (W_y @ h.reshape(n_a, m * T_x) + b_y).reshape(-1, m, T_x)  # z<t> = Wy h[L]<t> + by
    states = [bottom.state(cell.hidden)] + ([] if above is None else above.hidden_states)
    return states, log_softmax(z)


def _loss(cell, p, batch_indices, mask):
    x_indices = teacher_forcing_inputs.unchecked(batch_indices)  # x<1> = 0, x<t> = y<t-1>
    bottom, above, h = _stack_forward(cell, p, x_indices)  # h[l]<t> for every layer and step; h = h[L]
    W_y, b_y = (p["output"][k] for k in cell.output_keys)
    n_a, m, T_x = h.shape
    h_columns = h.reshape(n_a, m * T_x)  # column i·T_x + t
    z = W_y @ h_columns + b_y  # z<t> = Wy h[L]<t> + by  (n_y, m·T_x)
    J, dz = cross_entropy_of_columns(z, batch_indices.reshape(-1), mask.reshape(-1))  # dz<t> = ŷ<t> − y<t>, 0 off the mask
    dh_top = (W_y.T @ dz).reshape(n_a, m, T_x)  # ∂J/∂h[L]<t> = Wyᵀ dz<t>
    gradients = _stack_backward(cell, dh_top, bottom, above, x_indices)
    out = {f"layer{l}": g for l, g in enumerate(gradients, start=1)}
    out["output"] = {"d" + cell.output_keys[0]: dz @ h_columns.T,  # dWy = Σ_t dz<t> h[L]<t>ᵀ
                     "d" + cell.output_keys[1]: dz.sum(axis=1, keepdims=True)}  # dby = Σ_t dz<t>
    return float(J), out


@checked(_check_loss)
def deep_lm_loss_and_gradients(parameters, batch_indices, mask=None, cell="rnn"):
    """Cross-entropy of a batch of sentences under a deep language model, and its gradients.

    Args:
        parameters: {"layer1": ..., "layerL": ..., "output": ...} (see initialize_deep_lm).
        batch_indices: int (m, T_x), the tokens y<t> (each sentence ending in <EOS>), −1 after
            a sentence's end.
        mask: bool (m, T_x), the tokens that count; by default ``batch_indices >= 0``.
        cell: "rnn", "gru" or "lstm".
    Returns:
        J: Σ over the mask of −log ŷ<t>[y<t>] (a float, natural log).
        gradients: the same layout with "d" + each key: {"layer1": {"dWax", ...}, ...,
        "output": {"dWya", "dby"}}, what ``train.train_model`` takes.
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    return _loss(cell, parameters, batch_indices, mask)


def _mean_token_loss(cell, p, vocabulary, sentences, batch_size=256):
    total, count = 0.0, 0
    for start in range(0, len(sentences), batch_size):
        batch = encode_batch(vocabulary, sentences[start:start + batch_size], add_eos=True)
        total += _loss_only(cell, p, batch.indices, batch.mask)
        count += int(batch.mask.sum())
    return total / count


def _loss_only(cell, p, indices, mask):
    """J of one batch, forward only."""
    x_indices = teacher_forcing_inputs.unchecked(indices)
    h = _stack_forward(cell, p, x_indices)[2]
    W_y, b_y = (p["output"][k] for k in cell.output_keys)
    n_a, m, T_x = h.shape
    z = W_y @ h.reshape(n_a, m * T_x) + b_y
    J, _ = cross_entropy_of_columns(z, indices.reshape(-1), mask.reshape(-1))
    return float(J)


@checked(_check_mean_token_loss)
def deep_lm_mean_token_loss(parameters, vocabulary, sentences, cell="rnn"):
    """The average cross-entropy per token (<EOS> included) over ``sentences``, in nats.

    Args:
        parameters, vocabulary: the deep model and its vocabulary (n_y tokens).
        sentences: non-empty list of str (training or held-out sentences).
        cell: "rnn", "gru" or "lstm".
    Returns:
        float: J / (number of tokens).
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    return _mean_token_loss(cell, parameters, vocabulary, sentences)


# ---------------------------------------------------------------------------------------
# The runs of notebook 09: 1, 2, 3 layers at one budget and at growing ones
# ---------------------------------------------------------------------------------------

# The agreement corpus of notebook 04 (3000 generated sentences, 79 words), split: the last
# HELD_OUT_SHARE of it is never trained on and decides. Each run: the recipe of notebook
# 04's agreement model (Adam 0.01, 2000 updates of 32 sentences, clipping at norm 5, init 0.1).
CORPUS = dict(n_sentences=3000, min_filler=2, max_filler=12, seed=0)
HELD_OUT_SHARE = 0.2
RECIPE = dict(steps=2000, batch_size=32, learning_rate=0.01, clip=("norm", 5.0), init_scale=0.1, seed=0)
BUDGET_N_A = 64  # the one-layer model's n_a sets the budget
HISTORY_EVERY = 50
# One seed's differences can be noise: every run is repeated with these seeds too (new initial
# weights and batch order, the same split); only their histories ship (deep_lm_<name>_seed<s>.json).
EXTRA_SEEDS = (1, 2)


def _runs():
    from course_lib.data.corpora import agreement_examples  # noqa: F401  (the corpus module; imported when run)

    n_y = 79
    budget = deep_lm_parameter_count.unchecked(n_y, (BUDGET_N_A,), get_cell("rnn"))[1]
    runs = {"1x64": (BUDGET_N_A,)}
    for L in (2, 3):
        n_a = layer_size_for.unchecked(n_y, L, budget, get_cell("rnn"))
        runs[f"{L}x{n_a}"] = (n_a,) * L  # the same budget, spread over L layers
    runs["2x64"] = (64, 64)  # more layers, more parameters
    runs["3x64"] = (64, 64, 64)
    return runs


RUNS = _runs()  # name → layer sizes, in the order the notebook shows them


def split_corpus(sentences, held_out_share=HELD_OUT_SHARE):
    """(training, held_out): the first and the last ``held_out_share`` of ``sentences``.

    Args:
        sentences: non-empty list of str; held_out_share: a float in (0, 1).
    Returns:
        two lists of str; the held-out part has round(share · len) ≥ 1 sentences.
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    sentences = _sentences("sentences", sentences)
    share = check_positive_float("held_out_share", held_out_share)
    if not share < 1 or len(sentences) < 2:
        raise ValueError(f"held_out_share must be in (0, 1) and sentences hold at least 2, got {share!r} and "
                         f"{len(sentences)}")
    k = max(1, round(share * len(sentences)))
    return sentences[:-k], sentences[-k:]


def corpus():
    """The corpus every run of RUNS trains and is judged on: notebook 04's agreement sentences.

    ``data.corpora.agreement_examples`` with the settings of CORPUS (3000 sentences, a relative
    clause of 2 to 12 words between the subject and its verb, seed 0): the same sentences on
    every call;
    ``split_corpus`` then keeps the last HELD_OUT_SHARE of them for the held-out loss.
    Returns:
        list of CORPUS["n_sentences"] str, e.g. "The student, who finally ate ..., was tired."
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    from course_lib.data.corpora import agreement_examples

    c = CORPUS
    return [ex.sentence for ex in agreement_examples(c["n_sentences"], c["seed"], c["min_filler"], c["max_filler"])]


def train_deep_lm(train, held_out, vocabulary, layer_sizes, cell="rnn", steps=None, seed=None, progress=False):
    """Train one deep language model with RECIPE, scoring the held-out sentences as it goes.

    Args:
        train, held_out: lists of str; vocabulary: their Vocabulary (built from ``train``).
        layer_sizes: [n_a[1], ..., n_a[L]]; cell: "rnn", "gru", "lstm".
        steps, seed: None (RECIPE) or an int.
        progress: show a progress bar.
    Returns:
        (parameters, history): history a dict with losses (every update's batch loss),
        checkpoints, train_loss and held_out_loss at each checkpoint (nats per token), and
        cpu_seconds (time.process_time(), scoring left out).
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    from course_lib.train import iterate_batches, train_model

    train, held_out = _sentences("train", train), _sentences("held_out", held_out)
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    layer_sizes, cell = _layer_sizes(layer_sizes), get_cell(cell)
    r = dict(RECIPE)
    if steps is not None:
        r["steps"] = check_positive_int("steps", steps)
    if seed is not None:
        r["seed"] = check_positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(r["seed"])
    parameters = initialize_deep_lm.unchecked(len(vocabulary), layer_sizes, rng, cell, r["init_scale"])
    encoded = [np.array(vocabulary.encode(s, add_eos=True)) for s in train]
    scored = train[: len(held_out)]  # as many training sentences as held-out ones, for a like-for-like curve
    history = dict(checkpoints=[], train_loss=[], held_out_loss=[], cpu_seconds=[])
    own = [0.0]
    cpu0 = time.process_time()

    def record(step, p, loss):
        t = time.process_time()
        history["checkpoints"].append(int(step))
        history["cpu_seconds"].append(round(t - cpu0 - own[0], 3))
        history["train_loss"].append(round(_mean_token_loss(cell, p, vocabulary, scored), 5))
        history["held_out_loss"].append(round(_mean_token_loss(cell, p, vocabulary, held_out), 5))
        own[0] += time.process_time() - t

    def loss_and_gradients(p, batch):
        indices, mask, _ = batch
        J, gradients = _loss(cell, p, indices, mask)
        return J, gradients, int(mask.sum())

    record(0, parameters, None)
    result = train_model(loss_and_gradients, parameters, iterate_batches(encoded, r["batch_size"], rng), r["steps"],
                         learning_rate=r["learning_rate"], clip=r["clip"], progress=progress, callback=record,
                         callback_every=HISTORY_EVERY)
    if history["checkpoints"][-1] != r["steps"]:
        record(r["steps"], result.parameters, None)
    history["losses"] = [round(float(x), 4) for x in result.losses]
    return result.parameters, history


@dataclass(frozen=True)
class DeepRun:
    """One shipped run of RUNS, read back by load_deep_run.

    Attributes:
        name: e.g. "2x54"; layer_sizes: (n_a[1], ..., n_a[L]); cell: "rnn".
        parameters: the trained model; vocabulary: its Vocabulary.
        n_parameters: total count; per_layer: count per layer (the top with the output layer).
        checkpoints, train_loss, held_out_loss, cpu_seconds: (K,) arrays of the history.
        losses: every update's batch loss.
        held_out_loss_final, train_loss_final: at the last checkpoint, over the whole
            held-out part and the whole training part.
        train_cpu_seconds: CPU seconds of the training (one BLAS thread), scoring left out.
        held_out_by_seed: {seed: final held-out loss} for seed 0 and EXTRA_SEEDS.
    """

    name: str
    layer_sizes: tuple
    cell: str
    parameters: dict
    vocabulary: Vocabulary
    n_parameters: int
    per_layer: tuple
    checkpoints: np.ndarray
    train_loss: np.ndarray
    held_out_loss: np.ndarray
    cpu_seconds: np.ndarray
    losses: np.ndarray
    held_out_loss_final: float
    train_loss_final: float
    train_cpu_seconds: float
    held_out_by_seed: dict


def _run_name(name):
    if not isinstance(name, str) or name not in RUNS:
        raise ValueError(f"name must be one of {list(RUNS)}, got {name!r}")
    return name


def _directory(directory):
    """None (the repository's assets/) or an existing directory, as a Path."""
    if directory is None:
        return ASSETS
    if not isinstance(directory, (str, os.PathLike)) or isinstance(directory, bytes) or not str(directory):
        raise ValueError(f"directory must be None (the repository's assets/) or the path of a directory (str or "
                         f"Path), got {directory!r}")
    if not Path(directory).is_dir():
        raise ValueError(f"directory {str(directory)!r} is not a directory")
    return Path(directory)


def _paths(name, directory=None, seed=0):
    d = ASSETS if directory is None else Path(directory)
    if seed:
        return None, d / f"deep_lm_{name}_seed{seed}.json"
    return d / f"deep_lm_{name}.npz", d / f"deep_lm_{name}.json"


def load_deep_run(name, directory=None):
    """A shipped run of RUNS (assets/deep_lm_<name>.npz and .json), made by ``python -m course_lib.deep_lm``.

    Args:
        name: a key of RUNS, e.g. "1x64"; directory: None (the repository's assets/) or a path.
    Returns:
        DeepRun.
    Derived in notebooks/09_deep_rnn.ipynb, "Deeper language models"
    """
    directory = _directory(directory)
    npz, js = _paths(_run_name(name), directory)
    if not npz.is_file() or not js.is_file():
        raise ValueError(f"no run {name!r} in directory {str(directory)!r}: {npz.name} and {js.name} are made by "
                         f"python -m course_lib.deep_lm [--out DIRECTORY]")
    meta = json.loads(js.read_text(encoding="utf-8"))
    with np.load(npz) as archive:
        arrays = {k: np.array(archive[k], dtype=float) for k in archive.files}
    parameters = {}
    for key, value in arrays.items():
        part, name_ = key.split("/")
        parameters.setdefault(part, {})[name_] = value
    cell = meta["cell"]
    parameters, _ = _check_deep_parameters(parameters, cell)
    vocabulary = Vocabulary(tuple(meta["tokens"]), meta["granularity"])
    h = meta["history"]
    by_seed = {0: float(meta["held_out_loss"])}
    for seed in EXTRA_SEEDS:
        path = _paths(name, directory, seed)[1]
        if path.is_file():
            by_seed[seed] = float(json.loads(path.read_text(encoding="utf-8"))["held_out_loss"])
    return DeepRun(
        name=name, layer_sizes=tuple(meta["layer_sizes"]), cell=cell, parameters=parameters, vocabulary=vocabulary,
        n_parameters=int(meta["n_parameters"]), per_layer=tuple(meta["per_layer"]),
        checkpoints=np.array(h["checkpoints"]), train_loss=np.array(h["train_loss"]),
        held_out_loss=np.array(h["held_out_loss"]), cpu_seconds=np.array(h["cpu_seconds"]),
        losses=np.array(h["losses"]), held_out_loss_final=float(meta["held_out_loss"]),
        train_loss_final=float(meta["train_loss"]), train_cpu_seconds=float(meta["train_cpu_seconds"]),
        held_out_by_seed=by_seed,
    )


def _blas_threads():
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var):
            return os.environ[var]
    return "unset"


def main(argv=None):
    """``python -m course_lib.deep_lm [--only NAME ...] [--steps N] [--out DIR]``: train and ship RUNS.

    Args:
        argv: list of str, or None for the command line.
    """
    if argv is not None and (isinstance(argv, str) or not all(isinstance(a, str) for a in argv)):
        raise ValueError(f"argv must be None or a list of str, got {argv!r}")
    parser = argparse.ArgumentParser(prog="python -m course_lib.deep_lm", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=list(RUNS), default=None, help="train only these runs")
    parser.add_argument("--steps", type=int, default=None, help="updates per run (default: RECIPE)")
    parser.add_argument("--out", default=None, help="directory (default: the repository's assets/)")
    parser.add_argument("--seeds", type=int, nargs="*", default=None,
                        help="seeds to run (default: 0 and EXTRA_SEEDS; only seed 0's weights are saved)")
    args = parser.parse_args(argv)
    train, held_out = split_corpus(corpus())
    vocabulary = Vocabulary.build(train, "word")
    total_cpu = 0.0
    seeds = (0,) + EXTRA_SEEDS if args.seeds is None else tuple(args.seeds)
    for seed, name in [(seed, name) for seed in seeds for name in (args.only or list(RUNS))]:
        layer_sizes = RUNS[name]
        parameters, history = train_deep_lm(train, held_out, vocabulary, layer_sizes, steps=args.steps, seed=seed)
        cell = get_cell("rnn")
        per_layer, total = deep_lm_parameter_count.unchecked(len(vocabulary), layer_sizes, cell)
        train_loss = _mean_token_loss(cell, parameters, vocabulary, train)
        held_loss = _mean_token_loss(cell, parameters, vocabulary, held_out)
        npz, js = _paths(name, args.out, seed)
        js.parent.mkdir(parents=True, exist_ok=True)
        if npz is not None:
            np.savez_compressed(npz, **{f"{part}/{k}": v for part, d in parameters.items() for k, v in d.items()})
        meta = dict(
            name=name, seed=seed, layer_sizes=list(layer_sizes), cell="rnn", n_parameters=total, per_layer=per_layer,
            corpus=dict(CORPUS, held_out_share=HELD_OUT_SHARE, n_train=len(train), n_held_out=len(held_out)),
            recipe={k: (list(v) if isinstance(v, tuple) else v) for k, v in dict(RECIPE, seed=seed).items()},
            steps=args.steps or RECIPE["steps"], train_loss=round(train_loss, 6), held_out_loss=round(held_loss, 6),
            train_cpu_seconds=history["cpu_seconds"][-1], blas_threads=_blas_threads(),
            tokens=list(vocabulary.tokens), granularity=vocabulary.granularity,
            history=dict(about=("train_loss on the first n_held_out training sentences and held_out_loss on the "
                                "held-out part (nats per token) at each checkpoint; cpu_seconds of "
                                "time.process_time() since training began, scoring left out; losses: every "
                                "update's batch loss"), **history),
        )
        js.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        total_cpu += history["cpu_seconds"][-1]
        print(f"seed {seed} {name:>5}: {total:>6} parameters, train {train_loss:.4f}, held-out {held_loss:.4f} nats/token, "
              f"{history['cpu_seconds'][-1]:.1f} s CPU")
    print(f"total {total_cpu:.1f} s CPU (one BLAS thread: {_blas_threads()})")
    return 0


if __name__ == "__main__":
    if _blas_threads() == "unset":  # OpenBLAS reads it once, at import: start again with one thread
        os.execve(sys.executable, [sys.executable, "-m", "course_lib.deep_lm", *sys.argv[1:]],
                  dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1"))
    raise SystemExit(main())
