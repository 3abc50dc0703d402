"""The shipped models and measurements of notebook 04b: held-out data, perplexity, truncated
BPTT and a real corpus.

Derived in notebooks/04b_language_models_in_practice.ipynb.

    python -m course_lib.lm_practice            # every model and the chunk-length sweep, about 3 min
    python -m course_lib.lm_practice --only tang_char

Two corpora, each cut once into train / validation / test by ``split_corpus`` with the seed
SPLIT_SEED: the course's 227 short Chinese sentences (``chinese_sentences``; small enough
that the notebook trains its models itself) and the 313 Tang poems (``tang_poems``), whose
models ship in ``assets/`` (practice_<name>.npz and .json, with the training history).
A vocabulary keeps the tokens seen at least twice in the training part (``min_count=2``),
so that the models learn how often an unknown token comes.
"""

import argparse
import math
import os
import sys

import numpy as np

from course_lib._files import ASSETS, metadata_text
from course_lib._validate import check_bool, check_choice, check_positive_int
from course_lib.data import Vocabulary, split_corpus, tokenize
from course_lib.data.corpora import chinese_sentences
from course_lib.data.poems import tang_poems
from course_lib.lm import mean_token_loss
from course_lib.models import load_model, save_model
from course_lib.recurrent import parameter_count
from course_lib.tbptt import train_truncated
from course_lib.train import train_language_model

__all__ = ["CHUNK_LENGTHS", "CORPORA", "RECIPES", "SPLIT_SEED", "SWEEP_TOKENS", "copy_fraction", "corpus_split",
           "corpus_vocabulary", "load_practice_model", "load_sweep", "train_recipe", "unk_rate"]

COMMAND = "python -m course_lib.lm_practice"
SPLIT_SEED = 0
CORPORA = ("chinese", "tang")
MIN_COUNT = 2

# The shipped models (the Tang poems); the steps are where the validation loss stopped
# falling in a longer run (the history of that longer run is in the sweep, T_x = 25).
RECIPES = {
    "tang_char": dict(corpus="tang", granularity="char", trainer="truncated", n_a=64, chunk_length=25, batch_size=16,
                      steps=240, learning_rate=0.005, clip=("norm", 5.0), init_scale=0.1, seed=0),
    "tang_word": dict(corpus="tang", granularity="word", trainer="sentences", n_a=64, batch_size=16, steps=140,
                      learning_rate=0.005, clip=("norm", 5.0), init_scale=0.1, seed=0),
}
# The chunk-length sweep: tang_char's recipe with these T_x, each run reading the same
# SWEEP_TOKENS tokens of training text (so T_x = 1 makes 25 times the updates of T_x = 25).
CHUNK_LENGTHS = (1, 2, 5, 10, 25, 50, 100)
SWEEP_TOKENS = 160_000


def _corpus(name):
    name = check_choice("corpus", name, CORPORA)
    return chinese_sentences() if name == "chinese" else [poem.text for poem in tang_poems()]


def corpus_split(name):
    """The corpus ``name`` ("chinese" or "tang") cut into Split(train, validation, test).

    Returns a new Split of str lists (a Tang poem is one str, its lines joined), fixed by
    SPLIT_SEED: 80 % / 10 % / 10 % of the distinct sentences or poems.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Held-out data"
    """
    return split_corpus(_corpus(name), SPLIT_SEED)


def corpus_vocabulary(name, granularity):
    """The vocabulary of the training part of corpus ``name`` at ``granularity`` ("char" or
    "word", jieba's words for Chinese): the tokens seen at least twice, <UNK> and <EOS>.

    Derived in notebooks/04b_language_models_in_practice.ipynb, "Characters or words"
    """
    return Vocabulary.build(corpus_split(name).train, granularity, min_count=MIN_COUNT)


def unk_rate(vocabulary, sentences):
    """The share of the tokens of ``sentences`` (a list of str; <EOS> not counted) that
    ``vocabulary`` does not know, i.e. that become <UNK>.

    Derived in notebooks/04b_language_models_in_practice.ipynb, "Characters or words"
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences \
            or not all(isinstance(s, str) for s in sentences):
        raise ValueError("sentences must be a non-empty list of str")
    tokens = [t for s in sentences for t in tokenize(s, vocabulary.granularity)]
    if not tokens:
        raise ValueError("sentences must hold at least one token")
    return sum(t not in vocabulary for t in tokens) / len(tokens)


def copy_fraction(samples, training):
    """The share of ``samples`` (a list of str) that are, exactly, one of ``training``:
    what a model that memorises produces.

    Derived in notebooks/04b_language_models_in_practice.ipynb, "Memorisation"
    """
    for name, value in (("samples", samples), ("training", training)):
        if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)) or not value \
                or not all(isinstance(s, str) for s in value):
            raise ValueError(f"{name} must be a non-empty list of str")
    known = set(training)
    return sum(s in known for s in samples) / len(samples)


def _model_path(name):
    return ASSETS / f"practice_{check_choice('name', name, tuple(RECIPES))}.npz"


def _sweep_path(chunk_length):
    return ASSETS / f"practice_tang_chunk_{chunk_length}.json"


def train_recipe(name, chunk_length=None, steps=None, progress=True):
    """Train the recipe ``name`` of RECIPES (the notebook's retrain flag and the command).

    Args:
        name: "tang_char" (truncated BPTT) or "tang_word" (whole poems as sentences).
        chunk_length: None (the recipe's), or another T_x for the truncated recipe.
        steps: None (the recipe's), or another number of updates.
        progress: show a progress bar.
    Returns:
        (TrainingResult, Vocabulary, metadata): the metadata holds the recipe, the sizes,
        the validation loss and the history (losses per update, held_out_steps,
        held_out_losses on the validation part), the seconds of training (wall clock and CPU)
        and tokens_per_second, the tokens read per CPU second (one BLAS thread).
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Truncated BPTT"
    """
    recipe = dict(RECIPES[check_choice("name", name, tuple(RECIPES))])
    if chunk_length is not None:
        if recipe["trainer"] != "truncated":
            raise ValueError(f"chunk_length is for the truncated-BPTT recipe (tang_char), not {name!r}")
        recipe["chunk_length"] = check_positive_int("chunk_length", chunk_length)
    if steps is not None:
        recipe["steps"] = check_positive_int("steps", steps)
    progress = check_bool("progress", progress)
    split = corpus_split(recipe["corpus"])
    vocabulary = corpus_vocabulary(recipe["corpus"], recipe["granularity"])
    common = dict(steps=recipe["steps"], batch_size=recipe["batch_size"], learning_rate=recipe["learning_rate"],
                  clip=recipe["clip"], init_scale=recipe["init_scale"], held_out=split.validation, progress=progress)
    if recipe["trainer"] == "truncated":
        result = train_truncated(split.train, vocabulary, recipe["n_a"], recipe["seed"],
                                 chunk_length=recipe["chunk_length"], **common)
    else:
        result = train_language_model(split.train, vocabulary, recipe["n_a"], recipe["seed"], **common)
    n_y = len(vocabulary)
    metadata = {k: (list(v) if isinstance(v, tuple) else v) for k, v in recipe.items()}
    metadata.update(
        name=name, split_seed=SPLIT_SEED, min_count=MIN_COUNT, n_parameters=parameter_count("rnn", n_y, recipe["n_a"], n_y),
        n_train=len(split.train), validation_loss=round(float(result.held_out_losses[-1]), 5),
        train_seconds=round(result.seconds, 2), train_cpu_seconds=round(result.config["cpu_seconds"], 2),
        tokens=int(result.tokens), tokens_per_second=round(result.tokens / result.config["cpu_seconds"]),
        history={"about": "losses: each update's mean loss on its batch (nats per token), before the update; "
                          "held_out_losses: the mean loss per token on the validation part after held_out_steps "
                          "updates (each sentence or poem read from h<0> = 0)",
                 "losses": [round(float(x), 4) for x in result.losses],
                 "held_out_steps": result.held_out_steps.tolist(),
                 "held_out_losses": [round(float(x), 5) for x in result.held_out_losses]})
    return result, vocabulary, metadata


def load_practice_model(name):
    """The shipped model of recipe ``name``: a models.SavedModel whose metadata holds its
    recipe and training history.

    Derived in notebooks/04b_language_models_in_practice.ipynb, "A real corpus: Tang poems"
    """
    return load_model(_model_path(name))


def load_sweep():
    """The chunk-length sweep: dict T_x → its metadata (as train_recipe's, no weights).

    Derived in notebooks/04b_language_models_in_practice.ipynb, "Truncated BPTT"
    """
    import json

    sweep = {}
    for chunk_length in CHUNK_LENGTHS:
        path = _sweep_path(chunk_length)
        if not path.is_file():
            raise ValueError(f"{path} is missing: {COMMAND} --sweep rebuilds the sweep")
        sweep[chunk_length] = json.loads(path.read_text(encoding="utf-8"))
    return sweep


def main(argv=None):
    """``python -m course_lib.lm_practice``: train and save the shipped models and the sweep."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(RECIPES), default=None,
                        help="train only these models (and no sweep unless --sweep)")
    parser.add_argument("--sweep", action="store_true", help="run the chunk-length sweep (with --only)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    names = sorted(RECIPES) if args.only is None else args.only
    for name in names:
        result, vocabulary, metadata = train_recipe(name, progress=not args.no_progress)
        final_loss = mean_token_loss(result.parameters, vocabulary, corpus_split(RECIPES[name]["corpus"]).train)
        if not math.isfinite(final_loss):
            parser.error(f"{name}: training ended with a non-finite loss; nothing saved")
        out = save_model(_model_path(name), result.parameters, vocabulary, final_loss, metadata)
        print(f"{name}: {metadata['steps']} steps, {metadata['train_seconds']:.1f} s, validation loss "
              f"{metadata['validation_loss']:.3f} (perplexity {np.exp(metadata['validation_loss']):.0f}), saved {out}")
    if args.only is None or args.sweep:
        recipe = RECIPES["tang_char"]
        for chunk_length in CHUNK_LENGTHS:
            steps = SWEEP_TOKENS // (recipe["batch_size"] * chunk_length)
            _, _, metadata = train_recipe("tang_char", chunk_length=chunk_length, steps=steps,
                                          progress=not args.no_progress)
            metadata["name"] = f"tang_char, T_x = {chunk_length}"
            _sweep_path(chunk_length).write_text(metadata_text(metadata) + "\n", encoding="utf-8")
            losses = metadata["history"]["held_out_losses"]
            print(f"T_x = {chunk_length:3d}: {steps} steps, {metadata['tokens_per_second']} tokens/s, validation "
                  f"loss best {min(losses):.3f}, last {losses[-1]:.3f}")
    return 0


if __name__ == "__main__":
    if os.environ.get("OPENBLAS_NUM_THREADS") is None:  # one BLAS thread, read when NumPy loads: start again
        os.execve(sys.executable, [sys.executable, "-m", "course_lib.lm_practice", *sys.argv[1:]],
                  dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1"))
    raise SystemExit(main())
