"""The self-check quizzes at the end of every notebook (course_lib.quizzes): each notebook ends with
its quiz, every answer grades with its own explanation, and every number in an answer key (the
Numeric answers and the computed Mistakes) is recomputed with course_lib, so a wrong key fails."""

import json
import re

import numpy as np
import pytest

from course_lib import bidirectional_tasks as tasks
from course_lib import deep_lm
from course_lib.adding import load_adding_run
from course_lib.architectures import encoder_decoder, many_to_one, one_to_many
from course_lib.bidirectional import initialize_bidirectional_parameters
from course_lib.data import one_hot
from course_lib.data.vocab import tokenize
from course_lib.deep import initialize_stacked_parameters
from course_lib.gradients import clip, clip_by_norm
from course_lib.gru import initialize_gru_parameters
from course_lib.lm import perplexity, softmax_with_temperature, truncate_distribution
from course_lib.lm_practice import corpus_split, corpus_vocabulary, load_practice_model, load_sweep
from course_lib.losses import binary_cross_entropy
from course_lib.lstm import initialize_lstm_parameters
from course_lib.rnn import initialize_rnn_parameters, rnn_cell_forward
from course_lib.tbptt import stream_chunks, text_stream
from course_lib.viz import dependency_cone
from course_lib.quiz import MultipleChoice, Numeric, Quiz, grade
from course_lib.quizzes import NOTEBOOKS, quiz_for
from tests.tools.notebooks import ROOT

WITH_NAME = "他说,「王刚已经离开学校了」"          # notebook 08's sentence


def numeric(notebook, index):
    question = quiz_for(notebook).questions[index]
    assert isinstance(question, Numeric), (notebook, index)
    return question


def choice(notebook, index):
    question = quiz_for(notebook).questions[index]
    assert isinstance(question, MultipleChoice), (notebook, index)
    return question


def mistake(question, value):
    """The question's Mistake at ``value`` (fails when the quiz has none there)."""
    found = [m for m in question.mistakes if question.matches(m.value, value)]
    assert len(found) == 1, f"no mistake {value!r} in {question.prompt!r}"
    return found[0]


def size(parameters, keys=None):
    return sum(v.size for k, v in parameters.items() if keys is None or k in keys)


# --- every notebook ends with its quiz ---------------------------------------------------------------------

def test_every_notebook_of_the_course_has_a_quiz():
    assert sorted(NOTEBOOKS) == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_notebooks_last_code_cell_shows_its_quiz(notebook):
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    last = next(c for c in reversed(cells) if c["cell_type"] == "code")
    assert "".join(last["source"]).rstrip().endswith(f'SelfCheck(quiz_for("{notebook}"))')
    assert cells[-1] is last and cells[-2]["cell_type"] == "markdown" and "## Self-check" in "".join(cells[-2]["source"])


# --- each quiz as a whole ------------------------------------------------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_quiz_for_returns_the_notebooks_quiz(notebook):
    quiz = quiz_for(notebook)
    module = __import__(f"course_lib.quizzes.n{notebook}", fromlist=["QUIZ"])
    assert quiz is module.QUIZ and isinstance(quiz, Quiz) and quiz.title.startswith("Self-check: ")
    assert 3 <= len(quiz.questions) <= 5
    assert any(isinstance(q, Numeric) for q in quiz.questions)
    choices = [q for q in quiz.questions if isinstance(q, MultipleChoice)]
    assert all(3 <= len(q.choices) <= 4 for q in choices)
    assert len({q.answer for q in choices}) > 1 or len(choices) < 2      # the right choice is not always in one place


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_text_is_html_for_the_widget(notebook):
    quiz = quiz_for(notebook)
    texts = [quiz.title]
    for q in quiz.questions:
        texts.append(q.prompt)
        if isinstance(q, MultipleChoice):
            texts += [t for c in q.choices for t in (c.text, c.why)]
        else:
            texts += [q.why, q.hint] + [m.why for m in q.mistakes]
    for text in texts:
        prose = re.sub(r"<code>.*?</code>", "", text)                  # Python's ** is not markdown bold
        assert "<t>" not in text and "<t-1>" not in text and "**" not in prose and "$" not in text, text
        assert "<EOS>" not in text and "<UNK>" not in text, text
        assert text.count("<sub>") == text.count("</sub>") and text.count("<sup>") == text.count("</sup>"), text
        assert text.count("<code>") == text.count("</code>"), text


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_choice_and_number_grades_with_its_own_explanation(notebook):
    for q in quiz_for(notebook).questions:
        if isinstance(q, MultipleChoice):
            right = grade(q, q.answer)
            assert right.correct and right.message == q.choices[q.answer].why
            for i, c in enumerate(q.choices):
                if i != q.answer:
                    result = grade(q, i)
                    assert not result.correct and result.message == c.why
        else:
            right = grade(q, str(q.answer))
            assert right.correct and right.message == q.why
            assert q.mistakes
            for m in q.mistakes:
                result = grade(q, str(m.value))
                assert not result.correct and result.message == m.why


# --- 00: timesteps, <EOS> and the input weights ----------------------------------------------------------

def test_00_the_length_of_the_sentence_with_eos_and_its_mistakes():
    q = numeric("00_notation", 0)
    sentence = "王刚和李明去上班了"
    assert q.answer == len(tokenize(sentence, "char")) + 1
    mistake(q, len(tokenize(sentence, "char")))
    mistake(q, len(tokenize(sentence, "word")) + 1)


def test_00_the_input_weights_and_their_mistakes():
    q = numeric("00_notation", 3)
    p = initialize_rnn_parameters(10_000, 100, None, np.random.default_rng(0))
    assert q.answer == p["Wax"].size
    mistake(q, 10_000 + 100)
    mistake(q, p["Wax"].size + p["Waa"].size)


# --- 01: W_ax's shape and the shared parameter count -----------------------------------------------------------

def test_01_the_shape_of_wax():
    q = choice("01_forward_pass", 0)
    small = initialize_rnn_parameters(n_x=4, n_a=3, n_y=2, rng=np.random.default_rng(0))
    assert "(3, 4)" in q.choices[q.answer].text and small["Wax"].shape == (3, 4)
    texts = [c.text for c in q.choices]
    assert any(t.startswith(str(small["Waa"].shape)) for t in texts)          # the W_aa distractor
    assert any(t.startswith(str(small["Wya"].shape)) for t in texts)          # the W_ya distractor


def test_01_the_cell_parameter_count_and_its_mistakes():
    q = numeric("01_forward_pass", 1)
    n_x, T_x, n_a = 10_000, 100, 100
    full = initialize_rnn_parameters(n_x, n_a, n_x, np.random.default_rng(0))
    cell = {"Wax", "Waa", "ba"}
    assert q.answer == size(full, cell)
    mistake(q, T_x * size(full, cell))                                      # weights per step
    mistake(q, size(full, {"Wax", "Waa"}))                                  # no bias
    mistake(q, size(full))                                                  # with the output layer
    mistake(q, T_x * full["Wax"].size + full["ba"].size)                    # a standard network's first layer
    assert round((T_x * full["Wax"].size + full["ba"].size) / q.answer) == 99   # the notebook's ratio


def test_01_the_two_sentences_agree_up_to_wang():
    from course_lib.data import Vocabulary, encode_batch
    from course_lib.rnn import rnn_forward
    q = choice("01_forward_pass", 3)
    assert "identical" in q.choices[q.answer].text
    pair = ["他说,「王刚已经离开学校了」", "他说,「王府内已经没有差事可做了」"]
    vocabulary = Vocabulary.build(pair)
    batch = encode_batch(vocabulary, pair)
    for seed in range(3):
        p = initialize_rnn_parameters(vocabulary.n_x, 5, 2, np.random.default_rng(seed), scale=0.5)
        _, y, _ = rnn_forward(batch.x, np.zeros((5, 2)), p)
        assert np.array_equal(y[:, 0, :5], y[:, 1, :5]) and not np.array_equal(y[:, 0, 5], y[:, 1, 5])


# --- 02: the binary cross-entropy and ∂a<t>/∂W_ax -------------------------------------------------------------

def test_02_the_loss_of_one_step_and_its_mistakes():
    q = numeric("02_bptt", 0)
    y_hat = np.array([[[0.8]]])
    J, _ = binary_cross_entropy(y_hat, np.zeros((1, 1, 1)))
    assert q.matches(J) and abs(q.answer - J) < 1e-12 and grade(q, "1.61").correct
    J_one, _ = binary_cross_entropy(y_hat, np.ones((1, 1, 1)))
    mistake(q, J_one)                                                        # the y = 1 term
    mistake(q, J / np.log(10))                                               # log base 10
    mistake(q, -J)                                                           # the sign
    assert not grade(q, "0.22").correct and not grade(q, "0.70").correct


def test_02_the_derivative_of_a_with_respect_to_wax_is_a_tensor():
    q = numeric("02_bptt", 4)
    n_x, n_a, m = 5, 4, 3
    rng = np.random.default_rng(0)
    cell = initialize_rnn_parameters(n_x, n_a, None, rng, scale=0.7)
    xt, a_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    a_next, _, _ = rnn_cell_forward(xt, a_prev, cell)
    eps = 1e-6
    jacobian = np.zeros((n_a, *cell["Wax"].shape))                          # ∂a_i<t>/∂(Wax)_kl, example 0
    for k in range(n_a):
        for l in range(n_x):
            nudge = np.zeros_like(cell["Wax"])
            nudge[k, l] = eps
            up = rnn_cell_forward(xt, a_prev, {**cell, "Wax": cell["Wax"] + nudge})[0][:, 0]
            down = rnn_cell_forward(xt, a_prev, {**cell, "Wax": cell["Wax"] - nudge})[0][:, 0]
            jacobian[:, k, l] = (up - down) / (2 * eps)
    assert jacobian.ndim == 3 and q.answer == jacobian.size
    da = rng.standard_normal(n_a)
    dz = da * (1 - a_next[:, 0] ** 2)
    assert np.allclose(np.einsum("i,ikl->kl", da, jacobian), np.outer(dz, xt[:, 0]), atol=1e-7)
    mistake(q, cell["Wax"].size)                                             # ∂J/∂W_ax, a matrix
    mistake(q, a_next[:, 0].size)                                            # a<t>'s size
    mistake(q, n_a + n_x)


def test_02_the_right_dz_is_the_one_the_library_uses():
    from course_lib import rnn
    q = choice("02_bptt", 1)
    assert q.choices[q.answer].text == "<code>da_next * (1 - a_next**2)</code>"
    rng = np.random.default_rng(1)
    cell = initialize_rnn_parameters(5, 4, None, rng, scale=0.7)
    a_next, _, cache = rnn_cell_forward(rng.standard_normal((5, 3)), rng.standard_normal((4, 3)), cell)
    da_next = rng.standard_normal((4, 3))
    dz = da_next * (1 - a_next**2)
    assert np.allclose(rnn.rnn_cell_backward(da_next, cache)["dba"], dz.sum(axis=1, keepdims=True))


# --- 03: the architectures ---------------------------------------------------------------------------------------

def test_03_one_to_many_feeds_back_the_one_hot_argmax():
    q = choice("03_architectures", 0)
    assert "one-hot" in q.choices[q.answer].text and "argmax" in q.choices[q.answer].text
    scale = {"Wax": 5 * np.eye(7), "Waa": np.zeros((7, 7)), "ba": np.zeros((7, 1)),
             "Wya": 5 * np.roll(np.eye(7), 1, axis=0), "by": np.zeros((7, 1))}
    _, y_pred, caches = one_to_many(one_hot(np.array([[0]]), 7), scale, T_y=7)
    fed = caches.x[:, 0, 1:]
    assert np.array_equal(fed, np.eye(7)[:, y_pred[:, 0, :-1].argmax(axis=0)])


def test_03_many_to_one_reaches_only_the_last_state_directly():
    from course_lib.architectures import many_to_one_gradients
    q = choice("03_architectures", 1)
    assert "zero except" in q.choices[q.answer].text
    rng = np.random.default_rng(0)
    x = one_hot(rng.integers(0, 6, size=(8, 4)), 6)
    p = initialize_rnn_parameters(6, 8, 2, rng, scale=0.3)
    _, gradients, da = many_to_one_gradients(x, rng.integers(0, 2, size=8), p, input_gradient=True)
    da_norms = np.linalg.norm(da, axis=(0, 1))
    assert np.all(da_norms[:-1] == 0) and da_norms[-1] > 0
    assert np.all(np.linalg.norm(gradients["dx"], axis=(0, 1)) > 0)
    _, y_pred, _ = many_to_one(x, p)
    assert y_pred.shape[2] == 1


def test_03_the_encoder_decoder_parameter_count_and_its_mistakes():
    q = numeric("03_architectures", 2)
    rng = np.random.default_rng(0)
    encoder = initialize_rnn_parameters(4, 32, None, rng, scale=0.3)
    decoder = initialize_rnn_parameters(5, 32, 5, rng, scale=0.3)
    _, _, y_pred, _ = encoder_decoder(one_hot(np.zeros((2, 3), int), 4), encoder, decoder, T_y=4)
    assert y_pred.shape == (5, 2, 4)                                         # T_x = 3, T_y = 4: it runs
    assert q.answer == size(encoder) + size(decoder) == 2565
    mistake(q, size(decoder))                                                # the decoder alone
    mistake(q, size(initialize_rnn_parameters(4, 32, 5, rng)) + size(decoder))   # an encoder output layer
    mistake(q, size(encoder, {"Wax", "Waa"}) + size(decoder, {"Wax", "Waa", "Wya"}))   # no biases
    mistake(q, 2 * size(encoder))                                            # the encoder twice


# --- 04: the nucleus ----------------------------------------------------------------------------------------------

def test_04_the_nucleus_of_p_0_9_and_its_mistakes():
    q = numeric("04_language_model_sampling", 4)
    z = np.array([[2.0], [1.0], [0.2], [-1.0]])
    y_hat = softmax_with_temperature(z, 1.0)[:, 0]
    assert np.allclose(y_hat.round(2), [0.63, 0.23, 0.10, 0.03])             # as the prompt prints them
    assert q.answer == np.count_nonzero(truncate_distribution(y_hat, top_p=0.9))
    assert y_hat[:2].sum() < 0.9 <= y_hat[:3].sum()
    mistake(q, 2)
    mistake(q, y_hat.size)                                                   # every token
    mistake(q, np.count_nonzero(truncate_distribution(y_hat, top_k=1)))      # greedy


def test_04_temperature_towards_0_is_greedy():
    q = choice("04_language_model_sampling", 3)
    assert q.choices[q.answer].text.startswith("greedy")
    z = np.array([[2.0], [1.0], [0.2], [-1.0]])
    assert softmax_with_temperature(z, 0.01)[0, 0] > 0.999
    assert np.ptp(softmax_with_temperature(z, 100.0)) < 0.05                 # τ → ∞: uniform


# --- 04b: perplexity and truncated BPTT's updates -----------------------------------------------------------------

def test_04b_the_uniform_perplexity_and_its_mistakes():
    q = numeric("04b_language_models_in_practice", 1)
    vocabulary = corpus_vocabulary("tang", "char")
    assert len(vocabulary) == 1430
    model = load_practice_model("tang_char")
    uniform = {name: np.zeros_like(w) for name, w in model.parameters.items()}
    pp = perplexity(uniform, vocabulary, corpus_split("tang").test)
    assert q.matches(pp) and q.answer == len(vocabulary)
    mistake(q, np.log(pp))                                                   # the loss, not its exponential
    mistake(q, 1 / pp)                                                       # the probability of a token
    mistake(q, 1)


def test_04b_the_sweeps_updates_and_their_mistakes():
    q = numeric("04b_language_models_in_practice", 3)
    sweep = load_sweep()
    run = sweep[25]
    assert (run["tokens"], run["batch_size"], run["chunk_length"]) == (160_000, 16, 25)
    assert q.answer == run["steps"] == run["tokens"] // (run["batch_size"] * run["chunk_length"])
    tang = corpus_split("tang")
    x_stream, y_stream = text_stream(tang.train, corpus_vocabulary("tang", "char"))
    y_chunk = next(stream_chunks(x_stream, y_stream, batch_size=16, chunk_length=25, rng=0))[1]
    assert y_chunk.shape == (16, 25)
    assert y_chunk.size * q.answer == run["tokens"]                          # one update reads m × T_x tokens
    mistake(q, run["tokens"] // run["chunk_length"])                         # forgot the m streams
    mistake(q, sweep[1]["steps"])                                            # the T_x = 1 run
    assert sweep[1]["steps"] == run["tokens"] // run["batch_size"]
    mistake(q, load_practice_model("tang_char").metadata["steps"])           # the shipped model's


# --- 05: clipping by one global norm ------------------------------------------------------------------------

def test_05_clipping_by_norm_gives_the_answer_and_its_mistakes():
    q = numeric("05_vanishing_exploding_gradients", 4)
    g = {"dWax": np.array([[4.0, 3.0]]), "dba": np.array([[12.0]])}
    clipped, norm = clip_by_norm(g, 1.0)
    assert norm == pytest.approx(13.0)
    assert q.matches(clipped["dWax"][0, 0]) and q.matches(4 / 13)
    assert grade(q, "4/13").correct and grade(q, "0.308").correct
    own, _ = clip_by_norm({"dWax": g["dWax"]}, 1.0)                      # dWax by its own norm
    mistake(q, own["dWax"][0, 0])
    mistake(q, clip(g, 1.0)["dWax"][0, 0])                                # clipping by value
    mistake(q, clip_by_norm(g, 1e6)[0]["dWax"][0, 0])                    # not clipped
    l1 = sum(np.abs(v).sum() for v in g.values())
    mistake(q, g["dWax"][0, 0] / l1)


# --- 06: the GRU's parameter count --------------------------------------------------------------------------

def test_06_the_gru_parameter_count_and_its_mistakes():
    q = numeric("06_gru", 3)
    rng = np.random.default_rng(0)
    full = initialize_gru_parameters(4, 3, None, rng)
    assert set(full) == {"Wr", "br", "Wu", "bu", "Wc", "bc"}
    assert q.answer == size(full) == 72
    mistake(q, size(full, {"Wr", "Wu", "Wc"}))                                               # no biases
    mistake(q, size(initialize_gru_parameters(4, 3, None, rng, variant="simplified")))       # no Γr
    mistake(q, size(initialize_rnn_parameters(4, 3, 1, rng), {"Wax", "Waa", "ba"}))          # one block
    mistake(q, size(initialize_lstm_parameters(4, 3, None, rng)))                            # four blocks


# --- 07: the adding problem's LSTM ---------------------------------------------------------------------------

def test_07_the_adding_lstm_parameter_count_and_its_mistakes():
    q = numeric("07_lstm", 4)
    rng = np.random.default_rng(0)
    run = load_adding_run("lstm")
    assert (run.metadata["n_a"], run.metadata["parameter_count"]) == (32, q.answer)
    with_output = initialize_lstm_parameters(2, 32, 1, rng)
    assert size(with_output) == q.answer
    cell = initialize_lstm_parameters(2, 32, None, rng)
    output = size(with_output) - size(cell)
    mistake(q, size(cell))                                                                    # no output layer
    mistake(q, size(cell, {"Wf", "Wu", "Wc", "Wo"}) + output)                                 # no gate biases
    mistake(q, size(initialize_gru_parameters(2, 32, None, rng)) + output)                    # three blocks
    mistake(q, size(initialize_rnn_parameters(2, 32, 1, rng), {"Wax", "Waa", "ba"}) + output)  # one block
    mistake(q, size(initialize_lstm_parameters(2, 32, 1, rng, peepholes=True)))               # with peepholes


# --- 08: when the BRNN can emit ŷ<1>, and its output layer ------------------------------------------------

def ready_after(bidirectional):
    """For each output ŷ<t>, the number of inputs it waits for (notebook 08's measurement)."""
    model, _ = tasks.load_task_model("tagger", "rnn", bidirectional)
    x = tasks.tagging_batches([WITH_NAME], [np.zeros(len(WITH_NAME), int)], tasks.task_vocabulary())[0][0]
    d = tasks.input_dependence(model, x)
    return [max(s for s in range(len(WITH_NAME)) if d[t, s] > 0) + 1 for t in range(len(WITH_NAME))]


def test_08_the_first_output_waits_for_the_last_input():
    q = numeric("08_bidirectional_rnn", 3)
    assert q.answer == ready_after(True)[0] == len(WITH_NAME)
    mistake(q, ready_after(False)[0])                         # unidirectional
    mistake(q, WITH_NAME.index("王") + 1)                     # 王's position
    mistake(q, len(WITH_NAME) - 1)


def test_08_the_output_layer_reads_both_directions():
    q = numeric("08_bidirectional_rnn", 4)
    bi, _ = tasks.load_task_model("tagger", "rnn", True)
    uni, _ = tasks.load_task_model("tagger", "rnn", False)
    assert bi["fwd"]["Waa"].shape[0] == 12
    assert q.answer == size(bi["out"])
    mistake(q, size(uni["out"]))
    mistake(q, bi["out"]["Wy"].size)
    fwd, bwd = initialize_bidirectional_parameters(5, 12, "rnn", 0)
    assert bi["out"]["Wy"].shape[1] == fwd["Waa"].shape[0] + bwd["Waa"].shape[0]


# --- 09: a layer's parameters and the dependency cone --------------------------------------------------------

def test_09_layer_2s_parameters_and_their_mistakes():
    q = numeric("09_deep_rnn", 1)
    layers = initialize_stacked_parameters(79, [64, 64, 64], "rnn", 0)
    assert q.answer == size(layers[1])
    assert deep_lm.deep_lm_parameter_count(79, [64, 64, 64])[0][1] == q.answer
    mistake(q, size(layers[1], {"Waa", "Wax"}))               # no bias
    mistake(q, size(layers[0]))                               # layer 1's
    mistake(q, size(layers[1], {"Waa", "ba"}))                # no columns reading layer 1


def test_09_the_cone_of_a23_and_its_mistakes():
    q = numeric("09_deep_rnn", 2)
    cone = dependency_cone(3, 6, 2, 3)                        # rows: x, layer 1, layer 2, layer 3
    assert q.answer == cone[1:].sum()
    mistake(q, 2)                                             # its two direct inputs (checked below)
    assert cone[2, 1] and cone[1, 2]                          # a[2]<2> and a[1]<3> are in it
    mistake(q, cone[1:].sum() + 1)                            # with itself
    mistake(q, cone.sum())                                    # with the inputs x<1> … x<3>
    mistake(q, 2 * 6 - 1)                                     # with the steps after 3: the cone of a[2]<6>
    assert dependency_cone(3, 6, 2, 6)[1:].sum() == 2 * 6 - 1
