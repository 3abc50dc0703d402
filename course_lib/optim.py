"""Optimisers: turn a gradient dictionary into updated parameters.

Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model".

Gradients mirror the parameters: the gradient of the array "W" is "dW" (the course's
naming: ``"dWax"`` updates ``"Wax"``). A model of several parts (an encoder and a decoder)
is a dict of parameter dicts, ``{"encoder": {...}, "decoder": {...}}``, and its gradients
the dict of their gradient dicts under the same part names. Every parameter needs its
gradient, and every gradient its parameter: a misspelt key (``"dwaa"``) or a backward's
``"dx"`` raises instead of leaving a weight silently unchanged (a cell's
``only_parameter_gradients`` keeps the parameter gradients of a backward's dict).

Both optimisers return a *new* parameters dictionary; the dictionaries passed in are never
modified. Adam's running moments live in the optimiser object — the one piece of state
training needs — so the same ``Adam`` must be reused from step to step, and one ``Adam``
serves one model: it binds to the keys and shapes of the first parameters it updates.
"""

import numpy as np

from course_lib._validate import as_float_array, check_positive_float

__all__ = ["Adam", "SGD", "OPTIMIZERS", "gradient_pairs", "make_optimizer", "rebuild"]


def _check_learning_rate(learning_rate):
    return check_positive_float("learning_rate", learning_rate)


def gradient_pairs(parameters, gradients, name="gradients"):
    """Every parameter with its gradient, after checking that the gradients mirror the parameters.

    Args:
        parameters: dict name → array (e.g. "Wax" (n_a, n_x)), or dict part → such a dict.
        gradients: dict "d" + name → array of the same shape (for a part: part → its dict).
        name: how to call ``gradients`` in an error.
    Returns:
        list of (path, parameter, gradient) in the parameters' order; path is the tuple of
        keys of the parameter, ("Wax",) or ("encoder", "Wax"). The arrays are float64 (the
        gradients may hold NaN or inf: the trainer's guard reports those).
    Raises:
        ValueError naming the key: a gradient missing, a gradient without a parameter (a
        misspelt "dwaa", a "dx"), a shape that differs, a value that is not an array.
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be a str (how to call the gradients in an error), got {type(name).__name__}")
    if not isinstance(parameters, dict) or not parameters:
        raise ValueError(f"parameters must be a non-empty dict of arrays (or of parameter dicts), got {type(parameters).__name__}")
    if not isinstance(gradients, dict):
        raise ValueError(f"{name} must be a dict, got {type(gradients).__name__}")
    expected = {("d" + k if not isinstance(v, dict) else k): k for k, v in parameters.items()}
    missing = [g for g in expected if g not in gradients]
    unknown = [g for g in gradients if g not in expected]
    if unknown or missing:
        hint = " (a backward's dict: keep its parameter gradients with cell.only_parameter_gradients)" \
            if any(g in ("dx", "dxt") or (isinstance(g, str) and g.endswith("0")) for g in unknown) else ""
        raise ValueError(
            f"{name} must hold one gradient per parameter, keys {list(expected)}: "
            + (f"{unknown} have no parameter{hint}" if unknown else "")
            + ("; " if unknown and missing else "")
            + (f"{missing} are missing" if missing else "")
        )
    pairs = []
    for g_key, key in expected.items():
        W, dW = parameters[key], gradients[g_key]
        if isinstance(W, dict):
            pairs += [((key, *path), w, d) for path, w, d in gradient_pairs(W, dW, f"{name}[{key!r}]")]
            continue
        W = as_float_array(f"parameters[{key!r}]", W, finite=False)
        dW = as_float_array(f"{name}[{g_key!r}]", dW, finite=False)
        if dW.shape != W.shape:
            raise ValueError(f"{name}[{g_key!r}] must have the shape of parameters[{key!r}] {W.shape}, got {dW.shape}")
        pairs.append(((key,), W, dW))
    return pairs


def rebuild(parameters, arrays, gradient=False):
    """A new dict shaped like ``parameters`` holding ``arrays`` (path → array, as gradient_pairs).

    With ``gradient`` the array keys get their "d" ("Wax" → "dWax"): a gradient dict.
    """
    out = {}
    for key, value in parameters.items():
        if isinstance(value, dict):
            out[key] = rebuild(value, {p[1:]: a for p, a in arrays.items() if p[0] == key}, gradient)
        else:
            out["d" + key if gradient else key] = arrays[(key,)]
    return out


def _layout(pairs):
    return tuple((path, W.shape) for path, W, _ in pairs)


class SGD:
    """Plain gradient descent: W := W − α dW.

    Args:
        learning_rate: α, a finite number > 0.
    """

    def __init__(self, learning_rate=0.01):
        self.learning_rate = _check_learning_rate(learning_rate)

    def step(self, parameters, gradients):
        """One update.

        Args:
            parameters: dict name → array (e.g. "Wax" (n_a, n_x)), or part → such a dict.
            gradients: dict "d" + name → array of the same shape, one for every parameter
                and nothing else (see ``gradient_pairs``).
        Returns:
            a new dict of new arrays, shaped like ``parameters``.
        """
        pairs = gradient_pairs(parameters, gradients)
        return rebuild(parameters, {path: W - self.learning_rate * dW for path, W, dW in pairs})  # W := W − α dW

    def __repr__(self):
        return f"SGD(learning_rate={self.learning_rate})"


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction.

        v := β1 v + (1 − β1) dW            (first moment: a running mean of the gradient)
        s := β2 s + (1 − β2) dW²           (second moment: a running mean of its square)
        W := W − α v̂ / (√ŝ + ε),  v̂ = v / (1 − β1^t),  ŝ = s / (1 − β2^t)

    Dividing by √ŝ gives every weight its own step size of about α, whatever the scale
    of its gradient, which is why Adam needs far less tuning than SGD on an RNN.

    The moments belong to one model: the first ``step`` binds the optimiser to its
    parameters' keys and shapes, and a later step with other keys or shapes raises
    (make one Adam per model, e.g. one for an encoder and one for a decoder).

    Args:
        learning_rate: α > 0.
        beta1, beta2: decay rates in [0, 1).
        epsilon: ε > 0, keeps the division finite.
    Derived in notebooks/03_architectures.ipynb, "Adam"
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.learning_rate = _check_learning_rate(learning_rate)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            b = check_positive_float(name, beta, allow_zero=True)
            if b >= 1:
                raise ValueError(f"{name} must lie in [0, 1), got {beta!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.epsilon = check_positive_float("epsilon", epsilon)
        self.t = 0  # number of updates taken so far
        self.v = {}  # first moments, by parameter path
        self.s = {}  # second moments, by parameter path
        self.scratch = {}  # a work array per parameter, reused at every step
        self.layout = None  # ((path, shape), ...) of the model it updates, once bound

    def step(self, parameters, gradients):
        """One update; the moments are advanced and kept in the optimiser.

        Args and returns as ``SGD.step``. Raises ValueError when ``parameters`` are not
        the model this Adam has been updating (other keys or shapes).
        """
        pairs = gradient_pairs(parameters, gradients)
        layout = _layout(pairs)
        if self.layout is not None and layout != self.layout:
            raise ValueError(
                "parameters are not the model this Adam has been updating: it holds the moments of "
                f"{_describe(self.layout)}, got {_describe(layout)}; use one Adam per model"
            )
        self.layout = layout
        self.t += 1
        # The bias corrections are scalars: fold them into the step size and ε
        # (the "more efficient" ordering of Kingma & Ba's Algorithm 1, same numbers).
        correction1 = 1 - self.beta1**self.t
        root_correction2 = np.sqrt(1 - self.beta2**self.t)
        step_size = self.learning_rate * root_correction2 / correction1
        new = {}
        for path, W, dW in pairs:
            # The moments and a work array are the optimiser's own: updated in place, no temporaries.
            v = self.v.setdefault(path, np.zeros(W.shape))
            s = self.s.setdefault(path, np.zeros(W.shape))
            scratch = np.multiply(dW, 1 - self.beta1, out=self.scratch.setdefault(path, np.empty(W.shape)))
            v *= self.beta1
            v += scratch  # v := β1 v + (1 − β1) dW
            np.multiply(dW, 1 - self.beta2, out=scratch)
            scratch *= dW  # (1 − β2) dW · dW, in the order the shipped models were trained with
            s *= self.beta2
            s += scratch  # s := β2 s + (1 − β2) dW²
            # W := W − α v̂ / (√ŝ + ε)  with v̂ = v / (1 − β1^t), ŝ = s / (1 − β2^t)
            denominator = np.sqrt(s, out=scratch)
            denominator += self.epsilon * root_correction2
            step = np.divide(v, denominator, out=denominator)
            step *= step_size
            new[path] = W - step
        return rebuild(parameters, new)

    def __repr__(self):
        return (f"Adam(learning_rate={self.learning_rate}, beta1={self.beta1}, "
                f"beta2={self.beta2}, epsilon={self.epsilon})")


def _describe(layout):
    return "{" + ", ".join(f"{'/'.join(path)}: {shape}" for path, shape in layout) + "}"


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def make_optimizer(optimizer, learning_rate):
    """An optimiser from a name ("sgd", "adam") and a learning rate, or ``optimizer`` itself.

    Args:
        optimizer: "sgd", "adam", or an object with a ``step(parameters, gradients)``
            method, returned unchanged (its own learning rate applies; ``learning_rate``
            is then not used).
        learning_rate: α > 0 for a named optimiser.
    Returns:
        the optimiser object.
    """
    if isinstance(optimizer, type):
        raise ValueError(f"optimizer must be an optimiser object, not the class {optimizer.__name__}: "
                         f"make one, e.g. {optimizer.__name__}(learning_rate), or give its name {sorted(OPTIMIZERS)}")
    if not isinstance(optimizer, str) and callable(getattr(optimizer, "step", None)):
        return optimizer
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)} or an object with a step() method, "
                         f"got {optimizer!r}")
    return OPTIMIZERS[optimizer](learning_rate)
