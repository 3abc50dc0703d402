"""Checker for the deep-RNN exercise of notebook 09: stacked_forward from one sweep per layer.

The learner writes ``stacked_forward(x, layer_parameters, cell)`` from one call of
``course_lib.recurrent.run_forward`` per layer, each layer reading the hidden states of the
one below. It is compared with ``course_lib.deep``'s on the rnn, gru and lstm cells, with
equal and unequal layer sizes; a wrong ``a_top`` that matches a known slip (every layer
reading x, the bottom layer's states returned, the LSTM's c read instead of a ...) gets
that slip's hint.
To be derived in notebooks/09_deep_rnn.ipynb, "Exercise: stacking the layers".
"""

import numpy as np

from course_lib.checks.common import TIME_LIMIT, Case, Mistake, check_exercise, exercise_checker
from course_lib.deep import initialize_stacked_parameters, stacked_forward
from course_lib.recurrent import get_cell, run_forward

__all__ = ["check_stacked_forward"]

OUTPUTS = ("a_top", "caches")
LETTERS = {"a_top": "(n_a[L], m, T_x)"}


def stacked_cases():
    """One case per cell, biases random too.

    "rnn, 2 layers (4, 3)": unequal sizes, so that the bottom layer's states have another
    shape than the top's. "gru, 3 layers (3, 2, 4)": three unequal layers. "lstm, 2 layers
    (3, 3)": n_x = n_a = 3 everywhere, so that the wiring slips (every layer reading x, the
    layers' parameters reused or run top first) can be computed and recognised.
    """
    rng = np.random.default_rng(2109)
    for cell, n_x, sizes, m, T_x in (("rnn", 3, [4, 3], 2, 5), ("gru", 2, [3, 2, 4], 3, 4), ("lstm", 3, [3, 3], 2, 4)):
        layers = initialize_stacked_parameters(n_x, sizes, cell, rng, 0.8)
        name = f"{cell}, {len(sizes)} layers ({', '.join(map(str, sizes))})"
        yield Case(name, (rng.standard_normal((n_x, m, T_x)), layers, cell))


def _stack(x, layers, cell, slip=None):
    """The top layer's states, computed right (slip None) or with the named slip."""
    h = x
    states = []
    previous = None
    for l, p in enumerate(layers):
        source = x if slip == "every layer reads x" else h
        p = layers[0] if slip == "first layer's parameters" else p
        initial = None
        if slip == "initial from the layer below" and previous is not None:
            initial = tuple(previous.state(s)[:, :, -1] for s in get_cell(cell).states)
        h, previous = run_forward(source, p, cell, initial)
        if slip == "memory cells" and l == len(layers) - 1:
            h = previous.state("c")
        states.append(h)
    if slip == "bottom layer":
        return states[0]
    return h


def _lstm_only(function):
    def wrong(x, layers, cell):
        if get_cell(cell).name != "lstm":
            raise ValueError("an LSTM slip")  # this mistake cannot be made with another cell
        return function(x, layers, cell)

    return wrong


MISTAKES = (
    Mistake("a_top", lambda x, layers, cell: _stack(x, layers, cell, "every layer reads x"),
            "a_top is off: every layer read x. Layer 1 reads x; layer l reads the hidden states of layer l−1, "
            "a[l]<t> = g(Wa[l] [a[l]<t-1>; a[l-1]<t>] + ba[l]): feed each run_forward the states the previous one "
            "returned."),
    Mistake("a_top", lambda x, layers, cell: _stack(x, layers, cell, "first layer's parameters"),
            "a_top is off: every layer ran with layer_parameters[0]. Each layer has its own parameters: layer l runs "
            "with layer_parameters[l]."),
    Mistake("a_top", lambda x, layers, cell: _stack(x, layers[::-1], cell),
            "a_top is off: the layers ran top first. layer_parameters[0] is the bottom layer, the one that reads x; "
            "loop over layer_parameters in its order."),
    Mistake("a_top", lambda x, layers, cell: _stack(x, layers, cell, "initial from the layer below"),
            "a_top is off: each layer started from the last state of the layer below. Every layer starts from "
            "zeros (run_forward's default initial state); it reads the layer below at every step, not at the end."),
    Mistake("a_top", _lstm_only(lambda x, layers, cell: _stack(x, layers, cell, "memory cells")),
            "a_top holds the top layer's memory cells c: an LSTM layer passes up (and returns) its hidden state "
            "a<t> = Γo * tanh(c<t>), which run_forward returns first (caches.a, not caches.c)."),
    Mistake("a_top", lambda x, layers, cell: _stack(x, layers, cell, "bottom layer"),
            "a_top holds the bottom layer's states (or a layer below the top): return the hidden states of the last "
            "layer, layer_parameters[-1], after the loop over all the layers."),
)


@exercise_checker(stacked_forward)
def check_stacked_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``stacked_forward(x, layer_parameters, cell)`` against the reference.

    Compares ``a_top`` (the caches are not compared: any list of the layers'
    SequenceCaches will do) on each case of ``stacked_cases`` (rnn, gru and lstm; equal and
    unequal layer sizes), printing a table per case (name, exact, close, max difference).

    Args:
        candidate: a function with the signature of deep.stacked_forward: ``(x (n_x, m, T_x),
            layer_parameters (a list, bottom layer first), cell) -> (a_top (n_a[L], m, T_x),
            caches)``.
        verbose: print the tables.
        time_limit: seconds allowed per call (see check_exercise).
        strict: False (the notebook): print the verdict and return None, whatever the
            candidate does; True (tests): raise CheckFailed (ExerciseNotWritten for a stub).
    Returns:
        None; with strict=True, the number of cases passed (all of them, if it returns).
    To be derived in notebooks/09_deep_rnn.ipynb, "Exercise: stacking the layers".
    """
    return check_exercise(candidate, stacked_forward, stacked_cases(), MISTAKES, outputs=OUTPUTS, letters=LETTERS,
                          time_limit=time_limit, verbose=verbose)
