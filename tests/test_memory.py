"""course_lib's import keeps glibc from handing each call's freed memory back (see course_lib/_memory.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import _memory

ROOT = Path(__file__).resolve().parents[1]

# A fresh interpreter: what a kernel does after ``import course_lib``. It times nothing; it
# counts the page faults of a teaching-size LSTM forward and backward after two warm-up
# calls (without the nudge: about 1,600 a call, the memory of the whole call).
FAULTS_A_CALL = """
import json, resource
import numpy as np
from course_lib import lstm
rng = np.random.default_rng(0)
p = lstm.initialize_lstm_parameters(64, 64, None, rng)
x, a0, da = rng.standard_normal((64, 32, 50)), rng.standard_normal((64, 32)), rng.standard_normal((64, 32, 50))
call = lambda: lstm.lstm_backward(da, lstm.lstm_forward(x, a0, p)[-1])
call(); call()
faults = []
for _ in range(5):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    call()
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps(faults))
"""


@pytest.mark.skipif(not _memory.uses_glibc(), reason="the nudge is for glibc's malloc only")
def test_a_repeated_call_reuses_its_memory_instead_of_page_faulting_it_in():
    result = subprocess.run([sys.executable, "-c", FAULTS_A_CALL], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    faults = json.loads(result.stdout)
    # 6 MB of caches and gradients a call would be ~1,600 faults of 4 kB pages.
    assert min(faults) < 100, faults


def test_the_nudge_is_made_only_on_glibc(monkeypatch):
    monkeypatch.setattr(_memory, "uses_glibc", lambda: False)
    assert _memory.keep_freed_memory() is False
    monkeypatch.undo()
    assert _memory.keep_freed_memory() is _memory.uses_glibc()
