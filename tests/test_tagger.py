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


def test_any_cell_carries_the_tagger_with_its_own_output_layer():
    from tests.test_architectures import TOY

    rng = np.random.default_rng(2)
    parameters = TOY.initialize(5, 3, 1, rng, 0.6)  # Wc, bc and the output layer Wy, by
    x = rng.standard_normal((5, 2, 4))
    y = (rng.random((1, 2, 4)) > 0.5).astype(float)
    mask = np.array([[True] * 4, [True, True, False, False]])
    J, gradients = tagger_loss_and_gradients(parameters, x, y, mask, cell=TOY)
    assert list(gradients) == ["dWc", "dbc", "dWy", "dby"]
    for name in parameters:
        error = gradient_check(
            lambda th: tagger_loss_and_gradients({**parameters, name: th}, x, y, mask, cell=TOY)[0],
            parameters[name], gradients["d" + name], 1e-5)
        assert error < 1e-7, name
    y_hat = tagger_predict(parameters, x, cell=TOY)
    assert y_hat.shape == (1, 2, 4) and np.all((0 < y_hat) & (y_hat < 1))


def test_the_rnn_tagger_is_rnn_forward_then_a_sigmoid():
    from course_lib.activations import sigmoid
    from course_lib.rnn import rnn_forward

    rng = np.random.default_rng(3)
    parameters = initialize_rnn_parameters(4, 3, 1, rng, scale=0.6)
    x = rng.standard_normal((4, 2, 5))
    cell = {k: parameters[k] for k in ("Wax", "Waa", "ba")}
    a, _, _ = rnn_forward(x, np.zeros((3, 2)), cell)
    expected = sigmoid(np.einsum("ya,amt->ymt", parameters["Wya"], a) + parameters["by"][:, :, None])
    np.testing.assert_allclose(tagger_predict(parameters, x), expected, rtol=1e-13)


@pytest.mark.parametrize("change, argument", [
    (lambda p, x, y: (p, None, y), "x"),
    (lambda p, x, y: (p, x[:5], y), "x"),  # n_x = 5 instead of 6
    (lambda p, x, y: (p, np.where(x > 0, np.nan, x), y), "x"),
    (lambda p, x, y: (None, x, y), "parameters"),
    (lambda p, x, y: ({**p, "by": np.zeros((1,))}, x, y), 'parameters["by"]'),
    (lambda p, x, y: ({k: v for k, v in p.items() if k != "by"}, x, y), "by"),
    (lambda p, x, y: (p, x, y[:, :1]), "y"),
    (lambda p, x, y: (p, x, None), "y"),
    (lambda p, x, y: (p, x, 2 * y), "y"),
])
def test_bad_input_is_refused_naming_the_argument(change, argument):
    rng = np.random.default_rng(0)
    parameters = initialize_rnn_parameters(6, 3, 1, rng, scale=0.6)
    x = rng.standard_normal((6, 2, 5))
    y = (rng.random((1, 2, 5)) > 0.5).astype(float)
    p, x, y = change(parameters, x, y)
    with pytest.raises(ValueError, match=argument.replace("[", r"\[").replace("]", r"\]")):
        tagger_loss_and_gradients(p, x, y)
    if y is not None and np.shape(y) == (1, 2, 5) and np.all((y == 0) | (y == 1)):
        with pytest.raises(ValueError, match=argument.replace("[", r"\[").replace("]", r"\]")):
            tagger_predict(p, x)
    with pytest.raises(ValueError, match="cell"):
        tagger_predict(parameters, x if np.shape(x) == (6, 2, 5) else np.zeros((6, 2, 5)), cell="rnn2")
    with pytest.raises(ValueError, match="mask"):
        tagger_loss_and_gradients(parameters, np.zeros((6, 2, 5)), np.zeros((1, 2, 5)), mask=np.ones((2, 4), bool))
