"""The BPTT explorer of notebook 02: the gradient walking back from t = T_x to 1."""

import numpy as np

from course_lib._validate import as_float_array
from course_lib.viz.rnn import backward_step_figure, backward_step_frame
from course_lib.widgets.explorer import TimestepExplorer
from course_lib.widgets._display import show

__all__ = ["BackwardExplorer"]


class BackwardExplorer:
    """Step backpropagation through time from the last step to the first.

    At each a<t> two gradients meet: ∂L<t>/∂a<t> from this step's loss, and the gradient
    coming back from step t+1 through Waa (the da_prev of step t+1, Waaᵀ dz<t+1>). The
    explorer shows both, their sum, and ‖∂J/∂a<t>‖ for every t.

    Args:
        da_loss: gradient from each step's loss, (n_a, T_x), for one example, finite.
        da_total: total ∂J/∂a<t>, (n_a, T_x), as BPTT computes it.
        tokens: the T_x input tokens, a list of str (for the labels).
    """

    def __init__(self, da_loss, da_total, tokens):
        da_loss = as_float_array("da_loss", da_loss)
        da_total = as_float_array("da_total", da_total)
        if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (list, tuple)) \
                or not all(isinstance(tok, str) for tok in tokens):
            raise ValueError(f"tokens must be a list of the T_x input tokens (str), got {type(tokens).__name__}")
        if da_loss.shape != da_total.shape or da_loss.ndim != 2 or da_loss.shape[1] != len(tokens) \
                or 0 in da_loss.shape:
            raise ValueError(
                f"da_loss and da_total must both have shape (n_a, T_x) with T_x = len(tokens) = "
                f"{len(tokens)}, got {da_loss.shape} and {da_total.shape}"
            )
        da_future = da_total - da_loss  # what came back from step t+1: its da_prev
        T_x = da_loss.shape[1]
        norms = np.linalg.norm(da_total, axis=0)
        labels = [f"{t + 1}<br>{tok}" for t, tok in enumerate(tokens)]  # step above token, on two lines

        def title(t):
            # Two short lines, so that the title fits the figure at every step.
            if t == T_x - 1:
                formula, words = "", "the last step: nothing comes back from later"
            else:
                formula, words = f" + Waaᵀ dz<{t + 2}>", f"from the loss at t, plus the da_prev that step {t + 2} sends back"
            return (f"t = {t + 1} ({tokens[t]}): ∂J/∂a<{t + 1}> = ∂L<{t + 1}>/∂a<{t + 1}>{formula}"
                    f"<br><span style=\"font-size: 13px\">{words}</span>")

        # The explorer's step k runs backwards in time: k = 0 is t = T_x.
        def frame(k):
            t = T_x - 1 - k
            return backward_step_frame(da_loss, da_future, t, title(t))

        figure = backward_step_figure(da_loss, da_future, norms, labels, title(T_x - 1))
        self.explorer = TimestepExplorer(figure, frame, T_x,
                                         step_label=lambda k: f"t = {T_x - k}", description="back")
        self.widget = self.explorer.widget
        self.norms = norms

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
