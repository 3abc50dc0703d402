"""The answers to the course's exercises, for teachers: one function per exercise.

Each is written as a learner would write it in the notebook's stub, with the stub's name
and signature, in plain NumPy, each equation in a comment. Check one the way a learner
does, or strictly::

    from course_lib.checks import answers, check_rnn_cell_backward
    check_rnn_cell_backward(answers.rnn_cell_backward)               # prints the tables
    check_rnn_cell_backward(answers.rnn_cell_backward, strict=True)  # raises if wrong

``course_lib.checks`` does not import this module, so that a learner does not meet the
answers by tab-completion; ``tests/test_exercises.py`` proves every one passes its checker.

    notebook 01  rnn_cell_forward     check_rnn_cell_forward
    notebook 02  rnn_cell_backward    check_rnn_cell_backward
    notebook 02  rnn_backward         check_rnn_backward
    notebook 04  draw_token           check_draw_token
    notebook 04  sample_indices       check_sample_loop
    notebook 05  clip_by_norm         check_clip_by_norm
"""

import numpy as np

from course_lib import lm, rnn
from course_lib.activations import softmax

__all__ = ["clip_by_norm", "draw_token", "rnn_backward", "rnn_cell_backward", "rnn_cell_forward", "sample_indices"]


def rnn_cell_forward(xt, a_prev, parameters):
    """One RNN step: a<t>, ŷ<t> and the cache (notebook 01).

    Derived in notebooks/01_forward_pass.ipynb, "The forward equations"
    """
    Wax, Waa, ba = parameters["Wax"], parameters["Waa"], parameters["ba"]
    Wya, by = parameters["Wya"], parameters["by"]
    a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)  # a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)  (n_a, m)
    z = Wya @ a_next + by  # (n_y, m)
    e = np.exp(z - z.max(axis=0, keepdims=True))  # minus the column's largest: no overflow
    yt_pred = e / e.sum(axis=0, keepdims=True)  # ŷ<t> = softmax(Wya a<t> + by), each column sums to 1
    cache = (a_next, a_prev, xt, parameters)  # what the backward step needs
    return a_next, yt_pred, cache


def rnn_cell_backward(da_next, cache):
    """The gradients of one RNN step from the total gradient reaching a<t> (notebook 02).

    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    p = cache.parameters
    dz = da_next * (1 - cache.a_next**2)  # dz = da<t> * tanh'(z), tanh'(z) = 1 − a<t>²  (n_a, m)
    return {
        "dxt": p["Wax"].T @ dz,  # dx<t> = Waxᵀ dz  (n_x, m)
        "da_prev": p["Waa"].T @ dz,  # da<t-1> through this step = Waaᵀ dz  (n_a, m)
        "dWax": dz @ cache.xt.T,  # dWax = dz x<t>ᵀ, summed over the batch  (n_a, n_x)
        "dWaa": dz @ cache.a_prev.T,  # dWaa = dz a<t-1>ᵀ  (n_a, n_a)
        "dba": dz.sum(axis=1, keepdims=True),  # dba = Σ_batch dz  (n_a, 1)
    }


def rnn_backward(da, caches):
    """Backpropagation through time, calling the library's rnn_cell_backward at every step (notebook 02).

    Derived in notebooks/02_bptt.ipynb, "Backpropagation through time"
    """
    n_a, m, T_x = da.shape
    n_x = caches.x.shape[0]
    dx = np.zeros((n_x, m, T_x))
    dWax, dWaa, dba = np.zeros((n_a, n_x)), np.zeros((n_a, n_a)), np.zeros((n_a, 1))
    da_prev = np.zeros((n_a, m))  # nothing comes back from beyond the last step
    for t in reversed(range(T_x)):  # from the last step back to the first
        gradients = rnn.rnn_cell_backward(da[:, :, t] + da_prev, caches[t])  # da<t> = from L<t> + from step t+1
        dx[:, :, t] = gradients["dxt"]
        dWax += gradients["dWax"]  # the weights are shared: their gradients add up over t
        dWaa += gradients["dWaa"]
        dba += gradients["dba"]
        da_prev = gradients["da_prev"]  # what step t sends back to step t-1
    return {"dx": dx, "da0": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}  # da0: what reaches a<0>


def draw_token(y_hat, rng):
    """Draw one token index i with probability ŷ[i] (notebook 04).

    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    return int(rng.choice(len(y_hat), p=y_hat))  # y<t> ~ ŷ<t>: index i with probability y_hat[i]


def sample_indices(parameters, rng, eos, max_length=50):
    """The sampling loop: draw tokens until <EOS> or max_length (notebook 04).

    Derived in notebooks/04_language_model_sampling.ipynb, "Sampling"
    """
    n_a, n_x = parameters["Waa"].shape[0], parameters["Wax"].shape[1]
    a = np.zeros((n_a, 1))  # a<0> = 0
    x = np.zeros((n_x, 1))  # x<1> = 0
    indices = []
    while len(indices) < max_length:
        a, z = lm.lm_step(parameters, a, x)  # a<t> = tanh(Waa a<t-1> + Wax x<t> + ba), z<t> = Wya a<t> + by
        y_hat = softmax(z)  # ŷ<t> = softmax(z<t>)  (n_y, 1)
        i = draw_token(y_hat[:, 0], rng)  # y<t> ~ ŷ<t>
        indices.append(i)  # <EOS> too: it ends the sentence, and belongs to it
        if i == eos:
            break
        x = np.zeros((n_x, 1))
        x[i] = 1.0  # x<t+1> = the one-hot vector of the token drawn (not ŷ<t>)
    return indices


def clip_by_norm(gradients, max_norm):
    """Scale all the gradients together when their global norm exceeds max_norm (notebook 05).

    Derived in notebooks/05_vanishing_exploding_gradients.ipynb, "Gradient clipping"
    """
    norm = np.sqrt(sum(np.sum(g**2) for g in gradients.values()))  # ‖g‖ = √(Σ over the arrays Σ g²)
    if norm > max_norm:
        scale = max_norm / norm  # below 1: the clipped gradients have norm max_norm, the same direction
        clipped = {name: g * scale for name, g in gradients.items()}
    else:
        clipped = {name: g.copy() for name, g in gradients.items()}  # unchanged, as new arrays
    return clipped, float(norm)
