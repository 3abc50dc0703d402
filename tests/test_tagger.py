"""The name tagger: generated data, full gradients (output layer included), learning."""

import numpy as np
import pytest

from course_lib.data import Vocabulary, encode_batch, name_tagging_examples
from course_lib.gradients import gradient_check
from course_lib.optim import Adam
from course_lib.rnn import initialize_rnn_parameters
from course_lib.tagger import tagger_loss_and_gradients, tagger_predict


def test_generated_examples_are_reproducible_and_labelled():
    s1, l1 = name_tagging_examples(50, np.random.default_rng(3))
    s2, l2 = name_tagging_examples(50, np.random.default_rng(3))
    assert s1 == s2 and all((a == b).all() for a, b in zip(l1, l2))
    for sentence, label in zip(s1, l1):
        assert len(label) == len(sentence) and 2 <= label.sum() <= 6


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_bad_example_count(n):
    with pytest.raises(ValueError, match="n must"):
        name_tagging_examples(n, np.random.default_rng(0))


def test_full_gradient_passes_a_gradient_check_with_padding():
    rng = np.random.default_rng(0)
    parameters = initialize_rnn_parameters(6, 3, 1, rng, scale=0.6)
    x = rng.standard_normal((6, 2, 5))
    y = (rng.random((1, 2, 5)) > 0.5).astype(float)
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    J, gradients = tagger_loss_and_gradients(parameters, x, y, mask)
    assert set(gradients) == {"d" + k for k in parameters}
    for name in parameters:
        error = gradient_check(
            lambda th: tagger_loss_and_gradients({**parameters, name: th}, x, y, mask)[0],
            parameters[name], gradients["d" + name])
        assert error < 1e-7, name


def test_tagger_learns_names():
    rng = np.random.default_rng(1)
    sentences, labels = name_tagging_examples(200, rng)
    vocab = Vocabulary.build(sentences)
    batch = encode_batch(vocab, sentences)
    y = np.zeros((1, *batch.mask.shape))
    for i, label in enumerate(labels):
        y[0, i, : len(label)] = label
    parameters = initialize_rnn_parameters(vocab.n_x, 8, 1, rng, scale=0.3)
    optimizer = Adam(0.02)
    first = None
    for _ in range(100):
        J, gradients = tagger_loss_and_gradients(parameters, batch.x, y, batch.mask)
        first = J if first is None else first
        parameters = optimizer.step(parameters, gradients)
    assert J < 0.25 * first
    predicted = tagger_predict(parameters, batch.x)[0] > 0.5
    assert np.mean(predicted[batch.mask] == y[0][batch.mask].astype(bool)) > 0.9


def test_missing_output_layer_is_named():
    parameters = initialize_rnn_parameters(3, 2, None, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Wya"):
        tagger_predict(parameters, np.zeros((3, 1, 2)))
