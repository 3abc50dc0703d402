"""Benchmark: course_lib's gru_forward + gru_backward beside PyTorch's nn.GRU.

    .venv/bin/python -m tests.benchmarks.gru_speed

Both run in float64 on the CPU, in the reset-after form (the one nn.GRU computes, so the
work is the same), at the teaching size (n_x = n_a = 64, m = 32, T_x = 50) and a small
size (n_x = n_a = 16, m = 8, T_x = 20): one forward pass and one backward pass of the
contraction Σ dc * c (for PyTorch, (out * upstream).sum().backward()). The time printed
is the median of many repeats (time.perf_counter), NumPy and PyTorch in alternating
blocks so that both see the same machine load. PyTorch is optional: without it only the
NumPy line is printed. Before timing, both are checked to compute the same numbers.
The ratio printed is the median over the rounds of each round's ratio (two blocks side by
side), beside the middle half of the rounds (see torch_compare.compare).

By default both libraries use their own thread pools, as installed. On a machine busy with
other work, multi-threaded matrix products wait for descheduled threads and the timings
scatter widely; ``--threads 1`` runs both single-threaded, which is steadier:

    .venv/bin/python -m tests.benchmarks.gru_speed --threads 1

``--keep-memory`` times both without page faults (see torch_compare.keep_memory).
"""

from tests.benchmarks.torch_compare import assert_same, compare, time_first, torch  # first: sets the threads before NumPy loads

import numpy as np  # noqa: E402

from course_lib.gru import gru_backward, gru_forward, initialize_gru_parameters, to_torch_gru  # noqa: E402

REPEATS = {"teaching": 150, "small": 1500}
VARIANT = "reset_after"


def numpy_step(x, c0, parameters, dc):
    """What is timed for course_lib: forward, then backward from the upstream dc."""
    _, _, caches = gru_forward(x, c0, parameters, variant=VARIANT)
    return gru_backward(dc, caches)


def torch_setup(x, c0, parameters, dc):
    """nn.GRU holding the same weights (to_torch_gru) and the same data."""
    n_a, n_ax = parameters["Wc"].shape
    gru = torch.nn.GRU(n_ax - n_a, n_a, dtype=torch.float64)
    gru.load_state_dict({k: torch.from_numpy(v) for k, v in to_torch_gru(parameters).items()})
    return (gru, *time_first(x, c0, dc))


def check_same_numbers(gradients, gru, x_t, h0, upstream):
    """Both libraries compute the same gradients (up to rounding)."""
    ours = to_torch_gru({k[1:]: v for k, v in gradients.items() if k not in ("dx", "dc0")})
    n_a = gradients["dc0"].shape[0]
    assert_same([
        (ours["weight_ih_l0"], gru.weight_ih_l0.grad),
        (ours["weight_hh_l0"], gru.weight_hh_l0.grad),
        (ours["bias_ih_l0"], gru.bias_ih_l0.grad),
        (gradients["dbcc"][:, 0], gru.bias_hh_l0.grad[2 * n_a:]),  # b_hr, b_hz's gradients equal b_ir, b_iz's
        (gradients["dx"], x_t.grad.numpy().transpose(2, 1, 0)),
        (gradients["dc0"], h0.grad.numpy()[0].T),
    ])


def main():
    compare(
        make_parameters=lambda rng, n_x, n_a: initialize_gru_parameters(
            n_x, n_a, None, rng, scale=1 / np.sqrt(n_a), variant=VARIANT
        ),
        numpy_step=numpy_step,
        torch_setup=torch_setup,
        check=check_same_numbers,
        numpy_label=f"gru_forward + gru_backward ({VARIANT})",
        torch_label="nn.GRU",
        ratio="(course_lib {time:.2f}x PyTorch's time)",
        repeats=REPEATS,
        load_after=True,
    )


if __name__ == "__main__":
    main()
