"""The math modules import with NumPy alone: plotly, ipywidgets and scipy made unimportable."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MATH_MODULES = ["course_lib.activations", "course_lib.rnn", "course_lib.gradients", "course_lib.losses"]


@pytest.mark.parametrize("module", MATH_MODULES)
def test_math_module_imports_without_plotly_ipywidgets_or_scipy(module):
    # A None entry in sys.modules makes any later `import plotly` raise ImportError.
    code = (
        "import sys\n"
        "for name in ('plotly', 'ipywidgets', 'scipy'):\n"
        "    sys.modules[name] = None\n"
        f"import {module}\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
