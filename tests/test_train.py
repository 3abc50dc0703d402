"""The batched trainer, its divergence guard, saving/loading, and the shipped models."""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_lib.data.corpora import agreement_examples
from course_lib.data.vocab import Vocabulary
from course_lib.lm import agreement_scores, lm_loss_and_gradients, mean_token_loss, sequence_log_probability
from course_lib.optim import SGD, Adam
from course_lib.rnn import initialize_rnn_parameters
from course_lib.train import (
    DEFAULTS,
    TrainingDiverged,
    default_corpus,
    default_model_path,
    iterate_batches,
    load_model,
    main,
    save_model,
    train_language_model,
    training_step,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = ["hello", "help", "hell", "yellow", "fellow", "held"]


@pytest.fixture
def vocab():
    return Vocabulary.build(TINY, "char")


def _train(vocab, **kwargs):
    args = dict(steps=60, batch_size=4, learning_rate=0.05, progress=False)
    args.update(kwargs)
    return train_language_model(TINY, vocab, 16, np.random.default_rng(0), **args)


def test_training_on_a_tiny_corpus_drives_the_loss_down(vocab):
    result = _train(vocab, steps=300)
    assert result.losses.shape == result.gradient_norms.shape == (300,)
    assert result.losses[0] == pytest.approx(math.log(len(vocab)), rel=0.05)  # starts near uniform
    final = mean_token_loss(result.parameters, vocab, TINY)
    assert final < 0.45, final
    assert result.seconds < 10
    assert result.tokens == pytest.approx(300 * 4 * (sum(len(s) + 1 for s in TINY) / len(TINY)), rel=0.3)


def test_same_seed_same_result(vocab):
    a, b = _train(vocab), _train(vocab)
    np.testing.assert_array_equal(a.losses, b.losses)
    for k in a.parameters:
        np.testing.assert_array_equal(a.parameters[k], b.parameters[k])
    c = train_language_model(TINY, vocab, 16, np.random.default_rng(1), steps=60, batch_size=4,
                             learning_rate=0.05, progress=False)
    assert not np.array_equal(a.losses, c.losses)
    d = train_language_model(TINY, vocab, 16, 0, steps=60, batch_size=4, learning_rate=0.05, progress=False)
    np.testing.assert_array_equal(a.losses, d.losses)  # an int seed is the same Generator


def test_training_step_is_pure_and_averages_per_token(vocab):
    rng = np.random.default_rng(0)
    indices = np.array([[2, 3, 1], [4, 1, -1]])
    mask = indices >= 0
    p = initialize_rnn_parameters(len(vocab), 8, len(vocab), rng)
    before = {k: v.copy() for k, v in p.items()}
    new, loss, norm = training_step(p, indices, mask, SGD(0.1))
    J, g = lm_loss_and_gradients(p, indices, mask)
    assert loss == pytest.approx(J / 5)
    np.testing.assert_allclose(new["Wax"], p["Wax"] - 0.1 * g["dWax"] / 5)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])
    assert norm == pytest.approx(np.sqrt(sum(((v / 5) ** 2).sum() for v in g.values())))


def test_gradient_norms_are_recorded_before_clipping(vocab):
    clipped = _train(vocab, clip=("norm", 1e-3), steps=5)
    assert np.all(clipped.gradient_norms > 1e-3)
    by_value = _train(vocab, clip=("value", 1e-3), optimizer="sgd", learning_rate=1.0, steps=5)
    assert np.all(by_value.gradient_norms > 1e-3)


def test_clipping_by_norm_bounds_each_update(vocab):
    """With SGD, each update is at most learning_rate × max_norm long."""
    seen = []

    def callback(step, parameters, loss):
        seen.append({k: v.copy() for k, v in parameters.items()})

    _train(vocab, optimizer="sgd", learning_rate=1.0, clip=("norm", 0.01), steps=6, callback=callback, callback_every=1)
    for before, after in zip(seen, seen[1:]):
        move = np.sqrt(sum(((after[k] - before[k]) ** 2).sum() for k in after))
        assert move <= 0.01 * (1 + 1e-9)


def test_callback_every_k_steps(vocab):
    calls = []
    _train(vocab, steps=25, callback=lambda step, p, loss: calls.append((step, sorted(p), loss)), callback_every=10)
    assert [c[0] for c in calls] == [10, 20]
    assert calls[0][1] == ["Waa", "Wax", "Wya", "ba", "by"] and np.isfinite(calls[0][2])


def test_progress_bar_runs(vocab, capsys):
    _train(vocab, steps=3, progress=True)
    assert "training" in capsys.readouterr().err


def test_an_optimizer_object_keeps_its_state_across_calls(vocab):
    adam = Adam(0.05)
    first = _train(vocab, optimizer=adam, steps=5)
    _train(vocab, optimizer=adam, steps=5, parameters=first.parameters)
    assert adam.t == 10


def test_continuing_from_parameters(vocab):
    first = _train(vocab, steps=30)
    more = _train(vocab, steps=30, parameters=first.parameters)
    assert more.losses[0] < first.losses[0]
    with pytest.raises(ValueError, match="n_a"):
        train_language_model(TINY, vocab, 8, 0, steps=2, parameters=first.parameters, progress=False)


@pytest.mark.parametrize("kwargs, name", [
    (dict(learning_rate=-0.1), "learning_rate"),
    (dict(learning_rate=0), "learning_rate"),
    (dict(learning_rate=math.nan), "learning_rate"),
    (dict(batch_size=-4), "batch_size"),
    (dict(batch_size=0), "batch_size"),
    (dict(steps=-1), "steps"),
    (dict(steps=2.5), "steps"),
    (dict(clip=("norm", -1.0)), "clip"),
    (dict(clip=("max", 1.0)), "clip"),
    (dict(clip=5.0), "clip"),
    (dict(optimizer="rmsprop"), "optimizer"),
    (dict(callback_every=0), "callback_every"),
    (dict(callback=3), "callback"),
])
def test_bad_hyper_parameters_are_named(vocab, kwargs, name):
    with pytest.raises(ValueError, match=name):
        _train(vocab, **kwargs)


def test_bad_n_a_rng_and_corpus_are_named(vocab):
    with pytest.raises(ValueError, match="n_a"):
        train_language_model(TINY, vocab, 0, 0, progress=False)
    with pytest.raises(ValueError, match="rng"):
        train_language_model(TINY, vocab, 4, "seed", progress=False)
    with pytest.raises(ValueError, match="corpus"):
        train_language_model("hello", vocab, 4, 0, progress=False)
    with pytest.raises(ValueError, match="vocabulary"):
        train_language_model(TINY, TINY, 4, 0, progress=False)


@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 1e6), ("adam", 1e3), ("sgd", 1e308)])
def test_divergence_raises_with_the_step_number(vocab, optimizer, learning_rate):
    with pytest.raises(TrainingDiverged, match=r"diverged at step \d+") as info:
        _train(vocab, optimizer=optimizer, learning_rate=learning_rate, steps=100)
    assert isinstance(info.value, ValueError) and isinstance(info.value, FloatingPointError)
    assert "gradient norm" in str(info.value) and "learning_rate" in str(info.value)


def test_divergence_limits_are_respected(vocab):
    with pytest.raises(TrainingDiverged, match="at step 1: .*gradient norm"):
        _train(vocab, max_gradient_norm=1e-9)
    with pytest.raises(TrainingDiverged, match="at step 1: loss per token"):
        _train(vocab, max_loss=0.1)


def test_batches_cover_every_sentence_once_per_epoch():
    encoded = [np.arange(n) + 2 for n in (3, 7, 1, 5, 5, 2, 9, 4, 6, 8)]
    batches = iterate_batches(encoded, 3, np.random.default_rng(0), pool=2)
    seen = []
    while True:
        indices, mask, epoch = next(batches)
        if epoch > 0:
            break
        assert indices.shape[1] == mask.sum(axis=1).max()  # padded to the longest only
        np.testing.assert_array_equal(mask, indices >= 0)
        for row, keep in zip(indices, mask):
            assert keep[: keep.sum()].all()  # padding only at the end
            seen.append(tuple(row[keep]))
    assert sorted(seen) == sorted(tuple(e) for e in encoded)


# ---------------------------------------------------------------------------------------
# Saving, loading, the command and the shipped models
# ---------------------------------------------------------------------------------------


def test_save_and_load_round_trip(vocab, tmp_path):
    result = _train(vocab, steps=5)
    loss = mean_token_loss(result.parameters, vocab, TINY)
    path = save_model(tmp_path / "m.npz", result.parameters, vocab, loss, {"note": "tiny"})
    model = load_model(path)
    assert model.vocabulary == vocab
    assert model.final_loss == loss
    assert model.metadata["note"] == "tiny" and model.metadata["final_loss"] == loss
    for k in result.parameters:
        np.testing.assert_array_equal(model.parameters[k], result.parameters[k])
    assert mean_token_loss(model.parameters, model.vocabulary, TINY) == loss


def test_load_model_names_a_missing_path(tmp_path):
    with pytest.raises(ValueError, match="path"):
        load_model(tmp_path / "nothing.npz")


def test_command_trains_and_saves(tmp_path, capsys):
    out = tmp_path / "zh.npz"
    assert main(["--corpus", "chinese", "--steps", "5", "--out", str(out), "--no-progress"]) == 0
    model = load_model(out)
    assert model.metadata["steps"] == 5 and model.metadata["corpus"] == "chinese"
    assert "final loss" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_shipped_model_loads_and_its_loss_is_reproduced(name):
    path = default_model_path(name)
    assert path.stat().st_size < 1_000_000
    model = load_model(path)
    corpus = default_corpus(name, model.metadata["seed"], model.metadata.get("n_sentences"))
    assert model.vocabulary == Vocabulary.build(corpus, DEFAULTS[name]["granularity"])
    assert mean_token_loss(model.parameters, model.vocabulary, corpus) == pytest.approx(model.final_loss, rel=1e-9)


def test_shipped_agreement_model_knows_was_from_were():
    model = load_model(default_model_path("agreement"))
    d = DEFAULTS["agreement"]
    scores = agreement_scores(model.parameters, model.vocabulary, agreement_examples(600, 12345, d["min_filler"], d["max_filler"]))
    for filler_length, (n, p_correct, accuracy) in scores.by_filler_length().items():
        assert accuracy > 0.9 and p_correct > 0.8, (filler_length, p_correct, accuracy)


def test_shipped_chinese_model_prefers_the_sensible_homophone():
    model = load_model(default_model_path("chinese"))
    sensible = sequence_log_probability(model.parameters, model.vocabulary, "历史总是不断重演")
    nonsense = sequence_log_probability(model.parameters, model.vocabulary, "力使总事不断虫眼")
    assert sensible > nonsense + 20  # a factor e^20 ≈ 5·10^8


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_retraining_with_the_command_defaults_reaches_the_shipped_loss(name, tmp_path):
    """python -m course_lib.train --corpus <name>, from scratch (about 10 s each)."""
    out = tmp_path / f"lm_{name}.npz"
    # One BLAS thread: these matrices are small, and extra threads only wait on a busy machine.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "course_lib.train", "--corpus", name, "--out", str(out), "--no-progress"],
                   check=True, cwd=ROOT, env=env, capture_output=True, timeout=300)
    shipped = load_model(default_model_path(name)).final_loss
    assert load_model(out).final_loss == pytest.approx(shipped, rel=0.10)
