"""Train, validation and test sets: data the model learns from, data to choose settings on,
and data it is judged on once.

Derived in notebooks/04b_language_models_in_practice.ipynb, "Held-out data".
"""

from typing import NamedTuple

import numpy as np

from course_lib._validate import as_generator

__all__ = ["Split", "split_corpus"]


class Split(NamedTuple):
    """A corpus cut in three; each part a new list, in the corpus's order."""

    train: list
    validation: list
    test: list


def split_corpus(items, rng, fractions=(0.8, 0.1, 0.1)):
    """Cut ``items`` into train / validation / test parts at random, fixed by a seed.

    Args:
        items: a non-empty list (or tuple) of sentences, examples ... (not modified).
        rng: an int seed or np.random.Generator: the same seed gives the same split.
        fractions: three shares ≥ 0 summing to 1, for train, validation and test.
    Returns:
        Split(train, validation, test). Items that occur several times go, every copy of
        them, to one part only, so no test sentence is also a training sentence; the
        shares are shares of the distinct items. Each part keeps the corpus's order.
    Derived in notebooks/04b_language_models_in_practice.ipynb, "Held-out data"
    """
    if isinstance(items, str) or not isinstance(items, (list, tuple)) or not items:
        raise ValueError(f"items must be a non-empty list, got {type(items).__name__}")
    rng = as_generator("rng", rng)
    shares = np.asarray(fractions, dtype=float) if isinstance(fractions, (list, tuple)) else None
    if shares is None or shares.shape != (3,) or not np.all(np.isfinite(shares)) or shares.min() < 0 \
            or abs(shares.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be three shares ≥ 0 (train, validation, test) summing to 1, got {fractions!r}")
    try:
        distinct = list(dict.fromkeys(items))  # first appearance order
    except TypeError as exc:
        raise ValueError("items must be hashable (str sentences, tuples ...) so that repeats can be kept together") from exc
    order = rng.permutation(len(distinct))
    n_train = int(round(shares[0] * len(distinct)))
    n_validation = int(round((shares[0] + shares[1]) * len(distinct))) - n_train
    part = np.empty(len(distinct), dtype=int)
    part[order[:n_train]] = 0
    part[order[n_train:n_train + n_validation]] = 1
    part[order[n_train + n_validation:]] = 2
    where = {item: part[i] for i, item in enumerate(distinct)}
    parts = ([], [], [])
    for item in items:
        parts[where[item]].append(item)
    return Split(*parts)
