"""Name-tagging labels (seed section 1): y<t> = 1 where character t is part of a name.

Derived in notebooks/00_notation.ipynb, "Name tagging: x<t>, y<t>, T_x, T_y".
"""

import numpy as np


def name_tags(sentence, names):
    """Per-character labels of ``sentence``: 1 inside any of ``names``, else 0.

    Args:
        sentence: str, read character by character.
        names: iterable of str (e.g. ["王刚", "李明"]); every occurrence is tagged.
    Returns:
        int array (T_x,) with T_x = len(sentence): T_y = T_x, one label per input.
    """
    if not isinstance(sentence, str):
        raise ValueError(f"sentence must be a str, got {type(sentence).__name__}")
    y = np.zeros(len(sentence), dtype=int)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"names must be non-empty strings, got {name!r}")
        start = sentence.find(name)
        while start != -1:
            y[start : start + len(name)] = 1
            start = sentence.find(name, start + 1)
    return y
