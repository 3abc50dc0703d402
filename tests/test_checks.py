"""The rnn_cell_backward checker: passes the reference, explains the usual mistakes."""

import numpy as np
import pytest

from course_lib.checks import CheckFailed, check_rnn_cell_backward
from course_lib.rnn import rnn_cell_backward


def test_the_reference_passes_every_case(capsys):
    assert check_rnn_cell_backward(rnn_cell_backward) == 3
    out = capsys.readouterr().out
    assert "max difference" in out and "All 3 cases pass" in out


def with_change(**replace):
    def candidate(da_next, cache):
        gradients = rnn_cell_backward(da_next, cache)
        dz = da_next * (1 - cache.a_next**2)
        p = cache.parameters
        options = {
            "a_next_in_dWaa": {"dWaa": dz @ cache.a_next.T},
            "no_derivative_dWax": {"dWax": da_next @ cache.xt.T},
            "unsummed_dba": {"dba": dz},
            "mean_dba": {"dba": dz.mean(axis=1, keepdims=True)},
            "untransposed_da_prev": {"da_prev": p["Waa"] @ dz},
            "missing": {},
        }
        changed = {**gradients, **options[replace["mistake"]]}
        if replace["mistake"] == "missing":
            del changed["dxt"]
        return changed

    return candidate


@pytest.mark.parametrize(
    "mistake, hint",
    [
        ("a_next_in_dWaa", "did you use a<t> instead of a<t-1>"),
        ("no_derivative_dWax", "dWax is off: multiply by tanh'"),
        ("unsummed_dba", "dba has the wrong shape"),
        ("mean_dba", "sum over the batch"),
        ("untransposed_da_prev", "use the transpose"),
        ("missing", "has no 'dxt'"),
    ],
)
def test_mistakes_get_their_hint(mistake, hint):
    with pytest.raises(CheckFailed, match=hint.replace("(", r"\(").replace("'", "'")):
        check_rnn_cell_backward(with_change(mistake=mistake), verbose=False)


def test_an_answer_that_ignores_da_next_fails():
    def ignores_upstream(da_next, cache):
        return rnn_cell_backward(np.ones_like(da_next), cache)

    with pytest.raises(CheckFailed, match="dxt is off"):
        check_rnn_cell_backward(ignores_upstream, verbose=False)
