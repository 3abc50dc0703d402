"""Smoothed n-gram language models: the baseline a recurrent language model is held against.

An n-gram model forgets all but the last n − 1 tokens: it predicts y<t> from the history
h = y<t-n+1> ... y<t-1> alone, by counting. In the training sentences, each with <EOS>
appended and read from a start marker that is not a token (as the RNN starts from
x<1> = 0), c(h, w) is the number of times token w follows history h, and
c(h) = Σ_w c(h, w). The maximum-likelihood estimate

    P_ML(w | h) = c(h, w) / c(h)

gives every pair never seen in training probability 0. One such pair in a test sentence,
and its loss −log 0 is infinite, and so is the perplexity: smoothing moves a little
probability to what training never showed.

Add-k smoothing (Laplace at k = 1) adds k to every count, seen or not:

    P(w | h) = (c(h, w) + k) / (c(h) + k n_y)

Jelinek–Mercer interpolation mixes the estimates of every order, for a trigram

    P(w | y<t-2> y<t-1>) = λ3 P_ML(w | y<t-2> y<t-1>) + λ2 P_ML(w | y<t-1>) + λ1 P_add-k(w)

with λ's ≥ 0 summing to 1 and λ1 > 0: the add-k unigram P_add-k(w) = (c(w) + k) / (N + k n_y)
(N training tokens) is never 0, so neither is P. A history never seen in training has no
P_ML (c(h) = 0): its weight goes to the other orders, the weights of the orders whose history
was seen being rescaled to sum to 1.

The perplexity over the N tokens of held-out sentences (<EOS> included) is counted as
``course_lib.lm.perplexity`` counts it for the RNN, so the two compare:

    PP = exp(−(1/N) Σ_t log P(y<t> | history))

A model that gives every token 1/n_y has perplexity n_y.

Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_generator,
    check_choice,
    check_positive_float,
    check_positive_int,
    checked,
)
from course_lib.data.vocab import EOS, Vocabulary
from course_lib.lm import draw_token

__all__ = [
    "DEFAULT_WEIGHTS", "K_GRID", "LAMBDA1_GRID", "NGramModel", "NGramTuning", "SMOOTHINGS", "START",
    "default_grid", "fit_ngram", "tune_ngram",
]

START = -1  # the history before the first token: a marker, not a token (the RNN's x<1> = 0)
SMOOTHINGS = ("add_k", "interpolated")
K_GRID = (1.0, 0.3, 0.1, 0.03, 0.01)  # tune_ngram's default add-k constants
LAMBDA1_GRID = (0.7, 0.5, 0.3, 0.1, 0.03, 0.01)  # its default unigram weights λ_1 when interpolating
DEFAULT_WEIGHTS = {1: (1.0,), 2: (0.7, 0.3), 3: (0.5, 0.3, 0.2)}  # λ_n ... λ_1 when none are given

_NOTHING = {}  # the followers of a history never seen


# ---------------------------------------------------------------------------------------
# Checks at the door
# ---------------------------------------------------------------------------------------


def _sentences(name, sentences):
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences \
            or not all(isinstance(s, str) for s in sentences):
        raise ValueError(f"{name} must be a non-empty list of str sentences, got {type(sentences).__name__}"
                         + (" (empty)" if isinstance(sentences, (list, tuple)) and not sentences else ""))
    return list(sentences)


def _vocabulary(vocabulary):
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary (Vocabulary.build(sentences, granularity)), "
                         f"got {type(vocabulary).__name__}")
    return vocabulary


def _order(order):
    return check_positive_int("order (1 unigram, 2 bigram, 3 trigram)", order, minimum=1, maximum=3)


def _weights(weights, order):
    """The λ's as a tuple of floats, highest order first: ``order`` of them, ≥ 0, summing to 1, λ1 > 0."""
    expected = f"{order} weights λ{order} ... λ1 (highest order first), each ≥ 0, summing to 1"
    if isinstance(weights, (str, bytes)) or not isinstance(weights, (list, tuple, np.ndarray)):
        raise ValueError(f"weights must be None or {expected}, got {weights!r}")
    values = list(weights)
    if len(values) != order or not all(isinstance(w, (int, float, np.integer, np.floating))
                                       and not isinstance(w, (bool, np.bool_)) for w in values):
        raise ValueError(f"weights must be {expected}, got {weights!r}")
    values = tuple(float(w) for w in values)
    if not all(np.isfinite(values)) or min(values) < 0 or abs(sum(values) - 1) > 1e-9:
        raise ValueError(f"weights must be {expected}, got {weights!r} (sum {sum(values):.6g})")
    if values[-1] == 0:
        raise ValueError(f"weights must give the add-k unigram a weight λ1 > 0 (the last one), so that no "
                         f"token gets probability 0, got {weights!r}")
    return values


def _settings(order, smoothing, k, weights):
    """(smoothing, k, weights) checked; weights None for add-k, the λ's for interpolation."""
    smoothing = check_choice("smoothing", smoothing, SMOOTHINGS)
    k = check_positive_float("k", k)
    if smoothing == "add_k":
        if weights is not None:
            raise ValueError(f"weights are for smoothing='interpolated' only, got weights={weights!r} with 'add_k'")
        return smoothing, k, None
    return smoothing, k, DEFAULT_WEIGHTS[order] if weights is None else _weights(weights, order)


def _check_fit(sentences, vocabulary, order=2, smoothing="add_k", k=1.0, weights=None):
    sentences = _sentences("sentences", sentences)
    vocabulary = _vocabulary(vocabulary)
    order = _order(order)
    return (sentences, vocabulary, order, *_settings(order, smoothing, k, weights))


def _grid(grid, order, smoothing):
    """The grid as a tuple of dicts {"k": ..., "weights": ...}, each checked as fit_ngram checks it."""
    if grid is None:
        return default_grid.unchecked(order, smoothing)
    if isinstance(grid, dict) or not isinstance(grid, (list, tuple)) or not grid:
        raise ValueError(f"grid must be None or a non-empty list of settings such as [{{'k': 1.0}}, {{'k': 0.1}}], "
                         f"got {grid!r}")
    checked_grid = []
    for i, setting in enumerate(grid):
        if not isinstance(setting, dict) or not setting or set(setting) - {"k", "weights"}:
            raise ValueError(f"grid[{i}] must be a dict of fit_ngram settings ('k', 'weights'), got {setting!r}")
        try:
            _settings(order, smoothing, setting.get("k", 1.0), setting.get("weights"))
        except ValueError as error:
            raise ValueError(f"grid[{i}] = {setting!r}: {error}") from None
        checked_grid.append(dict(setting))
    return tuple(checked_grid)


def _check_default_grid(order, smoothing):
    return _order(order), check_choice("smoothing", smoothing, SMOOTHINGS)


def _check_tune(train, validation, vocabulary, order, smoothing, grid=None):
    order = _order(order)
    smoothing = check_choice("smoothing", smoothing, SMOOTHINGS)
    return (_sentences("train", train), _sentences("validation", validation), _vocabulary(vocabulary), order,
            smoothing, _grid(grid, order, smoothing))


def _check_sentence(self, sentence):
    if not isinstance(sentence, str):
        raise ValueError(f"sentence must be a str, got {type(sentence).__name__}")
    return self, sentence


def _check_sentences(self, sentences):
    return self, _sentences("sentences", sentences)


def _check_history(self, history):
    n_y = len(self.vocabulary)
    expected = f"a list of previous token indices in [0, n_y={n_y}) (the start is implied; [] = a sentence's start)"
    if isinstance(history, (str, bytes, dict, set)) or not isinstance(history, (list, tuple, np.ndarray)):
        raise ValueError(f"history must be {expected}, got {type(history).__name__}")
    if isinstance(history, np.ndarray) and history.ndim != 1:
        raise ValueError(f"history must be {expected}, got an array of shape {history.shape}")
    tokens = list(history)
    if not all(isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in tokens) \
            or not all(0 <= i < n_y for i in tokens):
        raise ValueError(f"history must be {expected}, got {history!r}")
    return self, [int(i) for i in tokens]


def _check_sample(self, rng, max_length=50):
    return self, as_generator("rng", rng), check_positive_int("max_length", max_length)


# ---------------------------------------------------------------------------------------
# Histories and counts
# ---------------------------------------------------------------------------------------


def _contexts(indices, order):
    """(w, histories) for every token w of one encoded sentence, <EOS> included:
    ``histories[j]`` is the last j tokens before w (j = 0 ... order − 1), padded with START."""
    padded = [START] * (order - 1) + list(indices)
    for t, w in enumerate(indices):
        history = tuple(padded[t:t + order - 1])  # the order − 1 tokens before y<t>
        yield w, tuple(history[order - 1 - j:] for j in range(order))


def _history(tokens, order):
    """The last order − 1 of ``tokens``, START in front where there are fewer."""
    padded = (START,) * (order - 1) + tuple(tokens)
    return padded[len(padded) - (order - 1):]


@dataclass(frozen=True, repr=False)
class NGramModel:
    """A smoothed n-gram language model: its counts, and how they are smoothed.

    Build one with ``fit_ngram`` (or ``tune_ngram``); counts and totals are read only.

    Attributes:
        order: n = 1 (unigram), 2 (bigram) or 3 (trigram): y<t> is predicted from the
            n − 1 tokens before it.
        smoothing: "add_k" or "interpolated".
        k: the add-k constant (for "interpolated", the unigram's).
        weights: None for "add_k"; for "interpolated" the λ's, highest order first
            (λ_n ... λ_1).
        vocabulary: the Vocabulary; the model predicts over its n_y tokens (<UNK> and
            <EOS> included).
        counts: a tuple of n dicts: ``counts[j][h][w]`` = c(h, w) for the histories h of
            j tokens (tuples of indices, START = −1 before the first token).
        totals: ``totals[j][h]`` = c(h) = Σ_w c(h, w).
        unigram: c(w) of every token as one (n_y,) array (counts[0][()] again, for the
            next-token distribution; left out of ==).
    Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
    """

    order: int
    smoothing: str
    k: float
    weights: tuple
    vocabulary: Vocabulary
    counts: tuple
    totals: tuple
    unigram: np.ndarray = field(compare=False)

    def __repr__(self):
        settings = f"k={self.k:g}" + (f", weights={self.weights}" if self.weights is not None else "")
        return (f"NGramModel(order={self.order}, smoothing={self.smoothing!r}, {settings}, n_y={self.n_y}, "
                f"histories={len(self.totals[-1])}, N={sum(self.totals[0].values())} training tokens)")

    @property
    def n_y(self):
        """The number of tokens predicted: len(vocabulary)."""
        return len(self.vocabulary)

    def _smoothed(self, c_hw, c_h):
        """P(w | h) from the counts of every order; any shape after the first axis.

        c_hw[j], c_h[j]: c(h_j, w) and c(h_j), h_j the last j tokens of the history
        (j = 0 ... n − 1, so c_h[0] = N); shapes (n, ...) that broadcast together.
        """
        n_y, k = self.n_y, self.k
        if self.smoothing == "add_k":
            return (c_hw[-1] + k) / (c_h[-1] + k * n_y)  # P(w | h) = (c(h, w) + k) / (c(h) + k n_y)
        seen = c_h > 0  # c(h) = 0: P_ML(w | h) is undefined
        p = np.divide(c_hw, c_h, out=np.zeros(np.broadcast(c_hw, c_h).shape), where=seen)  # P_ML(w | h_j)
        p[0] = (c_hw[0] + k) / (c_h[0] + k * n_y)  # the add-k unigram: P(w) = (c(w) + k) / (N + k n_y), never 0
        lam = np.reshape(self.weights[::-1], (-1,) + (1,) * (p.ndim - 1)) * seen  # λ_1 ... λ_n; unseen orders get 0
        lam = lam / lam.sum(axis=0)  # their weight goes to the seen ones: rescaled to sum to 1
        return (lam * p).sum(axis=0)  # P(w | h) = Σ_j λ_j P_j(w | h_j)

    def _token_counts(self, indices):
        """c_hw, c_h of shape (n, T) for the T tokens of one encoded sentence."""
        T = len(indices)
        c_hw, c_h = np.zeros((self.order, T)), np.zeros((self.order, T))
        for t, (w, histories) in enumerate(_contexts(indices, self.order)):
            for j, h in enumerate(histories):
                c_hw[j, t] = self.counts[j].get(h, _NOTHING).get(w, 0)
                c_h[j, t] = self.totals[j].get(h, 0)
        return c_hw, c_h

    def _corpus_counts(self, sentences):
        """c_hw, c_h of shape (n, N) for the N tokens of ``sentences`` (each with <EOS>)."""
        pairs = [self._token_counts(self.vocabulary.encode(s, add_eos=True)) for s in sentences]
        return np.concatenate([c for c, _ in pairs], axis=1), np.concatenate([c for _, c in pairs], axis=1)

    def _mean_loss(self, sentences):
        """−(1/N) Σ_t log P(y<t> | history) over the N tokens of ``sentences``."""
        return float(-np.log(self._smoothed(*self._corpus_counts(sentences))).mean())

    def _distribution(self, tokens):
        """P(· | the last n − 1 of ``tokens``), (n_y,): the followers of each history, not a loop over n_y."""
        history = _history(tokens, self.order)
        c_hw = np.zeros((self.order, self.n_y))
        c_h = np.zeros((self.order, 1))
        c_hw[0], c_h[0] = self.unigram, self.totals[0][()]  # c(w) and N: one array, not a dict of n_y entries
        for j in range(1, self.order):
            h = history[self.order - 1 - j:]
            followers = self.counts[j].get(h, _NOTHING)
            c_hw[j, list(followers)] = list(followers.values())
            c_h[j] = self.totals[j].get(h, 0)
        return self._smoothed(c_hw, c_h)

    @checked(_check_sentence)
    def log_probabilities(self, sentence):
        """log P(y<t> | the n − 1 tokens before it) for every token of one sentence.

        Args:
            sentence: a str, encoded with the model's vocabulary (unknown tokens → <UNK>).
        Returns:
            (T,) float64, natural logs, T = its number of tokens + 1 (<EOS> last).
        Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
        """
        c_hw, c_h = self._token_counts(self.vocabulary.encode(sentence, add_eos=True))
        return np.log(self._smoothed(c_hw, c_h))

    @checked(_check_history)
    def distribution(self, history):
        """The next-token distribution after ``history``: P(w | its last n − 1 tokens) for every w.

        Args:
            history: list of the previous token indices (ints in [0, n_y)); fewer than
                n − 1 are padded with the start marker, so [] is a sentence's start.
        Returns:
            (n_y,) float64, ≥ 0, summing to 1 (draw from it with ``lm.draw_token``).
        Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
        """
        return self._distribution(history)

    @checked(_check_sentences)
    def mean_token_loss(self, sentences):
        """The average −log P(y<t> | history) per token (<EOS> included) over ``sentences``, in nats.

        Args:
            sentences: non-empty list of str.
        Returns:
            float, counted as ``course_lib.lm.mean_token_loss`` counts it; exp of it is the perplexity.
        Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
        """
        return self._mean_loss(sentences)

    @checked(_check_sentences)
    def perplexity(self, sentences):
        """exp(mean loss per token) over ``sentences``: n_y for the uniform model.

        Args:
            sentences: non-empty list of str.
        Returns:
            float ≥ 1.
        Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
        """
        return float(np.exp(self._mean_loss(sentences)))  # PP = exp(−(1/N) Σ_t log P(y<t> | history))

    @checked(_check_sample)
    def sample(self, rng, max_length=50):
        """Draw a sentence, one token at a time from P(· | the last n − 1 drawn), until <EOS>.

        Args:
            rng: np.random.Generator (or an int seed), the only source of randomness.
            max_length: most tokens to draw (int ≥ 1), <EOS> included.
        Returns:
            str: the decoded tokens drawn before <EOS> (a drawn <UNK> reads "<UNK>").
        Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
        """
        eos = self.vocabulary.index(EOS)
        drawn = []
        for _ in range(max_length):
            w = draw_token.unchecked(self._distribution(drawn), rng)  # y<t> ~ P(· | y<t-n+1> ... y<t-1>)
            if w == eos:
                break
            drawn.append(w)
        return self.vocabulary.decode(drawn)


# ---------------------------------------------------------------------------------------
# Fitting and tuning
# ---------------------------------------------------------------------------------------


@checked(_check_fit)
def fit_ngram(sentences, vocabulary, order=2, smoothing="add_k", k=1.0, weights=None):
    """Count the n-grams of ``sentences``: a smoothed n-gram language model.

    Args:
        sentences: non-empty list of str, the training sentences (each gets <EOS>).
        vocabulary: the Vocabulary to encode them with (n_y tokens).
        order: n, 1, 2 or 3.
        smoothing: "add_k": P(w | h) = (c(h, w) + k) / (c(h) + k n_y);
            "interpolated": λ_n P_ML(w | last n − 1) + ... + λ_2 P_ML(w | last 1) + λ_1 P_add-k(w).
            Where a history was never seen its P_ML is undefined: its λ goes to the orders
            whose history was seen, their λ's rescaled to sum to 1 (the add-k unigram's
            history, the empty one, is always seen).
        k: the add-k constant > 0 (Laplace at 1); for "interpolated", the unigram's.
        weights: "interpolated" only: the n λ's, highest order first, ≥ 0, summing to 1,
            λ_1 > 0; None gives DEFAULT_WEIGHTS[order].
    Returns:
        NGramModel with counts of every order up to n (tune_ngram changes k and the
        weights without counting again).
    Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
    """
    counts = [defaultdict(Counter) for _ in range(order)]
    for sentence in sentences:
        for w, histories in _contexts(vocabulary.encode(sentence, add_eos=True), order):
            for j, h in enumerate(histories):
                counts[j][h][w] += 1  # c(h_j, w)
    unigram = np.zeros(len(vocabulary))
    unigram[list(counts[0][()])] = list(counts[0][()].values())  # c(w)  (n_y,)
    unigram.flags.writeable = False  # the model's counts are read only
    return NGramModel(
        order=order, smoothing=smoothing, k=k, weights=weights, vocabulary=vocabulary,
        counts=tuple({h: dict(following) for h, following in c.items()} for c in counts),
        totals=tuple({h: sum(following.values()) for h, following in c.items()} for c in counts),  # c(h) = Σ_w c(h, w)
        unigram=unigram,
    )


@checked(_check_default_grid)
def default_grid(order, smoothing):
    """The settings ``tune_ngram`` tries when it is given no grid.

    Args:
        order: 1, 2 or 3.
        smoothing: "add_k" or "interpolated".
    Returns:
        tuple of dicts of fit_ngram settings: {"k": k} for k in K_GRID (add-k, and the
        unigram's only setting when interpolating at order 1); for interpolation, λ's
        {"weights": (λ_n, ..., λ_1)} with λ_1 in LAMBDA1_GRID (0.7 down to 0.01) and, at order
        3, the rest 1 − λ_1 shared between λ_3 and λ_2 in three ways (¼, ½, ¾ to λ_3).
    Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
    """
    if smoothing == "add_k" or order == 1:
        return tuple({"k": k} for k in K_GRID)
    if order == 2:
        return tuple({"weights": (round(1 - lam1, 6), lam1)} for lam1 in LAMBDA1_GRID)
    grid = []
    for lam1 in LAMBDA1_GRID:
        for share in (0.25, 0.5, 0.75):  # the trigram's share of what the unigram leaves
            lam3 = round(share * (1 - lam1), 6)
            grid.append({"weights": (lam3, round(1 - lam1 - lam3, 6), lam1)})
    return tuple(grid)


class NGramTuning(NamedTuple):
    """What tune_ngram tried and chose.

    model: the NGramModel of the setting with the lowest validation loss.
    settings: the grid, a tuple of dicts of fit_ngram settings ({"k": 0.1}, {"weights": (0.9, 0.1)} ...).
    losses: (len(settings),) float64, the validation mean token loss of each setting, in nats.
    """

    model: NGramModel
    settings: tuple
    losses: np.ndarray


@checked(_check_tune)
def tune_ngram(train, validation, vocabulary, order, smoothing, grid=None):
    """Fit on ``train`` for every setting of a grid; keep the one best on ``validation``.

    Args:
        train: non-empty list of str, the sentences counted.
        validation: non-empty list of str, the sentences the settings are judged on
            (never the test sentences: those judge the chosen model once).
        vocabulary: the Vocabulary (built from the training sentences).
        order: 1, 2 or 3.
        smoothing: "add_k" or "interpolated".
        grid: None (``default_grid(order, smoothing)``) or a non-empty list of dicts of
            fit_ngram settings, e.g. [{"k": 1.0}, {"k": 0.1}] or [{"weights": (0.8, 0.2)}].
    Returns:
        NGramTuning(model, settings, losses): losses[i] is the validation mean token loss
        of settings[i]; model is the fit of settings[argmin(losses)] (the first, on a tie).
    Derived in notebooks/04b_language_models_in_practice.ipynb, "An n-gram baseline"
    """
    counted = fit_ngram.unchecked(train, vocabulary, order, *_settings(order, smoothing, 1.0, None))
    c_hw, c_h = counted._corpus_counts(validation)  # the counts do not depend on k or the λ's: counted once
    models = []
    for setting in grid:
        _, k, weights = _settings(order, smoothing, setting.get("k", 1.0), setting.get("weights"))
        models.append(replace(counted, k=k, weights=weights))  # the same counts, smoothed another way
    losses = np.array([-np.log(model._smoothed(c_hw, c_h)).mean() for model in models])
    return NGramTuning(model=models[int(np.argmin(losses))], settings=grid, losses=losses)
