"""The bidirectional explorer: the forward and the backward sweep of a tagger meeting at step t.

Built on ``TimestepExplorer`` (a ``.course-explorer``: Play, a slider, one FigureWidget),
with ``viz.bidirectional.sweep_figure``; a dropdown chooses the cell (rnn / gru / lstm)
and rebuilds the steps for that cell's model, in the same figure.
"""

import html

import ipywidgets as widgets

from course_lib.activations import sigmoid
from course_lib.bidirectional_tasks import checked_model, is_bidirectional, model_hidden_states, output_contributions
from course_lib.data.vocab import Vocabulary, one_hot
from course_lib.recurrent import cell_names, get_cell
from course_lib.viz.bidirectional import sweep_figure, sweep_frame
from course_lib.widgets.explorer import TimestepExplorer, check_option
from course_lib.widgets._display import show

__all__ = ["BidirectionalExplorer"]


class BidirectionalExplorer:
    """Step through one sentence read by a bidirectional tagger; choose the cell.

    Args:
        sentence: the sentence (str), read character by character.
        models: dict cell name → bidirectional tagger (from
            ``bidirectional_tasks.load_task_model("tagger", cell)``), e.g. {"rnn": ..., "gru": ..., "lstm": ...}.
        vocabulary: the Vocabulary the models read (``bidirectional_tasks.task_vocabulary()``).
        cell: the cell shown first, one of ``models``.
        t: the 0-based step shown first.

    Attributes:
        explorer: the TimestepExplorer; ``cell_dropdown``; ``widget``; and for the cell
        shown: ``a_fwd``, ``a_bwd`` (n_a, T), ``y_hat`` (T,), ``from_fwd``, ``from_bwd`` (T,), ``by``.
    """

    def __init__(self, sentence, models, vocabulary, cell="rnn", t=0):
        if not isinstance(sentence, str) or not sentence:
            raise ValueError(f"sentence must be a non-empty str, got {sentence!r}")
        if not isinstance(models, dict) or not models:
            raise ValueError("models must be a non-empty dict cell name → bidirectional tagger")
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        checked = {}
        for name, model in models.items():
            if name not in cell_names() or not is_bidirectional(model):
                raise ValueError(f"models must map cell names ({cell_names()}) to bidirectional taggers, "
                                 f"got {name!r}")
            checked[name] = checked_model(model, name, f"models[{name!r}]")
            n_x, n_y = get_cell(name).sizes(checked[name]["fwd"])[0], checked[name]["out"]["Wy"].shape[0]
            if (n_x, n_y) != (vocabulary.n_x, 1):
                raise ValueError(f"models[{name!r}] must be a tagger of the vocabulary (n_x = {vocabulary.n_x}, "
                                 f"n_y = 1), got n_x = {n_x}, n_y = {n_y}")
        models = checked
        self.sentence, self.models, self.vocabulary = sentence, models, vocabulary
        self.tokens = list(sentence)
        T = len(self.tokens)
        cell = check_option("cell", cell, sorted(models))
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < T:
            raise ValueError(f"t must be an integer step from 0 to {T - 1}, got {t!r}")
        self.labels = [f"{s + 1} {tok}" for s, tok in enumerate(self.tokens)]
        self.cell_dropdown = widgets.Dropdown(options=sorted(models), value=cell, description="cell",
                                              layout=widgets.Layout(width="180px"))
        figure, frame = self._steps(cell)
        self.explorer = TimestepExplorer(figure, frame, T,
                                         step_label=lambda s: f"t = {s + 1}: {self.tokens[s]}")
        self.cell_dropdown.observe(self._on_cell, names="value")
        self.widget = widgets.VBox([self.cell_dropdown, self.explorer.widget])
        self.widget.add_class("course-bidirectional")
        if t:
            self.explorer.show(t)

    @property
    def cell(self):
        """The cell shown now."""
        return self.cell_dropdown.value

    def _compute(self, cell):
        x = one_hot([self.vocabulary.encode(self.sentence)], self.vocabulary.n_x)
        model = self.models[cell]

        h, _ = model_hidden_states(model, x, cell)
        n_a = h.shape[0] // 2
        self.a_fwd, self.a_bwd = h[:n_a, 0], h[n_a:, 0]
        from_fwd, from_bwd, self.by = output_contributions(model, x, cell)
        self.from_fwd, self.from_bwd = from_fwd[0], from_bwd[0]
        self.y_hat = sigmoid(self.from_fwd + self.from_bwd + self.by)

    def title(self, t):
        """Step ``t``'s title: where the sweeps are and the output computed from the two columns."""
        T, tok = len(self.tokens), html.escape(self.tokens[t])
        return (f"{self.cell}: t = {t + 1} ‘{tok}’ — a→ has read x⟨1⟩…x⟨{t + 1}⟩, a← has read x⟨{T}⟩…x⟨{t + 1}⟩<br>"
                f"<span style=\"font-size: 13px\">P(name) = σ(Wy→·a→ + Wy←·a← + by) = σ({self.from_fwd[t]:+.2f} "
                f"{self.from_bwd[t]:+.2f} {self.by:+.2f}) = {self.y_hat[t]:.3f}</span>")

    def _steps(self, cell):
        self._compute(cell)

        def frame(t):
            return sweep_frame(self.a_fwd, self.a_bwd, self.y_hat, t, self.title(t))

        figure = sweep_figure(self.a_fwd, self.a_bwd, self.y_hat, 0, self.labels, self.title(0), "P(name)")
        return figure, frame

    def _on_cell(self, change):
        figure, frame = self._steps(change["new"])
        self.explorer.reset(figure, frame, len(self.tokens))

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
