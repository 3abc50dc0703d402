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
    "course_lib.recurrent.across_batch": "an unchecked constant the cells' steps use (an (n, 1) column over m columns)",
    "course_lib.recurrent.predictions": "an unchecked product used inside cells",
    "course_lib.rnn.rnn_step_backward": "the step the driver loops over, unchecked; rnn_cell_backward checks",
    "course_lib.rnn.rnn_parameter_gradients": "unchecked inner step; rnn_cell_backward checks",
    "course_lib.gru.gru_step_backward": "unchecked inner step; gru_cell_backward checks",
    "course_lib.gru.gru_parameter_gradients": "unchecked inner step; gru_cell_backward checks",
    "course_lib.lstm.lstm_step_backward": "the readable step of lstm_cell_backward, unchecked; lstm_cell_backward checks",
    "course_lib.lstm.lstm_parameter_gradients": "unchecked inner step; lstm_cell_backward checks",
    "course_lib.recurrent.one_hot_matmul": "an unchecked product used inside cells",
    "course_lib.losses.cross_entropy_of_columns": "the unchecked kernel of softmax_cross_entropy (which checks), in place",
    "course_lib.recurrent.one_hot_outer_sum": "an unchecked product used inside cells",
    "course_lib.train.TrainingResult": "a result record without logic, built only by train_model",
    "course_lib.quiz.parse_number": "reads whatever a learner typed, by design: None when it is no number "
                                    "(tests/test_quiz.py)",
    "course_lib.checks.answers.rnn_cell_forward": "a teacher's answer, written as a learner writes the stub (no door checks): "
                                        "tests/test_exercises.py runs it through its checker",
    "course_lib.checks.answers.rnn_cell_backward": "a teacher's answer, written as a learner writes the stub (no door checks): "
                                        "tests/test_exercises.py runs it through its checker",
    "course_lib.checks.answers.rnn_backward": "a teacher's answer, written as a learner writes the stub (no door checks): "
                                        "tests/test_exercises.py runs it through its checker",
    "course_lib.checks.answers.draw_token": "a teacher's answer, written as a learner writes the stub (no door checks): "
                                        "tests/test_exercises.py runs it through its checker",
    "course_lib.checks.answers.sample_indices": "a teacher's answer, written as a learner writes the stub (no door checks): "
                                        "tests/test_exercises.py runs it through its checker",
    "course_lib.checks.answers.clip_by_norm": "a teacher's answer, written as a learner writes the stub (no door checks): "
                                        "tests/test_exercises.py runs it through its checker",
    "course_lib.optim.rebuild": "an unchecked inner helper of SGD.step, Adam.step and training_step (all covered), "
                                "which give it the arrays gradient_pairs checked; no notebook calls it",
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
spec("course_lib.recurrent.parameter_count", lambda: {"cell": "lstm", "n_x": 3, "n_a": 4, "n_y": 2},
     {"cell": "choice", "n_x": "int", "n_a": "int", "n_y": "int"}, optional=("n_y",))
spec("course_lib.recurrent.hidden_size_for", lambda: {"cell": "rnn", "n_x": 3, "count": 200, "n_y": 2},
     {"cell": "choice", "n_x": "int", "count": "int", "n_y": "int"}, optional=("n_y",))

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
     lambda: {"corpus": ["王刚和李明"], "granularity": "char", "max_size": 10, "min_count": 1},
     {"corpus": "object", "granularity": "choice", "max_size": "int", "min_count": "int"}, optional=("max_size",),
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


# === architectures, tagger, dynamics, gradients, viz, widgets ===========================

def _caches(T=T_X):
    from course_lib.rnn import rnn_forward
    return rnn_forward(x_seq(T=T), np.zeros((N_A, M)), rnn_parameters())[2]


def _labels():
    return np.array([0, 1])


# --- gradients -------------------------------------------------------------------------
spec("course_lib.gradients.clip", lambda: {"gradients": {"dW": np.ones((2, 2))}, "max_value": 1.0},
     {"gradients": "object", "max_value": "float"}, extra={"gradients": [("list", [1.0]), ("nan", {"dW": np.full(2, np.nan)})]})
spec("course_lib.gradients.clip_by_norm", lambda: {"gradients": {"dW": np.ones((2, 2))}, "max_norm": 1.0},
     {"gradients": "object", "max_norm": "float"}, extra={"gradients": [("list", [1.0])]})
spec("course_lib.gradients.global_norm", lambda: {"gradients": {"dW": np.ones((2, 2))}}, {"gradients": "object"},
     extra={"gradients": [("list", [1.0]), ("str", {"dW": "1"})]})
spec("course_lib.gradients.gradient_check",
     lambda: {"f": lambda t: float(np.sum(t ** 2)), "theta": np.ones(3), "grad": 2 * np.ones(3), "epsilon": 1e-7},
     {"f": "object", "theta": "array", "grad": "array", "epsilon": "float"},
     extra={"f": [("tuple-result", lambda v: (lambda t: (1.0, {})))]})
spec("course_lib.gradients.step_norms", lambda: {"d": x_seq()}, {"d": "object"},
     extra={"d": [("str", "1"), ("2-D", np.ones((2, 2))), ("complex", lambda v: v + 1j)]})
spec("course_lib.gradients.timestep_gradient_norms", lambda: {"da": np.ones((N_A, M, T_X)), "caches": _caches()},
     {"da": "array", "caches": "object"}, extra={"caches": [("list", [1, 2])]})
extreme("course_lib.gradients.timestep_gradient_norms[T_x=2000]",
        lambda: {"da": np.ones((N_A, M, 2000)), "caches": _caches(2000)})

# --- dynamics ------------------------------------------------------------------------
spec("course_lib.dynamics.jacobian_products", lambda: {"caches": _caches(), "state": "a"},
     {"caches": "object", "state": "choice"}, optional=("state",),
     extra={"caches": [("list", [1, 2])]})
spec("course_lib.dynamics.jacobian_norms", lambda: {"caches": _caches(), "state": "a"},
     {"caches": "object", "state": "choice"}, optional=("state",))
spec("course_lib.dynamics.step_jacobians", lambda: {"caches": _caches()}, {"caches": "object"})
spec("course_lib.dynamics.decay_rate", lambda: {"norms": np.array([1.0, 0.5, 0.25])}, {"norms": "array"})
spec("course_lib.dynamics.largest_singular_value", lambda: {"W": np.eye(3)}, {"W": "array"})
spec("course_lib.dynamics.spectral_radius", lambda: {"W": np.eye(3)}, {"W": "array"})
spec("course_lib.dynamics.init_recurrent_weights",
     lambda: {"n_a": 4, "rng": 0, "singular_value": 1.0, "kind": "orthogonal"},
     {"n_a": "int", "rng": "rng", "singular_value": "float", "kind": "choice"})
spec("course_lib.dynamics.scale_to_spectral_radius", lambda: {"W": np.eye(3) + 0.1, "rho": 0.9},
     {"W": "array", "rho": "float"})
spec("course_lib.dynamics.non_normal_matrix", lambda: {"n_a": 3, "eigenvalue": 0.9, "coupling": 1.0},
     {"n_a": "int"})
spec("course_lib.dynamics.single_unit_gradient", lambda: {"w": np.array([0.5, 1.5]), "T": 10, "a0": 0.5, "b": 0.0},
     {"w": "object", "T": "int"}, extra={"w": [("str", "1"), ("2-D", np.ones((2, 2))), ("nan", np.array([np.nan]))]})
spec("course_lib.dynamics.gradient_flow", lambda: {"value": 0.9, "T": 10, "threshold": 1.0, "n_a": 4, "n_x": 2, "seed": 0},
     {"value": "float", "setting": "choice", "kind": "choice", "activation": "choice", "T": "int",
      "threshold": "float", "n_a": "int", "n_x": "int", "seed": "rng", "cell": "choice"})
spec("course_lib.dynamics.gradient_angle",
     lambda: {"gradients": {"dW": np.array([1.0, 2.0])}, "other": {"dW": np.array([2.0, 1.0])}},
     {"gradients": "object", "other": "object"},
     extra={"gradients": [("empty", {}), ("zeros", {"dW": np.zeros(2)})], "other": [("keys", {"dV": np.ones(2)})]})
extreme("course_lib.dynamics.gradient_angle[1e200]",
        lambda: {"gradients": {"g": np.array([1e200, 3e200])}, "other": {"g": np.array([1e200, 3e200])}},
        check=lambda angle: np.testing.assert_equal(angle, 0.0))
extreme("course_lib.dynamics.jacobian_norms[T_x=1100]", lambda: {"caches": _caches(1100)})

# --- tagger ----------------------------------------------------------------------------
def _tagger():
    return rnn_parameters(output=False) | {"Wya": 0.5 * np.ones((1, N_A)), "by": np.zeros((1, 1))}


spec("course_lib.tagger.tagger_predict", lambda: {"parameters": _tagger(), "x": x_seq()},
     {"parameters": "params:rnn", "x": "array", "cell": "choice"})
spec("course_lib.tagger.tagger_loss_and_gradients",
     lambda: {"parameters": _tagger(), "x": x_seq(), "y": np.ones((1, M, T_X)), "mask": np.ones((M, T_X), bool)},
     {"parameters": "params:rnn", "x": "array", "y": "array", "mask": "object", "cell": "choice"}, optional=("mask",))

# --- architectures -------------------------------------------------------------------
spec("course_lib.architectures.fit_lengths", lambda: {"name": "many_to_one", "T_x": 3, "T_y": 2},
     {"name": "choice", "T_x": "int", "T_y": "int"})
spec("course_lib.architectures.check_lengths", lambda: {"name": "many_to_one", "T_x": 3, "T_y": 1},
     {"name": "choice", "T_x": "int", "T_y": "int"})
spec("course_lib.architectures.architecture_shapes",
     lambda: {"name": "many_to_one", "n_x": 3, "n_a": 4, "n_y": 2, "m": 2, "T_x": 3, "T_y": 1},
     {"name": "choice", "n_x": "int", "n_a": "int", "n_y": "int", "m": "int", "T_x": "int", "T_y": "int", "cell": "choice"})
spec("course_lib.architectures.parameter_letters", lambda: {"cell": "rnn", "n_x": "n_x"}, {"cell": "choice", "n_x": "str"})
spec("course_lib.architectures.array_letters", lambda: {"name": "many_to_one"}, {"name": "choice", "cell": "choice"})
spec("course_lib.architectures.one_to_one", lambda: {"x": x_seq(T=1), "parameters": rnn_parameters(output=True)},
     {"x": "array", "parameters": "params:rnn", "cell": "choice"}, extra={"x": [("T_x=2", x_seq(T=2))]})
spec("course_lib.architectures.one_to_many",
     lambda: {"x": x_seq(T=1), "parameters": rnn_parameters(output=False) | {"Wya": np.ones((N_X, N_A)), "by": np.zeros((N_X, 1))}, "T_y": 3},
     {"x": "array", "parameters": "params:rnn", "T_y": "int", "cell": "choice"})
for _m in ("many_to_one", "many_to_many"):
    spec(f"course_lib.architectures.{_m}", lambda: {"x": x_seq(), "parameters": rnn_parameters(output=True)},
         {"x": "array", "parameters": "params:rnn", "cell": "choice"},
         extra={"parameters": [("by-(1,1)", lambda v: {**v, "by": np.zeros((1, 1))})]})
spec("course_lib.architectures.encoder_decoder",
     lambda: {"x": x_seq(), "encoder_parameters": rnn_parameters(),
              "decoder_parameters": __import__("course_lib.rnn", fromlist=["x"]).initialize_rnn_parameters(N_Y, N_A, N_Y, 1, 0.5), "T_y": 3},
     {"x": "array", "encoder_parameters": "params:rnn", "decoder_parameters": "params:rnn", "T_y": "int", "cell": "choice"})
spec("course_lib.architectures.many_to_one_gradients",
     lambda: {"x": x_seq(), "y": _labels(), "parameters": rnn_parameters(output=True)},
     {"x": "array", "y": "object", "parameters": "params:rnn", "cell": "choice", "input_gradient": "bool"},
     extra={"y": [("float", np.array([0.0, 1.0])), ("bool", np.array([True, False])), ("out-of-range", np.array([0, 5]))]})
spec("course_lib.architectures.encoder_decoder_gradients",
     lambda: {"x": x_seq(), "y": np.array([[0, 1, 1], [1, 0, 0]]), "encoder_parameters": rnn_parameters(),
              "decoder_parameters": __import__("course_lib.rnn", fromlist=["x"]).initialize_rnn_parameters(N_Y, N_A, N_Y, 1, 0.5)},
     {"x": "array", "y": "object", "encoder_parameters": "params:rnn", "decoder_parameters": "params:rnn", "cell": "choice"},
     extra={"y": [("float", np.zeros((2, 3))), ("out-of-range", np.full((2, 3), 9))]})
extreme("course_lib.architectures.many_to_one_gradients[T_x=2000]",
        lambda: {"x": x_seq(T=2000), "y": _labels(), "parameters": rnn_parameters(output=True)})
extreme("course_lib.architectures.many_to_one_gradients[gap 1e4]",
        lambda: {"x": x_seq(), "y": _labels(), "parameters": rnn_parameters(output=True) | {"by": np.array([[1e4], [0.0]])}})

# --- viz -------------------------------------------------------------------------------
_A = lambda: np.arange(12.0).reshape(3, 4) / 12  # noqa: E731
spec("course_lib.viz.figures.matrix_heatmap", lambda: {"values": _A(), "scale": "signed"},
     {"values": "array", "scale": "choice"}, extra={"values": [("inf", np.full((2, 2), np.inf))]})
spec("course_lib.viz.figures.step_heatmap", lambda: {"values": _A(), "t": 1, "step_labels": list("abcd")},
     {"values": "array", "t": "int0", "reveal": "bool"},
     extra={"t": [("out-of-range", 4)], "step_labels": [("short", ["a"]), ("dup", list("aabc"))]})
spec("course_lib.viz.figures.heatmap_z", lambda: {"values": _A(), "visible_steps": 2}, {"values": "array", "visible_steps": "int0"},
     optional=("visible_steps",), extra={"visible_steps": [("too-many", 5)]})
spec("course_lib.viz.figures.column_highlight", lambda: {"t": 1, "n_rows": 3}, {"t": "int0", "n_rows": "int"})
spec("course_lib.viz.figures.unread_mask", lambda: {"t": 1, "n_steps": 4, "n_rows": 3},
     {"t": "int0", "n_steps": "int", "n_rows": "int"}, extra={"t": [("out-of-range", 4)]})
spec("course_lib.viz.figures.norm_bars", lambda: {"norms": np.array([1.0, 2.0]), "highlight": 1},
     {"norms": "object", "highlight": "int0", "log_y": "bool"}, optional=("highlight",),
     extra={"norms": [("str", "1"), ("2-D", np.ones((2, 2)))], "highlight": [("out-of-range", 2)],
            "labels": [("short", ["a"])]})
spec("course_lib.viz.figures.series_over_time", lambda: {"series": {"a": np.array([1.0, 2.0])}},
     {"series": "object", "log_y": "bool", "full_log_labels": "bool"},
     extra={"series": [("list", [1.0]), ("empty", {})], "x": [("short", [1.0])],
            "dashes": [("unknown-series", ["b"]), ("int", 3)]})
spec("course_lib.viz.rnn.forward_step_frame",
     lambda: {"a": _A(), "a0": np.zeros(3), "y_pred": np.full((2, 4), 0.5), "t": 1, "step_labels": list("abcd"), "title": ""},
     {"a": "array", "a0": "array", "y_pred": "array", "t": "int0"},
     allow=("a0-empty", "a0-axis-short"), extra={"t": [("out-of-range", 4)], "step_labels": [("short", ["a"])]})
spec("course_lib.viz.rnn.backward_step_frame", lambda: {"da_loss": _A(), "da_future": _A(), "t": 3, "title": ""},
     {"da_loss": "array", "da_future": "array", "t": "int0"}, extra={"t": [("out-of-range", 4)]})
spec("course_lib.viz.lm.sampling_step_frame",
     lambda: {"distributions": np.full((3, 2), 1 / 3), "tokens": ["a", "b"], "vocabulary_tokens": ["a", "b", "c"], "t": 1,
              "top_k": 2, "before_cut": np.full((3, 2), 1 / 3), "caption": "τ = 1.00"},
     {"distributions": "array", "t": "int0", "top_k": "int", "before_cut": "array", "caption": "str"},
     optional=("before_cut",),
     extra={"t": [("out-of-range", 2)], "tokens": [("unknown", ["a", "z"]), ("None", None)],
            "vocabulary_tokens": [("short", ["a"])], "before_cut": [("other-shape", np.full((3, 3), 1 / 3))]})

# --- widgets ---------------------------------------------------------------------------
spec("course_lib.widgets.forward.ForwardExplorer",
     lambda: {"vocabulary": _vocabulary(), "sentence": "王刚和李明", "n_a": 4, "activation": "tanh", "seed": 0},
     {"vocabulary": "vocab", "sentence": "str", "n_a": "int", "activation": "choice", "seed": "rng", "cell": "choice"},
     extra={"n_a": [("above-slider", 32)], "sentence": [("blank", "   ")]})
spec("course_lib.widgets.notation.NotationExplorer",
     lambda: {"corpus": ["王刚和李明去上班了", "李明和王刚是同事"], "sentence": "王刚", "granularity": "char"},
     {"corpus": "strs", "sentence": "str", "granularity": "choice", "max_size": "int"}, optional=("max_size",),
     extra={"max_size": [("above-slider", 1000)]})
spec("course_lib.widgets.gradients.GradientExplorer", lambda: {"value": 0.9, "T": 10},
     {"value": "float", "setting": "choice", "kind": "choice", "activation": "choice", "T": "int",
      "threshold": "float", "seed": "rng", "cell": "choice"},
     extra={"T": [("above-slider", 2000), ("off-grid", 47)], "value": [("above-slider", 3.0)],
            "threshold": [("above-slider", 1e9)]})
spec("course_lib.widgets.architectures.ArchitectureExplorer", lambda: {"name": "many_to_one", "T_x": 3, "T_y": 1},
     {"name": "choice", "T_x": "int", "T_y": "int", "n_x": "int", "n_a": "int", "n_y": "int", "m": "int", "cell": "choice"},
     extra={"T_x": [("above-slider", 50)]})
spec("course_lib.widgets.backward.BackwardExplorer",
     lambda: {"da_loss": np.ones((3, 4)), "da_total": np.ones((3, 4)), "tokens": list("王刚和李")},
     {"da_loss": "array", "da_total": "array", "tokens": "strs"}, allow=("tokens-empty",))


# --- gru --------------------------------------------------------------------------------
def gru_parameters(output=False, seed=0, variant="full"):
    from course_lib.gru import initialize_gru_parameters

    return initialize_gru_parameters(N_X, N_A, N_Y if output else None, _rng(seed), scale=0.5, variant=variant)


def _gru_caches(variant="full", T=T_X):
    from course_lib.gru import gru_forward

    return gru_forward(x_seq(T=T), np.zeros((N_A, M)), gru_parameters(variant=variant), variant=variant)[2]


def _gru_cache():
    from course_lib.gru import gru_cell_forward

    return gru_cell_forward(x_seq()[:, :, 0], np.zeros((N_A, M)), gru_parameters())[2]


def _torch_weights():
    from course_lib.gru import to_torch_gru

    return to_torch_gru(gru_parameters(variant="reset_after"))


spec("course_lib.gru.initialize_gru_parameters",
     lambda: {"n_x": N_X, "n_a": N_A, "n_y": N_Y, "rng": 0, "scale": 0.1, "variant": "full"},
     {"n_x": "int", "n_a": "int", "n_y": "int", "rng": "rng", "scale": "float", "variant": "choice"},
     optional=("n_y",))
spec("course_lib.gru.check_gru_parameters", lambda: {"parameters": gru_parameters(output=True)},
     {"parameters": "params:gru", "variant": "choice"})
spec("course_lib.gru.gru_cell_forward",
     lambda: {"xt": x_seq()[:, :, 0], "c_prev": np.zeros((N_A, M)), "parameters": gru_parameters(output=True)},
     {"xt": "array", "c_prev": "array", "parameters": "params:gru", "variant": "choice"})
spec("course_lib.gru.gru_forward",
     lambda: {"x": x_seq(), "c0": np.zeros((N_A, M)), "parameters": gru_parameters(output=True)},
     {"x": "array", "c0": "array", "parameters": "params:gru", "variant": "choice"})
spec("course_lib.gru.gru_cell_backward",
     lambda: {"dc_next": np.ones((N_A, M)), "cache": _gru_cache()},
     {"dc_next": "array", "cache": "object"},
     extra={"cache": [("tuple", tuple(range(8))), ("rnn-cache", lambda v: _rnn_cache())]})
spec("course_lib.gru.gru_backward",
     lambda: {"dc": np.ones((N_A, M, T_X)), "caches": _gru_caches()},
     {"dc": "array", "caches": "object", "input_gradient": "bool"},
     extra={"caches": [("empty-list", []), ("rnn-caches", lambda v: _rnn_caches())]})
spec("course_lib.gru.to_torch_gru", lambda: {"parameters": gru_parameters(variant="reset_after")},
     {"parameters": "params:gru"})
spec("course_lib.gru.from_torch_gru", lambda: {"weights": _torch_weights()}, {"weights": "params:torch"})
for _variant in ("full", "simplified", "reset_after"):
    extreme(f"course_lib.gru.gru_forward[{_variant},m=1,T_x=1]",
            lambda v=_variant: {"x": x_seq(T=1, m=1), "c0": np.zeros((N_A, 1)),
                                "parameters": gru_parameters(output=True, variant=v), "variant": v})
    extreme(f"course_lib.gru.gru_forward[{_variant},weights×1e3]",
            lambda v=_variant: {"x": x_seq(), "c0": np.zeros((N_A, M)), "variant": v,
                                "parameters": {k: 1e3 * w for k, w in gru_parameters(output=True, variant=v).items()}})
    extreme(f"course_lib.gru.gru_backward[{_variant},T_x=2000]",
            lambda v=_variant: {"dc": np.ones((N_A, M, 2000)), "caches": _gru_caches(v, T=2000)})


# --- lstm -------------------------------------------------------------------------------
def lstm_parameters(output=False, peepholes=False, seed=0):
    from course_lib.lstm import initialize_lstm_parameters

    return initialize_lstm_parameters(N_X, N_A, N_Y if output else None, _rng(seed), scale=0.5, peepholes=peepholes)


def _lstm_caches(peepholes=False, T=T_X):
    from course_lib.lstm import lstm_forward

    return lstm_forward(x_seq(T=T), np.zeros((N_A, M)), lstm_parameters(peepholes=peepholes))[3]


def _lstm_cache(peepholes=False):
    from course_lib.lstm import lstm_cell_forward

    return lstm_cell_forward(x_seq()[:, :, 0], np.zeros((N_A, M)), np.zeros((N_A, M)), lstm_parameters(peepholes=peepholes))[3]


spec("course_lib.lstm.initialize_lstm_parameters",
     lambda: {"n_x": N_X, "n_a": N_A, "n_y": N_Y, "rng": 0, "scale": 0.1, "peepholes": True, "forget_bias": 1.0},
     {"n_x": "int", "n_a": "int", "n_y": "int", "rng": "rng", "scale": "float", "peepholes": "bool",
      "forget_bias": "float0"},
     optional=("n_y",), allow=("forget_bias-negative",))  # a negative forget bias is a valid choice
spec("course_lib.lstm.check_lstm_parameters",
     lambda: {"parameters": lstm_parameters(output=True, peepholes=True), "peepholes": True},
     {"parameters": "params:lstm", "peepholes": "bool"}, optional=("peepholes",))
spec("course_lib.lstm.lstm_cell_for", lambda: {"parameters": lstm_parameters(peepholes=True), "peephole_form": "tutorial"},
     {"parameters": "params:lstm", "peephole_form": "choice"})
for _peep in (False, True):
    spec("course_lib.lstm.lstm_cell_forward",
         lambda _peep=_peep: {"xt": x_seq()[:, :, 0], "a_prev": np.zeros((N_A, M)), "c_prev": np.ones((N_A, M)),
                              "parameters": lstm_parameters(output=True, peepholes=_peep)},
         {"xt": "array", "a_prev": "array", "c_prev": "array", "parameters": "params:lstm", "peephole_form": "choice"})
    spec("course_lib.lstm.lstm_forward",
         lambda _peep=_peep: {"x": x_seq(), "a0": np.zeros((N_A, M)), "parameters": lstm_parameters(output=True, peepholes=_peep)},
         {"x": "array", "a0": "array", "parameters": "params:lstm", "peephole_form": "choice"})
    spec("course_lib.lstm.lstm_cell_backward",
         lambda _peep=_peep: {"da_next": np.ones((N_A, M)), "dc_next": np.ones((N_A, M)), "cache": _lstm_cache(_peep)},
         {"da_next": "array", "dc_next": "array", "cache": "object"},
         extra={"cache": [("tuple", tuple(range(11))), ("rnn-cache", _rnn_cache())]})
    spec("course_lib.lstm.lstm_backward",
         lambda _peep=_peep: {"da": np.ones((N_A, M, T_X)), "caches": _lstm_caches(_peep)},
         {"da": "array", "caches": "object", "input_gradient": "bool"},
         extra={"caches": [("empty-list", []), ("rnn-caches", _rnn_caches())]})
spec("course_lib.lstm.lstm_parameters_to_torch", lambda: {"parameters": lstm_parameters(output=True)},
     {"parameters": "params:lstm"}, extra={"parameters": [("peepholes", lstm_parameters(peepholes=True))]})
spec("course_lib.lstm.lstm_parameters_from_torch",
     lambda: {"weights": __import__("course_lib.lstm", fromlist=["x"]).lstm_parameters_to_torch(lstm_parameters())},
     {"weights": "params:torch"})
extreme("course_lib.lstm.lstm_forward[m=1,T_x=1]",
        lambda: {"x": x_seq(T=1, m=1), "a0": np.zeros((N_A, 1)), "parameters": lstm_parameters(output=True, peepholes=True)})
extreme("course_lib.lstm.lstm_forward[T_x=2000]",
        lambda: {"x": x_seq(T=2000), "a0": np.zeros((N_A, M)), "parameters": lstm_parameters(output=True)})
extreme("course_lib.lstm.lstm_forward[weights×1e3]",
        lambda: {"x": x_seq(), "a0": np.zeros((N_A, M)),
                 "parameters": {k: 1e3 * v for k, v in lstm_parameters(output=True, peepholes=True).items()}})
extreme("course_lib.lstm.lstm_backward[T_x=2000]",
        lambda: {"da": np.ones((N_A, M, 2000)), "caches": _lstm_caches(True, T=2000)})


# === lm, train, models, agreement, optim, checks, the rest of viz and widgets ==========
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

_TMP = tempfile.TemporaryDirectory(prefix="bad_input_table_")  # removed when the tests end


def _tmp_dir():
    """A fresh directory of its own for one call (files written by a valid call or a bad value)."""
    return Path(tempfile.mkdtemp(dir=_TMP.name))


def _lm(vocabulary=None, seed=0, cell="rnn"):
    """A tiny language model on ``vocabulary`` (the char-level one by default)."""
    from course_lib.recurrent import get_cell

    n_y = len(vocabulary or _vocabulary())
    return get_cell(cell).initialize(n_y, N_A, n_y, _rng(seed), 0.5)


def _lm_1e3():
    return {k: 1e3 * v for k, v in _lm().items()}


def _indices(T=T_X, m=M, seed=2):
    """Token indices (m, T) of the char vocabulary, <EOS> (1) last, no padding."""
    n_y = len(_vocabulary())
    y = _rng(seed).integers(2, n_y, size=(m, T))
    y[:, -1] = 1
    return y


def _padded():
    y = _indices()
    y[1, 3:] = -1
    return y


_BAD_INDICES = [("float", lambda v: np.asarray(v, dtype=float)), ("bool", lambda v: np.asarray(v) > 2),
                ("1-D", lambda v: np.asarray(v)[0]), ("3-D", lambda v: np.asarray(v)[None]),
                ("empty", lambda v: np.asarray(v)[:, :0]), ("str", "123"), ("list-of-str", [["a", "b"]]),
                ("out-of-range", lambda v: np.asarray(v) + 100), ("below-padding", lambda v: np.asarray(v) - 10),
                ("padding-first", lambda v: np.concatenate([np.full((len(v), 1), -1), v], axis=1))]


def _sentences():
    return ["王刚和李明去上班了", "李明和王刚是同事"]


# --- ngram --------------------------------------------------------------------------------
def _ngram(order=2, smoothing="interpolated", k=0.5):
    from course_lib.ngram import fit_ngram

    return fit_ngram(_sentences(), _vocabulary(), order=order, smoothing=smoothing, k=k)


_BAD_WEIGHTS = [("not-summing-to-1", (0.5, 0.4)), ("three-for-a-bigram", (0.5, 0.3, 0.2)), ("negative", (1.2, -0.2)),
                ("unigram-zero", (1.0, 0.0)), ("nan", (float("nan"), 1.0)), ("str", "0.5 0.5"), ("bools", (True, False))]
spec("course_lib.ngram.fit_ngram",
     lambda: {"sentences": _sentences(), "vocabulary": _vocabulary(), "order": 2, "smoothing": "interpolated",
              "k": 0.5, "weights": (0.7, 0.3)},
     {"sentences": "strs", "vocabulary": "vocab", "order": "int", "smoothing": "choice", "k": "float",
      "weights": "object"}, optional=("weights",),
     extra={"order": [("four", 4)], "weights": _BAD_WEIGHTS,
            "smoothing": [("add_k-with-weights", "add_k")]})  # weights are for interpolation only
spec("course_lib.ngram.default_grid", lambda: {"order": 3, "smoothing": "interpolated"},
     {"order": "int", "smoothing": "choice"}, extra={"order": [("four", 4)]})
spec("course_lib.ngram.tune_ngram",
     lambda: {"train": _sentences(), "validation": ["王刚去上班了"], "vocabulary": _vocabulary(), "order": 2,
              "smoothing": "add_k", "grid": [{"k": 1.0}, {"k": 0.1}]},
     {"train": "strs", "validation": "strs", "vocabulary": "vocab", "order": "int", "smoothing": "choice",
      "grid": "object"}, optional=("grid",),
     extra={"order": [("four", 4)],
            "grid": [("empty", []), ("a-dict", {"k": 1.0}), ("unknown-key", [{"alpha": 1.0}]), ("k-zero", [{"k": 0.0}]),
                     ("weights-for-add_k", [{"weights": (0.5, 0.5)}]), ("not-a-dict", [1.0])]})
spec("course_lib.ngram.NGramModel.log_probabilities", lambda: {"self": _ngram(), "sentence": "王刚和李明"},
     {"self": "object", "sentence": "str"}, optional=("self",))
spec("course_lib.ngram.NGramModel.distribution", lambda: {"self": _ngram(3), "history": [2, 3]},
     {"self": "object", "history": "object"}, optional=("self",),
     extra={"history": [("str", "王刚"), ("floats", [2.0]), ("bools", [True]), ("start-marker", [-1]),
                        ("out-of-range", lambda v: [len(_vocabulary())]), ("2-D", np.array([[2, 3]])), ("dict", {2: 1})]})
for _f in ("mean_token_loss", "perplexity"):
    spec(f"course_lib.ngram.NGramModel.{_f}", lambda: {"self": _ngram(), "sentences": _sentences()},
         {"self": "object", "sentences": "strs"}, optional=("self",))
spec("course_lib.ngram.NGramModel.sample", lambda: {"self": _ngram(), "rng": 0, "max_length": 20},
     {"self": "object", "rng": "rng", "max_length": "int"}, optional=("self",))
extreme("course_lib.ngram.NGramModel.perplexity[k=1e9]",
        lambda: {"self": _ngram(1, "add_k", 1e9), "sentences": _sentences() + ["没见过的字"]},
        check=lambda pp: np.testing.assert_allclose(pp, len(_vocabulary()), rtol=1e-6))
extreme("course_lib.ngram.NGramModel.log_probabilities[2000 characters, unseen histories]",
        lambda: {"self": _ngram(3), "sentence": "同事王刚去上班了李明" * 200})
extreme("course_lib.ngram.NGramModel.sample[max_length=2000]",
        lambda: {"self": _ngram(1, "add_k", 1e9), "rng": 0, "max_length": 2000})

# --- tbptt and lm.chunk_loss_and_gradients ----------------------------------------------------
def _chunk():
    y = np.array([[2, 3, 1, 4], [5, 1, 2, 3]])
    x = np.array([[-1, 2, 3, -1], [4, 5, -1, 2]])
    return x, y


spec("course_lib.lm.chunk_loss_and_gradients",
     lambda: {"parameters": _lm(), "x_indices": _chunk()[0], "y_indices": _chunk()[1],
              "initial": (np.zeros((N_A, 2)),), "cell": "rnn"},
     {"parameters": "params:rnn", "x_indices": "object", "y_indices": "object", "initial": "object", "cell": "choice"},
     optional=("initial",),
     extra={"x_indices": [("float", lambda v: v * 0.5), ("below--1", lambda v: v - 5), ("other-shape", lambda v: v[:, :-1])],
            "y_indices": [("padding", lambda v: np.where(v == 1, -1, v)), ("1-D", lambda v: v[0]), ("too-large", lambda v: v + 10**6)],
            "initial": [("bare-array", np.zeros((N_A, 2))), ("m-differs", (np.zeros((N_A, 3)),)), ("two", (np.zeros((N_A, 2)),) * 2)]})
spec("course_lib.tbptt.text_stream", lambda: {"sentences": _sentences(), "vocabulary": _vocabulary()},
     {"sentences": "strs", "vocabulary": "vocab"}, extra={"sentences": [("blank", ["  "])]})
spec("course_lib.tbptt.stream_chunks",
     lambda: {"x": np.arange(-1, 40), "y": np.arange(0, 41), "batch_size": 2, "chunk_length": 5, "rng": 0},
     {"x": "object", "y": "object", "batch_size": "int", "chunk_length": "int", "rng": "rng"},
     extra={"x": [("float", lambda v: v * 0.5), ("other-length", lambda v: v[:-1])],
            "chunk_length": [("too-long-for-the-text", 40)]})
spec("course_lib.tbptt.train_truncated",
     lambda: {"sentences": _sentences() * 4, "vocabulary": _vocabulary(), "n_a": N_A, "rng": 0, "chunk_length": 3,
              "batch_size": 2, "steps": 2, "held_out": _sentences()[:1], "progress": False, "cell": "rnn"},
     {"sentences": "strs", "vocabulary": "vocab", "n_a": "int", "rng": "rng", "chunk_length": "int",
      "batch_size": "int", "steps": "int", "held_out": "strs", "cell": "choice"}, optional=("held_out",),
     extra={"chunk_length": [("too-long-for-the-text", 1000)]})

# --- data.poems and lm_practice ----------------------------------------------------------------
spec("course_lib.data.poems.tang_poems", lambda: {}, {})
spec("course_lib.data.poems.poem_lines", lambda: {"poems": __import__("course_lib.data.poems", fromlist=["x"]).tang_poems()[:2]},
     {"poems": "object"}, extra={"poems": [("strs", ["兰叶春葳蕤"]), ("str", "兰叶")]})
spec("course_lib.lm_practice.corpus_split", lambda: {"name": "chinese"}, {"name": "choice"}, names={"name": "corpus"})
spec("course_lib.lm_practice.corpus_vocabulary", lambda: {"name": "chinese", "granularity": "word"},
     {"name": "choice", "granularity": "choice"}, names={"name": "corpus"})
spec("course_lib.lm_practice.unk_rate", lambda: {"vocabulary": _vocabulary(), "sentences": _sentences()},
     {"vocabulary": "vocab", "sentences": "strs"}, extra={"sentences": [("blank", ["  "])]})
spec("course_lib.lm_practice.copy_fraction", lambda: {"samples": ["a", "b"], "training": ["a"]},
     {"samples": "strs", "training": "strs"})
spec("course_lib.lm_practice.load_practice_model", lambda: {"name": "tang_word"}, {"name": "choice"})
spec("course_lib.lm_practice.train_recipe",
     lambda: {"name": "tang_word", "chunk_length": None, "steps": 1, "progress": False},
     {"name": "choice", "steps": "int", "progress": "bool"}, optional=("steps",),
     extra={"chunk_length": [("for-the-sentence-recipe", 5)]})
spec("course_lib.lm_practice.load_sweep", lambda: {}, {})

# --- data.splits -------------------------------------------------------------------------
spec("course_lib.data.splits.split_corpus", lambda: {"items": ["a", "b", "c", "d"], "rng": 0, "fractions": (0.5, 0.25, 0.25)},
     {"items": "object", "rng": "rng", "fractions": "object"},
     extra={"items": [("empty", []), ("str", "abc"), ("unhashable", [[1], [2]])],
            "fractions": [("two", (0.5, 0.5)), ("not-summing-to-1", (0.5, 0.2, 0.2)), ("negative", (1.2, -0.1, -0.1)),
                          ("nan", (float("nan"), 0.5, 0.5))]})

# --- lm ---------------------------------------------------------------------------------
spec("course_lib.lm.check_lm_parameters", lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "cell": "rnn"},
     {"parameters": "params:rnn", "vocabulary": "vocab", "cell": "choice"}, optional=("vocabulary",),
     extra={"parameters": [("no-output-layer", lambda v: {k: w for k, w in v.items() if k not in ("Wya", "by")}),
                           ("by-(n_y,)", lambda v: {**v, "by": v["by"][:, 0]}),
                           ("n_y≠n_x", lambda v: {**v, "Wya": v["Wya"][:-1], "by": v["by"][:-1]})],
            "vocabulary": [("other-size", lambda v: __import__("course_lib.data", fromlist=["x"]).Vocabulary.build(
                ["abc"], "char"))]})
spec("course_lib.lm.teacher_forcing_inputs", lambda: {"batch_indices": _padded()}, {"batch_indices": "object"},
     extra={"batch_indices": [b for b in _BAD_INDICES if b[0] not in ("out-of-range",)]})
for _f in ("lm_forward", "hidden_states", "log_probabilities"):
    spec(f"course_lib.lm.{_f}", lambda: {"parameters": _lm(), "batch_indices": _padded(), "cell": "rnn"},
         {"parameters": "params:rnn", "batch_indices": "object", "cell": "choice"},
         extra={"batch_indices": _BAD_INDICES,
                "parameters": [("by-(n_y,)", lambda v: {**v, "by": v["by"][:, 0]})]})
spec("course_lib.lm.lm_loss_and_gradients",
     lambda: {"parameters": _lm(), "batch_indices": _padded(), "mask": _padded() >= 0, "cell": "rnn"},
     {"parameters": "params:rnn", "batch_indices": "object", "mask": "object", "cell": "choice"}, optional=("mask",),
     extra={"batch_indices": _BAD_INDICES,
            "mask": [("float", lambda v: np.asarray(v, dtype=float) * 0.5), ("str", "yes"), ("short", lambda v: v[:, :-1]),
                     ("1-D", lambda v: v[0]), ("marks-padding", lambda v: np.ones_like(v))]})
spec("course_lib.lm.mean_token_loss",
     lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "sentences": _sentences(), "batch_size": 1},
     {"parameters": "params:rnn", "vocabulary": "vocab", "sentences": "strs", "batch_size": "int", "cell": "choice"})
for _f in ("conditional_probabilities", "sequence_log_probability"):
    spec(f"course_lib.lm.{_f}", lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "text": "王刚和李明"},
         {"parameters": "params:rnn", "vocabulary": "vocab", "text": "str", "cell": "choice"})
spec("course_lib.lm.perplexity",
     lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "sentences": _sentences(), "batch_size": 1},
     {"parameters": "params:rnn", "vocabulary": "vocab", "sentences": "strs", "batch_size": "int", "cell": "choice"})
_TRUNCATION = {"top_k": [("above-n_y", 10 ** 6)], "top_p": [("above-1", 1.5)]}
spec("course_lib.lm.truncate_distribution", lambda: {"y_hat": np.array([0.2, 0.5, 0.3]), "top_k": 2, "top_p": 0.9},
     {"y_hat": "array", "top_k": "int", "top_p": "float"}, optional=("top_k", "top_p"),
     extra={"y_hat": [("negative", np.array([-0.2, 0.7, 0.5])), ("logits", np.array([2.0, -1.0, 0.5]))],
            "top_k": [("above-n_y", 4)], "top_p": [("above-1", 1.5)]})
spec("course_lib.lm.next_token_distribution",
     lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "prefix": "王刚", "temperature": 0.5, "top_k": 3,
              "top_p": 0.9},
     {"parameters": "params:rnn", "vocabulary": "vocab", "prefix": "str", "temperature": "float", "cell": "choice",
      "top_k": "int", "top_p": "float"}, optional=("top_k", "top_p"),
     extra={**_TRUNCATION, "parameters": [("by-(n_y,)", lambda v: {**v, "by": v["by"][:, 0]}),
                           ("Wya-(n_a,n_y)", lambda v: {**v, "Wya": v["Wya"].T})]})
spec("course_lib.lm.lm_step",
     lambda: {"parameters": _lm(), "a_prev": np.zeros((N_A, M)), "xt": np.zeros((len(_vocabulary()), M))},
     {"parameters": "params:rnn", "a_prev": "array", "xt": "array", "cell": "choice"},
     extra={"a_prev": [("m-differs", np.zeros((N_A, M + 1))), ("tuple", lambda v: (v, v))]})
spec("course_lib.lm.sample",
     lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "rng": 0, "temperature": 0.5, "max_length": 20,
              "greedy": False, "prefix": "王", "top_k": 3, "top_p": 0.9},
     {"parameters": "params:rnn", "vocabulary": "vocab", "rng": "rng", "temperature": "float", "max_length": "int",
      "greedy": "bool", "prefix": "str", "cell": "choice", "top_k": "int", "top_p": "float"},
     optional=("top_k", "top_p"),
     extra={**_TRUNCATION, "parameters": [("by-(n_y,)", lambda v: {**v, "by": v["by"][:, 0]}),
                           ("Wya-(n_a,n_y)", lambda v: {**v, "Wya": v["Wya"].T}),
                           ("no-output-layer", lambda v: {k: w for k, w in v.items() if k not in ("Wya", "by")})],
            "vocabulary": [("other-size", lambda v: __import__("course_lib.data", fromlist=["x"]).Vocabulary.build(
                ["abc"], "char"))]})

spec("course_lib.lm.draw_token", lambda: {"y_hat": np.array([0.2, 0.5, 0.3]), "rng": 0},
     {"y_hat": "array", "rng": "rng"},
     extra={"y_hat": [("negative", np.array([-0.2, 0.7, 0.5])), ("not-summing-to-1", np.array([0.2, 0.2, 0.2])),
                      ("column", np.array([[0.2], [0.5], [0.3]])), ("logits", np.array([2.0, -1.0, 0.5]))]})
spec("course_lib.lm.sample_indices", lambda: {"parameters": _lm(), "rng": 0, "eos": 1, "max_length": 20},
     {"parameters": "params:rnn", "rng": "rng", "eos": "int0", "max_length": "int"},
     extra={"parameters": [("no-output-layer", lambda v: {k: w for k, w in v.items() if k not in ("Wya", "by")}),
                           ("n_y≠n_x", lambda v: {**v, "Wya": v["Wya"][:-1], "by": v["by"][:-1]})],
            "eos": [("out-of-range", lambda v: len(_vocabulary()))]})
extreme("course_lib.lm.sample_indices[max_length=2000]",
        lambda: {"parameters": {**_lm(), "by": np.where(np.arange(len(_vocabulary()))[:, None] == 1, -50.0, 0.0)},
                 "rng": 0, "eos": 1, "max_length": 2000},
        check=lambda r: np.testing.assert_equal(len(r), 2000))
extreme("course_lib.lm.sample_indices[weights×1e3]", lambda: {"parameters": _lm_1e3(), "rng": 0, "eos": 1},
        check=lambda r: np.testing.assert_equal(all(isinstance(i, int) for i in r), True))


def _sample_ok(result):
    assert result.distributions.dtype == np.float64 and np.isfinite(result.distributions).all()
    np.testing.assert_allclose(result.distributions.sum(axis=0), 1.0)


def _greedy_at_zero(result):
    """τ → 0 samples the argmax: every distribution is one-hot at the token drawn."""
    _sample_ok(result)
    np.testing.assert_array_equal(result.distributions.argmax(axis=0), result.indices)
    np.testing.assert_allclose(result.distributions.max(axis=0), 1.0)


for _tau, _check in ((1e-9, _greedy_at_zero), (1e9, _sample_ok)):
    extreme(f"course_lib.lm.sample[τ={_tau:g}]",
            lambda _tau=_tau: {"parameters": _lm_1e3() if _tau < 1 else _lm(), "vocabulary": _vocabulary(), "rng": 0,
                               "temperature": _tau, "max_length": 30},
            check=_check)
    extreme(f"course_lib.lm.next_token_distribution[τ={_tau:g}]",
            lambda _tau=_tau: {"parameters": _lm_1e3(), "vocabulary": _vocabulary(), "prefix": "王",
                               "temperature": _tau},
            check=lambda p: np.testing.assert_allclose(p.sum(), 1.0))
extreme("course_lib.lm.sample[max_length=2000]",
        lambda: {"parameters": {**_lm(), "by": np.where(np.arange(len(_vocabulary()))[:, None] == 1, -50.0, 0.0)},
                 "vocabulary": _vocabulary(), "rng": 0, "max_length": 2000},
        check=lambda r: (_sample_ok(r), np.testing.assert_equal(len(r.tokens), 2000)))
extreme("course_lib.lm.sample[weights×1e3]", lambda: {"parameters": _lm_1e3(), "vocabulary": _vocabulary(), "rng": 0},
        check=_sample_ok)
extreme("course_lib.lm.lm_loss_and_gradients[T_x=2000]", lambda: {"parameters": _lm(), "batch_indices": _indices(T=2000)})
extreme("course_lib.lm.lm_loss_and_gradients[m=1,T_x=1]",
        lambda: {"parameters": _lm(), "batch_indices": np.array([[1]])})
extreme("course_lib.lm.lm_loss_and_gradients[weights×1e3]", lambda: {"parameters": _lm_1e3(), "batch_indices": _padded()})
extreme("course_lib.lm.sequence_log_probability[2000 characters]",
        lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "text": "王刚和李明去上班了" * 222})
extreme("course_lib.lm.sequence_log_probability[weights×1e3]",
        lambda: {"parameters": _lm_1e3(), "vocabulary": _vocabulary(), "text": "王刚和李明去上班了"})
extreme("course_lib.lm.log_probabilities[T_x=2000]", lambda: {"parameters": _lm(), "batch_indices": _indices(T=2000)})
extreme("course_lib.lm.mean_token_loss[weights×1e3]",
        lambda: {"parameters": _lm_1e3(), "vocabulary": _vocabulary(), "sentences": _sentences()})


# --- agreement --------------------------------------------------------------------------
def _agreement(n=4, long=False):
    from course_lib.data import Vocabulary
    from course_lib.data.corpora import agreement_examples

    examples = agreement_examples(n, 0, 2, 24 if long else 3)
    vocabulary = Vocabulary.build([ex.sentence for ex in examples] + ["was were"], "word")
    return {"parameters": _lm(vocabulary), "vocabulary": vocabulary, "examples": examples}


def _char_level(v):
    from course_lib.data import Vocabulary

    return Vocabulary(v.tokens, "char")  # the same size: only the granularity is wrong


def _moved_verb(examples):
    import dataclasses

    return [dataclasses.replace(examples[0], verb_position=examples[0].verb_position - 1)] + examples[1:]


for _f in ("agreement_scores", "agreement_gradient_norms"):
    spec(f"course_lib.agreement.{_f}", _agreement,
         {"parameters": "params:rnn", "vocabulary": "vocab", "examples": "object", "cell": "choice"},
         extra={"vocabulary": [("char-level", _char_level)],
                "examples": [("empty", []), ("one", lambda v: v[0]), ("str", "The cat was full."),
                             ("list-of-str", ["The cat, which slept, was full."]), ("moved-verb", _moved_verb)]})
    extreme(f"course_lib.agreement.{_f}[clauses of 24 words]", lambda: _agreement(6, long=True))


# --- optim ------------------------------------------------------------------------------
def _opt_parameters():
    return {"Wax": np.ones((2, 3)), "ba": np.zeros((2, 1))}


def _opt_gradients():
    return {"dWax": np.full((2, 3), 0.5), "dba": np.ones((2, 1))}


_BAD_GRADIENTS = [("misspelt", lambda v: {"dwax": v["dWax"], "dba": v["dba"]}), ("dx", lambda v: {**v, "dx": np.ones(3)}),
                  ("missing", lambda v: {"dWax": v["dWax"]}), ("shape", lambda v: {**v, "dba": np.ones((2,))}),
                  ("str", lambda v: {**v, "dba": "1"}), ("list", [1.0])]
_BAD_PARAMETERS = [("list", [1.0]), ("empty", {}), ("str", lambda v: {**v, "ba": "0"})]


def _adam_of_another_model():
    from course_lib.optim import Adam

    adam = Adam(0.01)
    adam.step({"W": np.ones(2)}, {"dW": np.ones(2)})
    return adam


spec("course_lib.optim.SGD", lambda: {"learning_rate": 0.1}, {"learning_rate": "float"})
spec("course_lib.optim.Adam", lambda: {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
     {"learning_rate": "float", "beta1": "float0", "beta2": "float0", "epsilon": "float"},
     extra={"beta1": [("one", 1.0)], "beta2": [("above-one", 1.5)]})
for _cls in ("SGD", "Adam"):
    spec(f"course_lib.optim.{_cls}.step",
         lambda _cls=_cls: {"self": getattr(__import__("course_lib.optim", fromlist=["x"]), _cls)(0.01),
                            "parameters": _opt_parameters(), "gradients": _opt_gradients()},
         {"self": "object", "parameters": "object", "gradients": "object"}, optional=("self",),
         names={"self": "one Adam per model"},
         extra={"parameters": _BAD_PARAMETERS, "gradients": _BAD_GRADIENTS,
                "self": [("shared", lambda v: _adam_of_another_model())] if _cls == "Adam" else []})
spec("course_lib.optim.gradient_pairs", lambda: {"parameters": _opt_parameters(), "gradients": _opt_gradients()},
     {"parameters": "object", "gradients": "object", "name": "str"},
     extra={"parameters": _BAD_PARAMETERS, "gradients": _BAD_GRADIENTS})
spec("course_lib.optim.make_optimizer", lambda: {"optimizer": "adam", "learning_rate": 0.01},
     {"optimizer": "choice", "learning_rate": "float"}, extra={"optimizer": [("class", lambda v: __import__(
         "course_lib.optim", fromlist=["x"]).Adam)]})


# --- train ------------------------------------------------------------------------------
def _quadratic(parameters, batch):
    """J = Σ (W − b)², summed over one example: a loss_and_gradients of the simplest kind."""
    diff = parameters["W"] - batch
    return float(np.sum(diff**2)), {"dW": 2 * diff}, 1


def _lm_loss(parameters, batch):
    from course_lib.lm import lm_loss_and_gradients

    indices, mask = batch
    J, gradients = lm_loss_and_gradients(parameters, indices, mask)
    return J, gradients, int(np.sum(indices >= 0 if mask is None else mask))


_BAD_LOSSES = [("int", 3), ("not-a-triple", lambda v: (lambda p, b: 1.0)),
               ("misspelt-gradient", lambda v: (lambda p, b: (1.0, {"dw": np.ones(2)}, 1))),
               ("n=0", lambda v: (lambda p, b: (1.0, {"dW": np.ones(2)}, 0))),
               ("str-loss", lambda v: (lambda p, b: ("1.0", {"dW": np.ones(2)}, 1)))]
_BAD_CLIPS = [("name", ("max", 1.0)), ("negative", ("norm", -1.0)), ("str", "norm"), ("nan", ("value", float("nan"))),
              ("bool", ("norm", True))]

spec("course_lib.train.training_step",
     lambda: {"loss_and_gradients": _lm_loss, "parameters": _lm(), "batch": (_padded(), None),
              "optimizer": __import__("course_lib.optim", fromlist=["x"]).SGD(0.1), "clip": ("norm", 1.0)},
     {"loss_and_gradients": "object", "parameters": "object", "batch": "object", "optimizer": "object",
      "clip": "object"},
     optional=("batch", "clip"),  # a batch is whatever the loss takes; no clipping is valid
     extra={"optimizer": [("name", "adam"), ("class", lambda v: type(v))],
            "batch": [("all-padding", lambda v: (v[0], np.zeros(v[0].shape, bool)))],
            "parameters": [("list", [1.0]), ("nan", lambda v: {**v, "Waa": np.full((N_A, N_A), np.nan)})],
            "loss_and_gradients": [("int", 3), ("not-a-triple", lambda v: (lambda p, b: 1.0))],
            "clip": _BAD_CLIPS})
spec("course_lib.train.train_model",
     lambda: {"loss_and_gradients": _quadratic, "parameters": {"W": np.zeros(2)}, "batches": [np.ones(2)],
              "steps": 3, "optimizer": "adam", "learning_rate": 0.1, "clip": ("value", 1.0), "progress": False,
              "callback": lambda step, p, loss: None, "callback_every": 1, "max_loss": 10.0,
              "max_gradient_norm": 1e3, "description": "tiny", "held_out": lambda p: 1.0, "held_out_every": 1},
     {"loss_and_gradients": "object", "parameters": "object", "batches": "object", "steps": "int",
      "optimizer": "choice", "learning_rate": "float", "clip": "object", "progress": "bool", "callback": "object",
      "callback_every": "int", "max_loss": "float", "max_gradient_norm": "float", "description": "str",
      "held_out": "object", "held_out_every": "int"},
     optional=("clip", "callback", "max_loss", "held_out", "held_out_every"),
     extra={"loss_and_gradients": _BAD_LOSSES, "parameters": [("list", [1.0]), ("empty", {}), ("nan", {"W": np.full(2, np.nan)})],
            "batches": [("empty", []), ("int", 3), ("short-iterator", lambda v: iter(v))],
            "clip": _BAD_CLIPS, "callback": [("int", 3)], "held_out": [("list", [1.0])]})
extreme("course_lib.train.train_model[weights×1e3]",
        lambda: {"loss_and_gradients": _quadratic, "parameters": {"W": np.full(2, 1e3)}, "batches": [np.ones(2)],
                 "steps": 3, "progress": False, "clip": ("norm", 1.0)})


def _encoded():
    return [np.array([2, 3, 1]), np.array([4, 1]), np.array([5, 6, 7, 1]), np.array([3, 1])]


spec("course_lib.train.iterate_batches", lambda: {"encoded": _encoded(), "batch_size": 2, "rng": 0, "pool": 2},
     {"encoded": "object", "batch_size": "int", "rng": "rng", "pool": "int"},
     extra={"encoded": [("empty", []), ("empty-row", lambda v: v + [np.array([], dtype=int)]), ("str", "abc"),
                        ("float-row", lambda v: v + [np.array([1.5])]), ("negative", lambda v: v + [np.array([-1, 1])]),
                        ("array", lambda v: np.ones((2, 3), dtype=int)), ("2-D-row", lambda v: v + [np.ones((2, 2), int)])]})
spec("course_lib.train.train_language_model",
     lambda: {"corpus": _sentences(), "vocabulary": _vocabulary(), "n_a": N_A, "rng": 0, "steps": 2, "batch_size": 2,
              "optimizer": "adam", "learning_rate": 0.01, "clip": ("norm", 5.0), "parameters": _lm(), "init_scale": 0.1,
              "progress": False, "callback": lambda step, p, loss: None, "callback_every": 1, "max_loss": 20.0,
              "max_gradient_norm": 1e6, "cell": "rnn", "held_out": _sentences()[:1], "held_out_every": 1},
     {"corpus": "strs", "vocabulary": "vocab", "n_a": "int", "rng": "rng", "steps": "int", "batch_size": "int",
      "optimizer": "choice", "learning_rate": "float", "clip": "object", "parameters": "params:rnn",
      "init_scale": "float", "progress": "bool", "callback": "object", "callback_every": "int", "max_loss": "float",
      "max_gradient_norm": "float", "cell": "choice", "held_out": "strs", "held_out_every": "int"},
     optional=("clip", "parameters", "callback", "max_loss", "held_out", "held_out_every"),
     extra={"corpus": [("blank", ["  "])], "held_out": [("blank", ["  "])], "clip": _BAD_CLIPS, "callback": [("int", 3)],
            "n_a": [("differs-from-parameters", N_A + 1)],
            "vocabulary": [("other-size", lambda v: __import__("course_lib.data", fromlist=["x"]).Vocabulary.build(
                ["abc"], "char"))]})
extreme("course_lib.train.train_language_model[m=1]",
        lambda: {"corpus": _sentences()[:1], "vocabulary": _vocabulary(), "n_a": N_A, "rng": 0, "steps": 2,
                 "batch_size": 1, "progress": False})
extreme("course_lib.train.train_language_model[2000 characters]",
        lambda: {"corpus": ["王刚和李明去上班了" * 222], "vocabulary": _vocabulary(), "n_a": N_A, "rng": 0, "steps": 2,
                 "batch_size": 1, "progress": False, "clip": ("norm", 5.0)})


# --- models -----------------------------------------------------------------------------
def _saved(suffix=""):
    """A tiny model saved as <fresh dir>/my_model (save_model appends .npz): its path, without the suffix."""
    from course_lib.models import save_model

    path = _tmp_dir() / "my_model"
    save_model(str(path) + suffix, _lm(), _vocabulary(), 1.5, {"note": "tiny", "steps": np.int64(2)})
    return str(path)


def _written(path, suffix, content):
    """``path`` after overwriting its .npz or .json file with ``content`` (bytes or text)."""
    target = Path(path + suffix)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    return path


def _npz_without(path, *keys):
    with np.load(path + ".npz") as data:
        entries = {k: v for k, v in data.items() if k not in keys}
    np.savez(path + ".npz", **entries)
    return path


def _npz_with(path, **changes):
    with np.load(path + ".npz") as data:
        entries = dict(data)
    np.savez(path + ".npz", **{**entries, **changes})
    return path


spec("course_lib.models.load_model", lambda: {"path": _saved()}, {"path": "object"},
     extra={"path": [("int", 42), ("bytes", b"my_model"), ("empty", ""), ("missing", lambda p: p + "_gone"),
                     ("directory", lambda p: str(Path(p).parent)),
                     ("corrupt-npz", lambda p: _written(p, ".npz", b"not a zip archive")),
                     ("corrupt-json", lambda p: _written(p, ".json", "{not json")),
                     ("json-list", lambda p: _written(p, ".json", "[1, 2]")),
                     ("no-tokens", lambda p: _npz_without(p, "tokens")),
                     ("no-Wax", lambda p: _npz_without(p, "Wax")),
                     ("unknown-cell", lambda p: _npz_with(p, cell=np.array("transformer"))),
                     ("nan-weights", lambda p: _npz_with(p, Waa=np.full((N_A, N_A), np.nan))),
                     ("wrong-shape", lambda p: _npz_with(p, by=np.zeros(len(_vocabulary())))),
                     ("bad-granularity", lambda p: _npz_with(p, granularity=np.array("sentence")))]})
extreme("course_lib.models.load_model[save_model('my_model') then load_model('my_model')]",
        lambda: {"path": _saved()},
        check=lambda model: np.testing.assert_array_equal(model.parameters["Wax"], _lm()["Wax"]))
extreme("course_lib.models.load_model[saved as my_model.npz, read as my_model]", lambda: {"path": _saved(".npz")})
spec("course_lib.models.save_model",
     lambda: {"path": str(_tmp_dir() / "my_model"), "parameters": _lm(), "vocabulary": _vocabulary(), "final_loss": 1.5,
              "metadata": {"steps": 2}, "cell": "rnn"},
     {"path": "object", "parameters": "params:rnn", "vocabulary": "vocab", "final_loss": "float0",
      "metadata": "object", "cell": "choice"}, optional=("metadata",),
     extra={"path": [("int", 42), ("bytes", b"my_model"), ("empty", ""), ("directory", lambda p: str(Path(p).parent))],
            "vocabulary": [("other-size", lambda v: __import__("course_lib.data", fromlist=["x"]).Vocabulary.build(
                ["abc"], "char"))],
            "final_loss": [("array", np.ones(2))],
            "metadata": [("list", [1]), ("nan", {"x": float("nan")}), ("object", {"x": object()})]})
extreme("course_lib.models.save_model[weights×1e3]",
        lambda: {"path": str(_tmp_dir() / "big"), "parameters": _lm_1e3(), "vocabulary": _vocabulary(), "final_loss": 0.0})
# The argument `name` is the name of a corpus: "corpus must be one of [...]" names it
# (and tests/test_models.py pins that wording).
spec("course_lib.models.default_corpus", lambda: {"name": "agreement", "seed": 0, "n_sentences": 5},
     {"name": "choice", "seed": "int0", "n_sentences": "int"}, optional=("n_sentences",), names={"name": "corpus"})
spec("course_lib.models.default_model_path", lambda: {"name": "chinese"}, {"name": "choice"})
spec("course_lib.models.torch_reference_path", lambda: {"cell": "gru"}, {"cell": "choice"})
spec("course_lib.models.train_default", lambda: {"name": "chinese", "seed": 1, "steps": 2, "progress": False},
     {"name": "choice", "seed": "int0", "steps": "int", "progress": "bool"}, optional=("seed", "steps"),
     names={"name": "corpus"})
spec("course_lib.models.main",
     lambda: {"argv": ["--corpus", "chinese", "--out", str(_tmp_dir() / "m"), "--steps", "2", "--seed", "0",
                       "--no-progress"]},
     {"argv": "object"}, optional=("argv",),  # None: the command line's own arguments
     extra={"argv": [("str", "--corpus chinese --steps 2"), ("non-str", ["--steps", 2])]})


# --- checks -----------------------------------------------------------------------------
def _forward_check():
    from course_lib.checks.rnn import FORWARD_OUTPUTS, FORWARD_MISTAKES, forward_cases
    from course_lib.rnn import rnn_cell_forward

    return {"candidate": rnn_cell_forward, "reference": rnn_cell_forward, "cases": list(forward_cases()),
            "mistakes": FORWARD_MISTAKES, "outputs": FORWARD_OUTPUTS, "letters": {"a_next": "(n_a, m)"},
            "time_limit": 5.0, "rtol": 1e-7, "atol": 1e-10, "verbose": False}


spec("course_lib.checks.common.check_exercise", _forward_check,
     {"candidate": "object", "reference": "object", "cases": "object", "mistakes": "object", "outputs": "object",
      "letters": "object", "time_limit": "float", "rtol": "float0", "atol": "float0", "verbose": "bool",
      "explain": "object"},
     optional=("outputs", "letters", "time_limit", "explain"),
     extra={"candidate": [("str", "rnn_cell_forward")], "reference": [("int", 3)],
            "cases": [("empty", []), ("str", "general"), ("not-cases", [1, 2]), ("args-not-tuple", lambda v: [(v[0].name, 3)])],
            "mistakes": [("not-mistakes", [1]), ("str", "a_next"), ("output-not-a-name", lambda v: [(3, *v[0][1:])]),
                         ("empty-output-tuple", lambda v: [((), *v[0][1:])])],
            "outputs": [("str", "a_next"), ("too-few", ("a_next",)), ("non-str", (1, 2, 3))],
            "letters": [("list", ["(n_a, m)"])], "explain": [("int", 3), ("str", "why")]})


def _checker_candidate(name):
    """The reference function that the notebook checker ``name`` compares with: a valid candidate."""
    from course_lib.gradients import clip_by_norm
    from course_lib.lm import draw_token, sample_indices
    from course_lib.rnn import rnn_backward, rnn_cell_backward, rnn_cell_forward

    return {"course_lib.checks.rnn.check_rnn_cell_forward": rnn_cell_forward,
            "course_lib.checks.rnn.check_rnn_cell_backward": rnn_cell_backward,
            "course_lib.checks.rnn.check_rnn_backward": rnn_backward,
            "course_lib.checks.lm.check_draw_token": draw_token,
            "course_lib.checks.lm.check_sample_loop": sample_indices,
            "course_lib.checks.gradients.check_clip_by_norm": clip_by_norm}[name]


for _name in ("course_lib.checks.rnn.check_rnn_cell_forward", "course_lib.checks.rnn.check_rnn_cell_backward",
              "course_lib.checks.rnn.check_rnn_backward", "course_lib.checks.lm.check_draw_token",
              "course_lib.checks.lm.check_sample_loop", "course_lib.checks.gradients.check_clip_by_norm"):
    spec(_name, lambda _name=_name: {"candidate": _checker_candidate(_name), "verbose": False, "time_limit": 5.0,
                                     "strict": True},
         {"candidate": "object", "verbose": "bool", "time_limit": "float", "strict": "bool"}, optional=("time_limit",),
         extra={"candidate": [("str", "rnn_cell_forward")]})
spec("course_lib.checks.common.exercise_checker",
     lambda: {"reference": __import__("course_lib.rnn", fromlist=["x"]).rnn_cell_forward},
     {"reference": "object"}, extra={"reference": [("str", "rnn_cell_forward"), ("int", 3)]})


def _run_candidate():
    from course_lib.checks.rnn import forward_cases
    from course_lib.rnn import rnn_cell_forward

    return {"candidate": rnn_cell_forward, "args": next(forward_cases()).args, "reference": rnn_cell_forward,
            "case": "general", "time_limit": 5.0, "repeat": 2}


spec("course_lib.checks.common.run_candidate", _run_candidate,
     {"candidate": "object", "args": "object", "reference": "object", "case": "str", "time_limit": "float",
      "repeat": "int"}, optional=("time_limit",),
     extra={"candidate": [("str", "rnn_cell_forward")], "args": [("list", lambda v: list(v))],
            "reference": [("int", 3)]})


def _rows():
    from course_lib.checks.common import compare_outputs

    return compare_outputs({"a": np.ones(2), "b": None}, {"a": np.ones(2) + 1e-3, "b": None})


spec("course_lib.checks.common.compare_outputs",
     lambda: {"expected": {"a": np.ones(2), "b": None}, "got": {"a": np.ones(2)}, "rtol": 1e-7, "atol": 1e-10},
     {"expected": "object", "got": "object", "rtol": "float0", "atol": "float0"},
     extra={"expected": [("list", [np.ones(2)]), ("str-value", {"a": "1"}), ("nan", {"a": np.full(2, np.nan)})],
            "got": [("list", [np.ones(2)])]})
spec("course_lib.checks.common.compare_gradients",
     lambda: {"expected": {"dW": np.ones(2)}, "got": {"dW": np.ones(2)}, "rtol": 1e-7, "atol": 1e-10},
     {"expected": "object", "rtol": "float0", "atol": "float0"},  # got may be anything: that is what is checked
     extra={"expected": [("list", [np.ones(2)]), ("str-value", {"dW": "1"}), ("None-value", {"dW": None})]})
spec("course_lib.checks.common.format_table", lambda: {"rows": _rows()}, {"rows": "object"},
     extra={"rows": [("str", "a"), ("not-rows", [1, 2]), ("short-row", [("a", True)])]})
spec("course_lib.checks.common.deadline", lambda: {"seconds": 1.0}, {"seconds": "float"}, optional=("seconds",))


# Notebook 06's checkers; the teachers' answers are written as a learner writes the stubs.
def _gru_checker_candidate(name):
    from course_lib.gru import gru_cell_backward, gru_cell_forward

    return {"course_lib.checks.gru.check_gru_cell_forward": gru_cell_forward,
            "course_lib.checks.gru.check_gru_cell_backward": gru_cell_backward}[name]


for _name in ("course_lib.checks.gru.check_gru_cell_forward", "course_lib.checks.gru.check_gru_cell_backward"):
    spec(_name, lambda _name=_name: {"candidate": _gru_checker_candidate(_name), "verbose": False, "time_limit": 5.0,
                                     "strict": True},
         {"candidate": "object", "verbose": "bool", "time_limit": "float", "strict": "bool"}, optional=("time_limit",),
         extra={"candidate": [("str", "gru_cell_forward")]})
EXEMPT.update({f"course_lib.checks.answers.{_name}": "a teacher's answer, written as a learner writes the stub (no door "
                                                     "checks): tests/test_exercises.py runs it through its checker"
               for _name in ("gru_cell_forward", "gru_cell_backward")})


# --- viz --------------------------------------------------------------------------------
spec("course_lib.viz.figures.matrix_values", lambda: {"name": "values", "values": _A(), "finite": True},
     {"name": "str", "values": "array", "finite": "bool"})
spec("course_lib.viz.figures.labels_list", lambda: {"name": "labels", "labels": None, "n": 3, "default": range(3)},
     {"name": "str", "labels": "object", "n": "int", "default": "object"}, optional=("labels",),
     extra={"labels": [("str", "abc"), ("short", ["a"]), ("dup", list("aab")), ("with-None", ["a", None, "b"])],
            "default": [("short", ["x"])]})
spec("course_lib.viz.figures.step_index", lambda: {"name": "t", "t": 2, "n_steps": 4},
     {"name": "str", "t": "int0", "n_steps": "int"}, extra={"t": [("out-of-range", 4)]})
spec("course_lib.viz.figures.step_shapes", lambda: {"t": 1, "n_steps": 4, "n_rows": 3, "reveal": True},
     {"t": "int0", "n_steps": "int", "n_rows": "int", "reveal": "bool"}, extra={"t": [("out-of-range", 4)]})
spec("course_lib.viz.figures.bar_outline", lambda: {"n": 4, "highlight": 1}, {"n": "int", "highlight": "int0"},
     optional=("highlight",), extra={"highlight": [("out-of-range", 4)]})
spec("course_lib.viz.architectures.diagram_layout", lambda: {"name": "encoder_decoder", "T_x": 3, "T_y": 2},
     {"name": "choice", "T_x": "int", "T_y": "int"})
spec("course_lib.viz.architectures.unrolled_diagram", lambda: {"name": "one_to_many", "T_x": 1, "T_y": 3, "height": 300},
     {"name": "choice", "T_x": "int", "T_y": "int", "height": "int"}, extra={"T_x": [("not-1", 2)]})
spec("course_lib.viz.lm.sampling_step_figure",
     lambda: {"distributions": np.full((3, 2), 1 / 3), "tokens": ["a", "b"], "vocabulary_tokens": ["a", "b", "c"],
              "top_k": 2, "before_cut": np.full((3, 2), 1 / 3), "caption": "τ = 1.00"},
     {"distributions": "array", "top_k": "int", "before_cut": "array", "caption": "str"}, optional=("before_cut",),
     extra={"tokens": [("unknown", ["a", "z"]), ("None", None), ("short", ["a"])],
            "vocabulary_tokens": [("short", ["a"]), ("None", None)],
            "before_cut": [("other-shape", np.full((3, 3), 1 / 3))]})
spec("course_lib.viz.rnn.forward_step_figure",
     lambda: {"a": _A(), "a0": np.zeros(3), "y_pred": np.full((2, 4), 0.5), "step_labels": list("abcd"),
              "class_labels": ["no", "yes"], "title": ""},
     {"a": "array", "a0": "array", "y_pred": "array", "nonnegative": "bool"}, allow=("a0-empty", "a0-axis-short"),
     extra={"step_labels": [("short", ["a"]), ("None", None)], "class_labels": [("short", ["a"]), ("dup", ["a", "a"])],
            "a0": [("n_a-differs", np.zeros(4))]})
spec("course_lib.viz.rnn.backward_step_figure",
     lambda: {"da_loss": _A(), "da_future": _A(), "norms": np.array([1.0, 2.0, np.inf, 3.0]), "step_labels": list("abcd"),
              "title": "", "log_y": True},
     {"da_loss": "array", "da_future": "array", "norms": "object", "log_y": "bool"},
     extra={"norms": [("short", np.ones(2)), ("str", "1"), ("complex", np.ones(4) + 1j)],
            "step_labels": [("short", ["a"]), ("None", None)], "da_future": [("other-shape", np.ones((3, 3)))]})

_LINE = [("str", "1"), ("complex", lambda v: np.asarray(v) + 1j), ("bool", True), ("dict", {"a": 1})]
for _f in ("finite_or_none", "positive_or_none"):
    # NaN, inf, 0 and any shape are what these turn into gaps: only non-numbers are refused.
    spec(f"course_lib.viz.gradients.{_f}", lambda: {"values": np.array([1.0, 0.0, np.nan, np.inf, -2.0])},
         {"values": "object"}, extra={"values": _LINE})
spec("course_lib.viz.gradients.scale_color", lambda: {"value": 0.9, "low": 0.5, "high": 1.5},
     {"value": "float0", "low": "float0", "high": "float"},
     extra={"low": [("above-1", 1.2)], "high": [("below-1", 0.8)], "value": [("array", np.ones(2))]})
spec("course_lib.viz.gradients.moving_average", lambda: {"values": np.array([1.0, np.nan, 3.0, 4.0]), "window": 2},
     {"values": "array", "window": "int"}, allow=("values-nan",))  # NaN steps are skipped: a diverged step
_K = lambda: np.arange(5.0)  # noqa: E731
spec("course_lib.viz.gradients.gradient_flow_figure",
     lambda: {"distance": _K(), "curves": {"σ = 0.9": 0.9 ** _K()}, "bounds": {"σ = 0.9": 0.95 ** _K()},
              "colors": {"σ = 0.9": "#1f77b4"}, "height": 300},
     {"distance": "array", "curves": "object", "bounds": "object", "colors": "object", "height": "int",
      "bounds_name": "str"},
     optional=("bounds", "colors"),
     extra={"curves": [("empty", {}), ("list", [1.0]), ("short", {"σ = 0.9": np.ones(2)}), ("str", {"σ = 0.9": "1"})],
            "bounds": [("unknown-label", {"b": np.ones(5)}), ("short", {"σ = 0.9": np.ones(2)}), ("list", [1.0])],
            "colors": [("list", ["red"]), ("non-str", {"σ = 0.9": 3})]})
spec("course_lib.viz.gradients.single_unit_figure",
     lambda: {"w": np.linspace(0.5, 1.5, 5), "final_states": {"+a0": np.zeros(5)}, "gradients": {"+a0": np.ones(5)}},
     {"w": "array", "final_states": "object", "gradients": "object"},
     extra={"final_states": [("empty", {}), ("short", {"+a0": np.ones(2)})],
            "gradients": [("list", [1.0]), ("short", {"+a0": np.ones(2)})]})
spec("course_lib.viz.gradients.clipping_directions_figure",
     lambda: {"raw": np.array([3.0, 1.0]), "by_value": np.array([1.0, 1.0]), "by_norm": np.array([0.95, 0.32]),
              "threshold": 1.0, "angles": np.array([26.6, 0.0])},
     {"raw": "array", "by_value": "array", "by_norm": "array", "threshold": "float", "angles": "object"},
     optional=("angles",),
     extra={"raw": [("3-D", np.ones(3))], "angles": [("short", np.ones(1)), ("str", "0")]})
spec("course_lib.viz.gradients.training_runs_figure",
     lambda: {"losses": {"no clipping": np.array([3.0, 2.0, np.nan])}, "gradient_norms": {"no clipping": np.ones(3)},
              "threshold": 1.0, "smooth": 2, "held_out": {"no clipping": (np.array([0, 3]), np.array([3.1, np.nan]))}},
     {"losses": "object", "gradient_norms": "object", "threshold": "float", "smooth": "int", "held_out": "object"},
     optional=("threshold", "held_out"),
     extra={"losses": [("empty", {}), ("list", [1.0]), ("2-D", {"a": np.ones((2, 2))})],
            "gradient_norms": [("list", [1.0]), ("str", {"a": "1"})],
            "held_out": [("list", [1.0]), ("unknown-label", {"b": (np.array([0]), np.array([1.0]))}),
                         ("not-a-pair", {"no clipping": np.ones(2)}),
                         ("ragged", {"no clipping": (np.array([0, 3]), np.array([1.0]))}),
                         ("falling-steps", {"no clipping": (np.array([3, 0]), np.ones(2))}),
                         ("nan-step", {"no clipping": (np.array([0.0, np.nan]), np.ones(2))})]})
spec("course_lib.viz.gradients.agreement_figure",
     lambda: {"distance": np.arange(5.0, 10.0), "accuracy": {"rnn": np.full(5, 0.7)}, "subject_gradient": np.full(5, 1e-3),
              "colors": {"rnn": "#333333"}, "spans": {"rnn": (5, 7)}},
     {"distance": "array", "accuracy": "object", "subject_gradient": "object", "colors": "object", "spans": "object"},
     optional=("colors", "spans"),
     extra={"accuracy": [("short", np.ones(2)), ("str", "0.5"), ("empty", {})],
            "subject_gradient": [("short", {"rnn": np.ones(2)}), ("2-D", np.ones((5, 2)))],
            "colors": [("list", ["red"])], "spans": [("list", [5, 7]), ("short", {"rnn": (5,)}), ("backwards", {"rnn": (7, 5)})]})
for _f in ("gradient_explorer_frame", "gradient_explorer_figure"):
    spec(f"course_lib.viz.gradients.{_f}",
         lambda: {"norms": 0.9 ** _K(), "clipped": 0.5 * 0.9 ** _K(), "bound": np.ones(5), "total_norm": 2.0,
                  "threshold": 1.0, "title": "σ"},
         {"norms": "object", "clipped": "object", "bound": "object", "total_norm": "object", "threshold": "float"},
         extra={"norms": _LINE + [("2-D", np.ones((2, 2)))], "clipped": [("short", np.ones(2))],
                "bound": [("short", np.ones(2)), ("str", "1")], "total_norm": [("str", "2"), ("array", np.ones(2))]})
extreme("course_lib.viz.gradients.gradient_explorer_frame[norms 1e-300 … 1e300, inf, NaN]",
        lambda: {"norms": np.array([1e-300, 1e300, np.inf, np.nan, 0.0]), "clipped": np.ones(5), "bound": np.ones(5),
                 "total_norm": float("inf"), "threshold": 1.0, "title": ""})


def _gate_values():
    rng = _rng(6)
    return {"Γu": rng.random((N_A, T_X)), "Γr": rng.random((N_A, T_X)), "c": np.tanh(rng.standard_normal((N_A, T_X)))}


_GATE_VALUES_BAD = [("empty", {}), ("list", [np.ones((2, 2))]), ("gate-above-1", lambda v: {**v, "Γu": v["Γu"] + 1.0}),
                    ("other-shape", lambda v: {**v, "c": np.zeros((N_A, T_X + 1))}),
                    ("nan", lambda v: {**v, "c": _with_nan(v["c"])}), ("str-entry", lambda v: {**v, "c": "1"}),
                    ("non-str-name", lambda v: {**v, 3: v["c"]})]
spec("course_lib.viz.gates.gate_heatmaps",
     lambda: {"values": _gate_values(), "t": 1, "step_labels": list("abcde"), "unit": 2, "title": "t = 2", "height": 700},
     {"values": "object", "t": "int0", "step_labels": "object", "unit": "int0", "title": "str", "height": "int"},
     optional=("step_labels", "unit", "height"),
     extra={"values": _GATE_VALUES_BAD, "t": [("out-of-range", T_X)], "unit": [("out-of-range", N_A)],
            "step_labels": [("short", ["a"]), ("dup", list("aabcd")), ("str", "abcde")]})
spec("course_lib.viz.gates.gate_frame", lambda: {"values": _gate_values(), "t": 4, "unit": 0, "title": ""},
     {"values": "object", "t": "int0", "unit": "int0", "title": "str"}, optional=("unit",),
     extra={"values": _GATE_VALUES_BAD, "t": [("out-of-range", T_X)], "unit": [("out-of-range", N_A)]})
spec("course_lib.viz.gates.unit_lines",
     lambda: {"values": _gate_values(), "unit": 3, "step_labels": list("abcde"), "t": 0, "title": "", "height": 300},
     {"values": "object", "unit": "int0", "step_labels": "object", "t": "int0", "title": "str", "height": "int"},
     optional=("step_labels", "t"),
     extra={"values": _GATE_VALUES_BAD, "unit": [("out-of-range", N_A)], "t": [("out-of-range", T_X)],
            "step_labels": [("short", ["a"])]})
spec("course_lib.viz.gates.neuron_coloring",
     lambda: {"tokens": [["The", "cat"], ["The", "cats", ","]], "values": [np.array([0.1, -0.4]), np.array([0.2, 0.9, 1.5])],
              "title": "", "row_labels": ["singular", "plural"], "zmax": 2.0, "height": 200},
     {"tokens": "object", "values": "object", "title": "str", "row_labels": "object", "zmax": "float", "height": "int"},
     optional=("row_labels", "zmax", "height"),
     extra={"tokens": [("str", "The cat"), ("empty", []), ("non-str", [["The", 3], ["a", "b", "c"]]),
                       ("empty-sentence", [[], ["a", "b", "c"]]), ("short", [["The", "cat"]])],
            "values": [("short", lambda v: [v[0][:1], v[1]]), ("str", "0.1"), ("nan", lambda v: [_with_nan(v[0]), v[1]]),
                       ("one-array", lambda v: v[0])],
            "row_labels": [("short", ["a"]), ("dup", ["a", "a"])], "zmax": [("array", np.ones(2))]})
spec("course_lib.viz.gates.gate_histogram",
     lambda: {"values": {"trained": _rng(7).random(50), "before": np.full(5, 0.5)}, "bins": 10, "bands": True,
              "title": "", "colors": {"trained": "#1f77b4"}, "height": 300},
     {"values": "object", "bins": "int", "bands": "bool", "title": "str", "colors": "object", "height": "int"},
     optional=("colors",),
     extra={"values": [("empty", {}), ("list", [np.ones(3)]), ("above-1", {"a": np.array([0.5, 1.5])}),
                       ("empty-array", {"a": np.zeros(0)}), ("str", {"a": "0.5"})],
            "bins": [("one", 1)], "colors": [("list", ["red"])]})


def _gate_caches():
    from course_lib.gru import gru_forward

    return gru_forward(x_seq(), np.zeros((N_A, M)), gru_parameters())[2]


spec("course_lib.viz.gates.step_values", lambda: {"caches": _gate_caches(), "example": 1, "steps": 3, "fields": ["c_next"]},
     {"caches": "object", "example": "int0", "steps": "int", "fields": "object"}, optional=("steps", "fields"),
     extra={"caches": [("dict", {"c": np.zeros((N_A, M, T_X))}), ("cache", lambda v: v[0])],
            "example": [("out-of-range", M)], "steps": [("too-many", T_X + 1)],
            "fields": [("str", "c_next"), ("empty", []), ("unknown", ["gamma_f"])]})

# --- widgets ----------------------------------------------------------------------------
spec("course_lib.widgets.explorer.check_in_range",
     lambda: {"name": "n_a", "value": 1.0, "low": 0.5, "high": 2.0, "integer": False, "step": None},
     {"name": "str", "value": "float", "low": "object", "high": "object", "integer": "bool"},
     extra={"value": [("above", 3.0), ("array", np.ones(1))], "low": [("str", "0"), ("above-high", 3.0)],
            "high": [("str", "2"), ("nan", float("nan"))]},
     names={"value": "n_a"})  # a check for its caller: it names the caller's argument, given as `name`
spec("course_lib.widgets.explorer.check_in_range",
     lambda: {"name": "T", "value": 10, "low": 5, "high": 100, "integer": True, "step": 5},
     {"value": "int", "step": "int"}, optional=("step",),
     extra={"value": [("off-grid", 47), ("above", 200)]}, names={"value": "T"})
spec("course_lib.widgets.explorer.check_option", lambda: {"name": "kind", "value": "b", "options": ["a", ("B", "b")]},
     {"name": "str", "value": "choice", "options": "object"},
     extra={"options": [("empty", []), ("str", "ab")], "value": [("label", "B"), ("list", ["a"])]},
     names={"value": "kind"})
spec("course_lib.widgets.explorer.seed_of", lambda: {"name": "seed", "seed": 3}, {"name": "str", "seed": "rng"},
     extra={"seed": [("negative", -1), ("bool", True)]})


def _step_figure():
    from course_lib.viz.figures import step_heatmap

    return step_heatmap(_A(), 0)


def _step_frame(t):
    from course_lib.viz.figures import step_shapes

    return {"layout": {"shapes": step_shapes(t, 4, 3)}}


spec("course_lib.widgets.explorer.TimestepExplorer",
     lambda: {"figure": _step_figure(), "frame": _step_frame, "n_steps": 4, "step_label": lambda t: f"step {t}",
              "description": "t", "interval": 500},
     {"figure": "object", "frame": "object", "n_steps": "int", "step_label": "object", "description": "str",
      "interval": "int"}, optional=("step_label",),
     extra={"figure": [("dict", {"data": []})], "frame": [("int", 3)], "step_label": [("str", "t")]})
def _step_explorer():
    from course_lib.widgets.explorer import TimestepExplorer

    return TimestepExplorer(_step_figure(), _step_frame, 4)


spec("course_lib.widgets.explorer.TimestepExplorer.replace_steps",
     lambda: {"self": _step_explorer(), "frame": _step_frame, "n_steps": 3},
     {"frame": "object", "n_steps": "int"}, extra={"frame": [("int", 3), ("str", "frame")]})
spec("course_lib.widgets.forward.forward_steps",
     lambda: {"vocabulary": _vocabulary(), "sentence": "王刚和李明", "n_a": 4, "activation": "relu", "n_y": 2, "seed": 0,
              "cell": "rnn"},
     {"vocabulary": "vocab", "sentence": "str", "n_a": "int", "activation": "choice", "n_y": "int", "seed": "rng",
      "cell": "choice"},
     extra={"sentence": [("blank", "   ")], "n_a": [("huge", 10**6)]})
spec("course_lib.widgets.gradients.flow_title",
     lambda: {"result": {"sigma_max": 1.2, "rho": 0.9, "scale": 0.5, "total_norm": 2.0}, "threshold": 1.0},
     {"result": "object", "threshold": "float"},
     extra={"result": [("missing", {"sigma_max": 1.0}), ("list", [1.0]),
                       ("str-value", {"sigma_max": "1.2", "rho": 0.9, "scale": 0.5, "total_norm": 2.0}),
                       ("None-value", {"sigma_max": 1.2, "rho": None, "scale": 0.5, "total_norm": 2.0})]})
spec("course_lib.widgets.architectures.shapes_table_html",
     lambda: {"name": "encoder_decoder", "n_x": 3, "n_a": 4, "n_y": 2, "m": 2, "T_x": 3, "T_y": 2, "cell": "rnn"},
     {"name": "choice", "n_x": "int", "n_a": "int", "n_y": "int", "m": "int", "T_x": "int", "T_y": "int", "cell": "choice"})
for _f in ("onehot_steps", "onehot_figure_and_frames", "token_table_html"):
    spec(f"course_lib.widgets.notation.{_f}", lambda: {"vocabulary": _vocabulary(), "sentence": "王刚和张三"},
         {"vocabulary": "vocab", "sentence": "str"}, extra={"sentence": [("blank", "   ")]})
extreme("course_lib.widgets.notation.onehot_figure_and_frames[2000 characters]",
        lambda: {"vocabulary": _vocabulary(), "sentence": "王刚和李明去上班了" * 222})


def _sample_result():
    from course_lib.lm import sample

    return sample(_lm(), _vocabulary(), 0, max_length=5)


spec("course_lib.widgets.sampling.SamplingExplorer",
     lambda: {"result": _sample_result(), "vocabulary": _vocabulary(), "top_k": 3},
     {"result": "object", "vocabulary": "vocab", "top_k": "int"},
     extra={"result": [("str", "王刚"), ("dict", {"tokens": ["a"]})],
            "vocabulary": [("other-size", lambda v: __import__("course_lib.data", fromlist=["x"]).Vocabulary.build(
                ["abc"], "char"))]})
spec("course_lib.widgets.sampling.sampling_steps",
     lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "seed": 0, "temperature": 1.5, "top_k": 3, "top_p": 0.9,
              "prefix": "王刚", "max_length": 5, "cell": "rnn"},
     {"parameters": "params:rnn", "vocabulary": "vocab", "seed": "rng", "temperature": "float", "top_k": "int",
      "top_p": "float", "prefix": "str", "max_length": "int", "cell": "choice"},
     optional=("top_k", "top_p"),
     extra={"seed": [("negative", -1), ("bool", True)], "top_k": [("above-n_y", 1000)], "top_p": [("above-1", 1.5)]})
spec("course_lib.widgets.sampling.SamplingExplorer.from_model",
     lambda: {"parameters": _lm(), "vocabulary": _vocabulary(), "seed": 0, "temperature": 1.5, "top_k": 3, "top_p": 0.9,
              "prefix": "王刚", "max_length": 5, "cell": "rnn", "bars": 4},
     {"parameters": "params:rnn", "vocabulary": "vocab", "seed": "rng", "temperature": "float", "top_k": "int",
      "top_p": "float", "prefix": "str", "max_length": "int", "cell": "choice", "bars": "int"},
     optional=("top_k", "top_p"),
     extra={"seed": [("negative", -1), ("bool", True), ("above-slider", 2**31)],
            "temperature": [("above-slider", 10.0), ("below-slider", 0.01)],
            "top_k": [("not-an-option", 4), ("float", 2.0), ("not-below-n_y", 20)],
            "top_p": [("not-an-option", 0.33), ("above-1", 1.5)]})
spec("course_lib.widgets.gates.GateExplorer",
     lambda: {"caches": _gate_caches(), "tokens": ["∅", "The", "cat"], "example": 1, "unit": 3, "fields": None,
              "height": 600},
     {"caches": "object", "tokens": "strs", "example": "int0", "unit": "int0", "fields": "object", "height": "int"},
     optional=("fields", "height"),
     extra={"caches": [("dict", {"c": np.zeros((N_A, M, T_X))})], "tokens": [("too-long", list("abcdef"))],
            "example": [("out-of-range", M)], "unit": [("out-of-range", N_A)], "fields": [("unknown", ["gamma_f"])]})


# Notebook 07's checkers (course_lib.checks.lstm); the teachers' answers are written as a learner writes the stubs.
def _lstm_checker_candidate(name):
    from course_lib.lstm import lstm_cell_backward, lstm_cell_forward

    return {"course_lib.checks.lstm.check_lstm_cell_forward": lstm_cell_forward,
            "course_lib.checks.lstm.check_lstm_cell_backward": lstm_cell_backward}[name]


for _name in ("course_lib.checks.lstm.check_lstm_cell_forward", "course_lib.checks.lstm.check_lstm_cell_backward"):
    spec(_name, lambda _name=_name: {"candidate": _lstm_checker_candidate(_name), "verbose": False, "time_limit": 5.0,
                                     "strict": True},
         {"candidate": "object", "verbose": "bool", "time_limit": "float", "strict": "bool"}, optional=("time_limit",),
         extra={"candidate": [("str", "lstm_cell_forward")]})
EXEMPT.update({f"course_lib.checks.answers.{_name}": "a teacher's answer, written as a learner writes the stub (no door "
                                                     "checks): tests/test_exercises.py runs it through its checker"
               for _name in ("lstm_cell_forward", "lstm_cell_backward")})


# --- the LSTM cell diagram, its explorer, the saturation plot (viz.lstm_cell, viz.gates, widgets.lstm_cell) ---
_CELL_VALUES = {"forget": 0.9, "update": 0.1, "candidate": -0.5, "cell": 0.7, "output": 0.6, "hidden": 0.4,
                "cell_prev": 0.8, "hidden_prev": -0.3}
_CELL_VALUES_BAD = [("unknown-key", {"forget": 0.9, "gamma": 0.5}), ("list", [0.9]), ("nan", {"forget": float("nan")}),
                    ("str-value", {"forget": "0.9"}), ("bool-value", {"forget": True}),
                    ("array-value", {"forget": np.ones(2)})]
for _f in ("lstm_cell_layout", "lstm_cell_diagram"):
    spec(f"course_lib.viz.lstm_cell.{_f}",
         lambda: {"highlight": "cell", "values": dict(_CELL_VALUES), "peepholes": "gers", "title": "t = 1",
                  "equation": "c<t> = …"},
         {"highlight": "choice", "values": "object", "peepholes": "choice", "title": "str", "equation": "str"},
         optional=("highlight", "values", "peepholes", "title", "equation"), extra={"values": _CELL_VALUES_BAD})
spec("course_lib.viz.lstm_cell.lstm_unit_values",
     lambda: {"caches": _lstm_caches(peepholes=True), "example": 1, "unit": 3, "steps": 4},
     {"caches": "object", "example": "int0", "unit": "int0", "steps": "int"}, optional=("steps",),
     extra={"caches": [("gru", lambda v: _gate_caches()), ("cache", lambda v: v[0])],
            "example": [("out-of-range", M)], "unit": [("out-of-range", N_A)], "steps": [("too-many", T_X + 1)]})


def _unit_numbers():
    from course_lib.viz.lstm_cell import lstm_unit_values

    return lstm_unit_values(_lstm_caches(peepholes=True), 1, 2)


spec("course_lib.viz.lstm_cell.lstm_equation",
     lambda: {"part": "hidden", "numbers": _unit_numbers(), "t": 2, "peepholes": "tutorial"},
     {"part": "choice", "numbers": "object", "t": "int0", "peepholes": "choice"}, optional=("peepholes",),
     extra={"numbers": [("missing", lambda v: {k: x for k, x in v.items() if k != "z_o"}), ("list", [1.0]),
                        ("ragged", lambda v: {**v, "z_o": v["z_o"][:2]}), ("nan", lambda v: {**v, "z_f": _with_nan(v["z_f"])})],
            "t": [("out-of-range", T_X)]})
_GATE_VALUES_BAD = [("empty", {}), ("list", [np.ones((2, 3))]), ("above-1", {"Γf": np.full((2, 3), 1.5)}),
                    ("one-axis", {"Γf": np.full(3, 0.5)}), ("shapes-differ", {"Γf": np.zeros((2, 3)), "Γo": np.zeros((2, 4))}),
                    ("no-gates", lambda v: _rnn_caches())]
for _f in ("saturation_fractions", "saturation_plot"):
    spec(f"course_lib.viz.gates.{_f}",
         lambda _f=_f: {"caches_or_values": _lstm_caches(), "mask": np.arange(M * T_X).reshape(M, T_X) < 7,
                        "low": 0.2, "high": 0.8, **({"title": "", "height": 400} if _f == "saturation_plot" else {})},
         {"caches_or_values": "object", "mask": "object", "low": "float", "high": "float",
          **({"title": "str", "height": "int"} if _f == "saturation_plot" else {})},
         optional=("mask",),
         extra={"caches_or_values": _GATE_VALUES_BAD,
                "mask": [("ints", np.ones((M, T_X), dtype=int)), ("wrong-shape", np.ones((M, T_X + 1), dtype=bool)),
                         ("all-false", np.zeros((M, T_X), dtype=bool)), ("str", "all")],
                "low": [("one", 1.0)], "high": [("below-low", 0.1), ("one", 1.0)]})
spec("course_lib.widgets.lstm_cell.LSTMCellExplorer",
     lambda: {"caches": _lstm_caches(), "tokens": ["∅", "The", "cat"], "example": 1, "unit": 3, "part": "cell"},
     {"caches": "object", "tokens": "strs", "example": "int0", "unit": "int0", "part": "choice"},
     extra={"caches": [("gru", lambda v: _gate_caches()), ("dict", {"c": np.zeros((N_A, M, T_X))})],
            "tokens": [("too-long", list("abcdef"))], "example": [("out-of-range", M)], "unit": [("out-of-range", N_A)]})


# --- models: training histories (notebook 07) ------------------------------------------
def _history_metadata(**history_changes):
    """train_default's metadata, in small: a history of 3 updates read at 2 checkpoints."""
    history = {"losses": [3.0, 2.5, 2.0], "checkpoints": [2, 3], "cpu_seconds": [0.1, 0.2],
               "wall_seconds": [0.1, 0.3], "accuracy": [0.5, 0.75], "held_out": "4 sentences"}
    history.update(history_changes)
    return {"corpus": "agreement", "n_a": N_A, "n_y": N_Y, "cell": "rnn", "history": history}


spec("course_lib.models.load_history", lambda: {"model": _history_metadata()}, {"model": "object", "seed": "int0"},
     optional=("seed",),
     extra={"model": [("unknown-name", "english"), ("int", 3), ("path", Path("assets/lm_agreement.npz")),
                      ("no-history", {"corpus": "agreement", "n_a": N_A}),
                      ("saved-without-history", lambda v: __import__("course_lib.models", fromlist=["x"]).load_model(
                          _saved())),
                      ("history-not-dict", lambda v: {**v, "history": [1.0]}),
                      ("no-checkpoints", lambda v: {**v, "history": {"losses": [1.0]}}),
                      ("no-n_a", lambda v: {k: x for k, x in v.items() if k != "n_a"}),
                      ("str-losses", _history_metadata(losses=["a", "b", "c"])),
                      ("nan-loss", _history_metadata(losses=[3.0, float("nan"), 2.0])),
                      ("short-clock", _history_metadata(cpu_seconds=[0.1])),
                      ("clock-backwards", _history_metadata(cpu_seconds=[0.2, 0.1])),
                      ("last-checkpoint-not-last-update", _history_metadata(checkpoints=[1, 2])),
                      ("accuracy-length", _history_metadata(accuracy=[0.5]))],
            "seed": [("with-a-metadata-dict", 1)]})
extreme("course_lib.models.load_history[a shipped model: agreement_long_lstm]",
        lambda: {"model": "agreement_long_lstm"},
        check=lambda h: np.testing.assert_array_equal(h.checkpoints[-1], h.losses.size))


# --- adding -----------------------------------------------------------------------------
def _adding_parameters(cell="lstm"):
    from course_lib.adding import initialize_adding_parameters

    return initialize_adding_parameters(cell, N_A, _rng(), scale=0.5, forget_bias=1.0 if cell == "lstm" else None)


def _adding_batch():
    from course_lib.adding import adding_problem

    return adding_problem(M, T_X, _rng(3))


def _adding_run(cell="rnn"):
    from course_lib.adding import train_adding

    return train_adding(cell, 2, 4, 2, batch_size=2, test_size=3, eval_every=1, progress=False)


def _adding_run_with(run, **changes):
    from course_lib.adding import AddingRun

    fields = dict(name=run.name, cell=run.cell, parameters=run.parameters, history=run.history, metadata=run.metadata)
    return AddingRun(**{**fields, **changes})


def _adding_saved():
    from course_lib.adding import save_adding_run

    path = _tmp_dir() / "my_run"
    save_adding_run(path, _adding_run())
    return str(path)


spec("course_lib.adding.adding_problem", lambda: {"m": M, "T": T_X, "rng": 0},
     {"m": "int", "T": "int", "rng": "rng"}, extra={"T": [("one", 1)]})
spec("course_lib.adding.adding_test_set", lambda: {"m": M, "T": T_X, "seed": 0},
     {"m": "int", "T": "int", "seed": "int0"}, extra={"T": [("one", 1)]})
spec("course_lib.adding.initialize_adding_parameters",
     lambda: {"cell": "lstm", "n_a": N_A, "rng": 0, "scale": 0.1, "forget_bias": 1.0},
     {"cell": "choice", "n_a": "int", "rng": "rng", "scale": "float", "forget_bias": "float0"},
     optional=("forget_bias",), allow=("forget_bias-negative",),  # a negative forget bias is a valid choice
     extra={"cell": [("rnn-with-forget-bias", "rnn")]})
spec("course_lib.adding.adding_forward",
     lambda: {"x": _adding_batch()[0], "parameters": _adding_parameters(), "cell": "lstm"},
     {"x": "array", "parameters": "params:lstm", "cell": "choice"},
     extra={"x": [("three-inputs", np.zeros((3, M, T_X)))],
            "parameters": [("gru-weights", _adding_parameters("gru")),
                           ("two-outputs", lambda v: {**v, "Wy": np.zeros((2, N_A)), "by": np.zeros((2, 1))})]})
spec("course_lib.adding.adding_mse",
     lambda: {"parameters": _adding_parameters("gru"), "x": _adding_batch()[0], "y": _adding_batch()[1], "cell": "gru"},
     {"parameters": "params:gru", "x": "array", "y": "array", "cell": "choice"},
     extra={"y": [("other-m", np.zeros((1, M + 1)))]})
spec("course_lib.adding.adding_loss_and_gradients",
     lambda: {"parameters": _adding_parameters("rnn"), "batch": _adding_batch(), "cell": "rnn"},
     {"parameters": "params:rnn", "batch": "object", "cell": "choice"},
     extra={"batch": [("x-only", lambda v: v[0]), ("other-m", lambda v: (v[0], v[1][:, :1])),
                      ("nan", lambda v: (v[0], np.full(v[1].shape, np.nan))), ("triple", lambda v: (*v, v[1]))]})
spec("course_lib.adding.train_adding",
     lambda: {"cell": "lstm", "n_a": 2, "T": 4, "steps": 2, "seed": 0, "batch_size": 2, "learning_rate": 0.01,
              "clip": ("norm", 1.0), "scale": 0.1, "forget_bias": 1.0, "test_size": 3, "test_seed": 0,
              "eval_every": 1, "progress": False},
     {"cell": "choice", "n_a": "int", "T": "int", "steps": "int", "seed": "int0", "batch_size": "int",
      "learning_rate": "float", "clip": "object", "scale": "float", "forget_bias": "float0", "test_size": "int",
      "test_seed": "int0", "eval_every": "int", "progress": "bool"},
     optional=("clip", "forget_bias"), allow=("forget_bias-negative",),
     extra={"clip": _BAD_CLIPS, "T": [("one", 1)], "cell": [("gru-with-forget-bias", "gru")]})
extreme("course_lib.adding.train_adding[T=2000]",
        lambda: {"cell": "lstm", "n_a": 2, "T": 2000, "steps": 1, "batch_size": 1, "test_size": 1, "progress": False})
spec("course_lib.adding.adding_recipe", lambda: {"name": "rnn"}, {"name": "choice"})
spec("course_lib.adding.default_adding_path", lambda: {"name": "lstm"}, {"name": "choice"})
spec("course_lib.adding.train_adding_default", lambda: {"name": "rnn", "seed": 1, "steps": 2, "progress": False},
     {"name": "choice", "seed": "int0", "steps": "int", "progress": "bool"}, optional=("seed", "steps"))
spec("course_lib.adding.save_adding_run", lambda: {"path": str(_tmp_dir() / "my_run"), "run": _adding_run()},
     {"path": "object", "run": "object"},
     extra={"path": [("int", 42), ("bytes", b"my_run"), ("empty", ""), ("directory", lambda p: str(Path(p).parent))],
            "run": [("dict", {"parameters": {}}),
                    ("other-cell", lambda r: _adding_run_with(r, cell="gru")),
                    ("nan-weights", lambda r: _adding_run_with(r, parameters={**r.parameters, "Waa": np.full((2, 2), np.nan)})),
                    ("short-history", lambda r: _adding_run_with(r, history={**r.history, "test_mse": np.ones(1)})),
                    ("nan-metadata", lambda r: _adding_run_with(r, metadata={"x": float("nan")}))]})
spec("course_lib.adding.load_adding_run", lambda: {"name": _adding_saved()}, {"name": "object"},
     names={"name": "path"},  # a shipped run's name, or the path of a saved one: the message names the path
     extra={"name": [("int", 42), ("bytes", b"my_run"), ("empty", ""), ("missing", lambda p: p + "_gone"),
                     ("directory", lambda p: str(Path(p).parent)),
                     ("corrupt-npz", lambda p: _written(p, ".npz", b"not a zip archive")),
                     ("corrupt-json", lambda p: _written(p, ".json", "{not json")),
                     ("json-list", lambda p: _written(p, ".json", "[1, 2]")),
                     ("no-cell", lambda p: _npz_without(p, "cell")),
                     ("no-Waa", lambda p: _npz_without(p, "parameters/Waa")),
                     ("no-test-mse", lambda p: _npz_without(p, "history/test_mse")),
                     ("unknown-cell", lambda p: _npz_with(p, cell=np.array("transformer"))),
                     ("nan-weights", lambda p: _npz_with(p, **{"parameters/Waa": np.full((2, 2), np.nan)}))]})
extreme("course_lib.adding.load_adding_run[save_adding_run('my_run') then load_adding_run('my_run')]",
        lambda: {"name": _adding_saved()})
spec("course_lib.adding.main",
     lambda: {"argv": ["--run", "rnn", "--steps", "2", "--out-dir", str(_tmp_dir()), "--no-progress"]},
     {"argv": "object"}, optional=("argv",),  # None: the command line's own arguments
     extra={"argv": [("str", "--run rnn --steps 2"), ("non-str", ["--steps", 2])]})
spec("course_lib.adding.updates_to_reach", lambda: {"run": _adding_run(), "threshold": 0.05},
     {"run": "object", "threshold": "float"}, extra={"run": [("dict", {"history": {}})]})

# --- viz.training ------------------------------------------------------------------------
spec("course_lib.viz.training.loss_curves",
     lambda: {"runs": {"a": (np.array([2.0, 1.5, 1.0]), np.array([0, 3]), np.array([2.0, 1.2]))},
              "reference": (1.0, "bigram"), "smooth": 2},
     {"runs": "object", "reference": "object", "smooth": "int", "log_y": "bool", "height": "int"},
     optional=("reference",),
     extra={"runs": [("empty", {}), ("not-three", {"a": (np.ones(2), np.ones(2))}),
                     ("ragged", {"a": (np.ones(2), np.arange(3), np.ones(2))}),
                     ("no-held-out", {"a": (np.ones(2), np.zeros(0), np.zeros(0))})],
            "reference": [("no-label", (0.5,)), ("nan", (float("nan"), "x"))]})
spec("course_lib.viz.training.learning_curves",
     lambda: {"curves": {"a": (np.array([1.0, 2.0]), np.array([0.1, 0.2]), np.array([0.5, 0.4]))},
              "reference": (0.5, "chance")},
     {"curves": "object", "reference": "object", "log_y": "bool", "height": "int", "updates_title": "str"},
     optional=("reference",),
     extra={"curves": [("empty", {}), ("not-three", {"a": (np.ones(2), np.ones(2))}),
                       ("ragged", {"a": (np.ones(2), np.ones(3), np.ones(2))}),
                       ("falling-updates", {"a": (np.array([2.0, 1.0]), np.ones(2), np.ones(2))})],
            "reference": [("no-label", (0.5,)), ("nan", (float("nan"), "x"))]})

# --- models: the histories of the extra seeds ---------------------------------------------
spec("course_lib.models.seed_history_path", lambda: {"name": "agreement_long_lstm", "seed": 1},
     {"name": "choice", "seed": "int0"})

# === bidirectional and deep (issue 12) =====================================================


def _bidirectional_parameters():
    from course_lib.bidirectional import initialize_bidirectional_parameters

    return initialize_bidirectional_parameters(N_X, N_A, "rnn", _rng(5), 0.5)


def _bidirectional_caches():
    from course_lib.bidirectional import bidirectional_forward

    return bidirectional_forward(x_seq(), *_bidirectional_parameters(), "rnn")[1]


def _rnn_parameters_of(n_x, n_a):
    from course_lib.rnn import initialize_rnn_parameters

    return initialize_rnn_parameters(n_x, n_a, None, _rng(8), scale=0.5)


def _stacked_layers():
    from course_lib.deep import initialize_stacked_parameters

    return initialize_stacked_parameters(N_X, [N_A, 3], "rnn", _rng(6), 0.5)


def _stacked_caches(T=T_X):
    from course_lib.deep import stacked_forward

    return stacked_forward(x_seq(T=T), _stacked_layers(), "rnn")[1]


spec("course_lib.bidirectional.bidirectional_forward",
     lambda: dict(zip(("parameters_fwd", "parameters_bwd"), _bidirectional_parameters()), x=x_seq(), cell="rnn"),
     {"x": "array", "parameters_fwd": "params:rnn", "parameters_bwd": "params:rnn", "cell": "choice"},
     extra={"parameters_bwd": [("other-n_a", lambda v: _rnn_parameters_of(N_X, N_A + 1)),
                               ("other-n_x", lambda v: _rnn_parameters_of(N_X + 1, N_A))],
            "cell": [("gru-for-rnn-parameters", "gru")]})
spec("course_lib.bidirectional.bidirectional_backward",
     lambda: {"da": np.ones((2 * N_A, M, T_X)), "caches": _bidirectional_caches()},
     {"da": "array", "caches": "object"},
     extra={"da": [("half", lambda v: v[:N_A]), ("other-T", lambda v: v[:, :, 1:])],
            "caches": [("one-direction", lambda c: c.fwd), ("plain-tuple", lambda c: tuple(c)), ("list", [1, 2])]})
spec("course_lib.bidirectional.bidirectional_predictions",
     lambda: {"a": x_seq(T=T_X)[:1].repeat(2 * N_A, axis=0),
              "parameters": {"Wy": _rng(7).standard_normal((N_Y, 2 * N_A)), "by": np.zeros((N_Y, 1))}},
     {"a": "array", "parameters": "params:output"},
     extra={"a": [("one-direction", lambda v: v[:N_A])]})
spec("course_lib.bidirectional.initialize_bidirectional_parameters",
     lambda: {"n_x": N_X, "n_a": N_A, "cell": "lstm", "rng": 0, "scale": 0.1},
     {"n_x": "int", "n_a": "int", "cell": "choice", "rng": "rng", "scale": "float"})
spec("course_lib.bidirectional.initialize_bidirectional_output",
     lambda: {"n_a": N_A, "n_y": N_Y, "rng": 0, "scale": 0.1},
     {"n_a": "int", "n_y": "int", "rng": "rng", "scale": "float"})
extreme("course_lib.bidirectional.bidirectional_forward[T_x=2000]",
        lambda: dict(zip(("parameters_fwd", "parameters_bwd"), _bidirectional_parameters()), x=x_seq(T=2000),
                     cell="rnn"))

spec("course_lib.deep.stacked_forward", lambda: {"x": x_seq(), "layer_parameters": _stacked_layers(), "cell": "rnn"},
     {"x": "array", "layer_parameters": "object", "cell": "choice"},
     extra={"layer_parameters": [("one-dict", lambda v: v[0]), ("empty", []), ("str", "rnn"),
                                 ("mismatched-sizes", lambda v: [v[0], v[0]]),
                                 ("nan-in-layer-1", lambda v: [v[0], {**v[1], "Waa": _with_nan(v[1]["Waa"])}]),
                                 ("missing-key-in-layer-1", lambda v: [v[0], {k: w for k, w in v[1].items() if k != "ba"}]),
                                 ("None-layer", lambda v: [v[0], None])],
            "cell": [("gru-for-rnn-parameters", "gru")]})
for _f in ("stacked_backward", "layer_state_gradients", "layer_gradient_norms"):
    spec(f"course_lib.deep.{_f}", lambda: {"da_top": np.ones((3, M, T_X)), "caches": _stacked_caches()},
         {"da_top": "array", "caches": "object"},
         extra={"da_top": [("bottom-layer-size", lambda v: np.ones((N_A, M, T_X))), ("other-T", lambda v: v[:, :, 1:])],
                "caches": [("one-layer-cache", lambda c: c.layers[-1]), ("layers-list", lambda c: list(c.layers)),
                           ("list", [1, 2])]})
spec("course_lib.deep.initialize_stacked_parameters",
     lambda: {"n_x": N_X, "layer_sizes": [N_A, 3], "cell": "gru", "rng": 0, "scale": 0.1},
     {"n_x": "int", "layer_sizes": "object", "cell": "choice", "rng": "rng", "scale": "float"},
     extra={"layer_sizes": [("empty", []), ("int", 4), ("str", "43"), ("zero", [4, 0]), ("float", [4, 2.5]),
                            ("bool", [True]), ("None-size", [4, None])]})
extreme("course_lib.deep.stacked_forward[T_x=2000]",
        lambda: {"x": x_seq(T=2000), "layer_parameters": _stacked_layers(), "cell": "rnn"})
extreme("course_lib.deep.stacked_backward[T_x=2000]",
        lambda: {"da_top": np.ones((3, M, 2000)), "caches": _stacked_caches(2000)})


# --- the exercise checkers of notebooks 08 and 09 ------------------------------------------
def _birnn_checker_candidate(name):
    from course_lib.bidirectional import bidirectional_forward
    from course_lib.deep import stacked_forward

    return {"course_lib.checks.bidirectional.check_bidirectional_forward": bidirectional_forward,
            "course_lib.checks.deep.check_stacked_forward": stacked_forward}[name]


for _name in ("course_lib.checks.bidirectional.check_bidirectional_forward", "course_lib.checks.deep.check_stacked_forward"):
    spec(_name, lambda _name=_name: {"candidate": _birnn_checker_candidate(_name), "verbose": False, "time_limit": 5.0,
                                     "strict": True},
         {"candidate": "object", "verbose": "bool", "time_limit": "float", "strict": "bool"}, optional=("time_limit",),
         extra={"candidate": [("str", "bidirectional_forward")]})
EXEMPT.update({f"course_lib.checks.answers.{_name}": "a teacher's answer, written as a learner writes the stub (no door "
                                                     "checks): tests/test_exercises.py runs it through its checker"
               for _name in ("bidirectional_forward", "stacked_forward")})


# --- notebook 08: the 王 task, its taggers and language models, the sweep figures --------
def _wang_model(bidirectional=True, n_y=1):
    from course_lib.bidirectional_tasks import initialize_model, task_vocabulary

    return initialize_model(task_vocabulary().n_x, 3, n_y, "rnn", bidirectional, 0)


def _wang_x():
    from course_lib.bidirectional_tasks import task_vocabulary
    from course_lib.data import one_hot

    vocabulary = task_vocabulary()
    return one_hot(np.array([vocabulary.encode("他说,「王府里很安静」")]), vocabulary.n_x)


spec("course_lib.data.names.wang_tagging_examples", lambda: {"n": 3, "rng": 0}, {"n": "int", "rng": "rng"})
spec("course_lib.data.names.wang_position", lambda: {"sentence": "他说,「王府里很安静」"}, {"sentence": "str"})
spec("course_lib.bidirectional_tasks.initialize_model",
     lambda: {"n_x": N_X, "n_a": N_A, "n_y": N_Y, "cell": "rnn", "bidirectional": True, "rng": 0, "scale": 0.1},
     {"n_x": "int", "n_a": "int", "n_y": "int", "cell": "choice", "bidirectional": "bool", "rng": "rng", "scale": "float"})
spec("course_lib.bidirectional_tasks.model_logits", lambda: {"model": _wang_model(), "x": _wang_x(), "cell": "rnn"},
     {"model": "object", "x": "array", "cell": "choice"})
spec("course_lib.bidirectional_tasks.model_hidden_states", lambda: {"model": _wang_model(), "x": _wang_x(), "cell": "rnn"},
     {"model": "object", "x": "array", "cell": "choice"})
spec("course_lib.bidirectional_tasks.language_model_batches",
     lambda: {"sentences": ["他说,「王府里很安静」"], "vocabulary": __import__("course_lib.bidirectional_tasks").bidirectional_tasks.task_vocabulary(),
              "batch_size": 2},
     {"sentences": "strs", "vocabulary": "vocab", "batch_size": "int"}, optional=("batch_size",))
spec("course_lib.viz.bidirectional.sweep_figure",
     lambda: {"a_fwd": np.zeros((3, 4)), "a_bwd": np.zeros((3, 4)), "y_hat": np.full(4, 0.5), "t": 1},
     {"a_fwd": "array", "a_bwd": "array", "y_hat": "array", "t": "int0"})
EXEMPT.update({
    "course_lib.data.names.all_wang_sentences": "no arguments",
    "course_lib.bidirectional_tasks.task_vocabulary": "no arguments",
    "course_lib.bidirectional_tasks.is_bidirectional": "a predicate: any value gives True or False",
})


def _wang_tagging(n=3):
    from course_lib.data.names import wang_tagging_examples

    sentences, labels, _ = wang_tagging_examples(n, 4)
    return sentences, labels


def _wang_batch(kind="tagger"):
    import course_lib.bidirectional_tasks as tasks

    sentences, labels = _wang_tagging(1)
    if kind == "tagger":
        return tasks.tagging_batches(sentences, labels, tasks.task_vocabulary())[0]
    return tasks.language_model_batches(sentences, tasks.task_vocabulary())[0]


def _wang_lm(bidirectional=False):
    """A tiny language model of the 王 task (n_y = n_x)."""
    from course_lib.bidirectional_tasks import initialize_model, task_vocabulary

    n_x = task_vocabulary().n_x
    return initialize_model(n_x, 3, n_x, "rnn", bidirectional, 1)


def _wang_vocabulary():
    from course_lib.bidirectional_tasks import task_vocabulary

    return task_vocabulary()


def _wang_saved():
    """The stem of a tagger saved by save_task_model in a fresh directory (path + ".npz" loads it)."""
    from course_lib.bidirectional_tasks import save_task_model

    path = _tmp_dir() / "tagger"
    save_task_model(str(path) + ".npz", _wang_model(), {"kind": "tagger", "cell": "rnn", "bidirectional": True})
    return str(path)


def _with_part(model, part, **entries):
    return {**model, part: {**model[part], **entries}}


_WANG_MODEL_ROWS = [
    ("list", [1, 2]), ("empty", {}),
    ("no-out", lambda m: {k: v for k, v in m.items() if k != "out"}),
    ("misspelt-part", lambda m: {**m, "bw": m["fwd"]}),
    ("fwd-None", lambda m: {**m, "fwd": None}),
    ("fwd-missing-Waa", lambda m: {**m, "fwd": {k: v for k, v in m["fwd"].items() if k != "Waa"}}),
    ("fwd-nan", lambda m: _with_part(m, "fwd", Waa=_with_nan(m["fwd"]["Waa"]))),
    ("bwd-complex", lambda m: _with_part(m, "bwd", ba=m["bwd"]["ba"] + 1j)),
    ("bwd-other-n_a", lambda m: {**m, "bwd": _rnn_parameters_of(m["fwd"]["Wax"].shape[1], 4)}),
    ("Wy-one-direction", lambda m: _with_part(m, "out", Wy=m["out"]["Wy"][:, :3])),
    ("by-other-n_y", lambda m: _with_part(m, "out", by=np.zeros((2, 1)))),
    ("out-str", lambda m: {**m, "out": "Wy"}),
]
_WANG_BATCH_ROWS = [
    ("str", "x"), ("x-only", lambda b: b[:1]), ("x-nan", lambda b: (_with_nan(b[0]), *b[1:])),
    ("x-other-n_x", lambda b: (b[0][:-1], *b[1:])), ("x-2d", lambda b: (b[0][:, 0], *b[1:])),
]
_WANG_CELL_ROWS = [("gru-for-rnn-parameters", "gru")]

spec("course_lib.bidirectional_tasks.checked_model", lambda: {"model": _wang_model(), "cell": "rnn", "name": "model"},
     {"model": "object", "cell": "choice", "name": "str"}, extra={"model": _WANG_MODEL_ROWS})
spec("course_lib.bidirectional_tasks.tagging_batches",
     lambda: dict(zip(("sentences", "labels"), _wang_tagging()), vocabulary=_wang_vocabulary(), batch_size=2),
     {"sentences": "strs", "labels": "object", "vocabulary": "vocab", "batch_size": "int"}, optional=("batch_size",),
     extra={"labels": [("short", lambda y: y[:-1]), ("one-label-short", lambda y: [y[0][:-1], *y[1:]]),
                       ("label-2", lambda y: [2 * np.ones_like(v) for v in y]), ("str", "0010"),
                       ("str-labels", lambda y: [v.astype(str) for v in y])],
            "sentences": [("empty-sentence", lambda s: ["", *s[1:]])]})
for _kind in ("tagger", "lm"):
    spec(f"course_lib.bidirectional_tasks.{_kind}_loss_and_gradients",
         lambda _kind=_kind: {"model": _wang_model() if _kind == "tagger" else _wang_lm(True),
                              "batch": _wang_batch(_kind), "cell": "rnn"},
         {"model": "object", "batch": "object", "cell": "choice"},
         extra={"model": _WANG_MODEL_ROWS + [("other-kind", lambda m, _kind=_kind: _wang_lm() if _kind == "tagger"
                                              else _wang_model())],
                "batch": _WANG_BATCH_ROWS + [("other-kind", lambda b, _kind=_kind: _wang_batch("lm" if _kind == "tagger"
                                                                                             else "tagger"))],
                "cell": _WANG_CELL_ROWS})
spec("course_lib.bidirectional_tasks.lm_mean_loss", lambda: {"model": _wang_lm(True), "batches": [_wang_batch("lm")], "cell": "rnn"},
     {"model": "object", "batches": "object", "cell": "choice"},
     extra={"model": _WANG_MODEL_ROWS + [("tagger", lambda m: _wang_model(False))],
            "batches": [("empty", []), ("one-batch", lambda b: b[0]), ("tuple", lambda b: tuple(b)),
                        ("tagger-batches", lambda b: [_wang_batch("tagger")]), ("None-batch", [None])],
            "cell": _WANG_CELL_ROWS})
spec("course_lib.bidirectional_tasks.tagger_accuracy",
     lambda: dict(zip(("sentences", "labels"), _wang_tagging()), model=_wang_model(), vocabulary=_wang_vocabulary(), cell="rnn"),
     {"model": "object", "sentences": "strs", "labels": "object", "vocabulary": "vocab", "cell": "choice"},
     extra={"model": _WANG_MODEL_ROWS + [("language-model", lambda m: _wang_lm(True))],
            "sentences": [("no-wang", lambda s: [v.replace("「王", "「李") for v in s])],
            "labels": [("short", lambda y: y[:-1]), ("label-2", lambda y: [2 * np.ones_like(v) for v in y])],
            "cell": _WANG_CELL_ROWS})
spec("course_lib.bidirectional_tasks.sample_sentences",
     lambda: {"model": _wang_lm(True), "vocabulary": _wang_vocabulary(), "n": 2, "rng": 0,
              "cell": "rnn", "max_length": 4},
     {"model": "object", "vocabulary": "vocab", "n": "int", "rng": "rng", "cell": "choice", "max_length": "int"},
     extra={"model": _WANG_MODEL_ROWS + [("tagger", lambda m: _wang_model())], "cell": _WANG_CELL_ROWS})
spec("course_lib.bidirectional_tasks.assets_path", lambda: {"kind": "lm", "cell": "gru", "bidirectional": False},
     {"kind": "choice", "cell": "choice", "bidirectional": "bool"})
spec("course_lib.bidirectional_tasks.train_task_model",
     lambda: {"kind": "tagger", "cell": "rnn", "bidirectional": True, "progress": False, "n_a": 2, "sentences": 8,
              "steps": 2, "batch_size": 4, "learning_rate": 0.01, "seed": 0},
     {"kind": "choice", "cell": "choice", "bidirectional": "bool", "progress": "bool", "n_a": "int", "sentences": "int",
      "steps": "int", "batch_size": "int", "learning_rate": "float", "seed": "int0"})
spec("course_lib.bidirectional_tasks.save_task_model",
     lambda: {"path": str(_tmp_dir() / "tagger.npz"), "model": _wang_model(),
              "metadata": {"kind": "tagger", "cell": "rnn", "bidirectional": True, "note": "tiny"}},
     {"path": "object", "model": "object", "metadata": "object"},
     extra={"path": [("int", 42), ("bool", True), ("empty", ""), ("no-suffix", lambda p: p[:-4]),
                     ("missing-directory", lambda p: str(Path(p).parent / "gone" / "tagger.npz"))],
            "model": _WANG_MODEL_ROWS + [("unidirectional", lambda m: _wang_model(False))],
            "metadata": [("list", [1]), ("no-cell", {"kind": "tagger", "bidirectional": True}),
                         ("unknown-cell", {"kind": "tagger", "cell": "transformer", "bidirectional": True}),
                         ("unknown-kind", {"kind": "poem", "cell": "rnn", "bidirectional": True}),
                         ("str-bidirectional", {"kind": "tagger", "cell": "rnn", "bidirectional": "yes"}),
                         ("nan", {"kind": "tagger", "cell": "rnn", "bidirectional": True, "loss": float("nan")}),
                         ("array", {"kind": "tagger", "cell": "rnn", "bidirectional": True, "losses": np.ones(2)})]})
spec("course_lib.bidirectional_tasks.load_task_model",
     lambda: {"kind": "tagger", "cell": "gru", "bidirectional": True, "path": None},
     {"kind": "choice", "cell": "choice", "bidirectional": "bool", "path": "object"}, optional=("path",),
     extra={"path": [("int", 42), ("bool", True), ("empty", ""), ("missing", lambda p: str(_tmp_dir() / "gone.npz")),
                     ("directory", lambda p: str(_tmp_dir())),
                     ("corrupt-npz", lambda p: _written(_wang_saved(), ".npz", b"not a zip archive") + ".npz"),
                     ("corrupt-json", lambda p: _written(_wang_saved(), ".json", "{not json") + ".npz"),
                     ("no-cell", lambda p: _written(_wang_saved(), ".json", '{"kind": "tagger"}') + ".npz"),
                     ("no-Waa", lambda p: _npz_without(_wang_saved(), "fwd/Waa") + ".npz"),
                     ("nan-weights", lambda p: _npz_with(_wang_saved(), **{"out/by": np.full((1, 1), np.nan)}) + ".npz")]})
extreme("course_lib.bidirectional_tasks.load_task_model[save_task_model(path) then load_task_model(path=path)]",
        lambda: {"kind": "tagger", "path": _wang_saved() + ".npz"})
for _f in ("input_dependence", "output_contributions"):
    spec(f"course_lib.bidirectional_tasks.{_f}", lambda: {"model": _wang_model(), "x": _wang_x(), "cell": "rnn"},
         {"model": "object", "x": "array", "cell": "choice"},
         extra={"model": _WANG_MODEL_ROWS + ([] if _f == "input_dependence" else [("language-model", lambda m: _wang_lm(True))]),
                "x": [("two-examples", lambda x: np.concatenate([x, x], axis=1))] if _f == "input_dependence" else [],
                "cell": _WANG_CELL_ROWS})
spec("course_lib.viz.bidirectional.sweep_frame",
     lambda: {"a_fwd": np.zeros((3, 4)), "a_bwd": np.zeros((3, 4)), "y_hat": np.full(4, 0.5), "t": 1, "title": "t = 2"},
     {"a_fwd": "array", "a_bwd": "array", "y_hat": "array", "t": "int0", "title": "str"},
     extra={"a_bwd": [("other-T", lambda a: a[:, :3])], "y_hat": [("above-1", np.full(4, 1.5)), ("other-T", np.ones(3))],
            "t": [("past-the-end", 4)]})
spec("course_lib.viz.bidirectional.dependence_figure",
     lambda: {"dependence": [np.tril(np.ones((4, 4))), np.ones((4, 4))], "titles": ["uni", "bi"],
              "step_labels": list("王府里静"), "title": "", "height": 300},
     {"dependence": "object", "titles": "strs", "step_labels": "strs", "title": "str", "height": "int"},
     optional=("step_labels",),
     extra={"dependence": [("empty", []), ("array", np.ones((4, 4))), ("not-square", [np.ones((4, 3))]),
                           ("negative", [-np.ones((4, 4))]), ("nan", [np.full((4, 4), np.nan)]),
                           ("other-T", lambda d: [d[0], np.ones((3, 3))])],
            "titles": [("one-short", ["uni"])], "step_labels": [("one-short", list("王府里"))]})
spec("course_lib.widgets.bidirectional.BidirectionalExplorer",
     lambda: {"sentence": "他说,「王府里很安静」", "models": {"rnn": _wang_model()}, "vocabulary": _wang_vocabulary(), "cell": "rnn", "t": 4},
     {"sentence": "str", "models": "object", "vocabulary": "vocab", "cell": "choice", "t": "int0"},
     extra={"sentence": [("empty", "")], "t": [("past-the-end", 11)],
            "models": [("empty", {}), ("unknown-cell", lambda m: {"transformer": m["rnn"]}),
                       ("unidirectional", lambda m: {"rnn": _wang_model(False)}),
                       ("language-model", lambda m: {"rnn": _wang_lm(True)}),
                       ("nan", lambda m: {"rnn": _with_part(m["rnn"], "fwd", Waa=_with_nan(m["rnn"]["fwd"]["Waa"]))}),
                       ("gru-for-rnn-parameters", lambda m: {"gru": m["rnn"]})]})


# === notebook 09: the deep language model, the grid figure and its explorer (deep_lm, viz.deep, widgets.deep) ===
_DEEP_BATCH = np.array([[2, 3, 4, 1, -1], [5, 6, 2, 3, 1]])  # two sentences of token indices, <EOS> = 1, padding −1


def _deep_lm_parameters(n_y=7, sizes=(4, 3)):
    from course_lib.deep_lm import initialize_deep_lm

    return initialize_deep_lm(n_y, sizes, _rng(9), "rnn", 0.5)


def _deep_lm_vocabulary():
    from course_lib.data import Vocabulary

    return Vocabulary.build(["the cat sleeps", "the dogs run"], "word")


def _deep_lm_with(p, **parts):
    return {**p, **parts}


_DEEP_PARAMETER_ROWS = [
    ("list", [1, 2]), ("empty-dict", {}),
    ("no-output", lambda p: {k: v for k, v in p.items() if k != "output"}),
    ("no-layer1", lambda p: {k: v for k, v in p.items() if k != "layer1"}),
    ("misspelt-layer", lambda p: {("Layer1" if k == "layer1" else k): v for k, v in p.items()}),
    ("layer-None", lambda p: _deep_lm_with(p, layer2=None)),
    ("output-None", lambda p: _deep_lm_with(p, output=None)),
    ("layer2-reads-wrong-size", lambda p: _deep_lm_with(p, layer2=_deep_lm_parameters(5, (3,))["layer1"])),
    ("nan-in-layer2", lambda p: _deep_lm_with(p, layer2={**p["layer2"], "Waa": _with_nan(p["layer2"]["Waa"])})),
    ("complex-in-layer1", lambda p: _deep_lm_with(p, layer1={**p["layer1"], "Wax": p["layer1"]["Wax"] + 1j})),
    ("layer1-missing-ba", lambda p: _deep_lm_with(p, layer1={k: v for k, v in p["layer1"].items() if k != "ba"})),
    ("output-missing-by", lambda p: _deep_lm_with(p, output={"Wya": p["output"]["Wya"]})),
    ("output-wrong-shape", lambda p: _deep_lm_with(p, output={**p["output"], "Wya": p["output"]["Wya"][:, :-1]})),
    ("output-nan", lambda p: _deep_lm_with(p, output={**p["output"], "by": _with_nan(p["output"]["by"])})),
]
_DEEP_BATCH_ROWS = [
    ("str", "2 3 4"), ("float", _DEEP_BATCH.astype(float)), ("out-of-range", np.full((2, 5), 7)),
    ("one-axis", _DEEP_BATCH[0]), ("three-axes", _DEEP_BATCH[:, :, None]), ("empty", np.zeros((2, 0), dtype=int)),
    ("below-minus-one", np.full((2, 5), -2)), ("list-of-lists", [[2, 3], [4]]),
]
_DEEP_SIZES_ROWS = [("empty", []), ("int", 4), ("str", "43"), ("zero", [4, 0]), ("float", [4, 2.5]),
                    ("bool", [True]), ("None-size", [4, None])]

spec("course_lib.deep_lm.corpus", lambda: {}, {})
spec("course_lib.deep_lm.initialize_deep_lm",
     lambda: {"n_y": 7, "layer_sizes": [4, 3], "rng": 0, "cell": "lstm", "init_scale": 0.1},
     {"n_y": "int", "layer_sizes": "object", "rng": "rng", "cell": "choice", "init_scale": "float"},
     extra={"layer_sizes": _DEEP_SIZES_ROWS})
spec("course_lib.deep_lm.deep_lm_parameter_count", lambda: {"n_y": 79, "layer_sizes": [64, 64], "cell": "gru"},
     {"n_y": "int", "layer_sizes": "object", "cell": "choice"}, extra={"layer_sizes": _DEEP_SIZES_ROWS})
spec("course_lib.deep_lm.layer_size_for", lambda: {"n_y": 79, "n_layers": 2, "count": 14351, "cell": "rnn"},
     {"n_y": "int", "n_layers": "int", "count": "int", "cell": "choice"},
     extra={"n_layers": [("too-many", 17)]})
spec("course_lib.deep_lm.deep_lm_forward",
     lambda: {"parameters": _deep_lm_parameters(), "batch_indices": _DEEP_BATCH.copy(), "cell": "rnn"},
     {"parameters": "object", "batch_indices": "object", "cell": "choice"},
     extra={"parameters": _DEEP_PARAMETER_ROWS, "batch_indices": _DEEP_BATCH_ROWS,
            "cell": [("gru-for-rnn-parameters", "gru")]})
spec("course_lib.deep_lm.deep_lm_loss_and_gradients",
     lambda: {"parameters": _deep_lm_parameters(), "batch_indices": _DEEP_BATCH.copy(), "mask": _DEEP_BATCH >= 0,
              "cell": "rnn"},
     {"parameters": "object", "batch_indices": "object", "mask": "object", "cell": "choice"}, optional=("mask",),
     extra={"parameters": _DEEP_PARAMETER_ROWS, "batch_indices": _DEEP_BATCH_ROWS,
            "mask": [("int", lambda m: m.astype(int)), ("short", lambda m: m[:, :-1]), ("str", "all"),
                     ("marks-padding", lambda m: np.ones_like(m))],
            "cell": [("lstm-for-rnn-parameters", "lstm")]})
spec("course_lib.deep_lm.deep_lm_mean_token_loss",
     lambda: {"parameters": _deep_lm_parameters(len(_deep_lm_vocabulary())), "vocabulary": _deep_lm_vocabulary(),
              "sentences": ["the cat run", "the dogs sleeps"], "cell": "rnn"},
     {"parameters": "object", "vocabulary": "vocab", "sentences": "strs", "cell": "choice"},
     extra={"parameters": [p for p in _DEEP_PARAMETER_ROWS if p[0] != "layer2-reads-wrong-size"]
            + [("other-vocabulary-size", _deep_lm_parameters(9))],
            "sentences": [("blank", ["the cat", "  "])], "cell": [("gru-for-rnn-parameters", "gru")]})
spec("course_lib.deep_lm.split_corpus", lambda: {"sentences": ["a b", "c d", "e f", "g h"], "held_out_share": 0.25},
     {"sentences": "strs", "held_out_share": "float"},
     extra={"sentences": [("one-sentence", ["a b"]), ("blank", ["a b", ""])],
            "held_out_share": [("one", 1.0), ("above-one", 1.5)]})
spec("course_lib.deep_lm.train_deep_lm",
     lambda: {"train": ["the cat sleeps", "the dogs run"], "held_out": ["the dogs sleeps"],
              "vocabulary": _deep_lm_vocabulary(), "layer_sizes": [3, 2], "cell": "gru", "steps": 2, "seed": 1,
              "progress": False},
     {"train": "strs", "held_out": "strs", "vocabulary": "vocab", "layer_sizes": "object", "cell": "choice",
      "steps": "int", "seed": "int0", "progress": "bool"}, optional=("steps", "seed"),
     extra={"layer_sizes": _DEEP_SIZES_ROWS})
spec("course_lib.deep_lm.load_deep_run", lambda: {"name": "2x47", "directory": None},
     {"name": "choice", "directory": "object"}, optional=("directory",),
     extra={"name": [("other-size", "4x64"), ("list", ["1x64"])],
            "directory": [("int", 42), ("bytes", b"assets"), ("empty-directory", lambda d: str(_tmp_dir() / "none")),
                          ("a-file", lambda d: str(Path(__file__)))]})
spec("course_lib.deep_lm.main",
     lambda: {"argv": ["--only", "1x64", "--steps", "2", "--seeds", "0", "--out", str(_tmp_dir() / "deep_lm")]},
     {"argv": "object"}, optional=("argv",),  # None: the command line's own arguments
     extra={"argv": [("str", "--only 1x64 --steps 2"), ("non-str", ["--steps", 2])]})

spec("course_lib.viz.deep.state_label", lambda: {"layer": 2, "t": 3}, {"layer": "int0", "t": "int0"})
spec("course_lib.viz.deep.direct_inputs", lambda: {"layer": 2, "t": 3}, {"layer": "int", "t": "int"})
for _f in ("dependency_cone", "grid_frame", "grid_figure"):
    spec(f"course_lib.viz.deep.{_f}", lambda: {"n_layers": 3, "T_x": 6, "layer": 2, "t": 3},
         {"n_layers": "int", "T_x": "int", "layer": "int", "t": "int"},
         extra={"n_layers": [("too-many", 13)], "T_x": [("too-long", 41)], "layer": [("above-L", 4)],
                "t": [("above-T_x", 7)]})
spec("course_lib.viz.deep.grid_figure", lambda: {"n_layers": 2, "T_x": 4, "layer": 1, "t": 1, "height": 400},
     {"height": "int"}, optional=("height",))
spec("course_lib.viz.deep.gradient_norm_heatmap",
     lambda: {"norms": np.abs(x_seq()[0]) + 0.1, "title": "norms", "tokens": ["a", "b", "c", "d", "e"]},
     {"norms": "array", "title": "str", "tokens": "strs"}, optional=("tokens",),
     extra={"norms": [("negative", lambda v: -v)], "tokens": [("too-few", ["a", "b"])]})
extreme("course_lib.viz.deep.gradient_norm_heatmap[zeros and 1e-300]",
        lambda: {"norms": np.array([[0.0, 1e-300, 1.0], [0.0, 0.0, 1e300]])})
spec("course_lib.widgets.deep.DeepGridExplorer", lambda: {"n_layers": 3, "T_x": 6, "layer": 2, "t": 3},
     {"n_layers": "int", "T_x": "int", "layer": "int", "t": "int"},
     extra={"n_layers": [("too-many", 13)], "T_x": [("too-long", 41)], "layer": [("above-L", 4)],
            "t": [("above-T_x", 7)]})


# --- self-check quizzes (course_lib.quiz, course_lib.quizzes, course_lib.widgets.quiz) ----
def _choices():
    from course_lib.quiz import Choice

    return (Choice("keeps c⟨t−1⟩", "Γu ≈ 0 copies it.", correct=True), Choice("erases it", "No: 1 − Γu ≈ 1."))


def _multiple_choice():
    from course_lib.quiz import MultipleChoice

    return MultipleChoice("Γu ≈ 0 does what?", _choices())


spec("course_lib.quiz.Choice", lambda: {"text": "keeps it", "why": "Γu ≈ 0 copies it.", "correct": True},
     {"text": "str", "why": "str", "correct": "bool"}, extra={"text": [("empty", "  ")], "why": [("empty", "")]})
spec("course_lib.quiz.MultipleChoice", lambda: {"prompt": "Γu ≈ 0 does what?", "choices": _choices()},
     {"prompt": "str", "choices": "object"},
     extra={"choices": [("list", lambda v: list(v)), ("one", lambda v: v[:1]),
                        ("none-correct", lambda v: (v[1], v[1].__class__("other", "w"))),
                        ("two-correct", lambda v: (v[0], v[0].__class__("other", "w", correct=True))),
                        ("same-text", lambda v: (v[0], v[0].__class__(v[0].text, "w"))), ("strs", ("a", "b"))]})
spec("course_lib.quiz.Mistake", lambda: {"value": 63, "why": "That forgot the biases."},
     {"value": "object", "why": "str"}, extra={"value": [("nan", float("nan")), ("inf", float("inf")),
                                                          ("bool", True), ("str", "63")]})
spec("course_lib.quiz.Numeric",
     lambda: {"prompt": "How many?", "answer": 72, "why": "3 × 24.", "hint": "Count the blocks.",
              "mistakes": (__import__("course_lib.quiz", fromlist=["Mistake"]).Mistake(63, "No biases."),),
              "tolerance": 0.0},
     {"prompt": "str", "answer": "object", "why": "str", "hint": "str", "mistakes": "object", "tolerance": "float0"},
     extra={"answer": [("nan", float("nan")), ("bool", True), ("str", "72")],
            "mistakes": [("list", lambda v: list(v)), ("the-answer", lambda v: (v[0].__class__(72, "same"),)),
                         ("floats", (63.0,))]})
spec("course_lib.quiz.Quiz", lambda: {"title": "Self-check: the GRU", "questions": (_multiple_choice(),)},
     {"title": "str", "questions": "object"},
     extra={"questions": [("empty", ()), ("list", lambda v: list(v)), ("a-choice", lambda v: (_choices()[0],))]})
spec("course_lib.quiz.grade", lambda: {"question": _multiple_choice(), "response": 1},
     {"question": "object", "response": "object"}, optional=("response",),
     extra={"question": [("a-choice", lambda v: _choices()[0]), ("str", "Γu ≈ 0 does what?")],
            "response": [("out-of-range", 2), ("negative", -1), ("bool", True), ("unknown-text", "neither"),
                         ("float", 1.0)]})
spec("course_lib.quizzes.quiz_for", lambda: {"notebook": "06_gru"}, {"notebook": "choice"},
     extra={"notebook": [("with-suffix", "06_gru.ipynb"), ("glossary", "glossary")]})
spec("course_lib.widgets.quiz.SelfCheck", lambda: {"quiz": __import__("course_lib.quizzes", fromlist=["quiz_for"])
                                                   .quiz_for("00_notation")},
     {"quiz": "object"}, extra={"quiz": [("a-question", lambda v: v.questions[0]), ("questions", lambda v: v.questions),
                                         ("name", "00_notation")]})
spec("course_lib.widgets.quiz.plain_label", lambda: {"text": "a<sup>⟨T<sub>x</sub>⟩</sup>"}, {"text": "str"})
