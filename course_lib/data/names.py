"""The source tutorial's 王 pair as a generated name-tagging task (source tutorial section 8).

他说,「王刚已经离开学校了」 and 他说,「王府内已经没有差事可做了」 begin alike: whether 王 starts a
person's name (王刚) or a word that is not a name (王府) is decided by the character AFTER it.
Every sentence here opens with one of the same few left contexts, then 王 and a second
character, drawn half the time from given names (a person: 王刚, 王明 …) and half the time
from words (王府, 王国, 王冠 …), then a continuation that fits. The label of each character
is 1 inside a person's name and 0 elsewhere, so the label of 王 depends only on what follows
it: a unidirectional tagger (单向) can only guess it, a bidirectional one (双向) can read it.

Derived in notebooks/08_bidirectional_rnn.ipynb, "The 王 task".
"""

import numpy as np

from course_lib._validate import as_generator, check_positive_int
from course_lib.data.tagging import name_tags

__all__ = ["LEFT_CONTEXTS", "all_wang_sentences", "NAME_CONTINUATIONS", "NAME_GIVEN", "WORD_CONTINUATIONS", "WORD_SECOND",
           "wang_position", "wang_tagging_examples"]

# The quotation opens the same way whatever follows: nothing before 王 tells the two apart.
LEFT_CONTEXTS = ("他说,「", "她说,「", "老师说,「")
NAME_GIVEN = "刚明伟芳强磊军丽"           # 王 + one of these: a person's name (labels 1, 1)
WORD_SECOND = "府国冠宫朝位"               # 王 + one of these: a word that is not a name (labels 0, 0)
NAME_CONTINUATIONS = ("已经离开学校了」", "今天去上班了」", "是我的同学」", "和李明去北京了」")
WORD_CONTINUATIONS = ("内已经没有差事可做了」", "已经很久没有人了」", "里很安静」", "的故事很长」")


def wang_position(sentence):
    """The 0-based position of the 王 that follows the opening 「 of ``sentence``."""
    if not isinstance(sentence, str) or "「王" not in sentence:
        raise ValueError(f"sentence must be a str containing 「王 (from wang_tagging_examples), got {sentence!r}")
    return sentence.index("「王") + 1


def all_wang_sentences():
    """Every sentence ``wang_tagging_examples`` can write (a frozenset of str): to tell a sample of the task from garbage."""
    names = [("王" + g, NAME_CONTINUATIONS) for g in NAME_GIVEN] + [("王" + w, WORD_CONTINUATIONS) for w in WORD_SECOND]
    return frozenset(left + head + rest for left in LEFT_CONTEXTS for head, pool in names for rest in pool)


def wang_tagging_examples(n, rng):
    """``n`` sentences of the 王 task, with per-character labels and whether 王 starts a name.

    Half the sentences (drawn independently, each with probability 1/2) continue 王 as a
    person's name, the others as a word; both kinds share the same left contexts. A name
    continuation may mention 李明, a second name later in the sentence.

    Args:
        n: the number of sentences (≥ 1).
        rng: a np.random.Generator or an int seed (the same seed gives the same sentences).
    Returns:
        (sentences, labels, is_name): a list of n str, a list of n int arrays (labels[i] of
        length len(sentences[i]), 1 on the characters of a person's name), and a bool
        array (n,), True where 王 starts a name.

    Derived in notebooks/08_bidirectional_rnn.ipynb, "The 王 task"
    """
    n = check_positive_int("n", n)
    rng = as_generator("rng", rng)
    sentences, labels, is_name = [], [], np.zeros(n, dtype=bool)
    for i in range(n):
        left = LEFT_CONTEXTS[rng.integers(len(LEFT_CONTEXTS))]
        if rng.random() < 0.5:  # a person: 王刚已经离开学校了
            name = "王" + NAME_GIVEN[rng.integers(len(NAME_GIVEN))]
            rest = NAME_CONTINUATIONS[rng.integers(len(NAME_CONTINUATIONS))]
            names = [name] + (["李明"] if "李明" in rest else [])
            is_name[i] = True
        else:                   # a word: 王府内已经没有差事可做了
            name = "王" + WORD_SECOND[rng.integers(len(WORD_SECOND))]
            rest = WORD_CONTINUATIONS[rng.integers(len(WORD_CONTINUATIONS))]
            names = []
        sentence = left + name + rest
        sentences.append(sentence)
        labels.append(name_tags(sentence, names) if names else np.zeros(len(sentence), dtype=int))
    return sentences, labels, is_name
