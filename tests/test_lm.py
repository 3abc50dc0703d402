"""The recurrent language model: exact gradients (by the one-hot lookup and by the dense
path), the chain rule, the hidden states, sampling behaviour, and bad input answered."""

import dataclasses
import math

import numpy as np
import pytest

from course_lib import activations
from course_lib.data.vocab import EOS, Vocabulary, one_hot
from course_lib.gradients import gradient_check
from course_lib.lm import (
    check_lm_parameters,
    conditional_probabilities,
    hidden_states,
    lm_forward,
    lm_loss_and_gradients,
    lm_step,
    log_probabilities,
    mean_token_loss,
    next_token_distribution,
    sample,
    sequence_log_probability,
    softmax_with_temperature,
    teacher_forcing_inputs,
)
from course_lib.recurrent import cell_names, get_cell, matmul_steps, one_hot_matmul, one_hot_outer_sum, outer_sum
from course_lib.rnn import initialize_rnn_parameters, rnn_forward

# The RNN without its one-hot shortcut: the language model then builds one-hot x and runs
# the cell's own dense backward. Both paths must give the same numbers.
DENSE_RNN = dataclasses.replace(get_cell("rnn"), name="rnn (dense)", one_hot_input_term=None,
                                one_hot_parameter_gradients=None)
CELLS = [pytest.param("rnn", id="lookup"), pytest.param(DENSE_RNN, id="dense")]

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


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("name", ["Wax", "Waa", "ba", "Wya", "by"])
def test_gradients_match_finite_differences(name, cell):
    p = _parameters(6, seed=1)
    batch = _batch()
    _, gradients = lm_loss_and_gradients(p, batch, cell=cell)
    assert list(gradients) == ["dWax", "dWaa", "dba", "dWya", "dby"]

    def loss(theta):
        return lm_loss_and_gradients({**p, name: theta}, batch, cell=cell)[0]

    assert gradient_check(loss, p[name], gradients["d" + name], epsilon=1e-6) < 1e-7


@pytest.mark.parametrize("name", cell_names())
def test_every_registered_cell_is_a_language_model(name, vocab):
    """Loss and gradients, sampling and one step, for every cell of the recurrent core."""
    cell = get_cell(name)
    p = cell.initialize(len(vocab), 4, len(vocab), np.random.default_rng(2), 0.5)
    batch = _batch()
    _, gradients = lm_loss_and_gradients(p, batch, cell=name)
    assert set(gradients) == {"d" + k for k in p}
    for k in p:
        error = gradient_check(lambda th: lm_loss_and_gradients({**p, k: th}, batch, cell=name)[0],
                               p[k], gradients["d" + k], epsilon=1e-5)
        assert error < 1e-7, (name, k, error)
    drawn = sample(p, vocab, 0, cell=name, max_length=6)
    np.testing.assert_allclose(drawn.distributions[:, 0], next_token_distribution(p, vocab, "", cell=name))
    states = tuple(np.zeros((4, 1)) for _ in cell.states)
    _, z = lm_step(p, states if len(states) > 1 else states[0], np.zeros((len(vocab), 1)), cell=name)
    np.testing.assert_allclose(softmax_with_temperature(z)[:, 0], drawn.distributions[:, 0], rtol=1e-12)


def test_the_one_hot_lookup_and_the_dense_path_agree():
    p = _parameters(6, seed=7)
    batch = _batch()
    J, g = lm_loss_and_gradients(p, batch)
    J_dense, g_dense = lm_loss_and_gradients(p, batch, cell=DENSE_RNN)
    assert J == pytest.approx(J_dense, rel=1e-13)
    for k in g:
        np.testing.assert_allclose(g[k], g_dense[k], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(hidden_states(p, batch), hidden_states(p, batch, cell=DENSE_RNN), rtol=1e-13)


@pytest.mark.parametrize("gather_below", [0.0, 2.0], ids=["every step", "real tokens only"])
def test_the_output_layer_on_every_step_or_on_the_tokens_alone_gives_the_same(monkeypatch, gather_below):
    """With much padding the output layer runs on the real tokens only; the numbers are the same."""
    import course_lib.lm

    p, batch = _parameters(6, seed=11), _batch()
    mask = batch >= 0
    mask[2, 0] = False
    J_ref, g_ref = lm_loss_and_gradients(p, batch, mask, cell=DENSE_RNN)
    monkeypatch.setattr(course_lib.lm._Columns, "GATHER_BELOW", gather_below)
    J, g = lm_loss_and_gradients(p, batch, mask)
    assert J == pytest.approx(J_ref, rel=1e-13)
    for k in g:
        np.testing.assert_allclose(g[k], g_ref[k], rtol=1e-11, atol=1e-14)
    err = gradient_check(lambda th: lm_loss_and_gradients({**p, "Waa": th}, batch, mask)[0], p["Waa"], g["dWaa"],
                         epsilon=1e-6)
    assert err < 1e-7


def test_one_hot_products_are_the_dense_products():
    """A one-hot x times W is a column of W; dz xᵀ summed is a scatter-add into columns."""
    rng = np.random.default_rng(3)
    indices = rng.integers(-1, 7, (4, 5))  # −1: the zero input
    W, b, dz = rng.standard_normal((3, 7)), rng.standard_normal((3, 1)), rng.standard_normal((3, 4, 5))
    x = one_hot(indices, 7)
    np.testing.assert_array_equal(one_hot_matmul(W, indices), matmul_steps(W, x))
    np.testing.assert_array_equal(one_hot_matmul(W, indices, b), matmul_steps(W, x) + b[:, :, None])
    np.testing.assert_array_equal(one_hot_matmul(W, indices[:, 0], b), W @ x[:, :, 0] + b)  # one step
    np.testing.assert_allclose(one_hot_outer_sum(dz, indices, 7), outer_sum(dz, x), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(one_hot_outer_sum(dz[:, :, 0], indices[:, 0], 7), dz[:, :, 0] @ x[:, :, 0].T,
                               rtol=1e-13, atol=1e-15)


def test_hidden_states_are_the_rnn_on_the_teacher_forced_inputs():
    p = _parameters(6, seed=8)
    batch = _batch()
    x = one_hot(teacher_forcing_inputs(batch), 6)
    a, _, _ = rnn_forward(x, np.zeros((5, 3)), {k: p[k] for k in ("Wax", "Waa", "ba")})
    np.testing.assert_allclose(hidden_states(p, batch), a, rtol=1e-13, atol=1e-15)
    caches = lm_forward(p, batch)
    np.testing.assert_array_equal(caches.x, x)  # the public caches keep the real one-hot inputs
    np.testing.assert_array_equal(caches.state("a"), hidden_states(p, batch))


def test_log_probabilities_are_the_log_softmax_of_the_logits():
    p = _parameters(6, seed=9)
    batch = _batch()
    a = hidden_states(p, batch)
    z = np.einsum("ya,amt->ymt", p["Wya"], a) + p["by"][:, :, None]
    np.testing.assert_allclose(log_probabilities(p, batch), activations.log_softmax(z), rtol=1e-12, atol=1e-13)


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
    p["Wya"], p["by"] = np.zeros((7, 5)), np.zeros((7, 1))
    with pytest.raises(ValueError, match=r'Wya.*n_y = n_x = 6'):
        lm_loss_and_gradients(p, _batch())


@pytest.mark.parametrize("batch, name", [(np.array([[2, 9]]), "batch_indices"), (np.array([2, 3]), "batch_indices"),
                                         (np.array([[2.0, 3.0]]), "batch_indices")])
def test_bad_batches_are_named(batch, name):
    with pytest.raises(ValueError, match=name):
        lm_loss_and_gradients(_parameters(6), batch)


def test_mask_on_padding_is_rejected():
    with pytest.raises(ValueError, match="mask"):
        lm_loss_and_gradients(_parameters(6), _batch(), np.ones((3, 4), dtype=bool))


# ---------------------------------------------------------------------------------------
# Bad input, answered at the door
# ---------------------------------------------------------------------------------------


def test_check_lm_parameters_returns_float64_copies_and_names_problems(vocab):
    p = _parameters(len(vocab))
    checked = check_lm_parameters(p, vocab)
    assert set(checked) == set(p) and all(v.dtype == np.float64 for v in checked.values())
    with pytest.raises(ValueError, match=r"missing \['Wya', 'by'\].*output layer"):
        check_lm_parameters({k: p[k] for k in ("Wax", "Waa", "ba")})
    with pytest.raises(ValueError, match="dWaa"):
        check_lm_parameters({**p, "dWaa": p["Waa"]})  # a gradient mixed in
    with pytest.raises(ValueError, match="vocabulary"):
        check_lm_parameters(p, ["a", "b"])
    with pytest.raises(ValueError, match="cell must be one of"):
        check_lm_parameters(p, cell="transformer")


@pytest.mark.parametrize("call", [
    lambda p, v: sample(p, v, 0),
    lambda p, v: next_token_distribution(p, v, "a"),
    lambda p, v: lm_step(p, np.zeros((5, 1)), np.zeros((len(v), 1))),
    lambda p, v: sequence_log_probability(p, v, "ab"),
    lambda p, v: lm_loss_and_gradients(p, _batch()),
], ids=["sample", "next_token_distribution", "lm_step", "sequence_log_probability", "lm_loss_and_gradients"])
@pytest.mark.parametrize("key, bad", [
    ("by", lambda p: p["by"][:, 0]),  # shape (n_y,): would broadcast into a wrong distribution
    ("Wya", lambda p: p["Wya"][:, :-1]),
    ("Waa", lambda p: np.full(p["Waa"].shape, np.nan)),
    ("ba", lambda p: p["ba"].astype(complex)),
    ("Wax", lambda p: "weights"),
])
def test_every_path_checks_every_parameter(vocab, call, key, bad):
    p = _parameters(len(vocab))
    with pytest.raises(ValueError, match=key):
        call({**p, key: bad(p)}, vocab)


def test_no_hidden_units_is_refused(vocab):
    p = initialize_rnn_parameters(len(vocab), 1, len(vocab), 0)
    empty = {"Wax": np.zeros((0, len(vocab))), "Waa": np.zeros((0, 0)), "ba": np.zeros((0, 1)),
             "Wya": np.zeros((len(vocab), 0)), "by": p["by"]}
    with pytest.raises(ValueError, match="Wax"):
        sample(empty, vocab, 0)
    with pytest.raises(ValueError, match="Wax"):
        lm_loss_and_gradients(empty, _batch())


@pytest.mark.parametrize("kwargs, name", [
    (dict(temperature="0.5"), "temperature"), (dict(temperature=True), "temperature"),
    (dict(greedy="no"), "greedy"), (dict(greedy=1), "greedy"), (dict(max_length=True), "max_length"),
    (dict(max_length="5"), "max_length"), (dict(prefix=3), "prefix"), (dict(rng=1.5), "rng"),
])
def test_strings_and_bools_are_not_taken_as_numbers(vocab, kwargs, name):
    args = dict(rng=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        sample(_parameters(len(vocab)), vocab, **args)


def test_greedy_may_have_no_rng_but_a_given_rng_is_checked(vocab):
    p = _parameters(len(vocab))
    assert sample(p, vocab, None, greedy=True).tokens == sample(p, vocab, 3, greedy=True).tokens
    with pytest.raises(ValueError, match="rng"):
        sample(p, vocab, None)  # drawing needs one
    with pytest.raises(ValueError, match="rng"):
        sample(p, vocab, "seed", greedy=True)


@pytest.mark.parametrize("bad", [np.array([2, 3]), np.array([[2.0, 3.0]]), np.array([[True, False]]),
                                 np.array([[2, -2]]), np.array([[2, -1, 3]]), np.zeros((1, 0), int), "abc", None])
def test_teacher_forcing_inputs_checks_its_indices(bad):
    with pytest.raises(ValueError, match="batch_indices"):
        teacher_forcing_inputs(bad)


def test_padding_must_come_after_the_sentence():
    with pytest.raises(ValueError, match="padding.*row 1"):
        lm_loss_and_gradients(_parameters(6), np.array([[2, 3, 1], [4, -1, 1]]))


@pytest.mark.parametrize("mask, name", [(np.ones((3, 3), bool), "mask"), (np.full((3, 4), 0.5), "mask"),
                                        ("all", "mask"), (np.ones((3, 4, 1), bool), "mask")])
def test_bad_masks_are_named(mask, name):
    with pytest.raises(ValueError, match=name):
        lm_loss_and_gradients(_parameters(6), _batch(), mask)


def test_an_integer_mask_of_zeros_and_ones_is_a_mask():
    p, batch = _parameters(6), _batch()
    mask = (batch >= 0).astype(int)
    mask[0, 0] = 0
    J, _ = lm_loss_and_gradients(p, batch, mask)
    assert J == pytest.approx(lm_loss_and_gradients(p, batch, mask.astype(bool))[0], rel=1e-15)


def test_a_mask_that_keeps_nothing_gives_zero():
    J, gradients = lm_loss_and_gradients(_parameters(6), _batch(), np.zeros((3, 4), bool))
    assert J == 0.0 and all(not np.any(g) for g in gradients.values())


def test_lm_step_checks_its_states(vocab):
    p = _parameters(len(vocab))
    with pytest.raises(ValueError, match="a_prev"):
        lm_step(p, np.zeros((4, 1)), np.zeros((len(vocab), 1)))
    with pytest.raises(ValueError, match="xt"):
        lm_step(p, np.zeros((5, 1)), np.zeros((len(vocab) + 1, 1)))
    with pytest.raises(ValueError, match="a_prev"):
        lm_step(p, np.zeros((5, 2)), np.zeros((len(vocab), 1)))  # xt defines m = 1


@pytest.mark.parametrize("call, name", [
    (lambda p, v: mean_token_loss(p, v, "abc"), "sentences"),
    (lambda p, v: mean_token_loss(p, v, []), "sentences"),
    (lambda p, v: mean_token_loss(p, v, ["ab"], batch_size=0), "batch_size"),
    (lambda p, v: mean_token_loss(p, v, ["ab"], batch_size=2.0), "batch_size"),
    (lambda p, v: conditional_probabilities(p, v, 42), "text"),
    (lambda p, v: hidden_states(p, [[0.5]]), "batch_indices"),
    (lambda p, v: log_probabilities(p, np.array([[len(v)]])), "batch_indices"),
])
def test_other_bad_arguments_are_named(vocab, call, name):
    with pytest.raises(ValueError, match=name):
        call(_parameters(len(vocab)), vocab)


def test_lm_functions_do_not_modify_their_inputs(vocab):
    p = _parameters(len(vocab))
    before = {k: v.copy() for k, v in p.items()}
    batch = _batch()
    for f in (lambda: hidden_states(p, batch), lambda: log_probabilities(p, batch), lambda: sample(p, vocab, 1),
              lambda: lm_step(p, np.zeros((5, 1)), np.zeros((len(vocab), 1))),
              lambda: mean_token_loss(p, vocab, CORPUS)):
        f()
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])
    np.testing.assert_array_equal(batch, _batch())
