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


def _upper_half(colorscale):
    """The upper half of a diverging plotly colour scale, rescaled to positions 0 … 1."""
    from plotly.colors import get_colorscale

    full = get_colorscale(colorscale)  # positions 0 … 1, the middle colour at 0.5
    return [[round(2 * position - 1, 12), color] for position, color in full if position >= 0.5 - 1e-12]


# ReLU's hidden states are >= 0: on the symmetric "signed" scale from -bound to bound half
# the colours would go unused. This is its upper half, white (0) to the top colour: with
# zmin = 0 and the same zmax, every value keeps the colour it has on the full scale.
NONNEGATIVE_COLORSCALE = _upper_half(COLORSCALES["signed"])

# The candidate c~<t> of the gated cells (候选值; notebooks 06 and 07), drawn beside the gates.
GATE_COLORS["c~"] = "#bcbd22"
