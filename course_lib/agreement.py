"""The long-range agreement task (source tutorial section 5): was or were, and how far the gradient reaches.

In *The cat, which already ate a bunch of food, was full* the verb must agree with a
subject many words back. A word-level language model chooses right when it gives the
correct verb the higher probability after the prefix; the teaching signal of the verb's
loss, carried back by BPTT, is what must reach the subject for the model to learn that.
Both are measured here, for any cell of the recurrent core (the RNN by default), on the
examples of ``course_lib.data.corpora.agreement_examples`` (positions counted in words).
Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Long-range agreement, measured".
"""

import math
from dataclasses import dataclass

import numpy as np

from course_lib._validate import checked
from course_lib.activations import softmax
from course_lib.data.corpora import AgreementExample
from course_lib.data.vocab import Vocabulary, encode_batch
from course_lib.lm import check_lm_parameters, lm_forward, log_probabilities
from course_lib.recurrent import backward_steps, get_cell

__all__ = ["AgreementGradients", "AgreementScores", "agreement_gradient_norms", "agreement_scores"]

CHUNK = 256  # sentences per forward pass (memory only; the results are the same)


def _check_agreement(parameters, vocabulary, examples, cell="rnn"):
    cell = get_cell(cell)
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a word-level Vocabulary, got {type(vocabulary).__name__}")
    p = check_lm_parameters(parameters, vocabulary, cell)
    if vocabulary.granularity != "word":
        raise ValueError(
            f"vocabulary must be a word-level Vocabulary (granularity 'word'), got {vocabulary.granularity!r}: "
            "an agreement example counts its positions in words, which a character-level model does not read"
        )
    if isinstance(examples, AgreementExample) or not isinstance(examples, (list, tuple)) or not examples:
        raise ValueError("examples must be a non-empty list of AgreementExample")
    for k, ex in enumerate(examples):
        if not isinstance(ex, AgreementExample):
            raise ValueError(f"examples[{k}] must be an AgreementExample, got {type(ex).__name__}")
    for verb in sorted({v for ex in examples for v in (ex.verb, ex.wrong_verb)}):
        if verb not in vocabulary:
            raise ValueError(f"vocabulary has no token {verb!r}: the model cannot say how probable that verb is")
    return p, vocabulary, list(examples), cell


def _batches(vocabulary, examples):
    """(chunk, batch) pairs, after checking each verb stands at its verb_position."""
    for start in range(0, len(examples), CHUNK):
        chunk = examples[start:start + CHUNK]
        batch = encode_batch(vocabulary, [ex.sentence for ex in chunk], add_eos=True)
        for k, (ex, tokens) in enumerate(zip(chunk, batch.tokens)):
            v = ex.verb_position
            if not (0 <= ex.subject_position < v < len(tokens)) or tokens[v] != ex.verb:
                found = tokens[v] if 0 <= v < len(tokens) else "nothing"
                raise ValueError(
                    f"examples[{start + k}] has verb_position {v}, where its sentence's word tokens hold {found!r}, "
                    f"not the verb {ex.verb!r} (positions count words, as tokenize(sentence, 'word') splits them)"
                )
        yield chunk, batch


@dataclass(frozen=True)
class AgreementScores:
    """How well a word-level model picks "was"/"were" after the relative clause.

    Attributes (one entry per example):
        filler_length: int, words in the relative clause.
        distance: int, verb position − subject position (filler_length + 3).
        p_correct: P(correct verb | prefix), the model's raw probability.
        p_wrong: P(wrong verb | prefix).
        correct: bool, p_correct > p_wrong.
    """

    filler_length: np.ndarray
    distance: np.ndarray
    p_correct: np.ndarray
    p_wrong: np.ndarray
    correct: np.ndarray

    def by_filler_length(self):
        """{filler_length: (number of examples, mean P(correct), accuracy)}."""
        out = {}
        for n in np.unique(self.filler_length):
            sel = self.filler_length == n
            out[int(n)] = (int(sel.sum()), float(self.p_correct[sel].mean()), float(self.correct[sel].mean()))
        return out


@checked(_check_agreement)
def agreement_scores(parameters, vocabulary, examples, cell="rnn"):
    """P(was) and P(were) at the verb of each agreement example.

    Args:
        parameters, vocabulary: a word-level language model and its Vocabulary (which
            holds both verbs).
        examples: non-empty list of ``course_lib.data.corpora.AgreementExample``.
        cell: "rnn" or another registered cell.
    Returns:
        AgreementScores; ``.by_filler_length()`` summarises accuracy against distance.
    Derived in notebooks/04_language_model_sampling.ipynb, "Sentence probability"
    """
    p_correct, p_wrong = [], []
    for chunk, batch in _batches(vocabulary, examples):
        log_p = log_probabilities.unchecked(parameters, batch.indices, cell)  # (n_y, m, T_x)
        for j, ex in enumerate(chunk):
            column = log_p[:, j, ex.verb_position]  # column t of ŷ predicts token t: the verb's
            p_correct.append(math.exp(column[vocabulary.index(ex.verb)]))
            p_wrong.append(math.exp(column[vocabulary.index(ex.wrong_verb)]))
    p_correct, p_wrong = np.array(p_correct), np.array(p_wrong)
    return AgreementScores(
        filler_length=np.array([ex.filler_length for ex in examples]),
        distance=np.array([ex.verb_position - ex.subject_position for ex in examples]),
        p_correct=p_correct,
        p_wrong=p_wrong,
        correct=p_correct > p_wrong,
    )


@dataclass(frozen=True)
class AgreementGradients:
    """How much of the verb's gradient reaches the subject, one entry per example.

    Attributes:
        distance: int (n,), verb position − subject position (in words).
        at_verb: (n,), ‖∂L/∂h<t>‖ at the step that predicts the verb.
        at_subject: (n,), ‖∂L/∂h<t>‖ at the step that reads the subject.
    Here L = −log P(correct verb | prefix) is the loss of the verb alone, and h the cell's
    hidden state (a for the RNN).
    """

    distance: np.ndarray
    at_verb: np.ndarray
    at_subject: np.ndarray


@checked(_check_agreement)
def agreement_gradient_norms(parameters, vocabulary, examples, cell="rnn"):
    """BPTT from the loss at the verb back to the subject, for each agreement example.

    Args:
        parameters: a word-level language model (for "rnn": Wax (n_a, n_y), Waa (n_a, n_a),
            ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1)).
        vocabulary: its Vocabulary (word granularity, holding both verbs).
        examples: non-empty list of course_lib.data.corpora.AgreementExample.
        cell: "rnn" or another registered cell.
    Returns:
        AgreementGradients (distance, at_verb, at_subject), each of shape (n,).

    Teacher forcing as in training: column t of the forward pass reads token t − 1 and
    predicts token t. The loss L = −log ŷ<verb>[verb] sends dz = ŷ − y back into h<verb>
    only (∂L/∂h = Wyᵀ dz there, zero elsewhere); the recurrent core's backward loop carries
    it back, and ‖∂L/∂h<t>‖ is read at the verb's column and at the subject's, column
    subject_position + 1 (the step whose input is the subject). The sentences go through
    in batches: each example's gradient stays in its own column.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Long-range agreement, measured"
    """
    W_y, b_y = (parameters[k] for k in cell.output_keys)
    at_verb, at_subject = [], []
    for chunk, batch in _batches(vocabulary, examples):
        m = len(chunk)
        columns = np.arange(m)
        verb = np.array([ex.verb_position for ex in chunk])  # (m,)
        indices = batch.indices[:, : verb.max() + 1]  # nothing after the last verb matters to its loss
        caches = lm_forward.unchecked(parameters, indices, cell)
        h = caches.state(cell.hidden)  # (n_a, m, T_x)
        dz = softmax(W_y @ h[:, columns, verb] + b_y)  # ŷ<verb>  (n_y, m)
        dz[[vocabulary.index(ex.verb) for ex in chunk], columns] -= 1.0  # dz = ŷ − y
        dh = np.zeros(h.shape)
        dh[:, columns, verb] = W_y.T @ dz  # ∂L/∂h<verb>, zero at every other step
        d_h = backward_steps(dh, caches).d_states[cell.hidden]  # total ∂L/∂h<t> at every step  (n_a, m, T_x)
        norms = np.sqrt(np.sum(d_h**2, axis=0))  # (m, T_x)
        at_verb.extend(norms[columns, verb])
        at_subject.extend(norms[columns, [ex.subject_position + 1 for ex in chunk]])
    return AgreementGradients(
        distance=np.array([ex.verb_position - ex.subject_position for ex in examples]),
        at_verb=np.array(at_verb),
        at_subject=np.array(at_subject),
    )
