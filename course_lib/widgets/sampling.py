"""The sampling explorer of notebook 04: a sentence generated one drawn token at a time."""

from course_lib._validate import check_positive_int
from course_lib.data import Vocabulary
from course_lib.viz.lm import sampling_step_figure, sampling_step_frame
from course_lib.widgets.explorer import TimestepExplorer

__all__ = ["SamplingExplorer"]


class SamplingExplorer:
    """Step through a ``lm.SampleResult``: at each t, ŷ<t> and the token drawn from it.

    Args:
        result: what ``lm.sample`` returned (at least one token drawn).
        vocabulary: the model's Vocabulary.
        top_k: bars shown per step, ≥ 1.
    """

    def __init__(self, result, vocabulary, top_k=15):
        if not all(hasattr(result, name) for name in ("tokens", "indices", "distributions")) \
                or not len(result.tokens):
            raise ValueError(f"result must be what lm.sample returned (a SampleResult), got {type(result).__name__}")
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        shape = getattr(result.distributions, "shape", ())
        if len(shape) != 2 or shape[1] != len(result.tokens):
            raise ValueError(f"result must be what lm.sample returned: its distributions (n_y, T) hold one column per "
                             f"token drawn, got shape {shape} for {len(result.tokens)} tokens")
        if len(vocabulary) != shape[0]:
            raise ValueError(f"vocabulary must be the model's Vocabulary, of the n_y = {shape[0]} tokens the result "
                             f"was drawn from, got one of {len(vocabulary)} tokens")
        top_k = check_positive_int("top_k", top_k)
        vocab_tokens = list(vocabulary.tokens)
        n_steps = len(result.tokens)

        def frame(t):
            return sampling_step_frame(result.distributions, result.tokens, vocab_tokens, t, top_k)

        def label(t):
            return "so far: " + vocabulary.decode(result.indices[: t + 1])

        figure = sampling_step_figure(result.distributions, result.tokens, vocab_tokens, top_k)
        self.explorer = TimestepExplorer(figure, frame, n_steps, step_label=label)
        self.widget = self.explorer.widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
