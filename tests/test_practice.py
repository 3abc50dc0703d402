"""Language models in practice (notebook 04b): held-out data, perplexity, top-k and nucleus
truncation, truncated BPTT, the Tang corpus and the shipped models."""

import json

import numpy as np
import pytest

from course_lib import lm_practice
from course_lib.data import Vocabulary, split_corpus
from course_lib.data.corpora import chinese_sentences
from course_lib.data.poems import TANG_FILE, poem_lines, tang_poems
from course_lib.gradients import gradient_check
from course_lib.lm import (chunk_loss_and_gradients, lm_loss_and_gradients, mean_token_loss, next_token_distribution,
                           perplexity, sample, teacher_forcing_inputs, truncate_distribution)
from course_lib.recurrent import cell_names, get_cell
from course_lib.tbptt import stream_chunks, text_stream, train_truncated
from course_lib.train import train_language_model, train_model
from course_lib.viz.training import loss_curves

CORPUS = ["abc", "abd", "ba", "cab", "dd", "abcd", "dcba", "bad"]


@pytest.fixture
def vocabulary():
    return Vocabulary.build(CORPUS, "char")


# --- split_corpus ----------------------------------------------------------------------------

def test_split_is_fixed_by_the_seed_and_keeps_repeats_in_one_part():
    items = [f"s{i % 37}" for i in range(100)]  # 37 distinct items, most of them repeated
    a, b, c = split_corpus(items, 3), split_corpus(items, 3), split_corpus(items, 4)
    assert a == b and a != c
    parts = [set(part) for part in a]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert sorted(a.train + a.validation + a.test) == sorted(items)  # every copy somewhere
    assert [len(p) for p in parts] == [round(0.8 * 37), round(0.9 * 37) - round(0.8 * 37), 37 - round(0.9 * 37)]
    for part in a:  # in the corpus's order
        assert part == [x for x in items if x in set(part)]


def test_split_does_not_modify_its_input():
    items = chinese_sentences()
    before = list(items)
    split_corpus(items, 0)
    assert items == before


# --- held-out loss while training ------------------------------------------------------------

def test_train_model_measures_the_held_out_loss_at_step_0_every_k_and_at_the_end():
    seen = []

    def loss(p, batch):
        return float(np.sum((p["w"] - batch) ** 2)), {"dw": 2 * (p["w"] - batch)}, 1

    def held_out(p):
        seen.append(p["w"].copy())
        return float(np.sum((p["w"] - 3.0) ** 2))

    result = train_model(loss, {"w": np.zeros(2)}, [np.full(2, 3.0)], steps=7, optimizer="sgd", learning_rate=0.1,
                         progress=False, held_out=held_out, held_out_every=3)
    assert result.held_out_steps.tolist() == [0, 3, 6, 7]
    assert result.held_out_losses[0] == 18.0 and np.all(np.diff(result.held_out_losses) < 0)
    np.testing.assert_array_equal(seen[-1], result.parameters["w"])  # measured on the final parameters
    plain = train_model(loss, {"w": np.zeros(2)}, [np.full(2, 3.0)], steps=7, optimizer="sgd", learning_rate=0.1,
                        progress=False)
    np.testing.assert_array_equal(plain.parameters["w"], result.parameters["w"])  # measuring changes nothing
    assert plain.held_out_steps.size == 0 and plain.held_out_losses.size == 0


def test_train_language_model_held_out_is_the_mean_token_loss_of_the_held_out_sentences(vocabulary):
    result = train_language_model(CORPUS[:6], vocabulary, 8, 0, steps=10, batch_size=2, progress=False,
                                  held_out=CORPUS[6:], held_out_every=5)
    assert result.held_out_steps.tolist() == [0, 5, 10]
    assert result.held_out_losses[-1] == pytest.approx(mean_token_loss(result.parameters, vocabulary, CORPUS[6:]),
                                                       rel=1e-12)
    assert result.config["cpu_seconds"] > 0


def test_loss_curves_draw_the_training_and_the_held_out_loss(vocabulary):
    result = train_language_model(CORPUS, vocabulary, 8, 0, steps=20, batch_size=2, progress=False,
                                  held_out=CORPUS[:2], held_out_every=10)
    figure = loss_curves({"a": result, "b": result}, smooth=5)
    held_out = [t for t in figure.data if t.line.dash == "dash"]
    assert len(held_out) == 2 and list(held_out[0].x) == [0, 10, 20]
    np.testing.assert_allclose(held_out[0].y, result.held_out_losses)
    assert {t.name for t in figure.data if t.showlegend is not False} == {"a: training", "a: held-out", "b: training",
                                                                          "b: held-out"}


# --- perplexity ------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", cell_names())
def test_a_model_with_zero_weights_is_uniform_its_perplexity_is_n_y(vocabulary, cell):
    c = get_cell(cell)
    p = {k: np.zeros_like(v) for k, v in c.initialize(len(vocabulary), 4, len(vocabulary), 0, 0.1).items()}
    assert perplexity(p, vocabulary, CORPUS, cell=cell) == pytest.approx(len(vocabulary), rel=1e-12)


def test_perplexity_is_exp_of_the_mean_token_loss(vocabulary):
    p = get_cell("rnn").initialize(len(vocabulary), 5, len(vocabulary), 1, 1.0)
    assert perplexity(p, vocabulary, CORPUS, batch_size=3) == pytest.approx(np.exp(mean_token_loss(p, vocabulary, CORPUS)),
                                                                            rel=1e-12)


# --- top-k and nucleus ----------------------------------------------------------------------

def test_truncation_keeps_the_most_probable_and_renormalises():
    y = np.array([0.1, 0.4, 0.05, 0.3, 0.15])
    before = y.copy()
    np.testing.assert_allclose(truncate_distribution(y, top_k=2), [0, 0.4 / 0.7, 0, 0.3 / 0.7, 0])
    np.testing.assert_allclose(truncate_distribution(y, top_p=0.7), [0, 0.4 / 0.7, 0, 0.3 / 0.7, 0])  # reaches 0.7
    np.testing.assert_allclose(truncate_distribution(y, top_p=0.71), [0, 0.4, 0, 0.3, 0.15] / np.float64(0.85))
    np.testing.assert_allclose(truncate_distribution(y, top_p=1.0), y)
    np.testing.assert_allclose(truncate_distribution(y, top_k=1), [0, 1, 0, 0, 0])  # greedy
    np.testing.assert_allclose(truncate_distribution(y, top_k=3, top_p=0.5), [0, 0.4 / 0.7, 0, 0.3 / 0.7, 0])  # both cuts
    np.testing.assert_array_equal(y, before)


def test_sampling_with_top_k_draws_only_among_the_k_most_probable(vocabulary):
    p = get_cell("rnn").initialize(len(vocabulary), 6, len(vocabulary), 2, 1.0)
    for seed in range(20):
        drawn = sample(p, vocabulary, seed, top_k=2, max_length=10)
        for t in range(len(drawn.tokens)):
            assert np.count_nonzero(drawn.distributions[:, t]) <= 2
            assert drawn.distributions[drawn.indices[t], t] > 0
    assert sample(p, vocabulary, 5, top_k=1).indices.tolist() == sample(p, vocabulary, None, greedy=True).indices.tolist()
    full = next_token_distribution(p, vocabulary, "ab")
    nucleus = next_token_distribution(p, vocabulary, "ab", top_p=0.6)
    kept = nucleus > 0
    assert full[kept].sum() >= 0.6 and full[kept].min() >= full[~kept].max()


# --- truncated BPTT -------------------------------------------------------------------------

@pytest.mark.parametrize("cell", cell_names())
def test_chunk_gradients_are_exact_and_a_whole_sentence_chunk_is_the_lm_loss(cell):
    rng = np.random.default_rng(3)
    c = get_cell(cell)
    p = c.initialize(7, 5, 7, rng, 0.5)
    y = rng.integers(0, 7, (3, 6))
    x = np.concatenate([rng.integers(-1, 7, (3, 1)), y[:, :-1]], axis=1)
    initial = tuple(0.5 * rng.standard_normal((5, 3)) for _ in c.states)
    J, g, final = chunk_loss_and_gradients(p, x, y, initial, cell)
    for k in p:
        assert gradient_check(lambda th: chunk_loss_and_gradients({**p, k: th}, x, y, initial, cell)[0], p[k],
                              g["d" + k]) < 1e-5
    assert len(final) == len(c.states) and final[0].shape == (5, 3)
    J_lm, g_lm = lm_loss_and_gradients(p, y, cell=cell)
    J_0, g_0, _ = chunk_loss_and_gradients(p, teacher_forcing_inputs(y), y, None, cell)
    assert J_0 == pytest.approx(J_lm, rel=1e-12)
    for k in g_lm:
        np.testing.assert_allclose(g_0[k], g_lm[k], rtol=1e-10, atol=1e-14)


def test_the_carried_state_is_the_last_state_of_one_long_forward_pass():
    """Two chunks with the state carried compute the same states as one pass over both."""
    rng = np.random.default_rng(0)
    p = get_cell("rnn").initialize(6, 4, 6, rng, 0.5)
    y = rng.integers(0, 6, (2, 8))
    x = np.concatenate([np.full((2, 1), -1), y[:, :-1]], axis=1)
    J_all, _, final_all = chunk_loss_and_gradients(p, x, y)
    J_1, _, carried = chunk_loss_and_gradients(p, x[:, :3], y[:, :3])
    J_2, _, final_2 = chunk_loss_and_gradients(p, x[:, 3:], y[:, 3:], carried)
    assert J_1 + J_2 == pytest.approx(J_all, rel=1e-12)
    np.testing.assert_allclose(final_2[0], final_all[0], rtol=1e-12)


def test_text_stream_reads_zero_after_every_eos(vocabulary):
    x, y = text_stream(["ab", "c"], vocabulary)
    eos = vocabulary.index("<EOS>")
    assert y.tolist() == vocabulary.encode("ab", add_eos=True) + vocabulary.encode("c", add_eos=True)
    assert x.tolist() == [-1, y[0], y[1], -1, y[3]] and y[2] == eos


def test_stream_chunks_continue_each_stream_and_start_passes_at_random_offsets():
    x, y = np.arange(-1, 199), np.arange(0, 200)
    chunks = stream_chunks(x, y, 3, 5, 0)
    first = next(chunks)
    assert first[2] is True and first[0].shape == (3, 5)
    previous, starts = first, 1
    offsets = {int(first[1][0, 0])}
    for _ in range(60):
        chunk = next(chunks)
        if chunk[2]:
            starts += 1
            offsets.add(int(chunk[1][0, 0]))
        else:
            np.testing.assert_array_equal(chunk[1][:, 0], previous[1][:, -1] + 1)  # the stream goes on
        np.testing.assert_array_equal(chunk[0], chunk[1] - 1)  # x is y shifted by one
        previous = chunk
    assert starts >= 3 and len(offsets) > 1


def test_train_truncated_learns_and_is_deterministic(vocabulary):
    text = ["abcd" * 3, "dcba" * 3] * 10
    a = train_truncated(text, vocabulary, 8, 0, chunk_length=6, batch_size=4, steps=60, learning_rate=0.02,
                        held_out=["abcdabcd"], progress=False)
    b = train_truncated(text, vocabulary, 8, 0, chunk_length=6, batch_size=4, steps=60, learning_rate=0.02,
                        held_out=["abcdabcd"], progress=False)
    np.testing.assert_array_equal(a.parameters["Waa"], b.parameters["Waa"])
    assert a.held_out_losses[-1] < 0.5 * a.held_out_losses[0]
    assert a.tokens == 60 * 4 * 6 and a.config["chunk_length"] == 6


# --- the Tang corpus and the shipped models ---------------------------------------------------

def test_the_tang_poems_read_back_whole():
    poems = tang_poems()
    assert len(poems) == 313 and len(poem_lines(poems)) == 1601
    assert poems[0].title == "感遇・其一" and poems[0].author == "张九龄"
    assert all(p.text and "\x1b" not in p.text and "作者" not in p.text for p in poems)
    assert TANG_FILE.read_text(encoding="utf-8").startswith("# 唐诗三百首")


def test_unk_rate_and_copy_fraction(vocabulary):
    assert lm_practice.unk_rate(vocabulary, ["abz", "zz"]) == pytest.approx(3 / 5)
    assert lm_practice.copy_fraction(["abc", "x", "abc", "y"], ["abc", "q"]) == 0.5


@pytest.mark.parametrize("name", sorted(lm_practice.RECIPES))
def test_shipped_models_match_their_recipe(name):
    model = lm_practice.load_practice_model(name)
    recipe = lm_practice.RECIPES[name]
    assert model.metadata["steps"] == recipe["steps"] and model.metadata["n_a"] == recipe["n_a"]
    vocabulary = lm_practice.corpus_vocabulary(recipe["corpus"], recipe["granularity"])
    assert model.vocabulary == vocabulary
    validation = lm_practice.corpus_split(recipe["corpus"]).validation
    assert mean_token_loss(model.parameters, vocabulary, validation) == pytest.approx(
        model.metadata["history"]["held_out_losses"][-1], abs=1e-5)


def test_the_sweep_ships_every_chunk_length_reading_the_same_tokens():
    sweep = lm_practice.load_sweep()
    assert tuple(sweep) == lm_practice.CHUNK_LENGTHS
    for chunk_length, run in sweep.items():
        assert run["chunk_length"] == chunk_length
        assert run["tokens"] == run["steps"] * run["batch_size"] * chunk_length
        assert abs(run["tokens"] - lm_practice.SWEEP_TOKENS) <= run["batch_size"] * chunk_length


@pytest.mark.slow
def test_retraining_a_shipped_model_gives_its_weights_back():
    model = lm_practice.load_practice_model("tang_word")
    result, vocabulary, _ = lm_practice.train_recipe("tang_word", progress=False)
    for k, w in model.parameters.items():
        np.testing.assert_allclose(result.parameters[k], w, rtol=1e-6, atol=1e-9)
