"""The RNN language model: exact gradients, the chain rule, and sampling behaviour."""

import math

import numpy as np
import pytest

from course_lib.data.vocab import EOS, Vocabulary
from course_lib.gradients import gradient_check
from course_lib.lm import (
    conditional_probabilities,
    lm_loss_and_gradients,
    lm_step,
    mean_token_loss,
    next_token_distribution,
    sample,
    sequence_log_probability,
    softmax_with_temperature,
    teacher_forcing_inputs,
)
from course_lib.rnn import initialize_rnn_parameters

CORPUS = ["abc", "abd", "ba", "cab", "dd"]


@pytest.fixture
def vocab():
    return Vocabulary.build(CORPUS, "char")  # <UNK> <EOS> a b d c  → n_y = 6


def _parameters(n_y, n_a=5, seed=0, scale=0.5):
    # non-trivial: random biases and weights large enough that tanh is not linear
    return initialize_rnn_parameters(n_y, n_a, n_y, np.random.default_rng(seed), scale=scale)


def _batch():
    # three sentences of different lengths, <EOS> = 1 last, -1 = padding
    return np.array([[2, 3, 4, 1], [5, 1, -1, -1], [4, 2, 1, -1]])


def test_teacher_forcing_inputs_start_with_zero_and_shift():
    x = teacher_forcing_inputs(_batch())
    np.testing.assert_array_equal(x, [[-1, 2, 3, 4], [-1, 5, 1, -1], [-1, 4, 2, 1]])


@pytest.mark.parametrize("name", ["Wax", "Waa", "ba", "Wya", "by"])
def test_gradients_match_finite_differences(name):
    p = _parameters(6, seed=1)
    batch = _batch()
    _, gradients = lm_loss_and_gradients(p, batch)

    def loss(theta):
        return lm_loss_and_gradients({**p, name: theta}, batch)[0]

    assert gradient_check(loss, p[name], gradients["d" + name], epsilon=1e-6) < 1e-7


def test_gradients_with_an_explicit_mask_match_finite_differences():
    p = _parameters(6, seed=2)
    batch = _batch()
    mask = batch >= 0
    mask[0, 3] = False  # ignore the first sentence's <EOS>
    _, gradients = lm_loss_and_gradients(p, batch, mask)
    for name in p:
        err = gradient_check(lambda th, n=name: lm_loss_and_gradients({**p, n: th}, batch, mask)[0],
                             p[name], gradients["d" + name], epsilon=1e-6)
        assert err < 1e-7, name


def test_padding_changes_nothing():
    """The loss of a padded batch is the sum of the sentences' own losses."""
    p = _parameters(6)
    batch = _batch()
    J, grads = lm_loss_and_gradients(p, batch)
    parts = [lm_loss_and_gradients(p, row[row >= 0][None, :]) for row in batch]
    assert J == pytest.approx(sum(j for j, _ in parts), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], sum(g[k] for _, g in parts), rtol=1e-10, atol=1e-12)


def test_loss_is_minus_the_sentence_log_probability(vocab):
    p = _parameters(len(vocab))
    for text in CORPUS:
        J, _ = lm_loss_and_gradients(p, np.array([vocab.encode(text, add_eos=True)]))
        assert -J == pytest.approx(sequence_log_probability(p, vocab, text), rel=1e-12)


def test_mean_token_loss_is_the_average_over_tokens(vocab):
    p = _parameters(len(vocab))
    total = -sum(sequence_log_probability(p, vocab, s) for s in CORPUS)
    n_tokens = sum(len(s) + 1 for s in CORPUS)
    assert mean_token_loss(p, vocab, CORPUS, batch_size=2) == pytest.approx(total / n_tokens, rel=1e-12)


def test_inputs_are_not_modified():
    p = _parameters(6)
    before = {k: v.copy() for k, v in p.items()}
    batch = _batch()
    batch_before = batch.copy()
    lm_loss_and_gradients(p, batch)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])
    np.testing.assert_array_equal(batch, batch_before)


def test_chain_rule_step_by_step(vocab):
    """log P(sentence) = Σ_t log ŷ<t>[y<t>], computed with lm_step one token at a time."""
    p = _parameters(len(vocab), seed=3)
    text = "abd"
    indices = vocab.encode(text, add_eos=True)
    a, x, total = np.zeros((5, 1)), np.zeros((len(vocab), 1)), 0.0
    for i in indices:
        a, z = lm_step(p, a, x)
        y_hat = softmax_with_temperature(z)[:, 0]
        total += math.log(y_hat[i])
        x = np.zeros((len(vocab), 1))
        x[i] = 1.0
    assert sequence_log_probability(p, vocab, text) == pytest.approx(total, rel=1e-12)
    cp = conditional_probabilities(p, vocab, text)
    assert cp.tokens == ["a", "b", "d", EOS]
    assert cp.log_probability == pytest.approx(np.log(cp.probabilities).sum(), rel=1e-12)
    np.testing.assert_allclose(cp.distributions.sum(axis=0), 1.0)


def test_next_token_probabilities_sum_to_one_and_match_the_conditionals(vocab):
    p = _parameters(len(vocab), seed=4)
    cp = conditional_probabilities(p, vocab, "cab")
    for t, prefix in enumerate(["", "c", "ca", "cab"]):
        dist = next_token_distribution(p, vocab, prefix)
        assert dist.shape == (len(vocab),)
        assert dist.sum() == pytest.approx(1.0, abs=1e-12) and np.all(dist > 0)
        np.testing.assert_allclose(dist, cp.distributions[:, t], rtol=1e-12)


def test_unknown_tokens_count_as_unk(vocab):
    p = _parameters(len(vocab))
    cp = conditional_probabilities(p, vocab, "axb")
    assert cp.indices.tolist() == [vocab.index("a"), 0, vocab.index("b"), 1]


def test_log_probability_of_a_long_sentence_stays_finite(vocab):
    p = _parameters(len(vocab))
    lp = sequence_log_probability(p, vocab, "ab" * 500)
    assert np.isfinite(lp) and lp < -500


# ---------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------


def test_sampling_with_a_fixed_seed_is_reproducible(vocab):
    p = _parameters(len(vocab))
    first = sample(p, vocab, np.random.default_rng(7))
    again = sample(p, vocab, np.random.default_rng(7))
    assert first.tokens == again.tokens and first.text == again.text
    np.testing.assert_array_equal(first.distributions, again.distributions)
    assert sample(p, vocab, 7).tokens == first.tokens  # an int seed works too
    others = {tuple(sample(p, vocab, np.random.default_rng(s)).tokens) for s in range(20)}
    assert len(others) > 1


def test_sample_records_its_distributions_and_stops_at_eos(vocab):
    p = _parameters(len(vocab))
    for seed in range(10):
        s = sample(p, vocab, np.random.default_rng(seed), max_length=8)
        assert s.distributions.shape == (len(vocab), len(s.tokens))
        np.testing.assert_allclose(s.distributions.sum(axis=0), 1.0)
        assert len(s.tokens) <= 8
        assert s.ended == (s.tokens[-1] == EOS)
        assert EOS not in s.tokens[:-1]
        assert s.text == "".join(t for t in s.tokens if t != EOS)


def test_first_token_frequencies_follow_the_softmax(vocab):
    """With Wya = 0 every step's distribution is softmax(by): the draws must follow it."""
    n_y = len(vocab)
    p = _parameters(n_y)
    p["Wya"] = np.zeros_like(p["Wya"])
    p["by"] = np.log(np.array([[0.05, 0.1, 0.4, 0.2, 0.15, 0.1]])).T
    rng = np.random.default_rng(0)
    firsts = [sample(p, vocab, rng, max_length=1).indices[0] for _ in range(4000)]
    freq = np.bincount(firsts, minlength=n_y) / len(firsts)
    np.testing.assert_allclose(freq, np.exp(p["by"][:, 0]), atol=0.025)


def test_temperature_towards_zero_samples_the_argmax(vocab):
    p = _parameters(len(vocab), seed=5)
    greedy = sample(p, vocab, None, greedy=True, max_length=20)
    for seed in range(5):
        cold = sample(p, vocab, np.random.default_rng(seed), temperature=1e-6, max_length=20)
        assert cold.tokens == greedy.tokens
    frozen = sample(p, vocab, np.random.default_rng(0), temperature=1e-300, max_length=20)  # no overflow
    assert frozen.tokens == greedy.tokens
    assert np.all(np.isin(frozen.distributions, (0.0, 1.0)))


def test_greedy_takes_the_most_probable_token_every_step(vocab):
    p = _parameters(len(vocab), seed=6)
    g = sample(p, vocab, None, greedy=True, max_length=10)
    assert all(g.indices[t] == np.argmax(g.distributions[:, t]) for t in range(len(g.tokens)))


def test_temperature_sharpens_and_flattens():
    z = np.array([[2.0], [1.0], [0.0]])
    entropy = [-(q * np.log(q)).sum() for q in (softmax_with_temperature(z, t) for t in (0.5, 1.0, 2.0))]
    assert entropy[0] < entropy[1] < entropy[2]
    np.testing.assert_allclose(softmax_with_temperature(z, 1e-12)[:, 0], [1, 0, 0])
    np.testing.assert_allclose(softmax_with_temperature(np.array([[1.0], [1.0]]), 1e-300)[:, 0], [0.5, 0.5])
    np.testing.assert_allclose(softmax_with_temperature(z * 1e300, 1e-300).sum(), 1.0)


def test_prefix_is_continued(vocab):
    p = _parameters(len(vocab))
    s = sample(p, vocab, np.random.default_rng(0), prefix="ca", max_length=5)
    assert s.text.startswith("ca")
    np.testing.assert_allclose(s.distributions[:, 0], next_token_distribution(p, vocab, "ca"))


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "hot"])
def test_bad_temperature_is_named(vocab, bad):
    p = _parameters(len(vocab))
    with pytest.raises(ValueError, match="temperature"):
        sample(p, vocab, np.random.default_rng(0), temperature=bad)
    with pytest.raises(ValueError, match="temperature"):
        next_token_distribution(p, vocab, "a", temperature=bad)


@pytest.mark.parametrize("bad", [0, -5, 2.5])
def test_bad_max_length_is_named(vocab, bad):
    with pytest.raises(ValueError, match="max_length"):
        sample(_parameters(len(vocab)), vocab, np.random.default_rng(0), max_length=bad)


def test_bad_rng_is_named(vocab):
    with pytest.raises(ValueError, match="rng"):
        sample(_parameters(len(vocab)), vocab, "seed")


def test_vocabulary_must_fit_the_model(vocab):
    with pytest.raises(ValueError, match="vocabulary"):
        sequence_log_probability(_parameters(len(vocab) + 1), vocab, "ab")


def test_parameters_must_share_one_vocabulary():
    p = _parameters(6)
    p["Wya"] = np.zeros((7, 5))
    with pytest.raises(ValueError, match="Wya"):
        lm_loss_and_gradients(p, _batch())


@pytest.mark.parametrize("batch, name", [(np.array([[2, 9]]), "batch_indices"), (np.array([2, 3]), "batch_indices"),
                                         (np.array([[2.0, 3.0]]), "batch_indices")])
def test_bad_batches_are_named(batch, name):
    with pytest.raises(ValueError, match=name):
        lm_loss_and_gradients(_parameters(6), batch)


def test_mask_on_padding_is_rejected():
    with pytest.raises(ValueError, match="mask"):
        lm_loss_and_gradients(_parameters(6), _batch(), np.ones((3, 4), dtype=bool))
