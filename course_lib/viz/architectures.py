"""The unrolled diagram of each architecture (notebook 03), drawn from T_x and T_y.

One box per RNN step (the hidden state a<t> it computes), the inputs x<t> below, the
outputs ŷ<t> above, arrows a<t-1> → a<t> between the boxes. Where a model generates, a
dotted arrow carries ŷ<t> back down into the next step as its input. Everything is a
layout shape or annotation in data coordinates, so the explorer redraws the diagram by
replacing the layout's ``shapes`` and ``annotations``.
"""

import plotly.graph_objects as go

from course_lib._validate import check_positive_int
from course_lib.architectures import ARCHITECTURES, check_lengths
from course_lib.viz.theme import GATE_COLORS, LAYOUT

# Rows of the drawing (data coordinates): inputs, cells, outputs.
X_ROW, CELL_ROW, Y_ROW, GROUP_ROW = 0.0, 1.0, 2.0, 2.62
CELL_W, CELL_H = 0.58, 0.5
GAP = 0.3  # extra room between the encoder and the decoder
MIN_SPAN = 8.0  # short sequences keep the boxes of a 10-step drawing, centred
# The figure's width grows with the number of steps, between these bounds (pixels): a
# FigureWidget does not follow its container's width, and JupyterLab's notebook column
# is about 900 pixels wide beside the file browser on a laptop.
PX_PER_STEP, MIN_WIDTH, MAX_WIDTH, SIDE_MARGIN = 72, 700, 900, 20

COLORS = {
    "cell": (GATE_COLORS["a"], "#ece4f4"),  # (line, fill): hidden states, the course's a<t> colour
    "encoder": (GATE_COLORS["a"], "#ece4f4"),
    "decoder": ("#e6550d", "#fdebd9"),
    "x": ("#6baed6", "#deebf7"),  # one-hot inputs: the "unit" scale's blue
    "y": ("#17becf", "#dff6f8"),  # predictions ŷ<t>
    "arrow": "#555555",
    "feedback": "#17becf",
}


def _steps(name, T_x, T_y):
    """One dict per drawn step: its position, role, input and output labels.

    "input" is a label, "feedback" (ŷ of the step before) or None; "output" a label or None.
    """
    if name == "one_to_one":
        return [dict(pos=0.0, role="cell", state="a<1>", input="x<1>", output="ŷ<1>")]
    if name == "one_to_many":
        return [dict(pos=float(t), role="cell", state=f"a<{t + 1}>",
                     input="x<1>" if t == 0 else "feedback", output=f"ŷ<{t + 1}>")
                for t in range(T_y)]
    if name == "many_to_one":
        return [dict(pos=float(t), role="cell", state=f"a<{t + 1}>", input=f"x<{t + 1}>",
                     output="ŷ<1>" if t == T_x - 1 else None)
                for t in range(T_x)]
    if name == "many_to_many":
        return [dict(pos=float(t), role="cell", state=f"a<{t + 1}>", input=f"x<{t + 1}>",
                     output=f"ŷ<{t + 1}>")
                for t in range(T_x)]
    encoder = [dict(pos=float(t), role="encoder", state=f"a<{t + 1}>", input=f"x<{t + 1}>", output=None)
               for t in range(T_x)]
    decoder = [dict(pos=T_x + GAP + t, role="decoder", state=f"a<{t + 1}>",
                    input="0" if t == 0 else "feedback", output=f"ŷ<{t + 1}>")
               for t in range(T_y)]
    return encoder + decoder


def _arrow(x0, y0, x1, y1, color, name, width=1.5):
    """An arrow from (x0, y0) to (x1, y1), in data coordinates."""
    return dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                showarrow=True, arrowhead=2, arrowsize=1.1, arrowwidth=width, arrowcolor=color,
                name=name)


def _label(x, y, text, kind, size, name=None):
    """A boxed text label (an input x<t>, an output ŷ<t>, a<0> ...)."""
    line, fill = COLORS[kind]
    return dict(x=x, y=y, xref="x", yref="y", text=text, showarrow=False, bgcolor=fill,
                bordercolor=line, borderwidth=1.5, borderpad=4 if size > 10 else 2, font=dict(size=size),
                name=name or kind)


GROUP_LABELS = {  # (full, short): the short one where a group is too narrow for the full one
    "encoder": ("encoder (编码器) reads x", "encoder (编码器)"),
    "decoder": ("decoder (解码器) writes ŷ", "decoder (解码器)"),
}
GROUP_GAP_PX = 8  # at least this much room between the encoder's and the decoder's labels


def _text_px(text, size):
    """A generous estimate of a one-line label's width in pixels at font ``size``.

    A CJK character is a full em; any other is taken as 0.62 em (wider than most Latin
    glyphs), so that the labels placed with it do not touch whatever the browser's fonts.
    """
    return size * sum(1.0 if "\u2e80" <= ch <= "\u9fff" else 0.62 for ch in text)


def _group_labels(steps, size, px_per_step):
    """Where the "encoder" and "decoder" labels go: [(role, text, x, xanchor, x_min, x_max)].

    Each is centred over its group of boxes, in its full wording when that fits. A short
    group (T_x or T_y of 1 or 2) is narrower than its label, and the two centred labels
    would run into each other above the handover arrow: then the short wording, still
    centred if it fits, else pushed away from the handover, right-aligned (encoder) or
    left-aligned (decoder) at a small gap from it. x_min, x_max: the label's extent, in
    data coordinates.
    """
    encoder = [s["pos"] for s in steps if s["role"] == "encoder"]
    decoder = [s["pos"] for s in steps if s["role"] == "decoder"]
    handover = (encoder[-1] + decoder[0]) / 2  # the middle of the arrow a<T_x> → the decoder
    gap = GROUP_GAP_PX / 2 / px_per_step  # each label keeps half the gap from the handover
    out = []
    for role, xs, side in (("encoder", encoder, -1), ("decoder", decoder, +1)):
        centre = (xs[0] + xs[-1]) / 2
        for text in GROUP_LABELS[role]:
            half = _text_px(text, size) / px_per_step / 2
            if (centre + half <= handover - gap) if side < 0 else (centre - half >= handover + gap):
                out.append((role, text, centre, "center", centre - half, centre + half))
                break
        else:  # even the short wording is wider than its group: put it beside the handover
            edge = handover + side * gap
            out.append((role, text, edge, "right" if side < 0 else "left",
                        edge - 2 * half if side < 0 else edge, edge if side < 0 else edge + 2 * half))
    return out


def _width(span):
    """Figure width in pixels for a drawing ``span`` steps wide."""
    return int(min(MAX_WIDTH, max(MIN_WIDTH, PX_PER_STEP * span + 2 * SIDE_MARGIN)))


def _text_and_box(px_per_step, longest):
    """Font size and box width (in steps) so that a label of ``longest`` characters fits.

    The largest font whose box leaves 0.3 of a step for the arrow between two boxes: smaller
    text when many steps share the width (up to T_x + T_y = 20). A character is taken as
    0.72 of the font size: "<" and ">" are wide glyphs.
    """
    for size in (14, 12, 11, 10, 9):
        box = (0.72 * size * longest + 10) / px_per_step  # text and padding, in steps
        if box <= 0.7:
            break
    return size, min(0.8, max(CELL_W, box))


def diagram_layout(name, T_x, T_y):
    """The diagram's layout: shapes, annotations, title and axis ranges, as a dict.

    What ``unrolled_diagram`` draws; the explorer writes exactly this into its figure.
    Annotations carry a ``name`` saying what they are: "x" (an input x<t>), "y" (an
    output ŷ<t>), "a" (a cell's label), "a0", "start" (the decoder's zero input),
    "group" (encoder / decoder), "note", "arrow" and "feedback".
    """
    T_x, T_y = check_lengths(name, T_x, T_y)
    arch = ARCHITECTURES[name]
    steps = _steps(name, T_x, T_y)
    first = steps[0]["pos"]
    left, right = first - 1.45, steps[-1]["pos"] + 0.5
    if right - left < MIN_SPAN:
        pad = (MIN_SPAN - (right - left)) / 2
        left, right = left - pad, right + pad
    for attempt in range(5):
        width = _width(right - left)
        px_per_step = (width - 2 * SIDE_MARGIN) / (right - left)
        size, cell_w = _text_and_box(px_per_step, max(len(s["state"]) for s in steps))
        group_size = max(size, 12)
        if name != "encoder_decoder":
            break
        # A label pushed beside the handover may reach past the drawing (T_x = 1 or T_y = 1
        # in a long drawing): widen the range to hold it, and place the labels again.
        labels = _group_labels(steps, group_size, px_per_step)
        low, high = min(lab[4] for lab in labels), max(lab[5] for lab in labels)
        if (low >= left and high <= right) or attempt == 4:
            break
        left, right = min(left, low), max(right, high)
    half_w, half_h = cell_w / 2, CELL_H / 2
    shapes, annotations = [], []

    # a<0> on the left, into the first step
    a0 = _label(first - 0.64, CELL_ROW, "a<0>", "cell", size, name="a0")
    a0["xanchor"] = "right"  # ends where its arrow starts, however wide the text is drawn
    annotations.append(a0)
    annotations.append(_arrow(first - 0.62, CELL_ROW, first - half_w, CELL_ROW, COLORS["arrow"], "arrow"))

    for k, step in enumerate(steps):
        x = step["pos"]
        line, fill = COLORS[step["role"]]
        shapes.append(dict(type="rect", xref="x", yref="y", x0=x - half_w, x1=x + half_w,
                           y0=CELL_ROW - half_h, y1=CELL_ROW + half_h, line=dict(color=line, width=2),
                           fillcolor=fill, layer="below", name=step["role"]))
        annotations.append(dict(x=x, y=CELL_ROW, xref="x", yref="y", text=step["state"],
                                showarrow=False, font=dict(size=size), name="a"))
        if k > 0:  # a<t-1> → a<t>; thicker where the encoder's a<T_x> starts the decoder
            prev = steps[k - 1]["pos"]
            handover = step["role"] != steps[k - 1]["role"]
            annotations.append(_arrow(prev + half_w, CELL_ROW, x - half_w, CELL_ROW,
                                      COLORS["arrow"], "arrow", width=2 if handover else 1.5))

        if step["input"] == "feedback":
            # ŷ of the previous step drops through the middle of the gap between the two
            # boxes (not across a box), curves to below this step, then goes up into it.
            mid = (prev + x) / 2
            path = (f"M {prev + 0.22},{Y_ROW - 0.1} C {mid + 0.05},{Y_ROW - 0.1} "
                    f"{mid - 0.05},{X_ROW - 0.3} {x},{X_ROW + 0.1}")
            shapes.append(dict(type="path", path=path, xref="x", yref="y",
                               line=dict(color=COLORS["feedback"], width=1.8, dash="dot"), name="feedback"))
            annotations.append(_arrow(x, X_ROW + 0.1, x, CELL_ROW - half_h, COLORS["feedback"], "feedback", width=1.8))
        elif step["input"] is not None:
            label_name = "start" if step["input"] == "0" else "x"  # the decoder's x<1> = 0, or an input
            annotations.append(_label(x, X_ROW, step["input"], "x", size, name=label_name))
            annotations.append(_arrow(x, X_ROW + 0.2, x, CELL_ROW - half_h, COLORS["arrow"], "arrow"))

        if step["output"] is not None:
            annotations.append(_label(x, Y_ROW, step["output"], "y", size, name="y"))
            annotations.append(_arrow(x, CELL_ROW + half_h, x, Y_ROW - 0.2, COLORS["arrow"], "arrow"))

    if name == "encoder_decoder":
        for role, text, x, xanchor, _, _ in _group_labels(steps, group_size, px_per_step):
            xs = [s["pos"] for s in steps if s["role"] == role]
            line, _ = COLORS[role]
            shapes.append(dict(type="line", xref="x", yref="y", x0=xs[0] - half_w, x1=xs[-1] + half_w,
                               y0=GROUP_ROW - 0.12, y1=GROUP_ROW - 0.12, line=dict(color=line, width=3),
                               name="group"))
            annotations.append(dict(x=x, y=GROUP_ROW, xref="x", yref="y", text=text, xanchor=xanchor,
                                    showarrow=False, yanchor="bottom", font=dict(size=group_size, color=line),
                                    name="group"))

    if any(s["input"] == "feedback" for s in steps):
        annotations.append(dict(x=right, y=X_ROW - 0.42, xref="x", yref="y", xanchor="right",
                                text="dotted: the token taken from ŷ<t> becomes x<t+1>",
                                showarrow=False, font=dict(size=12, color=COLORS["feedback"]),
                                name="note"))

    title = (f"{arch.label}: T_x = {T_x}, T_y = {T_y}"
             f"<br><span style='font-size:12px'>{arch.example}</span>")
    return dict(
        shapes=shapes, annotations=annotations, width=width,
        title={**LAYOUT["title"], "text": title, "font": {"size": 16}},
        xaxis=dict(range=[left, right], visible=False, fixedrange=True),
        yaxis=dict(range=[X_ROW - 0.55, GROUP_ROW + 0.3], visible=False, fixedrange=True),
    )


def unrolled_diagram(name, T_x, T_y, height=340):
    """The unrolled network of one architecture, for these T_x and T_y.

    Args:
        name: a key of course_lib.architectures.ARCHITECTURES ("one_to_one", "one_to_many",
            "many_to_one", "many_to_many", "encoder_decoder").
        T_x, T_y: the lengths, integers ≥ 1 that obey the architecture's rules
            (e.g. T_x = 1 for one to many); else ValueError.
        height: the figure's height in pixels.
    Returns:
        go.Figure with no traces: boxes, labels and arrows are layout shapes and
        annotations (see ``diagram_layout`` for their names).

    Derived in notebooks/03_architectures.ipynb, "All five side by side"
    """
    layout = diagram_layout(name, T_x, T_y)  # checks name, T_x and T_y
    height = check_positive_int("height", height)
    fig = go.Figure()
    fig.update_layout(**LAYOUT)
    fig.update_layout(height=height, margin=dict(l=SIDE_MARGIN, r=SIDE_MARGIN, t=70, b=10), showlegend=False,
                      plot_bgcolor="white", dragmode=False)
    fig.update_layout(layout)
    return fig
