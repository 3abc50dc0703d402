"""The adding problem (Hochreiter & Schmidhuber 1997): a long lag, and which cell bridges it.

Every example is a sequence of T_x steps with two inputs per step (n_x = 2):

    x<t>[0] = a value drawn uniformly from [0, 1]
    x<t>[1] = a marker: 1 at exactly two steps (one in each half of the sequence), else 0
    y       = the sum of the two marked values

in the modern form of Le et al. (2015) and Arjovsky et al. (2016). The model reads the
whole sequence with a recurrent cell and regresses on its last hidden state,

    ŷ = Wy h<T_x> + by                           (n_y = 1; for the RNN Wya, as in rnn.py)
    J = Σ over the batch of (ŷ − y)²             (train_model divides by m: the MSE)

so the first marked value must be carried over at least T_x / 2 steps. Always answering 1
(the mean of y) scores Var(y) = 2 · 1/12 = 1/6 ≈ 0.167 (``TRIVIAL_MSE``): a model that has
not bridged the lag stays there.

The shipped runs compare the RNN, the GRU and the LSTM at matched parameter counts (in the
manner of Chung et al. 2014), and the LSTM's forget-gate bias 0 against 1 (Jozefowicz et
al. 2015), on three seeds. Rebuild them (one BLAS thread; 7 to 16 s of one core a run, about
2½ minutes in all on an idle machine) with

    python -m course_lib.adding                 (every run; --run NAME for one)

Each run is assets/adding_<name>.npz (weights and history) with adding_<name>.json beside it.
Derived in notebooks/07_lstm.ipynb, "Long lags".
"""

import argparse
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_lib._files import ASSETS, metadata_text, npz_path, read_npz
from course_lib._validate import (
    as_float_array,
    as_generator,
    check_bool,
    check_choice,
    check_positive_float,
    check_positive_int,
    checked,
    require_keys,
    shaped_array,
)
from course_lib.recurrent import add_bias, cell_names, get_cell, matmul_steps, outer_sum, parameter_count
from course_lib.recurrent import sequence_backward, sequence_forward, sum_steps

__all__ = [
    "AddingRun",
    "COMPARISON",
    "DEFAULTS",
    "FORGET_BIAS_RUNS",
    "N_X",
    "N_Y",
    "RUN_ORDER",
    "TRIVIAL_MSE",
    "adding_forward",
    "adding_loss_and_gradients",
    "adding_mse",
    "adding_problem",
    "adding_recipe",
    "adding_test_set",
    "default_adding_path",
    "initialize_adding_parameters",
    "load_adding_run",
    "main",
    "save_adding_run",
    "train_adding",
    "train_adding_default",
    "updates_to_reach",
]

N_X = 2  # a value and a marker per step
N_Y = 1  # one number: the sum
TRIVIAL_MSE = 2 / 12  # Var(y) = Var(u1) + Var(u2) for u ~ U[0, 1]: the MSE of always answering E[y] = 1

COMMAND = "python -m course_lib.adding"
HISTORY_KEYS = ("train_loss", "gradient_norm", "checkpoint_steps", "test_mse", "cpu_seconds", "wall_seconds")

# The recipes of the shipped runs. Same task (T_x = 50), budget (2000 updates of 32 fresh
# sequences), optimiser and test set for every cell; the hidden sizes give (nearly) the
# same number of parameters, the LSTM's n_a = 32 fixing the count (Chung et al. 2014).
_COMMON = dict(T=50, steps=2000, batch_size=32, learning_rate=0.01, clip=("norm", 1.0), scale=0.1,
               test_size=1000, test_seed=1997, eval_every=50, seed=0)
DEFAULTS = {
    "rnn": dict(_COMMON, cell="rnn", n_a=None, forget_bias=None),  # n_a None: matched to the LSTM's count
    "gru": dict(_COMMON, cell="gru", n_a=None, forget_bias=None),
    "lstm": dict(_COMMON, cell="lstm", n_a=32, forget_bias=1.0),
    # Jozefowicz et al. (2015)'s question: the same LSTM, its forget-gate bias started at 0.
    "lstm_forget_bias_0": dict(_COMMON, cell="lstm", n_a=32, forget_bias=0.0),
}
# Two more seeds of both LSTMs: whether the forget bias's effect is more than one seed's luck.
for _seed in (1, 2):
    DEFAULTS[f"lstm_seed{_seed}"] = dict(DEFAULTS["lstm"], seed=_seed)
    DEFAULTS[f"lstm_forget_bias_0_seed{_seed}"] = dict(DEFAULTS["lstm_forget_bias_0"], seed=_seed)
RUN_ORDER = tuple(DEFAULTS)
COMPARISON = ("rnn", "gru", "lstm")  # the cells at matched parameter counts, seed 0
FORGET_BIAS_RUNS = {  # forget_bias -> the runs of seeds 0, 1, 2
    1.0: ("lstm", "lstm_seed1", "lstm_seed2"),
    0.0: ("lstm_forget_bias_0", "lstm_forget_bias_0_seed1", "lstm_forget_bias_0_seed2"),
}


# ---------------------------------------------------------------------------------------
# The task
# ---------------------------------------------------------------------------------------


def _check_problem(m, T, rng):
    return check_positive_int("m", m), check_positive_int("T", T, minimum=2), as_generator("rng", rng)


@checked(_check_problem)
def adding_problem(m, T, rng):
    """A batch of the adding problem: values, two markers, and the sum of the marked values.

    Args:
        m: number of examples.
        T: sequence length T_x (≥ 2): one marker falls in steps [0, T/2), one in [T/2, T).
        rng: a np.random.Generator or an int seed.
    Returns:
        x: (2, m, T) float64; x[0] values uniform in [0, 1], x[1] markers (two 1s per example).
        y: (1, m) float64, the sum of each example's two marked values.
    """
    half = T // 2
    values = rng.random((m, T))  # (m, T)
    first = rng.integers(0, half, size=m)  # a step in the first half
    second = rng.integers(half, T, size=m)  # and one in the second half
    markers = np.zeros((m, T))
    rows = np.arange(m)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers])  # (2, m, T)
    y = (values[rows, first] + values[rows, second])[None, :]  # (1, m)
    return x, y


def _check_test_set(m=1000, T=50, seed=1997):
    return check_positive_int("m", m), check_positive_int("T", T, minimum=2), check_positive_int("seed", seed, minimum=0)


@checked(_check_test_set)
def adding_test_set(m=1000, T=50, seed=1997):
    """The fixed test set of the shipped runs: ``adding_problem(m, T, seed)``, the same for every cell.

    Returns:
        (x (2, m, T), y (1, m)).
    """
    return adding_problem.unchecked(m, T, np.random.default_rng(seed))


# ---------------------------------------------------------------------------------------
# The model: a cell over the sequence, a linear read-out of its last hidden state
# ---------------------------------------------------------------------------------------


def _check_cell(cell):
    if isinstance(cell, str):
        check_choice("cell", cell, cell_names())
    return get_cell(cell)


def _check_model_parameters(parameters, cell):
    """The cell's parameters and its output layer (n_y = 1), checked, as a new dict."""
    cell = _check_cell(cell)
    require_keys("parameters", parameters, cell.output_keys)
    p = cell.check_parameters(parameters)
    _, n_a = cell.sizes(p)
    W, b = cell.output_keys
    if p[W].shape != (N_Y, n_a) or p[b].shape != (N_Y, 1):
        raise ValueError(f'parameters["{W}"] and parameters["{b}"] must have shapes (n_y, n_a) = (1, {n_a}) and '
                         f'(n_y, 1) = (1, 1): the adding problem predicts one number, got {p[W].shape} and {p[b].shape}')
    return p, cell


def _check_n_x(p, cell):
    n_x, _ = cell.sizes(p)
    if n_x != N_X:
        raise ValueError(f"parameters are for n_x = {n_x} inputs; the adding problem has n_x = {N_X} (value, marker)")


def _check_x(x, p, cell):
    _check_n_x(p, cell)
    return shaped_array("x", x, "(n_x, m, T_x)", n_x=N_X)


def _check_initialize(cell, n_a, rng, scale=0.1, forget_bias=None):
    cell = _check_cell(cell)
    n_a = check_positive_int("n_a", n_a)
    rng = as_generator("rng", rng)
    scale = check_positive_float("scale", scale)
    if forget_bias is not None:
        if "bf" not in cell.parameter_keys:
            raise ValueError(f"forget_bias is for the LSTM's forget gate only; the {cell.name!r} cell has none "
                             "(give forget_bias=None)")
        forget_bias = float(as_float_array("forget_bias", forget_bias, ndim=0))
    return cell, n_a, rng, scale, forget_bias


@checked(_check_initialize)
def initialize_adding_parameters(cell, n_a, rng, scale=0.1, forget_bias=None):
    """Small random weights for the adding model: the cell (n_x = 2) and a read-out to one number.

    Args:
        cell: "rnn", "gru", "lstm" (any of cell_names()) or a Cell.
        n_a: hidden-state size.
        rng: a np.random.Generator or an int seed.
        scale: standard deviation of every entry (biases too: random, so a test sees them).
        forget_bias: LSTM only: added to bf (Jozefowicz et al. 2015 start from 1, so that
            Γf ≈ σ(1) ≈ 0.73 keeps the memory from the first update). None: no shift. A
            number for a cell without a forget gate is refused.
    Returns:
        parameters: the cell's dict and its output layer (Wy, by; Wya, by for the RNN),
        Wy (1, n_a), by (1, 1).
    """
    parameters = cell.initialize(N_X, n_a, N_Y, rng, scale)
    if forget_bias is not None:
        parameters["bf"] = parameters["bf"] + forget_bias
    return parameters


def _check_forward(x, parameters, cell="lstm"):
    p, cell = _check_model_parameters(parameters, cell)
    return _check_x(x, p, cell), p, cell


def _forward(x, p, cell):
    """(ŷ (1, m), h<T_x> (n_a, m), caches) of checked arguments."""
    n_a = p[cell.output_keys[0]].shape[1]
    initial = tuple(np.zeros((n_a, x.shape[1])) for _ in cell.states)  # a<0> (and c<0>) = 0
    caches = sequence_forward(cell, x, initial, p)
    h_last = caches.state(cell.hidden)[:, :, -1]  # h<T_x>  (n_a, m)
    W, b = cell.output_keys
    y_hat = add_bias(matmul_steps(p[W], h_last), p[b])  # ŷ = Wy h<T_x> + by  (1, m)
    return y_hat, h_last, caches


@checked(_check_forward)
def adding_forward(x, parameters, cell="lstm"):
    """The model's prediction for every example: the cell over x, then ŷ = Wy h<T_x> + by.

    Args:
        x: (2, m, T_x) inputs of ``adding_problem``.
        parameters: from ``initialize_adding_parameters`` (or a shipped run).
        cell: the cell these parameters belong to ("rnn", "gru", "lstm" ...).
    Returns:
        y_hat: (1, m), the predicted sums.
        caches: the SequenceCache of the cell's forward pass (its gates for a figure).
    """
    y_hat, _, caches = _forward(x, parameters, cell)
    return y_hat, caches


def _check_mse(parameters, x, y, cell="lstm"):
    x, p, cell = _check_forward(x, parameters, cell)
    return p, x, shaped_array("y", y, "(n_y, m)", n_y=N_Y, m=x.shape[1]), cell


@checked(_check_mse)
def adding_mse(parameters, x, y, cell="lstm"):
    """Mean squared error of the model on (x, y): the number to compare with TRIVIAL_MSE.

    Args:
        parameters, cell: the model.
        x: (2, m, T_x); y: (1, m).
    Returns:
        float: mean over the m examples of (ŷ − y)².
    """
    return _mse(parameters, x, y, cell)


def _mse(p, x, y, cell, chunk=250):
    """The MSE of checked arguments, the examples taken ``chunk`` at a time (the caches stay small)."""
    y_hat = np.concatenate([_forward(x[:, i:i + chunk], p, cell)[0] for i in range(0, x.shape[1], chunk)], axis=1)
    return float(np.mean((y_hat - y) ** 2))


def _check_batch(batch, m=None):
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise ValueError(f"batch must be a pair (x, y) of arrays (2, m, T_x) and (1, m) as adding_problem returns, "
                         f"got {type(batch).__name__}")
    x = shaped_array("batch x", batch[0], "(n_x, m, T_x)", n_x=N_X)
    return x, shaped_array("batch y", batch[1], "(n_y, m)", n_y=N_Y, m=x.shape[1])


def _check_loss(parameters, batch, cell="lstm"):
    p, cell = _check_model_parameters(parameters, cell)
    _check_n_x(p, cell)
    return p, _check_batch(batch), cell


def _loss_and_gradients(p, batch, cell):
    """(J, gradients, m) of checked arguments: forward, then backward through the read-out and BPTT."""
    x, y = batch
    y_hat, h_last, caches = _forward(x, p, cell)
    residual = y_hat - y  # ŷ − y  (1, m)
    J = float(np.sum(residual**2))  # J = Σ (ŷ − y)²
    dy_hat = 2 * residual  # ∂J/∂ŷ  (1, m)
    W, b = cell.output_keys
    d_hidden = np.zeros(caches.state(cell.hidden).shape)  # ∂J/∂h<t> from above: only the last step reads out
    d_hidden[:, :, -1] = p[W].T @ dy_hat  # ∂J/∂h<T_x> = Wyᵀ dŷ  (n_a, m)
    gradients = cell.only_parameter_gradients(sequence_backward(d_hidden, caches, input_gradient=False))
    gradients["d" + W] = outer_sum(dy_hat, h_last)  # dWy = dŷ h<T_x>ᵀ  (1, n_a)
    gradients["d" + b] = sum_steps(dy_hat)  # dby = Σ dŷ  (1, 1)
    return J, gradients, x.shape[1]


@checked(_check_loss)
def adding_loss_and_gradients(parameters, batch, cell="lstm"):
    """The summed squared error on one batch and its gradients, for ``train.train_model``.

    Args:
        parameters, cell: the model.
        batch: (x (2, m, T_x), y (1, m)), as ``adding_problem`` returns.
    Returns:
        (J, gradients, m): J = Σ (ŷ − y)² over the batch (so J / m, what train_model
        reports, is the batch's MSE), "d" + every parameter key, and m.
    Use ``functools.partial(adding_loss_and_gradients, cell="gru")`` as train_model's
    ``loss_and_gradients``.
    """
    return _loss_and_gradients(parameters, batch, cell)


# ---------------------------------------------------------------------------------------
# Training with a history: the training loss of every update, the test MSE and the time at checkpoints
# ---------------------------------------------------------------------------------------


def _batches(batch_size, T, rng):
    """Fresh batches, endlessly: every update sees new sequences."""
    while True:
        yield adding_problem.unchecked(batch_size, T, rng)


def _check_clip_pair(clip):
    if clip is None:
        return None
    if not (isinstance(clip, (tuple, list)) and len(clip) == 2 and clip[0] in ("value", "norm")):
        raise ValueError(f'clip must be None, ("value", v) or ("norm", v), got {clip!r}')
    return (clip[0], check_positive_float("clip", clip[1]))


def _check_train(cell, n_a, T, steps, seed=0, batch_size=32, learning_rate=0.01, clip=("norm", 1.0), scale=0.1,
                 forget_bias=None, test_size=1000, test_seed=1997, eval_every=50, progress=True):
    cell, n_a, _, scale, forget_bias = _check_initialize(cell, n_a, 0, scale, forget_bias)
    return (cell, n_a, check_positive_int("T", T, minimum=2), check_positive_int("steps", steps),
            check_positive_int("seed", seed, minimum=0), check_positive_int("batch_size", batch_size),
            check_positive_float("learning_rate", learning_rate), _check_clip_pair(clip), scale, forget_bias,
            check_positive_int("test_size", test_size), check_positive_int("test_seed", test_seed, minimum=0),
            check_positive_int("eval_every", eval_every), check_bool("progress", progress))


@dataclass(frozen=True)
class AddingRun:
    """One training run on the adding problem: the trained model and its history.

    Attributes:
        name: the run's name (a key of DEFAULTS, or "custom").
        cell: the cell's name.
        parameters: the trained parameters.
        history: dict of float64 arrays:
            train_loss (steps,): each update's batch MSE, before the update;
            gradient_norm (steps,): its gradient norm, before clipping;
            checkpoint_steps (k,): 0, eval_every, 2 eval_every, ... (and the last step);
            test_mse (k,): the test set's MSE after that many updates;
            cpu_seconds (k,): process CPU time of training so far (evaluations excluded);
            wall_seconds (k,): wall-clock time of training so far (evaluations excluded).
        metadata: the recipe, the parameter count, the final test MSE, the timing's conditions.
    """

    name: str
    cell: str
    parameters: dict
    history: dict
    metadata: dict

    @property
    def final_test_mse(self):
        """The test MSE after the last update."""
        return float(self.history["test_mse"][-1])


def _check_reach(run, threshold=0.05):
    if not isinstance(run, AddingRun):
        raise ValueError(f"run must be an AddingRun (from train_adding or load_adding_run), got {type(run).__name__}")
    return run, check_positive_float("threshold", threshold)


@checked(_check_reach)
def updates_to_reach(run, threshold=0.05):
    """The first checkpoint at which the test MSE is below ``threshold``: how fast a run learned.

    Args:
        run: an AddingRun.
        threshold: a test MSE > 0 (0.05: well below TRIVIAL_MSE ≈ 0.167).
    Returns:
        int, the number of updates (a multiple of the run's eval_every), or None if never.
    """
    h = run.history
    below = np.flatnonzero(h["test_mse"] < threshold)
    return int(h["checkpoint_steps"][below[0]]) if below.size else None


def _blas_threads():
    """What the environment asks of the BLAS libraries (the timing depends on it), as a str."""
    keys = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    return ", ".join(f"{k}={os.environ[k]}" for k in keys if k in os.environ) or "not set (the BLAS default)"


@checked(_check_train)
def train_adding(cell, n_a, T, steps, seed=0, batch_size=32, learning_rate=0.01, clip=("norm", 1.0), scale=0.1,
                 forget_bias=None, test_size=1000, test_seed=1997, eval_every=50, progress=True):
    """Train the adding model with Adam on fresh batches, recording the learning curves.

    Args:
        cell: "rnn", "gru", "lstm" (or another registered cell); n_a: its hidden size.
        T: sequence length; steps: number of updates.
        seed: the weights' and the batches' seed (int ≥ 0): same seed, same history.
        batch_size, learning_rate, clip: Adam's mini-batches, step size and clipping
            (None, ("norm", v) or ("value", v)).
        scale: the initial weights' standard deviation; forget_bias: LSTM only (see
            initialize_adding_parameters).
        test_size, test_seed: the fixed test set (``adding_test_set``), evaluated before
            training and every ``eval_every`` updates.
        progress: show a progress bar.
    Returns:
        AddingRun (name "custom"): parameters, history (see AddingRun), metadata.
    """
    from course_lib.train import train_model  # the trainer imports the language model: only training needs it

    parameters = initialize_adding_parameters.unchecked(cell, n_a, np.random.default_rng([seed, 0]), scale,
                                                        forget_bias)
    batches = _batches(batch_size, T, np.random.default_rng([seed, 1]))  # the same batches for every cell
    x_test, y_test = adding_test_set.unchecked(test_size, T, test_seed)
    checkpoints, test_mse, cpu, wall = [], [], [], []
    clock = {"cpu": 0.0, "wall": 0.0}  # training time so far, and (below) where its current stretch began

    def evaluate(step, p, loss=None):
        cpu_now, wall_now = time.process_time(), time.perf_counter()
        clock["cpu"] += cpu_now - clock["cpu_mark"]  # training time since the last checkpoint
        clock["wall"] += wall_now - clock["wall_mark"]
        checkpoints.append(step)
        test_mse.append(_mse(p, x_test, y_test, cell))
        cpu.append(clock["cpu"])
        wall.append(clock["wall"])
        clock["cpu_mark"], clock["wall_mark"] = time.process_time(), time.perf_counter()  # evaluation not counted

    clock["cpu_mark"], clock["wall_mark"] = time.process_time(), time.perf_counter()
    evaluate(0, parameters)
    result = train_model(
        lambda p, batch: _loss_and_gradients(p, batch, cell), parameters, batches, steps, optimizer="adam",
        learning_rate=learning_rate, clip=clip, progress=progress, callback=evaluate, callback_every=eval_every,
        description=f"{cell.name}, T = {T}",
    )
    if checkpoints[-1] != steps:
        evaluate(steps, result.parameters)
    history = {
        "train_loss": result.losses, "gradient_norm": result.gradient_norms,
        "checkpoint_steps": np.array(checkpoints, dtype=np.float64), "test_mse": np.array(test_mse),
        "cpu_seconds": np.array(cpu), "wall_seconds": np.array(wall),
    }
    metadata = dict(
        cell=cell.name, n_a=n_a, n_x=N_X, n_y=N_Y, parameter_count=parameter_count(cell, N_X, n_a, N_Y), T=T,
        steps=steps, seed=seed, batch_size=batch_size, learning_rate=learning_rate, optimizer="adam",
        clip=None if clip is None else list(clip), scale=scale, forget_bias=forget_bias, test_size=test_size,
        test_seed=test_seed, eval_every=eval_every, final_test_mse=test_mse[-1], trivial_mse=TRIVIAL_MSE,
        cpu_seconds=round(cpu[-1], 2), wall_seconds=round(wall[-1], 2), blas_threads=_blas_threads(),
        timing=("cpu_seconds: time.process_time() of the training updates (the test evaluations excluded); with one "
                "BLAS thread it is the wall-clock time the run takes on an idle core, and other processes do not "
                "distort it; wall_seconds: time.perf_counter(), likewise"),
    )
    return AddingRun("custom", cell.name, result.parameters, history, metadata)


# ---------------------------------------------------------------------------------------
# The shipped runs: recipes, saving, loading, retraining
# ---------------------------------------------------------------------------------------


def _run_name(name):
    if not isinstance(name, str) or name not in DEFAULTS:
        raise ValueError(f"name must be one of {list(RUN_ORDER)}, got {name!r}")
    return name


def adding_recipe(name):
    """DEFAULTS[name] with its hidden size filled in: the LSTM's n_a, or the size matching its count."""
    from course_lib.recurrent import hidden_size_for

    d = dict(DEFAULTS[_run_name(name)])
    if d["n_a"] is None:  # matched to the LSTM's parameter count
        count = parameter_count("lstm", N_X, DEFAULTS["lstm"]["n_a"], N_Y)
        d["n_a"] = hidden_size_for(d["cell"], N_X, count, N_Y)
    return d


def _check_path_name(name):
    return (_run_name(name),)


@checked(_check_path_name)
def default_adding_path(name):
    """Where the shipped run ``name`` (a key of DEFAULTS) lives: assets/adding_<name>.npz."""
    return ASSETS / f"adding_{name}.npz"


def _check_history(history, name="history"):
    """The history's arrays as float64, one entry per update and one per checkpoint."""
    require_keys(name, history, HISTORY_KEYS)
    h = {k: as_float_array(f'{name}["{k}"]', history[k], ndim=1, finite=k not in ("train_loss", "gradient_norm"))
         for k in HISTORY_KEYS}
    k = len(h["checkpoint_steps"])
    if k == 0 or any(len(h[key]) != k for key in ("test_mse", "cpu_seconds", "wall_seconds")):
        raise ValueError(f"{name}'s checkpoint_steps, test_mse, cpu_seconds and wall_seconds must have the same "
                         "length >= 1")
    if len(h["train_loss"]) != len(h["gradient_norm"]):
        raise ValueError(f"{name}'s train_loss and gradient_norm must have one entry per update")
    return h


def _check_save(path, run):
    if not isinstance(run, AddingRun):
        raise ValueError(f"run must be an AddingRun (from train_adding), got {type(run).__name__}")
    try:
        p, cell = _check_model_parameters(run.parameters, run.cell)
    except ValueError as exc:
        raise ValueError(f"run.parameters do not fit run.cell = {run.cell!r}: {exc}") from exc
    if not isinstance(run.metadata, dict):
        raise ValueError(f"run.metadata must be a dict, got {type(run.metadata).__name__}")
    return npz_path(path), AddingRun(run.name, cell.name, p, _check_history(run.history, "run.history"), run.metadata)


@checked(_check_save)
def save_adding_run(path, run):
    """Write a run to ``path`` (.npz: weights and history) and its metadata beside it (.json).

    Args:
        path: the file (".npz" appended when missing).
        run: an AddingRun.
    Returns:
        the Path of the .npz written.
    """
    meta = dict(run.metadata, name=run.name, cell=run.cell)
    text = metadata_text(meta, "run.metadata")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a directory, not a .npz file")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{f"parameters/{k}": v for k, v in run.parameters.items()},
                        **{f"history/{k}": v for k, v in run.history.items()}, cell=np.array(run.cell),
                        name=np.array(run.name))
    path.with_suffix(".json").write_text(text + "\n", encoding="utf-8")
    return path


def _check_load(name):
    if isinstance(name, str) and name in DEFAULTS:
        return (default_adding_path.unchecked(name),)
    return (npz_path(name),)


@checked(_check_load)
def load_adding_run(name):
    """A shipped run (by name: a key of DEFAULTS, e.g. "lstm") or a saved one (by path).

    Args:
        name: a key of DEFAULTS, or the path of a file written by ``save_adding_run``.
    Returns:
        AddingRun (name, cell, parameters, history, metadata).
    Raises:
        ValueError naming the path when it is missing or does not hold a run.
    """
    path = name
    entries = read_npz(path, "save_adding_run", f"the shipped runs are rebuilt with: {COMMAND}")
    try:
        cell = _check_cell(str(entries["cell"]))
        parameters = {k.split("/", 1)[1]: v for k, v in entries.items() if k.startswith("parameters/")}
        p, cell = _check_model_parameters(parameters, cell)
        history = _check_history({k.split("/", 1)[1]: v for k, v in entries.items() if k.startswith("history/")})
        run_name = str(entries["name"])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"path {str(path)!r} does not hold a run written by save_adding_run: {exc}") from exc
    metadata = {}
    meta_path = path.with_suffix(".json")
    if meta_path.exists():
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"path {str(path)!r}: its metadata {str(meta_path)!r} is not valid JSON ({exc})") from exc
        if not isinstance(metadata, dict):
            raise ValueError(f"path {str(path)!r}: its metadata {str(meta_path)!r} must hold a JSON object")
    return AddingRun(run_name, cell.name, p, history, metadata)


def _check_default(name, seed=None, steps=None, progress=True):
    return (_run_name(name), None if seed is None else check_positive_int("seed", seed, minimum=0),
            None if steps is None else check_positive_int("steps", steps), check_bool("progress", progress))


@checked(_check_default)
def train_adding_default(name, seed=None, steps=None, progress=True):
    """Retrain a shipped run with its recipe (DEFAULTS; seed and steps overridable): RETRAIN = True.

    Args:
        name: a key of DEFAULTS ("rnn", "gru", "lstm", "lstm_forget_bias_0", "lstm_seed1" ...).
        seed: None (the recipe's) or an int ≥ 0.
        steps: None (the recipe's) or the number of updates.
        progress: show a progress bar.
    Returns:
        AddingRun named ``name``, as ``load_adding_run(name)`` gives the shipped one.
    """
    d = adding_recipe(name)
    if seed is not None:
        d["seed"] = seed
    if steps is not None:
        d["steps"] = steps
    run = train_adding.unchecked(
        get_cell(d["cell"]), d["n_a"], d["T"], d["steps"], d["seed"], d["batch_size"], d["learning_rate"],
        tuple(d["clip"]), d["scale"], d["forget_bias"], d["test_size"], d["test_seed"], d["eval_every"], progress,
    )
    return AddingRun(name, run.cell, run.parameters, run.history, dict(run.metadata, name=name))


def main(argv=None):
    """``python -m course_lib.adding``: train the shipped runs (or one) and save them in assets/.

    Args:
        argv: the command's arguments as a list of str (None: the command line's own).
    Returns:
        0.
    """
    if argv is not None and (isinstance(argv, str) or not isinstance(argv, (list, tuple))
                             or not all(isinstance(a, str) for a in argv)):
        raise ValueError(f"argv must be None or a list of str, e.g. ['--run', 'lstm', '--steps', '100'], got {argv!r}")
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", choices=list(RUN_ORDER), action="append", default=None,
                        help="train this run only (repeatable; default: all of them)")
    parser.add_argument("--out-dir", default=None, help="where to write adding_<run>.npz (default: assets/)")
    parser.add_argument("--steps", type=int, default=None, help="number of updates (default: the recipe's)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the weights and batches (default: the recipe's)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = parser.parse_args(argv)
    for flag, value, minimum in (("--steps", args.steps, 1), ("--seed", args.seed, 0)):
        if value is not None and value < minimum:
            parser.error(f"{flag} must be >= {minimum}, got {value}")
    out_dir = ASSETS if args.out_dir is None else Path(args.out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        parser.error(f"--out-dir {str(out_dir)!r} is a file, not a directory")
    start = time.perf_counter()
    for name in args.run or RUN_ORDER:
        run = train_adding_default(name, seed=args.seed, steps=args.steps, progress=not args.no_progress)
        if not math.isfinite(run.final_test_mse):
            parser.error(f"{name}: training ended with a non-finite test MSE: nothing saved")
        out = save_adding_run(out_dir / f"adding_{name}.npz", run)
        m = run.metadata
        print(f"{name}: {m['cell']} n_a = {m['n_a']} ({m['parameter_count']} parameters), T = {m['T']}, "
              f"{m['steps']} updates in {m['cpu_seconds']:.1f} s CPU: test MSE {run.final_test_mse:.4f} "
              f"(trivial {TRIVIAL_MSE:.4f}), saved {out}")
    print(f"total {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    import sys

    # One BLAS thread, so that the CPU seconds recorded are what the run costs on one idle
    # core; the variables must be set before NumPy loads, hence the fresh process.
    if os.environ.get("OPENBLAS_NUM_THREADS") is None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        os.execve(sys.executable, [sys.executable, "-m", "course_lib.adding", *sys.argv[1:]], env)
    raise SystemExit(main())
