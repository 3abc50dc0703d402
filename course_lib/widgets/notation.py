"""The notation explorer of notebook 00: any sentence → tokens → indices → one-hot x<t>."""

import html

import ipywidgets as widgets
import numpy as np

from course_lib.data import UNK, Vocabulary, encode_batch
from course_lib.data.vocab import SPECIALS
from course_lib.viz import step_heatmap
from course_lib.viz.figures import step_shapes
from course_lib.widgets.explorer import TimestepExplorer, check_in_range, check_option
from course_lib.widgets._display import show

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


# The heatmap's rows: at most this many drawn, so that the controls, the token table
# and the matrix fit on one screen. Beyond it, each run of rows that hold no 1 anywhere
# in the sentence is folded into one row labelled with its range (those rows are 0 at
# every step, which is the point of one-hot vectors); the specials' rows always show.
MAX_ROWS = 32
PLOT_PX = 400        # the rows' height at most (pixels); a row is 18 px at most
MARGIN_PX = 84 + 70  # the two-line title above, the step labels and "t" below
TITLE_TOKEN = 16     # a token longer than this is shortened in the title


def _onehot_rows(n_x, used):
    """The rows the one-hot heatmap draws: [(first, last)] vocabulary index ranges.

    Every row when n_x <= MAX_ROWS; else the rows in ``used`` and the special tokens'
    rows one each, and every run of two or more other rows as one folded range.
    """
    keep = set(range(n_x)) if n_x <= MAX_ROWS else set(used) | set(range(len(SPECIALS)))
    rows, k = [], 0
    while k < n_x:
        if k in keep:
            rows.append((k, k))
            k += 1
            continue
        last = k
        while last + 1 < n_x and last + 1 not in keep:
            last += 1
        rows.extend([(k, last)] if last > k else [(k, k)])
        k = last + 1
    return rows


def _title(t, token, index, n_x):
    """Two short lines (one long line was cut off on a narrow page): what x<t> is the
    one-hot of, then, smaller, where its 1 is."""
    shown = _visible(token) if len(token) <= TITLE_TOKEN else token[: TITLE_TOKEN - 1] + "…"
    if index == 0 and token != UNK:
        head = f"x<{t + 1}> = one-hot of {UNK}"
        where = f"‘{shown}’ is not in the vocabulary: a 1 in row 0 (n_x = {n_x})"
    else:
        head = f"x<{t + 1}> = one-hot of ‘{shown}’"
        where = f"a 1 in row {index}, 0 in the other {n_x - 1} rows (n_x = {n_x})"
    return f"{head}<br><span style='font-size:12px'>{where}</span>"


def onehot_figure_and_frames(vocabulary, sentence):
    """The one-hot heatmap of ``sentence`` and a frame function revealing x<1> … x<T_x>.

    The heatmap holds every column from the start; a frame moves the cover over the
    columns not read yet and the outline of column t (layout only, however long the
    sentence). Its rows are ``_onehot_rows``: every vocabulary row for a small
    vocabulary; for a large one, the rows that matter. Returns (figure, frame function, T_x).
    """
    tokens, indices, x = onehot_steps(vocabulary, sentence)
    rows = _onehot_rows(vocabulary.n_x, indices)
    row_labels = [f"{first} {_visible(vocabulary.tokens[first])}" if first == last
                  else f"{first}–{last}: all 0" for first, last in rows]
    values = np.array([x[first] if first == last else np.zeros(x.shape[1]) for first, last in rows])
    step_labels = [f"{t + 1} {_visible(tok)}" for t, tok in enumerate(tokens)]
    n_x, n_rows, T_x = vocabulary.n_x, len(rows), len(tokens)

    def frame(t):
        return {"layout": {"shapes": step_shapes(t, T_x, n_rows),
                           "title": {"text": _title(t, tokens[t], int(indices[t]), n_x)}}}

    row_px = max(2, min(18, PLOT_PX // n_rows))
    fig = step_heatmap(values, 0, row_labels, step_labels, title=frame(0)["layout"]["title"]["text"],
                       scale="unit", y_title="index and token",
                       height=MARGIN_PX + row_px * n_rows)
    fig.update_traces(showscale=False)
    fig.update_layout(margin={"t": 84})
    # Labels at most one per 10 px, in a font that fits the rows.
    stride = -(-10 // row_px)
    fig.update_yaxes(tickvals=row_labels[::stride], ticktext=row_labels[::stride],
                     tickfont={"size": max(9, min(13, row_px - 1))})
    return fig, frame, T_x


TABLE_CHUNK = 10  # tokens per block of the token table; the blocks wrap like words


def token_table_html(vocabulary, sentence):
    """HTML: t, token, index of every token; <UNK> positions highlighted.

    A long sentence does not run off the page: the table comes in blocks of
    ``TABLE_CHUNK`` tokens (each with its t / token / index headers) that wrap onto the
    next line, and a block wider than the page scrolls where it is.
    """
    tokens, indices, _ = onehot_steps(vocabulary, sentence)
    cell = "padding:2px 8px;border:1px solid #ccc;text-align:center;white-space:nowrap"
    unk = cell + ";background:#fde0dd;color:#a50f15;font-weight:bold"
    blocks = []
    for start in range(0, len(tokens), TABLE_CHUNK):
        rows = {"t": [], "token": [], "index": []}
        for t in range(start, min(start + TABLE_CHUNK, len(tokens))):
            tok, idx = tokens[t], indices[t]
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
        blocks.append(f"<table style='border-collapse:collapse'>{body}</table>")
    n_unk = int(np.sum(indices == 0))
    return (f"<div style='display:flex;flex-wrap:wrap;gap:6px 14px;max-width:100%;overflow-x:auto'>"
            f"{''.join(blocks)}</div>"
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
        self.table = widgets.HTML(layout=widgets.Layout(width="100%"))
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
        show(self)  # the widget; its snapshot on the static pages (_display.py)
