"""Unidirectional and bidirectional models on notebook 08's tasks: the 王 tagger and a language model.

    tagger, unidirectional   ŷ<t> = σ(Wy a→<t> + by)              reads x<1> … x<t>
    tagger, bidirectional    ŷ<t> = σ(Wy [a→<t>; a←<t>] + by)     reads x<1> … x<T_x>
    language model           ŷ<t> = softmax(Wy h<t> + by), x<1> = 0, x<t> = y<t-1>

A model is a dict of parameter dicts: ``{"fwd": cell parameters, "out": {"Wy", "by"}}``,
and for a bidirectional one also ``"bwd"`` (the backward direction's cell parameters; Wy
then has 2 n_a columns). The bidirectional models are ``course_lib.bidirectional``'s
``bidirectional_forward`` / ``bidirectional_backward`` with an output layer on top; the
unidirectional ones the recurrent core's driver alone. Batches hold sentences of one length
each, so no padding ever enters the backward direction first.

The shipped models (assets/birnn_*.npz and .json) are rebuilt by

    python -m course_lib.bidirectional_tasks

Derived in notebooks/08_bidirectional_rnn.ipynb, "Unidirectional against bidirectional".
"""

import json
from pathlib import Path

import numpy as np

from course_lib._files import ASSETS
from course_lib._validate import (as_generator, check_bool, check_choice, check_letters, check_positive_float,
                                  check_positive_int, checked, float_parameters, require_keys, shaped_array)
from course_lib.activations import sigmoid, softmax
from course_lib.bidirectional import bidirectional_backward, bidirectional_forward
from course_lib.data.names import wang_position, wang_tagging_examples
from course_lib.data.vocab import EOS, Vocabulary, one_hot
from course_lib.lm import draw_token, teacher_forcing_inputs
from course_lib.losses import (binary_cross_entropy_from_logits, output_layer_backward, output_layer_forward,
                               softmax_cross_entropy)
from course_lib.recurrent import get_cell, run_forward, sequence_backward

__all__ = [
    "TAGGER_RECIPE", "LM_RECIPE", "assets_path", "checked_model", "initialize_model", "input_dependence", "output_contributions", "is_bidirectional", "language_model_batches",
    "lm_loss_and_gradients", "lm_mean_loss", "load_task_model", "model_hidden_states", "model_logits",
    "sample_sentences", "save_task_model", "tagger_accuracy", "tagger_loss_and_gradients", "tagging_batches",
    "task_vocabulary", "train_task_model",
]

# Seconds of training each on 2 cores; the same recipe for both directions' models.
TAGGER_RECIPE = dict(n_a=12, sentences=2000, steps=400, batch_size=32, learning_rate=0.02, seed=0)
LM_RECIPE = dict(n_a=24, sentences=2000, steps=600, batch_size=32, learning_rate=0.02, seed=1)
KINDS = ("tagger", "lm")


def task_vocabulary():
    """The characters of the 王 task (every one its generator can write), with <UNK> and <EOS>."""
    from course_lib.data import names

    text = "".join(names.LEFT_CONTEXTS) + "王" + names.NAME_GIVEN + names.WORD_SECOND + \
        "".join(names.NAME_CONTINUATIONS + names.WORD_CONTINUATIONS)
    return Vocabulary.build(list(text), granularity="char")


def is_bidirectional(model):
    """True if ``model`` has a backward direction (a "bwd" entry)."""
    return isinstance(model, dict) and "bwd" in model


# ---------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------


def _group_by_length(rows, batch_size):
    """Batches of the row indices, each batch of one length (rows: a list of sequences)."""
    by_length = {}
    for i, row in enumerate(rows):
        by_length.setdefault(len(row), []).append(i)
    return [ids[k:k + batch_size] for _, ids in sorted(by_length.items()) for k in range(0, len(ids), batch_size)]


def _sentences_and_vocabulary(sentences, vocabulary):
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences \
            or not all(isinstance(s, str) and s for s in sentences):
        raise ValueError("sentences must be a non-empty list of non-empty str")
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    return list(sentences), vocabulary


def _tagging_labels(sentences, labels):
    if not isinstance(labels, (list, tuple)) or len(labels) != len(sentences):
        raise ValueError(f"labels must be a list of {len(sentences)} label arrays, one per sentence")
    labels = [np.asarray(y) for y in labels]
    for i, (s, y) in enumerate(zip(sentences, labels)):
        if y.shape != (len(s),) or y.dtype.kind not in "iuf" or not np.isin(y, (0, 1)).all():
            raise ValueError(f"labels[{i}] must be {len(s)} labels in {{0, 1}}, one per character of sentences[{i}]")
    return labels


def _check_tagging_batches(sentences, labels, vocabulary, batch_size=None):
    sentences, vocabulary = _sentences_and_vocabulary(sentences, vocabulary)
    labels = _tagging_labels(sentences, labels)
    batch_size = len(sentences) if batch_size is None else check_positive_int("batch_size", batch_size)
    return sentences, labels, vocabulary, batch_size


@checked(_check_tagging_batches)
def tagging_batches(sentences, labels, vocabulary, batch_size=None):
    """The tagging sentences as (x, y) batches, each of sentences of one length.

    Args:
        sentences: list of str; labels: list of int arrays (len(sentence),) in {0, 1}.
        vocabulary: the Vocabulary to encode with (e.g. task_vocabulary()).
        batch_size: the most sentences per batch (None: one batch per length).
    Returns:
        list of (x, y, ids): x one-hot (n_x, m, T_x), y (1, m, T_x), ids the m sentence indices.
    """
    encoded = [vocabulary.encode(s) for s in sentences]
    batches = []
    for ids in _group_by_length(encoded, batch_size):
        x = one_hot(np.array([encoded[i] for i in ids]), vocabulary.n_x)
        y = np.array([labels[i] for i in ids], dtype=float)[None]
        batches.append((x, y, ids))
    return batches


def _check_lm_batches(sentences, vocabulary, batch_size=None):
    sentences, vocabulary = _sentences_and_vocabulary(sentences, vocabulary)
    batch_size = len(sentences) if batch_size is None else check_positive_int("batch_size", batch_size)
    return sentences, vocabulary, batch_size


@checked(_check_lm_batches)
def language_model_batches(sentences, vocabulary, batch_size=None):
    """Sentences as language-model batches: x<1> = 0, x<t> = y<t-1>, targets ending in <EOS>.

    Args:
        sentences: list of str; vocabulary: a Vocabulary; batch_size: as in tagging_batches.
    Returns:
        list of (x, y, ids): x one-hot (n_x, m, T_y) with x<1> = 0, y target indices (m, T_y).
    """
    targets = [vocabulary.encode(s, add_eos=True) for s in sentences]
    batches = []
    for ids in _group_by_length(targets, batch_size):
        y = np.array([targets[i] for i in ids])                       # (m, T_y)
        inputs = teacher_forcing_inputs.unchecked(y)                   # x<1> = 0, x<t> = y<t-1>
        batches.append((one_hot(inputs, vocabulary.n_x), y, ids))
    return batches


# ---------------------------------------------------------------------------------------
# The models
# ---------------------------------------------------------------------------------------


def _check_initialize(n_x, n_a, n_y, cell="rnn", bidirectional=False, rng=0, scale=0.1):
    return (check_positive_int("n_x", n_x), check_positive_int("n_a", n_a), check_positive_int("n_y", n_y),
            get_cell(cell), check_bool("bidirectional", bidirectional), as_generator("rng", rng),
            check_positive_float("scale", scale))


@checked(_check_initialize)
def initialize_model(n_x, n_a, n_y, cell="rnn", bidirectional=False, rng=0, scale=0.1):
    """Small random parameters of a unidirectional or bidirectional model with an output layer.

    Returns:
        {"fwd": cell parameters, ("bwd": cell parameters,) "out": {"Wy": (n_y, n_a or 2 n_a), "by": (n_y, 1)}}.
    """
    model = {"fwd": cell.initialize(n_x, n_a, None, rng, scale)}
    if bidirectional:
        model["bwd"] = cell.initialize(n_x, n_a, None, rng, scale)
    n_in = 2 * n_a if bidirectional else n_a
    model["out"] = {"Wy": scale * rng.standard_normal((n_y, n_in)), "by": scale * rng.standard_normal((n_y, 1))}
    return model


def _model_part(cell, parameters, name):
    """One direction's parameters, checked by the cell; the error says which cell it expected."""
    if not isinstance(parameters, dict):
        raise ValueError(f"{name} must be a dict of the {cell.name!r} cell's parameters, got {type(parameters).__name__}")
    try:
        return cell.check_parameters(parameters, name=name)
    except ValueError as error:
        raise ValueError(f"{error} (the parameters of cell={cell.name!r})") from None


def checked_model(model, cell, name="model"):
    """``model`` with every part checked: "fwd" (and "bwd") the cell's parameters of one size,
    "out" an output layer Wy (n_y, n_a or 2 n_a), by (n_y, 1) reading them. Else ValueError naming ``name``.

    Args:
        model: {"fwd", ("bwd",) "out"} as initialize_model returns it; cell: its cell (a name or a Cell).
    Returns:
        a new dict of the same parts, every entry a float64 array.
    """
    cell = get_cell(cell)
    if not isinstance(name, str):
        raise ValueError(f"name must be a str (the argument's name in the messages), got {type(name).__name__}")
    if not isinstance(model, dict):
        raise ValueError(f"{name} must be a dict {{'fwd', ('bwd',) 'out'}} of parameter dicts (see initialize_model), "
                         f"got {type(model).__name__}")
    require_keys(name, model, ("fwd", "out"))
    unknown = [k for k in model if k not in ("fwd", "bwd", "out")]
    if unknown:
        raise ValueError(f"{name} has unexpected parts {unknown} (expected 'fwd', optionally 'bwd', and 'out')")
    parts = {part: _model_part(cell, model[part], f'{name}["{part}"]') for part in ("fwd", "bwd") if part in model}
    n_x, n_a = cell.sizes(parts["fwd"])
    if "bwd" in parts and cell.sizes(parts["bwd"]) != (n_x, n_a):
        raise ValueError(f'{name}["bwd"] must have the sizes of {name}["fwd"] (n_x = {n_x}, n_a = {n_a}), got '
                         f"(n_x, n_a) = {cell.sizes(parts['bwd'])}")
    if not isinstance(model["out"], dict):
        raise ValueError(f'{name}["out"] must be a dict {{"Wy", "by"}}, got {type(model["out"]).__name__}')
    out = float_parameters(f'{name}["out"]', model["out"], ("Wy", "by"))
    reads = "(n_y, 2 n_a)" if "bwd" in parts else "(n_y, n_a)"
    n_y = check_letters(f'{name}["out"]["Wy"]', out["Wy"], reads, **{"2 n_a": 2 * n_a, "n_a": n_a}).shape[0]
    check_letters(f'{name}["out"]["by"]', out["by"], "(n_y, 1)", n_y=n_y)
    return {**parts, "out": out}


def _model_sizes(model, cell):
    """(n_x, n_a, n_y) of a checked model."""
    n_x, n_a = cell.sizes(model["fwd"])
    return n_x, n_a, model["out"]["Wy"].shape[0]


def _check_model(model, x, cell="rnn"):
    cell = get_cell(cell)
    model = checked_model(model, cell)
    x = shaped_array("x", x, "(n_x, m, T_x)", n_x=_model_sizes(model, cell)[0])
    return model, x, cell


def _hidden(model, x, cell):
    """[a→; a←] (bidirectional) or a→ at every step, and what the backward pass needs."""
    if is_bidirectional(model):
        return bidirectional_forward(x, model["fwd"], model["bwd"], cell)
    return run_forward(x, model["fwd"], cell)


def _logits(model, x, cell):
    h, _ = _hidden(model, x, cell)
    return output_layer_forward(h, model["out"]["Wy"], model["out"]["by"])


@checked(_check_model)
def model_hidden_states(model, x, cell="rnn"):
    """The states the output layer reads, (n_a or 2 n_a, m, T_x), and the forward caches."""
    return _hidden(model, x, cell)


@checked(_check_model)
def model_logits(model, x, cell="rnn"):
    """z<t> = Wy h<t> + by at every step, (n_y, m, T_x); h = [a→; a←] for a bidirectional model."""
    return _logits(model, x, cell)


def _backward(model, caches, dh):
    """The parameter gradients of both directions from ∂J/∂h<t>."""
    if is_bidirectional(model):
        _, g_fwd, g_bwd = bidirectional_backward(dh, caches)
        return {"fwd": g_fwd, "bwd": g_bwd}
    grads = sequence_backward(dh, caches, input_gradient=False)
    return {"fwd": caches.cell.only_parameter_gradients(grads)}


def _loss_and_gradients(model, batch, cell, loss):
    x, y = batch[0], batch[1]
    h, caches = _hidden(model, x, cell)
    z = output_layer_forward(h, model["out"]["Wy"], model["out"]["by"])  # z<t> = Wy h<t> + by
    J, dz = loss(z, y)
    dWy, dby, dh = output_layer_backward(dz, h, model["out"]["Wy"])     # dh<t> = Wyᵀ dz<t>
    return J, {**_backward(model, caches, dh), "out": {"dWy": dWy, "dby": dby}}, y.size if y.ndim == 2 else y[0].size


def _batch(model, batch, cell, kind, name="batch"):
    """(x, y, ...) of one batch for ``model``: x one-hot (n_x, m, T_x); y the tagger's labels
    (1, m, T_x) in {0, 1} or the language model's target indices (m, T_x) in [0, n_y)."""
    n_x, _, n_y = _model_sizes(model, cell)
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        made_by = "tagging_batches" if kind == "tagger" else "language_model_batches"
        raise ValueError(f"{name} must be a tuple (x, y, ...) as {made_by} gives, got {type(batch).__name__}")
    x = shaped_array(f"{name}[0] (x)", batch[0], "(n_x, m, T_x)", n_x=n_x)
    m, T_x = x.shape[1:]
    if kind == "tagger":
        if n_y != 1:
            raise ValueError(f"model must be a tagger with one output (n_y = 1), got n_y = {n_y}")
        y = shaped_array(f"{name}[1] (y)", batch[1], "(1, m, T_x)", m=m, T_x=T_x)
        if not np.isin(y, (0, 1)).all():
            raise ValueError(f"{name}[1] (y) must hold labels in {{0, 1}}")
    else:
        if n_y != n_x:
            raise ValueError(f"model must be a language model (n_y = n_x = {n_x}), got n_y = {n_y}")
        y = np.asarray(batch[1])
        if y.dtype.kind not in "iu" or y.shape != (m, T_x) or y.min() < 0 or y.max() >= n_y:
            raise ValueError(f"{name}[1] (y) must be integer target indices (m, T_x) = ({m}, {T_x}) in [0, {n_y}), "
                             f"got dtype {y.dtype}, shape {y.shape}")
    return (x, y, *batch[2:])


def _check_tagger_loss(model, batch, cell="rnn"):
    cell = get_cell(cell)
    model = checked_model(model, cell)
    return model, _batch(model, batch, cell, "tagger"), cell


def _check_lm_loss(model, batch, cell="rnn"):
    cell = get_cell(cell)
    model = checked_model(model, cell)
    return model, _batch(model, batch, cell, "lm"), cell


@checked(_check_tagger_loss)
def tagger_loss_and_gradients(model, batch, cell="rnn"):
    """The tagger's binary cross-entropy summed over the batch, its gradients, and the count of characters.

    Args:
        model: from initialize_model (n_y = 1). batch: (x, y, ...) from tagging_batches.
    Returns:
        (J, gradients, n) as train.train_model takes them: gradients {"fwd", ("bwd",) "out"}.
    """
    return _loss_and_gradients(model, batch, cell, binary_cross_entropy_from_logits)


@checked(_check_lm_loss)
def lm_loss_and_gradients(model, batch, cell="rnn"):
    """The language model's cross-entropy summed over the batch, its gradients, and the count of tokens.

    Args:
        model: from initialize_model (n_y = n_x). batch: (x, y, ...) from language_model_batches.
    Returns:
        (J, gradients, n), as tagger_loss_and_gradients.
    """
    return _loss_and_gradients(model, batch, cell, softmax_cross_entropy)


def _check_mean_loss(model, batches, cell="rnn"):
    cell = get_cell(cell)
    model = checked_model(model, cell)
    if isinstance(batches, tuple) or not isinstance(batches, list) or not batches:
        raise ValueError(f"batches must be a non-empty list of (x, y, ids) from language_model_batches, "
                         f"got {type(batches).__name__}")
    return model, [_batch(model, b, cell, "lm", f"batches[{i}]") for i, b in enumerate(batches)], cell


@checked(_check_mean_loss)
def lm_mean_loss(model, batches, cell="rnn"):
    """Mean cross-entropy per token (nats) of the language model over ``batches`` (from language_model_batches)."""
    total = count = 0.0
    for x, y, *_ in batches:
        J, _ = softmax_cross_entropy(_logits(model, x, cell), y)
        total, count = total + J, count + y.size
    return total / count


def _check_accuracy(model, sentences, labels, vocabulary, cell="rnn"):
    sentences, labels, vocabulary, _ = _check_tagging_batches(sentences, labels, vocabulary)
    for i, sentence in enumerate(sentences):
        if "「王" not in sentence:
            raise ValueError(f"sentences[{i}] must contain 「王 (a sentence of wang_tagging_examples), got {sentence!r}")
    cell = get_cell(cell)
    model = checked_model(model, cell)
    n_x, _, n_y = _model_sizes(model, cell)
    if (n_x, n_y) != (vocabulary.n_x, 1):
        raise ValueError(f"model must be a tagger of this vocabulary: n_x = {vocabulary.n_x}, n_y = 1; got n_x = {n_x}, "
                         f"n_y = {n_y}")
    return model, sentences, labels, vocabulary, cell


@checked(_check_accuracy)
def tagger_accuracy(model, sentences, labels, vocabulary, cell="rnn"):
    """Accuracy of the tagger (ŷ > 0.5 against the label) on the 王 positions and everywhere else.

    Args:
        model: a tagger; sentences, labels: from wang_tagging_examples; vocabulary: task_vocabulary().
    Returns:
        dict: "wang" (accuracy at the 王 after 「), "elsewhere" (every other character),
        "p_wang" (n,) the P(name) at 王 of each sentence.
    """
    p_wang = np.zeros(len(sentences))
    right_wang = right_else = n_else = 0
    for x, y, ids in tagging_batches.unchecked(sentences, labels, vocabulary, len(sentences)):
        p = sigmoid(_logits(model, x, cell))[0]            # (m, T_x)
        right = (p > 0.5) == (y[0] > 0.5)
        at = np.zeros_like(right)
        for row, i in enumerate(ids):
            at[row, wang_position(sentences[i])] = True
            p_wang[i] = p[row, wang_position(sentences[i])]
        right_wang += right[at].sum()
        right_else += right[~at].sum()
        n_else += (~at).sum()
    return {"wang": right_wang / len(sentences), "elsewhere": right_else / n_else, "p_wang": p_wang}


def _check_dependence(model, x, cell="rnn"):
    model, x, cell = _check_model(model, x, cell)
    if x.shape[1] != 1:
        raise ValueError(f"x must be one example's inputs (n_x, 1, T_x), got shape {x.shape}")
    return model, x, cell


@checked(_check_dependence)
def input_dependence(model, x, cell="rnn"):
    """How much each output moves when one input is removed: when can ŷ<t> be produced?

    Args:
        model: a tagger or language model; x: one example's inputs (n_x, 1, T_x).
    Returns:
        (T_x, T_x) array: entry [t, s] = max over the outputs of |z<t>(x with x<s> = 0) − z<t>(x)|
        (0-based), z<t> the logits of ŷ<t>. A unidirectional model's entries above the diagonal are exactly 0: ŷ<t>
        can be produced as soon as x<t> has arrived. A bidirectional model's ŷ<1> already
        depends on x<T_x>: it must wait for the end of the sequence.
    """
    T_x = x.shape[2]
    base = _logits(model, x, cell)[:, 0]                  # (n_y, T_x): logits, which do not saturate as ŷ does
    dependence = np.zeros((T_x, T_x))
    for s in range(T_x):
        removed = np.array(x, dtype=float)
        removed[:, :, s] = 0.0
        dependence[:, s] = np.abs(_logits(model, removed, cell)[:, 0] - base).max(axis=0)
    return dependence


def _check_contributions(model, x, cell="rnn"):
    model, x, cell = _check_model(model, x, cell)
    if not is_bidirectional(model) or model["out"]["Wy"].shape[0] != 1:
        raise ValueError("model must be a bidirectional model with one output (a tagger)")
    return model, x, cell


@checked(_check_contributions)
def output_contributions(model, x, cell="rnn"):
    """The two parts of a bidirectional tagger's logit: z<t> = Wy[:, :n_a] a→<t> + Wy[:, n_a:] a←<t> + by.

    Args:
        model: a bidirectional model with n_y = 1; x: inputs (n_x, m, T_x).
    Returns:
        (from_fwd, from_bwd, by): two (m, T_x) arrays and the bias, a float; their sum is the
        logit, σ(sum) the output.
    """
    h, _ = _hidden(model, x, cell)
    n_a = h.shape[0] // 2
    Wy = model["out"]["Wy"]
    from_fwd = np.einsum("i,imt->mt", Wy[0, :n_a], h[:n_a])
    from_bwd = np.einsum("i,imt->mt", Wy[0, n_a:], h[n_a:])
    return from_fwd, from_bwd, float(model["out"]["by"][0, 0])


# ---------------------------------------------------------------------------------------
# Sampling a sentence, one token at a time
# ---------------------------------------------------------------------------------------


def _check_sample(model, vocabulary, n, rng, cell="rnn", max_length=30):
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    cell = get_cell(cell)
    model = checked_model(model, cell)
    n_x, _, n_y = _model_sizes(model, cell)
    if n_x != vocabulary.n_x or n_y != vocabulary.n_x:
        raise ValueError(f"model must be a language model of this vocabulary (n_x = n_y = {vocabulary.n_x}), got "
                         f"n_x = {n_x}, n_y = {n_y}")
    return (model, vocabulary, check_positive_int("n", n), as_generator("rng", rng), cell,
            check_positive_int("max_length", max_length))


@checked(_check_sample)
def sample_sentences(model, vocabulary, n, rng, cell="rnn", max_length=30):
    """``n`` sentences drawn from the language model, token by token until <EOS>.

    At step t only the tokens drawn so far exist: the model is run on x<1> … x<t> (for a
    bidirectional model its backward direction starts at x<t>, since nothing after it has
    been written yet) and y<t> is drawn from ŷ<t> (``lm.draw_token``).
    Args:
        model: a language model of ``vocabulary`` (n_y = n_x); n: how many sentences;
        rng: a Generator or an int seed; max_length: most tokens per sentence, <EOS> included.
    Returns:
        list of n str (without <EOS>).
    """
    eos = vocabulary.index(EOS)
    drawn = np.full((n, 0), -1)
    done = np.zeros(n, dtype=bool)
    for t in range(max_length):
        inputs = np.concatenate([np.full((n, 1), -1), drawn], axis=1)   # x<1> = 0, x<s> = y<s-1>, s ≤ t
        probs = softmax(_logits(model, one_hot(inputs, vocabulary.n_x), cell)[:, :, -1])  # ŷ<t> (n_y, n)
        token = np.array([draw_token.unchecked(probs[:, i], rng) for i in range(n)])  # y<t> ~ ŷ<t>
        token[done] = eos
        drawn = np.concatenate([drawn, token[:, None]], axis=1)
        done |= token == eos
        if done.all():
            break
    return ["".join(vocabulary.tokens[i] for i in row if i != eos).replace("<UNK>", "?") for row in drawn]


# ---------------------------------------------------------------------------------------
# Training and the shipped models
# ---------------------------------------------------------------------------------------


def assets_path(kind, cell="rnn", bidirectional=True):
    """assets/birnn_<kind>_<uni|bi>_<cell>.npz (kind: "tagger" or "lm")."""
    kind = check_choice("kind", kind, KINDS)
    name = get_cell(cell).name
    return ASSETS / f"birnn_{kind}_{'bi' if check_bool('bidirectional', bidirectional) else 'uni'}_{name}.npz"


def _check_train(kind, cell="rnn", bidirectional=True, progress=False, **overrides):
    kind = check_choice("kind", kind, KINDS)
    recipe = TAGGER_RECIPE if kind == "tagger" else LM_RECIPE
    unknown = [k for k in overrides if k not in recipe]
    if unknown:
        raise ValueError(f"overrides {unknown} are not entries of the recipe (it has {sorted(recipe)})")
    for key, value in overrides.items():
        if key == "learning_rate":
            check_positive_float(key, value)
        else:
            check_positive_int(key, value, minimum=0 if key == "seed" else 1)
    return (kind, get_cell(cell), check_bool("bidirectional", bidirectional), check_bool("progress", progress)), overrides


def _checked_overrides(fn):
    """``checked`` for a function with keyword overrides: (args) checked by _check_train, then fn(*args, **overrides)."""
    import functools

    @functools.wraps(fn)
    def at_the_door(*args, **kwargs):
        checked_args, overrides = _check_train(*args, **kwargs)
        return fn(*checked_args, **overrides)

    at_the_door.unchecked = fn
    return at_the_door


@_checked_overrides
def train_task_model(kind, cell="rnn", bidirectional=True, progress=False, **overrides):
    """Train a tagger or language model on the 王 task with the shipped recipe (seconds).

    Args:
        kind: "tagger" or "lm"; cell: "rnn", "gru", "lstm"; bidirectional: True or False.
        overrides: recipe entries to change (n_a, sentences, steps, batch_size, learning_rate, seed).
    Returns:
        (model, metadata): metadata holds the recipe, the losses of every step and the seconds.
    """
    from course_lib.train import train_model

    kind = check_choice("kind", kind, KINDS)
    cell = get_cell(cell)
    recipe = {**(TAGGER_RECIPE if kind == "tagger" else LM_RECIPE), **overrides}
    rng = np.random.default_rng(recipe["seed"])
    vocabulary = task_vocabulary()
    sentences, labels, _ = wang_tagging_examples(recipe["sentences"], rng)
    if kind == "tagger":
        batches, n_y = tagging_batches(sentences, labels, vocabulary, recipe["batch_size"]), 1
        loss = tagger_loss_and_gradients.unchecked                    # its batches are made right here
    else:
        batches, n_y = language_model_batches(sentences, vocabulary, recipe["batch_size"]), vocabulary.n_x
        loss = lm_loss_and_gradients.unchecked
    order = rng.permutation(len(batches))
    batches = [batches[i] for i in order]
    model = initialize_model(vocabulary.n_x, recipe["n_a"], n_y, cell, bidirectional, rng)
    result = train_model(lambda p, b: loss(p, b, cell), model, batches, recipe["steps"],
                         learning_rate=recipe["learning_rate"], clip=("norm", 5.0), progress=progress,
                         description=f"{kind} {'bi' if bidirectional else 'uni'} {cell.name}")
    metadata = dict(kind=kind, cell=cell.name, bidirectional=bool(bidirectional), recipe=recipe,
                    losses=[round(float(v), 6) for v in result.losses], seconds=round(result.seconds, 2),
                    command=f"python -m course_lib.bidirectional_tasks --only {kind}_{'bi' if bidirectional else 'uni'}_{cell.name}")
    return result.parameters, metadata


def _check_metadata(metadata, name="metadata"):
    """The metadata of a task model: a JSON-able dict naming its kind, cell and direction."""
    if not isinstance(metadata, dict):
        raise ValueError(f"{name} must be a dict (as train_task_model returns it), got {type(metadata).__name__}")
    require_keys(name, metadata, ("kind", "cell", "bidirectional"))
    check_choice(f'{name}["kind"]', metadata["kind"], KINDS)
    try:
        cell = get_cell(metadata["cell"])
    except ValueError as error:
        raise ValueError(f'{name}["cell"]: {error}') from None
    check_bool(f'{name}["bidirectional"]', metadata["bidirectional"])
    try:
        json.dumps(metadata, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold only JSON values (str, numbers, lists, dicts): {error}") from None
    return cell


def _check_save(path, model, metadata):
    if isinstance(path, bool) or not isinstance(path, (str, Path)) or not str(path):
        raise ValueError(f"path must be a file name (str or Path) ending in .npz, got {path!r}")
    path = Path(path)
    if path.suffix != ".npz" or not path.parent.is_dir():
        raise ValueError(f"path must end in .npz, in a directory that exists, got {str(path)!r}")
    cell = _check_metadata(metadata)
    model = checked_model(model, cell)
    if is_bidirectional(model) != metadata["bidirectional"]:
        raise ValueError(f'model must match metadata["bidirectional"] = {metadata["bidirectional"]}')
    return path, model, metadata


@checked(_check_save)
def save_task_model(path, model, metadata):
    """Write ``model`` to ``path`` (.npz, keys "part/name") and ``metadata`` beside it (.json)."""
    arrays = {f"{part}/{k}": v for part, p in model.items() for k, v in p.items()}
    np.savez_compressed(path, **arrays)
    path.with_suffix(".json").write_text(json.dumps(metadata, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _check_load(kind, cell="rnn", bidirectional=True, path=None):
    if path is None:
        return assets_path(kind, cell, bidirectional)
    if isinstance(path, bool) or not isinstance(path, (str, Path)) or not str(path):
        raise ValueError(f"path must be None (the shipped model) or the name of a saved .npz, got {path!r}")
    return Path(path)


def load_task_model(kind, cell="rnn", bidirectional=True, path=None):
    """A shipped model and its metadata: (model, metadata), as train_task_model returns them.

    Args:
        kind, cell, bidirectional: which shipped model (see assets_path).
        path: None, or the .npz of a model written by save_task_model (it then decides; kind,
            cell and bidirectional are read from its .json).
    """
    path = _check_load(kind, cell, bidirectional, path)
    if not path.is_file():
        raise ValueError(f"no model at path {path}: build it with python -m course_lib.bidirectional_tasks")
    try:
        metadata = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        cell = _check_metadata(metadata, "the metadata")
        model = {}
        with np.load(path) as data:
            for key in data.files:
                part, name = key.split("/")
                model.setdefault(part, {})[name] = data[key].astype(float)
        model = checked_model(model, cell, "the model")
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"path {path} does not hold a model written by save_task_model: {error}") from None
    return model, metadata


SHIPPED = [("tagger", "rnn", False), ("tagger", "rnn", True), ("tagger", "gru", True), ("tagger", "lstm", True),
           ("lm", "rnn", False), ("lm", "rnn", True)]


def main(argv=None):
    """Train and save every shipped model of notebook 08 (about half a minute in all)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--only", default=None, help="one model, e.g. tagger_bi_rnn")
    args = parser.parse_args(argv)
    for kind, cell, bi in SHIPPED:
        name = f"{kind}_{'bi' if bi else 'uni'}_{cell}"
        if args.only not in (None, name):
            continue
        model, meta = train_task_model(kind, cell, bi)
        save_task_model(assets_path(kind, cell, bi), model, meta)
        print(f"{name}: final loss {np.mean(meta['losses'][-20:]):.4f} in {meta['seconds']} s -> {assets_path(kind, cell, bi)}")


if __name__ == "__main__":
    main()
