"""Vocabulary, one-hot encoding and the course's generated corpora (NumPy only)."""

from course_lib.data.splits import Split, split_corpus
from course_lib.data.tagging import name_tagging_examples, name_tags
from course_lib.data.vocab import (
    EOS,
    GRANULARITIES,
    UNK,
    Batch,
    Vocabulary,
    decode_batch,
    encode_batch,
    one_hot,
    tokenize,
)

__all__ = [
    "EOS", "GRANULARITIES", "UNK", "Batch", "Vocabulary", "decode_batch", "encode_batch",
    "Split", "name_tagging_examples", "name_tags", "one_hot", "split_corpus", "tokenize",
]
