"""The five shapes of a recurrent network, each a small model built from course_lib.rnn.

    one to one        T_x = T_y = 1        a standard network
    one to many       T_x = 1              generation: ŷ<t> is fed back as x<t+1>
    many to one       T_y = 1              one label for the whole sequence, from a<T_x>
    many to many      T_y = T_x            one output per input (the name tagger)
    encoder–decoder   T_x, T_y any         the encoder's a<T_x> starts the decoder

Every model starts from a<0> = 0 and uses the same cell, a<t> = tanh(Waa a<t-1> + Wax x<t> + ba),
ŷ<t> = softmax(Wya a<t> + by); they differ only in which steps read an input and which
steps produce an output. Shapes: x (n_x, m, T_x), a (n_a, m, T), y_pred (n_y, m, T_y).
Derived in notebooks/03_architectures.ipynb.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from course_lib._validate import as_float_array, check_positive_int, require_keys
from course_lib.activations import softmax
from course_lib.data import one_hot
from course_lib.losses import output_layer_backward, softmax_cross_entropy
from course_lib.rnn import RNNCaches, rnn_backward, rnn_cell_forward, rnn_forward

__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "EncoderDecoderCaches",
    "architecture_shapes",
    "check_lengths",
    "fit_lengths",
    "one_to_one",
    "one_to_many",
    "many_to_one",
    "many_to_many",
    "encoder_decoder",
    "many_to_one_gradients",
    "encoder_decoder_gradients",
]

CELL_KEYS = ("Wax", "Waa", "ba")
OUTPUT_KEYS = ("Wya", "by")


@dataclass(frozen=True)
class Architecture:
    """One of the five shapes: its name, what it is used for, and its length rules.

    Attributes:
        name: the key in ARCHITECTURES and the name of the model function.
        label: how the course writes it, with its Chinese name.
        example: a task of that shape.
        T_x, T_y: "1" (fixed to one step), "any", or "T_x" (T_y tied to T_x).
        arrays: every array of the model → its shape in the course's letters.
    """

    name: str
    label: str
    example: str
    T_x: str
    T_y: str
    arrays: dict


def _cell_arrays(prefix="parameters", n_x="n_x"):
    return {
        f'{prefix}["Wax"]': ("n_a", n_x),
        f'{prefix}["Waa"]': ("n_a", "n_a"),
        f'{prefix}["ba"]': ("n_a", 1),
    }


def _output_arrays(prefix="parameters"):
    return {f'{prefix}["Wya"]': ("n_y", "n_a"), f'{prefix}["by"]': ("n_y", 1)}


ARCHITECTURES = {
    arch.name: arch
    for arch in (
        Architecture(
            "one_to_one", "one to one (一对一)", "a standard network, e.g. image classification",
            T_x="1", T_y="1",
            arrays={"x": ("n_x", "m", "T_x"), "a": ("n_a", "m", "T_x"), "y_pred": ("n_y", "m", "T_y"),
                    **_cell_arrays(), **_output_arrays()},
        ),
        Architecture(
            "one_to_many", "one to many (一对多)", "generation, e.g. music generation",
            T_x="1", T_y="any",
            # the cell reads x<1>, then its own outputs: n_y = n_x
            arrays={"x": ("n_x", "m", "T_x"), "caches.x": ("n_x", "m", "T_y"),
                    "a": ("n_a", "m", "T_y"), "y_pred": ("n_y", "m", "T_y"),
                    **_cell_arrays(), **_output_arrays()},
        ),
        Architecture(
            "many_to_one", "many to one (多对一)", "sentence classification, e.g. sentiment classification",
            T_x="any", T_y="1",
            arrays={"x": ("n_x", "m", "T_x"), "a": ("n_a", "m", "T_x"), "y_pred": ("n_y", "m", "T_y"),
                    **_cell_arrays(), **_output_arrays()},
        ),
        Architecture(
            "many_to_many", "many to many, T_x = T_y (多对多)", "one label per input, e.g. name tagging",
            T_x="any", T_y="T_x",
            arrays={"x": ("n_x", "m", "T_x"), "a": ("n_a", "m", "T_x"), "y_pred": ("n_y", "m", "T_y"),
                    **_cell_arrays(), **_output_arrays()},
        ),
        Architecture(
            "encoder_decoder", "many to many, T_x ≠ T_y (encoder–decoder)",
            "sequence to sequence, e.g. machine translation",
            T_x="any", T_y="any",
            arrays={"x": ("n_x", "m", "T_x"), "a_encoder": ("n_a", "m", "T_x"),
                    "caches.decoder.x": ("n_y", "m", "T_y"), "a_decoder": ("n_a", "m", "T_y"),
                    "y_pred": ("n_y", "m", "T_y"),
                    **_cell_arrays("encoder_parameters"),
                    **_cell_arrays("decoder_parameters", n_x="n_y"),
                    **_output_arrays("decoder_parameters")},
        ),
    )
}


def _architecture(name):
    if name not in ARCHITECTURES:
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


def architecture_shapes(name, n_x, n_a, n_y, m, T_x, T_y):
    """The shape of every array of one architecture, for given sizes.

    Args:
        name: a key of ARCHITECTURES ("one_to_one", ..., "encoder_decoder").
        n_x, n_a, n_y, m, T_x, T_y: the sizes, integers ≥ 1. They must obey the
            architecture's rules: T_x = 1 for one to one and one to many, T_y = 1 for
            one to one and many to one, T_y = T_x for many to many, and n_y = n_x for
            one to many (its outputs become its inputs).
    Returns:
        dict array name → shape tuple, in the order of ARCHITECTURES[name].arrays
        (e.g. "x" → (n_x, m, T_x), 'parameters["Wax"]' → (n_a, n_x)).

    Derived in notebooks/03_architectures.ipynb, "All five side by side"
    """
    sizes = {k: check_positive_int(k, v) for k, v in
             dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x, T_y=T_y).items()}
    check_lengths(name, T_x, T_y)
    if name == "one_to_many" and n_y != n_x:
        raise ValueError(f"n_y must equal n_x = {n_x} for one_to_many (ŷ<t> is fed back as x<t+1>), got {n_y}")
    arrays = ARCHITECTURES[name].arrays
    return {array: tuple(sizes.get(d, d) for d in letters) for array, letters in arrays.items()}


# ---------------------------------------------------------------------------------------
# The five models
# ---------------------------------------------------------------------------------------


def one_to_one(x, parameters):
    """One input, one output: with a<0> = 0 the RNN cell is a standard one-hidden-layer network.

    Args:
        x: x<1>, shape (n_x, m, 1) (T_x = 1).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
    Returns:
        a: a<1>, shape (n_a, m, 1).
        y_pred: ŷ<1>, shape (n_y, m, 1).
        caches: the RNNCaches of rnn_forward.

    Waa multiplies a<0> = 0: it takes no part, a<1> = tanh(Wax x<1> + ba).
    Derived in notebooks/03_architectures.ipynb, "One to one"
    """
    x = _sequence("x", x)
    if x.shape[2] != 1:
        raise ValueError(f"x must have T_x = 1 for one_to_one, shape (n_x, m, 1), got {x.shape}")
    p = _parameters("parameters", parameters)
    return rnn_forward(x, np.zeros((p["Waa"].shape[0], x.shape[1])), p)


def one_to_many(x, parameters, T_y):
    """One input, T_y outputs: each output is fed back as the next input (generation).

    Args:
        x: x<1>, shape (n_x, m, 1) (T_x = 1); zeros are the usual start.
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1),
            Wya (n_y, n_a), by (n_y, 1), and n_y = n_x (the outputs become inputs).
        T_y: number of outputs, an integer ≥ 1.
    Returns:
        a: a<1> ... a<T_y>, shape (n_a, m, T_y).
        y_pred: ŷ<1> ... ŷ<T_y>, shape (n_y, m, T_y).
        caches: RNNCaches for rnn_backward; caches.x (n_x, m, T_y) holds the inputs the
            cell read: x<1>, then x<t+1> = one-hot(argmax ŷ<t>).

    What is fed back is the one-hot vector of the most likely token (greedy), not the
    distribution ŷ<t>: in training the network reads one-hot tokens, so a one-hot input
    is what it knows; a blurred distribution is an input it has never seen. Notebook 04
    draws the token at random from ŷ<t> instead of taking the argmax, for variety.
    Derived in notebooks/03_architectures.ipynb, "One to many"
    """
    x = _sequence("x", x)
    if x.shape[2] != 1:
        raise ValueError(f"x must have T_x = 1 for one_to_many, shape (n_x, m, 1), got {x.shape}")
    p = _parameters("parameters", parameters)
    _check_feedback("parameters", p)
    T_y = check_positive_int("T_y", T_y)
    a0 = np.zeros((p["Waa"].shape[0], x.shape[1]))  # (n_a, m)
    return _generate(x[:, :, 0], a0, p, T_y)


def many_to_one(x, parameters):
    """T_x inputs, one output: ŷ comes from the last hidden state a<T_x> only.

    Args:
        x: inputs, shape (n_x, m, T_x).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
    Returns:
        a: a<1> ... a<T_x>, shape (n_a, m, T_x).
        y_pred: ŷ = softmax(Wya a<T_x> + by), shape (n_y, m, 1).
        caches: the RNNCaches of rnn_forward.

    Derived in notebooks/03_architectures.ipynb, "Many to one"
    """
    x = _sequence("x", x)
    p = _parameters("parameters", parameters)
    cell = {k: p[k] for k in CELL_KEYS}  # without Wya, by: no ŷ<t> at the other steps
    a, _, caches = rnn_forward(x, np.zeros((p["Waa"].shape[0], x.shape[1])), cell)
    y_pred = softmax(p["Wya"] @ a[:, :, -1] + p["by"])  # ŷ = softmax(Wya a<T_x> + by)  (n_y, m)
    return a, y_pred[:, :, None], caches


def many_to_many(x, parameters):
    """T_x inputs, T_y = T_x outputs: one ŷ<t> for every x<t> (the name tagger).

    Args:
        x: inputs, shape (n_x, m, T_x).
        parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
    Returns:
        a: a<1> ... a<T_x>, shape (n_a, m, T_x).
        y_pred: ŷ<1> ... ŷ<T_x>, shape (n_y, m, T_x).
        caches: the RNNCaches of rnn_forward.

    This is rnn_forward itself, started from a<0> = 0.
    Derived in notebooks/03_architectures.ipynb, "Many to many, T_x = T_y"
    """
    x = _sequence("x", x)
    p = _parameters("parameters", parameters)
    return rnn_forward(x, np.zeros((p["Waa"].shape[0], x.shape[1])), p)


class EncoderDecoderCaches(NamedTuple):
    """What the encoder–decoder's backward pass needs: one RNNCaches per network."""

    encoder: RNNCaches  # x<1> ... x<T_x> and a_encoder
    decoder: RNNCaches  # the decoder's inputs, a_decoder, a<0> = the encoder's a<T_x>


def encoder_decoder(x, encoder_parameters, decoder_parameters, T_y):
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
    Returns:
        a_encoder: the encoder's a<1> ... a<T_x>, shape (n_a, m, T_x).
        a_decoder: the decoder's a<1> ... a<T_y>, shape (n_a, m, T_y).
        y_pred: ŷ<1> ... ŷ<T_y>, shape (n_y, m, T_y).
        caches: EncoderDecoderCaches(encoder, decoder).

    Derived in notebooks/03_architectures.ipynb, "Many to many, T_x ≠ T_y: encoder and decoder"
    """
    x = _sequence("x", x)
    require_keys("encoder_parameters", encoder_parameters, CELL_KEYS)
    encoder = {k: as_float_array(f'encoder_parameters["{k}"]', encoder_parameters[k]) for k in CELL_KEYS}
    decoder = _parameters("decoder_parameters", decoder_parameters)
    _check_decoder(encoder, decoder)
    T_y = check_positive_int("T_y", T_y)

    a_encoder, _, encoder_caches = rnn_forward(x, np.zeros((encoder["Waa"].shape[0], x.shape[1])), encoder)
    n_y = decoder["Wya"].shape[0]
    start = np.zeros((n_y, x.shape[1]))  # the decoder's x<1> = 0  (n_y, m)
    a_decoder, y_pred, decoder_caches = _generate(start, a_encoder[:, :, -1], decoder, T_y)
    return a_encoder, a_decoder, y_pred, EncoderDecoderCaches(encoder_caches, decoder_caches)


def _generate(x1, a0, p, T_y):
    """Run the cell T_y steps from x<1> and a<0>, feeding one-hot(argmax ŷ<t>) in as x<t+1>.

    Shared by one_to_many and the decoder of encoder_decoder.
    Returns (a (n_a, m, T_y), y_pred (n_y, m, T_y), RNNCaches with the inputs read).
    """
    n_a, n_x = p["Wax"].shape
    m = x1.shape[1]
    x = np.empty((n_x, m, T_y))  # the inputs read  (n_x, m, T_y)
    a = np.empty((n_a, m, T_y))
    y_pred = np.empty((p["Wya"].shape[0], m, T_y))
    xt, a_prev = x1, a0
    for t in range(T_y):
        a_prev, yt_pred, _ = rnn_cell_forward(xt, a_prev, p)
        x[:, :, t], a[:, :, t], y_pred[:, :, t] = xt, a_prev, yt_pred
        xt = one_hot(np.argmax(yt_pred, axis=0)[:, None], n_x)[:, :, 0]  # x<t+1> = one-hot(argmax ŷ<t>)
    return a, y_pred, RNNCaches(a, a0, x, p, "tanh")


# ---------------------------------------------------------------------------------------
# Gradients of two of them: the loss reaches the hidden states at different steps
# ---------------------------------------------------------------------------------------


def many_to_one_gradients(x, y, parameters):
    """The loss of many_to_one and its gradients: the loss reaches a<T_x> only.

    Args:
        x: inputs, shape (n_x, m, T_x).
        y: labels, integer indices (m,) into n_y, or one-hot (n_y, m).
        parameters: as for many_to_one.
    Returns:
        J: the cross-entropy, summed over the m examples (a float).
        gradients: dict with dWax, dWaa, dba, dWya, dby (the shapes of the parameters)
            and dx (n_x, m, T_x).
        da: the upstream gradient given to rnn_backward, shape (n_a, m, T_x): zero at
            every step but the last, because only a<T_x> feeds the output.

    Derived in notebooks/03_architectures.ipynb, "Training the many-to-one classifier"
    """
    a, y_pred, caches = many_to_one(x, parameters)
    J, dz = softmax_cross_entropy(y_pred, _targets("y", y, y_pred.shape[0], a.shape[1]))  # dz (n_y, m, 1)
    Wya = as_float_array('parameters["Wya"]', parameters["Wya"])
    dWya, dby, da_last = output_layer_backward(dz, a[:, :, -1:], Wya)  # da_last (n_a, m, 1)
    da = np.zeros_like(a)  # (n_a, m, T_x)
    da[:, :, -1] = da_last[:, :, 0]  # the loss sees a<T_x> only
    gradients = rnn_backward(da, caches)
    del gradients["da0"]  # a<0> = 0 is not learned
    return J, {**gradients, "dWya": dWya, "dby": dby}, da


def encoder_decoder_gradients(x, y, encoder_parameters, decoder_parameters):
    """The encoder–decoder's loss with teacher forcing, and the gradients of both networks.

    In training the decoder reads the true previous output, x<t> = y<t-1> (with x<1> = 0),
    not its own guess: every step then learns from a correct history.

    Args:
        x: inputs, shape (n_x, m, T_x).
        y: targets, integer indices (m, T_y) into n_y.
        encoder_parameters, decoder_parameters: as for encoder_decoder.
    Returns:
        J: the cross-entropy Σ_t L<t>, summed over the examples (a float).
        encoder_gradients: dict with dWax, dWaa, dba of the encoder.
        decoder_gradients: dict with dWax, dWaa, dba, dWya, dby of the decoder.

    The decoder's ∂J/∂a<0> is the gradient reaching the encoder's a<T_x>: the encoder
    learns only through its last state.
    Derived in notebooks/03_architectures.ipynb, "Training the encoder–decoder"
    """
    x = _sequence("x", x)
    require_keys("encoder_parameters", encoder_parameters, CELL_KEYS)
    encoder = {k: as_float_array(f'encoder_parameters["{k}"]', encoder_parameters[k]) for k in CELL_KEYS}
    decoder = _parameters("decoder_parameters", decoder_parameters)
    _check_decoder(encoder, decoder)
    n_y = decoder["Wya"].shape[0]
    y = np.asarray(y)
    if y.ndim != 2 or y.shape[0] != x.shape[1] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integer indices of shape (m, T_y) with m = {x.shape[1]}, got {y.dtype} {y.shape}")
    if y.min() < 0 or y.max() >= n_y:
        raise ValueError(f"y must hold indices in [0, n_y={n_y})")

    m = x.shape[1]
    a_encoder, _, encoder_caches = rnn_forward(x, np.zeros((encoder["Waa"].shape[0], m)), encoder)
    # Teacher forcing: x<1> = 0, then x<t> = y<t-1>  (n_y, m, T_y); index -1 is the zero column.
    x_decoder = one_hot(np.concatenate([np.full((m, 1), -1), y[:, :-1]], axis=1), n_y)
    a_decoder, y_pred, decoder_caches = rnn_forward(x_decoder, a_encoder[:, :, -1], decoder)

    J, dz = softmax_cross_entropy(y_pred, y)  # dz<t> = ŷ<t> − y<t>  (n_y, m, T_y)
    dWya, dby, da_decoder = output_layer_backward(dz, a_decoder, decoder["Wya"])
    decoder_gradients = rnn_backward(da_decoder, decoder_caches)
    da_encoder = np.zeros_like(a_encoder)  # (n_a, m, T_x)
    da_encoder[:, :, -1] = decoder_gradients["da0"]  # the decoder's a<0> is the encoder's a<T_x>
    encoder_gradients = rnn_backward(da_encoder, encoder_caches)
    keep = ("dWax", "dWaa", "dba")
    return (J, {k: encoder_gradients[k] for k in keep},
            {**{k: decoder_gradients[k] for k in keep}, "dWya": dWya, "dby": dby})


# ---------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------


def _sequence(name, x):
    """x as a float64 array of shape (n_x, m, T_x)."""
    x = as_float_array(name, x)
    if x.ndim != 3:
        raise ValueError(f"{name} must have shape (n_x, m, T_x), got shape {x.shape}")
    return x


def _parameters(name, parameters):
    """A new dict of the cell and output-layer parameters as float64 arrays."""
    require_keys(name, parameters, CELL_KEYS + OUTPUT_KEYS)
    return {k: as_float_array(f'{name}["{k}"]', parameters[k]) for k in CELL_KEYS + OUTPUT_KEYS}


def _check_feedback(name, p):
    """Feeding ŷ<t> back as x<t+1> needs as many outputs as inputs."""
    n_x, n_y = p["Wax"].shape[1], p["Wya"].shape[0]
    if n_x != n_y:
        raise ValueError(
            f'{name} must have n_y = n_x to feed ŷ<t> back as x<t+1>: {name}["Wax"] has '
            f'n_x = {n_x}, {name}["Wya"] has n_y = {n_y}'
        )


def _check_decoder(encoder, decoder):
    """The decoder starts from the encoder's a<T_x> (same n_a) and reads its own outputs."""
    _check_feedback("decoder_parameters", decoder)
    n_a, n_a_decoder = encoder["Waa"].shape[0], decoder["Waa"].shape[0]
    if n_a != n_a_decoder:
        raise ValueError(
            f'decoder_parameters["Waa"] must have shape (n_a, n_a) = ({n_a}, {n_a}) like the '
            f"encoder's, whose a<T_x> is the decoder's a<0>; got n_a = {n_a_decoder}"
        )


def _targets(name, y, n_y, m):
    """Labels as one-hot (n_y, m, 1) from indices (m,) or one-hot (n_y, m)."""
    y = np.asarray(y)
    if y.shape == (m,) and np.issubdtype(y.dtype, np.integer):
        if y.min() < 0 or y.max() >= n_y:
            raise ValueError(f"{name} must hold indices in [0, n_y={n_y})")
        return one_hot(y[:, None], n_y)
    if y.shape == (n_y, m):
        return as_float_array(name, y)[:, :, None]
    raise ValueError(f"{name} must be integer indices (m,) = ({m},) or one-hot (n_y, m) = ({n_y}, {m}), got {y.shape}")
