"""Training the RNN language model on mini-batches, and the command that trains the
notebooks' default models.

Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model".

One training step is the seed's recipe, on m sentences at once:

    forward + backward    J, gradients = lm_loss_and_gradients(parameters, batch)
    average per token     gradients / (number of real tokens in the batch)
    clip (optional)       gradients.clip or gradients.clip_by_norm
    update                parameters = optimizer.step(parameters, gradients)

Sentences are batched by similar length (sorted within a shuffled pool, then padded with
a mask), so little work is wasted on padding. Run the command to rebuild the assets:

    python -m course_lib.train --corpus agreement --out assets/lm_agreement.npz
    python -m course_lib.train --corpus agreement_long --out assets/lm_agreement_long.npz
    python -m course_lib.train --corpus chinese --out assets/lm_chinese.npz
"""

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_lib._validate import as_generator, check_positive_float, check_positive_int
from course_lib.data.corpora import MAX_FILLER, MIN_FILLER, agreement_examples, chinese_sentences
from course_lib.data.vocab import Vocabulary
from course_lib.gradients import clip as clip_by_value
from course_lib.gradients import clip_by_norm, global_norm
from course_lib.lm import LM_KEYS, _check_parameters, agreement_scores, lm_loss_and_gradients, mean_token_loss
from course_lib.optim import make_optimizer
from course_lib.rnn import initialize_rnn_parameters

__all__ = [
    "DEFAULTS",
    "SavedModel",
    "TrainingDiverged",
    "TrainingResult",
    "default_corpus",
    "default_model_path",
    "iterate_batches",
    "load_model",
    "main",
    "save_model",
    "train_default",
    "train_language_model",
    "training_step",
]


class TrainingDiverged(FloatingPointError, ValueError):
    """The loss or the gradient norm became non-finite or absurdly large.

    Attributes:
        step: the step (from 1) at which training stopped.
        losses: (step,), the loss per token of every step up to and including the failing
            one (NaN where it could not be computed, e.g. when the forward pass overflowed).
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
        parameters: the final parameters (Wax, Waa, ba, Wya, by).
        losses: (steps,), each step's batch loss per token (nats), before its update.
        gradient_norms: (steps,), global L2 norm of each step's per-token gradient,
            before clipping.
        tokens: number of real tokens processed (all steps together).
        seconds: wall-clock time of the loop.
        config: the hyper-parameters used.
    """

    parameters: dict
    losses: np.ndarray
    gradient_norms: np.ndarray
    tokens: int
    seconds: float
    config: dict = field(default_factory=dict)


def _check_clip(clip):
    """None, ("value", v) or ("norm", v) with v > 0."""
    if clip is None:
        return None
    if not (isinstance(clip, (tuple, list)) and len(clip) == 2 and clip[0] in ("value", "norm")):
        raise ValueError(f'clip must be None, ("value", v) or ("norm", v), got {clip!r}')
    return (clip[0], check_positive_float("clip", clip[1]))


def _norm_or_nan(gradients):
    """The global norm, or NaN when some gradient is not finite (then it cannot be measured)."""
    if all(np.all(np.isfinite(g)) for g in gradients.values()):
        return global_norm(gradients)
    return float("nan")


def _encode(corpus, vocabulary):
    """Every sentence as an int array of token indices ending in <EOS>."""
    if isinstance(corpus, str) or not isinstance(corpus, (list, tuple)) or not corpus:
        raise ValueError("corpus must be a non-empty list of str sentences")
    if not all(isinstance(s, str) and s.strip() for s in corpus):
        raise ValueError("corpus must hold non-empty str sentences")
    return [np.array(vocabulary.encode(s, add_eos=True)) for s in corpus]


def iterate_batches(encoded, batch_size, rng, pool=50):
    """Endless padded mini-batches of similar-length sentences.

    Args:
        encoded: list of int arrays (each a sentence's indices, <EOS> last).
        batch_size: m, sentences per batch.
        rng: np.random.Generator, the shuffling's only randomness.
        pool: sort by length within pools of pool * m shuffled sentences.
    Yields:
        (indices, mask, epoch): int (m, T_x) with −1 after each sentence's end, bool
        (m, T_x) True at real tokens, and the epoch (from 0) the batch belongs to.

    Sorting a whole epoch by length would always put the same sentences together;
    sorting within a shuffled pool keeps batches random and padding small.
    """
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


def training_step(parameters, batch_indices, mask, optimizer, clip=None):
    """One update of the language model on one mini-batch.

    Args:
        parameters: Wax (n_a, n_y), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        batch_indices: int (m, T_x), the sentences' tokens (<EOS> last, −1 = padding).
        mask: bool (m, T_x), True at real tokens.
        optimizer: an object with ``step(parameters, gradients)`` (optim.SGD, optim.Adam).
        clip: None, ("value", v) or ("norm", v).
    Returns:
        new_parameters: a new dict (``parameters`` is not modified).
        loss: J / (number of real tokens), nats per token.
        norm: the global norm of the per-token gradient, before clipping.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    J, gradients = lm_loss_and_gradients(parameters, batch_indices, mask)  # forward + BPTT
    n_tokens = int(np.sum(mask))
    gradients = {k: g / n_tokens for k, g in gradients.items()}  # average per token
    norm = _norm_or_nan(gradients)
    if clip is not None:  # clipping: its own step, between backward and update
        kind, v = clip
        gradients = clip_by_value(gradients, v) if kind == "value" else clip_by_norm(gradients, v)[0]
    return optimizer.step(parameters, gradients), J / n_tokens, norm


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
):
    """Train an RNN language model with mini-batch gradient descent.

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
            divergence. With ``clip`` it is not checked: a large gradient is exactly what
            clipping is there to handle (a non-finite one still stops training).
    Returns:
        TrainingResult (parameters, losses per step, gradient_norms per step, ...).
    Raises:
        TrainingDiverged (a FloatingPointError and a ValueError) naming the step, the
        loss and the gradient norm, as soon as either stops being finite or exceeds
        its limit, or an update makes a parameter non-finite: training never
        continues on NaN. Its ``step``, ``losses`` and ``gradient_norms`` hold the run
        up to the failure. (With tanh and a stable softmax an exploding run rarely
        reaches NaN: it shows as a loss far above log n_y, hence ``max_loss``.)

    The gradient is averaged per token, so the learning rate does not depend on the
    batch size or the sentence lengths.
    Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model"
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    n_a = check_positive_int("n_a", n_a)
    rng = as_generator("rng", rng)
    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    clip = _check_clip(clip)
    callback_every = check_positive_int("callback_every", callback_every)
    max_loss = check_positive_float("max_loss", max_loss)
    max_gradient_norm = check_positive_float("max_gradient_norm", max_gradient_norm)
    init_scale = check_positive_float("init_scale", init_scale)
    if callback is not None and not callable(callback):
        raise ValueError(f"callback must be callable, got {type(callback).__name__}")
    if isinstance(optimizer, str):
        learning_rate = check_positive_float("learning_rate", learning_rate)
    opt = make_optimizer(optimizer, learning_rate)
    encoded = _encode(corpus, vocabulary)
    n_y = len(vocabulary)

    if parameters is None:
        parameters = initialize_rnn_parameters(n_y, n_a, n_y, rng, scale=init_scale)
    else:
        parameters = _check_parameters(parameters, vocabulary)
        if parameters["Waa"].shape != (n_a, n_a):
            raise ValueError(f'parameters["Waa"] must have shape (n_a, n_a) = {(n_a, n_a)}, got {parameters["Waa"].shape}')
        parameters = {k: v.copy() for k, v in parameters.items()}

    from tqdm.auto import tqdm  # imported here: only training needs it

    losses = np.full(steps, np.nan)
    norms = np.full(steps, np.nan)
    # Without clipping a huge norm means the update will throw the parameters far away;
    # with clipping it is cut to size, so only a non-finite norm stops training.
    norm_limit = max_gradient_norm if clip is None else np.inf
    advice = "lower the learning_rate" + (" or clip the gradients" if clip is None else "")
    tokens = 0
    batches = iterate_batches(encoded, batch_size, rng)
    bar = tqdm(total=steps, disable=not progress, desc="training", unit="step")
    start = time.perf_counter()
    try:
        for step in range(1, steps + 1):
            indices, mask, epoch = next(batches)
            # Overflow in a diverging run must become our error, not a RuntimeWarning.
            with np.errstate(all="ignore"):
                try:
                    new_parameters, loss, norm = training_step(parameters, indices, mask, opt, clip)
                except ValueError as exc:  # the inputs were checked: only overflow gets here
                    last = f"{norms[step - 2]:.4g}" if step > 1 else "none yet"
                    raise TrainingDiverged(
                        f"training diverged at step {step}: the forward pass overflowed ({exc}); "
                        f"gradient norm of the previous step {last}; {advice}",
                        step, losses[:step], norms[:step],
                    ) from exc
            losses[step - 1], norms[step - 1] = loss, norm
            finite = all(np.all(np.isfinite(new_parameters[k])) for k in LM_KEYS)
            if not (loss <= max_loss and np.isfinite(norm) and norm <= norm_limit and finite):  # False for NaN too
                limit = f"limit {max_gradient_norm:g}" if clip is None else "clipped, must be finite"
                raise TrainingDiverged(
                    f"training diverged at step {step}: loss per token {loss:.4g} (limit "
                    f"{max_loss:g}), gradient norm {norm:.4g} ({limit})"
                    f"{'' if finite else ', parameters no longer finite'}; {advice}",
                    step, losses[:step], norms[:step],
                )
            parameters = new_parameters
            tokens += int(mask.sum())
            bar.update(1)
            if step % 10 == 0 or step == steps:
                bar.set_postfix(loss=f"{loss:.3f}", epoch=epoch, refresh=False)
            if callback is not None and step % callback_every == 0:
                callback(step, parameters, loss)
    finally:
        bar.close()
    return TrainingResult(
        parameters=parameters,
        losses=losses,
        gradient_norms=norms,
        tokens=tokens,
        seconds=time.perf_counter() - start,
        config=dict(
            n_a=n_a, steps=steps, batch_size=batch_size, optimizer=repr(opt),
            max_loss=max_loss, max_gradient_norm=max_gradient_norm,
            clip=None if clip is None else list(clip), init_scale=init_scale,
        ),
    )


# ---------------------------------------------------------------------------------------
# The notebooks' default models: corpora, saving, loading, command line
# ---------------------------------------------------------------------------------------

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


def _is_agreement(name):
    """Whether the default model ``name`` is trained on generated agreement sentences."""
    return "min_filler" in DEFAULTS[name]
ASSETS = Path(__file__).resolve().parents[1] / "assets"


def default_model_path(name):
    """Where the shipped model ``name`` (a key of DEFAULTS) lives: assets/lm_<name>.npz."""
    if name not in DEFAULTS:
        raise ValueError(f"name must be one of {sorted(DEFAULTS)}, got {name!r}")
    return ASSETS / f"lm_{name}.npz"


def default_corpus(name, seed=0, n_sentences=None):
    """The training sentences of a default model.

    Args:
        name: "agreement" or "agreement_long" (generated from ``seed``, with the clause
            lengths of DEFAULTS[name]), or "chinese" (fixed).
        seed: the agreement corpus's seed.
        n_sentences: the agreement corpus's size (default: DEFAULTS).
    Returns:
        list of str.
    """
    if name not in DEFAULTS:
        raise ValueError(f"corpus must be one of {sorted(DEFAULTS)}, got {name!r}")
    if not _is_agreement(name):
        return chinese_sentences()
    d = DEFAULTS[name]
    n = d["n_sentences"] if n_sentences is None else n_sentences
    return [ex.sentence for ex in agreement_examples(n, seed, d["min_filler"], d["max_filler"])]


@dataclass(frozen=True)
class SavedModel:
    """A language model read back by ``load_model``.

    Attributes:
        parameters: Wax, Waa, ba, Wya, by.
        vocabulary: the Vocabulary it was trained with.
        final_loss: its per-token loss on its training corpus, when saved.
        metadata: dict: corpus, hyper-parameters, seed, training time ...
    """

    parameters: dict
    vocabulary: Vocabulary
    final_loss: float
    metadata: dict


def save_model(path, parameters, vocabulary, final_loss, metadata=None):
    """Write parameters, vocabulary and loss to ``path`` (.npz) and metadata next to it (.json)."""
    path = Path(path)
    p = _check_parameters(parameters, vocabulary)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, **p, tokens=np.array(vocabulary.tokens), granularity=np.array(vocabulary.granularity),
        final_loss=np.array(float(final_loss)),
    )
    meta = dict(metadata or {}, final_loss=float(final_loss), granularity=vocabulary.granularity,
                n_y=len(vocabulary), n_a=int(p["Waa"].shape[0]))
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_model(path):
    """Read a model written by ``save_model`` (or the command) back.

    Args:
        path: the .npz file; its .json metadata is read too when present.
    Returns:
        SavedModel (parameters, vocabulary, final_loss, metadata).
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path {str(path)!r} does not exist (train it with: python -m course_lib.train)")
    with np.load(path, allow_pickle=False) as data:
        parameters = {k: data[k].astype(np.float64) for k in LM_KEYS}
        vocabulary = Vocabulary(tuple(str(t) for t in data["tokens"]), str(data["granularity"]))
        final_loss = float(data["final_loss"])
    meta_path = path.with_suffix(".json")
    metadata = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    return SavedModel(parameters, vocabulary, final_loss, metadata)


def train_default(name, seed=None, steps=None, progress=True):
    """Train one of the notebooks' default models with DEFAULTS (seed, steps overridable).

    Returns:
        (TrainingResult, Vocabulary, corpus, final_loss, metadata).
    """
    if name not in DEFAULTS:
        raise ValueError(f"corpus must be one of {sorted(DEFAULTS)}, got {name!r}")
    d = dict(DEFAULTS[name])
    if seed is not None:
        d["seed"] = seed
    if steps is not None:
        d["steps"] = steps
    corpus = default_corpus(name, d["seed"], d.get("n_sentences"))
    vocabulary = Vocabulary.build(corpus, d["granularity"])
    result = train_language_model(
        corpus, vocabulary, d["n_a"], np.random.default_rng(d["seed"]),
        steps=d["steps"], batch_size=d["batch_size"], learning_rate=d["learning_rate"],
        clip=d["clip"], init_scale=d["init_scale"], progress=progress,
    )
    final_loss = mean_token_loss(result.parameters, vocabulary, corpus)
    metadata = {"corpus": name, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}}
    metadata.update(n_sentences=len(corpus), n_tokens=sum(len(vocabulary.encode(s, add_eos=True)) for s in corpus),
                    train_seconds=round(result.seconds, 2))
    return result, vocabulary, corpus, final_loss, metadata


def main(argv=None):
    """``python -m course_lib.train``: train a default model and save it."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(DEFAULTS), default="agreement")
    parser.add_argument("--out", default=None, help="output .npz (default: the repository's assets/lm_<corpus>.npz)")
    parser.add_argument("--steps", type=int, default=None, help="number of updates (default: per corpus)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the corpus, weights and batches")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else default_model_path(args.corpus)
    result, vocabulary, _, final_loss, metadata = train_default(
        args.corpus, seed=args.seed, steps=args.steps, progress=not args.no_progress
    )
    if _is_agreement(args.corpus):
        # New sentences, with clauses up to twice as long as any seen in training.
        test = agreement_examples(4000, metadata["seed"] + 1, MIN_FILLER, MAX_FILLER)
        scores = agreement_scores(result.parameters, vocabulary, test).by_filler_length()
        metadata["agreement_test"] = f"4000 new sentences (seed {metadata['seed'] + 1}), clauses of {MIN_FILLER} to {MAX_FILLER} words"
        metadata["agreement_by_filler_length"] = {
            str(k): {"n": n, "p_correct": round(p, 4), "accuracy": round(acc, 4)} for k, (n, p, acc) in scores.items()
        }
    save_model(out, result.parameters, vocabulary, final_loss, metadata)
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
