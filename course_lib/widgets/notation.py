"""The notation explorer of notebook 00: any sentence → tokens → indices → one-hot x<t>."""

import html

import ipywidgets as widgets
import numpy as np

from course_lib.data import UNK, Vocabulary, encode_batch
from course_lib.viz import step_heatmap
from course_lib.viz.figures import step_shapes
from course_lib.widgets.explorer import TimestepExplorer, check_in_range, check_option

__all__ = ["NotationExplorer", "onehot_figure_and_frames", "onehot_steps", "token_table_html"]


def onehot_steps(vocabulary, sentence):
    """Everything the explorer shows for one sentence.

    Args:
        vocabulary: a Vocabulary.
        sentence: a str with at least one token.
    Returns:
        (tokens, indices, x) with x the one-hot matrix (n_x, T_x) of the sentence.
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    if not isinstance(sentence, str):
        raise ValueError(f"sentence must be a str, got {type(sentence).__name__}")
    if not vocabulary.encode(sentence):
        raise ValueError(f"sentence must hold at least one {vocabulary.granularity} token, got {sentence!r}")
    batch = encode_batch(vocabulary, [sentence])
    return batch.tokens[0], batch.indices[0], batch.x[:, 0, :]


def _visible(token):
    """A space is a token at character granularity; show it as ␣ so it can be seen."""
    return "␣" if token == " " else token


def onehot_figure_and_frames(vocabulary, sentence):
    """The one-hot heatmap of ``sentence`` and a frame function revealing x<1> … x<T_x>.

    The heatmap holds every column from the start; a frame moves the cover over the
    columns not read yet and the outline of column t (layout only, however long the
    sentence). Returns (figure, frame function, T_x).
    """
    tokens, indices, x = onehot_steps(vocabulary, sentence)
    row_labels = [f"{i} {_visible(tok)}" for i, tok in enumerate(vocabulary.tokens)]
    step_labels = [f"{t + 1} {_visible(tok)}" for t, tok in enumerate(tokens)]
    n_x = vocabulary.n_x

    def title(t):
        token = tokens[t]
        shown = f"{UNK} (‘{token}’ is not in the vocabulary)" if indices[t] == 0 and token != UNK else f"‘{token}’"
        return f"x<{t + 1}> = one-hot of {shown}: a 1 in row {indices[t]} of n_x = {n_x}"

    T_x = len(tokens)

    def frame(t):
        return {"layout": {"shapes": step_shapes(t, T_x, n_x), "title": {"text": title(t)}}}

    fig = step_heatmap(x, 0, row_labels, step_labels, title=title(0), scale="unit",
                       y_title="vocabulary index and token",
                       height=min(1000, 170 + 16 * n_x))
    fig.update_traces(showscale=False)
    return fig, frame, len(tokens)


def token_table_html(vocabulary, sentence):
    """An HTML table: t, token, index; <UNK> positions highlighted."""
    tokens, indices, _ = onehot_steps(vocabulary, sentence)
    cell = "padding:2px 8px;border:1px solid #ccc;text-align:center"
    unk = cell + ";background:#fde0dd;color:#a50f15;font-weight:bold"
    rows = {"t": [], "token": [], "index": []}
    for t, (tok, idx) in enumerate(zip(tokens, indices)):
        style = unk if idx == 0 else cell
        rows["t"].append(f"<td style='{cell}'>{t + 1}</td>")
        shown = html.escape(_visible(tok))
        if idx == 0:
            shown += f" → {html.escape(UNK)}"
        rows["token"].append(f"<td style='{style}'>{shown}</td>")
        rows["index"].append(f"<td style='{style}'>{idx}</td>")
    body = "".join(
        f"<tr><th style='{cell}'>{name}</th>{''.join(cells)}</tr>" for name, cells in rows.items()
    )
    n_unk = int(np.sum(indices == 0))
    return (f"<table style='border-collapse:collapse'>{body}</table>"
            f"<p>T<sub>x</sub> = {len(tokens)}, n<sub>x</sub> = {vocabulary.n_x}, "
            f"{n_unk} token(s) mapped to {html.escape(UNK)}</p>")


class NotationExplorer:
    """Type a sentence, pick a granularity and a vocabulary size; see tokens and x<t>.

    Args:
        corpus: list of sentences the vocabulary is built from.
        sentence: the sentence shown first.
        granularity: "char" or "word" at the start.
        max_size: vocabulary size at the start (None: every token of the corpus).
    """

    def __init__(self, corpus, sentence, granularity="char", max_size=None):
        if isinstance(corpus, (str, bytes)) or not isinstance(corpus, (list, tuple)) or not corpus \
                or not all(isinstance(s, str) for s in corpus):
            raise ValueError(f"corpus must be a non-empty list of sentences (str), got {type(corpus).__name__}")
        if not isinstance(sentence, str):
            raise ValueError(f"sentence must be a str, got {type(sentence).__name__}")
        granularity = check_option("granularity", granularity, ["char", "word"])
        self.corpus = list(corpus)
        full = {g: len(Vocabulary.build(self.corpus, g)) for g in ("char", "word")}
        if max_size is not None:
            max_size = int(check_in_range("max_size", max_size, 2, full[granularity], integer=True))
        self._full_size = full
        self.text = widgets.Text(value=sentence, description="sentence",
                                 continuous_update=False, layout=widgets.Layout(width="520px"))
        self.granularity = widgets.ToggleButtons(options=["char", "word"], value=granularity,
                                                 description="granularity")
        self.max_size = widgets.IntSlider(value=max_size or full[granularity], min=2,
                                          max=full[granularity], description="vocab size",
                                          continuous_update=False)
        self.table = widgets.HTML()
        self.vocabulary = self._vocabulary()
        fig, frame, n_steps = onehot_figure_and_frames(self.vocabulary, sentence)
        self.explorer = TimestepExplorer(fig, frame, n_steps,
                                         step_label=lambda t: f"t = {t + 1}")
        self.table.value = token_table_html(self.vocabulary, sentence)
        for control in (self.text, self.granularity, self.max_size):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [self.text, widgets.HBox([self.granularity, self.max_size]), self.table,
             self.explorer.widget]
        )

    def _vocabulary(self):
        return Vocabulary.build(self.corpus, self.granularity.value, self.max_size.value)

    def _on_change(self, change):
        if change["owner"] is self.granularity:
            # A new granularity has its own full size; start from the whole vocabulary.
            full = self._full_size[self.granularity.value]
            self.max_size.unobserve(self._on_change, names="value")
            self.max_size.max = max(full, self.max_size.min)
            self.max_size.value = full
            self.max_size.observe(self._on_change, names="value")
        self.update()

    def update(self):
        """Rebuild the vocabulary and redraw the table and the one-hot explorer."""
        sentence = self.text.value.strip() or "<empty>"
        self.vocabulary = self._vocabulary()
        try:
            fig, frame, n_steps = onehot_figure_and_frames(self.vocabulary, sentence)
        except ValueError as exc:  # e.g. a sentence with no tokens
            self.table.value = f"<p style='color:#a50f15'>{html.escape(str(exc))}</p>"
            return
        self.table.value = token_table_html(self.vocabulary, sentence)
        self.explorer.reset(fig, frame, n_steps)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
