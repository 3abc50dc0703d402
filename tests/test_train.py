"""The batched trainer, its divergence guard, saving/loading, and the shipped models."""

import math
import os
import pickle
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
import course_lib.train
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
    with pytest.raises(TrainingDiverged, match="at step 1: loss per token"):
        _train(vocab, max_loss=0.1, clip=("norm", 1.0))  # the loss limit holds with clipping too


@pytest.mark.parametrize("clip", [("norm", 1.0), ("value", 0.1)])
def test_with_clipping_a_large_norm_is_clipped_not_fatal(vocab, clip):
    """The norm limit is checked before clipping, so with clipping it would stop exactly
    the steps clipping is there to handle: it applies only when clip is None."""
    result = _train(vocab, clip=clip, max_gradient_norm=1e-9, steps=10)
    assert np.all(result.gradient_norms > 1e-9) and np.all(np.isfinite(result.losses))


@pytest.mark.parametrize("bad_norm", [math.nan, math.inf])
@pytest.mark.parametrize("clip", [None, ("norm", 1.0)])
def test_a_non_finite_norm_always_stops_training(vocab, monkeypatch, clip, bad_norm):
    real_step = course_lib.train.training_step
    calls = []

    def step_whose_third_norm_is_bad(*args):
        new_parameters, loss, norm = real_step(*args)
        calls.append(norm)
        return new_parameters, loss, (bad_norm if len(calls) == 3 else norm)

    monkeypatch.setattr(course_lib.train, "training_step", step_whose_third_norm_is_bad)
    with pytest.raises(TrainingDiverged, match=r"at step 3: .*gradient norm (nan|inf)") as info:
        _train(vocab, clip=clip, max_gradient_norm=1e300)
    assert info.value.step == 3
    np.testing.assert_array_equal(info.value.gradient_norms[:2], calls[:2])
    assert not np.isfinite(info.value.gradient_norms[2])


@pytest.mark.parametrize("optimizer, learning_rate", [("adam", 1e3), ("sgd", 1e308)])
def test_divergence_carries_the_run_up_to_the_failure(vocab, optimizer, learning_rate):
    with pytest.raises(TrainingDiverged) as info:
        _train(vocab, optimizer=optimizer, learning_rate=learning_rate, steps=100)
    error = info.value
    assert f"at step {error.step}" in str(error)
    assert error.losses.shape == error.gradient_norms.shape == (error.step,)
    # Every step before the failing one passed the guard ...
    assert np.all(error.losses[:-1] <= 20.0) and np.all(error.gradient_norms[:-1] <= 1e6)
    # ... and the failing one did not (or could not be measured: NaN).
    assert not (error.losses[-1] <= 20.0 and error.gradient_norms[-1] <= 1e6)
    if error.step > 1:  # the steps before are those of the same run stopped just before the failure
        before = _train(vocab, optimizer=optimizer, learning_rate=learning_rate, steps=error.step - 1)
        np.testing.assert_array_equal(error.losses[:-1], before.losses)
        np.testing.assert_array_equal(error.gradient_norms[:-1], before.gradient_norms)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) and copy.step == error.step
    np.testing.assert_array_equal(copy.losses, error.losses)


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


def test_agreement_long_differs_from_agreement_only_in_the_distance():
    changed = {k for k in DEFAULTS["agreement"] if DEFAULTS["agreement"][k] != DEFAULTS["agreement_long"][k]}
    assert changed == {"min_filler"} and set(DEFAULTS["agreement_long"]) == set(DEFAULTS["agreement"])
    assert DEFAULTS["agreement_long"]["min_filler"] > DEFAULTS["agreement"]["min_filler"] + 5  # long clauses only
    corpus = default_corpus("agreement_long")
    assert len(corpus) == DEFAULTS["agreement_long"]["n_sentences"] and corpus != default_corpus("agreement")


def test_shipped_long_clause_model_never_learned_the_agreement():
    """Trained on long clauses only, the vanilla RNN stays near chance at every distance
    (notebook 05's baseline for the GRU and the LSTM)."""
    model = load_model(default_model_path("agreement_long"))
    scores = agreement_scores(model.parameters, model.vocabulary, agreement_examples(2000, 12345, 2, 24))
    trained = range(DEFAULTS["agreement_long"]["min_filler"], DEFAULTS["agreement_long"]["max_filler"] + 1)
    for lengths in ([k for k in range(2, 25) if k < trained[0]], list(trained), [k for k in range(2, 25) if k > trained[-1]]):
        chosen = np.isin(scores.filler_length, lengths)
        assert 0.3 < scores.correct[chosen].mean() < 0.7, (lengths, scores.correct[chosen].mean())
    assert set(model.metadata["agreement_by_filler_length"]) == {str(k) for k in range(2, 25)}


def test_shipped_chinese_model_prefers_the_sensible_homophone():
    model = load_model(default_model_path("chinese"))
    sensible = sequence_log_probability(model.parameters, model.vocabulary, "历史总是不断重演")
    nonsense = sequence_log_probability(model.parameters, model.vocabulary, "力使总事不断虫眼")
    assert sensible > nonsense + 20  # a factor e^20 ≈ 5·10^8


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_retraining_with_the_command_defaults_reaches_the_shipped_loss(name, tmp_path):
    """python -m course_lib.train --corpus <name>, from scratch (about 5 to 10 s each)."""
    out = tmp_path / f"lm_{name}.npz"
    # One BLAS thread: these matrices are small, and extra threads only wait on a busy machine.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "course_lib.train", "--corpus", name, "--out", str(out), "--no-progress"],
                   check=True, cwd=ROOT, env=env, capture_output=True, timeout=300)
    shipped, retrained = load_model(default_model_path(name)), load_model(out)
    assert retrained.final_loss == pytest.approx(shipped.final_loss, rel=0.10)
    if "agreement_by_filler_length" in shipped.metadata:  # learned the agreement (or not) as the shipped one

        def mean_accuracy(model):
            return np.mean([v["accuracy"] for v in model.metadata["agreement_by_filler_length"].values()])

        assert mean_accuracy(retrained) == pytest.approx(mean_accuracy(shipped), abs=0.1)
