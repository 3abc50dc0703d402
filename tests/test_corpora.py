"""The generated and written corpora: seeded, small, and built so that the lesson holds
(only the subject's number decides was/were; the Chinese nonsense is in-vocabulary)."""

from collections import Counter

import numpy as np
import pytest

from course_lib.data.corpora import (
    MAX_FILLER,
    PEOPLE,
    SUBJECTS,
    agreement_examples,
    agreement_sentences,
    chinese_sentences,
)
from course_lib.data.vocab import Vocabulary, tokenize


def test_agreement_is_reproducible_from_a_seed():
    assert agreement_sentences(50, 3) == agreement_sentences(50, np.random.default_rng(3))
    assert agreement_sentences(50, 3) != agreement_sentences(50, 4)


def test_agreement_follows_the_seed_pattern():
    for ex in agreement_examples(300, 0):
        words = tokenize(ex.sentence, "word")
        assert words[0] == "The" and words[-1] == "."
        subject = words[ex.subject_position]
        singular, plural = next(pair for pair in SUBJECTS if subject in pair)
        assert subject == (plural if ex.plural else singular)
        assert words[ex.verb_position] == ex.verb == ("were" if ex.plural else "was")
        assert {ex.verb, ex.wrong_verb} == {"was", "were"}
        assert words[2] == "," and words[ex.verb_position - 1] == ","
        clause = words[3 : ex.verb_position - 1]
        assert len(clause) == ex.filler_length
        assert ex.verb_position - ex.subject_position == ex.filler_length + 3
        # the verb is the only word that agrees: no was/were inside the clause
        assert not {"was", "were"} & set(clause)


@pytest.mark.parametrize("n_words", range(2, MAX_FILLER + 1))
def test_every_clause_length_can_be_generated(n_words):
    examples = agreement_examples(20, n_words, min_filler=n_words, max_filler=n_words)
    assert {ex.filler_length for ex in examples} == {n_words}


def test_only_the_subject_decides_the_verb():
    """Clause and predicate are drawn independently of the subject's number."""
    examples = agreement_examples(4000, 1)
    plural = np.array([ex.plural for ex in examples])
    assert 0.45 < plural.mean() < 0.55
    for feature in (lambda ex: ex.filler_length, lambda ex: ex.sentence.split(",")[1].split()[-1],
                    lambda ex: ex.sentence.split(",")[-1].split(maxsplit=1)[1]):
        values = [feature(ex) for ex in examples]
        for value, count in Counter(values).items():
            if count >= 100:  # the share of plurals is the same for every clause feature
                share = plural[[v == value for v in values]].mean()
                assert abs(share - 0.5) < 0.15, (value, share)


def test_pronoun_depends_on_the_noun_not_its_number():
    people = {w for pair in PEOPLE for w in pair}
    for ex in agreement_examples(500, 2):
        words = tokenize(ex.sentence, "word")
        pronoun = words[3]
        assert pronoun in (("who", "that") if words[1] in people else ("which", "that"))


def test_agreement_vocabulary_is_small():
    vocab = Vocabulary.build(agreement_sentences(3000, 0), "word")
    assert 50 <= len(vocab) <= 100


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=-3), dict(min_filler=1), dict(max_filler=99),
                                    dict(min_filler=5, max_filler=4)])
def test_agreement_rejects_bad_arguments(kwargs):
    args = dict(n=5, rng=0) | kwargs
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=name if name != "min_filler" or "max_filler" not in kwargs else "max_filler"):
        agreement_sentences(**args)


def test_agreement_rejects_a_bad_rng():
    with pytest.raises(ValueError, match="rng"):
        agreement_sentences(3, rng="seed")


def test_chinese_corpus_holds_the_seed_sentences():
    corpus = chinese_sentences()
    assert 150 <= len(corpus) <= 300
    assert len(set(corpus)) == len(corpus), "no duplicates"
    assert "历史总是不断重演" in corpus and "王刚和李明去上班了" in corpus
    assert "力使总事不断虫眼" not in corpus
    assert chinese_sentences() is not corpus and chinese_sentences() == corpus


def test_chinese_nonsense_is_in_vocabulary_but_never_adjacent():
    corpus = chinese_sentences()
    vocab = Vocabulary.build(corpus, "char")
    assert all(ch in vocab for ch in "力使总事不断虫眼历史总是不断重演")
    text = "\n".join(corpus)
    for bigram in ("力使", "使总", "总事", "断虫", "虫眼"):
        assert bigram not in text


def test_chinese_unk_example_gives_two_unks():
    vocab = Vocabulary.build(chinese_sentences(), "char")
    indices = vocab.encode("我爱吃油泼辣子彪彪面,味道非常好。")
    assert indices.count(0) == 2
