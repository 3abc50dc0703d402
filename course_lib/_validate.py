"""Argument checks shared by the math modules: clear ValueErrors naming the argument.

Every public function of course_lib checks its inputs with these before computing, so a
learner who passes an array of the wrong shape reads which argument is wrong and which
shape was expected, instead of a broadcasting error three calls deep.
"""

import numpy as np


def as_float_array(name, value, ndim=None, finite=True):
    """``value`` as a float64 array (a copy only where a conversion is needed).

    Raises ValueError naming ``name`` when it is not numeric, has the wrong number of
    dimensions, or (with ``finite``) holds NaN or infinity.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def as_shaped_array(name, value, letters):
    """``value`` as a finite float64 array with as many axes as ``letters`` names.

    For the arrays that define sizes (x defines m and T_x, Wax defines n_a and n_x ...);
    every other array is then checked against those sizes with ``check_shape``.
    ``letters`` spells the expected shape, e.g. "(n_a, m, T_x)".
    """
    arr = as_float_array(name, value)
    if arr.ndim != letters.count(",") + 1:
        raise ValueError(f"{name} must have shape {letters}, got shape {arr.shape}")
    return arr


def check_shape(name, arr, expected, letters):
    """Raise ValueError unless ``arr.shape == expected``.

    ``letters`` spells the expected shape in the course's notation, e.g. "(n_a, m)".
    """
    if arr.shape != tuple(expected):
        raise ValueError(
            f"{name} must have shape {letters} = {tuple(expected)}, got {arr.shape}"
        )


def require_keys(name, mapping, keys):
    """Raise ValueError naming ``name`` and the missing keys of ``mapping``."""
    if not isinstance(mapping, dict):
        raise ValueError(f"{name} must be a dict, got {type(mapping).__name__}")
    missing = [k for k in keys if k not in mapping]
    if missing:
        raise ValueError(f"{name} is missing {missing} (expected keys {list(keys)})")


def check_positive_int(name, value, minimum=1):
    """Raise ValueError unless ``value`` is an int ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive_float(name, value, allow_zero=False):
    """Raise ValueError unless ``value`` is a finite number > 0 (or ≥ 0)."""
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return v


def as_generator(name, rng):
    """``rng`` as a np.random.Generator: a Generator as it is, an int as a seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ValueError(f"{name} must be a np.random.Generator or an int seed, got {type(rng).__name__}")
