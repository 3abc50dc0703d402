"""Saving shipped models: where they are, the file names and the JSON metadata that the
modules writing and reading them share.

A private module with public names, as ``_validate``: meant to be imported by the modules
that write and read ``assets/``, not by learners.
"""

import json
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["ASSETS", "json_value", "metadata_text", "npz_path", "read_npz"]


def _assets():
    """The directory of the shipped models: in an installed course (a wheel, ``pip install .``)
    the copy the package carries as course_lib/assets; in a clone (``pip install -e .``,
    the notebooks' own), the repository's assets/, where the commands write."""
    packaged = Path(__file__).resolve().parent / "assets"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "assets"


ASSETS = _assets()


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


def read_npz(path, writer, rebuild):
    """The arrays of the .npz archive at ``path`` (a Path), as a dict; else a ValueError naming it.

    Args:
        path: the archive's Path (see npz_path).
        writer: the function that writes such archives, named in the errors ("save_model").
        rebuild: how a missing shipped file is made again, said when ``path`` does not exist.
    """
    if not path.exists():
        raise ValueError(f"path {str(path)!r} does not exist ({rebuild})")
    if not path.is_file():
        raise ValueError(f"path {str(path)!r} is a directory, not a .npz file written by {writer}")
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(data)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"path {str(path)!r} is not a .npz archive written by {writer} ({exc})") from exc
