"""Truncated backpropagation through time (截断的BPTT): a language model on a text longer
than anything it can unroll at once.

Derived in notebooks/04b_language_models_in_practice.ipynb, "Truncated BPTT".

The text is one long stream of tokens (every sentence or poem with its <EOS>). It is cut
into m parallel streams, read side by side in chunks of T_x tokens, as d2l's sequential
partitioning, CS231n's captioning RNN and min-char-rnn do:

    stream i, chunk j:   x = its tokens j·T_x ... (j+1)·T_x − 1,   y = the same shifted by one
    forward              h<0> of chunk j = h<T_x> of chunk j − 1      (the state is carried)
    backward             BPTT inside the chunk only: nothing flows into h<0>   (the truncation)

so an update costs T_x steps however long the text, while the state still carries what
came before the chunk. A dependency longer than T_x can be *used* (the state carries it
forward) but not *learned* through the gradient, which never reaches further back than
the chunk's start. After <EOS> the model reads x = 0, as at the start of every sentence
(``lm.teacher_forcing_inputs``), so the models trained here sample with ``lm.sample``.
"""

from typing import NamedTuple

import numpy as np

from course_lib._validate import as_generator, check_positive_float, check_positive_int, checked
from course_lib.data.vocab import EOS, Vocabulary
from course_lib.lm import check_lm_parameters, chunk_loss_and_gradients, mean_token_loss
from course_lib.recurrent import get_cell
from course_lib.train import train_model

__all__ = ["Chunk", "stream_chunks", "text_stream", "train_truncated"]


def _check_sentences(name, sentences):
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences \
            or not all(isinstance(s, str) and s.strip() for s in sentences):
        raise ValueError(f"{name} must be a non-empty list of non-empty str (sentences, poems ...)")
    return list(sentences)


def _check_stream(sentences, vocabulary):
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    return _check_sentences("sentences", sentences), vocabulary


@checked(_check_stream)
def text_stream(sentences, vocabulary):
    """The sentences as one stream: the tokens y and the inputs x that read them.

    Args:
        sentences: list of str (sentences, poems ...), in the order they are read.
        vocabulary: the Vocabulary that encodes them.
    Returns:
        x, y: int (N,) each; y is every sentence's tokens followed by <EOS>, one after the
        other; x<t> = y<t-1>, except −1 (x = 0) at the very start and after each <EOS>.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Truncated BPTT"
    """
    y = np.array([i for s in sentences for i in vocabulary.encode(s, add_eos=True)], dtype=np.int64)
    x = np.empty_like(y)
    x[0] = -1
    x[1:] = y[:-1]  # x<t> = y<t-1>
    x[1:][y[:-1] == vocabulary.index(EOS)] = -1  # a new sentence starts from x = 0
    return x, y


class Chunk(NamedTuple):
    """One chunk of m streams: the inputs, the targets, and whether it starts a pass over
    the text (the state is then reset to 0)."""

    x: np.ndarray  # int (m, T_x): the tokens read, −1 for x = 0
    y: np.ndarray  # int (m, T_x): the tokens to predict
    first: bool


def _check_chunks(x, y, batch_size, chunk_length, rng):
    x, y = (np.asarray(v) for v in (x, y))
    if x.ndim != 1 or y.shape != x.shape or x.dtype.kind not in "iu" or y.dtype.kind not in "iu":
        raise ValueError(f"x and y must be the int (N,) arrays of text_stream, got shapes {x.shape}, {y.shape}")
    batch_size = check_positive_int("batch_size", batch_size)
    chunk_length = check_positive_int("chunk_length", chunk_length)
    if len(y) < batch_size * chunk_length + chunk_length:
        raise ValueError(f"the text is too short for batch_size × chunk_length = {batch_size} × {chunk_length}: it has "
                         f"{len(y)} tokens, at least {batch_size * chunk_length + chunk_length} are needed")
    return x, y, batch_size, chunk_length, as_generator("rng", rng)


@checked(_check_chunks)
def stream_chunks(x, y, batch_size, chunk_length, rng):
    """Endless passes over a text stream, in chunks read side by side by m streams.

    Args:
        x, y: the int (N,) arrays of ``text_stream``.
        batch_size: m, the streams read side by side (int ≥ 1).
        chunk_length: T_x, the tokens of each stream in one chunk (int ≥ 1).
        rng: int seed or np.random.Generator: each pass starts at a random offset in
            [0, T_x), so the chunk boundaries fall at different places from pass to pass.
    Yields:
        Chunk(x (m, T_x), y (m, T_x), first): stream i of chunk j continues exactly where
        stream i of chunk j − 1 stopped; ``first`` is True for the first chunk of a pass.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Truncated BPTT"
    """
    m, T = batch_size, chunk_length
    while True:
        offset = int(rng.integers(T))
        per_stream = (len(y) - offset) // m // T * T  # whole chunks only
        xs = x[offset:offset + m * per_stream].reshape(m, per_stream)  # stream i: a contiguous stretch
        ys = y[offset:offset + m * per_stream].reshape(m, per_stream)
        for j in range(0, per_stream, T):
            yield Chunk(xs[:, j:j + T], ys[:, j:j + T], j == 0)


def _check_train(sentences, vocabulary, n_a, rng, chunk_length=25, batch_size=16, steps=1000, optimizer="adam",
                 learning_rate=0.005, clip=("norm", 5.0), init_scale=0.1, held_out=None, held_out_every=None,
                 progress=True, cell="rnn", parameters=None):
    sentences, vocabulary = _check_stream(sentences, vocabulary)
    cell = get_cell(cell)
    if parameters is not None:
        parameters = check_lm_parameters(parameters, vocabulary, cell)
    return (sentences, vocabulary, check_positive_int("n_a", n_a), as_generator("rng", rng),
            check_positive_int("chunk_length", chunk_length), check_positive_int("batch_size", batch_size),
            check_positive_int("steps", steps), optimizer, learning_rate, clip,
            check_positive_float("init_scale", init_scale),
            None if held_out is None else _check_sentences("held_out", held_out), held_out_every, progress, cell,
            parameters)


@checked(_check_train)
def train_truncated(sentences, vocabulary, n_a, rng, chunk_length=25, batch_size=16, steps=1000, optimizer="adam",
                    learning_rate=0.005, clip=("norm", 5.0), init_scale=0.1, held_out=None, held_out_every=None,
                    progress=True, cell="rnn", parameters=None):
    """Train a language model on a long text with truncated BPTT.

    Args:
        sentences: list of str, read as one stream (``text_stream``).
        vocabulary: Vocabulary (n_y tokens).
        n_a: hidden-state size.
        rng: int seed or np.random.Generator: the initial weights, then the passes' offsets.
        chunk_length: T_x, the steps BPTT unrolls (int ≥ 1).
        batch_size: m, the streams read side by side.
        steps: updates; optimizer, learning_rate, clip: as for ``train.train_model``.
        init_scale: standard deviation of the initial weights.
        held_out: None, or a list of str the updates never see: their mean loss per
            token (each read from h<0> = 0, as ``lm.mean_token_loss``) is measured while
            training (``held_out_every`` updates apart, default steps // 20).
        progress: show a progress bar.
        cell: "rnn" or another registered cell.
        parameters: start from these instead of a fresh initialisation.
    Returns:
        TrainingResult of ``train.train_model`` (losses per update in nats per token,
        held_out_steps, held_out_losses, seconds without the held-out measurements), its
        config with the chunk length.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Truncated BPTT"
    """
    n_y = len(vocabulary)
    if parameters is None:
        parameters = cell.initialize(n_y, n_a, n_y, rng, init_scale)
    x, y = text_stream.unchecked(sentences, vocabulary)
    chunks = stream_chunks(x, y, batch_size, chunk_length, rng)
    state = [None]  # the states where the last chunk ended

    def loss_and_gradients(parameters, chunk):
        x_chunk, y_chunk, first = chunk
        initial = None if first else state[0]  # a new pass starts from h<0> = 0
        J, gradients, state[0] = chunk_loss_and_gradients.unchecked(parameters, x_chunk, y_chunk, initial, cell)
        return J, gradients, y_chunk.size

    held_out_loss = None
    if held_out is not None:
        def held_out_loss(parameters):
            return mean_token_loss.unchecked(parameters, vocabulary, held_out, 256, cell)

    result = train_model(loss_and_gradients, parameters, chunks, steps, optimizer=optimizer,
                         learning_rate=learning_rate, clip=clip, progress=progress, held_out=held_out_loss,
                         held_out_every=held_out_every, description=f"truncated BPTT, T_x = {chunk_length}")
    result.config.update(n_a=n_a, batch_size=batch_size, chunk_length=chunk_length, init_scale=init_scale,
                         cell=cell.name)
    return result
