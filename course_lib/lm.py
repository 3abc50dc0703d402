"""The RNN language model: its loss and gradients, sentence probabilities, sampling.

Seed sections 3 and 4. A sentence y<1> ... y<T_y> (its last token <EOS>) is read with
teacher forcing:

    x<1> = 0,  x<t> = y<t-1>                      (the true previous token, one-hot)
    a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)       (a<0> = 0)
    ŷ<t> = softmax(Wya a<t> + by)                 ŷ<t>_i = P(y<t> = i | y<1> ... y<t-1>)
    L<t> = −log ŷ<t>[y<t>],   J = Σ_t L<t>       (summed over the batch too)
    P(y<1> ... y<T_y>) = Π_t ŷ<t>[y<t>]           (the chain rule)

Inputs and outputs share one vocabulary, so n_x = n_y. Parameters are the RNN's:
Wax (n_a, n_y), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
"""

import math
from dataclasses import dataclass

import numpy as np

from course_lib._validate import as_generator, check_positive_float, check_positive_int, require_keys
from course_lib.activations import log_softmax, softmax, softmax_with_temperature
from course_lib.data.vocab import EOS, Vocabulary, encode_batch, one_hot, tokenize
from course_lib.losses import output_layer_backward, output_layer_forward, softmax_cross_entropy
from course_lib.rnn import rnn_backward, rnn_cell_forward, rnn_forward

__all__ = [
    "AgreementScores",
    "SampleResult",
    "TokenProbabilities",
    "agreement_scores",
    "conditional_probabilities",
    "lm_loss_and_gradients",
    "lm_step",
    "mean_token_loss",
    "next_token_distribution",
    "sample",
    "sequence_log_probability",
    "softmax_with_temperature",
    "teacher_forcing_inputs",
]

LM_KEYS = ("Wax", "Waa", "ba", "Wya", "by")


# ---------------------------------------------------------------------------------------
# Checks and small helpers
# ---------------------------------------------------------------------------------------


def _check_parameters(parameters, vocabulary=None):
    """The language model's parameters as float64 arrays; n_x must equal n_y (one vocabulary)."""
    require_keys("parameters", parameters, LM_KEYS)
    p = {k: np.asarray(parameters[k], dtype=np.float64) for k in LM_KEYS}
    if p["Wax"].ndim != 2:
        raise ValueError(f'parameters["Wax"] must have shape (n_a, n_x), got {p["Wax"].shape}')
    n_x = p["Wax"].shape[1]
    n_y = p["Wya"].shape[0] if p["Wya"].ndim == 2 else None
    if n_y != n_x:
        raise ValueError(
            f'parameters["Wya"] must have shape (n_y, n_a) with n_y = n_x = {n_x} '
            f"(inputs and outputs share the vocabulary), got {p['Wya'].shape}"
        )
    if vocabulary is not None:
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        if len(vocabulary) != n_y:
            raise ValueError(f"vocabulary must have n_y = {n_y} tokens (the model's size), got {len(vocabulary)}")
    return p


def _check_indices(batch_indices, mask, n_y):
    """Token indices (m, T_x) (−1 = padding) and the mask of real tokens (m, T_x)."""
    indices = np.asarray(batch_indices)
    if indices.ndim != 2 or not np.issubdtype(indices.dtype, np.integer) or indices.size == 0:
        raise ValueError(f"batch_indices must be a non-empty integer array of shape (m, T_x), got {indices.dtype} {indices.shape}")
    if indices.min() < -1 or indices.max() >= n_y:
        raise ValueError(f"batch_indices must lie in [0, n_y={n_y}) or be -1 (padding)")
    if mask is None:
        mask = indices >= 0
    mask = np.asarray(mask)
    if mask.shape != indices.shape:
        raise ValueError(f"mask must have shape (m, T_x) = {indices.shape}, got {mask.shape}")
    mask = mask.astype(bool)
    if np.any(mask & (indices < 0)):
        raise ValueError("mask marks a padded position (index -1) as a real token")
    return indices, mask


def teacher_forcing_inputs(batch_indices):
    """The input indices for teacher forcing: x<1> = 0 (index −1), x<t> = y<t-1>.

    Args:
        batch_indices: int (m, T_x), the target tokens y<1> ... y<T_x>, −1 = padding.
    Returns:
        int (m, T_x): the same row shifted right by one, −1 in front (a zero vector once
        one-hot encoded by ``one_hot``).
    """
    indices = np.asarray(batch_indices)
    x_indices = np.full_like(indices, -1)
    x_indices[:, 1:] = indices[:, :-1]
    return x_indices


def _cell(p):
    """The recurrent part of the parameters (no output layer): rnn_forward then skips ŷ."""
    return {k: p[k] for k in ("Wax", "Waa", "ba")}


def _logits(p, a):
    """Wya a<t> + by for every step at once: a (n_a, m, T_x) → (n_y, m, T_x)."""
    return output_layer_forward(a, p["Wya"], p["by"])


# ---------------------------------------------------------------------------------------
# Loss and gradients (training)
# ---------------------------------------------------------------------------------------


def lm_loss_and_gradients(parameters, batch_indices, mask=None):
    """Cross-entropy of a batch of sentences and its gradient for every parameter.

    Args:
        parameters: Wax (n_a, n_y), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        batch_indices: int (m, T_x), the tokens y<t> of m sentences, each ending in
            <EOS> (index 1), −1 after a sentence's end (padding).
        mask: bool (m, T_x), True at real tokens; by default ``batch_indices >= 0``.
    Returns:
        J: the loss Σ_i Σ_t L<t>(i) over the real tokens (a float; natural log).
        gradients: dWax, dWaa, dba, dWya, dby, shaped like the parameters.

    The forward pass runs the RNN on x<t> = y<t-1>; the output layer's gradient dz<t> =
    ŷ<t> − y<t> (zero at padding, so padding sends nothing back) gives dWya, dby and the
    gradient reaching every a<t>, which BPTT carries back to Wax, Waa, ba.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    p = _check_parameters(parameters)
    n_y = p["Wya"].shape[0]
    indices, mask = _check_indices(batch_indices, mask, n_y)
    m = indices.shape[0]

    x = one_hot(teacher_forcing_inputs(indices), n_y)  # x<1> = 0, x<t> = y<t-1>  (n_x, m, T_x)
    a0 = np.zeros((p["Waa"].shape[0], m))  # a<0> = 0  (n_a, m)
    a, _, caches = rnn_forward(x, a0, _cell(p))  # (n_a, m, T_x)
    z = _logits(p, a)  # z<t> = Wya a<t> + by, ŷ<t> = softmax(z<t>)  (n_y, m, T_x)
    # The targets y<t> as indices (the one-hot y<t> is never built); 0 at padding.
    J, dz = softmax_cross_entropy(z, indices, mask)  # dz<t> = ŷ<t> − y<t>, 0 at padding
    dWya, dby, da = output_layer_backward(dz, a, p["Wya"])  # da: (n_a, m, T_x)
    grads = rnn_backward(da, caches, input_gradient=False)  # the inputs are data: no dx
    gradients = {k: grads[k] for k in ("dWax", "dWaa", "dba")}
    gradients.update(dWya=dWya, dby=dby)
    return float(J), gradients


def _log_probabilities(p, indices):
    """log ŷ<t> for every step of a padded batch under teacher forcing: (n_y, m, T_x)."""
    n_y = p["Wya"].shape[0]
    x = one_hot(teacher_forcing_inputs(indices), n_y)
    a, _, _ = rnn_forward(x, np.zeros((p["Waa"].shape[0], indices.shape[0])), _cell(p))
    return log_softmax(_logits(p, a))


def mean_token_loss(parameters, vocabulary, sentences, batch_size=256):
    """The average cross-entropy per token (<EOS> included) over ``sentences``, in nats.

    Args:
        parameters, vocabulary: the model and its vocabulary (n_y tokens).
        sentences: non-empty list of str.
        batch_size: sentences per forward pass (memory only; the result is the same).
    Returns:
        float: J / (number of tokens); exp of it is the perplexity.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    p = _check_parameters(parameters, vocabulary)
    batch_size = check_positive_int("batch_size", batch_size)
    if isinstance(sentences, str) or not sentences:
        raise ValueError("sentences must be a non-empty list of str")
    total, count = 0.0, 0
    for start in range(0, len(sentences), batch_size):
        batch = encode_batch(vocabulary, list(sentences[start:start + batch_size]), add_eos=True)
        log_p = _log_probabilities(p, batch.indices)
        i, t = np.nonzero(batch.mask)
        total -= log_p[batch.indices[i, t], i, t].sum()
        count += len(i)
    return total / count


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


def conditional_probabilities(parameters, vocabulary, text):
    """Every conditional P(y<t> | y<1> ... y<t-1>) of ``text`` (with <EOS> appended).

    Args:
        parameters: the language model (n_y = len(vocabulary)).
        vocabulary: the Vocabulary it was trained with.
        text: a sentence (str); tokens not in the vocabulary count as <UNK>.
    Returns:
        TokenProbabilities (tokens, probabilities (T_y,), distributions (n_y, T_y), ...).
    Derived in notebooks/04_language_model_sampling.ipynb, "Sentence probability"
    """
    p = _check_parameters(parameters, vocabulary)
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    tokens = tokenize(text, vocabulary.granularity) + [EOS]
    indices = np.array([vocabulary.index(tok) for tok in tokens])
    log_p = _log_probabilities(p, indices[None, :])[:, 0, :]  # (n_y, T_y)
    log_chosen = log_p[indices, np.arange(len(indices))]  # log P(y<t> | ...)  (T_y,)
    return TokenProbabilities(
        tokens=tokens,
        indices=indices,
        probabilities=np.exp(log_chosen),
        distributions=np.exp(log_p),
        log_probability=float(log_chosen.sum()),
    )


def sequence_log_probability(parameters, vocabulary, text):
    """log P(y<1>, ..., y<T_y>) = Σ_t log P(y<t> | y<1> ... y<t-1>), <EOS> included.

    Args:
        parameters, vocabulary: the language model and its Vocabulary.
        text: a sentence (str).
    Returns:
        float, natural log (≤ 0). Summed in log space: a product of 30 probabilities
        of 0.01 would underflow no float, but its log is an ordinary −138.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sentence probability"
    """
    return conditional_probabilities(parameters, vocabulary, text).log_probability


def next_token_distribution(parameters, vocabulary, prefix="", temperature=1.0):
    """P(next token | prefix): ŷ after reading the prefix's tokens.

    Args:
        parameters, vocabulary: the language model and its Vocabulary.
        prefix: str, possibly empty (then this is the distribution of y<1>).
        temperature: τ > 0 applied to the logits (1 = the model's distribution).
    Returns:
        (n_y,) probabilities summing to 1; index i is ``vocabulary.tokens[i]``.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    p = _check_parameters(parameters, vocabulary)
    temperature = check_positive_float("temperature", temperature)
    if not isinstance(prefix, str):
        raise ValueError(f"prefix must be a str, got {type(prefix).__name__}")
    a = np.zeros((p["Waa"].shape[0], 1))
    xt = np.zeros((p["Wax"].shape[1], 1))  # x<1> = 0
    a, z = lm_step(p, a, xt)
    for i in vocabulary.encode(prefix):
        a, z = lm_step(p, a, one_hot(np.array([[i]]), len(vocabulary))[:, :, 0])
    return softmax_with_temperature(z, temperature)[:, 0]


def lm_step(parameters, a_prev, xt):
    """One step of the language model: a<t> and the logits of ŷ<t>.

    Args:
        parameters: the language model.
        a_prev: a<t-1>, (n_a, m).
        xt: x<t>, (n_x, m): zeros at t = 1, else the one-hot previous token.
    Returns:
        a_next: a<t>, (n_a, m).
        z: logits Wya a<t> + by, (n_y, m); ŷ<t> = softmax(z).
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    p = _check_parameters(parameters)
    a_next, _, _ = rnn_cell_forward(xt, a_prev, _cell(p))
    return a_next, p["Wya"] @ a_next + p["by"]


# ---------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleResult:
    """One sampled sentence and how it was drawn.

    Attributes:
        tokens: the drawn tokens, "<EOS>" last if it was drawn (the prefix excluded).
        indices: int array of their vocabulary indices.
        distributions: (n_y, len(tokens)), the distribution each token was drawn from
            (after the temperature).
        text: the decoded sentence, prefix included, without "<EOS>".
        ended: True when <EOS> was drawn, False when max_length stopped it.
    """

    tokens: list
    indices: np.ndarray
    distributions: np.ndarray
    text: str
    ended: bool


def sample(parameters, vocabulary, rng, temperature=1.0, max_length=50, greedy=False, prefix=""):
    """Draw a sentence from the language model, one token at a time.

    Args:
        parameters, vocabulary: the language model and its Vocabulary.
        rng: np.random.Generator (or an int seed); the only source of randomness, so a
            fixed seed reproduces the sample. Unused (may be None) when greedy.
        temperature: τ > 0; the logits are divided by τ before the softmax.
        max_length: most tokens to draw (int ≥ 1), <EOS> included.
        greedy: take the most probable token at every step instead of drawing.
        prefix: optional str the sentence starts with; it is read with teacher
            forcing, and drawing continues after it.
    Returns:
        SampleResult (tokens, indices, distributions (n_y, T), text, ended).

    x<1> = 0; at each step ŷ<t> = softmax(z<t> / τ), y<t> ~ ŷ<t> (``rng.choice``), and the
    one-hot y<t> becomes x<t+1>; stop at <EOS> or after max_length tokens.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    p = _check_parameters(parameters, vocabulary)
    temperature = check_positive_float("temperature", temperature)
    max_length = check_positive_int("max_length", max_length)
    if not isinstance(prefix, str):
        raise ValueError(f"prefix must be a str, got {type(prefix).__name__}")
    if not greedy:
        rng = as_generator("rng", rng)
    n_y = len(vocabulary)
    eos = vocabulary.index(EOS)

    a = np.zeros((p["Waa"].shape[0], 1))  # a<0> = 0
    a, z = lm_step(p, a, np.zeros((n_y, 1)))  # x<1> = 0
    prefix_indices = vocabulary.encode(prefix)
    for i in prefix_indices:
        a, z = lm_step(p, a, one_hot(np.array([[i]]), n_y)[:, :, 0])

    indices, distributions = [], []
    for _ in range(max_length):
        y_hat = softmax_with_temperature(z, temperature)[:, 0]  # (n_y,)
        i = int(np.argmax(y_hat)) if greedy else int(rng.choice(n_y, p=y_hat))
        indices.append(i)
        distributions.append(y_hat)
        if i == eos:
            break
        a, z = lm_step(p, a, one_hot(np.array([[i]]), n_y)[:, :, 0])  # x<t+1> = y<t>

    ended = indices[-1] == eos
    body = prefix_indices + (indices[:-1] if ended else indices)
    return SampleResult(
        tokens=[vocabulary.tokens[i] for i in indices],
        indices=np.array(indices),
        distributions=np.stack(distributions, axis=1),
        text=vocabulary.decode(body),
        ended=ended,
    )


# ---------------------------------------------------------------------------------------
# Long-range agreement (seed section 5)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementScores:
    """How well a word-level model picks "was"/"were" after the relative clause.

    Attributes (one entry per example):
        filler_length: int, words in the relative clause.
        distance: int, verb position − subject position (filler_length + 3).
        p_correct: P(correct verb | prefix), the model's raw probability.
        p_wrong: P(wrong verb | prefix).
        correct: bool, p_correct > p_wrong.
    """

    filler_length: np.ndarray
    distance: np.ndarray
    p_correct: np.ndarray
    p_wrong: np.ndarray
    correct: np.ndarray

    def by_filler_length(self):
        """{filler_length: (number of examples, mean P(correct), accuracy)}."""
        out = {}
        for n in np.unique(self.filler_length):
            sel = self.filler_length == n
            out[int(n)] = (int(sel.sum()), float(self.p_correct[sel].mean()), float(self.correct[sel].mean()))
        return out


def agreement_scores(parameters, vocabulary, examples):
    """P(was) and P(were) at the verb of each agreement example.

    Args:
        parameters, vocabulary: a word-level language model and its Vocabulary.
        examples: list of ``course_lib.data.corpora.AgreementExample``.
    Returns:
        AgreementScores; ``.by_filler_length()`` summarises accuracy against distance.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sentence probability"
    """
    p = _check_parameters(parameters, vocabulary)
    if not examples:
        raise ValueError("examples must be a non-empty list of AgreementExample")
    p_correct, p_wrong = [], []
    for start in range(0, len(examples), 256):
        chunk = examples[start:start + 256]
        batch = encode_batch(vocabulary, [ex.sentence for ex in chunk], add_eos=True)
        log_p = _log_probabilities(p, batch.indices)
        for j, ex in enumerate(chunk):
            # Column t of ŷ predicts token t: the verb's column is its position.
            column = log_p[:, j, ex.verb_position]
            p_correct.append(math.exp(column[vocabulary.index(ex.verb)]))
            p_wrong.append(math.exp(column[vocabulary.index(ex.wrong_verb)]))
    p_correct, p_wrong = np.array(p_correct), np.array(p_wrong)
    filler = np.array([ex.filler_length for ex in examples])
    return AgreementScores(
        filler_length=filler,
        distance=np.array([ex.verb_position - ex.subject_position for ex in examples]),
        p_correct=p_correct,
        p_wrong=p_wrong,
        correct=p_correct > p_wrong,
    )
