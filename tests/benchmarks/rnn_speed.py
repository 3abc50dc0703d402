"""Benchmark: course_lib's rnn_forward + rnn_backward beside PyTorch's nn.RNN.

    .venv/bin/python -m tests.benchmarks.rnn_speed

Both run in float64 on the CPU, with tanh, at the teaching size (n_x = n_a = 64, m = 32,
T_x = 50) and a small size (n_x = n_a = 16, m = 8, T_x = 20): one forward pass and one
backward pass of the contraction Σ da * a (for PyTorch, (out * upstream).sum().backward()).
The time printed is the median of many repeats (time.perf_counter), NumPy and PyTorch
in alternating blocks so that both see the same machine load. PyTorch is optional: without
it only the NumPy line is printed. Before timing, both are checked to compute the same
numbers.
The ratio printed is the median over the rounds of each round's ratio (two blocks side by
side), beside the middle half of the rounds (see torch_compare.compare).

By default both libraries use their own thread pools, as installed. On a machine busy with
other work, multi-threaded matrix products wait for descheduled threads and the timings
scatter widely; ``--threads 1`` runs both single-threaded, which is steadier:

    .venv/bin/python -m tests.benchmarks.rnn_speed --threads 1

``--keep-memory`` times both without page faults (see torch_compare.keep_memory).
"""

from tests.benchmarks.torch_compare import assert_same, compare, time_first, torch  # first: sets the threads before NumPy loads

import numpy as np  # noqa: E402

from course_lib.rnn import initialize_rnn_parameters, rnn_backward, rnn_forward  # noqa: E402

REPEATS = {"teaching": 300, "small": 1500}


def numpy_step(x, a0, parameters, da):
    """What is timed for course_lib: forward, then backward from the upstream da."""
    _, _, caches = rnn_forward(x, a0, parameters)
    return rnn_backward(da, caches)


def torch_setup(x, a0, parameters, da):
    """nn.RNN holding the same weights (its second bias b_hh set to 0) and the same data."""
    n_a, n_x = parameters["Wax"].shape
    rnn = torch.nn.RNN(n_x, n_a, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(parameters["Wax"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(parameters["Waa"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(parameters["ba"][:, 0]))
        rnn.bias_hh_l0.zero_()
    return (rnn, *time_first(x, a0, da))


def check_same_numbers(gradients, rnn, x_t, h0, upstream):
    """Both libraries compute the same gradients (up to rounding)."""
    assert_same([
        (gradients["dWax"], rnn.weight_ih_l0.grad),
        (gradients["dWaa"], rnn.weight_hh_l0.grad),
        (gradients["dba"][:, 0], rnn.bias_ih_l0.grad),
        (gradients["dx"], x_t.grad.numpy().transpose(2, 1, 0)),
    ])


def main():
    compare(
        make_parameters=lambda rng, n_x, n_a: initialize_rnn_parameters(n_x, n_a, None, rng, scale=1 / np.sqrt(n_a)),
        numpy_step=numpy_step,
        torch_setup=torch_setup,
        check=check_same_numbers,
        numpy_label="rnn_forward + rnn_backward",
        torch_label="nn.RNN",
        ratio="(course_lib {fast:.2f}x as fast)",
        repeats=REPEATS,
    )


if __name__ == "__main__":
    main()
