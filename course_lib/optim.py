"""Optimisers: turn a gradient dictionary into updated parameters.

Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model".

Both optimisers map a gradient key "dW" to the parameter key "W" (the course's naming:
``"dWax"`` updates ``"Wax"``) and return a *new* parameters dictionary; the dictionaries
passed in are never modified. Adam's running moments live in the optimiser object — the
one piece of state training needs — so the same ``Adam`` must be reused from step to step.
"""

import numpy as np

from course_lib._validate import as_float_array, check_positive_float


def _check_learning_rate(learning_rate):
    return check_positive_float("learning_rate", learning_rate)


def _paired(parameters, gradients):
    """The parameter names that have a gradient ("dW" → "W"), after checking shapes."""
    if not isinstance(parameters, dict):
        raise ValueError(f"parameters must be a dict, got {type(parameters).__name__}")
    if not isinstance(gradients, dict):
        raise ValueError(f"gradients must be a dict, got {type(gradients).__name__}")
    names = []
    for key, grad in gradients.items():
        if not (isinstance(key, str) and key.startswith("d") and key[1:] in parameters):
            continue  # e.g. "dx" or "da0": gradients with respect to inputs, not parameters
        name = key[1:]
        shape = np.shape(parameters[name])
        if np.shape(grad) != shape:
            raise ValueError(f"gradients[{key!r}] must have the shape of parameters[{name!r}] {shape}, got {np.shape(grad)}")
        names.append(name)
    if not names:
        raise ValueError(f"gradients has no key 'd<name>' for any parameter in {sorted(parameters)}")
    return names


def _copy_others(parameters, names):
    """Copies of the parameters that get no update this step (the new dict owns its arrays)."""
    return {k: np.array(v, dtype=np.float64) for k, v in parameters.items() if k not in names}


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
            parameters: dict name → array (e.g. "Wax" (n_a, n_x)).
            gradients: dict "d" + name → array of the same shape; other keys ("dx",
                "da0") are ignored.
        Returns:
            a new dict: every parameter with a gradient updated, the others copied.
        """
        names = _paired(parameters, gradients)
        new = _copy_others(parameters, names)
        for name in names:
            dW = as_float_array(f"gradients['d{name}']", gradients["d" + name], finite=False)
            new[name] = np.asarray(parameters[name], dtype=np.float64) - self.learning_rate * dW  # W := W − α dW
        return {k: new[k] for k in parameters}  # the parameters' own order

    def __repr__(self):
        return f"SGD(learning_rate={self.learning_rate})"


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction.

        v := β1 v + (1 − β1) dW            (first moment: a running mean of the gradient)
        s := β2 s + (1 − β2) dW²           (second moment: a running mean of its square)
        W := W − α v̂ / (√ŝ + ε),  v̂ = v / (1 − β1^t),  ŝ = s / (1 − β2^t)

    Dividing by √ŝ gives every weight its own step size of about α, whatever the scale
    of its gradient, which is why Adam needs far less tuning than SGD on an RNN.

    Args:
        learning_rate: α > 0.
        beta1, beta2: decay rates in [0, 1).
        epsilon: ε > 0, keeps the division finite.
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
        self.v = {}  # first moments, by parameter name
        self.s = {}  # second moments, by parameter name

    def step(self, parameters, gradients):
        """One update; the moments are advanced and kept in the optimiser.

        Args and returns as ``SGD.step``.
        """
        names = _paired(parameters, gradients)
        new = _copy_others(parameters, names)
        self.t += 1
        # The bias corrections are scalars: fold them into the step size and ε
        # (the "more efficient" ordering of Kingma & Ba's Algorithm 1, same numbers).
        correction1 = 1 - self.beta1**self.t
        root_correction2 = np.sqrt(1 - self.beta2**self.t)
        step_size = self.learning_rate * root_correction2 / correction1
        for name in names:
            dW = as_float_array(f"gradients['d{name}']", gradients["d" + name], finite=False)
            v = self.v.get(name, np.zeros_like(dW))
            s = self.s.get(name, np.zeros_like(dW))
            if v.shape != dW.shape:
                raise ValueError(f"gradients['d{name}'] changed shape between steps: {v.shape} → {dW.shape}")
            v = self.beta1 * v + (1 - self.beta1) * dW  # v := β1 v + (1 − β1) dW
            s = self.beta2 * s + (1 - self.beta2) * (dW * dW)  # s := β2 s + (1 − β2) dW²
            # W := W − α v̂ / (√ŝ + ε)  with v̂ = v / (1 − β1^t), ŝ = s / (1 − β2^t)
            new[name] = np.asarray(parameters[name], dtype=np.float64) - step_size * v / (
                np.sqrt(s) + self.epsilon * root_correction2
            )
            self.v[name], self.s[name] = v, s
        return {k: new[k] for k in parameters}  # the parameters' own order

    def __repr__(self):
        return (f"Adam(learning_rate={self.learning_rate}, beta1={self.beta1}, "
                f"beta2={self.beta2}, epsilon={self.epsilon})")


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def make_optimizer(optimizer, learning_rate):
    """An optimiser from a name ("sgd", "adam") and a learning rate, or ``optimizer`` itself.

    An object with a ``step(parameters, gradients)`` method is returned unchanged (its own
    learning rate applies).
    """
    if hasattr(optimizer, "step"):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)} or an object with a step() method, got {optimizer!r}")
    return OPTIMIZERS[optimizer](learning_rate)
