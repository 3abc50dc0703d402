"""The deep language model (course_lib.deep_lm) and the deep RNN's figures and explorer."""

import numpy as np
import pytest

from course_lib import deep_lm
from course_lib.lm import lm_loss_and_gradients
from course_lib.viz.deep import dependency_cone, direct_inputs, gradient_norm_heatmap, grid_figure, grid_frame
from course_lib.widgets.deep import DeepGridExplorer

BATCH = np.array([[2, 3, 4, 1, -1], [5, 6, 2, 3, 1]])  # two sentences, <EOS> = 1, padding −1


def _numerical(p, part, key, cell, eps=1e-5):
    theta, out = p[part][key], np.zeros_like(p[part][key])
    for i in np.ndindex(theta.shape):
        for sign in (1, -1):
            q = {k: dict(v) for k, v in p.items()}
            moved = theta.copy()
            moved[i] += sign * eps
            q[part][key] = moved
            out[i] += sign * deep_lm.deep_lm_loss_and_gradients(q, BATCH, cell=cell)[0] / (2 * eps)
    return out


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("sizes", [(4, 4), (3, 5, 4)], ids=["equal", "unequal"])
def test_gradients_match_centred_differences(cell, sizes):
    p = deep_lm.initialize_deep_lm(7, sizes, np.random.default_rng(3), cell, init_scale=0.4)  # random biases too
    _, g = deep_lm.deep_lm_loss_and_gradients(p, BATCH, cell=cell)
    for part in p:
        for key in p[part]:
            analytic, numeric = g[part]["d" + key], _numerical(p, part, key, cell)
            error = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
            assert error < 1e-7, (cell, sizes, part, key, error)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_one_layer_is_the_language_model_of_notebook_04(cell):
    p = deep_lm.initialize_deep_lm(7, (5,), 0, cell, init_scale=0.5)
    J, g = deep_lm.deep_lm_loss_and_gradients(p, BATCH, cell=cell)
    J1, g1 = lm_loss_and_gradients({**p["layer1"], **p["output"]}, BATCH, cell=cell)
    assert J == pytest.approx(J1, rel=1e-13)
    flat = {**g["layer1"], **g["output"]}
    assert all(np.allclose(flat[k], g1[k], atol=1e-13) for k in g1)


def test_the_mask_counts_only_its_tokens_and_inputs_are_not_modified():
    p = deep_lm.initialize_deep_lm(7, (4, 3), 1)
    before = {k: {n: v.copy() for n, v in d.items()} for k, d in p.items()}
    J_all, _ = deep_lm.deep_lm_loss_and_gradients(p, BATCH)
    mask = BATCH >= 0
    mask[:, 2:] = False
    J_part, _ = deep_lm.deep_lm_loss_and_gradients(p, BATCH, mask)
    assert 0 < J_part < J_all
    assert all(np.array_equal(p[k][n], before[k][n]) for k in p for n in p[k])


def test_parameter_counts_and_the_matched_budget():
    per_layer, total = deep_lm.deep_lm_parameter_count(79, [64, 64])
    assert per_layer == [64 * 143 + 64, 64 * 128 + 64 + 79 * 64 + 79] and total == sum(per_layer)
    budget = deep_lm.deep_lm_parameter_count(79, [64])[1]
    for L in (2, 3):
        n_a = deep_lm.layer_size_for(79, L, budget)
        here = abs(deep_lm.deep_lm_parameter_count(79, [n_a] * L)[1] - budget)
        assert here <= abs(deep_lm.deep_lm_parameter_count(79, [n_a + 1] * L)[1] - budget)
        assert here <= abs(deep_lm.deep_lm_parameter_count(79, [n_a - 1] * L)[1] - budget)
    p = deep_lm.initialize_deep_lm(79, [64, 64], 0)
    assert sum(v.size for d in p.values() for v in d.values()) == total


def test_split_is_disjoint_in_position_and_keeps_every_sentence():
    sentences = [f"s {i}" for i in range(10)]
    train, held = deep_lm.split_corpus(sentences, 0.3)
    assert train + held == sentences and len(held) == 3


def test_the_shipped_runs_load_and_the_notebook_reads_their_numbers():
    for name, sizes in deep_lm.RUNS.items():
        run = deep_lm.load_deep_run(name)
        assert run.layer_sizes == sizes and run.n_parameters == deep_lm.deep_lm_parameter_count(79, sizes)[1]
        assert run.checkpoints[-1] == deep_lm.RECIPE["steps"] and np.all(np.diff(run.cpu_seconds) >= 0)
        assert set(run.held_out_by_seed) == {0, *deep_lm.EXTRA_SEEDS}
    run = deep_lm.load_deep_run("1x64")
    _, held = deep_lm.split_corpus(deep_lm.corpus())
    assert deep_lm.deep_lm_mean_token_loss(run.parameters, run.vocabulary, held) == pytest.approx(
        run.held_out_loss_final, abs=1e-6)


def test_the_command_reproduces_a_run(tmp_path):
    deep_lm.main(["--only", "1x64", "--steps", "60", "--seeds", "0", "--out", str(tmp_path)])
    deep_lm.main(["--only", "1x64", "--steps", "60", "--seeds", "0", "--out", str(tmp_path / "again")])
    a, b = deep_lm.load_deep_run("1x64", tmp_path), deep_lm.load_deep_run("1x64", tmp_path / "again")
    assert all(np.array_equal(a.parameters[k][n], b.parameters[k][n]) for k in a.parameters for n in a.parameters[k])
    assert a.held_out_loss[-1] < a.held_out_loss[0]  # it learns


@pytest.mark.parametrize("call", [
    lambda: deep_lm.initialize_deep_lm(7, [], 0),
    lambda: deep_lm.initialize_deep_lm(7, [3, 0], 0),
    lambda: deep_lm.deep_lm_loss_and_gradients({"layer1": {}}, BATCH),
    lambda: deep_lm.deep_lm_loss_and_gradients(deep_lm.initialize_deep_lm(5, [3], 0), BATCH),  # index 6 ≥ n_y
    lambda: deep_lm.deep_lm_loss_and_gradients(deep_lm.initialize_deep_lm(7, [3], 0), BATCH.astype(float)),
    lambda: deep_lm.layer_size_for(79, 0, 100),
    lambda: deep_lm.split_corpus(["a", "b"], 1.5),
    lambda: deep_lm.load_deep_run("4x64"),
])
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_mismatched_layers_name_the_layer():
    p = deep_lm.initialize_deep_lm(7, [3, 4], 0)
    p["layer2"] = deep_lm.initialize_deep_lm(5, [4], 0)["layer1"]
    with pytest.raises(ValueError, match="layer2"):
        deep_lm.deep_lm_loss_and_gradients(p, BATCH)


def test_the_cone_is_the_rectangle_below_and_before():
    for L, T in [(1, 1), (3, 6), (4, 5)]:
        for layer in range(1, L + 1):
            for t in range(1, T + 1):
                cone = dependency_cone(L, T, layer, t)
                assert cone.sum() == layer * t - 1 + t and not cone[layer, t - 1]
                for k, s in direct_inputs(layer, t):
                    assert s == 0 or cone[k, s - 1]


def test_grid_figure_and_frames_colour_the_chosen_state():
    fig = grid_figure(3, 6, 2, 3)
    frame = grid_frame(3, 6, 3, 6)
    colours = frame["data"][1]["marker"]["color"]
    assert len(fig.data) == 2 and len(colours) == 5 * 6 and colours.count("#d62728") == 1
    assert [(a["ax"], a["ay"]) for a in frame["layout"]["annotations"]] == [(5, 3), (6, 2)]  # a[3]<5>, a[2]<6>
    assert [(a["ax"], a["ay"]) for a in grid_frame(3, 6, 2, 1)["layout"]["annotations"]] == [(1, 1)]  # a[2]<0> = 0
    assert "a[3]⟨6⟩" in frame["layout"]["title"]["text"]
    with pytest.raises(ValueError):
        grid_figure(3, 6, 4, 1)
    with pytest.raises(ValueError):
        gradient_norm_heatmap(-np.ones((2, 3)))


def test_the_explorer_follows_both_controls():
    e = DeepGridExplorer(3, 6, layer=2, t=3)
    assert (e.layer, e.t) == (2, 3) and "course-explorer" in e.explorer.widget._dom_classes
    e.layer_buttons.value = 3
    assert "a[3]⟨3⟩ = g(W_a[3] [a[3]⟨2⟩; a[2]⟨3⟩]" in e.explorer.figure_widget.layout.title.text
    e.explorer.slider.value = 0
    assert "a[3]⟨0⟩ = 0" in e.explorer.figure_widget.layout.title.text
    assert len(e.snapshot().frames) == 6
    with pytest.raises(ValueError):
        DeepGridExplorer(3, 6, layer=4)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_the_layers_are_the_deep_rnn_of_course_lib_deep(cell):
    from course_lib import deep
    from course_lib.data import one_hot
    from course_lib.lm import teacher_forcing_inputs
    from course_lib.recurrent import get_cell

    p = deep_lm.initialize_deep_lm(7, (3, 5, 4), np.random.default_rng(4), cell, init_scale=0.4)
    states, log_p = deep_lm.deep_lm_forward(p, BATCH, cell=cell)
    x = one_hot(teacher_forcing_inputs(BATCH), 7)  # x<1> = 0, x<t> = y<t-1>, the one-hot the lookup stands for
    a_top, caches = deep.stacked_forward(x, [p["layer1"], p["layer2"], p["layer3"]], cell)
    for mine, reference in zip(states, caches.hidden_states, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=0, atol=1e-14)
    W_y, b_y = (p["output"][k] for k in get_cell(cell).output_keys)
    z = np.einsum("ya,amt->ymt", W_y, a_top) + b_y[:, :, None]  # z<t> = Wy a[L]<t> + by
    np.testing.assert_allclose(log_p, z - np.log(np.exp(z).sum(axis=0)), atol=1e-12)
