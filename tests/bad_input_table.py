"""The table of tests/test_bad_input.py: a valid call of every public function, and the
kind of each of its arguments, from which the bad values are derived.

Kinds and the bad values they get (besides the kind's own, every argument gets None
unless ``optional`` lists it):
- "array": a str, a bool, a complex copy, a copy with NaN, one axis fewer, an empty axis.
- "int" (≥ 1) / "int0" (≥ 0): -1 (and 0 for "int"), 2.5, True, "3".
- "float" (> 0) / "float0" (≥ 0): -1.0, NaN, inf, True, "0.5" (and 0.0 for "float").
- "bool": "no", 1.
- "choice": "nonsense", 3.
- "str": 42, b"bytes".
- "rng": "42", 1.5.
- "params:<cell>": {}, each key missing, a misspelt extra key, and each entry None, NaN,
  complex or one axis short.
- "strs" (a list of str): a bare str, [], [42].
- "vocab": a list of tokens instead of a Vocabulary.
- "object": only None (and whatever ``extra`` adds).
"""

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

import course_lib

# ---------------------------------------------------------------------------------------
# Public names
# ---------------------------------------------------------------------------------------

# Records without logic of their own (result types, caches), exceptions, and re-exports.
EXEMPT = {
    "course_lib.recurrent.Cell": "a record of functions; a Cell is only built by the cell modules",
    "course_lib.recurrent.SequenceCache": "a result type, built only by the driver",
    "course_lib.recurrent.register_cell": "the cell modules call it once at import",
    "course_lib.recurrent.sequence_forward": "the unchecked driver: the public doors check (run_forward)",
    "course_lib.recurrent.sequence_backward": "the unchecked driver: the public doors check (run_backward)",
    "course_lib.recurrent.backward_steps": "the unchecked driver loop: the public doors check",
    "course_lib.recurrent.matmul_steps": "an unchecked product used inside cells",
    "course_lib.recurrent.outer_sum": "an unchecked product used inside cells",
    "course_lib.recurrent.sum_steps": "an unchecked product used inside cells",
    "course_lib.recurrent.add_bias": "an unchecked product used inside cells",
    "course_lib.recurrent.predictions": "an unchecked product used inside cells",
    "course_lib.rnn.rnn_step_backward": "the step the driver loops over, unchecked; rnn_cell_backward checks",
    "course_lib.rnn.rnn_parameter_gradients": "unchecked inner step; rnn_cell_backward checks",
}


def public_names():
    """"module.name" of every public function and class defined in course_lib."""
    names = set()
    for info in pkgutil.walk_packages(course_lib.__path__, "course_lib."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        exported = getattr(module, "__all__", None)
        for name, obj in vars(module).items():
            if name.startswith("_") or (exported is not None and name not in exported):
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # imported from elsewhere
            if inspect.isclass(obj) and (issubclass(obj, BaseException) or hasattr(obj, "_fields")
                                         or _is_plain_record(obj)):
                continue
            names.add(f"{module.__name__}.{name}")
    return names


def _is_plain_record(cls):
    """A dataclass without checks of its own (a result type)."""
    import dataclasses

    return dataclasses.is_dataclass(cls) and "__post_init__" not in vars(cls) and "__init__" not in vars(cls) \
        and not any(inspect.isfunction(v) and not k.startswith("_") for k, v in vars(cls).items()) \
        or (dataclasses.is_dataclass(cls) and getattr(cls, "__dataclass_params__").frozen
            and "__post_init__" not in vars(cls) and not _has_classmethods(cls))


def _has_classmethods(cls):
    return any(isinstance(v, classmethod) for v in vars(cls).values())


# ---------------------------------------------------------------------------------------
# Specs
# ---------------------------------------------------------------------------------------


@dataclass
class Spec:
    """One public function: how to call it validly, and the kind of each argument."""

    name: str  # "course_lib.rnn.rnn_forward"
    fn: Callable
    valid: Callable[[], dict]  # fresh keyword arguments of a valid call
    kinds: dict  # argument -> kind
    optional: tuple = ()  # arguments for which None is valid
    names: dict = field(default_factory=dict)  # argument -> what the message must name instead
    extra: dict = field(default_factory=dict)  # argument -> [(label, bad value)] besides the kind's
    allow: tuple = ()  # "argument-label" of kind-derived values that are valid for this function


@dataclass
class Extreme:
    """A valid call at an extreme size or scale; the result must be finite float64."""

    name: str
    fn: Callable
    valid: Callable[[], dict]
    check: Optional[Callable] = None


def _with_nan(a):
    b = np.array(a, dtype=np.float64)
    b.flat[0] = np.nan
    return b


def bad_values(spec, arg, kind):
    """[(label, value or function of the valid value)] for one argument of one spec."""
    rows = [] if arg in spec.optional else [("None", None)]
    if kind == "array":
        rows += [
            ("str", "1.0"), ("bool", True),
            ("complex", lambda v: np.asarray(v) + 1j),
            ("nan", _with_nan),
            ("axis-short", lambda v: np.asarray(v)[..., 0]),
            ("empty", lambda v: np.asarray(v)[..., :0]),
        ]
    elif kind in ("int", "int0"):
        rows += [("negative", -1), ("float", 2.5), ("bool", True), ("str", "3")]
        if kind == "int":
            rows.append(("zero", 0))
    elif kind in ("float", "float0"):
        rows += [("negative", -1.0), ("nan", float("nan")), ("inf", float("inf")), ("bool", True), ("str", "0.5")]
        if kind == "float":
            rows.append(("zero", 0.0))
    elif kind == "bool":
        rows += [("str", "no"), ("int", 1)]
    elif kind == "choice":
        rows += [("unknown", "nonsense"), ("int", 3)]
    elif kind == "str":
        rows += [("int", 42), ("bytes", b"bytes")]
    elif kind == "rng":
        rows += [("str", "42"), ("float", 1.5)]
    elif kind == "strs":
        rows += [("bare-str", "王刚和李明"), ("empty", []), ("non-str", [42])]
    elif kind == "vocab":
        rows += [("tokens", ["<UNK>", "<EOS>", "a"])]
    elif kind.startswith("params"):
        rows += [("empty-dict", {}), ("list", [1, 2])]
        valid = spec.valid()[arg]
        for key in valid:
            rows.append((f"missing-{key}", lambda v, key=key: {k: x for k, x in v.items() if k != key}))
            rows.append((f"{key}-None", lambda v, key=key: {**v, key: None}))
            rows.append((f"{key}-nan", lambda v, key=key: {**v, key: _with_nan(v[key])}))
            rows.append((f"{key}-complex", lambda v, key=key: {**v, key: np.asarray(v[key]) + 1j}))
            rows.append((f"{key}-axis-short", lambda v, key=key: {**v, key: np.asarray(v[key])[..., 0]}))
        first = next(iter(valid))
        rows.append(("misspelt-key", lambda v, first=first: {**v, first.lower() + "_": v[first]}))
    elif kind == "object":
        pass
    else:
        raise AssertionError(f"unknown kind {kind!r} in the spec of {spec.name}")
    rows = [(label, v) for label, v in rows if f"{arg}-{label}" not in spec.allow]
    return rows + list(spec.extra.get(arg, []))


# ---------------------------------------------------------------------------------------
# Valid inputs, made fresh for every call
# ---------------------------------------------------------------------------------------

N_X, N_A, N_Y, M, T_X = 3, 4, 2, 2, 5


def _rng(seed=0):
    return np.random.default_rng(seed)


def rnn_parameters(output=False, seed=0):
    from course_lib.rnn import initialize_rnn_parameters

    return initialize_rnn_parameters(N_X, N_A, N_Y if output else None, _rng(seed), scale=0.5)


def x_seq(seed=1, T=T_X, m=M):
    return _rng(seed).standard_normal((N_X, m, T))


def _rnn_caches():
    from course_lib.rnn import rnn_forward

    return rnn_forward(x_seq(), np.zeros((N_A, M)), rnn_parameters())[2]


def _rnn_cache():
    from course_lib.rnn import rnn_cell_forward

    return rnn_cell_forward(x_seq()[:, :, 0], np.zeros((N_A, M)), rnn_parameters())[2]


def _vocabulary():
    from course_lib.data import Vocabulary

    return Vocabulary.build(["王刚和李明去上班了", "李明和王刚是同事"], "char")


SPECS = []
EXTREMES = []


def resolve(name):
    """The object called ``name``: a module attribute, or a class's method ("mod.Class.build")."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


def spec(name, valid, kinds, **kw):
    SPECS.append(Spec(name, resolve(name), valid, kinds, **kw))


def extreme(name, valid, check=None):
    EXTREMES.append(Extreme(name, resolve(name.split("[")[0]), valid, check))


# --- activations ---------------------------------------------------------------------
for _f in ("sigmoid", "tanh", "relu", "identity", "softmax", "log_softmax"):
    spec(f"course_lib.activations.{_f}", lambda: {"z": x_seq()}, {"z": "object"},
         extra={"z": [("str", "1.0"), ("complex", lambda v: v + 1j), ("dict", {"a": 1})]})
spec("course_lib.activations.softmax_with_temperature", lambda: {"z": x_seq(), "temperature": 0.5},
     {"z": "object", "temperature": "float"}, extra={"z": [("str", "1.0"), ("complex", lambda v: v + 1j)]})
spec("course_lib.activations.get_activation", lambda: {"name": "tanh"}, {"name": "choice"}, names={"name": "activation"})
extreme("course_lib.activations.softmax_with_temperature[τ=1e-9]",
        lambda: {"z": 1e3 * x_seq(), "temperature": 1e-9})
extreme("course_lib.activations.softmax_with_temperature[τ=1e9]",
        lambda: {"z": 1e3 * x_seq(), "temperature": 1e9},
        check=lambda p: np.testing.assert_allclose(p, 1 / N_X, rtol=1e-5))
extreme("course_lib.activations.sigmoid[±1e4]", lambda: {"z": 1e4 * x_seq()})

# --- the recurrent core ----------------------------------------------------------------
spec("course_lib.recurrent.get_cell", lambda: {"cell": "rnn"}, {"cell": "choice"})
spec("course_lib.recurrent.cell_names", lambda: {}, {})
spec("course_lib.recurrent.run_forward", lambda: {"x": x_seq(), "parameters": rnn_parameters(), "cell": "rnn"},
     {"x": "array", "parameters": "params:rnn", "cell": "choice"})
spec("course_lib.recurrent.run_backward",
     lambda: {"d_hidden": x_seq(2)[:1].repeat(N_A, axis=0), "caches": _rnn_caches()},
     {"d_hidden": "array", "caches": "object", "input_gradient": "bool"},
     extra={"caches": [("list", [1, 2])]})

# --- rnn --------------------------------------------------------------------------------
spec("course_lib.rnn.initialize_rnn_parameters",
     lambda: {"n_x": N_X, "n_a": N_A, "n_y": N_Y, "rng": 0, "scale": 0.1},
     {"n_x": "int", "n_a": "int", "n_y": "int", "rng": "rng", "scale": "float"}, optional=("n_y",))
spec("course_lib.rnn.check_rnn_parameters", lambda: {"parameters": rnn_parameters(output=True)},
     {"parameters": "params:rnn"})
spec("course_lib.rnn.rnn_cell_forward",
     lambda: {"xt": x_seq()[:, :, 0], "a_prev": np.zeros((N_A, M)), "parameters": rnn_parameters(output=True)},
     {"xt": "array", "a_prev": "array", "parameters": "params:rnn", "activation": "choice"})
spec("course_lib.rnn.rnn_forward",
     lambda: {"x": x_seq(), "a0": np.zeros((N_A, M)), "parameters": rnn_parameters(output=True)},
     {"x": "array", "a0": "array", "parameters": "params:rnn", "activation": "choice"})
spec("course_lib.rnn.rnn_cell_backward",
     lambda: {"da_next": np.ones((N_A, M)), "cache": _rnn_cache()},
     {"da_next": "array", "cache": "object"}, extra={"cache": [("tuple", (1, 2, 3, 4, 5))]})
spec("course_lib.rnn.rnn_backward",
     lambda: {"da": np.ones((N_A, M, T_X)), "caches": _rnn_caches()},
     {"da": "array", "caches": "object", "input_gradient": "bool"}, extra={"caches": [("empty-list", [])]})
spec("course_lib.rnn.backprop_through_time",
     lambda: {"da": np.ones((N_A, M, T_X)), "caches": _rnn_caches()},
     {"da": "array", "caches": "object"})
extreme("course_lib.rnn.rnn_forward[m=1,T_x=1]",
        lambda: {"x": x_seq(T=1, m=1), "a0": np.zeros((N_A, 1)), "parameters": rnn_parameters(output=True)})
extreme("course_lib.rnn.rnn_forward[T_x=2000]",
        lambda: {"x": x_seq(T=2000), "a0": np.zeros((N_A, M)), "parameters": rnn_parameters(output=True)})
extreme("course_lib.rnn.rnn_forward[weights×1e3]",
        lambda: {"x": x_seq(), "a0": np.zeros((N_A, M)),
                 "parameters": {k: 1e3 * v for k, v in rnn_parameters(output=True).items()}})
extreme("course_lib.rnn.rnn_backward[T_x=2000]",
        lambda: {"da": np.ones((N_A, M, 2000)),
                 "caches": __import__("course_lib.rnn", fromlist=["rnn_forward"]).rnn_forward(
                     x_seq(T=2000), np.zeros((N_A, M)), rnn_parameters())[2]})

# --- losses -----------------------------------------------------------------------------
spec("course_lib.losses.binary_cross_entropy",
     lambda: {"y_hat": np.full((1, M, T_X), 0.3), "y": np.ones((1, M, T_X)), "mask": np.ones((M, T_X), bool)},
     {"y_hat": "array", "y": "array", "mask": "object"}, optional=("mask",))
spec("course_lib.losses.binary_cross_entropy_from_logits",
     lambda: {"z": x_seq()[:1], "y": np.ones((1, M, T_X))}, {"z": "array", "y": "array"})
spec("course_lib.losses.softmax_cross_entropy",
     lambda: {"z": x_seq(), "y": np.zeros((M, T_X), dtype=int)}, {"z": "array", "y": "object"},
     extra={"y": [("out-of-range", np.full((M, T_X), 7))]})
spec("course_lib.losses.output_layer_forward",
     lambda: {"a": x_seq()[:1].repeat(N_A, 0), "Wy": np.ones((N_Y, N_A)), "by": np.zeros((N_Y, 1))},
     {"a": "array", "Wy": "array", "by": "array"})
spec("course_lib.losses.output_layer_backward",
     lambda: {"dz": np.ones((N_Y, M, T_X)), "a": np.ones((N_A, M, T_X)), "Wy": np.ones((N_Y, N_A))},
     {"dz": "array", "a": "array", "Wy": "array"})
extreme("course_lib.losses.softmax_cross_entropy[gap 1e4]",
        lambda: {"z": 1e4 * x_seq(), "y": np.zeros((M, T_X), dtype=int)})

# --- data ---------------------------------------------------------------------------------
spec("course_lib.data.vocab.tokenize", lambda: {"text": "王刚和李明", "granularity": "char"},
     {"text": "str", "granularity": "choice"})
spec("course_lib.data.vocab.Vocabulary", lambda: {"tokens": ("<UNK>", "<EOS>", "a"), "granularity": "char"},
     {"tokens": "object", "granularity": "choice"}, extra={"tokens": [("no-specials", ("a", "b")), ("non-str", (1, 2))]})
spec("course_lib.data.vocab.Vocabulary.build",
     lambda: {"corpus": ["王刚和李明"], "granularity": "char", "max_size": 10},
     {"corpus": "object", "granularity": "choice", "max_size": "int"}, optional=("max_size",),
     extra={"corpus": [("empty", []), ("non-str", [42])]})
spec("course_lib.data.vocab.one_hot", lambda: {"indices": np.array([[0, 1, -1]]), "n_x": 3},
     {"indices": "object", "n_x": "int"},
     extra={"indices": [("float", np.array([[0.5]])), ("out-of-range", np.array([[5]])), ("1-D", np.array([0, 1]))]})
spec("course_lib.data.vocab.encode_batch",
     lambda: {"vocabulary": _vocabulary(), "sentences": ["王刚", "李明去上班了"], "add_eos": True},
     {"vocabulary": "vocab", "sentences": "strs", "add_eos": "bool"})
spec("course_lib.data.vocab.decode_batch",
     lambda: {"vocabulary": _vocabulary(), "x": np.eye(len(_vocabulary()))[:, :2].reshape(len(_vocabulary()), 1, 2)},
     {"vocabulary": "vocab", "x": "array", "mask": "object"}, optional=("mask",),
     extra={"mask": [("float", np.array([[0.5, 1.0]]))]})
spec("course_lib.data.tagging.name_tags", lambda: {"sentence": "王刚和李明去上班了", "names": ["王刚", "李明"]},
     {"sentence": "str", "names": "strs"}, extra={"names": [("empty-name", [""])]},
     allow=("names-empty",))  # no names: every label 0
spec("course_lib.data.tagging.name_tagging_examples", lambda: {"n": 3, "rng": 0}, {"n": "int", "rng": "rng"})
spec("course_lib.data.corpora.agreement_examples",
     lambda: {"n": 3, "rng": 0, "min_filler": 2, "max_filler": 12},
     {"n": "int", "rng": "rng", "min_filler": "int", "max_filler": "int"},
     extra={"max_filler": [("too-long", 99), ("below-min", 1)]})
spec("course_lib.data.corpora.agreement_sentences",
     lambda: {"n": 3, "rng": 0}, {"n": "int", "rng": "rng", "min_filler": "int", "max_filler": "int"})
spec("course_lib.data.corpora.chinese_sentences", lambda: {}, {})

# --- notebook helpers ------------------------------------------------------------------
spec("course_lib.notebook.show_source", lambda: {"obj": course_lib.rnn.rnn_cell_forward}, {"obj": "object"},
     extra={"obj": [("int", 3), ("str", "rnn_forward")]})
