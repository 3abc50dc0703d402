"""The LSTM cell explorer: colah's cell diagram, one part highlighted, stepped through a sentence.

A time step slider (with Play) and the part within the step (Γf → Γu → c~ → c → Γo → a):
the highlighted part moves with the part control, the numbers in the diagram follow the
step, and under the diagram the part's equation is written out with the unit's numbers
at that step. One FigureWidget, built once by ``viz.lstm_cell``; a step or a part writes
new shapes and text into it in one ``batch_update``.
Derived in notebooks/07_lstm.ipynb, "What the gates do, step by step".
"""

import html

import ipywidgets as widgets

from course_lib.recurrent import SequenceCache
from course_lib.viz.lstm_cell import PART_LABELS, PARTS, lstm_cell_diagram, lstm_cell_layout, lstm_equation, \
    lstm_unit_values
from course_lib.widgets.explorer import TimestepExplorer, check_in_range, check_option
from course_lib.widgets._display import show

__all__ = ["LSTMCellExplorer"]

# The form of each LSTM cell of the recurrent core, as the diagram draws its peepholes.
PEEPHOLES = {"lstm": None, "lstm_peephole": "gers", "lstm_peephole_tutorial": "tutorial"}


class _StepExplorer(TimestepExplorer):
    """A TimestepExplorer that replaces its shapes at each step, and whose snapshot may step
    through other frames than its slider's."""

    def _render(self, step):
        """As TimestepExplorer's, but the frame's shapes and annotations replace the figure's.

        ``update_layout(shapes=...)`` merges a new list into the old one shape by shape,
        property by property: 0.34 s for the diagram's 42 shapes; assigning them is 0.03 s.
        """
        spec = self._frame(step)
        layout = dict(spec.get("layout", {}))
        replaced = {k: layout.pop(k) for k in ("shapes", "annotations") if k in layout}
        with self.figure_widget.batch_update():
            for trace, update in zip(self.figure_widget.data, spec.get("data", [])):
                if update:
                    trace.update(update)
            for key, value in replaced.items():
                setattr(self.figure_widget.layout, key, value)
            if layout:
                self.figure_widget.update_layout(layout)
        self.label.value = f"<b>{html.escape(self._step_label(step))}</b>"

    def snapshot_of(self, frame, n_steps, step_label):
        """``snapshot()`` for ``n_steps`` frames ``frame(k)`` labelled ``step_label(k)``; the widget is unchanged."""
        kept = self._frame, self.n_steps, self._step_label
        self._frame, self.n_steps, self._step_label = frame, n_steps, step_label
        try:
            return self.snapshot()
        finally:
            self._frame, self.n_steps, self._step_label = kept


class LSTMCellExplorer:
    """Step one unit of an LSTM through a sentence on the cell diagram, one equation at a time.

    Args:
        caches: the SequenceCache of an LSTM forward pass (``lm_forward(..., "lstm")``,
            ``lstm_forward``), with or without peepholes (drawn dashed).
        tokens: the T tokens the example reads, one per step (str); T ≤ T_x.
        example: which example of the batch, 0 ... m − 1.
        unit: the unit whose numbers are shown, 0 ... n_a − 1.
        part: the part highlighted at the start, one of viz.lstm_cell.PARTS.

    Attributes:
        explorer: the TimestepExplorer (``explorer.widget``, CSS class ``course-explorer``,
            holds the Play button, the time slider, the part buttons and the figure);
        part_buttons: the ToggleButtons of the part; ``numbers``: the unit's values
            (``viz.lstm_cell.lstm_unit_values``); ``widget``: what to display.
    """

    def __init__(self, caches, tokens, example=0, unit=0, part="forget"):
        if not isinstance(caches, SequenceCache) or caches.cell.name not in PEEPHOLES:
            got = f"caches of the {caches.cell.name!r} cell" if isinstance(caches, SequenceCache) \
                else type(caches).__name__
            raise ValueError(f"caches must be the SequenceCache of an LSTM forward pass, got {got}")
        T_x = caches.x.shape[2]
        if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (list, tuple)) or not tokens \
                or not all(isinstance(tok, str) for tok in tokens) or len(tokens) > T_x:
            raise ValueError(f"tokens must be a non-empty list of at most T_x = {T_x} str tokens, the ones the "
                             f"example reads, got {tokens!r}")
        n_a, m, _ = caches.state("a").shape
        example = check_in_range("example", example, 0, m - 1, integer=True)
        self.unit = check_in_range("unit", unit, 0, n_a - 1, integer=True)
        options = [(f"{PART_LABELS[p][0]} {PART_LABELS[p][1]}", p) for p in PARTS]
        part = check_option("part", part, options)
        self.tokens = list(tokens)
        self.peepholes = PEEPHOLES[caches.cell.name]
        self.numbers = lstm_unit_values(caches, example, self.unit, len(self.tokens))
        self.part_buttons = widgets.ToggleButtons(options=options, value=part, style={"button_width": "92px"})
        figure = lstm_cell_diagram(part, self.values(0), self.peepholes, self.title(0, part),
                                   lstm_equation(part, self.numbers, 0, self.peepholes))
        self.explorer = _StepExplorer(figure, self._frame, len(self.tokens), step_label=self.step_label)
        controls, figure_widget = self.explorer.widget.children
        # The part buttons under the time slider, inside the explorer (its label beside them, not above)
        self.explorer.widget.children = (controls, widgets.HBox([widgets.Label("part"), self.part_buttons]),
                                         figure_widget)
        self.part_buttons.observe(lambda change: self.explorer.show(self.explorer.step), names="value")
        self.widget = self.explorer.widget

    @property
    def part(self):
        """The part highlighted now."""
        return self.part_buttons.value

    def values(self, t):
        """The numbers the diagram shows at step ``t``: each part's, and c<t-1>, a<t-1>."""
        n = self.numbers
        keys = {"forget": "gamma_f", "update": "gamma_u", "candidate": "c_tilde", "cell": "c_next",
                "output": "gamma_o", "hidden": "a_next", "cell_prev": "c_prev", "hidden_prev": "a_prev"}
        return {key: float(n[field][t]) for key, field in keys.items()}

    def step_label(self, t):
        return f"t = {t + 1} ‘{self.tokens[t]}’"

    def title(self, t, part=None):
        """The title at step ``t``: the token read, the unit, the highlighted part."""
        symbol, chinese, english = PART_LABELS[part or self.part]
        return (f"t = {t + 1}, reading ‘{html.escape(self.tokens[t])}’ · unit {self.unit}<br>"
                f"<span style='font-size:13px'>{symbol} {chinese}, the {english}</span>")

    def equation(self, t, part=None):
        """The highlighted part's equation at step ``t``, with the unit's numbers."""
        return lstm_equation(part or self.part, self.numbers, t, self.peepholes)

    def frame_of(self, t, part):
        """The frame of step ``t`` with ``part`` highlighted: new shapes, text, title and equation."""
        layout = lstm_cell_layout(part, self.values(t), self.peepholes, self.title(t, part), self.equation(t, part))
        text = {k: layout["data"][0][k] for k in ("x", "y", "text", "textposition", "textfont")}
        return {"data": [text], "layout": {"shapes": layout["shapes"], "annotations": layout["annotations"],
                                           "title": {"text": layout["title"]["text"]}}}

    def _frame(self, t):
        return self.frame_of(t, self.part)

    def snapshot(self, every_part=True):
        """A static figure with plotly frames, for exported HTML (no kernel).

        every_part: True, one frame per step and part (Γf, Γu, c~, c, Γo, a of step 1, then
        of step 2 ...); False, one per step with the current part highlighted.
        """
        if not isinstance(every_part, bool):
            raise ValueError(f"every_part must be True or False, got {every_part!r}")
        if not every_part:
            return self.explorer.snapshot()
        k = len(PARTS)
        return self.explorer.snapshot_of(
            lambda i: self.frame_of(i // k, PARTS[i % k]), len(self.tokens) * k,
            lambda i: "" if i % k else str(i // k + 1))  # the step under its first part: 120 labels would collide

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
