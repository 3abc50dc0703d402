"""Argument checks shared by the math modules: clear ValueErrors naming the argument.

Every public function of course_lib checks its inputs with these before computing, so a
learner who passes an array of the wrong shape reads which argument is wrong and which
shape was expected, instead of a broadcasting error three calls deep.
"""

import functools

import numpy as np


def as_float_array(name, value, ndim=None, finite=True):
    """``value`` as a real float64 array (a copy only where a conversion is needed).

    Raises ValueError naming ``name`` when it is None, not a real number array (strings,
    booleans, complex numbers and ragged lists are refused rather than guessed at), has
    the wrong number of dimensions, or (with ``finite``) holds NaN or infinity.
    """
    if type(value) is np.ndarray and value.dtype == np.float64:  # the usual case: nothing to convert
        arr = value
    else:
        arr = _converted(name, value)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if finite and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _converted(name, value):
    """``value`` as a float64 array, or a ValueError for what is not a real number array."""
    if value is None:
        raise ValueError(f"{name} must be a numeric array, got None")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from exc
    if raw.dtype.kind == "c":
        raise ValueError(f"{name} must be real, got complex values (dtype {raw.dtype})")
    if raw.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a numeric array, got dtype {raw.dtype} ({type(value).__name__})")
    return raw.astype(np.float64, copy=False)


def as_shaped_array(name, value, letters):
    """``value`` as a finite float64 array with as many axes as ``letters`` names.

    For the arrays that define sizes (x defines m and T_x, Wax defines n_a and n_x ...);
    every other array is then checked against those sizes with ``check_shape``.
    ``letters`` spells the expected shape, e.g. "(n_a, m, T_x)".
    """
    arr = as_float_array(name, value)
    if arr.ndim != letters.count(",") + 1 or 0 in arr.shape:
        raise ValueError(f"{name} must have shape {letters} with every size >= 1, got shape {arr.shape}")
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


def check_positive_int(name, value, minimum=1, maximum=None):
    """Raise ValueError unless ``value`` is an int ≥ ``minimum`` (and ≤ ``maximum``)."""
    if maximum is not None and isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
            and minimum <= value and value > maximum:
        raise ValueError(f"{name} must be an integer from {minimum} to {maximum}, got {value!r}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive_float(name, value, allow_zero=False):
    """Raise ValueError unless ``value`` is a finite number > 0 (or ≥ 0): not a bool or a str."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    v = float(value)
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


def check_bool(name, value):
    """Raise ValueError unless ``value`` is True or False (a string such as "no" is not)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_choice(name, value, options):
    """Raise ValueError, listing the options, unless ``value`` is one of them."""
    options = list(options)
    if not isinstance(value, (str, int, float, type(None))) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


@functools.lru_cache(maxsize=None)
def _letters(letters):
    """"(n_a, m, T_x)" -> ["n_a", "m", "T_x"]."""
    return tuple(s.strip() for s in letters.strip("()").split(","))


def shaped_array(name, value, letters, **sizes):
    """``value`` as a finite real float64 array of shape ``letters``, sizes checked.

    ``letters`` spells the shape in the course's notation, "(n_a, m)"; ``sizes`` gives the
    letters already known (``n_a=4``); a letter not given may be any size of at least 1
    (m and T_x are then defined by this array). The error names the argument, the
    expected shape in letters and in numbers, and the shape received.
    """
    return check_letters(name, as_float_array(name, value), letters, **sizes)


def check_letters(name, arr, letters, **sizes):
    """``arr`` itself if its shape fits ``letters`` and ``sizes`` (see shaped_array), else ValueError."""
    names = _letters(letters)
    shape = arr.shape
    if len(shape) == len(names) and 0 not in shape:
        for n, s in zip(names, shape):
            if sizes.get(n, s) != s or (n.isdigit() and int(n) != s):
                break
        else:
            return arr
    # A letter not given is defined by this array itself (x defines m and T_x, Wya defines
    # n_y): it takes the array's own size when the array has the right number of axes.
    same_axes = arr.ndim == len(names)
    shown = "(" + ", ".join(
        str(sizes[n]) if n in sizes else n if n.isdigit()
        else (str(arr.shape[i]) if same_axes and arr.shape[i] > 0 else n)
        for i, n in enumerate(names)
    ) + ")"
    empty = " with every size >= 1" if 0 in arr.shape else ""
    raise ValueError(f"{name} must have shape {letters} = {shown}{empty}, got {arr.shape}")


def float_parameters(name, parameters, required, optional=()):
    """A new dict of the parameters as finite real float64 arrays, keys checked.

    Args:
        name: the argument's name ("parameters").
        parameters: the dict given.
        required: the keys that must be present, e.g. ("Wax", "Waa", "ba").
        optional: a group of keys that is all present or all absent (an output layer
            needs both Wya and by).
    Returns:
        dict of the required (and present optional) entries. Any other key (a gradient,
        a misspelt "waa") raises: an entry silently ignored would be a silent bug.
        The shapes are the caller's to check (with ``check_letters``).
    """
    require_keys(name, parameters, tuple(required))
    present = [k for k in optional if k in parameters]
    if present and len(present) != len(optional):
        missing = [k for k in optional if k not in parameters]
        raise ValueError(f"{name} has {present} but is missing {missing}: give all of {list(optional)} or none")
    unknown = [k for k in parameters if k not in required and k not in optional]
    if unknown:
        raise ValueError(f"{name} has unexpected keys {unknown} (expected {list(required) + list(optional)})")
    p = {k: as_float_array(f'{name}["{k}"]', parameters[k], finite=False) for k in (*required, *present)}
    # One finite check of all the entries at once: for a cell's many small arrays it costs
    # about a third of checking them one by one. The one-by-one check runs only to name
    # the entry that failed.
    if p and not np.isfinite(np.concatenate([v.reshape(-1) for v in p.values()])).all():
        for k, v in p.items():
            as_float_array(f'{name}["{k}"]', v)
    return p


def sequence_inputs(x, a0, n_x, n_a, x_name="x", a0_name="a0"):
    """x (n_x, m, T_x) and a0 (n_a, m) as checked float64 arrays; x defines m and T_x."""
    x = shaped_array(x_name, x, "(n_x, m, T_x)", n_x=n_x)
    a0 = shaped_array(a0_name, a0, "(n_a, m)", n_a=n_a, m=x.shape[1])
    return x, a0


def checked(check):
    """Decorator: check the arguments at the door, then run the computation unchecked.

    ``check`` takes the decorated function's arguments and returns them, checked and
    converted, as a tuple in the function's order. The undecorated function stays
    reachable as ``.unchecked``, for callers whose arguments are checked already (the
    sequence driver calls a cell's step T_x times, after one check at its own door), and
    ``inspect.getsource`` (hence ``show_source``) shows the decorator line and then the math.
    """
    def decorate(fn):
        @functools.wraps(fn)
        def at_the_door(*args, **kwargs):
            return fn(*check(*args, **kwargs))

        at_the_door.unchecked = fn
        return at_the_door

    return decorate
