"""The five shapes of a recurrent network, each a small model built on the recurrent core.

    one to one        T_x = T_y = 1        a standard network
    one to many       T_x = 1              generation: ŷ<t> is fed back as x<t+1>
    many to one       T_y = 1              one label for the whole sequence, from a<T_x>
    many to many      T_y = T_x            one output per input (the name tagger)
    encoder–decoder   T_x, T_y any         the encoder's a<T_x> starts the decoder

Every model starts from a<0> = 0 and uses the same cell, a<t> = tanh(Waa a<t-1> + Wax x<t> + ba),
ŷ<t> = softmax(Wya a<t> + by); they differ only in which steps read an input and which
steps produce an output. Any cell of the recurrent core can take the RNN's place
(``cell="rnn"`` by default): then a<t> is that cell's hidden state and (Wya, by) its own
output layer. Shapes: x (n_x, m, T_x), a (n_a, m, T), y_pred (n_y, m, T_y).
Derived in notebooks/03_architectures.ipynb.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_float_array,
    check_bool,
    check_positive_int,
    checked,
    require_keys,
    shaped_array,
)
from course_lib.data import one_hot
from course_lib.losses import output_layer_backward, output_layer_forward, softmax_cross_entropy
from course_lib.recurrent import SequenceCache, get_cell, predictions, sequence_backward, sequence_forward

__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "EncoderDecoderCaches",
    "architecture_shapes",
    "array_letters",
    "check_lengths",
    "fit_lengths",
    "parameter_letters",
    "one_to_one",
    "one_to_many",
    "many_to_one",
    "many_to_many",
    "encoder_decoder",
    "many_to_one_gradients",
    "encoder_decoder_gradients",
]


@dataclass(frozen=True)
class Architecture:
    """One of the five shapes: its name, what it is used for, and its length rules.

    Attributes:
        name: the key in ARCHITECTURES and the name of the model function.
        label: how the course writes it, with its Chinese name.
        example: a task of that shape.
        T_x, T_y: "1" (fixed to one step), "any", or "T_x" (T_y tied to T_x).
        arrays: every data array of the model (inputs, hidden states, predictions) → its
            shape in the course's letters; the parameters are listed by ``array_letters``.
        networks: one (parameters argument, its input size, has an output layer) per
            recurrent network of the model, e.g. ("parameters", "n_x", True).
    """

    name: str
    label: str
    example: str
    T_x: str
    T_y: str
    arrays: dict
    networks: tuple = (("parameters", "n_x", True),)


ARCHITECTURES = {
    arch.name: arch
    for arch in (
        Architecture(
            "one_to_one", "one to one (一对一)", "a standard network, e.g. image classification",
            T_x="1", T_y="1",
            arrays={"x": ("n_x", "m", "T_x"), "a": ("n_a", "m", "T_x"), "y_pred": ("n_y", "m", "T_y")},
        ),
        Architecture(
            "one_to_many", "one to many (一对多)", "generation, e.g. music generation",
            T_x="1", T_y="any",
            # the cell reads x<1>, then its own outputs: n_y = n_x
            arrays={"x": ("n_x", "m", "T_x"), "caches.x": ("n_x", "m", "T_y"),
                    "a": ("n_a", "m", "T_y"), "y_pred": ("n_y", "m", "T_y")},
        ),
        Architecture(
            "many_to_one", "many to one (多对一)", "sentence classification, e.g. sentiment classification",
            T_x="any", T_y="1",
            arrays={"x": ("n_x", "m", "T_x"), "a": ("n_a", "m", "T_x"), "y_pred": ("n_y", "m", "T_y")},
        ),
        Architecture(
            "many_to_many", "many to many, T_x = T_y (多对多)", "one label per input, e.g. name tagging",
            T_x="any", T_y="T_x",
            arrays={"x": ("n_x", "m", "T_x"), "a": ("n_a", "m", "T_x"), "y_pred": ("n_y", "m", "T_y")},
        ),
        Architecture(
            "encoder_decoder", "many to many, T_x ≠ T_y (多对多, encoder–decoder 编码器–解码器)",
            "sequence to sequence, e.g. machine translation",
            T_x="any", T_y="any",
            arrays={"x": ("n_x", "m", "T_x"), "a_encoder": ("n_a", "m", "T_x"),
                    "caches.decoder.x": ("n_y", "m", "T_y"), "a_decoder": ("n_a", "m", "T_y"),
                    "y_pred": ("n_y", "m", "T_y")},
            networks=(("encoder_parameters", "n_x", False), ("decoder_parameters", "n_y", True)),
        ),
    )
}


def _architecture(name):
    if not isinstance(name, str) or name not in ARCHITECTURES:
        raise ValueError(f"name must be one of {list(ARCHITECTURES)}, got {name!r}")
    return ARCHITECTURES[name]


def fit_lengths(name, T_x, T_y):
    """T_x and T_y with the architecture's rules applied: fixed lengths become 1, a tied T_y becomes T_x.

    Args:
        name: a key of ARCHITECTURES.
        T_x, T_y: the lengths asked for, integers ≥ 1.
    Returns:
        (T_x, T_y) that the architecture allows, the free ones unchanged.
    """
    arch = _architecture(name)
    T_x = check_positive_int("T_x", T_x)
    T_y = check_positive_int("T_y", T_y)
    T_x = 1 if arch.T_x == "1" else T_x
    T_y = {"1": 1, "T_x": T_x, "any": T_y}[arch.T_y]
    return T_x, T_y


def check_lengths(name, T_x, T_y):
    """Raise ValueError unless T_x and T_y obey the architecture's rules.

    Args:
        name: a key of ARCHITECTURES.
        T_x, T_y: integers ≥ 1.
    Returns:
        (T_x, T_y) as ints.
    """
    arch = _architecture(name)
    T_x = check_positive_int("T_x", T_x)
    T_y = check_positive_int("T_y", T_y)
    if arch.T_x == "1" and T_x != 1:
        raise ValueError(f"T_x must be 1 for {name}, got {T_x}")
    if (T_x, T_y) != fit_lengths(name, T_x, T_y):
        raise ValueError(f"T_y must equal {arch.T_y} for {name}, got T_y = {T_y} (T_x = {T_x})")
    return T_x, T_y


# Distinct sizes whose sums are distinct too: a parameter's shape built at these sizes
# says which letter each of its axes is (n_a + n_x for a gate acting on [a<t-1>; x<t>]).
_PROBE = {"input": 11, "n_a": 13, "n_y": 17}


def parameter_letters(cell="rnn", n_x="n_x", output_layer=True):
    """The shape of each of a cell's parameters, in the course's letters.

    Args:
        cell: "rnn" (default) or another registered cell.
        n_x: the letter of the network's input size ("n_y" for a decoder reading its outputs).
        output_layer: include the output layer (Wya, by for the RNN).
    Returns:
        dict key → letters, e.g. {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "ba": ("n_a", 1), ...};
        a gate acting on the stacked [a<t-1>; x<t>] reads ("n_a", "n_a + n_x").

    Read off the cell's own initialiser at probe sizes, so every cell answers for itself.
    """
    cell = get_cell(cell)
    if not isinstance(n_x, str) or not n_x:
        raise ValueError(f"n_x must be a letter such as 'n_x', got {n_x!r}")
    probe = cell.initialize(_PROBE["input"], _PROBE["n_a"], _PROBE["n_y"] if output_layer else None, 0)
    names = {1: 1, _PROBE["input"]: n_x, _PROBE["n_a"]: "n_a", _PROBE["n_y"]: "n_y",
             _PROBE["n_a"] + _PROBE["input"]: f"n_a + {n_x}"}
    keys = cell.parameter_keys + (cell.output_keys if output_layer else ())
    return {k: tuple(names.get(d, d) for d in probe[k].shape) for k in keys}


def array_letters(name, cell="rnn"):
    """Every array of one architecture → its shape in letters: data arrays, then parameters.

    Args:
        name: a key of ARCHITECTURES.
        cell: "rnn" (default) or another registered cell.
    Returns:
        dict, e.g. "x" → ("n_x", "m", "T_x"), 'parameters["Wax"]' → ("n_a", "n_x").
    """
    arch = _architecture(name)
    letters = dict(arch.arrays)
    for argument, n_x, output_layer in arch.networks:
        for key, shape in parameter_letters(cell, n_x, output_layer).items():
            letters[f'{argument}["{key}"]'] = shape
    return letters


def _size(letters, sizes):
    """One axis of a shape in numbers: "n_a" → 16, "n_a + n_x" → 26, 1 → 1."""
    if isinstance(letters, int):
        return letters
    return sum(sizes[part.strip()] for part in letters.split("+"))


def architecture_shapes(name, n_x, n_a, n_y, m, T_x, T_y, cell="rnn"):
    """The shape of every array of one architecture, for given sizes.

    Args:
        name: a key of ARCHITECTURES ("one_to_one", ..., "encoder_decoder").
        n_x, n_a, n_y, m, T_x, T_y: the sizes, integers ≥ 1. They must obey the
            architecture's rules: T_x = 1 for one to one and one to many, T_y = 1 for
            one to one and many to one, T_y = T_x for many to many, and n_y = n_x for
            one to many (its outputs become its inputs).
        cell: "rnn" (default) or another registered cell: its parameters are listed.
    Returns:
        dict array name → shape tuple, in the order of ``array_letters(name, cell)``
        (e.g. "x" → (n_x, m, T_x), 'parameters["Wax"]' → (n_a, n_x)).

    Derived in notebooks/03_architectures.ipynb, "All five side by side"
    """
    letters = array_letters(name, cell)
    sizes = {k: check_positive_int(k, v) for k, v in
             dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x, T_y=T_y).items()}
    check_lengths(name, T_x, T_y)
    if name == "one_to_many" and n_y != n_x:
        raise ValueError(f"n_y must equal n_x = {n_x} for one_to_many (ŷ<t> is fed back as x<t+1>), got {n_y}")
    return {array: tuple(_size(d, sizes) for d in shape) for array, shape in letters.items()}


# ---------------------------------------------------------------------------------------
# Argument checks at the door
# ---------------------------------------------------------------------------------------


def _network(argument, parameters, cell, output_layer=True):
    """A network's parameters, checked by its cell; the output layer required if asked."""
    require_keys(argument, parameters, cell.parameter_keys + (cell.output_keys if output_layer else ()))
    try:
        return cell.check_parameters(parameters)
    except ValueError as error:
        if argument == "parameters":
            raise
        raise ValueError(f"{argument}: {error}") from None


def _inputs(x, p, cell, one_step=False):
    """x (n_x, m, T_x), n_x read off the parameters; T_x = 1 when the model reads one input."""
    n_x = cell.sizes(p)[0]
    return shaped_array("x", x, "(n_x, m, 1)" if one_step else "(n_x, m, T_x)", n_x=n_x)


def _check_feedback(argument, p, cell):
    """Feeding ŷ<t> back as x<t+1> needs as many outputs as inputs."""
    W = cell.output_keys[0]
    n_x, n_y = cell.sizes(p)[0], p[W].shape[0]
    if n_x != n_y:
        raise ValueError(
            f'{argument} must have n_y = n_x to feed ŷ<t> back as x<t+1>: its input size is '
            f'n_x = {n_x}, {argument}["{W}"] has n_y = {n_y}'
        )


def _check_decoder(encoder, decoder, cell):
    """The decoder starts from the encoder's a<T_x> (same n_a) and reads its own outputs."""
    _check_feedback("decoder_parameters", decoder, cell)
    n_a, n_a_decoder = cell.sizes(encoder)[1], cell.sizes(decoder)[1]
    if n_a != n_a_decoder:
        raise ValueError(
            f"decoder_parameters must have the encoder's n_a = {n_a}: the encoder's a<T_x> is the "
            f"decoder's a<0>; got n_a = {n_a_decoder}"
        )


def _check_one_input(x, parameters, cell="rnn"):
    cell = get_cell(cell)
    p = _network("parameters", parameters, cell)
    return _inputs(x, p, cell, one_step=True), p, cell


def _check_sequence(x, parameters, cell="rnn"):
    cell = get_cell(cell)
    p = _network("parameters", parameters, cell)
    return _inputs(x, p, cell), p, cell


def _check_one_to_many(x, parameters, T_y, cell="rnn"):
    x, p, cell = _check_one_input(x, parameters, cell)
    _check_feedback("parameters", p, cell)
    return x, p, check_positive_int("T_y", T_y), cell


def _check_encoder_decoder(x, encoder_parameters, decoder_parameters, T_y, cell="rnn"):
    cell = get_cell(cell)
    encoder = _network("encoder_parameters", encoder_parameters, cell, output_layer=False)
    decoder = _network("decoder_parameters", decoder_parameters, cell)
    _check_decoder(encoder, decoder, cell)
    return _inputs(x, encoder, cell), encoder, decoder, check_positive_int("T_y", T_y), cell


def _zeros(cell, n_a, m):
    """Every state of the cell at 0: a<0> = 0 (and c<0> = 0)."""
    return tuple(np.zeros((n_a, m)) for _ in cell.states)


def _run(cell, x, p, initial=None):
    """The driver over x from the given initial states (zeros by default): (h, caches)."""
    if initial is None:
        initial = _zeros(cell, cell.sizes(p)[1], x.shape[1])
    caches = sequence_forward(cell, x, initial, p)
    return caches.state(cell.hidden), caches


# ---------------------------------------------------------------------------------------
# The five models
# ---------------------------------------------------------------------------------------


@checked(_check_one_input)
def one_to_one(x, parameters, cell="rnn"):
    """One input, one output: with a<0> = 0 the RNN cell is a standard one-hidden-layer network.

    Args:
        x: x<1>, shape (n_x, m, 1) (T_x = 1).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        cell: "rnn" (default) or another registered cell (its own keys then).
    Returns:
        a: a<1>, shape (n_a, m, 1).
        y_pred: ŷ<1>, shape (n_y, m, 1).
        caches: the SequenceCache of the forward pass.

    Waa multiplies a<0> = 0: it takes no part, a<1> = tanh(Wax x<1> + ba).
    Derived in notebooks/03_architectures.ipynb, "One to one"
    """
    a, caches = _run(cell, x, parameters)  # a<1>  (n_a, m, 1)
    return a, predictions(a, parameters, *cell.output_keys), caches  # ŷ<1> = softmax(Wya a<1> + by)


@checked(_check_one_to_many)
def one_to_many(x, parameters, T_y, cell="rnn"):
    """One input, T_y outputs: each output is fed back as the next input (generation).

    Args:
        x: x<1>, shape (n_x, m, 1) (T_x = 1); zeros are the usual start.
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1),
            Wya (n_y, n_a), by (n_y, 1), and n_y = n_x (the outputs become inputs).
        T_y: number of outputs, an integer ≥ 1.
        cell: "rnn" (default) or another registered cell.
    Returns:
        a: a<1> ... a<T_y>, shape (n_a, m, T_y).
        y_pred: ŷ<1> ... ŷ<T_y>, shape (n_y, m, T_y).
        caches: the SequenceCache for the backward pass; caches.x (n_x, m, T_y) holds the
            inputs the cell read: x<1>, then x<t+1> = one-hot(argmax ŷ<t>).

    What is fed back is the one-hot vector of the most likely token (greedy), not the
    distribution ŷ<t>: in training the network reads one-hot tokens, so a one-hot input
    is what it knows; a blurred distribution is an input it has never seen. Notebook 04
    draws the token at random from ŷ<t> instead of taking the argmax, for variety.
    Derived in notebooks/03_architectures.ipynb, "One to many"
    """
    return _generate(cell, x[:, :, 0], _zeros(cell, cell.sizes(parameters)[1], x.shape[1]), parameters, T_y)


@checked(_check_sequence)
def many_to_one(x, parameters, cell="rnn"):
    """T_x inputs, one output: ŷ comes from the last hidden state a<T_x> only.

    Args:
        x: inputs, shape (n_x, m, T_x).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        cell: "rnn" (default) or another registered cell.
    Returns:
        a: a<1> ... a<T_x>, shape (n_a, m, T_x).
        y_pred: ŷ = softmax(Wya a<T_x> + by), shape (n_y, m, 1).
        caches: the SequenceCache of the forward pass.

    Derived in notebooks/03_architectures.ipynb, "Many to one"
    """
    a, caches = _run(cell, x, parameters)  # no ŷ<t> at the other steps
    y_pred = predictions(a[:, :, -1:], parameters, *cell.output_keys)  # ŷ = softmax(Wya a<T_x> + by)  (n_y, m, 1)
    return a, y_pred, caches


@checked(_check_sequence)
def many_to_many(x, parameters, cell="rnn"):
    """T_x inputs, T_y = T_x outputs: one ŷ<t> for every x<t> (the name tagger).

    Args:
        x: inputs, shape (n_x, m, T_x).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        cell: "rnn" (default) or another registered cell.
    Returns:
        a: a<1> ... a<T_x>, shape (n_a, m, T_x).
        y_pred: ŷ<1> ... ŷ<T_x>, shape (n_y, m, T_x).
        caches: the SequenceCache of the forward pass.

    This is rnn_forward itself, started from a<0> = 0.
    Derived in notebooks/03_architectures.ipynb, "Many to many, T_x = T_y"
    """
    a, caches = _run(cell, x, parameters)  # a<t> for every t  (n_a, m, T_x)
    return a, predictions(a, parameters, *cell.output_keys), caches  # ŷ<t> = softmax(Wya a<t> + by)


class EncoderDecoderCaches(NamedTuple):
    """What the encoder–decoder's backward pass needs: one SequenceCache per network."""

    encoder: SequenceCache  # x<1> ... x<T_x> and a_encoder
    decoder: SequenceCache  # the decoder's inputs, a_decoder, a<0> = the encoder's a<T_x>


@checked(_check_encoder_decoder)
def encoder_decoder(x, encoder_parameters, decoder_parameters, T_y, cell="rnn"):
    """T_x inputs, T_y outputs: an encoder RNN reads x, a decoder RNN writes ŷ.

    The encoder reads x<1> ... x<T_x> and produces no output; its last state a<T_x> is the
    decoder's a<0>. The decoder reads the zero vector first, then its own previous output
    (one-hot of the argmax, as in one_to_many), and writes ŷ<1> ... ŷ<T_y>.

    Args:
        x: inputs, shape (n_x, m, T_x).
        encoder_parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1);
            an output layer, if present, is not used.
        decoder_parameters: dict with Wax (n_a, n_y), Waa (n_a, n_a), ba (n_a, 1),
            Wya (n_y, n_a), by (n_y, 1): its own weights, the same n_a.
        T_y: number of outputs, an integer ≥ 1.
        cell: "rnn" (default) or another registered cell, for both networks.
    Returns:
        a_encoder: the encoder's a<1> ... a<T_x>, shape (n_a, m, T_x).
        a_decoder: the decoder's a<1> ... a<T_y>, shape (n_a, m, T_y).
        y_pred: ŷ<1> ... ŷ<T_y>, shape (n_y, m, T_y).
        caches: EncoderDecoderCaches(encoder, decoder).

    Derived in notebooks/03_architectures.ipynb, "Many to many, T_x ≠ T_y: encoder and decoder"
    """
    a_encoder, encoder_caches = _run(cell, x, encoder_parameters)
    n_y = decoder_parameters[cell.output_keys[0]].shape[0]
    start = np.zeros((n_y, x.shape[1]))  # the decoder's x<1> = 0  (n_y, m)
    handover = tuple(encoder_caches.state(s)[:, :, -1] for s in cell.states)  # a<T_x> (and c<T_x>)
    a_decoder, y_pred, decoder_caches = _generate(cell, start, handover, decoder_parameters, T_y)
    return a_encoder, a_decoder, y_pred, EncoderDecoderCaches(encoder_caches, decoder_caches)


def _generate(cell, x1, initial, p, T_y):
    """Run the cell T_y steps from x<1> and the initial states, feeding one-hot(argmax ŷ<t>) in as x<t+1>.

    Shared by one_to_many and the decoder of encoder_decoder. Each input depends on the
    step before, so the driver runs one step at a time; once the inputs are known, it runs
    once more over all of them, for the SequenceCache of the backward pass.
    Returns (a (n_a, m, T_y), y_pred (n_y, m, T_y), the SequenceCache with the inputs read).
    """
    n_x, m = x1.shape
    x = np.empty((n_x, m, T_y))  # the inputs read  (n_x, m, T_y)
    xt, states = x1, tuple(initial)
    for t in range(T_y):
        x[:, :, t] = xt
        step = sequence_forward(cell, xt[:, :, None], states, p)  # one step: x<t>, a<t-1> → a<t>
        states = tuple(step.state(s)[:, :, 0] for s in cell.states)
        yt_pred = predictions(step.state(cell.hidden)[:, :, 0], p, *cell.output_keys)  # ŷ<t>  (n_y, m)
        xt = one_hot(np.argmax(yt_pred, axis=0)[:, None], n_x)[:, :, 0]  # x<t+1> = one-hot(argmax ŷ<t>)
    a, caches = _run(cell, x, p, initial)
    return a, predictions(a, p, *cell.output_keys), caches


# ---------------------------------------------------------------------------------------
# Gradients of two of them: the loss reaches the hidden states at different steps
# ---------------------------------------------------------------------------------------


def _check_many_to_one_gradients(x, y, parameters, cell="rnn", input_gradient=False):
    x, p, cell = _check_sequence(x, parameters, cell)
    n_y, m = p[cell.output_keys[0]].shape[0], x.shape[1]
    return x, _class_targets(y, n_y, m), p, cell, check_bool("input_gradient", input_gradient)


@checked(_check_many_to_one_gradients)
def many_to_one_gradients(x, y, parameters, cell="rnn", input_gradient=False):
    """The loss of many_to_one and its gradients: the loss reaches a<T_x> only.

    Args:
        x: inputs, shape (n_x, m, T_x).
        y: labels, integer indices (m,) into n_y, or one-hot (n_y, m).
        parameters: as for many_to_one.
        cell: "rnn" (default) or another registered cell.
        input_gradient: also return dx, the gradient reaching every input (not a
            parameter: an optimiser takes the dict without it, the default).
    Returns:
        J: the cross-entropy, summed over the m examples (a float), computed from the
            logits: a confident wrong answer costs what it costs, never a capped value.
        gradients: dict with dWax, dWaa, dba, dWya, dby (the shapes of the parameters),
            and dx (n_x, m, T_x) first with ``input_gradient=True``.
        da: the upstream gradient given to the backward pass, shape (n_a, m, T_x): zero at
            every step but the last, because only a<T_x> feeds the output.

    Derived in notebooks/03_architectures.ipynb, "Training the many-to-one classifier"
    """
    W, b = cell.output_keys
    a, caches = _run(cell, x, parameters)  # a<t> for every t  (n_a, m, T_x)
    z = output_layer_forward(a[:, :, -1:], parameters[W], parameters[b])  # z = Wya a<T_x> + by  (n_y, m, 1)
    J, dz = softmax_cross_entropy(z, y)  # dz = ŷ − y  (n_y, m, 1)
    dW, db, da_last = output_layer_backward(dz, a[:, :, -1:], parameters[W])  # da_last (n_a, m, 1)
    da = np.zeros_like(a)  # (n_a, m, T_x)
    da[:, :, -1] = da_last[:, :, 0]  # the loss sees a<T_x> only
    gradients = sequence_backward(da, caches, input_gradient)  # BPTT: rnn_backward's loop; a<0> = 0 is not learned
    inputs = {"dx": gradients["dx"]} if input_gradient else {}
    return J, {**inputs, **cell.only_parameter_gradients(gradients), "d" + W: dW, "d" + b: db}, da


def _check_encoder_decoder_gradients(x, y, encoder_parameters, decoder_parameters, cell="rnn"):
    x, encoder, decoder, _, cell = _check_encoder_decoder(x, encoder_parameters, decoder_parameters, 1, cell)
    if len(cell.states) > 1:
        # The decoder's ∂J/∂c<0> would have to enter the encoder's backward pass at its last
        # step, and the recurrent core's backward takes a gradient for the hidden state only.
        raise ValueError(
            f"cell must carry one state for encoder_decoder_gradients, got the {cell.name!r} cell with "
            f"states {cell.states}: the gradient reaching the decoder's {cell.states[1]}<0> has no way "
            f"into the encoder's backward pass yet"
        )
    n_y, m = decoder[cell.output_keys[0]].shape[0], x.shape[1]
    y_arr = np.asarray(y) if not isinstance(y, (str, bytes, type(None))) else None
    if y_arr is None or y_arr.ndim != 2 or y_arr.shape[0] != m or y_arr.shape[1] < 1 \
            or not np.issubdtype(y_arr.dtype, np.integer):
        shown = f"{y_arr.dtype} {y_arr.shape}" if y_arr is not None else type(y).__name__
        raise ValueError(f"y must be integer indices of shape (m, T_y) with m = {m}, got {shown}")
    if y_arr.min() < 0 or y_arr.max() >= n_y:
        raise ValueError(f"y must hold indices in [0, n_y={n_y})")
    return x, y_arr.astype(np.int64), encoder, decoder, cell


@checked(_check_encoder_decoder_gradients)
def encoder_decoder_gradients(x, y, encoder_parameters, decoder_parameters, cell="rnn"):
    """The encoder–decoder's loss with teacher forcing, and the gradients of both networks.

    In training the decoder reads the true previous output, x<t> = y<t-1> (with x<1> = 0),
    not its own guess: every step then learns from a correct history.

    Args:
        x: inputs, shape (n_x, m, T_x).
        y: targets, integer indices (m, T_y) into n_y.
        encoder_parameters, decoder_parameters: as for encoder_decoder.
        cell: "rnn" (default) or another registered cell, for both networks.
    Returns:
        J: the cross-entropy Σ_t L<t>, summed over the examples (a float), from the logits.
        encoder_gradients: dict with dWax, dWaa, dba of the encoder.
        decoder_gradients: dict with dWax, dWaa, dba, dWya, dby of the decoder.

    The decoder's ∂J/∂a<0> is the gradient reaching the encoder's a<T_x>: the encoder
    learns only through its last state. A cell with a second state (the LSTM's c) is
    refused: its ∂J/∂c<0> cannot yet be handed back to the encoder.
    Derived in notebooks/03_architectures.ipynb, "Training the encoder–decoder"
    """
    W, b = cell.output_keys
    m, n_y = x.shape[1], decoder_parameters[W].shape[0]
    a_encoder, encoder_caches = _run(cell, x, encoder_parameters)
    # Teacher forcing: x<1> = 0, then x<t> = y<t-1>  (n_y, m, T_y); index -1 is the zero column.
    x_decoder = one_hot(np.concatenate([np.full((m, 1), -1), y[:, :-1]], axis=1), n_y)
    handover = tuple(encoder_caches.state(s)[:, :, -1] for s in cell.states)  # the encoder's a<T_x>
    a_decoder, decoder_caches = _run(cell, x_decoder, decoder_parameters, handover)

    z = output_layer_forward(a_decoder, decoder_parameters[W], decoder_parameters[b])  # logits  (n_y, m, T_y)
    J, dz = softmax_cross_entropy(z, y)  # dz<t> = ŷ<t> − y<t>  (n_y, m, T_y)
    dW, db, da_decoder = output_layer_backward(dz, a_decoder, decoder_parameters[W])
    decoder_gradients = sequence_backward(da_decoder, decoder_caches, input_gradient=False)
    da_encoder = np.zeros_like(a_encoder)  # (n_a, m, T_x)
    da_encoder[:, :, -1] = decoder_gradients[f"d{cell.hidden}0"]  # the decoder's a<0> is the encoder's a<T_x>
    encoder_gradients = sequence_backward(da_encoder, encoder_caches, input_gradient=False)
    return (J, cell.only_parameter_gradients(encoder_gradients),
            {**cell.only_parameter_gradients(decoder_gradients), "d" + W: dW, "d" + b: db})


def _class_targets(y, n_y, m):
    """Labels for softmax_cross_entropy: indices (m, 1) from (m,), or one-hot (n_y, m, 1) from (n_y, m)."""
    if y is None or isinstance(y, (str, bytes)):
        raise ValueError(f"y must be integer indices (m,) = ({m},) or one-hot (n_y, m) = ({n_y}, {m}), got {y!r}")
    arr = np.asarray(y)
    if arr.shape == (m,) and np.issubdtype(arr.dtype, np.integer):
        if arr.min() < 0 or arr.max() >= n_y:
            raise ValueError(f"y must hold indices in [0, n_y={n_y})")
        return arr.astype(np.int64)[:, None]  # (m, 1): one label per example, at the one output step
    if arr.shape == (n_y, m) and arr.dtype.kind in "iuf":
        return as_float_array("y", arr)[:, :, None]  # (n_y, m, 1); softmax_cross_entropy checks it is one-hot
    raise ValueError(
        f"y must be integer indices (m,) = ({m},) or one-hot (n_y, m) = ({n_y}, {m}), got {arr.dtype} {arr.shape}"
    )
