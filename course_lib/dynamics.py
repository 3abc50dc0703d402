"""Vanishing and exploding gradients, measured exactly (seed section 5).

Back through the recurrence, every step multiplies the gradient by one Jacobian:

    ∂a<t>/∂a<t-1> = diag(g1'(z<t>)) Waa                           (n_a, n_a)
    ∂a<T>/∂a<t>   = ∏_{s = T, T-1, ..., t+1} diag(g1'(z<s>)) Waa     (T − t factors)
    ‖∂a<T>/∂a<t>‖₂ ≤ (γ σ_max(Waa))^(T−t),   γ = max |g1'| = 1 for tanh, ReLU, identity

so a largest singular value σ_max < 1/γ is *sufficient* for the gradient to vanish
exponentially, and σ_max > 1/γ is *necessary* for it to explode (Pascanu, Mikolov &
Bengio 2013). The condition is on singular values: a non-normal Waa can have every
eigenvalue below 1 and still make the gradient grow for many steps.

This module measures those products with the course's own BPTT loop (``rnn.py``),
builds recurrent weights with a chosen largest singular value or spectral radius, runs
the one-unit model of Bengio, Simard & Frasconi (1994), measures the angle a clipping
turns a gradient by, and the gradient that reaches the subject of an agreement sentence.
Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance".
"""

from dataclasses import dataclass

import numpy as np

from course_lib._validate import as_float_array, check_positive_float, check_positive_int, check_shape
from course_lib.activations import get_activation
from course_lib.data.vocab import encode_batch, one_hot
from course_lib.gradients import timestep_gradient_norms
from course_lib.lm import _check_parameters as _check_lm_parameters
from course_lib.lm import teacher_forcing_inputs
from course_lib.rnn import RNNCaches, _as_rnn_caches, backprop_through_time, rnn_forward

__all__ = [
    "AgreementGradients",
    "agreement_gradient_norms",
    "decay_rate",
    "gradient_angle",
    "init_recurrent_weights",
    "jacobian_norms",
    "jacobian_products",
    "largest_singular_value",
    "non_normal_matrix",
    "scale_to_spectral_radius",
    "single_unit_gradient",
    "spectral_radius",
    "step_jacobians",
]


# ---------------------------------------------------------------------------------------
# Jacobian products through BPTT
# ---------------------------------------------------------------------------------------


def jacobian_products(caches):
    """∂a<T_x>/∂a<t> for every t from T_x back to 0, exactly, from BPTT itself.

    Args:
        caches: the RNNCaches from rnn.rnn_forward (a list of RNNCache works too).
    Returns:
        products: shape (m, T_x + 1, n_a, n_a), indexed by the distance k = T_x − t:
            products[i, k] = ∂a<T_x>/∂a<T_x − k> for example i; products[:, 0] is the
            identity and products[:, T_x] is ∂a<T_x>/∂a<0>.

    BPTT carries a gradient vector back: starting from e_j at a<T_x>, what reaches a<t>
    is (∂a<T_x>/∂a<t>)ᵀ e_j, row j of the Jacobian. Pushing all n_a basis vectors back
    at once (each in its own batch column) through rnn.py's own loop gives every row, so
    the products are the backward pass's, not a second derivation of it.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    caches = _as_rnn_caches(caches)
    n_a, m, T_x = caches.a.shape
    # Column i·n_a + j of the widened batch is example i, carrying e_j back from a<T_x>.
    wide = RNNCaches(
        a=np.repeat(caches.a, n_a, axis=1),  # (n_a, m·n_a, T_x)
        a0=np.repeat(caches.a0, n_a, axis=1),  # (n_a, m·n_a)
        x=np.repeat(caches.x, n_a, axis=1),  # (n_x, m·n_a, T_x)
        parameters=caches.parameters,
        activation=caches.activation,
    )
    da = np.zeros((n_a, m * n_a, T_x))  # (n_a, m·n_a, T_x)
    da[:, :, -1] = np.tile(np.eye(n_a), m)  # e_j at a<T_x>, nothing from the other steps
    with np.errstate(over="ignore", invalid="ignore"):
        da_total, _, da0 = backprop_through_time(da, wide)
    # rows[col, i·n_a + j, t] = (∂a<T_x>/∂a<t>)[j, col] for t = 0 ... T_x
    rows = np.concatenate([da0[:, :, None], da_total], axis=2)  # (n_a, m·n_a, T_x + 1)
    products = rows.reshape(n_a, m, n_a, T_x + 1).transpose(1, 3, 2, 0)  # [i, t, j, col]
    return np.ascontiguousarray(products[:, ::-1])  # index k = T_x − t


def jacobian_norms(caches):
    """‖∂a<T_x>/∂a<t>‖₂ (largest singular value) for every distance k = T_x − t.

    Args:
        caches: the RNNCaches from rnn.rnn_forward.
    Returns:
        norms: shape (m, T_x + 1); norms[i, k] = ‖∂a<T_x>/∂a<T_x − k>‖₂ for example i,
        norms[:, 0] = 1 (the identity).
    Raises:
        ValueError when the products overflow float64 (an exploding product over too
        many steps): use fewer steps or a smaller Waa.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    products = jacobian_products(caches)
    if not np.all(np.isfinite(products)):
        raise ValueError(
            "caches give Jacobian products that overflow float64: use fewer steps or a smaller Waa"
        )
    return np.linalg.norm(products, ord=2, axis=(-2, -1))  # (m, T_x + 1)


def step_jacobians(caches):
    """Each step's own Jacobian ∂a<t>/∂a<t-1> = diag(g1'(z<t>)) Waa, written out.

    Args:
        caches: the RNNCaches from rnn.rnn_forward.
    Returns:
        jacobians: shape (m, T_x, n_a, n_a); jacobians[i, t - 1] = ∂a<t>/∂a<t-1> for
        example i, t = 1 ... T_x. Their spectral norms are at most γ σ_max(Waa).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    caches = _as_rnn_caches(caches)
    _, g_prime = get_activation(caches.activation)
    g = g_prime(caches.a).transpose(1, 2, 0)  # g1'(z<t>) read off a<t>  (m, T_x, n_a)
    return g[:, :, :, None] * caches.parameters["Waa"]  # diag(g1'(z<t>)) Waa  (m, T_x, n_a, n_a)


def decay_rate(norms):
    """The average factor per step of a sequence of norms: (norms[K] / norms[0])^(1/K).

    Args:
        norms: 1-D array of K + 1 ≥ 2 positive norms, indexed by distance k = 0 ... K.
    Returns:
        rate: a float; below 1 the norms vanish, above 1 they explode, on average.

    For ‖∂a<T>/∂a<T−k>‖ the Pascanu bound says rate ≤ γ σ_max(Waa).
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    norms = as_float_array("norms", norms, ndim=1)
    if norms.size < 2 or np.any(norms <= 0):
        raise ValueError(f"norms must hold at least 2 positive values, got {norms.size} values, min {norms.min() if norms.size else None}")
    K = norms.size - 1
    return float(np.exp((np.log(norms[-1]) - np.log(norms[0])) / K))


# ---------------------------------------------------------------------------------------
# Recurrent weights with a chosen largest singular value or spectral radius
# ---------------------------------------------------------------------------------------


def largest_singular_value(W):
    """σ_max(W) = ‖W‖₂, the most W can stretch any vector.

    Args:
        W: a matrix, shape (rows, cols).
    Returns:
        a float ≥ 0.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    W = as_float_array("W", W, ndim=2)
    return float(np.linalg.norm(W, ord=2))


def spectral_radius(W):
    """ρ(W) = max |eigenvalue of W|, the growth rate of Wᵏ for large k only.

    Args:
        W: a square matrix, shape (n_a, n_a).
    Returns:
        a float ≥ 0; ρ(W) ≤ σ_max(W), equal when W is normal (e.g. symmetric, orthogonal).
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Singular values, not eigenvalues"
    """
    W = _square("W", W)
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def init_recurrent_weights(n_a, rng, singular_value=1.0, kind="orthogonal"):
    """A random Waa whose largest singular value is exactly ``singular_value``.

    Args:
        n_a: hidden-state size.
        rng: a np.random.Generator, the only source of randomness.
        singular_value: σ_max(Waa) > 0 wanted.
        kind: "orthogonal": singular_value × a random orthogonal matrix, so every
            singular value (and every |eigenvalue|) equals singular_value and each
            step stretches every direction alike; "gaussian": a matrix of independent
            normal entries rescaled so that σ_max = singular_value (non-normal: its
            spectral radius is smaller, about half of σ_max for large n_a).
    Returns:
        Waa: shape (n_a, n_a).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient flow across distance"
    """
    n_a = check_positive_int("n_a", n_a)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    singular_value = check_positive_float("singular_value", singular_value)
    G = rng.standard_normal((n_a, n_a))  # (n_a, n_a)
    if kind == "orthogonal":
        Q, R = np.linalg.qr(G)
        # Fixing the signs by R's diagonal makes Q uniformly distributed over the
        # orthogonal matrices (plain QR output is biased).
        Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)
        return singular_value * Q
    if kind == "gaussian":
        return G * (singular_value / np.linalg.norm(G, ord=2))
    raise ValueError(f'kind must be "orthogonal" or "gaussian", got {kind!r}')


def scale_to_spectral_radius(W, rho):
    """W rescaled so that its spectral radius (largest |eigenvalue|) is ``rho``.

    Args:
        W: a square matrix, shape (n_a, n_a); not modified.
        rho: the spectral radius wanted, > 0.
    Returns:
        a new matrix ρ/ρ(W) · W, shape (n_a, n_a). Its largest singular value is scaled
        by the same factor and stays ≥ rho: for a non-normal W it can be much larger.
    Raises:
        ValueError when W has spectral radius 0 (e.g. a strictly triangular W).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Singular values, not eigenvalues"
    """
    W = _square("W", W)
    rho = check_positive_float("rho", rho)
    current = spectral_radius(W)
    if current < 1e-12:
        raise ValueError("W has spectral radius 0 (all eigenvalues 0): it cannot be scaled to rho")
    return W * (rho / current)


def non_normal_matrix(n_a, eigenvalue=0.9, coupling=1.0):
    """A Waa whose eigenvalues are all ``eigenvalue`` while its σ_max exceeds it.

    Args:
        n_a: size (≥ 2).
        eigenvalue: every eigenvalue of the result (it is upper triangular).
        coupling: the entry on the superdiagonal: unit i feeds unit i−1 with this weight.
    Returns:
        Waa = eigenvalue · I + coupling · N, shape (n_a, n_a), where N has ones just above
        the diagonal. Its spectral radius is |eigenvalue|; its largest singular value is
        about |eigenvalue| + |coupling|. Waaᵏ = Σ_j C(k, j) eigenvalueᵏ⁻ʲ couplingʲ Nʲ
        grows like a polynomial in k before eigenvalueᵏ wins: transient growth.

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Singular values, not eigenvalues"
    """
    n_a = check_positive_int("n_a", n_a, minimum=2)
    eigenvalue = float(as_float_array("eigenvalue", eigenvalue, ndim=0))
    coupling = float(as_float_array("coupling", coupling, ndim=0))
    return eigenvalue * np.eye(n_a) + coupling * np.eye(n_a, k=1)


def _square(name, W):
    W = as_float_array(name, W, ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be square, shape (n_a, n_a), got {W.shape}")
    return W


# ---------------------------------------------------------------------------------------
# One self-recurrent unit (Bengio, Simard & Frasconi 1994)
# ---------------------------------------------------------------------------------------


def single_unit_gradient(w, T, a0=0.5, b=0.0):
    """A single tanh unit feeding itself, a<t> = tanh(w a<t-1> + b): ∂a<T>/∂a<0>.

    Args:
        w: the self-weight, a number or a 1-D array of them (one unit per value).
        T: number of steps (int ≥ 1).
        a0: the starting state a<0>.
        b: the bias.
    Returns:
        gradient: ∂a<T>/∂a<0> = ∏_t w (1 − a<t>²), shaped like w.
        a_T: the final state a<T>, shaped like w. When the unit has settled, w (1 − a_T²)
            is its slope at the fixed point it settled into.

    This is rnn.rnn_forward's cell with n_a = n_x = 1 and no input, one unit per w,
    written out so that hundreds of weights run at once.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "One unit: Bengio, Simard and Frasconi"
    """
    w = as_float_array("w", w)
    if w.ndim > 1:
        raise ValueError(f"w must be a number or a 1-D array, got shape {w.shape}")
    T = check_positive_int("T", T)
    a0 = float(as_float_array("a0", a0, ndim=0))
    b = float(as_float_array("b", b, ndim=0))
    a = np.full(w.shape, a0)
    gradient = np.ones(w.shape)
    with np.errstate(over="ignore", under="ignore"):
        for _ in range(T):
            a = np.tanh(w * a + b)  # a<t> = tanh(w a<t-1> + b)
            gradient = gradient * (w * (1.0 - a**2))  # ∂a<t>/∂a<t-1> = w g1'(z<t>)
    return gradient, a


# ---------------------------------------------------------------------------------------
# Clipping: the angle it turns a gradient by
# ---------------------------------------------------------------------------------------


def gradient_angle(gradients, other):
    """The angle, in degrees, between two gradients, each seen as one long vector.

    Args:
        gradients, other: dicts of arrays with the same keys and shapes (e.g. a raw
            gradient and its clipped version).
    Returns:
        angle in [0, 180], a float: 0 when clipping only rescaled the gradient
        (clip_by_norm), above 0 when it changed its direction (clip by value).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    u = _flatten("gradients", gradients)
    if not isinstance(other, dict) or set(other) != set(gradients):
        raise ValueError(f"other must be a dict with the keys of gradients {sorted(gradients)}")
    for k in gradients:
        check_shape(f"other[{k!r}]", np.asarray(other[k]), np.shape(gradients[k]), f"gradients[{k!r}].shape")
    v = _flatten("other", other, order=sorted(gradients))
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        raise ValueError("gradients and other must both be non-zero to have an angle")
    cosine = np.clip(np.dot(u / nu, v / nv), -1.0, 1.0)
    return float(np.degrees(np.arccos(cosine)))


def _flatten(name, gradients, order=None):
    if not isinstance(gradients, dict) or not gradients:
        raise ValueError(f"{name} must be a non-empty dict of arrays")
    order = order or sorted(gradients)
    return np.concatenate([as_float_array(f"{name}[{k!r}]", gradients[k]).ravel() for k in order])


# ---------------------------------------------------------------------------------------
# The agreement task: the gradient that reaches the subject
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementGradients:
    """How much of the verb's gradient reaches the subject, one entry per example.

    Attributes:
        distance: int (n,), verb position − subject position (in words).
        at_verb: (n,), ‖∂L/∂a<t>‖ at the step that predicts the verb.
        at_subject: (n,), ‖∂L/∂a<t>‖ at the step that reads the subject.
    Here L = −log P(correct verb | prefix) is the loss of the verb alone.
    """

    distance: np.ndarray
    at_verb: np.ndarray
    at_subject: np.ndarray


def agreement_gradient_norms(parameters, vocabulary, examples):
    """BPTT from the loss at the verb back to the subject, for each agreement example.

    Args:
        parameters: a word-level language model, Wax (n_a, n_y), Waa (n_a, n_a),
            ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1).
        vocabulary: its Vocabulary.
        examples: list of course_lib.data.corpora.AgreementExample.
    Returns:
        AgreementGradients (distance, at_verb, at_subject), each of shape (n,).

    Teacher forcing as in training: column t of the forward pass reads token t − 1 and
    predicts token t. The loss L = −log ŷ<verb>[verb] sends dz = ŷ − y back into
    a<verb> only (da = Wyaᵀ dz there, zero elsewhere); gradients.timestep_gradient_norms
    carries it back with rnn.py's BPTT loop. The subject (token 1) is read at column 2.
    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Long-range agreement, measured"
    """
    p = _check_lm_parameters(parameters, vocabulary)
    if not examples:
        raise ValueError("examples must be a non-empty list of AgreementExample")
    n_y = p["Wya"].shape[0]
    n_a = p["Waa"].shape[0]
    cell = {k: p[k] for k in ("Wax", "Waa", "ba")}
    at_verb, at_subject = [], []
    for ex in examples:
        indices = encode_batch(vocabulary, [ex.sentence], add_eos=True).indices  # (1, T_x)
        T_x = ex.verb_position + 1  # nothing after the verb matters to its loss
        indices = indices[:, :T_x]
        x = one_hot(teacher_forcing_inputs(indices), n_y)  # x<t> = y<t-1>  (n_y, 1, T_x)
        a, _, caches = rnn_forward(x, np.zeros((n_a, 1)), cell)  # (n_a, 1, T_x)
        z = p["Wya"] @ a[:, :, -1] + p["by"]  # logits at the verb  (n_y, 1)
        y_hat = np.exp(z - z.max()) / np.exp(z - z.max()).sum()  # ŷ<verb>
        y_hat[vocabulary.index(ex.verb)] -= 1.0  # dz = ŷ − y
        da = np.zeros((n_a, 1, T_x))
        da[:, :, -1] = p["Wya"].T @ y_hat  # ∂L/∂a<verb>  (n_a, 1)
        norms = timestep_gradient_norms(da, caches)  # (T_x,)
        at_verb.append(norms[-1])
        at_subject.append(norms[ex.subject_position + 1])
    return AgreementGradients(
        distance=np.array([ex.verb_position - ex.subject_position for ex in examples]),
        at_verb=np.array(at_verb),
        at_subject=np.array(at_subject),
    )
