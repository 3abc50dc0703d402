"""Vocabulary, tokenisation, one-hot encoding and name tags (course_lib.data)."""

import numpy as np
import pytest

from course_lib.data import (
    EOS, UNK, Vocabulary, decode_batch, encode_batch, name_tags, one_hot, tokenize,
)

CORPUS = ["王刚和李明去上班了", "李明和王刚是同事", "我爱吃油泼辣子面,味道非常好。"]


def test_char_tokens_of_chinese_have_no_separator():
    assert tokenize("王刚和李明去上班了") == list("王刚和李明去上班了")


def test_word_tokens_split_punctuation():
    assert tokenize("The cats, which ate, were full.", "word") == [
        "The", "cats", ",", "which", "ate", ",", "were", "full", "."]
    assert tokenize("王刚 和 李明 去 上班 了。", "word") == ["王刚", "和", "李明", "去", "上班", "了", "。"]


def test_vocabulary_orders_by_frequency_with_specials_first():
    vocab = Vocabulary.build(CORPUS)
    assert vocab.tokens[:2] == (UNK, EOS)
    # 王 刚 李 明 和 each appear twice; ties keep first appearance.
    assert vocab.tokens[2:7] == ("王", "刚", "和", "李", "明")
    assert Vocabulary.build(CORPUS) == vocab  # deterministic


def test_max_size_counts_the_special_tokens():
    vocab = Vocabulary.build(CORPUS, max_size=5)
    assert len(vocab) == vocab.n_x == 5
    assert vocab.index("面") == 0  # cut off → <UNK>


def test_unk_from_the_source_tutorials_example():
    vocab = Vocabulary.build(CORPUS)
    indices = vocab.encode("我爱吃油泼辣子彪彪面,味道非常好。")
    assert [t for t, k in enumerate(indices) if k == 0] == [7, 8]
    assert vocab.decode(indices) == "我爱吃油泼辣子<UNK><UNK>面,味道非常好。"


def test_encode_batch_pads_and_masks():
    vocab = Vocabulary.build(CORPUS)
    batch = encode_batch(vocab, ["王刚和李明去上班了", "李明"], add_eos=True)
    assert batch.x.shape == (vocab.n_x, 2, 10)
    assert batch.lengths.tolist() == [10, 3]
    assert batch.mask.sum(axis=1).tolist() == [10, 3]
    assert (batch.x.sum(axis=0) == batch.mask).all()
    assert (batch.indices[1, 3:] == -1).all()
    assert batch.tokens[1] == ["李", "明", EOS]
    assert decode_batch(vocab, batch.x, batch.mask) == ["王刚和李明去上班了<EOS>", "李明<EOS>"]
    assert decode_batch(vocab, batch.x) == decode_batch(vocab, batch.x, batch.mask)


def test_word_vocabulary_round_trip():
    vocab = Vocabulary.build(["the cat was full .", "the cats were full ."], "word")
    assert vocab.decode(vocab.encode("the cats was full .")) == "the cats was full."  # no space before "."


def test_one_hot_columns():
    x = one_hot(np.array([[2, 0, -1]]), 3)
    assert x.shape == (3, 1, 3)
    assert x[:, 0, 0].tolist() == [0, 0, 1] and x[:, 0, 2].tolist() == [0, 0, 0]


def test_name_tags_of_the_source_tutorials_sentence():
    assert name_tags("王刚和李明去上班了", ["王刚", "李明"]).tolist() == [1, 1, 0, 1, 1, 0, 0, 0, 0]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tokenize("abc", "byte"), "granularity"),
        (lambda: tokenize(3), "text"),
        (lambda: Vocabulary.build([]), "corpus"),
        (lambda: Vocabulary.build(["", "  "]), "corpus"),
        (lambda: Vocabulary.build(CORPUS, "syllable"), "granularity"),
        (lambda: Vocabulary.build(CORPUS, max_size=-3), "max_size"),
        (lambda: Vocabulary.build(CORPUS, max_size=1), "max_size"),
        (lambda: Vocabulary.build("not a list of sentences".split(" ") + [3]), "corpus"),
        (lambda: Vocabulary(("a", "b")), "tokens"),
        (lambda: one_hot(np.array([1, 2]), 3), "indices"),
        (lambda: one_hot(np.array([[5]]), 3), "indices"),
        (lambda: one_hot(np.array([[1]]), -2), "n_x"),
        (lambda: encode_batch(Vocabulary.build(CORPUS), []), "sentences"),
        (lambda: encode_batch(Vocabulary.build(CORPUS), ["王", " "]), "sentences"),
        (lambda: encode_batch(CORPUS, ["王"]), "vocabulary"),
        (lambda: decode_batch(Vocabulary.build(CORPUS), np.zeros((4, 1, 2))), "x"),
        (lambda: Vocabulary.build(CORPUS).decode([999]), "indices"),
        (lambda: name_tags("王刚", [""]), "names"),
    ],
)
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_inputs_are_not_modified():
    indices = np.array([[1, 2, -1]])
    copy = indices.copy()
    one_hot(indices, 4)
    assert (indices == copy).all()
