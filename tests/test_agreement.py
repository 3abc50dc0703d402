"""The agreement task: was/were scores and the gradient that reaches the subject, checked
against independent computations, and bad input (a character-level model) answered."""

import dataclasses

import numpy as np
import pytest

from course_lib.agreement import agreement_gradient_norms, agreement_scores
from course_lib.data.corpora import agreement_examples
from course_lib.data.vocab import Vocabulary
from course_lib.lm import conditional_probabilities, hidden_states
from course_lib.recurrent import get_cell
from course_lib.rnn import initialize_rnn_parameters

DENSE_RNN = dataclasses.replace(get_cell("rnn"), name="rnn (dense)", one_hot_input_term=None,
                                one_hot_parameter_gradients=None)


@pytest.fixture(scope="module")
def task():
    examples = agreement_examples(12, np.random.default_rng(3), 2, 6)
    vocabulary = Vocabulary.build([ex.sentence for ex in examples], "word")
    n_y = len(vocabulary)
    parameters = initialize_rnn_parameters(n_y, 5, n_y, np.random.default_rng(0), scale=0.5)
    return parameters, vocabulary, examples


def test_scores_are_the_conditional_probabilities_at_the_verb(task):
    parameters, vocabulary, examples = task
    scores = agreement_scores(parameters, vocabulary, examples)
    for k, ex in enumerate(examples):
        y_hat = conditional_probabilities(parameters, vocabulary, ex.sentence).distributions[:, ex.verb_position]
        assert scores.p_correct[k] == pytest.approx(y_hat[vocabulary.index(ex.verb)], rel=1e-12)
        assert scores.p_wrong[k] == pytest.approx(y_hat[vocabulary.index(ex.wrong_verb)], rel=1e-12)
    np.testing.assert_array_equal(scores.correct, scores.p_correct > scores.p_wrong)
    np.testing.assert_array_equal(scores.distance, [ex.verb_position - ex.subject_position for ex in examples])
    summary = scores.by_filler_length()
    assert sum(n for n, _, _ in summary.values()) == len(examples)


def _reach_by_hand(parameters, vocabulary, ex):
    """‖∂L/∂a<t>‖ at the verb and at the subject's step, by the Jacobian product written out:
    ∂L/∂a<s> = (∂a<v>/∂a<s>)ᵀ ∂L/∂a<v>, with ∂a<t>/∂a<t-1> = diag(1 − a<t>²) Waa."""
    v = ex.verb_position
    indices = np.array([vocabulary.encode(ex.sentence, add_eos=True)[: v + 1]])
    a = hidden_states(parameters, indices)[:, 0, :]  # (n_a, v + 1)
    y_hat = conditional_probabilities(parameters, vocabulary, ex.sentence).distributions[:, v]
    y_hat[vocabulary.index(ex.verb)] -= 1.0  # dz = ŷ − y
    g = parameters["Wya"].T @ y_hat  # ∂L/∂a<verb>
    at_verb = np.linalg.norm(g)
    for t in range(v, ex.subject_position + 1, -1):  # back to the step that reads the subject
        g = parameters["Waa"].T @ ((1 - a[:, t] ** 2) * g)
    return at_verb, np.linalg.norm(g)


@pytest.mark.parametrize("cell", ["rnn", DENSE_RNN], ids=["lookup", "dense"])
def test_gradient_norms_match_the_jacobian_product_written_out(task, cell):
    parameters, vocabulary, examples = task
    reach = agreement_gradient_norms(parameters, vocabulary, examples, cell=cell)
    assert reach.distance.tolist() == [ex.verb_position - ex.subject_position for ex in examples]
    for k, ex in enumerate(examples):
        at_verb, at_subject = _reach_by_hand(parameters, vocabulary, ex)
        assert reach.at_verb[k] == pytest.approx(at_verb, rel=1e-10)
        assert reach.at_subject[k] == pytest.approx(at_subject, rel=1e-10)
        assert 0 < reach.at_subject[k]


def test_batching_does_not_mix_the_examples(task):
    parameters, vocabulary, examples = task
    together = agreement_gradient_norms(parameters, vocabulary, examples)
    for k in (0, 5, 11):
        alone = agreement_gradient_norms(parameters, vocabulary, [examples[k]])
        assert alone.at_subject[0] == pytest.approx(together.at_subject[k], rel=1e-12)
        assert alone.at_verb[0] == pytest.approx(together.at_verb[k], rel=1e-12)


@pytest.mark.parametrize("function", [agreement_scores, agreement_gradient_norms])
def test_a_character_level_model_is_refused(task, function):
    """Word positions read as character positions would give numbers that mean nothing."""
    _, _, examples = task
    chars = Vocabulary.build([ex.sentence for ex in examples], "char")
    parameters = initialize_rnn_parameters(len(chars), 4, len(chars), 0)
    with pytest.raises(ValueError, match="word-level Vocabulary.*granularity 'word'"):
        function(parameters, chars, examples)


@pytest.mark.parametrize("function", [agreement_scores, agreement_gradient_norms])
def test_examples_must_fit_their_sentences_and_the_vocabulary(task, function):
    parameters, vocabulary, examples = task
    shifted = dataclasses.replace(examples[0], verb_position=examples[0].verb_position - 1)
    with pytest.raises(ValueError, match=r"examples\[1\] has verb_position .* not the verb"):
        function(parameters, vocabulary, [examples[1], shifted])
    small = Vocabulary.build([ex.sentence for ex in examples if not ex.plural], "word")  # never saw "were"
    p_small = initialize_rnn_parameters(len(small), 4, len(small), 0)
    with pytest.raises(ValueError, match="vocabulary has no token 'were'"):
        function(p_small, small, examples)
    for bad in ([], examples[0], ["The cat was."], None):
        with pytest.raises(ValueError, match="examples"):
            function(parameters, vocabulary, bad)
    with pytest.raises(ValueError, match="vocabulary"):
        function(parameters, [ex.sentence for ex in examples], examples)
    with pytest.raises(ValueError, match="by"):
        function({**parameters, "by": parameters["by"][:, 0]}, vocabulary, examples)
