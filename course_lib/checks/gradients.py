"""Checker for the clipping exercise of notebook 05: clip_by_norm.

Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
"""

import numpy as np

from course_lib.checks.common import TIME_LIMIT, Case, CheckFailed, Mistake, check_exercise, exercise_checker, run_candidate
from course_lib.gradients import clip_by_norm

__all__ = ["check_clip_by_norm"]

# clip_by_norm(gradients, max_norm) -> (clipped, norm)
KEYS = ("dWax", "dWaa", "dba", "dWya", "dby")
CLIPPED = tuple(f'clipped["{k}"]' for k in KEYS)  # how the comparison table names the clipped arrays
OUTPUTS = ("clipped", "norm")
LETTERS = {**{name: f'the shape of gradients["{k}"]' for name, k in zip(CLIPPED, KEYS)}, "norm": "a float, ()"}


def clip_cases():
    """Gradients of an RNN (n_x = 4, n_a = 3, n_y = 2) where each way of clipping wrongly shows.

    "above max_norm": the global norm is about 30 against max_norm = 5, some arrays are
    below max_norm on their own and some entries above it, so that clipping each array by
    its own norm, or each entry to ±max_norm, gives other numbers. "below max_norm": the
    norm is under max_norm = 50, so nothing may change (a copy comes back).
    """
    rng = np.random.default_rng(2027)
    shapes = {"dWax": (3, 4), "dWaa": (3, 3), "dba": (3, 1), "dWya": (2, 3), "dby": (2, 1)}
    scales = {"dWax": 8.0, "dWaa": 0.5, "dba": 3.0, "dWya": 0.2, "dby": 1.0}  # one array dominates
    gradients = {k: scales[k] * rng.standard_normal(shape) for k, shape in shapes.items()}
    yield Case("above max_norm", (gradients, 5.0))
    yield Case("below max_norm", ({k: g / 10 for k, g in gradients.items()}, 50.0))


def _norm(gradients):
    return float(np.sqrt(sum(np.sum(g**2) for g in gradients.values())))  # ‖g‖ = √(Σ Σ g²)


def _each(change):
    """A mistake that treats every array alike: the dict of clipped["<key>"] → change(g, ...)."""

    def wrong(gradients, max_norm):
        norm = _norm(gradients)
        return {f'clipped["{k}"]': change(g, max_norm, norm) for k, g in gradients.items()}

    return wrong


def _squared_norm_throughout(gradients, max_norm):
    """‖g‖² where ‖g‖ belongs, in the scale and in the norm returned (the square root forgotten)."""
    squares = _norm(gradients) ** 2
    scale = max_norm / squares if squares > max_norm else 1.0
    return {**{f'clipped["{k}"]': g * scale for k, g in gradients.items()}, "norm": squares}


CLIP_MISTAKES = (
    Mistake(CLIPPED + ("norm",), _squared_norm_throughout,
            "the square root is missing: ‖g‖ = √(Σ over every array of Σ g²); without it both the scale "
            "max_norm / ‖g‖ and the norm returned are wrong."),
    Mistake(CLIPPED, _each(lambda g, mx, norm: g * min(1.0, mx / np.sqrt(np.sum(g**2)))),
            "each array is clipped by its own norm: clip by norm uses one global norm, "
            "‖g‖ = √(Σ over every array of Σ g²), and scales all the arrays by the same max_norm / ‖g‖, "
            "so that the update keeps its direction."),
    Mistake(CLIPPED, _each(lambda g, mx, norm: np.clip(g, -mx, mx)),
            "the entries are clipped one by one to [−max_norm, max_norm]: that is clipping by value (clip). "
            "Clipping by norm scales every array by max_norm / ‖g‖ when the global norm ‖g‖ exceeds max_norm."),
    Mistake(CLIPPED, _each(lambda g, mx, norm: g * (norm / mx) if norm > mx else g),
            "the scale is inverted: when ‖g‖ > max_norm, multiply by max_norm / ‖g‖ (below 1), not ‖g‖ / max_norm."),
    Mistake(CLIPPED, _each(lambda g, mx, norm: g * (mx / norm)),
            "the gradients are rescaled although their norm is below max_norm: clip only when ‖g‖ > max_norm; "
            "otherwise return them unchanged (as copies)."),
    Mistake("norm", lambda gradients, mx: min(_norm(gradients), mx),
            "norm is the norm after clipping: return the global norm before clipping, ‖g‖ of the gradients "
            "given (it tells how large the gradient was)."),
    Mistake("norm", lambda gradients, mx: _norm(gradients) ** 2,
            "norm is the sum of the squares: take its square root, ‖g‖ = √(Σ Σ g²)."),
)


@exercise_checker(clip_by_norm)
def check_clip_by_norm(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``clip_by_norm(gradients, max_norm) -> (clipped, norm)``.

    Compares every clipped array and the norm with the reference's on each case of
    ``clip_cases`` (above and below max_norm), printing a table per case. Clipping each
    array by its own norm, clipping entries to ±max_norm, the inverted scale, rescaling
    below max_norm, the norm after clipping and a missing square root each get their own
    hint; gradients modified in place are reported too.

    Args:
        candidate: a function with the signature and return values of
            gradients.clip_by_norm.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    passed = check_exercise(candidate, clip_by_norm, clip_cases(), CLIP_MISTAKES, outputs=OUTPUTS, letters=LETTERS,
                            time_limit=time_limit, verbose=verbose)
    # The values match; below max_norm they must also be new arrays, not the caller's own
    # (an optimiser that updates them in place would change the gradients behind its back).
    for case in clip_cases():
        gradients, max_norm = case.args
        clipped, _ = run_candidate(candidate, case.args, clip_by_norm, case.name, time_limit)
        shared = [k for k in gradients if clipped.get(k) is gradients[k]]
        if shared:
            raise CheckFailed(f"[{case.name}] clipped[{shared[0]!r}] is the very array given, not a copy: return new "
                              "arrays (g.copy() when nothing is scaled), so that changing one never changes the other.",
                              case.name, f'clipped["{shared[0]}"]')
    return passed
