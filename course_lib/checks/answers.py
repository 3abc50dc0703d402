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
    notebook 06  gru_cell_forward     check_gru_cell_forward
    notebook 06  gru_cell_backward    check_gru_cell_backward
    notebook 07  lstm_cell_forward    check_lstm_cell_forward
    notebook 07  lstm_cell_backward   check_lstm_cell_backward
    notebook 08  bidirectional_forward  check_bidirectional_forward
    notebook 09  stacked_forward        check_stacked_forward
"""

import numpy as np

from course_lib import gru, lm, lstm, rnn
from course_lib.activations import softmax
from course_lib.recurrent import run_forward

__all__ = ["clip_by_norm", "draw_token", "gru_cell_backward", "gru_cell_forward", "lstm_cell_backward",
           "lstm_cell_forward", "rnn_backward", "rnn_cell_backward", "rnn_cell_forward", "sample_indices", "bidirectional_forward", "stacked_forward"]


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


def gru_cell_forward(xt, c_prev, parameters):
    """One step of the full GRU: c<t>, ŷ<t> and the cache (notebook 06).

    Derived in notebooks/06_gru.ipynb, "Exercise: one step of the GRU"
    """
    p = parameters
    concat = np.concatenate([c_prev, xt])  # [c<t-1>; x<t>], the state on top  (n_a + n_x, m)
    gamma_r = 1 / (1 + np.exp(-(p["Wr"] @ concat + p["br"])))  # Γr = σ(Wr [c<t-1>; x<t>] + br)  (n_a, m)
    gamma_u = 1 / (1 + np.exp(-(p["Wu"] @ concat + p["bu"])))  # Γu = σ(Wu [c<t-1>; x<t>] + bu)  (n_a, m)
    c_tilde = np.tanh(p["Wc"] @ np.concatenate([gamma_r * c_prev, xt]) + p["bc"])  # c~ = tanh(Wc [Γr * c<t-1>; x<t>] + bc)
    c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev  # c<t> = Γu * c~ + (1 − Γu) * c<t-1>  (n_a, m)
    z = p["Wy"] @ c_next + p["by"]  # (n_y, m)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    yt_pred = e / e.sum(axis=0, keepdims=True)  # ŷ<t> = softmax(Wy c<t> + by)
    cache = gru.GRUCache(c_next, c_prev, xt, gamma_r, gamma_u, c_tilde, parameters, "full")  # named fields
    return c_next, yt_pred, cache


def gru_cell_backward(dc_next, cache):
    """The gradients of one full-GRU step from the total gradient reaching c<t> (notebook 06).

    Derived in notebooks/06_gru.ipynb, "Exercise: the backward step"
    """
    p, c_prev, xt = cache.parameters, cache.c_prev, cache.xt
    gamma_r, gamma_u, c_tilde = cache.gamma_r, cache.gamma_u, cache.c_tilde
    n_a = c_prev.shape[0]
    # c<t> = Γu * c~ + (1 − Γu) * c<t-1>
    dc_tilde = dc_next * gamma_u  # dc~ = dc<t> * Γu  (n_a, m)
    dgamma_u = dc_next * (c_tilde - c_prev)  # dΓu = dc<t> * (c~ − c<t-1>)
    dz_c = dc_tilde * (1 - c_tilde**2)  # c~ = tanh(z_c): dz_c = dc~ * (1 − c~²)
    dz_u = dgamma_u * gamma_u * (1 - gamma_u)  # Γu = σ(z_u): dz_u = dΓu * Γu (1 − Γu)
    # z_c = Wcc (Γr * c<t-1>) + Wcx x<t> + bc
    d_reset = p["Wc"][:, :n_a].T @ dz_c  # ∂J/∂(Γr * c<t-1>) = Wccᵀ dz_c
    dz_r = d_reset * c_prev * gamma_r * (1 - gamma_r)  # dΓr = d_reset * c<t-1>; dz_r = dΓr * Γr (1 − Γr)
    dc_prev = (dc_next * (1 - gamma_u)  # the direct path
               + d_reset * gamma_r  # through the candidate
               + p["Wu"][:, :n_a].T @ dz_u + p["Wr"][:, :n_a].T @ dz_r)  # through the gates
    dxt = p["Wr"][:, n_a:].T @ dz_r + p["Wu"][:, n_a:].T @ dz_u + p["Wc"][:, n_a:].T @ dz_c  # (n_x, m)
    concat = np.concatenate([c_prev, xt])  # what Wr and Wu multiply
    return {
        "dxt": dxt,
        "dc_prev": dc_prev,
        "dWr": dz_r @ concat.T, "dbr": dz_r.sum(axis=1, keepdims=True),
        "dWu": dz_u @ concat.T, "dbu": dz_u.sum(axis=1, keepdims=True),
        "dWc": dz_c @ np.concatenate([gamma_r * c_prev, xt]).T,  # Wc multiplies [Γr * c<t-1>; x<t>]
        "dbc": dz_c.sum(axis=1, keepdims=True),
    }


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One step of the LSTM without peepholes: a<t>, c<t>, ŷ<t> and the cache (notebook 07).

    Derived in notebooks/07_lstm.ipynb, "Exercise: one step of the LSTM"
    """
    p = parameters
    concat = np.concatenate([a_prev, xt])  # [a<t-1>; x<t>], the state on top  (n_a + n_x, m)
    gamma_f = 1 / (1 + np.exp(-(p["Wf"] @ concat + p["bf"])))  # Γf = σ(Wf [a<t-1>; x<t>] + bf)  (n_a, m)
    gamma_u = 1 / (1 + np.exp(-(p["Wu"] @ concat + p["bu"])))  # Γu = σ(Wu [a<t-1>; x<t>] + bu)
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])  # c~<t> = tanh(Wc [a<t-1>; x<t>] + bc)
    c_next = gamma_u * c_tilde + gamma_f * c_prev  # c<t> = Γu * c~<t> + Γf * c<t-1>
    gamma_o = 1 / (1 + np.exp(-(p["Wo"] @ concat + p["bo"])))  # Γo = σ(Wo [a<t-1>; x<t>] + bo)
    a_next = gamma_o * np.tanh(c_next)  # a<t> = Γo * tanh(c<t>)
    z = p["Wy"] @ a_next + p["by"]  # (n_y, m)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    yt_pred = e / e.sum(axis=0, keepdims=True)  # ŷ<t> = softmax(Wy a<t> + by)
    cache = lstm.LSTMCache(gamma_f=gamma_f, gamma_u=gamma_u, c_tilde=c_tilde, gamma_o=gamma_o, c_next=c_next,
                           a_next=a_next, c_prev=c_prev, a_prev=a_prev, xt=xt, parameters=parameters)  # by name
    return a_next, c_next, yt_pred, cache


def lstm_cell_backward(da_next, dc_next, cache):
    """The gradients of one LSTM step from the gradients reaching a<t> and c<t> (notebook 07).

    Derived in notebooks/07_lstm.ipynb, "Exercise: the backward step"
    """
    p = cache.parameters
    n_a = cache.a_prev.shape[0]
    tanh_c = np.tanh(cache.c_next)  # tanh(c<t>)  (n_a, m)
    dgamma_o = da_next * tanh_c  # a<t> = Γo * tanh(c<t>): dΓo = da<t> * tanh(c<t>)
    dc = dc_next + da_next * cache.gamma_o * (1 - tanh_c**2)  # dc<t> = dc_next + da<t> * Γo * (1 − tanh²(c<t>))
    # c<t> = Γu * c~<t> + Γf * c<t-1>
    dgamma_f = dc * cache.c_prev  # dΓf = dc<t> * c<t-1>
    dgamma_u = dc * cache.c_tilde  # dΓu = dc<t> * c~<t>
    dc_tilde = dc * cache.gamma_u  # dc~ = dc<t> * Γu
    dz = {
        "f": dgamma_f * cache.gamma_f * (1 - cache.gamma_f),  # Γf = σ(z_f): dz_f = dΓf * Γf (1 − Γf)
        "u": dgamma_u * cache.gamma_u * (1 - cache.gamma_u),  # dz_u = dΓu * Γu (1 − Γu)
        "c": dc_tilde * (1 - cache.c_tilde**2),  # c~ = tanh(z_c): dz_c = dc~ * (1 − c~²)
        "o": dgamma_o * cache.gamma_o * (1 - cache.gamma_o),  # dz_o = dΓo * Γo (1 − Γo)
    }
    d_stacked = sum(p["W" + g].T @ dz[g] for g in "fuco")  # ∂J/∂[a<t-1>; x<t>] = Σ_g W_gᵀ dz_g  (n_a + n_x, m)
    concat = np.concatenate([cache.a_prev, cache.xt])  # what every W_g multiplied
    gradients = {"dxt": d_stacked[n_a:], "da_prev": d_stacked[:n_a],
                 "dc_prev": dc * cache.gamma_f}  # dc<t-1> = dc<t> * Γf
    for g in "fuco":
        gradients["dW" + g] = dz[g] @ concat.T  # dW_g = dz_g [a<t-1>; x<t>]ᵀ, summed over the batch
        gradients["db" + g] = dz[g].sum(axis=1, keepdims=True)  # db_g = Σ_batch dz_g  (n_a, 1)
    return gradients


def bidirectional_forward(x, parameters_fwd, parameters_bwd, cell="rnn"):
    """Both directions of a bidirectional RNN, from two sweeps of the driver (notebook 08).

    Derived in notebooks/08_bidirectional_rnn.ipynb, "Exercise: the two sweeps"
    """
    a_fwd, caches_fwd = run_forward(x, parameters_fwd, cell)  # a→<t> has read x<1> … x<t>  (n_a, m, T_x)
    a_reversed, caches_bwd = run_forward(x[:, :, ::-1], parameters_bwd, cell)  # reads x<T_x>, x<T_x - 1>, …, x<1>
    a_bwd = a_reversed[:, :, ::-1]  # flipped back: column t has read x<T_x> … x<t>
    a = np.concatenate([a_fwd, a_bwd], axis=0)  # [a→<t>; a←<t>]  (2 n_a, m, T_x)
    return a, (caches_fwd, caches_bwd)


def stacked_forward(x, layer_parameters, cell="rnn"):
    """A deep RNN, one sweep of the driver per layer, each reading the layer below (notebook 09).

    Derived in notebooks/09_deep_rnn.ipynb, "Exercise: stacking the layers"
    """
    h = x  # what the bottom layer reads  (n_x, m, T_x)
    caches = []
    for parameters in layer_parameters:  # bottom layer first
        h, layer_caches = run_forward(h, parameters, cell)  # a[l]<t> from a[l]<t-1> and a[l-1]<t>  (n_a[l], m, T_x)
        caches.append(layer_caches)
    return h, caches
