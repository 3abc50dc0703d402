"""Benchmark: course_lib's gru_forward + gru_backward beside PyTorch's nn.GRU.

    .venv/bin/python -m tests.benchmarks.gru_speed

Both run in float64 on the CPU, in the reset-after form (the one nn.GRU computes, so the
work is the same), at the teaching size (n_x = n_a = 64, m = 32, T_x = 50) and a small
size (n_x = n_a = 16, m = 8, T_x = 20): one forward pass and one backward pass of the
contraction Σ dc * c (for PyTorch, (out * upstream).sum().backward()). The time printed
is the median of many repeats (time.perf_counter), NumPy and PyTorch in alternating
blocks so that both see the same machine load. PyTorch is optional: without it only the
NumPy line is printed. Before timing, both are checked to compute the same numbers.

By default both libraries use their own thread pools, as installed. On a machine busy with
other work, multi-threaded matrix products wait for descheduled threads and the timings
scatter widely; ``--threads 1`` runs both single-threaded, which is steadier:

    .venv/bin/python -m tests.benchmarks.gru_speed --threads 1
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
from course_lib.gru import gru_backward, gru_forward, initialize_gru_parameters, to_torch_gru  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

SIZES = {"teaching": (64, 64, 32, 50), "small": (16, 16, 8, 20)}  # (n_x, n_a, m, T_x)
REPEATS = {"teaching": 100, "small": 1000}
ROUNDS = 5
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
    # nn.GRU wants time first: (T_x, m, n_x) and (T_x, m, n_a).
    x_t = torch.from_numpy(x.transpose(2, 1, 0).copy()).requires_grad_()
    h0 = torch.from_numpy(c0.T[None].copy()).requires_grad_()
    upstream = torch.from_numpy(dc.transpose(2, 1, 0).copy())
    return gru, x_t, h0, upstream


def torch_step(gru, x_t, h0, upstream):
    """What is timed for PyTorch: forward, then backward of (out * upstream).sum()."""
    for tensor in (x_t, h0, *gru.parameters()):
        tensor.grad = None
    out, _ = gru(x_t, h0)
    (out * upstream).sum().backward()


def check_same_numbers(gradients, gru, x_t, h0):
    """Both libraries compute the same gradients (up to rounding)."""
    ours = to_torch_gru({k[1:]: v for k, v in gradients.items() if k not in ("dx", "dc0")})
    n_a = gradients["dc0"].shape[0]
    pairs = [
        (ours["weight_ih_l0"], gru.weight_ih_l0.grad),
        (ours["weight_hh_l0"], gru.weight_hh_l0.grad),
        (ours["bias_ih_l0"], gru.bias_ih_l0.grad),
        (gradients["dbcc"][:, 0], gru.bias_hh_l0.grad[2 * n_a:]),  # b_hr, b_hz's gradients equal b_ir, b_iz's
        (gradients["dx"], x_t.grad.numpy().transpose(2, 1, 0)),
        (gradients["dc0"], h0.grad.numpy()[0].T),
    ]
    for mine, theirs in pairs:
        np.testing.assert_allclose(mine, np.asarray(theirs), rtol=1e-10, atol=1e-12)


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
        parameters = initialize_gru_parameters(n_x, n_a, None, rng, scale=1 / np.sqrt(n_a), variant=VARIANT)
        x = rng.standard_normal((n_x, m, T_x))
        c0 = rng.standard_normal((n_a, m))
        dc = rng.standard_normal((n_a, m, T_x))
        ours = (x, c0, parameters, dc)
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
        print(f"{label}  gru_forward + gru_backward ({VARIANT}): {numpy_ms:7.3f} ms")
        if theirs:
            torch_ms = statistics.median(torch_times)
            print(
                f"{label}  torch {torch.__version__} nn.GRU forward + backward: {torch_ms:7.3f} ms"
                f"  (course_lib {numpy_ms / torch_ms:.2f}x PyTorch's time)"
            )
    if torch is None:
        print("torch not installed")
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
