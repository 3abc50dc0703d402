"""Saving shipped models: the file names and the JSON metadata that models.py and adding.py share.

A private module with public names, as ``_validate``: meant to be imported by the modules
that write and read ``assets/``, not by learners.
"""

import json
from pathlib import Path

import numpy as np

__all__ = ["json_value", "metadata_text", "npz_path"]


def npz_path(path):
    """``path`` as a Path ending in .npz: "my_model" and "my_model.npz" name the same file."""
    if isinstance(path, bytes) or not isinstance(path, (str, Path)) or not str(path):
        raise ValueError(f"path must be a file name (str or Path), got {path!r}")
    path = Path(path)
    return path if path.suffix == ".npz" or path.is_dir() else path.with_name(path.name + ".npz")


def json_value(value):
    """Numpy scalars and arrays as JSON numbers and lists (json knows neither)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def metadata_text(meta, name="metadata"):
    """``meta`` as a .json file's text: JSON values only (numpy ones converted), no NaN.

    Raises ValueError naming ``name`` for a value JSON cannot hold.
    """
    try:
        return json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False, default=json_value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold JSON values only (no NaN or infinity): {exc}") from exc
