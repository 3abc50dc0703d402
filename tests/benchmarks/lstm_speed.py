"""Benchmark: course_lib's lstm_forward + lstm_backward beside PyTorch's nn.LSTM.

    .venv/bin/python -m tests.benchmarks.lstm_speed

Both run in float64 on the CPU, without peepholes, at the teaching size (n_x = n_a = 64,
m = 32, T_x = 50) and a small size (n_x = n_a = 16, m = 8, T_x = 20): one forward pass
and one backward pass of the contraction Σ da * a (for PyTorch, (out * upstream).sum()
.backward()). The time printed is the median of many repeats (time.perf_counter), NumPy
and PyTorch in alternating blocks so that both see the same machine load. PyTorch is
optional: without it only the NumPy line is printed. Before timing, both are checked to
compute the same numbers (the weights mapped with lstm_parameters_to_torch).

By default both libraries use their own thread pools, as installed. On a machine busy with
other work, multi-threaded matrix products wait for descheduled threads and the timings
scatter widely; ``--threads 1`` runs both single-threaded, which is steadier:

    .venv/bin/python -m tests.benchmarks.lstm_speed --threads 1
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=None, help="threads for both libraries")
THREADS = ARGS.parse_args().threads
if THREADS is not None:  # OpenBLAS reads this once, when NumPy is first imported
    os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from course_lib.lstm import (  # noqa: E402
    initialize_lstm_parameters,
    lstm_backward,
    lstm_forward,
    lstm_parameters_to_torch,
)

try:
    import torch
except ImportError:
    torch = None

SIZES = {"teaching": (64, 64, 32, 50), "small": (16, 16, 8, 20)}  # (n_x, n_a, m, T_x)
REPEATS = {"teaching": 100, "small": 500}
ROUNDS = 5
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
    # nn.LSTM wants time first: (T_x, m, n_x) and (T_x, m, n_a); lstm_forward starts from c<0> = 0.
    x_t = torch.from_numpy(x.transpose(2, 1, 0).copy()).requires_grad_()
    h0 = torch.from_numpy(a0.T[None].copy()).requires_grad_()
    c0 = torch.zeros_like(h0)
    upstream = torch.from_numpy(da.transpose(2, 1, 0).copy())
    return lstm, x_t, h0, c0, upstream


def torch_step(lstm, x_t, h0, c0, upstream):
    """What is timed for PyTorch: forward, then backward of (out * upstream).sum()."""
    for tensor in (x_t, h0, *lstm.parameters()):
        tensor.grad = None
    out, _ = lstm(x_t, (h0, c0))
    (out * upstream).sum().backward()


def check_same_numbers(gradients, lstm, x_t, h0):
    """Both libraries compute the same gradients (up to rounding)."""
    ours = lstm_parameters_to_torch({k[1:]: v for k, v in gradients.items() if k[:2] in ("dW", "db")})
    for name in GRADIENTS:
        np.testing.assert_allclose(ours[name], getattr(lstm, name + "_l0").grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gradients["dx"], x_t.grad.numpy().transpose(2, 1, 0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gradients["da0"], h0.grad.numpy()[0].T, rtol=1e-10, atol=1e-12)


def median_ms(step, args, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step(*args)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main():
    # Timings on a shared machine depend on its load: print it beside them.
    print(f"load average (1 min) before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"threads: {THREADS or 'library defaults'}")
    rng = np.random.default_rng(0)
    if torch is not None:
        torch.manual_seed(0)
        if THREADS is not None:
            torch.set_num_threads(THREADS)
    for name, (n_x, n_a, m, T_x) in SIZES.items():
        parameters = initialize_lstm_parameters(n_x, n_a, None, rng, scale=1 / np.sqrt(n_a))
        x = rng.standard_normal((n_x, m, T_x))
        a0 = rng.standard_normal((n_a, m))
        da = rng.standard_normal((n_a, m, T_x))
        ours = (x, a0, parameters, da)
        label = f"{name:8s} (n_x={n_x}, n_a={n_a}, m={m}, T_x={T_x}, float64)"

        theirs = None
        if torch is not None:
            theirs = torch_setup(*ours)
            torch_step(*theirs)
            check_same_numbers(numpy_step(*ours), theirs[0], theirs[1], theirs[2])

        # Alternate blocks of each, so that both see the same machine load; the pause lets
        # the other library's idle threads stop spinning before a block is timed.
        numpy_times, torch_times = [], []
        for _ in range(ROUNDS):
            blocks = ((numpy_step, ours, numpy_times), (torch_step, theirs, torch_times))
            for step, args, times in blocks:
                if args is None:
                    continue
                time.sleep(0.2)
                median_ms(step, args, 10)  # warm up
                times.append(median_ms(step, args, REPEATS[name] // ROUNDS))

        numpy_ms = statistics.median(numpy_times)
        print(f"{label}  lstm_forward + lstm_backward: {numpy_ms:7.3f} ms")
        if theirs:
            torch_ms = statistics.median(torch_times)
            print(
                f"{label}  torch {torch.__version__} nn.LSTM forward + backward: {torch_ms:7.3f} ms"
                f"  (course_lib at {numpy_ms / torch_ms:.2f}x of PyTorch's time)"
            )
    if torch is None:
        print("torch not installed")


if __name__ == "__main__":
    main()
