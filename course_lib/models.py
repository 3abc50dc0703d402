"""The notebooks' shipped language models: their recipes, saving, loading, and the command
that rebuilds them.

    python -m course_lib.models --corpus agreement --out assets/lm_agreement.npz
    python -m course_lib.models --corpus agreement_long --out assets/lm_agreement_long.npz
    python -m course_lib.models --corpus chinese --out assets/lm_chinese.npz
    python -m course_lib.models --corpus agreement_long_gru   (and agreement_long_lstm)

A model is one .npz archive (the parameters, the vocabulary's tokens and granularity, the
final loss, the cell) with its metadata beside it in a .json file of the same name.
Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model".
"""

import argparse
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_lib._validate import as_float_array, check_bool, check_positive_int
from course_lib.agreement import agreement_scores
from course_lib.data.corpora import MAX_FILLER, MIN_FILLER, agreement_examples, chinese_sentences
from course_lib.data.vocab import Vocabulary
from course_lib.lm import check_lm_parameters, mean_token_loss
from course_lib.recurrent import get_cell
from course_lib.train import train_language_model

__all__ = [
    "DEFAULTS",
    "SavedModel",
    "default_corpus",
    "default_model_path",
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

ASSETS = Path(__file__).resolve().parents[1] / "assets"
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


def _npz_path(path):
    """``path`` as a Path ending in .npz: "my_model" and "my_model.npz" name the same file."""
    if isinstance(path, bytes) or not isinstance(path, (str, Path)) or not str(path):
        raise ValueError(f"path must be a file name (str or Path), got {path!r}")
    path = Path(path)
    return path if path.suffix == ".npz" or path.is_dir() else path.with_name(path.name + ".npz")


def _json_value(value):
    """Numpy scalars and arrays as JSON numbers and lists (json knows neither)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


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
    path = _npz_path(path)
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
    try:
        text = json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False, default=_json_value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"metadata must hold JSON values only (no NaN or infinity): {exc}") from exc
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
    path = _npz_path(path)
    if not path.exists():
        raise ValueError(f"path {str(path)!r} does not exist (a shipped model is rebuilt with: "
                         f"{COMMAND} --corpus <name> --out {path})")
    if not path.is_file():
        raise ValueError(f"path {str(path)!r} is a directory, not a .npz file written by save_model")
    try:
        with np.load(path, allow_pickle=False) as data:
            entries = dict(data)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"path {str(path)!r} is not a .npz archive written by save_model ({exc})") from exc
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


def train_default(name, seed=None, steps=None, progress=True):
    """Train one of the notebooks' default models with DEFAULTS (seed, steps overridable).

    Args:
        name: a key of DEFAULTS ("agreement", "agreement_long", "chinese", and the gated
            cells' "agreement_long_gru", "agreement_long_lstm").
        seed: None (DEFAULTS) or an int ≥ 0: the corpus's, the weights' and the batches' seed.
        steps: None (DEFAULTS) or the number of updates (int ≥ 1).
        progress: show a progress bar.
    Returns:
        (TrainingResult, Vocabulary, corpus, final_loss, metadata).
    """
    d = dict(DEFAULTS[_name(name, "corpus")])
    if seed is not None:
        d["seed"] = check_positive_int("seed", seed, minimum=0)
    if steps is not None:
        d["steps"] = check_positive_int("steps", steps)
    progress = check_bool("progress", progress)
    corpus = default_corpus(name, d["seed"], d.get("n_sentences"))
    vocabulary = Vocabulary.build(corpus, d["granularity"])
    result = train_language_model(
        corpus, vocabulary, d["n_a"], np.random.default_rng(d["seed"]),
        steps=d["steps"], batch_size=d["batch_size"], learning_rate=d["learning_rate"],
        clip=d["clip"], init_scale=d["init_scale"], progress=progress, cell=_cell(name),
    )
    final_loss = mean_token_loss(result.parameters, vocabulary, corpus, cell=_cell(name))
    metadata = {"corpus": name, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}}
    metadata.update(n_sentences=len(corpus), n_tokens=sum(len(vocabulary.encode(s, add_eos=True)) for s in corpus),
                    train_seconds=round(result.seconds, 2))
    return result, vocabulary, corpus, final_loss, metadata


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
    args = parser.parse_args(argv)
    out = _npz_path(args.out) if args.out else default_model_path(args.corpus)
    result, vocabulary, _, final_loss, metadata = train_default(
        args.corpus, seed=args.seed, steps=args.steps, progress=not args.no_progress
    )
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
    print(f"{args.corpus}: {result.config['steps']} steps in {result.seconds:.1f} s, "
          f"final loss {final_loss:.4f} nats/token, saved {out} ({out.stat().st_size / 1024:.0f} KiB)")
    if "agreement_by_filler_length" in metadata:
        print(f"was/were on {metadata['agreement_test']}:")
        print("filler words  n   P(correct verb)  accuracy")
        for k, v in metadata["agreement_by_filler_length"].items():
            print(f"{int(k):>12}  {v['n']:>3}  {v['p_correct']:>15.3f}  {v['accuracy']:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
