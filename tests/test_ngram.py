"""Smoothed n-gram language models: distributions that sum to 1, add-k counts checked by
hand, the uniform limit, a bigram beating a unigram on held-out text, unseen tokens and
histories, determinism, tuning on validation data, and bad input answered."""

import itertools
import math
import time

import numpy as np
import pytest

from course_lib.data import Vocabulary, split_corpus
from course_lib.data.corpora import agreement_sentences, chinese_sentences
from course_lib.lm import mean_token_loss as rnn_mean_token_loss
from course_lib.ngram import START, NGramModel, NGramTuning, default_grid, fit_ngram, tune_ngram
from course_lib.recurrent import get_cell

CORPUS = ["abc", "abd", "ba", "cab", "dd", "abab"]
SETTINGS = [
    pytest.param("add_k", {"k": 0.5}, id="add_k"),
    pytest.param("interpolated", {"k": 0.5}, id="interpolated"),
]


@pytest.fixture
def vocab():
    return Vocabulary.build(CORPUS, "char")  # <UNK> <EOS> a b d c  → n_y = 6


def _weights(order):
    return {1: (1.0,), 2: (0.7, 0.3), 3: (0.5, 0.3, 0.2)}[order]


def _fit(vocab, order, smoothing, k=0.5, corpus=CORPUS):
    weights = _weights(order) if smoothing == "interpolated" else None
    return fit_ngram(corpus, vocab, order=order, smoothing=smoothing, k=k, weights=weights)


def _all_histories(n_y, order):
    """Every history of order − 1 tokens a sentence can have (START in front, then tokens)."""
    out = []
    for length in range(order):  # 0 ... order − 1 real tokens after the START padding
        out += [list(h) for h in itertools.product(range(n_y), repeat=length)]
    return out


# ---------------------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("smoothing, settings", SETTINGS)
def test_every_history_gives_probabilities_summing_to_one(vocab, order, smoothing, settings):
    model = _fit(vocab, order, smoothing, **settings)
    histories = _all_histories(len(vocab), order)  # seen and unseen, <UNK> and <EOS> included
    assert len(histories) > 1 or order == 1
    for history in histories:
        p = model.distribution(history)
        assert p.shape == (len(vocab),) and p.dtype == np.float64
        assert p.min() > 0, f"a zero probability after {history}: smoothing must leave none"
        np.testing.assert_allclose(p.sum(), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("smoothing, settings", SETTINGS)
def test_log_probabilities_are_the_distributions_entries(vocab, order, smoothing, settings):
    model = _fit(vocab, order, smoothing, **settings)
    sentence = "abdca"
    indices = vocab.encode(sentence, add_eos=True)
    log_p = model.log_probabilities(sentence)
    assert log_p.shape == (len(indices),)
    for t, w in enumerate(indices):
        np.testing.assert_allclose(log_p[t], math.log(model.distribution(indices[:t])[w]), rtol=1e-12)


def test_history_is_only_the_last_order_minus_one_tokens(vocab):
    model = _fit(vocab, 2, "add_k")
    np.testing.assert_array_equal(model.distribution([2, 5, 3]), model.distribution([3]))
    assert not np.allclose(model.distribution([]), model.distribution([3]))  # [] = a sentence's start


# ---------------------------------------------------------------------------------------
# Add-k checked against counts made by hand
# ---------------------------------------------------------------------------------------


def _padded(sentence, order):
    """The sentence as the n-gram model reads it: ^ for each START, $ for <EOS>."""
    return "^" * (order - 1) + sentence + "$"


def _count(corpus, history, w, order):
    """c(history, w): how often ``history + w`` appears in the padded sentences (overlaps too)."""
    gram = history + w
    return sum(
        sum(padded[i:i + len(gram)] == gram for i in range(len(padded) - len(gram) + 1))
        for padded in (_padded(s, order) for s in corpus)
    )


def _history_count(corpus, history, order, symbols):
    """c(history) = Σ_w c(history, w) over every token w the model predicts."""
    return sum(_count(corpus, history, w, order) for w in symbols)


@pytest.mark.parametrize("k", [1.0, 0.25])
def test_add_k_bigram_matches_the_formula_on_hand_counted_corpus(vocab, k):
    model = fit_ngram(CORPUS, vocab, order=2, smoothing="add_k", k=k)
    n_y = len(vocab)
    symbols = [t for t in vocab.tokens[2:]] + ["$"]  # the tokens that occur, and <EOS>
    for history, w in [("a", "b"), ("b", "a"), ("^", "a"), ("d", "$"), ("c", "d"), ("b", "c")]:
        expected = (_count(CORPUS, history, w, 2) + k) / (_history_count(CORPUS, history, 2, symbols) + k * n_y)
        h = [] if history == "^" else [vocab.index(history)]
        got = model.distribution(h)[1 if w == "$" else vocab.index(w)]
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=f"P({w} | {history})")
    assert _count(CORPUS, "a", "b", 2) >= 4  # the corpus does test something: ab is frequent ...
    assert _count(CORPUS, "c", "d", 2) == 0  # ... and cd never occurs


def test_add_k_trigram_and_unigram_counts(vocab):
    k = 0.5
    n_y = len(vocab)
    symbols = list(vocab.tokens[2:]) + ["$"]
    trigram = fit_ngram(CORPUS, vocab, order=3, smoothing="add_k", k=k)
    for history in ["ab", "^a", "^^", "ba"]:
        for w in ["a", "b", "$"]:
            expected = (_count(CORPUS, history, w, 3) + k) / (_history_count(CORPUS, history, 3, symbols) + k * n_y)
            h = [vocab.index(c) for c in history if c != "^"]
            np.testing.assert_allclose(trigram.distribution(h)[1 if w == "$" else vocab.index(w)], expected,
                                       rtol=1e-12, err_msg=f"P({w} | {history})")
    unigram = fit_ngram(CORPUS, vocab, order=1, smoothing="add_k", k=k)
    n_tokens = sum(len(s) + 1 for s in CORPUS)
    np.testing.assert_allclose(unigram.distribution([])[vocab.index("a")],
                               ("".join(CORPUS).count("a") + k) / (n_tokens + k * n_y), rtol=1e-12)
    np.testing.assert_allclose(unigram.distribution([])[1], (len(CORPUS) + k) / (n_tokens + k * n_y), rtol=1e-12)


def test_interpolation_mixes_the_maximum_likelihood_estimates(vocab):
    k, weights = 0.5, (0.5, 0.3, 0.2)
    model = fit_ngram(CORPUS, vocab, order=3, smoothing="interpolated", k=k, weights=weights)
    n_y, symbols = len(vocab), list(vocab.tokens[2:]) + ["$"]
    n_tokens = sum(len(s) + 1 for s in CORPUS)
    w = "b"
    p_tri = _count(CORPUS, "ba", w, 3) / _history_count(CORPUS, "ba", 3, symbols)
    p_bi = _count(CORPUS, "a", w, 2) / _history_count(CORPUS, "a", 2, symbols)
    p_uni = ("".join(CORPUS).count(w) + k) / (n_tokens + k * n_y)
    expected = weights[0] * p_tri + weights[1] * p_bi + weights[2] * p_uni
    np.testing.assert_allclose(model.distribution([vocab.index("b"), vocab.index("a")])[vocab.index(w)], expected,
                               rtol=1e-12)


def test_an_unseen_history_gives_its_weight_to_the_seen_orders(vocab):
    k, weights = 0.5, (0.5, 0.3, 0.2)
    model = fit_ngram(CORPUS, vocab, order=3, smoothing="interpolated", k=k, weights=weights)
    c, d = vocab.index("c"), vocab.index("d")
    assert (c, d) not in model.totals[2] and (d,) in model.totals[1]  # history "cd" unseen, "d" seen
    bigram_only = fit_ngram(CORPUS, vocab, order=2, smoothing="interpolated", k=k,
                            weights=(weights[1] / 0.5, weights[2] / 0.5))
    np.testing.assert_allclose(model.distribution([c, d]), bigram_only.distribution([d]), rtol=1e-12)
    unigram = fit_ngram(CORPUS, vocab, order=1, smoothing="add_k", k=k)
    np.testing.assert_allclose(model.distribution([0, 0]), unigram.distribution([]), rtol=1e-12)  # <UNK> <UNK>


# ---------------------------------------------------------------------------------------
# Perplexity
# ---------------------------------------------------------------------------------------


def test_huge_k_tends_to_the_uniform_model_perplexity_n_y(vocab):
    held_out = ["abcd", "dcba", "zz"]
    for k in (1e6, 1e9):
        model = fit_ngram(CORPUS, vocab, order=1, smoothing="add_k", k=k)
        np.testing.assert_allclose(model.perplexity(held_out), len(vocab), rtol=1e3 / k)
    small = fit_ngram(CORPUS, vocab, order=1, smoothing="add_k", k=1.0).perplexity(held_out)
    assert abs(small - len(vocab)) > 0.1  # at k = 1 the counts still matter


def test_perplexity_is_exp_of_the_mean_token_loss(vocab):
    model = _fit(vocab, 2, "interpolated")
    sentences = ["abc", "ddd", "b"]
    log_p = np.concatenate([model.log_probabilities(s) for s in sentences])
    np.testing.assert_allclose(model.mean_token_loss(sentences), -log_p.mean(), rtol=1e-12)
    np.testing.assert_allclose(model.perplexity(sentences), math.exp(-log_p.mean()), rtol=1e-12)


def test_tokens_are_counted_as_the_rnn_counts_them(vocab):
    """A unigram and an RNN whose softmax is that unigram (Wya = 0, by = log P) have the
    same mean token loss: the same tokens, <EOS> included, are counted."""
    model = fit_ngram(CORPUS, vocab, order=1, smoothing="add_k", k=0.5)
    n_y = len(vocab)
    parameters = get_cell("rnn").initialize(n_y, 3, n_y, np.random.default_rng(0), 0.5)
    parameters["Wya"] = np.zeros_like(parameters["Wya"])
    parameters["by"] = np.log(model.distribution([]))[:, None]
    held_out = ["abcd", "d", "zzab"]
    np.testing.assert_allclose(rnn_mean_token_loss(parameters, vocab, held_out), model.mean_token_loss(held_out),
                               rtol=1e-10)


@pytest.mark.parametrize("smoothing", ["add_k", "interpolated"])
def test_a_bigram_beats_a_unigram_on_held_out_generated_english(smoothing):
    split = split_corpus(agreement_sentences(600, np.random.default_rng(0)), 0)
    vocabulary = Vocabulary.build(split.train, "word")
    unigram = tune_ngram(split.train, split.validation, vocabulary, 1, smoothing).model
    bigram = tune_ngram(split.train, split.validation, vocabulary, 2, smoothing).model
    pp_unigram, pp_bigram = unigram.perplexity(split.test), bigram.perplexity(split.test)
    assert pp_unigram < len(vocabulary)  # the unigram beats the uniform model ...
    assert pp_bigram < 0.5 * pp_unigram  # ... and the bigram, which knows word order, beats it by far


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("smoothing, settings", SETTINGS)
def test_unknown_tokens_and_unseen_histories_give_finite_perplexity(vocab, order, smoothing, settings):
    model = _fit(vocab, order, smoothing, **settings)
    unknown = "xyz"  # three <UNK>: unknown tokens, and <UNK> histories never seen in training
    assert vocab.encode(unknown) == [0, 0, 0]
    log_p = model.log_probabilities(unknown)
    assert log_p.shape == (4,) and np.all(np.isfinite(log_p)) and np.all(log_p < 0)
    unseen = "cdcdcd"  # c→d is never seen
    pp = model.perplexity([unknown, unseen, "abc"])
    assert np.isfinite(pp) and pp >= 1


# ---------------------------------------------------------------------------------------
# Determinism and sampling
# ---------------------------------------------------------------------------------------


def test_the_same_corpus_gives_the_same_model(vocab):
    a = fit_ngram(list(CORPUS), vocab, order=3, smoothing="interpolated")
    b = fit_ngram(list(CORPUS), vocab, order=3, smoothing="interpolated")
    assert a == b
    np.testing.assert_array_equal(a.unigram, b.unigram)
    assert a != fit_ngram(CORPUS[:-1], vocab, order=3, smoothing="interpolated")


def test_fit_does_not_modify_its_corpus_and_the_counts_are_read_only(vocab):
    corpus = list(CORPUS)
    model = fit_ngram(corpus, vocab, order=2)
    assert corpus == CORPUS
    with pytest.raises(ValueError):
        model.unigram[0] = 1.0


@pytest.mark.parametrize("order", [1, 2, 3])
def test_sampling_is_seeded_and_stops_at_eos(order):
    sentences = chinese_sentences()
    vocabulary = Vocabulary.build(sentences, "char")
    model = fit_ngram(sentences, vocabulary, order=order, smoothing="interpolated")
    first = [model.sample(np.random.default_rng(7)) for _ in range(3)]
    assert first == [model.sample(7) for _ in range(3)]  # the same seed, the same text
    rng = np.random.default_rng(7)
    samples = [model.sample(rng) for _ in range(20)]
    assert len(set(samples)) > 1  # the generator moves on
    assert all("<EOS>" not in s for s in samples)
    assert all(len(vocabulary.encode(s)) <= 50 for s in samples)
    assert len(vocabulary.encode(model.sample(3, max_length=4))) <= 4


def test_a_trigram_copies_training_sentences_more_often_than_a_unigram():
    sentences = chinese_sentences()
    vocabulary = Vocabulary.build(sentences, "char")
    known = set(sentences)
    copied = {}
    for order in (1, 3):
        # k small: with n_y ≈ 300 and histories seen once or twice, a larger k gives most of
        # the mass to tokens never seen after the history, and nothing is copied
        model = fit_ngram(sentences, vocabulary, order=order, smoothing="add_k", k=1e-4)
        rng = np.random.default_rng(0)
        copied[order] = np.mean([model.sample(rng) in known for _ in range(200)])
    assert copied[3] > copied[1] + 0.1


# ---------------------------------------------------------------------------------------
# Tuning on validation data
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("order, smoothing", [(1, "add_k"), (2, "add_k"), (2, "interpolated"), (3, "interpolated")])
def test_tune_picks_the_setting_with_the_smallest_validation_loss(order, smoothing):
    split = split_corpus(chinese_sentences(), 0)
    vocabulary = Vocabulary.build(split.train, "char")
    result = tune_ngram(split.train, split.validation, vocabulary, order, smoothing)
    assert isinstance(result, NGramTuning) and isinstance(result.model, NGramModel)
    assert result.settings == default_grid(order, smoothing)
    assert result.losses.shape == (len(result.settings),) and result.losses.dtype == np.float64
    # each loss is that setting's own validation loss, fitted afresh
    refits = [fit_ngram(split.train, vocabulary, order, smoothing, **s) for s in result.settings]
    np.testing.assert_allclose(result.losses, [m.mean_token_loss(split.validation) for m in refits], rtol=1e-12)
    best = int(np.argmin(result.losses))
    assert result.model == refits[best]
    assert result.losses.max() > result.losses.min() + 1e-3  # the grid's choice matters


def test_tune_with_a_grid_of_ones_own():
    split = split_corpus(chinese_sentences(), 0)
    vocabulary = Vocabulary.build(split.train, "char")
    grid = [{"k": 2.0}, {"k": 0.05}, {"k": 1e-4}]
    result = tune_ngram(split.train, split.validation, vocabulary, 2, "add_k", grid=grid)
    assert result.settings == tuple(grid)
    assert result.model.k == grid[int(np.argmin(result.losses))]["k"]
    assert grid == [{"k": 2.0}, {"k": 0.05}, {"k": 1e-4}]  # not modified


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("smoothing", ["add_k", "interpolated"])
def test_default_grids_are_valid_settings(order, smoothing):
    grid = default_grid(order, smoothing)
    assert 1 <= len(grid) <= 20
    for setting in grid:
        model = fit_ngram(["ab"], Vocabulary.build(["ab"], "char"), order, smoothing, **setting)
        if model.weights is not None:
            assert len(model.weights) == order and abs(sum(model.weights) - 1) < 1e-9


# ---------------------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------------------


def test_scoring_a_few_hundred_sentences_takes_milliseconds():
    rng = np.random.default_rng(0)
    characters = [chr(0x4E00 + i) for i in range(1700)]
    frequency = 1 / np.arange(1, 1701)
    lines = ["".join(rng.choice(characters, size=12, p=frequency / frequency.sum())) for _ in range(1600)]
    vocabulary = Vocabulary.build(lines, "char")  # ~1500 characters, ~20k tokens: a Tang-poem-sized corpus
    model = fit_ngram(lines, vocabulary, order=3, smoothing="interpolated")
    held_out = lines[:300]
    best = min(_seconds(lambda: model.perplexity(held_out)) for _ in range(3))
    assert best < 0.25, f"{best * 1e3:.0f} ms to score 300 sentences"
    assert min(_seconds(lambda: model.distribution([2, 3])) for _ in range(3)) < 0.01


def _seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, named", [
    ({"order": 0}, "order"),
    ({"order": 4}, "order"),
    ({"order": 2.0}, "order"),
    ({"smoothing": "kneser_ney"}, "smoothing"),
    ({"k": 0.0}, "k"),
    ({"k": -1.0}, "k"),
    ({"k": float("nan")}, "k"),
    ({"smoothing": "interpolated", "weights": (0.5, 0.4)}, "weights"),
    ({"smoothing": "interpolated", "weights": (0.5, 0.3, 0.2)}, "weights"),  # three for a bigram
    ({"smoothing": "interpolated", "weights": (1.2, -0.2)}, "weights"),
    ({"smoothing": "interpolated", "weights": (1.0, 0.0)}, "weights"),  # λ1 = 0: zeros possible
    ({"smoothing": "interpolated", "weights": "0.5 0.5"}, "weights"),
    ({"smoothing": "add_k", "weights": (0.5, 0.5)}, "weights"),
    ({"sentences": []}, "sentences"),
    ({"sentences": "abc"}, "sentences"),
    ({"sentences": ["abc", 3]}, "sentences"),
    ({"vocabulary": ["<UNK>", "<EOS>", "a"]}, "vocabulary"),
    ({"vocabulary": None}, "vocabulary"),
])
def test_fit_refuses_bad_input_naming_the_argument(vocab, kwargs, named):
    call = {"sentences": CORPUS, "vocabulary": vocab, "order": 2, "smoothing": "add_k", "k": 1.0, **kwargs}
    with pytest.raises(ValueError, match=named):
        fit_ngram(**call)


@pytest.mark.parametrize("kwargs, named", [
    ({"order": 4}, "order"),
    ({"smoothing": "laplace"}, "smoothing"),
    ({"train": []}, "train"),
    ({"validation": []}, "validation"),
    ({"vocabulary": "abc"}, "vocabulary"),
    ({"grid": []}, "grid"),
    ({"grid": {"k": 1.0}}, "grid"),
    ({"grid": [{"alpha": 1.0}]}, "grid"),
    ({"grid": [{"k": 1.0}, {"k": 0.0}]}, "grid"),
    ({"grid": [{"weights": (0.5, 0.5)}]}, "grid"),  # weights with add-k
])
def test_tune_refuses_bad_input_naming_the_argument(vocab, kwargs, named):
    call = {"train": CORPUS, "validation": ["ab"], "vocabulary": vocab, "order": 2, "smoothing": "add_k", **kwargs}
    with pytest.raises(ValueError, match=named):
        tune_ngram(**call)


@pytest.mark.parametrize("history", [None, "ab", [2.0], [True], [-1], [START], [6], np.array([[2]]), {2: 1}])
def test_distribution_refuses_bad_histories(vocab, history):
    model = _fit(vocab, 2, "add_k")
    with pytest.raises(ValueError, match="history"):
        model.distribution(history)


def test_methods_refuse_bad_input_naming_the_argument(vocab):
    model = _fit(vocab, 2, "add_k")
    for call, named in [
        (lambda: model.log_probabilities(["abc"]), "sentence"),
        (lambda: model.log_probabilities(None), "sentence"),
        (lambda: model.mean_token_loss([]), "sentences"),
        (lambda: model.perplexity("abc"), "sentences"),
        (lambda: model.perplexity([b"abc"]), "sentences"),
        (lambda: model.sample("seed"), "rng"),
        (lambda: model.sample(0, max_length=0), "max_length"),
    ]:
        with pytest.raises(ValueError, match=named):
            call()
    assert model.distribution(np.array([2, 3])).shape == (len(vocab),)  # an int array is a history too


def test_default_grid_refuses_bad_input():
    with pytest.raises(ValueError, match="order"):
        default_grid(0, "add_k")
    with pytest.raises(ValueError, match="smoothing"):
        default_grid(2, "good_turing")
