"""Benchmark: course_lib's lstm_forward + lstm_backward beside PyTorch's nn.LSTM.

    .venv/bin/python -m tests.benchmarks.lstm_speed

Both run in float64 on the CPU, without peepholes, at the teaching size (n_x = n_a = 64,
m = 32, T_x = 50) and a small size (n_x = n_a = 16, m = 8, T_x = 20): one forward pass
and one backward pass of the contraction Σ da * a (for PyTorch, (out * upstream).sum()
.backward()). The time printed is the median of many repeats (time.perf_counter), NumPy
and PyTorch in alternating blocks so that both see the same machine load. PyTorch is
optional: without it only the NumPy line is printed. Before timing, both are checked to
compute the same numbers (the weights mapped with lstm_parameters_to_torch).
The ratio printed is the median over the rounds of each round's ratio (two blocks side by
side), beside the middle half of the rounds (see torch_compare.compare).

By default both libraries use their own thread pools, as installed. On a machine busy with
other work, multi-threaded matrix products wait for descheduled threads and the timings
scatter widely; ``--threads 1`` runs both single-threaded, which is steadier:

    .venv/bin/python -m tests.benchmarks.lstm_speed --threads 1

``--keep-memory`` times both without page faults (see torch_compare.keep_memory).
"""

from tests.benchmarks.torch_compare import assert_same, compare, time_first, torch  # first: sets the threads before NumPy loads

import numpy as np  # noqa: E402

from course_lib.lstm import (  # noqa: E402
    initialize_lstm_parameters,
    lstm_backward,
    lstm_forward,
    lstm_parameters_to_torch,
)

REPEATS = {"teaching": 150, "small": 750}
GRADIENTS = ("weight_ih", "weight_hh", "bias_ih")


def numpy_step(x, a0, parameters, da):
    """What is timed for course_lib: forward, then backward from the upstream da."""
    _, _, _, caches = lstm_forward(x, a0, parameters)
    return lstm_backward(da, caches)


def torch_setup(x, a0, parameters, da):
    """nn.LSTM holding the same weights (lstm_parameters_to_torch) and the same data."""
    n_a, width = parameters["Wf"].shape
    lstm = torch.nn.LSTM(width - n_a, n_a, dtype=torch.float64)
    with torch.no_grad():
        for name, value in lstm_parameters_to_torch(parameters).items():
            getattr(lstm, name + "_l0").copy_(torch.from_numpy(value))
    x_t, h0, upstream = time_first(x, a0, da)
    return lstm, x_t, (h0, torch.zeros_like(h0)), upstream  # lstm_forward starts from c<0> = 0


def check_same_numbers(gradients, lstm, x_t, initial, upstream):
    """Both libraries compute the same gradients (up to rounding)."""
    ours = lstm_parameters_to_torch({k[1:]: v for k, v in gradients.items() if k[:2] in ("dW", "db")})
    assert_same([
        *((ours[name], getattr(lstm, name + "_l0").grad) for name in GRADIENTS),
        (gradients["dx"], x_t.grad.numpy().transpose(2, 1, 0)),
        (gradients["da0"], initial[0].grad.numpy()[0].T),
    ])


def main():
    compare(
        make_parameters=lambda rng, n_x, n_a: initialize_lstm_parameters(n_x, n_a, None, rng, scale=1 / np.sqrt(n_a)),
        numpy_step=numpy_step,
        torch_setup=torch_setup,
        check=check_same_numbers,
        numpy_label="lstm_forward + lstm_backward",
        torch_label="nn.LSTM",
        ratio="(course_lib at {time:.2f}x of PyTorch's time)",
        repeats=REPEATS,
    )


if __name__ == "__main__":
    main()
