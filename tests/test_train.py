"""The trainer: one step and one loop for any loss, the language model's trainer built on
them, the divergence guard, the batches, and bad input answered."""

import itertools
import math
import pickle

import numpy as np
import pytest

from course_lib.data.vocab import Vocabulary
from course_lib.lm import lm_loss_and_gradients, mean_token_loss
from course_lib.optim import SGD, Adam
from course_lib.rnn import initialize_rnn_parameters
import course_lib.train
from course_lib.train import (
    TrainingDiverged,
    iterate_batches,
    train_language_model,
    train_model,
    training_step,
)

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


def _lm_loss(parameters, batch):
    indices, mask = batch
    J, gradients = lm_loss_and_gradients(parameters, indices, mask)
    return J, gradients, int(np.sum(indices >= 0 if mask is None else mask))


def test_training_step_is_pure_and_averages_per_token(vocab):
    rng = np.random.default_rng(0)
    indices = np.array([[2, 3, 1], [4, 1, -1]])
    mask = indices >= 0
    p = initialize_rnn_parameters(len(vocab), 8, len(vocab), rng)
    before = {k: v.copy() for k, v in p.items()}
    new, loss, norm, n = training_step(_lm_loss, p, (indices, mask), SGD(0.1))
    J, g = lm_loss_and_gradients(p, indices, mask)
    assert n == 5 and loss == pytest.approx(J / 5)
    np.testing.assert_allclose(new["Wax"], p["Wax"] - 0.1 * g["dWax"] / 5)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])
    assert norm == pytest.approx(np.sqrt(sum(((v / 5) ** 2).sum() for v in g.values())))
    # mask=None: the mask is the real tokens, as lm_loss_and_gradients says
    assert training_step(_lm_loss, p, (indices, None), SGD(0.1)).loss == pytest.approx(loss, rel=1e-15)


def test_training_step_answers_bad_input_clearly(vocab):
    p = initialize_rnn_parameters(len(vocab), 4, len(vocab), 0)
    batch = (np.array([[2, 3, 1]]), None)
    with pytest.raises(ValueError, match="optimizer must be an optimiser object.*make_optimizer"):
        training_step(_lm_loss, p, batch, "adam")
    with pytest.raises(ValueError, match="loss_and_gradients must be callable"):
        training_step(None, p, batch, SGD(0.1))
    with pytest.raises(ValueError, match="clip"):
        training_step(_lm_loss, p, batch, SGD(0.1), clip=("max", 1.0))
    with pytest.raises(ValueError, match=r'parameters\[.Waa.\] contains NaN'):
        training_step(_lm_loss, {**p, "Waa": np.full((4, 4), np.nan)}, batch, SGD(0.1))
    # An all-padding batch (or a mask that keeps nothing) has nothing to average over.
    with pytest.raises(ValueError, match=r"n = 0.*padding only"):
        training_step(_lm_loss, p, (np.array([[2, 3, 1]]), np.zeros((1, 3), bool)), SGD(0.1))
    with pytest.raises(ValueError, match=r"must return \(J, gradients, n\)"):
        training_step(lambda p, b: lm_loss_and_gradients(p, b[0]), p, batch, SGD(0.1))
    with pytest.raises(ValueError, match=r"\['dwaa'\] have no parameter"):
        training_step(lambda p, b: (1.0, {**{f"d{k}": np.zeros_like(v) for k, v in p.items() if k != "Waa"},
                                          "dwaa": np.zeros((4, 4))}, 1), p, batch, SGD(0.1))


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
    with pytest.raises(TrainingDiverged, match="at step 1: mean loss"):
        _train(vocab, max_loss=0.1)
    with pytest.raises(TrainingDiverged, match="at step 1: mean loss"):
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
    real_step = course_lib.train.training_step.unchecked
    calls = []

    def step_whose_third_norm_is_bad(*args):
        result = real_step(*args)
        calls.append(result.gradient_norm)
        return result._replace(gradient_norm=bad_norm) if len(calls) == 3 else result

    monkeypatch.setattr(course_lib.train.training_step, "unchecked", step_whose_third_norm_is_bad)
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


@pytest.mark.parametrize("kwargs, name", [
    (dict(batch_size=-1), "batch_size"), (dict(batch_size=0), "batch_size"), (dict(batch_size=2.0), "batch_size"),
    (dict(pool=-1), "pool"), (dict(pool=0), "pool"), (dict(pool=True), "pool"),
    (dict(encoded=[]), "encoded"), (dict(encoded="abc"), "encoded"), (dict(encoded=[np.array([])]), "encoded"),
    (dict(encoded=[np.array([1.5, 2.0])]), "encoded"), (dict(encoded=[np.array([2, -1])]), "encoded"),
    (dict(rng="seed"), "rng"),
])
def test_iterate_batches_refuses_at_once_what_would_loop_forever(kwargs, name):
    """Checked when the iterator is made: batch_size=-1, pool=-1 or nothing to batch never yield."""
    args = dict(encoded=[np.array([2, 3, 1]), np.array([4, 1])], batch_size=2, rng=0, pool=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        iterate_batches(**args)


@pytest.mark.parametrize("kwargs, name", [
    (dict(learning_rate=True), "learning_rate"), (dict(learning_rate="0.01"), "learning_rate"),
    (dict(max_loss="20"), "max_loss"), (dict(max_gradient_norm=False), "max_gradient_norm"),
    (dict(progress="no"), "progress"), (dict(init_scale=0), "init_scale"), (dict(cell="lstm2"), "cell"),
    (dict(clip=(True, 1.0)), "clip"), (dict(clip=("norm", "5")), "clip"),
])
def test_strings_and_bools_are_not_taken_as_numbers(vocab, kwargs, name):
    with pytest.raises(ValueError, match=name):
        _train(vocab, **kwargs)


def test_non_finite_starting_parameters_are_refused_at_the_door(vocab):
    start = initialize_rnn_parameters(len(vocab), 16, len(vocab), 0)
    start["Waa"] = np.full((16, 16), np.nan)
    with pytest.raises(ValueError, match=r'parameters\["Waa"\] contains NaN'):
        _train(vocab, parameters=start)


def test_an_update_that_makes_the_parameters_non_finite_says_so(vocab):
    """NaN parameters are named as such (not as an overflow of the forward pass)."""

    class Poison:
        def step(self, parameters, gradients):
            return {**parameters, "Wya": np.full_like(parameters["Wya"], np.nan)}

    with pytest.raises(TrainingDiverged, match=r"at step 1: .*parameters non-finite \(NaN or inf in \['Wya'\]\)"):
        _train(vocab, optimizer=Poison())


def test_the_language_model_trainer_is_train_model_on_lm_loss_and_gradients(vocab):
    """train_language_model = train_model over iterate_batches with lm_loss_and_gradients."""
    rng = np.random.default_rng(5)
    start = initialize_rnn_parameters(len(vocab), 16, len(vocab), rng)
    encoded = [np.array(vocab.encode(s, add_eos=True)) for s in TINY]
    rng_after_init = np.random.default_rng(5)
    initialize_rnn_parameters(len(vocab), 16, len(vocab), rng_after_init)
    direct = train_model(lambda p, b: _lm_loss(p, b[:2]), start, iterate_batches(encoded, 4, rng_after_init), 20,
                   learning_rate=0.05, clip=("norm", 5.0), max_loss=20.0, progress=False)
    lm = train_language_model(TINY, vocab, 16, 5, steps=20, batch_size=4, learning_rate=0.05, clip=("norm", 5.0),
                              progress=False)
    np.testing.assert_allclose(direct.losses, lm.losses, rtol=1e-12)
    for k in lm.parameters:
        np.testing.assert_allclose(direct.parameters[k], lm.parameters[k], rtol=1e-10, atol=1e-13)
    assert direct.tokens == lm.tokens and lm.config["cell"] == "rnn" and lm.config["batch_size"] == 4


# ---------------------------------------------------------------------------------------
# The generic loop, on other losses
# ---------------------------------------------------------------------------------------


def _quadratic(parameters, batch):
    """J = Σ_examples ½‖W − target‖², its gradient, and the number of examples."""
    targets = batch  # (n, 2, 3)
    residual = parameters["W"][None] - targets
    return 0.5 * float(np.sum(residual**2)), {"dW": residual.sum(axis=0)}, len(targets)


def test_train_minimises_any_loss_and_averages_over_n():
    targets = np.random.default_rng(0).standard_normal((4, 2, 3))
    result = train_model(_quadratic, {"W": np.zeros((2, 3))}, [targets], 200, optimizer="sgd", learning_rate=0.5,
                   progress=False)
    np.testing.assert_allclose(result.parameters["W"], targets.mean(axis=0), atol=1e-10)  # the minimiser
    assert result.losses[0] == pytest.approx(0.5 * np.sum(targets**2) / 4)  # J / n
    assert result.tokens == 200 * 4 and result.config["steps"] == 200


def test_a_list_of_batches_is_visited_in_turn_and_an_iterator_must_last():
    seen = []

    def loss(parameters, batch):
        seen.append(batch)
        return 0.0, {"dW": np.zeros(1)}, 1

    train_model(loss, {"W": np.zeros(1)}, ["a", "b", "c"], 7, optimizer="sgd", progress=False)
    assert seen == list(itertools.islice(itertools.cycle("abc"), 7))
    with pytest.raises(ValueError, match="batches ran out after 2 batches"):
        train_model(loss, {"W": np.zeros(1)}, iter(["a", "b"]), 3, progress=False)
    for bad in ([], "abc", 3, None):
        with pytest.raises(ValueError, match="batches"):
            train_model(loss, {"W": np.zeros(1)}, bad, 3, progress=False)


def test_train_a_model_of_two_parts():
    """{"encoder": ..., "decoder": ...}, each part updated by its own Adam moments."""
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 2)), rng.standard_normal((3, 1))

    def loss(parameters, batch):
        ra, rb = parameters["encoder"]["W"] - a, parameters["decoder"]["W"] - b
        return 0.5 * float((ra**2).sum() + (rb**2).sum()), {"encoder": {"dW": ra}, "decoder": {"dW": rb}}, 1

    start = {"encoder": {"W": np.zeros((2, 2))}, "decoder": {"W": np.zeros((3, 1))}}
    result = train_model(loss, start, [None], 400, learning_rate=0.05, progress=False)
    np.testing.assert_allclose(result.parameters["encoder"]["W"], a, atol=1e-3)
    np.testing.assert_allclose(result.parameters["decoder"]["W"], b, atol=1e-3)
    assert not np.any(start["encoder"]["W"])  # the start is not modified


def test_train_checks_its_arguments():
    def loss(parameters, batch):
        return 0.0, {"dW": np.zeros(1)}, 1

    for kwargs, name in [(dict(steps=0), "steps"), (dict(steps=True), "steps"), (dict(parameters={}), "parameters"),
                         (dict(parameters={"W": "x"}), "parameters"), (dict(loss_and_gradients=3), "loss_and_gradients"),
                         (dict(max_loss=-1.0), "max_loss"), (dict(callback_every=0), "callback_every"),
                         (dict(description=3), "description"), (dict(optimizer="rmsprop"), "optimizer")]:
        args = dict(loss_and_gradients=loss, parameters={"W": np.zeros(1)}, batches=[None], steps=3, progress=False)
        args.update(kwargs)
        with pytest.raises(ValueError, match=name):
            train_model(**args)


def test_train_stops_on_a_loss_that_is_not_a_number():
    def loss(parameters, batch):
        return math.nan, {"dW": np.zeros(1)}, 1

    with pytest.raises(TrainingDiverged, match="at step 1: mean loss nan"):
        train_model(loss, {"W": np.zeros(1)}, [None], 3, progress=False)


def test_without_threads_the_progress_bar_runs_without_a_warning(vocab, monkeypatch, capsys):
    """Pyodide (JupyterLite) starts no thread; tqdm's monitor is one. No warning above the cell."""
    import threading
    import warnings

    from tqdm.auto import tqdm

    import course_lib.train as train

    def no_thread(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    monkeypatch.setattr(train, "_THREADS", None)
    monkeypatch.setattr(tqdm, "monitor", None)
    monkeypatch.setattr(tqdm, "monitor_interval", 10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _train(vocab, steps=3, progress=True)
    assert not caught, [str(w.message) for w in caught]
    assert "training" in capsys.readouterr().err and np.isfinite(result.losses).all()
