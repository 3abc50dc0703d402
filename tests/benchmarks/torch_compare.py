"""The harness shared by rnn_speed, gru_speed and lstm_speed: course_lib beside PyTorch.

Import it first, before NumPy: on import it reads ``--threads`` from the command line and
sets ``OPENBLAS_NUM_THREADS``, which OpenBLAS reads once, when NumPy is first imported;
``--keep-memory`` fixes glibc's trim and mmap thresholds for the process (see keep_memory),
so that page faults, which depend on what both libraries allocated before, leave the timings
(importing course_lib already raises them once: course_lib/_memory.py).
Each script then hands ``compare`` its cell's pieces (how to make the weights, the NumPy
step, the equivalent PyTorch module and step, the check that both compute the same
numbers, the labels). PyTorch is optional: without it only the NumPy lines are printed.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

_main = sys.modules.get("__main__")
_ARGS = argparse.ArgumentParser(description=((getattr(_main, "__doc__", None) or __doc__).splitlines() or [""])[0])
_ARGS.add_argument("--threads", type=int, default=None, help="threads for both libraries")
_ARGS.add_argument("--keep-memory", action="store_true",
                   help="glibc keeps freed memory for reuse (both libraries): time the work without page faults")
_PARSED = _ARGS.parse_args()
THREADS, KEEP_MEMORY = _PARSED.threads, _PARSED.keep_memory
if THREADS is not None:  # OpenBLAS reads this once, when NumPy is first imported
    os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)


def keep_memory():
    """Make glibc's malloc keep freed memory, for the whole process (both libraries alike).

    Why freed memory would otherwise come back as page faults, and what importing
    course_lib already does about it, is in course_lib/_memory.py: a fresh 4 kB page costs
    about 1.3 µs in this virtual machine (a 3.9 MB array filled: 1.34 ms, 999 faults).
    Fixed thresholds (which also end glibc's adjusting them) keep the memory whatever
    either library allocates: then both libraries are timed at their arithmetic alone.
    """
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    for option in (m_trim_threshold, m_mmap_threshold):
        if libc.mallopt(option, 1 << 30) != 1:
            raise OSError("mallopt refused to set the thresholds")


if KEEP_MEMORY:
    keep_memory()

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

try:
    import torch
except ImportError:
    torch = None

SIZES = {"teaching": (64, 64, 32, 50), "small": (16, 16, 8, 20)}  # (n_x, n_a, m, T_x)
ROUNDS = 15


def time_first(x, a0, da):
    """PyTorch's layout of the data: x (T_x, m, n_x) and h0 (1, m, n_a) needing gradients, the upstream (T_x, m, n_a)."""
    x_t = torch.from_numpy(x.transpose(2, 1, 0).copy()).requires_grad_()
    h0 = torch.from_numpy(a0.T[None].copy()).requires_grad_()
    upstream = torch.from_numpy(da.transpose(2, 1, 0).copy())
    return x_t, h0, upstream


def torch_step(module, x_t, initial, upstream):
    """What is timed for PyTorch: forward from ``initial`` (h0, or (h0, c0)), then backward of (out * upstream).sum()."""
    states = initial if isinstance(initial, tuple) else (initial,)
    for tensor in (x_t, *states, *module.parameters()):
        tensor.grad = None
    out, _ = module(x_t, initial)
    (out * upstream).sum().backward()


def assert_same(pairs):
    """Each (course_lib's, PyTorch's) pair of arrays is equal up to rounding."""
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-10, atol=1e-12)


def median_ms(step, args, repeats, faults=None):
    """The median time of ``repeats`` calls in ms; appends the page faults per call to ``faults``."""
    times = []
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(repeats):
        start = time.perf_counter()
        step(*args)
        times.append(time.perf_counter() - start)
    if faults is not None:
        faults.append((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / repeats)
    return 1e3 * statistics.median(times)


def compare(
    *,
    make_parameters,
    numpy_step,
    torch_setup,
    check,
    numpy_label,
    torch_label,
    ratio,
    repeats,
    sizes=SIZES,
    torch_step=torch_step,
    load_after=False,
):
    """Time numpy_step beside torch_step at each size and print one line for each library.

    Args:
        make_parameters: (rng, n_x, n_a) -> course_lib's parameters; the data x (n_x, m, T_x),
            the initial state (n_a, m) and the upstream gradient (n_a, m, T_x) are drawn after.
        numpy_step: (x, a0, parameters, da) -> gradients, the course_lib work timed.
        torch_setup: (x, a0, parameters, da) -> the arguments of torch_step (module first).
        check: (gradients, *torch_setup's result) after one torch_step; raises if they differ.
        numpy_label, torch_label: "rnn_forward + rnn_backward", "nn.RNN".
        ratio: the speed note, a format string of ``fast`` (PyTorch's time / course_lib's)
            and ``time`` (course_lib's / PyTorch's), e.g. "(course_lib {fast:.2f}x as fast)":
            the median over the rounds of each round's ratio.
        repeats: {size name: timed repeats}, spread over ROUNDS alternating blocks.
        sizes: {size name: (n_x, n_a, m, T_x)}.
        load_after: also print the load average at the end.
    """
    # Timings on a shared machine depend on its load: print it beside them.
    print(f"load average (1 min) before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"threads: {THREADS or 'library defaults'}")
    memory = ("kept by glibc for reuse (--keep-memory)" if KEEP_MEMORY
              else "glibc's thresholds as importing course_lib leaves them (course_lib/_memory.py)")
    print(f"memory: {memory}")
    rng = np.random.default_rng(0)
    if torch is not None:
        torch.manual_seed(0)
        if THREADS is not None:
            torch.set_num_threads(THREADS)
    for name, (n_x, n_a, m, T_x) in sizes.items():
        parameters = make_parameters(rng, n_x, n_a)
        x = rng.standard_normal((n_x, m, T_x))
        a0 = rng.standard_normal((n_a, m))
        da = rng.standard_normal((n_a, m, T_x))
        ours = (x, a0, parameters, da)
        label = f"{name:8s} (n_x={n_x}, n_a={n_a}, m={m}, T_x={T_x}, float64)"

        theirs = None
        if torch is not None:
            theirs = torch_setup(*ours)
            torch_step(*theirs)
            check(numpy_step(*ours), *theirs)

        # Alternate blocks of each, so that both see the same machine load; the pause lets
        # the other library's idle threads stop spinning before a block is timed.
        numpy_times, torch_times, numpy_faults, torch_faults = [], [], [], []
        for _ in range(ROUNDS):
            blocks = ((numpy_step, ours, numpy_times, numpy_faults), (torch_step, theirs, torch_times, torch_faults))
            for step, args, times, faults in blocks:
                if args is None:
                    continue
                time.sleep(0.2)
                median_ms(step, args, 10)  # warm up
                times.append(median_ms(step, args, repeats[name] // ROUNDS, faults))

        # Page faults: fresh memory from the system, each worth microseconds in a virtual machine.
        # How many a call takes depends on what the allocator did before (it hands freed blocks
        # back to the system or not), and it moves the timings from run to run.
        numpy_ms = statistics.median(numpy_times)
        print(f"{label}  {numpy_label}: {numpy_ms:7.3f} ms  ({statistics.mean(numpy_faults):.0f} page faults a call)")
        if theirs:
            torch_ms = statistics.median(torch_times)
            # The ratio is taken round by round, each from two blocks timed side by side: a
            # burst of load on the machine moves both, or only one round's ratio.
            times = [n / t for n, t in zip(numpy_times, torch_times)]  # course_lib's time / PyTorch's
            low, middle, high = statistics.quantiles(times, n=4)
            note = ratio.format(fast=1 / middle, time=middle)
            print(f"{label}  torch {torch.__version__} {torch_label} forward + backward: {torch_ms:7.3f} ms  {note}"
                  f"  ({statistics.mean(torch_faults):.0f} page faults a call)")
            print(f"{label}  course_lib's time / PyTorch's, round by round: median {middle:.2f}, "
                  f"middle half {low:.2f}-{high:.2f} of {ROUNDS} rounds")
    if torch is None:
        print("torch not installed")
    if load_after:
        print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")
