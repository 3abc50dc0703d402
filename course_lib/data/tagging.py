"""Name-tagging labels (source tutorial section 1): y<t> = 1 where character t is part of a name.

Derived in notebooks/00_notation.ipynb, "Name tagging: `x<t>`, `y<t>`, `T_x`, `T_y`".
"""

import numpy as np

from course_lib._validate import as_generator, check_positive_int


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
    if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)):
        # A bare "王刚" would be read as the names "王" and "刚", one character each.
        raise ValueError(f"names must be a list of str (e.g. [\"王刚\", \"李明\"]), got {names!r}")
    y = np.zeros(len(sentence), dtype=int)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"names must be non-empty strings, got {name!r}")
        start = sentence.find(name)
        while start != -1:
            y[start : start + len(name)] = 1
            start = sentence.find(name, start + 1)
    return y


SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "刚明伟芳娜敏静丽强磊军洋勇艳杰涛"
TEMPLATES = (
    "{A}和{B}去上班了", "{A}今天去学校了", "我认识{A}", "{A}说{B}已经离开学校了",
    "{A}和{B}是同事", "昨天{A}去北京了", "老师让{A}回家", "{A}的朋友是{B}",
    "他说{A}已经离开学校了", "我们和{A}一起吃饭",
)


def name_tagging_examples(n, rng):
    """``n`` generated name-tagging sentences with their per-character labels.

    Names are a surname and one or two given characters drawn from small lists, placed in
    everyday templates such as 王刚和李明去上班了.

    Args:
        n: number of examples (≥ 1).
        rng: a np.random.Generator or an int seed (the same seed gives the same examples).
    Returns:
        (sentences, labels): a list of n str and a list of n int arrays, labels[i] of
        length T_x(i) = len(sentences[i]), 1 on the characters of a name.

    Derived in notebooks/02_bptt.ipynb, "Training the name tagger"
    """
    n = check_positive_int("n", n)
    rng = as_generator("rng", rng)

    def name():
        given = "".join(rng.choice(list(GIVEN), size=rng.integers(1, 3)))
        return rng.choice(list(SURNAMES)) + given

    sentences, labels = [], []
    for _ in range(n):
        a, b = name(), name()
        sentence = rng.choice(TEMPLATES).format(A=a, B=b)
        sentences.append(sentence)
        labels.append(name_tags(sentence, [a, b]))
    return sentences, labels
