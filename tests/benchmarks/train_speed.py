"""Benchmark: the batched trainer (course_lib.train) beside a min-char-rnn style loop.

    .venv/bin/python -m tests.benchmarks.train_speed [--seconds 15] [--corpus chinese|agreement-chars|both]

Both train the same character-level language model (tanh RNN, n_a = 64 by default, float64, softmax
over the corpus's characters + <UNK> + <EOS>) on the same sentences, each read from
a<0> = 0, x<1> = 0 and ending in <EOS>, and both are scored by the same function
(``lm.mean_token_loss`` on the whole corpus, nats per token). Two corpora: the Chinese
corpus (n_y = 334, short sentences) and 1000 agreement sentences read as characters
(n_y = 30, about 61 characters a sentence).

- baseline: the style of Karpathy's min-char-rnn, written out below: one sentence at a
  time, cut into pieces of seq_length 25 with the hidden state carried between them
  (truncated BPTT), dictionaries of column vectors and Python loops over time forward
  and backward, elementwise clipping to ±5, Adagrad with learning rate 0.1;
- batched: ``train_language_model`` with m = 32 sentences per update (full BPTT), Adam
  (0.01), clipping by global norm 5.

Printed: tokens (characters, <EOS> included) processed per second by each, and the
training time each needs to bring the corpus loss below a target both reach. Evaluation
time is not counted. The machine may be shared: both loops run under the same load, one
after the other; rerun for steadier numbers.
"""

import argparse
import os
import sys
import time
from pathlib import Path

# Both loops multiply small matrices: BLAS threads cost more than they give there, and on
# a shared machine waiting threads slow the batched loop most. One thread each, unless
# the caller set it.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from course_lib.data.corpora import agreement_sentences, chinese_sentences  # noqa: E402
from course_lib.data.vocab import Vocabulary  # noqa: E402
from course_lib.lm import mean_token_loss  # noqa: E402
from course_lib.optim import Adam  # noqa: E402
from course_lib.train import train_language_model  # noqa: E402

N_A = 64  # the shipped models' size
BATCH_SIZE = 32
LEARNING_RATE = 0.01
SEQ_LENGTH = 25


# ---------------------------------------------------------------------------------------
# The baseline, in the style of min-char-rnn (Karpathy, 2015), one sentence per update
# ---------------------------------------------------------------------------------------


def min_char_rnn_loss(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    """inputs, targets: lists of ints (input −1 = the zero vector x<1>); hprev (n_a, 1).

    Returns the loss, the five gradients and the last hidden state (min-char-rnn's
    lossFun, with the softmax shifted by its maximum).
    """
    vocab_size = Why.shape[0]
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))
        if inputs[t] >= 0:
            xs[t][inputs[t]] = 1
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        ys[t] = Why @ hs[t] + by
        e = np.exp(ys[t] - np.max(ys[t]))
        ps[t] = e / np.sum(e)
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += dy @ hs[t].T
        dby += dy
        dh = Why.T @ dy + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += dhraw @ xs[t].T
        dWhh += dhraw @ hs[t - 1].T
        dhnext = Whh.T @ dhraw
    for d in (dWxh, dWhh, dWhy, dbh, dby):
        np.clip(d, -5, 5, out=d)
    return loss, (dWxh, dWhh, dWhy, dbh, dby), hs[len(inputs) - 1]


def baseline_chunks(encoded, vocab_size, n_a, seed=0):
    """Adagrad, one sentence at a time in pieces of SEQ_LENGTH; yields after every 50
    sentences (training seconds, tokens, parameters)."""
    rng = np.random.default_rng(seed)
    Wxh = rng.standard_normal((n_a, vocab_size)) * 0.01
    Whh = rng.standard_normal((n_a, n_a)) * 0.01
    Why = rng.standard_normal((vocab_size, n_a)) * 0.01
    bh, by = np.zeros((n_a, 1)), np.zeros((vocab_size, 1))
    mems = [np.zeros_like(p) for p in (Wxh, Whh, Why, bh, by)]
    learning_rate = 0.1
    while True:
        start, tokens = time.perf_counter(), 0
        for i in rng.permutation(len(encoded))[:50]:
            targets = list(encoded[i])
            inputs = [-1] + targets[:-1]  # x<1> = 0, x<t> = y<t-1>
            hprev = np.zeros((n_a, 1))  # every sentence starts from a<0> = 0
            for k in range(0, len(targets), SEQ_LENGTH):  # truncated BPTT, hprev carried
                _, grads, hprev = min_char_rnn_loss(
                    inputs[k:k + SEQ_LENGTH], targets[k:k + SEQ_LENGTH], hprev, Wxh, Whh, Why, bh, by
                )
                for p, d, mem in zip((Wxh, Whh, Why, bh, by), grads, mems):
                    mem += d * d
                    p += -learning_rate * d / np.sqrt(mem + 1e-8)  # Adagrad update
            tokens += len(targets)
        yield time.perf_counter() - start, tokens, {"Wax": Wxh, "Waa": Whh, "ba": bh, "Wya": Why, "by": by}


def batched_chunks(corpus, vocabulary, n_a, batch_size, learning_rate, seed=0, steps=20):
    """train_language_model, ``steps`` updates at a time; yields (training seconds,
    tokens, parameters) after each chunk."""
    parameters, rng = None, np.random.default_rng(seed)
    adam = Adam(learning_rate)  # one optimiser across the chunks keeps its moments
    while True:
        result = train_language_model(
            corpus, vocabulary, n_a, rng, steps=steps, batch_size=batch_size, optimizer=adam,
            clip=("norm", 5.0), parameters=parameters, progress=False,
        )
        parameters = result.parameters
        yield result.seconds, result.tokens, parameters


def race(runners, seconds, evaluate):
    """Advance the runners in turn (so both see the same machine load) until each has
    trained ``seconds``; returns per runner (tokens per second, [(seconds, loss), ...])."""
    trained = [0.0] * len(runners)
    tokens = [0] * len(runners)
    curves = [[] for _ in runners]
    while min(trained) < seconds:
        for k, runner in enumerate(runners):
            if trained[k] >= seconds:
                continue
            dt, n, parameters = next(runner)
            trained[k] += dt
            tokens[k] += n
            curves[k].append((trained[k], evaluate(parameters)))
    return [(tokens[k] / trained[k], curves[k]) for k in range(len(runners))]


def time_to(curve, target):
    """Training seconds at the first evaluation below ``target`` (None if never)."""
    return next((t for t, loss in curve if loss < target), None)


# corpus name → (sentences, n_a)
def corpora():
    return {
        "chinese": chinese_sentences(),
        "agreement-chars": agreement_sentences(1000, 0),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="training time per method and corpus")
    parser.add_argument("--corpus", choices=["chinese", "agreement-chars", "both"], default="both")
    parser.add_argument("--n-a", type=int, default=N_A, help="hidden-state size of both models")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="m of the batched trainer")
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE, help="Adam's rate in the batched trainer")
    args = parser.parse_args(argv)

    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}; "
          f"{args.seconds:.0f} s of training per method and corpus; n_a = {args.n_a}, float64")
    for name, corpus in corpora().items():
        if args.corpus not in (name, "both"):
            continue
        vocabulary = Vocabulary.build(corpus, "char")
        encoded = [vocabulary.encode(s, add_eos=True) for s in corpus]

        def evaluate(parameters):
            return mean_token_loss(parameters, vocabulary, corpus)

        (base_speed, base_curve), (fast_speed, fast_curve) = race(
            [baseline_chunks(encoded, len(vocabulary), args.n_a),
             batched_chunks(corpus, vocabulary, args.n_a, args.batch_size, args.learning_rate)],
            args.seconds, evaluate,
        )
        # The target: a loss both reach, 0.05 nats above the worse of the two final losses.
        target = round(max(min(l for _, l in base_curve), min(l for _, l in fast_curve)) + 0.05, 2)
        t_base, t_fast = time_to(base_curve, target), time_to(fast_curve, target)
        print(f"[{name}] {len(corpus)} sentences, {sum(map(len, encoded))} tokens, n_y = {len(vocabulary)}")
        print(f"  min-char-rnn loop (1 sentence, seq_length {SEQ_LENGTH}, Adagrad 0.1): {base_speed:8.0f} tokens/s, "
              f"loss {target} after {t_base:6.2f} s, final {base_curve[-1][1]:.3f} (best {min(l for _, l in base_curve):.3f})")
        print(f"  batched trainer   (m = {args.batch_size}, Adam {args.learning_rate}, clip norm 5)     : {fast_speed:8.0f} tokens/s, "
              f"loss {target} after {t_fast:6.2f} s, final {fast_curve[-1][1]:.3f} (best {min(l for _, l in fast_curve):.3f})")
        print(f"  speed-up: {fast_speed / base_speed:.1f}x tokens/s, {t_base / t_fast:.1f}x time to loss {target}")


if __name__ == "__main__":
    main()
