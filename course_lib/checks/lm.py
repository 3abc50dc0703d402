"""Checkers for the sampling exercises of notebook 04: drawing one token, and the sampling loop.

``draw_token(y_hat, rng)`` is random: two correct samplers that use the rng differently
(``rng.choice``, or an inverse CDF over ``rng.random()``) draw different tokens from the
same seed. So its checker first compares the draws with the reference's for the seed (the
same ``rng.choice(n_y, p=y_hat)`` gives the same tokens), and otherwise checks them
statistically: over many draws from a seeded rng, each token's frequency must lie within
a few binomial standard errors of its probability. ``sample_indices`` is compared token
by token with the reference for the same seed: it must draw through ``draw_token``.
Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
"""

import copy

import numpy as np

from course_lib.activations import softmax
from course_lib.checks.common import (
    TIME_LIMIT,
    Case,
    CheckFailed,
    Mistake,
    check_exercise,
    exercise_checker,
    run_candidate,
)
from course_lib.lm import draw_token, lm_step, sample_indices
from course_lib.rnn import initialize_rnn_parameters

__all__ = ["check_draw_token", "check_sample_loop"]


# ---------------------------------------------------------------------------------------
# draw_token(y_hat, rng) -> int
# ---------------------------------------------------------------------------------------

DRAW_COUNT = 2000  # draws per case: a few milliseconds of the learner's function
# A token of probability p is drawn k ~ Binomial(N, p) times in N draws: its frequency k/N
# has standard error √(p(1 − p)/N). A correct sampler leaves five standard errors with
# probability about 6e-7 per token (normal approximation, good here since every p in the
# cases is 0 or 1, or has N·p ≥ 100), so no seed of a correct sampler is expected to fail
# while 2000 draws still tell ŷ from the uniform distribution or from softmax(ŷ) by more
# than ten standard errors. A token of probability 0 must never come, one of
# probability 1 always (their standard error is 0).
STANDARD_ERRORS = 5.0

DRAW_DISTRIBUTIONS = (
    ("general", (0.05, 0.10, 0.60, 0.15, 0.10)),
    ("tokens of probability 0", (0.0, 0.45, 0.0, 0.35, 0.20)),
    ("larger vocabulary", (0.05, 0.25, 0.10, 0.05, 0.20, 0.10, 0.15, 0.10)),
    ("one certain token", (0.0, 0.0, 0.0, 1.0, 0.0)),
)


def draw_cases(seed=2025):
    """Case(name, (y_hat (n_y,), rng)) for each distribution, every rng seeded from ``seed``."""
    seeds = np.random.default_rng(seed).integers(2**32, size=len(DRAW_DISTRIBUTIONS))
    for (name, y_hat), s in zip(DRAW_DISTRIBUTIONS, seeds):
        yield Case(name, (np.array(y_hat), np.random.default_rng(int(s))))


def margins(y_hat, n_draws=DRAW_COUNT):
    """How far each token's frequency in ``n_draws`` may stray from ŷ: five binomial standard errors."""
    y_hat = np.asarray(y_hat, dtype=np.float64)
    return STANDARD_ERRORS * np.sqrt(y_hat * (1.0 - y_hat) / n_draws)


def frequencies(draws, n_y):
    """The share of each token index among the draws: (n_y,)."""
    return np.bincount(np.asarray(draws, dtype=np.intp), minlength=n_y)[:n_y] / len(draws)


def _agrees(freq, y_hat, n_draws):
    return bool(np.all(np.abs(freq - np.asarray(y_hat)) <= margins(y_hat, n_draws) + 1e-12))


# Draws that are indices, yet from the wrong distribution: told apart by their frequencies.
DRAW_MISTAKES = (
    Mistake("frequencies", lambda y_hat: np.full(len(y_hat), 1.0 / len(y_hat)),
            "draw_token draws every token equally often, ignoring the probabilities: give them to the draw, "
            "rng.choice(n_y, p=y_hat)."),
    Mistake("frequencies", lambda y_hat: softmax(np.asarray(y_hat)),
            "draw_token applies softmax to ŷ again: y_hat is already the probabilities ŷ = softmax(z). "
            "Draw from it as it is, rng.choice(n_y, p=y_hat)."),
)

GREEDY_HINT = ("draw_token always returns the most probable token, np.argmax(y_hat): that is greedy decoding "
               "(贪心解码), not sampling. Draw token i with probability ŷ[i]: rng.choice(n_y, p=y_hat).")
GLOBAL_RNG_HINT = ("draw_token does not use the rng it is given (its state never changed), yet its draws vary: "
                   "it draws from NumPy's global generator (np.random.choice ...). Draw with rng.choice(n_y, "
                   "p=y_hat), so that a seed reproduces the sample.")


def _form_hint(value, y_hat):
    """What is wrong with one result of draw_token as an index, or None when it is an int in range."""
    n_y = len(y_hat)
    if value is None:
        return "draw_token returned None: did you forget the return? It must return the index drawn, an int."
    if isinstance(value, (bool, np.bool_)):
        return f"draw_token returned a bool ({value!r}): it must return the index of the token drawn, an int."
    if isinstance(value, np.ndarray):
        arr = value
        if arr.shape == (n_y,) and arr.dtype.kind in "iuf" and set(np.unique(arr)) <= {0, 1} and arr.sum() == 1:
            return (f"draw_token returned a one-hot vector of shape {arr.shape}: return the index i of the token "
                    "drawn (an int), which rng.choice(n_y, p=y_hat) gives directly.")
        if arr.size == 1:
            return (f"draw_token returned an array of shape {arr.shape} instead of an int: rng.choice(n_y, p=y_hat) "
                    "without size= gives one index (or return int(i[0])).")
        return f"draw_token returned an array of shape {arr.shape}: it must return one index, an int."
    if isinstance(value, (float, np.floating)):
        if np.isfinite(value) and float(value).is_integer():
            return f"draw_token returned a float ({float(value)!r}): return an int index, int(i)."
        k = np.flatnonzero(np.isclose(np.asarray(y_hat), float(value), rtol=1e-9, atol=1e-12))
        if k.size:
            return (f"draw_token returned {float(value):g}, the probability ŷ[{k[0]}] of the token drawn, instead "
                    f"of its index {k[0]}: return i, not y_hat[i].")
        return f"draw_token returned a float ({float(value)!r}): it must return the index of the token drawn, an int."
    if not isinstance(value, (int, np.integer)):
        return f"draw_token must return the index of the token drawn, an int, got {type(value).__name__}."
    if not 0 <= value < n_y:
        return f"draw_token returned {int(value)}, not an index of ŷ: it must lie in [0, n_y) = [0, {n_y})."
    return None


def _draw_table(name, y_hat, freq, n_draws, same):
    widths = margins(y_hat, n_draws)
    lines = [f"case: {name}, {n_draws} draws" + (" (the same tokens as the reference's for this seed)" if same else ""),
             f"{'token':>5s} {'ŷ':>7s} {'drawn':>7s} {'allowed ±':>10s}  within"]
    for k, (p, f, w) in enumerate(zip(y_hat, freq, widths)):
        lines.append(f"{k:5d} {p:7.3f} {f:7.3f} {w:10.3f}  {'yes' if abs(f - p) <= w + 1e-12 else 'no'}")
    return "\n".join(lines) + "\n"


def _rng_state(rng):
    return rng.bit_generator.state


def check_draws(candidate, cases, verbose=True, time_limit=TIME_LIMIT, n_draws=DRAW_COUNT):
    """The draw_token check on the given cases (``draw_cases(seed)``); strict: raises CheckFailed.

    For each Case(name, (y_hat, rng)): ``n_draws`` calls with that one rng, each result an
    int index in range; the same tokens as the reference's from the same seed pass at
    once; otherwise always the argmax fails (greedy decoding), an rng left untouched
    fails (NumPy's global generator), and the frequencies must lie within
    ``STANDARD_ERRORS`` binomial standard errors of ŷ, the known wrong distributions
    (uniform, softmax(ŷ)) getting their own hints.
    Returns:
        the number of cases passed.
    """
    passed = 0
    for case in cases:
        name, (y_hat, rng) = case.name, case.args
        y_hat = np.asarray(y_hat, dtype=np.float64)
        theirs, ours = copy.deepcopy(rng), copy.deepcopy(rng)  # the same seed for both, the case's rng untouched
        before = _rng_state(theirs)
        draws = run_candidate(candidate, (y_hat.copy(), theirs), draw_token, name, time_limit, repeat=n_draws)
        for value in draws:
            problem = _form_hint(value, y_hat)
            if problem:
                raise CheckFailed(f"[{name}] {problem}", name, "draws")
        # draw_token's n_draws draws at once: rng.choice(n_y, size=N, p=ŷ) reads the same stream as N calls
        reference = ours.choice(len(y_hat), size=n_draws, p=y_hat).tolist()
        same = [int(d) for d in draws] == reference
        freq = frequencies(draws, len(y_hat))
        if verbose:
            print(_draw_table(name, y_hat, freq, n_draws, same))
        if same:
            passed += 1
            continue
        if y_hat.max() < 1 and all(int(d) == int(np.argmax(y_hat)) for d in draws):
            raise CheckFailed(f"[{name}] {GREEDY_HINT}", name, "draws")
        if _rng_state(theirs) == before:
            raise CheckFailed(f"[{name}] {GLOBAL_RNG_HINT}", name, "draws")
        if not _agrees(freq, y_hat, n_draws):
            for mistake in DRAW_MISTAKES:
                if _agrees(freq, mistake.wrong(y_hat), n_draws):
                    raise CheckFailed(f"[{name}] {mistake.hint}", name, "draws")
            k = int(np.argmax(np.abs(freq - y_hat) - margins(y_hat, n_draws)))
            raise CheckFailed(
                f"[{name}] the tokens are not drawn with the probabilities ŷ: token {k} came in {freq[k]:.1%} of "
                f"{n_draws} draws, while ŷ[{k}] = {y_hat[k]:.1%} (a correct sampler stays within "
                f"±{margins(y_hat, n_draws)[k]:.1%}, five standard errors). Draw with rng.choice(n_y, p=y_hat).",
                name, "draws")
        passed += 1
    if verbose:
        print(f"All {passed} cases pass: your draw_token matches the reference.")
    return passed


@exercise_checker(draw_token)
def check_draw_token(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``draw_token(y_hat, rng)`` against the reference, statistically.

    On each case of ``draw_cases`` it is called DRAW_COUNT times with one seeded rng;
    every result must be an int index (np.integer too) in [0, n_y). Draws equal to the
    reference's for the seed pass; otherwise the frequencies must match ŷ within five
    binomial standard errors per token, and greedy decoding, the uniform distribution,
    softmax(ŷ), the global NumPy generator, a probability, a one-hot vector or an array
    returned instead of the index each get their own hint. Prints a table per case
    (token, ŷ, frequency drawn, allowed deviation).

    Args:
        candidate: a function ``(y_hat (n_y,), rng) -> int``, like lm.draw_token.
        verbose: print the tables.
        time_limit: seconds allowed for the draws of one case together.
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    return check_draws(candidate, draw_cases(), verbose, time_limit)


# ---------------------------------------------------------------------------------------
# sample_indices(parameters, rng, eos, max_length) -> list of int
# ---------------------------------------------------------------------------------------

N_Y, N_A = 6, 5  # a vocabulary of six tokens, <UNK> = 0 and <EOS> = 1 as lm's vocabularies have them


def sample_cases():
    """Language models and seeds where each way of getting the loop wrong shows.

    "general" and "another seed": sentences of a few tokens ending in <EOS>. "<EOS> at
    index 3": the end token is the argument eos, not a fixed index. "max_length stops it":
    <EOS> is all but impossible (its bias −40), so max_length ends the sample.
    """
    model = initialize_rnn_parameters(N_Y, N_A, N_Y, np.random.default_rng(24), scale=1.0)
    model["by"][1] -= 0.5  # sentences of 7 and 11 tokens for the two seeds below
    swap = [0, 3, 2, 1, 4, 5]  # the same model with tokens 1 and 3 exchanged: 3 plays <EOS>
    other = {**model, "Wax": model["Wax"][:, swap], "Wya": model["Wya"][swap], "by": model["by"][swap]}
    never = {**model, "by": model["by"].copy()}
    never["by"][1] = -40.0  # P(<EOS>) below e^-35 at every step
    yield Case("general", (model, np.random.default_rng(11), 1, 30))
    yield Case("another seed", (model, np.random.default_rng(12), 1, 30))
    yield Case("<EOS> at index 3", (other, np.random.default_rng(25), 3, 30))
    yield Case("max_length stops it", (never, np.random.default_rng(14), 1, 12))


def _sampled(p, rng, eos, max_length, feed="one-hot", carry=True, stop=True, keep_eos=True, stop_at=None):
    """The sampling loop with one of the known mistakes (the defaults: the reference's loop)."""
    n_a, n_x = p["Waa"].shape[0], p["Wax"].shape[1]
    a, x = np.zeros((n_a, 1)), np.zeros((n_x, 1))
    end = eos if stop_at is None else stop_at
    indices = []
    while len(indices) < max_length:
        a_next, z = lm_step(p, a if carry else np.zeros((n_a, 1)), x)
        a = a_next
        y_hat = softmax(z)
        i = draw_token(y_hat[:, 0], rng)
        if i == end and stop:
            if keep_eos:
                indices.append(i)
            break
        indices.append(i)
        if feed == "one-hot":
            x = np.zeros((n_x, 1))
            x[i] = 1.0
        elif feed == "y_hat":
            x = y_hat
    return indices


SAMPLE_MISTAKES = (
    Mistake("indices", lambda p, rng, eos, n: _sampled(p, rng, eos, n, feed="y_hat"),
            "the tokens leave the reference's after the first draw: x<t+1> must be the one-hot vector of the "
            "token just drawn, not ŷ<t> (the source tutorial's own slip, \"ŷ<1> fed back\"): x = np.zeros((n_x, 1)); "
            "x[i] = 1."),
    Mistake("indices", lambda p, rng, eos, n: _sampled(p, rng, eos, n, stop=False),
            "the sample goes on after <EOS>: stop as soon as the index eos is drawn (keeping it as the last token); "
            "max_length only bounds a sentence that never ends."),
    Mistake("indices", lambda p, rng, eos, n: _sampled(p, rng, eos, n, keep_eos=False),
            "<EOS> is left out: the index eos that ends the sample belongs to it, as its last token (the language "
            "model learned to produce it; lm.sample returns it too)."),
    Mistake("indices", lambda p, rng, eos, n: _sampled(p, rng, eos, n, carry=False),
            "the hidden state is not carried: each step must start from the a<t> of the step before "
            "(a, z = lm_step(parameters, a, x)), not from zeros."),
    Mistake("indices", lambda p, rng, eos, n: _sampled(p, rng, eos, n, feed="zeros"),
            "x<t+1> is never updated: after drawing token i, the next input is its one-hot vector; yours stays the "
            "zero vector of x<1>."),
    Mistake("indices", lambda p, rng, eos, n: _sampled(p, rng, eos, n, stop_at=1),
            "the sample stops at index 1 instead of at eos: use the argument eos (here not 1) to know when the "
            "sentence ends."),
)


def _explain_sample(name, value, reference, args):
    """Where the learner's tokens leave the reference's, when no known mistake explains it."""
    try:
        got = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if got.ndim != 1 or got.dtype.kind not in "iuf":
        return None
    got, ref = [int(v) for v in got], [int(v) for v in reference]
    max_length = args[3]
    if len(got) > max_length:
        return (f"the sample has {len(got)} tokens, more than max_length = {max_length}: stop after max_length "
                "tokens, <EOS> included.")
    k = next((j for j, (u, v) in enumerate(zip(got, ref)) if u != v), min(len(got), len(ref)))
    yours = got[k] if k < len(got) else "nothing: it ended"
    theirs = ref[k] if k < len(ref) else "nothing: it ended"
    return (f"indices leave the reference's at token {k + 1} (yours: {yours}; the reference's: {theirs}), with the "
            "same seed. Check that a<t> is carried from step to step, that x<t+1> is the one-hot vector of the token "
            "drawn, and that each step draws once, with draw_token(ŷ[:, 0], rng): the reference draws with "
            "rng.choice(n_y, p=ŷ), so the same seed gives the same tokens only through it.")


@exercise_checker(sample_indices)
def check_sample_loop(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's sampling loop ``sample_indices(parameters, rng, eos, max_length)``.

    Compares the token indices with the reference's for the same seed on each case of
    ``sample_cases``: the learner's loop must draw with ``draw_token(ŷ[:, 0], rng)``, once
    per step. Feeding ŷ back instead of the one-hot token, not stopping at <EOS>, leaving
    <EOS> out, not carrying the state, never updating x and a fixed <EOS> index each get
    their own hint. Prints a table per case.

    Args:
        candidate: a function ``(parameters, rng, eos, max_length) -> list of int``, like
            lm.sample_indices.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub,
            or for a loop calling a draw_token that is one).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    return check_exercise(candidate, sample_indices, sample_cases(), SAMPLE_MISTAKES, outputs="indices",
                          letters={"indices": "a list of token indices"}, explain=_explain_sample,
                          time_limit=time_limit, verbose=verbose, rtol=0.0, atol=0.0)
