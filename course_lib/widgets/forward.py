"""The forward-pass explorer of notebook 01: an RNN reading a sentence, step by step."""

import ipywidgets as widgets
import numpy as np

from course_lib.data import Vocabulary, encode_batch
from course_lib.recurrent import get_cell, predictions, sequence_forward
from course_lib.viz.rnn import forward_step_figure, forward_step_frame
from course_lib.widgets.explorer import TimestepExplorer, check_in_range, check_option, seed_of
from course_lib.widgets._display import show

__all__ = ["ForwardExplorer", "forward_steps"]

ACTIVATIONS = ("tanh", "relu")  # the explorer's g1 choices
MAX_N_A = 16


def forward_steps(vocabulary, sentence, n_a, activation, n_y=2, seed=0, cell="rnn"):
    """Run a freshly initialised cell over ``sentence``; what the explorer draws.

    Args:
        vocabulary: the Vocabulary that encodes the sentence (n_x = its size).
        sentence: a str with at least one token.
        n_a: hidden size, ≥ 1.
        activation: g1, "tanh" or "relu" (the option of cells that have one).
        n_y: output size, ≥ 1.
        seed: an int seed (or a np.random.Generator) for the parameters.
        cell: "rnn" (default) or another registered cell.
    Returns:
        (figure, frame function, T_x).

    The parameters come from ``seed`` and the sizes only, so the same choices always give
    the same network.
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    if not isinstance(sentence, str) or not sentence.strip():
        raise ValueError(f"sentence must be a non-empty str, got {sentence!r}")
    cell = get_cell(cell)
    n_a = check_in_range("n_a", n_a, 1, 10**4, integer=True)
    n_y = check_in_range("n_y", n_y, 1, 10**4, integer=True)
    activation = check_option("activation", activation, ACTIVATIONS)
    seed = seed_of("seed", seed)
    batch = encode_batch(vocabulary, [sentence])
    parameters = cell.initialize(vocabulary.n_x, n_a, n_y, np.random.default_rng(seed), 0.5)
    options = {"activation": activation} if "activation" in cell.options else {}
    initial = tuple(np.zeros((n_a, 1)) for _ in cell.states)  # a<0> = 0
    caches = sequence_forward(cell, batch.x, initial, parameters, options)
    a = caches.state(cell.hidden)  # a<1> ... a<T_x>  (n_a, 1, T_x)
    y_pred = predictions(a, parameters, *cell.output_keys)  # ŷ<t>  (n_y, 1, T_x)
    a, y_pred, a0 = a[:, 0, :], y_pred[:, 0, :], initial[cell.states.index(cell.hidden)][:, 0]
    tokens = batch.tokens[0]
    step_labels = [f"{t + 1} {tok}" for t, tok in enumerate(tokens)]
    class_labels = ["not a name", "name"] if n_y == 2 else [f"class {k}" for k in range(n_y)]

    def title(t):
        if cell.name == "rnn":
            return (f"t = {t + 1}: x<{t + 1}> = ‘{tokens[t]}’, "
                    f"a<{t + 1}> = {activation}(Waa a<{t}> + Wax x<{t + 1}> + ba)")
        return f"t = {t + 1}: x<{t + 1}> = ‘{tokens[t]}’, the {cell.name} cell's {cell.hidden}<{t + 1}>"

    def frame(t):
        return forward_step_frame(a, a0, y_pred, t, step_labels, title(t))

    figure = forward_step_figure(a, a0, y_pred, step_labels, class_labels, title(0),
                                 nonnegative=options.get("activation") == "relu")
    return figure, frame, len(tokens)


class ForwardExplorer:
    """Step an RNN through a sentence; choose g1 and the hidden size n_a.

    Args:
        vocabulary: the Vocabulary that encodes the sentence (n_x = its size).
        sentence: str.
        n_a: hidden size at the start, 1 … 16 (the slider's range).
        activation: "tanh" or "relu" at the start.
        seed: an int seed (or a np.random.Generator, drawn from once): the parameters
            are the same for every choice of the controls.
        cell: "rnn" (default) or another registered cell.
    """

    def __init__(self, vocabulary, sentence, n_a=6, activation="tanh", seed=0, cell="rnn"):
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        if not isinstance(sentence, str) or not sentence.strip():
            raise ValueError(f"sentence must be a non-empty str, got {sentence!r}")
        n_a = check_in_range("n_a", n_a, 1, MAX_N_A, integer=True)
        activation = check_option("activation", activation, ACTIVATIONS)
        self.vocabulary, self.sentence, self.seed = vocabulary, sentence, seed_of("seed", seed)
        self.cell = get_cell(cell)
        self.activation = widgets.ToggleButtons(options=list(ACTIVATIONS), value=activation,
                                                description="g1", disabled="activation" not in self.cell.options)
        self.n_a = widgets.IntSlider(value=n_a, min=1, max=MAX_N_A, description="n_a",
                                     continuous_update=False)
        figure, frame, n_steps = self._steps()
        self.explorer = TimestepExplorer(figure, frame, n_steps)
        self.activation.observe(self._on_change, names="value")
        self.n_a.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.activation, self.n_a]), self.explorer.widget])

    def _steps(self):
        return forward_steps(self.vocabulary, self.sentence, self.n_a.value,
                             self.activation.value, seed=self.seed, cell=self.cell)

    def _on_change(self, change):
        self.explorer.reset(*self._steps())

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
