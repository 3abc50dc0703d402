"""Notebook 03 (architectures): what moved out of the lesson into tests.

The architecture explorer's wiring (once an assert cell of the notebook), the encoder and
decoder labels of the unrolled diagram at every length the explorer offers, and the
notebook's own promises: Adam explained before the first training, the checked cell
marked by a tag, the classifier's loss on its held-out reviews drawn beside its training loss.
"""

import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib.viz.architectures import SIDE_MARGIN, diagram_layout, unrolled_diagram
from course_lib.widgets import ArchitectureExplorer
from tests.tools.notebooks import run_cell

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_architectures.ipynb"


def named(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


# ---------------------------------------------------------------------------------------
# The explorer, as the notebook builds it
# ---------------------------------------------------------------------------------------


def test_explorer_controls_redraw_the_figure_and_the_table():
    explorer = ArchitectureExplorer("encoder_decoder", T_x=6, T_y=4, n_x=10, n_a=16, n_y=3, m=32)
    figure = explorer.figure_widget

    def count(kind):
        return len(named(figure, kind))

    assert (count("x"), count("y")) == (6, 4) and "(3, 32, 4)" in explorer.table.value
    explorer.architecture.value = "many_to_one"
    assert (count("x"), count("y")) == (6, 1) and explorer.T_y.disabled
    explorer.T_x.value = 9
    assert count("x") == 9 and "(10, 32, 9)" in explorer.table.value
    explorer.architecture.value = "one_to_many"
    assert (count("x"), count("y")) == (1, 4) and explorer.T_x.disabled
    explorer.architecture.value = "encoder_decoder"  # T_x back to what the learner set: 9
    assert (explorer.T_x.value, explorer.T_y.value) == (9, 4) and count("x") == 9
    explorer.T_x.value = 6
    assert (explorer.T_x.value, explorer.T_y.value) == (6, 4)
    assert [a.text for a in named(figure, "group")] == ["encoder (编码器) reads x", "decoder (解码器) writes ŷ"]


def test_explorer_at_one_step_each_draws_labels_apart():
    """The case that overlapped: T_x = T_y = 1, reached through the sliders."""
    explorer = ArchitectureExplorer("encoder_decoder", T_x=6, T_y=4)
    explorer.T_x.value, explorer.T_y.value = 1, 1
    encoder, decoder = named(explorer.figure_widget, "group")
    assert (encoder.xanchor, decoder.xanchor) == ("right", "left")
    assert encoder.x < decoder.x


# ---------------------------------------------------------------------------------------
# The encoder and decoder labels never run into each other or off the drawing
# ---------------------------------------------------------------------------------------


def label_extent(annotation, px_per_step):
    """(left, right) of a label in data coordinates, its width estimated independently of
    the module: a CJK character 1 em, any other character 0.6 em."""
    size = annotation["font"]["size"]
    width = size * sum(1.0 if "\u2e80" <= ch <= "\u9fff" else 0.6 for ch in annotation["text"]) / px_per_step
    anchor = annotation.get("xanchor", "center")
    left = {"left": annotation["x"], "right": annotation["x"] - width, "center": annotation["x"] - width / 2}[anchor]
    return left, left + width


@pytest.mark.parametrize("T_x", range(1, ArchitectureExplorer.MAX_T + 1))
def test_encoder_and_decoder_labels_keep_apart_at_every_length(T_x):
    for T_y in range(1, ArchitectureExplorer.MAX_T + 1):
        layout = diagram_layout("encoder_decoder", T_x, T_y)
        low, high = layout["xaxis"]["range"]
        px_per_step = (layout["width"] - 2 * SIDE_MARGIN) / (high - low)
        groups = [a for a in layout["annotations"] if a["name"] == "group"]
        assert [g["text"].split()[0] for g in groups] == ["encoder", "decoder"]
        (e_left, e_right), (d_left, d_right) = (label_extent(g, px_per_step) for g in groups)
        gap_px = (d_left - e_right) * px_per_step
        assert gap_px >= 6, f"T_x = {T_x}, T_y = {T_y}: the labels are {gap_px:.0f} px apart"
        assert low <= e_left and d_right <= high, f"T_x = {T_x}, T_y = {T_y}: a label leaves the drawing"


def test_long_groups_keep_the_full_centred_labels():
    layout = diagram_layout("encoder_decoder", 6, 4)
    groups = [a for a in layout["annotations"] if a["name"] == "group"]
    assert [g["text"] for g in groups] == ["encoder (编码器) reads x", "decoder (解码器) writes ŷ"]
    assert [g["xanchor"] for g in groups] == ["center", "center"]
    assert groups[0]["x"] == pytest.approx(2.5)  # over the middle of the encoder's six boxes


@pytest.mark.parametrize("T_x, T_y", [(1, 1), (1, 10), (10, 1), (2, 2)])
def test_short_groups_still_draw_every_box_and_fit_the_column(T_x, T_y):
    from course_lib.viz.architectures import MAX_WIDTH, MIN_WIDTH

    fig = unrolled_diagram("encoder_decoder", T_x, T_y)
    assert MIN_WIDTH <= fig.layout.width <= MAX_WIDTH
    assert len(named(fig, "x")) == T_x and len(named(fig, "y")) == T_y
    boxes = sorted((s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect")
    assert all(right < next_left for (_, right), (next_left, _) in zip(boxes, boxes[1:]))
    json.dumps(fig.to_plotly_json(), allow_nan=False)


# ---------------------------------------------------------------------------------------
# The notebook as stored
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_checked_cells_are_tagged_not_commented(notebook):
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not [c.source[:60] for c in code if "NBVAL" in c.source]
    assert any("nbval-check-output" in c.metadata.get("tags", []) for c in code)


def test_no_explorer_wiring_in_the_lesson(notebook):
    """The wiring is tested above; the lesson only shows the explorer."""
    assert not [c.source[:60] for c in notebook.cells if c.cell_type == "code" and "figure_widget" in c.source]


def test_adam_is_explained_before_the_first_training(notebook):
    sources = [c.source for c in notebook.cells]
    first_training = next(i for i, s in enumerate(sources) if "train_model(" in s)
    explained = next(i for i, s in enumerate(sources) if "\\beta_1" in s and "bias correction" in s)
    assert explained < first_training
    assert not any("notebook 04 explains" in s for s in sources)


def test_the_terms_of_issue_9_are_named_in_chinese(notebook):
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    terms = ["一对一", "一对多", "多对一", "多对多", "编码器–解码器", "单向", "双向", "教师强制", "暴露偏差"]
    assert [t for t in terms if t not in text] == []


def test_the_classifiers_curve_shows_its_loss_on_the_held_out_reviews(notebook):
    sources = {c.id: c.source for c in notebook.cells}
    namespace = {}
    for cell_id in ("cell-01", "cell-05", "cell-08", "cell-15", "cell-19", "cell-21", "cell-24", "cell-26"):
        run_cell(sources[cell_id], namespace)  # every cell that draws from rng before the training
    figure = run_cell(sources["cell-27"], namespace)
    training, train, test = namespace["training"], namespace["train"], namespace["test"]
    assert not set(train) & set(test) and len(test) == 12
    held_line = next(t for t in figure.data if t.name.startswith("held-out"))
    assert held_line.line.dash == "dash" and list(held_line.x) == list(range(0, 151, 10))
    assert np.allclose(held_line.y, training.held_out_losses)
    # Measured on the 12 held-out reviews, in the training loss's units (mean per review).
    J, _, m = namespace["review_loss"](training.parameters, (namespace["batch"].x[:, test], namespace["labels"][test]))
    assert m == 12 and np.isclose(J / m, training.held_out_losses[-1], rtol=1e-12)
    assert figure.layout.yaxis.type == "log" and figure.layout.yaxis.tickformat
    # The ten seeds' runs train exactly as before: measuring the held-out loss changes no update.
    again = namespace["train_classifier"](namespace["initialize_rnn_parameters"](namespace["vocabulary"].n_x, 8, 2,
                                                                                 np.random.default_rng(0), scale=0.3), train)
    watched = namespace["train_classifier"](namespace["initialize_rnn_parameters"](namespace["vocabulary"].n_x, 8, 2,
                                                                                   np.random.default_rng(0), scale=0.3),
                                            train, held_out=test)
    assert np.array_equal(again.losses, watched.losses) and again.held_out_losses.size == 0
