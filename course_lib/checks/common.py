"""What every checker shares: the comparison table and the failure it raises."""

import numpy as np


class CheckFailed(AssertionError):
    """A learner's function disagrees with the reference; the message says where and why."""


def compare_gradients(expected, got, rtol=1e-7, atol=1e-10):
    """One row per expected key: (name, exact, close, max difference, note).

    Args:
        expected: dict name → reference array.
        got: what the learner's function returned (anything; checked here).
    Returns:
        list of rows (name, exact: bool, close: bool, max_diff: float or None, note: str).
    """
    rows = []
    for name, ref in expected.items():
        if not isinstance(got, dict) or name not in got:
            rows.append((name, False, False, None, "missing"))
            continue
        value = np.asarray(got[name], dtype=np.float64)
        if value.shape != ref.shape:
            rows.append((name, False, False, None, f"shape {value.shape}, expected {ref.shape}"))
            continue
        diff = float(np.max(np.abs(value - ref))) if ref.size else 0.0
        close = bool(np.allclose(value, ref, rtol=rtol, atol=atol))
        rows.append((name, bool(np.array_equal(value, ref)), close, diff, ""))
    return rows


def format_table(rows):
    """The rows of ``compare_gradients`` as a fixed-width text table."""
    lines = [f"{'name':10s} {'exact':>6s} {'close':>6s} {'max difference':>15s}  note"]
    for name, exact, close, diff, note in rows:
        shown = "—" if diff is None else f"{diff:.2e}"
        lines.append(f"{name:10s} {'yes' if exact else 'no':>6s} {'yes' if close else 'no':>6s} {shown:>15s}  {note}")
    return "\n".join(lines)
