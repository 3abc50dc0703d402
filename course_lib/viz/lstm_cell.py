"""The LSTM cell drawn as in colah's "Understanding LSTM Networks", generated with plotly.

The memory line c<t-1> → × Γf → + (Γu * c~) → c<t> runs across the top; a<t-1> enters at
the bottom left and x<t> from below, and the concatenation [a<t-1>; x<t>] feeds the four
gate boxes σ (Γf 遗忘门), σ (Γu 更新门), tanh (c~ 候选值) and σ (Γo 输出门); tanh(c<t>) × Γo
gives a<t>, which leaves at the bottom right, where the next step's a<t-1> comes in.

Everything is a layout shape (boxes, wires, arrowheads, the × and + nodes) except the
text, which is ONE text trace: an explorer redraws a step by writing new shapes and new
text into its figure (layout annotations are the expensive part of a plotly redraw).
Every shape carries a ``name``: the part it belongs to ("forget", "update", "candidate",
"cell", "output", "hidden"), "input" (the wires carrying a<t-1> and x<t>) or "frame".
Plotly has no MathJax offline: the labels are unicode and plotly's own tags (``<br>``).

- ``lstm_cell_layout``: the diagram as a dict (shapes, the text trace, title, axes).
- ``lstm_cell_diagram``: the same as a ``go.Figure``.
- ``lstm_unit_values``: one unit's gates, states and pre-activations at every step of a
  forward pass, the numbers the explorer writes into the diagram and its equations.
- ``lstm_equation``: one part's equation at one step, with those numbers.

Derived in notebooks/07_lstm.ipynb, "The LSTM cell" (and stepped in "What the gates do, step by step").
"""

import numpy as np
import plotly.graph_objects as go

from course_lib._validate import as_float_array, check_choice, check_positive_int
from course_lib.lstm import LSTM_CELL, LSTM_PEEPHOLE_CELL, LSTM_TUTORIAL_PEEPHOLE_CELL
from course_lib.recurrent import SequenceCache
from course_lib.viz.theme import GATE_COLORS, LAYOUT

__all__ = ["PARTS", "PART_LABELS", "VALUE_KEYS", "lstm_cell_diagram", "lstm_cell_layout", "lstm_equation",
           "lstm_unit_values"]

# The parts a diagram can highlight, in the order a step computes them.
PARTS = ("forget", "update", "candidate", "cell", "output", "hidden")
# part → (symbol, Chinese name, English name): the labels of the controls and the diagram.
PART_LABELS = {
    "forget": ("Γf", "遗忘门", "forget gate"),
    "update": ("Γu", "更新门", "update gate"),
    "candidate": ("c~", "候选值", "candidate"),
    "cell": ("c", "记忆细胞", "memory cell"),
    "output": ("Γo", "输出门", "output gate"),
    "hidden": ("a", "隐藏状态", "hidden state"),
}
# The numbers ``values`` may give: one per part, and the two states the step starts from.
VALUE_KEYS = PARTS + ("cell_prev", "hidden_prev")
PEEPHOLE_FORMS = ("gers", "tutorial")

COLORS = {part: GATE_COLORS[PART_LABELS[part][0]] for part in PARTS}
GREY_LINE, GREY_FILL, GREY_TEXT = "#c9c9c9", "#f4f4f4", "#9b9b9b"
INPUT_LINE, INPUT_LINE_MUTED, TEXT = "#555555", "#a9a9a9", "#222222"
FRAME_LINE, FRAME_FILL = "#b9b9b9", "#fbfbf8"

# Geometry, in data units; one unit is PX pixels in both directions, so circles are round.
PX = 54
X_RANGE, Y_RANGE = (-0.45, 14.45), (-0.55, 7.45)
CELL_BOX = (1.0, 13.0, 0.55, 7.05)  # x0, x1, y0, y1 of the cell's rounded frame
MEM_Y = 6.4  # the memory line
BOTTOM_Y = 1.35  # the line carrying [a<t-1>; x<t>] to the gates, and a<t> out
GATE_Y = 3.0  # the centre of the four gate boxes
BOX_W, BOX_H = 1.1, 0.64
R = 0.27  # radius of the × and + nodes
X_IN = 1.9  # where x<t> comes up into the bottom line
GATE_X = {"forget": 2.9, "update": 4.7, "candidate": 6.5, "output": 8.5}
UPDATE_TIMES = (6.5, 5.0)  # the × of Γu * c~
TANH_C = (10.5, 5.0)  # the tanh(c<t>) node
TANH_W, TANH_H = 1.1, 0.56
OUTPUT_TIMES = (10.5, GATE_Y)  # the × of Γo * tanh(c<t>)
LEFT, RIGHT = X_RANGE[0] + 0.12, X_RANGE[1] - 0.12  # where the outside wires start and end
PEEP_Y = 4.3  # the dashed bus carrying c<t-1> to the gates
PEEP_TAP = 1.45  # where the bus leaves the memory line, before the forget gate's ×
GERS_TAP = 8.2  # where the Gers output gate's peephole leaves the line (after +, so c<t>)
EQUATION_PX = 58  # room below the diagram for a two-line equation


def _tint(color, alpha=0.16):
    """A light fill of a theme colour ("#rrggbb")."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _number(v):
    """0.93, −0.50: two decimals, a real minus sign."""
    return f"{v:.2f}".replace("-", "−")


def _check_highlight(highlight):
    return None if highlight is None else check_choice("highlight", highlight, PARTS)


def _check_peepholes(peepholes):
    return None if peepholes is None else check_choice("peepholes", peepholes, PEEPHOLE_FORMS)


def _check_values(values):
    """None, or a dict of VALUE_KEYS → finite float (any subset)."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValueError(f"values must be None or a dict part → number with keys from {list(VALUE_KEYS)}, "
                         f"got {type(values).__name__}")
    unknown = [k for k in values if k not in VALUE_KEYS]
    if unknown:
        raise ValueError(f"values has unknown keys {unknown}: choose from {list(VALUE_KEYS)}")
    checked = {}
    for key, v in values.items():
        if isinstance(v, (bool, np.bool_)):
            raise ValueError(f"values[{key!r}] must be a number, got {v!r}")
        checked[key] = float(as_float_array(f"values[{key!r}]", v, ndim=0))
    return checked


def _check_text(name, text):
    if text is not None and not isinstance(text, str):
        raise ValueError(f"{name} must be None or a str, got {type(text).__name__}")
    return text


class _Drawing:
    """Collects the shapes and text of one diagram, coloured by the highlighted part."""

    def __init__(self, highlight):
        self.highlight = highlight
        self.shapes = []
        self.text = dict(x=[], y=[], text=[], textposition=[], size=[], color=[])

    def line_color(self, part):
        if part == "input":
            return INPUT_LINE if self.highlight is None else INPUT_LINE_MUTED
        return COLORS[part] if self.highlight in (None, part) else GREY_LINE

    def fill_color(self, part):
        return _tint(COLORS[part]) if self.highlight in (None, part) else GREY_FILL

    def text_color(self, part):
        if part in (None, "input"):
            return TEXT if self.highlight is None else "#555555"
        return TEXT if self.highlight in (None, part) else GREY_TEXT

    def width(self, part):
        return 3.4 if part == self.highlight else 2.0

    def wire(self, part, points, dash=None, head=True):
        """A polyline through ``points``, with an arrowhead at its end."""
        path = "M " + " L ".join(f"{x:.3f},{y:.3f}" for x, y in points)
        color = self.line_color(part)
        self.shapes.append(dict(type="path", path=path, xref="x", yref="y", name=part, layer="below",
                                line=dict(color=color, width=self.width(part), dash=dash or "solid")))
        if head:
            (x0, y0), (x1, y1) = points[-2], points[-1]
            self.arrowhead(part, x1, y1, x1 - x0, y1 - y0)

    def arrowhead(self, part, x, y, dx, dy):
        """A filled triangle with its tip at (x, y), pointing along (dx, dy)."""
        norm = float(np.hypot(dx, dy))
        ux, uy = dx / norm, dy / norm
        size = 0.2 if part == self.highlight else 0.16
        bx, by = x - size * 1.5 * ux, y - size * 1.5 * uy
        px, py = -uy * size * 0.65, ux * size * 0.65
        path = f"M {x:.3f},{y:.3f} L {bx + px:.3f},{by + py:.3f} L {bx - px:.3f},{by - py:.3f} Z"
        color = self.line_color(part)
        self.shapes.append(dict(type="path", path=path, xref="x", yref="y", name=part, layer="below",
                                fillcolor=color, line=dict(color=color, width=1)))

    def box(self, part, x, y, w, h, kind="rect"):
        self.shapes.append(dict(type=kind, xref="x", yref="y", x0=x - w / 2, x1=x + w / 2, y0=y - h / 2,
                                y1=y + h / 2, name=part, layer="below", fillcolor=self.fill_color(part),
                                line=dict(color=self.line_color(part), width=self.width(part))))

    def node(self, part, x, y, symbol):
        """A pointwise operation: a circle holding × or +."""
        self.shapes.append(dict(type="circle", xref="x", yref="y", x0=x - R, x1=x + R, y0=y - R, y1=y + R,
                                name=part, layer="below", fillcolor="white",
                                line=dict(color=self.line_color(part), width=self.width(part))))
        self.label(part, x, y, symbol, "middle center", 17)

    def label(self, part, x, y, text, position, size=13):
        for key, v in zip(("x", "y", "text", "textposition", "size", "color"),
                          (x, y, text, position, size, self.text_color(part))):
            self.text[key].append(v)


def _peepholes(d, peepholes, values):
    """The dashed peephole wires: c<t-1> into Γf and Γu; into Γo c<t> (Gers) or c<t-1> (tutorial)."""
    top = GATE_Y + BOX_H / 2
    # One dashed bus leaves the memory line before the forget gate's ×, where it is still c<t-1>.
    bus_end = GATE_X["output"] - 0.3 if peepholes == "tutorial" else GATE_X["update"] - 0.3
    d.wire("cell", [(PEEP_TAP, MEM_Y), (PEEP_TAP, PEEP_Y), (bus_end, PEEP_Y)],
           dash="dot", head=False)
    d.label("cell", PEEP_TAP + 0.1, (MEM_Y + PEEP_Y) / 2 + 0.12, "c<t-1>", "middle right", 12)
    for part in ("forget", "update") + (("output",) if peepholes == "tutorial" else ()):
        x = GATE_X[part] - 0.3
        if part == d.highlight:  # the whole way from c<t-1>, over the shared bus, in the gate's colour
            d.wire(part, [(PEEP_TAP, MEM_Y), (PEEP_TAP, PEEP_Y), (x, PEEP_Y), (x, top)], dash="dash")
        else:
            d.wire(part, [(x, PEEP_Y), (x, top)], dash="dash")
    if peepholes == "gers":  # the output gate sees the new memory c<t>, after the +
        d.wire("output", [(GERS_TAP, MEM_Y), (GERS_TAP, top)], dash="dash")
        d.label("cell", GERS_TAP + 0.1, MEM_Y - 0.45, "c<t>", "middle right", 12)


def lstm_cell_layout(highlight=None, values=None, peepholes=None, title=None, equation=None):
    """The LSTM cell diagram as a dict: what ``lstm_cell_diagram`` draws, and what an explorer writes.

    Args:
        highlight: None (every part in its colour) or one of PARTS ("forget", "update",
            "candidate", "cell", "output", "hidden"): that part and its wires in its theme
            colour, drawn thicker, everything else grey.
        values: None or a dict with keys from VALUE_KEYS (the six parts, "cell_prev" for
            c<t-1> and "hidden_prev" for a<t-1>) → a finite number, written beside its part
            (e.g. one unit's values at step t). Any subset.
        peepholes: None, "gers" (dashed wires from c<t-1> into Γf and Γu and from c<t> into
            Γo, as in Gers & Schmidhuber 2000) or "tutorial" (from c<t-1> into all three,
            as the source tutorial words it).
        title: the title (default: "The LSTM cell", and the highlighted part).
        equation: None, or a text (plotly's ``<br>`` for a second line) shown under the
            diagram, e.g. the highlighted part's equation with its numbers.
    Returns:
        dict with "data" (a list of one text-trace dict: every label), "shapes" (each
        named by its part, "input" or "frame"), "annotations" (the equation, if any),
        "title", "width", "height", "margin", "xaxis" and "yaxis".
    """
    highlight = _check_highlight(highlight)
    values = _check_values(values)
    peepholes = _check_peepholes(peepholes)
    title = _check_text("title", title)
    equation = _check_text("equation", equation)
    d = _Drawing(highlight)

    x0, x1, y0, y1 = CELL_BOX
    d.shapes.append(dict(type="rect", xref="x", yref="y", x0=x0, x1=x1, y0=y0, y1=y1, name="frame",
                         layer="below", fillcolor=FRAME_FILL, line=dict(color=FRAME_LINE, width=1.5)))

    # The memory line: c<t-1> → × (Γf) → + (Γu * c~) → c<t>
    fx, ux = GATE_X["forget"], UPDATE_TIMES[0]
    d.wire("cell", [(LEFT, MEM_Y), (fx - R, MEM_Y)])
    d.wire("cell", [(fx + R, MEM_Y), (ux - R, MEM_Y)])
    d.wire("cell", [(ux + R, MEM_Y), (RIGHT, MEM_Y)])
    d.node("cell", fx, MEM_Y, "×")
    d.node("cell", ux, MEM_Y, "+")
    d.wire("cell", [(ux, UPDATE_TIMES[1] + R), (ux, MEM_Y - R)])  # Γu * c~ up into the +
    d.node("cell", *UPDATE_TIMES, "×")
    d.label("cell", LEFT, MEM_Y + 0.3, "c<t-1>", "middle right", 14)
    d.label("cell", RIGHT, MEM_Y + 0.3, "c<t>", "middle left", 14)
    d.label("cell", (fx + ux) / 2, MEM_Y + 0.3, "c 记忆细胞 (memory cell)", "middle center", 12)

    # The inputs: a<t-1> along the bottom, x<t> from below, [a<t-1>; x<t>] up into every gate.
    gate_bottom, gate_top = GATE_Y - BOX_H / 2, GATE_Y + BOX_H / 2
    d.wire("input", [(LEFT, BOTTOM_Y), (GATE_X["output"], BOTTOM_Y)], head=False)
    d.wire("input", [(X_IN, Y_RANGE[0] + 0.32), (X_IN, BOTTOM_Y)], head=False)
    d.label("input", LEFT, BOTTOM_Y + 0.28, "a<t-1>", "middle right", 14)
    d.label("input", X_IN + 0.12, Y_RANGE[0] + 0.3, "x<t>", "middle right", 14)
    d.label("input", 3.05, BOTTOM_Y - 0.3, "[a<t-1>; x<t>]", "middle right", 12)
    for part, x in GATE_X.items():
        d.wire(part, [(x, BOTTOM_Y), (x, gate_bottom)])

    # The four gate boxes, their names under them, their outputs above
    for part, x in GATE_X.items():
        d.box(part, x, GATE_Y, BOX_W, BOX_H)
        d.label(part, x, GATE_Y, "tanh" if part == "candidate" else "σ", "middle center", 15)
        symbol, chinese, _ = PART_LABELS[part]
        d.label(part, x + 0.1, GATE_Y - 0.62, f"{symbol} {chinese}", "middle right", 13)
    d.wire("forget", [(fx, gate_top), (fx, MEM_Y - R)])  # Γf up into the ×
    d.wire("update", [(GATE_X["update"], gate_top), (GATE_X["update"], UPDATE_TIMES[1]), (ux - R, UPDATE_TIMES[1])])
    d.wire("candidate", [(GATE_X["candidate"], gate_top), (GATE_X["candidate"], UPDATE_TIMES[1] - R)])

    # The output: tanh(c<t>) × Γo → a<t>, out at the bottom right
    tx, ty = TANH_C
    ox, oy = OUTPUT_TIMES
    d.wire("hidden", [(tx, MEM_Y), (tx, ty + TANH_H / 2)])
    d.box("hidden", tx, ty, TANH_W, TANH_H, kind="circle")
    d.label("hidden", tx, ty, "tanh", "middle center", 14)
    d.wire("hidden", [(tx, ty - TANH_H / 2), (ox, oy + R)])
    d.wire("output", [(GATE_X["output"] + BOX_W / 2, GATE_Y), (ox - R, oy)])
    d.node("hidden", ox, oy, "×")
    d.wire("hidden", [(ox, oy - R), (ox, BOTTOM_Y), (RIGHT, BOTTOM_Y)])
    d.label("hidden", RIGHT, BOTTOM_Y + 0.28, "a<t>", "middle left", 14)
    d.label("hidden", ox + 0.1, (oy + BOTTOM_Y) / 2 - 0.1, "a 隐藏状态", "middle right", 13)

    if peepholes is not None:
        _peepholes(d, peepholes, values)

    # The numbers, beside what they belong to
    places = {
        "forget": (fx + 0.12, 4.95, "middle right"),
        "update": (GATE_X["update"] + 0.12, 3.9, "middle right"),
        "candidate": (GATE_X["candidate"] + 0.12, 3.9, "middle right"),
        "output": (GATE_X["output"] + 0.45, GATE_Y + 0.55, "middle right"),
        "cell": (RIGHT, MEM_Y - 0.3, "middle left"),
        "hidden": (RIGHT, BOTTOM_Y - 0.3, "middle left"),
        "cell_prev": (LEFT, MEM_Y - 0.3, "middle right"),
        "hidden_prev": (LEFT, BOTTOM_Y - 0.3, "middle right"),
    }
    for key, v in values.items():
        part = {"cell_prev": "cell", "hidden_prev": "input"}.get(key, key)
        x, y, position = places[key]
        name = f"{PART_LABELS[key][0]} = " if key in GATE_X else ""
        d.label(part, x, y, f"{name}<b>{_number(v)}</b>", position, 13)

    if title is None:
        title = "The LSTM cell" + ("" if peepholes is None else
                                   f", with peepholes (窥视孔连接, {'Gers & Schmidhuber 2000' if peepholes == 'gers' else 'the source tutorial'})")
        if highlight is not None:
            symbol, chinese, english = PART_LABELS[highlight]
            title += f"<br><span style='font-size:13px'>highlighted: {symbol} {chinese}, the {english}</span>"

    trace = dict(type="scatter", mode="text", x=d.text["x"], y=d.text["y"], text=d.text["text"],
                 textposition=d.text["textposition"], textfont=dict(size=d.text["size"], color=d.text["color"]),
                 hoverinfo="skip", showlegend=False, cliponaxis=False)
    margin = dict(l=10, r=10, t=64, b=EQUATION_PX if equation is not None else 10)
    annotations = [] if equation is None else [dict(
        xref="paper", yref="paper", x=0.0, y=0.0, xanchor="left", yanchor="top", yshift=-4, align="left",
        showarrow=False, text=equation, font=dict(size=14, color=TEXT), name="equation")]
    width = round((X_RANGE[1] - X_RANGE[0]) * PX) + margin["l"] + margin["r"]
    height = round((Y_RANGE[1] - Y_RANGE[0]) * PX) + margin["t"] + margin["b"]
    return dict(
        data=[trace], shapes=d.shapes, annotations=annotations,
        title={**LAYOUT["title"], "text": title, "font": {"size": 16}},
        width=width, height=height, margin=margin,
        xaxis=dict(range=list(X_RANGE), visible=False, fixedrange=True),
        yaxis=dict(range=list(Y_RANGE), visible=False, fixedrange=True),
    )


def lstm_cell_diagram(highlight=None, values=None, peepholes=None, title=None, equation=None):
    """The LSTM cell, colah-style: one part highlighted, numbers beside the parts, peepholes optional.

    Args:
        highlight: None or one of PARTS ("forget", "update", "candidate", "cell",
            "output", "hidden"): that part and its wires in its theme colour, the rest grey.
        values: None or a dict VALUE_KEYS → number (e.g. one unit's values at step t, as
            ``lstm_unit_values`` gives them).
        peepholes: None, "gers" or "tutorial" (dashed wires from the memory into the gates).
        title: the title (default: "The LSTM cell" and the highlighted part).
        equation: None or a text under the diagram (the highlighted part's equation).
    Returns:
        go.Figure with one text trace (every label) and named layout shapes (see
        ``lstm_cell_layout``); fixed size, about 820 × 500 pixels.

    Derived in notebooks/07_lstm.ipynb, "The LSTM cell"
    """
    layout = lstm_cell_layout(highlight, values, peepholes, title, equation)
    fig = go.Figure(data=layout.pop("data"))
    fig.update_layout(**LAYOUT)
    fig.update_layout(showlegend=False, plot_bgcolor="white", dragmode=False, hovermode=False)
    fig.update_layout(layout)
    return fig


def lstm_unit_values(caches, example=0, unit=0, steps=None):
    """One unit's gates, states and gate pre-activations at every step of an LSTM forward pass.

    Args:
        caches: the SequenceCache of an LSTM forward pass (``lstm_forward``, or
            ``lm_forward(..., "lstm")``), with or without peepholes.
        example: which example of the batch, 0 ... m − 1.
        unit: which unit, 0 ... n_a − 1.
        steps: how many steps from the first (default all T_x).
    Returns:
        dict of (steps,) float64 arrays: "gamma_f", "gamma_u", "c_tilde", "gamma_o",
        "c_next", "a_next" (as the cache holds them), "c_prev", "a_prev" (c<t-1>, a<t-1>),
        and the pre-activations "z_f", "z_u", "z_c", "z_o" (Γf = σ(z_f), c~ = tanh(z_c) ...),
        peephole terms included.
    """
    cells = {LSTM_CELL.name: None, LSTM_PEEPHOLE_CELL.name: "gers", LSTM_TUTORIAL_PEEPHOLE_CELL.name: "tutorial"}
    if not isinstance(caches, SequenceCache) or caches.cell.name not in cells:
        kind = f"the {caches.cell.name!r} cell's" if isinstance(caches, SequenceCache) else type(caches).__name__
        raise ValueError(f"caches must be the SequenceCache of an LSTM forward pass (cells {list(cells)}), got {kind}")
    n_a, m, T_x = caches.state("a").shape
    if isinstance(example, (bool, np.bool_)) or not isinstance(example, (int, np.integer)) or not 0 <= example < m:
        raise ValueError(f"example must be an integer in [0, {m}) (a column of the batch), got {example!r}")
    if isinstance(unit, (bool, np.bool_)) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < n_a:
        raise ValueError(f"unit must be an integer in [0, {n_a}) (a row of the states), got {unit!r}")
    steps = T_x if steps is None else check_positive_int("steps", steps, maximum=T_x)
    form = cells[caches.cell.name]
    p, i, u = caches.parameters, int(example), int(unit)

    out = {f: np.array(caches.arrays[f][u, i, :steps]) for f in ("gamma_f", "gamma_u", "c_tilde", "gamma_o",
                                                                  "c_next", "a_next")}
    out["c_prev"] = np.array(caches.previous("c")[u, i, :steps])
    out["a_prev"] = np.array(caches.previous("a")[u, i, :steps])
    concat = np.concatenate([caches.previous("a")[:, i, :steps], caches.x[:, i, :steps]])  # [a<t-1>; x<t>]
    for gate in ("f", "u", "c", "o"):
        out["z_" + gate] = p["W" + gate][u] @ concat + p["b" + gate][u, 0]
    if form is not None:  # the peephole terms: Γf, Γu see c<t-1>; Γo c<t> (Gers) or c<t-1> (tutorial)
        out["z_f"] = out["z_f"] + p["pf"][u, 0] * out["c_prev"]
        out["z_u"] = out["z_u"] + p["pu"][u, 0] * out["c_prev"]
        out["z_o"] = out["z_o"] + p["po"][u, 0] * (out["c_next"] if form == "gers" else out["c_prev"])
    return out


UNIT_KEYS = ("gamma_f", "gamma_u", "c_tilde", "gamma_o", "c_next", "a_next", "c_prev", "a_prev",
             "z_f", "z_u", "z_c", "z_o")


def _check_numbers(numbers):
    """``numbers`` as ``lstm_unit_values`` returns them: every UNIT_KEYS entry a finite (T,) array."""
    if not isinstance(numbers, dict):
        raise ValueError(f"numbers must be the dict of lstm_unit_values (keys {list(UNIT_KEYS)}), "
                         f"got {type(numbers).__name__}")
    missing = [k for k in UNIT_KEYS if k not in numbers]
    if missing:
        raise ValueError(f"numbers is missing {missing}: give the dict lstm_unit_values returns")
    checked, T = {}, None
    for k in UNIT_KEYS:
        v = as_float_array(f"numbers[{k!r}]", numbers[k], ndim=1)
        if v.size == 0 or (T is not None and v.size != T):
            raise ValueError(f"numbers[{k!r}] must have shape (T,) = ({T or 'T'},) with T >= 1 like the other "
                             f"entries, got {v.shape}")
        T = v.size
        checked[k] = v
    return checked


def lstm_equation(part, numbers, t, peepholes=None):
    """One part's equation at step ``t``, in symbols on a first line, with the unit's numbers on a second.

    Args:
        part: one of PARTS ("forget", "update", "candidate", "cell", "output", "hidden").
        numbers: the dict of ``lstm_unit_values`` (one unit's (T,) arrays).
        t: the 0-based step, 0 ... T − 1.
        peepholes: None, "gers" or "tutorial": the form the numbers come from (its
            peephole term appears in the gates' equations).
    Returns:
        str with one ``<br>``, e.g. "Γf<t> = σ(Wf [a<t-1>; x<t>] + bf)<br>= σ(2.61) = 0.93: keeps 93 % of c<t-1>".
    """
    part = check_choice("part", part, PARTS)
    numbers = _check_numbers(numbers)
    T = numbers["gamma_f"].size
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) or not 0 <= t < T:
        raise ValueError(f"t must be an integer step in [0, {T}), got {t!r}")
    peepholes = _check_peepholes(peepholes)
    n = {k: v[int(t)] for k, v in numbers.items()}
    f = _number
    concat = "[a<t-1>; x<t>]"
    peep = {"f": " + pf * c<t-1>", "u": " + pu * c<t-1>",
            "o": " + po * c<t>" if peepholes == "gers" else " + po * c<t-1>"} if peepholes else {}
    if part in ("forget", "update", "output"):
        g = part[0] if part != "update" else "u"
        gamma = n["gamma_" + g]
        meaning = {"f": f"keeps {gamma:.0%} of c<t-1>", "u": f"writes {gamma:.0%} of c~<t>",
                   "o": f"lets {gamma:.0%} of tanh(c<t>) out"}[g]
        return (f"Γ{g}<t> = σ(W{g} {concat} + b{g}{peep.get(g, '')})<br>"
                f"= σ({f(n['z_' + g])}) = <b>{f(gamma)}</b>: {meaning}")
    if part == "candidate":
        return (f"c~<t> = tanh(Wc {concat} + bc)<br>"
                f"= tanh({f(n['z_c'])}) = <b>{f(n['c_tilde'])}</b>: the new value Γu lets into the memory")
    if part == "cell":
        c_tilde, c_prev = f(n["c_tilde"]), f(n["c_prev"])
        c_tilde, c_prev = (f"({v})" if v.startswith("−") else v for v in (c_tilde, c_prev))
        return ("c<t> = Γu<t> * c~<t> + Γf<t> * c<t-1><br>"
                f"= {f(n['gamma_u'])} × {c_tilde} + {f(n['gamma_f'])} × {c_prev} = <b>{f(n['c_next'])}</b>")
    tanh_c = f(float(np.tanh(n["c_next"])))
    tanh_c = f"({tanh_c})" if tanh_c.startswith("−") else tanh_c
    return ("a<t> = Γo<t> * tanh(c<t>)<br>"
            f"= {f(n['gamma_o'])} × tanh({f(n['c_next'])}) = {f(n['gamma_o'])} × {tanh_c} = <b>{f(n['a_next'])}</b>")
