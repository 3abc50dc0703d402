"""The forward-pass explorer of notebook 01: an RNN reading a sentence, step by step."""

import ipywidgets as widgets
import numpy as np

from course_lib.data import encode_batch
from course_lib.rnn import initialize_rnn_parameters, rnn_forward
from course_lib.viz.rnn import forward_step_figure, forward_step_frame
from course_lib.widgets.explorer import TimestepExplorer


def forward_steps(vocabulary, sentence, n_a, activation, n_y=2, seed=0):
    """Run a freshly initialised RNN over ``sentence``; what the explorer draws.

    The parameters come from ``seed`` and the sizes only, so the same choices always give
    the same network. Returns (figure, frame function, T_x).
    """
    batch = encode_batch(vocabulary, [sentence])
    parameters = initialize_rnn_parameters(vocabulary.n_x, n_a, n_y, np.random.default_rng(seed),
                                           scale=0.5)
    a0 = np.zeros((n_a, 1))
    a, y_pred, _ = rnn_forward(batch.x, a0, parameters, activation=activation)
    a, y_pred = a[:, 0, :], y_pred[:, 0, :]
    tokens = batch.tokens[0]
    step_labels = [f"{t + 1} {tok}" for t, tok in enumerate(tokens)]
    class_labels = ["not a name", "name"] if n_y == 2 else [f"class {k}" for k in range(n_y)]

    def title(t):
        return (f"t = {t + 1}: x<{t + 1}> = ‘{tokens[t]}’, "
                f"a<{t + 1}> = {activation}(Waa a<{t}> + Wax x<{t + 1}> + ba)")

    def frame(t):
        return forward_step_frame(a, a0[:, 0], y_pred, t, step_labels, title(t))

    figure = forward_step_figure(a, a0[:, 0], y_pred, step_labels, class_labels, title(0))
    return figure, frame, len(tokens)


class ForwardExplorer:
    """Step an RNN through a sentence; choose g1 and the hidden size n_a.

    Args:
        vocabulary: the Vocabulary that encodes the sentence (n_x = its size).
        sentence: str.
        n_a: hidden size at the start.
        activation: "tanh" or "relu" at the start.
        seed: seeds the parameters (the same for every choice of the controls).
    """

    def __init__(self, vocabulary, sentence, n_a=6, activation="tanh", seed=0):
        self.vocabulary, self.sentence, self.seed = vocabulary, sentence, seed
        self.activation = widgets.ToggleButtons(options=["tanh", "relu"], value=activation,
                                                description="g1")
        self.n_a = widgets.IntSlider(value=n_a, min=1, max=16, description="n_a",
                                     continuous_update=False)
        figure, frame, n_steps = self._steps()
        self.explorer = TimestepExplorer(figure, frame, n_steps)
        self.activation.observe(self._on_change, names="value")
        self.n_a.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.activation, self.n_a]), self.explorer.widget])

    def _steps(self):
        return forward_steps(self.vocabulary, self.sentence, self.n_a.value,
                             self.activation.value, seed=self.seed)

    def _on_change(self, change):
        self.explorer.reset(*self._steps())

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
