"""The shipped-model zoo: DEFAULTS, saving and loading (and what they refuse), the command,
and the shipped models themselves."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_lib.agreement import agreement_scores
from course_lib.data.corpora import agreement_examples
from course_lib.data.vocab import Vocabulary
from course_lib.lm import mean_token_loss, sequence_log_probability
from course_lib.models import (
    DEFAULTS,
    EXTRA_SEEDS,
    HISTORY_EVERY,
    MATCHED,
    SavedModel,
    TrainingHistory,
    default_corpus,
    default_model_path,
    load_history,
    load_model,
    main,
    save_model,
    seed_history_path,
    train_default,
)
from course_lib.recurrent import hidden_size_for, parameter_count
from course_lib.train import train_language_model

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
TINY = ["hello", "help", "hell", "yellow", "fellow", "held"]


@pytest.fixture
def vocab():
    return Vocabulary.build(TINY, "char")


def _train(vocab, **kwargs):
    args = dict(steps=5, batch_size=4, learning_rate=0.05, progress=False)
    args.update(kwargs)
    return train_language_model(TINY, vocab, 16, np.random.default_rng(0), **args)


def test_save_and_load_round_trip(vocab, tmp_path):
    result = _train(vocab)
    loss = mean_token_loss(result.parameters, vocab, TINY)
    path = save_model(tmp_path / "m.npz", result.parameters, vocab, loss, {"note": "tiny"})
    model = load_model(path)
    assert model.vocabulary == vocab
    assert model.final_loss == loss
    assert model.metadata["note"] == "tiny" and model.metadata["final_loss"] == loss
    for k in result.parameters:
        np.testing.assert_array_equal(model.parameters[k], result.parameters[k])
    assert mean_token_loss(model.parameters, model.vocabulary, TINY) == loss


def test_load_model_names_a_missing_path_and_says_how_to_rebuild(tmp_path):
    with pytest.raises(ValueError, match=r"nothing\.npz' does not exist.*python -m course_lib\.models"):
        load_model(tmp_path / "nothing.npz")


def test_a_name_without_suffix_saves_and_loads_the_same_file(vocab, tmp_path):
    """save_model("my_model") writes my_model.npz; load_model("my_model") reads it back."""
    result = _train(vocab)
    path = save_model(tmp_path / "my_model", result.parameters, vocab, 1.5)
    assert path == tmp_path / "my_model.npz" and path.exists() and (tmp_path / "my_model.json").exists()
    for name in (tmp_path / "my_model", str(tmp_path / "my_model"), path):
        np.testing.assert_array_equal(load_model(name).parameters["Waa"], result.parameters["Waa"])
    dotted = save_model(tmp_path / "model.v2", result.parameters, vocab, 1.5)
    assert dotted.name == "model.v2.npz" and load_model(tmp_path / "model.v2").final_loss == 1.5


def test_the_metadata_is_valid_json_and_numpy_values_are_converted(vocab, tmp_path):
    result = _train(vocab)
    path = save_model(tmp_path / "m", result.parameters, vocab, np.float64(1.25),
                      {"steps": np.int64(5), "losses": np.array([2.0, 1.5]), "clip": ("norm", 5.0)})
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["steps"] == 5 and meta["losses"] == [2.0, 1.5] and meta["clip"] == ["norm", 5.0]
    assert meta["final_loss"] == 1.25 and meta["cell"] == "rnn" and meta["n_a"] == 16


@pytest.mark.parametrize("change, name", [
    (dict(parameters="nan"), r'parameters\["Waa"\] contains NaN'),
    (dict(final_loss=float("nan")), "final_loss"),
    (dict(final_loss="1.5"), "final_loss"),
    (dict(metadata={"loss": float("nan")}), "metadata must hold JSON values"),
    (dict(metadata={"f": print}), "metadata must hold JSON values"),
    (dict(metadata=[1, 2]), "metadata must be a dict"),
    (dict(vocabulary="abc"), "vocabulary"),
    (dict(path=3), "path"),
])
def test_save_model_refuses_what_could_not_be_read_back(vocab, tmp_path, change, name):
    result = _train(vocab)
    args = dict(path=tmp_path / "m.npz", parameters=result.parameters, vocabulary=vocab, final_loss=1.0, metadata=None)
    if change.get("parameters") == "nan":
        change = dict(parameters={**result.parameters, "Waa": np.full((16, 16), np.nan)})
    args.update(change)
    with pytest.raises(ValueError, match=name):
        save_model(**args)
    assert not (tmp_path / "m.npz").exists() and not (tmp_path / "m.json").exists()  # nothing half-written


def test_load_model_names_the_path_and_what_is_wrong(vocab, tmp_path):
    result = _train(vocab)
    good = save_model(tmp_path / "good.npz", result.parameters, vocab, 1.0)
    with pytest.raises(ValueError, match="is a directory"):
        load_model(tmp_path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip archive at all")
    with pytest.raises(ValueError, match=r"junk\.npz' is not a \.npz archive"):
        load_model(tmp_path / "junk.npz")
    with np.load(good) as data:
        entries = dict(data)
    np.savez(tmp_path / "no_tokens.npz", **{k: v for k, v in entries.items() if k != "tokens"})
    with pytest.raises(ValueError, match=r"no_tokens\.npz' is missing \['tokens'\]"):
        load_model(tmp_path / "no_tokens.npz")
    np.savez(tmp_path / "bad_shape.npz", **{**entries, "by": entries["by"][:, 0]})
    with pytest.raises(ValueError, match=r"bad_shape\.npz' does not hold a valid model.*by"):
        load_model(tmp_path / "bad_shape.npz")
    good.with_suffix(".json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"good\.json' is not valid JSON"):
        load_model(good)
    good.with_suffix(".json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="must hold a JSON object"):
        load_model(good)
    for bad in (None, 3, b"x.npz", ""):
        with pytest.raises(ValueError, match="path"):
            load_model(bad)


@pytest.mark.parametrize("call, name", [
    (lambda: default_model_path("english"), "name must be one of"),
    (lambda: default_corpus("english"), "corpus must be one of"),
    (lambda: default_corpus("agreement", seed=-1), "seed"),
    (lambda: default_corpus("agreement", n_sentences=0), "n_sentences"),
    (lambda: train_default("english"), "corpus must be one of"),
    (lambda: train_default("chinese", steps=0), "steps"),
    (lambda: train_default("chinese", seed="0"), "seed"),
    (lambda: train_default("chinese", progress="no"), "progress"),
])
def test_the_zoo_answers_bad_names_and_numbers(call, name):
    with pytest.raises(ValueError, match=name):
        call()


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
    assert model.cell == DEFAULTS[name].get("cell", "rnn")
    assert mean_token_loss(model.parameters, model.vocabulary, corpus, cell=model.cell) == pytest.approx(
        model.final_loss, rel=1e-9)


@pytest.mark.parametrize("name", ["agreement_long_gru", "agreement_long_lstm"])
def test_the_gated_cells_learn_the_long_clause_agreement_the_rnn_does_not(name):
    """The same recipe as agreement_long, the cell its one difference (notebooks 06, 07)."""
    assert {k: v for k, v in DEFAULTS[name].items() if k != "cell"} == DEFAULTS["agreement_long"]
    d = DEFAULTS[name]
    test = agreement_examples(600, 12345, d["min_filler"], d["max_filler"])
    accuracy = {}
    for model_name in ("agreement_long", name):
        model = load_model(default_model_path(model_name))
        accuracy[model_name] = agreement_scores(model.parameters, model.vocabulary, test, cell=model.cell).correct.mean()
    assert accuracy["agreement_long"] < 0.65 and accuracy[name] > 0.85, accuracy


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
    """python -m course_lib.models --corpus <name>, from scratch (about 5 to 10 s each)."""
    out = tmp_path / f"lm_{name}.npz"
    # One BLAS thread: these matrices are small, and extra threads only wait on a busy machine.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "course_lib.models", "--corpus", name, "--out", str(out), "--no-progress"],
                   check=True, cwd=ROOT, env=env, capture_output=True, timeout=300)
    shipped, retrained = load_model(default_model_path(name)), load_model(out)
    assert retrained.final_loss == pytest.approx(shipped.final_loss, rel=0.10)
    if "agreement_by_filler_length" in shipped.metadata:  # learned the agreement (or not) as the shipped one

        def mean_accuracy(model):
            return np.mean([v["accuracy"] for v in model.metadata["agreement_by_filler_length"].values()])

        assert mean_accuracy(retrained) == pytest.approx(mean_accuracy(shipped), abs=0.1)


def test_save_model_refuses_a_directory(vocab, tmp_path):
    (tmp_path / "models.npz").mkdir()
    result = _train(vocab)
    with pytest.raises(ValueError, match="is a directory"):
        save_model(tmp_path / "models.npz", result.parameters, vocab, 1.0)


def test_a_model_of_another_cell_round_trips_its_cell_name(vocab, tmp_path):
    result = _train(vocab)
    path = save_model(tmp_path / "m", result.parameters, vocab, 1.0, cell="rnn")
    assert load_model(path).cell == "rnn"
    with np.load(path) as data:
        assert str(data["cell"]) == "rnn"


# --- matched parameter counts and training histories (notebook 07) ---------------------


def _agreement_vocabulary_size():
    return len(Vocabulary.build(default_corpus("agreement_long"), "word"))


def test_the_matched_recipes_give_the_rnn_and_gru_the_lstms_parameter_count():
    """Chung et al. 2014's comparison: n_a from hidden_size_for, n_x = n_y = the vocabulary."""
    n = _agreement_vocabulary_size()
    reference = DEFAULTS["agreement_long_lstm"]
    count = parameter_count("lstm", n, reference["n_a"], n)
    assert MATCHED[-1] == "agreement_long_lstm" and reference["n_a"] == 64
    for name in MATCHED[:-1]:
        d = DEFAULTS[name]
        cell = d.get("cell", "rnn")
        assert d["n_a"] == hidden_size_for(cell, n, count, n), name
        assert abs(parameter_count(cell, n, d["n_a"], n) - count) < 0.02 * count, name
        # n_a bigger than 64 (cell's own count at 64 is smaller), the rest agreement_long's recipe
        assert d["n_a"] > 64 and parameter_count(cell, n, 64, n) < 0.9 * count
        assert {k: v for k, v in d.items() if k != "cell"} == dict(DEFAULTS["agreement_long"], n_a=d["n_a"]), name
    assert {DEFAULTS[name].get("cell", "rnn") for name in MATCHED} == {"rnn", "gru", "lstm"}


def test_the_history_callback_leaves_training_bit_for_bit_unchanged():
    """train_default records its history through the trainer's callback, which only reads."""
    result, vocabulary, corpus, final_loss, metadata = train_default("agreement_long_lstm", steps=45, progress=False)
    d = DEFAULTS["agreement_long_lstm"]
    plain = train_language_model(corpus, vocabulary, d["n_a"], np.random.default_rng(d["seed"]), steps=45,
                                 batch_size=d["batch_size"], learning_rate=d["learning_rate"], clip=d["clip"],
                                 init_scale=d["init_scale"], progress=False, cell="lstm")
    for k in plain.parameters:
        assert np.array_equal(plain.parameters[k], result.parameters[k]), k
    np.testing.assert_array_equal(plain.losses, result.losses)
    history = load_history(metadata)  # the RETRAIN branch of a notebook reads it so
    assert isinstance(history, TrainingHistory) and history.cell == "lstm" and history.n_a == 64
    assert list(history.checkpoints) == [HISTORY_EVERY, 45]  # every HISTORY_EVERY updates, and the last
    np.testing.assert_allclose(history.losses, result.losses, atol=5e-5)
    np.testing.assert_allclose(history.mean_losses, [result.losses[:HISTORY_EVERY].mean(),
                                                     result.losses[HISTORY_EVERY:].mean()], atol=5e-5)
    assert np.all(history.cpu_seconds > 0) and np.all(np.diff(history.cpu_seconds) >= 0)
    assert history.accuracy.shape == (2,) and np.all((0 <= history.accuracy) & (history.accuracy <= 1))
    assert metadata["n_parameters"] == history.n_parameters == parameter_count("lstm", len(vocabulary), 64, len(vocabulary))
    assert metadata["train_cpu_seconds"] == pytest.approx(history.cpu_seconds[-1], abs=0.01)


def test_a_saved_model_keeps_its_history(tmp_path):
    out = tmp_path / "zh.npz"
    assert main(["--corpus", "chinese", "--steps", "7", "--out", str(out), "--no-progress"]) == 0
    model = load_model(out)
    history = load_history(model)
    assert history.losses.shape == (7,) and list(history.checkpoints) == [7]
    assert history.accuracy is None and history.held_out is None  # not an agreement model
    assert history.n_parameters == sum(v.size for v in model.parameters.values())


def _stripped(path):
    """``path``'s .json without its history (a model saved before histories existed)."""
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    meta = {k: v for k, v in meta.items() if k not in ("history", "n_parameters", "train_cpu_seconds")}
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    return meta


def test_add_history_keeps_the_weights_file_and_checks_they_are_reproduced(tmp_path, capsys):
    out = tmp_path / "zh.npz"
    main(["--corpus", "chinese", "--steps", "6", "--out", str(out), "--no-progress"])
    before = _stripped(out)
    weights = out.read_bytes()
    with pytest.raises(ValueError, match="has no training history"):
        load_history(load_model(out))
    assert main(["--corpus", "chinese", "--steps", "6", "--out", str(out), "--no-progress", "--add-history"]) == 0
    assert "reproduced exactly" in capsys.readouterr().out
    assert out.read_bytes() == weights  # the .npz is not rewritten
    after = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert {k: after[k] for k in before if k != "train_seconds"} == {k: v for k, v in before.items()
                                                                   if k != "train_seconds"}  # added to, and this run's time
    assert after["train_seconds"] == pytest.approx(after["history"]["wall_seconds"][-1], abs=0.01)
    assert load_history(load_model(out)).losses.shape == (6,)
    _stripped(out)
    with pytest.raises(SystemExit):  # another seed: other weights, refused, nothing written
        main(["--corpus", "chinese", "--steps", "6", "--seed", "1", "--out", str(out), "--no-progress", "--add-history"])
    assert "did not reproduce the weights" in capsys.readouterr().err
    assert "history" not in json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    with pytest.raises(SystemExit):
        main(["--corpus", "chinese", "--steps", "6", "--out", str(tmp_path / "none.npz"), "--add-history"])


def test_add_history_writes_beside_a_model_reproduced_to_rounding_only(tmp_path, capsys):
    out = tmp_path / "zh.npz"
    main(["--corpus", "chinese", "--steps", "6", "--out", str(out), "--no-progress"])
    model = load_model(out)
    nudged = {k: v + (1e-9 if k == "Waa" else 0.0) for k, v in model.parameters.items()}
    save_model(out, nudged, model.vocabulary, model.final_loss, _stripped(out))
    assert main(["--corpus", "chinese", "--steps", "6", "--out", str(out), "--no-progress", "--add-history"]) == 0
    assert "(rounding)" in capsys.readouterr().out
    beside = json.loads((tmp_path / "zh_history.json").read_text(encoding="utf-8"))
    assert "differ from zh.npz's by at most 1e-09" in beside["weights"] and len(beside["history"]["losses"]) == 6
    assert "history" not in load_model(out).metadata


@pytest.mark.parametrize("model, match", [
    ("english", "model must be one of"),
    (3, "model must be one of"),
    ({"corpus": "x", "n_a": 4}, "has no training history"),
    ({"corpus": "x", "n_a": 4, "history": {"losses": [1.0]}}, "is missing"),
    ({"corpus": "x", "n_a": 4, "history": {"losses": [1.0, 2.0], "checkpoints": [1], "cpu_seconds": [0.1],
                                           "wall_seconds": [0.1]}}, "does not hold together"),
    ({"corpus": "x", "n_a": 4, "history": {"losses": [1.0, 2.0], "checkpoints": [1, 2], "cpu_seconds": [0.2, 0.1],
                                           "wall_seconds": [0.1, 0.2]}}, "does not hold together"),
    ({"corpus": "x", "n_a": 4, "history": {"losses": ["a"], "checkpoints": [1], "cpu_seconds": [0.1],
                                           "wall_seconds": [0.1]}}, "lists of numbers"),
])
def test_load_history_names_what_is_wrong(model, match):
    with pytest.raises(ValueError, match=match):
        load_history(model)


@pytest.mark.parametrize("name", MATCHED)
def test_the_shipped_histories_hold_together(name):
    """One loss per update, CPU seconds rising, the last losses near the model's final loss."""
    model = load_model(default_model_path(name))
    history = load_history(name)
    d = DEFAULTS[name]
    assert (history.name, history.cell, history.n_a) == (name, model.cell, model.parameters[
        {"rnn": "Waa", "gru": "Wr", "lstm": "Wf"}[model.cell]].shape[0])
    assert history.n_parameters == sum(v.size for v in model.parameters.values())
    assert history.losses.shape == (d["steps"],)
    np.testing.assert_array_equal(history.checkpoints, np.arange(HISTORY_EVERY, d["steps"] + 1, HISTORY_EVERY))
    assert history.cpu_seconds[0] > 0 and np.all(np.diff(history.cpu_seconds) > 0)
    assert np.all(np.diff(history.wall_seconds) > 0) and history.blas_threads == "1"
    # the training batches' loss at the end is the corpus's loss (the model fits, does not overfit)
    assert history.losses[-200:].mean() == pytest.approx(model.final_loss, rel=0.05)
    assert history.losses[:20].mean() > model.final_loss + 1  # it learned something
    assert history.accuracy.shape == history.checkpoints.shape and "10 to 12 words" in history.held_out
    assert np.all((0 <= history.accuracy) & (history.accuracy <= 1))
    for path in ASSETS.glob(f"lm_{name}*.json"):
        assert path.stat().st_size < 100_000, path


def test_at_matched_parameter_counts_the_gated_cells_learn_the_agreement_and_the_rnn_does_not():
    """Chung et al. 2014's comparison on the long-clause task: the RNN with the LSTM's
    parameter count (n_a = 140) stays at chance; the GRU (n_a = 76) and the LSTM (n_a = 64)
    learn it, and their held-out accuracy curves jump from chance to near 1."""
    d = DEFAULTS["agreement_long"]
    test = agreement_examples(600, 12345, d["min_filler"], d["max_filler"])  # the trained distances
    accuracy = {}
    for name in MATCHED:
        model = load_model(default_model_path(name))
        accuracy[name] = agreement_scores(model.parameters, model.vocabulary, test, cell=model.cell).correct.mean()
        history = load_history(name)
        assert history.accuracy[-1] == pytest.approx(accuracy[name], abs=0.06), name  # the curve ends where the model is
        assert history.accuracy[:10].max() < 0.6, name  # all start at chance
    rnn, gru, lstm = MATCHED
    assert 0.4 < accuracy[rnn] < 0.6 and load_history(rnn).accuracy.max() < 0.6, accuracy
    assert accuracy[gru] > 0.95 and accuracy[lstm] > 0.95, accuracy


def test_the_forget_bias_recipe_differs_from_the_lstms_only_in_bf_at_the_start():
    differ = {k for k in DEFAULTS["agreement_long_lstm_forget_bias_1"]
              if DEFAULTS["agreement_long_lstm_forget_bias_1"].get(k) != DEFAULTS["agreement_long_lstm"].get(k)}
    assert differ == {"forget_bias"}
    plain = train_default("agreement_long_lstm", steps=1, progress=False)[0].parameters
    biased = train_default("agreement_long_lstm_forget_bias_1", steps=1, progress=False)[0].parameters
    # one Adam step (each entry moves by about the learning rate, 0.01) from the same draws on the same batch
    np.testing.assert_allclose(biased["bf"] - plain["bf"], 1.0, atol=0.03)
    assert max(np.abs(biased[k] - plain[k]).max() for k in plain if k != "bf") < 0.03


@pytest.mark.parametrize("name", sorted(EXTRA_SEEDS))
def test_the_extra_seeds_histories_ship_and_hold_together(name):
    default = load_history(name)
    for seed in EXTRA_SEEDS[name]:
        h = load_history(name, seed=seed)
        assert (h.name, h.cell, h.n_a, h.n_parameters) == (default.name, default.cell, default.n_a, default.n_parameters)
        assert h.checkpoints[-1] == default.checkpoints[-1] and h.accuracy is not None
        assert not np.array_equal(h.losses, default.losses)  # another run, not a copy
        assert seed_history_path(name, seed).stat().st_size < 100_000
    assert np.array_equal(load_history(name, seed=DEFAULTS[name]["seed"]).losses, default.losses)


def test_history_only_needs_a_seed_and_writes_no_model(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--corpus", "agreement_long_lstm", "--history-only", "--steps", "1"])
    assert "--history-only needs --seed" in capsys.readouterr().err
    out = tmp_path / "h.json"
    main(["--corpus", "agreement_long", "--seed", "3", "--steps", "2", "--history-only", "--no-progress",
                 "--out", str(out)])
    h = load_history(json.loads(out.read_text(encoding="utf-8")))
    assert h.checkpoints[-1] == 2 and h.accuracy is not None and sorted(p.name for p in tmp_path.iterdir()) == ["h.json"]
    with pytest.raises(ValueError, match="seed"):
        load_history("agreement_long", seed=3)  # not shipped
