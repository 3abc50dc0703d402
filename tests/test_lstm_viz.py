"""The LSTM cell diagram, its explorer and the saturation plot (viz.lstm_cell, viz.gates, widgets.lstm_cell)."""

import json

import numpy as np
import pytest

from course_lib.activations import sigmoid
from course_lib.gru import gru_forward, initialize_gru_parameters
from course_lib.lstm import initialize_lstm_parameters, lstm_forward
from course_lib.viz import lstm_cell_diagram, lstm_equation, lstm_unit_values, saturation_fractions, saturation_plot
from course_lib.viz.lstm_cell import COLORS, GREY_LINE, GREY_TEXT, PARTS, lstm_cell_layout
from course_lib.widgets import LSTMCellExplorer

N_X, N_A, M, T = 3, 4, 2, 6
VALUES = {"forget": 0.93, "update": 0.12, "candidate": -0.5, "cell": 0.68, "output": 0.71, "hidden": 0.42,
          "cell_prev": 0.8, "hidden_prev": -0.31}


def lstm_caches(form=None, seed=0):
    """A forward pass of a random LSTM (random biases, peepholes if a form is given)."""
    rng = np.random.default_rng(seed)
    p = initialize_lstm_parameters(N_X, N_A, None, rng, scale=0.8, peepholes=form is not None)
    x = rng.standard_normal((N_X, M, T))
    return lstm_forward(x, 0.3 * rng.standard_normal((N_A, M)), p, peephole_form=form or "gers")[3]


def by_part(shapes):
    """part name → the set of line colours of its shapes."""
    out = {}
    for s in shapes:
        s = s if isinstance(s, dict) else s.to_plotly_json()
        out.setdefault(s["name"], set()).add(s["line"]["color"])
    return out


def json_safe(fig):
    json.dumps(fig.to_plotly_json(), allow_nan=False, default=lambda o: None)


# --- the diagram -----------------------------------------------------------------------


def test_the_diagram_draws_every_part_in_its_colour_without_highlight():
    fig = lstm_cell_diagram()
    colours = by_part(fig.layout.shapes)
    assert set(colours) == set(PARTS) | {"input", "frame"}
    for part in PARTS:
        assert colours[part] == {COLORS[part]}, part
    assert len(fig.data) == 1 and fig.data[0].mode == "text"
    labels = set(fig.data[0].text)
    for label in ("Γf 遗忘门", "Γu 更新门", "c~ 候选值", "Γo 输出门", "c<t-1>", "c<t>", "a<t-1>", "x<t>", "a<t>", "×", "+"):
        assert label in labels, label
    assert [t for t in fig.data[0].text].count("σ") == 3 and [t for t in fig.data[0].text].count("tanh") == 2
    json_safe(fig)


@pytest.mark.parametrize("part", PARTS)
def test_the_highlighted_part_takes_its_colour_and_the_others_turn_grey(part):
    fig = lstm_cell_diagram(part, VALUES)
    colours = by_part(fig.layout.shapes)
    assert colours[part] == {COLORS[part]}
    for other in PARTS:
        if other != part:
            assert colours[other] == {GREY_LINE}, other
    wires = [s for s in fig.layout.shapes if s.type == "path" and s.fillcolor is None]
    assert min(s.line.width for s in wires if s.name == part) > max(s.line.width for s in wires if s.name != part)
    text = list(fig.data[0].text)
    colours_of_text = list(fig.data[0].textfont.color)
    from course_lib.viz.lstm_cell import PART_LABELS
    symbol, chinese, _ = PART_LABELS[part]
    if part in ("forget", "update", "candidate", "output"):  # its name is dark, another gate's grey
        assert colours_of_text[text.index(f"{symbol} {chinese}")] != GREY_TEXT
        other = next(p for p in ("forget", "output") if p != part)
        assert colours_of_text[text.index(" ".join(PART_LABELS[other][:2]))] == GREY_TEXT
    assert chinese in fig.layout.title.text


def test_values_are_written_beside_their_parts():
    text = list(lstm_cell_diagram(values=VALUES).data[0].text)
    assert "Γf = <b>0.93</b>" in text and "c~ = <b>−0.50</b>" in text and "Γo = <b>0.71</b>" in text
    assert "<b>0.68</b>" in text and "<b>−0.31</b>" in text and "<b>0.80</b>" in text
    assert len(lstm_cell_diagram().data[0].text) == len(text) - len(VALUES)
    only = list(lstm_cell_diagram(values={"update": 0.5}).data[0].text)
    assert "Γu = <b>0.50</b>" in only and len(only) == len(text) - len(VALUES) + 1


def dashed(fig):
    return [s for s in fig.layout.shapes if s.line.dash == "dash"]


def test_peepholes_gers_and_tutorial_feed_the_gates_from_the_right_memory():
    from course_lib.viz.lstm_cell import GERS_TAP, MEM_Y, PEEP_TAP, PEEP_Y

    assert dashed(lstm_cell_diagram()) == []
    gers, tutorial = lstm_cell_diagram(peepholes="gers"), lstm_cell_diagram(peepholes="tutorial")
    assert sorted(s.name for s in dashed(gers)) == ["forget", "output", "update"]
    assert sorted(s.name for s in dashed(tutorial)) == ["forget", "output", "update"]
    out_gers = next(s for s in dashed(gers) if s.name == "output")
    assert out_gers.path.startswith(f"M {GERS_TAP:.3f},{MEM_Y:.3f}")  # from c<t>, after the +
    out_tutorial = next(s for s in dashed(tutorial) if s.name == "output")
    assert out_tutorial.path.startswith(f"M {GERS_TAP:.3f},{PEEP_Y:.3f}")  # from the c<t-1> bus instead
    bus = [s for s in tutorial.layout.shapes if s.line.dash == "dot"]
    assert len(bus) == 1 and bus[0].path.startswith(f"M {PEEP_TAP:.3f},{MEM_Y:.3f}")  # taps c<t-1>, before the ×
    # highlighted, a gate's peephole is drawn the whole way from c<t-1>
    highlighted = next(s for s in dashed(lstm_cell_diagram("output", peepholes="tutorial")) if s.name == "output")
    assert highlighted.path.startswith(f"M {PEEP_TAP:.3f},{MEM_Y:.3f}") and highlighted.line.color == COLORS["output"]
    assert "Gers" in gers.layout.title.text and "tutorial" in tutorial.layout.title.text


def test_the_equation_gets_room_below_and_the_size_stays_fixed():
    plain, with_equation = lstm_cell_layout(), lstm_cell_layout("cell", VALUES, equation="c<t> = …<br>= 1")
    assert plain["width"] == with_equation["width"] and with_equation["height"] > plain["height"]
    assert with_equation["annotations"][0]["text"] == "c<t> = …<br>= 1" and plain["annotations"] == []
    sizes = {(lstm_cell_layout(p, VALUES, "gers", equation="x")["width"],
              lstm_cell_layout(p, VALUES, "gers", equation="x")["height"]) for p in PARTS}
    assert len(sizes) == 1  # no part makes the figure jump


@pytest.mark.parametrize("kwargs, name", [
    ({"highlight": "gate"}, "highlight"), ({"highlight": 3}, "highlight"),
    ({"values": {"gamma": 0.5}}, "values"), ({"values": {"forget": float("nan")}}, "values"),
    ({"values": [0.5]}, "values"), ({"values": {"forget": "0.5"}}, "values"),
    ({"peepholes": "both"}, "peepholes"), ({"peepholes": True}, "peepholes"),
    ({"title": 3}, "title"), ({"equation": ["a"]}, "equation"),
])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        lstm_cell_diagram(**kwargs)


# --- the numbers of one unit ------------------------------------------------------------


@pytest.mark.parametrize("form", [None, "gers", "tutorial"])
def test_unit_values_are_the_caches_and_the_pre_activations_give_them_back(form):
    caches = lstm_caches(form)
    n = lstm_unit_values(caches, example=1, unit=2)
    stacked = caches.stacked
    np.testing.assert_array_equal(n["gamma_f"], stacked.gamma_f[2, 1])
    np.testing.assert_array_equal(n["c_prev"], stacked.c_prev[2, 1])
    np.testing.assert_array_equal(n["a_prev"], stacked.a_prev[2, 1])
    for gate in ("f", "u", "o"):
        np.testing.assert_allclose(sigmoid(n["z_" + gate]), n["gamma_" + gate], rtol=0, atol=1e-13)
    np.testing.assert_allclose(np.tanh(n["z_c"]), n["c_tilde"], rtol=0, atol=1e-13)
    np.testing.assert_allclose(n["gamma_u"] * n["c_tilde"] + n["gamma_f"] * n["c_prev"], n["c_next"], atol=1e-13)
    np.testing.assert_allclose(n["gamma_o"] * np.tanh(n["c_next"]), n["a_next"], atol=1e-13)
    assert lstm_unit_values(caches, 0, 0, steps=3)["z_o"].shape == (3,)


def test_unit_values_refuse_other_cells_and_out_of_range_indices():
    rng = np.random.default_rng(1)
    gru = gru_forward(rng.standard_normal((N_X, M, T)), np.zeros((N_A, M)),
                      initialize_gru_parameters(N_X, N_A, None, rng))[2]
    with pytest.raises(ValueError, match="caches"):
        lstm_unit_values(gru)
    with pytest.raises(ValueError, match="unit"):
        lstm_unit_values(lstm_caches(), unit=N_A)
    with pytest.raises(ValueError, match="example"):
        lstm_unit_values(lstm_caches(), example=-1)


def test_the_equations_carry_the_units_numbers():
    n = lstm_unit_values(lstm_caches("gers"), 1, 3)
    t = 2
    f = lambda v: f"{v:.2f}".replace("-", "−")  # noqa: E731
    forget = lstm_equation("forget", n, t, "gers")
    assert forget.startswith("Γf<t> = σ(Wf [a<t-1>; x<t>] + bf + pf * c<t-1>)<br>")
    assert f"σ({f(n['z_f'][t])}) = <b>{f(n['gamma_f'][t])}</b>" in forget and f"{n['gamma_f'][t]:.0%}" in forget
    assert "po * c<t>)" in lstm_equation("output", n, t, "gers")
    assert "po * c<t-1>)" in lstm_equation("output", n, t, "tutorial")
    assert "po" not in lstm_equation("output", n, t) and "pf" not in lstm_equation("forget", n, t)
    cell = lstm_equation("cell", n, t)
    for key in ("gamma_u", "gamma_f", "c_next"):
        assert f(n[key][t]) in cell
    hidden = lstm_equation("hidden", n, t)
    assert f(np.tanh(n["c_next"][t])) in hidden and hidden.endswith(f"<b>{f(n['a_next'][t])}</b>")
    with pytest.raises(ValueError, match="t must"):
        lstm_equation("cell", n, T)
    with pytest.raises(ValueError, match="part"):
        lstm_equation("gate", n, 0)


# --- saturation -------------------------------------------------------------------------


def test_saturation_fractions_on_a_hand_made_example():
    # 2 units, 1 sentence of 5 steps, the last step padding (masked out).
    gates = {"Γf": np.array([[[0.05, 0.95, 0.5, 0.99, 0.0]],
                             [[0.5, 0.5, 0.5, 0.5, 0.95]]]),
             "Γo": np.array([[[0.1, 0.9, 0.09, 0.91, 0.5]],
                             [[0.0, 0.0, 0.0, 1.0, 1.0]]])}
    mask = np.array([[True, True, True, True, False]])
    out = saturation_fractions(gates, mask)
    # out[gate] = (below 0.1, above 0.9), each one share per unit
    np.testing.assert_allclose(out["Γf"][0], [0.25, 0.0])   # unit 0: 0.05 below 0.1; unit 1: none
    np.testing.assert_allclose(out["Γf"][1], [0.5, 0.0])    # unit 0: 0.95, 0.99; unit 1's 0.95 is padding
    np.testing.assert_allclose(out["Γo"][0], [0.25, 0.75])  # unit 0: 0.09 (0.1 is not below 0.1); unit 1: 0, 0, 0
    np.testing.assert_allclose(out["Γo"][1], [0.25, 0.25])  # unit 0: 0.91 (0.9 is not above 0.9); unit 1: 1.0
    unmasked = saturation_fractions(gates)
    np.testing.assert_allclose(unmasked["Γf"][1], [0.4, 0.2])
    wider = saturation_fractions(gates, mask, low=0.2, high=0.8)
    np.testing.assert_allclose(wider["Γo"][0], [0.5, 0.75])
    np.testing.assert_allclose(wider["Γo"][1], [0.5, 0.25])
    fig = saturation_plot(gates, mask)
    assert fig.data[0].mode == "lines" and list(fig.data[0].x) == [0, 1] and list(fig.data[0].y) == [1, 0]
    assert [tr.name.split(",")[0] for tr in fig.data[1:]] == ["Γf", "Γo"]
    np.testing.assert_allclose(fig.data[1].x, [0.25, 0.0])
    np.testing.assert_allclose(fig.data[2].y, [0.25, 0.25])  # Γo above 0.9, per unit
    assert "left-saturated" in fig.layout.xaxis.title.text and "diagonal" in fig.layout.xaxis.title.text
    assert "always open" in fig.layout.yaxis.title.text
    json_safe(fig)


def test_saturation_reads_an_lstm_caches_gates_in_their_order():
    caches = lstm_caches()
    out = saturation_fractions(caches)
    assert list(out) == ["Γf", "Γu", "Γo"]
    g = caches.stacked.gamma_u
    np.testing.assert_allclose(out["Γu"][1], np.mean(g.reshape(N_A, -1) > 0.9, axis=1))
    fig = saturation_plot(caches)
    from course_lib.viz.theme import GATE_COLORS
    assert [tr.marker.color for tr in fig.data[1:]] == [GATE_COLORS[g] for g in ("Γf", "Γu", "Γo")]


@pytest.mark.parametrize("kwargs, name", [
    ({"mask": np.ones((M, T), dtype=int)}, "mask"), ({"mask": np.zeros((M, T), dtype=bool)}, "mask"),
    ({"mask": np.ones((M, T + 1), dtype=bool)}, "mask"), ({"low": 0.9, "high": 0.1}, "high"),
    ({"low": 0.0}, "low"), ({"low": True}, "low"), ({"high": "0.9"}, "high"),
])
def test_saturation_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        saturation_fractions(lstm_caches(), **kwargs)
    with pytest.raises(ValueError, match="caches_or_values"):
        saturation_plot({"Γf": np.full((2, 3), 1.2)})


# --- the explorer -----------------------------------------------------------------------


def highlighted(figure_widget):
    """The part drawn in its colour (the only one, when a part is highlighted)."""
    colours = by_part(figure_widget.layout.shapes)
    (part,) = [p for p in PARTS if colours[p] == {COLORS[p]}]
    return part


def test_the_explorer_moves_the_highlight_and_the_equation_with_its_controls():
    caches = lstm_caches("tutorial")
    tokens = ["∅", "a", "b", "<EOS>"]
    explorer = LSTMCellExplorer(caches, tokens, example=1, unit=2)
    fw = explorer.explorer.figure_widget
    assert explorer.widget is explorer.explorer.widget and "course-explorer" in explorer.widget._dom_classes
    assert explorer.part_buttons in explorer.widget.children[1].children  # the part control sits inside the explorer
    assert len(fw.data) == 1 and highlighted(fw) == "forget"
    n = lstm_unit_values(caches, 1, 2, steps=len(tokens))
    assert fw.layout.annotations[0].text == lstm_equation("forget", n, 0, "tutorial")
    size = (fw.layout.width, fw.layout.height)

    explorer.part_buttons.value = "cell"
    assert highlighted(fw) == "cell" and fw.layout.annotations[0].text.startswith("c<t> = Γu<t> * c~<t>")
    assert "记忆细胞" in fw.layout.title.text and "t = 1" in fw.layout.title.text

    explorer.explorer.show(3)  # the part stays; the step, its token and its numbers change
    assert highlighted(fw) == "cell" and fw.layout.annotations[0].text == lstm_equation("cell", n, 3, "tutorial")
    assert "t = 4, reading ‘&lt;EOS&gt;’" in fw.layout.title.text and "&lt;EOS&gt;" in explorer.explorer.label.value
    assert f"<b>{n['c_next'][3]:.2f}</b>".replace("-", "−") in fw.data[0].text

    explorer.part_buttons.value = "hidden"
    assert highlighted(fw) == "hidden" and explorer.explorer.step == 3
    assert fw.layout.annotations[0].text == lstm_equation("hidden", n, 3, "tutorial")
    assert (fw.layout.width, fw.layout.height) == size  # nothing jumps
    assert sum(s.line.dash == "dash" for s in fw.layout.shapes) == 3  # the tutorial's three peepholes


def test_the_snapshot_steps_through_every_part_of_every_step():
    explorer = LSTMCellExplorer(lstm_caches(), list("abc"), part="update")
    every = explorer.snapshot()
    assert len(every.frames) == 3 * len(PARTS)
    for k, frame in enumerate(every.frames):
        part = PARTS[k % len(PARTS)]
        assert by_part(frame.layout.shapes)[part] == {COLORS[part]}
        assert f"t = {k // len(PARTS) + 1}," in frame.layout.title.text
    assert highlighted(every) == "forget"  # it opens on step 1's first part
    current = explorer.snapshot(every_part=False)
    assert len(current.frames) == 3 and all(by_part(f.layout.shapes)["update"] == {COLORS["update"]}
                                            for f in current.frames)
    assert explorer.explorer.n_steps == 3 and highlighted(explorer.explorer.figure_widget) == "update"  # unchanged
    json_safe(every)
    with pytest.raises(ValueError, match="every_part"):
        explorer.snapshot(every_part="yes")


@pytest.mark.parametrize("kwargs, name", [
    ({"tokens": list("abcdefg")}, "tokens"), ({"tokens": "abc"}, "tokens"), ({"unit": N_A}, "unit"),
    ({"example": M}, "example"), ({"part": "gate"}, "part"),
])
def test_the_explorer_refuses_bad_input(kwargs, name):
    args = {"caches": lstm_caches(), "tokens": list("abc"), **kwargs}
    with pytest.raises(ValueError, match=name):
        LSTMCellExplorer(**args)
    rng = np.random.default_rng(2)
    gru = gru_forward(rng.standard_normal((N_X, M, T)), np.zeros((N_A, M)), initialize_gru_parameters(N_X, N_A, None, rng))[2]
    with pytest.raises(ValueError, match="caches"):
        LSTMCellExplorer(gru, list("abc"))
