"""Training: one step and one loop for any loss-and-gradients function, and the language
model's trainer, a thin use of them.

Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model".

One training step is the source tutorial's recipe:

    forward + backward    J, gradients, n = loss_and_gradients(parameters, batch)
    average               gradients / n          (n: the tokens, examples ... that J sums over)
    clip (optional)       gradients.clip or gradients.clip_by_norm
    update                parameters = optimizer.step(parameters, gradients)

``train_model`` repeats it over a stream of batches, with a progress bar, a callback and a guard
that stops a diverging run (``TrainingDiverged``) instead of carrying on with NaN. The
language model's trainer feeds it padded mini-batches of similar-length sentences
(``iterate_batches``) and ``lm.lm_loss_and_gradients``. The notebooks' shipped models and
the command that rebuilds them live in ``course_lib.models``.
"""

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_float_array,
    as_generator,
    check_bool,
    check_positive_float,
    check_positive_int,
    checked,
)
from course_lib.data.vocab import Vocabulary
from course_lib.gradients import clip as clip_by_value
from course_lib.gradients import clip_by_norm, global_norm
from course_lib.lm import check_lm_parameters, lm_loss_and_gradients, mean_token_loss
from course_lib.optim import gradient_pairs, make_optimizer, rebuild
from course_lib.recurrent import get_cell

__all__ = [
    "TrainingDiverged",
    "TrainingResult",
    "TrainingStep",
    "iterate_batches",
    "train_language_model",
    "train_model",
    "training_step",
]

CLIPS = ("value", "norm")


class TrainingDiverged(FloatingPointError, ValueError):
    """The loss or the gradient norm became non-finite or absurdly large.

    Attributes:
        step: the step (from 1) at which training stopped.
        losses: (step,), the mean loss (J / n) of every step up to and including the
            failing one (NaN where it could not be computed).
        gradient_norms: (step,), the global gradient norm before clipping, likewise.
    So a run can be plotted up to where it diverged.
    """

    def __init__(self, message, step=None, losses=None, gradient_norms=None):
        super().__init__(message)
        self.step = step
        self.losses = np.array([] if losses is None else losses, dtype=np.float64)
        self.gradient_norms = np.array([] if gradient_norms is None else gradient_norms, dtype=np.float64)

    def __reduce__(self):  # keep the history when pickled (e.g. by a process pool)
        return type(self), (str(self), self.step, self.losses, self.gradient_norms)


@dataclass
class TrainingResult:
    """What a training run returns.

    Attributes:
        parameters: the final parameters (a new dict, shaped like the initial ones).
        losses: (steps,), each step's mean loss J / n before its update (for a language
            model: nats per token).
        gradient_norms: (steps,), global L2 norm of each step's averaged gradient, before
            clipping.
        tokens: Σ n over the steps: the tokens a language model read (the examples,
            characters ... of another loss).
        seconds: wall-clock time of the loop, without the held-out evaluations.
        config: the hyper-parameters used, and ``cpu_seconds``: the process's CPU time in
            the loop without the held-out evaluations (which other processes slow down
            less than the wall clock, with one BLAS thread).
        held_out_steps: (K,), the update counts at which the held-out loss was measured
            (0 = before the first update, the last = steps); empty without ``held_out``.
        held_out_losses: (K,), the held-out loss at those steps.
    """

    parameters: dict
    losses: np.ndarray
    gradient_norms: np.ndarray
    tokens: int
    seconds: float
    config: dict = field(default_factory=dict)
    held_out_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    held_out_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))


class TrainingStep(NamedTuple):
    """What one training step returns."""

    parameters: dict  # the updated parameters (a new dict)
    loss: float  # J / n, before the update
    gradient_norm: float  # ‖gradients / n‖ before clipping (NaN when not finite)
    count: float  # n, what J sums over (tokens, examples ...)


# ---------------------------------------------------------------------------------------
# Checks at the door
# ---------------------------------------------------------------------------------------



def _check_clip(clip):
    """None, ("value", v) or ("norm", v) with v > 0."""
    if clip is None:
        return None
    if not (isinstance(clip, (tuple, list)) and len(clip) == 2 and isinstance(clip[0], str) and clip[0] in CLIPS):
        raise ValueError(f'clip must be None, ("value", v) or ("norm", v), got {clip!r}')
    return (clip[0], check_positive_float("clip", clip[1]))


def _check_callable(name, f, optional=False):
    if (f is None and not optional) or (f is not None and not callable(f)):
        raise ValueError(f"{name} must be {'None or ' if optional else ''}callable, got {type(f).__name__}")
    return f


def _check_parameters(parameters, name="parameters"):
    """A new dict (of dicts) of finite float64 arrays, shaped like ``parameters``."""
    if not isinstance(parameters, dict) or not parameters:
        raise ValueError(f"{name} must be a non-empty dict of arrays (or of parameter dicts), got {type(parameters).__name__}")
    return {k: _check_parameters(v, f"{name}[{k!r}]") if isinstance(v, dict) else as_float_array(f"{name}[{k!r}]", v).copy()
            for k, v in parameters.items()}


def _check_optimizer(optimizer):
    if isinstance(optimizer, (str, type)) or not callable(getattr(optimizer, "step", None)):
        raise ValueError(f"optimizer must be an optimiser object with a step(parameters, gradients) method, e.g. "
                         f"optim.Adam(0.01) (optim.make_optimizer('adam', 0.01) makes one from a name), got {optimizer!r}")
    return optimizer


def _check_step(loss_and_gradients, parameters, batch, optimizer, clip=None):
    return (_check_callable("loss_and_gradients", loss_and_gradients), _check_parameters(parameters), batch,
            _check_optimizer(optimizer), _check_clip(clip))


def _check_limit(name, value):
    return None if value is None else check_positive_float(name, value)


def _check_train_model(loss_and_gradients, parameters, batches, steps, optimizer="adam", learning_rate=0.01,
                       clip=None, progress=True, callback=None, callback_every=100, max_loss=None,
                       max_gradient_norm=1e6, description="training", held_out=None, held_out_every=None):
    if isinstance(batches, (list, tuple)):
        if not batches:
            raise ValueError("batches must not be empty: give a list of batches (visited in turn, again and again) "
                             "or an iterator of them")
    elif not hasattr(batches, "__next__"):
        raise ValueError(f"batches must be a list of batches (visited in turn, again and again) or an iterator of "
                         f"them (e.g. iterate_batches), got {type(batches).__name__}")
    if not isinstance(description, str):
        raise ValueError(f"description must be a str, got {type(description).__name__}")
    if isinstance(optimizer, str):
        learning_rate = check_positive_float("learning_rate", learning_rate)
    return (
        _check_callable("loss_and_gradients", loss_and_gradients), _check_parameters(parameters), batches,
        check_positive_int("steps", steps), make_optimizer(optimizer, learning_rate), None, _check_clip(clip),
        check_bool("progress", progress), _check_callable("callback", callback, optional=True),
        check_positive_int("callback_every", callback_every), _check_limit("max_loss", max_loss),
        check_positive_float("max_gradient_norm", max_gradient_norm), description,
        _check_callable("held_out", held_out, optional=True),
        None if held_out_every is None else check_positive_int("held_out_every", held_out_every),
    )


def _count(n):
    """n returned by a loss-and-gradients function: a number > 0."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, float, np.integer, np.floating)) or not n > 0:
        raise ValueError(
            f"loss_and_gradients returned n = {n!r}: n, what J sums over (tokens, examples ...), must be a number > 0 "
            "(a batch of padding only has nothing to average over)"
        )
    return float(n) if isinstance(n, (float, np.floating)) else int(n)


def _evaluate(loss_and_gradients, parameters, batch):
    """(J, gradients, n) from the loss function, checked."""
    result = loss_and_gradients(parameters, batch)
    if not (isinstance(result, tuple) and len(result) == 3):
        raise ValueError("loss_and_gradients must return (J, gradients, n): the loss summed over n tokens or "
                         f"examples, its gradients and n; got {type(result).__name__}"
                         + (f" of length {len(result)}" if isinstance(result, tuple) else ""))
    J, gradients, n = result
    J = as_float_array("J (the loss returned by loss_and_gradients)", J, ndim=0, finite=False)
    return float(J), gradients, _count(n)


# ---------------------------------------------------------------------------------------
# One step and the loop, for any loss
# ---------------------------------------------------------------------------------------


@checked(_check_step)
def training_step(loss_and_gradients, parameters, batch, optimizer, clip=None):
    """One update on one batch, for any loss.

    Args:
        loss_and_gradients: ``(parameters, batch) -> (J, gradients, n)``: the loss summed
            over n tokens (or examples, characters ...), its gradient for every parameter
            ("d" + key, as the optimisers take them), and n > 0.
        parameters: dict of arrays, or of parameter dicts for a model of several parts.
        batch: whatever ``loss_and_gradients`` takes.
        optimizer: an object with ``step(parameters, gradients)`` (optim.SGD, optim.Adam).
        clip: None, ("value", v) or ("norm", v).
    Returns:
        TrainingStep(parameters, loss, gradient_norm, count): the new parameters (a new
        dict; ``parameters`` is not modified), J / n, the norm of gradients / n before
        clipping, and n. When the gradient is not finite, its norm is NaN and no update
        is made (the parameters come back unchanged): ``train_model`` stops there.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    J, gradients, n = _evaluate(loss_and_gradients, parameters, batch)  # forward + backward
    pairs = gradient_pairs(parameters, gradients, "the gradients of loss_and_gradients")  # one per parameter, same shapes
    average = {"/".join(path): dW / n for path, _, dW in pairs}  # average per token (or example)
    if not all(np.isfinite(g).all() for g in average.values()):  # then no norm can be measured
        return TrainingStep(parameters, J / n, float("nan"), n)
    if clip is not None and clip[0] == "norm":  # clipping: its own step, between backward and update
        average, norm = clip_by_norm(average, clip[1])
    else:
        norm = global_norm(average)
        if clip is not None:
            average = clip_by_value(average, clip[1])
    gradients = rebuild(parameters, {path: average["/".join(path)] for path, _, _ in pairs}, gradient=True)
    return TrainingStep(optimizer.step(parameters, gradients), J / n, norm, n)  # update


def _not_finite(parameters, prefix=""):
    """The names of the parameters that hold NaN or inf."""
    bad = []
    for k, v in parameters.items():
        if isinstance(v, dict):
            bad += _not_finite(v, f"{prefix}{k}/")
        elif not np.all(np.isfinite(v)):
            bad.append(prefix + k)
    return bad


def _threads_start():
    """Whether this Python can start a thread (not in Pyodide, which has none): tried once."""
    global _THREADS
    if _THREADS is None:
        try:
            thread = threading.Thread(target=lambda: None, daemon=True)
            thread.start()
            thread.join()
            _THREADS = True
        except RuntimeError:  # "can't start new thread"
            _THREADS = False
    return _THREADS


_THREADS = None


@checked(_check_train_model)
def train_model(loss_and_gradients, parameters, batches, steps, optimizer="adam", learning_rate=0.01, clip=None,
                progress=True, callback=None, callback_every=100, max_loss=None, max_gradient_norm=1e6,
                description="training", held_out=None, held_out_every=None):
    """Train any model with mini-batch gradient descent: ``training_step`` repeated.

    Args:
        loss_and_gradients: ``(parameters, batch) -> (J, gradients, n)`` (see training_step).
        parameters: the initial parameters (not modified): a dict of arrays, or of
            parameter dicts for a model of several parts ({"encoder": ..., "decoder": ...};
            its gradients are then {"encoder": {...}, "decoder": {...}}).
        batches: a list of batches, visited in turn and again from the start (a list of one
            batch: full-batch gradient descent), or an iterator of at least ``steps`` batches.
        steps: number of updates (int ≥ 1).
        optimizer: "adam", "sgd", or an object with ``step(parameters, gradients)``.
        learning_rate: α > 0 for a named optimizer.
        clip: None, ("value", v) to clip every entry to [−v, v], or ("norm", v) to rescale
            the gradient when its global norm exceeds v.
        progress: show a tqdm progress bar (a widget in JupyterLab, text elsewhere).
        callback: called as ``callback(step, parameters, loss)`` every ``callback_every`` steps.
        max_loss: a mean loss J / n above this counts as divergence (None: no limit).
        max_gradient_norm: without ``clip``, a gradient norm above this counts as
            divergence. With ``clip`` it is not checked: a large gradient is exactly what
            clipping is there to handle (a non-finite one still stops training).
        description: the progress bar's label.
        held_out: None, or ``held_out(parameters) -> float``: the mean loss on data the
            updates never see (a validation set), measured before the first update, every
            ``held_out_every`` updates and after the last.
        held_out_every: updates between two held-out measurements (default: steps // 20,
            at least 1).
    Returns:
        TrainingResult (parameters, losses per step, gradient_norms per step, tokens, ...,
        held_out_steps and held_out_losses).
    Raises:
        TrainingDiverged (a FloatingPointError and a ValueError) naming the step, the loss
        and the gradient norm, as soon as either stops being finite or exceeds its limit,
        or an update makes a parameter non-finite: training never continues on NaN. Its
        ``step``, ``losses`` and ``gradient_norms`` hold the run up to the failure.

    The gradient is averaged over n, so the learning rate does not depend on the batch size.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    from tqdm.auto import tqdm  # imported here: only training needs it

    if not _threads_start():
        # tqdm's monitor is a thread; where none can start (Pyodide, in JupyterLite) tqdm
        # would warn above the cell and then go without it. Go without it quietly.
        tqdm.monitor_interval = 0

    batches = itertools.cycle(batches) if isinstance(batches, (list, tuple)) else batches
    losses, norms = np.full(steps, np.nan), np.full(steps, np.nan)
    # Without clipping a huge norm means the update will throw the parameters far away;
    # with clipping it is cut to size, so only a non-finite norm stops training.
    norm_limit = max_gradient_norm if clip is None else np.inf
    advice = "lower the learning_rate" + (" or clip the gradients" if clip is None else "")
    tokens = 0
    every = held_out_every or max(1, steps // 20)
    held_out_steps, held_out_losses = [], []
    evaluating = [0.0, 0.0]  # wall-clock and CPU seconds spent on the held-out loss: not training time

    def measure(step, parameters):
        if held_out is not None:
            t0, c0 = time.perf_counter(), time.process_time()
            held_out_losses.append(float(held_out(parameters)))
            held_out_steps.append(step)
            evaluating[0] += time.perf_counter() - t0
            evaluating[1] += time.process_time() - c0

    bar = tqdm(total=steps, disable=not progress, desc=description, unit="step")
    start, cpu_start = time.perf_counter(), time.process_time()
    measure(0, parameters)
    try:
        for step in range(1, steps + 1):
            batch = next(batches, _END)
            if batch is _END:
                raise ValueError(f"batches ran out after {step - 1} batches, with steps = {steps}: give a list "
                                 "(visited again and again) or an endless iterator such as iterate_batches")
            # Overflow in a diverging run must become our error, not a RuntimeWarning.
            with np.errstate(all="ignore"):
                new_parameters, loss, norm, n = training_step.unchecked(loss_and_gradients, parameters, batch,
                                                                        optimizer, clip)
            losses[step - 1], norms[step - 1] = loss, norm
            bad = _not_finite(new_parameters)
            loss_ok = np.isfinite(loss) and (max_loss is None or loss <= max_loss)
            if not (loss_ok and np.isfinite(norm) and norm <= norm_limit and not bad):  # False for NaN too
                loss_limit = "" if max_loss is None else f" (limit {max_loss:g})"
                norm_limit_text = f"limit {max_gradient_norm:g}" if clip is None else "clipped, must be finite"
                raise TrainingDiverged(
                    f"training diverged at step {step}: mean loss {loss:.4g}{loss_limit}, gradient norm {norm:.4g} "
                    f"({norm_limit_text})"
                    f"{f'; the update made the parameters non-finite (NaN or inf in {bad})' if bad else ''}; {advice}",
                    step, losses[:step], norms[:step],
                )
            parameters = new_parameters
            tokens += n
            if step % every == 0 or step == steps:
                measure(step, parameters)
            bar.update(1)
            if step % 10 == 0 or step == steps:
                shown = dict(loss=f"{loss:.3f}")
                if held_out_losses:
                    shown["held_out"] = f"{held_out_losses[-1]:.3f}"
                bar.set_postfix(shown, refresh=False)
            if callback is not None and step % callback_every == 0:
                callback(step, parameters, loss)
    finally:
        bar.close()
    return TrainingResult(
        parameters=parameters,
        losses=losses,
        gradient_norms=norms,
        tokens=tokens,
        seconds=time.perf_counter() - start - evaluating[0],
        config=dict(steps=steps, optimizer=repr(optimizer), clip=None if clip is None else list(clip),
                    max_loss=max_loss, max_gradient_norm=max_gradient_norm,
                    cpu_seconds=time.process_time() - cpu_start - evaluating[1]),
        held_out_steps=np.array(held_out_steps, dtype=int),
        held_out_losses=np.array(held_out_losses, dtype=float),
    )


_END = object()  # what next() gives for an exhausted iterator of batches


# ---------------------------------------------------------------------------------------
# The language model's batches and trainer
# ---------------------------------------------------------------------------------------


def _check_encoded(encoded):
    if not isinstance(encoded, (list, tuple)) or not encoded:
        raise ValueError(f"encoded must be a non-empty list of int arrays (token indices), got "
                         f"{type(encoded).__name__}{'' if not isinstance(encoded, (list, tuple)) else ' (empty)'}")
    rows = []
    for k, e in enumerate(encoded):
        row = np.asarray(e) if not isinstance(e, (str, bytes)) else np.asarray(None)
        if row.ndim != 1 or row.size == 0 or row.dtype.kind not in "iu" or row.min() < 0:
            raise ValueError(f"encoded[{k}] must be a non-empty 1-D array of token indices >= 0, got "
                             f"dtype {row.dtype}, shape {row.shape}")
        rows.append(row)
    return rows


def _check_batches(encoded, batch_size, rng, pool=50):
    return (_check_encoded(encoded), check_positive_int("batch_size", batch_size), as_generator("rng", rng),
            check_positive_int("pool", pool))


def _batches(encoded, batch_size, rng, pool):
    epoch = 0
    while True:
        order = rng.permutation(len(encoded))
        for start in range(0, len(order), pool * batch_size):
            chunk = sorted(order[start:start + pool * batch_size], key=lambda i: len(encoded[i]))
            groups = [chunk[k:k + batch_size] for k in range(0, len(chunk), batch_size)]
            for g in rng.permutation(len(groups)):
                rows = [encoded[i] for i in groups[g]]
                T_x = max(len(r) for r in rows)
                indices = np.full((len(rows), T_x), -1)
                for i, r in enumerate(rows):
                    indices[i, : len(r)] = r
                yield indices, indices >= 0, epoch
        epoch += 1


@checked(_check_batches)
def iterate_batches(encoded, batch_size, rng, pool=50):
    """Endless padded mini-batches of similar-length sentences.

    Args:
        encoded: non-empty list of int arrays (each a sentence's indices, <EOS> last).
        batch_size: m, sentences per batch (int ≥ 1).
        rng: np.random.Generator or an int seed, the shuffling's only randomness.
        pool: sort by length within pools of pool * m shuffled sentences (int ≥ 1).
    Returns:
        an endless iterator of (indices, mask, epoch): int (m, T_x) with −1 after each
        sentence's end, bool (m, T_x) True at real tokens, and the epoch (from 0) the
        batch belongs to. The arguments are checked when it is made, not at its first batch.

    Sorting a whole epoch by length would always put the same sentences together;
    sorting within a shuffled pool keeps batches random and padding small.
    """
    return _batches(encoded, batch_size, rng, pool)


def _encode(corpus, vocabulary, name="corpus"):
    """Every sentence as an int array of token indices ending in <EOS>."""
    if isinstance(corpus, str) or not isinstance(corpus, (list, tuple)) or not corpus:
        raise ValueError(f"{name} must be a non-empty list of str sentences")
    if not all(isinstance(s, str) and s.strip() for s in corpus):
        raise ValueError(f"{name} must hold non-empty str sentences")
    return [np.array(vocabulary.encode(s, add_eos=True)) for s in corpus]


def train_language_model(
    corpus,
    vocabulary,
    n_a,
    rng,
    *,
    steps=1000,
    batch_size=32,
    optimizer="adam",
    learning_rate=0.01,
    clip=None,
    parameters=None,
    init_scale=0.1,
    progress=True,
    callback=None,
    callback_every=100,
    max_loss=20.0,
    max_gradient_norm=1e6,
    cell="rnn",
    held_out=None,
    held_out_every=None,
):
    """Train a recurrent language model with mini-batch gradient descent.

    Args:
        corpus: list of str sentences (each gets <EOS> appended).
        vocabulary: Vocabulary (n_y tokens) used to encode them.
        n_a: hidden-state size.
        rng: np.random.Generator or int seed: the initial weights and the batch order
            come from it, so the same seed gives the same result.
        steps: number of updates (int ≥ 1).
        batch_size: m, sentences per update (int ≥ 1).
        optimizer: "adam", "sgd", or an object with ``step(parameters, gradients)``.
        learning_rate: α > 0 (for a named optimizer).
        clip: None, ("value", v) to clip every entry to [−v, v], or ("norm", v) to
            rescale the gradient when its global norm exceeds v.
        parameters: start from these instead of a fresh initialisation (n_a must match).
        init_scale: standard deviation of the initial weights.
        progress: show a tqdm progress bar (a widget in JupyterLab, text elsewhere).
        callback: called as ``callback(step, parameters, loss)`` every ``callback_every``
            steps (e.g. to print samples while training).
        max_loss: a batch loss above this many nats per token counts as divergence
            (guessing uniformly among e^20 ≈ 5·10^8 tokens would do better; a model
            starts near log n_y).
        max_gradient_norm: without ``clip``, a per-token gradient norm above this counts as
            divergence (with ``clip``, only a non-finite one does).
        cell: "rnn" or another registered cell (see ``recurrent.cell_names()``).
        held_out: None, or a list of str sentences the updates never see (a validation
            set): their mean loss per token is measured while training.
        held_out_every: updates between two held-out measurements (default steps // 20).
    Returns:
        TrainingResult (parameters, losses per step in nats per token, gradient_norms per
        step, tokens, seconds, config, held_out_steps, held_out_losses).
    Raises:
        TrainingDiverged, as ``train_model`` does. (With tanh and a stable softmax an exploding
        run rarely reaches NaN: it shows as a loss far above log n_y, hence ``max_loss``.)

    ``train_model`` on ``lm_loss_and_gradients``, over ``iterate_batches`` of the corpus; the
    gradient is averaged per token, so the learning rate does not depend on the batch size
    or the sentence lengths.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    n_a = check_positive_int("n_a", n_a)
    rng = as_generator("rng", rng)
    init_scale = check_positive_float("init_scale", init_scale)
    cell = get_cell(cell)
    encoded = _encode(corpus, vocabulary)
    n_y = len(vocabulary)
    if parameters is None:
        parameters = cell.initialize(n_y, n_a, n_y, rng, init_scale)
    else:
        parameters = check_lm_parameters(parameters, vocabulary, cell)
        if cell.sizes(parameters)[1] != n_a:
            raise ValueError(f"parameters have n_a = {cell.sizes(parameters)[1]} hidden units, but n_a = {n_a}")
    batches = iterate_batches(encoded, check_positive_int("batch_size", batch_size), rng)
    held_out_loss = None
    if held_out is not None:
        _encode(held_out, vocabulary, "held_out")  # the same check as the corpus's
        held_out = list(held_out)

        def held_out_loss(parameters):
            return mean_token_loss.unchecked(parameters, vocabulary, held_out, 256, cell)

    def loss_and_gradients(parameters, batch):
        indices, mask, _ = batch  # made by iterate_batches: checked already
        J, gradients = lm_loss_and_gradients.unchecked(parameters, indices, mask, cell)  # forward + BPTT
        return J, gradients, int(mask.sum())

    result = train_model(loss_and_gradients, parameters, batches, steps, optimizer=optimizer, learning_rate=learning_rate,
                   clip=clip, progress=progress, callback=callback, callback_every=callback_every,
                   max_loss=max_loss, max_gradient_norm=max_gradient_norm,
                   held_out=held_out_loss, held_out_every=held_out_every)
    result.config.update(n_a=n_a, batch_size=batch_size, init_scale=init_scale, cell=cell.name)
    return result
