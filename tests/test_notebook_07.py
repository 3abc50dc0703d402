"""Notebook 07 (the LSTM): what the lesson relies on, tested here and not in the lesson.

Its two exercises (stubs reported as not written, a learner's wrong answers diagnosed in
the notebook's own cells, the answers passing), the names and corrections its prose
promises, and the RETRAIN branches building what the shipped branches load. The whole
notebook runs under nbval and in the browser; its numbers are asserted in its cells.
"""

import ast
import inspect
import re
from pathlib import Path

from course_lib import lstm
from course_lib.checks import answers
from tests.tools.notebooks import cells, code_cells, run_cells, stubs

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_lstm.ipynb"
EXERCISES = ("lstm_cell_forward", "lstm_cell_backward")


def _checker_of(name):
    return stubs(code_cells(NOTEBOOK))[name] + 1


def _through_the_exercises(replace=None):
    """The notebook's cells up to the gradient check after the second exercise."""
    return run_cells(NOTEBOOK, replace, until=_checker_of("lstm_cell_backward") + 2)


def test_run_all_goes_on_with_the_stubs_and_both_checkers_say_not_written():
    _, printed, namespace = _through_the_exercises()
    for name in EXERCISES:
        said = " ".join(printed[_checker_of(name)].split())
        assert f"{name} is not written yet" in said and f"uses the reference {name} from course_lib.lstm" in said
        assert "✗" not in said and "Traceback" not in said
    assert "largest relative error" in printed[-1]  # the cells after the exercises ran


def test_the_stubs_have_the_reference_signatures_and_say_what_to_return():
    code = code_cells(NOTEBOOK)
    for name, index in stubs(code).items():
        function = next(node for node in ast.parse(code[index][0]).body if isinstance(node, ast.FunctionDef))
        expected = [p for p in inspect.signature(getattr(lstm, name)).parameters if p != "peephole_form"]
        assert [a.arg for a in function.args.args] == expected
        doc = ast.get_docstring(function)
        assert "Returns" in doc and "(n_a, m)" in doc
    forward = code[stubs(code)["lstm_cell_forward"]][0]
    assert "LSTMCache(gamma_f, gamma_u, c_tilde, gamma_o, c_next, a_next, c_prev, a_prev, xt, parameters)" in forward


def test_the_exercises_come_in_order_and_no_cell_after_a_stub_calls_the_learners_function():
    code = code_cells(NOTEBOOK)
    found = stubs(code)
    assert list(found) == list(EXERCISES) and found["lstm_cell_forward"] < found["lstm_cell_backward"]
    for name, index in found.items():
        for source, _ in code[index + 2:]:
            assert not re.search(rf"(?<![.\w]){name}\(", source), f"a cell after the checker calls the learner's {name}"


LEARNER_FORWARD_GATES_SWAPPED = '''
def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    p = parameters
    concat = np.concatenate([a_prev, xt])
    sigmoid = lambda z: 1 / (1 + np.exp(-z))
    gamma_f = sigmoid(p["Wf"] @ concat + p["bf"])
    gamma_u = sigmoid(p["Wu"] @ concat + p["bu"])
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = gamma_f * c_tilde + gamma_u * c_prev
    gamma_o = sigmoid(p["Wo"] @ concat + p["bo"])
    a_next = gamma_o * np.tanh(c_next)
    z = p["Wy"] @ a_next + p["by"]
    yt_pred = np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)
    cache = LSTMCache(gamma_f=gamma_f, gamma_u=gamma_u, c_tilde=c_tilde, gamma_o=gamma_o, c_next=c_next,
                      a_next=a_next, c_prev=c_prev, a_prev=a_prev, xt=xt, parameters=parameters)
    return a_next, c_next, yt_pred, cache
'''

LEARNER_BACKWARD_WITHOUT_THE_PATH_THROUGH_A = '''
def lstm_cell_backward(da_next, dc_next, cache):
    p, n_a = cache.parameters, cache.a_prev.shape[0]
    tanh_c = np.tanh(cache.c_next)
    dz_o = da_next * tanh_c * cache.gamma_o * (1 - cache.gamma_o)
    dc = dc_next                                   # the path through a<t> forgotten
    dz_f = dc * cache.c_prev * cache.gamma_f * (1 - cache.gamma_f)
    dz_u = dc * cache.c_tilde * cache.gamma_u * (1 - cache.gamma_u)
    dz_c = dc * cache.gamma_u * (1 - cache.c_tilde ** 2)
    concat = np.concatenate([cache.a_prev, cache.xt])
    grads = {"dc_prev": dc * cache.gamma_f}
    d_concat = 0
    for g, dz in zip("fuco", (dz_f, dz_u, dz_c, dz_o)):
        grads["dW" + g] = dz @ concat.T
        grads["db" + g] = dz.sum(axis=1, keepdims=True)
        d_concat = d_concat + p["W" + g].T @ dz
    grads["da_prev"], grads["dxt"] = d_concat[:n_a], d_concat[n_a:]
    return grads
'''


def test_a_learners_wrong_answers_get_their_diagnosis_and_the_notebook_goes_on():
    _, printed, _ = _through_the_exercises({"lstm_cell_forward": LEARNER_FORWARD_GATES_SWAPPED,
                                            "lstm_cell_backward": LEARNER_BACKWARD_WITHOUT_THE_PATH_THROUGH_A})
    forward = " ".join(printed[_checker_of("lstm_cell_forward")].split())
    assert "✗ [general]" in forward and "Γf and Γu are swapped" in forward
    assert forward.endswith("The rest of the notebook uses the reference lstm_cell_forward.")
    backward = " ".join(printed[_checker_of("lstm_cell_backward")].split())
    assert "everything but dWo and dbo is off" in backward and "The path through a<t>" in backward
    assert "Traceback" not in forward + backward and "largest relative error" in printed[-1]


def test_the_answers_in_the_stubs_pass():
    replace = {name: inspect.getsource(getattr(answers, name)) for name in EXERCISES}
    _, printed, _ = _through_the_exercises(replace)
    for name in EXERCISES:
        assert f"your {name} matches the reference" in printed[_checker_of(name)]


def test_the_chinese_names_come_at_first_use_and_the_tutorials_words_are_placed():
    text = "\n".join(source for source, _, kind in cells(NOTEBOOK) if kind == "markdown")
    for name in ("长短期记忆网络", "遗忘门", "更新门", "输入门", "输出门", "记忆细胞", "候选值", "窥视孔连接"):
        assert name in text, name
    assert "input gate" in text and "Gers & Schmidhuber" in text and "constant error carousel" in text
    assert "not the standard LSTM" in text


def test_the_setup_cell_holds_the_retrain_flag_off_and_the_one_rng():
    setup = code_cells(NOTEBOOK)[0][0]
    assert "RETRAIN = False" in setup and setup.count("default_rng(") == 1


def test_every_retrain_branch_builds_what_its_shipped_branch_loads():
    """Each ``... if RETRAIN else load(...)`` of the notebook, with two updates instead of the recipe's."""
    from course_lib.adding import COMPARISON, FORGET_BIAS_RUNS, load_adding_run, train_adding_default
    from course_lib.models import MATCHED, load_history, train_default

    for name in COMPARISON + FORGET_BIAS_RUNS[0.0][:1]:
        fresh, shipped = train_adding_default(name, steps=2, progress=False), load_adding_run(name)
        assert fresh.cell == shipped.cell and set(fresh.history) == set(shipped.history)
        assert fresh.metadata["n_a"] == shipped.metadata["n_a"]
    for name in MATCHED[:1] + ("agreement_long_lstm_forget_bias_1",):
        fresh, shipped = load_history(train_default(name, steps=2, progress=False)[4]), load_history(name)
        assert (fresh.cell, fresh.n_a, fresh.n_parameters) == (shipped.cell, shipped.n_a, shipped.n_parameters)
        assert fresh.accuracy is not None and fresh.checkpoints[-1] == 2

