"""The notebooks' shipped language models: their recipes, saving, loading, and the command
that rebuilds them.

    python -m course_lib.models --corpus agreement --out assets/lm_agreement.npz
    python -m course_lib.models --corpus agreement_long --out assets/lm_agreement_long.npz
    python -m course_lib.models --corpus chinese --out assets/lm_chinese.npz
    python -m course_lib.models --corpus agreement_long_gru   (and agreement_long_lstm)
    python -m course_lib.models --corpus agreement_long_rnn_matched   (and agreement_long_gru_matched)
    python -m course_lib.models --corpus agreement_long_lstm --add-history

A model is one .npz archive (the parameters, the vocabulary's tokens and granularity, the
final loss, the cell) with its metadata beside it in a .json file of the same name. The
metadata holds the training history (``load_history`` reads it): every update's loss and,
at checkpoints, the CPU and wall-clock seconds and, for the agreement models, the accuracy
on held-out sentences. ``--add-history`` retrains a shipped model without rewriting its
.npz: when the weights come out bit for bit the same, it adds the history to the model's
.json; when they differ by rounding only (the code changed in its last digits since, as
for agreement_long_lstm), it writes lm_<name>_history.json beside it; otherwise it refuses.
The command runs with one BLAS thread (it restarts itself with OPENBLAS_NUM_THREADS=1
unless a thread count is set), so that CPU seconds measure the work, not threads waiting.
Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model".
"""

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_lib._files import ASSETS, metadata_text, npz_path, read_npz
from course_lib._validate import as_float_array, check_bool, check_positive_int
from course_lib.agreement import agreement_scores
from course_lib.data.corpora import MAX_FILLER, MIN_FILLER, agreement_examples, chinese_sentences
from course_lib.data.vocab import Vocabulary
from course_lib.lm import check_lm_parameters, mean_token_loss
from course_lib.recurrent import get_cell, parameter_count
from course_lib.train import train_language_model

__all__ = [
    "TORCH_REFERENCES",
    "torch_reference_path",
    "DEFAULTS",
    "EXTRA_SEEDS",
    "MATCHED",
    "SavedModel",
    "TrainingHistory",
    "default_corpus",
    "default_model_path",
    "seed_history_path",
    "load_history",
    "load_model",
    "main",
    "save_model",
    "train_default",
]

# Everything the command needs to rebuild a shipped model; the seed and steps can be
# overridden from the command line.
DEFAULTS = {
    "agreement": dict(
        granularity="word", n_sentences=3000, min_filler=2, max_filler=12,
        n_a=64, steps=2000, batch_size=32, learning_rate=0.01, clip=("norm", 5.0),
        init_scale=0.1, seed=0,
    ),
    "chinese": dict(
        granularity="char", n_a=64, steps=2000, batch_size=16, learning_rate=0.01,
        clip=("norm", 5.0), init_scale=0.1, seed=0,
    ),
}
# The same model trained on long clauses only: the distance from subject to verb is the
# one difference. Notebook 05's baseline for the gated cells of notebooks 06 and 07.
DEFAULTS["agreement_long"] = dict(DEFAULTS["agreement"], min_filler=10, max_filler=12)
# The gated cells on that same task, with the same recipe (notebooks 06 and 07): the cell
# is the one difference.
DEFAULTS["agreement_long_gru"] = dict(DEFAULTS["agreement_long"], cell="gru")
DEFAULTS["agreement_long_lstm"] = dict(DEFAULTS["agreement_long"], cell="lstm")
# Chung et al. (2014) compared the cells at matched parameter counts, not at matched n_a:
# at n_a = 64 the GRU has three times and the LSTM four times the RNN's cell parameters.
# The LSTM at n_a = 64 is the reference: 41 999 numbers with its output layer
# (n_x = n_y = 79 words). The RNN and the GRU get the n_a whose count is nearest,
# recurrent.hidden_size_for(cell, 79, 41999, 79): 140 (41 939 numbers) and 76 (41 651).
DEFAULTS["agreement_long_rnn_matched"] = dict(DEFAULTS["agreement_long"], n_a=140)
DEFAULTS["agreement_long_gru_matched"] = dict(DEFAULTS["agreement_long"], n_a=76, cell="gru")
# The three cells of the comparison, in the order the notebook plots them.
MATCHED = ("agreement_long_rnn_matched", "agreement_long_gru_matched", "agreement_long_lstm")
# The LSTM with its forget-gate bias started at +1 (Jozefowicz et al. 2015): the same initial
# weights and the same batches as agreement_long_lstm, bf + 1 the one difference.
DEFAULTS["agreement_long_lstm_forget_bias_1"] = dict(DEFAULTS["agreement_long_lstm"], forget_bias=1.0)

# The forget-bias comparison of notebook 07 repeats both LSTM recipes with these seeds too
# (new corpus, weights and batches each); only their histories ship, as
# lm_<name>_seed<seed>_history.json (``--history-only``).
EXTRA_SEEDS = {"agreement_long_lstm": (1, 2), "agreement_long_lstm_forget_bias_1": (1, 2)}

# A training history reads the clocks (and scores the held-out sentences) every
# HISTORY_EVERY updates and after the last; HELD_OUT new sentences at the trained clause
# lengths (seed + 2: neither the corpus's seed nor the test's seed + 1) cost about 0.07 s
# of CPU per checkpoint for the LSTM, which the clocks leave out.
HISTORY_EVERY = 40
HELD_OUT = 400
# The largest weight difference --add-history calls rounding (the weights are ~0.1 to 1).
ROUNDING = 1e-6

COMMAND = "python -m course_lib.models"


def _name(name, argument="name"):
    if not isinstance(name, str) or name not in DEFAULTS:
        raise ValueError(f"{argument} must be one of {sorted(DEFAULTS)}, got {name!r}")
    return name


def _is_agreement(name):
    """Whether the default model ``name`` is trained on generated agreement sentences."""
    return "min_filler" in DEFAULTS[name]


def _cell(name):
    """The cell of the default model ``name``: "rnn" unless its recipe says otherwise."""
    return DEFAULTS[name].get("cell", "rnn")


def default_model_path(name):
    """Where the shipped model ``name`` (a key of DEFAULTS) lives: assets/lm_<name>.npz."""
    return ASSETS / f"lm_{_name(name)}.npz"


TORCH_REFERENCES = ("gru", "lstm")


def torch_reference_path(cell):
    """Where PyTorch's outputs for ``cell`` ("gru" or "lstm") live: assets/<cell>_torch.npz.

    What ``nn.GRU`` and ``nn.LSTM`` computed (float64) for a few small cases, made by
    tests/fixtures/make_torch_fixtures_<cell>.py where torch is installed; notebooks 06 and
    07 and the tests compare the course's cells with them. In assets/, so that the course
    installed as a wheel (or in JupyterLite) carries them too.
    """
    if not isinstance(cell, str) or cell not in TORCH_REFERENCES:
        raise ValueError(f"cell must be one of {list(TORCH_REFERENCES)}, got {cell!r}")
    return ASSETS / f"{cell}_torch.npz"


def default_corpus(name, seed=0, n_sentences=None):
    """The training sentences of a default model.

    Args:
        name: "agreement" or "agreement_long" (generated from ``seed``, with the clause
            lengths of DEFAULTS[name]), or "chinese" (fixed).
        seed: the agreement corpus's seed (an int ≥ 0).
        n_sentences: the agreement corpus's size (default: DEFAULTS).
    Returns:
        list of str.
    """
    _name(name, "corpus")
    seed = check_positive_int("seed", seed, minimum=0)
    if not _is_agreement(name):
        return chinese_sentences()
    d = DEFAULTS[name]
    n = d["n_sentences"] if n_sentences is None else check_positive_int("n_sentences", n_sentences)
    return [ex.sentence for ex in agreement_examples(n, seed, d["min_filler"], d["max_filler"])]


@dataclass(frozen=True)
class SavedModel:
    """A language model read back by ``load_model``.

    Attributes:
        parameters: the cell's parameters and its output layer (Wax, Waa, ba, Wya, by).
        vocabulary: the Vocabulary it was trained with.
        final_loss: its per-token loss on its training corpus, when saved.
        metadata: dict: corpus, hyper-parameters, seed, training time ...
        cell: the name of its cell ("rnn").
    """

    parameters: dict
    vocabulary: Vocabulary
    final_loss: float
    metadata: dict
    cell: str = "rnn"


def save_model(path, parameters, vocabulary, final_loss, metadata=None, cell="rnn"):
    """Write a language model to ``path`` (.npz) and its metadata next to it (.json).

    Args:
        path: the file; ".npz" is appended when it has another suffix or none, so that
            ``save_model("my_model", ...)`` writes my_model.npz (and my_model.json), which
            ``load_model("my_model")`` reads.
        parameters, vocabulary: the model (finite parameters of the cell; n_y tokens).
        final_loss: its per-token loss, a finite number.
        metadata: optional dict of JSON values (numbers, str, lists, dicts; numpy scalars
            and arrays are converted; NaN and infinity are refused: they are not JSON).
        cell: "rnn" or another registered cell.
    Returns:
        the Path of the .npz written.
    """
    path = npz_path(path)
    cell = get_cell(cell)
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be the Vocabulary of the model, got {type(vocabulary).__name__}")
    p = check_lm_parameters(parameters, vocabulary, cell)
    final_loss = float(as_float_array("final_loss", final_loss, ndim=0))
    if final_loss < 0:
        raise ValueError(f"final_loss must be a per-token loss >= 0 (a cross-entropy), got {final_loss!r}")
    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    _, n_a = cell.sizes(p)
    meta = dict(metadata or {}, final_loss=final_loss, granularity=vocabulary.granularity,
                n_y=len(vocabulary), n_a=int(n_a), cell=cell.name)
    text = metadata_text(meta)
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a directory, not a .npz file")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, **p, tokens=np.array(vocabulary.tokens), granularity=np.array(vocabulary.granularity),
        final_loss=np.array(final_loss), cell=np.array(cell.name),
    )
    path.with_suffix(".json").write_text(text + "\n", encoding="utf-8")
    return path


def load_model(path):
    """Read a model written by ``save_model`` (or the command) back.

    Args:
        path: the .npz file ("my_model" reads my_model.npz); its .json metadata is read
            too when present.
    Returns:
        SavedModel (parameters, vocabulary, final_loss, metadata, cell).
    Raises:
        ValueError naming the path and what is wrong with it: missing, a directory, not an
        archive, an entry missing, parameters that do not fit, or metadata that is not JSON.
    """
    path = npz_path(path)
    entries = read_npz(path, "save_model", f"a shipped model is rebuilt with: {COMMAND} --corpus <name> --out {path}")
    try:
        cell = get_cell(str(entries.pop("cell", "rnn")))
    except ValueError as exc:
        raise ValueError(f"path {str(path)!r} holds a model of an unknown cell: {exc}") from exc
    keys = cell.parameter_keys + cell.output_keys
    missing = [k for k in (*keys, "tokens", "granularity", "final_loss") if k not in entries]
    if missing:
        raise ValueError(f"path {str(path)!r} is missing {missing}: not a model written by save_model")
    try:
        vocabulary = Vocabulary(tuple(str(t) for t in entries["tokens"]), str(entries["granularity"]))
        parameters = check_lm_parameters({k: entries[k] for k in keys}, vocabulary, cell)
        final_loss = float(entries["final_loss"])
    except ValueError as exc:
        raise ValueError(f"path {str(path)!r} does not hold a valid model: {exc}") from exc
    meta_path = path.with_suffix(".json")
    metadata = {}
    if meta_path.exists():
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"path {str(path)!r}: its metadata file {str(meta_path)!r} is not valid JSON ({exc})") from exc
        if not isinstance(metadata, dict):
            raise ValueError(f"path {str(path)!r}: its metadata file {str(meta_path)!r} must hold a JSON object, "
                             f"got {type(metadata).__name__}")
    return SavedModel(parameters, vocabulary, final_loss, metadata, cell.name)


@dataclass(frozen=True)
class TrainingHistory:
    """How a model learned, as ``train_default`` recorded it: the learning curves' data.

    Attributes:
        name: the model's corpus (a key of DEFAULTS).
        cell: "rnn", "gru" or "lstm"; n_a: its hidden size.
        n_parameters: the numbers its parameters hold, output layer included (None when
            the metadata says neither it nor n_y).
        losses: (steps,), each update's mean loss on its batch (nats per token), before the update.
        checkpoints: int (K,), the updates after which the clocks were read (every
            HISTORY_EVERY, and the last).
        mean_losses: (K,), the mean of ``losses`` over the updates since the checkpoint
            before: the loss to plot against the seconds.
        cpu_seconds: (K,), CPU seconds of training up to each checkpoint (one BLAS thread:
            the wall-clock time on an idle core, robust to other processes).
        wall_seconds: (K,), wall-clock seconds up to each checkpoint (slowed by other processes).
        accuracy: (K,) agreement accuracy on ``held_out`` at each checkpoint, or None
            (a model not trained on agreement sentences).
        held_out: what the held-out sentences are, or None.
        blas_threads: the BLAS thread count of the run ("unset": the library's default).
    """

    name: str
    cell: str
    n_a: int
    n_parameters: int
    losses: np.ndarray
    checkpoints: np.ndarray
    mean_losses: np.ndarray
    cpu_seconds: np.ndarray
    wall_seconds: np.ndarray
    accuracy: object
    held_out: object
    blas_threads: str


def _json_object(path, what):
    """The JSON object in the file ``path`` (a history written beside a model), else ValueError."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{what}: {str(path)!r} is not valid JSON ({exc})") from exc
    if not isinstance(metadata, dict):
        raise ValueError(f"{what}: {str(path)!r} must hold a JSON object")
    return metadata


def _history_metadata(model, seed=None):
    """The metadata dict that holds ``model``'s history, and how to name it in errors."""
    if isinstance(model, SavedModel):
        return model.metadata, "model (a SavedModel)"
    if isinstance(model, dict):
        return model, "model (a metadata dict)"
    if isinstance(model, str) and model in DEFAULTS and seed is not None and seed != DEFAULTS[model]["seed"]:
        path = seed_history_path(model, seed)
        if not path.exists():
            raise ValueError(f"model {model!r} with seed {seed}: {str(path)!r} does not exist (make it with: "
                             f"{COMMAND} --corpus {model} --seed {seed} --history-only)")
        return _json_object(path, f"model {model!r}"), f"model {model!r} (seed {seed})"
    if isinstance(model, str) and model in DEFAULTS:
        path = default_model_path(model)
        if not path.with_suffix(".json").exists():
            raise ValueError(f"model {model!r}: {str(path.with_suffix('.json'))!r} does not exist "
                             f"(rebuild it with: {COMMAND} --corpus {model})")
        metadata = load_model(path).metadata
        beside = _history_path(path)
        if "history" not in metadata and beside.exists():  # written by --add-history (see there)
            metadata = _json_object(beside, f"model {model!r}")
        return metadata, f"model {model!r}"
    raise ValueError(f"model must be one of {sorted(DEFAULTS)}, a SavedModel or the metadata dict train_default "
                     f"returns, got {model!r}")


def load_history(model, seed=None):
    """The training history of a model: its losses per update, and its clocks and held-out
    accuracy at checkpoints, to plot learning curves against updates and against seconds.

    Args:
        model: a key of DEFAULTS (the shipped model's .json is read, e.g. each of MATCHED,
            or the lm_<name>_history.json beside it that ``--add-history`` writes when
            retraining reproduced the shipped weights to rounding only),
            a SavedModel (``load_model``'s), or the metadata dict ``train_default`` returns
            (a notebook's RETRAIN branch).
        seed: None, or with a key of DEFAULTS the seed of another run of its recipe whose
            history ships alone (EXTRA_SEEDS: lm_<name>_seed<seed>_history.json).
    Returns:
        TrainingHistory.
    Raises:
        ValueError naming ``model`` when it has no history (a model saved before histories
        were recorded: retrain it with the command) or its history does not hold together.
    Derived in notebooks/07_lstm.ipynb, "Long lags": the learning curves of MATCHED, against updates and seconds.
    """
    if seed is not None:
        seed = check_positive_int("seed", seed, minimum=0)
        if not (isinstance(model, str) and model in DEFAULTS):
            raise ValueError(f"seed goes with a key of DEFAULTS as model, got model {model!r}")
    metadata, what = _history_metadata(model, seed)
    history = metadata.get("history")
    if not isinstance(history, dict):
        raise ValueError(f"{what} has no training history (retrain it: {COMMAND} --corpus <name>, or "
                         f"--add-history to keep a shipped model's weights)")
    missing = [k for k in ("losses", "checkpoints", "cpu_seconds", "wall_seconds") if k not in history]
    if missing or not all(k in metadata for k in ("corpus", "n_a")):
        raise ValueError(f"{what}'s history is missing {missing or ['corpus', 'n_a']}")
    cell = str(metadata.get("cell", "rnn"))  # train_default's metadata names only a gated cell
    try:
        losses = np.array(history["losses"], dtype=np.float64)
        checkpoints = np.array(history["checkpoints"], dtype=np.int64)
        cpu_seconds = np.array(history["cpu_seconds"], dtype=np.float64)
        wall_seconds = np.array(history["wall_seconds"], dtype=np.float64)
        accuracy = None if "accuracy" not in history else np.array(history["accuracy"], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}'s history must hold lists of numbers: {exc}") from exc
    K = len(checkpoints)
    consistent = (
        losses.ndim == 1 and losses.size >= 1 and checkpoints.ndim == 1 and K >= 1
        and all(a.shape == (K,) for a in (cpu_seconds, wall_seconds) + (() if accuracy is None else (accuracy,)))
        and np.all(np.diff(checkpoints) > 0) and checkpoints[0] >= 1 and checkpoints[-1] == losses.size
        and np.all(np.diff(cpu_seconds) >= 0) and np.all(np.diff(wall_seconds) >= 0)
        and np.all(np.isfinite(losses)) and np.all(np.isfinite(cpu_seconds)) and np.all(np.isfinite(wall_seconds))
    )
    if not consistent:
        raise ValueError(f"{what}'s history does not hold together: one loss per update, and increasing "
                         f"checkpoints (the last one the last update) with as many non-decreasing clock readings")
    starts = np.concatenate([[0], checkpoints[:-1]])
    mean_losses = np.array([losses[a:b].mean() for a, b in zip(starts, checkpoints)])
    n_y = metadata.get("n_y")
    n_parameters = metadata.get("n_parameters")
    if n_parameters is None and n_y is not None:
        n_parameters = parameter_count(cell, n_y, metadata["n_a"], n_y)
    return TrainingHistory(
        name=str(metadata["corpus"]), cell=cell, n_a=int(metadata["n_a"]),
        n_parameters=None if n_parameters is None else int(n_parameters), losses=losses, checkpoints=checkpoints,
        mean_losses=mean_losses, cpu_seconds=cpu_seconds, wall_seconds=wall_seconds, accuracy=accuracy,
        held_out=history.get("held_out"), blas_threads=str(history.get("blas_threads", "unset")),
    )


def _blas_threads():
    """The BLAS thread count the environment asks for ("unset": the library's default, all cores)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var):
            return os.environ[var]
    return "unset"


class _HistoryRecorder:
    """The callback of train_default: reads the clocks every HISTORY_EVERY updates and scores
    the held-out sentences, keeping its own time out of the clocks."""

    def __init__(self, vocabulary, cell, held_out):
        self.vocabulary, self.cell, self.held_out = vocabulary, cell, held_out
        self.steps, self.cpu_seconds, self.wall_seconds, self.accuracy = [], [], [], []
        self.own_cpu = self.own_wall = 0.0
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()

    def __call__(self, step, parameters, loss):
        cpu, wall = time.process_time(), time.perf_counter()
        self.steps.append(int(step))
        self.cpu_seconds.append(round(cpu - self.cpu0 - self.own_cpu, 3))
        self.wall_seconds.append(round(wall - self.wall0 - self.own_wall, 3))
        if self.held_out:
            scores = agreement_scores(parameters, self.vocabulary, self.held_out, cell=self.cell)
            self.accuracy.append(round(float(scores.correct.mean()), 4))
        self.own_cpu += time.process_time() - cpu
        self.own_wall += time.perf_counter() - wall


def train_default(name, seed=None, steps=None, progress=True):
    """Train one of the notebooks' default models with DEFAULTS (seed, steps overridable).

    Args:
        name: a key of DEFAULTS ("agreement", "agreement_long", "chinese", the gated
            cells' "agreement_long_gru", "agreement_long_lstm", and the cells at the LSTM's
            parameter count "agreement_long_rnn_matched", "agreement_long_gru_matched"; the LSTM
            with its forget bias started at 1, "agreement_long_lstm_forget_bias_1").
        seed: None (DEFAULTS) or an int ≥ 0: the corpus's, the weights' and the batches' seed.
        steps: None (DEFAULTS) or the number of updates (int ≥ 1).
        progress: show a progress bar.
    Returns:
        (TrainingResult, Vocabulary, corpus, final_loss, metadata). The metadata holds the
        recipe, n_parameters, train_seconds and train_cpu_seconds (the held-out scoring
        left out) and the training history, which ``load_history(metadata)`` reads.
    """
    d = dict(DEFAULTS[_name(name, "corpus")])
    if seed is not None:
        d["seed"] = check_positive_int("seed", seed, minimum=0)
    if steps is not None:
        d["steps"] = check_positive_int("steps", steps)
    progress = check_bool("progress", progress)
    corpus = default_corpus(name, d["seed"], d.get("n_sentences"))
    vocabulary = Vocabulary.build(corpus, d["granularity"])
    held_out, held_out_text = None, None
    if _is_agreement(name):
        held_out = agreement_examples(HELD_OUT, d["seed"] + 2, d["min_filler"], d["max_filler"])
        held_out_text = (f"{HELD_OUT} new sentences (seed {d['seed'] + 2}), clauses of {d['min_filler']} to "
                         f"{d['max_filler']} words (the trained distances)")
    # The callback only reads the parameters: the run is bit for bit the one without it.
    recorder = _HistoryRecorder(vocabulary, _cell(name), held_out)
    rng, initial = np.random.default_rng(d["seed"]), None
    if "forget_bias" in d:  # the initial weights train_language_model would draw first, from the same rng, bf shifted
        n_y = len(vocabulary)
        initial = get_cell(_cell(name)).initialize(n_y, d["n_a"], n_y, rng, d["init_scale"], forget_bias=d["forget_bias"])
    result = train_language_model(
        corpus, vocabulary, d["n_a"], rng, parameters=initial,
        steps=d["steps"], batch_size=d["batch_size"], learning_rate=d["learning_rate"],
        clip=d["clip"], init_scale=d["init_scale"], progress=progress, cell=_cell(name),
        callback=recorder, callback_every=HISTORY_EVERY,
    )
    if not recorder.steps or recorder.steps[-1] != d["steps"]:
        recorder(d["steps"], result.parameters, result.losses[-1])
    final_loss = mean_token_loss(result.parameters, vocabulary, corpus, cell=_cell(name))
    n_y = len(vocabulary)
    metadata = {"corpus": name, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}}
    metadata.update(n_sentences=len(corpus), n_tokens=sum(len(vocabulary.encode(s, add_eos=True)) for s in corpus),
                    n_parameters=parameter_count(_cell(name), n_y, d["n_a"], n_y),
                    train_seconds=round(recorder.wall_seconds[-1], 2),
                    train_cpu_seconds=round(recorder.cpu_seconds[-1], 2))
    metadata["history"] = {
        "about": ("losses: each update's mean loss on its batch (nats per token), before the update. At each "
                  "checkpoint (after that many updates): cpu_seconds, the process's CPU time since training began "
                  "(time.process_time(), one BLAS thread: the wall-clock time on an idle core, robust to other "
                  "processes), wall_seconds (time.perf_counter(), which other processes slow down), both without "
                  "the held-out scoring" + (", and accuracy, the share of held_out sentences whose correct verb "
                                            "the model finds more probable." if held_out else ".")),
        "blas_threads": _blas_threads(),
        "losses": [round(float(x), 4) for x in result.losses],
        "checkpoints": recorder.steps,
        "cpu_seconds": recorder.cpu_seconds,
        "wall_seconds": recorder.wall_seconds,
    }
    if held_out:
        metadata["history"].update(held_out=held_out_text, accuracy=recorder.accuracy)
    return result, vocabulary, corpus, final_loss, metadata


def seed_history_path(name, seed):
    """Where ``--history-only`` puts the history of recipe ``name`` run with ``seed``:
    assets/lm_<name>_seed<seed>_history.json."""
    return ASSETS / f"lm_{_name(name)}_seed{check_positive_int('seed', seed, minimum=0)}_history.json"


def _history_path(path):
    """Where --add-history puts the history of a model whose weights it reproduced only to
    rounding: beside the model, lm_<name>_history.json."""
    return path.with_name(path.stem + "_history.json")


def _add_history(parser, out, result, final_loss, metadata):
    """--add-history: into the model's .json when the retrained weights are the shipped ones
    bit for bit; into a file beside it when they differ by rounding only (code changed in
    its last digits since the model was trained); refused otherwise."""
    shipped = load_model(out)
    if shipped.cell != result.config["cell"] or set(shipped.parameters) != set(result.parameters):
        parser.error(f"{out} holds a {shipped.cell} model, not the recipe's {result.config['cell']}")
    difference = max(float(np.abs(shipped.parameters[k] - result.parameters[k]).max()) for k in shipped.parameters)
    kept = ("n_parameters", "train_seconds", "train_cpu_seconds", "history")
    if difference == 0:
        meta = dict(shipped.metadata, **{k: metadata[k] for k in kept})  # train_seconds: this run's, as the history's
        target = out.with_suffix(".json")
        verdict = "reproduced exactly"
    elif difference <= ROUNDING and abs(final_loss - shipped.final_loss) <= 1e-9 * shipped.final_loss:
        meta = {"corpus": metadata["corpus"], "cell": shipped.cell, "n_a": int(metadata["n_a"]),
                "n_y": len(shipped.vocabulary), **{k: metadata[k] for k in kept}}
        meta["weights"] = (f"the history of a rerun of the recipe whose weights differ from {out.name}'s by at most "
                           f"{difference:.2g} (rounding: the code changed in its last digits since that model was "
                           f"trained); final loss {final_loss!r}, the shipped model's {shipped.final_loss!r}")
        target = _history_path(out)
        verdict = f"reproduced to {difference:.2g} (rounding)"
    else:
        parser.error(f"retraining did not reproduce the weights of {out} (they differ by up to {difference:.3g}, "
                     f"final loss {final_loss:.6f} vs {shipped.final_loss:.6f}): no history added")
    target.write_text(metadata_text(meta) + "\n", encoding="utf-8")
    print(f"{metadata['corpus']}: retrained in {metadata['train_cpu_seconds']:.1f} s of CPU, the weights of {out} "
          f"{verdict}; history written to {target}")
    return 0


def main(argv=None):
    """``python -m course_lib.models``: train a default model and save it.

    Args:
        argv: the command's arguments as a list of str (None: the command line's own).
    """
    if argv is not None and (isinstance(argv, str) or not isinstance(argv, (list, tuple))
                             or not all(isinstance(a, str) for a in argv)):
        raise ValueError(f"argv must be None or a list of str, e.g. ['--corpus', 'chinese', '--steps', '100'], "
                         f"got {argv!r}")
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(DEFAULTS), default="agreement")
    parser.add_argument("--out", default=None, help="output .npz (default: the repository's assets/lm_<corpus>.npz)")
    parser.add_argument("--steps", type=int, default=None, help="number of updates (default: per corpus)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the corpus, weights and batches")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--add-history", action="store_true",
                        help="retrain and add the training history to the model at --out without rewriting its .npz: "
                             "into its .json when the weights come out bit for bit the same, into "
                             "lm_<name>_history.json beside it when they differ by rounding only")
    parser.add_argument("--history-only", action="store_true",
                        help="train with --seed and write only the training history, to --out (a .json) or "
                             "assets/lm_<corpus>_seed<seed>_history.json: no model is saved")
    args = parser.parse_args(argv)
    if args.history_only:
        if args.seed is None or args.add_history:
            parser.error("--history-only needs --seed (the shipped seed's history is in the model's own .json) "
                         "and goes without --add-history")
        target = Path(args.out) if args.out else seed_history_path(args.corpus, args.seed)
        metadata = train_default(args.corpus, seed=args.seed, steps=args.steps, progress=not args.no_progress)[4]
        target.write_text(metadata_text(metadata) + "\n", encoding="utf-8")
        print(f"{args.corpus}, seed {args.seed}: {metadata['steps']} steps in {metadata['train_cpu_seconds']:.1f} s "
              f"of CPU; history written to {target}")
        return 0
    out = npz_path(args.out) if args.out else default_model_path(args.corpus)
    if args.add_history and not out.is_file():
        parser.error(f"--add-history adds to an existing model, and {out} does not exist")
    result, vocabulary, _, final_loss, metadata = train_default(
        args.corpus, seed=args.seed, steps=args.steps, progress=not args.no_progress
    )
    if args.add_history:
        return _add_history(parser, out, result, final_loss, metadata)
    if _is_agreement(args.corpus):
        # New sentences, with clauses up to twice as long as any seen in training.
        test = agreement_examples(4000, metadata["seed"] + 1, MIN_FILLER, MAX_FILLER)
        scores = agreement_scores(result.parameters, vocabulary, test, cell=_cell(args.corpus)).by_filler_length()
        metadata["agreement_test"] = f"4000 new sentences (seed {metadata['seed'] + 1}), clauses of {MIN_FILLER} to {MAX_FILLER} words"
        metadata["agreement_by_filler_length"] = {
            str(k): {"n": n, "p_correct": round(p, 4), "accuracy": round(acc, 4)} for k, (n, p, acc) in scores.items()
        }
    if not math.isfinite(final_loss):
        parser.error(f"training ended with a non-finite loss {final_loss}: nothing saved")
    save_model(out, result.parameters, vocabulary, final_loss, metadata, cell=_cell(args.corpus))
    print(f"{args.corpus}: {result.config['steps']} steps in {metadata['train_cpu_seconds']:.1f} s of CPU "
          f"({metadata['train_seconds']:.1f} s wall-clock), "
          f"final loss {final_loss:.4f} nats/token, saved {out} ({out.stat().st_size / 1024:.0f} KiB)")
    if "agreement_by_filler_length" in metadata:
        print(f"was/were on {metadata['agreement_test']}:")
        print("filler words  n   P(correct verb)  accuracy")
        for k, v in metadata["agreement_by_filler_length"].items():
            print(f"{int(k):>12}  {v['n']:>3}  {v['p_correct']:>15.3f}  {v['accuracy']:>8.3f}")
    return 0


if __name__ == "__main__":
    if _blas_threads() == "unset":  # OpenBLAS reads it once, when NumPy is imported: start again with it
        os.execve(sys.executable, [sys.executable, "-m", "course_lib.models", *sys.argv[1:]],
                  dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1"))
    raise SystemExit(main())
