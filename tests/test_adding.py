"""The adding problem: the task, the many-to-one regression model and its gradients, the
shipped runs (what notebook 07 asserts about them), the loader and the command."""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_lib.adding import (
    COMPARISON,
    DEFAULTS,
    FORGET_BIAS_RUNS,
    N_X,
    RUN_ORDER,
    TRIVIAL_MSE,
    AddingRun,
    adding_forward,
    adding_loss_and_gradients,
    adding_mse,
    adding_problem,
    adding_recipe,
    adding_test_set,
    default_adding_path,
    initialize_adding_parameters,
    load_adding_run,
    main,
    save_adding_run,
    train_adding,
    train_adding_default,
    updates_to_reach,
)
from course_lib.recurrent import get_cell, parameter_count
from course_lib.train import train_model
from tests.gradcheck import numerical_gradient, relative_error

ROOT = Path(__file__).resolve().parents[1]
CELLS = ("rnn", "gru", "lstm")


# ---------------------------------------------------------------------------------------
# The task
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("T", [2, 7, 50])
def test_the_data_has_two_markers_one_per_half_and_y_is_their_sum(T):
    x, y = adding_problem(500, T, 3)
    assert x.shape == (2, 500, T) and y.shape == (1, 500) and x.dtype == y.dtype == np.float64
    values, markers = x
    assert np.all((values >= 0) & (values <= 1))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)
    half = T // 2
    assert np.all(markers[:, :half].sum(axis=1) == 1) and np.all(markers[:, half:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[0], (values * markers).sum(axis=1), rtol=0, atol=1e-15)


def test_the_data_is_seeded_and_markers_reach_every_allowed_step():
    x1, y1 = adding_problem(2000, 10, 7)
    x2, y2 = adding_problem(2000, 10, np.random.default_rng(7))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(adding_problem(2000, 10, 8)[0], x1)
    assert np.all(x1[1].sum(axis=0) > 0)  # no step is never marked: the lag varies
    x_test, y_test = adding_test_set(50, 10, 5)
    np.testing.assert_array_equal(x_test, adding_problem(50, 10, 5)[0])


def test_the_trivial_predictor_scores_one_sixth():
    assert TRIVIAL_MSE == pytest.approx(1 / 6)
    _, y = adding_problem(200_000, 2, 0)
    mse = np.mean((1.0 - y) ** 2)  # always answering E[y] = 1
    # Standard error of the mean of (1 − y)²: about sqrt(Var / m) ≈ 0.0004.
    assert mse == pytest.approx(TRIVIAL_MSE, abs=0.002)
    assert np.mean(y) == pytest.approx(1.0, abs=0.005)
    assert np.mean((np.mean(y) - y) ** 2) == pytest.approx(TRIVIAL_MSE, abs=0.002)


# ---------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------


def _random_parameters(cell, n_a=3, seed=0):
    """Weights large enough for the gates to matter, biases random (never zero)."""
    return initialize_adding_parameters(cell, n_a, seed, scale=0.5)


@pytest.mark.parametrize("cell", CELLS)
def test_the_loss_gradients_match_centred_finite_differences(cell):
    p = _random_parameters(cell)
    x, _ = adding_problem(3, 5, 1)
    y = np.random.default_rng(2).standard_normal((1, 3))  # any target: a random upstream gradient
    J, gradients, n = adding_loss_and_gradients(p, (x, y), cell)
    assert n == 3
    assert J == pytest.approx(3 * adding_mse(p, x, y, cell), rel=1e-12)
    assert set(gradients) == {"d" + k for k in p}
    for k in p:

        def f(theta, k=k):
            return adding_loss_and_gradients(dict(p, **{k: theta}), (x, y), cell)[0]

        error = relative_error(gradients["d" + k], numerical_gradient(f, p[k]))
        assert error < 1e-7, (cell, k, error)


@pytest.mark.parametrize("cell", CELLS)
def test_the_prediction_reads_the_last_hidden_state_only(cell):
    p = _random_parameters(cell)
    x, _ = adding_problem(4, 6, 0)
    y_hat, caches = adding_forward(x, p, cell)
    h = caches.state(get_cell(cell).hidden)[:, :, -1]
    W, b = get_cell(cell).output_keys
    np.testing.assert_allclose(y_hat, p[W] @ h + p[b], rtol=1e-13)
    assert y_hat.shape == (1, 4)


def test_the_forget_bias_shifts_bf_only_and_only_the_lstm_has_one():
    base = initialize_adding_parameters("lstm", 4, 0)
    shifted = initialize_adding_parameters("lstm", 4, 0, forget_bias=1.0)
    np.testing.assert_allclose(shifted["bf"] - base["bf"], 1.0)
    assert all(np.array_equal(base[k], shifted[k]) for k in base if k != "bf")
    np.testing.assert_array_equal(initialize_adding_parameters("lstm", 4, 0, forget_bias=None)["bf"], base["bf"])
    for cell in ("rnn", "gru"):
        with pytest.raises(ValueError, match="forget_bias is for the LSTM"):
            initialize_adding_parameters(cell, 4, 0, forget_bias=1.0)


def test_bad_input_names_what_is_wrong():
    p = _random_parameters("lstm")
    x, y = adding_problem(2, 4, 0)
    with pytest.raises(ValueError, match="n_x"):
        adding_forward(np.zeros((3, 2, 4)), p, "lstm")
    with pytest.raises(ValueError, match="parameters"):  # GRU weights named as an LSTM
        adding_forward(x, _random_parameters("gru"), "lstm")
    with pytest.raises(ValueError, match=r"\(1, 3\)"):  # two outputs: not one number
        adding_forward(x, dict(p, Wy=np.zeros((2, 3)), by=np.zeros((2, 1))), "lstm")
    with pytest.raises(ValueError, match="parameters"):
        adding_forward(x, {k: v for k, v in p.items() if k != "Wy"}, "lstm")
    with pytest.raises(ValueError, match="batch"):
        adding_loss_and_gradients(p, x, "lstm")
    with pytest.raises(ValueError, match="batch y"):
        adding_loss_and_gradients(p, (x, y[:, :1]), "lstm")
    with pytest.raises(ValueError, match="cell"):
        adding_mse(p, x, y, "transformer")
    with pytest.raises(ValueError, match="T"):
        adding_problem(2, 1, 0)


def test_train_model_averages_the_summed_error_into_the_batch_mse():
    p = _random_parameters("gru")
    batch = adding_problem(8, 6, 0)
    result = train_model(functools.partial(adding_loss_and_gradients, cell="gru"), p, [batch], 1, progress=False)
    assert result.losses[0] == pytest.approx(adding_mse(p, *batch, "gru"), rel=1e-12)
    assert result.tokens == 8


def test_training_is_deterministic_but_for_the_timings():
    kw = dict(cell="lstm", n_a=3, T=6, steps=4, seed=1, batch_size=4, test_size=5, eval_every=2, progress=False)
    a, b = train_adding(**kw), train_adding(**kw)
    for k in ("train_loss", "gradient_norm", "checkpoint_steps", "test_mse"):
        np.testing.assert_array_equal(a.history[k], b.history[k])
    np.testing.assert_array_equal(a.history["checkpoint_steps"], [0, 2, 4])
    assert len(a.history["train_loss"]) == 4
    assert np.all(np.diff(a.history["cpu_seconds"]) >= 0) and np.all(np.diff(a.history["wall_seconds"]) >= 0)
    assert a.metadata["parameter_count"] == parameter_count("lstm", N_X, 3, 1)
    other = train_adding(**dict(kw, seed=2))
    assert not np.array_equal(other.history["train_loss"], a.history["train_loss"])


# ---------------------------------------------------------------------------------------
# The shipped runs: what notebook 07 asserts
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return {name: load_adding_run(name) for name in RUN_ORDER}


def test_every_run_is_shipped_with_its_recipe(shipped):
    for name, run in shipped.items():
        assert isinstance(run, AddingRun) and run.name == name
        recipe = adding_recipe(name)
        m = run.metadata
        for k in ("cell", "n_a", "T", "steps", "batch_size", "learning_rate", "forget_bias", "seed", "test_seed"):
            assert m[k] == recipe[k], (name, k)
        h = run.history
        assert len(h["train_loss"]) == recipe["steps"]
        assert h["checkpoint_steps"][0] == 0 and h["checkpoint_steps"][-1] == recipe["steps"]
        assert m["final_test_mse"] == pytest.approx(run.final_test_mse, rel=1e-12)
        assert "OPENBLAS_NUM_THREADS=1" in m["blas_threads"]


def test_the_shipped_weights_give_the_shipped_test_mse(shipped):
    for name in ("rnn", "lstm"):  # the two the notebook's claim is about (each forward of 1000 sequences costs)
        run = shipped[name]
        x, y = adding_test_set(run.metadata["test_size"], run.metadata["T"], run.metadata["test_seed"])
        assert adding_mse(run.parameters, x, y, run.cell) == pytest.approx(run.final_test_mse, rel=1e-9), name


def test_the_cells_are_compared_at_matched_parameter_counts(shipped):
    counts = {name: parameter_count(shipped[name].cell, N_X, shipped[name].metadata["n_a"], 1) for name in COMPARISON}
    assert counts == {name: shipped[name].metadata["parameter_count"] for name in counts}
    lstm = counts["lstm"]
    assert all(abs(c - lstm) / lstm < 0.03 for c in counts.values()), counts
    assert shipped["rnn"].metadata["n_a"] > shipped["gru"].metadata["n_a"] > shipped["lstm"].metadata["n_a"]


def test_the_lstm_bridges_the_lag_the_rnn_does_not(shipped):
    """Notebook 07's claim: at the same T and budget the LSTM beats the trivial predictor, the RNN stays at it."""
    T = {run.metadata["T"] for run in shipped.values()}
    assert len(T) == 1
    assert shipped["lstm"].final_test_mse < 0.05 < TRIVIAL_MSE
    assert shipped["lstm"].final_test_mse < TRIVIAL_MSE / 10
    assert abs(shipped["rnn"].final_test_mse - TRIVIAL_MSE) < 0.02
    # not a lucky last checkpoint: the RNN never got far below the bar over the last half
    rnn = shipped["rnn"].history
    late = rnn["checkpoint_steps"] >= rnn["checkpoint_steps"][-1] / 2
    assert np.min(rnn["test_mse"][late]) > 0.9 * TRIVIAL_MSE
    assert shipped["gru"].final_test_mse < 0.05


def test_the_forget_bias_runs_differ_in_bf_alone(shipped):
    assert set(FORGET_BIAS_RUNS) == {0.0, 1.0}
    for runs_1, runs_0 in zip(FORGET_BIAS_RUNS[1.0], FORGET_BIAS_RUNS[0.0]):
        with_1, with_0 = adding_recipe(runs_1), adding_recipe(runs_0)
        assert {k: v for k, v in with_1.items() if k != "forget_bias"} == \
            {k: v for k, v in with_0.items() if k != "forget_bias"}
        assert (with_1["forget_bias"], with_0["forget_bias"]) == (1.0, 0.0)
    assert sorted(adding_recipe(name)["seed"] for name in FORGET_BIAS_RUNS[0.0]) == [0, 1, 2]
    for name in FORGET_BIAS_RUNS[0.0] + FORGET_BIAS_RUNS[1.0]:
        h = shipped[name].history
        assert h["test_mse"][0] > TRIVIAL_MSE  # untrained: above the bar
        assert updates_to_reach(shipped[name], 0.05) is not None  # every LSTM learns the task in budget


def test_updates_to_reach_reads_the_first_checkpoint_below_the_threshold(shipped):
    run = shipped["lstm"]
    steps = updates_to_reach(run, 0.05)
    i = list(run.history["checkpoint_steps"]).index(steps)
    assert run.history["test_mse"][i] < 0.05 and np.all(run.history["test_mse"][:i] >= 0.05)
    assert updates_to_reach(shipped["rnn"], 0.05) is None
    assert updates_to_reach(run, 10.0) == 0
    with pytest.raises(ValueError, match="threshold"):
        updates_to_reach(run, -1.0)


# ---------------------------------------------------------------------------------------
# Saving, loading, the command
# ---------------------------------------------------------------------------------------


def _tiny_run(cell="rnn"):
    return train_adding(cell, 2, 4, 2, batch_size=2, test_size=3, eval_every=1, progress=False)


def test_a_run_round_trips_through_save_and_load(tmp_path):
    run = _tiny_run("gru")
    path = save_adding_run(tmp_path / "mine", run)
    assert path == tmp_path / "mine.npz" and (tmp_path / "mine.json").exists()
    back = load_adding_run(tmp_path / "mine")
    assert back.cell == "gru" and back.name == "custom"
    for k in run.parameters:
        np.testing.assert_array_equal(back.parameters[k], run.parameters[k])
    for k in run.history:
        np.testing.assert_array_equal(back.history[k], run.history[k])
    assert back.metadata["final_test_mse"] == run.metadata["final_test_mse"]


def test_the_loader_names_the_path_when_it_cannot_read_it(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_adding_run(tmp_path / "nothing")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a .npz archive"):
        load_adding_run(tmp_path / "junk.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="does not hold a run"):
        load_adding_run(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="name"):
        default_adding_path("transformer")
    assert default_adding_path("lstm").name == "adding_lstm.npz"


def test_the_command_trains_the_runs_it_is_given(tmp_path, capsys):
    assert main(["--run", "rnn", "--steps", "2", "--seed", "3", "--out-dir", str(tmp_path), "--no-progress"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adding_rnn.json", "adding_rnn.npz"]
    run = load_adding_run(tmp_path / "adding_rnn.npz")
    assert run.name == "rnn" and run.metadata["steps"] == 2 and run.metadata["seed"] == 3
    assert json.loads((tmp_path / "adding_rnn.json").read_text())["cell"] == "rnn"
    out = capsys.readouterr().out
    assert "rnn: rnn n_a = " in out and "total" in out


@pytest.mark.parametrize("argv", [["--run", "transformer"], ["--steps", "0"], ["--seed", "-1"], ["--steps", "x"]])
def test_the_command_refuses_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv + ["--no-progress"])
    assert exit_info.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_the_command_refuses_a_file_as_out_dir(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    with pytest.raises(SystemExit):
        main(["--run", "rnn", "--out-dir", str(tmp_path / "f"), "--no-progress"])
    assert "--out-dir" in capsys.readouterr().err
    with pytest.raises(ValueError, match="argv"):
        main("--run rnn")


def test_retraining_a_run_keeps_its_name_and_recipe():
    run = train_adding_default("rnn", steps=1, seed=4, progress=False)
    assert run.name == "rnn" and run.metadata["forget_bias"] is None and run.metadata["seed"] == 4
    assert run.metadata["n_a"] == adding_recipe("rnn")["n_a"] and len(run.history["train_loss"]) == 1
    assert DEFAULTS["rnn"]["n_a"] is None  # the recipe matches the LSTM's count instead


@pytest.mark.slow
def test_retraining_the_lstm_with_the_command_reaches_the_shipped_test_mse(tmp_path):
    """python -m course_lib.adding --run lstm, from scratch (about 20 s)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "course_lib.adding", "--run", "lstm", "--out-dir", str(tmp_path),
                    "--no-progress"], check=True, cwd=ROOT, env=env, capture_output=True, timeout=300)
    shipped, retrained = load_adding_run("lstm"), load_adding_run(tmp_path / "adding_lstm.npz")
    assert retrained.final_test_mse == pytest.approx(shipped.final_test_mse, rel=0.10, abs=1e-3)
    np.testing.assert_allclose(retrained.history["test_mse"], shipped.history["test_mse"], rtol=0.10, atol=1e-3)
