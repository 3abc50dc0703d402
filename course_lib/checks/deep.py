"""Checker for the deep-RNN exercise of notebook 09: stacked_forward from one sweep per layer.

The learner writes ``stacked_forward(x, layer_parameters, cell)`` from one call of
``course_lib.recurrent.run_forward`` per layer, each layer reading the hidden states of the
one below. It is compared with ``course_lib.deep``'s on the rnn, gru and lstm cells, with
equal and unequal layer sizes; a wrong ``a_top`` that matches a known slip (every layer
reading x, the bottom layer's states returned, the LSTM's c read instead of a ...) gets
that slip's hint. The caches are compared too: the list of the L layers' SequenceCaches,
bottom first, each holding its layer's hidden states. A shape error that run_forward
raises (a layer fed what does not fit its parameters) and a cell not passed on to
run_forward are named as those slips.
Derived in notebooks/09_deep_rnn.ipynb, "Exercise: stacking the layers".
"""

import numpy as np

from course_lib.checks.bidirectional import check_sweeps, describe, hidden_states, same_states
from course_lib.checks.common import TIME_LIMIT, Case, Mistake, exercise_checker
from course_lib.deep import StackedCaches, initialize_stacked_parameters, stacked_forward
from course_lib.recurrent import SequenceCache, get_cell, run_forward

__all__ = ["check_stacked_forward"]

OUTPUTS = ("a_top", "caches")
LETTERS = {"a_top": "(n_a[L], m, T_x)"}


def stacked_cases():
    """One case per cell, biases random too.

    "rnn, 3 layers (3, 3, 3)" comes first: n_x = n_a = 3 in every layer, so that the wiring
    slips (every layer reading x, the layers run top first, the bottom layer skipped, the
    first layer's parameters reused) compute wrong numbers, each told apart by its own hint,
    instead of a shape error; three layers, so that skipping the bottom one is not the same
    as every layer reading x. "gru, 3 layers (3, 2, 4)": three unequal layers, so that the
    bottom layer's states have another shape than the top's. "lstm, 2 layers (3, 3)": equal
    sizes again, for the LSTM's own slip (its c passed up).
    """
    rng = np.random.default_rng(2109)
    for cell, n_x, sizes, m, T_x in (("rnn", 3, [3, 3, 3], 2, 5), ("gru", 2, [3, 2, 4], 3, 4),
                                     ("lstm", 3, [3, 3], 2, 4)):
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
    Mistake("a_top", lambda x, layers, cell: _stack(x, layers[1:], cell),
            "a_top is off: the bottom layer was skipped (the loop started at layer_parameters[1]). Layer 1, "
            "layer_parameters[0], reads x; loop over every layer, for parameters in layer_parameters."),
    Mistake("a_top", lambda x, layers, cell: _stack(x, layers, cell, "bottom layer"),
            "a_top holds the bottom layer's states (or a layer below the top): return the hidden states of the last "
            "layer, layer_parameters[-1], after the loop over all the layers."),
)


def read_caches(caches, x, layer_parameters, cell):
    """{"layer 1": caches[0]'s hidden states, ..., "layer L": caches[L-1]'s}, None where caches does not hold them.

    ``caches``: the learner's list (or tuple) of SequenceCaches, or the reference's StackedCaches.
    """
    caches = caches.layers if isinstance(caches, StackedCaches) else caches
    entries = list(caches) if isinstance(caches, (tuple, list)) else []
    return {f"layer {l + 1}": hidden_states(entries[l]) if l < len(entries) else None
            for l in range(len(layer_parameters))}


def explain_caches(caches, name, args):
    """What is wrong with the learner's caches: their form, their length, their order or a layer's states."""
    x, layers, cell = args
    L = len(layers)
    right = [hidden_states(c) for c in stacked_forward(x, layers, cell)[1].layers]
    caches = caches.layers if isinstance(caches, StackedCaches) else caches
    what = (f"the list of the L = {L} layers' SequenceCaches, bottom first: caches[l] is the second value "
            "that layer l+1's run_forward returned")
    if isinstance(caches, SequenceCache):
        return (f"caches is one SequenceCache (one layer's): return {what}. Start with caches = [] and append each "
                "layer's caches in the loop, caches.append(layer_caches).")
    if not isinstance(caches, (tuple, list)):
        return f"caches is {describe(caches)}: it must be {what}."
    for i, c in enumerate(caches):
        if not isinstance(c, SequenceCache):
            return (f"caches[{i}] is {describe(c)}: each entry must be a layer's SequenceCache, the second value of "
                    "h, layer_caches = run_forward(...), not its states.")
    if len(caches) != L:
        return (f"caches holds {len(caches)} SequenceCache{'' if len(caches) == 1 else 's'}, but there are L = {L} "
                f"layers: return {what}, one per layer, appended after every run_forward of the loop.")
    states = [hidden_states(c) for c in caches]
    if L > 1 and all(same_states(s, r) for s, r in zip(states, right[::-1])):
        return ("caches are in the reverse order, top layer first: caches[0] must be the bottom layer's (the layer "
                "that reads x, layer_parameters[0]) and caches[-1] the top layer's; append each layer's caches as "
                "the loop goes up (no reversed(), no insert(0, ...)).")
    l = next(i for i, (s, r) in enumerate(zip(states, right)) if not same_states(s, r))
    return (f"caches[{l}] does not hold layer {l + 1}'s states: caches[l] must be the SequenceCache that layer l+1's "
            "run_forward returned, whose hidden states the layer above reads (caches[-1]'s are a_top).")


SHAPE_HINT = ("layer l must read layer l−1's states: the x of layer l is what layer l−1's run_forward returned. "
              "Layer 1, layer_parameters[0], reads x, each layer above the states h the one below returned, over "
              "all of layer_parameters, bottom first; a layer fed anything else gets inputs that do not fit its "
              "parameters.")


@exercise_checker(stacked_forward)
def check_stacked_forward(candidate, verbose=True, time_limit=TIME_LIMIT):
    """Test a learner's ``stacked_forward(x, layer_parameters, cell)`` against the reference.

    Compares ``a_top`` and the caches on each case of ``stacked_cases`` (rnn, gru and lstm;
    equal and unequal layer sizes), printing a table per case (name, exact, close, max
    difference). The caches must be a list (or tuple) of the L layers' SequenceCaches,
    bottom first: row ``caches["layer l"]`` compares caches[l-1]'s hidden states with layer
    l's. A shape error raised by run_forward is named as a layer fed the wrong states, and a
    cell not passed on to run_forward is told so.

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
    Derived in notebooks/09_deep_rnn.ipynb, "Exercise: stacking the layers".
    """
    return check_sweeps(candidate, stacked_forward, stacked_cases(), MISTAKES, outputs=OUTPUTS, read=read_caches,
                        explain_caches=explain_caches, letters=LETTERS, time_limit=time_limit, verbose=verbose,
                        shape_hint=SHAPE_HINT)
