"""One look for every figure of the course: colour scales, gate colours, layout."""

# Hidden states, memory cells and gradients are signed: a diverging scale centred on 0,
# the same for every such heatmap so that colours mean the same value in every notebook.
# One-hot vectors, probabilities and gates lie in [0, 1]: a sequential scale.
COLORSCALES = {
    "signed": "RdBu_r",      # a<t>, c<t>, gradients: blue < 0 < red, white at 0
    "unit": "Blues",         # x<t> one-hot, ŷ<t>, gates: white 0 → dark blue 1
}

# One colour per gate (and per quantity drawn as a line), the same in every notebook.
GATE_COLORS = {
    "Γu": "#1f77b4",   # update gate 更新门
    "Γr": "#ff7f0e",   # relevance (reset) gate 相关门
    "Γf": "#2ca02c",   # forget gate 遗忘门
    "Γo": "#d62728",   # output gate 输出门
    "a": "#9467bd",    # hidden state
    "c": "#8c564b",    # memory cell
    "grad": "#e377c2", # gradient norms
    "threshold": "#7f7f7f",
}

HIGHLIGHT = "#d62728"

# Fonts: the system UI font first, then CJK fonts so 王刚和李明 renders everywhere.
FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)

LAYOUT = dict(
    template="plotly_white",
    font=dict(family=FONT_FAMILY, size=13),
    margin=dict(l=70, r=30, t=60, b=50),
    title=dict(x=0.02, xanchor="left"),
)
