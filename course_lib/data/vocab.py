"""Tokens, vocabularies and one-hot vectors (source tutorial sections 1 and 3).

Derived in notebooks/00_notation.ipynb, "Vocabulary and one-hot vectors".

A sentence becomes a list of tokens (characters or words), each token an index in a
vocabulary, each index a one-hot column x<t> of length n_x = len(vocabulary). Tokens
that are not in the vocabulary become <UNK>; <EOS> marks the end of a sentence.
At word granularity Chinese text, written without spaces, is cut into words by the
segmenter jieba (imported the first time Chinese words are asked for).
"""

import functools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from course_lib._validate import as_float_array, check_bool, check_choice, check_positive_int

UNK = "<UNK>"
EOS = "<EOS>"
SPECIALS = (UNK, EOS)
GRANULARITIES = ("char", "word")

# A word is a run of letters/digits (with inner apostrophes); any other non-space
# character (punctuation) stands alone.
_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|\S")
# Spaces always separate words; within a space-free chunk, words are found as below.
_SEGMENT = re.compile(r"\S+")
# Chinese characters (CJK ideographs and their extensions): a run of them is cut into
# words by jieba, since written Chinese marks no word boundaries.
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"([{_HAN_CHARS}]+)")
# Decoding words: a space goes between words, but not before these marks ...
_NO_SPACE_BEFORE = re.compile(r" ([,.!?;:，。！？；：、])")
# ... nor between Chinese words (or next to CJK punctuation such as 「 」, or after a mark
# before a Chinese word), so that decoding gives back 王刚和李明, not 王刚 和 李明.
_CJK = f"{_HAN_CHARS}\u3000-\u303f\uff00-\uffef"
_NO_SPACE_BETWEEN = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}\\W])|(?<=[{_CJK}\\W]) (?=[{_CJK}])")


def _check_granularity(granularity):
    return check_choice("granularity", granularity, GRANULARITIES)


def tokenize(text, granularity="char"):
    """Split ``text`` into tokens.

    Args:
        text: a sentence (str).
        granularity: "char" — every character, spaces included (a character-level model
            must predict the spaces too); "word" — words split on spaces, punctuation
            marks as tokens of their own, and runs of Chinese characters cut into words
            by jieba ("王刚和李明去上班了" → 王刚 和 李明 去 上班 了). Spaces typed
            between Chinese words are kept as boundaries.
    Returns:
        list of str tokens.
    """
    _check_granularity(granularity)
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    text = text.strip()
    if granularity == "char":
        return list(text)
    tokens = []
    for chunk in _SEGMENT.findall(text):
        if chunk.isascii():
            tokens.extend(_WORD.findall(chunk))
            continue
        for i, piece in enumerate(_HAN_RUN.split(chunk)):  # odd pieces: Chinese runs
            if i % 2:
                tokens.extend(_chinese_words(piece))
            elif piece.isascii():
                tokens.extend(_WORD.findall(piece))
            else:  # other scripts: words, with punctuation split off
                tokens.extend(t for t in re.split(r"([^\w])", piece) if t)
    return tokens


def _chinese_words(run):
    """jieba's words of a run of Chinese characters: its dictionary, and for words it
    lacks (names such as 王刚) its hidden Markov model. Joined, they give ``run`` back."""
    return _segmenter().lcut(run)


@functools.lru_cache(maxsize=None)
def _segmenter():
    """jieba, imported and its dictionary loaded once, silently.

    jieba logs "Building prefix dict ..." to stderr while it loads (a learner would see
    it under a cell), and its code warns on import under some Python and setuptools
    versions; neither says anything the course needs. Loading takes about a second.
    """
    import logging
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import jieba
    except ImportError as exc:  # a course dependency: pip install -e . brings it
        raise ImportError("Chinese words need the segmenter jieba: pip install jieba") from exc
    logger = logging.getLogger("jieba")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # quiet while the dictionary loads; its level back after
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jieba.initialize()
    finally:
        logger.setLevel(level)
    return jieba


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of tokens; position = index. ``<UNK>`` is 0 and ``<EOS>`` is 1.

    Build one with ``Vocabulary.build(corpus, granularity, max_size)``.
    """

    tokens: tuple
    granularity: str = "char"

    def __post_init__(self):
        _check_granularity(self.granularity)
        if not isinstance(self.tokens, (tuple, list)) or not all(isinstance(t, str) for t in self.tokens):
            raise ValueError(f"tokens must be a tuple of str, got {type(self.tokens).__name__}")
        object.__setattr__(self, "tokens", tuple(self.tokens))
        if tuple(self.tokens[:2]) != SPECIALS:
            raise ValueError(f"tokens must start with {SPECIALS}, got {tuple(self.tokens[:2])}")
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError("tokens must not repeat")
        object.__setattr__(self, "_index", {tok: i for i, tok in enumerate(self.tokens)})

    @classmethod
    def build(cls, corpus, granularity="char", max_size=None, min_count=1):
        """The ``max_size`` most frequent tokens of ``corpus``, plus ``<UNK>`` and ``<EOS>``.

        Args:
            corpus: a non-empty list of sentences (str), or one str.
            granularity: "char" or "word" (see ``tokenize``).
            max_size: size of the whole vocabulary, the two special tokens included
                (so n_x = max_size); None keeps every token. At least 2.
            min_count: keep only tokens seen at least this often (int ≥ 1). With 2, the
                tokens seen once become <UNK> in the training text too, so a model learns
                how often an unknown token comes: text it has never seen has such tokens.
        Returns:
            Vocabulary. Ties in frequency keep the order of first appearance, so the
            same corpus always gives the same vocabulary.
        """
        _check_granularity(granularity)
        if isinstance(corpus, str):
            corpus = [corpus]
        if not isinstance(corpus, (list, tuple)) or not all(isinstance(s, str) for s in corpus):
            raise ValueError("corpus must be a list of str sentences")
        if max_size is not None:
            max_size = check_positive_int(f"max_size (None, or room for {UNK}, {EOS} and more)", max_size, minimum=2)
        min_count = check_positive_int("min_count", min_count)
        counts = Counter()
        for sentence in corpus:
            counts.update(tokenize(sentence, granularity))
        for special in SPECIALS:
            counts.pop(special, None)
        if not counts:
            raise ValueError("corpus must contain at least one token, got an empty corpus")
        ranked = [tok for tok, n in counts.most_common() if n >= min_count]  # stable: ties keep first appearance
        if max_size is not None:
            ranked = ranked[: max_size - len(SPECIALS)]
        return cls(SPECIALS + tuple(ranked), granularity)

    def __len__(self):
        return len(self.tokens)

    def __contains__(self, token):
        return token in self._index

    @property
    def n_x(self):
        """Length of a one-hot vector: the vocabulary size."""
        return len(self.tokens)

    def index(self, token):
        """Index of ``token``; ``<UNK>``'s index (0) for a token not in the vocabulary."""
        return self._index.get(token, 0)

    def encode(self, text, add_eos=False):
        """Indices of the tokens of ``text`` (list of int), ``<EOS>`` appended if asked."""
        indices = [self.index(tok) for tok in tokenize(text, self.granularity)]
        return indices + [1] if check_bool("add_eos", add_eos) else indices

    def decode(self, indices):
        """The text of ``indices``: characters joined as they are, words with spaces
        (but none before punctuation, so "cat , which" reads "cat, which", and none
        between Chinese words, so 王刚 和 李明 reads 王刚和李明)."""
        raw = np.asarray(indices)
        if raw.ndim != 1 or (raw.size and not np.issubdtype(raw.dtype, np.integer)):
            raise ValueError(f"indices must be a 1-D sequence of integers, got {raw.dtype} {raw.shape}")
        tokens = []
        for i in raw.tolist():
            if not 0 <= i < len(self.tokens):
                raise ValueError(f"indices must lie in [0, {len(self.tokens)}), got {i}")
            tokens.append(self.tokens[i])
        if self.granularity == "char":
            return "".join(tokens)
        return _NO_SPACE_BETWEEN.sub("", _NO_SPACE_BEFORE.sub(r"\1", " ".join(tokens)))


def one_hot(indices, n_x):
    """One-hot columns for an (m, T_x) array of indices; -1 marks padding (a zero column).

    Args:
        indices: int array (m, T_x), values in [0, n_x) or -1.
        n_x: vocabulary size.
    Returns:
        x: float64 array (n_x, m, T_x), x[:, i, t] is the one-hot vector of token t of
        example i (all zeros where padded).
    """
    indices = np.asarray(indices)
    if indices.ndim != 2 or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(f"indices must be an integer array of shape (m, T_x), got {indices.dtype} {indices.shape}")
    n_x = check_positive_int("n_x", n_x)
    if indices.size and (indices.min() < -1 or indices.max() >= n_x):
        raise ValueError(f"indices must lie in [0, n_x={n_x}) or be -1 (padding)")
    m, T_x = indices.shape
    x = np.zeros((n_x, m, T_x))
    i, t = np.nonzero(indices >= 0)
    x[indices[i, t], i, t] = 1.0
    return x


@dataclass(frozen=True)
class Batch:
    """A batch of encoded sentences of different lengths, padded to the longest.

    Attributes:
        x: one-hot inputs (n_x, m, T_x); zero columns where padded.
        indices: token indices (m, T_x); -1 where padded.
        mask: bool (m, T_x); True at real tokens, False at padding.
        lengths: int (m,); T_x(i) of every example i.
        tokens: list of m token lists (as tokenised, before <UNK> replacement).
    """

    x: np.ndarray
    indices: np.ndarray
    mask: np.ndarray
    lengths: np.ndarray
    tokens: list


def encode_batch(vocabulary, sentences, add_eos=False):
    """Encode sentences of different lengths into one padded one-hot batch.

    Args:
        vocabulary: a Vocabulary.
        sentences: non-empty list of m str.
        add_eos: append ``<EOS>`` to every sentence (the language model does).
    Returns:
        Batch with x of shape (n_x, m, T_x), T_x = the longest sentence's length.
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    if isinstance(sentences, str) or not sentences or not all(isinstance(s, str) for s in sentences):
        raise ValueError("sentences must be a non-empty list of str")
    add_eos = check_bool("add_eos", add_eos)
    tokens = [tokenize(s, vocabulary.granularity) + ([EOS] if add_eos else []) for s in sentences]
    lengths = np.array([len(t) for t in tokens])
    if lengths.min() == 0:
        raise ValueError(f"sentences must not be empty (sentence {int(np.argmin(lengths))} has no tokens)")
    indices = np.full((len(tokens), lengths.max()), -1)
    for i, toks in enumerate(tokens):
        indices[i, : len(toks)] = [vocabulary.index(t) for t in toks]
    return Batch(
        x=one_hot(indices, vocabulary.n_x),
        indices=indices,
        mask=indices >= 0,
        lengths=lengths,
        tokens=tokens,
    )


def decode_batch(vocabulary, x, mask=None):
    """Decode a one-hot batch back to text, one str per example.

    Args:
        vocabulary: the Vocabulary used to encode.
        x: (n_x, m, T_x) one-hot (or probability) columns; each column is read by argmax.
        mask: optional bool (m, T_x); padded positions are skipped. Without it, all-zero
            columns are taken as padding.
    Returns:
        list of m str. A trailing ``<EOS>`` is decoded like any other token.
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    x = as_float_array("x", x)
    if x.ndim != 3 or x.shape[0] != vocabulary.n_x or 0 in x.shape:
        raise ValueError(f"x must have shape (n_x, m, T_x) with n_x = {vocabulary.n_x} and m, T_x >= 1, got {x.shape}")
    if mask is None:
        mask = x.any(axis=0)
    mask = np.asarray(mask)
    if mask.dtype != bool and not (np.issubdtype(mask.dtype, np.integer) and np.isin(mask, (0, 1)).all()):
        raise ValueError(f"mask must be boolean (True = a real token), got dtype {mask.dtype}")
    mask = mask.astype(bool)
    if mask.shape != x.shape[1:]:
        raise ValueError(f"mask must have shape (m, T_x) = {x.shape[1:]}, got {mask.shape}")
    best = x.argmax(axis=0)  # (m, T_x)
    return [vocabulary.decode(best[i][mask[i]]) for i in range(x.shape[1])]
