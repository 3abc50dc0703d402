"""Freed memory kept for the next call: one nudge to glibc's malloc, made once on import.

A forward and backward pass of the GRU or the LSTM at the teaching size (n_x = n_a = 64,
m = 32, T_x = 50) takes 6 to 9 MB of caches and gradients from malloc and frees them when
the caller is done. glibc's malloc hands the free memory at the top of its heap back to
the system once it exceeds the trim threshold: 128 kB at first, and twice the size of the
largest block it has mmapped and taken back since (mallopt(3), "M_MMAP_THRESHOLD"). The
largest blocks of such a call are 2.5 to 3.3 MB (the input term of every step), so the
threshold stays under what the call frees, the heap is trimmed after every call, and the
next call page-faults its memory in again: 2,192 (GRU) and 1,568 (LSTM) faults a call,
which made a call take 1.2 to 1.9 times as long as with the memory kept (three runs of
each, course_lib alone, here).

``keep_freed_memory`` allocates one block of ``BLOCK`` bytes and frees it at once, never
touching it, as a program freeing any large array does: glibc then raises its mmap
threshold to the block's size and its trim threshold to twice that, and keeps that much
freed memory for reuse. The process never holds more than its peak heap; it only gives
less of it back between calls. Other C libraries (macOS's, Windows', Pyodide's) are left
alone.
"""

import os

import numpy as np

BLOCK = 16 << 20  # bytes: below glibc's cap on the adjusted threshold (32 MiB on 64-bit systems)


def uses_glibc():
    """True when this Python runs on glibc's C library (Linux, not musl or Pyodide)."""
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # no confstr, or no such name here
        return False


def keep_freed_memory():
    """Raise glibc's trim threshold to 2 · BLOCK by freeing one untouched block; True if done."""
    if not uses_glibc():
        return False
    block = np.empty(BLOCK // 8)  # float64; above the initial mmap threshold: malloc mmaps it
    del block  # freed: glibc's dynamic thresholds follow its size
    return True
