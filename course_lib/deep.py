"""The deep (stacked) RNN (source tutorial section 9): layers of cells, each reading the one below.

    a[1]<t> = cell[1](a[1]<t-1>, x<t>)
    a[l]<t> = cell[l](a[l]<t-1>, a[l-1]<t>)        l = 2, ..., L
    e.g. a[2]<3> = g(Wa[2] [a[2]<2>; a[1]<3>] + ba[2])    (the tutorial's example, for "rnn")

Each layer is one call of the recurrent core's driver over the whole sequence, with its
own parameters, on the hidden states of the layer below: layer l's input size n_x is
layer l−1's n_a (the layers may differ in n_a). Backward, each layer's BPTT sends the
gradient of its inputs, dx, down as the upstream gradient of the layer below.

Shapes: x (n_x, m, T_x); layer l's hidden state a[l] (n_a[l], m, T_x); a_top = a[L].
Derived in notebooks/09_deep_rnn.ipynb, "One recurrent layer on top of another".
"""

from typing import NamedTuple

import numpy as np

from course_lib._validate import (
    as_generator,
    check_positive_float,
    check_positive_int,
    checked,
    shaped_array,
)
from course_lib.recurrent import SequenceCache, backward_steps, get_cell, sequence_forward

__all__ = [
    "StackedCaches",
    "initialize_stacked_parameters",
    "layer_gradient_norms",
    "layer_state_gradients",
    "stacked_backward",
    "stacked_forward",
]


class StackedCaches(NamedTuple):
    """What ``stacked_forward`` computed, layer by layer.

    Attributes:
        layers: one SequenceCache per layer, bottom first: ``layers[0]`` read x,
            ``layers[l]`` read layer l−1's hidden states (``layers[l].x`` is
            ``hidden_states[l - 1]``).
    """

    layers: tuple

    @property
    def cell(self):
        """The Cell every layer runs."""
        return self.layers[0].cell

    @property
    def hidden_states(self):
        """[a[1], ..., a[L]]: each layer's hidden state at every step, (n_a[l], m, T_x) each
        (c for the GRU, a for the LSTM)."""
        return [layer.state(self.cell.hidden) for layer in self.layers]

    @property
    def layer_sizes(self):
        """[n_a[1], ..., n_a[L]]."""
        return [h.shape[0] for h in self.hidden_states]


# ---------------------------------------------------------------------------------------
# Argument checks at the door
# ---------------------------------------------------------------------------------------


def _check_layers(x, layer_parameters, cell="rnn"):
    cell = get_cell(cell)
    if not isinstance(layer_parameters, (list, tuple)) or not layer_parameters:
        raise ValueError(
            f"layer_parameters must be a non-empty list of {cell.name!r} parameter dicts, one per layer (bottom first), "
            f"got {type(layer_parameters).__name__}{' (empty)' if isinstance(layer_parameters, (list, tuple)) else ''}"
        )
    checked_layers = []
    n_in = None
    for l, parameters in enumerate(layer_parameters):
        name = f"layer_parameters[{l}]"
        try:
            p = cell.check_parameters(parameters, name=name)
        except ValueError as error:
            raise ValueError(f"{error} (the parameters of cell={cell.name!r})") from None
        n_x, n_a = cell.sizes(p)
        if n_in is not None and n_x != n_in:
            expected = cell.initialize(n_in, n_a, None, np.random.default_rng(0))  # the shapes layer l needs
            key = next(k for k in cell.parameter_keys if expected[k].shape != p[k].shape)
            raise ValueError(
                f'{name}["{key}"] must have shape {expected[key].shape}: layer {l} reads the hidden states of '
                f"layer_parameters[{l - 1}] (n_a = {n_in}), so its input size n_x is {n_in}; got {p[key].shape} "
                f"(n_x = {n_x})"
            )
        checked_layers.append(p)
        n_in = n_a
    x = shaped_array("x", x, "(n_x, m, T_x)", n_x=cell.sizes(checked_layers[0])[0])
    return x, checked_layers, cell


def _check_caches(caches):
    if not isinstance(caches, StackedCaches):
        raise ValueError(f"caches must be the StackedCaches that stacked_forward returns, got {type(caches).__name__}")
    return caches


def _check_backward(da_top, caches):
    caches = _check_caches(caches)
    n_a, m, T_x = caches.hidden_states[-1].shape
    da_top = shaped_array("da_top", da_top, "(n_a, m, T_x)", n_a=n_a, m=m, T_x=T_x)
    return da_top, caches


def _check_initialize(n_x, layer_sizes, cell="rnn", rng=0, scale=0.1):
    n_x = check_positive_int("n_x", n_x)
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, (list, tuple)) or not layer_sizes:
        raise ValueError(f"layer_sizes must be a non-empty list of hidden sizes n_a, one per layer, got {layer_sizes!r}")
    sizes = [check_positive_int(f"layer_sizes[{l}]", n) for l, n in enumerate(layer_sizes)]
    return n_x, sizes, get_cell(cell), as_generator("rng", rng), check_positive_float("scale", scale)


# ---------------------------------------------------------------------------------------
# Forward and backward
# ---------------------------------------------------------------------------------------


@checked(_check_layers)
def stacked_forward(x, layer_parameters, cell="rnn"):
    """A deep RNN over a whole sequence: layer 1 reads x, layer l reads layer l−1's hidden states.

    Args:
        x: inputs (n_x, m, T_x).
        layer_parameters: a list, bottom layer first, of the cell's parameter dicts; layer
            l's input size is layer l−1's n_a (layer 1's is n_x); the n_a may differ.
            Output-layer entries (Wya/Wy, by), if present, are ignored.
        cell: "rnn", "gru", "lstm" or a variant (see recurrent.cell_names()), or a Cell.
            Every layer's initial state is zero.
    Returns:
        a_top: the top layer's hidden state at every step, (n_a[L], m, T_x) (c for the GRU).
        caches: StackedCaches(layers), one SequenceCache per layer, for stacked_backward.
    Derived in notebooks/09_deep_rnn.ipynb, "Exercise: stacking the layers".
    """
    h = x  # what the first layer reads   (n_x, m, T_x)
    layers = []
    for p in layer_parameters:
        n_a = cell.sizes(p)[1]
        zeros = tuple(np.zeros((n_a, x.shape[1])) for _ in cell.states)
        layer = sequence_forward(cell, h, zeros, p)  # a[l]<t> = cell(a[l]<t-1>, a[l-1]<t>)
        h = layer.state(cell.hidden)  # what the next layer up reads   (n_a[l], m, T_x)
        layers.append(layer)
    return h, StackedCaches(tuple(layers))


def _backward(da_top, caches, keep_states):
    """BPTT layer by layer from the top: each layer's dx is the upstream gradient of the layer below.

    Returns (dx, layer_gradients, d_hidden): d_hidden[l] the total gradient reaching layer
    l's hidden state at every step (from above and from step t+1), or None without keep_states.
    """
    cell = caches.cell
    d_above = da_top  # ∂J/∂a[L]<t> from above
    layer_gradients, d_hidden = [], []
    for layer in reversed(caches.layers):
        steps = backward_steps(d_above, layer, keep_states=keep_states)
        grads = cell.parameter_gradients(steps.local, layer.stacked, input_gradient=True)
        layer_gradients.append(cell.only_parameter_gradients(grads))
        if keep_states:
            d_hidden.append(steps.d_states[cell.hidden])
        d_above = grads["dxt"]  # ∂J/∂a[l-1]<t>: what layer l sends down (for the bottom layer, dx)
    return d_above, layer_gradients[::-1], (d_hidden[::-1] if keep_states else None)


@checked(_check_backward)
def stacked_backward(da_top, caches):
    """Backpropagation through a deep RNN: through time in each layer, down through the layers.

    Args:
        da_top: ∂J/∂a[L]<t> from above for every step, (n_a[L], m, T_x).
        caches: the StackedCaches of stacked_forward.
    Returns:
        dx: ∂J/∂x<t>, (n_x, m, T_x).
        layer_gradients: a list, bottom layer first, of each layer's parameter gradients
            "d<key>" (e.g. dWax, dWaa, dba), summed over the steps.
    Derived in notebooks/09_deep_rnn.ipynb, "Where the gradient vanishes".
    """
    dx, layer_gradients, _ = _backward(da_top, caches, keep_states=False)
    return dx, layer_gradients


@checked(_check_backward)
def layer_state_gradients(da_top, caches):
    """The gradient reaching every layer's hidden state at every step.

    Args:
        da_top: ∂J/∂a[L]<t> from above for every step, (n_a[L], m, T_x).
        caches: the StackedCaches of stacked_forward.
    Returns:
        d_hidden: a list, bottom layer first, of ∂J/∂a[l]<t> (n_a[l], m, T_x): the total
            gradient reaching a[l]<t>, from the layer above at step t and from a[l]<t+1>.
    Derived in notebooks/09_deep_rnn.ipynb, "Where the gradient vanishes".
    """
    return _backward(da_top, caches, keep_states=True)[2]


@checked(_check_backward)
def layer_gradient_norms(da_top, caches):
    """‖∂J/∂a[l]<t>‖ for every layer and step: where the gradient fades, across time or across depth.

    Args:
        da_top: ∂J/∂a[L]<t> from above for every step, (n_a[L], m, T_x); e.g. nonzero at
            the last step only, to follow one gradient back through time and down the layers.
        caches: the StackedCaches of stacked_forward.
    Returns:
        norms: (L, T_x), norms[l, t] the Frobenius norm over units and examples of the
            gradient reaching layer l's hidden state at step t (row 0: the bottom layer).
    Derived in notebooks/09_deep_rnn.ipynb, "Where the gradient vanishes".
    """
    d_hidden = _backward(da_top, caches, keep_states=True)[2]
    return np.stack([np.sqrt(np.sum(d**2, axis=(0, 1))) for d in d_hidden])


@checked(_check_initialize)
def initialize_stacked_parameters(n_x, layer_sizes, cell="rnn", rng=0, scale=0.1):
    """Small random parameters for every layer of a deep RNN (no output layer), biases random too.

    Args:
        n_x: input size of the bottom layer.
        layer_sizes: [n_a[1], ..., n_a[L]], bottom first; layer l's input size is n_a[l-1].
        cell: "rnn", "gru", "lstm" or a variant, or a Cell.
        rng: a np.random.Generator or an int seed, drawn bottom layer first.
        scale: standard deviation of every entry.
    Returns:
        layer_parameters: a list of the cell's parameter dicts, bottom first.
    Derived in notebooks/09_deep_rnn.ipynb, "Parameters per layer".
    """
    inputs = [n_x] + layer_sizes[:-1]  # layer l reads layer l−1's hidden states
    return [cell.initialize(n_in, n_a, None, rng, scale) for n_in, n_a in zip(inputs, layer_sizes)]
